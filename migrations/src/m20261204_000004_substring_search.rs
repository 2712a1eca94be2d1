//! Replaces the word index over messages with a substring index.
//!
//! - `task_logs_search` is a contentless FTS5 table with the trigram
//!   tokenizer (case folded, `detail=none`, deletes by rowid): the rows
//!   holding every trigram of a text are a superset of those containing
//!   it, which the engine then checks. It is filled behind the writes, not
//!   by a trigger.
//! - `task_search_backlog` has a row for each task with entries not yet in
//!   the index: the last `seq` that is. The writer adds the row, the
//!   indexer advances it and removes it once the task is caught up.
//! - Every task that has entries starts with its whole log waiting, so the
//!   index of an existing database is built in the background after this
//!   migration, which itself takes no longer than dropping the word index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
DROP TRIGGER task_logs_fts_insert;
DROP TRIGGER task_logs_fts_delete;
DROP TABLE task_logs_fts;

CREATE VIRTUAL TABLE task_logs_search USING fts5 (
    message,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'trigram'
);
CREATE TRIGGER task_logs_search_delete AFTER DELETE ON task_logs BEGIN
    DELETE FROM task_logs_search WHERE rowid = old.id;
END;

CREATE TABLE task_search_backlog (
    task_key     INTEGER PRIMARY KEY,
    indexed_seq  INTEGER NOT NULL
);
CREATE TRIGGER task_search_backlog_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM task_search_backlog WHERE task_key = old.key;
END;
INSERT INTO task_search_backlog (task_key, indexed_seq)
    SELECT DISTINCT task_key, 0 FROM task_log_stats;
"#;

const DOWN: &str = r#"
DROP TRIGGER task_search_backlog_delete;
DROP TABLE task_search_backlog;
DROP TRIGGER task_logs_search_delete;
DROP TABLE task_logs_search;

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
INSERT INTO task_logs_fts (task_logs_fts) VALUES ('rebuild');
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
