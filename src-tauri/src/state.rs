//! What the app keeps for the lifetime of the process.

use taskdeck_core::{DataDir, Store};
use taskdeck_protocol::IpcError;

/// The app's shared state, managed by Tauri.
///
/// The store may have failed to open (unusable data directory, a file that is
/// not a database): the app still starts, and every command that needs the
/// store answers with that error so the UI can show it.
pub struct AppState {
    /// The open store, or why it could not be opened.
    pub store: Result<Store, IpcError>,
}

impl AppState {
    /// Opens the store in the data directory (`TASKDECK_DATA_DIR` or the OS
    /// app-data directory).
    pub async fn open() -> Self {
        let store = match DataDir::resolve(None) {
            Ok(data_dir) => Store::open(data_dir).await.map_err(IpcError::from),
            Err(error) => Err(IpcError::from(error)),
        };
        Self { store }
    }

    /// Wraps an already opened store.
    pub fn with_store(store: Store) -> Self {
        Self { store: Ok(store) }
    }

    /// The store, or the start-up error that explains its absence.
    pub fn store(&self) -> Result<&Store, IpcError> {
        self.store.as_ref().map_err(Clone::clone)
    }
}
