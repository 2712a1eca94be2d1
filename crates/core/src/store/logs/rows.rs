//! Reading entry rows on a blocking SQLite connection: a page of a
//! filter's matches in seq order, and the rows of a seq range (the
//! context around matches). Used by the page reads of [`super::bulk`] and
//! [`super::context`].

use std::collections::HashMap;

use rusqlite::{Connection, ParamsFromIter, params_from_iter};
use sea_orm::Value;
use taskdeck_protocol::{LogEntry, LogFilter, LogPage, Order};

use super::query::{COLUMNS, Columns, PageQuery, SourceLevelPairs, into_page, page_queries};
use super::record::{TaskIdentity, entry_id};
use super::search_index::SearchSql;
use crate::CoreError;

/// One page of `task`'s entries matching `filter` (its context ignored):
/// the statements [`page_queries`] builds, run in order until the page is
/// full, rows decoded into entries.
pub fn read_matching_page(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
) -> Result<LogPage, CoreError> {
    let search = SearchSql::for_filter(connection, task, filter)?;
    let limit = filter.effective_limit() as usize;
    let mut entries = Vec::with_capacity(limit + 1);
    for PageQuery { sql, values, .. } in page_queries(task, filter, pairs, search.as_ref()) {
        if entries.len() > limit {
            break;
        }
        let mut statement = connection.prepare_cached(&sql)?;
        let mut rows = statement.query(parameters(values))?;
        while let Some(row) = rows.next()? {
            entries.push(columns(row)?.into_entry(task));
            if entries.len() > limit {
                break;
            }
        }
    }
    Ok(into_page(entries, limit))
}

/// Up to `limit` of `task`'s entries with `first <= seq <= last`, whatever
/// they hold, in `order`. Entries already decoded (`known`, by seq) are
/// taken from there; the others are decoded and marked as context.
pub fn read_rows(
    connection: &Connection,
    task: &TaskIdentity,
    (first, last): (u64, u64),
    order: Order,
    limit: usize,
    known: &mut HashMap<u64, LogEntry>,
) -> Result<Vec<LogEntry>, CoreError> {
    let direction = match order {
        Order::Ascending => "ASC",
        Order::Descending => "DESC",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM task_logs WHERE id >= ? AND id <= ? ORDER BY id {direction} LIMIT ?"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query((
        entry_id(task.key, first),
        entry_id(task.key, last),
        i64::try_from(limit).unwrap_or(i64::MAX),
    ))?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(1)?;
        let entry = match known.remove(&(seq as u64)) {
            Some(entry) => entry,
            None => LogEntry {
                context: true,
                ..columns(row)?.into_entry(task)
            },
        };
        entries.push(entry);
    }
    Ok(entries)
}

/// The values of a row selecting [`super::query::COLUMNS`].
fn columns(row: &rusqlite::Row<'_>) -> Result<Columns, CoreError> {
    Ok(Columns {
        id: row.get(0)?,
        seq: row.get(1)?,
        timestamp_ms: row.get(2)?,
        level: row.get(3)?,
        source: row.get(4)?,
        message: row.get(5)?,
        metadata: row.get(6)?,
        styles: row.get(7)?,
    })
}

/// A statement's values for rusqlite (the SQL builders bind only integers
/// and text).
pub(super) fn parameters(
    values: Vec<Value>,
) -> ParamsFromIter<impl Iterator<Item = rusqlite::types::Value>> {
    params_from_iter(values.into_iter().map(|value| match value {
        Value::BigInt(value) => rusqlite::types::Value::from(value),
        Value::Int(value) => rusqlite::types::Value::from(value),
        Value::String(value) => rusqlite::types::Value::from(value),
        _ => rusqlite::types::Value::Null,
    }))
}
