//! History at scale: the order the task list is read in, which of its
//! pages to read ([`TaskPageAt`]), and the page that answers
//! ([`TaskPage`]) with its cursors and the counts per status of everything
//! the filter matches.

use serde::{Deserialize, Serialize};

use crate::{TaskStatus, TaskSummary};

/// The order of the task list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TaskSort {
    /// Started most recently first (a task that has not started counts
    /// from its creation).
    #[default]
    Newest,
    /// Started longest ago first.
    Oldest,
    /// Ran longest first (a task still running counts as not run yet).
    Longest,
    /// Ran shortest first.
    Shortest,
}

impl TaskSort {
    /// Every order, as the History view offers them.
    pub const ALL: [TaskSort; 4] = [
        TaskSort::Newest,
        TaskSort::Oldest,
        TaskSort::Longest,
        TaskSort::Shortest,
    ];

    /// The wire name (`newest`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSort::Newest => "newest",
            TaskSort::Oldest => "oldest",
            TaskSort::Longest => "longest",
            TaskSort::Shortest => "shortest",
        }
    }

    /// The order in a few words, for a menu.
    pub fn describe(self) -> &'static str {
        match self {
            TaskSort::Newest => "Newest first",
            TaskSort::Oldest => "Oldest first",
            TaskSort::Longest => "Longest first",
            TaskSort::Shortest => "Shortest first",
        }
    }
}

/// A sort name that is not one of [`TaskSort::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sort {0:?}: expected newest, oldest, longest or shortest")]
pub struct UnknownSort(pub String);

impl std::str::FromStr for TaskSort {
    type Err = UnknownSort;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        TaskSort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == wanted)
            .ok_or_else(|| UnknownSort(text.to_owned()))
    }
}

/// Which tasks the problem filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProblemFilter {
    /// Tasks that logged a warning or an error.
    Warnings,
    /// Tasks that logged an error.
    Errors,
}

impl ProblemFilter {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemFilter::Warnings => "warnings",
            ProblemFilter::Errors => "errors",
        }
    }
}

/// A problem filter name that is neither `warnings` nor `errors`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown problem filter {0:?}: expected warnings or errors")]
pub struct UnknownProblemFilter(pub String);

impl std::str::FromStr for ProblemFilter {
    type Err = UnknownProblemFilter;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "warnings" | "warning" => Ok(ProblemFilter::Warnings),
            "errors" | "error" => Ok(ProblemFilter::Errors),
            _ => Err(UnknownProblemFilter(text.to_owned())),
        }
    }
}

/// Which page of the list to read: the first or the last in the list's
/// order, or the one just after or just before a cursor an earlier page
/// gave ([`TaskPage::next`], [`TaskPage::previous`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "at", content = "cursor")]
pub enum TaskPageAt {
    /// The start of the list.
    #[default]
    First,
    /// The end of the list (the oldest task, newest first).
    Last,
    /// The tasks after this cursor.
    After(String),
    /// The tasks before this cursor.
    Before(String),
}

/// Tasks per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusCounts {
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub interrupted: u64,
}

impl StatusCounts {
    /// The count of `status`.
    pub fn get(&self, status: TaskStatus) -> u64 {
        match status {
            TaskStatus::Pending => self.pending,
            TaskStatus::Running => self.running,
            TaskStatus::Succeeded => self.succeeded,
            TaskStatus::Failed => self.failed,
            TaskStatus::Cancelled => self.cancelled,
            TaskStatus::Interrupted => self.interrupted,
        }
    }

    /// Adds `count` to `status`.
    pub fn add(&mut self, status: TaskStatus, count: u64) {
        let slot = match status {
            TaskStatus::Pending => &mut self.pending,
            TaskStatus::Running => &mut self.running,
            TaskStatus::Succeeded => &mut self.succeeded,
            TaskStatus::Failed => &mut self.failed,
            TaskStatus::Cancelled => &mut self.cancelled,
            TaskStatus::Interrupted => &mut self.interrupted,
        };
        *slot += count;
    }

    /// The tasks of these statuses (all of them when `statuses` is empty).
    pub fn total_of(&self, statuses: &[TaskStatus]) -> u64 {
        TaskStatus::ALL
            .into_iter()
            .filter(|status| statuses.is_empty() || statuses.contains(status))
            .map(|status| self.get(status))
            .sum()
    }
}

/// One page of the task list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskPage {
    /// The tasks, in the list's order.
    pub tasks: Vec<TaskSummary>,
    /// Where the page before this one ends, if there is one.
    pub previous: Option<String>,
    /// Where the page after this one starts, if there is one.
    pub next: Option<String>,
    /// Tasks per status among all that every filter but the status one
    /// matches (what each status would add).
    pub counts: StatusCounts,
    /// Tasks that every filter matches.
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_and_problem_filters_read_their_names() {
        for sort in TaskSort::ALL {
            assert_eq!(sort.as_str().parse::<TaskSort>(), Ok(sort));
            assert_eq!(
                serde_json::to_value(sort).unwrap(),
                serde_json::Value::String(sort.as_str().into())
            );
        }
        assert!("fastest".parse::<TaskSort>().is_err());
        assert_eq!("Errors".parse(), Ok(ProblemFilter::Errors));
        assert!("bad".parse::<ProblemFilter>().is_err());
    }

    #[test]
    fn page_positions_serialise_with_their_cursor() {
        let json = serde_json::to_value(TaskPageAt::After("17.4".into())).unwrap();
        assert_eq!(json, serde_json::json!({ "at": "after", "cursor": "17.4" }));
        let json = serde_json::to_value(TaskPageAt::Last).unwrap();
        assert_eq!(json, serde_json::json!({ "at": "last" }));
    }

    #[test]
    fn counts_total_the_chosen_statuses() {
        let mut counts = StatusCounts::default();
        counts.add(TaskStatus::Failed, 3);
        counts.add(TaskStatus::Succeeded, 5);
        assert_eq!(counts.total_of(&[]), 8);
        assert_eq!(counts.total_of(&[TaskStatus::Failed]), 3);
        assert_eq!(counts.get(TaskStatus::Running), 0);
    }
}
