//! Persistence tests (T026) on real SQLite files.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Map, json};
use taskdeck_protocol::{LogCount, LogFilter, LogLevel, Order, SearchMode};

use super::LogStore;
use super::record::{LogRecord, TaskIdentity};
use super::search_index::IndexStep;
use crate::store::tasks::TaskRepository;
use crate::test_support::temp_store;
use crate::{CoreError, Store};

const SOURCES: [&str; 4] = ["backup", "backup.archive", "backup.upload", "system"];

/// A task with `count` entries: levels cycle DEBUG..ERROR, sources cycle
/// through [`SOURCES`], every 10th message mentions "rare-ish" words.
async fn task_with_entries(store: &Store, count: u64) -> Arc<TaskIdentity> {
    let row = TaskRepository::new(store)
        .create("backup", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let records: Vec<LogRecord> = (1..=count)
        .map(|seq| LogRecord {
            task: Arc::clone(&task),
            seq,
            timestamp_ms: 1_700_000_000_000 + seq as i64,
            level: LogLevel::ALL[(seq % 4) as usize],
            source: Arc::from(SOURCES[(seq % 4) as usize]),
            message: if seq % 10 == 0 {
                format!("copied file {seq} checksum mismatch")
            } else {
                format!("copied file {seq}")
            },
            metadata: (seq % 2 == 0).then(|| json!({ "n": seq }).as_object().cloned().unwrap()),
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    LogStore::new(store).insert_batch(&records).await.unwrap();
    task
}

fn seqs(page: &taskdeck_protocol::LogPage) -> Vec<u64> {
    page.entries.iter().map(|entry| entry.seq).collect()
}

pub(super) async fn count(store: &Store, sql: &str) -> i64 {
    let connection = store.connection();
    connection
        .query_one_raw(Statement::from_string(
            connection.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test]
async fn stored_entries_come_back_with_every_field() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 4).await;
    let page = LogStore::new(&store)
        .query(&task.id, &LogFilter::default())
        .await
        .unwrap();
    assert_eq!(seqs(&page), vec![1, 2, 3, 4]);
    assert_eq!(page.next_cursor, None);
    let second = &page.entries[1];
    assert_eq!(second.task_id, task.id);
    assert_eq!(second.level, LogLevel::Warning);
    assert_eq!(second.source, "backup.upload");
    assert_eq!(second.message, "copied file 2");
    assert_eq!(second.metadata, json!({ "n": 2 }).as_object().cloned());
    assert_eq!(second.timestamp.timestamp_millis(), 1_700_000_000_002);
    assert_eq!(second.id, (task.key << 32) | 2);
    assert_eq!(page.entries[0].metadata, None);
}

#[tokio::test]
async fn keyset_pages_visit_every_entry_once_in_both_directions() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 95).await;
    let service = LogStore::new(&store);
    for order in [Order::Ascending, Order::Descending] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let filter = LogFilter {
                limit: Some(10),
                order,
                after_seq: cursor.filter(|_| order == Order::Ascending),
                before_seq: cursor.filter(|_| order == Order::Descending),
                ..LogFilter::default()
            };
            let page = service.query(&task.id, &filter).await.unwrap();
            seen.extend(seqs(&page));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected: Vec<u64> = (1..=95).collect();
        if order == Order::Descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order:?}");
    }
}

