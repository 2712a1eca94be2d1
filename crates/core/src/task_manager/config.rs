//! [`ManagerConfig`]: how a [`super::TaskManager`] behaves, from the saved
//! settings and the environment.

use std::time::Duration;

use taskdeck_protocol::Settings;

use crate::settings::SettingsRepository;
use crate::task_log::flusher::FlushConfig;
use crate::{CoreError, Store};

/// The environment variable that overrides [`FlushConfig::interval`], in
/// milliseconds.
pub const FLUSH_INTERVAL_ENV: &str = "TASKDECK_FLUSH_INTERVAL_MS";
/// The environment variable that overrides [`FlushConfig::max_batch`].
pub const FLUSH_BATCH_ENV: &str = "TASKDECK_FLUSH_BATCH";

/// How a manager behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagerConfig {
    /// When buffered entries are written.
    pub flush: FlushConfig,
    /// How long a cancelled plugin may take to stop before its work is
    /// aborted. Default 5 s.
    pub cancel_grace: Duration,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            flush: FlushConfig::default(),
            cancel_grace: Duration::from_secs(5),
        }
    }
}

impl ManagerConfig {
    /// The defaults, with [`FLUSH_INTERVAL_ENV`] and [`FLUSH_BATCH_ENV`]
    /// applied; a value that is not a positive whole number is an error
    /// naming the variable.
    pub fn from_env() -> Result<Self, CoreError> {
        Self::default().with_env()
    }

    /// The user's saved flush interval, with the environment variables
    /// above applied over it.
    pub fn from_settings_and_env(settings: &Settings) -> Result<Self, CoreError> {
        let mut config = Self::default();
        config.flush.interval = Duration::from_millis(u64::from(settings.flush_interval_ms));
        config.with_env()
    }

    /// What an app or CLI process starts with: the settings saved in
    /// `store` (see [`SettingsRepository::load_for_start`]), then the
    /// environment.
    pub async fn for_store(store: &Store) -> Result<Self, CoreError> {
        let settings = SettingsRepository::new(store).load_for_start().await;
        Self::from_settings_and_env(&settings)
    }

    fn with_env(mut self) -> Result<Self, CoreError> {
        if let Some(millis) = positive_env(FLUSH_INTERVAL_ENV)? {
            self.flush.interval = Duration::from_millis(millis);
        }
        if let Some(batch) = positive_env(FLUSH_BATCH_ENV)? {
            self.flush.max_batch = usize::try_from(batch).unwrap_or(usize::MAX);
        }
        Ok(self)
    }
}

fn positive_env(name: &str) -> Result<Option<u64>, CoreError> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(value) if value > 0 => Ok(Some(value)),
            _ => Err(CoreError::InvalidArgument(format!(
                "{name} must be a positive whole number, not {text:?}"
            ))),
        },
    }
}
