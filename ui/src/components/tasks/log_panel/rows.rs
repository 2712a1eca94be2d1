//! The log panel's rows as pure state: the slice of the log held
//! ([`LogWindow`]), its loading state and where live rows start, and how
//! pages and live messages change it. What loads the pages is in
//! [`super::pages`].

use std::rc::Rc;

use taskdeck_protocol::{IpcError, LiveLogMessage, LogEntry, TaskStatus};
use yew::prelude::*;

use super::window::LogWindow;

/// What the panel holds and is doing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rows {
    /// The rows held.
    pub window: LogWindow,
    /// How the task ended, once the live stream said so.
    pub ended: Option<TaskStatus>,
    /// The last failure (loading a page, or the live stream).
    pub error: Option<IpcError>,
    /// The first page is being loaded.
    pub loading: bool,
    /// A page at one end is being loaded (one at a time).
    pub fetching: bool,
    /// Live rows follow this seq; set while the rows reach the newest
    /// entry, `None` while they do not (a subscription would leave a gap).
    pub live_after: Option<u64>,
    /// Rows the held rows moved down by, in total, as rows were added or
    /// dropped above the viewport (the panel scrolls by the change so what
    /// the user reads stays in place).
    pub shifted: i64,
    /// Bumped to reload from the store (after a gap notice).
    pub reloads: u32,
    /// Bumped with every first page: what was asked for under an older
    /// one (a hidden stretch) no longer belongs in the rows.
    pub generation: u32,
}

/// An end of the rows held.
#[derive(Debug, Clone, Copy)]
pub enum Edge {
    /// Before the first row.
    Earlier,
    /// After the last row.
    Later,
}

/// What changes the rows.
pub enum RowsAction {
    /// A first page is on its way: the rows are cleared.
    Loading,
    /// Load the first page again.
    Reload,
    /// The first page, whether earlier and later entries exist, and
    /// whether context lines are shown (hidden stretches get separators).
    Loaded(Vec<LogEntry>, bool, bool, bool),
    /// A page at an end is on its way.
    Fetching,
    /// A page at an end, read while the rows had this generation, and
    /// whether still more exist beyond it.
    Page(u32, Edge, Vec<LogEntry>, bool),
    /// The entries of a hidden stretch the user opened, read while the
    /// rows had this generation.
    Filled(u32, Vec<LogEntry>),
    /// A message of the live subscription.
    Live(LiveLogMessage),
    /// Loading failed.
    Failed(IpcError),
}

impl Reducible for Rows {
    type Action = RowsAction;

