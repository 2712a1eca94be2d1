//! `run_search`: search across runs — the first page of results (20 tasks
//! with their counts and first 3 matches) for a rare word (ten entries
//! hold it) and for a word
//! in every entry, over a store of 100,000 tasks and 10,000,000 entries,
//! through `TaskManager::search_runs`, against the same statements run
//! by hand on one rusqlite connection in the same process (the walk to
//! each task's newest match through the trigram index, then the task's
//! capped count and first matches).
//!
//! The store is written in bulk, not through emits: the app's migrations
//! make the schema, then one transaction of prepared inserts fills
//! `tasks`, `task_logs` and `task_log_stats`, and one statement builds the
//! trigram index over every message, as the indexer would.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{LogFilter, RunSearchRequest};
use taskdeck_tests::bench::{self, Figure};

/// A word ten entries of the store hold.
const RARE: &str = "quokka";
/// A word every entry holds.
const COMMON: &str = "copied";

/// Writes `tasks` tasks of `entries` entries each into a migrated store.
fn seed(dir: &Path, tasks: u64, entries: u64) -> Result<(), String> {
    let text = |error: rusqlite::Error| error.to_string();
    let mut connection = Connection::open(dir.join("taskdeck.db")).map_err(text)?;
    connection
        .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .map_err(text)?;
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
        let mut stats = transaction
            .prepare(
                "INSERT INTO task_log_stats (task_key, source, level, count, first_ts, last_ts) \
                 VALUES (?1, 'shell.stdout', 1, ?2, ?3, ?4)",
            )
            .map_err(text)?;
        let start = 1_780_000_000_000i64;
        let mut written = 0u64;
        let rare_every = (tasks * entries / 10).max(1);
        for key in 1..=tasks as i64 {
            let started = start + key * 60_000;
            task.execute(params![
                key,
                format!("01900000-0000-7000-8000-{key:012x}"),
                started,
                started + entries as i64,
                entries as i64
            ])
            .map_err(text)?;
            for seq in 1..=entries as i64 {
                written += 1;
                let rare = if written.is_multiple_of(rare_every) {
                    RARE
                } else {
                    ""
                };
                entry
                    .execute(params![
                        (key << 32) | seq,
                        key,
                        seq,
                        started + seq,
                        format!("{COMMON} file {seq} of part {key} to /backup/{key} {rare}"),
                    ])
                    .map_err(text)?;
            }
            stats
                .execute(params![
                    key,
                    entries as i64,
                    started + 1,
                    started + entries as i64
                ])
                .map_err(text)?;
        }
    }
    transaction.commit().map_err(text)?;
    connection
        .execute_batch(
            "INSERT INTO task_logs_search (rowid, message) SELECT id, message FROM task_logs;\
             DELETE FROM task_search_backlog;",
        )
        .map_err(text)
}

