//! A task: its lifecycle status, its summary as history shows it, and the
//! requests that list, run and remove tasks.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::history::{ProblemFilter, TaskPageAt, TaskSort};
use crate::log::LevelCounts;

/// Where a task is in its life: `pending → running → succeeded | failed |
/// cancelled`, or `interrupted` when the process running it died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Created, not started yet.
    Pending,
    /// Its plugin is executing.
    Running,
    /// Finished without error.
    Succeeded,
    /// Finished with an error (or its plugin panicked).
    Failed,
    /// Stopped on request.
    Cancelled,
    /// The process running it died before it finished.
    Interrupted,
}

impl TaskStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Pending,
        TaskStatus::Running,
        TaskStatus::Succeeded,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
        TaskStatus::Interrupted,
    ];

    /// The wire name (`pending`, `running`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Running => "running",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Interrupted => "interrupted",
        }
    }

    /// Whether the task can no longer change.
    pub fn is_finished(self) -> bool {
        !matches!(self, TaskStatus::Pending | TaskStatus::Running)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A status name that is not one of [`TaskStatus::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown status {0:?}: expected pending, running, succeeded, failed, cancelled or interrupted"
)]
pub struct UnknownStatus(pub String);

impl FromStr for TaskStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        TaskStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// How far a running task says it has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskProgress {
    /// Done fraction from 0.0 to 1.0, when the plugin can tell.
    pub fraction: Option<f64>,
    /// What it is doing now (`archiving photos/2024`).
    pub message: String,
}

/// One task as the history list and `taskdeck show` present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskSummary {
    /// Public identifier (UUID v7, so ids sort by creation time).
    pub id: String,
    /// The plugin that runs it.
    pub plugin_id: String,
    /// The validated parameters, defaults filled in.
    pub params: Map<String, Value>,
    /// Where it is in its life.
    pub status: TaskStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its plugin started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a finished status.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed, was cancelled or was interrupted.
    pub error: Option<String>,
    /// What the plugin returned.
    pub result: Option<Value>,
    /// Durable entries per level (a running task's newest entries may still
    /// be on their way to the store).
    pub counts: LevelCounts,
    /// The latest progress report, while the task runs in this process.
    pub progress: Option<TaskProgress>,
}

/// Which tasks `list_tasks` returns, in which order, and which page of
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct TaskListFilter {
    /// Only tasks with one of these statuses (empty: any).
    pub statuses: Vec<TaskStatus>,
    /// Only tasks of this plugin.
    pub plugin_id: Option<String>,
    /// Only tasks that started at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only tasks that started before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only tasks that logged warnings or errors.
    pub problems: Option<ProblemFilter>,
    /// Only tasks whose parameters, error or plugin contain this text
    /// (case-insensitive; blank: any).
    pub text: Option<String>,
    /// The list's order.
    pub sort: TaskSort,
    /// Which page.
    pub page: TaskPageAt,
    /// At most this many (1..=[`MAX_TASK_LIST_LIMIT`], default
    /// [`DEFAULT_TASK_LIST_LIMIT`]).
    pub limit: Option<u32>,
}

/// The most tasks one `list_tasks` call returns.
pub const MAX_TASK_LIST_LIMIT: u32 = 10_000;
/// The number of tasks listed when the filter names no limit.
pub const DEFAULT_TASK_LIST_LIMIT: u32 = 200;

/// A request to run a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunTaskRequest {
    /// The plugin to run.
    pub plugin_id: String,
    /// Its parameters, checked against the plugin's schema before anything
    /// runs.
    #[serde(default)]
    pub params: Map<String, Value>,
}

/// A task that a delete or a cleanup removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemovedTask {
    /// Its id.
    pub id: String,
    /// Its plugin.
    pub plugin_id: String,
    /// Its status when removed.
    pub status: TaskStatus,
    /// How many log entries went with it.
    pub entries: u64,
    /// Why it was selected.
    #[serde(default)]
    pub reason: RemovalReason,
}

/// Why a task was removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// The user deleted it.
    #[default]
    Requested,
    /// It is older than the age rule allows.
    Age,
    /// Newer finished tasks fill the count rule.
    Count,
    /// The database was over its size cap.
    Size,
}

impl RemovalReason {
    /// The reason in a few words, for lists and log entries.
    pub fn describe(self) -> &'static str {
        match self {
            RemovalReason::Requested => "deleted by request",
            RemovalReason::Age => "older than the age limit",
            RemovalReason::Count => "beyond the task count limit",
            RemovalReason::Size => "to bring the database under its size cap",
        }
    }
}

/// What a delete or a cleanup removed (or, on a dry run, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemovalReport {
    /// The tasks, newest first.
    pub tasks: Vec<RemovedTask>,
    /// Log entries removed in all.
    pub entries: u64,
    /// Whether nothing was actually deleted.
    pub dry_run: bool,
    /// Bytes of database file given back to the operating system.
    #[serde(default)]
    pub bytes_freed: u64,
    /// The `system` task whose log records this cleanup, when it removed
    /// something by retention rules.
    #[serde(default)]
    pub log_task_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_text_and_json() {
        for status in TaskStatus::ALL {
            assert_eq!(status.as_str().parse::<TaskStatus>(), Ok(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, serde_json::Value::String(status.as_str().into()));
        }
        assert!("done".parse::<TaskStatus>().is_err());
    }

    #[test]
    fn only_pending_and_running_are_unfinished() {
        let unfinished: Vec<_> = TaskStatus::ALL
            .into_iter()
            .filter(|status| !status.is_finished())
            .collect();
        assert_eq!(unfinished, vec![TaskStatus::Pending, TaskStatus::Running]);
    }
}
