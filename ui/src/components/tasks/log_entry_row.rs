//! One log line: time, level badge, source, message (search terms
//! highlighted) and metadata, on one line of fixed height (the panel's
//! virtual scrolling counts on it); the expand button opens the whole line
//! in the detail view. Messages are text, never markup.

use std::rc::Rc;

use chrono::{DateTime, Utc};
use taskdeck_protocol::LogEntry;
use yew::prelude::*;

use crate::format::{self, TimeMode};
use crate::permalink;

/// Properties of [`LogEntryRow`].
#[derive(Properties, PartialEq)]
pub struct LogEntryRowProps {
    /// The entry.
    pub entry: Rc<LogEntry>,
    /// The search text whose words are highlighted.
    #[prop_or_default]
    pub search: Option<AttrValue>,
    /// How the time is shown.
    pub time_mode: TimeMode,
    /// When the task started (for elapsed times).
    #[prop_or_default]
    pub origin: Option<DateTime<Utc>>,
    /// Whether this is the line a link pointed at.
    #[prop_or_default]
    pub targeted: bool,
    /// Whether this line is open in the detail view.
    #[prop_or_default]
    pub expanded: bool,
    /// Opens (or closes) this line in the detail view.
    pub on_expand: Callback<u64>,
}

/// A log row.
#[function_component(LogEntryRow)]
pub fn log_entry_row(props: &LogEntryRowProps) -> Html {
    let entry = &props.entry;
    let level = entry.level.as_str();
    let seq = entry.seq;
    let on_expand = props.on_expand.reform(move |_: MouseEvent| seq);
    html! {
        <div
            class={classes!(
                "log-row",
                format!("level-{}", level.to_ascii_lowercase()),
                props.targeted.then_some("target"),
                props.expanded.then_some("expanded")
            )}
            data-testid="log-row"
            data-seq={entry.seq.to_string()}
            data-level={level}
            data-source={entry.source.clone()}
            role="row"
        >
            <button type="button" class="log-expand" data-testid="row-expand"
                aria-expanded={props.expanded.to_string()} title="Show the whole line"
                onclick={on_expand}>{ if props.expanded { "▾" } else { "▸" } }</button>
            <a class="log-seq" href={permalink::href(&entry.task_id, entry.seq)}
                data-testid="line-link" title="Link to this line">{ entry.seq }</a>
            <time class="log-time" datetime={entry.timestamp.to_rfc3339()}>
                { format::row_time(entry.timestamp, props.time_mode, props.origin) }
            </time>
            <span class={classes!("log-level", format!("badge-{}", level.to_ascii_lowercase()))}>{ level }</span>
            <span class="log-source">{ entry.source.clone() }</span>
            <span class="log-body">
                <span class="log-message">{ highlighted(&entry.message, props.search.as_deref()) }</span>
                if let Some(metadata) = &entry.metadata {
                    <span class="log-metadata">{ serde_json::Value::Object(metadata.clone()).to_string() }</span>
                }
            </span>
        </div>
    }
}

/// The search's plain words (operators, quotes and `*` removed).
fn search_terms(search: &str) -> Vec<String> {
    search
        .split(|character: char| character.is_whitespace() || character == '"')
        .map(|term| term.trim_end_matches('*').to_lowercase())
        .filter(|term| !term.is_empty() && !matches!(term.as_str(), "and" | "or" | "not"))
        .collect()
}

/// `message` with every occurrence of a search word in `<mark>`.
fn highlighted(message: &str, search: Option<&str>) -> Html {
    let terms = search.map(search_terms).unwrap_or_default();
    if terms.is_empty() {
        return html! { { message.to_owned() } };
    }
    let lower = message.to_lowercase();
    // Lower-casing may change lengths outside ASCII; highlight only when it
    // does not, so byte offsets stay valid.
    if lower.len() != message.len() {
        return html! { { message.to_owned() } };
    }
    let mut parts = Vec::new();
    let mut position = 0;
    while position < message.len() {
        let next = terms
            .iter()
            .filter_map(|term| {
                lower[position..]
                    .find(term.as_str())
                    .map(|at| (position + at, term.len()))
            })
            .min();
        let Some((start, length)) = next else {
            break;
        };
        if !message.is_char_boundary(start) || !message.is_char_boundary(start + length) {
            break;
        }
        parts.push(html! { { message[position..start].to_owned() } });
        parts.push(
            html! { <mark class="match">{ message[start..start + length].to_owned() }</mark> },
        );
        position = start + length;
    }
    parts.push(html! { { message[position..].to_owned() } });
    parts.into_iter().collect()
}
