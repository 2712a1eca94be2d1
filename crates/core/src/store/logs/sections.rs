//! Reads of `task_log_sections`: a task's sections, the `seq` range of one
//! (all a section filter reads of the log), and which sections hold the
//! entries of a page. A section holds every entry from its header line to
//! its end and sections nest, so each of these is a handful of index
//! lookups, whatever the size of the log.

use rusqlite::{Connection, OptionalExtension, Row};
use taskdeck_protocol::log::path_of;
use taskdeck_protocol::{
    InvalidFilter, LevelCounts, LogEntry, LogSection, SectionStatus, TaskStatus,
};

use super::record::{TaskIdentity, millis_to_time};
use crate::CoreError;

/// The columns [`section`] reads, in its order.
const COLUMNS: &str = "id, parent, title, start_seq, end_seq, started_ms, ended_ms, \
                       debug_count, info_count, warning_count, error_count";

/// The section a row of [`COLUMNS`] holds; `running` says whether its task
/// is still running (an open section of an ended task is not running).
fn section(row: &Row<'_>, running: bool) -> rusqlite::Result<LogSection> {
    let counts = LevelCounts {
        debug: row.get::<_, i64>(7)?.max(0) as u64,
        info: row.get::<_, i64>(8)?.max(0) as u64,
        warning: row.get::<_, i64>(9)?.max(0) as u64,
        error: row.get::<_, i64>(10)?.max(0) as u64,
    };
    let ended_ms: Option<i64> = row.get(6)?;
    Ok(LogSection {
        id: row.get(0)?,
        parent: row.get(1)?,
        title: row.get(2)?,
        start_seq: row.get::<_, i64>(3)?.max(0) as u64,
        end_seq: row.get::<_, i64>(4)?.max(0) as u64,
        started_at: millis_to_time(row.get(5)?),
        ended_at: ended_ms.map(millis_to_time),
        status: SectionStatus::of(&counts, running && ended_ms.is_none()),
        counts,
    })
}

/// Whether `task` is running now.
fn is_running(connection: &Connection, task: &TaskIdentity) -> Result<bool, CoreError> {
    let status: Option<String> = connection
        .prepare_cached("SELECT status FROM tasks WHERE key = ?")?
        .query_row([task.key], |row| row.get(0))
        .optional()?;
    Ok(status.as_deref() == Some(TaskStatus::Running.as_str()))
}

/// Every section of `task`, in the order they opened.
pub fn list(connection: &Connection, task: &TaskIdentity) -> Result<Vec<LogSection>, CoreError> {
    let running = is_running(connection, task)?;
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM task_log_sections WHERE task_key = ? ORDER BY id"
    ))?;
    let sections = statement
        .query_map([task.key], |row| section(row, running))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sections)
}

/// The first and last `seq` of section `id` of `task` (its header line and
/// its last entry so far); a section the task does not have is refused.
pub fn window(
    connection: &Connection,
    task: &TaskIdentity,
    id: u32,
) -> Result<(u64, u64), CoreError> {
    let found: Option<(i64, i64)> = connection
        .prepare_cached(
            "SELECT start_seq, end_seq FROM task_log_sections WHERE task_key = ? AND id = ?",
        )?
        .query_row((task.key, id), |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match found {
        Some((first, last)) => Ok((first.max(0) as u64, last.max(0) as u64)),
        None => Err(CoreError::InvalidFilter(InvalidFilter {
            field: "section",
            reason: format!("is {id}, and this task has no section {id}"),
        })),
    }
}

/// Fills in the sections of each of `entries` (of `task`, any order).
/// Reads only the sections around the first of them and those that open
/// among them.
pub fn attach(
    connection: &Connection,
    task: &TaskIdentity,
    entries: &mut [LogEntry],
) -> Result<(), CoreError> {
    let (Some(first), Some(last)) = (
        entries.iter().map(|entry| entry.seq).min(),
        entries.iter().map(|entry| entry.seq).max(),
    ) else {
        return Ok(());
    };
    // Those around the first entry: the last section opened at or before
    // it, or the nearest section around that one that holds it.
    let mut around = Vec::new();
    let mut next: Option<u32> = connection
        .prepare_cached(
            "SELECT id FROM task_log_sections WHERE task_key = ? AND start_seq <= ? \
             ORDER BY start_seq DESC LIMIT 1",
        )?
        .query_row((task.key, first as i64), |row| row.get(0))
        .optional()?;
    let mut by_id = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM task_log_sections WHERE task_key = ? AND id = ?"
    ))?;
    while let Some(id) = next {
        let Some(found) = by_id
            .query_row((task.key, id), |row| section(row, false))
            .optional()?
        else {
            break;
        };
        next = found.parent;
        if found.contains(first) {
            around.push(found);
        }
    }
    around.reverse();
    let mut inside = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM task_log_sections WHERE task_key = ? AND start_seq > ? \
         AND start_seq <= ? ORDER BY start_seq"
    ))?;
    let opened = inside
        .query_map((task.key, first as i64, last as i64), |row| {
            section(row, false)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if around.is_empty() && opened.is_empty() {
        return Ok(());
    }
    around.extend(opened);
    for entry in entries {
        entry.sections = path_of(&around, entry.seq);
    }
    Ok(())
}
