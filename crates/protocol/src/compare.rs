//! [`RunComparison`]: two runs' logs compared line by line, only where
//! they differ, with lines of context around each difference.

use serde::{Deserialize, Serialize};

use crate::{LogLevel, TaskSummary};

/// How a line of a comparison stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    /// In both runs (context around a difference).
    Same,
    /// Only in the first run.
    Removed,
    /// Only in the second run.
    Added,
}

/// One line of a [`DiffHunk`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ComparedLine {
    pub change: LineChange,
    /// Its `seq` in the first run, unless it was added.
    pub a_seq: Option<u64>,
    /// Its `seq` in the second run, unless it was removed.
    pub b_seq: Option<u64>,
    pub level: LogLevel,
    pub source: String,
    /// As written (the second run's, for a line in both).
    pub message: String,
    /// The titles of the sections it lies in, outermost first.
    pub sections: Vec<String>,
}

/// A stretch of the two logs with differences, and context around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiffHunk {
    /// Where it starts in the first run's log (the 1-based line, which is
    /// its `seq`), and how many of its lines it spans.
    pub a_start: u64,
    pub a_lines: u64,
    /// The same in the second run's log.
    pub b_start: u64,
    pub b_lines: u64,
    pub lines: Vec<ComparedLine>,
}

/// Two runs compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunComparison {
    pub a: TaskSummary,
    pub b: TaskSummary,
    /// Whether volatile parts (times, durations, numbers, ids, temporary
    /// paths) were normalised before comparing.
    pub normalised: bool,
    /// The lines of context kept around each difference.
    pub context: u32,
    /// The differences, in log order; none when the runs match.
    pub hunks: Vec<DiffHunk>,
}

impl RunComparison {
    /// Whether the runs' logs differ.
    pub fn differs(&self) -> bool {
        !self.hunks.is_empty()
    }

    /// The first line where the runs part.
    pub fn first_divergence(&self) -> Option<&ComparedLine> {
        self.hunks
            .iter()
            .flat_map(|hunk| &hunk.lines)
            .find(|line| line.change != LineChange::Same)
    }
}
