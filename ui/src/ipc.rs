//! Typed wrappers over Tauri's IPC (`window.__TAURI__.core.invoke`).
//!
//! Every command the UI calls is a function here taking and returning
//! `taskdeck-protocol` types; a failure is always an [`IpcError`], never a
//! panic or a silent default.

use serde::Serialize;
use serde::de::DeserializeOwned;
use taskdeck_protocol::{AppInfo, ErrorKind, IpcError};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Calls `command` with `args` and decodes its answer.
async fn invoke<A: Serialize, R: DeserializeOwned>(command: &str, args: &A) -> Result<R, IpcError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args.serialize(&serializer).map_err(|error| {
        IpcError::new(
            ErrorKind::Internal,
            format!("cannot encode arguments of {command}: {error}"),
        )
    })?;
    match tauri_invoke(command, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(|error| {
            IpcError::new(
                ErrorKind::Internal,
                format!("unexpected answer from {command}: {error}"),
            )
        }),
        Err(error) => Err(decode_error(command, error)),
    }
}

/// Turns what a rejected invoke carries into an [`IpcError`]: the core sends
/// `{ kind, message }`; Tauri itself may reject with a plain string.
fn decode_error(command: &str, error: JsValue) -> IpcError {
    if let Ok(ipc) = serde_wasm_bindgen::from_value::<IpcError>(error.clone()) {
        return ipc;
    }
    let text = error.as_string().unwrap_or_else(|| format!("{error:?}"));
    IpcError::new(ErrorKind::Internal, format!("{command} failed: {text}"))
}

/// No arguments.
#[derive(Serialize)]
struct NoArgs {}

/// The app version, data directory, database path and schema version.
pub async fn app_info() -> Result<AppInfo, IpcError> {
    invoke("app_info", &NoArgs {}).await
}
