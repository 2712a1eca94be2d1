//! `emit`: what one `TaskLogger` call costs the task that makes it, with 1
//! and with 8 producers at once, against a `tracing` event written through
//! `tracing-appender`'s non-blocking writer (the usual way a Rust program
//! keeps logging off its hot path), in the same process.
//!
//! Run with `cargo bench -p taskdeck-tests --bench emit` (add `-- N` for
//! another total entry count; `cargo xtask bench` runs it with the others).
//! Both sides emit the same realistic rows (`bench::rows`) from the same
//! number of OS threads, each call timed on its own: p50, p99 and max; and
//! once more, with one producer, a build's coloured output
//! (`coloured_rows`), whose escape sequences Taskdeck parses at emit.
//!
//! - **Taskdeck:** one running task per producer; each thread logs
//!   through its task's `TaskLogger` (children per source, metadata where
//!   the row has it) while the flusher writes to SQLite (FTS on) behind it.
//! - **Baseline:** the same rows as `tracing` events (level, target, source
//!   and metadata fields, the message) to a `fmt` subscriber whose writer is
//!   `tracing_appender::non_blocking` over a file; its worker thread writes
//!   behind the producers.
//!
//! The log buffer's bound (`FlushConfig::max_held`) is raised above the
//! run's size: these producers emit far faster than any disk writes, and
//! with the default bound most calls would be counted as lost rather than
//! kept, which is not the call this measures.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, FlushConfig, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext,
    TaskLogger, TaskManager,
};
use taskdeck_protocol::{LogLevel, PluginInfo, RunTaskRequest};
use taskdeck_tests::bench::rows::{Row, SOURCES, coloured_rows, rows, source_loggers};
use taskdeck_tests::bench::{self, Figure};
use tokio::sync::{Semaphore, mpsc};

/// Hands its task's logger to the benchmark and runs until released, so
/// that the benchmark's own threads do the logging.
struct Relay {
    loggers: mpsc::UnboundedSender<TaskLogger>,
    release: Arc<Semaphore>,
}

#[async_trait::async_trait]
impl Plugin for Relay {
    fn info(&self) -> PluginInfo {
        bench::plugin_info("firehose")
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        self.loggers
            .send(ctx.logger().clone())
            .map_err(|_| CoreError::PluginFailed("the benchmark is gone".into()))?;
        self.release
            .acquire()
            .await
            .map_err(|_| CoreError::PluginFailed("the benchmark is gone".into()))?
            .forget();
        Ok(Value::Null)
    }
}

/// Emit times in nanoseconds of every call of every producer.
type Times = Vec<f64>;

/// Runs `emit` over each producer's rows on its own OS thread; returns
/// every call's time.
fn timed_producers<F>(parts: Vec<Vec<Row>>, emit: F) -> Times
where
    F: Fn(usize, Row) + Sync,
{
    let times = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (producer, rows) in parts.into_iter().enumerate() {
            let (emit, times) = (&emit, &times);
            scope.spawn(move || {
                let mut own = Vec::with_capacity(rows.len());
                for row in rows {
                    let started = Instant::now();
                    emit(producer, row);
                    own.push(started.elapsed().as_nanos() as f64);
                }
                times.lock().expect("times").extend(own);
            });
        }
    });
    times.into_inner().expect("times")
}

/// Which rows a run emits.
type Rows = fn(u64) -> Vec<Row>;

/// The rows split between `producers`.
fn parts(rows: Rows, count: u64, producers: usize) -> Vec<Vec<Row>> {
    let mut parts: Vec<Vec<Row>> = (0..producers).map(|_| Vec::new()).collect();
    for (index, row) in rows(count).into_iter().enumerate() {
        parts[index % producers].push(row);
    }
    parts
}

/// Taskdeck: one task per producer, every row through its `TaskLogger`.
async fn ours(rows: Rows, count: u64, producers: usize) -> Times {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let release = Arc::new(Semaphore::new(0));
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Relay {
        loggers: sender,
        release: Arc::clone(&release),
    }));
    let config = ManagerConfig {
        flush: FlushConfig {
            max_held: usize::try_from(2 * count).unwrap_or(usize::MAX),
            ..FlushConfig::default()
        },
        ..ManagerConfig::default()
    };
    let manager = TaskManager::start(store, plugins, config)
        .await
        .expect("manager");
    let mut tasks = Vec::new();
    let mut loggers = Vec::new();
    for _ in 0..producers {
        let task = manager
            .run_task(RunTaskRequest {
                plugin_id: "firehose".into(),
                params: Map::new(),
            })
            .await
            .expect("run");
        tasks.push(task.id);
        let logger = receiver.recv().await.expect("logger");
        loggers.push(source_loggers(&logger));
    }
    let parts = parts(rows, count, producers);
    let times = tokio::task::block_in_place(|| {
        timed_producers(parts, |producer, row| {
            let logger = &loggers[producer][row.source];
            match row.metadata {
                Some(metadata) => logger.log_with(row.level, row.message, metadata),
                None => logger.log(row.level, row.message),
            };
        })
    });
    release.add_permits(producers);
    let mut stored = 0;
    for task in &tasks {
        stored += manager.wait(task).await.expect("wait").counts.total();
    }
    // Each task adds its own start and end entries.
    assert_eq!(stored, count + 2 * producers as u64, "entries went missing");
    manager.shutdown().await.expect("shutdown");
    times
}

