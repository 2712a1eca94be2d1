//! Writing the archive: a tar stream compressed with zstd into a partial
//! file, each file hashed (SHA-256) as it is read, the manifest added last,
//! and cancellation checked on every read so that a cancel lands within one
//! buffer.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};
use taskdeck_protocol::human_size;
use tokio_util::sync::CancellationToken;

use super::select::{Entry, EntryKind, Selection, Unreadable};
use crate::CoreError;
use crate::task_manager::{TaskContext, TaskLogger};

/// The manifest's name inside the archive: `sha256sum -c` reads it.
pub const MANIFEST_NAME: &str = ".taskdeck-manifest.sha256";

/// What to do with a file that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnUnreadable {
    /// Log a warning naming it and go on without it.
    Skip,
    /// Fail the task, naming it.
    Fail,
}

/// What went into a finished archive.
#[derive(Debug, Default)]
pub struct Written {
    /// Each file's name and SHA-256 (hex), as in the manifest.
    pub manifest: BTreeMap<String, String>,
    /// The files' bytes (before compression).
    pub bytes: u64,
    /// What could not be read and was left out.
    pub skipped: Vec<Unreadable>,
    /// The archive's size.
    pub size: u64,
    /// The archive's SHA-256 (hex).
    pub sha256: String,
}

/// Hex of a finished hash.
pub fn hex(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The manifest's text: one `<sha256>  <name>` line per file, by name.
pub fn manifest_text(manifest: &BTreeMap<String, String>) -> String {
    manifest
        .iter()
        .map(|(name, sha256)| format!("{sha256}  {name}\n"))
        .collect()
}

/// Writes `selection` into `partial` (which the caller removes on error).
pub fn write(
    selection: &Selection,
    partial: &Path,
    level: i32,
    on_unreadable: OnUnreadable,
    ctx: &TaskContext,
) -> Result<Written, CoreError> {
    let log = ctx.logger().child("archive");
    let io_error = |source: io::Error| {
        if ctx.is_cancelled() {
            CoreError::Cancelled
        } else {
            CoreError::Io {
                context: format!("writing the archive {}", partial.display()),
                source,
            }
        }
    };
    let file = File::create(partial).map_err(io_error)?;
    let counted = Counting {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let encoder = zstd::Encoder::new(counted, level).map_err(io_error)?;
    let mut builder = tar::Builder::new(encoder);
    builder.follow_symlinks(false);

    let mut written = Written::default();
    let total_files = selection.files();
    let mut files_done = 0;
    for entry in &selection.entries {
        if ctx.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let added = match entry.kind {
            EntryKind::Folder => append_folder(&mut builder, entry),
            EntryKind::Link => append_link(&mut builder, entry),
            EntryKind::File => append_file(&mut builder, entry, ctx.cancellation()).map(Some),
        };
        match added {
            Ok(sha256) => {
                if let Some(sha256) = sha256 {
                    files_done += 1;
                    written.bytes += entry.size;
                    log.with_metadata(
                        json!({ "path": entry.name, "bytes": entry.size, "sha256": sha256 }),
                    )
                    .info(format!(
                        "added {} ({})",
                        entry.name,
                        human_size(entry.size)
                    ));
                    written.manifest.insert(entry.name.clone(), sha256);
                    ctx.report_progress(
                        Some(if selection.bytes == 0 {
                            files_done as f64 / total_files.max(1) as f64
                        } else {
                            written.bytes as f64 / selection.bytes as f64
                        }),
                        format!("{files_done} of {total_files} files archived"),
                    );
                }
            }
            Err(Failure::Unreadable(source)) => {
                skip_or_fail(entry, source, on_unreadable, &log, &mut written)?;
            }
            Err(Failure::Write(source)) => return Err(io_error(source)),
        }
    }
    let manifest = manifest_text(&written.manifest);
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    builder
        .append_data(&mut header, MANIFEST_NAME, manifest.as_bytes())
        .map_err(io_error)?;
    let encoder = builder.into_inner().map_err(io_error)?;
    let mut counted = encoder.finish().map_err(io_error)?;
    counted.flush().map_err(io_error)?;
    let Counting {
        inner,
        hasher,
        bytes,
    } = counted;
    let file = inner
        .into_inner()
        .map_err(|error| io_error(error.into_error()))?;
    file.sync_all().map_err(io_error)?;
    written.size = bytes;
    written.sha256 = hex(hasher);
    Ok(written)
}

fn skip_or_fail(
    entry: &Entry,
    source: io::Error,
    on_unreadable: OnUnreadable,
    log: &TaskLogger,
    written: &mut Written,
) -> Result<(), CoreError> {
    let path = entry.path.display();
    let log = log.with_metadata(json!({ "path": entry.path, "error": source.to_string() }));
    match on_unreadable {
        OnUnreadable::Skip => {
            log.warning(format!("skipped {path}: cannot read it: {source}"));
            written.skipped.push(Unreadable {
                path: entry.path.clone(),
                reason: source.to_string(),
            });
            Ok(())
        }
        OnUnreadable::Fail => {
            let message = format!("cannot read {path}: {source}");
            log.error(message.clone());
            Err(CoreError::PluginFailed(message))
        }
    }
}

/// Why an entry was not added: its own file failed (skippable), or the
/// archive did (never skippable).
enum Failure {
    Unreadable(io::Error),
    Write(io::Error),
}

type Builder = tar::Builder<zstd::Encoder<'static, Counting<BufWriter<File>>>>;

fn append_folder(builder: &mut Builder, entry: &Entry) -> Result<Option<String>, Failure> {
    let metadata = std::fs::metadata(&entry.path).map_err(Failure::Unreadable)?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&metadata);
    header.set_entry_type(tar::EntryType::Directory);
    header.set_size(0);
    builder
        .append_data(&mut header, format!("{}/", entry.name), io::empty())
        .map_err(Failure::Write)?;
    Ok(None)
}

fn append_link(builder: &mut Builder, entry: &Entry) -> Result<Option<String>, Failure> {
    let target = std::fs::read_link(&entry.path).map_err(Failure::Unreadable)?;
    let metadata = std::fs::symlink_metadata(&entry.path).map_err(Failure::Unreadable)?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&metadata);
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, &entry.name, target)
        .map_err(Failure::Write)?;
    Ok(None)
}

