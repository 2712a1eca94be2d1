//! `ui_large_log`: the log panel of the real app on a stored task of
//! 1,000,000 entries (SC-004), measured in the page.
//!
//! A real Taskdeck process (`log-writer`) writes two tasks into one data
//! directory: a baseline of 100 entries and the large one. The app is then
//! driven through tauri-driver (as the e2e tests are) and every timing is
//! taken inside the webview with `performance.now()`, from the action to
//! the first animation frame that shows its result, so WebDriver's polling
//! adds nothing. Printed: time to the first page, to a level filter's
//! result and to a search's result for both tasks (and their ratio), the
//! number of row elements in the DOM while scrolling through the large log,
//! and the resident memory of the app and its web processes.
//!
//! Needs what the e2e tests need (`TASKDECK_E2E_APP`, Xvfb, tauri-driver):
//! `cargo xtask ui && cargo build -p taskdeck-app && TASKDECK_E2E_APP=…
//! cargo bench -p taskdeck-tests --bench ui_large_log [-- <entries>]`.

#![allow(clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use taskdeck_tests::e2e::{AppSession, test_id};

/// Runs `body` (JavaScript with `start` already set, `done(result)` to
/// call, and `frames(ready, result)` to call `done(result())` at the first
/// animation frame where `ready()` holds) and returns the result.
async fn in_page(app: &AppSession, body: &str) -> Result<Value, String> {
    app.execute_async(&format!(
        "const start = performance.now();\n\
         const frames = (ready, result) => {{\n\
           const check = () => ready() ? done(result()) : requestAnimationFrame(check);\n\
           requestAnimationFrame(check);\n\
         }};\n\
         {body}"
    ))
    .await
}

/// Milliseconds from clicking the `index`-th "open" button in History to
/// the first frame showing the newest row of its log (`last_seq`).
async fn open_task(app: &AppSession, index: usize, last_seq: u64) -> Result<f64, String> {
    let body = format!(
        "document.querySelectorAll('[data-testid=\"history-open\"]')[{index}].click();\n\
         frames(() => !!document.querySelector('[data-testid=\"log-row\"][data-seq=\"{last_seq}\"]'),\n\
                () => performance.now() - start);"
    );
    milliseconds(in_page(app, &body).await?)
}

/// Milliseconds from applying a filter (`apply`, JavaScript) to the first
/// frame where rows are shown again, all satisfying `row_ok` (a JavaScript
/// predicate over a row element).
async fn filter_rows(app: &AppSession, apply: &str, row_ok: &str) -> Result<f64, String> {
    let body = format!(
        "const rows = () => [...document.querySelectorAll('[data-testid=\"log-row\"]')];\n\
         const before = rows()[0];\n\
         {apply}\n\
         frames(() => !document.querySelector('[data-testid=\"rows-loading\"]')\n\
                      && rows().length > 0 && rows()[0] !== before\n\
                      && rows().every({row_ok}),\n\
                () => performance.now() - start);"
    );
    milliseconds(in_page(app, &body).await?)
}

fn milliseconds(value: Value) -> Result<f64, String> {
    value
        .as_f64()
        .ok_or_else(|| format!("the page returned {value} instead of milliseconds"))
}

const SET_LEVEL_ERROR: &str = "const level = document.querySelector('[data-testid=\"filter-level\"]');\n\
     level.value = 'ERROR'; level.dispatchEvent(new Event('change', { bubbles: true }));";
const CLEAR_LEVEL: &str = "const level = document.querySelector('[data-testid=\"filter-level\"]');\n\
     level.value = ''; level.dispatchEvent(new Event('change', { bubbles: true }));";
