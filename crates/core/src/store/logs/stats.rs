//! Stats and sources of a task, read from `task_log_stats`: one row per
//! (source, level) the task used, so the cost does not grow with the log.

use std::collections::BTreeMap;

use taskdeck_protocol::{LevelCounts, LogFilter, LogStats, SourceStats};

use super::query::SourceLevelPairs;
use super::record::{TaskIdentity, level_from_code, millis_to_time};
use crate::store::entities::task_log_stats;

/// The (source, level) pairs that `filter`'s level and source conditions
/// select, or `None` when it has no such conditions.
pub fn matching_pairs(
    rows: &[task_log_stats::Model],
    filter: &LogFilter,
) -> Option<SourceLevelPairs> {
    let restricted =
        !filter.levels.is_empty() || filter.min_level.is_some() || !filter.sources.is_empty();
    restricted.then(|| {
        rows.iter()
            .filter(|row| {
                filter.matches_level(level_from_code(row.level))
                    && filter.matches_source(&row.source)
            })
            .map(|row| (row.source.clone(), row.level))
            .collect()
    })
}

/// Adds up the aggregate rows.
pub fn summarise(task: &TaskIdentity, rows: &[task_log_stats::Model]) -> LogStats {
    let mut counts = LevelCounts::default();
    let mut sources: BTreeMap<&str, LevelCounts> = BTreeMap::new();
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    for row in rows {
        let level = level_from_code(row.level);
        let count = row.count.max(0) as u64;
        counts.add(level, count);
        sources.entry(&row.source).or_default().add(level, count);
        first = Some(first.map_or(row.first_ts, |known| known.min(row.first_ts)));
        last = Some(last.map_or(row.last_ts, |known| known.max(row.last_ts)));
    }
    LogStats {
        task_id: task.id.clone(),
        total: counts.total(),
        counts,
        sources: sources
            .into_iter()
            .map(|(source, counts)| SourceStats {
                source: source.to_owned(),
                counts,
            })
            .collect(),
        first_timestamp: first.map(millis_to_time),
        last_timestamp: last.map(millis_to_time),
    }
}
