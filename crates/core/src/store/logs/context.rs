//! Context around matches: with `context_before`/`context_after`, a page
//! holds each matching entry and that many entries before and after it
//! (as `grep -B`/`-A` do), the context ones marked
//! [`LogEntry::context`].
//!
//! A page is still a keyset range by `seq`, so the panel, the live stream,
//! export and the CLI page through it as through any filter. For a page
//! after `seq` c (ascending), the matches are read from `c - after`
//! onwards (an earlier match's trailing context can reach past c), up to
//! `limit + 1 + after` of them — enough, because every match past c adds
//! at least its own row. Their ranges are merged and the rows read by id
//! range (`id = key << 32 | seq`, so a range is one index walk). A page
//! before `seq` c (descending) is the mirror image.
//!
//! Cost: one match page (as without context) plus one short range read per
//! stretch of adjacent matches.

use std::collections::HashMap;

use rusqlite::Connection;
use taskdeck_protocol::{LogEntry, LogFilter, LogPage, Order};

use super::query::{SourceLevelPairs, into_page, seq_bounds};
use super::record::{MAX_SEQ, TaskIdentity};
use super::rows::{read_matching_page, read_rows};
use crate::CoreError;

/// One page of `filter`'s matches with their context (see the module).
pub fn read_page(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
) -> Result<LogPage, CoreError> {
    let limit = filter.effective_limit() as usize;
    let (before, after) = (
        u64::from(filter.context_before),
        u64::from(filter.context_after),
    );
    // The page's own bounds, exclusive.
    let Some((low, high)) = seq_bounds(filter) else {
        return Ok(into_page(Vec::new(), limit));
    };
    let ascending = filter.order == Order::Ascending;
    // Matches outside the bounds whose context reaches inside them.
    let reach = if ascending { after } else { before };
    let matches_filter = LogFilter {
        after_seq: (low > after).then(|| low - after),
        before_seq: (high.saturating_add(before) <= MAX_SEQ).then(|| high + before),
        limit: Some(u32::try_from(limit as u64 + 1 + reach).unwrap_or(u32::MAX)),
        context_before: 0,
        context_after: 0,
        ..filter.clone()
    };
    let matches = read_matching_page(connection, task, &matches_filter, pairs)?;
    let complete = matches.next_cursor.is_none();
    // Stretches of seqs to show, in the page's order, within its bounds.
    let mut stretches: Vec<(u64, u64)> = Vec::new();
    for entry in &matches.entries {
        let first = entry.seq.saturating_sub(before).max(low + 1).max(1);
        let last = entry.seq.saturating_add(after).min(high - 1);
        if first > last {
            continue;
        }
        merge(&mut stretches, (first, last), ascending);
    }
    // Past the last match read, another (not read) could add context: the
    // page stops where what it shows is known to be whole.
    let known_until = match (complete, matches.entries.last()) {
        (false, Some(last)) if ascending => Some(last.seq + after),
        (false, Some(last)) => Some(last.seq.saturating_sub(before)),
        _ => None,
    };
    // The matches are decoded already; only their context is read anew.
    let mut matched: HashMap<u64, LogEntry> = matches
        .entries
        .into_iter()
        .map(|entry| (entry.seq, entry))
        .collect();
    let mut rows: Vec<LogEntry> = Vec::with_capacity(limit + 1);
    for (first, last) in stretches {
        let wanted = limit + 1 - rows.len();
        let mut stretch = read_rows(
            connection,
            task,
            (first, last),
            filter.order,
            wanted,
            &mut matched,
        )?;
        if let Some(edge) = known_until {
            stretch.retain(|entry| {
                if ascending {
                    entry.seq <= edge
                } else {
                    entry.seq >= edge
                }
            });
        }
        rows.append(&mut stretch);
        if rows.len() > limit {
            break;
        }
    }
    let mut page = into_page(rows, limit);
    // Matches remain beyond those read: there is more, even if this page
    // stopped short of its size where its context was not yet known.
    if !complete && page.next_cursor.is_none() {
        page.next_cursor = page.entries.last().map(|entry| entry.seq);
    }
    Ok(page)
}

/// Adds the stretch `(first, last)` to `stretches`, joining it to the last
/// one when they touch. Matches come in the page's order, so only the last
/// stretch can touch a new one.
fn merge(stretches: &mut Vec<(u64, u64)>, (first, last): (u64, u64), ascending: bool) {
    if let Some(previous) = stretches.last_mut() {
        if ascending && first <= previous.1 + 1 {
            previous.1 = previous.1.max(last);
            return;
        }
        if !ascending && last + 1 >= previous.0 {
            previous.0 = previous.0.min(first);
            return;
        }
    }
    stretches.push((first, last));
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn touching_stretches_join_in_either_order() {
        let mut up = Vec::new();
        for stretch in [(1, 4), (5, 7), (6, 9), (12, 14)] {
            merge(&mut up, stretch, true);
        }
        assert_eq!(up, vec![(1, 9), (12, 14)]);
        let mut down = Vec::new();
        for stretch in [(12, 14), (8, 11), (3, 6)] {
            merge(&mut down, stretch, false);
        }
        assert_eq!(down, vec![(8, 14), (3, 6)]);
    }
}
