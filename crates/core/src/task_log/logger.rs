//! [`TaskLogger`]: the handle a task writes its log through.

use std::sync::Arc;

use serde_json::{Map, Value};
use taskdeck_protocol::LogLevel;

use super::buffer::TaskLog;
use super::entry_text::{KEPT_LINE_BYTES, push_truncation_marker, sanitise_source};
use super::section::Section;
use crate::ansi::{self, OutputParser};

/// A cheap, cloneable handle bound to one task and one source.
///
/// Emitting appends to the manager's in-memory buffer and returns at once;
/// the flusher writes the entry to the store shortly after. Each entry gets
/// its `seq` and timestamp at the moment of the call.
///
/// ```no_run
/// # fn example(logger: &taskdeck_core::TaskLogger) {
/// let archive = logger.child("archive");           // source `backup.archive`
/// archive.info("packing 3 files");
/// archive
///     .with_metadata(serde_json::json!({ "bytes": 1024 }))
///     .warning("file changed while reading");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TaskLogger {
    log: Arc<TaskLog>,
    source: Arc<str>,
    metadata: Option<Arc<Map<String, Value>>>,
}

impl TaskLogger {
    /// A logger for `log` writing as `source`.
    pub(crate) fn new(log: Arc<TaskLog>, source: &str) -> Self {
        Self {
            log,
            source: Arc::from(sanitise_source(source)),
            metadata: None,
        }
    }

    /// The id of the task this logger writes to.
    pub fn task_id(&self) -> &str {
        &self.log.identity().id
    }

    /// The source its entries carry.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A logger for the same task writing as `source` instead.
    pub(crate) fn with_source(&self, source: &str) -> TaskLogger {
        TaskLogger {
            log: Arc::clone(&self.log),
            source: Arc::from(sanitise_source(source)),
            metadata: None,
        }
    }

    /// A logger for a component of this one: `backup` → `backup.archive`.
    /// Blanks and control characters in `name` become `_`.
    pub fn child(&self, name: &str) -> TaskLogger {
        let mut child = self.with_source(&format!("{}.{name}", self.source));
        child.metadata = self.metadata.clone();
        child
    }

    /// A logger that attaches `metadata` to every entry it writes. A JSON
    /// object is used as is, `null` removes metadata, and any other value is
    /// stored as `{ "value": … }`.
    pub fn with_metadata(&self, metadata: Value) -> TaskLogger {
        let metadata = match metadata {
            Value::Null => None,
            Value::Object(map) => Some(Arc::new(map)),
            other => Some(Arc::new(Map::from_iter([("value".to_owned(), other)]))),
        };
        TaskLogger {
            log: Arc::clone(&self.log),
            source: Arc::clone(&self.source),
            metadata,
        }
    }

    /// Returns once the log buffer has room: at once, unless the database
    /// has fallen behind or cannot be written (disk full, locked). A
    /// producer that can wait calls it before each entry, so that it slows
    /// down instead of filling the buffer (whose overflow is lost, and
    /// reported as lost).
    pub async fn wait_for_room(&self) {
        self.log.wait_for_room().await;
    }

    /// Whether [`TaskLogger::wait_for_room`] would return at once.
    pub fn has_room(&self) -> bool {
        self.log.has_room()
    }

    /// Writes an entry at `level` and returns its `seq` (`None` when it was
    /// not kept: the log buffer is full — the loss is counted and reported
    /// in the log — or the task has used up every `seq`).
    pub fn log(&self, level: LogLevel, message: impl Into<String>) -> Option<u64> {
        self.log.push(
            level,
            &self.source,
            message.into(),
            self.metadata.as_deref().cloned(),
        )
    }

    /// Writes an entry with `metadata` of its own (merged over the logger's).
    pub fn log_with(
        &self,
        level: LogLevel,
        message: impl Into<String>,
        metadata: Map<String, Value>,
    ) -> Option<u64> {
        let merged = match self.metadata.as_deref() {
            Some(base) => {
                let mut merged = base.clone();
                merged.extend(metadata);
                merged
            }
            None => metadata,
        };
        let metadata = (!merged.is_empty()).then_some(merged);
        self.log.push(level, &self.source, message.into(), metadata)
    }

    /// Writes one line of a program's output (without its line ending) at
    /// `level`: masked, then parsed by the stream's `terminal` (colours
    /// carry from line to line). `cut_from` is the line's whole length when
    /// only its start was read; the text then ends with a marker saying so.
    pub fn log_output(
        &self,
        level: LogLevel,
        terminal: &mut OutputParser,
        line: String,
        cut_from: Option<usize>,
    ) -> Option<u64> {
        let mut styled = self.log.parse_masked(line, |line| terminal.line(line));
        if let Some(original) = cut_from {
            ansi::truncate(&mut styled, KEPT_LINE_BYTES);
            push_truncation_marker(&mut styled.text, original);
        }
        self.log.push_styled(
            level,
            &self.source,
            styled,
            self.metadata.as_deref().cloned(),
        )
    }

    /// Opens a section titled `title` (its header line, an `INFO` entry
    /// from this logger's source), inside the sections open now. It stays
    /// open until the returned [`Section`] is dropped.
    pub fn section(&self, title: impl Into<String>) -> Section {
        let id = self.log.open_section(
            LogLevel::Info,
            &self.source,
            title.into(),
            self.metadata.as_deref().cloned(),
        );
        Section::new(Arc::clone(&self.log), id)
    }

    /// Writes a `DEBUG` entry.
    pub fn debug(&self, message: impl Into<String>) -> Option<u64> {
        self.log(LogLevel::Debug, message)
    }

    /// Writes an `INFO` entry.
    pub fn info(&self, message: impl Into<String>) -> Option<u64> {
        self.log(LogLevel::Info, message)
    }

    /// Writes a `WARNING` entry.
    pub fn warning(&self, message: impl Into<String>) -> Option<u64> {
        self.log(LogLevel::Warning, message)
    }

    /// Writes an `ERROR` entry.
    pub fn error(&self, message: impl Into<String>) -> Option<u64> {
        self.log(LogLevel::Error, message)
    }
}
