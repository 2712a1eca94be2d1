//! Log entries, their levels, and the filter that selects them.
//!
//! One [`LogFilter`] drives history queries, live subscriptions, export and
//! the CLI, so its matching rules live here, next to the types, and every
//! part of Taskdeck applies them the same way.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::search::{SearchMatcher, SearchMode, SearchQuery};
use crate::styled::{StyleSpan, is_false};

/// How important an entry is; ordered from `Debug` (least) to `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// Detail for diagnosing a task.
    Debug,
    /// Normal progress.
    Info,
    /// Something unexpected that did not stop the task.
    Warning,
    /// A failure.
    Error,
}

impl LogLevel {
    /// Every level, from least to most severe.
    pub const ALL: [LogLevel; 4] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warning,
        LogLevel::Error,
    ];

    /// The wire name: `DEBUG`, `INFO`, `WARNING` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A level name that is not one of `debug`, `info`, `warning` (or `warn`),
/// `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level {0:?}: expected debug, info, warning or error")]
pub struct UnknownLevel(pub String);

impl FromStr for LogLevel {
    type Err = UnknownLevel;

    /// Case-insensitive; `warn` is accepted for `warning`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "debug" => Ok(LogLevel::Debug),
            "info" => Ok(LogLevel::Info),
            "warning" | "warn" => Ok(LogLevel::Warning),
            "error" => Ok(LogLevel::Error),
            _ => Err(UnknownLevel(text.to_owned())),
        }
    }
}

/// One structured log line of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogEntry {
    /// Row id in the store, global across tasks.
    pub id: i64,
    /// The task that wrote it (a UUID v7).
    pub task_id: String,
    /// 1-based, gap-free position in the task's log, assigned at emit time:
    /// the stable address of the line.
    pub seq: u64,
    /// When it was emitted (UTC, millisecond precision).
    pub timestamp: DateTime<Utc>,
    /// How important it is.
    pub level: LogLevel,
    /// The component that wrote it: `system`, a plugin id, or a dotted
    /// child such as `backup.archive`.
    pub source: String,
    /// The text (UTF-8, capped with a visible truncation marker).
    pub message: String,
    /// Structured fields, if any.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// How stretches of the message are drawn: the colours and links of a
    /// program's output (see [`crate::styled`]). Empty for plain text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub styles: Vec<StyleSpan>,
    /// Whether the entry is shown only as context around a match (see
    /// [`LogFilter::context_before`]): it does not match the filter itself.
    #[serde(default, skip_serializing_if = "is_false")]
    pub context: bool,
}

/// How many entries a task has at each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LevelCounts {
    /// `DEBUG` entries.
    pub debug: u64,
    /// `INFO` entries.
    pub info: u64,
    /// `WARNING` entries.
    pub warning: u64,
    /// `ERROR` entries.
    pub error: u64,
}

impl LevelCounts {
    /// The count for `level`.
    pub fn get(&self, level: LogLevel) -> u64 {
        match level {
            LogLevel::Debug => self.debug,
            LogLevel::Info => self.info,
            LogLevel::Warning => self.warning,
            LogLevel::Error => self.error,
        }
    }

    /// Adds `count` entries of `level`.
    pub fn add(&mut self, level: LogLevel, count: u64) {
        match level {
            LogLevel::Debug => self.debug += count,
            LogLevel::Info => self.info += count,
            LogLevel::Warning => self.warning += count,
            LogLevel::Error => self.error += count,
        }
    }

    /// Entries at any level.
    pub fn total(&self) -> u64 {
        self.debug + self.info + self.warning + self.error
    }
}

/// Which way a page of entries runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Oldest first (by `seq`).
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// The source of the entries Taskdeck itself writes (a task's start and
/// end, reports of dropped lines, the app's own log), and the plugin id of
/// the app's own tasks.
pub const SYSTEM: &str = "system";
/// The most entries one page may hold.
pub const MAX_PAGE_LIMIT: u32 = 10_000;
/// The page size when the filter names none.
pub const DEFAULT_PAGE_LIMIT: u32 = 500;
/// The longest search string accepted.
pub const MAX_SEARCH_LEN: usize = 1_000;
/// The most context lines shown before or after each match.
pub const MAX_CONTEXT: u32 = 50;

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

    /// Whether an entry at `seq` lies inside the cursor bounds.
    pub fn matches_seq(&self, seq: u64) -> bool {
        self.after_seq.is_none_or(|after| seq > after)
            && self.before_seq.is_none_or(|before| seq < before)
    }
}

