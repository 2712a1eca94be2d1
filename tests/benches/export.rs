//! Export of a 1,000,000-entry task: speed against the bare read it is
//! built on, and peak memory against an export ten times smaller.
//!
//! Run with `cargo bench -p taskdeck-tests --bench export` (or `-- 200000`;
//! `cargo xtask bench` runs it with the others).
//! Baselines, in the same run: the `sqlite3` shell dumping the same rows of
//! the same database file with `.mode json` and `.mode csv` (skipped, and
//! said so, when the shell is not installed), and paging through the
//! entries with `query_logs` while discarding them (the UI's page read, one
//! lookup per page). Memory: the process's peak resident set during each export,
//! above what it held before (Linux: `VmHWM`, reset through
//! `/proc/self/clear_refs`); constant memory means the 1,000,000-entry
//! export peaks no higher than the small one. The shell's peak is its whole
//! resident set, read while it waits after the dump.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use taskdeck_core::export::{PAGE, export_task_logs};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{
    ExportFormat, LogFilter, LogLevel, ParamField, ParamKind, ParamSchema, PluginInfo,
    RunTaskRequest,
};
use taskdeck_tests::bench::{self, Figure};

/// Logs `count` entries of a few realistic shapes (the `count` param).
struct Chatter;

#[async_trait::async_trait]
impl Plugin for Chatter {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            id: "chatter".into(),
            name: "Chatter".into(),
            description: "Benchmark plugin".into(),
            params: ParamSchema {
                fields: vec![ParamField::new(
                    "count",
                    "Entries",
                    ParamKind::Integer,
                    true,
                    "How many entries to log.",
                )],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let count = ctx
            .params()
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let http = ctx.logger().child("http");
        let copy = ctx.logger().child("copy");
        for index in 0..count {
            // Faster than the disk: wait while the buffer is half full
            // rather than lose entries (the export needs them all).
            if !http.has_room() {
                http.wait_for_room().await;
            }
            match index % 10 {
                0 => copy
                    .with_metadata(json!({ "path": format!("/srv/data/file-{index}.bin"), "bytes": index * 7 }))
                    .log(LogLevel::Info, format!("copied file-{index}.bin, \"ok\"")),
                9 => http.log(LogLevel::Warning, format!("GET /api/items/{index} took 1.2 s\nretrying")),
                _ => http.log(LogLevel::Debug, format!("GET /api/items/{index} 200 in 3 ms")),
            };
        }
        Ok(Value::Null)
    }
}

async fn logged_task(manager: &TaskManager, count: u64) -> String {
    let mut params = serde_json::Map::new();
    params.insert("count".into(), json!(count));
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "chatter".into(),
            params,
        })
        .await
        .expect("run");
    manager.wait(&task.id).await.expect("wait");
    task.id
}

/// Peak resident set since the last reset, in KiB (Linux only).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn current_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak to the current resident set.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Time of a bare read: every entry paged through with `query_logs` and
/// dropped.
async fn bare_read(manager: &TaskManager, task_id: &str) -> (Duration, u64) {
    let started = Instant::now();
    let mut filter = LogFilter {
        limit: Some(PAGE),
        ..LogFilter::default()
    };
    let mut entries = 0u64;
    loop {
        let page = manager.query_logs(task_id, &filter).await.expect("page");
        entries += page.entries.len() as u64;
        match page.next_cursor {
            Some(cursor) => filter.after_seq = Some(cursor),
            None => return (started.elapsed(), entries),
        }
    }
}

/// One export: its time, bytes and peak memory above the start (KiB).
async fn measured_export(
    manager: &TaskManager,
    task_id: &str,
    format: ExportFormat,
    folder: &std::path::Path,
) -> (Duration, u64, Option<u64>) {
    let path = folder.join(format!("{task_id}.{}", format.extension()));
    let reset = reset_peak();
    let before = current_kib();
    let started = Instant::now();
    let report = export_task_logs(
        manager,
        &[task_id.to_owned()],
        &LogFilter::default(),
        format,
        &path,
        &mut |_| {},
    )
    .await
    .expect("export");
    let elapsed = started.elapsed();
    let peak = match (reset, before, peak_kib()) {
        (true, Some(before), Some(peak)) => Some(peak.saturating_sub(before)),
        _ => None,
    };
    std::fs::remove_file(&path).expect("remove");
    (elapsed, report.bytes, peak)
}

/// The `sqlite3` shell dumping the task's rows in `mode` (`json`, `csv`)
/// into a file: its time, bytes written and peak resident set (KiB). The
/// commands go through stdin, and the shell prints a marker when the dump
/// is done, so its peak can be read before it exits. `None` without the
/// shell.
fn sqlite3_dump(
    database: &Path,
    task_id: &str,
    mode: &str,
    folder: &Path,
) -> Option<(Duration, u64, Option<u64>)> {
    let output = folder.join(format!("sqlite3.{mode}"));
    let started = Instant::now();
    let mut shell = Command::new("sqlite3")
        .arg("-readonly")
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut input = shell.stdin.take().expect("stdin");
    let script = format!(
        ".headers on\n.mode {mode}\n.output {}\n\
         SELECT l.seq, l.ts, l.level, l.source, l.message, l.metadata FROM task_logs l \
         JOIN tasks t ON t.key = l.task_key WHERE t.id = '{task_id}' ORDER BY l.id;\n\
         .output stdout\n.mode list\nSELECT 'dumped';\n",
        output.display()
    );
    input.write_all(script.as_bytes()).expect("script");
    input.flush().expect("flush");
    let lines = BufReader::new(shell.stdout.take().expect("stdout")).lines();
    for line in lines {
        if line.expect("read") == "dumped" {
            break;
        }
    }
    let elapsed = started.elapsed();
    let peak = std::fs::read_to_string(format!("/proc/{}/status", shell.id()))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        });
    drop(input);
    shell.wait().expect("sqlite3 exits");
    let bytes = std::fs::metadata(&output).expect("dump").len();
    std::fs::remove_file(&output).expect("remove");
    Some((elapsed, bytes, peak))
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn mib_per_second(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
}