/// "entry 1234:" — one entry's own number; the FTS query matches the token.
fn search(term: &str) -> String {
    format!(
        "const box = document.querySelector('[data-testid=\"filter-search\"]');\n\
         box.value = '{term}'; box.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    )
}

/// The resident memory (KiB) of the app process and of its children (the
/// web content and network processes).
fn app_memory(app_binary: &Path) -> (u64, u64) {
    let wanted = app_binary.canonicalize().ok();
    let mut app_pids = Vec::new();
    let mut processes = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let rss = field("VmRSS:");
        let parent = u32::try_from(field("PPid:")).unwrap_or(0);
        if std::fs::read_link(entry.path().join("exe")).ok() == wanted {
            app_pids.push((pid, rss));
        }
        processes.push((parent, rss));
    }
    let app: u64 = app_pids.iter().map(|(_, rss)| rss).sum();
    let children: u64 = processes
        .iter()
        .filter(|(parent, _)| app_pids.iter().any(|(pid, _)| pid == parent))
        .map(|(_, rss)| rss)
        .sum();
    (app, children)
}

fn write_task(data_dir: &Path, count: u64) {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_log-writer"))
        .arg(data_dir)
        .args([count.to_string().as_str(), "1000"])
        .stdout(Stdio::null())
        .status()
        .expect("log-writer runs");
    assert!(status.success(), "log-writer failed: {status}");
    println!(
        "wrote a task of {count} entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

struct Figures {
    open: f64,
    level: f64,
    search: f64,
}

/// Opens the `index`-th task of History (`entries` entries plus the two
/// system lines) and times the first page, a level filter and a search.
async fn measure(app: &AppSession, index: usize, entries: u64) -> Result<Figures, String> {
    let open = open_task(app, index, entries + 2).await?;
    let level = filter_rows(app, SET_LEVEL_ERROR, "row => row.dataset.level === 'ERROR'").await?;
    filter_rows(app, CLEAR_LEVEL, "row => true").await?;
    // The entry written 75th from the start, by its unique number.
    let search = filter_rows(
        app,
        &search("75"),
        "row => row.querySelector('mark.match') !== null",
    )
    .await?;
    Ok(Figures {
        open,
        level,
        search,
    })
}

async fn run(count: u64) -> Result<(), String> {
    let app_binary = std::env::var_os("TASKDECK_E2E_APP")
        .map(std::path::PathBuf::from)
        .ok_or("TASKDECK_E2E_APP is not set (see the module docs)")?;
    let data_dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    const BASELINE: u64 = 100;
    write_task(data_dir.path(), BASELINE);
    write_task(data_dir.path(), count);

    let app = AppSession::launch("ui-large-log", data_dir.path()).await?;
    let outcome = async {
        app.wait_for_text(&test_id("footer-version"), |text| text.starts_with("Taskdeck"))
            .await?;
        app.click("nav-history").await?;
        app.wait_for_attributes(&test_id("history-row"), "data-task-id", |ids| ids.len() == 2)
            .await?;
        let (app_before, web_before) = app_memory(&app_binary);

        // History is newest first: the large task is row 0. Alternate
        // between the two (each switch mounts a new panel) and keep the
        // median of three rounds.
        let mut rounds = Vec::new();
        for _ in 0..3 {
            rounds.push((
                measure(&app, 1, BASELINE).await?,
                measure(&app, 0, count).await?,
            ));
        }
        let median = |pick: fn(&Figures) -> f64, large: bool| {
            let mut values: Vec<f64> = rounds
                .iter()
                .map(|(small, big)| pick(if large { big } else { small }))
                .collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let figures = |large| Figures {
            open: median(|figures| figures.open, large),
            level: median(|figures| figures.level, large),
            search: median(|figures| figures.search, large),
        };
        let (small, large) = (figures(false), figures(true));
        let (app_open, web_open) = app_memory(&app_binary);

        // Scroll through the large log: to the top (loading earlier pages)
        // and back down, counting row elements at every step.
        app.click("filter-clear").await?;
        let scroll = "const list = document.querySelector('[data-testid=\"log-rows\"]');\n\
             const counts = []; const held = []; let steps = 0; let began = 0;\n\
             const step = () => {\n\
               if (!began) began = performance.now();\n\
               counts.push(document.querySelectorAll('[data-testid=\"log-row\"]').length);\n\
               held.push(document.querySelector('[data-testid=\"rows-shown\"]').textContent);\n\
               if (steps++ >= 400) return done({ counts, held, ms: performance.now() - began });\n\
               list.scrollTop = steps < 300 ? Math.max(0, list.scrollTop - 900) : list.scrollTop + 4000;\n\
               requestAnimationFrame(step);\n\
             };\n\
             const settled = () => document.querySelectorAll('[data-testid=\"log-row\"]').length > 0\n\
                 && !document.querySelector('[data-testid=\"rows-loading\"]');\n\
             const wait = () => requestAnimationFrame(settled() ? step : wait);\n\
             wait();";
        // Baseline: the same number of frames with nothing scrolling.
        let idle = "let frames_left = 400;\n\
             const tick = () => --frames_left > 0 ? requestAnimationFrame(tick) : done(performance.now() - start);\n\
             requestAnimationFrame(tick);";
        let idle_ms = milliseconds(in_page(&app, idle).await?)? / 400.0;
        let scrolled = in_page(&app, scroll).await?;
        let counts: Vec<u64> = scrolled["counts"]
            .as_array()
            .map(|counts| counts.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        let held = scrolled["held"]
            .as_array()
            .and_then(|held| held.iter().filter_map(Value::as_str).max_by_key(|text| text.len()))
            .unwrap_or("?")
            .to_owned();
        let (app_scrolled, web_scrolled) = app_memory(&app_binary);
        app.screenshot("scrolled").await?;

        println!("\nfirst page on screen, level filter (ERROR), search (one entry's number):");
        println!("  {BASELINE:>9} entries: {:7.1} ms  {:7.1} ms  {:7.1} ms", small.open, small.level, small.search);
        println!("  {count:>9} entries: {:7.1} ms  {:7.1} ms  {:7.1} ms", large.open, large.level, large.search);
        println!(
            "  ratio large/baseline: {:.2}  {:.2}  {:.2}",
            large.open / small.open,
            large.level / small.level,
            large.search / small.search
        );
        let scroll_ms = scrolled["ms"].as_f64().unwrap_or(0.0);
        println!(
            "\nscrolling {} frames (300 up by 900 px, 100 down by 4,000 px) in {scroll_ms:.0} ms \
             ({:.1} ms a frame):",
            counts.len(),
            scroll_ms / counts.len().max(1) as f64
        );
        println!(
            "  idle frame baseline: {idle_ms:.1} ms a frame; ratio {:.2}",
            scroll_ms / counts.len().max(1) as f64 / idle_ms
        );
        println!(
            "  row elements in the DOM: min {} max {} (most rows held: {held})",
            counts.iter().min().unwrap_or(&0),
            counts.iter().max().unwrap_or(&0)
        );
        println!("\nresident memory (MiB): app process + its web processes");
        for (label, (app_kib, web_kib)) in [
            ("History open", (app_before, web_before)),
            ("after both tasks", (app_open, web_open)),
            ("after scrolling", (app_scrolled, web_scrolled)),
        ] {
            println!(
                "  {label:<18} {:6.1} + {:6.1} = {:6.1}",
                app_kib as f64 / 1024.0,
                web_kib as f64 / 1024.0,
                (app_kib + web_kib) as f64 / 1024.0
            );
        }
        Ok::<(), String>(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

fn main() {
    let count: u64 = std::env::args()
        .skip(1)
        .find_map(|argument| argument.parse().ok())
        .unwrap_or(1_000_000);
    println!("ui_large_log benchmark: a stored task of {count} entries in the real app\n");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run(count)) {
        eprintln!("ui_large_log: {error}");
        std::process::exit(1);
    }
}
