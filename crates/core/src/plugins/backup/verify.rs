//! Verifying an archive before it is published: read it back whole,
//! check its SHA-256, decompress it and check every file against the
//! manifest (nothing missing, nothing extra, no byte changed).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::archive::{MANIFEST_NAME, hex, manifest_text};
use crate::CoreError;

/// A verification failure, in the task's terms.
fn failed(reason: impl std::fmt::Display) -> CoreError {
    CoreError::PluginFailed(format!("verification failed: {reason}"))
}

fn unreadable(error: io::Error) -> CoreError {
    failed(format!("cannot read the archive back: {error}"))
}

/// Checks the archive at `path` against its expected checksum and
/// manifest; returns how many files were checked.
pub fn verify(
    path: &Path,
    sha256: &str,
    manifest: &BTreeMap<String, String>,
    cancel: &CancellationToken,
) -> Result<usize, CoreError> {
    let mut whole = Sha256::new();
    copy_checked(
        &mut File::open(path).map_err(unreadable)?,
        &mut whole,
        cancel,
    )?;
    let found = hex(whole);
    if found != sha256 {
        return Err(failed(format!(
            "the archive's SHA-256 is {found}, {sha256} was written"
        )));
    }

    let decoder = zstd::Decoder::new(BufReader::new(File::open(path).map_err(unreadable)?))
        .map_err(unreadable)?;
    let mut archive = tar::Archive::new(decoder);
    let mut seen = BTreeMap::new();
    let mut stored_manifest = None;
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry
            .path()
            .map_err(unreadable)?
            .to_string_lossy()
            .into_owned();
        if name == MANIFEST_NAME {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(unreadable)?;
            stored_manifest = Some(text);
            continue;
        }
        let mut hasher = Sha256::new();
        copy_checked(&mut entry, &mut hasher, cancel)?;
        seen.insert(name, hex(hasher));
    }
    for (name, expected) in manifest {
        match seen.remove(name) {
            None => {
                return Err(failed(format!(
                    "{name} is in the manifest but not in the archive"
                )));
            }
            Some(found) if found != *expected => {
                return Err(failed(format!(
                    "{name} reads back with SHA-256 {found}, the manifest says {expected}"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(name) = seen.into_keys().next() {
        return Err(failed(format!(
            "{name} is in the archive but not in the manifest"
        )));
    }
    if stored_manifest.as_deref() != Some(manifest_text(manifest).as_str()) {
        return Err(failed(
            "the manifest stored in the archive differs from the one written",
        ));
    }
    Ok(manifest.len())
}

/// Feeds `reader` into `hasher`, stopping when cancelled.
fn copy_checked(
    reader: &mut impl Read,
    hasher: &mut Sha256,
    cancel: &CancellationToken,
) -> Result<(), CoreError> {
    let mut buffer = vec![0; 256 * 1024];
    loop {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        match reader.read(&mut buffer).map_err(unreadable)? {
            0 => return Ok(()),
            read => hasher.update(&buffer[..read]),
        }
    }
}
