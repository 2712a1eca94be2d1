//! The expanded view of one log line under the rows: the whole message
//! (rows show one line of it), metadata as indented JSON, and actions to
//! copy the line or a link to it. Text is always shown as text.

use std::rc::Rc;

use taskdeck_protocol::LogEntry;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::styled_message::{self, Theme};
use crate::format;
use crate::route;

/// Properties of [`LogEntryDetail`].
#[derive(Properties, PartialEq)]
pub struct LogEntryDetailProps {
    /// The entry shown.
    pub entry: Rc<LogEntry>,
    /// Closes the detail.
    pub on_close: Callback<()>,
}

/// What the last copy did.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Line,
    Link,
    Failed,
}

/// Puts `text` on the clipboard: the asynchronous clipboard API, else the
/// older `execCommand("copy")` on a hidden text area (webviews that refuse
/// the first).
async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    if JsFuture::from(promise).await.is_ok() {
        return true;
    }
    copy_with_selection(&window, text).unwrap_or(false)
}

fn copy_with_selection(window: &web_sys::Window, text: &str) -> Option<bool> {
    let document = window.document()?;
    let area: web_sys::HtmlTextAreaElement =
        document.create_element("textarea").ok()?.dyn_into().ok()?;
    area.set_value(text);
    area.set_attribute("style", "position:fixed;opacity:0")
        .ok()?;
    let body = document.body()?;
    body.append_child(&area).ok()?;
    area.select();
    let copied = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|document| document.exec_command("copy").ok());
    area.remove();
    copied
}

/// The absolute address of the link to `entry`'s line.
fn link_to(entry: &LogEntry) -> String {
    let base = web_sys::window()
        .and_then(|window| window.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    format!("{base}{}", route::line_href(&entry.task_id, entry.seq))
}

/// The detail of the selected line.
#[function_component(LogEntryDetail)]
pub fn log_entry_detail(props: &LogEntryDetailProps) -> Html {
    let entry = &props.entry;
    let copied = use_state(|| None::<(u64, Copied)>);
    let copy = |what: Copied, text: String| {
        let copied = copied.clone();
        let seq = entry.seq;
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = if copy_text(&text).await {
                    what
                } else {
                    Copied::Failed
                };
                copied.set(Some((seq, outcome)));
            });
        })
    };
    let on_copy_line = copy(Copied::Line, format::log_line(entry));
    let on_copy_link = copy(Copied::Link, link_to(entry));
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let status = match *copied {
        Some((seq, Copied::Line)) if seq == entry.seq => "Line copied",
        Some((seq, Copied::Link)) if seq == entry.seq => "Link copied",
        Some((seq, Copied::Failed)) if seq == entry.seq => "Could not copy: the clipboard refused",
        _ => "",
    };
    let level = entry.level.as_str();
    html! {
        <section class="log-detail" data-testid="log-detail" data-seq={entry.seq.to_string()}
            aria-label={format!("Line {}", entry.seq)}>
            <header class="log-detail-header">
                <strong>{ format!("Line {}", entry.seq) }</strong>
                <span class={classes!("log-level", format!("badge-{}", level.to_ascii_lowercase()))}>{ level }</span>
                <code>{ entry.source.clone() }</code>
                <time datetime={entry.timestamp.to_rfc3339()}>
                    { entry.timestamp.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string() }
                </time>
                <span class="muted" data-testid="copy-status" role="status">{ status }</span>
                <span class="log-detail-actions">
                    <button type="button" data-testid="copy-line" onclick={on_copy_line}>{ "Copy line" }</button>
                    <button type="button" data-testid="copy-link" onclick={on_copy_link}>{ "Copy link" }</button>
                    <button type="button" data-testid="detail-close" title="Close (Esc)" onclick={on_close}>{ "Close" }</button>
                </span>
            </header>
            <pre class="log-detail-message" data-testid="detail-message">
                { styled_message::render(&entry.message, &entry.styles, &[], Theme::current) }
            </pre>
            if let Some(metadata) = &entry.metadata {
                <pre class="log-detail-metadata" data-testid="detail-metadata">
                    { serde_json::to_string_pretty(metadata).unwrap_or_default() }
                </pre>
            }
        </section>
    }
}
