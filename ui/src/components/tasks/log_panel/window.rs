//! The slice of a task's log the panel holds in memory, and which of its
//! rows are on screen.
//!
//! The panel never holds a whole log: it keeps at most [`MAX_ROWS`]
//! consecutive matching entries, growing at either end a page at a time as
//! the user scrolls (or as live entries arrive) and dropping rows from the
//! far end to stay within the bound. Every row has the same height, so the
//! rows on screen follow from the scroll offset alone and the DOM holds only
//! those, whatever the log's length. Wrapping messages makes every row
//! three lines tall rather than one.
//!
//! Entries are held behind `Rc`: the panel's state is copied on every
//! change (a live batch, a page), and copying pointers rather than 5,000
//! entries keeps that cheap.
//!
//! With context lines around the matches ("parted"), the list's rows are
//! [`Slot`]s: the entries, and between two that are not neighbours in the
//! log a separator for the stretch hidden there, which expands in place
//! ([`LogWindow::fill`]). Separators are rows of the same height, so the
//! arithmetic of the virtual scrolling stays the same, in slots.

use std::ops::Range;
use std::rc::Rc;

use taskdeck_protocol::LogEntry;

/// Rows held in memory at most.
pub const MAX_ROWS: usize = 5_000;
/// The height of one row, in CSS pixels (kept in step with `.log-row` in
/// `styles/main.css`).
pub const ROW_HEIGHT: i32 = 18;
/// The height of a row when messages wrap: up to three lines (the line
/// detail shows the rest), still one height for all rows.
pub const WRAPPED_ROW_HEIGHT: i32 = 3 * ROW_HEIGHT;

/// The row height for the wrap preference.
pub fn row_height(wrap: bool) -> i32 {
    if wrap { WRAPPED_ROW_HEIGHT } else { ROW_HEIGHT }
}
/// Rows rendered beyond each edge of the viewport, so a fast scroll does
/// not show blank space before the next render.
const OVERSCAN: usize = 15;

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The entry at this index of [`LogWindow::entries`].
    Entry(usize),
    /// The entries with `after < seq < before`, hidden (they neither match
    /// nor are context of a match).
    Hidden {
        /// The seq shown before the stretch (0 at the start of the log).
        after: u64,
        /// The seq shown after it.
        before: u64,
    },
}

/// Consecutive matching entries of one log, oldest first.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LogWindow {
    entries: Vec<Rc<LogEntry>>,
    /// Whether the store holds matching entries before the first row.
    pub has_earlier: bool,
    /// Whether the store holds matching entries after the last row (the
    /// window does not reach the newest entry, so live rows cannot join).
    pub has_later: bool,
    /// Whether hidden stretches between entries get a separator row.
    parted: bool,
    /// The rows: every entry, and separators when parted.
    slots: Vec<Slot>,
    /// The slot of each entry.
    slot_of_entry: Vec<usize>,
}

impl LogWindow {
    /// A window of `entries` (oldest first); `parted` when context lines
    /// are shown around matches (hidden stretches get a separator).
    pub fn new(entries: Vec<LogEntry>, has_earlier: bool, has_later: bool, parted: bool) -> Self {
        let mut window = Self {
            entries: entries.into_iter().map(Rc::new).collect(),
            has_earlier,
            has_later,
            parted,
            slots: Vec::new(),
            slot_of_entry: Vec::new(),
        };
        window.drop_back(window.entries.len().saturating_sub(MAX_ROWS));
        window.lay_out();
        window
    }

    /// The list's rows.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The row of the entry with `seq`, if it is held.
    pub fn slot_of(&self, seq: u64) -> Option<usize> {
        self.index_of(seq).map(|index| self.slot_of_entry[index])
    }

    /// The entry shown in row `slot`, or the first one after it (for a
    /// separator).
    pub fn entry_at_slot(&self, slot: usize) -> Option<&Rc<LogEntry>> {
        let index = self
            .slot_of_entry
            .partition_point(|&entry_slot| entry_slot < slot);
        self.entries.get(index)
    }

