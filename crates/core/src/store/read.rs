//! [`ReadPool`]: a few read-only blocking SQLite connections (rusqlite) for
//! the reads that move many rows — log pages and exports — and the tiny
//! reads of one task's aggregate rows (stats, sources, counts), which run
//! inline on an idle connection ([`ReadPool::run_small`]).
//!
//! The async pool hands every row from its worker thread to the caller and
//! wraps each value, which costs a page several times the bare statement
//! (figures in `docs/benchmarks.md`, `log_store`). A
//! read here runs the whole lookup (task, filter pairs, page) on one
//! blocking connection, on the calling thread once the runtime has moved
//! that thread's other tasks away ([`ReadPool::run`]). Connections are opened
//! on first use, kept for reuse (at most [`MAX_IDLE`]) and never hold a
//! transaction between reads, so they never keep the WAL from being
//! checkpointed. Writes stay on the SeaORM pool.

use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};

use tokio::runtime::{Handle, RuntimeFlavor};

use super::connection::BUSY_TIMEOUT;
use super::logs::search_index::register_matches_function;
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
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        register_matches_function(&connection)?;
        Ok(connection)
    }

    /// Runs `work` on a pooled connection without stalling the runtime. On
    /// a multi-thread runtime (the app's) it runs on the calling thread once
    /// the runtime has moved that worker's other tasks to another thread
    /// (`block_in_place`), so the answer needs no wake-up from a second
    /// thread, a hop that cost a large share of a page. On any
    /// other runtime it runs on a blocking thread.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, CoreError> + Send + 'static,
    {
        let multi_thread = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread);
        if multi_thread {
            return tokio::task::block_in_place(|| self.with_connection(work));
        }
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || pool.with_connection(work))
            .await
            .map_err(|error| CoreError::storage(format!("a database read stopped: {error}")))?
    }

    /// Runs `work` on an idle pooled connection on the calling thread
    /// without handing the runtime's other tasks away first, for reads
    /// bounded by one task's aggregate rows (a few per source and level,
    /// found by key): they take a few microseconds, less than the hand-off
    /// [`Self::run`] makes. With no idle connection (opening one reads the
    /// file) it is [`Self::run`].
    pub async fn run_small<T, F>(self: &Arc<Self>, work: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, CoreError> + Send + 'static,
    {
        match self.take_idle() {
            Some(connection) => self.read_on(connection, work),
            None => self.run(work).await,
        }
    }

    /// Runs `work` on an idle connection, or a new one, and keeps it after.
    fn with_connection<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let connection = match self.take_idle() {
            Some(connection) => connection,
            None => self.open()?,
        };
        self.read_on(connection, work)
    }

    /// Runs `work` on `connection`, then keeps the connection for reuse.
    fn read_on<T>(
        &self,
        connection: Connection,
        work: impl FnOnce(&Connection) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let outcome = work(&connection);
        self.give_back(connection);
        outcome
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().pop()
    }

    /// Keeps `connection` for reuse, unless enough are kept or it was left
    /// inside a transaction.
    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock();
        if idle.len() < MAX_IDLE && connection.is_autocommit() {
            idle.push(connection);
        }
    }
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
                        .map_err(CoreError::from)
                })
                .await
                .unwrap();
            assert_eq!(tasks, 0);
        }
        let idle = store.reads().idle.lock().len();
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
                    .map_err(CoreError::from)
            })
            .await
            .unwrap_err();
        assert!(matches!(error, CoreError::Storage(_)), "{error:?}");
    }

    /// On a multi-thread runtime a read runs on the calling worker, which
    /// first hands its other tasks away: with one worker, a task spawned
    /// before the read still runs while the read waits for it.
    #[test]
    fn a_read_on_a_worker_leaves_the_other_tasks_running() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (_dir, store) = temp_store().await;
            let reads = Arc::clone(store.reads());
            let read = tokio::spawn(async move {
                let (send, receive) = std::sync::mpsc::channel::<i64>();
                // Queued on the one worker, behind the read below.
                tokio::spawn(async move { send.send(7) });
                reads
                    .run(move |connection| {
                        // A guard against a hang, not a timing: the other
                        // task answers at once unless it cannot run at all.
                        let sent = receive
                            .recv_timeout(std::time::Duration::from_secs(30))
                            .expect("the task spawned before the read never ran");
                        let tasks: i64 =
                            connection
                                .query_row("SELECT count(*) FROM tasks", [], |row| row.get(0))?;
                        Ok(sent + tasks)
                    })
                    .await
            });
            assert_eq!(read.await.unwrap().unwrap(), 7);
        });
    }
}
