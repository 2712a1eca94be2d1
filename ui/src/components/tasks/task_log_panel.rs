//! The log panel of one task: stats header, filter bar, the rows (newest
//! page from the store, then live), follow mode.
//!
//! On open and on every filter change it loads the newest page matching
//! the filter from the store, then subscribes from the last seq it has, so
//! history and live output meet without a gap or a duplicate. A gap notice
//! from the core reloads from the store.

use std::cell::RefCell;
use std::rc::Rc;

use taskdeck_protocol::{
    IpcError, LiveLogMessage, LogEntry, LogFilter, LogStats, Order, TaskStatus,
};
use web_sys::HtmlElement;
use yew::prelude::*;

use super::{LogEntryRow, LogFilterBar};
use crate::components::{EmptyState, ErrorBanner};
use crate::ipc::{self, LiveSubscription};
use crate::preferences;

/// Rows kept while following; older ones are dropped as new ones arrive
/// (they stay one "load earlier lines" away).
const MAX_ROWS: usize = 5_000;
/// The page loaded from the store when the panel opens, and each time
/// earlier lines are asked for.
const PAGE: u32 = 1_000;

/// Properties of [`TaskLogPanel`].
#[derive(Properties, PartialEq)]
pub struct TaskLogPanelProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// A line to open the panel on (from a link) instead of the newest.
    #[prop_or_default]
    pub target_seq: Option<u64>,
}

#[derive(Default, PartialEq)]
struct Rows {
    entries: Vec<LogEntry>,
    ended: Option<TaskStatus>,
    error: Option<IpcError>,
    loading: bool,
    /// Whether the store holds matching entries before the first row.
    has_earlier: bool,
    /// Bumped to reload from the store (after a gap notice).
    reloads: u32,
}

enum RowsAction {
    Loading,
    /// The newest page, and whether earlier entries exist.
    Loaded(Vec<LogEntry>, bool),
    /// An earlier page, and whether still earlier entries exist.
    Earlier(Vec<LogEntry>, bool),
    Live(LiveLogMessage),
    Failed(IpcError),
}

impl Reducible for Rows {
    type Action = RowsAction;

    fn reduce(self: Rc<Self>, action: RowsAction) -> Rc<Self> {
        let mut next = Rows {
            entries: self.entries.clone(),
            ended: self.ended,
            error: self.error.clone(),
            loading: self.loading,
            has_earlier: self.has_earlier,
            reloads: self.reloads,
        };
        match action {
            RowsAction::Loading => {
                next.entries.clear();
                next.error = None;
                next.loading = true;
            }
            RowsAction::Loaded(entries, has_earlier) => {
                next.entries = entries;
                next.has_earlier = has_earlier;
                next.loading = false;
            }
            RowsAction::Earlier(mut entries, has_earlier) => {
                let first = next.entries.first().map_or(u64::MAX, |entry| entry.seq);
                entries.retain(|entry| entry.seq < first);
                entries.append(&mut next.entries);
                next.entries = entries;
                next.has_earlier = has_earlier;
            }
            RowsAction::Live(LiveLogMessage::Entries { entries }) => {
                let last = next.entries.last().map_or(0, |entry| entry.seq);
                next.entries
                    .extend(entries.into_iter().filter(|entry| entry.seq > last));
                if next.entries.len() > MAX_ROWS {
                    let excess = next.entries.len() - MAX_ROWS;
                    next.entries.drain(..excess);
                    next.has_earlier = true;
                }
            }
            RowsAction::Live(LiveLogMessage::Gap { .. }) => next.reloads += 1,
            RowsAction::Live(LiveLogMessage::End { status }) => next.ended = Some(status),
            RowsAction::Live(LiveLogMessage::Failed { error }) | RowsAction::Failed(error) => {
                next.loading = false;
                next.error = Some(error);
            }
        }
        Rc::new(next)
    }
}

