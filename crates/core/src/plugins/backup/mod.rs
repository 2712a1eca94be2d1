//! `backup`: archives a folder into a `.tar.zst` file in a destination
//! folder, with include/exclude globs, a SHA-256 manifest, an optional
//! verify step and retention of the newest N archives.
//!
//! Why tar + zstd rather than zip: a tar stream is written front to back
//! without seeking, keeps Unix modes, times and symbolic links as they
//! are, and zstd compresses it faster than zip's deflate for a better
//! ratio; `tar --zstd -xf` and `sha256sum -c` read the result on any
//! system without Taskdeck.
//!
//! The archive is written to a hidden partial file beside its final name
//! and renamed into place only once it is complete (and verified, when
//! asked), so a cancel or a failure never leaves a half-written archive:
//! the partial file is removed whatever happens. A `<archive>.sha256` file
//! beside it holds the archive's own checksum.
//!
//! Sources: `backup.scan` (what was selected and what cannot be read),
//! `backup.archive` (each file added), `backup.verify` and
//! `backup.retention` (archives removed). Its steps — Scan, Archive,
//! Verify, Retention — are sections of the log.

mod archive;
mod retention;
mod select;
#[cfg(test)]
mod tests;
mod verify;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use taskdeck_protocol::{ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo, human_size};

use self::archive::{OnUnreadable, Written};
use self::select::{Patterns, Selection};
use super::Plugin;
use crate::CoreError;
use crate::partial_file::{self, TempPath};
use crate::task_manager::TaskContext;

/// The zstd level used when the `level` parameter is left out.
pub const DEFAULT_LEVEL: i64 = 3;

/// The `backup` plugin.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackupPlugin;

