//! Log entries, their levels, and the filter that selects them.
//!
//! One [`LogFilter`] (in `filter.rs`) drives history queries, live
//! subscriptions, export and the CLI, so its matching rules live next to
//! the types, and every part of Taskdeck applies them the same way.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::styled::{StyleSpan, is_false};

mod filter;
mod section;
mod timeline;

pub use filter::{InvalidFilter, LogFilter};
pub use section::{Folding, LogSection, SectionStatus, hidden_by, path_of};
pub use timeline::{LogTimeline, MAX_TIMELINE_BUCKETS};

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
    /// The sections it lies in, outermost first (see [`LogSection`]);
    /// empty outside every section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<u32>,
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
            sections: Vec::new(),
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
