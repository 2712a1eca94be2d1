//! The user's settings, persisted in the store: retention rules for the
//! automatic cleanup and the flush interval of the log writer.

use serde::{Deserialize, Serialize};

/// Which finished tasks the automatic cleanup removes. Each rule may be off
/// (`None`); a task goes when *any* rule that is on selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetentionSettings {
    /// Remove tasks created more than this many days ago.
    pub keep_days: Option<u32>,
    /// Keep at most this many finished tasks (the newest).
    pub max_tasks: Option<u32>,
    /// Remove the oldest finished tasks while the database is larger than
    /// this many MiB.
    pub max_database_mb: Option<u32>,
}

impl Default for RetentionSettings {
    /// A year of normal use: a task every few minutes of a working day for a
    /// year stays well inside 10,000 tasks and 2 GiB.
    fn default() -> Self {
        Self {
            keep_days: Some(365),
            max_tasks: Some(10_000),
            max_database_mb: Some(2_048),
        }
    }
}

impl RetentionSettings {
    /// Whether every rule is off (the cleanup then removes nothing).
    pub fn is_off(&self) -> bool {
        self.keep_days.is_none() && self.max_tasks.is_none() && self.max_database_mb.is_none()
    }
}

/// Everything the Settings view edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// The automatic cleanup's rules.
    pub retention: RetentionSettings,
    /// How often buffered log entries are written to the store, in
    /// milliseconds: at most this much is lost if the process is killed.
    /// Read when the app or the CLI starts.
    pub flush_interval_ms: u32,
}

impl Settings {
    /// The smallest flush interval accepted, in milliseconds.
    pub const MIN_FLUSH_INTERVAL_MS: u32 = 10;
    /// The largest flush interval accepted, in milliseconds.
    pub const MAX_FLUSH_INTERVAL_MS: u32 = 60_000;
    /// The longest age rule accepted, in days (a century).
    pub const MAX_KEEP_DAYS: u32 = 36_500;

    /// Checks every value, naming the first one out of range.
    pub fn validate(&self) -> Result<(), String> {
        let RetentionSettings {
            keep_days,
            max_tasks,
            max_database_mb,
        } = self.retention;
        if let Some(days) = keep_days
            && !(1..=Self::MAX_KEEP_DAYS).contains(&days)
        {
            return Err(format!(
                "keep_days must be between 1 and {}, not {days}",
                Self::MAX_KEEP_DAYS
            ));
        }
        if max_tasks == Some(0) {
            return Err("max_tasks must be at least 1 (or off)".to_owned());
        }
        if max_database_mb == Some(0) {
            return Err("max_database_mb must be at least 1 (or off)".to_owned());
        }
        let range = Self::MIN_FLUSH_INTERVAL_MS..=Self::MAX_FLUSH_INTERVAL_MS;
        if !range.contains(&self.flush_interval_ms) {
            return Err(format!(
                "flush_interval_ms must be between {} and {}, not {}",
                Self::MIN_FLUSH_INTERVAL_MS,
                Self::MAX_FLUSH_INTERVAL_MS,
                self.flush_interval_ms
            ));
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retention: RetentionSettings::default(),
            flush_interval_ms: 100,
        }
    }
}

/// The settings as the Settings view shows them, with the database size
/// the size rule is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingsState {
    /// The saved settings (defaults for any never saved).
    pub settings: Settings,
    /// The database file's size now, in bytes.
    pub database_bytes: u64,
}

/// What an automatic cleanup did: the app pushes it to the UI, which shows
/// a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CleanupOutcome {
    /// What it removed, when it ran.
    pub report: Option<crate::RemovalReport>,
    /// Why it could not run.
    pub error: Option<crate::IpcError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_json() {
        let settings = Settings::default();
        assert_eq!(settings.validate(), Ok(()));
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), settings);
        assert!(!settings.retention.is_off());
    }

    #[test]
    fn out_of_range_values_are_named() {
        let mut settings = Settings::default();
        settings.retention.keep_days = Some(0);
        assert!(settings.validate().unwrap_err().contains("keep_days"));
        settings.retention.keep_days = None;
        settings.retention.max_tasks = Some(0);
        assert!(settings.validate().unwrap_err().contains("max_tasks"));
        settings.retention.max_tasks = None;
        settings.retention.max_database_mb = Some(0);
        assert!(settings.validate().unwrap_err().contains("max_database_mb"));
        settings.retention.max_database_mb = None;
        assert!(settings.retention.is_off());
        settings.flush_interval_ms = 5;
        assert!(
            settings
                .validate()
                .unwrap_err()
                .contains("flush_interval_ms")
        );
        settings.flush_interval_ms = 100;
        assert_eq!(settings.validate(), Ok(()));
    }
}
