//! Which finished tasks a [`RetentionPolicy`] selects, and why.
//!
//! Tasks are considered newest first. The age and count rules look at each
//! task on its own (the count rule counts the user's tasks, not the
//! cleanup's own `system` log tasks); the size rule then takes the oldest of the rest until
//! the database's used bytes, less an estimate of what the selected tasks
//! hold, fit under the cap. The estimate is the database's average bytes
//! per entry times the task's entries (plus one for the task row itself):
//! exact enough to choose, and the same for a dry run as for the real one.
//! Most passes (one at start-up, then hourly) remove nothing: [`may_remove`]
//! tells so from a count and a minimum, before [`select`] needs the rows.

use std::time::Duration;

use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{RemovalReason, RetentionSettings};

use crate::store::entities::tasks;

/// Which finished tasks a cleanup removes: those matching *any* rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Remove tasks created longer ago than this.
    pub older_than: Option<Duration>,
    /// Keep only this many of the newest finished tasks.
    pub keep_latest: Option<u32>,
    /// Remove the oldest finished tasks while the database holds more than
    /// this many bytes of data.
    pub max_database_bytes: Option<u64>,
}

impl RetentionPolicy {
    /// Whether no rule is set.
    pub fn is_empty(&self) -> bool {
        self.older_than.is_none() && self.keep_latest.is_none() && self.max_database_bytes.is_none()
    }

    /// The rules in words, for reports.
    pub fn describe(&self) -> String {
        let mut rules = Vec::new();
        if let Some(age) = self.older_than {
            rules.push(format!("older than {}", describe_age(age)));
        }
        if let Some(keep) = self.keep_latest {
            rules.push(format!("beyond the newest {keep}"));
        }
        if let Some(bytes) = self.max_database_bytes {
            rules.push(format!("while the database is over {} MiB", bytes >> 20));
        }
        if rules.is_empty() {
            "no rule".to_owned()
        } else {
            rules.join(", ")
        }
    }
}

fn describe_age(age: Duration) -> String {
    let seconds = age.as_secs();
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{} hours", s / 3_600),
        s => format!("{s} seconds"),
    }
}

impl From<RetentionSettings> for RetentionPolicy {
    fn from(settings: RetentionSettings) -> Self {
        Self {
            older_than: settings
                .keep_days
                .map(|days| Duration::from_secs(u64::from(days) * 86_400)),
            keep_latest: settings.max_tasks,
            max_database_bytes: settings.max_database_mb.map(|mb| u64::from(mb) << 20),
        }
    }
}

/// The database's size facts the size rule needs.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Bytes of pages holding data.
    pub used_bytes: u64,
    /// Entries in the whole database.
    pub entries: u64,
}

/// What two aggregates say of the finished tasks: enough to know when a
/// policy removes nothing, without reading every row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finished {
    /// Finished tasks of the user's (not the cleanup's own `system` logs).
    pub user_tasks: u64,
    /// When the oldest finished task was created (ms), if there is one.
    pub oldest_created_at: Option<i64>,
}

/// Whether [`select`] may choose anything: `false` only when it surely
/// chooses nothing (no task past the age, no more user tasks than kept, the
/// database under its cap), so a pass that finds nothing to do needs no
/// more than [`Finished`]. `true` leaves the choice to [`select`].
pub fn may_remove(
    policy: &RetentionPolicy,
    now_ms: i64,
    used_bytes: u64,
    finished: Finished,
) -> bool {
    let cutoff = policy
        .older_than
        .map(|age| now_ms.saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX)));
    let aged = cutoff
        .zip(finished.oldest_created_at)
        .is_some_and(|(cutoff, oldest)| oldest < cutoff);
    let counted = policy
        .keep_latest
        .is_some_and(|keep| finished.user_tasks > u64::from(keep));
    let sized = policy
        .max_database_bytes
        .is_some_and(|cap| used_bytes > cap);
    aged || counted || sized
}

/// A finished task's entry count, from its per-level counts.
pub fn entries_of(row: &tasks::Model) -> u64 {
    (row.debug_count + row.info_count + row.warning_count + row.error_count).max(0) as u64
}

/// Picks from `finished` (newest first) what `policy` removes, with the
/// reason, in the same order. `now_ms` is the clock the age rule uses.
pub fn select(
    finished: Vec<tasks::Model>,
    policy: &RetentionPolicy,
    now_ms: i64,
    usage: Usage,
) -> Vec<(tasks::Model, RemovalReason)> {
    let cutoff = policy
        .older_than
        .map(|age| now_ms.saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX)));
    let keep = policy.keep_latest.map_or(usize::MAX, |keep| keep as usize);
    // The count rule counts the user's tasks: the cleanup's own log tasks
    // never push one of them out (age and size still apply to them).
    let mut counted = 0usize;
    let mut chosen: Vec<(tasks::Model, Option<RemovalReason>)> = finished
        .into_iter()
        .map(|row| {
            let position = counted;
            if row.plugin_id != SYSTEM {
                counted += 1;
            }
            let reason = if cutoff.is_some_and(|cutoff| row.created_at < cutoff) {
                Some(RemovalReason::Age)
            } else if row.plugin_id != SYSTEM && position >= keep {
                Some(RemovalReason::Count)
            } else {
                None
            };
            (row, reason)
        })
        .collect();
    if let Some(cap) = policy.max_database_bytes {
        let per_entry = usage.used_bytes / usage.entries.max(1);
        let estimate = |row: &tasks::Model| (entries_of(row) + 1) * per_entry;
        let mut projected = chosen
            .iter()
            .filter(|(_, reason)| reason.is_some())
            .fold(usage.used_bytes, |bytes, (row, _)| {
                bytes.saturating_sub(estimate(row))
            });
        for (row, reason) in chosen.iter_mut().rev() {
            if projected <= cap {
                break;
            }
            if reason.is_none() {
                *reason = Some(RemovalReason::Size);
                projected = projected.saturating_sub(estimate(row));
            }
        }
    }
    chosen
        .into_iter()
        .filter_map(|(row, reason)| reason.map(|reason| (row, reason)))
        .collect()
}
