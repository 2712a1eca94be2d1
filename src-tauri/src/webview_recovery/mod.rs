//! When the window's web content process dies — WebKitGTK's
//! `web-process-terminated`: a crash in JavaScriptCore or the software
//! renderer, or the memory limit — the UI is loaded again, with
//! `?recovered=<why>` in its address so that it shows a notice saying what
//! happened. The core process (the engine, running tasks, their logs) is
//! not that process and lives on: no task or log line is lost.
//!
//! On Windows the same event is WebView2's `ProcessFailed` (`webview2.rs`,
//! the one module of the workspace allowed `unsafe`: the event exists only
//! on a COM interface). macOS's WKWebView reloads a crashed page itself.

#[cfg(windows)]
mod webview2;

/// `address` with `?recovered=<why>` in place of any query, its route (the
/// fragment) kept.
pub fn recovered_address(address: &str, why: &str) -> String {
    let (before_fragment, fragment) = match address.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (address, None),
    };
    let base = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(base, _)| base);
    match fragment {
        Some(fragment) => format!("{base}?recovered={why}#{fragment}"),
        None => format!("{base}?recovered={why}"),
    }
}

/// Reloads `window`'s UI whenever its web process dies.
#[cfg(target_os = "linux")]
pub fn watch(window: &tauri::WebviewWindow) {
    let watching = window.with_webview(|platform| {
        use webkit2gtk::{WebProcessTerminationReason, WebViewExt};
        platform
            .inner()
            .connect_web_process_terminated(|view, reason| {
                let why = match reason {
                    WebProcessTerminationReason::ExceededMemoryLimit => "memory",
                    // The app itself ended it: nothing to recover.
                    WebProcessTerminationReason::TerminatedByApi => return,
                    _ => "crashed",
                };
                tracing::error!(?reason, "the window's web process ended; reloading the UI");
                let address = view.uri().map(|uri| uri.to_string()).unwrap_or_default();
                view.load_uri(&recovered_address(&address, why));
            });
    });
    if let Err(error) = watching {
        tracing::warn!(%error, "cannot watch the web process; a crash would not be recovered");
    }
}

/// Reloads `window`'s UI whenever its renderer process dies or hangs.
#[cfg(windows)]
pub fn watch(window: &tauri::WebviewWindow) {
    let reloading = window.clone();
    let watching = window.with_webview(move |platform| {
        if let Err(error) =
            webview2::on_process_failed(&platform.controller(), move |why| reload(&reloading, why))
        {
            tracing::warn!(%error, "cannot watch the web process; a crash would not be recovered");
        }
    });
    if let Err(error) = watching {
        tracing::warn!(%error, "cannot watch the web process; a crash would not be recovered");
    }
}

/// Loads `window`'s UI again, saying `why` in its address.
#[cfg(windows)]
fn reload(window: &tauri::WebviewWindow, why: &str) {
    tracing::error!(why, "the window's web process failed; reloading the UI");
    let address = window.url().map(|url| url.to_string()).unwrap_or_default();
    match recovered_address(&address, why).parse::<tauri::Url>() {
        Ok(url) => {
            if let Err(error) = window.navigate(url) {
                tracing::error!(%error, "cannot reload the UI");
            }
        }
        Err(error) => tracing::error!(%error, %address, "cannot reload the UI"),
    }
}

/// macOS: see the module documentation.
#[cfg(not(any(target_os = "linux", windows)))]
pub fn watch(_window: &tauri::WebviewWindow) {}

#[cfg(test)]
mod tests {
    use super::recovered_address;

    #[test]
    fn the_reloaded_address_keeps_the_route_and_says_why() {
        assert_eq!(
            recovered_address("tauri://localhost/#/task/ab-12/line/3", "crashed"),
            "tauri://localhost/?recovered=crashed#/task/ab-12/line/3"
        );
        assert_eq!(
            recovered_address("tauri://localhost/?recovered=memory#/", "crashed"),
            "tauri://localhost/?recovered=crashed#/"
        );
        assert_eq!(
            recovered_address("http://tauri.localhost/", "memory"),
            "http://tauri.localhost/?recovered=memory"
        );
    }
}
