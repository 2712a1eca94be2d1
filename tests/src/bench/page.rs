//! Measuring in the real app's page: timings taken inside the webview with
//! `performance.now()` up to the first animation frame that shows a result
//! (so WebDriver's own latency adds nothing), and the resident memory of
//! the app and its web processes.

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
