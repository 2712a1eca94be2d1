//! How the panel's rows fill: the first page on open and on every filter
//! change (or the page around a linked line), the live tail after the last
//! row held while the rows reach the newest entry, the page beyond either
//! end as the user scrolls, and a hidden stretch the user opens.
//!
//! Each load checks, when it lands, that the panel still wants it: a newer
//! filter or reload owns the rows by then.

use std::cell::RefCell;
use std::rc::Rc;

use taskdeck_protocol::LogFilter;
use taskdeck_protocol::commands::SubscribeTaskLogs;
use yew::prelude::*;

use super::pages::{first_page, hidden_stretch, next_page};
use super::rows::{Edge, Rows, RowsAction};
use crate::ipc::{self, LiveSubscription};

/// Loads the newest page matching `filter` (or the page around `target`)
/// whenever the task, the filter, a reload or the target changes.
#[hook]
pub fn use_first_page(
    task_id: String,
    filter: LogFilter,
    rows: UseReducerHandle<Rows>,
    target: Option<u64>,
) {
    let reloads = rows.reloads;
    use_effect_with(
        (task_id, filter, reloads, target),
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
                        rows.dispatch(RowsAction::Loaded(entries, has_earlier, has_later, parted));
                    }
                    Err(error) => rows.dispatch(RowsAction::Failed(error)),
                }
            });
            move || *current.borrow_mut() = false
        },
    );
}

/// Live rows after the last one held, while the rows reach the newest
/// entry; history and live output meet without a gap or a duplicate.
#[hook]
pub fn use_live_tail(task_id: String, filter: LogFilter, rows: UseReducerHandle<Rows>) {
    let subscription = use_mut_ref(|| None::<LiveSubscription>);
    let (live_after, reloads) = (rows.live_after, rows.reloads);
    use_effect_with(
        (task_id, filter, live_after, reloads),
        move |(task_id, filter, live_after, _)| {
            let current = Rc::new(RefCell::new(true));
            subscription.borrow_mut().take();
            if let Some(after) = *live_after {
                let args = SubscribeTaskLogs {
                    task_id: task_id.clone(),
                    filter: filter.clone(),
                    after_seq: Some(after),
                };
                let still_current = current.clone();
                let slot = subscription.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let live_rows = rows.clone();
                    // The core starts sending before the subscription call
                    // returns: messages for a filter the panel has left (the
                    // user picked a source meanwhile) must not reach the new
                    // filter's rows.
                    let wanted = still_current.clone();
                    let on_message = Callback::from(move |message| {
                        if *wanted.borrow() {
                            live_rows.dispatch(RowsAction::Live(message));
                        }
                    });
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

/// Loads the page beyond an end of the rows held (one at a time; none
/// while the first page loads).
pub fn page_fetcher(
    task_id: String,
    filter: LogFilter,
    rows: UseReducerHandle<Rows>,
) -> Callback<Edge> {
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
        let filter = filter.clone();
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
}

/// Reads a hidden stretch between lines shown with context, given as the
/// lines around it, and puts it in place.
pub fn stretch_opener(task_id: String, rows: UseReducerHandle<Rows>) -> Callback<(u64, u64)> {
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
}
