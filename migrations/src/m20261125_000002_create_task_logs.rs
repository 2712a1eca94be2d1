//! Creates the log tables: `task_logs`, its full-text index and the per-task
//! aggregates.
//!
//! - `task_logs.id` is `task_key << 32 | seq`. A task's rows are therefore
//!   contiguous in the table's own B-tree, in `seq` order: paging by `seq` is
//!   a range scan of the table with no extra index, `(task, seq)` is unique by
//!   construction, and the engine knows an entry's id at emit time, before it
//!   is stored. The `CHECK` keeps the columns and the id in step.
//! - `idx_task_logs_source_level` serves source and level filters: one range
//!   scan per (source, level) pair, already in `seq` order.
//! - `task_logs_fts` is an external-content FTS5 index over `message` (the
//!   text is stored once, in `task_logs`), kept in step by triggers.
//! - `task_log_stats` holds one row per (task, source, level) with its count
//!   and first/last timestamps, maintained by the writer in the same
//!   transaction as the rows, so stats and sources read a handful of rows
//!   whatever the log's size.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE task_logs (
    id        INTEGER PRIMARY KEY,
    task_key  INTEGER NOT NULL REFERENCES tasks(key) ON DELETE CASCADE,
    seq       INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 4294967295),
    ts        INTEGER NOT NULL,
    level     INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    source    TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    metadata  TEXT,
    CHECK (id = (task_key << 32) | seq)
);
CREATE INDEX idx_task_logs_source_level ON task_logs (task_key, source, level, seq);

CREATE VIRTUAL TABLE task_logs_fts USING fts5 (
    message,
    content = 'task_logs',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER task_logs_fts_insert AFTER INSERT ON task_logs BEGIN
    INSERT INTO task_logs_fts (rowid, message) VALUES (new.id, new.message);
END;
CREATE TRIGGER task_logs_fts_delete AFTER DELETE ON task_logs BEGIN
    INSERT INTO task_logs_fts (task_logs_fts, rowid, message) VALUES ('delete', old.id, old.message);
END;

CREATE TABLE task_log_stats (
    task_key  INTEGER NOT NULL REFERENCES tasks(key) ON DELETE CASCADE,
    source    TEXT    NOT NULL,
    level     INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    first_ts  INTEGER NOT NULL,
    last_ts   INTEGER NOT NULL,
    PRIMARY KEY (task_key, source, level)
) WITHOUT ROWID;
"#;

const DOWN: &str = r#"
DROP TABLE task_log_stats;
DROP TRIGGER task_logs_fts_delete;
DROP TRIGGER task_logs_fts_insert;
DROP TABLE task_logs_fts;
DROP TABLE task_logs;
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
