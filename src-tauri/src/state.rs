//! What the app keeps for the lifetime of the process.

use parking_lot::Mutex;
use std::sync::OnceLock;

use taskdeck_core::{CoreError, DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{CleanupOutcome, ErrorKind, IpcError};
use tokio::sync::Notify;

/// The app's shared state, managed by Tauri.
///
/// The engine may have failed to start (unusable data directory, a file
/// that is not a database): the app still starts, and every command that
/// needs it answers with that error so the UI can show it. A damaged
/// database can be moved aside on the user's word ([`AppState::start_fresh`]),
/// and the engine then starts on a new one.
pub struct AppState {
    /// The running task manager (and through it the store), once started.
    manager: OnceLock<TaskManager>,
    /// Why it could not start, while it is not running.
    start_error: Option<IpcError>,
    /// The data directory it was started in, when it could be resolved.
    data_dir: Option<DataDir>,
    /// Woken when the manager starts.
    started: Notify,
    /// Held while a fresh start runs, so two cannot race.
    starting: tokio::sync::Mutex<()>,
    /// What the last automatic cleanup that did something reported, for a
    /// UI that was not listening yet when it ran (at start-up).
    last_cleanup: Mutex<Option<CleanupOutcome>>,
}

impl AppState {
    /// Opens the store in the data directory (`TASKDECK_DATA_DIR` or the OS
    /// app-data directory) and starts the task manager on it. Must run on
    /// the runtime the app's commands use.
    pub async fn open() -> Self {
        match DataDir::resolve(None) {
            Ok(data_dir) => Self::new(start(data_dir.clone()).await.map_err(IpcError::from))
                .in_data_dir(data_dir),
            Err(error) => Self::new(Err(error.into())),
        }
    }

    /// The same state, started in `data_dir` (where [`AppState::start_fresh`]
    /// works).
    pub fn in_data_dir(mut self, data_dir: DataDir) -> Self {
        self.data_dir = Some(data_dir);
        self
    }

    /// The data directory, when it could be resolved.
    pub fn data_dir(&self) -> Option<&DataDir> {
        self.data_dir.as_ref()
    }

    /// Wraps an already started manager.
    pub fn with_manager(manager: TaskManager) -> Self {
        Self::new(Ok(manager))
    }

    /// Wraps a manager or the error that kept it from starting.
    pub fn new(manager: Result<TaskManager, IpcError>) -> Self {
        let (running, start_error) = match manager {
            Ok(manager) => (OnceLock::from(manager), None),
            Err(error) => (OnceLock::new(), Some(error)),
        };
        Self {
            manager: running,
            start_error,
            data_dir: None,
            started: Notify::new(),
            starting: tokio::sync::Mutex::new(()),
            last_cleanup: Mutex::new(None),
        }
    }

    /// The last automatic cleanup's outcome, if one did something.
    pub fn last_cleanup(&self) -> Option<CleanupOutcome> {
        self.last_cleanup.lock().clone()
    }

    /// Keeps `outcome` as the last automatic cleanup's.
    pub fn set_last_cleanup(&self, outcome: CleanupOutcome) {
        *self.last_cleanup.lock() = Some(outcome);
    }

    /// The task manager, or the start-up error that explains its absence.
    pub fn manager(&self) -> Result<&TaskManager, IpcError> {
        self.manager.get().ok_or_else(|| {
            self.start_error
                .clone()
                .unwrap_or_else(|| IpcError::new(ErrorKind::Internal, "the engine is not running"))
        })
    }

    /// Waits until the task manager runs (at once if it started with the
    /// app; after [`AppState::start_fresh`] otherwise).
    pub async fn running(&self) -> &TaskManager {
        loop {
            // Created before the check, so a start in between still wakes it.
            let started = self.started.notified();
            if let Some(manager) = self.manager.get() {
                return manager;
            }
            started.await;
        }
    }

    /// After a start-up that found the database damaged: moves the damaged
    /// file aside (never deleting it), starts the engine on a new database
    /// in the same data directory and returns where the old file went.
    /// Refused when the engine runs or failed for another reason.
    pub async fn start_fresh(&self) -> Result<std::path::PathBuf, IpcError> {
        let _starting = self.starting.lock().await;
        match self.manager() {
            Ok(_) => {
                return Err(IpcError::new(
                    ErrorKind::InvalidArgument,
                    "the database opened normally; there is nothing to move aside",
                ));
            }
            Err(error) if error.kind != ErrorKind::DatabaseDamaged => return Err(error),
            Err(_) => {}
        }
        let data_dir = self.data_dir.clone().ok_or_else(|| {
            IpcError::new(
                ErrorKind::Internal,
                "the app has no data directory to start in",
            )
        })?;
        let moved_to = data_dir.move_damaged_aside()?;
        tracing::warn!(moved_to = %moved_to.display(), "the damaged database was moved aside");
        let manager = start(data_dir).await?;
        if let Err(manager) = self.manager.set(manager) {
            // Unreachable while `starting` is held; leave nothing running.
            let _ = manager.shutdown().await;
        }
        self.started.notify_waiters();
        Ok(moved_to)
    }

    /// The store, or the start-up error.
    pub fn store(&self) -> Result<&Store, IpcError> {
        self.manager().map(TaskManager::store)
    }
}

async fn start(data_dir: DataDir) -> Result<TaskManager, CoreError> {
    let store = Store::open(data_dir).await?;
    let config = ManagerConfig::for_store(&store).await?;
    TaskManager::start(store, PluginRegistry::builtin(), config).await
}
