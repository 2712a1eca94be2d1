//! The panel's keyboard shortcuts, while the user is not typing in a
//! field: `/` focuses the search box, `f` toggles follow, Esc closes the
//! line detail, `e`/`E` and `w`/`W` jump between errors and warnings.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::follow::{Follow, FollowAction};
use super::level_jump::LevelJump;
use crate::key_target::typing_in_a_field;

fn focus_search() {
    let search = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector("[data-testid=\"filter-search\"]")
                .ok()
                .flatten()
        })
        .and_then(|element| element.dyn_into::<HtmlElement>().ok());
    if let Some(search) = search {
        let _ = search.focus();
    }
}

/// Listens for the shortcuts while the panel is open.
#[hook]
pub fn use_shortcuts(
    follow: UseReducerHandle<Follow>,
    expanded: UseStateHandle<Option<u64>>,
    jump: UseStateHandle<Option<LevelJump>>,
) {
    use_effect_with((), move |_| {
        let window = web_sys::window();
        let listener = window.map(|window| {
            // Not passive: `/` and the jump keys must not reach the page too.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&window, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if typing_in_a_field(event)
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
            })
        });
        // Dropping the listener removes it.
        move || drop(listener)
    });
}
