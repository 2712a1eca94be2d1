//! Calling commands through Tauri's mock runtime, built on the app's real
//! context (so the real capabilities apply), with a real store.

use std::time::Duration;

use serde_json::Value;
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow};

use crate::{AppState, configure, context};

/// The app's own origin: capabilities grant commands to local URLs only.
/// WebView2 cannot serve a custom scheme, so on Windows Tauri serves the
/// app from `http://tauri.localhost`.
pub const LOCAL_ORIGIN: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

/// A mock app and its main window.
pub struct MockApp {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: Option<tempfile::TempDir>,
}

impl MockApp {
    /// An app on a fresh data directory with a started manager.
    pub fn started() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let manager = tauri::async_runtime::block_on(async {
            let store = Store::open(DataDir::resolve(Some(dir.path())).unwrap())
                .await
                .unwrap();
            TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
                .await
                .unwrap()
        });
        Self::with_state(AppState::with_manager(manager), Some(dir))
    }

    /// An app on `state`.
    pub fn with_state(state: AppState, dir: Option<tempfile::TempDir>) -> Self {
        let app = configure(mock_builder(), state).build(context()).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Self {
            _app: app,
            webview,
            _dir: dir,
        }
    }

    /// Calls `command` with JSON `args` from the app's own origin.
    pub fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        self.invoke_from(command, args, LOCAL_ORIGIN)
    }

    /// Calls `command` from `origin`.
    pub fn invoke_from(&self, command: &str, args: Value, origin: &str) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: command.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: origin.parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    /// Runs the `shell` plugin with `params` and waits for the task to end;
    /// returns its id.
    pub fn run_shell(&self, params: Value) -> String {
        let created = self
            .invoke(
                "run_task",
                serde_json::json!({ "request": { "plugin_id": "shell", "params": params } }),
            )
            .unwrap();
        let task_id = created["id"].as_str().unwrap().to_owned();
        self.wait_for_end(&task_id);
        task_id
    }

    /// Polls `get_task` until the task has finished; returns its summary.
    pub fn wait_for_end(&self, task_id: &str) -> Value {
        for _ in 0..500 {
            let task = self
                .invoke("get_task", serde_json::json!({ "taskId": task_id }))
                .unwrap();
            let status = task["status"].as_str().unwrap();
            if !matches!(status, "pending" | "running") {
                return task;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("task {task_id} did not finish");
    }
}