    /// Recomputes the rows after the entries changed.
    fn lay_out(&mut self) {
        self.slots.clear();
        self.slot_of_entry.clear();
        let mut previous = if self.has_earlier { None } else { Some(0) };
        for (index, entry) in self.entries.iter().enumerate() {
            if self.parted
                && let Some(after) = previous
                && entry.seq > after + 1
            {
                self.slots.push(Slot::Hidden {
                    after,
                    before: entry.seq,
                });
            }
            self.slot_of_entry.push(self.slots.len());
            self.slots.push(Slot::Entry(index));
            previous = Some(entry.seq);
        }
    }

    /// Puts the entries of a hidden stretch (oldest first, as read from
    /// the store) in their places; a stretch longer than the page read
    /// keeps a separator for the rest.
    pub fn fill(&mut self, stretch: Vec<LogEntry>) {
        let mut merged = Vec::with_capacity(self.entries.len() + stretch.len());
        let mut stretch = stretch.into_iter().map(Rc::new).peekable();
        for entry in self.entries.drain(..) {
            while let Some(next) = stretch.next_if(|next| next.seq < entry.seq) {
                merged.push(next);
            }
            if stretch.peek().is_some_and(|next| next.seq == entry.seq) {
                stretch.next();
            }
            merged.push(entry);
        }
        self.entries = merged;
        self.drop_back(self.entries.len().saturating_sub(MAX_ROWS));
        self.lay_out();
    }

    /// The rows held.
    pub fn entries(&self) -> &[Rc<LogEntry>] {
        &self.entries
    }

    /// How many rows are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The first row's seq.
    pub fn first_seq(&self) -> Option<u64> {
        self.entries.first().map(|entry| entry.seq)
    }

    /// The last row's seq.
    pub fn last_seq(&self) -> Option<u64> {
        self.entries.last().map(|entry| entry.seq)
    }

    /// Adds an earlier page (oldest first) before the first row, dropping
    /// rows from the end beyond [`MAX_ROWS`]. Returns how many rows (slots)
    /// were added in front.
    pub fn prepend(&mut self, page: Vec<LogEntry>, has_earlier: bool) -> usize {
        let first = self.first_seq().unwrap_or(u64::MAX);
        let slot_before = self.slot_of(first);
        let mut page: Vec<Rc<LogEntry>> = page
            .into_iter()
            .filter(|entry| entry.seq < first)
            .map(Rc::new)
            .collect();
        page.append(&mut self.entries);
        self.entries = page;
        self.has_earlier = has_earlier;
        self.drop_back(self.entries.len().saturating_sub(MAX_ROWS));
        self.lay_out();
        match (slot_before, self.slot_of(first)) {
            (Some(before), Some(after)) => after.saturating_sub(before),
            _ => 0,
        }
    }

    /// Adds later entries (oldest first) after the last row, dropping rows
    /// from the front beyond [`MAX_ROWS`]. `has_later` says whether the
    /// store holds still later ones. Returns how many rows were dropped in
    /// front.
    pub fn append(&mut self, page: Vec<LogEntry>, has_later: bool) -> usize {
        let last = self.last_seq().unwrap_or(0);
        self.entries.extend(
            page.into_iter()
                .filter(|entry| entry.seq > last)
                .map(Rc::new),
        );
        self.has_later = has_later;
        let excess = self.entries.len().saturating_sub(MAX_ROWS);
        // Where the first row kept was before (`None`: it is new too).
        let kept_was_at = self.slot_of_entry.get(excess).copied();
        let slots_before = self.slots.len();
        let new_dropped = excess.saturating_sub(self.slot_of_entry.len());
        if excess > 0 {
            self.entries.drain(..excess);
            self.has_earlier = true;
        }
        self.lay_out();
        if excess == 0 {
            return 0;
        }
        let kept_is_at = self
            .entries
            .first()
            .and_then(|entry| self.slot_of(entry.seq))
            .unwrap_or(0);
        // All the old rows went, and new ones with them.
        kept_was_at.map_or(slots_before + new_dropped, |was| {
            was.saturating_sub(kept_is_at)
        })
    }

