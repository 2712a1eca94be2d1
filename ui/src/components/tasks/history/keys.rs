//! History's keyboard, while the user is not typing in a field: on the
//! list, ↑/↓ move the highlighted task, Enter opens it, PageUp/PageDown
//! turn the page and `/` focuses the text filter; on an opened task,
//! Backspace or Alt+← go back to the list.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::key_target::{on_a_button, typing_in_a_field};

/// What a key asks of History.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryKey {
    /// Highlight the task above.
    Up,
    /// Highlight the task below.
    Down,
    /// Open the highlighted task.
    Open,
    /// The page before.
    PreviousPage,
    /// The page after.
    NextPage,
    /// Focus the text filter.
    Filter,
    /// Back from a task to the list.
    Back,
}

/// The key's meaning with the list shown (`task_open`: a task instead).
fn meaning(event: &web_sys::KeyboardEvent, task_open: bool) -> Option<HistoryKey> {
    if task_open {
        let back = event.key() == "Backspace" || (event.alt_key() && event.key() == "ArrowLeft");
        return back.then_some(HistoryKey::Back);
    }
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return None;
    }
    match event.key().as_str() {
        "ArrowUp" => Some(HistoryKey::Up),
        "ArrowDown" => Some(HistoryKey::Down),
        "Enter" => Some(HistoryKey::Open),
        "PageUp" => Some(HistoryKey::PreviousPage),
        "PageDown" => Some(HistoryKey::NextPage),
        "/" => Some(HistoryKey::Filter),
        _ => None,
    }
}

/// Sends History's keys to `on_key` while History is shown.
#[hook]
pub fn use_history_keys(task_open: bool, on_key: Callback<HistoryKey>) {
    use_effect_with((task_open, on_key), move |(task_open, on_key)| {
        let task_open = *task_open;
        let on_key = on_key.clone();
        let listener = web_sys::window().map(|window| {
            // Not passive: the keys must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&window, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                // Enter on a button presses the button, as it should.
                if typing_in_a_field(event) || (on_a_button(event) && event.key() == "Enter") {
                    return;
                }
                if let Some(key) = meaning(event, task_open) {
                    event.prevent_default();
                    on_key.emit(key);
                }
            })
        });
        move || drop(listener)
    });
}
