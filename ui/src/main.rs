//! The Taskdeck UI: a Yew app rendered into the Tauri webview.
//!
//! It talks to the core process only through IPC (`ipc.rs`), with the types
//! of `taskdeck-protocol`; it never links the engine.

mod app;
mod components;
mod fault;
mod format;
mod history_query;
mod ipc;
mod key_target;
mod preferences;
mod route;

fn main() {
    fault::report_faults();
    yew::Renderer::<app::Root>::new().render();
}
