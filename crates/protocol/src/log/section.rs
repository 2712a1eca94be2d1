//! [`LogSection`]: a titled stretch of a task's log — a backup's scan or
//! archive step, a migration's file, a `::group::` of a script — with its
//! time, its entries per level and how it went. Sections nest; a section
//! holds every entry from its header line to its end, those of the
//! sections inside it included, so it is one range of `seq`. A
//! [`Folding`] says which sections show only their header line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::LevelCounts;

/// How a section went, from its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SectionStatus {
    /// Still open: its task is running it.
    Running,
    /// Ended without warnings or errors.
    Ok,
    /// Ended with warnings and no errors.
    Warnings,
    /// Holds at least one error.
    Errors,
}

impl SectionStatus {
    /// The status of a section with `counts`, open or not. An error shows
    /// at once, even while the section runs.
    pub fn of(counts: &LevelCounts, open: bool) -> Self {
        if counts.error > 0 {
            SectionStatus::Errors
        } else if open {
            SectionStatus::Running
        } else if counts.warning > 0 {
            SectionStatus::Warnings
        } else {
            SectionStatus::Ok
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionStatus::Running => "running",
            SectionStatus::Ok => "ok",
            SectionStatus::Warnings => "warnings",
            SectionStatus::Errors => "errors",
        }
    }
}

/// One section of a task's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogSection {
    /// 1-based, in the order the sections opened.
    pub id: u32,
    /// The section it is inside, if any.
    pub parent: Option<u32>,
    /// What it is (the message of its header line).
    pub title: String,
    /// The `seq` of its header line, its first entry.
    pub start_seq: u64,
    /// The `seq` of its last entry so far.
    pub end_seq: u64,
    /// When it opened.
    pub started_at: DateTime<Utc>,
    /// When it closed; `None` while it is open, or when its task ended
    /// without closing it (a crash).
    pub ended_at: Option<DateTime<Utc>>,
    /// Its entries per level, nested sections' included.
    pub counts: LevelCounts,
    /// How it went.
    pub status: SectionStatus,
}

impl LogSection {
    /// How long it ran, in milliseconds, once it has ended.
    pub fn duration_ms(&self) -> Option<i64> {
        self.ended_at
            .map(|ended| (ended - self.started_at).num_milliseconds().max(0))
    }

    /// Whether the entry at `seq` lies inside it (nested sections count).
    pub fn contains(&self, seq: u64) -> bool {
        (self.start_seq..=self.end_seq).contains(&seq)
    }
}

/// Which sections are folded: a folded section shows its header line and
/// hides the rest of its lines, those of the sections inside it included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "fold", content = "sections")]
pub enum Folding {
    /// These sections are folded; every other is open.
    These(Vec<u32>),
    /// Every section is folded but these (sections that open later are
    /// folded too).
    AllBut(Vec<u32>),
}

impl Folding {
    /// Whether section `id` is folded.
    pub fn folds(&self, id: u32) -> bool {
        match self {
            Folding::These(folded) => folded.contains(&id),
            Folding::AllBut(open) => !open.contains(&id),
        }
    }

    /// The sections it names.
    pub fn named(&self) -> &[u32] {
        match self {
            Folding::These(ids) | Folding::AllBut(ids) => ids,
        }
    }
}

/// The stretches of `seq` that `folding` hides among `sections` (sorted
/// by id, so by start): for each outermost folded section, from the line
/// after its header to its last; in order, never overlapping.
pub fn hidden_by(sections: &[LogSection], folding: &Folding) -> Vec<(u64, u64)> {
    let mut hidden: Vec<(u64, u64)> = Vec::new();
    for section in sections {
        let inside_hidden = hidden
            .last()
            .is_some_and(|&(_, last)| section.start_seq <= last);
        if !inside_hidden && section.end_seq > section.start_seq && folding.folds(section.id) {
            hidden.push((section.start_seq + 1, section.end_seq));
        }
    }
    hidden
}

