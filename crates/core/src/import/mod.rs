//! Import: a JSON Lines export (see [`crate::export`]) back into a store as
//! historical tasks, so a log someone sent opens with the full panel.
//!
//! The file is read line by line, in bounded memory, inside one
//! transaction: a file that is not an export, a truncated or malformed
//! line, an entry out of order or a task already in the store stops the
//! import with the file and line named, and nothing is changed. Tasks keep
//! their ids, times, status, error and result; a task exported while it
//! was still running comes in `interrupted`. Entries keep every field but
//! their row id, which is local to a store; their sections are rebuilt
//! from them, each ending with its last entry.

use std::path::Path;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::Value;
use taskdeck_protocol::{ExportHeader, ImportReport, LogEntry, TaskStatus};

use crate::bounded_lines::read_line_capped;
use crate::store::logs::record::{LogRecord, MAX_SEQ, SectionChange, SectionMark, TaskIdentity};
use crate::store::logs::{write, write_transaction};
use crate::store::tasks::{FinishedTask, TaskRepository};
use crate::{CoreError, Store};

/// Entries written per statement batch.
const BATCH: usize = 1_000;
/// The longest line read: far beyond any entry (its message is capped at
/// 64 KiB) or header Taskdeck writes, so a longer one is damage, refused
/// without holding it in memory.
const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// The byte order mark some Windows editors write at the start of UTF-8.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What to tell the user when the first line is UTF-16 (PowerShell 5.1's
/// `>` and `Out-File` write it), or `None`.
fn utf16_text(first_line: &[u8]) -> Option<String> {
    let marked = first_line.starts_with(b"\xFF\xFE") || first_line.starts_with(b"\xFE\xFF");
    // Without a mark: ASCII in UTF-16 has a zero byte beside every letter.
    let zeros = first_line.iter().filter(|byte| **byte == 0).count();
    let unmarked = first_line.len() >= 8 && zeros * 3 >= first_line.len();
    (marked || unmarked).then(|| {
        "the file is UTF-16 text (as PowerShell 5's `>` and Out-File write it), and an \
         export is UTF-8: export it again with Taskdeck, or convert it, e.g. \
         `Get-Content in.jsonl | Set-Content -Encoding utf8 out.jsonl`"
            .to_owned()
    })
}

