//! The engine's one error type, and its mapping to the wire error.

use std::path::PathBuf;

use taskdeck_protocol::{ErrorKind, InvalidFilter, InvalidParam, IpcError};

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

    /// The database could not be opened, migrated, read or written. It
    /// reads in the user's terms ([`describe_storage`]); the driver's own
    /// words stay in the source, for the app log.
    #[error("{}", describe_storage(.0))]
    Storage(StorageError),

    /// The database file cannot be opened as a database (damaged, or some
    /// other file). It is left as it is; [`DataDir::move_damaged_aside`]
    /// moves it away when the user asks.
    ///
    /// [`DataDir::move_damaged_aside`]: crate::DataDir::move_damaged_aside
    #[error(
        "the database {} is damaged or is not a Taskdeck database ({reason}); it was left \
         untouched: move it aside to start with a new one",
        path.display()
    )]
    DatabaseDamaged {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },

    /// A file the engine needs (other than the database) failed.
    #[error("{context}: {}", describe_io(source))]
    Io {
        /// What was being done, naming the file.
        context: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// No task has this id.
    #[error("task {0} does not exist")]
    TaskNotFound(String),

    /// No plugin has this id.
    #[error("plugin {id:?} does not exist (available: {available})")]
    PluginNotFound {
        /// The id asked for.
        id: String,
        /// The ids that do exist, comma-separated.
        available: String,
    },

    /// A run's parameters do not fit the plugin's schema.
    #[error(transparent)]
    InvalidParams(#[from] InvalidParam),

    /// A log filter was refused.
    #[error(transparent)]
    InvalidFilter(#[from] InvalidFilter),

    /// Some other argument was refused; the message names it.
    #[error("{0}")]
    InvalidArgument(String),

    /// A plugin reported that its work failed.
    #[error("{0}")]
    PluginFailed(String),

    /// The task was cancelled before it finished.
    #[error("cancelled")]
    Cancelled,

    /// The task manager is shutting down and takes no new work.
    #[error("Taskdeck is shutting down; no new tasks are accepted")]
    ShuttingDown,
}

/// A failure of the database through either of the store's drivers —
/// SeaORM (writes, migrations) or rusqlite (the read path) — or one the
/// engine describes itself (the flusher stopped, a read's thread died).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// SeaORM's.
    #[error(transparent)]
    Orm(#[from] sea_orm::DbErr),
    /// rusqlite's.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The engine's own words.
    #[error("{0}")]
    Engine(String),
}

impl From<sea_orm::DbErr> for CoreError {
    fn from(error: sea_orm::DbErr) -> Self {
        CoreError::Storage(StorageError::Orm(error))
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(error: rusqlite::Error) -> Self {
        CoreError::Storage(StorageError::Sqlite(error))
    }
}

impl CoreError {
    /// A storage failure in the engine's own words.
    pub fn storage(message: impl Into<String>) -> Self {
        CoreError::Storage(StorageError::Engine(message.into()))
    }

    /// The class of failure, as the UI and CLI see it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NoDataDir | CoreError::DataDirUnusable { .. } | CoreError::Io { .. } => {
                ErrorKind::Io
            }
            CoreError::Storage(_) => ErrorKind::Storage,
            CoreError::DatabaseDamaged { .. } => ErrorKind::DatabaseDamaged,
            CoreError::TaskNotFound(_) | CoreError::PluginNotFound { .. } => ErrorKind::NotFound,
            CoreError::InvalidParams(_)
            | CoreError::InvalidFilter(_)
            | CoreError::InvalidArgument(_) => ErrorKind::InvalidArgument,
            CoreError::PluginFailed(_) | CoreError::Cancelled | CoreError::ShuttingDown => {
                ErrorKind::Internal
            }
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CoreError::Io {
            context: context.into(),
            source,
        }
    }
}

/// What the OS said about a file, in the user's terms: on Windows a file
/// that another program holds open (an export open in Excel, an archive in
/// a viewer) is said to be so, where the OS says only "access denied".
pub fn describe_io(error: &std::io::Error) -> String {
    /// ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
    const ACCESS_DENIED: i32 = 5;
    const SHARING_VIOLATION: i32 = 32;
    const LOCK_VIOLATION: i32 = 33;
    match error.raw_os_error() {
        Some(SHARING_VIOLATION | LOCK_VIOLATION) if cfg!(windows) => {
            "the file is open in another program; close it there and try again".to_owned()
        }
        Some(ACCESS_DENIED) if cfg!(windows) => "access denied: the file may be open in \
             another program (close it there and try again), or read-only"
            .to_owned(),
        _ => error.to_string(),
    }
}

impl CoreError {
    /// The error as the UI receives it; a database failure's driver text
    /// goes to the app log instead.
    pub fn to_wire(&self) -> IpcError {
        if let CoreError::Storage(source) = self {
            tracing::warn!(%source, "{self}");
        }
        IpcError::new(self.kind(), self.to_string())
    }
}

impl From<CoreError> for IpcError {
    fn from(error: CoreError) -> Self {
        error.to_wire()
    }
}

/// What a database failure means to the user, from SQLite's words: the
/// driver's text (`Query Error: error returned from database: (code: 13)
/// …`) never reaches a screen.
pub fn describe_storage(error: &StorageError) -> &'static str {
    let text = error.to_string().to_ascii_lowercase();
    if text.contains("disk is full") || text.contains("(code: 13)") {
        "the database cannot grow: the disk is full"
    } else if text.contains("locked") || text.contains("busy") {
        "the database is busy in another program; try again"
    } else if text.contains("readonly") || text.contains("read-only") {
        "the database cannot be written: its file or folder is read-only"
    } else if text.contains("unable to open") {
        "the database file cannot be opened"
    } else if text.contains("malformed") || text.contains("not a database") {
        "the database file is damaged"
    } else if text.contains("i/o error") {
        "the disk failed to read or write the database"
    } else {
        "the database could not be read or written (the app log has the details)"
    }
}

#[cfg(test)]
mod tests {
    use super::CoreError;

    #[test]
    fn a_database_failure_reads_in_the_users_terms() {
        let full = CoreError::storage(
            "Query Error: error returned from database: (code: 13) database or disk is full",
        );
        assert_eq!(
            full.to_string(),
            "the database cannot grow: the disk is full"
        );
        let internal = CoreError::storage("Custom Error: no such column: 1234");
        let shown = internal.to_wire().message;
        assert!(!shown.contains("no such column"), "{shown}");
        assert!(!shown.contains("Error:"), "{shown}");
    }
}
