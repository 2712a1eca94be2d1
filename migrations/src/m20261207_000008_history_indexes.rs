//! Indexes for History at scale: the task list is read a page at a time
//! in the order of its start or of its duration, resuming after the last
//! row shown (a keyset), so every page — the oldest of 100,000 tasks
//! included — is one index seek rather than a sort or an offset.
//!
//! - `idx_tasks_start` and `idx_tasks_duration` order all tasks by the
//!   expressions the list sorts by (a task that has not started counts
//!   from its creation; one that has not finished has run for 0 ms so
//!   far), with `key` breaking ties.
//! - `idx_tasks_plugin_start` and `idx_tasks_status_start` serve "this
//!   plugin's runs" and "the failed ones", newest first, the lists a user
//!   most often narrows to, without sorting what they select.
//!
//! The expressions must match `store/task_list.rs` character for character,
//! or SQLite does not use them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE INDEX idx_tasks_start ON tasks (COALESCE(started_at, created_at), key);
CREATE INDEX idx_tasks_duration ON tasks (
    (COALESCE(finished_at, started_at, created_at) - COALESCE(started_at, created_at)), key
);
CREATE INDEX idx_tasks_plugin_start ON tasks (plugin_id, COALESCE(started_at, created_at), key);
CREATE INDEX idx_tasks_status_start ON tasks (status, COALESCE(started_at, created_at), key);
"#;

const DOWN: &str = r#"
DROP INDEX idx_tasks_status_start;
DROP INDEX idx_tasks_plugin_start;
DROP INDEX idx_tasks_duration;
DROP INDEX idx_tasks_start;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
