//! Faults injected for real into the path from an emit to the store: a
//! database another process holds locked.

// `all(test, linux)` hides the test cfg from clippy's test exemption.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::{LogEntry, TaskStatus};

use crate::test_support::{all_entries, manager_with_config, request, scripted};
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
