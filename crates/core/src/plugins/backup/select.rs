//! What a backup takes: a sorted walk of the source folder through the
//! include and exclude globs, noting what cannot be read.
//!
//! Glob rules (as in `.gitignore`): a pattern without `/` matches a name at
//! any depth (`*.log`), one with `/` matches the path from the source folder
//! (`src/**/*.rs`; a leading `/` is allowed). `*` never crosses a `/`, `**`
//! does. An excluded folder is not entered. Includes pick files and links;
//! with no include everything is taken, empty folders too. Where the
//! source's file system ignores case (Windows, macOS by default), so do
//! the globs: `*.log` takes `B.LOG`.

use std::fs;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::CoreError;

/// What one entry of the archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A folder (stored so that empty ones survive).
    Folder,
    /// A regular file.
    File,
    /// A symbolic link, stored as a link.
    Link,
}

/// One path to archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The path inside the archive, `/`-separated, relative to the source.
    pub name: String,
    /// The path on disk.
    pub path: PathBuf,
    /// What it is.
    pub kind: EntryKind,
    /// Its size when scanned (files only).
    pub size: u64,
}

/// A path that cannot be archived, and why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// The path on disk.
    pub path: PathBuf,
    /// What the OS said, or what kind of file it is.
    pub reason: String,
}

/// The outcome of a scan.
#[derive(Debug, Default)]
pub struct Selection {
    /// What to archive, in archive order.
    pub entries: Vec<Entry>,
    /// What could not be read.
    pub unreadable: Vec<Unreadable>,
    /// How many paths the globs left out.
    pub excluded: usize,
    /// The sum of the files' sizes.
    pub bytes: u64,
}

impl Selection {
    /// How many regular files were selected.
    pub fn files(&self) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::File)
            .count()
    }
}

/// The include and exclude globs, compiled.
#[derive(Debug)]
pub struct Patterns {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Patterns {
    /// Compiles the globs; a bad one is an invalid-argument error naming
    /// the parameter and the pattern.
    pub fn new(
        include: &[String],
        exclude: &[String],
        ignore_case: bool,
    ) -> Result<Self, CoreError> {
        let include = if include.iter().all(|pattern| pattern.trim().is_empty()) {
            None
        } else {
            Some(compile("include", include, ignore_case)?)
        };
        Ok(Self {
            include,
            exclude: compile("exclude", exclude, ignore_case)?,
        })
    }

    fn excludes(&self, name: &str) -> bool {
        self.exclude.is_match(name)
    }

    fn includes(&self, name: &str) -> bool {
        self.include.as_ref().is_none_or(|set| set.is_match(name))
    }
}

fn compile(field: &str, patterns: &[String], ignore_case: bool) -> Result<GlobSet, CoreError> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns.iter().map(|pattern| pattern.trim()) {
        if pattern.is_empty() {
            continue;
        }
        let anchored = pattern.trim_start_matches('/');
        let full = if pattern.contains('/') {
            anchored.to_owned()
        } else {
            format!("**/{anchored}")
        };
        set.add(glob(&full, ignore_case).map_err(|error| {
            CoreError::InvalidArgument(format!("`{field}`: bad glob {pattern:?}: {error}"))
        })?);
    }
    set.build()
        .map_err(|error| CoreError::InvalidArgument(format!("`{field}`: {error}")))
}

fn glob(pattern: &str, ignore_case: bool) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .case_insensitive(ignore_case)
        .build()
}

/// Whether the file system holding `folder` ignores the case of names:
/// the folder's own name (or, when it has no letters, a child's) is looked
/// up with its case swapped. Unknown (nothing with a letter to try): what
/// the system's default file system does.
pub fn ignores_case(folder: &Path) -> bool {
    let swapped = |path: &Path| -> Option<PathBuf> {
        let name = path.file_name()?.to_str()?;
        let other: String = name
            .chars()
            .map(|character| {
                if character.is_lowercase() {
                    character.to_uppercase().next().unwrap_or(character)
                } else {
                    character.to_lowercase().next().unwrap_or(character)
                }
            })
            .collect();
        (other != name).then(|| path.with_file_name(other))
    };
    let children = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path());
    std::iter::once(folder.to_path_buf())
        .chain(children)
        .find_map(|path| {
            let other = swapped(&path)?;
            Some(other.exists() && same_file::is_same_file(&path, &other).unwrap_or(false))
        })
        .unwrap_or(cfg!(any(windows, target_os = "macos")))
}

