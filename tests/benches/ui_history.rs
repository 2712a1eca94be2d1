//! `ui_history`: History over 100,000 tasks in the real app — opening it,
//! changing a filter, and jumping to the oldest task — each timed in the
//! page from the click to the first frame that shows the result, against
//! the same page's SQL run by hand on the same file in the same process
//! (its two statements: the page of 51 rows along the index, and the
//! counts per status). Before the app starts, the retention pass it makes
//! at start-up is timed in this process against reading every finished
//! task's row, which is what the pass did before.
//!
//! The store is written in bulk (one transaction of prepared inserts into
//! `tasks`, after the app's own migrations made the schema), not by
//! running 100,000 tasks: History reads `tasks` alone, with the per-level
//! counts the writer keeps in each row, so those are filled and the log
//! tables are left empty.
//!
//! Needs what the e2e tests need (`TASKDECK_E2E_APP`, Xvfb, tauri-driver);
//! `cargo xtask bench` builds the release app and runs it.

use std::path::Path;
use std::time::Instant;

use taskdeck_tests::bench::page::{in_page, milliseconds};
use taskdeck_tests::bench::{self, Figure};
use taskdeck_tests::e2e::{AppSession, test_id};

const PLUGINS: [&str; 4] = ["shell", "git", "backup", "sql"];
const STATUSES: [&str; 8] = [
    "succeeded",
    "succeeded",
    "succeeded",
    "failed",
    "succeeded",
    "cancelled",
    "succeeded",
    "interrupted",
];

/// The id of task `n` (UUID-shaped, so links and the UI accept it).
fn task_id(n: u64) -> String {
    format!("01900000-0000-7000-8000-{n:012x}")
}

/// Writes `tasks` finished tasks into a migrated store in `data_dir`, a
/// minute apart, oldest first, with the count rule of retention off.
async fn seed(data_dir: &Path, tasks: u64) -> Result<(), String> {
    bench::migrated_store(data_dir).await?;
    let mut connection = rusqlite::Connection::open(data_dir.join("taskdeck.db"))
        .map_err(|error| error.to_string())?;
    let transaction = connection
        .transaction()
        .map_err(|error| error.to_string())?;
    {
        let mut insert = transaction
            .prepare(
                "INSERT INTO tasks (id, plugin_id, params, status, created_at, started_at, \
                 finished_at, error, debug_count, info_count, warning_count, error_count) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, 0, ?8, ?9, ?10)",
            )
            .map_err(|error| error.to_string())?;
        let start = 1_780_000_000_000i64;
        for n in 0..tasks {
            let status = STATUSES[(n % 8) as usize];
            let started = start + n as i64 * 60_000;
            insert
                .execute(rusqlite::params![
                    task_id(n),
                    PLUGINS[(n % 4) as usize],
                    format!("{{\"program\":\"job\",\"args\":[\"run-{n}\"]}}"),
                    status,
                    started,
                    started + 500 + (n % 97) as i64 * 100,
                    (status == "failed").then(|| format!("exit code {}", n % 5 + 1)),
                    100 + (n % 50) as i64,
                    i64::from(n % 7 == 0),
                    i64::from(status == "failed"),
                ])
                .map_err(|error| error.to_string())?;
        }
    }
    // The default retention keeps 10,000 tasks: this store keeps them all.
    transaction
        .execute(
            "INSERT INTO settings (name, value) VALUES ('retention.max_tasks', 'null')",
            [],
        )
        .map_err(|error| error.to_string())?;
    transaction.commit().map_err(|error| error.to_string())
}

/// The SQL the first page runs, by hand: the page along the start index
/// and the counts per status, timed together (median of `rounds`).
fn sql_by_hand(data_dir: &Path, failed_only: bool, rounds: usize) -> Result<f64, String> {
    let connection = rusqlite::Connection::open(data_dir.join("taskdeck.db"))
        .map_err(|error| error.to_string())?;
    let status = if failed_only {
        "WHERE status IN ('failed')"
    } else {
        ""
    };
    let page = format!(
        "SELECT * FROM tasks {status} ORDER BY COALESCE(started_at, created_at) DESC, key DESC \
         LIMIT 51"
    );
    let mut times = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let mut statement = connection
            .prepare_cached(&page)
            .map_err(|error| error.to_string())?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>("id"))
            .map_err(|error| error.to_string())?
            .count();
        let mut counts = connection
            .prepare_cached("SELECT status, COUNT(key) FROM tasks GROUP BY status")
            .map_err(|error| error.to_string())?;
        let statuses = counts
            .query_map([], |row| row.get::<_, i64>(1))
            .map_err(|error| error.to_string())?
            .count();
        times.push(bench::millis(started.elapsed()));
        if rows == 0 || statuses == 0 {
            return Err("the SQL by hand found no tasks".into());
        }
    }
    Ok(bench::percentile(&times, 0.5))
}

