//! Commands of the Settings view: the retention rules and flush interval,
//! and running the cleanup they describe; and History's remembered
//! filters, kept beside the settings.

use taskdeck_core::{SettingsRepository, TaskCleanupService};
use taskdeck_protocol::{CleanupOutcome, RemovalReport, Settings, SettingsState};
use tauri::State;

use crate::{AppError, AppState};

/// The saved settings and the database's size.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> Result<SettingsState, AppError> {
    let store = state.store()?;
    Ok(SettingsState {
        settings: SettingsRepository::new(store).load().await?,
        database_bytes: store.database_bytes().await?,
    })
}

/// Checks and saves `settings`; answers with what is now saved.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<SettingsState, AppError> {
    let store = state.store()?;
    Ok(SettingsState {
        settings: SettingsRepository::new(store).save(&settings).await?,
        database_bytes: store.database_bytes().await?,
    })
}

/// Applies the saved retention settings now, or with `dry_run` only lists
/// what they would remove.
#[tauri::command]
#[specta::specta]
pub async fn run_cleanup(
    state: State<'_, AppState>,
    dry_run: bool,
) -> Result<RemovalReport, AppError> {
    Ok(TaskCleanupService::new(state.store()?)
        .apply_settings(dry_run)
        .await?)
}

/// History's remembered filters (empty: none).
#[tauri::command]
#[specta::specta]
pub async fn get_history_filter(state: State<'_, AppState>) -> Result<String, AppError> {
    Ok(SettingsRepository::new(state.store()?)
        .history_filter()
        .await?)
}

/// Remembers History's filters.
#[tauri::command]
#[specta::specta]
pub async fn save_history_filter(
    state: State<'_, AppState>,
    filter: String,
) -> Result<(), AppError> {
    Ok(SettingsRepository::new(state.store()?)
        .save_history_filter(&filter)
        .await?)
}

/// What the last automatic cleanup that did something reported (the one at
/// start-up may have run before the UI listened).
#[tauri::command]
#[specta::specta]
pub async fn last_cleanup(state: State<'_, AppState>) -> Result<Option<CleanupOutcome>, AppError> {
    state.store()?;
    Ok(state.last_cleanup())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_protocol::{ErrorKind, IpcError, RemovalReport, Settings, SettingsState};

    use crate::commands::test_support::MockApp;

    #[test]
    fn settings_are_saved_checked_and_applied_by_run_cleanup() {
        let app = MockApp::started();
        let state: SettingsState =
            serde_json::from_value(app.invoke("get_settings", json!({})).unwrap()).unwrap();
        assert_eq!(state.settings, Settings::default());
        assert!(state.database_bytes > 0);

        let mut wanted = Settings::default();
        wanted.retention.max_tasks = Some(1);
        wanted.retention.keep_days = None;
        let saved: SettingsState = serde_json::from_value(
            app.invoke("save_settings", json!({ "settings": wanted }))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(saved.settings, wanted);

        let mut bad = wanted;
        bad.flush_interval_ms = 0;
        let error: IpcError = serde_json::from_value(
            app.invoke("save_settings", json!({ "settings": bad }))
                .unwrap_err(),
        )
        .unwrap();
        assert_eq!(error.kind, ErrorKind::InvalidArgument);
        assert!(error.message.contains("flush_interval_ms"), "{error:?}");
        let missing = app
            .invoke(
                "save_settings",
                json!({ "settings": { "flush_interval_ms": 100 } }),
            )
            .unwrap_err();
        assert!(missing.to_string().contains("retention"), "{missing}");

        let report: RemovalReport = serde_json::from_value(
            app.invoke("run_cleanup", json!({ "dryRun": true }))
                .unwrap(),
        )
        .unwrap();
        assert!(report.dry_run && report.tasks.is_empty());
        let last = app.invoke("last_cleanup", json!({})).unwrap();
        assert_eq!(last, json!(null));
    }
}