/// The baseline: the same rows as `tracing` events to a non-blocking file
/// writer.
fn baseline(rows: Rows, count: u64, producers: usize) -> Times {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = std::fs::File::create(dir.path().join("baseline.log")).expect("log file");
    let (writer, guard) = tracing_appender::non_blocking(file);
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .finish(),
    );
    let parts: Vec<Vec<(Row, Option<Value>)>> = parts(rows, count, producers)
        .into_iter()
        .map(|rows| {
            rows.into_iter()
                .map(|mut row| {
                    let metadata = row.metadata.take().map(Value::Object);
                    (row, metadata)
                })
                .collect()
        })
        .collect();
    let times = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for rows in parts {
            let (dispatch, times) = (&dispatch, &times);
            scope.spawn(move || {
                tracing::dispatcher::with_default(dispatch, || {
                    let mut own = Vec::with_capacity(rows.len());
                    for (row, metadata) in rows {
                        let started = Instant::now();
                        trace_row(&row, metadata.as_ref());
                        own.push(started.elapsed().as_nanos() as f64);
                    }
                    times.lock().expect("times").extend(own);
                });
            });
        }
    });
    drop(guard);
    times.into_inner().expect("times")
}

/// One row as a `tracing` event with the fields an entry has.
fn trace_row(row: &Row, metadata: Option<&Value>) {
    let source = SOURCES[row.source];
    let message = row.message.as_str();
    match (row.level, metadata) {
        (LogLevel::Debug, None) => tracing::debug!(target: "firehose", source, "{message}"),
        (LogLevel::Debug, Some(meta)) => {
            tracing::debug!(target: "firehose", source, metadata = %meta, "{message}")
        }
        (LogLevel::Info, None) => tracing::info!(target: "firehose", source, "{message}"),
        (LogLevel::Info, Some(meta)) => {
            tracing::info!(target: "firehose", source, metadata = %meta, "{message}")
        }
        (LogLevel::Warning, None) => tracing::warn!(target: "firehose", source, "{message}"),
        (LogLevel::Warning, Some(meta)) => {
            tracing::warn!(target: "firehose", source, metadata = %meta, "{message}")
        }
        (LogLevel::Error, None) => tracing::error!(target: "firehose", source, "{message}"),
        (LogLevel::Error, Some(meta)) => {
            tracing::error!(target: "firehose", source, metadata = %meta, "{message}")
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let count = bench::size(1_000_000, 20_000);
    println!("emit benchmark: {count} entries, each call timed (ns)\n");
    println!(
        "  {:<34} {:>8} {:>8} {:>10}",
        "producers, side", "p50", "p99", "max"
    );
    // The realistic rows with 1 and 8 producers; a build's coloured output
    // (escape sequences parsed at emit) with one.
    let runs: [(&str, Rows, usize); 3] = [
        ("", rows, 1),
        ("", rows, 8),
        (", coloured build output", coloured_rows, 1),
    ];
    for (kind, rows, producers) in runs {
        let base = baseline(rows, count, producers);
        let ours = ours(rows, count, producers).await;
        let stats = |times: &Times| {
            (
                bench::percentile(times, 0.5),
                bench::percentile(times, 0.99),
                bench::percentile(times, 1.0),
            )
        };
        let (base_p50, base_p99, base_max) = stats(&base);
        let (ours_p50, ours_p99, ours_max) = stats(&ours);
        println!(
            "  {:<34} {base_p50:>8.0} {base_p99:>8.0} {base_max:>10.0}",
            format!("{producers}{kind}, tracing non_blocking")
        );
        println!(
            "  {:<34} {ours_p50:>8.0} {ours_p99:>8.0} {ours_max:>10.0}",
            format!("{producers}{kind}, TaskLogger")
        );
        let name = |percentile: &str| {
            format!(
                "{percentile} of one call, {producers} producer{}{kind}",
                if producers == 1 { "" } else { "s" }
            )
        };
        Figure::new("emit", name("p50"), ours_p50, "ns")
            .baseline(base_p50)
            .print();
        Figure::new("emit", name("p99"), ours_p99, "ns")
            .baseline(base_p99)
            .target("≤ 2× baseline", ours_p99 <= 2.0 * base_p99)
            .print();
    }
}
