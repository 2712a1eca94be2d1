//! The store: one SQLite database file opened through SeaORM, migrated to the
//! newest schema every time it is opened.
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL` (a commit is durable once
//! the WAL is synced at checkpoints; a crash loses at most the last
//! transactions, never consistency) and a busy timeout, so the app and the CLI
//! can share one database file at the same time.
//!
//! - [`tasks`] owns task rows; [`logs`] owns log rows, their full-text index
//!   and their aggregates; [`entities`] holds the SeaORM entities;
//!   [`space`] measures the file and gives freed space back; [`read_pool`]
//!   serves the reads that move many rows from blocking connections.

pub(crate) mod connection;
pub mod entities;
pub mod logs;
pub mod read_pool;
pub mod space;
pub mod tasks;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use taskdeck_migrations::{Migrator, MigratorTrait};
use taskdeck_protocol::AppInfo;

use self::read_pool::ReadPool;
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
    pub async fn open(data_dir: DataDir) -> Result<Self, CoreError> {
        let mut connection = connection::connect(&data_dir.database_path()).await?;
        Migrator::up(&connection, None).await?;
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
    async fn a_file_that_is_not_a_database_is_a_storage_error_and_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let garbage = b"this is not an SQLite database, and must survive".repeat(200);
        std::fs::write(root.path().join("taskdeck.db"), &garbage).unwrap();

        let error = Store::open(DataDir::resolve(Some(root.path())).unwrap())
            .await
            .unwrap_err();
        assert!(matches!(error, CoreError::Storage(_)), "{error:?}");
        assert_eq!(
            std::fs::read(root.path().join("taskdeck.db")).unwrap(),
            garbage
        );
    }
}
