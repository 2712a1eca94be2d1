//! The store: one SQLite database file opened through SeaORM, migrated to the
//! newest schema every time it is opened.
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL` (a commit is durable once
//! the WAL is synced at checkpoints; a crash loses at most the last
//! transactions, never consistency) and a busy timeout, so the app and the CLI
//! can share one database file at the same time.
//!
//! - [`tasks`] owns task rows and [`task_list`] History's paged reads of them; [`logs`] owns log rows, their full-text index
//!   and their aggregates; [`entities`] holds the SeaORM entities;
//!   [`space`] measures the file and gives freed space back; [`read`]
//!   serves the reads that move many rows from blocking connections.

pub(crate) mod connection;
pub mod entities;
pub mod logs;
pub mod read;
pub mod space;
pub mod task_list;
pub mod tasks;

use std::sync::Arc;

use sea_orm::{DatabaseConnection, TransactionTrait};
use taskdeck_migrations::{Migrator, MigratorTrait};
use taskdeck_protocol::AppInfo;

use self::read::ReadPool;
use crate::{CoreError, DataDir};

/// An open, migrated Taskdeck database.
#[derive(Debug, Clone)]
pub struct Store {
    data_dir: DataDir,
    connection: DatabaseConnection,
    reads: Arc<ReadPool>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and applies any
    /// pending migrations.
    /// A file that SQLite cannot read as a database is reported as
    /// [`CoreError::DatabaseDamaged`] and never changed.
    ///
    /// Processes starting together on a new data directory meet on its
    /// creation, and SQLite answers some of those lock conflicts "busy" at
    /// once rather than after the busy timeout (eight `taskdeck run`s on a
    /// fresh directory: one failed now and then). Every step of opening is
    /// whole or not done, so a busy open is tried again, a few times.
    pub async fn open(data_dir: DataDir) -> Result<Self, CoreError> {
        retry_while_busy(OPEN_TRIES, "opening it", || {
            Self::open_once(data_dir.clone())
        })
        .await
    }

    async fn open_once(data_dir: DataDir) -> Result<Self, CoreError> {
        let path = data_dir.database_path();
        let damaged = |error: sea_orm::DbErr| damaged_or_storage(error, &path);
        let mut connection = connection::connect(&path).await.map_err(damaged)?;
        migrate(&connection).await.map_err(damaged)?;
        if space::ensure_incremental(&connection).await? {
            connection.close().await?;
            connection = connection::connect(&data_dir.database_path()).await?;
        }
        tracing::debug!(path = %data_dir.database_path().display(), "store opened");
        let reads = ReadPool::new(data_dir.database_path());
        Ok(Self {
            data_dir,
            connection,
            reads,
        })
    }

    /// The data directory this store lives in.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The SeaORM connection, for the engine's persistence services.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }

    /// The blocking read connections, for page reads and exports.
    pub fn reads(&self) -> &Arc<ReadPool> {
        &self.reads
    }

    /// The name of the newest migration applied to this database.
    pub async fn schema_version(&self) -> Result<String, CoreError> {
        let applied = Migrator::get_applied_migrations(&self.connection).await?;
        Ok(applied
            .last()
            .map(|migration| migration.name().to_owned())
            .unwrap_or_default())
    }

    /// What the UI footer and `taskdeck info` show.
    pub async fn app_info(&self) -> Result<AppInfo, CoreError> {
        Ok(AppInfo {
            version: crate::VERSION.to_owned(),
            data_dir: self.data_dir.path().display().to_string(),
            database_path: self.data_dir.database_path().display().to_string(),
            schema_version: self.schema_version().await?,
        })
    }

    /// The database's size in bytes (every page, in use or free).
    pub async fn database_bytes(&self) -> Result<u64, CoreError> {
        space::database_bytes(&self.connection).await
    }

    /// Closes the connection pool, waiting for in-flight statements.
    pub async fn close(self) -> Result<(), CoreError> {
        self.connection.close().await?;
        Ok(())
    }
}

/// Applies the pending migrations. Processes that open one database at the
/// same moment (four `taskdeck run`s on a fresh data directory) take turns:
/// each takes the write lock first and only then reads what is pending, so
/// the second finds nothing left to do. Every migration is one transaction
/// with its record (see [`taskdeck_migrations`]), inside this one.
async fn migrate(connection: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    // The common case, an up-to-date database, takes no write lock.
    let pending = Migrator::get_pending_migrations_read_only(connection)
        .await
        .map_or(true, |pending| !pending.is_empty());
    if !pending {
        return Ok(());
    }
    let transaction = connection
        .begin_with_options(logs::write_transaction())
        .await?;
    Migrator::up(&transaction, None).await?;
    transaction.commit().await
}

/// How many times an open is tried while the database is busy (about
/// 2.5 s of waiting between them in all).
const OPEN_TRIES: u32 = 9;

/// Runs `operation` (a whole step: done entirely or not at all) again
/// while it fails because another connection holds the database, up to
/// `tries` times in all, waiting a little longer each time (50 ms, then
/// doubling up to 400 ms); `doing` says what, for the app log.
pub(crate) async fn retry_while_busy<T, Step>(
    tries: u32,
    doing: &str,
    mut operation: impl FnMut() -> Step,
) -> Result<T, CoreError>
where
    Step: std::future::Future<Output = Result<T, CoreError>>,
{
    let mut tried = 1_u32;
    loop {
        match operation().await {
            Err(error) if tried < tries && space::is_busy(&error.to_string()) => {
                tracing::info!(tried, "the database is busy {doing}; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(25 << tried.min(4))).await;
                tried += 1;
            }
            outcome => return outcome,
        }
    }
}

/// SQLite's words for a file that is not a sound database.
const DAMAGE_MARKERS: [&str; 2] = ["file is not a database", "database disk image is malformed"];

/// `error` as [`CoreError::DatabaseDamaged`] when SQLite says the file at
/// `path` is not a sound database, else as a storage error.
fn damaged_or_storage(error: sea_orm::DbErr, path: &std::path::Path) -> CoreError {
    let text = error.to_string();
    if DAMAGE_MARKERS.iter().any(|marker| text.contains(marker)) {
        CoreError::DatabaseDamaged {
            path: path.to_path_buf(),
            reason: logs::query::sqlite_reason(&text).to_owned(),
        }
    } else {
        CoreError::from(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Statement};

    async fn pragma(store: &Store, name: &str) -> String {
        let backend = store.connection().get_database_backend();
        let row = store
            .connection()
            .query_one_raw(Statement::from_string(backend, format!("PRAGMA {name}")))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
            .unwrap()
    }

    #[tokio::test]
    async fn open_creates_a_migrated_wal_database_in_the_data_dir() {
        let root = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(root.path())).unwrap();
        let store = Store::open(data_dir).await.unwrap();

        assert!(root.path().join("taskdeck.db").is_file());
        assert_eq!(pragma(&store, "journal_mode").await, "wal");
        // synchronous=NORMAL is 1.
        assert_eq!(pragma(&store, "synchronous").await, "1");
        assert_eq!(
            store.schema_version().await.unwrap(),
            taskdeck_migrations::latest_migration_name()
        );
    }

    #[tokio::test]
    async fn app_info_names_the_data_dir_and_database() {
        let root = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(root.path())).unwrap();
        let expected_dir = data_dir.path().display().to_string();
        let store = Store::open(data_dir).await.unwrap();
        let info = store.app_info().await.unwrap();

        assert_eq!(info.version, crate::VERSION);
        assert_eq!(info.data_dir, expected_dir);
        assert!(info.database_path.ends_with("taskdeck.db"));
        assert!(!info.schema_version.is_empty());
    }

    #[tokio::test]
    async fn reopening_an_existing_store_keeps_it_and_reapplies_nothing() {
        let root = tempfile::tempdir().unwrap();
        let first = Store::open(DataDir::resolve(Some(root.path())).unwrap())
            .await
            .unwrap();
        let version = first.schema_version().await.unwrap();
        first.close().await.unwrap();

        let second = Store::open(DataDir::resolve(Some(root.path())).unwrap())
            .await
            .unwrap();
        assert_eq!(second.schema_version().await.unwrap(), version);
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_is_reported_damaged_left_alone_and_moved_on_request() {
        let root = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(root.path())).unwrap();
        let garbage = b"this is not an SQLite database, and must survive".repeat(200);
        std::fs::write(data_dir.database_path(), &garbage).unwrap();

        let error = Store::open(data_dir.clone()).await.unwrap_err();
        assert!(
            matches!(error, CoreError::DatabaseDamaged { ref reason, .. } if reason.contains("not a database")),
            "{error:?}"
        );
        assert_eq!(error.kind(), taskdeck_protocol::ErrorKind::DatabaseDamaged);
        assert_eq!(std::fs::read(data_dir.database_path()).unwrap(), garbage);

        let moved = data_dir.move_damaged_aside().unwrap();
        assert_eq!(std::fs::read(&moved).unwrap(), garbage, "kept whole beside");
        assert!(!data_dir.database_path().exists());
        Store::open(data_dir).await.unwrap();
    }

    /// Real refusals of SQLite: a write while another connection holds the
    /// database (no busy timeout of its own) is tried again until the
    /// holder lets go, at most `tries` times; any other failure at once.
    #[tokio::test]
    async fn a_step_refused_as_busy_is_tried_again_and_other_failures_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let holder = rusqlite::Connection::open(&path).unwrap();
        holder
            .execute_batch("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
            .unwrap();
        let holder = std::cell::RefCell::new(Some(holder));
        let writer = rusqlite::Connection::open(&path).unwrap();
        writer.busy_timeout(std::time::Duration::ZERO).unwrap();
        let write = |sql: &str| {
            let outcome = writer.execute(sql, []).map(drop).map_err(CoreError::from);
            async move { outcome }
        };

        let mut tries = 0;
        let given_up = retry_while_busy(2, "in a test", || {
            tries += 1;
            write("INSERT INTO t VALUES (2)")
        })
        .await;
        assert_eq!(tries, 2);
        assert!(space::is_busy(&given_up.unwrap_err().to_string()));

        let mut tries = 0;
        retry_while_busy(5, "in a test", || {
            tries += 1;
            if tries == 3 {
                // The holder's transaction ends (rolled back) with it.
                holder.borrow_mut().take();
            }
            write("INSERT INTO t VALUES (2)")
        })
        .await
        .unwrap();
        assert_eq!(tries, 3);

        let mut tries = 0;
        let refused = retry_while_busy(5, "in a test", || {
            tries += 1;
            write("INSERT INTO no_such_table VALUES (1)")
        })
        .await;
        assert_eq!(tries, 1);
        assert!(refused.is_err());
    }
}