#[tokio::test]
async fn level_set_and_minimum_filter_pages() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 40).await;
    let service = LogStore::new(&store);
    let errors = service
        .query(
            &task.id,
            &LogFilter {
                levels: vec![LogLevel::Error],
                ..LogFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(seqs(&errors), vec![3, 7, 11, 15, 19, 23, 27, 31, 35, 39]);
    let severe = service
        .query(
            &task.id,
            &LogFilter {
                min_level: Some(LogLevel::Warning),
                after_seq: Some(30),
                limit: Some(3),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(seqs(&severe), vec![31, 34, 35]);
    assert_eq!(severe.next_cursor, Some(35));
}

#[tokio::test]
async fn query_with_source_parent_matches_children() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 12).await;
    let service = LogStore::new(&store);
    let filter = |sources: &[&str], order| LogFilter {
        sources: sources.iter().map(|source| source.to_string()).collect(),
        order,
        ..LogFilter::default()
    };
    let backup = service
        .query(&task.id, &filter(&["backup"], Order::Ascending))
        .await
        .unwrap();
    // Every source but `system` (seq % 4 == 3).
    assert_eq!(seqs(&backup), vec![1, 2, 4, 5, 6, 8, 9, 10, 12]);
    let archive = service
        .query(
            &task.id,
            &filter(&["backup.archive", "system"], Order::Descending),
        )
        .await
        .unwrap();
    assert_eq!(seqs(&archive), vec![11, 9, 7, 5, 3, 1]);
    let nothing = service
        .query(&task.id, &filter(&["git"], Order::Ascending))
        .await
        .unwrap();
    assert!(nothing.entries.is_empty());
}

#[tokio::test]
async fn search_finds_text_within_the_task_and_filter() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 50).await;
    let other = task_with_entries(&store, 50).await;
    let service = LogStore::new(&store);
    let search = |text: &str| LogFilter {
        search: Some(text.into()),
        ..LogFilter::default()
    };
    let page = service.query(&task.id, &search("mismatch")).await.unwrap();
    assert_eq!(seqs(&page), vec![10, 20, 30, 40, 50]);
    assert!(page.entries.iter().all(|entry| entry.task_id == task.id));
    let filtered = service
        .query(
            &other.id,
            &LogFilter {
                levels: vec![LogLevel::Warning],
                order: Order::Descending,
                ..search("checksum")
            },
        )
        .await
        .unwrap();
    assert_eq!(seqs(&filtered), vec![50, 30, 10]);
    // `*` is literal text unless operators are asked for.
    let literal = service.query(&task.id, &search("mism*")).await.unwrap();
    assert!(literal.entries.is_empty());
    let operators = LogFilter {
        search_mode: SearchMode::Operators,
        ..search("mism*")
    };
    let prefix = service.query(&task.id, &operators).await.unwrap();
    assert_eq!(prefix.entries.len(), 5);
}

/// Indexes every entry that waits for the search index.
async fn index_everything(service: &LogStore) {
    while service.index_search_chunk(7).await.unwrap() != IndexStep::Idle {}
    assert_eq!(service.entries_waiting_for_index().await.unwrap(), 0);
}

