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
