//! Facts about the running application that the UI and CLI display.

use serde::{Deserialize, Serialize};

/// What the core process reports about itself: shown in the UI footer and by
/// `taskdeck info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppInfo {
    /// The application version (the workspace version, e.g. `0.1.0`).
    pub version: String,
    /// The directory holding the database and other app data.
    pub data_dir: String,
    /// Full path of the SQLite database file.
    pub database_path: String,
    /// Name of the newest migration applied to the database.
    pub schema_version: String,
}

/// Whether log entries can be written right now: while they cannot (a full
/// disk, a database another program keeps locked), they wait in memory and
/// the UI shows why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StorageStatus {
    /// Why the last write failed; `None` while writes succeed.
    pub error: Option<String>,
    /// Log entries waiting in memory to be written.
    pub entries_held: u64,
    /// Stored entries not yet in the search index (searches read them
    /// directly meanwhile): many after an upgrade from an older index.
    #[serde(default)]
    pub entries_to_index: u64,
}

impl StorageStatus {
    /// Entries waiting for the search index from which the app says so: the
    /// index normally trails the writes by a batch, which is not news.
    pub const INDEX_NOTICE_FROM: u64 = 50_000;

    /// Whether enough entries wait for the index to tell the user.
    pub fn indexing(&self) -> bool {
        self.entries_to_index >= Self::INDEX_NOTICE_FROM
    }
}
