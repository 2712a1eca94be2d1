//! The log panel of one task: stats header, filter bar, the virtualised
//! rows (pages from the store, then live), follow mode, line detail.
//!
//! On open and on every filter change it loads the newest page matching
//! the filter from the store (or the page around a linked line), then,
//! while the rows reach the newest entry, subscribes from the last seq it
//! has, so history and live output meet without a gap or a duplicate. A
//! gap notice from the core reloads from the store. Scrolling near either
//! end loads the next page there; [`super::log_rows`] keeps what is held
//! (bounded) and only the rows on screen are in the DOM.

use std::cell::RefCell;
use std::rc::Rc;
use taskdeck_protocol::commands::{
    CountTaskLogs, GetTask, GetTaskLogSources, GetTaskLogStats, SubscribeTaskLogs,
};

use taskdeck_protocol::{
    LevelCounts, LogCount, LogFilter, LogLevel, SearchQuery, TaskStatus, TaskSummary,
};
use web_sys::HtmlElement;
use yew::prelude::*;

use super::level_jump::{self, Direction, LevelJump};
use super::log_entry_row::Highlight;
use super::log_rows::{Edge, Rows, RowsAction, first_page, hidden_stretch, next_page};
use super::log_window::{self, Slot};
use super::{ExportControl, HiddenLines, LogEntryDetail, LogEntryRow, LogFilterBar};
use crate::components::{EmptyState, ErrorBanner};
use crate::ipc::{self, LiveSubscription};
use crate::preferences;

/// How close to an end of the rows held (in rows) scrolling loads the
/// next page there: half a page, so that even a fast scroll (45 rows a
/// frame in the benchmark) finds the page there before it reaches the end
/// (with 100 rows, it waited at the top for most pages).
const EDGE_ROWS: i32 = 500;

/// Properties of [`TaskLogPanel`].
#[derive(Properties, PartialEq)]
pub struct TaskLogPanelProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// A line to open the panel on (from a link) instead of the newest.
    #[prop_or_default]
    pub target_seq: Option<u64>,
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

/// The list's scroll offset and height, in pixels.
fn measure(list: &NodeRef) -> Option<(i32, i32)> {
    list.cast::<HtmlElement>()
        .map(|element| (element.scroll_top(), element.client_height()))
}

