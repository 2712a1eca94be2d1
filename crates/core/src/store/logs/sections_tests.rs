//! Sections on real SQLite files, written the way a running task writes
//! them (opened and closed in its log buffer, flushed in batches that cut
//! anywhere): the store lists exactly the sections opened, nested as they
//! were, with their last entry, counts and end; each entry carries the
//! sections around it; a section filter selects exactly its entries,
//! those of the sections inside it included; and folding hides exactly
//! the folded sections' lines but their headers.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Map;
use taskdeck_protocol::{Folding, LevelCounts, LogFilter, LogLevel, Order, SectionStatus};

use super::LogStore;
use super::record::TaskIdentity;
use super::timeline_tests::all_pages;
use crate::store::tasks::TaskRepository;
use crate::task_log::buffer::{LogBuffer, TaskLog};
use crate::test_support::temp_store;
use crate::{CoreError, Store};

/// One thing a task does to its log.
#[derive(Debug, Clone)]
enum Step {
    /// An entry at this level.
    Emit(LogLevel),
    /// A section opens (its header line is an `INFO` entry).
    Open,
    /// The open section this many levels out from the innermost closes
    /// (and every one inside it).
    Close(usize),
    /// The flusher takes what waits and writes it.
    Flush,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::sample::select(LogLevel::ALL.to_vec()).prop_map(Step::Emit),
        2 => Just(Step::Open),
        2 => (0_usize..3).prop_map(Step::Close),
        1 => Just(Step::Flush),
    ]
}

/// What the steps should leave: each entry's sections, and each section's
/// parent, header line, entries per level and whether it closed.
#[derive(Debug, Default)]
struct Model {
    paths: Vec<Vec<u32>>,
    sections: Vec<(Option<u32>, u64, LevelCounts, bool)>,
}

impl Model {
    fn emit(&mut self, open: &[u32], level: LogLevel) {
        for id in open {
            self.sections[*id as usize - 1].2.add(level, 1);
        }
        self.paths.push(open.to_vec());
    }
}

/// Runs `steps` on a task's log buffer, flushing into `store`, and returns
/// the task and what should have been stored.
async fn run(store: &Store, steps: &[Step]) -> (Arc<TaskIdentity>, Model) {
    let row = TaskRepository::new(store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let buffer = Arc::new(LogBuffer::new(64, 100_000));
    let log = TaskLog::new(Arc::clone(&task), 0, Arc::clone(&buffer));
    let service = LogStore::new(store);
    let source: Arc<str> = Arc::from("test");
    let flush = async || {
        for batch in buffer.take() {
            service.insert_batch(&batch).await.unwrap();
            buffer.written(batch.len());
        }
    };
    let mut model = Model::default();
    let mut open: Vec<u32> = Vec::new();
    for step in steps {
        match step {
            Step::Emit(level) => {
                log.push(*level, &source, format!("{level} line"), None);
                model.emit(&open, *level);
            }
            Step::Open => {
                let title = format!("section {}", model.sections.len() + 1);
                let id = log
                    .open_section(LogLevel::Info, &source, title, None)
                    .unwrap();
                assert_eq!(id as usize, model.sections.len() + 1, "ids count from 1");
                let header = model.paths.len() as u64 + 1;
                model
                    .sections
                    .push((open.last().copied(), header, LevelCounts::default(), false));
                open.push(id);
                model.emit(&open, LogLevel::Info);
            }
            Step::Close(out) => {
                if let Some(at) = open.len().checked_sub(out + 1) {
                    log.close_section(open[at]);
                    for id in open.drain(at..) {
                        model.sections[id as usize - 1].3 = true;
                    }
                }
            }
            Step::Flush => flush().await,
        }
    }
    // The task's end line: it carries the closes no entry carried yet.
    log.push(LogLevel::Info, &source, "end".to_owned(), None);
    model.emit(&open, LogLevel::Info);
    flush().await;
    (task, model)
}

#[test]
fn sections_are_stored_as_they_nested_and_a_section_filter_or_folding_selects_exactly() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_dir, store) = runtime.block_on(temp_store());
    let service = LogStore::new(&store);
    let config = ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        steps in prop::collection::vec(step(), 1..80),
        pick in any::<prop::sample::Index>(),
        min_level in prop::option::of(prop::sample::select(LogLevel::ALL.to_vec())),
        limit in 1_u32..7,
        newest_first in any::<bool>(),
        fold_mask in any::<u16>(),
        fold_all_but in any::<bool>(),
    )| {
        let (task, model) = runtime.block_on(run(&store, &steps));
        prop_assume!(!model.sections.is_empty());
        let (sections, entries) = runtime.block_on(async {
            let sections = service.sections(&task.id).await.unwrap();
            let entries = all_pages(&service, &task, &LogFilter::default()).await;
            (sections, entries)
        });

        // The sections, as they were opened.
        prop_assert_eq!(sections.len(), model.sections.len());
        for (section, (parent, header, counts, closed)) in sections.iter().zip(&model.sections) {
            let last = model
                .paths
                .iter()
                .rposition(|path| path.contains(&section.id))
                .unwrap() as u64
                + 1;
            prop_assert_eq!(section.parent, *parent);
            prop_assert_eq!(section.start_seq, *header);
            prop_assert_eq!(section.end_seq, last);
            prop_assert_eq!(section.counts, *counts);
            prop_assert_eq!(section.title.clone(), format!("section {}", section.id));
            prop_assert_eq!(section.ended_at.is_some(), *closed);
            prop_assert!(section.status != SectionStatus::Running, "its task does not run");
        }
        // Each entry carries the sections around it.
        let paths: Vec<Vec<u32>> = entries.iter().map(|entry| entry.sections.clone()).collect();
        prop_assert_eq!(&paths, &model.paths);

        // A section's filter: its entries and those of sections inside it.
        let id = pick.index(model.sections.len()) as u32 + 1;
        let filter = LogFilter {
            section: Some(id),
            min_level,
            limit: Some(limit),
            order: if newest_first { Order::Descending } else { Order::Ascending },
            ..LogFilter::default()
        };
        let (found, counted) = runtime.block_on(async {
            let found: Vec<u64> = all_pages(&service, &task, &filter)
                .await
                .iter()
                .map(|entry| entry.seq)
                .collect();
            (found, service.count(&task.id, &filter).await.unwrap().matching)
        });
        let levels: HashMap<u64, LogLevel> =
            entries.iter().map(|entry| (entry.seq, entry.level)).collect();
        let mut expected: Vec<u64> = (1..=model.paths.len() as u64)
            .filter(|seq| model.paths[*seq as usize - 1].contains(&id))
            .filter(|seq| min_level.is_none_or(|minimum| levels[seq] >= minimum))
            .collect();
        if newest_first {
            expected.reverse();
        }
        prop_assert_eq!(counted as usize, expected.len());
        prop_assert_eq!(found, expected);

        // Folding: a folded section keeps its header line and hides every
        // other line in it, those of the sections inside included.
        let named: Vec<u32> = (1..=model.sections.len() as u32)
            .filter(|id| fold_mask >> (id % 16) & 1 == 1)
            .collect();
        let folding = if fold_all_but { Folding::AllBut(named) } else { Folding::These(named) };
        let filter = LogFilter {
            folding: Some(folding.clone()),
            min_level,
            limit: Some(limit),
            order: if newest_first { Order::Descending } else { Order::Ascending },
            ..LogFilter::default()
        };
        let found: Vec<u64> = runtime.block_on(all_pages(&service, &task, &filter))
            .iter()
            .map(|entry| entry.seq)
            .collect();
        let mut expected: Vec<u64> = (1..=model.paths.len() as u64)
            .filter(|seq| {
                !model.paths[*seq as usize - 1].iter().any(|id| {
                    folding.folds(*id) && model.sections[*id as usize - 1].1 != *seq
                })
            })
            .filter(|seq| min_level.is_none_or(|minimum| levels[seq] >= minimum))
            .collect();
        if newest_first {
            expected.reverse();
        }
        prop_assert_eq!(found, expected);
    });
}

