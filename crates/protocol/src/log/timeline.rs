//! [`LogTimeline`]: how many entries of each level a task wrote in each
//! stretch of its run, the strip drawn above its log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::LevelCounts;

/// The most buckets a timeline is drawn with.
pub const MAX_TIMELINE_BUCKETS: u32 = 1_000;

/// A task's entries per level in equal stretches of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogTimeline {
    /// The task.
    pub task_id: String,
    /// Where the first bucket starts (the second of the first entry);
    /// `None` while the task has no entries.
    pub start: Option<DateTime<Utc>>,
    /// How long each bucket is, in milliseconds (whole seconds).
    pub bucket_ms: u64,
    /// The entries of each bucket, oldest first.
    pub buckets: Vec<LevelCounts>,
}

impl LogTimeline {
    /// Where bucket `index` starts.
    pub fn bucket_start(&self, index: usize) -> Option<DateTime<Utc>> {
        let offset = i64::try_from(self.bucket_ms.saturating_mul(index as u64)).ok()?;
        self.start?
            .checked_add_signed(chrono::TimeDelta::try_milliseconds(offset)?)
    }

    /// Where the last bucket ends.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.bucket_start(self.buckets.len())
    }
}
