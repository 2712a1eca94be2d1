//! Search across runs: one search over every task's log, the tasks
//! narrowed by status and plugin and the entries by level, source and
//! time as a task's own search narrows them, answered a page of tasks at a
//! time, newest task first, each with its count of matches and its first
//! matching lines.

use serde::{Deserialize, Serialize};

use crate::{LogCount, LogEntry, LogFilter, TaskStatus, TaskSummary};

/// Tasks one page of results holds when the request names no number.
pub const DEFAULT_SEARCH_TASKS: u32 = 20;
/// The most tasks one page holds.
pub const MAX_SEARCH_TASKS: u32 = 200;
/// Matching lines shown per task when the request names no number.
pub const DEFAULT_SEARCH_HITS: u32 = 3;
/// The most matching lines shown per task.
pub const MAX_SEARCH_HITS: u32 = 50;

/// What to search for, where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RunSearchRequest {
    /// The search (required) and the entry conditions: levels, sources,
    /// time range, and the context lines around each match. Its cursors,
    /// limit, order, section and folding are a single task's and must be
    /// left unset.
    pub filter: LogFilter,
    /// Only tasks with one of these statuses (empty: any).
    pub statuses: Vec<TaskStatus>,
    /// Only tasks of this plugin.
    pub plugin_id: Option<String>,
    /// The page after this cursor ([`RunSearchPage::next`]).
    pub after: Option<String>,
    /// Tasks per page (1..=[`MAX_SEARCH_TASKS`], default
    /// [`DEFAULT_SEARCH_TASKS`]).
    pub tasks: Option<u32>,
    /// Matching lines per task (1..=[`MAX_SEARCH_HITS`], default
    /// [`DEFAULT_SEARCH_HITS`]).
    pub hits: Option<u32>,
}

/// One task with matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSearchGroup {
    /// The task.
    pub task: TaskSummary,
    /// How many of its entries match (counted up to
    /// [`LogCount::MAX_SEARCH_COUNT`]).
    pub count: LogCount,
    /// Its first matches in log order, with their context lines
    /// ([`LogEntry::context`]).
    pub hits: Vec<LogEntry>,
}

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSearchPage {
    /// Tasks with matches, newest first.
    pub groups: Vec<RunSearchGroup>,
    /// Where the next page starts, if older tasks may have matches.
    pub next: Option<String>,
}
