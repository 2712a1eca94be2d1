//! `migration`: applies versioned SQL files (`V001__name.sql`, …) from a
//! folder to a SQLite database file.
//!
//! Each file runs in its own transaction, statement by statement, and is
//! recorded with its SHA-256 in the database's `taskdeck_migrations` table
//! in that same transaction, so the database is always at a migration
//! boundary: a failing statement or a cancel rolls the file back. Before
//! anything runs, every applied file is checked against its recorded
//! checksum; a changed file stops the run, named. A dry run logs the plan
//! and changes nothing.
//!
//! Sources: `migration.plan` (what is applied and pending), `migration.sql`
//! (each file and statement), `migration.verify` (checksums). Each file
//! applied is a section of the log.

mod files;
mod statements;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::ConnectOptions as _;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxSqliteConnector, TransactionTrait};
use serde::Deserialize;
use serde_json::{Value, json};
use taskdeck_protocol::{ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo};
use tokio_util::sync::CancellationToken;

use self::files::MigrationFile;
use super::Plugin;
use crate::CoreError;
use crate::task_manager::{TaskContext, TaskLogger};

/// The table, in the migrated database, that records applied versions.
pub const HISTORY_TABLE: &str = "taskdeck_migrations";

/// The `migration` plugin.
#[derive(Debug, Clone, Copy, Default)]
pub struct MigrationPlugin;

/// The parameters [`MigrationPlugin`] declares, as `execute` reads them.
#[derive(Debug, Deserialize)]
struct MigrationParams {
    #[serde(default)]
    database: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    dry_run: bool,
}

