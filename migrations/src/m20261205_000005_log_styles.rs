//! Adds `task_logs.styles`: the colours and links of an entry's text as
//! JSON style spans (`NULL` for plain text), kept beside the plain message
//! since escape sequences are parsed when an entry is emitted.
//!
//! Rows stored before keep their raw escape sequences and a `NULL` here:
//! they are not rewritten, and the engine parses them when it reads them.
//! Adding a nullable column rewrites nothing, so this is instant on any
//! database.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE task_logs ADD COLUMN styles TEXT")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE task_logs DROP COLUMN styles")
            .await?;
        Ok(())
    }
}
