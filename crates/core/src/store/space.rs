//! The database file's size, and giving the space of deleted rows back to
//! the operating system.
//!
//! Databases are kept in `auto_vacuum = INCREMENTAL` mode: freed pages
//! wait on SQLite's free list until [`reclaim`] truncates them away, a cheap
//! step that never rewrites the live data. A database created before that
//! (a new file, or one made by an earlier build) is converted once, with a
//! full `VACUUM`, when the store opens it — see [`ensure_incremental`]; a
//! database other processes hold at that moment is converted at a later
//! start.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::CoreError;

/// SQLite's code for `auto_vacuum = INCREMENTAL`.
const INCREMENTAL: i64 = 2;

async fn pragma_number(connection: &DatabaseConnection, name: &str) -> Result<i64, CoreError> {
    let backend = connection.get_database_backend();
    let row = connection
        .query_one_raw(Statement::from_string(backend, format!("PRAGMA {name}")))
        .await?
        .ok_or_else(|| CoreError::storage(format!("PRAGMA {name} answered nothing")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The size of the database in bytes: every page, in use or free.
pub async fn database_bytes(connection: &DatabaseConnection) -> Result<u64, CoreError> {
    let pages = pragma_number(connection, "page_count").await?;
    let page_size = pragma_number(connection, "page_size").await?;
    Ok(u64::try_from(pages.saturating_mul(page_size)).unwrap_or(0))
}

/// The bytes of pages holding data (the size minus the free list).
pub async fn used_bytes(connection: &DatabaseConnection) -> Result<u64, CoreError> {
    let pages = pragma_number(connection, "page_count").await?;
    let free = pragma_number(connection, "freelist_count").await?;
    let page_size = pragma_number(connection, "page_size").await?;
    Ok(u64::try_from((pages - free).saturating_mul(page_size)).unwrap_or(0))
}

/// How much [`reclaim`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaim {
    /// Truncate the free pages: cheap, whatever the database's size.
    FreePages,
    /// First compact the full-text index (FTS5 keeps deleted rows' terms
    /// as delete markers until its segments merge), then truncate: the
    /// whole space back, at a cost that grows with the index (about 1.5 s
    /// for a million entries), so for the retention cleanup, not for every
    /// delete.
    IndexAndFreePages,
}

/// Gives deleted rows' space back to the operating system and returns how
/// many bytes that was.
pub async fn reclaim(connection: &DatabaseConnection, how: Reclaim) -> Result<u64, CoreError> {
    let before = database_bytes(connection).await?;
    if how == Reclaim::IndexAndFreePages {
        connection
            .execute_unprepared(
                "INSERT INTO task_logs_search (task_logs_search) VALUES ('optimize')",
            )
            .await?;
    }
    connection
        .execute_unprepared("PRAGMA incremental_vacuum")
        .await?;
    let after = database_bytes(connection).await?;
    Ok(before.saturating_sub(after))
}

/// Converts a database created without incremental auto-vacuum, once, and
/// says whether it did: a new file right after its tables are created (a
/// `VACUUM` of a few pages), or one made by an earlier build. SQLite applies
/// the mode to an existing file only through a full `VACUUM`. The pool's
/// other connections keep the old mode in memory: a caller that converted
/// must reopen the pool.
///
/// The connection options do not ask for the mode: the pragma writes to the
/// file, and a connection opened on a full disk would fail on it.
pub async fn ensure_incremental(connection: &DatabaseConnection) -> Result<bool, CoreError> {
    if pragma_number(connection, "auto_vacuum").await? == INCREMENTAL {
        return Ok(false);
    }
    tracing::info!("converting the database to incremental auto-vacuum (once)");
    // One call, so that both run on the same pooled connection.
    match connection
        .execute_unprepared("PRAGMA auto_vacuum = INCREMENTAL; VACUUM")
        .await
    {
        Ok(_) => Ok(true),
        // Other processes opening the same new database at once: the
        // conversion changes no data and waits for a later start.
        Err(error) if is_busy(&error.to_string()) => {
            tracing::info!("the database is busy; it is converted at a later start ({error})");
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// Whether SQLite's `text` says another connection holds the database.
pub(crate) fn is_busy(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("database is locked") || text.contains("busy")
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;
    use crate::{DataDir, Store};

    #[tokio::test]
    async fn an_old_database_without_auto_vacuum_is_converted_once_and_reclaim_shrinks_it() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("taskdeck.db");
        // A database as earlier builds made it: auto_vacuum NONE, WAL.
        {
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let db = sea_orm::Database::connect(&url).await.unwrap();
            db.execute_unprepared("PRAGMA journal_mode = WAL; CREATE TABLE filler (x BLOB)")
                .await
                .unwrap();
            assert_eq!(pragma_number(&db, "auto_vacuum").await.unwrap(), 0);
            db.close().await.unwrap();
        }
        let store = Store::open(DataDir::resolve(Some(root.path())).unwrap())
            .await
            .unwrap();
        let db = store.connection();
        assert_eq!(pragma_number(db, "auto_vacuum").await.unwrap(), INCREMENTAL);

        db.execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO filler SELECT randomblob(1000) FROM n",
        )
        .await
        .unwrap();
        let full = database_bytes(db).await.unwrap();
        db.execute_unprepared("DELETE FROM filler").await.unwrap();
        assert!(used_bytes(db).await.unwrap() < full / 4);
        assert_eq!(
            database_bytes(db).await.unwrap(),
            full,
            "nothing given back yet"
        );
        let freed = reclaim(db, Reclaim::IndexAndFreePages).await.unwrap();
        assert!(freed > 1_500_000, "only {freed} bytes given back");
        assert_eq!(database_bytes(db).await.unwrap(), full - freed);
    }
}
