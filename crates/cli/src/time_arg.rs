//! The values of `--since` and `--until`: a moment as typed on a command
//! line — an RFC 3339 time, a local date and time, a local time of day (on
//! the day the task started, as `logs` prints times) or a duration from the
//! task's start (`+2m`) — and its resolution into a UTC moment.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// What the options accept, for error messages. One parser serves a
/// task's log (`logs`, `export`) and lists of tasks (`tasks`, `search`),
/// so the message says where each form applies.
const ACCEPTED: &str = "a local date (2026-12-06), a local date and time (2026-12-06 10:42), \
     an RFC 3339 time (2026-12-06T10:42:00Z), a time of day (10:42 or 10:42:00.250: on the \
     day the task started for a task's log, else today), or, for a task's log, a duration \
     from its start (+2m, +1h30m, +90s)";

/// A moment as typed, not yet tied to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// A moment with its offset (RFC 3339).
    At(DateTime<Utc>),
    /// A date and time in the local time zone.
    LocalDateTime(NaiveDateTime),
    /// A local time of day on the day the task started.
    TimeOfDay(NaiveTime),
    /// This long after the task started.
    FromStart(Duration),
}

impl FromStr for TimeArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Some(duration) = text.strip_prefix('+') {
            return humantime::parse_duration(duration.trim())
                .map(TimeArg::FromStart)
                .map_err(|error| format!("cannot read {text:?} as a duration: {error}"));
        }
        if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeArg::At(moment.with_timezone(&Utc)));
        }
        for format in [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(moment) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(TimeArg::LocalDateTime(moment));
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(TimeArg::LocalDateTime(date.and_time(NaiveTime::MIN)));
        }
        for format in ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"] {
            if let Ok(time) = NaiveTime::parse_from_str(text, format) {
                return Ok(TimeArg::TimeOfDay(time));
            }
        }
        Err(format!(
            "cannot read {text:?} as a time: expected {ACCEPTED}"
        ))
    }
}

impl TimeArg {
    /// Whether the moment depends on when the task started.
    pub fn is_relative(&self) -> bool {
        matches!(self, TimeArg::TimeOfDay(_) | TimeArg::FromStart(_))
    }

    /// The UTC moment for an option (`--since`) that spans many tasks, so
    /// has no task start: a time of day is today's; a duration from a
    /// task's start is refused, pointing to `--within`.
    pub fn resolve_across_tasks(&self, option: &str) -> Result<DateTime<Utc>, String> {
        if matches!(self, TimeArg::FromStart(_)) {
            return Err(format!(
                "{option} takes a date or time here (2026-12-01, 2026-12-01 10:42), not a \
                 duration from a task's start; for the last few days use --within 7d"
            ));
        }
        self.resolve(Utc::now())
            .map_err(|reason| format!("{option}: {reason}"))
    }

    /// The UTC moment, for a task that started at `start` (used only by a
    /// relative time).
    pub fn resolve(&self, start: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        let local = |moment: NaiveDateTime| {
            moment
                .and_local_timezone(Local)
                .earliest()
                .map(|moment| moment.with_timezone(&Utc))
                .ok_or_else(|| format!("{moment} does not exist in the local time zone"))
        };
        match *self {
            TimeArg::At(moment) => Ok(moment),
            TimeArg::LocalDateTime(moment) => local(moment),
            TimeArg::TimeOfDay(time) => {
                local(start.with_timezone(&Local).date_naive().and_time(time))
            }
            TimeArg::FromStart(duration) => TimeDelta::from_std(duration)
                .ok()
                .and_then(|delta| start.checked_add_signed(delta))
                .ok_or_else(|| {
                    format!(
                        "+{} is too far from the task's start",
                        humantime::format_duration(duration)
                    )
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T10:40:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn every_accepted_form_reads_and_resolves() {
        let at = |text: &str| text.parse::<TimeArg>().unwrap().resolve(start()).unwrap();
        assert_eq!(at("+2m"), start() + TimeDelta::minutes(2));
        assert_eq!(at("+1h30m"), start() + TimeDelta::minutes(90));
        assert_eq!(
            at("2026-12-06T10:43:30.5+01:00"),
            DateTime::parse_from_rfc3339("2026-12-06T09:43:30.5Z").unwrap()
        );
        let local_start = start().with_timezone(&Local);
        let expected = local_start
            .date_naive()
            .and_hms_opt(10, 42, 0)
            .unwrap()
            .and_local_timezone(Local)
            .earliest()
            .unwrap();
        assert_eq!(at("10:42"), expected);
        assert_eq!(at("10:42:00"), expected);
        let date = local_start.date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(at(&format!("{date} 10:42")), expected);
        assert!("10:42".parse::<TimeArg>().unwrap().is_relative());
        assert!(!"2026-12-06 10:42".parse::<TimeArg>().unwrap().is_relative());
    }

    #[test]
    fn what_cannot_be_read_is_named_with_what_would_be() {
        let error = "yesterday".parse::<TimeArg>().unwrap_err();
        assert!(
            error.contains("\"yesterday\"")
                && error.contains("+2m")
                && error.contains("a local date (2026-12-06)"),
            "{error}"
        );
        let error = "+soon".parse::<TimeArg>().unwrap_err();
        assert!(error.contains("duration"), "{error}");
        assert!("25:00".parse::<TimeArg>().is_err());
    }
}
