//! Windows without the WebView2 runtime (Wine has none): the app says what
//! is missing and where to get it, and exits with status 1, instead of
//! Tauri's panic (or, in a release build, silence).
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_missing_webview2_runtime_is_named_with_where_to_get_it() {
    if tauri::webview_version().is_ok() {
        eprintln!("skipped: WebView2 is installed here, so the app would open its window");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut app = Command::new(env!("CARGO_BIN_EXE_taskdeck-app"))
        .env("TASKDECK_DATA_DIR", data.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = app.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = app.kill();
            panic!("the app neither started nor ended within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut app.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Microsoft Edge WebView2 Runtime")
            && stderr.contains("https://developer.microsoft.com/microsoft-edge/webview2/"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