#[tokio::test]
async fn search_finds_what_was_typed_before_and_after_indexing() {
    let (_dir, store) = temp_store().await;
    let row = TaskRepository::new(&store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let messages = [
        "INFO rotated app.log at noon",
        "failed: ERR-1234 (disk)",
        "needle-unique-7731",
        "I don't know",
        "built with C++ 17",
        "writing /var/log/syslog",
        "mail to user@example.com",
        "see example.com",
        "Ünïcode CAFÉ",
        "plain line",
    ];
    let records: Vec<LogRecord> = messages
        .iter()
        .enumerate()
        .map(|(index, message)| LogRecord {
            task: Arc::clone(&task),
            seq: index as u64 + 1,
            timestamp_ms: 1_700_000_000_000,
            level: LogLevel::Info,
            source: Arc::from("shell"),
            message: (*message).to_owned(),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    let service = LogStore::new(&store);
    service.insert_batch(&records).await.unwrap();
    let found = async |text: &str| {
        let filter = LogFilter {
            search: Some(text.into()),
            ..LogFilter::default()
        };
        let page = service.query(&task.id, &filter).await.unwrap();
        let count = service.count(&task.id, &filter).await.unwrap();
        assert_eq!(count.matching as usize, page.entries.len(), "{text}");
        seqs(&page)
    };
    let expected: [(&str, Vec<u64>); 11] = [
        ("app.log", vec![1]),
        ("ERR-1234", vec![2]),
        ("err-1234", vec![2]),
        ("unique-77", vec![3]),
        ("don't", vec![4]),
        ("C++", vec![5]),
        ("/var/log", vec![6]),
        ("user@example.com", vec![7]),
        ("example.com", vec![7, 8]),
        ("café", vec![9]),
        ("e", vec![1, 2, 3, 7, 8, 9, 10]),
    ];
    assert_eq!(service.entries_waiting_for_index().await.unwrap(), 10);
    for (text, seqs) in &expected {
        assert_eq!(&found(text).await, seqs, "{text}, unindexed");
    }
    index_everything(&service).await;
    for (text, seqs) in &expected {
        assert_eq!(&found(text).await, seqs, "{text}, indexed");
    }
}

#[tokio::test]
async fn counts_follow_the_filter_and_a_search_count_stops_at_its_cap() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 50).await;
    let _other = task_with_entries(&store, 50).await;
    let service = LogStore::new(&store);
    let count = async |filter: LogFilter| service.count(&task.id, &filter).await.unwrap();
    let search = |text: &str| LogFilter {
        search: Some(text.into()),
        ..LogFilter::default()
    };
    let counted = |matching| LogCount {
        matching,
        capped: false,
    };
    assert_eq!(count(LogFilter::default()).await, counted(50));
    assert_eq!(count(search("mismatch")).await, counted(5));
    // Level and source conditions (a parent takes its children) with and
    // without a search; cursors do not narrow a count.
    let upload_warnings = LogFilter {
        min_level: Some(LogLevel::Warning),
        sources: vec!["backup".into()],
        after_seq: Some(40),
        ..LogFilter::default()
    };
    assert_eq!(count(upload_warnings.clone()).await, counted(13));
    assert_eq!(
        count(LogFilter {
            levels: vec![LogLevel::Warning],
            ..search("checksum")
        })
        .await,
        counted(3)
    );
    assert_eq!(
        count(LogFilter {
            search: Some("mismatch".into()),
            ..upload_warnings
        })
        .await,
        counted(3)
    );
    // A search stops counting at the cap and says so.
    let reader = store.reads().open().unwrap();
    let capped = super::bulk::count(&reader, &task, &search("copied"), 20).unwrap();
    assert_eq!(
        capped,
        LogCount {
            matching: 20,
            capped: true
        }
    );
    // A bad search is the user's error, named.
    let unterminated = LogFilter {
        search_mode: SearchMode::Operators,
        ..search("\"unterminated")
    };
    match service.count(&task.id, &unterminated).await {
        Err(CoreError::InvalidFilter(invalid)) => assert_eq!(invalid.field, "search"),
        other => panic!("expected an invalid search, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_text_never_fails_and_bad_operators_are_named_without_internals() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 3).await;
    let service = LogStore::new(&store);
    let malformed = [
        "\"unterminated",
        "AND",
        "\"",
        "NEAR(",
        "*",
        "AND AND",
        "NEAR(copied",
        "copied)",
    ];
    for text in malformed.into_iter().chain(["copied -", "a:b", "x NOT"]) {
        let plain = LogFilter {
            search: Some(text.into()),
            ..LogFilter::default()
        };
        assert!(service.query(&task.id, &plain).await.is_ok(), "{text}");
    }
    for text in malformed.into_iter().chain(["x NOT"]) {
        let filter = LogFilter {
            search: Some(text.into()),
            search_mode: SearchMode::Operators,
            ..LogFilter::default()
        };
        match service.query(&task.id, &filter).await.unwrap_err() {
            CoreError::InvalidFilter(invalid) => {
                assert_eq!(invalid.field, "search", "{text}");
                assert!(invalid.reason.contains("at character"), "{text}: {invalid}");
                for internal in ["fts5", "SQLite", "sqlite", "Custom", "no such column"] {
                    assert!(!invalid.reason.contains(internal), "{text}: {invalid}");
                }
            }
            other => panic!("{text}: expected an invalid filter, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn stats_and_sources_come_from_the_aggregates() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 10).await;
    let service = LogStore::new(&store);
    // A second batch adds to the same aggregates.
    let more: Vec<LogRecord> = (11..=12)
        .map(|seq| LogRecord {
            task: Arc::clone(&task),
            seq,
            timestamp_ms: 1_700_000_000_000 + seq as i64,
            level: LogLevel::Error,
            source: Arc::from("backup"),
            message: "late".into(),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    service.insert_batch(&more).await.unwrap();

    let stats = service.stats(&task.id).await.unwrap();
    assert_eq!(stats.total, 12);
    assert_eq!(
        (
            stats.counts.debug,
            stats.counts.info,
            stats.counts.warning,
            stats.counts.error
        ),
        (2, 3, 3, 4)
    );
    let backup = stats
        .sources
        .iter()
        .find(|source| source.source == "backup")
        .unwrap();
    assert_eq!(backup.counts.debug, 2);
    assert_eq!(backup.counts.error, 2);
    assert_eq!(
        stats.first_timestamp.unwrap().timestamp_millis(),
        1_700_000_000_001
    );
    assert_eq!(
        stats.last_timestamp.unwrap().timestamp_millis(),
        1_700_000_000_012
    );
    assert_eq!(service.sources(&task.id).await.unwrap(), SOURCES.to_vec());

    // The task row's per-level counts follow too.
    let summary = TaskRepository::new(&store)
        .get(&task.id)
        .await
        .unwrap()
        .to_summary(None);
    assert_eq!(summary.counts, stats.counts);
}

#[tokio::test]
async fn deleting_a_task_removes_its_rows_index_entries_and_aggregates_only() {
    let (_dir, store) = temp_store().await;
    let doomed = task_with_entries(&store, 30).await;
    let kept = task_with_entries(&store, 30).await;
    let service = LogStore::new(&store);

    index_everything(&service).await;
    assert_eq!(service.delete_task(&doomed).await.unwrap(), 30);

    assert_eq!(count(&store, "SELECT COUNT(*) FROM task_logs").await, 30);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM task_logs_search \
             WHERE task_logs_search MATCH '\"mis\" AND \"atc\"'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT COUNT(*) FROM task_log_stats WHERE task_key = {}",
                doomed.key
            )
        )
        .await,
        0
    );
    assert!(matches!(
        service.query(&doomed.id, &LogFilter::default()).await,
        Err(CoreError::TaskNotFound(_))
    ));
    assert_eq!(
        service.stats(&kept.id).await.unwrap().total,
        30,
        "the other task was touched"
    );
}

#[tokio::test]
async fn unknown_tasks_and_invalid_filters_are_typed_errors() {
    let (_dir, store) = temp_store().await;
    let service = LogStore::new(&store);
    assert!(matches!(
        service.query("no-such-task", &LogFilter::default()).await,
        Err(CoreError::TaskNotFound(id)) if id == "no-such-task"
    ));
    assert!(matches!(
        service.stats("no-such-task").await,
        Err(CoreError::TaskNotFound(_))
    ));
    let task = task_with_entries(&store, 1).await;
    let error = service
        .query(
            &task.id,
            &LogFilter {
                limit: Some(0),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, CoreError::InvalidFilter(ref invalid) if invalid.field == "limit"));
}

/// The filtered plans stream in `seq` order from indexes: no sort of the
/// matching rows, whatever their number.
#[tokio::test]
async fn filtered_pages_merge_index_ranges_without_sorting() {
    let (_dir, store) = temp_store().await;
    let task = task_with_entries(&store, 100).await;
    let connection = store.connection();
    let arm = format!(
        "SELECT id, seq FROM task_logs WHERE task_key = {} AND source = 'backup' AND level = 3 \
         AND seq > 0 AND seq < 1000",
        task.key
    );
    let plan = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            format!(
                "EXPLAIN QUERY PLAN {arm} UNION ALL {} ORDER BY seq LIMIT 10",
                arm.replace("level = 3", "level = 2")
            ),
        ))
        .await
        .unwrap();
    let details: Vec<String> = plan
        .iter()
        .map(|row| row.try_get::<String>("", "detail").unwrap())
        .collect();
    assert!(
        details.iter().any(|line| line.contains("MERGE")),
        "{details:?}"
    );
    assert!(
        details.iter().all(|line| !line.contains("TEMP B-TREE")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|line| line.contains("idx_task_logs_source_level")),
        "{details:?}"
    );
}

mod hostile_filters {
    //! Property tests: any filter a caller can send is answered with a page
    //! or a typed error naming the field, never a panic or a storage error.

    use proptest::prelude::*;
    use taskdeck_protocol::Folding;

    use super::*;

    /// Search text made of what full-text syntax gives meaning to, words
    /// that match, and any other character.
    fn search_text() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("\"".to_owned()),
            Just("*".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just(":".to_owned()),
            Just("^".to_owned()),
            Just("-".to_owned()),
            Just("+".to_owned()),
            Just("AND".to_owned()),
            Just("OR".to_owned()),
            Just("NOT".to_owned()),
            Just("NEAR".to_owned()),
            Just("copied".to_owned()),
            Just("mismatch".to_owned()),
            Just(" ".to_owned()),
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(token, 0..12).prop_map(|tokens| tokens.concat())
    }

    fn filter() -> impl Strategy<Value = LogFilter> {
        (
            prop::collection::vec(prop::sample::select(LogLevel::ALL.to_vec()), 0..3),
            prop::option::of(prop::sample::select(LogLevel::ALL.to_vec())),
            prop::collection::vec(".{0,12}", 0..3),
            prop::option::of(search_text()),
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u32>()),
            any::<bool>(),
            prop::sample::select(vec![
                SearchMode::Text,
                SearchMode::Operators,
                SearchMode::Regex,
            ]),
            any::<bool>(),
            (0_u32..60, 0_u32..60),
            (
                prop::option::of(any::<i64>()),
                prop::option::of(1_699_999_999_000_i64..1_700_000_001_000),
                prop::option::of(0_u32..4),
                prop::option::of(prop_oneof![
                    prop::collection::vec(0_u32..5, 0..4).prop_map(Folding::These),
                    prop::collection::vec(0_u32..5, 0..4).prop_map(Folding::AllBut),
                ]),
            ),
        )
            .prop_map(
                |(
                    levels,
                    min_level,
                    sources,
                    search,
                    after_seq,
                    before_seq,
                    limit,
                    newest,
                    search_mode,
                    case_sensitive,
                    (context_before, context_after),
                    (since, until, section, folding),
                )| {
                    LogFilter {
                        levels,
                        min_level,
                        sources,
                        search,
                        search_mode,
                        case_sensitive,
                        after_seq,
                        before_seq,
                        limit,
                        order: if newest {
                            Order::Descending
                        } else {
                            Order::Ascending
                        },
                        context_before,
                        context_after,
                        since: since.map(super::super::record::millis_to_time),
                        until: until.map(super::super::record::millis_to_time),
                        section,
                        folding,
                    }
                },
            )
    }

    #[test]
    fn any_filter_gets_a_page_or_an_invalid_filter() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (_dir, store, task) = runtime.block_on(async {
            let (dir, store) = temp_store().await;
            let task = task_with_entries(&store, 40).await;
            (dir, store, task)
        });
        let service = LogStore::new(&store);
        let config = ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(config, |(filter in filter())| {
            let answers = runtime.block_on(async {
                (
                    service.query(&task.id, &filter).await,
                    service.count(&task.id, &filter).await,
                )
            });
            match answers {
                (Ok(page), Ok(_)) => {
                    let limit = filter.limit.unwrap_or(u32::MAX) as usize;
                    prop_assert!(page.entries.len() <= limit);
                }
                (Err(CoreError::InvalidFilter(query)), Err(CoreError::InvalidFilter(count))) => {
                    prop_assert_eq!(query.field, count.field);
                    prop_assert!(!query.reason.is_empty());
                }
                other => prop_assert!(false, "{:?}: {:?}", filter, other),
            }
        });
    }
}

mod substring_property {
    //! Property test: a text search returns exactly the entries whose
    //! message contains the text, case-folded, whether the entries are in
    //! the index, in its unindexed tail, or split between the two.

    use proptest::prelude::*;

    use super::*;

    fn text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['a', 'A', 'b', 'B', '.', '-', '\'', ' ', 'é', 'É']),
            1..max,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    #[test]
    fn text_search_is_a_case_folded_contains() {
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
            messages in prop::collection::vec(text(14), 1..40),
            needle in text(5),
            indexed in 0_u64..50,
            newest_first in any::<bool>(),
        )| {
            prop_assume!(!needle.trim().is_empty(), "a blank search is refused");
            let (found, counted) = runtime.block_on(async {
                let row = TaskRepository::new(&store)
                    .create("shell", &Map::new(), "runner")
                    .await
                    .unwrap();
                let task = Arc::new(row.identity());
                let records: Vec<LogRecord> = messages
                    .iter()
                    .enumerate()
                    .map(|(index, message)| LogRecord {
                        task: Arc::clone(&task),
                        seq: index as u64 + 1,
                        timestamp_ms: 1_700_000_000_000,
                        level: LogLevel::Info,
                        source: Arc::from("shell"),
                        message: message.clone(),
                        metadata: None,
                        styles: Vec::new(),
                        section: Default::default(),
                    })
                    .collect();
                service.insert_batch(&records).await.unwrap();
                if indexed > 0 {
                    service.index_search_chunk(indexed).await.unwrap();
                }
                let filter = LogFilter {
                    search: Some(needle.clone()),
                    limit: Some(7),
                    order: if newest_first { Order::Descending } else { Order::Ascending },
                    ..LogFilter::default()
                };
                // Page through, as the panel does.
                let mut found = Vec::new();
                let mut page_filter = filter.clone();
                loop {
                    let page = service.query(&task.id, &page_filter).await.unwrap();
                    found.extend(seqs(&page));
                    let Some(cursor) = page.next_cursor else { break };
                    if newest_first {
                        page_filter.before_seq = Some(cursor);
                    } else {
                        page_filter.after_seq = Some(cursor);
                    }
                }
                let counted = service.count(&task.id, &filter).await.unwrap().matching;
                (found, counted)
            });
            let folded = needle.to_lowercase();
            let mut expected: Vec<u64> = messages
                .iter()
                .enumerate()
                .filter(|(_, message)| message.to_lowercase().contains(&folded))
                .map(|(index, _)| index as u64 + 1)
                .collect();
            if newest_first {
                expected.reverse();
            }
            prop_assert_eq!(counted as usize, expected.len());
            prop_assert_eq!(found, expected);
        });
    }
}