    fn drop_back(&mut self, count: usize) {
        if count > 0 {
            self.entries.truncate(self.entries.len() - count);
            self.has_later = true;
        }
    }

    /// The index of the row with `seq`, if it is held.
    pub fn index_of(&self, seq: u64) -> Option<usize> {
        self.entries
            .binary_search_by_key(&seq, |entry| entry.seq)
            .ok()
    }
}

/// The rows to render for a viewport `height` pixels tall scrolled to
/// `scroll_top`, among `len` rows `row_height` pixels tall: those visible
/// plus a margin. A `scroll_top` past the end (measured before rows were
/// dropped, when the browser has since clamped the list without a scroll
/// event) counts as the end, as the browser shows it: never an empty view.
pub fn visible_rows(len: usize, scroll_top: i32, height: i32, row_height: i32) -> Range<usize> {
    let row = usize::try_from(row_height).unwrap_or(1).max(1);
    let shown = usize::try_from(height.max(0)).unwrap_or(0).div_ceil(row) + 1;
    let top = (usize::try_from(scroll_top.max(0)).unwrap_or(0) / row)
        .min(len.saturating_sub(shown.saturating_sub(1)));
    let start = top.saturating_sub(OVERSCAN).min(len);
    let end = top.saturating_add(shown + OVERSCAN).min(len);
    start..end
}

/// The height in pixels of `rows` rows `row_height` pixels tall.
pub fn rows_height(rows: usize, row_height: i32) -> i32 {
    i32::try_from(rows)
        .unwrap_or(i32::MAX)
        .saturating_mul(row_height)
}

