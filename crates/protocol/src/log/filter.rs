//! [`LogFilter`]: which entries of a task to select — levels, sources,
//! search, time range, section, folding, context, cursors, order and page size — its
//! validation, and the rules that decide whether an entry matches it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    DEFAULT_PAGE_LIMIT, Folding, LogLevel, MAX_CONTEXT, MAX_PAGE_LIMIT, MAX_SEARCH_LEN, Order,
    is_valid_source, source_is_within,
};
use crate::search::{SearchMatcher, SearchMode, SearchQuery};

/// Which entries of a task to select. Every field is optional: the default
/// filter selects everything, oldest first, [`DEFAULT_PAGE_LIMIT`] at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LogFilter {
    /// Only these levels (empty: any level).
    pub levels: Vec<LogLevel>,
    /// Only this level and more severe ones.
    pub min_level: Option<LogLevel>,
    /// Only these sources; a parent matches its dotted children (`git`
    /// matches `git.stderr`). Empty: any source.
    pub sources: Vec<String>,
    /// Search over messages, read as [`Self::search_mode`] says (see
    /// [`crate::search`]).
    pub search: Option<String>,
    /// How the search is read: a literal substring (the default), an
    /// expression with operators, or a regular expression.
    pub search_mode: SearchMode,
    /// Whether the search tells upper and lower case apart.
    pub case_sensitive: bool,
    /// Only entries emitted at or after this moment.
    pub since: Option<DateTime<Utc>>,
    /// Only entries emitted before this moment.
    pub until: Option<DateTime<Utc>>,
    /// Only the entries of this section (by [`super::LogSection::id`]),
    /// those of the sections inside it included.
    pub section: Option<u32>,
    /// Sections that show only their header line: their other lines are
    /// not in the pages (counts still count them). See [`Folding`].
    pub folding: Option<Folding>,
    /// Only entries with a greater `seq` (keyset cursor).
    pub after_seq: Option<u64>,
    /// Only entries with a smaller `seq` (keyset cursor).
    pub before_seq: Option<u64>,
    /// At most this many entries (1..=[`MAX_PAGE_LIMIT`]).
    pub limit: Option<u32>,
    /// Oldest or newest first.
    pub order: Order,
    /// With a level, source or search condition: this many entries before
    /// each match are shown too, as context (0..=[`MAX_CONTEXT`]), as
    /// `grep -B` does. Context entries carry [`LogEntry::context`].
    pub context_before: u32,
    /// The same after each match (`grep -A`).
    pub context_after: u32,
}

/// Why a [`LogFilter`] was refused: the field and the reason, for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter: {field} {reason}")]
pub struct InvalidFilter {
    /// The offending field, as named on the wire.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl LogFilter {
    /// Checks every field; the first problem found is reported.
    pub fn validate(&self) -> Result<(), InvalidFilter> {
        if let Some(limit) = self.limit
            && !(1..=MAX_PAGE_LIMIT).contains(&limit)
        {
            return Err(invalid(
                "limit",
                format!("must be between 1 and {MAX_PAGE_LIMIT}, not {limit}"),
            ));
        }
        if let (Some(after), Some(before)) = (self.after_seq, self.before_seq)
            && after.saturating_add(1) >= before
        {
            return Err(invalid(
                "before_seq",
                format!("({before}) leaves no entries after after_seq ({after})"),
            ));
        }
        if let (Some(since), Some(until)) = (self.since, self.until)
            && since >= until
        {
            return Err(invalid(
                "until",
                format!("({until}) is not after since ({since}): the range holds no moment"),
            ));
        }
        if let Some(folding) = &self.folding {
            if folding.named().contains(&0) {
                return Err(invalid(
                    "folding",
                    "names section 0: sections are numbered from 1".into(),
                ));
            }
            if folding.named().len() > MAX_FOLDED {
                return Err(invalid(
                    "folding",
                    format!(
                        "names {} sections; at most {MAX_FOLDED} are accepted",
                        folding.named().len()
                    ),
                ));
            }
        }
        if self.section == Some(0) {
            return Err(invalid(
                "section",
                "is 0: sections are numbered from 1".into(),
            ));
        }
        for (field, lines) in [
            ("context_before", self.context_before),
            ("context_after", self.context_after),
        ] {
            if lines > MAX_CONTEXT {
                return Err(invalid(
                    field,
                    format!("must be between 0 and {MAX_CONTEXT} lines, not {lines}"),
                ));
            }
        }
        if let Some(source) = self.sources.iter().find(|source| !is_valid_source(source)) {
            return Err(invalid(
                "sources",
                format!(
                    "contains {source:?}: a source is one or more non-empty, \
                     dot-separated names without spaces or control characters"
                ),
            ));
        }
        if let Some(search) = &self.search {
            if search.trim().is_empty() {
                return Err(invalid(
                    "search",
                    "is blank: leave it out to match everything".into(),
                ));
            }
            if search.len() > MAX_SEARCH_LEN {
                return Err(invalid(
                    "search",
                    format!(
                        "is {} bytes long; at most {MAX_SEARCH_LEN} are accepted",
                        search.len()
                    ),
                ));
            }
            self.search_matcher()?;
        }
        Ok(())
    }