mod context_property {
    //! Property test: a page with context holds exactly each match and the
    //! entries within `context_before`/`context_after` of it, the others
    //! marked as context, however it is paged and in either order.

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn context_pages_hold_every_match_and_its_neighbours() {
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
        proptest!(config, |(
            hits in prop::collection::vec(prop::bool::weighted(0.15), 1..60),
            before in 0_u32..5,
            after in 0_u32..5,
            limit in 1_u32..9,
            newest_first in any::<bool>(),
            start in 0_u64..70,
        )| {
            let (found, task_len) = runtime.block_on(async {
                let row = TaskRepository::new(&store)
                    .create("shell", &Map::new(), "runner")
                    .await
                    .unwrap();
                let task = Arc::new(row.identity());
                let records: Vec<LogRecord> = hits
                    .iter()
                    .enumerate()
                    .map(|(index, hit)| LogRecord {
                        task: Arc::clone(&task),
                        seq: index as u64 + 1,
                        timestamp_ms: 1_700_000_000_000,
                        level: LogLevel::Info,
                        source: Arc::from("shell"),
                        message: if *hit { format!("needle {index}") } else { format!("hay {index}") },
                        metadata: None,
                        styles: Vec::new(),
                        section: Default::default(),
                    })
                    .collect();
                service.insert_batch(&records).await.unwrap();
                let mut filter = LogFilter {
                    search: Some("needle".to_owned()),
                    limit: Some(limit),
                    context_before: before,
                    context_after: after,
                    order: if newest_first { Order::Descending } else { Order::Ascending },
                    ..LogFilter::default()
                };
                // From a cursor anywhere, as the panel pages from a line.
                if newest_first {
                    filter.before_seq = Some(start + 1);
                } else {
                    filter.after_seq = Some(start);
                }
                let mut found = Vec::new();
                loop {
                    let page = service.query(&task.id, &filter).await.unwrap();
                    prop_assert!(page.entries.len() <= limit as usize);
                    found.extend(page.entries.iter().map(|entry| (entry.seq, entry.context)));
                    let Some(cursor) = page.next_cursor else { break };
                    if newest_first {
                        filter.before_seq = Some(cursor);
                    } else {
                        filter.after_seq = Some(cursor);
                    }
                }
                Ok((found, hits.len() as u64))
            })?;
            let matched = |seq: u64| hits[seq as usize - 1];
            let mut expected: Vec<(u64, bool)> = (1..=task_len)
                .filter(|&seq| if newest_first { seq <= start } else { seq > start })
                .filter(|&seq| {
                    (seq.saturating_sub(u64::from(after))..=seq + u64::from(before))
                        .any(|other| other >= 1 && other <= task_len && matched(other))
                })
                .map(|seq| (seq, !matched(seq)))
                .collect();
            if newest_first {
                expected.reverse();
            }
            prop_assert_eq!(found, expected);
        });
    }
}

