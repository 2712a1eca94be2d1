//! How times and durations read in the UI (the user's local time zone).

use chrono::{DateTime, Utc};

/// `HH:MM:SS.mmm` in local time.
pub fn clock_time(time: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        time.timestamp_millis() as f64
    ));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    )
}

/// How log rows show their time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeMode {
    /// Local wall-clock time.
    Local,
    /// UTC wall-clock time.
    Utc,
    /// Time since the task started.
    Elapsed,
}

impl TimeMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeMode::Local => "local",
            TimeMode::Utc => "utc",
            TimeMode::Elapsed => "elapsed",
        }
    }

    /// The mode stored as `name` (local for anything else).
    pub fn from_name(name: &str) -> Self {
        match name {
            "utc" => TimeMode::Utc,
            "elapsed" => TimeMode::Elapsed,
            _ => TimeMode::Local,
        }
    }

    /// The mode after this one (the toggle cycles).
    pub fn next(self) -> Self {
        match self {
            TimeMode::Local => TimeMode::Utc,
            TimeMode::Utc => TimeMode::Elapsed,
            TimeMode::Elapsed => TimeMode::Local,
        }
    }

    /// The toggle's label.
    pub fn label(self) -> &'static str {
        match self {
            TimeMode::Local => "Local time",
            TimeMode::Utc => "UTC",
            TimeMode::Elapsed => "Elapsed",
        }
    }
}

/// A row's time in `mode`; `origin` is the task's start (for elapsed).
pub fn row_time(time: DateTime<Utc>, mode: TimeMode, origin: Option<DateTime<Utc>>) -> String {
    match mode {
        TimeMode::Local => clock_time(time),
        TimeMode::Utc => time.format("%H:%M:%S%.3fZ").to_string(),
        TimeMode::Elapsed => {
            let millis = origin.map_or(0, |origin| (time - origin).num_milliseconds().max(0));
            format!(
                "+{:02}:{:02}.{:03}",
                millis / 60_000,
                (millis / 1000) % 60,
                millis % 1000
            )
        }
    }
}

/// `YYYY-MM-DD HH:MM` in local time.
pub fn date_time(time: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        time.timestamp_millis() as f64
    ));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The moment local day `day` begins (`None` if the browser cannot
/// place it).
pub fn local_day_start(day: chrono::NaiveDate) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let date = js_sys::Date::new_with_year_month_day(
        u32::try_from(day.year()).ok()?,
        i32::try_from(day.month0()).ok()?,
        i32::try_from(day.day()).ok()?,
    );
    let millis = date.get_time();
    if millis.is_nan() {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64)
}

/// `12.3 s` between two times, `-` without a start.
pub fn duration(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> String {
    match (start, end) {
        (Some(start), Some(end)) => {
            format!("{:.1} s", (end - start).num_milliseconds() as f64 / 1000.0)
        }
        (Some(_), None) => "running".to_owned(),
        _ => "-".to_owned(),
    }
}

/// What a cleanup removed: `2 task(s) with 10 entries`, and the space it
/// gave back when it gave any.
pub fn removal(report: &taskdeck_protocol::RemovalReport) -> String {
    let mut text = format!(
        "{} task(s) with {} entries",
        report.tasks.len(),
        report.entries
    );
    if report.bytes_freed > 0 {
        text.push_str(&format!(
            " and gave back {}",
            taskdeck_protocol::human_size(report.bytes_freed)
        ));
    }
    text
}

/// `1234567` as `1,234,567`.
pub fn grouped(number: u64) -> String {
    let mut digits = number.to_string();
    let mut at = digits.len();
    while at > 3 {
        at -= 3;
        digits.insert(at, ',');
    }
    digits
}

/// One entry as a line of text: UTC time, level, source, message and
/// metadata (what "copy line" puts on the clipboard).
pub fn log_line(entry: &taskdeck_protocol::LogEntry) -> String {
    let mut line = format!(
        "{} {:<7} {} {}",
        entry.timestamp.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        entry.level.as_str(),
        entry.source,
        entry.message
    );
    if let Some(metadata) = &entry.metadata {
        line.push(' ');
        line.push_str(&serde_json::Value::Object(metadata.clone()).to_string());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskdeck_protocol::{LogEntry, LogLevel};

    #[test]
    fn a_copied_line_holds_every_field() {
        let mut entry = LogEntry {
            id: 7,
            task_id: "t".into(),
            seq: 7,
            timestamp: DateTime::from_timestamp_millis(1_764_064_800_123).unwrap(),
            level: LogLevel::Warning,
            source: "backup.archive".into(),
            message: "slow <disk>".into(),
            metadata: None,
            styles: Vec::new(),
            context: false,
            sections: Vec::new(),
        };
        assert_eq!(
            log_line(&entry),
            "2025-11-25T10:00:00.123Z WARNING backup.archive slow <disk>"
        );
        entry.metadata = serde_json::json!({ "ms": 1200 }).as_object().cloned();
        assert!(log_line(&entry).ends_with("slow <disk> {\"ms\":1200}"));
    }
}
