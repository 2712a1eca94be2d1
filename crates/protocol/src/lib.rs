//! Wire types shared by every part of Taskdeck.
//!
//! This crate owns the shapes that cross a process or language boundary: IPC
//! between the core process and the Yew UI, the CLI's `--json` output, and the
//! exported TypeScript bindings. It depends on no other workspace crate and on
//! nothing that cannot build for `wasm32-unknown-unknown` (no tokio, no
//! sea-orm), so the UI can use it as is.

pub mod app;
pub mod commands;
pub mod compare;
pub mod error;
pub mod export;
pub mod history;
pub mod live;
pub mod log;
pub mod plugin;
pub mod run_search;
pub mod search;
pub mod settings;
pub mod styled;
pub mod task;
pub mod units;

pub use app::{AppInfo, StorageStatus};
pub use compare::{ComparedLine, DiffHunk, LineChange, RunComparison};
pub use error::{ErrorKind, IpcError};
pub use export::{ExportFormat, ExportHeader, ExportReport, ImportReport, UnknownFormat};
pub use history::{
    ProblemFilter, StatusCounts, TaskPage, TaskPageAt, TaskSort, UnknownProblemFilter, UnknownSort,
};
pub use live::LiveLogMessage;
pub use log::{
    Folding, InvalidFilter, LevelCounts, LogCount, LogEntry, LogFilter, LogLevel, LogPage,
    LogSection, LogStats, LogTimeline, MAX_TIMELINE_BUCKETS, Order, SectionStatus, SourceStats,
    UnknownLevel,
};
pub use plugin::{InvalidParam, ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo};
pub use run_search::{RunSearchGroup, RunSearchPage, RunSearchRequest};
pub use search::{InvalidSearch, SearchExpression, SearchMatcher, SearchMode, SearchQuery};
pub use settings::{CleanupOutcome, RetentionSettings, Settings, SettingsState};
pub use styled::{Color, StyleSpan, TextStyle};
pub use task::{
    RemovalReason, RemovalReport, RemovedTask, RunTaskRequest, TaskListFilter, TaskProgress,
    TaskStatus, TaskSummary, UnknownStatus,
};
pub use units::human_size;