/// Walks `source`; the entries come out in name order. `skip` (the destination, when it lies
/// inside the source) and everything under it is left out.
pub fn scan(source: &Path, patterns: &Patterns, skip: Option<&Path>) -> Selection {
    let mut selection = Selection::default();
    let mut folders = vec![(source.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        let mut children = match fs::read_dir(&folder) {
            Ok(children) => children
                .map(|child| child.map(|child| child.path()))
                .collect::<Result<Vec<_>, _>>(),
            Err(error) => Err(error),
        }
        .unwrap_or_else(|error| {
            selection.unreadable.push(Unreadable {
                path: folder.clone(),
                reason: error.to_string(),
            });
            Vec::new()
        });
        children.sort();
        for path in children {
            if skip.is_some_and(|skip| path == skip) {
                continue;
            }
            // A name that is not UTF-8 could not be stored as it is: say so
            // rather than archive it under a mangled name.
            let Some(file_name) = path.file_name().and_then(|name| name.to_str()) else {
                selection.unreadable.push(Unreadable {
                    path,
                    reason: "its name is not valid UTF-8; rename it to back it up".to_owned(),
                });
                continue;
            };
            let name = format!("{prefix}{file_name}");
            if patterns.excludes(&name) {
                selection.excluded += 1;
                continue;
            }
            let metadata = match fs::symlink_metadata(&path) {
                Ok(metadata) => metadata,
                Err(error) => {
                    selection.unreadable.push(Unreadable {
                        path,
                        reason: error.to_string(),
                    });
                    continue;
                }
            };
            let file_type = metadata.file_type();
            let kind = if file_type.is_dir() {
                folders.push((path.clone(), format!("{name}/")));
                if patterns.include.is_some() {
                    continue;
                }
                EntryKind::Folder
            } else if file_type.is_symlink() {
                EntryKind::Link
            } else if file_type.is_file() {
                EntryKind::File
            } else {
                selection.unreadable.push(Unreadable {
                    path,
                    reason: format!("it is {}, not a regular file", special_kind(&file_type)),
                });
                continue;
            };
            if kind != EntryKind::Folder && !patterns.includes(&name) {
                selection.excluded += 1;
                continue;
            }
            let size = if kind == EntryKind::File {
                metadata.len()
            } else {
                0
            };
            selection.bytes += size;
            selection.entries.push(Entry {
                name,
                path,
                kind,
                size,
            });
        }
    }
    // Archive order is by name, whatever order the walk found things in.
    selection
        .entries
        .sort_by(|left, right| left.name.cmp(&right.name));
    selection
}

#[cfg(unix)]
fn special_kind(file_type: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_socket() {
        "a socket"
    } else if file_type.is_fifo() {
        "a named pipe"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(list: &[&str]) -> Vec<String> {
        list.iter().map(|item| (*item).to_owned()).collect()
    }

    fn patterns(include: &[&str], exclude: &[&str]) -> Patterns {
        Patterns::new(&owned(include), &owned(exclude), false).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_name_that_is_not_utf8_is_reported_not_mangled() {
        use std::os::unix::ffi::OsStrExt;

        let root = tempfile::tempdir().unwrap();
        let odd = root
            .path()
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
        fs::write(&odd, "x").unwrap();
        fs::write(root.path().join("plain.txt"), "y").unwrap();
        let selection = scan(root.path(), &patterns(&[], &[]), None);
        assert_eq!(selection.files(), 1);
        assert_eq!(selection.unreadable.len(), 1);
        assert_eq!(selection.unreadable[0].path, odd);
        assert!(selection.unreadable[0].reason.contains("not valid UTF-8"));
    }

    #[test]
    fn a_bare_name_matches_at_any_depth_and_a_path_from_the_root() {
        let set = patterns(&["*.rs", "/docs/**"], &["target", "secret*"]);
        assert!(set.includes("main.rs") && set.includes("src/deep/lib.rs"));
        assert!(set.includes("docs/guide/a.md") && !set.includes("src/docs/a.md"));
        assert!(!set.includes("notes.txt"));
        assert!(set.excludes("target") && set.excludes("a/b/target"));
        assert!(set.excludes("x/secret.key") && !set.excludes("x/public.key"));
    }

    #[test]
    fn a_star_does_not_cross_folders_but_two_do() {
        let set = patterns(&["src/*.rs", "lib/**/*.rs"], &[]);
        assert!(set.includes("src/main.rs") && !set.includes("src/deep/main.rs"));
        assert!(set.includes("lib/a/b/c.rs") && set.includes("lib/c.rs"));
    }

    #[test]
    fn no_include_takes_everything_and_a_bad_glob_names_its_field() {
        assert!(patterns(&[" "], &[]).includes("anything/at/all"));
        let error = Patterns::new(&[], &["[oops".to_owned()], false).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("`exclude`") && message.contains("[oops"),
            "{message}"
        );
    }

    #[test]
    fn globs_ignore_case_where_the_file_system_does() {
        let set = Patterns::new(&owned(&["*.log"]), &owned(&["Cache"]), true).unwrap();
        assert!(set.includes("B.LOG") && set.includes("dir/app.Log"));
        assert!(set.excludes("cache") && set.excludes("x/CACHE"));
        assert!(!patterns(&["*.log"], &[]).includes("B.LOG"));

        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("Backups");
        fs::create_dir(&folder).unwrap();
        // Linux file systems tell the case apart; Windows' (and Wine's
        // view of Linux's) and macOS's default do not.
        assert_eq!(
            ignores_case(&folder),
            cfg!(any(windows, target_os = "macos")),
            "{}",
            folder.display()
        );
    }
}
