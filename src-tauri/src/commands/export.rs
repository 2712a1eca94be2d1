//! Commands that take logs out of the app and bring exported ones in.

use std::path::PathBuf;

use taskdeck_core::export::export_task_logs as export_to_file;
use taskdeck_core::import::import_task_logs as import_from_file;
use taskdeck_protocol::{ExportFormat, ExportReport, ImportReport, LogFilter};
use tauri::State;
use tauri::ipc::Channel;

use crate::{AppError, AppState};

/// Writes the entries of `task_ids` that match `filter` (its level, source
/// and search conditions) to the file `path` in `format`; the file appears
/// only when complete. `progress` receives the entries written so far after
/// each page.
#[tauri::command]
#[specta::specta]
pub async fn export_task_logs(
    state: State<'_, AppState>,
    task_ids: Vec<String>,
    filter: LogFilter,
    format: ExportFormat,
    path: String,
    progress: Channel<u64>,
) -> Result<ExportReport, AppError> {
    Ok(export_to_file(
        state.manager()?,
        &task_ids,
        &filter,
        format,
        &PathBuf::from(path),
        &mut |written| {
            // A closed window has nobody to tell; the export goes on.
            let _ = progress.send(written);
        },
    )
    .await?)
}

/// Brings the tasks of the JSON Lines export at `path` into the store.
#[tauri::command]
#[specta::specta]
pub async fn import_task_logs(
    state: State<'_, AppState>,
    path: String,
) -> Result<ImportReport, AppError> {
    Ok(import_from_file(state.store()?, &PathBuf::from(path)).await?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_core::test_programs::script;
    use taskdeck_protocol::{ErrorKind, ExportReport, ImportReport, IpcError};

    use crate::commands::test_support::MockApp;

    #[test]
    fn a_task_exports_to_a_file_and_imports_into_another_store() {
        let app = MockApp::started();
        let task_id = app.run_shell(script(&["echo one", "echo two>&2"]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("task.jsonl");
        let report: ExportReport = serde_json::from_value(
            app.invoke(
                "export_task_logs",
                json!({
                    "taskIds": [task_id],
                    "filter": { "sources": ["shell.stderr"] },
                    "format": "json_lines",
                    "path": path,
                    "progress": "__CHANNEL__:21",
                }),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(report.entries, 1);
        assert_eq!(report.path.as_deref(), Some(path.to_str().unwrap()));

        let other = MockApp::started();
        let imported: ImportReport = serde_json::from_value(
            other
                .invoke("import_task_logs", json!({ "path": path }))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(imported.task_ids, std::slice::from_ref(&task_id));
        assert_eq!(imported.entries, 1);

        // Bad input comes back typed, naming what was wrong.
        let error: IpcError = serde_json::from_value(
            app.invoke(
                "export_task_logs",
                json!({
                    "taskIds": [task_id],
                    "filter": {},
                    "format": "csv",
                    "path": dir.path().join("missing/out.csv"),
                    "progress": "__CHANNEL__:22",
                }),
            )
            .unwrap_err(),
        )
        .unwrap();
        assert_eq!(error.kind, ErrorKind::InvalidArgument);
        assert!(
            error.message.contains("does not exist"),
            "{}",
            error.message
        );
        let error: IpcError = serde_json::from_value(
            other
                .invoke("import_task_logs", json!({ "path": path }))
                .unwrap_err(),
        )
        .unwrap();
        assert!(
            error.message.contains("already in this store"),
            "{}",
            error.message
        );
    }
}
