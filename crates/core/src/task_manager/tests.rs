//! TaskLogger, TaskContext and TaskManager tests (T027) on real SQLite
//! files.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::ConnectionTrait as _;
use serde_json::json;
use taskdeck_protocol::{LogEntry, LogLevel, TaskListFilter, TaskStatus};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::task_log::entry_text::{MAX_MESSAGE_BYTES, cap_message, sanitise_source};
use crate::test_support::{
    all_entries, cancel_and_wait, gated, manager_with, request, scripted, temp_store, until_entry,
    wait_until,
};
use crate::{CoreError, TaskManager};

const FAST: Duration = Duration::from_millis(20);
/// So long that only explicit flushes write.
const NEVER: Duration = Duration::from_secs(3600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_emitters_get_gap_free_unique_seqs() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("burst", |ctx| async move {
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let logger = ctx.logger().child(&format!("worker{thread}"));
                std::thread::spawn(move || {
                    for index in 0..1000 {
                        logger.info(format!("line {index}"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread
                .join()
                .map_err(|_| CoreError::PluginFailed("thread".into()))?;
        }
        Ok(json!(null))
    });
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let task = manager.run_task(request("burst", json!({}))).await.unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    assert_eq!(finished.status, TaskStatus::Succeeded);

    let entries = all_entries(&manager, &task.id).await;
    let seqs: Vec<u64> = entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, (1..=entries.len() as u64).collect::<Vec<_>>());
    // 4,000 lines plus the system start and end lines.
    assert_eq!(entries.len(), 4002);
    // Per worker, the lines are in emit order.
    for worker in 0..4 {
        let source = format!("burst.worker{worker}");
        let lines: Vec<&str> = entries
            .iter()
            .filter(|entry| entry.source == source)
            .map(|entry| entry.message.as_str())
            .collect();
        assert_eq!(lines.len(), 1000);
        assert_eq!(lines[999], "line 999");
        assert_eq!(lines[0], "line 0");
    }
    assert_eq!(finished.counts.info, 4002);
}

#[tokio::test]
async fn loggers_carry_child_sources_metadata_and_capped_messages() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("backup", |ctx| async move {
        let archive = ctx.logger().child("archive");
        archive.debug("packing");
        archive
            .with_metadata(json!({ "files": 3 }))
            .warning("changed while reading");
        ctx.logger().with_metadata(json!("plain")).error("scalar");
        ctx.logger().info("x".repeat(MAX_MESSAGE_BYTES + 10));
        assert_eq!(ctx.task_id(), ctx.logger().task_id());
        Ok(json!({ "files": 3 }))
    });
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let task = manager
        .run_task(request("backup", json!({})))
        .await
        .unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    assert_eq!(finished.result, Some(json!({ "files": 3 })));

    let entries = all_entries(&manager, &task.id).await;
    let by_seq = |seq: u64| entries.iter().find(|entry| entry.seq == seq).unwrap();
    assert_eq!(by_seq(1).source, "system");
    assert_eq!(
        (by_seq(2).source.as_str(), by_seq(2).level),
        ("backup.archive", LogLevel::Debug)
    );
    assert_eq!(
        by_seq(3).metadata,
        json!({ "files": 3 }).as_object().cloned()
    );
    assert_eq!(
        by_seq(4).metadata,
        json!({ "value": "plain" }).as_object().cloned()
    );
    assert!(by_seq(5).message.ends_with("bytes in all]"), "not capped");
    assert!(by_seq(5).message.len() < MAX_MESSAGE_BYTES + 100);
}

fn capped(text: String) -> String {
    let mut styled = crate::ansi::Styled::plain(text);
    cap_message(&mut styled);
    styled.text
}

#[test]
fn messages_are_capped_at_a_character_boundary_and_sources_sanitised() {
    // "a" then two-byte characters: the limit falls inside a character.
    let long = format!("a{}", "é".repeat(MAX_MESSAGE_BYTES));
    let capped = capped(long.clone());
    assert!(capped.starts_with(&long[..MAX_MESSAGE_BYTES - 1]));
    assert!(capped[MAX_MESSAGE_BYTES - 1..].starts_with(" … [truncated"));
    assert!(capped.contains(&format!("{} bytes in all", long.len())));
    assert_eq!(self::capped("short".into()), "short");
    assert_eq!(sanitise_source("git..stderr."), "git.stderr");
    assert_eq!(sanitise_source("my plugin.out"), "my_plugin.out");
    assert_eq!(sanitise_source(""), "system");
}

#[tokio::test]
async fn unknown_plugins_and_invalid_params_are_refused_before_anything_is_stored() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], FAST).await;
    let unknown = manager
        .run_task(request("nope", json!({})))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, CoreError::PluginNotFound { ref available, .. } if available.contains("shell"))
    );
    let invalid = manager
        .run_task(request("shell", json!({ "program": 42 })))
        .await
        .unwrap_err();
    assert!(
        matches!(invalid, CoreError::InvalidParams(ref param) if param.field == "program"),
        "{invalid}"
    );
    assert!(
        manager
            .list_tasks(&TaskListFilter::default())
            .await
            .unwrap()
            .tasks
            .is_empty()
    );
}