    /// The search as a query, if the filter has one.
    pub fn search_query(&self) -> Option<SearchQuery> {
        self.search.as_ref().map(|text| SearchQuery {
            text: text.clone(),
            mode: self.search_mode,
            case_sensitive: self.case_sensitive,
        })
    }

    /// The compiled search, if the filter has one; a search that cannot
    /// run is refused with what is wrong and where.
    pub fn search_matcher(&self) -> Result<Option<SearchMatcher>, InvalidFilter> {
        let Some(query) = self.search_query() else {
            return Ok(None);
        };
        query.compile().map(Some).map_err(|error| {
            let kind = match query.mode {
                SearchMode::Text => "search",
                SearchMode::Operators => "search with operators",
                SearchMode::Regex => "regular expression",
            };
            invalid(
                "search",
                format!("{:?} is not a valid {kind}: {error}", query.text),
            )
        })
    }

    /// The page size this filter asks for.
    pub fn effective_limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_PAGE_LIMIT)
    }

    /// Whether an entry of `level` passes the level conditions.
    pub fn matches_level(&self, level: LogLevel) -> bool {
        let in_set = self.levels.is_empty() || self.levels.contains(&level);
        let severe_enough = self.min_level.is_none_or(|minimum| level >= minimum);
        in_set && severe_enough
    }

    /// Whether an entry from `source` passes the source condition: equal to
    /// a listed source, or a dotted child of one.
    pub fn matches_source(&self, source: &str) -> bool {
        self.sources.is_empty()
            || self
                .sources
                .iter()
                .any(|wanted| source_is_within(source, wanted))
    }

    /// Whether the filter selects some entries and not others (a level,
    /// source or search condition): only then does context mean anything.
    pub fn is_selective(&self) -> bool {
        !self.levels.is_empty()
            || self.min_level.is_some()
            || !self.sources.is_empty()
            || self.search.is_some()
    }

    /// Whether context lines are asked for around the matches.
    pub fn wants_context(&self) -> bool {
        self.is_selective() && (self.context_before > 0 || self.context_after > 0)
    }

    /// Whether an entry emitted at `timestamp` lies inside the time range
    /// (`since` inclusive, `until` exclusive).
    pub fn matches_time(&self, timestamp: DateTime<Utc>) -> bool {
        self.since.is_none_or(|since| timestamp >= since)
            && self.until.is_none_or(|until| timestamp < until)
    }

    /// Whether the filter has a time range.
    pub fn has_time_range(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether its matches can be counted from the per-source aggregates
    /// alone: no search, no time range and no section, which need entries.
    pub fn counts_from_aggregates(&self) -> bool {
        self.search.is_none() && !self.has_time_range() && self.section.is_none()
    }

    /// Whether an entry at `seq` lies inside the cursor bounds.
    pub fn matches_seq(&self, seq: u64) -> bool {
        self.after_seq.is_none_or(|after| seq > after)
            && self.before_seq.is_none_or(|before| seq < before)
    }
}

/// The most sections a [`Folding`] may name (fold "all but" a few
/// instead of naming every one).
pub const MAX_FOLDED: usize = 10_000;

fn invalid(field: &'static str, reason: String) -> InvalidFilter {
    InvalidFilter { field, reason }
}
