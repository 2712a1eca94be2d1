//! How entries, tasks and stats look on a terminal.
//!
//! Text output is for people (local times, aligned columns, colours only
//! on a terminal and never with `NO_COLOR`); `--json` output is exactly the
//! `crates/protocol` serialisation, for programs.

use std::borrow::Cow;
use std::io::Write;

use anstream::{AutoStream, ColorChoice};

use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use taskdeck_protocol::styled;
use taskdeck_protocol::{
    LevelCounts, LogCount, LogEntry, LogLevel, LogSection, LogStats, TaskPage, TaskStatus,
    TaskSummary,
};

/// Where and how to print.
pub struct Printer {
    out: std::io::BufWriter<AutoStream<std::io::Stdout>>,
    colour: bool,
}

impl Printer {
    /// Stdout, coloured if it is a terminal and `NO_COLOR` is unset (and
    /// `CLICOLOR_FORCE` forces it). On Windows the console is switched to
    /// escape sequences, or, where it cannot be (the classic console of
    /// older Windows 10), the colours are set through the console API, so
    /// no `←[33m` ever shows.
    pub fn stdout() -> Self {
        let stdout = std::io::stdout();
        let colour = AutoStream::choice(&stdout) != ColorChoice::Never;
        // Without colours nothing written holds an escape (`visible`
        // escapes control characters), so the bytes pass straight through
        // instead of being parsed for escapes to strip.
        let stream = if colour {
            AutoStream::auto(stdout)
        } else {
            AutoStream::always_ansi(stdout)
        };
        Self {
            out: std::io::BufWriter::new(stream),
            colour,
        }
    }

    /// Writes `value` as one line of JSON.
    pub fn json<T: Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    /// Writes `value` as one line of JSON when `json`, else as `text` renders
    /// it.
    pub fn json_or_text<T: Serialize>(
        &mut self,
        json: bool,
        value: &T,
        text: impl FnOnce(&T) -> String,
    ) -> std::io::Result<()> {
        if json {
            self.json(value)
        } else {
            self.line(&text(value))
        }
    }

    /// Writes one line of text.
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(visible(text).as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Writes an entry as `seq time LEVEL source message {metadata}`; with
    /// `marked`, the seq is followed by `:` for an entry that matched and
    /// `-` for a context entry (grep's marks). On a terminal, the message
    /// keeps the colours of the program that wrote it.
    pub fn entry(&mut self, entry: &LogEntry, marked: bool) -> std::io::Result<()> {
        let (start, end) = match (self.colour, entry.level) {
            (false, _) => ("", ""),
            (true, LogLevel::Debug) => ("\x1b[2m", "\x1b[0m"),
            (true, LogLevel::Info) => ("", ""),
            (true, LogLevel::Warning) => ("\x1b[33m", "\x1b[0m"),
            (true, LogLevel::Error) => ("\x1b[31;1m", "\x1b[0m"),
        };
        let mark = match (marked, entry.context) {
            (false, _) => "",
            (true, false) => ":",
            (true, true) => "-",
        };
        let metadata = entry
            .metadata
            .as_ref()
            .map(|metadata| format!(" {}", serde_json::Value::Object(metadata.clone())))
            .unwrap_or_default();
        let message = if self.colour && entry.context {
            format!("\x1b[2m{}\x1b[0m", visible(&entry.message))
        } else if self.colour {
            coloured(entry, start, end)
        } else {
            visible(&entry.message).into_owned()
        };
        writeln!(
            self.out,
            "{:>7}{mark} {} {start}{:<7}{end} {} {message}{metadata}",
            entry.seq,
            local_time(entry.timestamp),
            entry.level.as_str(),
            entry.source,
        )
    }

    /// Writes pending output (live lines appear as they come).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `entry`'s message for a terminal: its styled stretches in their own
/// colours, the rest in the level's (`start`…`end`); control characters
/// in the text shown as escapes either way.
fn coloured(entry: &LogEntry, start: &str, end: &str) -> String {
    let text = &entry.message;
    let plain = |range: std::ops::Range<usize>| {
        if range.is_empty() {
            return String::new();
        }
        format!("{start}{}{end}", visible(&text[range]))
    };
    if entry.styles.is_empty() || !styled::spans_fit(text, &entry.styles) {
        return plain(0..text.len());
    }
    let mut out = String::with_capacity(text.len() + entry.styles.len() * 16);
    let mut position = 0;
    for span in &entry.styles {
        let range = span.range();
        out.push_str(&plain(position..range.start));
        styled::push_ansi(&mut out, &visible(&text[range.clone()]), &span.style);
        position = range.end;
    }
    out.push_str(&plain(position..text.len()));
    out
}

/// `text` with its control characters other than tab and new line shown
/// as escapes (`\x1b`): a log line printed as text can neither recolour,
/// move the cursor of, nor retitle the terminal it lands on. `--json`
/// output escapes them as JSON does.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |character: char| character.is_control() && !matches!(character, '\t' | '\n');
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if hidden(character) {
            shown.push_str(&format!("\\x{:02x}", u32::from(character)));
        } else {
            shown.push(character);
        }
    }
    Cow::Owned(shown)
}

fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%H:%M:%S%.3f")
        .to_string()
}