#[tokio::test]
async fn a_failing_plugin_ends_failed_with_the_error_logged_by_system() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("broken", |ctx| async move {
        ctx.logger().info("about to fail");
        Err(CoreError::PluginFailed("disk on fire".into()))
    });
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let task = manager
        .run_task(request("broken", json!({})))
        .await
        .unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    assert_eq!(finished.status, TaskStatus::Failed);
    assert_eq!(finished.error.as_deref(), Some("disk on fire"));
    let entries = all_entries(&manager, &task.id).await;
    assert!(entries.iter().any(|entry| entry.source == "system"
        && entry.level == LogLevel::Error
        && entry.message.contains("disk on fire")));
    assert_eq!(finished.counts.error, 1);
}

#[tokio::test]
async fn a_panicking_plugin_fails_its_task_and_the_manager_keeps_running() {
    let (_dir, store) = temp_store().await;
    let panicking = scripted("panics", |_ctx| async move {
        if true {
            panic!("index out of bounds");
        }
        Ok(json!(null))
    });
    let fine = scripted("fine", |_ctx| async move { Ok(json!("ok")) });
    let manager = manager_with(&store, vec![panicking, fine], FAST).await;
    let task = manager
        .run_task(request("panics", json!({})))
        .await
        .unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    assert_eq!(finished.status, TaskStatus::Failed);
    assert!(
        finished
            .error
            .as_deref()
            .unwrap()
            .contains("panicked: index out of bounds")
    );
    let entries = all_entries(&manager, &task.id).await;
    assert!(entries.iter().any(|entry| entry.source == "system"
        && entry.level == LogLevel::Error
        && entry.message.contains("index out of bounds")));

    let next = manager.run_task(request("fine", json!({}))).await.unwrap();
    assert_eq!(
        manager.wait(&next.id).await.unwrap().status,
        TaskStatus::Succeeded
    );
}

#[tokio::test]
async fn cancelling_stops_a_cooperative_plugin_and_aborts_a_stubborn_one() {
    let (_dir, store) = temp_store().await;
    let cooperative = scripted("polite", |ctx| async move {
        ctx.report_progress(Some(0.5), "half way");
        ctx.cancellation().cancelled().await;
        ctx.logger().info("stopping");
        Err(CoreError::Cancelled)
    });
    let stubborn = scripted("stubborn", |_ctx| async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(json!(null))
    });
    let manager = manager_with(&store, vec![cooperative, stubborn], FAST).await;
    for plugin in ["polite", "stubborn"] {
        let task = manager.run_task(request(plugin, json!({}))).await.unwrap();
        wait_until(
            "the task to run (and `polite` to report progress)",
            || async {
                let current = manager.get_task(&task.id).await.unwrap();
                (current.status == TaskStatus::Running
                    && (plugin != "polite" || current.progress.is_some()))
                .then_some(())
            },
        )
        .await;
        if plugin == "polite" {
            let progress = manager.get_task(&task.id).await.unwrap().progress.unwrap();
            assert_eq!(
                (progress.fraction, progress.message.as_str()),
                (Some(0.5), "half way")
            );
        }
        let finished = cancel_and_wait(&manager, &task.id).await;
        assert_eq!(finished.status, TaskStatus::Cancelled, "{plugin}");
        assert!(finished.progress.is_none());
        let error = manager.cancel_task(&task.id).await.unwrap_err();
        assert!(error.to_string().contains("already ended"), "{error}");
    }
    assert!(matches!(
        manager.cancel_task("missing").await,
        Err(CoreError::TaskNotFound(_))
    ));
}

