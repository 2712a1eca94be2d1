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
