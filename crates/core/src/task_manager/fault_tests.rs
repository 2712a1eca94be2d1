//! Faults injected for real into the path from an emit to the store: a
//! database another process holds locked, and a disk that fills up (a
//! small tmpfs; these tests run as root, as the README's test command
//! does).

// `all(test, linux)` hides the test cfg from clippy's test exemption.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::{LogEntry, TaskStatus};

use tokio_util::sync::CancellationToken;

use crate::test_support::{SmallFilesystem, all_entries, manager_with_config, request, scripted};
use crate::{FlushConfig, ManagerConfig};

fn config() -> ManagerConfig {
    ManagerConfig {
        flush: FlushConfig {
            interval: Duration::from_millis(20),
            max_batch: 512,
            max_held: 100_000,
        },
        cancel_grace: Duration::from_millis(300),
    }
}

fn assert_gap_free(entries: &[LogEntry]) {
    let seqs: Vec<u64> = entries.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, (1..=entries.len() as u64).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_another_process_holds_the_write_lock_writes_wait_and_reads_answer() {
    let (_dir, store) = crate::test_support::temp_store().await;
    let go = tokio_util::sync::CancellationToken::new();
    let halfway = tokio_util::sync::CancellationToken::new();
    let plugin = scripted("steady", {
        let (go, halfway) = (go.clone(), halfway.clone());
        move |ctx| {
            let (go, halfway) = (go.clone(), halfway.clone());
            async move {
                for index in 0..2_000 {
                    if index == 1_000 {
                        halfway.cancel();
                        go.cancelled().await;
                    }
                    ctx.logger().info(format!("entry {index}"));
                }
                Ok(Value::Null)
            }
        }
    });
    let manager = manager_with_config(&store, vec![plugin], config()).await;
    let task = manager
        .run_task(request("steady", json!({})))
        .await
        .unwrap();
    halfway.cancelled().await;
    manager.flush().await.unwrap();

    let (locked, wait_for_lock) = std::sync::mpsc::channel();
    let (unlock, hold) = std::sync::mpsc::channel::<()>();
    let path = store.data_dir().database_path();
    // Another process's connection holding a write transaction open.
    let holder = std::thread::spawn(move || {
        let connection = rusqlite::Connection::open(path).unwrap();
        connection
            .execute_batch("BEGIN IMMEDIATE; CREATE TABLE held (x)")
            .unwrap();
        locked.send(()).unwrap();
        hold.recv().unwrap();
        connection.execute_batch("ROLLBACK").unwrap();
    });
    wait_for_lock.recv().unwrap();
    go.cancel();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let page = tokio::time::timeout(Duration::from_secs(5), all_entries(&manager, &task.id))
        .await
        .expect("reads answer while the write lock is held");
    assert!(
        page.len() >= 1_000 && page.len() < 2_000,
        "what was written before the lock, not what waits: {}",
        page.len()
    );
    assert!(manager.entries_held() > 0, "the second half waits");
    unlock.send(()).unwrap();
    holder.join().unwrap();

    assert_eq!(
        manager.wait(&task.id).await.unwrap().status,
        TaskStatus::Succeeded
    );
    let entries = all_entries(&manager, &task.id).await;
    assert_gap_free(&entries);
    assert_eq!(
        entries
            .iter()
            .filter(|entry| entry.source == "steady")
            .count(),
        2_000,
        "nothing lost"
    );
    manager.shutdown().await.unwrap();
}

/// A data directory on a real 32 MiB filesystem, and a manager on it that
/// holds at most `max_held` entries in memory.
async fn on_a_small_disk(
    plugin: Option<Arc<dyn crate::Plugin>>,
    max_held: usize,
) -> (SmallFilesystem, crate::Store, crate::TaskManager) {
    let disk = SmallFilesystem::mount(32 * 1024);
    let store = crate::Store::open(crate::DataDir::resolve(Some(disk.path())).unwrap())
        .await
        .unwrap();
    let mut config = config();
    config.flush.max_held = max_held;
    let manager = manager_with_config(&store, plugin.into_iter().collect(), config).await;
    (disk, store, manager)
}

/// Fills `disk`, lets the task log (`go`), and waits until the manager
/// reports the storage error; returns the filler file.
async fn fill_and_go(
    disk: &SmallFilesystem,
    manager: &crate::TaskManager,
    go: impl FnOnce(),
) -> std::path::PathBuf {
    manager.flush().await.unwrap();
    let filler = disk.fill();
    go();
    let mut storage_error = manager.storage_error();
    tokio::time::timeout(
        Duration::from_secs(30),
        storage_error.wait_for(Option::is_some),
    )
    .await
    .expect("the storage error is published")
    .unwrap();
    let reported = storage_error.borrow().clone().unwrap();
    assert!(reported.contains("disk is full"), "{reported}");
    filler
}

/// Gives the space back and waits for the task to end well.
async fn free_and_finish(
    filler: std::path::PathBuf,
    manager: &crate::TaskManager,
    task_id: &str,
) -> taskdeck_protocol::TaskSummary {
    std::fs::remove_file(filler).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(60), manager.wait(task_id))
        .await
        .expect("the task ends once space returns")
        .unwrap();
    assert_eq!(done.status, TaskStatus::Succeeded);
    assert!(
        manager.storage_error().borrow().is_none(),
        "the error clears"
    );
    done
}