/// The first page: the newest entries, or those around `target`. Returns
/// them oldest first, whether earlier ones exist, and whether the page
/// reaches the newest entry (so live rows can follow it).
async fn first_page(
    task_id: &str,
    filter: &LogFilter,
    target: Option<u64>,
) -> Result<(Vec<LogEntry>, bool, bool), IpcError> {
    match target {
        None => {
            let newest = LogFilter {
                order: Order::Descending,
                limit: Some(PAGE),
                ..filter.clone()
            };
            let page = ipc::get_task_logs(task_id, &newest).await?;
            let has_earlier = page.next_cursor.is_some();
            let mut entries = page.entries;
            entries.reverse();
            Ok((entries, has_earlier, true))
        }
        Some(seq) => {
            let around = LogFilter {
                after_seq: Some(seq.saturating_sub(u64::from(PAGE / 2))),
                before_seq: None,
                order: Order::Ascending,
                limit: Some(PAGE),
                ..filter.clone()
            };
            let page = ipc::get_task_logs(task_id, &around).await?;
            let has_earlier = page.entries.first().is_some_and(|entry| entry.seq > 1);
            Ok((page.entries, has_earlier, page.next_cursor.is_none()))
        }
    }
}

/// Whether the panel keeps the newest row in view.
#[derive(PartialEq)]
struct Follow(bool);

enum FollowAction {
    Set(bool),
    Toggle,
}

impl Reducible for Follow {
    type Action = FollowAction;

    fn reduce(self: Rc<Self>, action: FollowAction) -> Rc<Self> {
        Rc::new(Follow(match action {
            FollowAction::Set(on) => on,
            FollowAction::Toggle => !self.0,
        }))
    }
}

/// Whether a key press goes to a text field (shortcuts must not fire then).
fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        })
}

fn focus_search() {
    let search = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector("[data-testid=\"filter-search\"]")
                .ok()
                .flatten()
        })
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(element).ok());
    if let Some(search) = search {
        let _ = search.focus();
    }
}

