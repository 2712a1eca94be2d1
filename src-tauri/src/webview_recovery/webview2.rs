//! WebView2's `ProcessFailed` event, which says that the window's renderer
//! process exited or stopped responding. The event exists only on the COM
//! interface `ICoreWebView2`, and every call into it is `unsafe` in the
//! bindings: this module is the one place of the workspace allowed that
//! (`cargo xtask layering` checks it), and it does no more than subscribe.
#![allow(unsafe_code)]

use webview2_com::Microsoft::Web::WebView2::Win32::{
    COREWEBVIEW2_PROCESS_FAILED_KIND, COREWEBVIEW2_PROCESS_FAILED_KIND_RENDER_PROCESS_EXITED,
    COREWEBVIEW2_PROCESS_FAILED_KIND_RENDER_PROCESS_UNRESPONSIVE, ICoreWebView2Controller,
};
use webview2_com::ProcessFailedEventHandler;

/// Calls `reload` with why (`crashed`, `unresponsive`) whenever the
/// renderer process of `controller`'s web view exits or hangs. The other
/// kinds of failure (GPU, utility and frame processes) WebView2 recovers
/// from itself; after the browser process itself exited no reload can
/// work, so those are only logged.
pub fn on_process_failed(
    controller: &ICoreWebView2Controller,
    reload: impl Fn(&'static str) + 'static,
) -> windows::core::Result<()> {
    // SAFETY: `controller` is a live COM reference that Tauri keeps for
    // the window's lifetime; the call only reads its web view.
    let webview = unsafe { controller.CoreWebView2() }?;
    let handler = ProcessFailedEventHandler::create(Box::new(move |_, args| {
        let Some(args) = args else {
            return Ok(());
        };
        let mut kind = COREWEBVIEW2_PROCESS_FAILED_KIND::default();
        // SAFETY: `args` is the live event argument WebView2 passed in, and
        // `kind` is a valid place for the value it writes.
        unsafe { args.ProcessFailedKind(&mut kind) }?;
        match kind {
            COREWEBVIEW2_PROCESS_FAILED_KIND_RENDER_PROCESS_EXITED => reload("crashed"),
            COREWEBVIEW2_PROCESS_FAILED_KIND_RENDER_PROCESS_UNRESPONSIVE => reload("unresponsive"),
            other => tracing::error!(kind = other.0, "a WebView2 process failed"),
        }
        Ok(())
    }));
    let mut token = 0_i64;
    // SAFETY: `handler` is a COM object built above; WebView2 holds its
    // own reference, and `token` is a valid place for the registration id
    // (never removed: the handler lives as long as the window).
    unsafe { webview.add_ProcessFailed(&handler, &mut token) }
}