#[async_trait::async_trait]
impl Plugin for BackupPlugin {
    fn info(&self) -> PluginInfo {
        let globs = |name: &str, label: &str, description: &str| {
            ParamField::new(name, label, ParamKind::StringList, false, description)
        };
        PluginInfo {
            id: "backup".to_owned(),
            name: "Backup".to_owned(),
            description: "Archives a folder into a compressed .tar.zst file with a SHA-256 \
                          manifest, verifies it, and keeps the newest archives."
                .to_owned(),
            params: ParamSchema {
                fields: vec![
                    ParamField::new(
                        "source",
                        "Folder to back up",
                        ParamKind::String,
                        true,
                        "Everything under it is archived, unless excluded.",
                    )
                    .with_picker(PathPicker::Folder),
                    ParamField::new(
                        "destination",
                        "Destination folder",
                        ParamKind::String,
                        true,
                        "Where the archive goes (created if missing).",
                    )
                    .with_picker(PathPicker::Folder),
                    globs(
                        "include",
                        "Include",
                        "Globs of the files to take (`*.txt`, `docs/**`); all when empty.",
                    ),
                    globs(
                        "exclude",
                        "Exclude",
                        "Globs of what to leave out (`*.tmp`, `node_modules`).",
                    ),
                    ParamField::new(
                        "on_unreadable",
                        "Unreadable files",
                        ParamKind::String,
                        false,
                        "skip: log a warning naming each and go on; fail: stop the backup.",
                    )
                    .with_choices(&["skip", "fail"])
                    .with_default(json!("skip")),
                    ParamField::new(
                        "verify",
                        "Verify",
                        ParamKind::Boolean,
                        false,
                        "Read the archive back and check every file before keeping it.",
                    )
                    .with_default(json!(true)),
                    ParamField::new(
                        "keep",
                        "Keep newest",
                        ParamKind::Integer,
                        false,
                        "How many archives of this folder to keep; all when empty.",
                    )
                    .with_range(Some(1.0), None),
                    ParamField::new(
                        "level",
                        "Compression level",
                        ParamKind::Integer,
                        false,
                        "zstd level, 1 (fastest) to 19 (smallest).",
                    )
                    .with_range(Some(1.0), Some(19.0))
                    .with_default(json!(DEFAULT_LEVEL)),
                ],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let job = Job::from_params(&ctx)?;
        let worker = ctx.clone();
        tokio::task::spawn_blocking(move || job.run(&worker))
            .await
            .map_err(|error| CoreError::PluginFailed(format!("the backup stopped: {error}")))?
    }
}

/// One backup, its parameters checked.
struct Job {
    source: PathBuf,
    destination: PathBuf,
    patterns: Patterns,
    on_unreadable: OnUnreadable,
    verify: bool,
    keep: Option<usize>,
    level: i32,
}

impl Job {
    fn from_params(ctx: &TaskContext) -> Result<Self, CoreError> {
        let path = |name: &str| -> Result<PathBuf, CoreError> {
            let text: String = ctx.param(name)?.unwrap_or_default();
            let text = text.trim();
            if text.is_empty() {
                return Err(CoreError::InvalidArgument(format!("`{name}` is required")));
            }
            Ok(PathBuf::from(text))
        };
        let source = path("source")?;
        if !source.is_dir() {
            return Err(CoreError::InvalidArgument(format!(
                "`source`: {} is not a folder",
                source.display()
            )));
        }
        let source = dunce::canonicalize(&source).map_err(|error| {
            CoreError::InvalidArgument(format!("`source`: {}: {error}", source.display()))
        })?;
        let destination = path("destination")?;
        if destination.exists() && !destination.is_dir() {
            return Err(CoreError::InvalidArgument(format!(
                "`destination`: {} is not a folder",
                destination.display()
            )));
        }
        let globs = |name: &str| -> Result<Vec<String>, CoreError> {
            Ok(ctx.param(name)?.unwrap_or_default())
        };
        let patterns = Patterns::new(
            &globs("include")?,
            &globs("exclude")?,
            select::ignores_case(&source),
        )?;
        let on_unreadable = match ctx.param_str("on_unreadable").unwrap_or("skip") {
            "fail" => OnUnreadable::Fail,
            _ => OnUnreadable::Skip,
        };
        let keep = ctx
            .param::<u64>("keep")?
            .map(|keep| usize::try_from(keep).unwrap_or(usize::MAX));
        let level = ctx.param::<i64>("level")?.unwrap_or(DEFAULT_LEVEL);
        Ok(Self {
            source,
            destination,
            patterns,
            on_unreadable,
            verify: ctx.param("verify")?.unwrap_or(true),
            keep,
            level: i32::try_from(level.clamp(1, 19)).unwrap_or(3),
        })
    }

    /// Scans, archives, verifies, publishes and prunes, on a blocking
    /// thread; cancellation is checked on every read.
    fn run(self, ctx: &TaskContext) -> Result<Value, CoreError> {
        std::fs::create_dir_all(&self.destination).map_err(|source| {
            CoreError::io(
                format!("creating the destination {}", self.destination.display()),
                source,
            )
        })?;
        let destination = dunce::canonicalize(&self.destination).map_err(|source| {
            CoreError::io(
                format!("opening the destination {}", self.destination.display()),
                source,
            )
        })?;
        if destination == self.source {
            return Err(CoreError::InvalidArgument(
                "`destination` must not be the folder being backed up; choose another folder \
                 or one inside it"
                    .to_owned(),
            ));
        }
        let inside = destination
            .starts_with(&self.source)
            .then_some(destination.as_path());

        // Each step is a section of the log, closed as it ends or fails.
        let selection = {
            let _step = ctx.logger().child("scan").section("Scan");
            self.scan(ctx, inside)?
        };
        let prefix = retention::prefix_for(&self.source);
        let name = retention::archive_name(&prefix, chrono::Utc::now());
        let path = destination.join(&name);
        let partial = partial_file::beside(&path).map_err(|source| {
            CoreError::io(
                format!("creating the archive in {}", destination.display()),
                source,
            )
        })?;
        let archiving = ctx.logger().child("archive").section("Archive");
        let written = archive::write(&selection, &partial, self.level, self.on_unreadable, ctx)?;
        ctx.logger()
            .child("archive")
            .with_metadata(json!({
                "archive": path,
                "size": written.size,
                "sha256": written.sha256,
                "files": written.manifest.len(),
            }))
            .info(format!(
                "wrote {} files ({}) into {} ({})",
                written.manifest.len(),
                human_size(written.bytes),
                name,
                human_size(written.size)
            ));
        archiving.close();
        if self.verify {
            let _step = ctx.logger().child("verify").section("Verify");
            let log = ctx.logger().child("verify");
            ctx.report_progress(None, format!("verifying {name}"));
            log.info(format!("reading {name} back"));
            let checked = verify::verify(
                &partial,
                &written.sha256,
                &written.manifest,
                ctx.cancellation(),
            )
            .inspect_err(|error| {
                if !matches!(error, CoreError::Cancelled) {
                    log.error(error.to_string());
                }
            })?;
            log.info(format!("{checked} files match the manifest"));
        }
        if ctx.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        publish(partial, &path, &written)?;

        let removed = match self.keep {
            Some(keep) => {
                let _step = ctx.logger().child("retention").section("Retention");
                retention::prune(
                    &destination,
                    &prefix,
                    keep,
                    &ctx.logger().child("retention"),
                )
            }
            None => Vec::new(),
        };
        Ok(json!({
            "archive": path,
            "size": written.size,
            "sha256": written.sha256,
            "files": written.manifest.len(),
            "bytes": written.bytes,
            "skipped": written
                .skipped
                .iter()
                .chain(&selection.unreadable)
                .map(|unreadable| &unreadable.path)
                .collect::<Vec<_>>(),
            "verified": self.verify,
            "removed": removed,
        }))
    }

    /// Walks the source and logs what was found; unreadable paths are
    /// warnings, or end the task when `on_unreadable` is `fail`.
    fn scan(&self, ctx: &TaskContext, skip: Option<&Path>) -> Result<Selection, CoreError> {
        let log = ctx.logger().child("scan");
        ctx.report_progress(None, format!("scanning {}", self.source.display()));
        let selection = select::scan(&self.source, &self.patterns, skip);
        for unreadable in &selection.unreadable {
            let line =
                log.with_metadata(json!({ "path": unreadable.path, "error": unreadable.reason }));
            let message = format!(
                "cannot read {}: {}",
                unreadable.path.display(),
                unreadable.reason
            );
            if self.on_unreadable == OnUnreadable::Fail {
                line.error(message.clone());
                return Err(CoreError::PluginFailed(message));
            }
            line.warning(format!(
                "skipped {}: {}",
                unreadable.path.display(),
                unreadable.reason
            ));
        }
        log.with_metadata(json!({
            "source": self.source,
            "files": selection.files(),
            "bytes": selection.bytes,
            "excluded": selection.excluded,
            "unreadable": selection.unreadable.len(),
        }))
        .info(format!(
            "{} files ({}) selected in {}; {} excluded, {} unreadable",
            selection.files(),
            human_size(selection.bytes),
            self.source.display(),
            selection.excluded,
            selection.unreadable.len()
        ));
        if ctx.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        Ok(selection)
    }
}

/// Renames the finished archive into place and writes its checksum file
/// beside it.
fn publish(partial: TempPath, path: &Path, written: &Written) -> Result<(), CoreError> {
    partial.persist(path).map_err(|failed| {
        CoreError::io(
            format!("moving the archive to {}", path.display()),
            failed.error,
        )
    })?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let checksum = path.with_file_name(format!("{name}{}", retention::CHECKSUM_EXTENSION));
    std::fs::write(&checksum, format!("{}  {name}\n", written.sha256))
        .map_err(|source| CoreError::io(format!("writing {}", checksum.display()), source))
}
