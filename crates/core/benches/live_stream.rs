//! SC-002 at the engine's edge: entries offered at 10,000 per second, a
//! live subscription keeping 1 in 10.
//!
//! Run with `cargo bench -p taskdeck-core --bench live_stream`. It prints
//! how many entries the subscription sent against how many matched (they
//! must be equal: nothing else may cross IPC) and the latency from emit to
//! the subscription's sink (p50, p95, max) — the core-process part of
//! "emit to screen"; IPC and rendering come on top in the app.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{
    LiveLogMessage, LogFilter, ParamSchema, PluginInfo, RunTaskRequest, TaskStatus,
};

const RATE_PER_SECOND: u64 = 10_000;
const SECONDS: u64 = 5;

/// Emits `RATE_PER_SECOND` entries a second for `SECONDS`, one in ten from
/// `steady.rare`.
struct Steady;

#[async_trait::async_trait]
impl Plugin for Steady {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            id: "steady".into(),
            name: "Steady".into(),
            description: "Benchmark plugin".into(),
            params: ParamSchema::default(),
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let common = ctx.logger().child("common");
        let rare = ctx.logger().child("rare");
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let per_tick = RATE_PER_SECOND / 1000;
        let mut index = 0u64;
        for _ in 0..SECONDS * 1000 {
            ticker.tick().await;
            for _ in 0..per_tick {
                if index.is_multiple_of(10) {
                    rare.info(format!("rare entry {index}"));
                } else {
                    common.info(format!("common entry {index}"));
                }
                index += 1;
            }
        }
        Ok(Value::from(index))
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Steady));
    let config = ManagerConfig::default();
    let manager = TaskManager::start(store, plugins, config)
        .await
        .expect("manager");
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "steady".into(),
            params: Map::new(),
        })
        .await
        .expect("run");

    let received: Arc<Mutex<Vec<(u64, i64)>>> = Arc::default();
    let messages = Arc::new(Mutex::new(0usize));
    let (ended, mut end) = tokio::sync::mpsc::unbounded_channel();
    let sink = {
        let received = Arc::clone(&received);
        let messages = Arc::clone(&messages);
        Box::new(move |message: LiveLogMessage| {
            let now = Utc::now();
            match message {
                LiveLogMessage::Entries { entries } => {
                    *messages.lock().expect("lock") += 1;
                    let mut received = received.lock().expect("lock");
                    for entry in entries {
                        let latency = (now - entry.timestamp).num_milliseconds();
                        received.push((entry.seq, latency));
                    }
                    true
                }
                other => ended.send(other).is_ok(),
            }
        })
    };
    let filter = LogFilter {
        sources: vec!["steady.rare".into()],
        ..LogFilter::default()
    };
    manager
        .subscribe_task_logs(&task.id, filter.clone(), 0, sink)
        .await
        .expect("subscribe");
    let last = end.recv().await.expect("end");
    assert_eq!(
        last,
        LiveLogMessage::End {
            status: TaskStatus::Succeeded
        }
    );

    let stats = manager.log_stats(&task.id).await.expect("stats");
    let matching = stats
        .sources
        .iter()
        .find(|source| source.source == "steady.rare")
        .map_or(0, |source| source.counts.total());
    let received = received.lock().expect("lock").clone();
    let mut latencies: Vec<i64> = received.iter().map(|(_, latency)| *latency).collect();
    latencies.sort_unstable();
    let percentile =
        |fraction: f64| latencies[((latencies.len() as f64 - 1.0) * fraction).round() as usize];
    println!(
        "live_stream: {RATE_PER_SECOND} entries/s offered for {SECONDS} s ({} in all), filter keeps source steady.rare",
        stats.total
    );
    println!(
        "  entries sent: {} in {} messages; entries matching: {matching}; equal: {}",
        received.len(),
        messages.lock().expect("lock"),
        received.len() as u64 == matching
    );
    println!(
        "  emit -> subscriber latency: p50 {} ms, p95 {} ms, max {} ms (flush interval {} ms)",
        percentile(0.5),
        percentile(0.95),
        latencies.last().copied().unwrap_or_default(),
        config.flush.interval.as_millis()
    );
    manager.shutdown().await.expect("shutdown");
}
