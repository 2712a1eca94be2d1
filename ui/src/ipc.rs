//! Typed wrappers over Tauri's IPC (`window.__TAURI__.core.invoke`).
//!
//! Every command the UI calls is a function here taking and returning
//! `taskdeck-protocol` types; a failure is always an [`IpcError`], never a
//! panic or a silent default.

use serde::Serialize;
use serde::de::DeserializeOwned;
use taskdeck_protocol::{
    AppInfo, CleanupOutcome, ErrorKind, ExportFormat, ExportReport, ImportReport, IpcError,
    LiveLogMessage, LogCount, LogFilter, LogPage, LogStats, PathPicker, PluginInfo, RemovalReport,
    RunTaskRequest, Settings, SettingsState, StorageStatus, TaskListFilter, TaskSummary,
};
use wasm_bindgen::prelude::{Closure, wasm_bindgen};
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

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

/// No arguments.
#[derive(Serialize)]
struct NoArgs {}

/// The app version, data directory, database path and schema version.
pub async fn app_info() -> Result<AppInfo, IpcError> {
    invoke("app_info", &NoArgs {}).await
}

/// After a start-up that found the database damaged: moves it aside and
/// starts on a new one; returns where the damaged file went.
pub async fn start_fresh() -> Result<String, IpcError> {
    invoke("start_fresh", &NoArgs {}).await
}

/// Whether log entries can be written now, and how many wait in memory.
pub async fn storage_status() -> Result<StorageStatus, IpcError> {
    invoke("storage_status", &NoArgs {}).await
}

/// The saved settings and the database's size.
pub async fn get_settings() -> Result<SettingsState, IpcError> {
    invoke("get_settings", &NoArgs {}).await
}

/// Saves `settings` (the core checks them again).
pub async fn save_settings(settings: Settings) -> Result<SettingsState, IpcError> {
    #[derive(Serialize)]
    struct Args {
        settings: Settings,
    }
    invoke("save_settings", &Args { settings }).await
}

/// Applies the saved retention settings now, or with `dry_run` lists what
/// they would remove.
pub async fn run_cleanup(dry_run: bool) -> Result<RemovalReport, IpcError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        dry_run: bool,
    }
    invoke("run_cleanup", &Args { dry_run }).await
}

/// What the last automatic cleanup that did something reported.
pub async fn last_cleanup() -> Result<Option<CleanupOutcome>, IpcError> {
    invoke("last_cleanup", &NoArgs {}).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskIdArgs<'a> {
    task_id: &'a str,
}

/// The plugins that can run, with their parameter schemas.
pub async fn list_plugins() -> Result<Vec<PluginInfo>, IpcError> {
    invoke("list_plugins", &NoArgs {}).await
}

/// Starts a task; the core validates the parameters again.
pub async fn run_task(request: RunTaskRequest) -> Result<TaskSummary, IpcError> {
    #[derive(Serialize)]
    struct Args {
        request: RunTaskRequest,
    }
    invoke("run_task", &Args { request }).await
}

/// Asks a running task to stop.
pub async fn cancel_task(task_id: &str) -> Result<(), IpcError> {
    invoke("cancel_task", &TaskIdArgs { task_id }).await
}

/// Options of the dialog plugin's `open` and `save` (one file or folder).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DialogOptions<'a> {
    title: &'a str,
    directory: bool,
    multiple: bool,
    default_path: Option<&'a str>,
    filters: Vec<DialogFilter<'a>>,
}

/// A named set of file extensions a dialog offers.
#[derive(Serialize)]
struct DialogFilter<'a> {
    name: &'a str,
    extensions: [&'a str; 1],
}

/// Runs the dialog plugin's `command` (`open` or `save`); `None` when the
/// user closes the dialog.
async fn dialog(command: &str, options: DialogOptions<'_>) -> Result<Option<String>, IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        options: DialogOptions<'a>,
    }
    invoke(&format!("plugin:dialog|{command}"), &Args { options }).await
}

