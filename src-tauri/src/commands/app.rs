//! Commands about the application itself.

use taskdeck_protocol::AppInfo;
use tauri::State;

use crate::{AppError, AppState};

/// The app version, data directory, database path and schema version (the
/// UI footer shows them).
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    Ok(state.store()?.app_info().await?)
}

#[cfg(test)]
mod tests {
    use taskdeck_core::{DataDir, Store};
    use taskdeck_protocol::{AppInfo, ErrorKind, IpcError};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;

    use crate::{AppState, configure, context};

    /// The app's own origin: capabilities grant commands to local URLs only.
    const LOCAL_ORIGIN: &str = "tauri://localhost";

    fn invoke(state: AppState, command: &str) -> Result<serde_json::Value, serde_json::Value> {
        invoke_from(state, command, LOCAL_ORIGIN)
    }

    fn invoke_from(
        state: AppState,
        command: &str,
        origin: &str,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let app = configure(mock_builder(), state).build(context()).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: command.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: origin.parse().unwrap(),
                body: tauri::ipc::InvokeBody::default(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<serde_json::Value>().unwrap())
    }

    #[test]
    fn app_info_reports_the_store_it_was_given() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        let expected_dir = data_dir.path().display().to_string();
        let store = tauri::async_runtime::block_on(Store::open(data_dir)).unwrap();

        let value = invoke(AppState::with_store(store), "app_info").unwrap();
        let info: AppInfo = serde_json::from_value(value).unwrap();
        assert_eq!(info.data_dir, expected_dir);
        assert_eq!(info.version, taskdeck_core::VERSION);
        assert!(info.database_path.ends_with("taskdeck.db"));
    }

    #[test]
    fn app_info_without_a_store_is_a_typed_error() {
        let state = AppState {
            store: Err(IpcError::new(
                ErrorKind::Storage,
                "database error: file is not a database",
            )),
        };
        let error = invoke(state, "app_info").unwrap_err();
        let error: IpcError = serde_json::from_value(error).unwrap();
        assert_eq!(error.kind, ErrorKind::Storage);
        assert!(error.message.contains("not a database"));
    }

    #[test]
    fn a_remote_origin_may_not_call_commands() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path())).unwrap();
        let store = tauri::async_runtime::block_on(Store::open(data_dir)).unwrap();

        let refusal = invoke_from(
            AppState::with_store(store),
            "app_info",
            "https://example.com",
        )
        .unwrap_err();
        assert!(
            refusal.as_str().unwrap().contains("not allowed"),
            "{refusal}"
        );
    }
}
