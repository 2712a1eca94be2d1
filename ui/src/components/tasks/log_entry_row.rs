//! One log line: time, level badge, source, message (in the colours of
//! the program that wrote it, what the search matched highlighted) and
//! metadata, on one line of fixed height (the panel's virtual scrolling
//! counts on it); the expand button opens the whole line in the detail
//! view. A context line (shown around a match) is dimmed. A section's
//! header line has a toggle that folds the section. Messages are text,
//! never markup.

use std::rc::Rc;

use chrono::{DateTime, Utc};
use taskdeck_protocol::{LogEntry, SearchMatcher};
use yew::prelude::*;

use super::styled_message::{self, Theme};
use crate::format::{self, TimeMode};
use crate::route;

/// The compiled search a row highlights; one per filter, so rows compare
/// it by identity.
#[derive(Debug, Clone)]
pub struct Highlight(pub Rc<SearchMatcher>);

impl PartialEq for Highlight {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Properties of [`LogEntryRow`].
#[derive(Properties, PartialEq)]
pub struct LogEntryRowProps {
    /// The entry.
    pub entry: Rc<LogEntry>,
    /// The search whose matches are highlighted.
    #[prop_or_default]
    pub highlight: Option<Highlight>,
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
    /// When this line heads a section: the section, and whether it is
    /// folded.
    #[prop_or_default]
    pub heads: Option<SectionHead>,
    /// Folds or unfolds the section this line heads.
    #[prop_or_default]
    pub on_fold: Callback<u32>,
}

/// The section a line heads, as its row shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SectionHead {
    /// The section's id.
    pub id: u32,
    /// Whether its other lines are hidden.
    pub folded: bool,
    /// How many lines it holds besides its header.
    pub lines: u64,
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
                props.expanded.then_some("expanded"),
                entry.context.then_some("context"),
                props.heads.map(|_| "section-head")
            )}
            data-testid="log-row"
            data-seq={entry.seq.to_string()}
            data-level={level}
            data-source={entry.source.clone()}
            data-context={entry.context.then_some("true")}
            role="row"
        >
            <button type="button" class="log-expand" data-testid="row-expand"
                aria-expanded={props.expanded.to_string()} title="Show the whole line"
                onclick={on_expand}>{ if props.expanded { "▾" } else { "▸" } }</button>
            <a class="log-seq" href={route::line_href(&entry.task_id, entry.seq)}
                data-testid="line-link" title="Link to this line">{ entry.seq }</a>
            <time class="log-time" datetime={entry.timestamp.to_rfc3339()}>
                { format::row_time(entry.timestamp, props.time_mode, props.origin) }
            </time>
            <span class={classes!("log-level", format!("badge-{}", level.to_ascii_lowercase()))}>{ level }</span>
            <span class="log-source">{ entry.source.clone() }</span>
            <span class="log-body">
                if let Some(head) = props.heads {
                    <button type="button" class="fold-toggle" data-testid="fold-toggle"
                        aria-expanded={(!head.folded).to_string()}
                        title={if head.folded { "Show this section's lines" } else { "Hide this section's lines" }}
                        onclick={props.on_fold.reform(move |_: MouseEvent| head.id)}>
                        { if head.folded { "▸" } else { "▾" } }
                    </button>
                }
                <span class="log-message">{ message(entry, props.highlight.as_ref()) }</span>
                if let Some(head) = props.heads.filter(|head| head.folded && head.lines > 0) {
                    <span class="fold-hidden" data-testid="fold-hidden">
                        { format!("{} line{} folded", head.lines, if head.lines == 1 { "" } else { "s" }) }
                    </span>
                }
                if let Some(metadata) = &entry.metadata {
                    <span class="log-metadata">{ serde_json::Value::Object(metadata.clone()).to_string() }</span>
                }
            </span>
        </div>
    }
}

/// The entry's message in its colours, with every range the search matched
/// in `<mark>`: exactly what the core's search found (the same
/// [`SearchMatcher`]); a very long or very colourful line only as much as a
/// row can show.
fn message(entry: &LogEntry, highlight: Option<&Highlight>) -> Html {
    let ranges = highlight.map_or_else(Vec::new, |highlight| {
        highlight.0.find_ranges(&entry.message)
    });
    styled_message::render_row(&entry.message, &entry.styles, &ranges, Theme::current)
}
