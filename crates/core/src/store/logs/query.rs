//! The SQL of a page of a task's log for a [`LogFilter`] and of a search
//! count (both run by [`super::bulk`]).
//!
//! Every page is a keyset range, never an `OFFSET`, so a page near entry
//! 1,000,000 costs what the first page costs. Three plans, chosen by the
//! filter:
//!
//! - **No level or source condition:** a range scan of the table itself
//!   (rows are stored in `(task, seq)` order because `id = key << 32 | seq`).
//! - **Level and/or source conditions:** the filter is first resolved,
//!   through `task_log_stats`, into the exact (source, level) pairs the task
//!   has that match (so a parent source becomes its children). Each pair is
//!   one range of `idx_task_logs_source_level`, already in `seq` order;
//!   SQLite merges the ranges (`UNION ALL … ORDER BY seq`, a streaming
//!   merge) and stops at the page limit. The cost is the page size plus one
//!   probe per pair, whatever the depth or the selectivity.
//! - **Full-text search:** FTS5 walks the term's document list restricted
//!   to the task's id range, in id order, and the row conditions are checked
//!   on the joined rows.

use sea_orm::{DbErr, Value};
use taskdeck_protocol::{InvalidFilter, LogCount, LogEntry, LogFilter, LogPage, Order};

use super::record::{MAX_SEQ, TaskIdentity, entry_id, level_from_code, millis_to_time};
use crate::CoreError;

/// More (source, level) pairs than this are merged by one filtered scan
/// instead of one range per pair (SQLite caps a compound select at 500
/// arms).
const MAX_MERGED_PAIRS: usize = 200;

pub const COLUMNS: &str = "id, seq, ts, level, source, message, metadata";

/// The (source, level code) pairs of a task that a filter selects.
pub type SourceLevelPairs = Vec<(String, i32)>;

/// The statement of one page: its SQL, its values, and the page size (it
/// selects one row more, to tell whether another page follows).
pub struct PageQuery {
    /// SQL selecting [`COLUMNS`] in order.
    pub sql: String,
    /// The values of its `?` parameters.
    pub values: Vec<Value>,
    /// Entries per page.
    pub limit: usize,
}

/// The statement of the page `filter` asks for, or `None` when the page is
/// empty without asking (no matching pair, an empty cursor range). `pairs`
/// is `None` when the filter has no level or source condition, else the
/// matching pairs of the task (see [`super::stats::matching_pairs`]).
pub fn page_query(
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
) -> Option<PageQuery> {
    let limit = filter.effective_limit() as usize;
    let after = filter.after_seq.unwrap_or(0);
    let before = filter.before_seq.unwrap_or(MAX_SEQ + 1).min(MAX_SEQ + 1);
    if pairs.is_some_and(Vec::is_empty) || after >= before.saturating_sub(1) {
        return None;
    }
    let direction = match filter.order {
        Order::Ascending => "ASC",
        Order::Descending => "DESC",
    };
    let fetch = (limit + 1) as i64;
    let mut values: Vec<Value> = Vec::new();
    let sql = match (&filter.search, pairs) {
        (Some(search), pairs) => {
            values.push(Value::String(Some(search.clone())));
            values.push(Value::BigInt(Some(entry_id(task.key, after))));
            values.push(Value::BigInt(Some(entry_id(task.key, before))));
            let mut sql = String::from(
                "SELECT l.id, l.seq, l.ts, l.level, l.source, l.message, l.metadata \
                 FROM task_logs_fts f CROSS JOIN task_logs l ON l.id = f.rowid \
                 WHERE task_logs_fts MATCH ? AND f.rowid > ? AND f.rowid < ?",
            );
            if let Some(pairs) = pairs {
                sql.push_str(" AND (l.source, l.level) IN (VALUES ");
                push_pairs(&mut sql, &mut values, pairs);
                sql.push(')');
            }
            sql.push_str(&format!(" ORDER BY f.rowid {direction} LIMIT {fetch}"));
            sql
        }
        (None, None) => {
            values.push(Value::BigInt(Some(entry_id(task.key, after))));
            values.push(Value::BigInt(Some(entry_id(task.key, before))));
            format!(
                "SELECT {COLUMNS} FROM task_logs WHERE id > ? AND id < ? \
                 ORDER BY id {direction} LIMIT {fetch}"
            )
        }
        (None, Some(pairs)) if pairs.len() <= MAX_MERGED_PAIRS => {
            let arms: Vec<String> = pairs
                .iter()
                .map(|(source, level)| {
                    values.push(Value::BigInt(Some(task.key)));
                    values.push(Value::String(Some(source.clone())));
                    values.push(Value::Int(Some(*level)));
                    values.push(Value::BigInt(Some(after as i64)));
                    values.push(Value::BigInt(Some(before as i64)));
                    format!(
                        "SELECT {COLUMNS} FROM task_logs WHERE task_key = ? AND source = ? \
                         AND level = ? AND seq > ? AND seq < ?"
                    )
                })
                .collect();
            format!(
                "{} ORDER BY seq {direction} LIMIT {fetch}",
                arms.join(" UNION ALL ")
            )
        }
        (None, Some(pairs)) => {
            values.push(Value::BigInt(Some(entry_id(task.key, after))));
            values.push(Value::BigInt(Some(entry_id(task.key, before))));
            let mut sql = format!(
                "SELECT {COLUMNS} FROM task_logs WHERE id > ? AND id < ? \
                 AND (source, level) IN (VALUES "
            );
            push_pairs(&mut sql, &mut values, pairs);
            sql.push_str(&format!(") ORDER BY id {direction} LIMIT {fetch}"));
            sql
        }
    };
    Some(PageQuery { sql, values, limit })
}