/// Asks for a path with the native dialog (Tauri's dialog plugin),
/// starting at `current` when it is set; `None` when the user closes it.
pub async fn pick_path(
    picker: PathPicker,
    title: &str,
    current: &str,
) -> Result<Option<String>, IpcError> {
    let options = DialogOptions {
        title,
        directory: picker == PathPicker::Folder,
        multiple: false,
        default_path: Some(current.trim()).filter(|path| !path.is_empty()),
        filters: Vec::new(),
    };
    dialog("open", options).await
}

/// Asks where to save a file with the native save dialog, proposing
/// `file_name`; `None` when the user closes it. For end-to-end tests, a
/// folder in `window.__TASKDECK_TEST_SAVE_DIR` answers instead of the
/// dialog (which WebDriver cannot drive): the file goes there, under the
/// proposed name.
pub async fn save_path(
    title: &str,
    file_name: &str,
    kind: &str,
    extension: &str,
) -> Result<Option<String>, IpcError> {
    if let Some(folder) = test_answer("__TASKDECK_TEST_SAVE_DIR") {
        return Ok(Some(format!(
            "{}/{file_name}",
            folder.trim_end_matches('/')
        )));
    }
    let options = DialogOptions {
        title,
        directory: false,
        multiple: false,
        default_path: Some(file_name),
        filters: vec![DialogFilter {
            name: kind,
            extensions: [extension],
        }],
    };
    dialog("save", options).await
}

/// Shows `path` selected in the system's file manager.
pub async fn show_in_folder(path: &str) -> Result<(), IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        paths: [&'a str; 1],
    }
    invoke("plugin:opener|reveal_item_in_dir", &Args { paths: [path] }).await
}

/// Opens a link from a log line in the system's browser (the app opens
/// only web and mail links).
pub async fn open_link(url: &str) -> Result<(), IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        url: &'a str,
    }
    invoke("open_link", &Args { url }).await
}

/// Asks for a JSON Lines export to import with the native open dialog;
/// `None` when the user closes it. For end-to-end tests, a path in
/// `window.__TASKDECK_TEST_OPEN_FILE` answers instead of the dialog.
pub async fn open_export_file() -> Result<Option<String>, IpcError> {
    if let Some(path) = test_answer("__TASKDECK_TEST_OPEN_FILE") {
        return Ok(Some(path));
    }
    let options = DialogOptions {
        title: "Import a Taskdeck log export",
        directory: false,
        multiple: false,
        default_path: None,
        filters: vec![DialogFilter {
            name: "Taskdeck export (JSON Lines)",
            extensions: ["jsonl"],
        }],
    };
    dialog("open", options).await
}

/// Brings the tasks of the JSON Lines export at `path` into the store.
pub async fn import_task_logs(path: &str) -> Result<ImportReport, IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        path: &'a str,
    }
    invoke("import_task_logs", &Args { path }).await
}

/// The string a test put in `window[name]`, if any.
fn test_answer(name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &JsValue::from_str(name)).ok())
        .and_then(|value| value.as_string())
}

/// Exports the entries of `task_ids` matching `filter` to `path`;
/// `on_progress` gets the entries written so far as pages are written.
pub async fn export_task_logs(
    task_ids: Vec<String>,
    filter: &LogFilter,
    format: ExportFormat,
    path: &str,
    on_progress: Callback<u64>,
) -> Result<ExportReport, IpcError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        if let Some(written) = message.as_f64() {
            on_progress.emit(written as u64);
        }
    });
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        task_ids: Vec<String>,
        filter: &'a LogFilter,
        format: ExportFormat,
        path: &'a str,
    }
    let args = Args {
        task_ids,
        filter,
        format,
        path,
    };
    let answer = invoke_with_channel("export_task_logs", &args, "progress", &handler).await;
    drop(handler);
    answer
}

/// [`invoke`] with a channel under `key` whose messages go to `handler`
/// (kept alive by the caller until the call ends).
async fn invoke_with_channel<A: Serialize, R: DeserializeOwned>(
    command: &str,
    args: &A,
    key: &str,
    handler: &Closure<dyn FnMut(JsValue)>,
) -> Result<R, IpcError> {
    let failed = |what: &str, error: String| {
        IpcError::new(
            ErrorKind::Internal,
            format!("{command}: cannot {what}: {error}"),
        )
    };
    let channel =
        new_channel(handler).map_err(|error| failed("open a channel", format!("{error:?}")))?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|error| failed("encode its arguments", error.to_string()))?;
    js_sys::Reflect::set(&args, &JsValue::from_str(key), &channel)
        .map_err(|error| failed("pass the channel", format!("{error:?}")))?;
    let value = tauri_invoke(command, args)
        .await
        .map_err(|error| decode_error(command, error))?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|error| failed("read its answer", error.to_string()))
}