fn local_date_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `12.3 s`, or `-` when the task has not started.
pub fn duration(task: &TaskSummary) -> String {
    match (task.started_at, task.finished_at) {
        (Some(start), Some(end)) => seconds(end - start),
        (Some(start), None) => format!("{} so far", seconds(Utc::now() - start)),
        _ => "-".to_owned(),
    }
}

fn seconds(delta: chrono::TimeDelta) -> String {
    format!("{:.1} s", delta.num_milliseconds() as f64 / 1000.0)
}

fn counts_text(counts: &LevelCounts) -> String {
    format!(
        "{} debug, {} info, {} warning, {} error",
        counts.debug, counts.info, counts.warning, counts.error
    )
}

/// One row of `taskdeck tasks`.
pub fn task_row(task: &TaskSummary) -> String {
    format!(
        "{}  {:<11} {:<10} {}  {:>12}  {}W {}E",
        task.id,
        task.status.as_str(),
        task.plugin_id,
        local_date_time(task.created_at),
        duration(task),
        task.counts.warning,
        task.counts.error
    )
}

/// The line under a page of `taskdeck tasks`: how many tasks the page
/// shows of how many match, per status, and the options for the pages
/// around it.
pub fn page_summary(page: &TaskPage, statuses: &[TaskStatus]) -> String {
    let per_status: Vec<String> = TaskStatus::ALL
        .into_iter()
        .filter(|status| statuses.is_empty() || statuses.contains(status))
        .filter(|status| page.counts.get(*status) > 0)
        .map(|status| format!("{} {status}", page.counts.get(status)))
        .collect();
    let mut summary = format!(
        "{} of {} matching task{}",
        page.tasks.len(),
        page.total,
        if page.total == 1 { "" } else { "s" }
    );
    if !per_status.is_empty() {
        summary.push_str(&format!(" ({})", per_status.join(", ")));
    }
    if let Some(cursor) = &page.previous {
        summary.push_str(&format!("; previous page: --before {cursor}"));
    }
    if let Some(cursor) = &page.next {
        summary.push_str(&format!("; next page: --after {cursor}"));
    }
    summary
}

/// How many entries match: `1 match`, `12 matches`, `100000+ matches`.
pub fn match_count(count: LogCount) -> String {
    let more = if count.capped { "+" } else { "" };
    let noun = if count.matching == 1 && !count.capped {
        "match"
    } else {
        "matches"
    };
    format!("{}{more} {noun}", count.matching)
}

/// `taskdeck show` as text.
pub fn task_details(task: &TaskSummary) -> String {
    let mut lines = vec![
        format!("id:       {}", task.id),
        format!("plugin:   {}", task.plugin_id),
        format!("status:   {}", task.status),
        format!(
            "params:   {}",
            serde_json::Value::Object(task.params.clone())
        ),
        format!("created:  {}", local_date_time(task.created_at)),
    ];
    if let Some(started) = task.started_at {
        lines.push(format!("started:  {}", local_date_time(started)));
    }
    if let Some(finished) = task.finished_at {
        lines.push(format!("finished: {}", local_date_time(finished)));
    }
    lines.push(format!("duration: {}", duration(task)));
    lines.push(format!("entries:  {}", counts_text(&task.counts)));
    if let Some(error) = &task.error {
        lines.push(format!("error:    {error}"));
    }
    if let Some(result) = &task.result {
        lines.push(format!("result:   {result}"));
    }
    if let Some(progress) = &task.progress {
        let fraction = progress
            .fraction
            .map(|fraction| format!("{:.0}% ", fraction * 100.0))
            .unwrap_or_default();
        lines.push(format!("progress: {fraction}{}", progress.message));
    }
    lines.join("\n")
}

/// `taskdeck sections` as text: a line per section, indented as they
/// nest: number, duration, status, entries per level, title.
pub fn sections_text(sections: &[LogSection]) -> String {
    if sections.is_empty() {
        return "no sections".to_owned();
    }
    let mut depths: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    sections
        .iter()
        .map(|section| {
            let depth = section
                .parent
                .and_then(|parent| depths.get(&parent))
                .map_or(0, |depth| depth + 1);
            depths.insert(section.id, depth);
            let took = match section.duration_ms() {
                Some(ms) => seconds(chrono::TimeDelta::milliseconds(ms)),
                None => "-".to_owned(),
            };
            format!(
                "{:>4}  {:>9}  {:<8}  {}W {}E {:>7} entries  {}{}",
                section.id,
                took,
                section.status.as_str(),
                section.counts.warning,
                section.counts.error,
                section.counts.total(),
                "  ".repeat(depth),
                section.title
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `taskdeck stats` as text.
pub fn stats_text(stats: &LogStats) -> String {
    let mut lines = vec![
        format!("task:    {}", stats.task_id),
        format!("entries: {} ({})", stats.total, counts_text(&stats.counts)),
    ];
    if let (Some(first), Some(last)) = (stats.first_timestamp, stats.last_timestamp) {
        lines.push(format!(
            "from:    {} to {}",
            local_date_time(first),
            local_date_time(last)
        ));
    }
    lines.push("sources:".to_owned());
    for source in &stats.sources {
        lines.push(format!(
            "  {:<24} {:>9}  ({})",
            source.source,
            source.counts.total(),
            counts_text(&source.counts)
        ));
    }
    lines.join("\n")
}
