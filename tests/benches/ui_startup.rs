//! `ui_startup`: launch to the first painted frame and to a ready app, with
//! an empty store and with 10,000 tasks in History, in the real app.
//!
//! Each launch is a new WebDriver session (tauri-driver under Xvfb, as the
//! e2e tests run), which starts the app process. Two clocks start at a
//! launch: the app process's own start (from `/proc`, to 10 ms), which is
//! what a user's double-click starts and what the targets are judged on,
//! and the moment the session is requested, which adds WebKitWebDriver's
//! own start before it runs the app (printed beside it). In the page: the first paint (`performance` paint timing, where
//! WebKit reports it) and the `taskdeck-ready` mark the UI sets when its
//! first answer from the core arrives (the version in the footer), both
//! as wall-clock times through `performance.timeOrigin`. With 10,000 tasks
//! the benchmark then opens History and times, in the page, the click to
//! the first frame showing its rows. Median of three launches each.
//!
//! Needs what the e2e tests need (`TASKDECK_E2E_APP`, Xvfb, tauri-driver);
//! `cargo xtask bench` builds the release app and runs it.

#![allow(clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{PluginInfo, RunTaskRequest};
use taskdeck_tests::bench::page::{app_started_at, in_page, milliseconds};
use taskdeck_tests::bench::{self, Figure};
use taskdeck_tests::e2e::{AppSession, test_id};

/// A short task: a few lines, like a quick shell command.
struct Short;

#[async_trait::async_trait]
impl Plugin for Short {
    fn info(&self) -> PluginInfo {
        bench::plugin_info("short")
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        for line in 0..5 {
            ctx.logger().info(format!("step {line} done"));
        }
        Ok(Value::Null)
    }
}

/// Stores `tasks` finished tasks in `data_dir`, 50 at a time.
async fn seed(data_dir: &Path, tasks: u64) -> Result<(), CoreError> {
    let store = Store::open(DataDir::resolve(Some(data_dir))?).await?;
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Short));
    let manager = TaskManager::start(store, plugins, ManagerConfig::default()).await?;
    let mut left = tasks;
    while left > 0 {
        let mut running = Vec::new();
        for _ in 0..left.min(50) {
            let request = RunTaskRequest {
                plugin_id: "short".into(),
                params: Map::new(),
            };
            running.push(manager.run_task(request).await?.id);
        }
        for task in &running {
            manager.wait(task).await?;
        }
        left -= running.len() as u64;
    }
    manager.shutdown().await
}

/// What one launch measured, in ms from the app process's start, and
/// the same from the session's request (`_session`).
struct Launch {
    first_paint: Option<f64>,
    ready: f64,
    first_paint_session: Option<f64>,
    ready_session: f64,
    history: Option<f64>,
}

/// Milliseconds since the Unix epoch.
fn epoch_ms(time: SystemTime) -> Result<f64, String> {
    Ok(time
        .duration_since(UNIX_EPOCH)
        .map_err(|error| error.to_string())?
        .as_secs_f64()
        * 1000.0)
}

/// Launches the app on `data_dir`; times the first paint, the ready mark
/// and, if `open_history`, History's rows.
async fn launch(app_binary: &Path, data_dir: &Path, open_history: bool) -> Result<Launch, String> {
    let app = AppSession::launch("ui-startup", data_dir).await?;
    let outcome = async {
        let requested = epoch_ms(app.launched_at)?;
        app.wait_for_text(&test_id("footer-version"), |text| text.starts_with("Taskdeck"))
            .await?;
        let started = epoch_ms(
            app_started_at(app_binary).ok_or("cannot read when the app process started")?,
        )?;
        let marks = app
            .execute(
                "const p = performance;\n\
                 const ready = p.getEntriesByName('taskdeck-ready')[0];\n\
                 const paint = p.getEntriesByType('paint')[0];\n\
                 return { origin: p.timeOrigin, ready: ready ? ready.startTime : null,\n\
                          paint: paint ? paint.startTime : null };",
            )
            .await?;
        let origin = marks["origin"]
            .as_f64()
            .ok_or("the page has no performance.timeOrigin")?;
        let ready = marks["ready"]
            .as_f64()
            .ok_or("the page has no taskdeck-ready mark")?;
        let history = if open_history {
            let body = "document.querySelector('[data-testid=\"nav-history\"]').click();\n\
                 frames(() => document.querySelectorAll('[data-testid=\"history-row\"]').length > 0,\n\
                        () => performance.now() - start);";
            Some(milliseconds(in_page(&app, body).await?)?)
        } else {
            None
        };
        let paint = marks["paint"].as_f64().map(|paint| origin + paint);
        Ok(Launch {
            first_paint: paint.map(|paint| paint - started),
            ready: origin + ready - started,
            first_paint_session: paint.map(|paint| paint - requested),
            ready_session: origin + ready - requested,
            history,
        })
    }
    .await;
    app.finish(outcome).await
}

