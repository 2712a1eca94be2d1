//! Tauri's build step: embeds the config, capabilities and icons, and
//! declares the app's own commands so that each needs a permission
//! (`allow-<command>`) granted in `capabilities/`.

/// Every command the app registers; a command missing here cannot be called.
const COMMANDS: &[&str] = &[
    "app_info",
    "start_fresh",
    "storage_status",
    "open_link",
    "list_plugins",
    "run_task",
    "cancel_task",
    "list_tasks",
    "get_task",
    "delete_tasks",
    "get_task_logs",
    "count_task_logs",
    "get_task_log_stats",
    "get_task_log_sources",
    "subscribe_task_logs",
    "unsubscribe_task_logs",
    "export_task_logs",
    "import_task_logs",
    "get_settings",
    "save_settings",
    "run_cleanup",
    "last_cleanup",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri build step failed: {error:#}");
        std::process::exit(1);
    }
}
