//! Reads of `task_log_timeline` (entries per task, second and level, with
//! their first and last `seq`): a task's level timeline, and the `seq`
//! range that holds every entry of a time range, so a time filter reads
//! only that stretch of the log, never the whole of it.

use std::borrow::Cow;

use rusqlite::Connection;
use taskdeck_protocol::{LevelCounts, LogFilter, LogTimeline, MAX_TIMELINE_BUCKETS};

use super::query::within;
use super::record::{TaskIdentity, level_from_code, millis_to_time};
use crate::CoreError;

/// The second (as the table counts them) that holds `millis`: the same
/// truncating division the writer and the migration use.
fn second_of(millis: i64) -> i64 {
    millis / 1000
}

/// `filter` with its cursors narrowed to the `seq` range that holds every
/// entry of its time range; `None` when no entry lies in that range. A
/// filter without a time range is returned as it is.
pub fn narrowed<'a>(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &'a LogFilter,
) -> Result<Option<Cow<'a, LogFilter>>, CoreError> {
    if !filter.has_time_range() {
        return Ok(Some(Cow::Borrowed(filter)));
    }
    let first_second = filter
        .since
        .map_or(i64::MIN, |since| second_of(since.timestamp_millis()));
    let last_second = filter
        .until
        .map_or(i64::MAX, |until| second_of(until.timestamp_millis()));
    let (first, last): (Option<i64>, Option<i64>) = connection
        .prepare_cached(
            "SELECT min(first_seq), max(last_seq) FROM task_log_timeline \
             WHERE task_key = ? AND second >= ? AND second <= ?",
        )?
        .query_row((task.key, first_second, last_second), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(None);
    };
    let window = (first.max(1) as u64, last.max(0) as u64);
    Ok(within(filter, window).map(Cow::Owned))
}

/// `task`'s entries per level in about `buckets` equal stretches of time
/// (each a whole number of seconds, at most [`MAX_TIMELINE_BUCKETS`]),
/// from the second of its first entry to that of its last.
pub fn timeline(
    connection: &Connection,
    task: &TaskIdentity,
    buckets: u32,
) -> Result<LogTimeline, CoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT second, level, count FROM task_log_timeline WHERE task_key = ? ORDER BY second",
    )?;
    let slots = statement
        .query_map([task.key], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i32>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(&(first, ..)), Some(&(last, ..))) = (slots.first(), slots.last()) else {
        return Ok(LogTimeline {
            task_id: task.id.clone(),
            start: None,
            bucket_ms: 1000,
            buckets: Vec::new(),
        });
    };
    let wanted = u64::from(buckets.clamp(1, MAX_TIMELINE_BUCKETS));
    let seconds = last.abs_diff(first) + 1;
    let bucket_seconds = seconds.div_ceil(wanted);
    let mut counts = vec![LevelCounts::default(); seconds.div_ceil(bucket_seconds) as usize];
    for (second, level, count) in slots {
        let index = (second.abs_diff(first) / bucket_seconds) as usize;
        if let Some(bucket) = counts.get_mut(index) {
            bucket.add(level_from_code(level), count.max(0) as u64);
        }
    }
    Ok(LogTimeline {
        task_id: task.id.clone(),
        start: Some(millis_to_time(first.saturating_mul(1000))),
        bucket_ms: bucket_seconds * 1000,
        buckets: counts,
    })
}