/// The median of `values` (NaN when there are none).
fn median(values: &[f64]) -> f64 {
    bench::percentile(values, 0.5)
}

async fn run(tasks: u64, rounds: usize) -> Result<(), String> {
    let app_binary = std::env::var_os("TASKDECK_E2E_APP")
        .map(std::path::PathBuf::from)
        .ok_or("TASKDECK_E2E_APP is not set (see the module docs)")?;
    let empty = tempfile::tempdir().map_err(|error| error.to_string())?;
    let full = tempfile::tempdir().map_err(|error| error.to_string())?;
    seed(full.path(), tasks)
        .await
        .map_err(|error| format!("cannot store the tasks: {error}"))?;
    println!("ui_startup benchmark: launch -> first paint -> ready, median of {rounds} launches\n");
    for (label, dir, open_history) in [
        ("empty store".to_owned(), empty.path(), false),
        (
            format!("{} tasks", bench::grouped(tasks)),
            full.path(),
            true,
        ),
    ] {
        let mut launches = Vec::new();
        for _ in 0..rounds {
            launches.push(launch(&app_binary, dir, open_history).await?);
        }
        let paints: Vec<f64> = launches.iter().filter_map(|l| l.first_paint).collect();
        let ready = median(&launches.iter().map(|l| l.ready).collect::<Vec<_>>());
        let paints_session: Vec<f64> = launches
            .iter()
            .filter_map(|l| l.first_paint_session)
            .collect();
        let ready_session = median(&launches.iter().map(|l| l.ready_session).collect::<Vec<_>>());
        let history: Vec<f64> = launches.iter().filter_map(|l| l.history).collect();
        let paint_text = |paints: &[f64]| {
            if paints.is_empty() {
                "(not reported by WebKit)".to_owned()
            } else {
                format!("{:.0}", median(paints))
            }
        };
        println!(
            "  {label:<14} from the app process's start: first paint {} ms, ready {ready:.0} ms; \
             from the session's request: {} ms, {ready_session:.0} ms{}",
            paint_text(&paints),
            paint_text(&paints_session),
            if history.is_empty() {
                String::new()
            } else {
                format!(
                    ", History rows on screen {:.0} ms after the click",
                    median(&history)
                )
            }
        );
        if !paints.is_empty() {
            Figure::new(
                "start-up",
                format!("app process start → first paint, {label}"),
                median(&paints),
                "ms",
            )
            .target("< 1000 ms", median(&paints) < 1000.0)
            .print();
        }
        Figure::new(
            "start-up",
            format!("app process start → ready (version from the core shown), {label}"),
            ready,
            "ms",
        )
        .target("< 1000 ms", ready < 1000.0)
        .print();
        Figure::new(
            "start-up",
            format!("WebDriver session request → ready (adds WebKitWebDriver's start), {label}"),
            ready_session,
            "ms",
        )
        .print();
        if !history.is_empty() {
            Figure::new(
                "start-up",
                format!("History opened, {label}"),
                median(&history),
                "ms",
            )
            .target("< 300 ms", median(&history) < 300.0)
            .print();
        }
    }
    Ok(())
}

fn main() {
    let tasks = bench::size(10_000, 300);
    let rounds = if bench::quick() { 1 } else { 3 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run(tasks, rounds)) {
        eprintln!("ui_startup: {error}");
        std::process::exit(1);
    }
}
