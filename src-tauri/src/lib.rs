//! The Taskdeck desktop app: builds the Tauri application around the engine.
//!
//! This crate is a thin shell. It opens the store at start-up, registers the
//! IPC commands (each a few lines over `taskdeck-core`), and hands the window
//! to the Yew UI. All real work happens in the engine.

pub mod commands;
pub mod error;
pub mod state;

use tauri::{Builder, Runtime};

pub use error::AppError;
pub use state::AppState;

/// Registers Taskdeck's state and commands on `builder`. Shared by the real
/// app and the command tests (which use Tauri's mock runtime).
pub fn configure<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![commands::app::app_info])
}

/// The app's compiled-in context: config, capabilities and the embedded UI.
/// The command tests build the mock runtime on this same context, so they
/// exercise the real permissions of `capabilities/`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop app and blocks until its last window closes.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TASKDECK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let state = tauri::async_runtime::block_on(AppState::open());
    if let Err(error) = &state.store {
        tracing::error!(%error, "the store could not be opened; the UI will say so");
    }
    let outcome = configure(tauri::Builder::default(), state).run(context());
    if let Err(error) = outcome {
        // Nothing can be shown without a window: report and exit non-zero.
        eprintln!("taskdeck: the desktop app could not start: {error}");
        std::process::exit(1);
    }
}
