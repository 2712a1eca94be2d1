//! Commands that follow a task's log live over a channel.

use taskdeck_protocol::{LiveLogMessage, LogFilter};
use tauri::State;
use tauri::ipc::Channel;

use crate::{AppError, AppState};

/// Follows a task's log: batches of entries matching `filter` (level,
/// source and search; its cursors and limit do not apply) after
/// `after_seq`, pushed over `channel` as they are written, then `end`.
/// Returns the subscription id for `unsubscribe_task_logs`.
#[tauri::command]
#[specta::specta]
pub async fn subscribe_task_logs(
    state: State<'_, AppState>,
    task_id: String,
    filter: LogFilter,
    after_seq: Option<u64>,
    channel: Channel<LiveLogMessage>,
) -> Result<u64, AppError> {
    let sink = Box::new(move |message: LiveLogMessage| match channel.send(message) {
        Ok(()) => true,
        // The webview is gone or refused the message: the subscription
        // ends (the panel re-subscribes when it opens again).
        Err(error) => {
            tracing::warn!(%error, "a live log channel refused a message; ending the subscription");
            false
        }
    });
    Ok(state
        .manager()?
        .subscribe_task_logs(&task_id, filter, after_seq.unwrap_or(0), sink)
        .await?)
}

/// Ends a live subscription; `false` if it had already ended.
#[tauri::command]
#[specta::specta]
pub fn unsubscribe_task_logs(
    state: State<'_, AppState>,
    subscription_id: u64,
) -> Result<bool, AppError> {
    Ok(state.manager()?.unsubscribe_task_logs(subscription_id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_core::test_programs::{echo, sleep};
    use taskdeck_protocol::IpcError;

    use crate::commands::test_support::MockApp;

    #[test]
    fn subscribing_returns_an_id_and_unsubscribing_ends_it() {
        let app = MockApp::started();
        // A task that outlives the test: a subscription to a task that
        // ended ends by itself, and could be gone before it is ended here.
        let created = app
            .invoke(
                "run_task",
                json!({ "request": { "plugin_id": "shell", "params": sleep(60) } }),
            )
            .unwrap();
        let task_id = created["id"].as_str().unwrap();
        let id = app
            .invoke(
                "subscribe_task_logs",
                json!({ "taskId": task_id, "filter": { "levels": ["ERROR"] }, "afterSeq": 0, "channel": "__CHANNEL__:7" }),
            )
            .unwrap();
        let id = id.as_u64().unwrap();
        assert_eq!(
            app.invoke("unsubscribe_task_logs", json!({ "subscriptionId": id }))
                .unwrap(),
            json!(true)
        );
        assert_eq!(
            app.invoke("unsubscribe_task_logs", json!({ "subscriptionId": id }))
                .unwrap(),
            json!(false)
        );
    }

    #[test]
    fn subscribing_to_an_unknown_task_or_with_a_bad_search_is_a_typed_error() {
        let app = MockApp::started();
        let task_id = app.run_shell(echo("hi"));
        let cases = [
            (
                json!({ "taskId": "missing", "filter": {}, "channel": "__CHANNEL__:8" }),
                "not_found",
            ),
            (
                json!({ "taskId": task_id, "filter": { "search": "(open", "search_mode": "regex" }, "channel": "__CHANNEL__:9" }),
                "invalid_argument",
            ),
        ];
        for (args, kind) in cases {
            let error: IpcError =
                serde_json::from_value(app.invoke("subscribe_task_logs", args).unwrap_err())
                    .unwrap();
            assert_eq!(error.kind.as_str(), kind);
        }
    }
}
