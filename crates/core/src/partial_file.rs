//! Files that appear whole or not at all: written under a hidden partial
//! name beside their final one (same folder, so the final rename stays on
//! one file system) and renamed into place when complete
//! ([`TempPath::persist`]); a partial file that is dropped (an error, a
//! cancel) is removed. `tempfile` makes the name unique and the file new.

use std::path::Path;

pub use tempfile::TempPath;

/// A new, empty partial file beside `target`:
/// `.<name>.<random>.partial`.
pub fn beside(target: &Path) -> std::io::Result<TempPath> {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)?
        .into_temp_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_partial_file_is_removed_and_a_persisted_one_is_moved() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let partial = beside(&target).unwrap();
        std::fs::write(&partial, "half").unwrap();
        let name = partial.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".out.csv.") && name.ends_with(".partial"),
            "{name}"
        );
        drop(partial);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let partial = beside(&target).unwrap();
        std::fs::write(&partial, "whole").unwrap();
        partial.persist(&target).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