#[tokio::test]
async fn a_regex_finds_exactly_what_it_matches_through_the_index_and_the_tail() {
    let (_dir, store) = temp_store().await;
    let service = LogStore::new(&store);
    let row = TaskRepository::new(&store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let messages = [
        "found a kraken",
        "KRAAAKEN rising",
        "krak en",
        "networking ok",
        "DISKWORK",
        "failed: ERR-1234",
        "err-x",
        "copied 512 bytes",
        "bytes 9",
        "diskwork again",
        "Kraken twice: kraaken",
        "ERR-7",
        "nothing here",
        "disk work",
    ];
    let records: Vec<LogRecord> = messages
        .iter()
        .enumerate()
        .map(|(index, message)| LogRecord {
            task: Arc::clone(&task),
            seq: index as u64 + 1,
            timestamp_ms: 1_700_000_000_000,
            level: LogLevel::Info,
            source: Arc::from("shell"),
            message: (*message).to_owned(),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    service.insert_batch(&records).await.unwrap();
    // Half indexed: candidates come from the index, the rest is scanned.
    service.index_search_chunk(7).await.unwrap();
    for pattern in [
        "kra+ken",
        "(disk|net)work",
        "ERR-\\d+",
        "\\d+ bytes",
        "^k",
        "work$",
    ] {
        for case_sensitive in [false, true] {
            let filter = LogFilter {
                search: Some(pattern.to_owned()),
                search_mode: SearchMode::Regex,
                case_sensitive,
                ..LogFilter::default()
            };
            let found = seqs(&service.query(&task.id, &filter).await.unwrap());
            let regex = regex::RegexBuilder::new(pattern)
                .case_insensitive(!case_sensitive)
                .build()
                .unwrap();
            let expected: Vec<u64> = messages
                .iter()
                .enumerate()
                .filter(|(_, message)| regex.is_match(message))
                .map(|(index, _)| index as u64 + 1)
                .collect();
            assert_eq!(
                found, expected,
                "{pattern} (case sensitive: {case_sensitive})"
            );
            let counted = service.count(&task.id, &filter).await.unwrap();
            assert_eq!(counted.matching as usize, expected.len(), "{pattern}");
        }
    }
}

#[tokio::test]
async fn rows_stored_with_raw_escapes_read_and_search_as_the_text_they_show() {
    let (_dir, store) = temp_store().await;
    let service = LogStore::new(&store);
    let row = TaskRepository::new(&store)
        .create("shell", &Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    // As a database written before escapes were parsed at emit holds them.
    let raw = ["\x1b[31mRED\x1b[0m text", "plain", "50%\r100% done"];
    let records: Vec<LogRecord> = raw
        .iter()
        .enumerate()
        .map(|(index, message)| LogRecord {
            task: Arc::clone(&task),
            seq: index as u64 + 1,
            timestamp_ms: 1_700_000_000_000,
            level: LogLevel::Info,
            source: Arc::from("shell"),
            message: (*message).to_owned(),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    service.insert_batch(&records).await.unwrap();
    let search = |text: &str| LogFilter {
        search: Some(text.to_owned()),
        ..LogFilter::default()
    };
    for indexed in [false, true] {
        if indexed {
            service.index_search_chunk(100).await.unwrap();
        }
        for (text, expected) in [
            ("red text", vec![1]),
            ("100% done", vec![3]),
            ("50%", vec![]),
        ] {
            let found = seqs(&service.query(&task.id, &search(text)).await.unwrap());
            assert_eq!(found, expected, "{text:?} (indexed: {indexed})");
        }
    }
    let all = service
        .query(&task.id, &LogFilter::default())
        .await
        .unwrap();
    assert_eq!(all.entries[0].message, "RED text");
    assert_eq!(all.entries[0].styles.len(), 1);
    assert_eq!(all.entries[0].styles[0].range(), 0..3);
    assert_eq!(all.entries[2].message, "100% done");
    assert!(all.entries[1].styles.is_empty());
}

#[tokio::test]
async fn context_at_the_edges_of_the_seq_range_is_an_empty_page() {
    let (_dir, store) = temp_store().await;
    let service = LogStore::new(&store);
    let task = task_with_entries(&store, 20).await;
    for (after_seq, before_seq) in [(None, Some(0)), (None, Some(1)), (Some(u64::MAX), None)] {
        let filter = LogFilter {
            search: Some("copied".into()),
            context_before: 2,
            context_after: 2,
            after_seq,
            before_seq,
            ..LogFilter::default()
        };
        let page = service.query(&task.id, &filter).await.unwrap();
        assert!(page.entries.is_empty(), "{after_seq:?} {before_seq:?}");
        assert_eq!(page.next_cursor, None);
    }
}

#[tokio::test]
async fn a_search_holding_a_nul_is_answered_not_a_storage_error() {
    let (_dir, store) = temp_store().await;
    let service = LogStore::new(&store);
    let task = task_with_entries(&store, 20).await;
    service.index_search_chunk(100).await.unwrap();
    for text in ["Z\0i", "copied\0file", "\0\0\0"] {
        let filter = LogFilter {
            search: Some(text.to_owned()),
            ..LogFilter::default()
        };
        let page = service.query(&task.id, &filter).await.unwrap();
        assert!(page.entries.is_empty(), "{text:?}");
        let count = service.count(&task.id, &filter).await.unwrap();
        assert_eq!(count.matching, 0, "{text:?}");
    }
}
