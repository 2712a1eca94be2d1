//! `task_log_stats`: per (task, source, level) counts and first/last times.

use sea_orm::entity::prelude::*;

/// One aggregate row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_log_stats")]
pub struct Model {
    /// The task's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_key: i64,
    /// The source.
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    /// The level as stored (0 = DEBUG … 3 = ERROR).
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i32,
    /// Entries of this source and level.
    pub count: i64,
    /// The earliest of them, ms since the epoch.
    pub first_ts: i64,
    /// The latest of them, ms since the epoch.
    pub last_ts: i64,
}

/// No ORM relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
