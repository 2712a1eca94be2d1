//! A log entry as the engine holds it between emit and storage, and the
//! encodings shared by the writer and the readers.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use taskdeck_protocol::{LogEntry, LogLevel, StyleSpan};

/// The two identities of a task: the integer key the log tables use and
/// the public UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskIdentity {
    /// `tasks.key` (the rowid).
    pub key: i64,
    /// `tasks.id` (UUID v7).
    pub id: String,
}

/// The largest `seq` a task can reach: ids are `key << 32 | seq`.
pub const MAX_SEQ: u64 = u32::MAX as u64;

/// The row id of entry `seq` of the task with `key` (also used with
/// `seq = MAX_SEQ + 1` as the exclusive upper bound of the task's range).
pub fn entry_id(key: i64, seq: u64) -> i64 {
    (key << 32) + (seq as i64)
}

/// One entry, emitted but perhaps not yet stored.
///
/// Cost model: the task identity and the source are shared (`Arc`), so an
/// emit allocates only its message (and metadata, when given).
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    /// The task it belongs to.
    pub task: Arc<TaskIdentity>,
    /// Its position in the task's log.
    pub seq: u64,
    /// Emit time, ms since the Unix epoch.
    pub timestamp_ms: i64,
    /// Its level.
    pub level: LogLevel,
    /// The component that wrote it.
    pub source: Arc<str>,
    /// The text as a user reads it (escape sequences parsed), capped.
    pub message: String,
    /// How stretches of the text are drawn (empty for plain text).
    pub styles: Vec<StyleSpan>,
    /// Structured fields.
    pub metadata: Option<Map<String, Value>>,
    /// Where it stands among its task's sections.
    pub section: SectionMark,
}

/// Where an entry stands among its task's sections (see
/// [`taskdeck_protocol::LogSection`]).
///
/// Cost model: entries outside every section carry nothing; those inside
/// share one path while no section opens or closes, and only the rare
/// entry that opens a section, or follows a close, carries a change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionMark {
    /// The sections open when it was emitted, outermost first.
    pub path: Option<Arc<[u32]>>,
    /// What changed just before or with it.
    pub change: Option<Box<SectionChange>>,
}

/// Sections that opened with an entry or closed just before it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionChange {
    /// The entry is the header line of the innermost section of its path,
    /// which opens with it (its message is the section's title).
    pub opens: bool,
    /// Sections that closed since the previous entry: (id, when, in ms
    /// since the epoch).
    pub closes: Vec<(u32, i64)>,
}

impl SectionMark {
    /// The sections of the path, outermost first.
    pub fn ids(&self) -> &[u32] {
        self.path.as_deref().unwrap_or_default()
    }

    /// Whether the entry opens the innermost section of its path.
    pub fn opens(&self) -> bool {
        self.change.as_ref().is_some_and(|change| change.opens)
    }

    /// The sections that closed just before the entry.
    pub fn closes(&self) -> &[(u32, i64)] {
        self.change
            .as_ref()
            .map(|change| change.closes.as_slice())
            .unwrap_or_default()
    }
}

impl LogRecord {
    /// An entry of Taskdeck's own (`system` source), written now at `seq`
    /// straight to the store: how a task of a dead process ended, what a
    /// cleanup removed.
    pub fn system(
        task: Arc<TaskIdentity>,
        seq: u64,
        level: LogLevel,
        message: String,
        metadata: Option<Map<String, Value>>,
    ) -> Self {
        Self {
            task,
            seq,
            timestamp_ms: now_millis(),
            level,
            source: Arc::from(taskdeck_protocol::log::SYSTEM),
            message,
            styles: Vec::new(),
            metadata,
            section: SectionMark::default(),
        }
    }

    /// Its row id.
    pub fn id(&self) -> i64 {
        entry_id(self.task.key, self.seq)
    }

    /// The wire form.
    pub fn to_entry(&self) -> LogEntry {
        LogEntry {
            id: self.id(),
            task_id: self.task.id.clone(),
            seq: self.seq,
            timestamp: millis_to_time(self.timestamp_ms),
            level: self.level,
            source: self.source.to_string(),
            message: self.message.clone(),
            metadata: self.metadata.clone(),
            styles: self.styles.clone(),
            context: false,
            sections: self.section.ids().to_vec(),
        }
    }
}

/// The stored form of a level: 0 (`DEBUG`) to 3 (`ERROR`), so that a
/// minimum level is a range.
pub fn level_code(level: LogLevel) -> i32 {
    match level {
        LogLevel::Debug => 0,
        LogLevel::Info => 1,
        LogLevel::Warning => 2,
        LogLevel::Error => 3,
    }
}

/// The level stored as `code`; anything out of range reads as `ERROR` so a
/// damaged row is never hidden.
pub fn level_from_code(code: i32) -> LogLevel {
    match code {
        0 => LogLevel::Debug,
        1 => LogLevel::Info,
        2 => LogLevel::Warning,
        _ => LogLevel::Error,
    }
}

/// Milliseconds since the epoch as a UTC time (the epoch itself if out of
/// chrono's range).
pub fn millis_to_time(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// Now, in milliseconds since the epoch.
pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}
