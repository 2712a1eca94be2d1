//! Commands about the application itself.

use taskdeck_protocol::{AppInfo, ErrorKind, IpcError, StorageStatus};
use tauri::State;

use crate::{AppError, AppState};

/// The app version, data directory, database path and schema version (the
/// UI footer shows them).
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    Ok(state.store()?.app_info().await?)
}

/// After a start-up that found the database damaged: moves the file aside
/// (beside it, never deleted), starts on a new database and returns the
/// path the damaged file now has. Refused (`invalid_argument`) when the
/// database opened normally.
#[tauri::command]
#[specta::specta]
pub async fn start_fresh(state: State<'_, AppState>) -> Result<String, AppError> {
    let moved_to = state.start_fresh().await?;
    Ok(moved_to.display().to_string())
}

/// Whether log entries can be written now and how many wait in memory
/// (the UI's storage banner; `storage-status-changed` tells of changes).
#[tauri::command]
#[specta::specta]
pub async fn storage_status(state: State<'_, AppState>) -> Result<StorageStatus, AppError> {
    Ok(state.manager()?.storage_status())
}

/// Opens a link from a log line (an OSC 8 hyperlink a program printed) in
/// the system's browser. Only web and mail links are opened; anything else
/// (`file:`, custom schemes that start programs) is `invalid_argument`.
#[tauri::command]
#[specta::specta]
pub async fn open_link(url: String) -> Result<(), AppError> {
    let url = taskdeck_protocol::styled::openable_link(&url)
        .map_err(|reason| IpcError::new(ErrorKind::InvalidArgument, reason))?;
    tauri_plugin_opener::open_url(url, None::<&str>).map_err(|error| {
        IpcError::new(
            ErrorKind::Io,
            format!("the link could not be opened in the browser: {error}"),
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_protocol::{AppInfo, ErrorKind, IpcError, StorageStatus};

    use crate::AppState;
    use crate::commands::test_support::MockApp;

    #[test]
    fn app_info_reports_the_store_it_was_given() {
        let app = MockApp::started();
        let info: AppInfo =
            serde_json::from_value(app.invoke("app_info", json!({})).unwrap()).unwrap();
        assert_eq!(info.version, taskdeck_core::VERSION);
        assert!(info.database_path.ends_with("taskdeck.db"));
        assert!(!info.schema_version.is_empty());
    }

    #[test]
    fn links_other_than_web_and_mail_are_refused_by_name() {
        let app = MockApp::started();
        for url in ["file:///etc/passwd", "javascript:alert(1)", "ssh://host"] {
            let error: IpcError =
                serde_json::from_value(app.invoke("open_link", json!({ "url": url })).unwrap_err())
                    .unwrap();
            assert_eq!(error.kind, ErrorKind::InvalidArgument, "{url}");
            assert!(error.message.contains(url), "{}", error.message);
        }
    }

    #[test]
    fn storage_status_says_writes_succeed_on_a_healthy_store() {
        let app = MockApp::started();
        let status: StorageStatus =
            serde_json::from_value(app.invoke("storage_status", json!({})).unwrap()).unwrap();
        assert_eq!(status, StorageStatus::default());
    }

    #[test]
    fn commands_without_an_engine_answer_with_its_start_up_error() {
        let state = AppState::new(Err(IpcError::new(
            ErrorKind::Storage,
            "database error: file is not a database",
        )));
        let app = MockApp::with_state(state, None);
        for command in ["app_info", "list_plugins", "get_settings", "last_cleanup"] {
            let error: IpcError =
                serde_json::from_value(app.invoke(command, json!({})).unwrap_err()).unwrap();
            assert_eq!(error.kind, ErrorKind::Storage, "{command}");
            assert!(error.message.contains("not a database"), "{command}");
        }
    }

    #[test]
    fn a_damaged_database_is_moved_aside_on_request_and_the_engine_starts_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = taskdeck_core::DataDir::resolve(Some(dir.path())).unwrap();
        std::fs::write(data_dir.database_path(), b"not a database, really not").unwrap();
        let started = tauri::async_runtime::block_on(async {
            let store = taskdeck_core::Store::open(data_dir.clone()).await?;
            taskdeck_core::TaskManager::start(
                store,
                taskdeck_core::PluginRegistry::builtin(),
                Default::default(),
            )
            .await
        });
        let error = IpcError::from(started.unwrap_err());
        assert_eq!(error.kind, ErrorKind::DatabaseDamaged);
        let app = MockApp::with_state(
            AppState::new(Err(error)).in_data_dir(data_dir.clone()),
            None,
        );
        let refused: IpcError =
            serde_json::from_value(app.invoke("list_plugins", json!({})).unwrap_err()).unwrap();
        assert_eq!(refused.kind, ErrorKind::DatabaseDamaged);

        let moved_to: String =
            serde_json::from_value(app.invoke("start_fresh", json!({})).unwrap()).unwrap();
        assert_eq!(
            std::fs::read(&moved_to).unwrap(),
            b"not a database, really not"
        );
        assert!(moved_to.contains("taskdeck.db.damaged-"), "{moved_to}");
        let info: AppInfo =
            serde_json::from_value(app.invoke("app_info", json!({})).unwrap()).unwrap();
        assert!(!info.schema_version.is_empty(), "a new database, migrated");
        // Once running, there is nothing to move aside.
        let again: IpcError =
            serde_json::from_value(app.invoke("start_fresh", json!({})).unwrap_err()).unwrap();
        assert_eq!(again.kind, ErrorKind::InvalidArgument);
    }

    #[test]
    fn start_fresh_is_refused_when_the_engine_failed_for_another_reason() {
        let state = AppState::new(Err(IpcError::new(
            ErrorKind::Io,
            "data directory is not usable",
        )));
        let app = MockApp::with_state(state, None);
        let error: IpcError =
            serde_json::from_value(app.invoke("start_fresh", json!({})).unwrap_err()).unwrap();
        assert_eq!(error.kind, ErrorKind::Io);
    }

    #[test]
    fn a_remote_origin_may_not_call_commands() {
        let app = MockApp::started();
        for command in ["app_info", "run_task", "get_task_logs"] {
            let refusal = app
                .invoke_from(command, json!({}), "https://example.com")
                .unwrap_err();
            assert!(
                refusal.as_str().unwrap().contains("not allowed"),
                "{command}: {refusal}"
            );
        }
    }

    #[test]
    fn the_ui_may_use_the_file_dialogs_and_show_in_folder_and_nothing_else() {
        let app = MockApp::started();
        // Bad options reach the dialog plugin's own decoding: the call was
        // let through (good options would open a real dialog).
        for command in ["plugin:dialog|open", "plugin:dialog|save"] {
            let answer = app.invoke(command, json!({ "options": 42 })).unwrap_err();
            assert!(
                !answer.to_string().contains("not allowed"),
                "{command}: {answer}"
            );
            assert!(
                answer.to_string().contains("options"),
                "{command}: {answer}"
            );
        }
        let refusal = app
            .invoke("plugin:dialog|message", json!({ "options": 42 }))
            .unwrap_err();
        assert!(refusal.to_string().contains("not allowed"), "{refusal}");
        // Of the opener, only "show in folder": no URL, no file is opened.
        let answer = app
            .invoke("plugin:opener|reveal_item_in_dir", json!({ "paths": 42 }))
            .unwrap_err();
        assert!(!answer.to_string().contains("not allowed"), "{answer}");
        for command in ["plugin:opener|open_url", "plugin:opener|open_path"] {
            let refusal = app.invoke(command, json!({})).unwrap_err();
            assert!(
                refusal.to_string().contains("not allowed"),
                "{command}: {refusal}"
            );
        }
    }
}
