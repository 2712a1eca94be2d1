//! The Taskdeck database schema as an ordered list of migrations.
//!
//! One file per change, named `mYYYYMMDD_NNNNNN_what.rs`; a migration is never
//! edited after it has shipped — a later change gets a new file. The core runs
//! [`Migrator`] every time it opens the store, inside one write transaction
//! (so processes starting together migrate one after the other), and each
//! migration runs in a transaction of its own with its record: SeaORM wraps
//! migrations in transactions only on Postgres by default, so a hard kill
//! during one on SQLite would leave it half applied.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tasks;
mod m20261125_000002_create_task_logs;
mod m20261202_000003_create_settings;
mod m20261204_000004_substring_search;
mod m20261205_000005_log_styles;
mod m20261206_000006_log_timeline;
mod m20261206_000007_log_sections;
mod m20261207_000008_history_indexes;

/// Applies every Taskdeck migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let migrations: Vec<Box<dyn MigrationTrait>> = vec![
            Box::new(m20261125_000001_create_tasks::Migration),
            Box::new(m20261125_000002_create_task_logs::Migration),
            Box::new(m20261202_000003_create_settings::Migration),
            Box::new(m20261204_000004_substring_search::Migration),
            Box::new(m20261205_000005_log_styles::Migration),
            Box::new(m20261206_000006_log_timeline::Migration),
            Box::new(m20261206_000007_log_sections::Migration),
            Box::new(m20261207_000008_history_indexes::Migration),
        ];
        migrations
            .into_iter()
            .map(|migration| Box::new(Atomic(migration)) as Box<dyn MigrationTrait>)
            .collect()
    }
}

/// A migration applied in a transaction together with its record.
struct Atomic(Box<dyn MigrationTrait>);

impl MigrationName for Atomic {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Atomic {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.down(manager).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
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

        // The log tables exist, FTS5's trigram tokenizer is compiled in, and
        // a deleted row leaves the substring index.
        db.execute_unprepared(
            "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message) \
             SELECT (key << 32) | 1, key, 1, 1, 1, 'shell', 'hello searchable world' \
             FROM tasks WHERE id = 'a'",
        )
        .await
        .unwrap();
        db.execute_unprepared(
            "INSERT INTO task_logs_search (rowid, message) SELECT id, message FROM task_logs",
        )
        .await
        .unwrap();
        let matches = "SELECT COUNT(*) AS n FROM task_logs_search \
             WHERE task_logs_search MATCH '\"sea\" AND \"arc\" AND \"ble\"'";
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

    #[tokio::test]
    async fn the_substring_index_migration_marks_existing_logs_as_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Database::connect(&url).await.unwrap();
        Migrator::up(&db, Some(3)).await.unwrap();
        db.execute_unprepared(
            "INSERT INTO tasks (id, plugin_id, params, status, created_at) VALUES \
             ('a', 'shell', '{}', 'succeeded', 1), ('b', 'shell', '{}', 'succeeded', 2); \
             INSERT INTO task_logs (id, task_key, seq, ts, level, source, message) \
             SELECT (key << 32) | 1, key, 1, 1, 1, 'shell', 'old line' FROM tasks WHERE id = 'a'; \
             INSERT INTO task_log_stats (task_key, source, level, count, first_ts, last_ts) \
             SELECT key, 'shell', 1, 1, 1, 1 FROM tasks WHERE id = 'a';",
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        let backend = db.get_database_backend();
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT group_concat(t.id) AS ids, sum(b.indexed_seq) AS seqs \
                 FROM task_search_backlog b JOIN tasks t ON t.key = b.task_key",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<String>("", "ids").unwrap(), "a");
        assert_eq!(row.try_get::<i64>("", "seqs").unwrap(), 0);
        assert!(
            !SchemaManager::new(&db)
                .has_table("task_logs_fts")
                .await
                .unwrap()
        );
        // Deleting the task takes its backlog row along.
        db.execute_unprepared("DELETE FROM tasks WHERE id = 'a'")
            .await
            .unwrap();
        let left = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT count(*) AS n FROM task_search_backlog",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(left.try_get::<i64>("", "n").unwrap(), 0);
    }

    /// A migration that fails half-way, as a hard kill would stop it.
    struct FailsHalfWay;

    impl MigrationName for FailsHalfWay {
        fn name(&self) -> &str {
            "m29991231_000001_fails_half_way"
        }
    }

    #[async_trait::async_trait]
    impl MigrationTrait for FailsHalfWay {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            let connection = manager.get_connection();
            connection
                .execute_unprepared("CREATE TABLE half_made (x INTEGER)")
                .await?;
            connection.execute_unprepared("NOT SQL").await?;
            Ok(())
        }
    }

    struct WithFailing;

    #[async_trait::async_trait]
    impl MigratorTrait for WithFailing {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            let mut migrations = Migrator::migrations();
            migrations.push(Box::new(Atomic(Box::new(FailsHalfWay))));
            migrations
        }
    }

    #[tokio::test]
    async fn a_migration_that_stops_half_way_leaves_the_previous_version_whole() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Database::connect(&url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        assert!(WithFailing::up(&db, None).await.is_err());
        assert!(
            !SchemaManager::new(&db)
                .has_table("half_made")
                .await
                .unwrap()
        );
        let applied = WithFailing::get_applied_migrations(&db).await.unwrap();
        assert_eq!(applied.last().unwrap().name(), latest_migration_name());
    }
}
