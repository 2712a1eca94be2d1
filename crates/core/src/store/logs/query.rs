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
//! - **Search:** the trigram index walks its candidates restricted to the
//!   task's indexed id range, in id order; the unindexed tail is scanned;
//!   every row is checked with the search itself and the row conditions
//!   (see [`super::search_index`]).
//!
//! A time range is a row condition on `ts` in every plan; the cursors it
//! arrives with are already narrowed to the stretch of the log that holds
//! the range (see [`super::timeline::narrowed`]).

use sea_orm::Value;
use taskdeck_protocol::styled::spans_fit;
use taskdeck_protocol::{LogCount, LogEntry, LogFilter, LogPage, Order, StyleSpan};

use super::record::{MAX_SEQ, TaskIdentity, entry_id, level_from_code, millis_to_time};
use super::search_index::{MATCHES_FUNCTION, SearchSql};
use crate::ansi::{self, Styled};

/// More (source, level) pairs than this are merged by one filtered scan
/// instead of one range per pair (SQLite caps a compound select at 500
/// arms).
const MAX_MERGED_PAIRS: usize = 200;

pub const COLUMNS: &str = "id, seq, ts, level, source, message, metadata, styles";

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

/// The statements of the page `filter` asks for, to run in order until
/// one more than the page size is read; empty when the page is empty
/// without asking (no matching pair, an empty cursor range). `pairs` is
/// `None` when the filter has no level or source condition, else the
/// matching pairs of the task (see [`super::stats::matching_pairs`]);
/// `search` is the plan of the filter's search (see [`SearchSql`]).
pub fn page_queries(
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
    search: Option<&SearchSql>,
) -> Vec<PageQuery> {
    let limit = filter.effective_limit() as usize;
    let Some((after, before)) = seq_bounds(filter) else {
        return Vec::new();
    };
    if pairs.is_some_and(Vec::is_empty) {
        return Vec::new();
    }
    let direction = match filter.order {
        Order::Ascending => "ASC",
        Order::Descending => "DESC",
    };
    let fetch = (limit + 1) as i64;
    let time = TimeBounds::of(filter);
    let Some(search) = search else {
        return vec![plain_page(
            task,
            pairs,
            (after, before),
            time,
            direction,
            fetch,
            limit,
        )];
    };
    let mut parts: Vec<PageQuery> = search_parts(search, (after, before))
        .into_iter()
        .map(|part| {
            let (sql, values) = search_select(task, search, &part, pairs, time, COLUMNS_OF_JOIN);
            PageQuery {
                sql: format!(
                    "{sql} ORDER BY {} {direction} LIMIT {fetch}",
                    part.order_column()
                ),
                values,
                limit,
            }
        })
        .collect();
    if filter.order == Order::Descending {
        parts.reverse();
    }
    parts
}

/// The exclusive `seq` bounds of `filter`'s cursors, or `None` when
/// nothing lies between them (a cursor at either end of the log).
pub fn seq_bounds(filter: &LogFilter) -> Option<(u64, u64)> {
    let after = filter.after_seq.unwrap_or(0);
    let before = filter.before_seq.unwrap_or(MAX_SEQ + 1).min(MAX_SEQ + 1);
    (after < before.saturating_sub(1)).then_some((after, before))
}

/// A filter's time range as conditions on the rows' `ts` (milliseconds
/// since the epoch): `since` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeBounds {
    since_ms: Option<i64>,
    until_ms: Option<i64>,
}

impl TimeBounds {
    /// The time range of `filter`.
    pub fn of(filter: &LogFilter) -> Self {
        Self {
            since_ms: filter.since.map(|since| since.timestamp_millis()),
            until_ms: filter.until.map(|until| until.timestamp_millis()),
        }
    }

    /// Appends ` AND {column} >= ? AND {column} < ?` for the bounds set.
    pub fn push_conditions(&self, column: &str, sql: &mut String, values: &mut Vec<Value>) {
        if let Some(since) = self.since_ms {
            sql.push_str(&format!(" AND {column} >= ?"));
            values.push(Value::BigInt(Some(since)));
        }
        if let Some(until) = self.until_ms {
            sql.push_str(&format!(" AND {column} < ?"));
            values.push(Value::BigInt(Some(until)));
        }
    }
}