/// The log panel.
#[function_component(TaskLogPanel)]
pub fn task_log_panel(props: &TaskLogPanelProps) -> Html {
    let filter = use_state(LogFilter::default);
    let rows = use_reducer(Rows::default);
    let sources = use_state(Vec::<String>::new);
    let stats = use_state(|| None::<LogStats>);
    let stored_status = use_state(|| None::<TaskStatus>);
    let started_at = use_state(|| None::<chrono::DateTime<chrono::Utc>>);
    let time_mode = use_state(preferences::time_mode);
    let target = use_state(|| props.target_seq);
    let follow = use_reducer(|| Follow(props.target_seq.is_none()));
    let subscription = use_mut_ref(|| None::<LiveSubscription>);
    let list = use_node_ref();

    // Load the newest page (or the page around a linked line), then follow
    // live from its last seq.
    {
        let rows = rows.clone();
        let subscription = subscription.clone();
        let task_id = props.task_id.to_string();
        use_effect_with(
            (task_id, (*filter).clone(), rows.reloads, *target),
            move |(task_id, filter, _, target)| {
                let generation = Rc::new(RefCell::new(true));
                subscription.borrow_mut().take();
                rows.dispatch(RowsAction::Loading);
                let task_id = task_id.clone();
                let filter = filter.clone();
                let target = *target;
                let current = generation.clone();
                let slot = subscription.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let (entries, has_earlier, at_end) =
                        match first_page(&task_id, &filter, target).await {
                            Ok(loaded) => loaded,
                            Err(error) => return rows.dispatch(RowsAction::Failed(error)),
                        };
                    let after = entries.last().map_or(0, |entry| entry.seq);
                    rows.dispatch(RowsAction::Loaded(entries, has_earlier));
                    if !at_end {
                        // A linked line far from the end: no live rows until
                        // the user jumps to the latest.
                        return;
                    }
                    let live_rows = rows.clone();
                    let on_message = Callback::from(move |message| {
                        live_rows.dispatch(RowsAction::Live(message));
                    });
                    match ipc::subscribe_task_logs(&task_id, &filter, after, on_message).await {
                        // Keep it only if the panel still shows this filter.
                        Ok(live) if *current.borrow() => *slot.borrow_mut() = Some(live),
                        Ok(_) => {}
                        Err(error) => rows.dispatch(RowsAction::Failed(error)),
                    }
                });
                move || {
                    *generation.borrow_mut() = false;
                    subscription.borrow_mut().take();
                }
            },
        );
    }

    // A linked line: bring it into view once it is loaded.
    {
        let list = list.clone();
        let target = *target;
        use_effect_with((target, rows.loading), move |(target, loading)| {
            if let (Some(seq), false) = (target, loading) {
                let row = list.cast::<HtmlElement>().and_then(|element| {
                    element
                        .query_selector(&format!("[data-seq=\"{seq}\"]"))
                        .ok()
                        .flatten()
                });
                if let Some(row) = row {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    row.scroll_into_view_with_scroll_into_view_options(&options);
                }
            }
        });
    }

    // Status, sources and stats: on open and when the task ends.
    {
        let sources = sources.clone();
        let stats = stats.clone();
        let stored_status = stored_status.clone();
        let started_at = started_at.clone();
        let task_id = props.task_id.to_string();
        use_effect_with((task_id, rows.ended), move |(task_id, _)| {
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(task) = ipc::get_task(&task_id).await {
                    stored_status.set(Some(task.status));
                    started_at.set(task.started_at.or(Some(task.created_at)));
                }
                if let Ok(found) = ipc::get_task_log_sources(&task_id).await {
                    sources.set(found);
                }
                if let Ok(found) = ipc::get_task_log_stats(&task_id).await {
                    stats.set(Some(found));
                }
            });
        });
    }

    // Keyboard: `/` focuses the search box, `f` toggles follow (both only
    // when the user is not typing in a field).
    {
        let follow = follow.clone();
        use_effect_with((), move |_| {
            let handler = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
                move |event: web_sys::KeyboardEvent| {
                    if typing_in_a_field(&event)
                        || event.ctrl_key()
                        || event.meta_key()
                        || event.alt_key()
                    {
                        return;
                    }
                    match event.key().as_str() {
                        "/" => {
                            event.prevent_default();
                            focus_search();
                        }
                        "f" => follow.dispatch(FollowAction::Toggle),
                        _ => {}
                    }
                },
            );
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback(
                    "keydown",
                    wasm_bindgen::JsCast::unchecked_ref(handler.as_ref()),
                );
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "keydown",
                        wasm_bindgen::JsCast::unchecked_ref(handler.as_ref()),
                    );
                }
                drop(handler);
            }
        });
    }

    // Follow mode: keep the newest row in view.
    {
        let list = list.clone();
        let follow = follow.0;
        use_effect_with((rows.entries.len(), follow), move |_| {
            if follow && let Some(element) = list.cast::<HtmlElement>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let on_scroll = {
        let follow = follow.clone();
        let list = list.clone();
        Callback::from(move |_: Event| {
            if let Some(element) = list.cast::<HtmlElement>() {
                let at_bottom =
                    element.scroll_top() + element.client_height() >= element.scroll_height() - 24;
                if follow.0 != at_bottom {
                    follow.dispatch(FollowAction::Set(at_bottom));
                }
            }
        })
    };
    let on_follow = {
        let follow = follow.clone();
        let target = target.clone();
        Callback::from(move |_| {
            if target.is_some() {
                // Leave the linked line for the newest ones, live.
                target.set(None);
                follow.dispatch(FollowAction::Set(true));
            } else {
                follow.dispatch(FollowAction::Toggle);
            }
        })
    };
    // Earlier lines: one page before the first row, keeping the rows the
    // user is looking at where they are on screen.
    let anchor = use_mut_ref(|| None::<i32>);
    let on_earlier = {
        let rows = rows.clone();
        let filter = filter.clone();
        let task_id = props.task_id.to_string();
        let list = list.clone();
        let anchor = anchor.clone();
        let follow = follow.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(first) = rows.entries.first().map(|entry| entry.seq) else {
                return;
            };
            // Reading earlier lines: stop following the newest.
            follow.dispatch(FollowAction::Set(false));
            if let Some(element) = list.cast::<HtmlElement>() {
                *anchor.borrow_mut() = Some(element.scroll_height() - element.scroll_top());
            }
            let earlier = LogFilter {
                before_seq: Some(first),
                order: Order::Descending,
                limit: Some(PAGE),
                ..(*filter).clone()
            };
            let rows = rows.clone();
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::get_task_logs(&task_id, &earlier).await {
                    Ok(page) => {
                        let has_earlier = page.next_cursor.is_some();
                        let mut entries = page.entries;
                        entries.reverse();
                        rows.dispatch(RowsAction::Earlier(entries, has_earlier));
                    }
                    Err(error) => rows.dispatch(RowsAction::Failed(error)),
                }
            });
        })
    };
    {
        let list = list.clone();
        let anchor = anchor.clone();
        use_effect_with(rows.entries.first().map(|entry| entry.seq), move |_| {
            if let (Some(from_bottom), Some(element)) =
                (anchor.borrow_mut().take(), list.cast::<HtmlElement>())
            {
                element.set_scroll_top(element.scroll_height() - from_bottom);
            }
        });
    }

    let on_time_mode = {
        let time_mode = time_mode.clone();
        Callback::from(move |_: MouseEvent| {
            let next = time_mode.next();
            preferences::set_time_mode(next);
            time_mode.set(next);
        })
    };

    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |next: LogFilter| filter.set(next))
    };
    let on_clear = {
        let filter = filter.clone();
        Callback::from(move |_| filter.set(LogFilter::default()))
    };

    let counts = stats.as_ref().map(|stats| stats.counts);
    html! {
        <section class="log-panel" data-testid="log-panel" data-task-id={props.task_id.clone()}>
            <div class="stats-header" data-testid="stats-header">
                <span class="task-status" data-testid="panel-status">
                    { rows.ended.or(*stored_status).map_or("loading", TaskStatus::as_str) }
                </span>
                if let Some(counts) = counts {
                    <span class="count badge-debug">{ format!("{} debug", counts.debug) }</span>
                    <span class="count badge-info">{ format!("{} info", counts.info) }</span>
                    <span class="count badge-warning">{ format!("{} warning", counts.warning) }</span>
                    <span class="count badge-error">{ format!("{} error", counts.error) }</span>
                }
                <button type="button" data-testid="time-mode" title="Show times as local, UTC or elapsed"
                    onclick={on_time_mode}>
                    { time_mode.label() }
                </button>
                <span class="muted" data-testid="rows-shown">{ format!("{} shown", rows.entries.len()) }</span>
                <button
                    type="button"
                    class={classes!("follow", follow.0.then_some("on"))}
                    data-testid="follow-toggle"
                    aria-pressed={follow.0.to_string()}
                    title="Follow new lines (f)"
                    onclick={on_follow}
                >
                    { if follow.0 && target.is_none() { "Following" } else { "Jump to latest" } }
                </button>
            </div>
            <LogFilterBar filter={(*filter).clone()} sources={(*sources).clone()} on_change={on_filter} />
            if let Some(error) = rows.error.clone() {
                <ErrorBanner {error} />
            }
            <div class="log-rows" role="table" ref={list} onscroll={on_scroll}>
                if rows.has_earlier {
                    <button type="button" class="load-earlier" data-testid="load-earlier" onclick={on_earlier}>
                        { "Load earlier lines" }
                    </button>
                }
                { for rows.entries.iter().map(|entry| html! {
                    <LogEntryRow
                        key={entry.seq}
                        entry={entry.clone()}
                        search={filter.search.clone().map(AttrValue::from)}
                        time_mode={*time_mode}
                        origin={*started_at}
                        targeted={*target == Some(entry.seq)}
                    />
                }) }
            </div>
            if rows.entries.is_empty() && !rows.loading && rows.error.is_none() {
                if *filter != LogFilter::default() {
                    <div class="empty-filters">
                        <EmptyState message="No entries match these filters." />
                        <button type="button" data-testid="clear-filters" onclick={on_clear}>{ "Clear filters" }</button>
                    </div>
                } else {
                    <EmptyState message="No entries yet." />
                }
            }
        </section>
    }
}
