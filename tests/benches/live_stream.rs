//! Live filtering at the engine's edge: entries offered at 10,000 per second, a
//! live subscription keeping 1 in 10.
//!
//! Run with `cargo bench -p taskdeck-tests --bench live_stream` (or
//! `cargo xtask bench`). It prints how many entries the subscription sent
//! against how many matched (they must be equal: nothing else may cross
//! IPC), the latency from emit to the subscription's sink (p50, p95, max) —
//! the core-process part of "emit to screen"; IPC and rendering come on top
//! in the app (`ui_live_stream`) — and the entries per second delivered.
//!
//! The sink serialises every message to JSON, as the app's IPC channel
//! does. The baseline replays the very same serialised batches through a
//! bare tokio channel, each sent the moment its newest entry was emitted:
//! what delivery would be with no store, filter or subscription between
//! the producer and the channel.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{LiveLogMessage, LogFilter, PluginInfo, RunTaskRequest, TaskStatus};
use taskdeck_tests::bench::{self, Figure};

const RATE_PER_SECOND: u64 = 10_000;

/// Emits `RATE_PER_SECOND` entries a second for `seconds`, one in ten from
/// `steady.rare`.
struct Steady {
    seconds: u64,
}

#[async_trait::async_trait]
impl Plugin for Steady {
    fn info(&self) -> PluginInfo {
        bench::plugin_info("steady")
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let common = ctx.logger().child("common");
        let rare = ctx.logger().child("rare");
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let per_tick = RATE_PER_SECOND / 1000;
        let mut index = 0u64;
        for _ in 0..self.seconds * 1000 {
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

/// One message as the sink got it: when, its entries' emit times, and its
/// JSON.
struct Delivered {
    at: DateTime<Utc>,
    emitted: Vec<DateTime<Utc>>,
    json: Vec<u8>,
}

/// The baseline: `batches` (pre-serialised, with the time their newest
/// entry was emitted) sent through a bare channel at those times. Returns
/// entries per second delivered, from the first emit to the last arrival.
async fn bare_channel(batches: Vec<(DateTime<Utc>, usize, Vec<u8>)>) -> f64 {
    let Some(first) = batches.iter().map(|(at, _, _)| *at).min() else {
        return f64::NAN;
    };
    let total: usize = batches.iter().map(|(_, entries, _)| entries).sum();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(usize, Vec<u8>)>();
    let start = tokio::time::Instant::now();
    let producer = tokio::spawn(async move {
        for (at, entries, json) in batches {
            let offset = (at - first).to_std().unwrap_or_default();
            tokio::time::sleep_until(start + offset).await;
            if sender.send((entries, json)).is_err() {
                return;
            }
        }
    });
    let mut received = 0;
    let mut last = start;
    while let Some((entries, json)) = receiver.recv().await {
        std::hint::black_box(json);
        received += entries;
        last = tokio::time::Instant::now();
    }
    producer.await.expect("producer");
    assert_eq!(received, total);
    total as f64 / (last - start).as_secs_f64()
}

#[tokio::main]
async fn main() {
    let seconds = bench::size(5, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(DataDir::resolve(Some(dir.path())).expect("data dir"))
        .await
        .expect("store");
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Steady { seconds }));
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

    let delivered: Arc<Mutex<Vec<Delivered>>> = Arc::default();
    let (ended, mut end) = tokio::sync::mpsc::unbounded_channel();
    let sink = {
        let delivered = Arc::clone(&delivered);
        Box::new(move |message: LiveLogMessage| {
            let at = Utc::now();
            match &message {
                LiveLogMessage::Entries { entries } => {
                    let emitted = entries.iter().map(|entry| entry.timestamp).collect();
                    let json = serde_json::to_vec(&message).expect("json");
                    delivered
                        .lock()
                        .expect("lock")
                        .push(Delivered { at, emitted, json });
                    true
                }
                _ => ended.send(message).is_ok(),
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
    let delivered = std::mem::take(&mut *delivered.lock().expect("lock"));
    let latencies: Vec<f64> = delivered
        .iter()
        .flat_map(|message| {
            message.emitted.iter().map(|emitted| {
                (message.at - *emitted).num_microseconds().unwrap_or(0) as f64 / 1000.0
            })
        })
        .collect();
    let sent = latencies.len();
    let first_emit = delivered
        .iter()
        .flat_map(|message| message.emitted.iter().copied())
        .min()
        .expect("something was delivered");
    let last_arrival = delivered
        .iter()
        .map(|message| message.at)
        .max()
        .expect("arrivals");
    let ours_rate = sent as f64 / (last_arrival - first_emit).as_seconds_f64();
    let batches = delivered
        .into_iter()
        .map(|message| {
            let newest = message.emitted.iter().copied().max().unwrap_or(message.at);
            (newest, message.emitted.len(), message.json)
        })
        .collect::<Vec<_>>();
    let messages = batches.len();
    let bare_rate = bare_channel(batches).await;
    let p50 = bench::percentile(&latencies, 0.5);
    let p95 = bench::percentile(&latencies, 0.95);
    println!(
        "live_stream: {RATE_PER_SECOND} entries/s offered for {seconds} s ({} in all), filter keeps source steady.rare",
        stats.total
    );
    println!(
        "  entries sent: {sent} in {messages} messages; entries matching: {matching}; equal: {}",
        sent as u64 == matching
    );
    println!(
        "  emit -> subscriber latency: p50 {p50:.0} ms, p95 {p95:.0} ms, max {:.0} ms (flush interval {} ms)",
        bench::percentile(&latencies, 1.0),
        config.flush.interval.as_millis()
    );
    println!(
        "  delivered: {ours_rate:.0} entries/s; the same batches through a bare channel: {bare_rate:.0} entries/s; ratio {:.2}",
        ours_rate / bare_rate
    );
    Figure::new(
        "live",
        "matching entries/s through a filtered subscription, 10,000/s offered",
        ours_rate,
        "entries/s",
    )
    .baseline(bare_rate)
    .target("≥ 0.8× baseline", ours_rate >= 0.8 * bare_rate)
    .print();
    Figure::new("live", "emit → subscriber p95, core only", p95, "ms")
        .target("< 250 ms", p95 < 250.0)
        .print();
    manager.shutdown().await.expect("shutdown");
}
