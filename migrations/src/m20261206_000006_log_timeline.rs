//! Adds `task_log_timeline`: per task, second and level, how many entries
//! and the first and last `seq` among them. The writer keeps it current in
//! the transaction that writes the entries, as it does `task_log_stats`.
//!
//! It draws a task's level timeline without reading its entries, and it
//! turns a time range into the `seq` range that holds every entry of that
//! range (whatever order their timestamps are in), so a time filter reads
//! only that stretch of the log.
//!
//! Existing logs are counted into it here: one pass over `task_logs`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE task_log_timeline (
    task_key   INTEGER NOT NULL REFERENCES tasks(key) ON DELETE CASCADE,
    second     INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (task_key, second, level)
) WITHOUT ROWID;
INSERT INTO task_log_timeline (task_key, second, level, count, first_seq, last_seq)
    SELECT task_key, ts / 1000, level, count(*), min(seq), max(seq)
    FROM task_logs GROUP BY task_key, ts / 1000, level;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE task_log_timeline")
            .await?;
        Ok(())
    }
}
