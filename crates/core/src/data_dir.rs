//! Where Taskdeck keeps its data: the OS app-data directory, or the directory
//! named by `TASKDECK_DATA_DIR` (tests, portable use), or one given explicitly.

use std::path::{Path, PathBuf};

use crate::CoreError;

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "TASKDECK_DATA_DIR";

/// The name of the SQLite database file inside the data directory.
pub const DATABASE_FILE_NAME: &str = "taskdeck.db";

/// The folder name used under the OS app-data directory.
const APP_FOLDER: &str = "taskdeck";

/// A data directory that exists and is a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    /// Resolves the data directory: `explicit` if given, else
    /// `TASKDECK_DATA_DIR` if set and non-empty, else the OS app-data
    /// directory; creates it if missing.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, CoreError> {
        let from_env = std::env::var_os(DATA_DIR_ENV).filter(|value| !value.is_empty());
        let path = match (explicit, from_env) {
            (Some(path), _) => path.to_path_buf(),
            (None, Some(value)) => PathBuf::from(value),
            (None, None) => dirs::data_dir()
                .ok_or(CoreError::NoDataDir)?
                .join(APP_FOLDER),
        };
        Self::create(path)
    }

    /// Uses `path` as the data directory, creating it if missing.
    pub fn create(path: PathBuf) -> Result<Self, CoreError> {
        if path.exists() && !path.is_dir() {
            return Err(CoreError::DataDirUnusable {
                path,
                source: std::io::Error::other("it is a file, not a folder"),
            });
        }
        std::fs::create_dir_all(&path).map_err(|source| CoreError::DataDirUnusable {
            path: path.clone(),
            source,
        })?;
        // Absolute, so what the UI and CLI show can be pasted anywhere.
        let path = std::path::absolute(&path).map_err(|source| CoreError::DataDirUnusable {
            path: path.clone(),
            source,
        })?;
        Ok(Self { path })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file inside it.
    pub fn database_path(&self) -> PathBuf {
        self.path.join(DATABASE_FILE_NAME)
    }

    /// Moves a damaged database file (and its `-wal` and `-shm` companions)
    /// aside, to `taskdeck.db.damaged-<UTC time>` beside it, so the next
    /// open starts a new database; returns where the file went. Nothing is
    /// overwritten: an existing name gets a counter.
    pub fn move_damaged_aside(&self) -> Result<PathBuf, CoreError> {
        let database = self.database_path();
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut target = self
            .path
            .join(format!("{DATABASE_FILE_NAME}.damaged-{stamp}"));
        let mut counter = 1;
        while target.exists() {
            counter += 1;
            target = self
                .path
                .join(format!("{DATABASE_FILE_NAME}.damaged-{stamp}-{counter}"));
        }
        let rename = |from: &Path, to: &Path| {
            std::fs::rename(from, to).map_err(|source| {
                CoreError::io(
                    format!("moving {} aside to {}", from.display(), to.display()),
                    source,
                )
            })
        };
        for suffix in ["-wal", "-shm"] {
            let companion = with_suffix(&database, suffix);
            if companion.exists() {
                rename(&companion, &with_suffix(&target, suffix))?;
            }
        }
        rename(&database, &target)?;
        Ok(target)
    }
}

/// `path` with `suffix` added to its file name (`x.db` → `x.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_directory_is_created_and_made_absolute() {
        let root = tempfile::tempdir().unwrap();
        let wanted = root.path().join("nested").join("data");
        let dir = DataDir::resolve(Some(&wanted)).unwrap();
        assert!(dir.path().is_dir());
        assert!(dir.path().is_absolute());
        assert_eq!(dir.database_path(), dir.path().join("taskdeck.db"));
    }

    #[test]
    fn a_file_in_the_way_is_reported_with_its_path() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let error = DataDir::resolve(Some(&file)).unwrap_err();
        assert!(matches!(error, CoreError::DataDirUnusable { .. }));
        assert!(error.to_string().contains("not-a-dir"), "{error}");
        assert!(
            error.to_string().contains("a file, not a folder"),
            "{error}"
        );
    }
}
