//! The Taskdeck database schema as an ordered list of migrations.
//!
//! One file per change, named `mYYYYMMDD_NNNNNN_what.rs`; a migration is never
//! edited after it has shipped — a later change gets a new file. The core runs
//! [`Migrator`] every time it opens the store.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tasks;
mod m20261125_000002_create_task_logs;
mod m20261202_000003_create_settings;

/// Applies every Taskdeck migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_tasks::Migration),
            Box::new(m20261125_000002_create_task_logs::Migration),
            Box::new(m20261202_000003_create_settings::Migration),
        ]
    }
}

/// The name of the newest migration this build knows: the schema version a
/// fully migrated database reports.
pub fn latest_migration_name() -> String {
    Migrator::migrations()
        .last()
        .map(|migration| migration.name().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};

    #[tokio::test]
    async fn migrations_apply_and_roll_back_on_a_real_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Database::connect(&url).await.unwrap();

        Migrator::up(&db, None).await.unwrap();
        assert!(SchemaManager::new(&db).has_table("tasks").await.unwrap());
        let applied = Migrator::get_applied_migrations(&db).await.unwrap();
        assert_eq!(applied.last().unwrap().name(), latest_migration_name());

        // The schema has the columns the engine writes.
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM pragma_table_info('tasks') \
                 WHERE name IN ('key','id','plugin_id','params','status','created_at',\
                 'started_at','finished_at','error','result','runner_id',\
                 'debug_count','info_count','warning_count','error_count')",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 15);

        // `key` is the rowid itself, and `id` is unique.
        let backend = db.get_database_backend();
        db.execute_unprepared(
            "INSERT INTO tasks (id, plugin_id, params, status, created_at) \
             VALUES ('a', 'shell', '{}', 'pending', 1)",
        )
        .await
        .unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT key = rowid AS same FROM tasks WHERE id = 'a'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "same").unwrap(), 1);
        let duplicate = db
            .execute_unprepared(
                "INSERT INTO tasks (id, plugin_id, params, status, created_at) \
                 VALUES ('a', 'shell', '{}', 'pending', 2)",
            )
            .await;
        assert!(
            duplicate.is_err(),
            "a second task with the same id was accepted"
        );

        // The log tables exist, FTS5 is compiled in, and the triggers keep the
        // index in step with inserts and deletes.
        db.execute_unprepared(
            "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message) \
             SELECT (key << 32) | 1, key, 1, 1, 1, 'shell', 'hello searchable world' \
             FROM tasks WHERE id = 'a'",
        )
        .await
        .unwrap();
        let matches =
            "SELECT COUNT(*) AS n FROM task_logs_fts WHERE task_logs_fts MATCH 'searchable'";
        let count = |sql: &'static str| {
            let db = &db;
            async move {
                db.query_one_raw(Statement::from_string(backend, sql))
                    .await
                    .unwrap()
                    .unwrap()
                    .try_get::<i64>("", "n")
                    .unwrap()
            }
        };
        assert_eq!(count(matches).await, 1);
        let mismatched = db
            .execute_unprepared(
                "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message) \
                 SELECT (key << 32) | 5, key, 2, 1, 1, 'shell', 'x' FROM tasks WHERE id = 'a'",
            )
            .await;
        assert!(
            mismatched.is_err(),
            "an id out of step with (task_key, seq) was accepted"
        );
        db.execute_unprepared("DELETE FROM task_logs")
            .await
            .unwrap();
        assert_eq!(count(matches).await, 0);

        // Settings are name → JSON rows.
        db.execute_unprepared(
            "INSERT INTO settings (name, value) VALUES ('flush_interval_ms', '250')",
        )
        .await
        .unwrap();

        Migrator::down(&db, None).await.unwrap();
        assert!(!SchemaManager::new(&db).has_table("tasks").await.unwrap());
    }
}
