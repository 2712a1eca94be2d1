//! The Taskdeck desktop app: builds the Tauri application around the engine.
//!
//! This crate is a thin shell. It starts the task manager at start-up
//! (with the saved flush interval), applies the retention settings then
//! and hourly ([`retention`]), registers the IPC commands (each a few
//! lines over `taskdeck-core`, see [`ipc::surface`]), forwards task
//! updates as events, flushes every log entry on exit, hands the window to
//! the Yew UI, opens the window where it was left ([`window_place`]) and
//! reloads the UI if its web process dies ([`webview_recovery`]). All real
//! work happens in the engine.

pub mod commands;
pub mod error;
pub mod ipc;
pub mod retention;
pub mod state;
pub mod webview_recovery;
pub mod window_place;

use tauri::{Builder, Manager, RunEvent, Runtime};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use error::AppError;
pub use state::AppState;

/// Registers Taskdeck's state, commands and events on `builder`. Shared by
/// the real app and the command tests (which use Tauri's mock runtime).
pub fn configure<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    let surface = ipc::surface::<R>();
    let handler = surface.invoke_handler();
    builder
        // The native folder and file pickers of the task forms and exports.
        .plugin(tauri_plugin_dialog::init())
        // "Show in folder" after an export.
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .invoke_handler(handler)
        .setup(move |app| {
            surface.mount_events(app);
            // Once the engine runs (at once, or after a damaged database
            // was moved aside): task events and the cleanup schedule.
            let app = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                let manager = state.running().await;
                ipc::events::forward_task_updates(app.clone(), manager);
                ipc::events::forward_storage_status(app.clone(), manager);
                retention::schedule(app.clone());
            });
            Ok(())
        })
}

/// The app's compiled-in context: config, capabilities and the embedded UI.
/// The command tests build the mock runtime on this same context, so they
/// exercise the real permissions of `capabilities/`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop app and blocks until its last window closes.
pub fn run() {
    install_tracing();
    // Without WebView2, Tauri would panic in its setup, and a release
    // build (no console) would end without a word.
    #[cfg(windows)]
    if let Err(error) = tauri::webview_version() {
        fatal(&format!(
            "Taskdeck needs the Microsoft Edge WebView2 Runtime, which is not installed \
             ({error}).\n\nInstall it from \
             https://developer.microsoft.com/microsoft-edge/webview2/ (the Evergreen \
             Bootstrapper), then start Taskdeck again."
        ));
    }
    let state = tauri::async_runtime::block_on(AppState::open());
    if let Err(error) = state.manager() {
        tracing::error!(%error, "the engine could not start; the UI will say so");
    }
    let window_place = window_place::plugin(state.data_dir().map(|dir| dir.path()));
    let builder = tauri::Builder::default().plugin(window_place);
    let app = match configure(builder, state).build(context()) {
        Ok(app) => app,
        Err(error) => fatal(&format!("the desktop app could not start: {error}")),
    };
    app.run(|handle, event| {
        // The window exists once the event loop is ready.
        if let RunEvent::Ready = event {
            match handle.get_webview_window("main") {
                Some(window) => {
                    webview_recovery::watch(&window);
                    window_place::save_when_settled(&window);
                }
                None => tracing::warn!("no main window: a dead web process would stay dead"),
            }
        }
        if let RunEvent::Exit = event
            && let Ok(manager) = handle.state::<AppState>().manager()
        {
            // Graceful exit: running tasks are cancelled and every entry is
            // written before the process ends.
            if let Err(error) = tauri::async_runtime::block_on(manager.shutdown()) {
                tracing::error!(%error, "log entries could not all be written at exit");
            }
        }
    });
}

/// Says why the app cannot start, and exits with status 1: on stderr, and
/// on Windows also in a message box, since a release build has no console.
fn fatal(message: &str) -> ! {
    eprintln!("taskdeck: {message}");
    #[cfg(windows)]
    {
        let _ = rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title("Taskdeck cannot start")
            .set_description(message)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
    std::process::exit(1);
}

/// Task capture for plugins that log through `tracing`, and the app's own
/// diagnostics on stderr (`TASKDECK_LOG` sets the filter; default `info`).
fn install_tracing() {
    let diagnostics = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(
            EnvFilter::try_from_env("TASKDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        );
    let _ = tracing_subscriber::registry()
        .with(taskdeck_core::TaskLogCapture)
        .with(diagnostics)
        .try_init();
}
