//! Archive names and retention: each archive is named after its source
//! folder and the time it was made (`photos-20261125-093000-123.tar.zst`),
//! so that the archives of one source sort oldest to newest by name, and
//! keeping the newest N deletes the rest (with their `.sha256` files).
//! Files that do not have exactly this shape are never touched.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::CoreError;
use crate::task_manager::TaskLogger;

/// The archive extension.
pub const EXTENSION: &str = ".tar.zst";

/// The checksum file's extension, after the archive's name.
pub const CHECKSUM_EXTENSION: &str = ".sha256";

/// The length of the time stamp in a name (`20261125-093000-123`).
const STAMP_LENGTH: usize = 19;

/// The name prefix for archives of `source`: its folder name, with
/// anything but letters, digits, `.`, `_` and `-` replaced by `_`.
pub fn prefix_for(source: &Path) -> String {
    let name = source
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = name
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || matches!(character, '.' | '_' | '-') {
                character
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches('.').is_empty() {
        "backup".to_owned()
    } else {
        cleaned
    }
}

/// The archive's file name for a backup of `prefix` made at `at`.
pub fn archive_name(prefix: &str, at: DateTime<Utc>) -> String {
    format!("{prefix}-{}{EXTENSION}", at.format("%Y%m%d-%H%M%S-%3f"))
}

/// Whether `file_name` is an archive of `prefix` made by this plugin.
fn is_archive_of(file_name: &str, prefix: &str) -> bool {
    let Some(stamp) = file_name
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(EXTENSION))
    else {
        return false;
    };
    stamp.len() == STAMP_LENGTH
        && stamp.char_indices().all(|(index, character)| match index {
            8 | 15 => character == '-',
            _ => character.is_ascii_digit(),
        })
}

/// The archives of `prefix` in `destination`, oldest first.
pub fn archives_of(destination: &Path, prefix: &str) -> Result<Vec<String>, CoreError> {
    let listing = std::fs::read_dir(destination).map_err(|source| CoreError::Io {
        context: format!("listing {}", destination.display()),
        source,
    })?;
    let mut names: Vec<String> = listing
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| is_archive_of(name, prefix))
        .collect();
    names.sort();
    Ok(names)
}

/// Deletes all but the newest `keep` archives of `prefix`, and returns
/// what was deleted. An archive that cannot be removed (open in another
/// program, say) or a folder that cannot be listed is a warning: the new
/// archive is written by then, so the backup itself stands.
pub fn prune(destination: &Path, prefix: &str, keep: usize, log: &TaskLogger) -> Vec<PathBuf> {
    let archives = match archives_of(destination, prefix) {
        Ok(archives) => archives,
        Err(error) => {
            log.warning(format!("old archives are left in place: {error}"));
            return Vec::new();
        }
    };
    let surplus = archives.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for name in &archives[..surplus] {
        let path = destination.join(name);
        if let Err(source) = std::fs::remove_file(&path) {
            let error = CoreError::io(format!("removing the old archive {name}"), source);
            log.warning(format!("{error}; it stays"));
            continue;
        }
        let checksum = destination.join(format!("{name}{CHECKSUM_EXTENSION}"));
        if checksum.exists() {
            let _ = std::fs::remove_file(&checksum);
        }
        log.info(format!("removed {name} (keeping the newest {keep})"));
        removed.push(path);
    }
    if surplus == 0 {
        log.info(format!(
            "{} archive(s) of {prefix}, none beyond the newest {keep}",
            archives.len()
        ));
    }
    removed
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn names_sort_by_time_and_only_exact_shapes_are_ours() {
        let at = |ms| Utc.timestamp_millis_opt(ms).single().unwrap();
        let early = archive_name("docs", at(1_700_000_000_000));
        let late = archive_name("docs", at(1_700_000_000_001));
        assert_eq!(early, "docs-20231114-221320-000.tar.zst");
        assert!(early < late);
        assert!(is_archive_of(&early, "docs"));
        assert!(!is_archive_of(&archive_name("docs-old", at(0)), "docs"));
        assert!(!is_archive_of("docs-notes.tar.zst", "docs"));
        assert!(!is_archive_of(&format!("{early}.sha256"), "docs"));
    }

    #[test]
    fn prefixes_are_safe_file_names() {
        assert_eq!(prefix_for(Path::new("/home/me/My Photos")), "My_Photos");
        assert_eq!(prefix_for(Path::new("/")), "backup");
        assert_eq!(prefix_for(Path::new("/srv/app-data.v2")), "app-data.v2");
    }
}
