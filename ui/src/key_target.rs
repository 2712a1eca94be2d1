//! What a key press is aimed at, for the views' keyboard shortcuts: a
//! shortcut never fires while the user types in a field.

use wasm_bindgen::JsCast;

/// The element a key press went to.
fn target(event: &web_sys::KeyboardEvent) -> Option<web_sys::Element> {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
}

/// Whether a key press goes to a text field, a text area or a select.
pub fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    target(event).is_some_and(|element| {
        matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
    })
}

/// Whether a key press goes to a button (whose Enter presses it).
pub fn on_a_button(event: &web_sys::KeyboardEvent) -> bool {
    target(event).is_some_and(|element| element.tag_name() == "BUTTON")
}
