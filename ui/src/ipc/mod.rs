//! Calls into the core over Tauri's IPC (`window.__TAURI__.core.invoke`).
//!
//! Every command is defined once in [`taskdeck_protocol::commands`]: the
//! UI calls it with [`invoke`], passing the command's argument struct and
//! getting its answer type back. A failure is always an [`IpcError`],
//! never a panic or a silent default. Commands that stream over a channel
//! are in [`channel`], native dialogs in [`dialogs`], events in
//! [`events`].

mod channel;
mod dialogs;
mod events;
mod test_hooks;

pub use channel::{LiveSubscription, export_task_logs, subscribe_task_logs};
pub use dialogs::{open_export_file, pick_path, save_path, show_in_folder};
pub use events::{listen_cleanups, listen_storage_status, listen_task_updates};

use serde::Serialize;
use serde::de::DeserializeOwned;
use taskdeck_protocol::commands::Command;
use taskdeck_protocol::{ErrorKind, IpcError};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Calls the command whose arguments are `args` and decodes its answer.
pub async fn invoke<C: Command>(args: &C) -> Result<C::Output, IpcError> {
    invoke_named(C::NAME, args).await
}

/// Calls `command` (one of a Tauri plugin's, say) with `args` and decodes
/// its answer.
async fn invoke_named<A: Serialize, R: DeserializeOwned>(
    command: &str,
    args: &A,
) -> Result<R, IpcError> {
    let args = encode(command, args)?;
    let value = tauri_invoke(command, args)
        .await
        .map_err(|error| decode_error(command, error))?;
    decode(command, value)
}

/// `args` as the JavaScript object the invoke takes.
fn encode<A: Serialize>(command: &str, args: &A) -> Result<JsValue, IpcError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    args.serialize(&serializer).map_err(|error| {
        IpcError::new(
            ErrorKind::Internal,
            format!("cannot encode arguments of {command}: {error}"),
        )
    })
}

/// The answer of `command`, decoded. The answer is JSON the core sent:
/// written back to one string in the browser and parsed here in one go,
/// which for a large answer (the outline of 10,000 sections, 2 MB) is far
/// quicker than reading the JavaScript objects field by field across the
/// wasm boundary.
fn decode<R: DeserializeOwned>(command: &str, value: JsValue) -> Result<R, IpcError> {
    let unexpected = |error: String| {
        IpcError::new(
            ErrorKind::Internal,
            format!("unexpected answer from {command}: {error}"),
        )
    };
    // A command that answers nothing answers `undefined`: read as `null`.
    let text = if value.is_undefined() {
        "null".to_owned()
    } else {
        js_sys::JSON::stringify(&value)
            .map_err(|error| unexpected(format!("{error:?}")))?
            .as_string()
            .unwrap_or_default()
    };
    serde_json::from_str(&text).map_err(|error| unexpected(error.to_string()))
}

/// Turns what a rejected invoke carries into an [`IpcError`]: the core sends
/// `{ kind, message }`; Tauri itself may reject with a plain string.
fn decode_error(command: &str, error: JsValue) -> IpcError {
    if let Ok(ipc) = serde_wasm_bindgen::from_value::<IpcError>(error.clone()) {
        return ipc;
    }
    let text = error.as_string().unwrap_or_else(|| format!("{error:?}"));
    plain_rejection(command, &text)
}

/// A rejection Tauri sent as text: arguments it could not decode (wrong
/// type, missing, out of range; refused before the command ran) are
/// `invalid_argument` like the core's own refusals; anything else is
/// `internal`.
fn plain_rejection(command: &str, text: &str) -> IpcError {
    let kind = if text.starts_with("invalid args `") {
        ErrorKind::InvalidArgument
    } else {
        ErrorKind::Internal
    };
    IpcError::new(kind, format!("{command} failed: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_tauri_cannot_decode_are_invalid_arguments() {
        let refused = plain_rejection(
            "get_task_logs",
            "invalid args `filter` for command `get_task_logs`: invalid type: string \"ten\", expected u32",
        );
        assert_eq!(refused.kind, ErrorKind::InvalidArgument);
        assert!(refused.message.contains("`filter`"), "{}", refused.message);
        let other = plain_rejection("get_task_logs", "Command get_task_logs not allowed by ACL");
        assert_eq!(other.kind, ErrorKind::Internal);
    }
}