#[tokio::test]
async fn queries_on_a_running_task_include_entries_still_in_the_buffer() {
    let (_dir, store) = temp_store().await;
    let release = CancellationToken::new();
    let gate = release.clone();
    let plugin = scripted("slow", move |ctx| {
        let gate = gate.clone();
        async move {
            ctx.logger().warning("first");
            ctx.logger().child("io").error("second");
            gate.cancelled().await;
            Ok(json!(null))
        }
    });
    let manager = manager_with(&store, vec![plugin], NEVER).await;
    let task = manager.run_task(request("slow", json!({}))).await.unwrap();
    let entries = wait_until("the start line and the two entries", || async {
        let entries = all_entries(&manager, &task.id).await;
        (entries.len() == 3).then_some(entries)
    })
    .await;
    let messages: Vec<&str> = entries.iter().map(|entry| entry.message.as_str()).collect();
    assert_eq!(&messages[1..], ["first", "second"]);
    let stats = manager.log_stats(&task.id).await.unwrap();
    assert_eq!((stats.counts.warning, stats.counts.error), (1, 1));
    assert_eq!(
        manager.log_sources(&task.id).await.unwrap(),
        vec!["slow", "slow.io", "system"]
    );
    release.cancel();
    manager.wait(&task.id).await.unwrap();
}

#[tokio::test]
async fn a_task_is_finished_only_once_its_last_entry_is_durable_and_shutdown_flushes() {
    let (dir, store) = temp_store().await;
    let plugin = scripted("chatty", |ctx| async move {
        for index in 0..2000 {
            ctx.logger().debug(format!("entry {index}"));
        }
        Ok(json!(null))
    });
    let manager = manager_with(&store, vec![plugin], NEVER).await;
    let task = manager
        .run_task(request("chatty", json!({})))
        .await
        .unwrap();
    manager.wait(&task.id).await.unwrap();
    manager.shutdown().await.unwrap();
    assert!(matches!(
        manager.run_task(request("chatty", json!({}))).await,
        Err(CoreError::ShuttingDown)
    ));

    // A separate store on the same file sees everything.
    let reopened = crate::Store::open(crate::DataDir::resolve(Some(dir.path())).unwrap())
        .await
        .unwrap();
    let stats = crate::LogStore::new(&reopened)
        .stats(&task.id)
        .await
        .unwrap();
    assert_eq!(stats.counts.debug, 2000);
    assert_eq!(stats.total, 2002);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracing_events_inside_a_task_land_in_that_task_only() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("legacy", |ctx| async move {
        let name = ctx.task_id().to_owned();
        for index in 0..50 {
            tracing::info!(target: "legacy::sync", index, "synced item of {name}");
            tokio::task::yield_now().await;
        }
        tracing::warn!("no target given");
        let nested = tokio::spawn(
            async move { tracing::error!(target: "hyper::client", "connection reset") }
                .in_current_span(),
        );
        let _ = nested.await;
        tracing::trace!(target: "legacy::sync", "very fine detail");
        Ok(json!(null))
    });
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let first = manager
        .run_task(request("legacy", json!({})))
        .await
        .unwrap();
    let second = manager
        .run_task(request("legacy", json!({})))
        .await
        .unwrap();
    tracing::info!(target: "legacy::sync", "outside any task");
    for task in [&first, &second] {
        manager.wait(&task.id).await.unwrap();
    }
    for task in [&first, &second] {
        let entries = all_entries(&manager, &task.id).await;
        let synced: Vec<&LogEntry> = entries
            .iter()
            .filter(|entry| entry.source == "legacy::sync" && entry.level == LogLevel::Info)
            .collect();
        assert_eq!(synced.len(), 50, "{}", task.id);
        assert!(synced.iter().all(|entry| entry.message.ends_with(&task.id)));
        assert_eq!(
            synced[7].metadata,
            json!({ "index": 7 }).as_object().cloned()
        );
        assert!(
            entries
                .iter()
                .any(|entry| entry.source == "hyper::client" && entry.level == LogLevel::Error)
        );
        assert!(
            entries.iter().any(|entry| entry.level == LogLevel::Warning
                && entry.source.starts_with("taskdeck_core"))
        );
        assert!(
            entries
                .iter()
                .any(|entry| entry.message == "very fine detail" && entry.level == LogLevel::Debug)
        );
        assert!(
            !entries
                .iter()
                .any(|entry| entry.message == "outside any task")
        );
    }
}