#[tokio::test]
async fn a_section_the_task_does_not_have_is_refused_by_name() {
    let (_dir, store) = temp_store().await;
    let (task, _) = run(&store, &[Step::Open, Step::Emit(LogLevel::Info)]).await;
    for id in [2, 0] {
        let filter = LogFilter {
            section: Some(id),
            ..LogFilter::default()
        };
        match LogStore::new(&store).query(&task.id, &filter).await {
            Err(CoreError::InvalidFilter(invalid)) => {
                assert_eq!(invalid.field, "section");
                assert!(invalid.reason.contains(&id.to_string()), "{invalid}");
            }
            other => panic!("expected an invalid filter for section {id}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_error_shows_at_once_and_an_open_section_of_a_running_task_is_running() {
    let (_dir, store) = temp_store().await;
    let steps = [
        Step::Open,
        Step::Emit(LogLevel::Warning),
        Step::Close(0),
        Step::Open,
        Step::Emit(LogLevel::Error),
        Step::Open,
    ];
    let (task, _) = run(&store, &steps).await;
    TaskRepository::new(&store)
        .mark_running(task.key)
        .await
        .unwrap();
    let sections = LogStore::new(&store).sections(&task.id).await.unwrap();
    let statuses: Vec<SectionStatus> = sections.iter().map(|section| section.status).collect();
    assert_eq!(
        statuses,
        [
            SectionStatus::Warnings,
            SectionStatus::Errors,
            SectionStatus::Running
        ]
    );
    assert!(sections[0].duration_ms().is_some());
    assert!(sections[2].duration_ms().is_none());
}

#[tokio::test]
async fn deleting_a_task_removes_its_sections() {
    let (_dir, store) = temp_store().await;
    let (task, _) = run(&store, &[Step::Open, Step::Emit(LogLevel::Info)]).await;
    LogStore::new(&store).delete_task(&task).await.unwrap();
    let rows = super::tests::count(&store, "SELECT count(*) FROM task_log_sections").await;
    assert_eq!(rows, 0);
}
