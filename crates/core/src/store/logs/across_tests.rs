//! Property test of search across runs: the tasks it finds, in the order
//! it finds them, their counts and first matches are exactly what
//! searching each task one by one finds — for text and regex searches,
//! with level, source, status and plugin conditions, whether a task's
//! entries are in the index, in its unindexed tail or split between them,
//! however the results are paged.

use std::sync::Arc;

use proptest::prelude::*;
use sea_orm::ConnectionTrait;
use serde_json::Map;
use taskdeck_protocol::{LogFilter, LogLevel, Order, SearchMode, TaskStatus};

use super::LogStore;
use super::record::{LogRecord, TaskIdentity};
use crate::store::tasks::TaskRepository;
use crate::test_support::temp_store;

const SOURCES: [&str; 3] = ["shell", "shell.stderr", "git"];
const PLUGINS: [&str; 2] = ["shell", "git"];
const STATUSES: [TaskStatus; 2] = [TaskStatus::Succeeded, TaskStatus::Failed];

/// One stored task: its plugin and status (by index), and its entries
/// (level, source by index, message).
type TaskShape = (usize, usize, Vec<(LogLevel, usize, String)>);

fn message() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['a', 'A', 'b', 'é', 'É', ' ', '-']),
        0..10,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn task_shape() -> impl Strategy<Value = TaskShape> {
    (
        0..PLUGINS.len(),
        0..STATUSES.len(),
        prop::collection::vec(
            (
                prop::sample::select(LogLevel::ALL.to_vec()),
                0..SOURCES.len(),
                message(),
            ),
            0..14,
        ),
    )
}

/// A search: text of one to four characters, or one of a few regexes
/// (with and without literals the index can use).
fn search() -> impl Strategy<Value = (String, SearchMode)> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(vec!['a', 'A', 'b', 'é', ' ']), 1..5)
            .prop_map(|chars| (chars.into_iter().collect::<String>(), SearchMode::Text)),
        prop::sample::select(vec![
            "a+b", "^a", "b$", "[aé]b", "aab|bba", "éé", "a.b", "^$"
        ])
        .prop_map(|regex| (regex.to_owned(), SearchMode::Regex)),
    ]
}

/// What a search found for one task: its id, count and first matches.
type Found = (String, u64, Vec<u64>);

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn finds_exactly_what_searching_each_task_finds(
        tasks in prop::collection::vec(task_shape(), 1..7),
        (text, mode) in search(),
        case_sensitive in any::<bool>(),
        min_level in prop::option::of(prop::sample::select(LogLevel::ALL.to_vec())),
        source in prop::option::of(prop::sample::select(vec!["shell", "git"])),
        status in prop::option::of(0..STATUSES.len()),
        plugin in prop::option::of(0..PLUGINS.len()),
        index_steps in prop::collection::vec(1_u64..20, 0..6),
        page_size in 1_usize..4,
    ) {
        prop_assume!(!text.trim().is_empty(), "a blank search is refused");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (across, one_by_one) = runtime.block_on(async {
            let (_dir, store) = temp_store().await;
            let logs = LogStore::new(&store);
            let mut identities = Vec::new();
            for (plugin, status, entries) in &tasks {
                let row = TaskRepository::new(&store)
                    .create(PLUGINS[*plugin], &Map::new(), "runner")
                    .await
                    .unwrap();
                store
                    .connection()
                    .execute_unprepared(&format!(
                        "UPDATE tasks SET status = '{}' WHERE key = {}",
                        STATUSES[*status].as_str(),
                        row.key
                    ))
                    .await
                    .unwrap();
                let task = Arc::new(row.identity());
                let records: Vec<LogRecord> = entries
                    .iter()
                    .enumerate()
                    .map(|(index, (level, source, message))| LogRecord {
                        task: Arc::clone(&task),
                        seq: index as u64 + 1,
                        timestamp_ms: 1_700_000_000_000 + index as i64,
                        level: *level,
                        source: Arc::from(SOURCES[*source]),
                        message: message.clone(),
                        metadata: None,
                        styles: Vec::new(),
                        section: Default::default(),
                    })
                    .collect();
                if !records.is_empty() {
                    logs.insert_batch(&records).await.unwrap();
                }
                identities.push((task, *plugin, *status));
            }
            for rows in &index_steps {
                logs.index_search_chunk(*rows).await.unwrap();
            }
            let filter = LogFilter {
                search: Some(text.clone()),
                search_mode: mode,
                case_sensitive,
                min_level,
                sources: source.map(|source| vec![source.to_owned()]).unwrap_or_default(),
                ..LogFilter::default()
            };
            let statuses: Vec<TaskStatus> = status.map(|status| vec![STATUSES[status]]).unwrap_or_default();
            let plugin_id = plugin.map(|plugin| PLUGINS[plugin].to_owned());

            // Across runs, a page at a time.
            let mut across: Vec<Found> = Vec::new();
            let mut below = None;
            loop {
                let page = logs
                    .search_runs(&filter, (statuses.clone(), plugin_id.clone()), below, page_size, 2)
                    .await
                    .unwrap();
                assert!(page.runs.len() <= page_size);
                across.extend(page.runs.into_iter().map(|run| {
                    (run.task.id, run.count.matching, run.hits.iter().map(|hit| hit.seq).collect())
                }));
                match page.continue_below {
                    Some(key) => below = Some(key),
                    None => break,
                }
            }

            // Each task in scope on its own, newest first.
            let mut one_by_one: Vec<Found> = Vec::new();
            for (task, plugin, status) in identities.iter().rev() {
                let in_scope = statuses.is_empty() || statuses == [STATUSES[*status]];
                if !in_scope || plugin_id.as_deref().is_some_and(|id| id != PLUGINS[*plugin]) {
                    continue;
                }
                let identity: &TaskIdentity = task;
                let count = logs.count(&identity.id, &filter).await.unwrap().matching;
                if count == 0 {
                    continue;
                }
                let first = LogFilter { limit: Some(2), order: Order::Ascending, ..filter.clone() };
                let page = logs.query(&identity.id, &first).await.unwrap();
                one_by_one.push((
                    identity.id.clone(),
                    count,
                    page.entries.iter().map(|entry| entry.seq).collect(),
                ));
            }
            (across, one_by_one)
        });
        prop_assert_eq!(across, one_by_one);
    }
}
