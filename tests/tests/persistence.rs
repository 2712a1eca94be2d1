//! Durability across real processes: what one process wrote is in the store for
//! the next, after a graceful end and after `SIGKILL`.
//!
//! The writer is `log-writer` (a real Taskdeck process running the `pulse`
//! plugin), which prints every entry as it emits it; this test process
//! opens the same store afterwards, as the next process would.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{LogEntry, LogFilter, LogLevel, TaskListFilter, TaskStatus};

/// `log-writer` emitting `count` entries, `per_ms` per millisecond.
fn writer(dir: &Path, count: &str, per_ms: u32) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_log-writer"));
    command
        .arg(dir)
        .arg(count)
        .arg(per_ms.to_string())
        .env_remove("TASKDECK_FLUSH_INTERVAL_MS")
        .env_remove("TASKDECK_FLUSH_BATCH")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    command
}

/// Opens the store as the next process does: through a manager, which
/// marks the tasks of dead processes interrupted.
async fn next_process(dir: &Path) -> TaskManager {
    let store = Store::open(DataDir::resolve(Some(dir)).unwrap())
        .await
        .unwrap();
    TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
        .await
        .unwrap()
}

async fn stored(manager: &TaskManager, task_id: &str) -> Vec<LogEntry> {
    let mut entries = Vec::new();
    let mut filter = LogFilter {
        limit: Some(10_000),
        ..LogFilter::default()
    };
    loop {
        let page = manager.query_logs(task_id, &filter).await.unwrap();
        entries.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => filter.after_seq = Some(cursor),
            None => return entries,
        }
    }
}

#[tokio::test]
async fn every_entry_survives_a_graceful_restart_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut emitted: Vec<LogEntry> = Vec::new();
    for _ in 0..2 {
        let output = writer(dir.path(), "5000", 100).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        emitted.extend(
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(|line| serde_json::from_str::<LogEntry>(line).unwrap()),
        );
    }

    let manager = next_process(dir.path()).await;
    let tasks = manager
        .list_tasks(&TaskListFilter::default())
        .await
        .unwrap()
        .tasks;
    assert_eq!(tasks.len(), 2);
    let mut read_back = Vec::new();
    for task in tasks.iter().rev() {
        assert_eq!(task.status, TaskStatus::Succeeded);
        assert_eq!(task.result, Some(serde_json::json!({ "emitted": 5000 })));
        read_back.extend(stored(&manager, &task.id).await);
    }
    // 5,000 pulse entries plus the system start and end lines, per task.
    assert_eq!(read_back.len(), 2 * 5002);
    assert_eq!(
        read_back, emitted,
        "the store differs from what was emitted"
    );
    assert!(
        read_back
            .iter()
            .any(|entry| entry.source == "pulse.archive.zstd"
                && entry.metadata.is_some()
                && entry.message.contains("größe"))
    );
    manager.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_hard_kill_loses_at_most_a_flush_interval_and_the_task_becomes_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = writer(dir.path(), "forever", 5)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Let it log for a while: well past several flush intervals.
    let started = Instant::now();
    let mut emitted: Vec<LogEntry> = Vec::new();
    while started.elapsed() < Duration::from_millis(1500) {
        let line = lines.next().unwrap().unwrap();
        emitted.push(serde_json::from_str(&line).unwrap());
    }
    child.kill().unwrap(); // SIGKILL on Unix, TerminateProcess on Windows
    let killed_at = Instant::now();
    child.wait().unwrap();
    // Entries it printed before dying (the pipe may hold a few more).
    for line in lines {
        match line {
            Ok(line) => match serde_json::from_str(&line) {
                Ok(entry) => emitted.push(entry),
                Err(_) => break, // a line cut short by the kill
            },
            Err(_) => break,
        }
    }
    let task_id = emitted[0].task_id.clone();

    let integrity: String = rusqlite::Connection::open(dir.path().join("taskdeck.db"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "the killed process left a sound database");
    let manager = next_process(dir.path()).await;
    let task = manager.get_task(&task_id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Interrupted);
    let entries = stored(&manager, &task_id).await;
    let (notice, durable) = entries.split_last().unwrap();
    assert_eq!(
        (notice.source.as_str(), notice.level),
        ("system", LogLevel::Error)
    );
    assert!(
        notice.message.starts_with("Interrupted"),
        "{}",
        notice.message
    );
    assert_eq!(
        notice.seq,
        durable.len() as u64 + 1,
        "seqs are not gap-free"
    );

    // What is durable is exactly what was emitted, up to where it stops.
    assert_eq!(durable, &emitted[..durable.len()]);
    let missing = emitted.len() - durable.len();
    let last_durable_time = durable.last().unwrap().timestamp;
    let last_emitted_time = emitted.last().unwrap().timestamp;
    let missing_span = last_emitted_time - last_durable_time;
    println!(
        "hard kill: {} entries emitted (at least), {} durable, {missing} missing, spanning {} ms of emit time (flush interval 100 ms); recovered {:?} after the kill",
        emitted.len(),
        durable.len(),
        missing_span.num_milliseconds(),
        killed_at.elapsed()
    );
    // At most the last flush interval (100 ms) is lost. The bound
    // checked here is twenty times that, so that a loaded machine cannot
    // make it flaky; the figure printed above is the measurement.
    assert!(
        missing_span.num_milliseconds() <= 2000,
        "{missing} entries over {missing_span} were lost"
    );
    manager.shutdown().await.unwrap();
}
