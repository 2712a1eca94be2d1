//! Measuring in the real app's page: timings taken inside the webview with
//! `performance.now()` up to the first animation frame that shows a result
//! (so WebDriver's own latency adds nothing), the resident memory of the
//! app and its web processes, and when the app process started.

use std::path::Path;

use serde_json::Value;

use crate::e2e::AppSession;

/// Runs `body` (JavaScript with `start` already set, `done(result)` to
/// call, and `frames(ready, result, state)` to call `done(result())` at the
/// first animation frame where `ready()` holds) and returns the result. If
/// `ready()` does not hold within 20 s, the result is `{ timed_out: state() }`
/// (what the page looked like), before WebDriver's own script timeout
/// could hide it.
pub async fn in_page(app: &AppSession, body: &str) -> Result<Value, String> {
    app.execute_async(&format!(
        "const start = performance.now();\n\
         const frames = (ready, result, state = () => null) => {{\n\
           const check = () => ready() ? done(result())\n\
             : performance.now() - start > 20000 ? done({{ timed_out: state() }})\n\
             : requestAnimationFrame(check);\n\
           requestAnimationFrame(check);\n\
         }};\n\
         {body}"
    ))
    .await
}

/// The number a page script returned, as milliseconds.
pub fn milliseconds(value: Value) -> Result<f64, String> {
    value
        .as_f64()
        .ok_or_else(|| format!("the page returned {value} instead of milliseconds"))
}

/// The resident memory (KiB) of the app process and of its children (the
/// web content and network processes).
pub fn app_memory(app_binary: &Path) -> (u64, u64) {
    let app_pids = crate::e2e::processes_of(app_binary);
    let mut app = 0;
    let mut children = 0;
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
        let parent = u32::try_from(field("PPid:")).unwrap_or(0);
        if app_pids.contains(&pid) {
            app += field("VmRSS:");
        } else if app_pids.contains(&parent) {
            children += field("VmRSS:");
        }
    }
    (app, children)
}

/// When the oldest running process of `app_binary` started, as a wall-clock
/// time (to 10 ms: the kernel counts clock ticks). Linux only; `None`
/// elsewhere or when no such process runs.
///
/// The kernel gives a process's start in ticks since boot; the time since
/// boot read now (`/proc/uptime`) turns that into "this long ago".
pub fn app_started_at(app_binary: &Path) -> Option<std::time::SystemTime> {
    let ticks_per_second = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    let started = crate::e2e::processes_of(app_binary)
        .into_iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // Fields after the command name (which may hold spaces), from
            // the third (state): the 22nd, starttime, is the 20th here.
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().nth(19)?.parse::<u64>().ok()
        })
        .min()?;
    let now = std::time::SystemTime::now();
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let ago = uptime - started as f64 / ticks_per_second;
    now.checked_sub(std::time::Duration::from_secs_f64(ago.max(0.0)))
}
