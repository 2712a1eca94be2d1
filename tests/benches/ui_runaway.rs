//! `ui_runaway`: a task logging as fast as it can, in the real app, for a
//! minute (`cargo xtask bench`; 8 s in a quick run): does the app stay
//! responsive, and does its memory stay bounded?
//!
//! The task is `yes` (one short line, as fast as a pipe goes). Twice a
//! second, in the page: the round trip of an IPC command (`list_tasks`),
//! the delay until the next animation frame (the webview's main thread),
//! and `storage_status` (entries waiting in memory). From outside: the
//! resident memory of the app process and of its web processes. The same
//! probes run for 5 s before the task starts: that idle app is the
//! baseline. The task is then cancelled; the figures say how many entries
//! were stored, and at what rate.
//!
//! `TASKDECK_E2E_APP=… cargo bench -p taskdeck-tests --bench ui_runaway
//! [-- <seconds>]`.

#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use taskdeck_tests::bench::page::app_memory;
use taskdeck_tests::bench::{self, Figure, percentile};
use taskdeck_tests::e2e::{AppSession, test_id};

/// The buffer's bound (`FlushConfig::max_held`'s default).
const MAX_HELD: f64 = 262_144.0;

/// One probe from the page.
const PROBE: &str = "const invoke = window.__TAURI__.core.invoke;\n\
    const start = performance.now();\n\
    invoke('list_tasks', { filter: {} }).then(() => {\n\
      const ipc = performance.now() - start;\n\
      const asked = performance.now();\n\
      requestAnimationFrame(() => {\n\
        const frame = performance.now() - asked;\n\
        invoke('storage_status').then((status) => done({ ipc, frame, held: status.entries_held }));\n\
      });\n\
    }, (error) => done({ error: String(error) }));";

/// What the probes saw over a stretch of time.
#[derive(Default)]
struct Probed {
    ipc: Vec<f64>,
    frame: Vec<f64>,
    held: Vec<f64>,
    app_mib: Vec<f64>,
    web_mib: Vec<f64>,
}

impl Probed {
    fn report(&self, label: &str) {
        println!("{label}:");
        for (name, values, unit) in [
            ("IPC round trip", &self.ipc, "ms"),
            ("next frame", &self.frame, "ms"),
            ("entries held", &self.held, ""),
            ("app RSS", &self.app_mib, "MiB"),
            ("web RSS", &self.web_mib, "MiB"),
        ] {
            println!(
                "  {name:<15} p50 {:8.1}{unit}  p95 {:8.1}{unit}  max {:8.1}{unit}  ({} probes)",
                percentile(values, 0.5),
                percentile(values, 0.95),
                percentile(values, 1.0),
                values.len()
            );
        }
    }
}

