//! Adds `task_log_sections`: the titled, nested stretches of a task's log
//! (a backup's steps, a migration's files, a script's `::group::`s). Each
//! row is one section: its parent, title, the `seq` of its header line and
//! of its last entry, when it opened and closed, and its entries per level
//! (nested sections' included). The writer keeps it current in the
//! transaction that writes the entries.
//!
//! Sections nest and a section holds every entry from its header line to
//! its end, so a section is one range of `seq`: filtering by a section,
//! and finding which sections hold an entry, never reads other entries.
//! Ids are given in the order sections open, so they follow `start_seq`.
//! Logs written before sections existed have none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE task_log_sections (
    task_key      INTEGER NOT NULL REFERENCES tasks(key) ON DELETE CASCADE,
    id            INTEGER NOT NULL,
    parent        INTEGER,
    title         TEXT NOT NULL,
    start_seq     INTEGER NOT NULL,
    end_seq       INTEGER NOT NULL,
    started_ms    INTEGER NOT NULL,
    ended_ms      INTEGER,
    debug_count   INTEGER NOT NULL DEFAULT 0,
    info_count    INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0,
    error_count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_key, id)
) WITHOUT ROWID;
CREATE INDEX task_log_sections_start ON task_log_sections (task_key, start_seq);
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
            .execute_unprepared("DROP TABLE task_log_sections")
            .await?;
        Ok(())
    }
}
