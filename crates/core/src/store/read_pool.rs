//! [`ReadPool`]: a few read-only blocking SQLite connections (rusqlite) for
//! the reads that move many rows — log pages and exports — and the tiny
//! reads of one task's aggregate rows (stats, sources, counts), which run
//! inline on an idle connection ([`ReadPool::run_small`]).
//!
//! The async pool hands every row from its worker thread to the caller and
//! wraps each value: a 500-row page cost four times the bare statement. A
//! read here runs the whole lookup (task, filter pairs, page) on one
//! blocking connection in one `spawn_blocking` hop. Connections are opened
//! on first use, kept for reuse (at most [`MAX_IDLE`]) and never hold a
//! transaction between reads, so they never keep the WAL from being
//! checkpointed. Writes stay on the SeaORM pool.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags};
use sea_orm::DbErr;

use super::connection::BUSY_TIMEOUT;
use crate::CoreError;

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 4;

/// Read-only connections to one database file.
#[derive(Debug)]
pub struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    /// A pool on the database at `path` (opened lazily).
    pub fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Opens a read-only connection to the database.
    pub fn open(&self) -> Result<Connection, CoreError> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(storage)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
        Ok(connection)
    }

    /// Runs `work` on a pooled connection on a blocking thread.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, CoreError> + Send + 'static,
    {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let connection = match pool.take_idle() {
                Some(connection) => connection,
                None => pool.open()?,
            };
            let outcome = work(&connection);
            pool.give_back(connection);
            outcome
        })
        .await
        .map_err(|error| {
            CoreError::Storage(DbErr::Custom(format!("a database read stopped: {error}")))
        })?
    }

    /// Runs `work` on an idle pooled connection on the calling thread, for
    /// reads bounded by one task's aggregate rows (a few per source and
    /// level, found by key): they take a few microseconds, less than the
    /// hop to a blocking thread that [`Self::run`] costs. With no idle
    /// connection (opening one reads the file) it is [`Self::run`].
    pub async fn run_small<T, F>(self: &Arc<Self>, work: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, CoreError> + Send + 'static,
    {
        match self.take_idle() {
            Some(connection) => {
                let outcome = work(&connection);
                self.give_back(connection);
                outcome
            }
            None => self.run(work).await,
        }
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    /// Keeps `connection` for reuse, unless enough are kept or it was left
    /// inside a transaction.
    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE && connection.is_autocommit() {
            idle.push(connection);
        }
    }
}

/// A rusqlite failure as a storage error.
pub fn storage(error: rusqlite::Error) -> CoreError {
    CoreError::Storage(DbErr::Custom(error.to_string()))
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn reads_reuse_one_connection_and_never_hold_the_wal() {
        let (_dir, store) = temp_store().await;
        // Something in the WAL for the checkpoint below to move.
        store
            .connection()
            .execute_unprepared("INSERT INTO settings (name, value) VALUES ('probe', '1')")
            .await
            .unwrap();
        for _ in 0..3 {
            let tasks: i64 = store
                .reads()
                .run(|connection| {
                    connection
                        .query_row("SELECT count(*) FROM tasks", [], |row| row.get(0))
                        .map_err(storage)
                })
                .await
                .unwrap();
            assert_eq!(tasks, 0);
        }
        let idle = store
            .reads()
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(idle, 1, "three reads in turn share one connection");
        // A TRUNCATE checkpoint waits for no reader: the first column says
        // whether it was blocked.
        let backend = store.connection().get_database_backend();
        let row = store
            .connection()
            .query_one_raw(Statement::from_string(
                backend,
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0);
        // A failure inside a read is the caller's error, typed.
        let error = store
            .reads()
            .run(|connection| {
                connection
                    .execute("INSERT INTO tasks (id) VALUES ('x')", [])
                    .map_err(storage)
            })
            .await
            .unwrap_err();
        assert!(matches!(error, CoreError::Storage(_)), "{error:?}");
    }
}
