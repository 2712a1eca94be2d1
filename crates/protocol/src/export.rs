//! Exporting a task's log to a file: the formats, the header line of a
//! JSON Lines export, and what an export reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::log::LogFilter;
use crate::task::TaskSummary;

/// The file formats a log exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One JSON object per line: a [`ExportHeader`] line, then each entry
    /// in the protocol's serialisation (`.jsonl`). Taskdeck imports it.
    JsonLines,
    /// RFC 4180 CSV with a header row, metadata as a JSON string column,
    /// UTF-8 (`.csv`).
    Csv,
    /// `<RFC 3339 time> <LEVEL> [<source>] <message>`, metadata appended
    /// when present, one entry per line (`.log`). Plain text.
    Text,
    /// [`ExportFormat::Text`] with the colours of programs' output as
    /// terminal escape sequences, for `less -R` or `cat` on a terminal.
    TextWithColours,
}

impl ExportFormat {
    /// Every format, in the order menus show them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::JsonLines,
        ExportFormat::Csv,
        ExportFormat::Text,
        ExportFormat::TextWithColours,
    ];

    /// Whether this is one of the text formats (one task per file).
    pub fn is_text(self) -> bool {
        matches!(self, ExportFormat::Text | ExportFormat::TextWithColours)
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Text | ExportFormat::TextWithColours => "log",
        }
    }

    /// The name the CLI and the settings use (`jsonl`, `csv`, `txt`,
    /// `txt-colour`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Text => "txt",
            ExportFormat::TextWithColours => "txt-colour",
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A format name that is not one of `jsonl`, `csv`, `txt`, `txt-colour`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format {0:?} (expected jsonl, csv, txt or txt-colour)")]
pub struct UnknownFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json_lines" | "ndjson" => Ok(ExportFormat::JsonLines),
            "csv" => Ok(ExportFormat::Csv),
            "txt" | "text" | "log" => Ok(ExportFormat::Text),
            "txt-colour" | "txt-color" | "ansi" => Ok(ExportFormat::TextWithColours),
            _ => Err(UnknownFormat(text.to_owned())),
        }
    }
}

/// The first line of a JSON Lines export: which task the entries that
/// follow belong to, and which filter chose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportHeader {
    /// Always [`ExportHeader::KIND`]: how an importer tells an export from
    /// any other JSON Lines file.
    pub taskdeck_export: String,
    /// The version of this layout ([`ExportHeader::VERSION`]).
    pub version: u32,
    /// The task as it was when exported.
    pub task: TaskSummary,
    /// The filter the entries were chosen with (none: all of them).
    pub filter: Option<LogFilter>,
}

impl ExportHeader {
    /// The value of `taskdeck_export`.
    pub const KIND: &'static str = "task-log";
    /// The current layout version.
    pub const VERSION: u32 = 1;
}

/// What a finished export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportReport {
    /// The file written (absent when written to standard output).
    pub path: Option<String>,
    /// How many entries it holds.
    pub entries: u64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What an import brought into the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    /// The imported tasks' ids (as they were exported).
    pub task_ids: Vec<String>,
    /// How many entries they hold together.
    pub entries: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_from_their_names_and_refuse_others() {
        for format in ExportFormat::ALL {
            assert_eq!(format.as_str().parse::<ExportFormat>(), Ok(format));
        }
        assert_eq!("JSONL".parse::<ExportFormat>(), Ok(ExportFormat::JsonLines));
        assert_eq!(
            "xml".parse::<ExportFormat>().unwrap_err().to_string(),
            "unknown export format \"xml\" (expected jsonl, csv, txt or txt-colour)"
        );
    }
}