/// Probes twice a second for `duration`.
async fn probe_for(app: &AppSession, duration: Duration) -> Result<Probed, String> {
    let binary = std::path::PathBuf::from(
        std::env::var_os("TASKDECK_E2E_APP").ok_or("TASKDECK_E2E_APP is not set")?,
    );
    let mut probed = Probed::default();
    let started = Instant::now();
    while started.elapsed() < duration {
        let answer = app.execute_async(PROBE).await?;
        if let Some(error) = answer["error"].as_str() {
            return Err(format!("a probe failed: {error}"));
        }
        let number = |name: &str| answer[name].as_f64().unwrap_or(f64::NAN);
        probed.ipc.push(number("ipc"));
        probed.frame.push(number("frame"));
        probed.held.push(number("held"));
        let (app_kib, web_kib) = app_memory(&binary);
        probed.app_mib.push(app_kib as f64 / 1024.0);
        probed.web_mib.push(web_kib as f64 / 1024.0);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(probed)
}

async fn run(seconds: u64) -> Result<(), String> {
    let data_dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    let app = AppSession::launch("ui-runaway", data_dir.path()).await?;
    let outcome = async {
        app.wait_for_text(&test_id("footer-version"), |text| {
            text.starts_with("Taskdeck")
        })
        .await?;
        let idle = probe_for(&app, Duration::from_secs(5)).await?;

        app.select("plugin-picker", "shell").await?;
        app.fill("param-program", "yes").await?;
        app.fill("param-args", "runaway line: logging as fast as the pipe goes")
            .await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("running")
        })
        .await?;
        let flooding = probe_for(&app, Duration::from_secs(seconds)).await?;
        let _ = app.screenshot("flooding").await;
        let stopped = Instant::now();
        app.click("cancel-button").await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("cancelled")
        })
        .await?;
        let stop_ms = bench::millis(stopped.elapsed());
        let stats: Value = app
            .execute_async(
                "const taskId = document.querySelector('[data-testid=\"log-panel\"]').dataset.taskId;\n\
                 window.__TAURI__.core.invoke('get_task_log_stats', { taskId })\n\
                   .then((stats) => done(stats), (error) => done({ error: String(error) }));",
            )
            .await?;
        if let Some(error) = stats["error"].as_str() {
            return Err(format!("reading the task's stats failed: {error}"));
        }
        let stored = stats["total"].as_f64().unwrap_or(f64::NAN);
        let span_s = (chrono_millis(&stats["last_timestamp"]) - chrono_millis(&stats["first_timestamp"])) / 1000.0;

        println!();
        idle.report("idle app (baseline)");
        flooding.report(&format!("while `yes` logs as fast as it can ({seconds} s)"));
        println!(
            "stored {} entries over {span_s:.1} s ({:.0} entries/s); cancelled and written in {stop_ms:.0} ms",
            bench::grouped(stored as u64),
            stored / span_s.max(0.001)
        );

        let ipc_p95 = percentile(&flooding.ipc, 0.95);
        Figure::new("runaway", format!("IPC round trip p95 while a task floods ({seconds} s)"), ipc_p95, "ms")
            .baseline(percentile(&idle.ipc, 0.95))
            .target("< 250 ms (baseline: idle app)", ipc_p95 < 250.0)
            .print();
        let frame_p95 = percentile(&flooding.frame, 0.95);
        Figure::new("runaway", "next animation frame p95 while a task floods", frame_p95, "ms")
            .baseline(percentile(&idle.frame, 0.95))
            .target("< 100 ms (baseline: idle app)", frame_p95 < 100.0)
            .print();
        let held = percentile(&flooding.held, 1.0);
        Figure::new("runaway", "entries held in memory (most)", held, "entries")
            .target("≤ the buffer's bound (262,144)", held <= MAX_HELD)
            .print();
        let app_max = percentile(&flooding.app_mib, 1.0);
        Figure::new("runaway", "app process RSS while a task floods (most)", app_max, "MiB")
            .baseline(percentile(&idle.app_mib, 1.0))
            .target("< 200 MiB (baseline: idle app)", app_max < 200.0)
            .print();
        Figure::new(
            "runaway",
            "WebKit web processes RSS while a task floods (most)",
            percentile(&flooding.web_mib, 1.0),
            "MiB",
        )
        .baseline(percentile(&idle.web_mib, 1.0))
        .print();
        Figure::new("runaway", "entries stored while flooding", stored / span_s.max(0.001), "entries/s")
            .print();
        Ok::<(), String>(())
    }
    .await;
    app.finish(outcome).await
}

/// An RFC 3339 time from the protocol as milliseconds since the epoch.
fn chrono_millis(value: &Value) -> f64 {
    value
        .as_str()
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map_or(f64::NAN, |time| time.timestamp_millis() as f64)
}

fn main() {
    let seconds = bench::size(60, 8);
    println!(
        "ui_runaway benchmark: a task logging as fast as it can for {seconds} s, in the real app"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run(seconds)) {
        eprintln!("ui_runaway: {error}");
        std::process::exit(1);
    }
}
