//! Commands that stream messages over a Tauri channel while they run: the
//! live tail of a log and an export's progress.

use taskdeck_protocol::commands::{
    ChannelCommand, ExportTaskLogs, SubscribeTaskLogs, UnsubscribeTaskLogs,
};
use taskdeck_protocol::{ErrorKind, ExportReport, IpcError, LiveLogMessage};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

use super::{decode, decode_error, encode, invoke, tauri_invoke};

/// A channel's `onmessage`: each message decoded, or why it did not decode.
type Handler = Closure<dyn FnMut(JsValue)>;

fn handler<M: serde::de::DeserializeOwned + 'static>(
    on_message: impl Fn(Result<M, String>) + 'static,
) -> Handler {
    Closure::new(move |message: JsValue| {
        on_message(serde_wasm_bindgen::from_value(message).map_err(|error| error.to_string()));
    })
}

/// Calls the command whose arguments are `args` with a new channel whose
/// messages go to `handler` (kept alive by the caller until the call ends).
async fn invoke_with_channel<C: ChannelCommand>(
    args: &C,
    handler: &Handler,
) -> Result<C::Output, IpcError> {
    let failed = |what: &str, error: JsValue| {
        IpcError::new(
            ErrorKind::Internal,
            format!("{}: cannot {what}: {error:?}", C::NAME),
        )
    };
    let channel = new_channel(handler).map_err(|error| failed("open a channel", error))?;
    let encoded = encode(C::NAME, args)?;
    js_sys::Reflect::set(&encoded, &JsValue::from_str(C::CHANNEL), &channel)
        .map_err(|error| failed("pass the channel", error))?;
    let value = tauri_invoke(C::NAME, encoded)
        .await
        .map_err(|error| decode_error(C::NAME, error))?;
    decode(C::NAME, value)
}

/// `new window.__TAURI__.core.Channel()` with `handler` as its `onmessage`.
fn new_channel(handler: &Handler) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let tauri = js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__"))?;
    let core = js_sys::Reflect::get(&tauri, &JsValue::from_str("core"))?;
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&core, &JsValue::from_str("Channel"))?.dyn_into()?;
    let channel = js_sys::Reflect::construct(&constructor, &js_sys::Array::new())?;
    js_sys::Reflect::set(&channel, &JsValue::from_str("onmessage"), handler.as_ref())?;
    Ok(channel)
}

/// Exports as `args` says; `on_progress` gets the entries written so far
/// as pages are written.
pub async fn export_task_logs(
    args: &ExportTaskLogs,
    on_progress: Callback<u64>,
) -> Result<ExportReport, IpcError> {
    let handler = handler(move |written: Result<u64, String>| {
        if let Ok(written) = written {
            on_progress.emit(written);
        }
    });
    invoke_with_channel(args, &handler).await
}

/// A live subscription: keeps the channel's handler alive and ends the
/// subscription in the core when dropped.
pub struct LiveSubscription {
    id: u64,
    _handler: Handler,
}

impl Drop for LiveSubscription {
    fn drop(&mut self) {
        let args = UnsubscribeTaskLogs {
            subscription_id: self.id,
        };
        // Ending an already ended subscription is harmless.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = invoke(&args).await;
        });
    }
}

/// Follows a task's log live as `args` says: `on_message` receives every
/// message of the subscription (see [`LiveLogMessage`]).
pub async fn subscribe_task_logs(
    args: &SubscribeTaskLogs,
    on_message: Callback<LiveLogMessage>,
) -> Result<LiveSubscription, IpcError> {
    let handler = handler(move |message: Result<LiveLogMessage, String>| {
        on_message.emit(message.unwrap_or_else(|error| LiveLogMessage::Failed {
            error: IpcError::new(
                ErrorKind::Internal,
                format!("unexpected live message: {error}"),
            ),
        }));
    });
    let id = invoke_with_channel(args, &handler).await?;
    Ok(LiveSubscription {
        id,
        _handler: handler,
    })
}