/// A page without a search.
fn plain_page(
    task: &TaskIdentity,
    pairs: Option<&SourceLevelPairs>,
    (after, before): (u64, u64),
    time: TimeBounds,
    direction: &str,
    fetch: i64,
    limit: usize,
) -> PageQuery {
    let mut values: Vec<Value> = Vec::new();
    let sql = match pairs {
        None => {
            values.push(Value::BigInt(Some(entry_id(task.key, after))));
            values.push(Value::BigInt(Some(entry_id(task.key, before))));
            let mut sql = format!("SELECT {COLUMNS} FROM task_logs WHERE id > ? AND id < ?");
            time.push_conditions("ts", &mut sql, &mut values);
            sql.push_str(&format!(" ORDER BY id {direction} LIMIT {fetch}"));
            sql
        }
        Some(pairs) if pairs.len() <= MAX_MERGED_PAIRS => {
            let arms: Vec<String> = pairs
                .iter()
                .map(|(source, level)| {
                    values.push(Value::BigInt(Some(task.key)));
                    values.push(Value::String(Some(source.clone())));
                    values.push(Value::Int(Some(*level)));
                    values.push(Value::BigInt(Some(after as i64)));
                    values.push(Value::BigInt(Some(before as i64)));
                    let mut arm = format!(
                        "SELECT {COLUMNS} FROM task_logs WHERE task_key = ? AND source = ? \
                         AND level = ? AND seq > ? AND seq < ?"
                    );
                    time.push_conditions("ts", &mut arm, &mut values);
                    arm
                })
                .collect();
            format!(
                "{} ORDER BY seq {direction} LIMIT {fetch}",
                arms.join(" UNION ALL ")
            )
        }
        Some(pairs) => {
            values.push(Value::BigInt(Some(entry_id(task.key, after))));
            values.push(Value::BigInt(Some(entry_id(task.key, before))));
            let mut sql = format!("SELECT {COLUMNS} FROM task_logs WHERE id > ? AND id < ?");
            time.push_conditions("ts", &mut sql, &mut values);
            sql.push_str(" AND (source, level) IN (VALUES ");
            push_pairs(&mut sql, &mut values, pairs);
            sql.push_str(&format!(") ORDER BY id {direction} LIMIT {fetch}"));
            sql
        }
    };
    PageQuery { sql, values, limit }
}

/// The columns of a search part, whether it reads through the index
/// (`l` joined to it) or scans `task_logs` as `l`.
const COLUMNS_OF_JOIN: &str =
    "l.id, l.seq, l.ts, l.level, l.source, l.message, l.metadata, l.styles";

/// One stretch of a task's rows, read through the index or scanned.
struct SearchPart {
    /// Entries with `after < seq < before`.
    after: u64,
    before: u64,
    /// Whether the stretch is read through the index's candidates.
    through_index: bool,
}

impl SearchPart {
    fn order_column(&self) -> &'static str {
        if self.through_index {
            "f.rowid"
        } else {
            "l.id"
        }
    }
}

/// The stretches of `(after, before)` a search reads, oldest first: the
/// indexed part through the index when the search has candidates, and the
/// rest (or all, without candidates) by scanning.
fn search_parts(search: &SearchSql, (after, before): (u64, u64)) -> Vec<SearchPart> {
    if search.candidates.is_none() {
        return vec![SearchPart {
            after,
            before,
            through_index: false,
        }];
    }
    let split = search.indexed_through.min(MAX_SEQ);
    let mut parts = Vec::with_capacity(2);
    if after < split {
        parts.push(SearchPart {
            after,
            before: before.min(split + 1),
            through_index: true,
        });
    }
    let tail_after = after.max(split);
    if tail_after.saturating_add(1) < before {
        parts.push(SearchPart {
            after: tail_after,
            before,
            through_index: false,
        });
    }
    parts
}

