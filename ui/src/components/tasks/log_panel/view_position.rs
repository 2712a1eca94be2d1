//! Keeping the view where the reader expects it: rows added or dropped
//! above the viewport move the scroll by as much, wrapping keeps the top
//! row, a linked line comes to the middle once loaded (and again until it
//! is really in view), the open row is brought into view, and after every
//! render and every change of the list's own size the rows shown are those
//! of the list's real scroll position.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlElement, ResizeObserver};
use yew::prelude::*;

use super::follow::Scrolling;
use super::rows::Rows;
use super::window;

/// The scroll adjustments above, for the rows `rows` with the linked line
/// `target` and the open line `expanded`, while following or not.
#[hook]
pub fn use_view_position(
    scrolling: Scrolling,
    following: bool,
    rows: UseReducerHandle<Rows>,
    target: Option<u64>,
    expanded: Option<u64>,
) {
    let row_height = scrolling.row_height;
    // Rows added or dropped above the viewport: scroll by as much, so the
    // rows being read stay where they are.
    {
        let scrolling = scrolling.clone();
        let applied = use_mut_ref(|| 0_i64);
        use_effect_with(rows.shifted, move |shifted| {
            let change = (*shifted - std::mem::replace(&mut *applied.borrow_mut(), *shifted))
                * i64::from(row_height);
            if !following
                && change != 0
                && let Some(element) = scrolling.list.cast::<HtmlElement>()
            {
                let change = i32::try_from(change).unwrap_or(0);
                element.set_scroll_top(element.scroll_top() + change);
                scrolling.remeasure();
            }
        });
    }
    // Wrapping changes every row's height: keep the top row in place.
    {
        let scrolling = scrolling.clone();
        let previous = use_mut_ref(|| row_height);
        use_effect_with(row_height, move |row_height| {
            let before = std::mem::replace(&mut *previous.borrow_mut(), *row_height);
            if before != *row_height
                && let Some(element) = scrolling.list.cast::<HtmlElement>()
            {
                let top_row = element.scroll_top() / before.max(1);
                element.set_scroll_top(top_row * row_height);
                scrolling.remeasure();
            }
        });
    }
    // A linked line: bring it to the middle of the list once it is loaded.
    // The list may not have its final size yet (the layout around the
    // panel settles after it: a summary line loads above it, the detail
    // opens below), and a scroll asked of a list too short for it is
    // clamped; the landing stays pending, and is tried again after every
    // render and resize, until the line is really in view.
    let landing = use_mut_ref(|| None::<u64>);
    {
        let scrolling = scrolling.clone();
        let landing = landing.clone();
        let index = target.and_then(|seq| rows.window.slot_of(seq));
        use_effect_with((target, index), move |(target, index)| {
            *landing.borrow_mut() = *target;
            if let (Some(index), Some(element)) = (index, scrolling.list.cast::<HtmlElement>()) {
                land(&element, *index, row_height, &landing);
                scrolling.remeasure();
            }
        });
    }
    // The open row is brought into view when it is off screen.
    {
        let scrolling = scrolling.clone();
        let index = expanded.and_then(|seq| rows.window.slot_of(seq));
        use_effect_with(expanded, move |_| {
            if let (Some(index), Some(element)) = (index, scrolling.list.cast::<HtmlElement>()) {
                let top = window::rows_height(index, row_height);
                let height = element.client_height();
                let scroll = element.scroll_top();
                if top < scroll || top + row_height > scroll + height {
                    element.set_scroll_top((top - height / 2).max(0));
                    scrolling.remeasure();
                }
            }
        });
    }
    // After every render, the rows shown must be those of the list's real
    // scroll position: the browser moves it without a scroll event when
    // the list's height changes under it (rows dropped, a new filter's
    // first page), and a stale position rendered rows out of sight — an
    // empty view until the user scrolled. `use_state_eq` makes this a no-op
    // when nothing moved. A landing still pending is tried again first.
    {
        let scrolling = scrolling.clone();
        let pending = landing.borrow().and_then(|seq| rows.window.slot_of(seq));
        use_effect(move || {
            if let (Some(index), Some(element)) = (pending, scrolling.list.cast::<HtmlElement>())
                && !in_view(&element, index, row_height)
            {
                land(&element, index, row_height, &landing);
            }
            scrolling.remeasure();
        });
    }
    use_remeasure_on_resize(scrolling);
}

/// Scrolls `list` so that row `index` is in its middle; the landing is
/// over (`landing` cleared) once the row is wholly in view.
fn land(list: &HtmlElement, index: usize, row_height: i32, landing: &RefCell<Option<u64>>) {
    let middle = window::rows_height(index, row_height) + row_height / 2 - list.client_height() / 2;
    list.set_scroll_top(middle.max(0));
    if in_view(list, index, row_height) {
        *landing.borrow_mut() = None;
    }
}

/// Whether row `index` is wholly inside `list`'s viewport (never for a
/// list with no height: it is not laid out yet).
fn in_view(list: &HtmlElement, index: usize, row_height: i32) -> bool {
    let (top, height) = (list.scroll_top(), list.client_height());
    let row = window::rows_height(index, row_height);
    height >= row_height && row >= top && row + row_height <= top + height
}

/// Measures the list again whenever its own size changes: the window was
/// resized, the line detail opened or closed, or the layout around the
/// panel settled. None of these renders the panel, and a stale height drew
/// too few rows (a blank stretch at the bottom) or kept a landing waiting.
#[hook]
fn use_remeasure_on_resize(scrolling: Scrolling) {
    use_effect_with((), move |_| {
        let observer = scrolling.list.cast::<Element>().and_then(|list| {
            let on_resize = Closure::<dyn FnMut()>::new(move || scrolling.remeasure());
            let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
            observer.observe(&list);
            Some((observer, on_resize))
        });
        // Disconnected before its callback is dropped.
        move || {
            if let Some((observer, on_resize)) = observer {
                observer.disconnect();
                drop(on_resize);
            }
        }
    });
}
