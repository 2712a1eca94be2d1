//! Task logs in the store: [`LogStore`] writes batches and
//! answers filtered pages, stats and sources, and searches across runs
//! ([`across`]); deleting a task removes its
//! rows, index entries and aggregates in one transaction; [`timeline`]
//! reads the per-second aggregates (a task's level timeline, and the
//! stretch of the log a time range covers), [`sections`] the sections
//! (their list, the stretch one covers, those of a page), and
//! [`folding`] reads pages around folded sections. Pages are read
//! on blocking connections ([`bulk`]); searches run through the substring
//! index ([`search_index`]), which fills behind the writes.

pub mod across;
pub mod bulk;
pub mod context;
pub mod folding;
pub mod query;
pub mod record;
pub mod rows;
pub mod search_index;
pub mod sections;
pub mod stats;
pub mod timeline;
pub mod write;

#[cfg(test)]
mod across_tests;
#[cfg(test)]
mod sections_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod timeline_tests;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};
use taskdeck_protocol::{LogCount, LogFilter, LogPage, LogSection, LogStats, LogTimeline};

use std::sync::Arc;

use self::record::{LogRecord, MAX_SEQ, TaskIdentity, entry_id};
use super::read::ReadPool;
use crate::{CoreError, Store};

/// Reads and writes task logs.
#[derive(Debug, Clone)]
pub struct LogStore {
    connection: DatabaseConnection,
    reads: Arc<ReadPool>,
}

/// Options for a write transaction: `IMMEDIATE` takes the write lock at
/// `BEGIN`, so a concurrent writer (the app and the CLI on one database)
/// waits for the busy timeout instead of failing on lock upgrade.
pub fn write_transaction() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

impl LogStore {
    /// A service on `store`'s database.
    pub fn new(store: &Store) -> Self {
        Self {
            connection: store.connection().clone(),
            reads: Arc::clone(store.reads()),
        }
    }