/// The retention pass the app makes at start-up and hourly, with the saved
/// settings (which remove nothing from this store), against what it did
/// before it first asked the aggregates: read every finished task's row
/// (by hand, the same statement). Medians of `rounds`, in milliseconds.
async fn retention_pass(data_dir: &Path, rounds: usize) -> Result<(f64, f64), String> {
    let resolved =
        taskdeck_core::DataDir::resolve(Some(data_dir)).map_err(|error| error.to_string())?;
    let store = taskdeck_core::Store::open(resolved)
        .await
        .map_err(|error| error.to_string())?;
    let cleanup = taskdeck_core::TaskCleanupService::new(&store);
    let mut passes = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let report = cleanup
            .apply_settings(false)
            .await
            .map_err(|error| error.to_string())?;
        passes.push(bench::millis(started.elapsed()));
        if !report.tasks.is_empty() {
            return Err(format!(
                "the retention pass removed {} tasks",
                report.tasks.len()
            ));
        }
    }
    store.close().await.map_err(|error| error.to_string())?;
    let connection = rusqlite::Connection::open(data_dir.join("taskdeck.db"))
        .map_err(|error| error.to_string())?;
    let mut reads = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let mut statement = connection
            .prepare_cached(
                "SELECT * FROM tasks WHERE status NOT IN ('pending', 'running') ORDER BY key DESC",
            )
            .map_err(|error| error.to_string())?;
        let read = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>("id")?,
                    row.get::<_, String>("params")?,
                    row.get::<_, Option<String>>("error")?,
                ))
            })
            .map_err(|error| error.to_string())?
            .count();
        reads.push(bench::millis(started.elapsed()));
        if read == 0 {
            return Err("reading the finished tasks by hand found none".into());
        }
    }
    Ok((
        bench::percentile(&passes, 0.5),
        bench::percentile(&reads, 0.5),
    ))
}

/// Clicks `test_id` in the page and times the first frame where `ready`
/// (JavaScript over `rows`, the History rows) holds.
async fn timed_click(app: &AppSession, test_id: &str, ready: &str) -> Result<f64, String> {
    let body = format!(
        "const rows = () => [...document.querySelectorAll('[data-testid=\"history-row\"]')];\n\
         document.querySelector('[data-testid=\"{test_id}\"]').click();\n\
         frames(() => {{ const shown = rows(); return {ready}; }},\n\
                () => performance.now() - start,\n\
                () => rows().slice(0, 3).map((row) => row.dataset.taskId));"
    );
    let result = in_page(app, &body).await?;
    milliseconds(result.clone())
        .map_err(|_| format!("{test_id}: the page did not show it in 20 s: {result}"))
}

async fn run(tasks: u64, rounds: usize) -> Result<(), String> {
    std::env::var_os("TASKDECK_E2E_APP")
        .ok_or("TASKDECK_E2E_APP is not set (see the module docs)")?;
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    let started = Instant::now();
    seed(dir.path(), tasks).await?;
    println!(
        "ui_history benchmark: {} tasks written in {:.1} s; median of {rounds} rounds\n",
        bench::grouped(tasks),
        started.elapsed().as_secs_f64()
    );
    let (pass, read_all) = retention_pass(dir.path(), rounds.max(3)).await?;
    let newest = task_id(tasks - 1);
    let oldest = task_id(0);
    let app = AppSession::launch("ui-history", dir.path()).await?;
    let outcome = async {
        app.wait_for_text(&test_id("footer-version"), |text| {
            text.starts_with("Taskdeck")
        })
        .await?;
        let mut open = Vec::new();
        let mut filter = Vec::new();
        let mut unfilter = Vec::new();
        let mut oldest_times = Vec::new();
        for _ in 0..rounds {
            // History opened from Run, its first page newest first.
            app.click("nav-run").await?;
            app.by_test_id("view-run").await?;
            open.push(
                timed_click(
                    &app,
                    "nav-history",
                    &format!("shown.length > 0 && shown[0].dataset.taskId === '{newest}'"),
                )
                .await?,
            );
            // One status: every row failed.
            filter.push(
                timed_click(
                    &app,
                    "history-status-failed",
                    "shown.length > 0 && shown.every((row) => row.dataset.status === 'failed')",
                )
                .await?,
            );
            unfilter.push(
                timed_click(
                    &app,
                    "history-status-failed",
                    "shown.length > 0 && shown.some((row) => row.dataset.status !== 'failed')",
                )
                .await?,
            );
            // The last page: the oldest task at its end.
            oldest_times.push(
                timed_click(
                    &app,
                    "history-last",
                    &format!(
                        "shown.length > 0 && shown[shown.length - 1].dataset.taskId === '{oldest}'"
                    ),
                )
                .await?,
            );
            app.click("history-first").await?;
        }
        Ok::<_, String>((open, filter, unfilter, oldest_times))
    }
    .await;
    let (open, filter, unfilter, oldest_times) = app.finish(outcome).await?;
    let sql_all = sql_by_hand(dir.path(), false, 9)?;
    let sql_failed = sql_by_hand(dir.path(), true, 9)?;
    let median = |values: &[f64]| bench::percentile(values, 0.5);
    let label = bench::grouped(tasks);
    let figures = [
        (
            format!("History opened, first page of {label} tasks"),
            median(&open),
            sql_all,
            300.0,
        ),
        (
            format!("filter change (one status), {label} tasks"),
            median(&filter),
            sql_failed,
            150.0,
        ),
        (
            format!("filter cleared, {label} tasks"),
            median(&unfilter),
            sql_all,
            150.0,
        ),
        (
            format!("jump to the oldest task, {label} tasks"),
            median(&oldest_times),
            sql_all,
            500.0,
        ),
    ];
    let name = format!("retention pass removing nothing, {label} tasks");
    println!("  {name:<48} {pass:>7.1} ms (every finished row read by hand {read_all:.1} ms)");
    Figure::new("history", name, pass, "ms")
        .baseline(read_all)
        .target(
            "< 100 ms (baseline: reading every finished row)",
            pass < 100.0,
        )
        .print();
    for (name, value, baseline, target) in figures {
        println!("  {name:<48} {value:>7.1} ms (the SQL by hand {baseline:.1} ms)");
        Figure::new("history", name, value, "ms")
            .baseline(baseline)
            .target(format!("< {target:.0} ms"), value < target)
            .print();
    }
    Ok(())
}

fn main() {
    let tasks = bench::size(100_000, 2_000);
    let rounds = if bench::quick() { 1 } else { 5 };
    bench::run_to_end("ui_history", run(tasks, rounds));
}
