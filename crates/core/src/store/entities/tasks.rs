//! `tasks`: one row per task run (see the migration for the column meanings).

use sea_orm::entity::prelude::*;

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    /// The rowid, referenced by the log tables.
    #[sea_orm(primary_key)]
    pub key: i64,
    /// The public UUID v7.
    #[sea_orm(unique)]
    pub id: String,
    /// The plugin that runs it.
    pub plugin_id: String,
    /// Validated parameters as a JSON object.
    pub params: String,
    /// A `TaskStatus` wire name.
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch.
    pub started_at: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub finished_at: Option<i64>,
    /// Why it failed, was cancelled or interrupted.
    pub error: Option<String>,
    /// The plugin's result as JSON.
    pub result: Option<String>,
    /// The process that runs or ran it.
    pub runner_id: Option<String>,
    /// Durable `DEBUG` entries.
    pub debug_count: i64,
    /// Durable `INFO` entries.
    pub info_count: i64,
    /// Durable `WARNING` entries.
    pub warning_count: i64,
    /// Durable `ERROR` entries.
    pub error_count: i64,
}

/// `tasks` has no ORM relations; the log tables are reached by `key`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
