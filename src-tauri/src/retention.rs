//! The automatic cleanup: the saved retention settings applied at start-up
//! and every [`CLEANUP_INTERVAL`], each run that removed something (or
//! failed) reported to the UI as a [`CleanupFinished`] event and kept for
//! `last_cleanup`.

use taskdeck_core::TaskCleanupService;
use taskdeck_core::cleanup::CLEANUP_INTERVAL;
use taskdeck_protocol::{CleanupOutcome, IpcError};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::AppState;
use crate::ipc::events::{CleanupFinished, TaskUpdated};

/// Starts the schedule; it ends with the app.
pub fn schedule<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            apply(&app).await;
            tokio::time::sleep(CLEANUP_INTERVAL).await;
        }
    });
}

/// One run. Never deletes a running task (the service only looks at
/// finished ones).
async fn apply<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(manager) = state.manager() else {
        return;
    };
    let outcome = match TaskCleanupService::new(manager.store())
        .apply_settings(false)
        .await
    {
        Ok(report) if report.tasks.is_empty() => return,
        Ok(report) => {
            tracing::info!(
                tasks = report.tasks.len(),
                entries = report.entries,
                bytes_freed = report.bytes_freed,
                "retention cleanup removed tasks"
            );
            if let Some(log_task) = &report.log_task_id
                && let Ok(summary) = manager.get_task(log_task).await
            {
                let _ = TaskUpdated(summary).emit(app);
            }
            CleanupOutcome {
                report: Some(report),
                error: None,
            }
        }
        Err(error) => {
            tracing::error!(%error, "the retention cleanup failed");
            CleanupOutcome {
                report: None,
                error: Some(IpcError::from(error)),
            }
        }
    };
    state.set_last_cleanup(outcome.clone());
    if let Err(error) = CleanupFinished(outcome).emit(app) {
        tracing::warn!("could not tell the UI about a cleanup: {error}");
    }
}