/// Tasks, newest first.
pub async fn list_tasks(filter: TaskListFilter) -> Result<Vec<TaskSummary>, IpcError> {
    #[derive(Serialize)]
    struct Args {
        filter: TaskListFilter,
    }
    invoke("list_tasks", &Args { filter }).await
}

/// Deletes finished tasks with their logs (running ones are refused).
pub async fn delete_tasks(task_ids: Vec<String>) -> Result<RemovalReport, IpcError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        task_ids: Vec<String>,
    }
    invoke("delete_tasks", &Args { task_ids }).await
}

/// One task.
pub async fn get_task(task_id: &str) -> Result<TaskSummary, IpcError> {
    invoke("get_task", &TaskIdArgs { task_id }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskFilterArgs<'a> {
    task_id: &'a str,
    filter: &'a LogFilter,
}

/// One page of a task's entries.
pub async fn get_task_logs(task_id: &str, filter: &LogFilter) -> Result<LogPage, IpcError> {
    invoke("get_task_logs", &TaskFilterArgs { task_id, filter }).await
}

/// How many entries match `filter` (a search counts up to 100,000).
pub async fn count_task_logs(task_id: &str, filter: &LogFilter) -> Result<LogCount, IpcError> {
    invoke("count_task_logs", &TaskFilterArgs { task_id, filter }).await
}

/// Counts per level and source.
pub async fn get_task_log_stats(task_id: &str) -> Result<LogStats, IpcError> {
    invoke("get_task_log_stats", &TaskIdArgs { task_id }).await
}

/// The task's sources.
pub async fn get_task_log_sources(task_id: &str) -> Result<Vec<String>, IpcError> {
    invoke("get_task_log_sources", &TaskIdArgs { task_id }).await
}

/// A live subscription: keeps the channel's handler alive and ends the
/// subscription in the core when dropped.
pub struct LiveSubscription {
    id: u64,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for LiveSubscription {
    fn drop(&mut self) {
        let id = self.id;
        wasm_bindgen_futures::spawn_local(async move {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Args {
                subscription_id: u64,
            }
            // Ending an already ended subscription is harmless.
            let _: Result<bool, IpcError> = invoke(
                "unsubscribe_task_logs",
                &Args {
                    subscription_id: id,
                },
            )
            .await;
        });
    }
}

/// Follows a task's log live: `on_message` receives every message of the
/// subscription (see [`LiveLogMessage`]).
pub async fn subscribe_task_logs(
    task_id: &str,
    filter: &LogFilter,
    after_seq: u64,
    on_message: Callback<LiveLogMessage>,
) -> Result<LiveSubscription, IpcError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        match serde_wasm_bindgen::from_value::<LiveLogMessage>(message) {
            Ok(message) => on_message.emit(message),
            Err(error) => on_message.emit(LiveLogMessage::Failed {
                error: IpcError::new(
                    ErrorKind::Internal,
                    format!("unexpected live message: {error}"),
                ),
            }),
        }
    });
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        task_id: &'a str,
        filter: &'a LogFilter,
        after_seq: u64,
    }
    let args = Args {
        task_id,
        filter,
        after_seq,
    };
    let id: u64 = invoke_with_channel("subscribe_task_logs", &args, "channel", &handler).await?;
    Ok(LiveSubscription {
        id,
        _handler: handler,
    })
}

/// `new window.__TAURI__.core.Channel()` with `handler` as its `onmessage`.
fn new_channel(handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let tauri = js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__"))?;
    let core = js_sys::Reflect::get(&tauri, &JsValue::from_str("core"))?;
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&core, &JsValue::from_str("Channel"))?.dyn_into()?;
    let channel = js_sys::Reflect::construct(&constructor, &js_sys::Array::new())?;
    js_sys::Reflect::set(&channel, &JsValue::from_str("onmessage"), handler.as_ref())?;
    Ok(channel)
}

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