/// The page of `limit` entries out of the `limit + 1` a page query reads:
/// the extra one only says that another page follows.
pub fn into_page(mut entries: Vec<LogEntry>, limit: usize) -> LogPage {
    let next_cursor = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|entry| entry.seq)
    } else {
        None
    };
    LogPage {
        entries,
        next_cursor,
    }
}

/// The statement counting the entries that match `search` (and the
/// `pairs` its level and source conditions select) up to `cap + 1`, or
/// `None` when no pair matches. Filters without a search are counted from
/// the aggregates instead (see `bulk::count`).
pub fn count_search_query(
    task: &TaskIdentity,
    search: &str,
    pairs: Option<&SourceLevelPairs>,
    cap: u64,
) -> Option<(String, Vec<Value>)> {
    if pairs.is_some_and(Vec::is_empty) {
        return None;
    }
    let mut values = vec![
        Value::String(Some(search.to_owned())),
        Value::BigInt(Some(entry_id(task.key, 0))),
        Value::BigInt(Some(entry_id(task.key, MAX_SEQ + 1))),
    ];
    let mut sql = String::from("SELECT count(*) FROM (SELECT 1 FROM task_logs_fts f ");
    if pairs.is_some() {
        sql.push_str("CROSS JOIN task_logs l ON l.id = f.rowid ");
    }
    sql.push_str("WHERE task_logs_fts MATCH ? AND f.rowid > ? AND f.rowid < ?");
    if let Some(pairs) = pairs {
        sql.push_str(" AND (l.source, l.level) IN (VALUES ");
        push_pairs(&mut sql, &mut values, pairs);
        sql.push(')');
    }
    sql.push_str(&format!(" LIMIT {})", cap.saturating_add(1)));
    Some((sql, values))
}

/// What a count of up to `cap + 1` rows means: at most `cap`, and whether
/// there were more.
pub fn capped_count(counted: i64, cap: u64) -> LogCount {
    let counted = u64::try_from(counted).unwrap_or(0);
    LogCount {
        matching: counted.min(cap),
        capped: counted > cap,
    }
}

fn push_pairs(sql: &mut String, values: &mut Vec<Value>, pairs: &SourceLevelPairs) {
    for (index, (source, level)) in pairs.iter().enumerate() {
        if index > 0 {
            sql.push(',');
        }
        sql.push_str("(?, ?)");
        values.push(Value::String(Some(source.clone())));
        values.push(Value::Int(Some(*level)));
    }
}

/// A full-text syntax error is the user's mistake, not a storage failure.
pub(crate) fn search_error(error: DbErr, filter: &LogFilter) -> CoreError {
    let text = error.to_string();
    let is_syntax = [
        "fts5:",
        "syntax error",
        "no such column",
        "unterminated",
        "unknown special query",
    ]
    .iter()
    .any(|marker| text.contains(marker));
    match &filter.search {
        Some(search) if is_syntax => CoreError::InvalidFilter(InvalidFilter {
            field: "search",
            reason: format!(
                "{search:?} is not a valid full-text query ({}); use words, \"quoted phrases\", \
                 prefix* and AND / OR / NOT",
                sqlite_reason(&text)
            ),
        }),
        _ => CoreError::Storage(error),
    }
}

/// SQLite's own words, without sqlx's prefixes and the error code:
/// `… (code: 1) fts5: syntax error near "-"` → `fts5: syntax error near "-"`.
pub(crate) fn sqlite_reason(text: &str) -> &str {
    text.rsplit_once("(code: ")
        .and_then(|(_, rest)| rest.split_once(") "))
        .map_or(text, |(_, reason)| reason)
        .trim()
}

/// The values of [`COLUMNS`] as stored, whichever driver read them.
pub struct Columns {
    pub id: i64,
    pub seq: i64,
    pub timestamp_ms: i64,
    pub level: i32,
    pub source: String,
    pub message: String,
    pub metadata: Option<String>,
}

impl Columns {
    /// The entry of `task` these values hold.
    pub fn into_entry(self, task: &TaskIdentity) -> LogEntry {
        LogEntry {
            id: self.id,
            task_id: task.id.clone(),
            seq: self.seq as u64,
            timestamp: millis_to_time(self.timestamp_ms),
            level: level_from_code(self.level),
            source: self.source,
            message: self.message,
            metadata: self
                .metadata
                .and_then(|text| match serde_json::from_str(&text) {
                    Ok(serde_json::Value::Object(map)) => Some(map),
                    _ => None,
                }),
        }
    }
}