#[tokio::test]
async fn tasks_of_dead_processes_are_interrupted_and_live_ones_are_left_alone() {
    let (dir, store) = temp_store().await;
    let (waits, release) = gated("waits");
    // A live runner: this manager keeps running its task.
    let live = manager_with(&store, vec![waits], FAST).await;
    let live_task = live.run_task(request("waits", json!({}))).await.unwrap();
    // Running before the next process looks (a loaded machine may not
    // have started it yet).
    wait_until("the live task running", async || {
        let task = live.get_task(&live_task.id).await.ok()?;
        (task.status == TaskStatus::Running).then_some(())
    })
    .await;

    // A dead runner: a task row left `running` by a process that is gone,
    // with three durable entries.
    let repository = crate::TaskRepository::new(&store);
    let dead_row = repository
        .create(
            "shell",
            &serde_json::Map::new(),
            "0193a1b2-dead-7000-8000-000000000000",
        )
        .await
        .unwrap();
    repository.mark_running(dead_row.key).await.unwrap();
    let identity = Arc::new(dead_row.identity());
    let records: Vec<_> = (1..=3)
        .map(|seq| crate::store::logs::record::LogRecord {
            task: Arc::clone(&identity),
            seq,
            timestamp_ms: 1,
            level: LogLevel::Info,
            source: Arc::from("shell"),
            message: format!("line {seq}"),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    crate::LogStore::new(&store)
        .insert_batch(&records)
        .await
        .unwrap();

    // The next process opens the store.
    let reopened = crate::Store::open(crate::DataDir::resolve(Some(dir.path())).unwrap())
        .await
        .unwrap();
    let next = manager_with(&reopened, vec![], FAST).await;

    let dead = next.get_task(&dead_row.id).await.unwrap();
    assert_eq!(dead.status, TaskStatus::Interrupted);
    assert!(dead.finished_at.is_some());
    let entries = all_entries(&next, &dead_row.id).await;
    let last = entries.last().unwrap();
    assert_eq!(
        (last.seq, last.source.as_str(), last.level),
        (4, "system", LogLevel::Error)
    );
    assert!(last.message.starts_with("Interrupted"), "{}", last.message);

    assert_eq!(
        next.get_task(&live_task.id).await.unwrap().status,
        TaskStatus::Running
    );
    release.cancel();
    assert_eq!(
        live.wait(&live_task.id).await.unwrap().status,
        TaskStatus::Succeeded
    );
}

#[tokio::test]
async fn delete_refuses_running_tasks_and_removes_finished_ones() {
    let (_dir, store) = temp_store().await;
    let (waits, release) = gated("waits");
    let manager = manager_with(&store, vec![waits], FAST).await;
    let running = manager.run_task(request("waits", json!({}))).await.unwrap();
    let error = manager
        .delete_tasks(std::slice::from_ref(&running.id))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("cancel it"), "{error}");
    release.cancel();
    manager.wait(&running.id).await.unwrap();
    let report = manager
        .delete_tasks(std::slice::from_ref(&running.id))
        .await
        .unwrap();
    assert_eq!(report.tasks.len(), 1);
    // "working" and the system start and end lines.
    assert_eq!(report.entries, 3);
    assert!(matches!(
        manager.get_task(&running.id).await,
        Err(CoreError::TaskNotFound(_))
    ));
}

#[tokio::test]
async fn live_subscribers_get_every_entry_in_seq_order_as_it_is_emitted() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("ticker", |ctx| async move {
        for index in 0..300 {
            ctx.logger().child("tick").info(format!("tick {index}"));
        }
        Ok(json!(null))
    });
    // Entries reach subscribers at emit time, long before this interval.
    let manager = manager_with(&store, vec![plugin], NEVER).await;
    let mut live = manager.subscribe_logs();
    let task = manager
        .run_task(request("ticker", json!({})))
        .await
        .unwrap();
    let mut received = Vec::new();
    while received.len() < 302 {
        let entry = tokio::time::timeout(Duration::from_secs(10), live.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(entry.task_id, task.id);
        received.push(entry);
    }
    let seqs: Vec<u64> = received.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, (1..=302).collect::<Vec<_>>());
    assert_eq!(received[150].message, "tick 149");
    assert_eq!(
        received[150].id,
        (task_key(&manager, &task.id).await << 32) | 151
    );
    manager.wait(&task.id).await.unwrap();
    // What was pushed live is exactly what was stored.
    let stored = all_entries(&manager, &task.id).await;
    let live_entries: Vec<LogEntry> = received.iter().map(|entry| (**entry).clone()).collect();
    assert_eq!(stored, live_entries);
}