/// The first page by hand: for each of `groups` tasks, the statement
/// that finds its newest match below the last one, its capped count, and
/// its first `hits` matches.
fn by_hand(
    connection: &Connection,
    word: &str,
    groups: usize,
    hits: usize,
) -> Result<usize, String> {
    let text = |error: rusqlite::Error| error.to_string();
    // The index holds no positions (`detail=none`): a word is every
    // trigram of it, as the engine asks.
    let characters: Vec<char> = word.chars().collect();
    let trigrams = characters
        .windows(3)
        .map(|trigram| format!("\"{}\"", trigram.iter().collect::<String>()))
        .collect::<Vec<_>>()
        .join(" AND ");
    let like = format!("%{word}%");
    let mut found = 0;
    let mut below = i64::MAX;
    let mut next = connection
        .prepare_cached(
            "SELECT l.task_key FROM task_logs_search f CROSS JOIN task_logs l ON l.id = f.rowid \
             WHERE task_logs_search MATCH ?1 AND f.rowid < ?2 AND l.message LIKE ?3 \
             ORDER BY f.rowid DESC LIMIT 1",
        )
        .map_err(text)?;
    let mut count = connection
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM task_logs_search f CROSS JOIN task_logs l \
             ON l.id = f.rowid WHERE task_logs_search MATCH ?1 AND f.rowid > ?2 AND f.rowid < ?3 \
             AND l.message LIKE ?4 LIMIT 100001)",
        )
        .map_err(text)?;
    let mut first = connection
        .prepare_cached(
            "SELECT l.id, l.seq, l.ts, l.level, l.source, l.message FROM task_logs_search f \
             CROSS JOIN task_logs l ON l.id = f.rowid WHERE task_logs_search MATCH ?1 \
             AND f.rowid > ?2 AND f.rowid < ?3 AND l.message LIKE ?4 ORDER BY f.rowid LIMIT ?5",
        )
        .map_err(text)?;
    while found < groups {
        let key: Option<i64> = next
            .query_row(params![trigrams, below, like], |row| row.get(0))
            .optional()
            .map_err(text)?;
        let Some(key) = key else { break };
        let (low, high) = (key << 32, (key + 1) << 32);
        let _: i64 = count
            .query_row(params![trigrams, low, high, like], |row| row.get(0))
            .map_err(text)?;
        let rows = first
            .query_map(params![trigrams, low, high, like, hits as i64], |row| {
                row.get::<_, String>(5)
            })
            .map_err(text)?
            .count();
        if rows == 0 {
            return Err(format!("task {key} has no first match"));
        }
        found += 1;
        below = low;
    }
    Ok(found)
}

async fn run(tasks: u64, entries: u64, rounds: usize) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    bench::migrated_store(dir.path()).await?;
    let started = Instant::now();
    seed(dir.path(), tasks, entries)?;
    println!(
        "run_search benchmark: {} tasks of {} entries ({} in all) written and indexed in {:.0} s; \
         median of {rounds} rounds\n",
        bench::grouped(tasks),
        bench::grouped(entries),
        bench::grouped(tasks * entries),
        started.elapsed().as_secs_f64()
    );
    let store = Store::open(DataDir::resolve(Some(dir.path())).map_err(|e| e.to_string())?)
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
    let label = bench::grouped(tasks * entries);
    for (name, word, target) in [("rare word", RARE, 100.0), ("common word", COMMON, 300.0)] {
        let request = RunSearchRequest {
            filter: LogFilter {
                search: Some(word.to_owned()),
                ..LogFilter::default()
            },
            ..RunSearchRequest::default()
        };
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut groups = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let page = manager
                .search_runs(&request)
                .await
                .map_err(|error| error.to_string())?;
            ours.push(bench::millis(started.elapsed()));
            groups = page.groups.len();
            let started = Instant::now();
            let found = by_hand(&hand, word, 20, 3)?;
            theirs.push(bench::millis(started.elapsed()));
            if found != groups {
                return Err(format!(
                    "{name}: the search found {groups} tasks, the SQL by hand {found}"
                ));
            }
        }
        let (value, baseline) = (
            bench::percentile(&ours, 0.5),
            bench::percentile(&theirs, 0.5),
        );
        println!(
            "  first page, {name} ({groups} tasks): {value:.1} ms; the SQL by hand {baseline:.1} ms \
             ({:.2}x)",
            value / baseline
        );
        Figure::new(
            "search across runs",
            format!("first page, {name}, {label} entries"),
            value,
            "ms",
        )
        .baseline(baseline)
        .target(
            format!("< {target:.0} ms and ≤ 1.5× the SQL by hand"),
            value < target && value <= 1.5 * baseline,
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
    let tasks = bench::size(100_000, 500);
    let entries = if bench::quick() { 20 } else { 100 };
    let rounds = if bench::quick() { 1 } else { 5 };
    bench::run_to_end("run_search", run(tasks, entries, rounds));
}
