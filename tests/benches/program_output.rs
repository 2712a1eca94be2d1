//! `program_output`: how much running a program as a task holds it back.
//!
//! Run with `cargo bench -p taskdeck-tests --bench program_output` (add
//! `-- N` for another line count; `cargo xtask bench` runs it with the
//! others). A program that prints as fast as it can — `awk` printing
//! 1,000,000 lines — runs once with its output redirected to a file (the
//! baseline: what the program costs by itself) and once as a shell task
//! whose every line is parsed, buffered and stored until durable, in the
//! same process, in turns (median of 3). The same again with each line
//! coloured (`\033[32m…\033[0m`), whose escapes the task parses.
//!
//! The ratio is how much longer the program takes under Taskdeck: the store
//! writes a line in a few microseconds, `awk` prints one in well under one,
//! so the program waits for the disk (it is never allowed to lose lines).

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::json;
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{RunTaskRequest, TaskStatus};
use taskdeck_tests::bench::{self, Figure};

/// The awk program printing `lines` lines, plain or coloured.
fn printer(lines: u64, coloured: bool) -> String {
    let line = if coloured {
        "\"\\033[32mline\\033[0m \" i \" of the build\""
    } else {
        "\"line \" i \" of the build\""
    };
    format!("BEGIN {{ for (i = 0; i < {lines}; i++) print {line} }}")
}

/// The program alone, its output into a file.
fn alone(program: &str) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::fs::File::create(dir.path().join("out.txt")).expect("file");
    let started = Instant::now();
    let status = std::process::Command::new("awk")
        .arg(program)
        .stdout(out)
        .status()
        .expect("awk");
    assert!(status.success(), "awk failed");
    started.elapsed()
}

/// The program as a shell task, until the task is finished (every line
/// durable).
async fn as_task(program: &str, lines: u64) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let manager = TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
        .await
        .expect("manager");
    let started = Instant::now();
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "shell".into(),
            params: json!({ "program": "awk", "args": [program] })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        })
        .await
        .expect("run");
    let finished = manager.wait(&task.id).await.expect("wait");
    let elapsed = started.elapsed();
    assert_eq!(
        finished.status,
        TaskStatus::Succeeded,
        "{:?}",
        finished.error
    );
    assert!(
        finished.counts.info >= lines,
        "lines went missing: {:?}",
        finished.counts
    );
    manager.shutdown().await.expect("shutdown");
    elapsed
}

#[tokio::main]
async fn main() {
    let lines = bench::size(1_000_000, 20_000);
    println!("program_output benchmark: awk printing {lines} lines (median of 3, in turns)\n");
    for coloured in [false, true] {
        let program = printer(lines, coloured);
        let (mut files, mut tasks) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            files.push(alone(&program));
            tasks.push(as_task(&program, lines).await);
        }
        files.sort();
        tasks.sort();
        let (file, task) = (files[1].as_secs_f64(), tasks[1].as_secs_f64());
        let kind = if coloured { "coloured " } else { "" };
        println!(
            "  {kind:<9}into a file {file:>7.2} s, as a task {task:>7.2} s ({:.1}x)",
            task / file
        );
        // Before: 0.93 s into a file and 16.8 s under `taskdeck run`.
        Figure::new(
            "ingest",
            format!(
                "awk printing {} {kind}lines, as a task",
                bench::grouped(lines)
            ),
            task,
            "s",
        )
        .baseline(file)
        .target("≤ 18× the file (as before)", task <= 18.0 * file)
        .print();
    }
}
