//! What the app keeps for the lifetime of the process.

use std::sync::{Mutex, PoisonError};

use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{CleanupOutcome, IpcError};

/// The app's shared state, managed by Tauri.
///
/// The engine may have failed to start (unusable data directory, a file
/// that is not a database): the app still starts, and every command that
/// needs it answers with that error so the UI can show it.
pub struct AppState {
    /// The running task manager (and through it the store), or why it
    /// could not start.
    pub manager: Result<TaskManager, IpcError>,
    /// What the last automatic cleanup that did something reported, for a
    /// UI that was not listening yet when it ran (at start-up).
    last_cleanup: Mutex<Option<CleanupOutcome>>,
}

impl AppState {
    /// Opens the store in the data directory (`TASKDECK_DATA_DIR` or the OS
    /// app-data directory) and starts the task manager on it. Must run on
    /// the runtime the app's commands use.
    pub async fn open() -> Self {
        Self::new(start().await.map_err(IpcError::from))
    }

    /// Wraps an already started manager.
    pub fn with_manager(manager: TaskManager) -> Self {
        Self::new(Ok(manager))
    }

    /// Wraps a manager or the error that kept it from starting.
    pub fn new(manager: Result<TaskManager, IpcError>) -> Self {
        Self {
            manager,
            last_cleanup: Mutex::new(None),
        }
    }

    /// The last automatic cleanup's outcome, if one did something.
    pub fn last_cleanup(&self) -> Option<CleanupOutcome> {
        self.last_cleanup
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps `outcome` as the last automatic cleanup's.
    pub fn set_last_cleanup(&self, outcome: CleanupOutcome) {
        *self
            .last_cleanup
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(outcome);
    }

    /// The task manager, or the start-up error that explains its absence.
    pub fn manager(&self) -> Result<&TaskManager, IpcError> {
        self.manager.as_ref().map_err(Clone::clone)
    }

    /// The store, or the start-up error.
    pub fn store(&self) -> Result<&Store, IpcError> {
        self.manager().map(TaskManager::store)
    }
}

async fn start() -> Result<TaskManager, taskdeck_core::CoreError> {
    let store = Store::open(DataDir::resolve(None)?).await?;
    let config = ManagerConfig::for_store(&store).await?;
    TaskManager::start(store, PluginRegistry::builtin(), config).await
}
