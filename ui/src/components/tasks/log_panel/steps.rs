//! Next / previous match (Enter, Shift+Enter, the arrows beside the
//! search): the matching row after (before) the open one, or the first on
//! screen; at the end of the rows held, the next page loads (the next step
//! reaches it).

use yew::prelude::*;

use super::rows::{Edge, Rows};

/// The step callback (`1` next, `-1` previous) for rows `rows` scrolled to
/// `scroll_top`, opening the row it lands on in `expanded`; `fetch` loads
/// the next page.
#[hook]
pub fn use_match_steps(
    rows: UseReducerHandle<Rows>,
    expanded: UseStateHandle<Option<u64>>,
    fetch: Callback<Edge>,
    scroll_top: i32,
    row_height: i32,
) -> Callback<i32> {
    let loading = rows.loading;
    // A step asked for while the first page of a new search is loading
    // waits for it (else Enter right after the match count shows would be
    // lost).
    let pending_step = use_mut_ref(|| None::<i32>);
    let on_step = {
        let expanded = expanded.clone();
        let rows = rows.clone();
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
            let top = usize::try_from(scroll_top / row_height).unwrap_or(0);
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
        use_effect_with(loading, move |loading| {
            if !*loading && let Some(step) = pending_step.borrow_mut().take() {
                on_step.emit(step);
            }
        });
    }
    on_step
}
