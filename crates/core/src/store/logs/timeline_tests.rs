//! Time ranges and the level timeline on real SQLite files: a
//! `since`/`until` filter selects exactly the entries of its range, in
//! pages, in either order, with the other conditions, whatever order the
//! timestamps are in; the timeline adds up to the log.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::Map;
use taskdeck_protocol::{LevelCounts, LogEntry, LogFilter, LogLevel, Order};

use super::LogStore;
use super::record::{LogRecord, TaskIdentity, millis_to_time};
use crate::store::tasks::TaskRepository;
use crate::test_support::temp_store;
use crate::{CoreError, Store};

const BASE_MS: i64 = 1_700_000_000_000;

/// A task whose entry `i` was emitted `offsets[i]` ms after [`BASE_MS`],
/// at level `i % 4`, with "needle" in every third message.
async fn task_at(store: &Store, offsets: &[i64]) -> Arc<TaskIdentity> {
    let row = TaskRepository::new(store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let records: Vec<LogRecord> = offsets
        .iter()
        .enumerate()
        .map(|(index, offset)| LogRecord {
            task: Arc::clone(&task),
            seq: index as u64 + 1,
            timestamp_ms: BASE_MS + offset,
            level: LogLevel::ALL[index % 4],
            source: Arc::from("shell"),
            message: if index % 3 == 0 {
                format!("needle {index}")
            } else {
                format!("hay {index}")
            },
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    // In two batches, so a second's aggregate row is updated, not only
    // inserted.
    let service = LogStore::new(store);
    let (first, rest) = records.split_at(records.len() / 2);
    service.insert_batch(first).await.unwrap();
    service.insert_batch(rest).await.unwrap();
    task
}

fn at(offset: i64) -> DateTime<Utc> {
    millis_to_time(BASE_MS + offset)
}

/// Every page of `filter`, followed by its cursors.
pub(super) async fn all_pages(
    service: &LogStore,
    task: &TaskIdentity,
    filter: &LogFilter,
) -> Vec<LogEntry> {
    let mut filter = filter.clone();
    let mut found = Vec::new();
    loop {
        let page = service.query(&task.id, &filter).await.unwrap();
        found.extend(page.entries);
        let Some(cursor) = page.next_cursor else {
            return found;
        };
        match filter.order {
            Order::Ascending => filter.after_seq = Some(cursor),
            Order::Descending => filter.before_seq = Some(cursor),
        }
    }
}

/// Where a range's bound lies: anywhere, or at an entry's own time.
#[derive(Debug, Clone)]
enum Bound {
    Anywhere(i64),
    AtEntry(prop::sample::Index),
}

impl Bound {
    fn offset(&self, offsets: &[i64]) -> i64 {
        match self {
            Bound::Anywhere(offset) => *offset,
            Bound::AtEntry(index) => *index.get(offsets),
        }
    }
}

#[test]
fn a_time_range_selects_exactly_its_entries() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_dir, store) = runtime.block_on(temp_store());
    let service = LogStore::new(&store);
    let config = ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // Offsets over a few seconds, mostly rising, sometimes not (a clock
    // set back, an imported log).
    let offsets = prop::collection::vec(-1_500_i64..6_000, 1..60).prop_map(|mut offsets| {
        let len = offsets.len();
        offsets[..len * 3 / 4].sort_unstable();
        offsets
    });
    // A bound is often an entry's own time, where `since` must hold the
    // entry and `until` must not.
    let bound = || {
        prop::option::of(prop_oneof![
            (-2_000_i64..6_500).prop_map(Bound::Anywhere),
            any::<prop::sample::Index>().prop_map(Bound::AtEntry),
        ])
    };
    proptest!(config, |(
        offsets in offsets,
        since in bound(),
        until in bound(),
        min_level in prop::option::of(prop::sample::select(LogLevel::ALL.to_vec())),
        search in any::<bool>(),
        limit in 1_u32..9,
        newest_first in any::<bool>(),
    )| {
        let since = since.map(|bound| bound.offset(&offsets));
        let until = until.map(|bound| bound.offset(&offsets));
        prop_assume!(since.is_some() || until.is_some());
        prop_assume!(match (since, until) { (Some(since), Some(until)) => since < until, _ => true });
        let filter = LogFilter {
            since: since.map(at),
            until: until.map(at),
            min_level,
            search: search.then(|| "needle".to_owned()),
            limit: Some(limit),
            order: if newest_first { Order::Descending } else { Order::Ascending },
            ..LogFilter::default()
        };
        let (found, counted) = runtime.block_on(async {
            let task = task_at(&store, &offsets).await;
            let found: Vec<u64> = all_pages(&service, &task, &filter)
                .await
                .iter()
                .map(|entry| entry.seq)
                .collect();
            (found, service.count(&task.id, &filter).await.unwrap().matching)
        });
        let mut expected: Vec<u64> = offsets
            .iter()
            .enumerate()
            .filter(|(index, offset)| {
                since.is_none_or(|since| **offset >= since)
                    && until.is_none_or(|until| **offset < until)
                    && min_level.is_none_or(|level| LogLevel::ALL[index % 4] >= level)
                    && (!search || index % 3 == 0)
            })
            .map(|(index, _)| index as u64 + 1)
            .collect();
        if newest_first {
            expected.reverse();
        }
        prop_assert_eq!(counted as usize, expected.len());
        prop_assert_eq!(found, expected);
    });
}

#[tokio::test]
async fn a_range_that_holds_no_moment_is_refused_by_name() {
    let (_dir, store) = temp_store().await;
    let task = task_at(&store, &[0, 10]).await;
    let filter = LogFilter {
        since: Some(at(10)),
        until: Some(at(10)),
        ..LogFilter::default()
    };
    match LogStore::new(&store).query(&task.id, &filter).await {
        Err(CoreError::InvalidFilter(invalid)) => assert_eq!(invalid.field, "until"),
        other => panic!("expected an invalid filter, got {other:?}"),
    }
}

#[tokio::test]
async fn the_timeline_adds_up_to_the_log_in_whole_second_buckets() {
    let (_dir, store) = temp_store().await;
    // 0 s .. 9.9 s: ten seconds, two entries in each.
    let offsets: Vec<i64> = (0..20).map(|index| index * 500).collect();
    let task = task_at(&store, &offsets).await;
    let service = LogStore::new(&store);

    let fine = service.timeline(&task.id, 100).await.unwrap();
    assert_eq!(fine.bucket_ms, 1_000, "no finer than the aggregates");
    assert_eq!(fine.buckets.len(), 10);
    assert_eq!(fine.start, Some(millis_to_time(BASE_MS / 1000 * 1000)));
    assert!(fine.buckets.iter().all(|bucket| bucket.total() == 2));

    let coarse = service.timeline(&task.id, 3).await.unwrap();
    assert_eq!(coarse.bucket_ms, 4_000);
    let totals: Vec<u64> = coarse.buckets.iter().map(LevelCounts::total).collect();
    assert_eq!(totals, [8, 8, 4]);
    let mut levels = LevelCounts::default();
    for bucket in &coarse.buckets {
        for level in LogLevel::ALL {
            levels.add(level, bucket.get(level));
        }
    }
    assert_eq!(
        levels,
        LevelCounts {
            debug: 5,
            info: 5,
            warning: 5,
            error: 5
        }
    );
    assert_eq!(coarse.end(), coarse.bucket_start(3));

    let empty = TaskRepository::new(&store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let none = service.timeline(&empty.id, 50).await.unwrap();
    assert!(none.start.is_none() && none.buckets.is_empty());
}

#[tokio::test]
async fn deleting_a_task_removes_its_timeline() {
    let (_dir, store) = temp_store().await;
    let task = task_at(&store, &[0, 1_000, 2_000]).await;
    let service = LogStore::new(&store);
    service.delete_task(&task).await.unwrap();
    let rows = super::tests::count(&store, "SELECT count(*) FROM task_log_timeline").await;
    assert_eq!(rows, 0);
}
