//! Tauri events the core emits (task updates, cleanups, storage status),
//! decoded into protocol types.

use taskdeck_protocol::{CleanupOutcome, ErrorKind, IpcError, StorageStatus, TaskSummary};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

/// A listener of a Tauri event; stops listening when dropped.
pub struct EventListener {
    unlisten: std::rc::Rc<std::cell::RefCell<Option<js_sys::Function>>>,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for EventListener {
    fn drop(&mut self) {
        if let Some(unlisten) = self.unlisten.borrow_mut().take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `on_event` with the payload of each `task-updated` event: a task
/// was created, changed status, or (while running) logged more entries.
pub fn listen_task_updates(on_event: Callback<TaskSummary>) -> Result<EventListener, IpcError> {
    listen("task-updated", on_event)
}

/// Calls `on_event` each time an automatic cleanup removed tasks or failed
/// (`cleanup-finished`).
pub fn listen_cleanups(on_event: Callback<CleanupOutcome>) -> Result<EventListener, IpcError> {
    listen("cleanup-finished", on_event)
}

/// Calls `on_event` each time log entries stop or start being written,
/// and every second while they cannot be (`storage-status-changed`).
pub fn listen_storage_status(on_event: Callback<StorageStatus>) -> Result<EventListener, IpcError> {
    listen("storage-status-changed", on_event)
}

/// Calls `on_event` with the decoded payload each time the core emits the
/// event `name`. A payload that does not decode is reported on the console
/// and skipped.
fn listen<T: serde::de::DeserializeOwned + 'static>(
    name: &str,
    on_event: Callback<T>,
) -> Result<EventListener, IpcError> {
    let event_name = name.to_owned();
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .unwrap_or(JsValue::UNDEFINED);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(payload) => on_event.emit(payload),
            Err(error) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                "ignored a {event_name} event whose payload does not decode: {error}"
            ))),
        }
    });
    let unlisten = std::rc::Rc::new(std::cell::RefCell::new(None));
    let failed = |error: JsValue| {
        IpcError::new(
            ErrorKind::Internal,
            format!("cannot listen to {name}: {error:?}"),
        )
    };
    let window = web_sys::window().ok_or_else(|| failed(JsValue::from_str("no window")))?;
    let event = js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__"))
        .and_then(|tauri| js_sys::Reflect::get(&tauri, &JsValue::from_str("event")))
        .map_err(failed)?;
    let listen: js_sys::Function = js_sys::Reflect::get(&event, &JsValue::from_str("listen"))
        .and_then(|listen| listen.dyn_into())
        .map_err(failed)?;
    let promise: js_sys::Promise = listen
        .call2(&event, &JsValue::from_str(name), handler.as_ref())
        .and_then(|promise| promise.dyn_into())
        .map_err(failed)?;
    let slot = unlisten.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(function) = wasm_bindgen_futures::JsFuture::from(promise).await
            && let Ok(function) = function.dyn_into::<js_sys::Function>()
        {
            *slot.borrow_mut() = Some(function);
        }
    });
    Ok(EventListener {
        unlisten,
        _handler: handler,
    })
}
