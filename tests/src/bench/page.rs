//! Measuring in the real app's page: timings taken inside the webview with
//! `performance.now()` up to the first animation frame that shows a result
//! (so WebDriver's own latency adds nothing), the resident memory of the
//! app and its web processes (and where the web processes' memory lies),
//! and when the app process started.

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

/// What the page itself holds: the UI's WebAssembly memory (bytes) and
/// the elements in its document.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageMemory {
    pub wasm_bytes: u64,
    pub elements: u64,
}

/// Reads [`PageMemory`]. The wasm-bindgen module is the page's own (a
/// module is loaded once): its initialiser, called again, answers the
/// running instance's exports, whose `memory` is the UI's linear memory.
pub async fn page_memory(app: &AppSession) -> Result<PageMemory, String> {
    let found = app
        .execute_async(
            "const glue = document.querySelector('link[rel=\"modulepreload\"]').href;\n\
             import(glue).then(module => module.default()).then(exports => done({\n\
               wasm: exports.memory.buffer.byteLength,\n\
               elements: document.getElementsByTagName('*').length,\n\
             }), error => done({ error: String(error) }));",
        )
        .await?;
    if let Some(error) = found["error"].as_str() {
        return Err(format!("reading the page's memory failed: {error}"));
    }
    Ok(PageMemory {
        wasm_bytes: found["wasm"].as_u64().unwrap_or(0),
        elements: found["elements"].as_u64().unwrap_or(0),
    })
}

/// Where the resident memory (KiB) of the app's children (the web
/// content and network processes) lies, from their `/proc/PID/smaps`
/// (Linux only; zeros elsewhere).
#[derive(Debug, Default, Clone, Copy)]
pub struct WebMemory {
    /// Anonymous mappings of 4 GiB or more: the reservations JavaScriptCore
    /// keeps for the WebAssembly memory and the JavaScript arrays.
    pub wasm_and_arrays: u64,
    /// The other anonymous mappings: the JavaScript heap, the DOM, malloc.
    pub heap: u64,
    /// Shared memory (`/memfd:`, `/dev/shm`, SysV): buffers shared with the
    /// display and the app process.
    pub shared: u64,
    /// Mapped files: libraries, fonts, caches.
    pub files: u64,
}

impl WebMemory {
    /// All of it.
    pub fn total(&self) -> u64 {
        self.wasm_and_arrays + self.heap + self.shared + self.files
    }

    /// `self - before`, part by part (negative where a part shrank).
    pub fn growth_since(&self, before: &WebMemory) -> [(&'static str, f64); 4] {
        let mib = |now: u64, then: u64| (now as f64 - then as f64) / 1024.0;
        [
            (
                "wasm memory and JS arrays",
                mib(self.wasm_and_arrays, before.wasm_and_arrays),
            ),
            ("JS heap, DOM and malloc", mib(self.heap, before.heap)),
            ("shared buffers", mib(self.shared, before.shared)),
            ("mapped files", mib(self.files, before.files)),
        ]
    }
}

/// Reads [`WebMemory`] for the children of `app_binary`'s processes.
pub fn web_memory(app_binary: &Path) -> WebMemory {
    let app_pids = crate::e2e::processes_of(app_binary);
    let mut memory = WebMemory::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let parent = status
            .lines()
            .find_map(|line| line.strip_prefix("PPid:"))
            .and_then(|value| value.trim().parse::<u32>().ok());
        if !parent.is_some_and(|parent| app_pids.contains(&parent)) {
            continue;
        }
        let smaps = std::fs::read_to_string(entry.path().join("smaps")).unwrap_or_default();
        add_mappings(&smaps, &mut memory);
    }
    memory
}

/// Adds every mapping of one process's `smaps` text to `memory`.
fn add_mappings(smaps: &str, memory: &mut WebMemory) {
    const HUGE_KIB: u64 = 4 * 1024 * 1024;
    let mut path = String::new();
    let mut size = 0;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else {
            continue;
        };
        let number = || {
            fields
                .clone()
                .next()
                .and_then(|value| value.parse::<u64>().ok())
        };
        if first.contains('-') && !first.ends_with(':') {
            // A mapping's header: range, perms, offset, device, inode, path.
            path = line.split_whitespace().nth(5).unwrap_or("").to_owned();
            size = 0;
        } else if first == "Size:" {
            size = number().unwrap_or(0);
        } else if first == "Rss:" {
            let rss = number().unwrap_or(0);
            let part = if path.starts_with("/memfd:")
                || path.starts_with("/dev/shm")
                || path.starts_with("/SYSV")
            {
                &mut memory.shared
            } else if path.starts_with('/') {
                &mut memory.files
            } else if size >= HUGE_KIB {
                &mut memory.wasm_and_arrays
            } else {
                &mut memory.heap
            };
            *part += rss;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_sorted_by_kind() {
        let smaps = "\
7f0000000000-7f0400000000 ---p 00000000 00:00 0
Size:           16777216 kB
Rss:               20480 kB
55d000000000-55d000100000 rw-p 00000000 00:00 0                          [heap]
Size:               1024 kB
Rss:                 512 kB
7f1000000000-7f1000100000 r-xp 00000000 08:01 1234                       /usr/lib/libwebkit.so
Size:               1024 kB
Rss:                 300 kB
7f2000000000-7f2000100000 rw-s 00000000 00:01 99                         /memfd:wayland-shm (deleted)
Size:               1024 kB
Rss:                 100 kB
";
        let mut memory = WebMemory::default();
        add_mappings(smaps, &mut memory);
        assert_eq!(memory.wasm_and_arrays, 20480);
        assert_eq!(memory.heap, 512);
        assert_eq!(memory.files, 300);
        assert_eq!(memory.shared, 100);
        assert_eq!(memory.total(), 21392);
    }
}
