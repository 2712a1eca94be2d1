//! SeaORM entities for the tables the engine reads and writes through the
//! ORM. The log rows themselves are written and paged with prepared SQL in
//! [`crate::store::logs`], where the statement shape decides the speed.

pub mod settings;
pub mod task_log_stats;
pub mod tasks;
