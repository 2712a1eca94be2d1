//! Files that appear whole or not at all: written under a hidden partial
//! name beside their final one and renamed into place when complete; a
//! partial file that is dropped (an error, a cancel) is removed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Tells apart partial files of one process made in the same instant.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A file being written; removed when dropped unless persisted.
#[derive(Debug)]
pub struct PartialFile {
    path: PathBuf,
    persisted: bool,
}

impl PartialFile {
    /// A partial name beside `target` (same folder, so the final rename
    /// stays on one file system): `.<name>.<pid>-<n>.partial`.
    pub fn beside(target: &Path) -> Self {
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unique = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Self {
            path: target.with_file_name(format!(".{name}.{unique}.partial")),
            persisted: false,
        }
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the finished file to `target`.
    pub fn persist(mut self, target: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_partial_file_is_removed_and_a_persisted_one_is_moved() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let partial = PartialFile::beside(&target);
        std::fs::write(partial.path(), "half").unwrap();
        assert!(
            partial
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".out.csv.")
        );
        drop(partial);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let partial = PartialFile::beside(&target);
        std::fs::write(partial.path(), "whole").unwrap();
        partial.persist(&target).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
