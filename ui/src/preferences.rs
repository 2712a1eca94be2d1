//! View preferences that survive a restart, kept in the webview's local
//! storage. A missing or unreadable store just means the defaults.

use taskdeck_protocol::LogLevel;

use crate::format::TimeMode;

const TIME_MODE_KEY: &str = "taskdeck.time_mode";
const MIN_LEVEL_KEY: &str = "taskdeck.min_level";
const WRAP_KEY: &str = "taskdeck.wrap";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// How log rows show their time (local time by default).
pub fn time_mode() -> TimeMode {
    storage()
        .and_then(|storage| storage.get_item(TIME_MODE_KEY).ok().flatten())
        .map_or(TimeMode::Local, |name| TimeMode::from_name(&name))
}

/// Remembers how log rows show their time.
pub fn set_time_mode(mode: TimeMode) {
    if let Some(storage) = storage() {
        // Not being able to remember a preference is not worth an error.
        let _ = storage.set_item(TIME_MODE_KEY, mode.as_str());
    }
}

/// The level filter last chosen (a new panel starts with it).
pub fn min_level() -> Option<LogLevel> {
    storage()
        .and_then(|storage| storage.get_item(MIN_LEVEL_KEY).ok().flatten())
        .and_then(|name| name.parse().ok())
}

/// Remembers the level filter (`None`: any level).
pub fn set_min_level(level: Option<LogLevel>) {
    if let Some(storage) = storage() {
        let _ = match level {
            Some(level) => storage.set_item(MIN_LEVEL_KEY, level.as_str()),
            None => storage.remove_item(MIN_LEVEL_KEY),
        };
    }
}

/// Whether long messages wrap (off by default).
pub fn wrap() -> bool {
    storage()
        .and_then(|storage| storage.get_item(WRAP_KEY).ok().flatten())
        .is_some_and(|value| value == "on")
}

/// Remembers whether long messages wrap.
pub fn set_wrap(wrap: bool) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(WRAP_KEY, if wrap { "on" } else { "off" });
    }
}
