//! View preferences that survive a restart, kept in the webview's local
//! storage. A missing or unreadable store just means the defaults.

use crate::format::TimeMode;

const TIME_MODE_KEY: &str = "taskdeck.time_mode";

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