/// A plugin that logs 100 entries, waits for its token, then logs the
/// rest of `total` as fast as it can.
fn flood(total: usize) -> (Arc<dyn crate::Plugin>, CancellationToken, CancellationToken) {
    let (go, halfway) = (CancellationToken::new(), CancellationToken::new());
    let plugin = scripted("flood", {
        let (go, halfway) = (go.clone(), halfway.clone());
        move |ctx| {
            let (go, halfway) = (go.clone(), halfway.clone());
            async move {
                for index in 0..total {
                    if index == 100 {
                        halfway.cancel();
                        go.cancelled().await;
                    }
                    ctx.logger().info(format!(
                        "entry {index}: some text long enough to need pages of its own"
                    ));
                }
                Ok(Value::Null)
            }
        }
    });
    (plugin, go, halfway)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_entries_wait_in_memory_and_are_all_written_once_space_returns() {
    let (plugin, go, halfway) = flood(9_000);
    let (disk, _store, manager) = on_a_small_disk(Some(plugin), 100_000).await;
    let task = manager.run_task(request("flood", json!({}))).await.unwrap();
    halfway.cancelled().await;
    let filler = fill_and_go(&disk, &manager, || go.cancel()).await;

    let status = manager.storage_status();
    assert!(
        status.error.is_some() && status.entries_held > 0,
        "{status:?}"
    );
    let page = tokio::time::timeout(Duration::from_secs(5), all_entries(&manager, &task.id))
        .await
        .expect("reads answer while the disk is full");
    assert!(page.len() < 9_000, "only what was written before");
    // A task started now either gets its row (a few bytes may still fit)
    // and then keeps every entry too, or is refused with the storage error.
    let second = match manager.run_task(request("flood", json!({}))).await {
        Ok(second) => Some(second.id),
        Err(crate::CoreError::Storage(_)) => None,
        Err(other) => panic!("a new task on a full disk: {other}"),
    };

    free_and_finish(filler, &manager, &task.id).await;
    for task_id in std::iter::once(&task.id).chain(second.as_ref()) {
        manager.wait(task_id).await.unwrap();
        let entries = all_entries(&manager, task_id).await;
        assert_gap_free(&entries);
        assert_eq!(
            entries
                .iter()
                .filter(|entry| entry.source == "flood")
                .count(),
            9_000,
            "nothing lost"
        );
    }
    assert_eq!(manager.entries_held(), 0);
    manager.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_past_the_bound_the_loss_is_counted_in_a_system_entry() {
    let (plugin, go, halfway) = flood(9_000);
    let (disk, _store, manager) = on_a_small_disk(Some(plugin), 2_000).await;
    let task = manager.run_task(request("flood", json!({}))).await.unwrap();
    halfway.cancelled().await;
    let filler = fill_and_go(&disk, &manager, || go.cancel()).await;
    free_and_finish(filler, &manager, &task.id).await;

    let entries = all_entries(&manager, &task.id).await;
    assert_gap_free(&entries);
    let kept = entries
        .iter()
        .filter(|entry| entry.source == "flood")
        .count();
    let report = entries
        .iter()
        .find(|entry| entry.source == "system" && entry.message.contains("were lost"))
        .expect("the loss is logged");
    assert_eq!(report.level, taskdeck_protocol::LogLevel::Error);
    let lost = report.metadata.as_ref().unwrap()["lost_entries"]
        .as_u64()
        .unwrap();
    assert!(lost > 0 && kept < 9_000, "the bound was reached");
    assert_eq!(kept as u64 + lost, 9_000, "every entry kept or counted");
    manager.shutdown().await.unwrap();
}

/// Runs `seq 1 <lines>` with a bound of 2,000 entries, keeps the disk full
/// for `full_for` once it prints, and checks the task still runs then and
/// stores every line, with no warning or error, once space returns.
async fn a_program_on_a_full_disk(lines: u64, full_for: Duration) {
    let (disk, _store, manager) = on_a_small_disk(None, 2_000).await;
    let outside = tempfile::tempdir().unwrap();
    let go = outside.path().join("go");
    let script = format!(
        "while [ ! -e '{}' ]; do sleep 0.02; done; seq 1 {lines}",
        go.display()
    );
    let task = manager
        .run_task(request(
            "shell",
            json!({ "program": "sh", "args": ["-c", script] }),
        ))
        .await
        .unwrap();
    while manager.get_task(&task.id).await.unwrap().status != TaskStatus::Running {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let filler = fill_and_go(&disk, &manager, || {
        std::fs::write(&go, b"").unwrap();
    })
    .await;

    tokio::time::sleep(full_for).await;
    assert_eq!(
        manager.get_task(&task.id).await.unwrap().status,
        TaskStatus::Running,
        "the task waits while its lines cannot be stored"
    );
    assert!(manager.entries_held() <= 2_000);

    free_and_finish(filler, &manager, &task.id).await;
    let stats = manager.log_stats(&task.id).await.unwrap();
    let stdout: u64 = stats
        .sources
        .iter()
        .filter(|source| source.source.ends_with("stdout"))
        .map(|source| source.counts.total())
        .sum();
    assert_eq!(stdout, lines, "every line stored");
    assert_eq!(
        (stats.counts.warning, stats.counts.error),
        (0, 0),
        "no loss reported, no reading stopped: {stats:?}"
    );
    manager.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_a_program_is_slowed_and_none_of_its_lines_is_lost() {
    // Far more than the buffer may hold: the program waits on its pipe
    // instead of finishing with lines dropped.
    a_program_on_a_full_disk(30_000, Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_ended_while_the_disk_was_full_keeps_its_last_lines() {
    // Its output fits in the pipe, so it exits while the reader waits for
    // room — longer than the drain grace, which must not cut it short.
    a_program_on_a_full_disk(5_000, crate::plugins::process::DRAIN_GRACE * 2).await;
}
