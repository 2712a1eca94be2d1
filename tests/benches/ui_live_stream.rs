//! `ui_live_stream`: live rows in the real app with 10,000 entries/s
//! offered and a filter keeping 1 in 10, measured in the page.
//!
//! The app runs a `shell` task that writes 50,000 lines in bursts of 150,
//! pausing 10 ms between bursts (about 10,000 lines a second; the rate
//! achieved is printed), every tenth line containing the word `rare`. The
//! panel's search is set to `rare` before the lines start. In the page:
//!
//! - every message of the live channel is counted (wrapping the channel's
//!   `onmessage`), so the entries that crossed IPC are compared with the
//!   entries the store says match;
//! - emit → IPC latency: for every entry received, the arrival time minus
//!   the entry's timestamp (taken by the core when the line was read);
//! - emit → screen latency: for every row that appears in the DOM, the
//!   first animation frame after it appeared minus its timestamp (rows that
//!   arrived live only). With virtual scrolling only rows that reach the
//!   screen are rendered, so this is measured on those.
//! - emit → timeline latency: the level timeline says how many entries its
//!   bars hold (`data-entries`); entries are numbered from 1 in the order
//!   they are stored, so at every animation frame where that number grows
//!   to N, every entry up to N received over IPC is drawn: the frame's time
//!   minus each such entry's timestamp.
//!
//! Lines written before the search was set are read from the store when
//! the panel opens, so "sent over IPC" can be below the store's count by
//! those (the lifecycle lines, in the unfiltered baseline).
//!
//! Baseline: the same task with no filter (every line crosses IPC).
//!
//! Needs what the e2e tests need: `TASKDECK_E2E_APP=… cargo bench -p
//! taskdeck-tests --bench ui_live_stream [-- <lines>]`, or `cargo xtask
//! bench`, which builds the release app first.

#![allow(clippy::expect_used)]

use serde_json::Value;
use taskdeck_tests::bench::{self, Figure, percentile};
use taskdeck_tests::e2e::keys::RETURN;
use taskdeck_tests::e2e::{AppSession, test_id};

/// Wraps the live channel's `onmessage` so every message is recorded, and
/// watches the rows appear. Installed before the panel subscribes.
const RECORDER: &str = r#"
const probe = window.__tdProbe = { messages: 0, gaps: 0, entries: 0, seqs: new Set(), ipc: [], screen: [], seen: new Set(), stamps: new Map(), timeline: [], drawn: -1 };
const channel = window.__TAURI__.core.Channel.prototype;
const accessor = Object.getOwnPropertyDescriptor(channel, 'onmessage');
Object.defineProperty(channel, 'onmessage', {
  configurable: true,
  get() { return accessor.get.call(this); },
  set(handler) {
    accessor.set.call(this, (message) => {
      if (probe.armed && message && message.kind === 'gap') probe.gaps += 1;
      if (probe.armed && message && Array.isArray(message.entries)) {
        const now = Date.now();
        probe.messages += 1;
        for (const entry of message.entries) {
          probe.entries += 1;
          probe.seqs.add(entry.seq);
          probe.ipc.push(now - Date.parse(entry.timestamp));
          probe.stamps.set(entry.seq, Date.parse(entry.timestamp));
        }
      }
      handler(message);
    });
  },
});
new MutationObserver((mutations) => {
  if (!probe.armed) return;
  const added = [];
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (node.nodeType !== 1) continue;
      const rows = node.matches('[data-testid="log-row"]') ? [node] : node.querySelectorAll('[data-testid="log-row"]');
      for (const row of rows) added.push(row);
    }
  }
  if (added.length === 0) return;
  requestAnimationFrame(() => {
    const now = Date.now();
    for (const row of added) {
      const seq = row.dataset.seq;
      const time = row.querySelector('time');
      // Only rows that arrived live (not a page read from the store).
      if (probe.seen.has(seq) || !time || !probe.seqs.has(Number(seq))) continue;
      probe.seen.add(seq);
      probe.screen.push(now - Date.parse(time.getAttribute('datetime')));
    }
  });
}).observe(document.body, { childList: true, subtree: true });
const watchTimeline = () => {
  const strip = document.querySelector('[data-testid="level-timeline"]');
  if (probe.armed && strip) {
    const drawn = Number(strip.dataset.entries);
    if (probe.drawn >= 0 && drawn > probe.drawn) {
      const now = Date.now();
      for (let seq = probe.drawn + 1; seq <= drawn; seq++) {
        const stamp = probe.stamps.get(seq);
        if (stamp !== undefined) probe.timeline.push(now - stamp);
      }
    }
    probe.drawn = Math.max(probe.drawn, drawn);
  }
  requestAnimationFrame(watchTimeline);
};
requestAnimationFrame(watchTimeline);
done(true);
"#;

