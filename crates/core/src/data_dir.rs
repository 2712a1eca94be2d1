//! Where Taskdeck keeps its data: the OS's local app-data directory (on
//! Windows `%LOCALAPPDATA%`, never the roaming profile a growing database
//! does not belong in), or the directory named by `TASKDECK_DATA_DIR`
//! (tests, portable use), or one given explicitly.

use std::path::{Path, PathBuf};

use crate::CoreError;

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "TASKDECK_DATA_DIR";

/// The name of the SQLite database file inside the data directory.
pub const DATABASE_FILE_NAME: &str = "taskdeck.db";

/// The folder name used under the OS app-data directory.
const APP_FOLDER: &str = "taskdeck";

/// `taskdeck` under the local app-data directory. Windows versions before
/// this one kept it in the roaming one: a database found there moves to the
/// local place (one rename on one volume), and if it cannot move, it stays
/// in use where it is, so nothing is left behind.
fn default_location(local: PathBuf, roaming: Option<PathBuf>) -> PathBuf {
    let local = local.join(APP_FOLDER);
    let Some(roaming) = roaming.map(|roaming| roaming.join(APP_FOLDER)) else {
        return local;
    };
    let has_database = |folder: &Path| folder.join(DATABASE_FILE_NAME).exists();
    if roaming == local || !has_database(&roaming) || has_database(&local) {
        return local;
    }
    let moved = local
        .parent()
        .is_some_and(|parent| std::fs::create_dir_all(parent).is_ok())
        && std::fs::rename(&roaming, &local).is_ok();
    if moved { local } else { roaming }
}

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
            (None, None) => default_location(
                dirs::data_local_dir().ok_or(CoreError::NoDataDir)?,
                dirs::data_dir(),
            ),
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

    /// Whether `path` names one of the files Taskdeck keeps here — the
    /// database, its `-wal` and `-shm`, files moved aside, the runner locks
    /// — however it is spelt (relative, through `..` or a symbolic link, or
    /// as a hard link to the database): what no export and no plugin may
    /// write to.
    pub fn is_own_file(&self, path: &Path) -> bool {
        let Ok(own) = self.path.canonicalize() else {
            return false;
        };
        let resolved = path.canonicalize().ok().or_else(|| {
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            Some(parent.canonicalize().ok()?.join(path.file_name()?))
        });
        let Some(resolved) = resolved else {
            return false;
        };
        let named_own = match (resolved.parent(), resolved.file_name()) {
            (Some(parent), Some(name)) if parent == own => {
                name.to_string_lossy().starts_with(DATABASE_FILE_NAME)
                    || name == crate::task_manager::runner::RUNNERS_DIR
            }
            (Some(parent), Some(_)) => parent == own.join(crate::task_manager::runner::RUNNERS_DIR),
            _ => false,
        };
        named_own || self.is_database_under_another_name(path)
    }

    /// Whether `path` is the database file itself under another name (a
    /// hard link).
    #[cfg(unix)]
    fn is_database_under_another_name(&self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (
            std::fs::metadata(path),
            std::fs::metadata(self.database_path()),
        ) {
            (Ok(given), Ok(database)) => {
                given.dev() == database.dev() && given.ino() == database.ino()
            }
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_database_under_another_name(&self, _path: &Path) -> bool {
        false
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
    fn the_default_is_local_and_a_roaming_database_moves_there() {
        let root = tempfile::tempdir().unwrap();
        let local = root.path().join("Local");
        let roaming = root.path().join("Roaming");
        // Nothing anywhere: the local place.
        assert_eq!(
            default_location(local.clone(), Some(roaming.clone())),
            local.join(APP_FOLDER)
        );
        // A database in the roaming place moves, with its companions.
        std::fs::create_dir_all(roaming.join(APP_FOLDER)).unwrap();
        std::fs::write(roaming.join(APP_FOLDER).join(DATABASE_FILE_NAME), "db").unwrap();
        std::fs::write(roaming.join(APP_FOLDER).join("taskdeck.db-wal"), "wal").unwrap();
        let chosen = default_location(local.clone(), Some(roaming.clone()));
        assert_eq!(chosen, local.join(APP_FOLDER));
        assert_eq!(
            std::fs::read_to_string(chosen.join(DATABASE_FILE_NAME)).unwrap(),
            "db"
        );
        assert!(chosen.join("taskdeck.db-wal").exists());
        assert!(!roaming.join(APP_FOLDER).exists());
        // Where both exist, the local one is the one in use.
        std::fs::create_dir_all(roaming.join(APP_FOLDER)).unwrap();
        std::fs::write(roaming.join(APP_FOLDER).join(DATABASE_FILE_NAME), "old").unwrap();
        assert_eq!(
            default_location(local.clone(), Some(roaming)),
            local.join(APP_FOLDER)
        );
        // Linux and macOS: one place.
        assert_eq!(
            default_location(local.clone(), Some(local.clone())),
            local.join(APP_FOLDER)
        );
    }

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
    fn taskdeck_s_own_files_are_recognised_however_they_are_named() {
        let root = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(&root.path().join("data"))).unwrap();
        std::fs::write(dir.database_path(), b"db").unwrap();
        std::fs::create_dir(dir.path().join("runners")).unwrap();
        let own = [
            dir.database_path(),
            dir.path().join("taskdeck.db-wal"),
            dir.path().join("taskdeck.db.damaged-20261203T000000Z"),
            dir.path().join("runners").join("abc.lock"),
            root.path()
                .join("data")
                .join("..")
                .join("data")
                .join("taskdeck.db"),
        ];
        for path in &own {
            assert!(dir.is_own_file(path), "{}", path.display());
        }
        #[cfg(unix)]
        {
            let link = root.path().join("innocent.db");
            std::os::unix::fs::symlink(dir.database_path(), &link).unwrap();
            assert!(dir.is_own_file(&link), "a symbolic link to the database");
            let hard = root.path().join("hard.db");
            std::fs::hard_link(dir.database_path(), &hard).unwrap();
            assert!(dir.is_own_file(&hard), "a hard link to the database");
        }
        for path in [
            dir.path().join("export.jsonl"),
            root.path().join("taskdeck.db"),
            root.path().join("missing").join("taskdeck.db"),
        ] {
            assert!(!dir.is_own_file(&path), "{}", path.display());
        }
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
