//! A 1,000,000-entry log in 10,000 sections (one every 100 entries),
//! against the same log without sections, in the same run: what the
//! sections cost the ingest, what opening the log costs with them (its
//! newest page, each entry given its sections, and the list of sections
//! the outline draws), reading one section's lines, and folding: every
//! section folded, and one unfolded.
//!
//! Run with `cargo bench -p taskdeck-tests --bench log_sections` (or
//! `-- 200000`; `cargo xtask bench` runs it with the others). Baselines:
//! the sectionless log's ingest and newest page, and the sections' rows
//! and one section's entries read by hand with rusqlite.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{Folding, LogFilter, Order, PluginInfo, RunTaskRequest};
use taskdeck_tests::bench::rows::{Row, emit, rows, source_loggers};
use taskdeck_tests::bench::{self, Figure};

/// Entries per section.
const SECTION_ENTRIES: usize = 100;

/// Emits the rows it is given, opening a section before every
/// [`SECTION_ENTRIES`] of them when `sections` is set.
struct Steps {
    rows: Mutex<Option<Vec<Row>>>,
    sections: bool,
}

#[async_trait::async_trait]
impl Plugin for Steps {
    fn info(&self) -> PluginInfo {
        bench::plugin_info("steps")
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let rows = self
            .rows
            .lock()
            .map_err(|_| CoreError::PluginFailed("poisoned".into()))?
            .take()
            .unwrap_or_default();
        let loggers = source_loggers(ctx.logger());
        let mut open = None;
        for (index, row) in rows.into_iter().enumerate() {
            if self.sections && index % SECTION_ENTRIES == 0 {
                drop(open.take());
                open = Some(ctx.section(format!("step {}", index / SECTION_ENTRIES + 1)));
            }
            emit(&loggers, row).await;
        }
        Ok(Value::Null)
    }
}

/// A store with one task of `count` rows, in sections or not, and its
/// ingest rate until durable.
struct Logged {
    dir: tempfile::TempDir,
    task_id: String,
    rate: f64,
}

async fn logged(count: u64, sections: bool) -> Logged {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Steps {
        rows: Mutex::new(Some(rows(count))),
        sections,
    }));
    let manager = TaskManager::start(store, plugins, ManagerConfig::default())
        .await
        .expect("manager");
    let started = Instant::now();
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "steps".into(),
            params: Map::new(),
        })
        .await
        .expect("run");
    let finished = manager.wait(&task.id).await.expect("wait");
    let elapsed = started.elapsed();
    let headers = if sections {
        count.div_ceil(SECTION_ENTRIES as u64)
    } else {
        0
    };
    let total = finished.counts.total();
    assert_eq!(total, count + headers + 2, "entries went missing");
    // Stopped, so that its search index does not fill behind the other
    // log's ingest; the reads start an engine on the store again.
    manager.shutdown().await.expect("shutdown");
    Logged {
        dir,
        task_id: task.id,
        rate: total as f64 / elapsed.as_secs_f64(),
    }
}

/// An engine on `logged`'s store, for the reads.
async fn reader(logged: &Logged) -> TaskManager {
    let store = Store::open(DataDir::resolve(Some(logged.dir.path())).expect("data dir"))
        .await
        .expect("store");
    TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
        .await
        .expect("manager")
}

/// How many entries of task `task_id` one page of `filter` holds.
async fn page_of(manager: &TaskManager, task_id: &str, filter: &LogFilter) -> usize {
    manager
        .query_logs(task_id, filter)
        .await
        .expect("page")
        .entries
        .len()
}

/// The median time of `runs` runs of `work`, and what its last run gave.
async fn median<F, Fut>(runs: usize, mut work: F) -> (Duration, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        size = work().await;
        times.push(started.elapsed());
    }
    times.sort();
    (times[runs / 2], size)
}

/// Runs `sql` with `params` by hand, reading every column of every row.
fn hand(connection: &rusqlite::Connection, sql: &str, params: &[i64]) -> usize {
    let mut statement = connection.prepare_cached(sql).expect("prepare");
    let columns = statement.column_count();
    let mut rows = statement
        .query(rusqlite::params_from_iter(params))
        .expect("query");
    let mut count = 0;
    while let Some(row) = rows.next().expect("row") {
        for column in 0..columns {
            let _: rusqlite::types::Value = row.get(column).expect("value");
        }
        count += 1;
    }
    count
}

