//! Export: a task's entries (all of them, or those a filter matches)
//! streamed to JSON Lines, CSV or text ([`format`]).
//!
//! Memory stays constant whatever the log's size: entries are read in
//! keyset pages of [`PAGE`] by a blocking reader a few pages ahead of the
//! writer ([`crate::store::logs::bulk`], one snapshot of the store) and
//! written through a buffer. A file export is
//! written to a hidden partial file beside the target and renamed into place
//! only when complete, so an error, a deleted task or a dropped future never
//! leaves a partial file. Entries still buffered in memory are flushed
//! first, so a running task exports everything it has logged so far.

pub mod format;

use std::path::Path;
use std::sync::Arc;

use taskdeck_protocol::{ExportFormat, ExportHeader, ExportReport, LogFilter, Order};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;

use crate::partial_file;
use crate::store::logs::bulk::{self, BulkReader};
use crate::task_manager::TaskManager;
use crate::{CoreError, Store, TaskRepository};

/// Entries read per page.
pub const PAGE: u32 = 2_000;

/// Pages read and encoded ahead of the writer.
const PAGES_AHEAD: usize = 4;

/// Writes the entries of each task in `task_ids` that match `filter` (its
/// level, source and search conditions; cursors, limit and order are the
/// export's own: every match, oldest first) to `out` in `format`, task
/// after task. JSON Lines gives each task its header line; CSV has one
/// header row (its `task_id` column tells tasks apart); text takes one task.
/// `progress` is called after each page with the entries written so far;
/// a failed write names `out_name` (the file, or standard output).
/// Returns the entries and bytes written.
pub async fn write_task_logs<W: AsyncWrite + Unpin>(
    manager: &TaskManager,
    task_ids: &[String],
    filter: &LogFilter,
    format: ExportFormat,
    out: &mut W,
    out_name: &str,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(u64, u64), CoreError> {
    let write_error = |source| CoreError::io(format!("writing {out_name}"), source);
    if task_ids.is_empty() {
        return Err(CoreError::InvalidArgument("no task to export".to_owned()));
    }
    if format.is_text() && task_ids.len() > 1 {
        return Err(CoreError::InvalidArgument(
            "a text export holds one task (its lines do not name their task); export several \
             as jsonl or csv"
                .to_owned(),
        ));
    }
    let conditions = LogFilter {
        after_seq: None,
        before_seq: None,
        limit: None,
        order: Order::Ascending,
        ..filter.clone()
    };
    conditions.validate()?;
    // Every id is checked before anything is written.
    let mut tasks = Vec::with_capacity(task_ids.len());
    for task_id in task_ids {
        tasks.push(manager.get_task(task_id).await?);
    }
    let (mut entries, mut bytes) = (0u64, 0u64);
    let mut buffer = Vec::new();
    for (index, task) in tasks.into_iter().enumerate() {
        let task_id = task.id.clone();
        if index == 0 || format == ExportFormat::JsonLines {
            let header = ExportHeader {
                taskdeck_export: ExportHeader::KIND.to_owned(),
                version: ExportHeader::VERSION,
                task,
                filter: (conditions != LogFilter::default()).then(|| conditions.clone()),
            };
            format::preamble(format, &header, &mut buffer)?;
        }
        let deleted = |_: CoreError| {
            CoreError::InvalidArgument(format!(
                "task {task_id} was deleted while it was being exported; nothing was written"
            ))
        };
        // Entries a running task still holds in memory go to the store
        // first, so the snapshot below has them.
        manager.settle(&task_id).await;
        let mut pages = read_pages(manager.store(), task_id.clone(), conditions.clone(), format);
        if !buffer.is_empty() {
            out.write_all(&buffer).await.map_err(write_error)?;
            bytes += buffer.len() as u64;
            buffer.clear();
        }
        while let Some(page) = pages.recv().await {
            let (encoded, count) = page.map_err(|error| match error {
                CoreError::TaskNotFound(_) => deleted(error),
                other => other,
            })?;
            out.write_all(&encoded).await.map_err(write_error)?;
            bytes += encoded.len() as u64;
            entries += count;
            progress(entries);
        }
        // The snapshot outlives a delete; the export must not.
        TaskRepository::new(manager.store())
            .identity(&task_id)
            .await
            .map_err(deleted)?;
    }
    out.flush().await.map_err(write_error)?;
    Ok((entries, bytes))
}

/// Pages of encoded entries, read and encoded on a blocking thread through
/// a [`BulkReader`] (one snapshot of the store), at most a few pages ahead
/// of the writer: memory stays constant. The reader stops when the
/// receiver is dropped.
fn read_pages(
    store: &Store,
    task_id: String,
    filter: LogFilter,
    format: ExportFormat,
) -> mpsc::Receiver<Result<(Vec<u8>, u64), CoreError>> {
    let (sender, receiver) = mpsc::channel(PAGES_AHEAD);
    let reads = Arc::clone(store.reads());
    tokio::task::spawn_blocking(move || {
        let read = || -> Result<(), CoreError> {
            let reader = BulkReader::begin(reads.open()?)?;
            let task = bulk::identity(reader.connection(), &task_id)?;
            let pairs = bulk::matching_pairs(reader.connection(), &task, &filter)?;
            let mut page_filter = LogFilter {
                limit: Some(PAGE),
                ..filter
            };
            loop {
                let page = reader.read_page(&task, &page_filter, pairs.as_ref())?;
                let mut encoded = Vec::with_capacity(256 * 1024);
                for entry in &page.entries {
                    format::entry(format, entry, &mut encoded)?;
                }
                if sender
                    .blocking_send(Ok((encoded, page.entries.len() as u64)))
                    .is_err()
                {
                    return Ok(());
                }
                match page.next_cursor {
                    Some(cursor) => page_filter.after_seq = Some(cursor),
                    None => return Ok(()),
                }
            }
        };
        if let Err(error) = read() {
            let _ = sender.blocking_send(Err(error));
        }
    });
    receiver
}

/// [`write_task_logs`] into the file `path`, which appears only once it is
/// complete (replacing any file of that name).
pub async fn export_task_logs(
    manager: &TaskManager,
    task_ids: &[String],
    filter: &LogFilter,
    format: ExportFormat,
    path: &Path,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ExportReport, CoreError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::env::current_dir()
            .map_err(|source| CoreError::io("finding the current folder for the export", source))?,
    };
    if !folder.is_dir() {
        return Err(CoreError::InvalidArgument(format!(
            "cannot export to {}: the folder {} does not exist",
            path.display(),
            folder.display()
        )));
    }
    if path.is_dir() {
        return Err(CoreError::InvalidArgument(format!(
            "cannot export to {}: it is a folder; give a file name",
            path.display()
        )));
    }
    if manager.store().data_dir().is_own_file(path) {
        return Err(CoreError::InvalidArgument(format!(
            "cannot export to {}: it is one of Taskdeck's own files (its database or what \
             belongs to it); choose another",
            path.display()
        )));
    }
    let name = path.display().to_string();
    let cannot_write = |source: std::io::Error| CoreError::io(format!("writing {name}"), source);
    let partial = partial_file::beside(path).map_err(cannot_write)?;
    let file = tokio::fs::File::create(&partial)
        .await
        .map_err(cannot_write)?;
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let (entries, bytes) =
        write_task_logs(manager, task_ids, filter, format, &mut out, &name, progress).await?;
    let file = out.into_inner();
    file.sync_all().await.map_err(cannot_write)?;
    drop(file);
    partial
        .persist(path)
        .map_err(|failed| cannot_write(failed.error))?;
    Ok(ExportReport {
        path: Some(name),
        entries,
        bytes,
    })
}

#[cfg(test)]
mod tests;