/// What the probe recorded.
struct Recorded {
    messages: u64,
    gaps: u64,
    entries: u64,
    distinct: u64,
    ipc: Vec<f64>,
    screen: Vec<f64>,
    timeline: Vec<f64>,
    /// The entries the timeline's bars held last.
    drawn: u64,
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|values| values.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// Runs the task with `search` applied (or none), and returns what the
/// page recorded, the achieved rate and the store's match count.
async fn run_once(
    app: &AppSession,
    lines: u64,
    search: Option<&str>,
) -> Result<(Recorded, f64, u64), String> {
    app.execute_async(RECORDER).await?;
    app.fill("param-program", "sh").await?;
    // Waits 3 s (the filter is set meanwhile), then bursts of 150 lines.
    // `ra""re` keeps the word out of the command line, which the shell
    // plugin logs when it starts.
    let script = format!(
        "sleep 3; i=0; while [ $i -lt {lines} ]; do \
         if [ $((i % 10)) -eq 0 ]; then echo \"line $i ra\"\"re\"; else echo \"line $i common\"; fi; \
         i=$((i + 1)); if [ $((i % 150)) -eq 0 ]; then sleep 0.01; fi; done"
    );
    app.fill("param-args", &format!("-c{RETURN}{script}"))
        .await?;
    app.submit_run().await?;
    app.wait_for_text(&test_id("panel-status"), |text| {
        text.eq_ignore_ascii_case("running")
    })
    .await?;
    if let Some(search) = search {
        app.fill("filter-search", &format!("{search}{RETURN}"))
            .await?;
        app.wait_for(&test_id("match-count")).await?;
    }
    app.execute_async("window.__tdProbe.armed = true; done(true);")
        .await?;
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(120) {
        let status = app.texts(&test_id("panel-status")).await?;
        if status
            .iter()
            .any(|text| text.eq_ignore_ascii_case("succeeded"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Rows of the last batch get their frame.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let probe = app
        .execute_async(
            "const p = window.__tdProbe; p.armed = false;\n\
             done({ messages: p.messages, gaps: p.gaps, entries: p.entries, distinct: p.seqs.size, ipc: p.ipc, screen: p.screen, timeline: p.timeline, drawn: p.drawn });",
        )
        .await?;
    let recorded = Recorded {
        messages: probe["messages"].as_u64().unwrap_or(0),
        gaps: probe["gaps"].as_u64().unwrap_or(0),
        entries: probe["entries"].as_u64().unwrap_or(0),
        distinct: probe["distinct"].as_u64().unwrap_or(0),
        ipc: numbers(&probe["ipc"]),
        screen: numbers(&probe["screen"]),
        timeline: numbers(&probe["timeline"]),
        drawn: probe["drawn"].as_u64().unwrap_or(0),
    };
    // The achieved rate and the store's count of matching entries, read
    // through the app's own commands.
    let facts = app
        .execute_async(&format!(
            "const invoke = window.__TAURI__.core.invoke;\n\
             const taskId = document.querySelector('[data-testid=\"log-panel\"]').dataset.taskId;\n\
             Promise.all([\n\
               invoke('get_task_log_stats', {{ taskId }}),\n\
               invoke('count_task_logs', {{ taskId, filter: {filter} }}),\n\
             ]).then(([stats, counted]) => done({{\n\
               span: Date.parse(stats.last_timestamp) - Date.parse(stats.first_timestamp),\n\
               matching: counted.matching,\n\
             }}), (error) => done({{ error: String(error) }}));",
            filter = search.map_or("{}".to_owned(), |search| format!(
                "{{ search: '{search}' }}"
            ))
        ))
        .await?;
    if let Some(error) = facts["error"].as_str() {
        return Err(format!("reading the task's stats failed: {error}"));
    }
    let span_ms = facts["span"].as_f64().unwrap_or(f64::NAN);
    // The lines span the emitting part (3 s of waiting come before).
    let rate = lines as f64 / (span_ms / 1000.0 - 3.0).max(0.001);
    Ok((recorded, rate, facts["matching"].as_u64().unwrap_or(0)))
}

fn report(label: &str, lines: u64, (recorded, rate, matching): &(Recorded, f64, u64)) {
    println!("{label}:");
    println!("  offered: {lines} lines at about {rate:.0} lines/s");
    println!(
        "  sent over IPC: {} entries ({} distinct) in {} messages, {} gap notices; \
         the store counts {matching} matching",
        recorded.entries, recorded.distinct, recorded.messages, recorded.gaps
    );
    latency_line("emit → IPC:   ", &recorded.ipc, "entries");
    latency_line("emit → screen:", &recorded.screen, "rows rendered");
    latency_line("emit → timeline:", &recorded.timeline, "entries drawn");
    println!(
        "  the timeline's bars held {} entries at the end",
        recorded.drawn
    );
}

fn latency_line(label: &str, values: &[f64], what: &str) {
    println!(
        "  {label} p50 {:5.0} ms  p95 {:5.0} ms  max {:5.0} ms  ({} {what})",
        percentile(values, 0.5),
        percentile(values, 0.95),
        percentile(values, 1.0),
        values.len()
    );
}

async fn run(lines: u64) -> Result<(), String> {
    let mut figures = Vec::new();
    for (label, search) in [
        ("filter keeping 1 in 10 (search `rare`)", Some("rare")),
        ("baseline: no filter", None),
    ] {
        let data_dir = tempfile::tempdir().map_err(|error| error.to_string())?;
        let app = AppSession::launch("ui-live-stream", data_dir.path()).await?;
        let outcome = async {
            app.wait_for_text(&test_id("footer-version"), |text| {
                text.starts_with("Taskdeck")
            })
            .await?;
            app.by_test_id("plugin-picker").await?;
            app.select("plugin-picker", "shell").await?;
            run_once(&app, lines, search).await
        }
        .await;
        if outcome.is_err() {
            let _ = app.screenshot("failure").await;
        } else {
            let _ = app
                .screenshot(if search.is_some() { "filtered" } else { "all" })
                .await;
        }
        app.close().await?;
        figures.push((label, outcome?));
    }
    println!();
    for (label, figures) in &figures {
        report(label, lines, figures);
    }
    if let [(_, filtered), (_, all)] = &figures[..] {
        println!(
            "\nratio filtered/all: entries over IPC {:.3}, emit → screen p95 {:.2}",
            filtered.0.entries as f64 / all.0.entries.max(1) as f64,
            percentile(&filtered.0.screen, 0.95) / percentile(&all.0.screen, 0.95)
        );
        let (recorded, rate, matching) = filtered;
        let p95 = percentile(&recorded.screen, 0.95);
        Figure::new(
            "live",
            format!("emit → screen p95 in the app, 1 in 10 kept, {rate:.0} lines/s offered"),
            p95,
            "ms",
        )
        .baseline(percentile(&all.0.screen, 0.95))
        .target("< 250 ms (baseline: no filter)", p95 < 250.0)
        .print();
        // The strip counts every entry, whatever the filter: timed on the
        // entries that crossed IPC (1 in 10 with the filter, all without).
        // Both tasks write the same entries: the store's count without a
        // filter is every entry either wrote.
        let every_entry = all.2;
        for (label, (recorded, rate, _)) in [("1 in 10 kept", filtered), ("no filter", all)] {
            let p95 = percentile(&recorded.timeline, 0.95);
            Figure::new(
                "live",
                format!("level timeline emit → screen p95, {label}, {rate:.0} lines/s offered"),
                p95,
                "ms",
            )
            .baseline(percentile(&recorded.screen, 0.95))
            .target(
                "< 250 ms, every entry drawn (baseline: rows' p95)",
                p95 < 250.0 && recorded.drawn >= every_entry,
            )
            .print();
        }
        Figure::new(
            "live",
            "entries over IPC with the filter (baseline: the store's match count)",
            recorded.distinct as f64,
            "rows",
        )
        .baseline(*matching as f64)
        .target("only matching entries cross", recorded.entries <= *matching)
        .print();
    }
    Ok(())
}

fn main() {
    let lines = bench::size(50_000, 5_000);
    println!("ui_live_stream benchmark: {lines} lines at about 10,000/s, in the real app");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run(lines)) {
        eprintln!("ui_live_stream: {error}");
        std::process::exit(1);
    }
}
