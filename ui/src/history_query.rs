//! What History is filtered by and sorted on, as the user chose it, and
//! its text form: the last segment of a shareable link
//! (`#/history/status.failed-cancelled_plugin.shell_text.permission~20denied`)
//! and the remembered filter. Pairs are parted by `_`, a key from its
//! value by `.`, a list's items by `-`; values escape every character but
//! letters, digits and `-` as `~XX` (UTF-8 bytes in hex). Only URL
//! characters that need no escaping are used, so the router leaves the
//! address as written.

use chrono::NaiveDate;
use taskdeck_protocol::{ProblemFilter, TaskSort, TaskStatus};

/// History's filters and order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only these statuses (empty: any).
    pub statuses: Vec<TaskStatus>,
    /// Only this plugin.
    pub plugin_id: Option<String>,
    /// Started on or after this local day.
    pub since: Option<NaiveDate>,
    /// Started on or before this local day.
    pub until: Option<NaiveDate>,
    /// Only tasks with warnings or errors.
    pub problems: Option<ProblemFilter>,
    /// Text in the parameters, error or plugin.
    pub text: String,
    /// The order.
    pub sort: TaskSort,
}

impl HistoryQuery {
    /// Whether it filters anything (the order aside).
    pub fn filters(&self) -> bool {
        let plain = HistoryQuery {
            sort: self.sort,
            ..HistoryQuery::default()
        };
        *self != plain
    }

    /// The text form: only what differs from the defaults, in a fixed
    /// order; empty for the defaults.
    pub fn encode(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.statuses.is_empty() {
            let names: Vec<&str> = self.statuses.iter().map(|status| status.as_str()).collect();
            pairs.push(("status", names.join("-")));
        }
        if let Some(plugin_id) = &self.plugin_id {
            pairs.push(("plugin", escape(plugin_id)));
        }
        if let Some(since) = self.since {
            pairs.push(("since", since.to_string()));
        }
        if let Some(until) = self.until {
            pairs.push(("until", until.to_string()));
        }
        if let Some(problems) = self.problems {
            pairs.push(("problems", problems.as_str().to_owned()));
        }
        if !self.text.is_empty() {
            pairs.push(("text", escape(&self.text)));
        }
        if self.sort != TaskSort::default() {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        pairs
            .into_iter()
            .map(|(key, value)| format!("{key}.{value}"))
            .collect::<Vec<_>>()
            .join("_")
    }

    /// The query `text` names. A link is read leniently: a part it cannot
    /// read (a status that does not exist, a malformed date) is left out
    /// and named in the second value, so the view can say so.
    pub fn decode(text: &str) -> (HistoryQuery, Vec<String>) {
        let mut query = HistoryQuery::default();
        let mut unread = Vec::new();
        for pair in text.split('_').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('.').unwrap_or((pair, ""));
            let Some(value) = unescape(value) else {
                unread.push(pair.to_owned());
                continue;
            };
            let read = match key {
                "status" => value
                    .split('-')
                    .map(str::parse)
                    .collect::<Result<Vec<TaskStatus>, _>>()
                    .map(|statuses| query.statuses = statuses)
                    .is_ok(),
                "plugin" => {
                    query.plugin_id = Some(value).filter(|value| !value.is_empty());
                    true
                }
                "since" => value.parse().map(|day| query.since = Some(day)).is_ok(),
                "until" => value.parse().map(|day| query.until = Some(day)).is_ok(),
                "problems" => value
                    .parse()
                    .map(|problems| query.problems = Some(problems))
                    .is_ok(),
                "text" => {
                    query.text = value;
                    true
                }
                "sort" => value.parse().map(|sort| query.sort = sort).is_ok(),
                _ => false,
            };
            if !read {
                unread.push(pair.to_owned());
            }
        }
        (query, unread)
    }
}

/// Letters, digits and `-` as they are; any other byte `~XX`.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("~{byte:02X}"));
        }
    }
    escaped
}

/// The text [`escape`] wrote, or `None` if it is not such a text.
fn unescape(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'~' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_round_trips_through_its_text_with_any_characters() {
        let query = HistoryQuery {
            statuses: vec![TaskStatus::Failed, TaskStatus::Cancelled],
            plugin_id: Some("shell".into()),
            since: "2026-12-01".parse().ok(),
            until: "2026-12-06".parse().ok(),
            problems: Some(ProblemFilter::Errors),
            text: "permission denied; a=b ~/x/%20 «été» C:\\data".into(),
            sort: TaskSort::Longest,
        };
        let text = query.encode();
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)),
            "{text}"
        );
        assert!(
            text.starts_with("status.failed-cancelled_plugin.shell_"),
            "{text}"
        );
        assert_eq!(HistoryQuery::decode(&text), (query, Vec::new()));
    }

    #[test]
    fn defaults_are_the_empty_text_and_unreadable_parts_are_named() {
        assert_eq!(HistoryQuery::default().encode(), "");
        assert!(!HistoryQuery::default().filters());
        let (query, unread) = HistoryQuery::decode(
            "status.failed-done_since.2026-13-01_text.ok~2_colour.red_sort.oldest",
        );
        assert_eq!(
            query,
            HistoryQuery {
                sort: TaskSort::Oldest,
                ..HistoryQuery::default()
            }
        );
        assert_eq!(
            unread,
            [
                "status.failed-done",
                "since.2026-13-01",
                "text.ok~2",
                "colour.red"
            ]
        );
        assert!(!query.filters());
    }
}
