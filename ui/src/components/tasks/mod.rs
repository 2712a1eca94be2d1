//! The task components: the runner with its parameter form, the log panel
//! with its filter bar, rows and line detail, the viewer that shows any
//! task in it, and the history list.

mod export_control;
mod hidden_lines;
mod history;
mod log_entry_detail;
mod log_entry_row;
mod log_filter_bar;
mod log_panel;
mod param_form;
mod styled_message;
mod task_log_viewer;
mod task_runner;

pub use export_control::ExportControl;
pub use hidden_lines::HiddenLines;
pub use history::HistoryList;
pub use log_entry_detail::LogEntryDetail;
pub use log_entry_row::LogEntryRow;
pub use log_filter_bar::LogFilterBar;
pub use log_panel::TaskLogPanel;
pub use param_form::ParamForm;
pub use task_log_viewer::TaskLogViewer;
pub use task_runner::TaskRunner;
