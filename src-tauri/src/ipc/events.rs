//! Events the app pushes to the UI.

use serde::{Deserialize, Serialize};
use taskdeck_core::TaskManager;
use taskdeck_protocol::{CleanupOutcome, StorageStatus, TaskSummary};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

/// A task was created or changed status, or (while running) has more
/// entries in the store (at most 4 times a second); carries its current
/// summary, counts included, so History and the log panel's header update
/// without asking.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct TaskUpdated(pub TaskSummary);

/// An automatic cleanup removed tasks (or could not run): the UI shows a
/// notice and History reloads.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct CleanupFinished(pub CleanupOutcome);

/// Log entries could not be written, can be again, or (while they cannot)
/// how many wait in memory: the UI's storage banner.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct StorageStatusChanged(pub StorageStatus);

/// How often the count of waiting entries is sent while writes fail.
const HELD_REPORT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Forwards the manager's storage errors to the UI until the app exits:
/// each change, and every [`HELD_REPORT_INTERVAL`] while writes fail (the
/// banner counts the entries waiting) or enough entries wait for the
/// search index to say so ([`StorageStatus::INDEX_NOTICE_FROM`]; the
/// banner counts those too). The index trailing the writes by a batch, as
/// it does while a task logs, sends nothing.
pub fn forward_storage_status<R: Runtime>(app: AppHandle<R>, manager: &TaskManager) {
    let manager = manager.clone();
    let mut errors = manager.storage_error();
    let mut index_backlog = manager.index_backlog();
    tauri::async_runtime::spawn(async move {
        let mut indexing = false;
        loop {
            let failing = errors.borrow_and_update().is_some();
            let changed = if failing || indexing {
                tokio::time::timeout(HELD_REPORT_INTERVAL, errors.changed())
                    .await
                    .unwrap_or(Ok(()))
            } else {
                tokio::select! {
                    changed = errors.changed() => changed,
                    reached = index_backlog
                        .wait_for(|waiting| *waiting >= StorageStatus::INDEX_NOTICE_FROM) => {
                        reached.map(|_| ())
                    }
                }
            };
            if changed.is_err() {
                return;
            }
            let status = manager.storage_status();
            indexing = status.indexing();
            if let Err(error) = StorageStatusChanged(status).emit(&app) {
                tracing::warn!("could not send the storage status to the UI: {error}");
            }
        }
    });
}

/// Forwards the manager's task changes to the UI until the app exits.
pub fn forward_task_updates<R: Runtime>(app: AppHandle<R>, manager: &TaskManager) {
    let mut updates = manager.subscribe_tasks();
    tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(summary) => {
                    if let Err(error) = TaskUpdated(summary).emit(&app) {
                        tracing::warn!("could not send a task update to the UI: {error}");
                    }
                }
                // Missed updates are superseded by later ones; the UI
                // reloads the list on the next update it does get.
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "task updates lagged");
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}