/// The sections that hold the entry at `seq`, outermost first, of
/// `sections` sorted by id (so by start): a chain, since sections nest.
pub fn path_of(sections: &[LogSection], seq: u64) -> Vec<u32> {
    sections
        .iter()
        .take_while(|section| section.start_seq <= seq)
        .filter(|section| section.contains(seq))
        .map(|section| section.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: u32, parent: Option<u32>, start_seq: u64, end_seq: u64) -> LogSection {
        LogSection {
            id,
            parent,
            title: format!("section {id}"),
            start_seq,
            end_seq,
            started_at: DateTime::UNIX_EPOCH,
            ended_at: None,
            counts: LevelCounts::default(),
            status: SectionStatus::Running,
        }
    }

    #[test]
    fn an_entry_lies_in_the_chain_of_sections_around_it() {
        // 1 [2..=10] holds 2 [3..=5] and 3 [7..=9]; 4 [12..=12] stands alone.
        let sections = [
            section(1, None, 2, 10),
            section(2, Some(1), 3, 5),
            section(3, Some(1), 7, 9),
            section(4, None, 12, 12),
        ];
        assert_eq!(path_of(&sections, 1), Vec::<u32>::new());
        assert_eq!(path_of(&sections, 2), [1]);
        assert_eq!(path_of(&sections, 4), [1, 2]);
        assert_eq!(path_of(&sections, 6), [1]);
        assert_eq!(path_of(&sections, 9), [1, 3]);
        assert_eq!(path_of(&sections, 11), Vec::<u32>::new());
        assert_eq!(path_of(&sections, 12), [4]);
    }

    #[test]
    fn folding_hides_what_lies_after_the_headers_of_the_outermost_folded_sections() {
        // 1 [2..=10] holds 2 [3..=5] and 3 [7..=9]; 4 [12..=14]; 5 [16..=16].
        let sections = [
            section(1, None, 2, 10),
            section(2, Some(1), 3, 5),
            section(3, Some(1), 7, 9),
            section(4, None, 12, 14),
            section(5, None, 16, 16),
        ];
        assert_eq!(hidden_by(&sections, &Folding::These(vec![])), []);
        assert_eq!(
            hidden_by(&sections, &Folding::These(vec![2, 4])),
            [(4, 5), (13, 14)]
        );
        // A section inside a folded one is hidden with it.
        assert_eq!(hidden_by(&sections, &Folding::These(vec![1, 3])), [(3, 10)]);
        // All folded: the top-level sections' lines; a header alone hides nothing.
        assert_eq!(
            hidden_by(&sections, &Folding::AllBut(vec![])),
            [(3, 10), (13, 14)]
        );
        // All but 1: its children fold inside it.
        assert_eq!(
            hidden_by(&sections, &Folding::AllBut(vec![1])),
            [(4, 5), (8, 9), (13, 14)]
        );
    }

    #[test]
    fn status_follows_the_worst_level_and_whether_it_is_open() {
        let mut counts = LevelCounts::default();
        assert_eq!(SectionStatus::of(&counts, true), SectionStatus::Running);
        assert_eq!(SectionStatus::of(&counts, false), SectionStatus::Ok);
        counts.warning = 1;
        assert_eq!(SectionStatus::of(&counts, true), SectionStatus::Running);
        assert_eq!(SectionStatus::of(&counts, false), SectionStatus::Warnings);
        counts.error = 1;
        assert_eq!(SectionStatus::of(&counts, true), SectionStatus::Errors);
        assert_eq!(SectionStatus::of(&counts, false), SectionStatus::Errors);
    }

    #[test]
    fn duration_is_known_once_it_ended() {
        let mut open = section(1, None, 1, 1);
        assert_eq!(open.duration_ms(), None);
        open.ended_at = Some(DateTime::UNIX_EPOCH + chrono::TimeDelta::milliseconds(1500));
        assert_eq!(open.duration_ms(), Some(1500));
    }
}
