//! Realistic, deterministic log rows for the benchmarks: 60 % INFO, 30 %
//! DEBUG, 8 % WARNING, 2 % ERROR; eight sources, half of them dotted
//! children; messages of five shapes (HTTP lines, file copies, retries,
//! cache misses, job summaries) with metadata on one entry in ten; a rare
//! word once in 100,000 entries and a common word in about one in five.
//! [`coloured_rows`] is a build's output instead: cargo- and npm-like lines,
//! most of them with colour escape sequences, some redrawn with `\r`.

use serde_json::{Map, Value, json};
use taskdeck_protocol::LogLevel;

/// One logger per entry of [`SOURCES`], children of `logger`
/// (`db.pool` → `logger.child("db").child("pool")`).
pub fn source_loggers(logger: &taskdeck_core::TaskLogger) -> Vec<taskdeck_core::TaskLogger> {
    SOURCES
        .iter()
        .map(|source| {
            source
                .split('.')
                .fold(logger.clone(), |logger, part| logger.child(part))
        })
        .collect()
}

/// Emits `row` from its logger among `loggers` (see [`source_loggers`]).
/// A producer faster than the disk waits while the buffer is half full
/// (as program output does) rather than lose entries.
pub async fn emit(loggers: &[taskdeck_core::TaskLogger], row: Row) {
    let logger = &loggers[row.source];
    if !logger.has_room() {
        logger.wait_for_room().await;
    }
    match row.metadata {
        Some(metadata) => logger.log_with(row.level, row.message, metadata),
        None => logger.log(row.level, row.message),
    };
}

/// The sources, relative to the task's plugin.
pub const SOURCES: [&str; 8] = [
    "http",
    "http.client",
    "db",
    "db.pool",
    "cache",
    "worker",
    "worker.queue",
    "scheduler",
];
/// A word found once in 100,000 entries.
pub const RARE_WORD: &str = "kraken";
/// A word found in about one entry in five.
pub const COMMON_WORD: &str = "request";

/// One generated entry.
pub struct Row {
    /// Its level.
    pub level: LogLevel,
    /// Index into [`SOURCES`].
    pub source: usize,
    /// Its message.
    pub message: String,
    /// Metadata on one entry in ten.
    pub metadata: Option<Map<String, Value>>,
}

/// Deterministic, realistic rows: INFO-heavy, 2 % errors, eight sources,
/// metadata on one in ten, the rare word in 1 of 100,000.
pub fn rows(count: u64) -> Vec<Row> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|index| {
            let random = next();
            let level = match random % 100 {
                0..=1 => LogLevel::Error,
                2..=9 => LogLevel::Warning,
                10..=39 => LogLevel::Debug,
                _ => LogLevel::Info,
            };
            let source = (random >> 8) as usize % SOURCES.len();
            let id = random >> 20;
            let message = if index % 100_000 == 77 {
                format!("unexpected {RARE_WORD} in payload of job {id}")
            } else {
                match (random >> 12) % 5 {
                    0 => format!(
                        "GET /api/v1/items/{} 200 in {} ms (request {id})",
                        id % 10_000,
                        id % 900
                    ),
                    1 => format!(
                        "copied photos/{}/img_{}.jpg ({} bytes)",
                        id % 30,
                        id % 9999,
                        id % 5_000_000
                    ),
                    2 => format!(
                        "retrying connection to db-{} after timeout ({} attempts)",
                        id % 4,
                        id % 5
                    ),
                    3 => format!(
                        "cache miss for key user:{}:profile, loading from store",
                        id % 100_000
                    ),
                    _ => format!(
                        "job {id} finished: {} items processed, {} skipped",
                        id % 500,
                        id % 7
                    ),
                }
            };
            let metadata = (index % 10 == 0)
                .then(|| json!({ "job": id, "attempt": id % 5 }).as_object().cloned())
                .flatten();
            Row {
                level,
                source,
                message,
                metadata,
            }
        })
        .collect()
}

/// Deterministic output of a build, as cargo and npm print it on a
/// terminal: about four lines in five carry SGR colour sequences (bold,
/// 16- and 256-colour), one in fifty is a progress line redrawn with `\r`,
/// the rest are plain. Levels and sources as [`rows`] has them.
pub fn coloured_rows(count: u64) -> Vec<Row> {
    rows(count)
        .into_iter()
        .enumerate()
        .map(|(index, mut row)| {
            let id = index as u64;
            row.message = match id % 50 {
                0..=11 => format!(
                    "\x1b[1m\x1b[32m   Compiling\x1b[0m crate-{} v0.{}.{}",
                    id % 997,
                    id % 13,
                    id % 7
                ),
                12..=19 => format!(
                    "\x1b[1m\x1b[33mwarning\x1b[0m\x1b[1m: unused variable: `item_{}`\x1b[0m",
                    id % 500
                ),
                20..=29 => format!(
                    "  \x1b[32m✓\x1b[39m test request_{} passes \x1b[2m({} ms)\x1b[22m",
                    id % 3000,
                    id % 90
                ),
                30..=34 => format!(
                    "npm \x1b[33mWARN\x1b[39m deprecated pkg-{}@1.{}.0: \x1b[38;5;245muse pkg-next\x1b[0m",
                    id % 400,
                    id % 9
                ),
                35..=39 => format!(
                    "\x1b[31merror[E0{}]\x1b[0m\x1b[1m: mismatched types\x1b[0m",
                    308 + id % 90
                ),
                40 => format!(
                    "Downloading crates ... 40%\rDownloading crates ... 100% ({} crates)",
                    id % 300
                ),
                _ => row.message,
            };
            row
        })
        .collect()
}
