//! Bulk reads for exports: every entry of a task a filter matches, read
//! through a plain SQLite connection (rusqlite) on a blocking thread.
//!
//! Why a second driver: the async pool hands each row across threads and
//! wraps every value, which costs several microseconds a row — most of an
//! export's time. A blocking connection reads the same pages, with the same
//! SQL ([`super::query::page_query`]), at a fraction of that. The reader
//! opens the file read-only and holds one read transaction, so an export is
//! one consistent snapshot even while tasks keep writing.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params_from_iter};
use sea_orm::{DbErr, Value};
use taskdeck_protocol::{LogFilter, LogPage};

use super::query::{Columns, PageQuery, SourceLevelPairs, into_page, page_query, search_error};
use super::record::TaskIdentity;
use crate::CoreError;

/// A read-only connection holding a snapshot of the database.
pub struct BulkReader {
    connection: Connection,
}

fn storage(error: rusqlite::Error) -> CoreError {
    CoreError::Storage(DbErr::Custom(error.to_string()))
}

impl BulkReader {
    /// Opens the database at `path` read-only and starts the read
    /// transaction every page is read in.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Self, CoreError> {
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(storage)?;
        connection.busy_timeout(busy_timeout).map_err(storage)?;
        connection.execute_batch("BEGIN").map_err(storage)?;
        Ok(Self { connection })
    }

    /// One page of `task`'s entries matching `filter`, as
    /// [`super::query::read_page`] reads it.
    pub fn read_page(
        &self,
        task: &TaskIdentity,
        filter: &LogFilter,
        pairs: Option<&SourceLevelPairs>,
    ) -> Result<LogPage, CoreError> {
        let Some(PageQuery { sql, values, limit }) = page_query(task, filter, pairs) else {
            return Ok(LogPage {
                entries: Vec::new(),
                next_cursor: None,
            });
        };
        let failed =
            |error: rusqlite::Error| search_error(DbErr::Custom(error.to_string()), filter);
        let mut statement = self.connection.prepare(&sql).map_err(failed)?;
        let parameters = values.into_iter().map(|value| match value {
            Value::BigInt(value) => rusqlite::types::Value::from(value),
            Value::Int(value) => rusqlite::types::Value::from(value),
            Value::String(value) => rusqlite::types::Value::from(value),
            // page_query binds only integers and text.
            _ => rusqlite::types::Value::Null,
        });
        let mut rows = statement
            .query(params_from_iter(parameters))
            .map_err(failed)?;
        let mut entries = Vec::with_capacity(limit + 1);
        while let Some(row) = rows.next().map_err(failed)? {
            let columns = Columns {
                id: row.get(0).map_err(failed)?,
                seq: row.get(1).map_err(failed)?,
                timestamp_ms: row.get(2).map_err(failed)?,
                level: row.get(3).map_err(failed)?,
                source: row.get(4).map_err(failed)?,
                message: row.get(5).map_err(failed)?,
                metadata: row.get(6).map_err(failed)?,
            };
            entries.push(columns.into_entry(task));
        }
        Ok(into_page(entries, limit))
    }
}