fn kib(value: Option<u64>) -> String {
    value.map_or_else(
        || "n/a".to_owned(),
        |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
    )
}

#[tokio::main]
async fn main() {
    let count = bench::size(1_000_000, 20_000);
    let small = (count / 10).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = DataDir::resolve(Some(dir.path())).expect("data dir");
    let database = data_dir.database_path();
    let store = Store::open(data_dir).await.expect("store");
    let mut registry = PluginRegistry::builtin();
    registry.register(std::sync::Arc::new(Chatter));
    let manager = TaskManager::start(store, registry, ManagerConfig::default())
        .await
        .expect("manager");
    println!("export benchmark: tasks of {count} and {small} entries, pages of {PAGE}\n");
    let large = logged_task(&manager, count).await;
    let little = logged_task(&manager, small).await;
    let out = tempfile::tempdir().expect("tempdir");

    let (read, read_entries) = bare_read(&manager, &large).await;
    assert_eq!(
        read_entries,
        count + 2,
        "every entry, with the start and end lines"
    );
    println!(
        "baseline: query_logs paged read of {read_entries} entries: {:.2} s ({:.0} entries/s)",
        read.as_secs_f64(),
        per_second(read_entries, read)
    );
    let mut shell_times = Vec::new();
    for mode in ["json", "csv"] {
        match sqlite3_dump(&database, &large, mode, out.path()) {
            Some((elapsed, bytes, peak)) => {
                println!(
                    "baseline: sqlite3 shell .mode {mode:<4}: {:.2} s ({:.1} MiB/s), {:.1} MiB \
                     written; its peak resident set {}",
                    elapsed.as_secs_f64(),
                    mib_per_second(bytes, elapsed),
                    bytes as f64 / (1024.0 * 1024.0),
                    kib(peak)
                );
                shell_times.push((mode, elapsed));
            }
            None => println!("baseline: sqlite3 shell not found, its dumps skipped"),
        }
    }
    for format in ExportFormat::ALL {
        let (elapsed, bytes, peak) = measured_export(&manager, &large, format, out.path()).await;
        let (_, _, small_peak) = measured_export(&manager, &little, format, out.path()).await;
        // JSON Lines against `.mode json`, CSV and text against `.mode csv`.
        let shell_mode = if format == ExportFormat::JsonLines {
            "json"
        } else {
            "csv"
        };
        let shell_time = shell_times
            .iter()
            .find(|(mode, _)| *mode == shell_mode)
            .map(|(_, shell)| *shell);
        let rate = per_second(read_entries, elapsed);
        let speed = Figure::new(
            "export",
            format!("{} of {read_entries} entries", format.as_str()),
            rate,
            "entries/s",
        );
        match shell_time {
            Some(shell) => speed.baseline(per_second(read_entries, shell)).target(
                format!("≥ 0.7× sqlite3 .mode {shell_mode}"),
                shell.as_secs_f64() / elapsed.as_secs_f64() >= 0.7,
            ),
            None => speed.target("sqlite3 shell missing: no baseline", false),
        }
        .print();
        if let (Some(peak), Some(small_peak)) = (peak, small_peak) {
            let (peak, small_peak) = (peak as f64 / 1024.0, small_peak as f64 / 1024.0);
            Figure::new(
                "export",
                format!(
                    "{} peak memory above start, {count} entries",
                    format.as_str()
                ),
                peak,
                "MiB",
            )
            .baseline(small_peak)
            .target(
                format!("constant: within 4 MiB of {small} entries' (the baseline)"),
                peak <= small_peak + 4.0,
            )
            .print();
        }
        let against_shell = shell_time.map_or_else(String::new, |shell| {
            format!(
                ", {:.2}x the speed of sqlite3 .mode {shell_mode}",
                shell.as_secs_f64() / elapsed.as_secs_f64()
            )
        });
        println!(
            "{:>5}: {:.2} s ({:.0} entries/s, {:.1} MiB/s, {:.2}x the query_logs read's time{against_shell}), \
             {:.1} MiB written; peak memory above start: {} for {count} entries, {} for {small}",
            format.as_str(),
            elapsed.as_secs_f64(),
            per_second(read_entries, elapsed),
            mib_per_second(bytes, elapsed),
            elapsed.as_secs_f64() / read.as_secs_f64(),
            bytes as f64 / (1024.0 * 1024.0),
            kib(peak),
            kib(small_peak),
        );
    }
    manager.shutdown().await.expect("shutdown");
}
