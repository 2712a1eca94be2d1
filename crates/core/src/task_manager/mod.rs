//! Running tasks: the manager and a task's run; their logs' way to the
//! store is [`crate::task_log`].
//!
//! - [`manager`]: [`TaskManager`], which runs tasks on tokio and owns the
//!   log pipeline of each; its runs are in `run`, its reads in `reads`, its
//!   comparison of two runs in `compare`, its subscriptions in
//!   `subscriptions`, its settings in `config`.
//! - [`context`]: what a plugin works with.
//! - [`count_feed`]: running tasks' summaries to task subscribers.
//! - [`runner`]: telling dead processes' tasks from live ones.

mod compare;
mod config;
pub mod context;
pub mod count_feed;
pub mod manager;
mod reads;
mod run;
mod run_search;
pub mod runner;
mod subscriptions;

#[cfg(all(test, target_os = "linux"))]
mod fault_tests;
#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;

pub use config::{FLUSH_BATCH_ENV, FLUSH_INTERVAL_ENV, ManagerConfig};
pub use context::TaskContext;
pub use manager::TaskManager;

pub use crate::task_log::{FlushConfig, LiveSink, Section, TaskLogCapture, TaskLogger};