/// The log panel.
#[function_component(TaskLogPanel)]
pub fn task_log_panel(props: &TaskLogPanelProps) -> Html {
    let filter = use_state(|| LogFilter {
        min_level: preferences::min_level(),
        ..LogFilter::default()
    });
    let rows = use_reducer(Rows::default);
    let sources = use_state(Vec::<String>::new);
    let counts = use_state(|| None::<LevelCounts>);
    let stored_status = use_state(|| None::<TaskStatus>);
    let started_at = use_state(|| None::<chrono::DateTime<chrono::Utc>>);
    let plugin_id = use_state(|| None::<String>);
    let time_mode = use_state(preferences::time_mode);
    let wrap = use_state(preferences::wrap);
    let row_height = log_window::row_height(*wrap);
    let target = use_state(|| props.target_seq);
    let follow = use_reducer(|| Follow(props.target_seq.is_none()));
    let expanded = use_state(|| None::<u64>);
    let viewport = use_state_eq(|| (0, 0));
    let subscription = use_mut_ref(|| None::<LiveSubscription>);
    let list = use_node_ref();
    // Error navigation: the jump asked for, and what to say when it finds
    // nothing; whether a failed task was opened on its first error yet.
    let jump = use_state(|| None::<LevelJump>);
    let jump_notice = use_state(|| None::<String>);
    let landed = use_mut_ref(|| false);

    // Load the newest page (or the page around a linked line).
    {
        let rows = rows.clone();
        let task_id = props.task_id.to_string();
        use_effect_with(
            (task_id, (*filter).clone(), rows.reloads, *target),
            move |(task_id, filter, _, target)| {
                let current = Rc::new(RefCell::new(true));
                rows.dispatch(RowsAction::Loading);
                let task_id = task_id.clone();
                let filter = filter.clone();
                let target = *target;
                let still_current = current.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let loaded = first_page(&task_id, &filter, target).await;
                    // A newer filter or reload owns the rows now.
                    if !*still_current.borrow() {
                        return;
                    }
                    match loaded {
                        Ok((entries, has_earlier, has_later)) => {
                            let parted = filter.wants_context();
                            rows.dispatch(RowsAction::Loaded(
                                entries,
                                has_earlier,
                                has_later,
                                parted,
                            ));
                        }
                        Err(error) => rows.dispatch(RowsAction::Failed(error)),
                    }
                });
                move || *current.borrow_mut() = false
            },
        );
    }

    // Live rows after the last one held, while the rows reach the newest
    // entry; history and live output meet without a gap or a duplicate.
    {
        let rows = rows.clone();
        let subscription = subscription.clone();
        let task_id = props.task_id.to_string();
        use_effect_with(
            (task_id, (*filter).clone(), rows.live_after, rows.reloads),
            move |(task_id, filter, live_after, _)| {
                let current = Rc::new(RefCell::new(true));
                subscription.borrow_mut().take();
                if let Some(after) = *live_after {
                    let task_id = task_id.clone();
                    let filter = filter.clone();
                    let still_current = current.clone();
                    let slot = subscription.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let live_rows = rows.clone();
                        // The core starts sending before the subscription
                        // call returns: messages for a filter the panel has
                        // left (the user picked a source meanwhile) must not
                        // reach the new filter's rows.
                        let wanted = still_current.clone();
                        let on_message = Callback::from(move |message| {
                            if *wanted.borrow() {
                                live_rows.dispatch(RowsAction::Live(message));
                            }
                        });
                        let args = SubscribeTaskLogs {
                            task_id,
                            filter,
                            after_seq: Some(after),
                        };
                        match ipc::subscribe_task_logs(&args, on_message).await {
                            // Keep it only if the panel still wants it.
                            Ok(live) if *still_current.borrow() => {
                                *slot.borrow_mut() = Some(live);
                            }
                            Ok(_) => {}
                            Err(error) => rows.dispatch(RowsAction::Failed(error)),
                        }
                    });
                }
                move || {
                    *current.borrow_mut() = false;
                    subscription.borrow_mut().take();
                }
            },
        );
    }

    // Loads the page beyond an end of the rows held.
    let fetch = {
        let rows = rows.clone();
        let filter = filter.clone();
        let task_id = props.task_id.to_string();
        Callback::from(move |edge: Edge| {
            let from = match edge {
                Edge::Earlier if rows.window.has_earlier => rows.window.first_seq(),
                Edge::Later if rows.window.has_later => rows.window.last_seq(),
                _ => None,
            };
            let Some(from) = from else {
                return;
            };
            if rows.fetching || rows.loading {
                return;
            }
            rows.dispatch(RowsAction::Fetching);
            let generation = rows.generation;
            let rows = rows.clone();
            let filter = (*filter).clone();
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match next_page(&task_id, &filter, edge, from).await {
                    Ok((entries, more)) => {
                        rows.dispatch(RowsAction::Page(generation, edge, entries, more));
                    }
                    Err(error) => rows.dispatch(RowsAction::Failed(error)),
                }
            });
        })
    };

    // Rows added or dropped above the viewport: scroll by as much, so the
    // rows being read stay where they are.
    {
        let list = list.clone();
        let viewport = viewport.clone();
        let applied = use_mut_ref(|| 0_i64);
        let following = follow.0;
        use_effect_with(rows.shifted, move |shifted| {
            let change = (*shifted - std::mem::replace(&mut *applied.borrow_mut(), *shifted))
                * i64::from(row_height);
            if !following
                && change != 0
                && let Some(element) = list.cast::<HtmlElement>()
            {
                let change = i32::try_from(change).unwrap_or(0);
                element.set_scroll_top(element.scroll_top() + change);
                if let Some(measured) = measure(&list) {
                    viewport.set(measured);
                }
            }
        });
    }

    // Wrapping changes every row's height: keep the top row in place.
    {
        let list = list.clone();
        let viewport = viewport.clone();
        let previous = use_mut_ref(|| row_height);
        use_effect_with(row_height, move |row_height| {
            let before = std::mem::replace(&mut *previous.borrow_mut(), *row_height);
            if before != *row_height
                && let Some(element) = list.cast::<HtmlElement>()
            {
                let top_row = element.scroll_top() / before.max(1);
                element.set_scroll_top(top_row * row_height);
                if let Some(measured) = measure(&list) {
                    viewport.set(measured);
                }
            }
        });
    }

    // A linked line: bring it to the middle of the list once it is loaded.
    {
        let list = list.clone();
        let viewport = viewport.clone();
        let index = target.and_then(|seq| rows.window.slot_of(seq));
        use_effect_with((*target, index), move |(_, index)| {
            if let (Some(index), Some(element)) = (index, list.cast::<HtmlElement>()) {
                let middle =
                    log_window::rows_height(*index, row_height) - element.client_height() / 2;
                element.set_scroll_top(middle.max(0));
                if let Some(measured) = measure(&list) {
                    viewport.set(measured);
                }
            }
        });
    }

    // Status, sources and counts: on open and when the task ends; counts
    // and status also as the core pushes them while the task runs.
    {
        let sources = sources.clone();
        let counts = counts.clone();
        let stored_status = stored_status.clone();
        let started_at = started_at.clone();
        let plugin_id = plugin_id.clone();
        let task_id = props.task_id.to_string();
        use_effect_with((task_id, rows.ended), move |(task_id, _)| {
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(task) = ipc::invoke(&GetTask {
                    task_id: task_id.clone(),
                })
                .await
                {
                    stored_status.set(Some(task.status));
                    started_at.set(task.started_at.or(Some(task.created_at)));
                    plugin_id.set(Some(task.plugin_id));
                }
                if let Ok(found) = ipc::invoke(&GetTaskLogSources {
                    task_id: task_id.clone(),
                })
                .await
                {
                    sources.set(found);
                }
                if let Ok(found) = ipc::invoke(&GetTaskLogStats {
                    task_id: task_id.clone(),
                })
                .await
                {
                    counts.set(Some(found.counts));
                }
            });
        });
    }
    {
        let counts = counts.clone();
        let stored_status = stored_status.clone();
        let task_id = props.task_id.to_string();
        use_effect_with(task_id, move |task_id| {
            let task_id = task_id.clone();
            let listener = ipc::listen_task_updates(Callback::from(move |summary: TaskSummary| {
                if summary.id == task_id {
                    counts.set(Some(summary.counts));
                    stored_status.set(Some(summary.status));
                }
            }))
            .ok();
            move || drop(listener)
        });
    }

    // How many entries match the filter: on every filter change, and again
    // as a running task's counts move.
    let matches = use_state(|| None::<LogCount>);
    {
        let matches = matches.clone();
        let task_id = props.task_id.to_string();
        let total = counts.map(|counts| counts.total());
        use_effect_with(
            (task_id, (*filter).clone(), total),
            move |(task_id, filter, _)| {
                let current = Rc::new(RefCell::new(true));
                if *filter == LogFilter::default() {
                    matches.set(None);
                } else {
                    let task_id = task_id.clone();
                    let filter = filter.clone();
                    let still_current = current.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        // A bad search is reported by the rows' query.
                        let counted = ipc::invoke(&CountTaskLogs {
                            task_id: task_id.clone(),
                            filter: filter.clone(),
                        })
                        .await
                        .ok();
                        if *still_current.borrow() {
                            matches.set(counted);
                        }
                    });
                }
                move || *current.borrow_mut() = false
            },
        );
    }

    // Keyboard: `/` focuses the search box, `f` toggles follow, Esc closes
    // the line detail (only when the user is not typing in a field). A
    // resized window changes how many rows fit.
    {
        let follow = follow.clone();
        let expanded = expanded.clone();
        let viewport = viewport.clone();
        let list = list.clone();
        let jump = jump.clone();
        use_effect_with((), move |_| {
            let on_key = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
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
                        "Escape" => expanded.set(None),
                        key => {
                            if let Some(wanted) = LevelJump::for_key(key) {
                                event.prevent_default();
                                jump.set(Some(wanted));
                            }
                        }
                    }
                },
            );
            let on_resize = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if let Some(measured) = measure(&list) {
                    viewport.set(measured);
                }
            });
            let window = web_sys::window();
            let listeners = [("keydown", on_key.as_ref()), ("resize", on_resize.as_ref())];
            if let Some(window) = &window {
                for (event, handler) in listeners {
                    let _ = window.add_event_listener_with_callback(
                        event,
                        wasm_bindgen::JsCast::unchecked_ref(handler),
                    );
                }
            }
            move || {
                if let Some(window) = window {
                    let listeners = [("keydown", on_key.as_ref()), ("resize", on_resize.as_ref())];
                    for (event, handler) in listeners {
                        let _ = window.remove_event_listener_with_callback(
                            event,
                            wasm_bindgen::JsCast::unchecked_ref(handler),
                        );
                    }
                }
                drop((on_key, on_resize));
            }
        });
    }

    // Where the list was last scrolled to, by the user or by follow mode.
    let last_top = use_mut_ref(|| 0_i32);
    // Follow mode: keep the newest row in view; rows that stopped short of
    // the newest reload from it first.
    {
        let list = list.clone();
        let last_top = last_top.clone();
        let viewport = viewport.clone();
        let rows = rows.clone();
        let target = target.clone();
        let following = follow.0;
        let has_later = rows.window.has_later;
        use_effect_with(
            (
                rows.window.len(),
                rows.window.last_seq(),
                following,
                has_later,
            ),
            move |_| {
                if !following {
                    return;
                }
                if target.is_some() {
                    // Leave the linked line for the newest ones.
                    target.set(None);
                } else if has_later {
                    rows.dispatch(RowsAction::Reload);
                } else if let Some(element) = list.cast::<HtmlElement>() {
                    element.set_scroll_top(element.scroll_height());
                    // A scroll up in the same frame comes as one event with
                    // this one: it must be judged against the bottom.
                    *last_top.borrow_mut() = element.scroll_top();
                    if let Some(measured) = measure(&list) {
                        viewport.set(measured);
                    }
                }
            },
        );
    }
    // Follow pauses as soon as the user scrolls up and resumes at the
    // bottom. Only a move up counts as leaving: rows arriving or being
    // trimmed never move the view up while following, whereas judging by
    // "not at the bottom" misread scroll events that ran between a render
    // and the scroll that follows it.
    let on_scroll = {
        let follow = follow.clone();
        let list = list.clone();
        let viewport = viewport.clone();
        let fetch = fetch.clone();
        let last_top = last_top.clone();
        // Reaching the bottom resumes following, unless the rows stop
        // short of the newest or the user came for a linked line.
        let may_follow = !rows.window.has_later && target.is_none();
        Callback::from(move |_: Event| {
            let Some(element) = list.cast::<HtmlElement>() else {
                return;
            };
            let (top, height) = (element.scroll_top(), element.client_height());
            viewport.set((top, height));
            let bottom = element.scroll_height() - top - height;
            let moved_up = top < std::mem::replace(&mut *last_top.borrow_mut(), top);
            let at_bottom = bottom <= row_height;
            if at_bottom && may_follow && !follow.0 {
                follow.dispatch(FollowAction::Set(true));
            } else if follow.0 && moved_up && !at_bottom {
                follow.dispatch(FollowAction::Set(false));
            }
            let edge = EDGE_ROWS * row_height;
            if top < edge {
                fetch.emit(Edge::Earlier);
            }
            if bottom < edge {
                fetch.emit(Edge::Later);
            }
        })
    };
    let on_follow = {
        let follow = follow.clone();
        Callback::from(move |_| follow.dispatch(FollowAction::Toggle))
    };
    // The same callback from render to render (until the open line
    // changes), so rows whose entry did not change skip rendering while
    // the list scrolls.
    let on_expand = use_callback(
        expanded.clone(),
        |seq: u64, expanded: &UseStateHandle<Option<u64>>| {
            expanded.set((**expanded != Some(seq)).then_some(seq));
        },
    );
    // A hidden stretch between lines shown with context: read it and put
    // it in place.
    let on_open_hidden = {
        let rows = rows.clone();
        let task_id = props.task_id.to_string();
        Callback::from(move |(after, before): (u64, u64)| {
            let rows = rows.clone();
            let task_id = task_id.clone();
            let generation = rows.generation;
            wasm_bindgen_futures::spawn_local(async move {
                match hidden_stretch(&task_id, after, before).await {
                    Ok(entries) => rows.dispatch(RowsAction::Filled(generation, entries)),
                    Err(error) => rows.dispatch(RowsAction::Failed(error)),
                }
            });
        })
    };
    // Next / previous match: the matching row after (before) the open one,
    // or the first on screen; at the end of the rows held, the next page loads
    // (the next step reaches it).
    // A step asked for while the first page of a new search is loading
    // waits for it (else Enter right after the match count shows would be
    // lost).
    let pending_step = use_mut_ref(|| None::<i32>);
    let on_step = {
        let expanded = expanded.clone();
        let rows = rows.clone();
        let fetch = fetch.clone();
        let viewport = viewport.clone();
        let pending_step = pending_step.clone();
        Callback::from(move |step: i32| {
            if rows.loading {
                *pending_step.borrow_mut() = Some(step);
                return;
            }
            let held = rows.window.entries();
            if held.is_empty() {
                return;
            }
            let top = usize::try_from(viewport.0 / row_height).unwrap_or(0);
            let on_screen = rows
                .window
                .entry_at_slot(top)
                .and_then(|entry| rows.window.index_of(entry.seq));
            let from = expanded.and_then(|seq| rows.window.index_of(seq));
            // Context rows are passed over: a step goes from match to match.
            let is_match = |index: &usize| !held[*index].context;
            let next = match (from, step > 0) {
                (None, _) => {
                    (on_screen.unwrap_or(0).min(held.len() - 1)..held.len()).find(is_match)
                }
                (Some(index), true) => (index + 1..held.len()).find(is_match),
                (Some(index), false) => (0..index).rev().find(is_match),
            };
            match next {
                Some(index) => expanded.set(Some(held[index].seq)),
                None => fetch.emit(if step > 0 { Edge::Later } else { Edge::Earlier }),
            }
        })
    };
    {
        let on_step = on_step.clone();
        use_effect_with(rows.loading, move |loading| {
            if !*loading && let Some(step) = pending_step.borrow_mut().take() {
                on_step.emit(step);
            }
        });
    }
    // The open row is brought into view when it is off screen.
    {
        let list = list.clone();
        let viewport = viewport.clone();
        let index = expanded.and_then(|seq| rows.window.slot_of(seq));
        use_effect_with(*expanded, move |_| {
            if let (Some(index), Some(element)) = (index, list.cast::<HtmlElement>()) {
                let top = log_window::rows_height(index, row_height);
                let height = element.client_height();
                let scroll = element.scroll_top();
                if top < scroll || top + row_height > scroll + height {
                    element.set_scroll_top((top - height / 2).max(0));
                    if let Some(measured) = measure(&list) {
                        viewport.set(measured);
                    }
                }
            }
        });
    }
    let on_close_detail = {
        let expanded = expanded.clone();
        Callback::from(move |()| expanded.set(None))
    };

    let on_time_mode = {
        let time_mode = time_mode.clone();
        Callback::from(move |_: MouseEvent| {
            let next = time_mode.next();
            preferences::set_time_mode(next);
            time_mode.set(next);
        })
    };

    let on_wrap = {
        let wrap = wrap.clone();
        Callback::from(move |_: MouseEvent| {
            preferences::set_wrap(!*wrap);
            wrap.set(!*wrap);
        })
    };

    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |next: LogFilter| {
            if next.min_level != filter.min_level {
                preferences::set_min_level(next.min_level);
            }
            filter.set(next);
        })
    };
    let on_clear = {
        let on_filter = on_filter.clone();
        Callback::from(move |_| on_filter.emit(LogFilter::default()))
    };

    // After every render, the rows shown must be those of the list's real
    // scroll position: the browser moves it without a scroll event when
    // the list's height changes under it (rows dropped, a new filter's
    // first page), and a stale position rendered rows out of sight — an
    // empty view until the user scrolled. `use_state_eq` makes this a no-op
    // when nothing moved.
    {
        let list = list.clone();
        let viewport = viewport.clone();
        use_effect(move || {
            if let Some(measured) = measure(&list) {
                viewport.set(measured);
            }
        });
    }

    // A jump: find the entry in the core, then open the panel on it (as a
    // link to the line does) with its detail open. From the open line, or
    // the first row on screen.
    {
        let jump = jump.clone();
        let jump_notice = jump_notice.clone();
        let target = target.clone();
        let expanded = expanded.clone();
        let follow = follow.clone();
        let task_id = props.task_id.to_string();
        let filter = (*filter).clone();
        let top = usize::try_from(viewport.0 / row_height).unwrap_or(0);
        let current = (*expanded)
            .or(*target)
            .or_else(|| rows.window.entry_at_slot(top).map(|entry| entry.seq));
        use_effect_with(*jump, move |wanted| {
            if let Some(wanted) = *wanted {
                jump.set(None);
                wasm_bindgen_futures::spawn_local(async move {
                    match level_jump::find(&task_id, &filter, wanted, current).await {
                        Ok(Some(seq)) => {
                            jump_notice.set(None);
                            follow.dispatch(FollowAction::Set(false));
                            target.set(Some(seq));
                            expanded.set(Some(seq));
                        }
                        Ok(None) => jump_notice.set(Some(wanted.nothing_found())),
                        Err(error) => jump_notice.set(Some(error.message)),
                    }
                });
            }
        });
    }
    // A failed task opens on its first error (unless a link names a line).
    {
        let jump = jump.clone();
        let landed = landed.clone();
        let linked = props.target_seq.is_some();
        use_effect_with(*stored_status, move |status| {
            if let Some(status) = *status {
                let first_look = !std::mem::replace(&mut *landed.borrow_mut(), true);
                if first_look && !linked && status == TaskStatus::Failed {
                    jump.set(Some(LevelJump {
                        level: LogLevel::Error,
                        direction: Direction::First,
                    }));
                }
            }
        });
    }
    let on_first_error = {
        let jump = jump.clone();
        Callback::from(move |_: MouseEvent| {
            jump.set(Some(LevelJump {
                level: LogLevel::Error,
                direction: Direction::First,
            }));
        })
    };

    // Rows highlight with the search the core ran, compiled once per filter.
    let highlight = use_memo(
        (
            filter.search.clone(),
            filter.search_mode,
            filter.case_sensitive,
        ),
        |(search, mode, case_sensitive)| {
            let query = SearchQuery {
                text: search.clone()?,
                mode: *mode,
                case_sensitive: *case_sensitive,
            };
            query
                .compile()
                .ok()
                .map(|matcher| Highlight(Rc::new(matcher)))
        },
    );
    let held = rows.window.entries();
    let highlight = (*highlight).clone();
    let (scroll_top, height) = *viewport;
    let slots = rows.window.slots();
    let shown = log_window::visible_rows(slots.len(), scroll_top, height, row_height);
    let offset = log_window::rows_height(shown.start, row_height);
    let detail = expanded
        .and_then(|seq| rows.window.index_of(seq))
        .map(|index| &held[index]);
    let following = follow.0 && target.is_none() && !rows.window.has_later;
    html! {
        <section class="log-panel" data-testid="log-panel" data-task-id={props.task_id.clone()}>
            <div class="stats-header" data-testid="stats-header">
                <span class="task-status" data-testid="panel-status">
                    { rows.ended.or(*stored_status).map_or("loading", TaskStatus::as_str) }
                </span>
                if let Some(counts) = *counts {
                    <span class="count badge-debug" data-testid="count-debug">{ format!("{} debug", counts.debug) }</span>
                    <span class="count badge-info" data-testid="count-info">{ format!("{} info", counts.info) }</span>
                    <span class="count badge-warning" data-testid="count-warning">{ format!("{} warning", counts.warning) }</span>
                    <button type="button" class="count badge-error" data-testid="count-error"
                        title="Go to the first error (e / E: next / previous error, w / W: warnings)"
                        disabled={counts.error == 0} onclick={on_first_error}>
                        { format!("{} error", counts.error) }
                    </button>
                }
                <button type="button" data-testid="time-mode" title="Show times as local, UTC or elapsed"
                    onclick={on_time_mode}>
                    { time_mode.label() }
                </button>
                <button type="button" data-testid="wrap-toggle" aria-pressed={wrap.to_string()}
                    class={classes!(wrap.then_some("on"))}
                    title="Wrap long messages (up to three lines a row; the line detail shows all)"
                    onclick={on_wrap}>
                    { "Wrap" }
                </button>
                <span class="muted" data-testid="rows-shown" title="Lines held in the view; more load as you scroll">
                    { format!("{} loaded", held.len()) }
                </span>
                if let Some(notice) = &*jump_notice {
                    <span class="muted" data-testid="jump-notice" role="status">{ notice.clone() }</span>
                }
                if rows.fetching || rows.loading {
                    <span class="muted" data-testid="rows-loading">{ "Loading…" }</span>
                }
                <button
                    type="button"
                    class={classes!("follow", following.then_some("on"))}
                    data-testid="follow-toggle"
                    aria-pressed={following.to_string()}
                    title="Follow new lines (f)"
                    onclick={on_follow}
                >
                    { if following { "Following" } else { "Jump to latest" } }
                </button>
                <ExportControl task_ids={vec![props.task_id.to_string()]} plugin_id={(*plugin_id).clone()}
                    started_at={*started_at} filter={(*filter).clone()}
                    total={counts.map(|counts| counts.total())}
                    matching={matches.map(|count| count.matching)} />
            </div>
            <LogFilterBar filter={(*filter).clone()} sources={(*sources).clone()} counts={*counts}
                matches={*matches} on_change={on_filter} {on_step} />
            if let Some(error) = rows.error.clone() {
                <ErrorBanner {error} />
            }
            <div class={classes!("log-rows", detail.is_some().then_some("with-detail"), wrap.then_some("wrapped"))}
                role="table" tabindex="0" data-testid="log-rows" ref={list} onscroll={on_scroll}>
                <div class="log-canvas" style={format!("height: {}px", log_window::rows_height(slots.len(), row_height))}>
                    <div class="log-visible" style={format!("top: {offset}px")}>
                        { for slots[shown].iter().map(|slot| match *slot {
                            Slot::Entry(index) => {
                                let entry = &held[index];
                                html! {
                                    <LogEntryRow
                                        key={entry.seq}
                                        entry={entry.clone()}
                                        highlight={highlight.clone()}
                                        time_mode={*time_mode}
                                        origin={*started_at}
                                        targeted={*target == Some(entry.seq)}
                                        expanded={*expanded == Some(entry.seq)}
                                        on_expand={on_expand.clone()}
                                    />
                                }
                            }
                            Slot::Hidden { after, before } => html! {
                                <HiddenLines key={format!("hidden-{after}")} {after} {before}
                                    on_open={on_open_hidden.clone()} />
                            },
                        }) }
                    </div>
                </div>
            </div>
            if let Some(entry) = detail {
                <LogEntryDetail entry={entry.clone()} on_close={on_close_detail} />
            }
            if held.is_empty() && !rows.loading && rows.error.is_none() {
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
