//! Migration files: `V<version>__<name>.sql` in one folder, ordered by
//! version, with the SHA-256 of their text: line ends and a leading UTF-8
//! BOM do not count, so a checkout with CRLF line ends (Git on Windows) is
//! the same migration as the LF one it was applied from.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::CoreError;

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// Its version (`V003__…` is 3).
    pub version: i64,
    /// The part after `__`, without `.sql`.
    pub name: String,
    /// Its file name.
    pub file_name: String,
    /// Where it is.
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of its text with LF line ends and no BOM:
    /// what is recorded when it is applied.
    pub checksum: String,
    /// Lower-case hex SHA-256 of its bytes as they are: what earlier
    /// versions recorded, still accepted.
    pub raw_checksum: String,
    /// Its text.
    pub sql: String,
}

impl MigrationFile {
    /// Whether `recorded` (from the history table) is this file's: its
    /// text's checksum, or the checksum of its bytes as earlier versions
    /// took it.
    pub fn matches_record(&self, recorded: &str) -> bool {
        recorded == self.checksum || recorded == self.raw_checksum
    }
}

/// Reads a file name as `V<version>__<name>.sql`.
pub fn parse_name(file_name: &str) -> Option<(i64, String)> {
    let stem = file_name.strip_suffix(".sql")?;
    let rest = stem.strip_prefix('V').or_else(|| stem.strip_prefix('v'))?;
    let (version, name) = rest.split_once("__")?;
    if version.is_empty() || !version.chars().all(|digit| digit.is_ascii_digit()) {
        return None;
    }
    let version = version.parse().ok()?;
    (!name.is_empty()).then(|| (version, name.to_owned()))
}

/// The migration files of `folder` by version. Other files are returned
/// apart (so they can be reported); two files with one version, or a file
/// that cannot be read as UTF-8 text, are errors naming them.
pub fn discover(folder: &Path) -> Result<(Vec<MigrationFile>, Vec<String>), CoreError> {
    let entries = std::fs::read_dir(folder).map_err(|error| {
        CoreError::PluginFailed(format!("folder: cannot read {}: {error}", folder.display()))
    })?;
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| {
            CoreError::PluginFailed(format!("folder: cannot list {}: {error}", folder.display()))
        })?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        match parse_name(&file_name) {
            Some((version, name)) if is_file => {
                let path = entry.path();
                let bytes = std::fs::read(&path).map_err(|error| {
                    CoreError::PluginFailed(format!("cannot read {file_name}: {error}"))
                })?;
                let raw_checksum = format!("{:x}", Sha256::digest(&bytes));
                let sql = String::from_utf8(bytes).map_err(|_| {
                    CoreError::PluginFailed(format!("{file_name} is not UTF-8 text"))
                })?;
                let sql = sql
                    .strip_prefix('\u{feff}')
                    .unwrap_or(&sql)
                    .replace("\r\n", "\n");
                let checksum = format!("{:x}", Sha256::digest(&sql));
                files.push(MigrationFile {
                    version,
                    name,
                    file_name,
                    path,
                    checksum,
                    raw_checksum,
                    sql,
                });
            }
            _ => ignored.push(file_name),
        }
    }
    files.sort_by_key(|file| file.version);
    if let Some(pair) = files
        .windows(2)
        .find(|pair| pair[0].version == pair[1].version)
    {
        return Err(CoreError::PluginFailed(format!(
            "{} and {} have the same version {}",
            pair[0].file_name, pair[1].file_name, pair[0].version
        )));
    }
    ignored.sort();
    Ok((files, ignored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_versioned_pattern() {
        assert_eq!(
            parse_name("V001__create_users.sql"),
            Some((1, "create_users".into()))
        );
        assert_eq!(parse_name("v20__x.sql"), Some((20, "x".into())));
        for name in [
            "V1_x.sql",
            "V__x.sql",
            "Vx__y.sql",
            "V1__.sql",
            "V1__x.txt",
            "README.md",
        ] {
            assert_eq!(parse_name(name), None, "{name}");
        }
    }

    #[test]
    fn files_are_ordered_by_version_and_duplicates_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("V10__later.sql"), "SELECT 10;").unwrap();
        std::fs::write(dir.path().join("V2__earlier.sql"), "SELECT 2;").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a migration").unwrap();
        let (files, ignored) = discover(dir.path()).unwrap();
        let versions: Vec<i64> = files.iter().map(|file| file.version).collect();
        assert_eq!(versions, vec![2, 10]);
        assert_eq!(ignored, vec!["notes.txt".to_owned()]);
        assert_eq!(files[0].checksum.len(), 64);
        std::fs::write(dir.path().join("V002__again.sql"), "SELECT 2;").unwrap();
        let error = discover(dir.path()).unwrap_err().to_string();
        assert!(error.contains("same version 2"), "{error}");
        let missing = discover(&dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("folder"), "{missing}");
    }

    #[test]
    fn line_ends_and_a_bom_do_not_change_the_checksum_and_old_records_match() {
        let lf = tempfile::tempdir().unwrap();
        let crlf = tempfile::tempdir().unwrap();
        let text = "CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (1);\n";
        std::fs::write(lf.path().join("V1__t.sql"), text).unwrap();
        std::fs::write(
            crlf.path().join("V1__t.sql"),
            format!("\u{feff}{}", text.replace('\n', "\r\n")),
        )
        .unwrap();
        let (lf, _) = discover(lf.path()).unwrap();
        let (crlf, _) = discover(crlf.path()).unwrap();
        assert_eq!(lf[0].checksum, crlf[0].checksum);
        assert_eq!(crlf[0].sql, text);
        // A record taken over the raw bytes (as before) still matches; a
        // changed text does not.
        assert!(crlf[0].matches_record(&crlf[0].raw_checksum.clone()));
        assert!(lf[0].matches_record(&lf[0].raw_checksum.clone()));
        assert!(!lf[0].matches_record(&crlf[0].raw_checksum));
        assert!(!lf[0].matches_record(&format!("{:x}", Sha256::digest("SELECT 2;"))));
    }
}
