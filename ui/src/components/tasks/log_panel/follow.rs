//! Follow mode: whether the panel keeps the newest row in view, the
//! scrolling that does it, and the scroll handler that pauses it when the
//! user scrolls up, resumes it at the bottom, and loads the next page near
//! either end.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use super::rows::{Edge, Rows, RowsAction};

/// How close to an end of the rows held (in rows) scrolling loads the
/// next page there: half a page, so that even a fast scroll finds the page
/// there before it reaches the end (with a tenth of a page, the
/// `ui_large_log` benchmark's scroll waited at the top for most pages).
const EDGE_ROWS: i32 = 500;

/// Whether the panel keeps the newest row in view.
#[derive(PartialEq)]
pub struct Follow(pub bool);

/// What changes [`Follow`].
pub enum FollowAction {
    /// Follow or not.
    Set(bool),
    /// The other way round.
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

/// The list's scroll offset and height, in pixels.
pub fn measure(list: &NodeRef) -> Option<(i32, i32)> {
    list.cast::<HtmlElement>()
        .map(|element| (element.scroll_top(), element.client_height()))
}

/// What the follow hooks and the scroll handler share.
#[derive(Clone)]
pub struct Scrolling {
    /// The list element.
    pub list: NodeRef,
    /// The list's scroll offset and height as last measured.
    pub viewport: UseStateHandle<(i32, i32)>,
    /// Where the list was last scrolled to, by the user or by follow mode.
    pub last_top: Rc<RefCell<i32>>,
    /// Every row's height, in pixels.
    pub row_height: i32,
}

impl Scrolling {
    /// Measures the list again.
    pub fn remeasure(&self) {
        if let Some(measured) = measure(&self.list) {
            self.viewport.set(measured);
        }
    }
}

/// Follow mode: keeps the newest row in view; rows that stopped short of
/// the newest reload from it first, and a linked line is left for them.
#[hook]
pub fn use_follow_scroll(
    scrolling: Scrolling,
    following: bool,
    rows: UseReducerHandle<Rows>,
    target: UseStateHandle<Option<u64>>,
) {
    let has_later = rows.window.has_later;
    let deps = (
        rows.window.len(),
        rows.window.last_seq(),
        following,
        has_later,
    );
    use_effect_with(deps, move |_| {
        if !following {
            return;
        }
        if target.is_some() {
            // Leave the linked line for the newest ones.
            target.set(None);
        } else if has_later {
            rows.dispatch(RowsAction::Reload);
        } else if let Some(element) = scrolling.list.cast::<HtmlElement>() {
            element.set_scroll_top(element.scroll_height());
            // A scroll up in the same frame comes as one event with this
            // one: it must be judged against the bottom.
            *scrolling.last_top.borrow_mut() = element.scroll_top();
            scrolling.remeasure();
        }
    });
}

/// The list's scroll handler. Follow pauses as soon as the user scrolls
/// up and resumes at the bottom (`may_follow`: unless the rows stop short
/// of the newest or the user came for a linked line). Only a move up
/// counts as leaving: rows arriving or being trimmed never move the view
/// up while following, whereas judging by "not at the bottom" misread
/// scroll events that ran between a render and the scroll that follows
/// it. Near either end, `fetch` loads the next page there.
pub fn scroll_handler(
    scrolling: Scrolling,
    follow: UseReducerHandle<Follow>,
    may_follow: bool,
    fetch: Callback<Edge>,
) -> Callback<Event> {
    Callback::from(move |_: Event| {
        let Some(element) = scrolling.list.cast::<HtmlElement>() else {
            return;
        };
        let row_height = scrolling.row_height;
        let (top, height) = (element.scroll_top(), element.client_height());
        scrolling.viewport.set((top, height));
        let bottom = element.scroll_height() - top - height;
        let moved_up = top < std::mem::replace(&mut *scrolling.last_top.borrow_mut(), top);
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
}