/// Imports every task of the export at `path` into `store`.
pub async fn import_task_logs(store: &Store, path: &Path) -> Result<ImportReport, CoreError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|source| CoreError::io(format!("opening {}", path.display()), source))?;
    let mut reader = tokio::io::BufReader::new(file);
    let mut bytes = Vec::new();
    let transaction = store
        .connection()
        .begin_with_options(write_transaction())
        .await?;
    let mut report = ImportReport {
        task_ids: Vec::new(),
        entries: 0,
    };
    // The task being read, its last entry and the last section opened.
    let mut current: Option<(Arc<TaskIdentity>, u64, u32)> = None;
    let mut imported: Vec<i64> = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut number = 0usize;
    let at = |number: usize, what: String| {
        CoreError::InvalidArgument(format!("{} line {number}: {what}", path.display()))
    };
    loop {
        bytes.clear();
        let Some(length) = read_line_capped(&mut reader, &mut bytes, MAX_LINE_BYTES)
            .await
            .map_err(|source| CoreError::io(format!("reading {}", path.display()), source))?
        else {
            break;
        };
        number += 1;
        if length > MAX_LINE_BYTES {
            return Err(at(
                number,
                format!(
                    "a line of {length} bytes; an export's lines are at most {} MiB",
                    MAX_LINE_BYTES / (1024 * 1024)
                ),
            ));
        }
        if number == 1
            && let Some(what) = utf16_text(&bytes)
        {
            return Err(at(number, what));
        }
        let text = match bytes.strip_prefix(UTF8_BOM) {
            // Notepad and PowerShell 5 start UTF-8 files with a BOM.
            Some(rest) if number == 1 => rest,
            _ => &bytes[..],
        };
        let line =
            std::str::from_utf8(text).map_err(|_| at(number, "not UTF-8 text".to_owned()))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|error| {
            let hint = if error.is_eof() {
                "; is the file cut short?"
            } else {
                ""
            };
            at(number, format!("not JSON ({error}){hint}"))
        })?;
        if value.get("taskdeck_export").is_some() {
            let header: ExportHeader = serde_json::from_value(value)
                .map_err(|error| at(number, format!("not a Taskdeck export header: {error}")))?;
            if header.taskdeck_export != ExportHeader::KIND
                || header.version != ExportHeader::VERSION
            {
                return Err(at(
                    number,
                    format!(
                        "an export of kind {:?} version {}; this Taskdeck reads {:?} version {}",
                        header.taskdeck_export,
                        header.version,
                        ExportHeader::KIND,
                        ExportHeader::VERSION
                    ),
                ));
            }
            write::insert_records(&transaction, &batch).await?;
            batch.clear();
            let identity = insert_task(&transaction, &header)
                .await
                .map_err(|error| at(number, error.to_string()))?;
            report.task_ids.push(identity.id.clone());
            imported.push(identity.key);
            current = Some((Arc::new(identity), 0, 0));
            continue;
        }
        let Some((task, last_seq, last_section)) = current.as_mut() else {
            return Err(at(
                number,
                "not a Taskdeck log export: it must start with the header line a JSON Lines \
                 export writes"
                    .to_owned(),
            ));
        };
        let entry: LogEntry = serde_json::from_value(value)
            .map_err(|error| at(number, format!("not a log entry: {error}")))?;
        if entry.task_id != task.id {
            return Err(at(
                number,
                format!(
                    "an entry of task {} under the header of task {}",
                    entry.task_id, task.id
                ),
            ));
        }
        if entry.seq <= *last_seq || entry.seq > MAX_SEQ {
            return Err(at(
                number,
                format!(
                    "entry {} is out of order (after entry {last_seq})",
                    entry.seq
                ),
            ));
        }
        *last_seq = entry.seq;
        let section = section_mark(&entry.sections, last_section).ok_or_else(|| {
            at(
                number,
                format!(
                    "entry {} lies in sections {:?}, which do not nest in the order \
                     earlier entries opened them",
                    entry.seq, entry.sections
                ),
            )
        })?;
        let raw_with_styles =
            !entry.styles.is_empty() && crate::ansi::needs_parsing(&entry.message);
        if raw_with_styles || !taskdeck_protocol::styled::spans_fit(&entry.message, &entry.styles) {
            return Err(at(
                number,
                format!(
                    "the styles of entry {} do not fit its message (ranges out of \
                     order, overlapping, outside the text, or over escape codes)",
                    entry.seq
                ),
            ));
        }
        // An export made before styles were parsed holds raw escape
        // sequences: they are parsed as a new entry's would be.
        let styled = if entry.styles.is_empty() {
            crate::ansi::parse(entry.message)
        } else {
            crate::ansi::Styled {
                text: entry.message,
                spans: entry.styles,
            }
        };
        batch.push(LogRecord {
            task: task.clone(),
            seq: entry.seq,
            timestamp_ms: entry.timestamp.timestamp_millis(),
            level: entry.level,
            source: Arc::from(entry.source.as_str()),
            message: styled.text,
            metadata: entry.metadata,
            styles: styled.spans,
            section,
        });
        report.entries += 1;
        if batch.len() == BATCH {
            write::insert_records(&transaction, &batch).await?;
            batch.clear();
        }
    }
    if current.is_none() {
        return Err(CoreError::InvalidArgument(format!(
            "{} is empty: there is nothing to import",
            path.display()
        )));
    }
    write::insert_records(&transaction, &batch).await?;
    // An export says where sections start, not when they closed: each
    // ends with its last entry (row ids are `key << 32 | seq`).
    for key in imported {
        transaction
            .execute_raw(Statement::from_sql_and_values(
                transaction.get_database_backend(),
                "UPDATE task_log_sections SET ended_ms = \
                 (SELECT ts FROM task_logs WHERE id = (task_key << 32) + end_seq) \
                 WHERE task_key = ? AND ended_ms IS NULL",
                [sea_orm::Value::BigInt(Some(key))],
            ))
            .await?;
    }
    transaction.commit().await?;
    Ok(report)
}

/// Where an imported entry with `path` (its sections, outermost first)
/// stands, given the last section opened before it: it opens the
/// innermost one when that is new. `None` when the path is not a chain
/// of sections opened in order (only its innermost may be new).
fn section_mark(path: &[u32], last_opened: &mut u32) -> Option<SectionMark> {
    let Some((&innermost, outer)) = path.split_last() else {
        return Some(SectionMark::default());
    };
    let nested = path.windows(2).all(|pair| pair[0] < pair[1]);
    if !nested || outer.iter().any(|&id| id > *last_opened) || innermost == 0 {
        return None;
    }
    let opens = innermost > *last_opened;
    if opens {
        *last_opened = innermost;
    }
    Some(SectionMark {
        path: Some(Arc::from(path)),
        change: opens.then(|| {
            Box::new(SectionChange {
                opens,
                closes: Vec::new(),
            })
        }),
    })
}

/// Inserts the header's task, refusing an id the store already has.
async fn insert_task<C: sea_orm::ConnectionTrait>(
    connection: &C,
    header: &ExportHeader,
) -> Result<TaskIdentity, CoreError> {
    let task = &header.task;
    let (status, error) = if task.status.is_finished() {
        (task.status, task.error.clone())
    } else {
        (
            TaskStatus::Interrupted,
            Some("exported while it was still running".to_owned()),
        )
    };
    let finished = FinishedTask {
        id: task.id.clone(),
        plugin_id: &task.plugin_id,
        params: &task.params,
        status,
        created_at: task.created_at.timestamp_millis(),
        started_at: task.started_at.map(|time| time.timestamp_millis()),
        finished_at: task.finished_at.map(|time| time.timestamp_millis()),
        error,
        result: task.result.as_ref(),
    };
    TaskRepository::insert_finished(connection, finished).await
}

#[cfg(test)]
mod tests;