/// One page of a task's entries and where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogPage {
    /// The entries, in the filter's order.
    pub entries: Vec<LogEntry>,
    /// When more entries match: the `seq` to pass as `after_seq`
    /// (ascending) or `before_seq` (descending) for the next page.
    pub next_cursor: Option<u64>,
}

/// How many entries of a task match a filter's level, source and search
/// conditions (its cursors, limit and order do not apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogCount {
    /// The matching entries, at most [`LogCount::MAX_SEARCH_COUNT`] for a
    /// search.
    pub matching: u64,
    /// Whether a search matched more than it counted (`matching` is then a
    /// lower bound, shown as "100,000+").
    pub capped: bool,
}

impl LogCount {
    /// A search stops counting here, so a common word in a huge log is
    /// counted as fast as a rare one.
    pub const MAX_SEARCH_COUNT: u64 = 100_000;
}

/// How many entries one source wrote, per level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SourceStats {
    /// The source.
    pub source: String,
    /// Its entries per level.
    pub counts: LevelCounts,
}

/// A summary of a task's log, computed without scanning it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogStats {
    /// The task.
    pub task_id: String,
    /// Entries at any level.
    pub total: u64,
    /// Entries per level.
    pub counts: LevelCounts,
    /// Entries per source and level, sources in name order.
    pub sources: Vec<SourceStats>,
    /// The earliest entry's time.
    pub first_timestamp: Option<DateTime<Utc>>,
    /// The latest entry's time.
    pub last_timestamp: Option<DateTime<Utc>>,
}