#[async_trait::async_trait]
impl Plugin for MigrationPlugin {
    fn info(&self) -> PluginInfo {
        let dry_run = ParamField::new(
            "dry_run",
            "Dry run",
            ParamKind::Boolean,
            false,
            "Log what would be applied, change nothing.",
        )
        .with_default(json!(false));
        PluginInfo {
            id: "migration".to_owned(),
            name: "SQL migrations".to_owned(),
            description: "Applies versioned SQL files (V001__name.sql, …) to a SQLite database, \
                          in order, each in its own transaction, and records them with checksums."
                .to_owned(),
            params: ParamSchema {
                fields: vec![
                    ParamField::new(
                        "database",
                        "Database file",
                        ParamKind::String,
                        true,
                        "The SQLite database to migrate (created if missing).",
                    )
                    .with_picker(PathPicker::File),
                    ParamField::new(
                        "folder",
                        "Migrations folder",
                        ParamKind::String,
                        true,
                        "The folder holding the V<version>__<name>.sql files.",
                    )
                    .with_picker(PathPicker::Folder),
                    dry_run,
                ],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let MigrationParams {
            database,
            folder,
            dry_run,
        } = ctx.params_as()?;
        let log = ctx.logger();
        let plan_log = log.child("plan");

        let (files, ignored) = files::discover(Path::new(&folder))?;
        for name in ignored {
            plan_log.debug(format!("ignored {name}: not named V<version>__<name>.sql"));
        }
        ctx.refuse_own_file("database", Path::new(&database))?;
        let connection = open(&database, dry_run, ctx.cancellation()).await?;
        let applied = applied_versions(&connection).await?;
        verify(&files, &applied, &log.child("verify"))?;

        let pending: Vec<&MigrationFile> = files
            .iter()
            .filter(|file| !applied.contains_key(&file.version))
            .collect();
        plan_log
            .with_metadata(json!({
                "applied": applied.len(),
                "pending": pending.iter().map(|file| &file.file_name).collect::<Vec<_>>(),
            }))
            .info(format!(
                "{} applied, {} pending{}",
                applied.len(),
                pending.len(),
                if dry_run {
                    " (dry run: nothing will change)"
                } else {
                    ""
                }
            ));
        if dry_run {
            for file in &pending {
                plan_log.info(format!("would apply {}", file.file_name));
            }
            return Ok(
                json!({ "database": database, "dry_run": true, "pending": versions(&pending) }),
            );
        }

        let sql_log = log.child("sql");
        let mut done = Vec::new();
        for (index, file) in pending.iter().enumerate() {
            ctx.report_progress(
                Some(index as f64 / pending.len() as f64),
                format!("applying {}", file.file_name),
            );
            // Each file is a section of the log, closed as it ends or fails.
            let _file = sql_log.section(file.file_name.clone());
            apply(&connection, file, &ctx, &sql_log).await?;
            done.push(file.version);
        }
        sql_log.info(format!("{} migration(s) applied", done.len()));
        Ok(json!({ "database": database, "applied": done, "pending": [] }))
    }
}

fn versions(files: &[&MigrationFile]) -> Vec<i64> {
    files.iter().map(|file| file.version).collect()
}

/// SQLite asks whether to go on every this many virtual-machine steps
/// (well under a millisecond of work), so a cancel interrupts even one
/// long statement.
const CANCEL_CHECK_STEPS: i32 = 10_000;

/// Opens the database and makes sure the history table exists; a dry run
/// opens it read-only and creates nothing.
///
/// The pool holds exactly one connection, kept for the whole run, and
/// that connection interrupts whatever statement it is running once
/// `cancel` fires; SQLite then rolls the file's transaction back.
async fn open(
    database: &str,
    dry_run: bool,
    cancel: &CancellationToken,
) -> Result<DatabaseConnection, CoreError> {
    let path = Path::new(database);
    if dry_run && !path.exists() {
        return Err(CoreError::PluginFailed(format!(
            "database: {database} does not exist (a dry run does not create it)"
        )));
    }
    // The path goes to SQLite as a file name, never inside a URL, where a
    // `?` or `#` in it would open another file than the one chosen.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(dry_run)
        .create_if_missing(!dry_run)
        // The plugin logs each statement itself; sqlx's own statement log
        // would land in the task's log too (through the `tracing` capture).
        .disable_statement_logging();
    let cannot_open = |error: &dyn std::fmt::Display| {
        CoreError::PluginFailed(format!("cannot open the database {database}: {error}"))
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .max_lifetime(Duration::from_secs(7 * 24 * 3600))
        .idle_timeout(Duration::from_secs(7 * 24 * 3600))
        .connect_with(options)
        .await
        .map_err(|error| cannot_open(&error))?;
    let connection = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    {
        let mut pooled = connection
            .get_sqlite_connection_pool()
            .acquire()
            .await
            .map_err(|error| cannot_open(&error))?;
        let token = cancel.clone();
        pooled
            .lock_handle()
            .await
            .map_err(|error| cannot_open(&error))?
            .set_progress_handler(CANCEL_CHECK_STEPS, move || !token.is_cancelled());
    }
    if dry_run {
        return Ok(connection);
    }
    connection
        .execute_unprepared(&format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (\
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, \
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        ))
        .await
        .map_err(|error| {
            CoreError::PluginFailed(format!(
                "cannot prepare {HISTORY_TABLE} in {database}: {error}"
            ))
        })?;
    Ok(connection)
}

/// Applied versions and their recorded checksums and names.
async fn applied_versions(
    connection: &DatabaseConnection,
) -> Result<BTreeMap<i64, (String, String)>, CoreError> {
    let backend = connection.get_database_backend();
    let exists = connection
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            [HISTORY_TABLE.into()],
        ))
        .await?
        .is_some();
    if !exists {
        // Only a dry run gets here: nothing was ever applied.
        return Ok(BTreeMap::new());
    }
    let rows = connection
        .query_all_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            format!("SELECT version, name, checksum FROM {HISTORY_TABLE} ORDER BY version"),
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get_by_index::<i64>(0)?,
                (
                    row.try_get_by_index::<String>(1)?,
                    row.try_get_by_index::<String>(2)?,
                ),
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(CoreError::from)
}

/// Refuses to go on when an applied file changed since it was applied.
fn verify(
    files: &[MigrationFile],
    applied: &BTreeMap<i64, (String, String)>,
    log: &TaskLogger,
) -> Result<(), CoreError> {
    for file in files {
        if let Some((_, checksum)) = applied.get(&file.version) {
            if !file.matches_record(checksum) {
                let message = format!(
                    "{} was changed after it was applied (checksum {} recorded, {} now); \
                     restore it or add a new migration",
                    file.file_name, checksum, file.checksum
                );
                log.error(message.clone());
                return Err(CoreError::PluginFailed(message));
            }
            log.debug(format!("{} unchanged since it was applied", file.file_name));
        }
    }
    let missing: Vec<String> = applied
        .iter()
        .filter(|(version, _)| !files.iter().any(|file| file.version == **version))
        .map(|(version, (name, _))| format!("V{version}__{name}.sql"))
        .collect();
    if !missing.is_empty() {
        log.warning(format!(
            "applied but no longer in the folder: {}",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// Applies one file in one transaction, statement by statement, and
/// records it; a failure or a cancel rolls the whole file back.
async fn apply(
    connection: &DatabaseConnection,
    file: &MigrationFile,
    ctx: &TaskContext,
    log: &TaskLogger,
) -> Result<(), CoreError> {
    let statements = statements::split(&file.sql);
    log.with_metadata(json!({ "file": file.file_name, "statements": statements.len() }))
        .info(format!("applying {}", file.file_name));
    let cancelled = |log: &TaskLogger| {
        log.warning(format!("cancelled: {} rolled back", file.file_name));
        CoreError::Cancelled
    };
    let transaction = connection.begin().await?;
    for statement in &statements {
        if ctx.is_cancelled() {
            transaction.rollback().await?;
            return Err(cancelled(log));
        }
        if let Err(error) = transaction.execute_unprepared(&statement.sql).await {
            if ctx.is_cancelled() {
                // Interrupted mid-statement: SQLite may already have rolled
                // the transaction back, so a failing ROLLBACK changes nothing.
                let _ = transaction.rollback().await;
                return Err(cancelled(log));
            }
            transaction.rollback().await?;
            let message = format!(
                "{} line {}: {}",
                file.file_name,
                statement.line,
                sqlite_message(&error)
            );
            log.with_metadata(json!({ "file": file.file_name, "line": statement.line }))
                .error(format!("{message}; the file was rolled back"));
            return Err(CoreError::PluginFailed(message));
        }
        log.debug(format!("{} line {}: ok", file.file_name, statement.line));
    }
    let recorded = transaction
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            connection.get_database_backend(),
            format!("INSERT INTO {HISTORY_TABLE} (version, name, checksum) VALUES (?, ?, ?)"),
            [
                file.version.into(),
                file.name.clone().into(),
                file.checksum.clone().into(),
            ],
        ))
        .await;
    if let Err(error) = recorded {
        let _ = transaction.rollback().await;
        return Err(if ctx.is_cancelled() {
            cancelled(log)
        } else {
            error.into()
        });
    }
    transaction.commit().await?;
    log.info(format!("applied {}", file.file_name));
    Ok(())
}

fn sqlite_message(error: &sea_orm::DbErr) -> String {
    crate::store::logs::query::sqlite_reason(&error.to_string()).to_owned()
}
