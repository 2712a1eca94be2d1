//! `durability`: how long an entry waits between its emit and its commit,
//! at 10,000 and 100,000 entries per second offered.
//!
//! Run with `cargo bench -p taskdeck-tests --bench durability` (add
//! `-- SECONDS` for another duration; `cargo xtask bench` runs it with the
//! others). A task emits realistic rows (`bench::rows`) at a steady rate,
//! a batch every millisecond, and notes when it emitted each `seq`. A
//! second connection to the same file — a reader, as another process
//! would be — polls the task's highest committed `seq` every millisecond
//! and notes when each one became visible. An entry's lag is the first
//! time its `seq` was visible less the time it was emitted: what a hard
//! kill at that moment could lose (the store runs WAL with
//! `synchronous=NORMAL`: a commit survives a crash of the process; an
//! operating-system crash can lose the last commits). The target is the
//! flush interval plus 50 ms at p99.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
    TaskRepository,
};
use taskdeck_protocol::{PluginInfo, RunTaskRequest};
use taskdeck_tests::bench::rows::{rows, source_loggers};
use taskdeck_tests::bench::{self, Figure};
use tokio::sync::Semaphore;

/// When each `seq` was emitted.
type Emitted = Vec<(u64, Instant)>;

/// Emits `per_millisecond` rows every millisecond for `milliseconds`,
/// once released, noting when it emitted each seq.
struct Paced {
    per_millisecond: u64,
    milliseconds: u64,
    release: Arc<Semaphore>,
    emitted: Arc<Mutex<Emitted>>,
}

#[async_trait::async_trait]
impl Plugin for Paced {
    fn info(&self) -> PluginInfo {
        bench::plugin_info("paced")
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let loggers = source_loggers(ctx.logger());
        let mut rows = rows(self.per_millisecond * self.milliseconds).into_iter();
        let mut emitted = Vec::with_capacity(rows.len());
        self.release
            .acquire()
            .await
            .map_err(|_| CoreError::PluginFailed("the benchmark is gone".into()))?
            .forget();
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for _ in 0..self.milliseconds {
            ticker.tick().await;
            for row in rows.by_ref().take(self.per_millisecond as usize) {
                let logger = &loggers[row.source];
                let seq = match row.metadata {
                    Some(metadata) => logger.log_with(row.level, row.message, metadata),
                    None => logger.log(row.level, row.message),
                };
                if let Some(seq) = seq {
                    emitted.push((seq, Instant::now()));
                }
            }
        }
        *self
            .emitted
            .lock()
            .map_err(|_| CoreError::PluginFailed("poisoned".into()))? = emitted;
        Ok(Value::Null)
    }
}

/// Polls the task's highest committed seq every millisecond until `stop`;
/// returns when each new highest seq was first seen.
fn poll_committed(
    path: std::path::PathBuf,
    task_key: i64,
    stop: &AtomicBool,
) -> Vec<(u64, Instant)> {
    let connection =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("reader");
    let mut statement = connection
        .prepare(
            "SELECT coalesce(max(id), 0) FROM task_logs \
             WHERE id >= (?1 << 32) AND id < ((?1 + 1) << 32)",
        )
        .expect("statement");
    let mut seen = Vec::new();
    let mut highest = 0u64;
    loop {
        let finished = stop.load(Ordering::Acquire);
        let id: i64 = statement
            .query_row([task_key], |row| row.get(0))
            .expect("poll");
        let now = Instant::now();
        let seq = (id & 0xFFFF_FFFF) as u64;
        if id > 0 && seq > highest {
            highest = seq;
            seen.push((seq, now));
        }
        if finished {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Emit-to-commit lags (ms) at `rate` entries/s for `milliseconds`, and the
/// rate the task really offered.
async fn lags(rate: u64, milliseconds: u64) -> (Vec<f64>, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let path = store.data_dir().database_path();
    let release = Arc::new(Semaphore::new(0));
    let emitted = Arc::new(Mutex::new(Vec::new()));
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Paced {
        per_millisecond: rate / 1000,
        milliseconds,
        release: Arc::clone(&release),
        emitted: Arc::clone(&emitted),
    }));
    let manager = TaskManager::start(store, plugins, ManagerConfig::default())
        .await
        .expect("manager");
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "paced".into(),
            params: Map::new(),
        })
        .await
        .expect("run");
    let key = TaskRepository::new(manager.store())
        .identity(&task.id)
        .await
        .expect("identity")
        .key;
    let stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || poll_committed(path, key, &stop))
    };
    let started = Instant::now();
    release.add_permits(1);
    manager.wait(&task.id).await.expect("wait");
    stop.store(true, Ordering::Release);
    let committed = poller.join().expect("poller");
    let emitted = std::mem::take(&mut *emitted.lock().expect("emitted"));
    let offered = emitted.len() as f64
        / emitted
            .last()
            .map_or(started.elapsed(), |(_, at)| at.duration_since(started))
            .as_secs_f64();
    let lags = emitted
        .iter()
        .map(|&(seq, at)| {
            let first = committed.partition_point(|&(highest, _)| highest < seq);
            let (_, visible) = committed
                .get(first)
                .copied()
                .expect("every emitted entry is committed by the end");
            bench::millis(visible.saturating_duration_since(at))
        })
        .collect();
    manager.shutdown().await.expect("shutdown");
    (lags, offered)
}

#[tokio::main]
async fn main() {
    let seconds = bench::size(5, 1);
    let interval = ManagerConfig::default().flush.interval;
    let target = bench::millis(interval) + 50.0;
    println!(
        "durability benchmark: emit -> committed, {seconds} s at each rate, flush interval {} ms\n",
        interval.as_millis()
    );
    for rate in [10_000, 100_000] {
        let (lags, offered) = lags(rate, seconds * 1000).await;
        let p50 = bench::percentile(&lags, 0.5);
        let p99 = bench::percentile(&lags, 0.99);
        let max = bench::percentile(&lags, 1.0);
        println!(
            "  {rate:>7} entries/s asked, {offered:>9.0} offered: p50 {p50:6.1} ms, p99 {p99:6.1} ms, max {max:6.1} ms ({} entries)",
            lags.len()
        );
        Figure::new(
            "durability",
            format!("emit → committed p99 at {rate} entries/s ({offered:.0} offered)"),
            p99,
            "ms",
        )
        .target(format!("< {target:.0} ms"), p99 < target)
        .print();
    }
}