    /// Stores `records` (any tasks, any order) and their aggregates in one
    /// transaction: all of them, or none.
    pub async fn insert_batch(&self, records: &[LogRecord]) -> Result<(), CoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let transaction = self
            .connection
            .begin_with_options(write_transaction())
            .await?;
        write::insert_records(&transaction, records).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Indexes up to `max_rows` entries waiting for the search index (see
    /// [`search_index::index_next`]).
    pub async fn index_search_chunk(
        &self,
        max_rows: u64,
    ) -> Result<search_index::IndexStep, CoreError> {
        Ok(search_index::index_next(&self.connection, max_rows).await?)
    }

    /// How many stored entries wait for the search index.
    pub async fn entries_waiting_for_index(&self) -> Result<u64, CoreError> {
        Ok(search_index::waiting_entries(&self.connection).await?)
    }

    /// One page of the task's entries that match `filter`. The lookup of
    /// the task, of the pairs its filter selects and the page itself run on
    /// one blocking connection ([`ReadPool`]).
    pub async fn query(&self, task_id: &str, filter: &LogFilter) -> Result<LogPage, CoreError> {
        filter.validate()?;
        let (task_id, filter) = (task_id.to_owned(), filter.clone());
        self.reads
            .run(move |connection| {
                let task = bulk::identity(connection, &task_id)?;
                let pairs = bulk::matching_pairs(connection, &task, &filter)?;
                bulk::read_page(connection, &task, &filter, pairs.as_ref())
            })
            .await
    }

    /// [`Self::query`] for a task whose identity is known, with a filter
    /// its caller has validated (the live stream runs one per batch; a
    /// search's syntax is still checked where it is compiled).
    pub async fn query_identity(
        &self,
        task: &TaskIdentity,
        filter: &LogFilter,
    ) -> Result<LogPage, CoreError> {
        let (task, filter) = (task.clone(), filter.clone());
        self.reads
            .run(move |connection| {
                let pairs = bulk::matching_pairs(connection, &task, &filter)?;
                bulk::read_page(connection, &task, &filter, pairs.as_ref())
            })
            .await
    }

    /// How many entries match `filter`'s level, source, search and time
    /// conditions (a search or a time range stops counting at
    /// [`LogCount::MAX_SEARCH_COUNT`]).
    pub async fn count(&self, task_id: &str, filter: &LogFilter) -> Result<LogCount, CoreError> {
        filter.validate()?;
        let (task_id, filter) = (task_id.to_owned(), filter.clone());
        let from_aggregates = filter.counts_from_aggregates();
        let work = move |connection: &rusqlite::Connection| {
            let task = bulk::identity(connection, &task_id)?;
            bulk::count(connection, &task, &filter, LogCount::MAX_SEARCH_COUNT)
        };
        // A sum over the aggregate rows is small work; else entries are read.
        if from_aggregates {
            self.reads.run_small(work).await
        } else {
            self.reads.run(work).await
        }
    }

    /// Up to `tasks` tasks below key `below` whose entries `filter`'s
    /// search matches within `scope`, newest first (see
    /// [`across::search_runs`]).
    pub async fn search_runs(
        &self,
        filter: &LogFilter,
        scope: (Vec<taskdeck_protocol::TaskStatus>, Option<String>),
        below: Option<i64>,
        tasks: usize,
        hits: u32,
    ) -> Result<across::FoundRuns, CoreError> {
        let filter = filter.clone();
        self.reads
            .run(move |connection| {
                let (statuses, plugin_id) = &scope;
                let scope = across::RunScope {
                    statuses,
                    plugin_id: plugin_id.as_deref(),
                };
                across::search_runs(connection, &filter, scope, below, tasks, hits)
            })
            .await
    }

    /// The task's entries per level in about `buckets` equal stretches of
    /// its run (see [`timeline::timeline`]).
    pub async fn timeline(&self, task_id: &str, buckets: u32) -> Result<LogTimeline, CoreError> {
        let task_id = task_id.to_owned();
        self.reads
            .run_small(move |connection| {
                let task = bulk::identity(connection, &task_id)?;
                timeline::timeline(connection, &task, buckets)
            })
            .await
    }

    /// The task's sections, in the order they opened.
    pub async fn sections(&self, task_id: &str) -> Result<Vec<LogSection>, CoreError> {
        let task_id = task_id.to_owned();
        self.reads
            .run_small(move |connection| {
                let task = bulk::identity(connection, &task_id)?;
                sections::list(connection, &task)
            })
            .await
    }

    /// Counts per level and per source, and the first and last times.
    pub async fn stats(&self, task_id: &str) -> Result<LogStats, CoreError> {
        let task_id = task_id.to_owned();
        self.reads
            .run_small(move |connection| {
                let task = bulk::identity(connection, &task_id)?;
                Ok(stats::summarise(
                    &task,
                    &bulk::stats_rows(connection, &task)?,
                ))
            })
            .await
    }

    /// The distinct sources of the task's entries, in name order.
    pub async fn sources(&self, task_id: &str) -> Result<Vec<String>, CoreError> {
        let task_id = task_id.to_owned();
        self.reads
            .run_small(move |connection| {
                let task = bulk::identity(connection, &task_id)?;
                bulk::sources(connection, &task)
            })
            .await
    }

    /// The highest stored `seq` of the task (0 when it has none).
    pub async fn last_seq<C: ConnectionTrait>(
        connection: &C,
        task: &TaskIdentity,
    ) -> Result<u64, CoreError> {
        let row = connection
            .query_one_raw(Statement::from_sql_and_values(
                connection.get_database_backend(),
                "SELECT seq FROM task_logs WHERE id > ? AND id <= ? ORDER BY id DESC LIMIT 1",
                [
                    Value::BigInt(Some(entry_id(task.key, 0))),
                    Value::BigInt(Some(entry_id(task.key, MAX_SEQ))),
                ],
            ))
            .await?;
        Ok(match row {
            Some(row) => row.try_get_by_index::<i64>(0)?.max(0) as u64,
            None => 0,
        })
    }

    /// Deletes the task, its entries, their full-text index rows and its
    /// aggregates, in one transaction. Returns how many entries went.
    pub async fn delete_task(&self, task: &TaskIdentity) -> Result<u64, CoreError> {
        let transaction = self
            .connection
            .begin_with_options(write_transaction())
            .await?;
        let backend = transaction.get_database_backend();
        let removed = transaction
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "DELETE FROM task_logs WHERE id > ? AND id <= ?",
                [
                    Value::BigInt(Some(entry_id(task.key, 0))),
                    Value::BigInt(Some(entry_id(task.key, MAX_SEQ))),
                ],
            ))
            .await?
            .rows_affected();
        for sql in [
            "DELETE FROM task_log_stats WHERE task_key = ?",
            "DELETE FROM task_log_timeline WHERE task_key = ?",
            "DELETE FROM task_log_sections WHERE task_key = ?",
            "DELETE FROM tasks WHERE key = ?",
        ] {
            transaction
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    sql,
                    [Value::BigInt(Some(task.key))],
                ))
                .await?;
        }
        transaction.commit().await?;
        Ok(removed)
    }
}
