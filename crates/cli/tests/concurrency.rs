//! Many writers on one database at once: tasks run by an engine inside this
//! process (as the desktop app runs them) and by separate `taskdeck run`
//! processes, all logging as fast as their programs print.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};

mod common;

use serde_json::Value;
use taskdeck_core::test_programs::{echo, script};
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{RunTaskRequest, TaskStatus};

/// Tasks per side (the engine here, and CLI processes).
const TASKS_PER_SIDE: usize = 10;
/// Lines each task's program prints (cmd's loop, under Wine in the test
/// command, prints far slower than `seq`).
const LINES: usize = if cfg!(windows) { 2_000 } else { 50_000 };

/// Shell parameters printing `LINES` lines tagged with `tag`.
fn printing(tag: &str) -> Value {
    if cfg!(windows) {
        script(&[&format!("for /l %i in (1,1,{LINES}) do @echo {tag} %i")])
    } else {
        script(&[&format!("seq -f '{tag} %.0f' 1 {LINES}")])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_tasks_from_the_engine_and_the_cli_store_every_line_gap_free_and_apart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(DataDir::resolve(Some(dir.path())).unwrap())
        .await
        .unwrap();
    let manager = TaskManager::start(
        store.clone(),
        PluginRegistry::builtin(),
        ManagerConfig::default(),
    )
    .await
    .unwrap();

    let cli: Vec<_> = (0..TASKS_PER_SIDE)
        .map(|index| {
            let params = printing(&format!("cli-{index}"));
            Command::new(env!("CARGO_BIN_EXE_taskdeck"))
                .env_remove("TASKDECK_DATA_DIR")
                .arg("--data-dir")
                .arg(dir.path())
                .args(["run", "shell", "--param"])
                .arg(format!("program={}", params["program"]))
                .arg("--param")
                .arg(format!("args={}", params["args"]))
                .arg("--json")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut app_tasks = Vec::new();
    for index in 0..TASKS_PER_SIDE {
        let params = printing(&format!("app-{index}"));
        let request = RunTaskRequest {
            plugin_id: "shell".to_owned(),
            params: params.as_object().cloned().unwrap(),
        };
        app_tasks.push((
            format!("app-{index}"),
            manager.run_task(request).await.unwrap().id,
        ));
    }

    let mut tasks = Vec::new();
    for (tag, id) in app_tasks {
        assert_eq!(
            manager.wait(&id).await.unwrap().status,
            TaskStatus::Succeeded
        );
        tasks.push((tag, id));
    }
    for (index, child) in cli.into_iter().enumerate() {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["status"], "succeeded");
        tasks.push((
            format!("cli-{index}"),
            summary["id"].as_str().unwrap().to_owned(),
        ));
    }
    manager.shutdown().await.unwrap();

    let database = rusqlite::Connection::open(dir.path().join("taskdeck.db")).unwrap();
    for (tag, id) in &tasks {
        let key: i64 = database
            .query_row("SELECT key FROM tasks WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .unwrap();
        let (count, first, last): (i64, i64, i64) = database
            .query_row(
                "SELECT count(*), min(seq), max(seq) FROM task_logs WHERE task_key = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!((first, last), (1, count), "{tag}: seq gap-free");
        let (own, foreign): (i64, i64) = database
            .query_row(
                "SELECT count(*) FILTER (WHERE message LIKE ?2 || ' %'), \
                        count(*) FILTER (WHERE message NOT LIKE ?2 || ' %') \
                 FROM task_logs WHERE task_key = ?1 AND source = 'shell.stdout'",
                rusqlite::params![key, tag],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        let notices: Vec<String> = database
            .prepare("SELECT message FROM task_logs WHERE task_key = ?1 AND level >= 2")
            .unwrap()
            .query_map([key], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            own, LINES as i64,
            "{tag}: every line stored; notices: {notices:?}"
        );
        assert_eq!(foreign, 0, "{tag}: no other task's line");
        let last_line: String = database
            .query_row(
                "SELECT message FROM task_logs WHERE task_key = ?1 AND source = 'shell.stdout' \
                 ORDER BY seq DESC LIMIT 1",
                [key],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(last_line, format!("{tag} {LINES}"), "{tag}: in order");
    }
    let total: i64 = database
        .query_row(
            "SELECT count(*) FROM task_logs WHERE source = 'shell.stdout'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(total, (2 * TASKS_PER_SIDE * LINES) as i64);
    let integrity: String = database
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

/// Eight `taskdeck run`s started at the same moment on a fresh data
/// directory all create, migrate and use it (once, they raced to create
/// the tables and one to three failed with `table "tasks" already
/// exists`). Twenty rounds, each on a new directory.
#[test]
fn eight_processes_starting_together_on_a_fresh_data_directory_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let outputs: Vec<std::process::Output> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|index| {
                    let barrier = std::sync::Arc::clone(&barrier);
                    let dir = dir.path();
                    scope.spawn(move || {
                        let params = echo(&format!("start {index}")).to_string();
                        let mut command = Command::new(env!("CARGO_BIN_EXE_taskdeck"));
                        command
                            .env_remove("TASKDECK_DATA_DIR")
                            .arg("--data-dir")
                            .arg(dir)
                            .args(["run", "shell", "--params-json", &params, "--json"])
                            .stdin(Stdio::null());
                        barrier.wait();
                        common::output_of(&mut command)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        for output in &outputs {
            assert!(
                output.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