/// `source` is `parent` itself or one of its dotted children.
pub fn source_is_within(source: &str, parent: &str) -> bool {
    source
        .strip_prefix(parent)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// A source is one or more dot-separated, non-empty names without
/// whitespace or control characters. Names are otherwise free: sources
/// captured through `tracing` carry the target as given (`hyper::client`).
pub fn is_valid_source(source: &str) -> bool {
    source.split('.').all(|part| {
        !part.is_empty()
            && !part
                .chars()
                .any(|character| character.is_whitespace() || character.is_control())
    })
}

fn invalid(field: &'static str, reason: String) -> InvalidFilter {
    InvalidFilter { field, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_by_severity() {
        assert!(LogLevel::Debug < LogLevel::Info);
        assert!(LogLevel::Info < LogLevel::Warning);
        assert!(LogLevel::Warning < LogLevel::Error);
    }

    #[test]
    fn levels_parse_case_insensitively_and_round_trip_on_the_wire() {
        for level in LogLevel::ALL {
            assert_eq!(level.as_str().to_lowercase().parse::<LogLevel>(), Ok(level));
            let json = serde_json::to_value(level).unwrap();
            assert_eq!(json, serde_json::Value::String(level.as_str().into()));
        }
        assert_eq!("Warn".parse::<LogLevel>(), Ok(LogLevel::Warning));
        let error = "verbose".parse::<LogLevel>().unwrap_err();
        assert!(error.to_string().contains("\"verbose\""), "{error}");
    }

    #[test]
    fn a_parent_source_matches_its_dotted_children_only() {
        assert!(source_is_within("git", "git"));
        assert!(source_is_within("git.stderr", "git"));
        assert!(source_is_within("backup.archive.zstd", "backup.archive"));
        assert!(!source_is_within("github", "git"));
        assert!(!source_is_within("git", "git.stderr"));
    }

    #[test]
    fn sources_named_like_tracing_targets_are_valid() {
        for source in [
            "shell.stderr",
            "hyper::client",
            "my-plugin.ünïcode",
            "system",
        ] {
            assert!(is_valid_source(source), "{source}");
        }
        for source in ["", ".git", "git.", "git..x", "git stderr", "git\tx"] {
            assert!(!is_valid_source(source), "{source:?}");
        }
    }

    #[test]
    fn the_default_filter_matches_everything_and_is_valid() {
        let filter = LogFilter::default();
        assert_eq!(filter.validate(), Ok(()));
        assert!(
            LogLevel::ALL
                .into_iter()
                .all(|level| filter.matches_level(level))
        );
        assert!(filter.matches_source("anything.at.all"));
        assert!(filter.matches_seq(1));
        assert_eq!(filter.effective_limit(), DEFAULT_PAGE_LIMIT);
    }

    #[test]
    fn level_set_and_minimum_both_apply() {
        let filter = LogFilter {
            levels: vec![LogLevel::Debug, LogLevel::Error],
            min_level: Some(LogLevel::Info),
            ..LogFilter::default()
        };
        assert!(!filter.matches_level(LogLevel::Debug));
        assert!(!filter.matches_level(LogLevel::Warning));
        assert!(filter.matches_level(LogLevel::Error));
    }

    #[test]
    fn cursor_bounds_are_exclusive() {
        let filter = LogFilter {
            after_seq: Some(10),
            before_seq: Some(13),
            ..LogFilter::default()
        };
        assert_eq!(filter.validate(), Ok(()));
        assert!(!filter.matches_seq(10));
        assert!(filter.matches_seq(11));
        assert!(filter.matches_seq(12));
        assert!(!filter.matches_seq(13));
    }

    #[test]
    fn invalid_filters_name_the_field() {
        let cases = [
            (
                LogFilter {
                    limit: Some(0),
                    ..LogFilter::default()
                },
                "limit",
            ),
            (
                LogFilter {
                    limit: Some(MAX_PAGE_LIMIT + 1),
                    ..LogFilter::default()
                },
                "limit",
            ),
            (
                LogFilter {
                    after_seq: Some(5),
                    before_seq: Some(6),
                    ..LogFilter::default()
                },
                "before_seq",
            ),
            (
                LogFilter {
                    sources: vec!["git..x".into()],
                    ..LogFilter::default()
                },
                "sources",
            ),
            (
                LogFilter {
                    sources: vec![String::new()],
                    ..LogFilter::default()
                },
                "sources",
            ),
            (
                LogFilter {
                    context_after: MAX_CONTEXT + 1,
                    ..LogFilter::default()
                },
                "context_after",
            ),
            (
                LogFilter {
                    search: Some("   ".into()),
                    ..LogFilter::default()
                },
                "search",
            ),
            (
                LogFilter {
                    search: Some("x".repeat(MAX_SEARCH_LEN + 1)),
                    ..LogFilter::default()
                },
                "search",
            ),
        ];
        for (filter, field) in cases {
            let error = filter.validate().unwrap_err();
            assert_eq!(error.field, field, "{filter:?}");
            assert!(error.to_string().starts_with("invalid filter: "), "{error}");
        }
    }

    #[test]
    fn a_filter_deserialises_from_partial_json() {
        let filter: LogFilter =
            serde_json::from_str(r#"{ "levels": ["WARNING"], "sources": ["shell.stderr"] }"#)
                .unwrap();
        assert_eq!(filter.levels, vec![LogLevel::Warning]);
        assert_eq!(filter.order, Order::Ascending);
        assert_eq!(filter.limit, None);
    }

    #[test]
    fn an_entry_round_trips_through_json_with_millisecond_time() {
        let timestamp = DateTime::parse_from_rfc3339("2026-11-25T10:11:12.345Z")
            .unwrap()
            .with_timezone(&Utc);
        let entry = LogEntry {
            id: 7,
            task_id: "0193a1b2-0000-7000-8000-000000000001".into(),
            seq: 3,
            timestamp,
            level: LogLevel::Warning,
            source: "shell.stderr".into(),
            message: "disk almost full".into(),
            metadata: serde_json::json!({ "free_mb": 12 }).as_object().cloned(),
            styles: Vec::new(),
            context: false,
        };
        let text = serde_json::to_string(&entry).unwrap();
        assert!(
            text.contains(r#""timestamp":"2026-11-25T10:11:12.345Z""#),
            "{text}"
        );
        assert!(text.contains(r#""level":"WARNING""#), "{text}");
        assert!(
            !text.contains("styles") && !text.contains("context"),
            "{text}"
        );
        let back: LogEntry = serde_json::from_str(&text).unwrap();
        assert_eq!(back, entry);
    }
}