/// Adds a file and returns its SHA-256.
fn append_file(
    builder: &mut Builder,
    entry: &Entry,
    cancel: &CancellationToken,
) -> Result<String, Failure> {
    let file = File::open(&entry.path).map_err(Failure::Unreadable)?;
    let metadata = file.metadata().map_err(Failure::Unreadable)?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&metadata);
    let mut reader = Hashing {
        inner: file,
        hasher: Sha256::new(),
        remaining: metadata.len(),
        cancel,
        name: &entry.name,
    };
    builder
        .append_data(&mut header, &entry.name, &mut reader)
        .map_err(Failure::Write)?;
    Ok(hex(reader.hasher))
}

/// Reads exactly the size the header promised, hashing it, and stops with
/// an error when the task is cancelled or the file shrank meanwhile.
struct Hashing<'a, R> {
    inner: R,
    hasher: Sha256,
    remaining: u64,
    cancel: &'a CancellationToken,
    name: &'a str,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(io::Error::other("cancelled"));
        }
        if self.remaining == 0 || buffer.is_empty() {
            return Ok(0);
        }
        let wanted = buffer
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buffer[..wanted])?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{} shrank while it was being archived; run the backup again",
                    self.name
                ),
            ));
        }
        self.hasher.update(&buffer[..read]);
        self.remaining -= read as u64;
        Ok(read)
    }
}

/// Counts and hashes what is written through it (the archive's own size
/// and checksum, without reading it back).
pub struct Counting<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_shrinks_while_read_is_an_error_not_a_short_entry() {
        let cancel = CancellationToken::new();
        let mut reader = Hashing {
            inner: &b"abc"[..],
            hasher: Sha256::new(),
            remaining: 10,
            cancel: &cancel,
            name: "shrinks.log",
        };
        let error = io::copy(&mut reader, &mut io::sink()).unwrap_err();
        assert!(error.to_string().contains("shrinks.log shrank"), "{error}");
        cancel.cancel();
        let mut reader = Hashing {
            inner: &b"abc"[..],
            hasher: Sha256::new(),
            remaining: 3,
            cancel: &cancel,
            name: "x",
        };
        assert_eq!(
            io::copy(&mut reader, &mut io::sink())
                .unwrap_err()
                .to_string(),
            "cancelled"
        );
    }
}
