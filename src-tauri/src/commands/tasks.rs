//! Commands about plugins and tasks: list plugins, run, cancel, list, get,
//! delete.

use taskdeck_protocol::{
    PluginInfo, RemovalReport, RunTaskRequest, TaskListFilter, TaskPage, TaskSummary,
};
use tauri::State;

use crate::{AppError, AppState};

/// The plugins that can run, with their parameter schemas.
#[tauri::command]
#[specta::specta]
pub fn list_plugins(state: State<'_, AppState>) -> Result<Vec<PluginInfo>, AppError> {
    Ok(state.manager()?.plugins())
}

/// Validates the parameters and starts the task; returns it as created.
#[tauri::command]
#[specta::specta]
pub async fn run_task(
    state: State<'_, AppState>,
    request: RunTaskRequest,
) -> Result<TaskSummary, AppError> {
    Ok(state.manager()?.run_task(request).await?)
}

/// Asks a running task to stop.
#[tauri::command]
#[specta::specta]
pub async fn cancel_task(state: State<'_, AppState>, task_id: String) -> Result<(), AppError> {
    Ok(state.manager()?.cancel_task(&task_id).await?)
}

/// One page of the tasks the filter matches, with counts per status.
#[tauri::command]
#[specta::specta]
pub async fn list_tasks(
    state: State<'_, AppState>,
    filter: TaskListFilter,
) -> Result<TaskPage, AppError> {
    Ok(state.manager()?.list_tasks(&filter).await?)
}

/// One task.
#[tauri::command]
#[specta::specta]
pub async fn get_task(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<TaskSummary, AppError> {
    Ok(state.manager()?.get_task(&task_id).await?)
}

/// Deletes finished tasks with their logs.
#[tauri::command]
#[specta::specta]
pub async fn delete_tasks(
    state: State<'_, AppState>,
    task_ids: Vec<String>,
) -> Result<RemovalReport, AppError> {
    Ok(state.manager()?.delete_tasks(&task_ids).await?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_core::test_programs::echo;
    use taskdeck_protocol::{IpcError, PluginInfo, TaskSummary};

    use crate::commands::test_support::MockApp;

    fn error(value: serde_json::Value) -> IpcError {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn list_plugins_describes_shell_with_its_form() {
        let app = MockApp::started();
        let plugins: Vec<PluginInfo> =
            serde_json::from_value(app.invoke("list_plugins", json!({})).unwrap()).unwrap();
        let shell = plugins.iter().find(|plugin| plugin.id == "shell").unwrap();
        assert!(shell.params.field("program").unwrap().required);
    }

    #[test]
    fn run_task_validates_params_then_runs_and_the_task_can_be_listed_got_and_deleted() {
        let app = MockApp::started();
        let refused = error(
            app.invoke(
                "run_task",
                json!({ "request": { "plugin_id": "shell", "params": { "program": "" } } }),
            )
            .unwrap_err(),
        );
        assert_eq!(refused.kind.as_str(), "invalid_argument");
        assert!(refused.message.contains("`program`"), "{}", refused.message);
        let unknown = error(
            app.invoke("run_task", json!({ "request": { "plugin_id": "nope" } }))
                .unwrap_err(),
        );
        assert_eq!(unknown.kind.as_str(), "not_found");

        let created: TaskSummary = serde_json::from_value(
            app.invoke(
                "run_task",
                json!({ "request": { "plugin_id": "shell", "params": echo("hi") } }),
            )
            .unwrap(),
        )
        .unwrap();
        let finished = app.wait_for_end(&created.id);
        assert_eq!(finished["status"], "succeeded");

        let listed = app.invoke("list_tasks", json!({ "filter": {} })).unwrap();
        assert_eq!(listed["tasks"][0]["id"], created.id.as_str());
        let bad_limit = error(
            app.invoke("list_tasks", json!({ "filter": { "limit": 0 } }))
                .unwrap_err(),
        );
        assert_eq!(bad_limit.kind.as_str(), "invalid_argument");

        let ended = error(
            app.invoke("cancel_task", json!({ "taskId": created.id }))
                .unwrap_err(),
        );
        assert!(ended.message.contains("already ended"), "{}", ended.message);

        let report = app
            .invoke("delete_tasks", json!({ "taskIds": [created.id] }))
            .unwrap();
        assert_eq!(report["tasks"][0]["id"], created.id.as_str());
        let gone = error(
            app.invoke("get_task", json!({ "taskId": created.id }))
                .unwrap_err(),
        );
        assert_eq!(gone.kind.as_str(), "not_found");
        let missing = error(
            app.invoke("cancel_task", json!({ "taskId": "missing" }))
                .unwrap_err(),
        );
        assert_eq!(missing.kind.as_str(), "not_found");
    }
}
