//! What the app keeps for the lifetime of the process.

use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::IpcError;

/// The app's shared state, managed by Tauri.
///
/// The engine may have failed to start (unusable data directory, a file
/// that is not a database): the app still starts, and every command that
/// needs it answers with that error so the UI can show it.
pub struct AppState {
    /// The running task manager (and through it the store), or why it
    /// could not start.
    pub manager: Result<TaskManager, IpcError>,
}

impl AppState {
    /// Opens the store in the data directory (`TASKDECK_DATA_DIR` or the OS
    /// app-data directory) and starts the task manager on it. Must run on
    /// the runtime the app's commands use.
    pub async fn open() -> Self {
        Self {
            manager: start().await.map_err(IpcError::from),
        }
    }

    /// Wraps an already started manager.
    pub fn with_manager(manager: TaskManager) -> Self {
        Self {
            manager: Ok(manager),
        }
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
    TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::from_env()?).await
}
