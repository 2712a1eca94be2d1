//! The Taskdeck engine.
//!
//! Everything that does real work lives here, testable without a window: the
//! store (SQLite through SeaORM, migrated at start-up), and — as the product
//! grows — the task manager, task logger, cleanup and export. The desktop app
//! (`src-tauri`) and the CLI (`crates/cli`) are thin shells over this crate;
//! it never depends on Tauri.

pub mod data_dir;
pub mod error;
pub mod store;

pub use data_dir::{DATA_DIR_ENV, DataDir};
pub use error::CoreError;
pub use store::Store;

/// The Taskdeck version this engine was built as.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