/// `SELECT {columns} FROM … WHERE …` of one search part, without its
/// order and limit.
fn search_select(
    task: &TaskIdentity,
    search: &SearchSql,
    part: &SearchPart,
    pairs: Option<&SourceLevelPairs>,
    time: TimeBounds,
    columns: &str,
) -> (String, Vec<Value>) {
    let mut values: Vec<Value> = Vec::new();
    let mut sql = match (&search.candidates, part.through_index) {
        (Some(candidates), true) => {
            values.push(Value::String(Some(candidates.clone())));
            format!(
                "SELECT {columns} FROM task_logs_search f CROSS JOIN task_logs l ON l.id = f.rowid \
                 WHERE task_logs_search MATCH ? AND f.rowid > ? AND f.rowid < ?"
            )
        }
        _ => format!("SELECT {columns} FROM task_logs l WHERE l.id > ? AND l.id < ?"),
    };
    values.push(Value::BigInt(Some(entry_id(task.key, part.after))));
    values.push(Value::BigInt(Some(entry_id(task.key, part.before))));
    time.push_conditions("l.ts", &mut sql, &mut values);
    if let Some(pairs) = pairs {
        sql.push_str(" AND (l.source, l.level) IN (VALUES ");
        push_pairs(&mut sql, &mut values, pairs);
        sql.push(')');
    }
    sql.push_str(&format!(" AND {MATCHES_FUNCTION}(l.message, ?)"));
    values.push(Value::String(Some(search.spec.clone())));
    (sql, values)
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

/// `filter` with its cursors narrowed to the entries from `first` to
/// `last` (`seq`, both included); `None` when no entry is left.
pub fn within(filter: &LogFilter, (first, last): (u64, u64)) -> Option<LogFilter> {
    let after = filter.after_seq.unwrap_or(0).max(first.max(1) - 1);
    let before = filter.before_seq.map_or(last.saturating_add(1), |before| {
        before.min(last.saturating_add(1))
    });
    (after.saturating_add(1) < before).then(|| LogFilter {
        after_seq: Some(after),
        before_seq: Some(before),
        ..filter.clone()
    })
}

/// The statements counting the entries of `filter`'s cursor range and
/// time range that match `search` (and the `pairs` its level and source
/// conditions select), each up to `cap + 1`; empty when nothing can
/// match. Filters without a search or a time range are counted from the
/// aggregates instead (see `bulk::count`).
pub fn count_queries(
    task: &TaskIdentity,
    filter: &LogFilter,
    search: Option<&SearchSql>,
    pairs: Option<&SourceLevelPairs>,
    cap: u64,
) -> Vec<(String, Vec<Value>)> {
    if pairs.is_some_and(Vec::is_empty) {
        return Vec::new();
    }
    let Some(bounds) = seq_bounds(filter) else {
        return Vec::new();
    };
    let time = TimeBounds::of(filter);
    let Some(search) = search else {
        let mut values = vec![
            Value::BigInt(Some(entry_id(task.key, bounds.0))),
            Value::BigInt(Some(entry_id(task.key, bounds.1))),
        ];
        let mut sql = String::from("SELECT 1 FROM task_logs WHERE id > ? AND id < ?");
        time.push_conditions("ts", &mut sql, &mut values);
        if let Some(pairs) = pairs {
            sql.push_str(" AND (source, level) IN (VALUES ");
            push_pairs(&mut sql, &mut values, pairs);
            sql.push(')');
        }
        let sql = format!(
            "SELECT count(*) FROM ({sql} LIMIT {})",
            cap.saturating_add(1)
        );
        return vec![(sql, values)];
    };
    search_parts(search, bounds)
        .iter()
        .map(|part| {
            let (sql, values) = search_select(task, search, part, pairs, time, "1");
            (
                format!(
                    "SELECT count(*) FROM ({sql} LIMIT {})",
                    cap.saturating_add(1)
                ),
                values,
            )
        })
        .collect()
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

/// SQLite's own words, without sqlx's prefixes and the error code:
/// `… (code: 1) near "x": syntax error` → `near "x": syntax error`.
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
    pub styles: Option<String>,
}

impl Columns {
    /// The entry of `task` these values hold. A row stored before escape
    /// sequences were parsed at emit (no styles, raw sequences in the
    /// message) is parsed here, so it reads like a new one.
    pub fn into_entry(self, task: &TaskIdentity) -> LogEntry {
        let styled = match self
            .styles
            .as_deref()
            .map(serde_json::from_str::<Vec<StyleSpan>>)
        {
            Some(Ok(spans)) if spans_fit(&self.message, &spans) => Styled {
                text: self.message,
                spans,
            },
            // Styles that cannot be read are dropped; the text stays.
            Some(_) => Styled::plain(self.message),
            None => ansi::parse(self.message),
        };
        LogEntry {
            id: self.id,
            task_id: task.id.clone(),
            seq: self.seq as u64,
            timestamp: millis_to_time(self.timestamp_ms),
            level: level_from_code(self.level),
            source: self.source,
            message: styled.text,
            metadata: self
                .metadata
                .and_then(|text| match serde_json::from_str(&text) {
                    Ok(serde_json::Value::Object(map)) => Some(map),
                    _ => None,
                }),
            styles: styled.spans,
            context: false,
            sections: Vec::new(),
        }
    }
}