fn hand_median(runs: usize, mut work: impl FnMut() -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

#[tokio::main]
async fn main() {
    let count = bench::size(1_000_000, 20_000);
    let sections = count.div_ceil(SECTION_ENTRIES as u64);
    println!(
        "log_sections benchmark: {} entries in {} sections, against the same log without\n",
        bench::grouped(count),
        bench::grouped(sections)
    );
    let plain = logged(count, false).await;
    let sectioned = logged(count, true).await;
    println!(
        "ingest until durable: {:.0} entries/s in sections, {:.0} without ({:.2}x)",
        sectioned.rate,
        plain.rate,
        sectioned.rate / plain.rate
    );
    Figure::new(
        "sections",
        format!(
            "ingest of {} entries in {} sections",
            bench::grouped(count),
            bench::grouped(sections)
        ),
        sectioned.rate,
        "entries/s",
    )
    .baseline(plain.rate)
    .target(
        "≥ 0.9× without sections",
        sectioned.rate >= 0.9 * plain.rate,
    )
    .print();

    let (plain_reads, sectioned_reads) = (reader(&plain).await, reader(&sectioned).await);
    let runs = 51;
    let newest = LogFilter {
        order: Order::Descending,
        ..LogFilter::default()
    };
    let (with_sections, size) = median(runs, || {
        page_of(&sectioned_reads, &sectioned.task_id, &newest)
    })
    .await;
    let (without, _) = median(runs, || page_of(&plain_reads, &plain.task_id, &newest)).await;
    let (list, listed) = median(runs, || async {
        sectioned_reads
            .log_sections(&sectioned.task_id)
            .await
            .expect("sections")
            .len()
    })
    .await;
    assert_eq!(listed as u64, sections, "every section listed");
    let open = bench::millis(with_sections) + bench::millis(list);
    println!(
        "open: newest page ({size} entries) {:.2} ms with their sections, {:.2} ms without; \
         the list of {listed} sections {:.2} ms",
        bench::millis(with_sections),
        bench::millis(without),
        bench::millis(list)
    );
    Figure::new(
        "sections",
        format!(
            "open: newest page and the outline of {} sections",
            bench::grouped(sections)
        ),
        open,
        "ms",
    )
    .baseline(bench::millis(without))
    .target("< 300 ms", open < 300.0)
    .print();

    // One section in the middle: its lines, as "Only" asks for them.
    let database = sectioned.dir.path().join("taskdeck.db");
    let connection = rusqlite::Connection::open_with_flags(
        &database,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open");
    let key: i64 = connection
        .query_row(
            "SELECT key FROM tasks WHERE id = ?",
            [&sectioned.task_id],
            |row| row.get(0),
        )
        .expect("task key");
    let middle = (sections / 2).max(1) as u32;
    let only = LogFilter {
        section: Some(middle),
        ..LogFilter::default()
    };
    let (ours, lines) = median(runs, || async {
        sectioned_reads
            .query_logs(&sectioned.task_id, &only)
            .await
            .expect("section page")
            .entries
            .len()
    })
    .await;
    let by_hand = hand_median(runs, || {
        hand(
            &connection,
            "SELECT l.id, l.seq, l.ts, l.level, l.source, l.message, l.metadata, l.styles \
             FROM task_log_sections s JOIN task_logs l \
             ON l.id >= (s.task_key << 32) + s.start_seq AND l.id <= (s.task_key << 32) + s.end_seq \
             WHERE s.task_key = ?1 AND s.id = ?2 ORDER BY l.id LIMIT 500",
            &[key, i64::from(middle)],
        )
    });
    println!(
        "one section's lines ({lines}): {:.2} ms, by hand {:.2} ms ({:.2}x)",
        bench::millis(ours),
        bench::millis(by_hand),
        bench::millis(ours) / bench::millis(by_hand)
    );
    Figure::new(
        "sections",
        "one section's lines (\"Only\"), first page".to_owned(),
        bench::millis(ours),
        "ms",
    )
    .baseline(bench::millis(by_hand))
    .target("< 300 ms", bench::millis(ours) < 300.0)
    .print();

    // Folding, a query in the core: every section folded (the page is
    // their header lines), then one unfolded, read from its header on.
    let fold_all = LogFilter {
        folding: Some(Folding::AllBut(Vec::new())),
        ..newest.clone()
    };
    let (folded, headers) = median(runs, || {
        page_of(&sectioned_reads, &sectioned.task_id, &fold_all)
    })
    .await;
    let start = sectioned_reads
        .log_sections(&sectioned.task_id)
        .await
        .expect("sections")[middle as usize - 1]
        .start_seq;
    let unfold_one = LogFilter {
        folding: Some(Folding::AllBut(vec![middle])),
        after_seq: Some(start - 1),
        order: Order::Ascending,
        ..LogFilter::default()
    };
    let (unfolded, shown) = median(runs, || {
        page_of(&sectioned_reads, &sectioned.task_id, &unfold_one)
    })
    .await;
    println!(
        "fold all: newest page ({headers} header lines) {:.2} ms; unfold one, from its header \
         ({shown} lines) {:.2} ms; the same page unfolded {:.2} ms",
        bench::millis(folded),
        bench::millis(unfolded),
        bench::millis(with_sections)
    );
    for (name, time) in [
        ("fold all: newest page of header lines", folded),
        ("unfold one section: the page from its header", unfolded),
    ] {
        Figure::new("sections", name.to_owned(), bench::millis(time), "ms")
            .baseline(bench::millis(with_sections))
            .target("< 300 ms", bench::millis(time) < 300.0)
            .print();
    }

    plain_reads.shutdown().await.expect("shutdown");
    sectioned_reads.shutdown().await.expect("shutdown");
}