    fn reduce(self: Rc<Self>, action: RowsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            RowsAction::Loading => {
                next.window = LogWindow::default();
                next.error = None;
                next.loading = true;
                next.fetching = false;
                next.live_after = None;
                next.generation = next.generation.wrapping_add(1);
            }
            RowsAction::Reload => next.reloads += 1,
            RowsAction::Loaded(entries, has_earlier, has_later, parted) => {
                next.window = LogWindow::new(entries, has_earlier, has_later, parted);
                next.loading = false;
                next.live_after =
                    (!next.window.has_later).then(|| next.window.last_seq().unwrap_or(0));
            }
            RowsAction::Fetching => next.fetching = true,
            RowsAction::Filled(generation, entries) => {
                if generation != next.generation {
                    return self;
                }
                next.window.fill(entries);
                if next.window.has_later {
                    next.live_after = None;
                }
            }
            // A page read for an older filter belongs to no rows held now.
            RowsAction::Page(generation, ..) if generation != next.generation => return self,
            RowsAction::Page(_, Edge::Earlier, entries, has_earlier) => {
                next.fetching = false;
                let added = next.window.prepend(entries, has_earlier);
                next.shifted += i64::try_from(added).unwrap_or(0);
                if next.window.has_later {
                    next.live_after = None;
                }
            }
            RowsAction::Page(_, Edge::Later, entries, has_later) => {
                next.fetching = false;
                let dropped = next.window.append(entries, has_later);
                next.shifted -= i64::try_from(dropped).unwrap_or(0);
                if !has_later {
                    next.live_after = Some(next.window.last_seq().unwrap_or(0));
                }
            }
            RowsAction::Live(LiveLogMessage::Entries { entries }) => {
                // Rows that stopped at an earlier page take no live rows.
                if next.live_after.is_some() && !next.window.has_later {
                    let dropped = next.window.append(entries, false);
                    next.shifted -= i64::try_from(dropped).unwrap_or(0);
                }
            }
            RowsAction::Live(LiveLogMessage::Gap { .. }) => next.reloads += 1,
            RowsAction::Live(LiveLogMessage::End { status }) => next.ended = Some(status),
            RowsAction::Live(LiveLogMessage::Failed { error }) | RowsAction::Failed(error) => {
                next.loading = false;
                next.fetching = false;
                next.error = Some(error);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::super::window::{MAX_ROWS, test_entries as entries};
    use super::*;

    fn after(rows: Rc<Rows>, action: RowsAction) -> Rc<Rows> {
        rows.reduce(action)
    }

    #[test]
    fn live_rows_join_only_while_the_rows_reach_the_newest_entry() {
        let rows = after(Rc::default(), RowsAction::Loading);
        let rows = after(
            rows,
            RowsAction::Loaded(entries(1..=1_000), false, false, false),
        );
        assert_eq!(rows.live_after, Some(1_000));
        let live = |seqs| {
            RowsAction::Live(LiveLogMessage::Entries {
                entries: entries(seqs),
            })
        };
        let rows = after(rows, live(1_001..=MAX_ROWS as u64 + 100));
        // The oldest 100 were trimmed: the view is told to move up by them.
        assert_eq!(rows.shifted, -100);
        assert_eq!(rows.window.first_seq(), Some(101));
        // Scrolling back past the bound drops the newest rows: live rows
        // stop (a subscription from there would leave a gap).
        let rows = after(rows, RowsAction::Fetching);
        let generation = rows.generation;
        let rows = after(
            rows,
            RowsAction::Page(generation, Edge::Earlier, entries(1..=100), false),
        );
        assert!(!rows.fetching && rows.window.has_later);
        assert_eq!(rows.live_after, None);
        assert_eq!(rows.shifted, 0);
        let ignored = after(rows.clone(), live(6_001..=6_010));
        assert_eq!(ignored.window, rows.window);
        // Reaching the newest again restarts them from the last row.
        let rows = after(
            rows,
            RowsAction::Page(generation, Edge::Later, entries(5_001..=5_100), false),
        );
        assert_eq!(rows.live_after, Some(5_100));
    }

    #[test]
    fn a_page_read_for_an_older_filter_is_dropped() {
        let rows = after(Rc::default(), RowsAction::Loading);
        let rows = after(
            rows,
            RowsAction::Loaded(entries(1..=1_000), true, false, false),
        );
        let asked_under = rows.generation;
        let rows = after(rows, RowsAction::Fetching);
        // The user changes the filter before the page arrives.
        let rows = after(rows, RowsAction::Loading);
        let rows = after(
            rows,
            RowsAction::Loaded(entries(10..=12), false, false, false),
        );
        let later = after(
            rows.clone(),
            RowsAction::Page(asked_under, Edge::Earlier, entries(1..=9), false),
        );
        assert_eq!(later.window, rows.window);
        assert_eq!(later.window.first_seq(), Some(10));
    }

    #[test]
    fn a_gap_notice_reloads_and_failures_are_kept() {
        let rows = after(
            Rc::default(),
            RowsAction::Loaded(entries(1..=3), false, false, false),
        );
        let rows = after(
            rows,
            RowsAction::Live(LiveLogMessage::Gap {
                after_seq: 3,
                before_seq: 9_000,
            }),
        );
        assert_eq!(rows.reloads, 1);
        let error = IpcError::new(taskdeck_protocol::ErrorKind::Internal, "store gone");
        let rows = after(rows, RowsAction::Failed(error.clone()));
        assert_eq!(rows.error, Some(error));
        assert!(!rows.loading && !rows.fetching);
    }
}
