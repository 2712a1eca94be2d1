//! The Taskdeck engine.
//!
//! Everything that does real work lives here, testable without a window:
//! the store (SQLite through SeaORM, migrated at start-up), the task
//! manager with its loggers, buffer and flusher, the plugins, and cleanup.
//! The desktop app (`src-tauri`) and the CLI (`crates/cli`) are thin shells
//! over this crate; it never depends on Tauri.

pub mod ansi;
pub mod bounded_lines;
pub mod cleanup;
pub mod compare;
pub mod data_dir;
pub mod error;
pub mod export;
pub mod import;
pub mod output_text;
pub mod partial_file;
pub mod plugins;
pub mod settings;
pub mod store;
pub mod task_log;
pub mod task_manager;

#[cfg(any(test, feature = "test-support"))]
pub mod test_programs;
#[cfg(test)]
pub(crate) mod test_support;

pub use cleanup::{RetentionPolicy, TaskCleanupService};
pub use data_dir::{DATA_DIR_ENV, DataDir};
pub use error::CoreError;
pub use plugins::{Plugin, PluginRegistry};
pub use settings::SettingsRepository;
pub use store::Store;
pub use store::logs::LogStore;
pub use store::tasks::TaskRepository;
pub use task_manager::{
    FlushConfig, ManagerConfig, Section, TaskContext, TaskLogCapture, TaskLogger, TaskManager,
};

/// `docs/plugin_dev.md`, compiled and run as doc-tests so its examples stay
/// true to the API.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/plugin_dev.md")]
pub struct PluginDevGuide;

/// The Taskdeck version this engine was built as.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
