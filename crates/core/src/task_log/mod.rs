//! A task's log on its way from an emit to the store and to whoever
//! follows it.
//!
//! - [`logger`]: what a plugin writes with ([`TaskLogger`]), and
//!   [`section`]: the sections it opens in its task's log.
//! - [`entry_text`]: the caps on an entry's text, and source names.
//! - [`secrets`]: masking a task's secret params in its log.
//! - [`capture`]: `tracing` events inside a task, into that task's log.
//! - [`buffer`] and [`flusher`]: the path from an emit to the store.
//! - [`indexer`]: the search index, filled behind the writes.
//! - [`follow`]: live subscriptions to a task's log with a filter, and the
//!   registry of a manager's running ones.

pub mod buffer;
pub mod capture;
pub mod entry_text;
pub mod flusher;
pub mod follow;
pub mod indexer;
pub mod logger;
pub mod secrets;
pub mod section;

pub use capture::TaskLogCapture;
pub use flusher::FlushConfig;
pub use follow::LiveSink;
pub use logger::TaskLogger;
pub use section::Section;
