//! The engine's one error type, and its mapping to the wire error.

use std::path::PathBuf;

use taskdeck_protocol::{ErrorKind, IpcError};

/// Everything the engine can fail with, in the user's terms.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No data directory was given and the OS reports none for this user.
    #[error("no data directory: the OS reports no application-data folder; set TASKDECK_DATA_DIR")]
    NoDataDir,

    /// The data directory could not be created or is not a directory.
    #[error("data directory {path} is not usable: {source}")]
    DataDirUnusable {
        /// The directory that was tried.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// The database could not be opened, migrated, read or written.
    #[error("database error: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

impl CoreError {
    /// The class of failure, as the UI and CLI see it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NoDataDir | CoreError::DataDirUnusable { .. } => ErrorKind::Io,
            CoreError::Storage(_) => ErrorKind::Storage,
        }
    }
}

impl From<CoreError> for IpcError {
    fn from(error: CoreError) -> Self {
        IpcError::new(error.kind(), error.to_string())
    }
}
