//! What the window shows when the interface itself fails. A panic in the
//! wasm code stops the UI from updating; without this the user saw a view
//! frozen half-way (a list with no rows) and no reason. The panic is
//! written to the console and a banner built with the DOM alone (Yew may
//! no longer run) says in plain words what happened and how to go on, the
//! technical detail folded away for a bug report, and a button reloads
//! the window. An error nobody caught gets the same banner: a trap in the
//! wasm code that is no panic (an out-of-bounds memory access was seen),
//! or a JavaScript exception thrown through it, skips the panic hook and
//! leaves the window as stuck.

use std::panic::PanicHookInfo;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, Element};

/// Installs the panic hook and the listener for uncaught errors; called
/// once, before the app renders (Yew would otherwise install its own hook,
/// which only writes to the console).
pub fn report_faults() {
    yew::set_custom_panic_hook(Box::new(|info| report(&describe(info))));
    report_uncaught_errors();
    #[cfg(feature = "test-hooks")]
    offer_a_test_fault();
}

/// Writes `detail` to the console and shows it in the banner.
fn report(detail: &str) {
    web_sys::console::error_1(&detail.into());
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        show(&document, detail);
    }
}

/// Reports the errors that reach the window uncaught. Only those carrying
/// an error object: the browser's own notices on the same event (a
/// `ResizeObserver` loop, say) have none and are no fault of ours.
fn report_uncaught_errors() {
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        let error = event.error();
        if error.is_null() || error.is_undefined() {
            return;
        }
        let stack = js_sys::Reflect::get(&error, &"stack".into())
            .ok()
            .and_then(|stack| stack.as_string())
            .unwrap_or_default();
        report(&format!(
            "{} at {}:{}\n{}",
            event.message(),
            event.filename(),
            event.lineno(),
            stack.trim()
        ));
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("error", on_error.into_js_value().unchecked_ref());
    }
}

/// Lets the end-to-end tests cause a fault: `window.__TASKDECK_TEST_FAULT()`
/// panics (the debug build the tests run only; see `ipc/test_hooks.rs`).
#[cfg(feature = "test-hooks")]
fn offer_a_test_fault() {
    let fault = Closure::<dyn Fn()>::new(|| panic!("a fault asked for by a test"));
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(
            &window,
            &"__TASKDECK_TEST_FAULT".into(),
            &fault.into_js_value(),
        );
    }
}

/// The panic's message, place and the calls that led to it, as a bug
/// report wants them (the stack names functions where the build keeps
/// their names).
fn describe(info: &PanicHookInfo<'_>) -> String {
    let stack = js_sys::Reflect::get(&js_sys::Error::new(""), &"stack".into())
        .ok()
        .and_then(|stack| stack.as_string())
        .unwrap_or_default();
    format!("{}\n{}", place(info), stack.trim())
}

/// The panic's message and where in the source it was raised.
fn place(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    match info.location() {
        Some(place) => format!("{message} at {}:{}", place.file(), place.line()),
        None => message,
    }
}

/// Puts the banner at the top of the page (once: a second panic adds its
/// detail to the first banner).
fn show(document: &Document, detail: &str) {
    let Some(body) = document.body() else {
        return;
    };
    let banner = match document.query_selector("[data-testid=\"ui-fault\"]") {
        Ok(Some(banner)) => banner,
        _ => {
            let Some(banner) = new_banner(document) else {
                return;
            };
            let _ = body.prepend_with_node_1(&banner);
            banner
        }
    };
    if let Ok(Some(pre)) = banner.query_selector("pre") {
        let before = pre.text_content().unwrap_or_default();
        let joined = if before.is_empty() {
            detail.to_owned()
        } else {
            format!("{before}\n{detail}")
        };
        pre.set_text_content(Some(&joined));
    }
}

fn new_banner(document: &Document) -> Option<Element> {
    let element = |tag: &str, text: Option<&str>| {
        let made = document.create_element(tag).ok()?;
        made.set_text_content(text);
        Some(made)
    };
    let banner = element("div", None)?;
    banner.set_class_name("banner banner-error ui-fault");
    banner.set_attribute("role", "alert").ok()?;
    banner.set_attribute("data-testid", "ui-fault").ok()?;
    let message = element(
        "p",
        Some(
            "Taskdeck's window hit an internal fault and may stop updating. Your tasks and \
             their logs are safe: they run and are stored in the background.",
        ),
    )?;
    let reload = element("button", Some("Reload the window"))?;
    reload.set_attribute("type", "button").ok()?;
    reload
        .set_attribute("data-testid", "ui-fault-reload")
        .ok()?;
    let on_click = Closure::<dyn FnMut()>::new(|| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    reload
        .add_event_listener_with_callback("click", on_click.into_js_value().unchecked_ref())
        .ok()?;
    message.append_child(&reload).ok()?;
    let details = element("details", None)?;
    let summary = element("summary", Some("Details for a bug report"))?;
    let pre = element("pre", None)?;
    details.append_child(&summary).ok()?;
    details.append_child(&pre).ok()?;
    banner.append_child(&message).ok()?;
    banner.append_child(&details).ok()?;
    Some(banner)
}