async fn task_key(manager: &TaskManager, task_id: &str) -> i64 {
    crate::TaskRepository::new(manager.store())
        .identity(task_id)
        .await
        .unwrap()
        .key
}

#[tokio::test]
async fn entries_survive_a_store_outage_in_memory_and_land_once_it_recovers() {
    let (_dir, store) = temp_store().await;
    let (plugin, release) = gated("steady");
    let manager = manager_with(&store, vec![plugin], NEVER).await;
    let task = manager
        .run_task(request("steady", json!({})))
        .await
        .unwrap();
    manager.flush().await.unwrap();

    // The log table disappears: every write fails.
    let connection = store.connection();
    let backend = connection.get_database_backend();
    let rename = |from: &str, to: &str| {
        sea_orm::Statement::from_string(backend, format!("ALTER TABLE {from} RENAME TO {to}"))
    };
    connection
        .execute_raw(rename("task_logs", "task_logs_away"))
        .await
        .unwrap();
    let mut live = manager.subscribe_logs();
    release.cancel();
    // The task ends: its end line is emitted (it cannot be written yet) …
    until_entry(&mut live, &task.id, |entry| {
        entry.message.starts_with("succeeded")
    })
    .await;
    let failed = manager.flush().await.unwrap_err();
    assert!(matches!(failed, CoreError::Storage(_)), "{failed}");
    assert_eq!(
        manager.get_task(&task.id).await.unwrap().status,
        TaskStatus::Running,
        "reported finished before its entries were durable"
    );

    // … and once the store is back, everything lands, gap-free.
    connection
        .execute_raw(rename("task_logs_away", "task_logs"))
        .await
        .unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    assert_eq!(finished.status, TaskStatus::Succeeded);
    let entries = all_entries(&manager, &task.id).await;
    let seqs: Vec<u64> = entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(entries[2].message.split(' ').next(), Some("succeeded"));
}

#[tokio::test]
async fn running_tasks_push_their_counts_to_task_subscribers_as_entries_land() {
    let (_dir, store) = temp_store().await;
    let (plugin, release) = gated("gated");
    let manager = manager_with(&store, vec![plugin], Duration::from_millis(20)).await;
    let mut updates = manager.subscribe_tasks();
    let task = manager.run_task(request("gated", json!({}))).await.unwrap();
    // Without any status change, a summary arrives counting the system
    // start line and the plugin's "working".
    let counted = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let summary = updates.recv().await.unwrap();
            if summary.id == task.id
                && summary.status == TaskStatus::Running
                && summary.counts.info == 2
            {
                return summary;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(counted.counts.total(), 2);
    release.cancel();
    manager.wait(&task.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_backlog_of_an_upgraded_log_is_reported_until_it_is_indexed() {
    use crate::store::logs::record::LogRecord;
    let (_dir, store) = temp_store().await;
    // 60,000 entries stored and not indexed, as an upgraded database holds
    // them (enough for the app's banner, which starts at 50,000).
    let row = crate::TaskRepository::new(&store)
        .create("shell", &serde_json::Map::new(), "runner")
        .await
        .unwrap();
    let task = Arc::new(row.identity());
    let records: Vec<LogRecord> = (1..=60_000)
        .map(|seq| LogRecord {
            task: Arc::clone(&task),
            seq,
            timestamp_ms: 1_700_000_000_000,
            level: LogLevel::Info,
            source: Arc::from("shell"),
            message: format!("old line {seq}"),
            metadata: None,
            styles: Vec::new(),
            section: Default::default(),
        })
        .collect();
    crate::LogStore::new(&store)
        .insert_batch(&records)
        .await
        .unwrap();
    let manager = manager_with(&store, vec![], FAST).await;
    let mut backlog = manager.index_backlog();
    let reported = tokio::time::timeout(Duration::from_secs(30), async {
        *backlog.wait_for(|waiting| *waiting > 0).await.unwrap()
    })
    .await
    .expect("the backlog is reported");
    // The task's runner is gone: it is marked interrupted with one more
    // entry, which waits too.
    assert!(reported > 0 && reported <= 60_001, "{reported}");
    assert!(manager.storage_status().entries_to_index <= reported);
    tokio::time::timeout(
        Duration::from_secs(120),
        backlog.wait_for(|waiting| *waiting == 0),
    )
    .await
    .expect("the backlog is indexed")
    .unwrap();
    assert_eq!(manager.entries_waiting_for_index().await.unwrap(), 0);
    assert_eq!(manager.storage_status().entries_to_index, 0);
}
