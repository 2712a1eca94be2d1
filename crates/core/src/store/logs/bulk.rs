//! Log reads on a blocking SQLite connection (rusqlite): the task lookup,
//! the (source, level) pairs a filter selects, pages (their rows read by
//! [`super::rows`], with context by [`super::context`]), and match
//! counts. Page queries run them through the
//! [`crate::store::read::ReadPool`]; an export holds a [`BulkReader`],
//! one read transaction, so it reads one consistent snapshot even while
//! tasks keep writing.
//!
//! Why a second driver: the async pool hands each row across threads and
//! wraps every value, which cost pages several times the bare statement
//! and most of an export's time (see `docs/benchmarks.md`).

use std::borrow::Cow;

use rusqlite::{Connection, OptionalExtension};
use taskdeck_protocol::{LogCount, LogFilter, LogPage};

use super::query::{SourceLevelPairs, capped_count, count_queries, into_page, within};
use super::record::{TaskIdentity, level_from_code};
use super::rows::{parameters, read_matching_page};
use super::search_index::SearchSql;
use crate::CoreError;
use crate::store::entities::task_log_stats;

/// A read-only connection holding a snapshot of the database.
pub struct BulkReader {
    connection: Connection,
}

impl BulkReader {
    /// Starts the read transaction every page is read in, on a read-only
    /// `connection` (see [`crate::store::read::ReadPool::open`]).
    pub fn begin(connection: Connection) -> Result<Self, CoreError> {
        connection.execute_batch("BEGIN")?;
        Ok(Self { connection })
    }

    /// The connection, for the lookups that precede the pages.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// One page of `task`'s entries matching `filter` (see [`read_page`]).
    pub fn read_page(
        &self,
        task: &TaskIdentity,
        filter: &LogFilter,
        pairs: Option<&SourceLevelPairs>,
    ) -> Result<LogPage, CoreError> {
        read_page(&self.connection, task, filter, pairs)
    }
}

/// The identities of the task with public id `id`.
pub fn identity(connection: &Connection, id: &str) -> Result<TaskIdentity, CoreError> {
    let key = connection
        .prepare_cached("SELECT key FROM tasks WHERE id = ?")
        .and_then(|mut statement| statement.query_row([id], |row| row.get(0)).optional())?;
    key.map(|key| TaskIdentity {
        key,
        id: id.to_owned(),
    })
    .ok_or_else(|| CoreError::TaskNotFound(id.to_owned()))
}

/// The distinct sources of `task`'s entries, in name order (from its
/// aggregate rows).
pub fn sources(connection: &Connection, task: &TaskIdentity) -> Result<Vec<String>, CoreError> {
    connection
        .prepare_cached(
            "SELECT DISTINCT source FROM task_log_stats WHERE task_key = ? ORDER BY source",
        )
        .and_then(|mut statement| {
            statement
                .query_map([task.key], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(CoreError::from)
}

/// The aggregate rows of `task` (see [`super::stats`]).
pub fn stats_rows(
    connection: &Connection,
    task: &TaskIdentity,
) -> Result<Vec<task_log_stats::Model>, CoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT task_key, source, level, count, first_ts, last_ts FROM task_log_stats \
             WHERE task_key = ?",
    )?;
    statement
        .query_map([task.key], |row| {
            Ok(task_log_stats::Model {
                task_key: row.get(0)?,
                source: row.get(1)?,
                level: row.get(2)?,
                count: row.get(3)?,
                first_ts: row.get(4)?,
                last_ts: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(CoreError::from)
}

/// The (source, level) pairs of `task` that `filter`'s level and source
/// conditions select, or `None` when it has none (see
/// [`super::stats::matching_pairs`]).
pub fn matching_pairs(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
) -> Result<Option<SourceLevelPairs>, CoreError> {
    let restricted =
        !filter.levels.is_empty() || filter.min_level.is_some() || !filter.sources.is_empty();
    if !restricted {
        return Ok(None);
    }
    Ok(super::stats::matching_pairs(
        &stats_rows(connection, task)?,
        filter,
    ))
}

/// One page of `task`'s entries matching `filter`, with the context it
/// asks for around each match (see [`super::context`]), without the lines
/// of the sections it folds (see [`super::folding`]).
pub fn read_page(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
) -> Result<LogPage, CoreError> {
    let Some(filter) = narrowed(connection, task, filter)? else {
        return Ok(into_page(Vec::new(), 0));
    };
    let filter = filter.as_ref();
    let mut page = match &filter.folding {
        Some(folding) => super::folding::read_page(connection, task, filter, pairs, folding)?,
        None if filter.wants_context() => {
            super::context::read_page(connection, task, filter, pairs)?
        }
        None => read_matching_page(connection, task, filter, pairs)?,
    };
    super::sections::attach(connection, task, &mut page.entries)?;
    Ok(page)
}

/// `filter` with its cursors narrowed to the stretch of the log its time
/// range and its section cover (see [`super::timeline::narrowed`] and
/// [`super::sections::window`]); `None` when that stretch is empty.
fn narrowed<'a>(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &'a LogFilter,
) -> Result<Option<Cow<'a, LogFilter>>, CoreError> {
    // A section the task does not have is refused whatever else the
    // filter holds.
    let section = filter
        .section
        .map(|id| super::sections::window(connection, task, id))
        .transpose()?;
    let Some(filter) = super::timeline::narrowed(connection, task, filter)? else {
        return Ok(None);
    };
    let Some(window) = section else {
        return Ok(Some(filter));
    };
    Ok(within(&filter, window).map(Cow::Owned))
}

/// How many of `task`'s entries match `filter`'s level, source, search,
/// time and section conditions: from the aggregates with neither a search,
/// a time range nor a section; else counted (a search through the index
/// and over the unindexed tail, a time range or a section over its
/// stretch of the log), up to `cap` (and said when there are more).
pub fn count(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
    cap: u64,
) -> Result<LogCount, CoreError> {
    if filter.counts_from_aggregates() {
        return Ok(LogCount {
            matching: count_plain(connection, task, filter)?,
            capped: false,
        });
    }
    let search = SearchSql::for_filter(connection, task, filter)?;
    // Counts cover the whole log: the cursors are the time range's only.
    let whole = LogFilter {
        after_seq: None,
        before_seq: None,
        ..filter.clone()
    };
    let Some(whole) = narrowed(connection, task, &whole)? else {
        return Ok(capped_count(0, cap));
    };
    let pairs = matching_pairs(connection, task, filter)?;
    let mut counted = 0_i64;
    for (sql, values) in count_queries(task, &whole, search.as_ref(), pairs.as_ref(), cap) {
        let part: i64 = connection
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row(parameters(values), |row| row.get(0)))?;
        counted += part;
        if counted as u64 > cap {
            break;
        }
    }
    Ok(capped_count(counted, cap))
}

/// How many of `task`'s entries `filter`'s level and source conditions
/// select (no search), summed over its aggregate rows as they are read.
fn count_plain(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
) -> Result<u64, CoreError> {
    let mut statement = connection
        .prepare_cached("SELECT source, level, count FROM task_log_stats WHERE task_key = ?")?;
    let mut rows = statement.query([task.key])?;
    let mut matching = 0_u64;
    while let Some(row) = rows.next()? {
        let source = row
            .get_ref(0)
            .and_then(|value| value.as_str().map_err(Into::into))?;
        let level: i32 = row.get(1)?;
        if filter.matches_level(level_from_code(level)) && filter.matches_source(source) {
            let count: i64 = row.get(2)?;
            matching += u64::try_from(count).unwrap_or(0);
        }
    }
    Ok(matching)
}