/// Entries with these seqs (for the panel's tests).
#[cfg(test)]
pub fn test_entries(seqs: std::ops::RangeInclusive<u64>) -> Vec<LogEntry> {
    seqs.map(|seq| LogEntry {
        id: 0,
        task_id: "t".into(),
        seq,
        timestamp: chrono::DateTime::UNIX_EPOCH,
        level: taskdeck_protocol::LogLevel::Info,
        source: "s".into(),
        message: format!("line {seq}"),
        metadata: None,
        styles: Vec::new(),
        context: false,
        sections: Vec::new(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::test_entries as entries;
    use super::*;

    fn seqs(window: &LogWindow) -> (Option<u64>, Option<u64>, usize) {
        (window.first_seq(), window.last_seq(), window.len())
    }

    #[test]
    fn pages_join_without_duplicates_at_either_end() {
        let mut window = LogWindow::new(entries(501..=1000), true, false, false);
        assert_eq!(window.prepend(entries(1..=510), false), 500);
        assert_eq!(seqs(&window), (Some(1), Some(1000), 1000));
        assert!(!window.has_earlier);
        assert_eq!(window.append(entries(990..=1010), false), 0);
        assert_eq!(seqs(&window), (Some(1), Some(1010), 1010));
        assert_eq!(window.index_of(1010), Some(1009));
        assert_eq!(window.index_of(2000), None);
    }

    #[test]
    fn the_window_stays_bounded_and_remembers_what_it_dropped() {
        let mut window = LogWindow::new(entries(1..=4_000), false, false, false);
        // Live rows push the oldest out.
        let dropped = window.append(entries(4_001..=6_000), false);
        assert_eq!(dropped, 1_000);
        assert_eq!(seqs(&window), (Some(1_001), Some(6_000), MAX_ROWS));
        assert!(window.has_earlier && !window.has_later);
        // Scrolling back pushes the newest out: live rows can no longer join.
        assert_eq!(window.prepend(entries(1..=1_000), false), 1_000);
        assert_eq!(seqs(&window), (Some(1), Some(5_000), MAX_ROWS));
        assert!(!window.has_earlier && window.has_later);
        // A first page larger than the bound keeps its start.
        let window = LogWindow::new(entries(1..=6_000), false, false, false);
        assert_eq!(seqs(&window), (Some(1), Some(5_000), MAX_ROWS));
        assert!(window.has_later);
    }

    fn with_seqs(seqs: &[u64]) -> Vec<LogEntry> {
        seqs.iter().flat_map(|&seq| entries(seq..=seq)).collect()
    }

    #[test]
    fn with_context_hidden_stretches_get_a_separator_row_that_fills_in_place() {
        let mut window = LogWindow::new(with_seqs(&[3, 4, 5, 9, 10]), false, false, true);
        assert_eq!(
            window.slots(),
            &[
                Slot::Hidden {
                    after: 0,
                    before: 3
                },
                Slot::Entry(0),
                Slot::Entry(1),
                Slot::Entry(2),
                Slot::Hidden {
                    after: 5,
                    before: 9
                },
                Slot::Entry(3),
                Slot::Entry(4),
            ]
        );
        assert_eq!(window.slot_of(9), Some(5));
        assert_eq!(window.entry_at_slot(4).map(|entry| entry.seq), Some(9));
        // Two of the three hidden lines read: one stays hidden.
        window.fill(with_seqs(&[6, 7]));
        assert_eq!(
            window.slots()[6],
            Slot::Hidden {
                after: 7,
                before: 9
            }
        );
        assert_eq!(window.len(), 7);
        window.fill(with_seqs(&[8]));
        assert_eq!(window.slots().len(), 9, "only the leading stretch is left");
        // Without context, no separators.
        let plain = LogWindow::new(with_seqs(&[3, 9]), false, false, false);
        assert_eq!(plain.slots(), &[Slot::Entry(0), Slot::Entry(1)]);
    }

    #[test]
    fn rows_added_or_dropped_in_front_are_counted_in_slots() {
        let mut window = LogWindow::new(with_seqs(&[20, 21, 30]), true, false, true);
        // A page before: 10 and 11, then a gap to 20 → 3 slots in front.
        assert_eq!(window.prepend(with_seqs(&[10, 11]), true), 3);
        let mut long = LogWindow::new(entries(1..=MAX_ROWS as u64), false, false, true);
        // Far-away live rows push the oldest out.
        assert_eq!(long.append(with_seqs(&[6_000, 6_001]), false), 2);
        assert_eq!(long.first_seq(), Some(3));
    }

    #[test]
    fn only_the_rows_near_the_viewport_are_rendered() {
        // The arithmetic with rows of 20px, whatever the panel's are.
        let row = 20;
        // 1,000,000 rows held would still render a screenful.
        let range = visible_rows(1_000_000, 20 * 500_000, 600, row);
        assert_eq!(range, 500_000 - OVERSCAN..500_000 + 31 + OVERSCAN);
        assert_eq!(visible_rows(10, 0, 600, row), 0..10);
        assert_eq!(visible_rows(0, 0, 600, row), 0..0);
        assert_eq!(visible_rows(100, -50, 0, row), 0..(1 + OVERSCAN));
        // Scrolled past the end (rows dropped since it was measured): the
        // last rows, as the browser shows them, not an empty view.
        let past_end = visible_rows(5_000, 20 * 9_000, 600, row);
        assert_eq!(past_end, 5_000 - 30 - OVERSCAN..5_000);
        assert_eq!(rows_height(3, row), 60);
        // Wrapped rows are taller: fewer fit.
        let wrapped = visible_rows(1_000, 60 * 100, 600, 3 * row);
        assert_eq!(wrapped, 100 - OVERSCAN..100 + 11 + OVERSCAN);
        assert_eq!(rows_height(3, 3 * row), 180);
        assert_eq!(row_height(true), 3 * ROW_HEIGHT);
    }
}
