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
            logs::get_task_log_timeline,
            logs::get_task_log_sections,
            logs::get_task_log_sources,
            logs::search_runs,
            logs::compare_runs,
            live::subscribe_task_logs,
            live::unsubscribe_task_logs,
            export::export_task_logs,
            export::import_task_logs,
            settings::get_settings,
            settings::save_settings,
            settings::run_cleanup,
            settings::get_history_filter,
            settings::save_history_filter,
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
        assert!(fresh.contains("taskUpdated"), "the events are missing");
    }

    /// The commands the app registers, with their arguments, as the
    /// bindings call them: `__TAURI_INVOKE("name", { a, b })`.
    fn registered(bindings: &str) -> Vec<(String, Vec<String>)> {
        bindings
            .split("__TAURI_INVOKE(\"")
            .skip(1)
            .map(|call| {
                let (name, rest) = call.split_once('"').unwrap_or((call, ""));
                let args = rest
                    .strip_prefix(", { ")
                    .and_then(|rest| rest.split_once(" }"))
                    .map(|(args, _)| args.split(", ").map(str::to_owned).collect())
                    .unwrap_or_default();
                (name.to_owned(), args)
            })
            .collect()
    }

    /// The commands registered with Tauri take exactly the arguments their
    /// definitions in `taskdeck_protocol::commands` name, and the capability
    /// grants exactly those commands (plus the plugins' permissions).
    #[test]
    fn registered_commands_and_capability_match_their_definitions() {
        use taskdeck_protocol::commands::{SIGNATURES, wire_key};

        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        export_bindings(&fresh).unwrap();
        let registered = registered(&std::fs::read_to_string(&fresh).unwrap());
        let defined: Vec<(String, Vec<String>)> = SIGNATURES
            .iter()
            .map(|(name, args)| {
                let keys = args.iter().map(|arg| wire_key(arg)).collect();
                ((*name).to_owned(), keys)
            })
            .collect();
        let sorted = |mut list: Vec<(String, Vec<String>)>| {
            list.sort();
            list
        };
        assert_eq!(sorted(registered), sorted(defined.clone()));

        let capability: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let mut granted: Vec<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|permission| permission.as_str())
            .filter_map(|permission| permission.strip_prefix("allow-"))
            .map(str::to_owned)
            .collect();
        granted.sort();
        let mut wanted: Vec<String> = defined
            .iter()
            .map(|(name, _)| name.replace('_', "-"))
            .collect();
        wanted.sort();
        assert_eq!(granted, wanted, "capabilities/default.json");
    }
}
