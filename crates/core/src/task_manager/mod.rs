//! Running tasks and collecting their logs.
//!
//! - [`manager`]: [`TaskManager`], which runs tasks on tokio and owns the
//!   rest of this module; its runs are in `run`, its reads in `reads`, its
//!   subscriptions in `subscriptions`, its settings in `config`.
//! - [`logger`] and [`context`]: what a plugin writes and works with.
//! - [`entry_text`]: the caps on an entry's text, and source names.
//! - [`buffer`] and [`flusher`]: the path from an emit to the store.
//! - [`indexer`]: the search index, filled behind the writes.
//! - [`capture`]: `tracing` events inside a task, into that task's log.
//! - [`live`]: live subscriptions to a task's log with a filter.
//! - [`count_feed`]: running tasks' summaries to task subscribers.
//! - [`runner`]: telling dead processes' tasks from live ones.
//! - [`secrets`]: masking a task's secret params in its log.

pub mod buffer;
pub mod capture;
mod config;
pub mod context;
pub mod count_feed;
pub mod entry_text;
pub mod flusher;
pub mod indexer;
pub mod live;
pub mod logger;
pub mod manager;
mod reads;
mod run;
pub mod runner;
pub mod secrets;
mod subscriptions;

#[cfg(all(test, target_os = "linux"))]
mod fault_tests;
#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;

pub use capture::TaskLogCapture;
pub use config::{FLUSH_BATCH_ENV, FLUSH_INTERVAL_ENV, ManagerConfig};
pub use context::TaskContext;
pub use flusher::FlushConfig;
pub use live::LiveSink;
pub use logger::TaskLogger;
pub use manager::TaskManager;
