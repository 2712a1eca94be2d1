//! Opening the SQLite connection pool with the pragmas Taskdeck relies on.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseConnection, DbErr, SqlxSqliteConnector};

/// How long a statement waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a connection given back to the pool may be handed out again.
///
/// A `COMMIT` that fails for want of disk space makes SQLite roll the
/// transaction back by itself; the driver's own `ROLLBACK` then fails and it
/// goes on believing a transaction is open. Reused, such a connection turns
/// later statements into parts of a transaction that is never committed
/// (task rows vanished, and the write lock stayed held). A connection
/// released inside a transaction is therefore closed — closing rolls back
/// whatever SQLite still holds — and the pool opens a fresh one.
fn clean(connection: &mut sea_orm::sqlx::SqliteConnection) -> bool {
    use sea_orm::sqlx::Connection as _;
    let open_transaction = connection.is_in_transaction();
    if open_transaction {
        tracing::debug!("closing a database connection released inside a transaction");
    }
    !open_transaction
}

/// Opens a pool on the database file at `path`, creating it if missing.
pub async fn connect(path: &Path) -> Result<DatabaseConnection, DbErr> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // No `auto_vacuum` here: setting it writes to the file, so a new
        // connection could not open on a full disk. `space` sets it once.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .after_release(|connection, _| Box::pin(async move { Ok(clean(connection)) }))
        .connect_with(options)
        .await
        .map_err(|error| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(error.into())))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}
