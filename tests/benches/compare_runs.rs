//! `compare_runs`: two runs of 100,000 entries compared
//! (`TaskManager::compare_runs`, normalised, 3 lines of context) — the
//! whole comparison, which is what the app's compare view waits for before
//! its first screen — against reading the same two logs' rows by hand on
//! one rusqlite connection in the same process (the part no comparison
//! can skip). The second run differs from the first in every 1,000th line
//! (a changed word) and in every line's time and duration, which
//! normalisation removes. Memory: the growth of the process's peak
//! resident size during the comparison (`/proc/self/clear_refs` resets the
//! peak first; Linux only).
//!
//! The store is written in bulk (prepared inserts after the app's
//! migrations), not through emits.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, params};
use taskdeck_core::compare::CompareOptions;
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_tests::bench::{self, Figure};

/// The two runs' ids.
const RUNS: [&str; 2] = [
    "01900000-0000-7000-8000-00000000000a",
    "01900000-0000-7000-8000-00000000000b",
];

/// Writes the two runs of `entries` entries each.
fn seed(dir: &Path, entries: u64) -> Result<(), String> {
    let text = |error: rusqlite::Error| error.to_string();
    let mut connection = Connection::open(dir.join("taskdeck.db")).map_err(text)?;
    let transaction = connection.transaction().map_err(text)?;
    {
        let mut task = transaction
            .prepare(
                "INSERT INTO tasks (key, id, plugin_id, params, status, created_at, started_at, \
                 finished_at, debug_count, info_count, warning_count, error_count) \
                 VALUES (?1, ?2, 'shell', '{}', 'succeeded', ?3, ?3, ?4, 0, ?5, 0, 0)",
            )
            .map_err(text)?;
        let mut entry = transaction
            .prepare(
                "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message) \
                 VALUES (?1, ?2, ?3, ?4, 1, 'shell.stdout', ?5)",
            )
            .map_err(text)?;
        for (index, id) in RUNS.iter().enumerate() {
            let key = index as i64 + 1;
            let started = 1_780_000_000_000i64 + key * 3_600_000;
            task.execute(params![
                key,
                id,
                started,
                started + entries as i64,
                entries as i64
            ])
            .map_err(text)?;
            for seq in 1..=entries as i64 {
                let outcome = if index == 1 && seq % 1000 == 0 {
                    "changed"
                } else {
                    "copied"
                };
                entry
                    .execute(params![
                        (key << 32) | seq,
                        key,
                        seq,
                        started + seq,
                        format!(
                            "{outcome} part {seq} at 10:{:02}:{:02} in {} ms",
                            (seq / 60 + key) % 60,
                            seq % 60,
                            (seq * 7 + key) % 900
                        ),
                    ])
                    .map_err(text)?;
            }
        }
    }
    transaction.commit().map_err(text)
}

/// Reads both runs' rows by hand, as the comparison must.
fn read_by_hand(connection: &Connection) -> Result<usize, String> {
    let mut statement = connection
        .prepare_cached(
            "SELECT seq, level, source, message FROM task_logs WHERE id > ?1 AND id < ?2 \
             ORDER BY id",
        )
        .map_err(|error| error.to_string())?;
    let mut lines = 0;
    for key in 1..=2i64 {
        lines += statement
            .query_map(params![key << 32, (key + 1) << 32], |row| {
                row.get::<_, String>(3)
            })
            .map_err(|error| error.to_string())?
            .filter_map(Result::ok)
            .count();
    }
    Ok(lines)
}

/// The process's peak resident size in KiB (`VmHWM`), after resetting it
/// when `reset`.
fn peak_kib(reset: bool) -> Option<u64> {
    if reset {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
}

async fn run(entries: u64, rounds: usize) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    bench::migrated_store(dir.path()).await?;
    seed(dir.path(), entries)?;
    let data_dir = DataDir::resolve(Some(dir.path())).map_err(|error| error.to_string())?;
    let store = Store::open(data_dir)
        .await
        .map_err(|error| error.to_string())?;
    let manager = TaskManager::start(
        store.clone(),
        PluginRegistry::builtin(),
        ManagerConfig::default(),
    )
    .await
    .map_err(|error| error.to_string())?;
    let hand = Connection::open(dir.path().join("taskdeck.db")).map_err(|e| e.to_string())?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut growth = Vec::new();
    let mut stretches = 0;
    for _ in 0..rounds {
        let before = peak_kib(true);
        let started = Instant::now();
        let comparison = manager
            .compare_runs(RUNS[0], RUNS[1], CompareOptions::default())
            .await
            .map_err(|error| error.to_string())?;
        ours.push(bench::millis(started.elapsed()));
        if let (Some(before), Some(after)) = (before, peak_kib(false)) {
            growth.push(after.saturating_sub(before) as f64 / 1024.0);
        }
        stretches = comparison.hunks.len();
        let started = Instant::now();
        let lines = read_by_hand(&hand)?;
        theirs.push(bench::millis(started.elapsed()));
        if lines as u64 != 2 * entries {
            return Err(format!("read {lines} lines by hand, not {}", 2 * entries));
        }
    }
    let expected = (entries / 1000) as usize;
    if stretches != expected {
        return Err(format!(
            "the comparison found {stretches} stretches, not the {expected} changed lines"
        ));
    }
    let value = bench::percentile(&ours, 0.5);
    let baseline = bench::percentile(&theirs, 0.5);
    let label = bench::grouped(entries);
    println!(
        "compare_runs benchmark: two runs of {label} entries, {stretches} stretches; median of \
         {rounds}\n  whole comparison {value:.0} ms; reading both logs by hand {baseline:.0} ms"
    );
    Figure::new(
        "compare",
        format!(
            "two runs of {label} entries compared, whole (the view's first screen waits for it)"
        ),
        value,
        "ms",
    )
    .baseline(baseline)
    .target("< 1000 ms first screen, < 3000 ms whole", value < 1000.0)
    .print();
    if !growth.is_empty() {
        let peak = bench::percentile(&growth, 0.5);
        println!("  peak resident growth during a comparison: {peak:.1} MiB");
        Figure::new(
            "compare",
            format!("peak memory growth, two runs of {label} entries"),
            peak,
            "MiB",
        )
        .print();
    }
    manager
        .shutdown()
        .await
        .map_err(|error| error.to_string())?;
    store.close().await.map_err(|error| error.to_string())
}

fn main() {
    let entries = bench::size(100_000, 5_000);
    let rounds = if bench::quick() { 1 } else { 5 };
    bench::run_to_end("compare_runs", run(entries, rounds));
}
