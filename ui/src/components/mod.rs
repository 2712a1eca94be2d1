//! The UI's components, one per file.

mod app_footer;
mod app_header;
mod cleanup_notice;
mod empty_state;
mod error_banner;
mod history_view;
mod recovered_notice;
mod run_view;
mod settings;
mod storage_banner;
pub mod tasks;

pub use app_footer::AppFooter;
pub use app_header::{AppHeader, View};
pub use cleanup_notice::CleanupNotice;
pub use empty_state::EmptyState;
pub use error_banner::ErrorBanner;
pub use history_view::HistoryView;
pub use recovered_notice::RecoveredNotice;
pub use run_view::RunView;
pub use settings::SettingsView;
pub use storage_banner::StorageBanner;
