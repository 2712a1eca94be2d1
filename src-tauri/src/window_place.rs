//! The window opens where the user left it: size, position, maximised and
//! full-screen state, kept in `window-state.json` in the data directory
//! (next to the database, so a second data directory is a second set-up).
//!
//! Tauri's window-state plugin restores the state when the window is
//! created and saves it at a graceful exit. A process that is killed never
//! exits gracefully, so the state is also saved half a second after the
//! window was last moved or resized.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, WebviewWindow, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// The file, in the data directory, that keeps the window's place.
pub const FILE_NAME: &str = "window-state.json";

/// How long the window must stay still before its place is saved.
const SETTLE: Duration = Duration::from_millis(500);

/// What is kept: not visibility or decorations, which the app decides.
fn kept() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED | StateFlags::FULLSCREEN
}

/// The window-state plugin, keeping its file in `data_dir` (or in the OS
/// config directory when no data directory could be resolved).
pub fn plugin<R: Runtime>(data_dir: Option<&Path>) -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_window_state::Builder::new().with_state_flags(kept());
    match data_dir {
        // An absolute file name replaces the plugin's config directory.
        Some(dir) => builder.with_filename(dir.join(FILE_NAME).to_string_lossy()),
        None => builder,
    }
    .build()
}

/// Saves the window's place once it has settled after a move or resize.
pub fn save_when_settled<R: Runtime>(window: &WebviewWindow<R>) {
    let generation = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let this = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = generation.clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if generation.load(Ordering::SeqCst) != this {
                return; // moved again since: that move saves
            }
            if let Err(error) = app.save_window_state(kept()) {
                tracing::warn!(%error, "the window's size and place could not be saved");
            }
        });
    });
}
