//! Pages of a log with folded sections (see [`Folding`]): a folded section
//! shows its header line and hides its other lines. Folding is a query,
//! not a filter applied to what was read: the stretches the folded
//! sections hide come from the sections' rows, and a page is read from
//! the stretches between them only, so the hidden lines are never read.

use rusqlite::Connection;
use taskdeck_protocol::log::hidden_by;
use taskdeck_protocol::{Folding, LogFilter, LogPage, Order};

use super::query::{SourceLevelPairs, into_page, seq_bounds};
use super::record::TaskIdentity;
use super::rows::read_matching_page;
use crate::CoreError;

/// The stretches of `seq` strictly between `after` and `before` that
/// `hidden` (inclusive, in order, disjoint) leaves visible, as exclusive
/// bounds `(after, before)`, in order.
pub fn visible_between(hidden: &[(u64, u64)], after: u64, before: u64) -> Vec<(u64, u64)> {
    let mut visible = Vec::with_capacity(hidden.len() + 1);
    let mut cursor = after;
    for &(first, last) in hidden {
        if last <= cursor {
            continue;
        }
        if first >= before {
            break;
        }
        if first > cursor + 1 {
            visible.push((cursor, first));
        }
        cursor = last;
    }
    if cursor.saturating_add(1) < before {
        visible.push((cursor, before));
    }
    visible
}

/// One page of `task`'s entries matching `filter`, the lines `folding`
/// hides left out: the visible stretches are read in the filter's order,
/// each as a page of its own, until the page is full.
pub fn read_page(
    connection: &Connection,
    task: &TaskIdentity,
    filter: &LogFilter,
    pairs: Option<&SourceLevelPairs>,
    folding: &Folding,
) -> Result<LogPage, CoreError> {
    let limit = filter.effective_limit() as usize;
    let Some((after, before)) = seq_bounds(filter) else {
        return Ok(into_page(Vec::new(), limit));
    };
    let sections = super::sections::list(connection, task)?;
    let visible = visible_between(&hidden_by(&sections, folding), after, before);
    let stretches: Box<dyn Iterator<Item = &(u64, u64)>> = match filter.order {
        Order::Ascending => Box::new(visible.iter()),
        Order::Descending => Box::new(visible.iter().rev()),
    };
    let mut entries = Vec::with_capacity(limit + 1);
    for &(after, before) in stretches {
        // One more than the page holds says whether there are more.
        let wanted = limit + 1 - entries.len();
        let stretch = LogFilter {
            after_seq: Some(after),
            before_seq: Some(before),
            limit: Some(u32::try_from(wanted).unwrap_or(u32::MAX)),
            folding: None,
            ..filter.clone()
        };
        let page = if stretch.wants_context() {
            super::context::read_page(connection, task, &stretch, pairs)?
        } else {
            read_matching_page(connection, task, &stretch, pairs)?
        };
        entries.extend(page.entries);
        if entries.len() > limit {
            break;
        }
    }
    Ok(into_page(entries, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_visible_lies_between_the_hidden_stretches_and_the_cursors() {
        let hidden = [(3, 5), (8, 8), (9, 12)];
        assert_eq!(
            visible_between(&hidden, 0, 20),
            [(0, 3), (5, 8), (12, 20)],
            "1-2, 6-7 and 13-19"
        );
        assert_eq!(visible_between(&hidden, 4, 10), [(5, 8)]);
        assert_eq!(visible_between(&hidden, 12, 13), []);
        assert_eq!(visible_between(&[], 0, 5), [(0, 5)]);
        assert_eq!(visible_between(&[(1, 4)], 0, 5), []);
    }
}
