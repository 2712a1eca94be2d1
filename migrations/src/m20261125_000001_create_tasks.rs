//! Creates `tasks`: one row per task run, with its lifecycle and per-level
//! counts so the history list never has to scan a task's log.
//!
//! Timestamps are milliseconds since the Unix epoch (UTC) in 64-bit integers:
//! exact, compact, and cheap to compare and index.
//!
//! A task has two identities: `id`, the public UUID v7 every interface
//! shows, and `key`, SQLite's integer rowid, which the log tables reference
//! so that millions of log rows and their indexes carry 8-byte keys rather
//! than 36-byte strings.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    // `integer primary key` makes it the rowid itself.
                    .col(
                        ColumnDef::new(Tasks::Key)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Tasks::Id).text().not_null().unique_key())
                    .col(ColumnDef::new(Tasks::PluginId).text().not_null())
                    .col(ColumnDef::new(Tasks::Params).text().not_null())
                    .col(ColumnDef::new(Tasks::Status).text().not_null())
                    .col(ColumnDef::new(Tasks::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Tasks::StartedAt).big_integer().null())
                    .col(ColumnDef::new(Tasks::FinishedAt).big_integer().null())
                    .col(ColumnDef::new(Tasks::Error).text().null())
                    .col(ColumnDef::new(Tasks::Result).text().null())
                    // The process (app or CLI) that runs the task; used to tell
                    // a task whose process died from one still running.
                    .col(ColumnDef::new(Tasks::RunnerId).text().null())
                    .col(count_column(Tasks::DebugCount))
                    .col(count_column(Tasks::InfoCount))
                    .col(count_column(Tasks::WarningCount))
                    .col(count_column(Tasks::ErrorCount))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_created_at")
                    .table(Tasks::Table)
                    .col(Tasks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_status")
                    .table(Tasks::Table)
                    .col(Tasks::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tasks::Table).to_owned())
            .await
    }
}

fn count_column(column: Tasks) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Key,
    Id,
    PluginId,
    Params,
    Status,
    CreatedAt,
    StartedAt,
    FinishedAt,
    Error,
    Result,
    RunnerId,
    DebugCount,
    InfoCount,
    WarningCount,
    ErrorCount,
}
