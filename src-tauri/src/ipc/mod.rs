//! The IPC surface as one description: every command and event, collected
//! by tauri-specta. The same [`surface`] registers the commands with Tauri
//! and exports the TypeScript bindings (`docs/ipc/bindings.ts`), so the
//! documented contract cannot drift from what the app serves — a test fails
//! when the committed file is stale.

pub mod events;

use tauri::Runtime;
use tauri_specta::{collect_commands, collect_events};

use crate::commands::{app, export, live, logs, settings, tasks};

/// Where the exported bindings live, relative to the workspace root.
pub const BINDINGS_PATH: &str = "docs/ipc/bindings.ts";

/// Every command and event of the app.
pub fn surface<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            app::app_info,
            app::start_fresh,
            app::storage_status,
            app::open_link,
            tasks::list_plugins,
            tasks::run_task,
            tasks::cancel_task,
            tasks::list_tasks,
            tasks::get_task,
            tasks::delete_tasks,
            logs::get_task_logs,
            logs::count_task_logs,
            logs::get_task_log_stats,
            logs::get_task_log_sources,
            live::subscribe_task_logs,
            live::unsubscribe_task_logs,
            export::export_task_logs,
            export::import_task_logs,
            settings::get_settings,
            settings::save_settings,
            settings::run_cleanup,
            settings::last_cleanup,
        ])
        .events(collect_events![
            events::TaskUpdated,
            events::CleanupFinished,
            events::StorageStatusChanged
        ])
        // Seqs, counts and ids stay far below 2^53 (ids are
        // `task_key << 32 | seq`; a task key would need to pass 2^21), so
        // JavaScript numbers hold them exactly.
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript bindings of [`surface`] to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    surface::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default()
                .header("// The Taskdeck IPC contract, generated from src-tauri by tauri-specta.\n// Do not edit: run `TASKDECK_UPDATE_BINDINGS=1 cargo test -p taskdeck-app bindings` to refresh.\n"),
            path,
        )
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// `cargo test` sets `CARGO_MANIFEST_DIR` at run time too; that value
    /// names this checkout even when the test binary was built in another
    /// one sharing the target directory.
    fn committed() -> PathBuf {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
            .join("..")
            .join(BINDINGS_PATH)
    }

    /// Fails when `docs/ipc/bindings.ts` no longer matches the commands and
    /// types; `TASKDECK_UPDATE_BINDINGS=1` rewrites it.
    #[test]
    fn bindings_file_is_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        export_bindings(&fresh).unwrap();
        let fresh = std::fs::read_to_string(&fresh).unwrap();
        if std::env::var_os("TASKDECK_UPDATE_BINDINGS").is_some() {
            std::fs::write(committed(), &fresh).unwrap();
        }
        let on_disk = std::fs::read_to_string(committed()).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "{BINDINGS_PATH} is stale: run `TASKDECK_UPDATE_BINDINGS=1 cargo test -p taskdeck-app bindings` and commit it"
        );
        for command in [
            "getTaskLogs",
            "runTask",
            "getTaskLogSources",
            "subscribeTaskLogs",
            "taskUpdated",
        ] {
            assert!(
                fresh.contains(command),
                "{command} missing from the bindings"
            );
        }
    }
}
