//! Commands that read tasks' logs: a task's pages, match counts, stats,
//! level timeline and sources; a search across runs; two runs compared.

use taskdeck_core::compare::CompareOptions;
use taskdeck_protocol::{
    LogCount, LogFilter, LogPage, LogSection, LogStats, LogTimeline, RunComparison, RunSearchPage,
    RunSearchRequest,
};
use tauri::State;

use crate::{AppError, AppState};

/// One page of a task's entries matching `filter`, and the cursor of the
/// next page.
#[tauri::command]
#[specta::specta]
pub async fn get_task_logs(
    state: State<'_, AppState>,
    task_id: String,
    filter: LogFilter,
) -> Result<LogPage, AppError> {
    Ok(state.manager()?.query_logs(&task_id, &filter).await?)
}

/// How many entries match `filter` (a search counts up to 100,000).
#[tauri::command]
#[specta::specta]
pub async fn count_task_logs(
    state: State<'_, AppState>,
    task_id: String,
    filter: LogFilter,
) -> Result<LogCount, AppError> {
    Ok(state.manager()?.count_logs(&task_id, &filter).await?)
}

/// Counts per level and source, and the first and last times.
#[tauri::command]
#[specta::specta]
pub async fn get_task_log_stats(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<LogStats, AppError> {
    Ok(state.manager()?.log_stats(&task_id).await?)
}

/// The task's entries per level in about `buckets` equal stretches of its
/// run.
#[tauri::command]
#[specta::specta]
pub async fn get_task_log_timeline(
    state: State<'_, AppState>,
    task_id: String,
    buckets: u32,
) -> Result<LogTimeline, AppError> {
    Ok(state.manager()?.log_timeline(&task_id, buckets).await?)
}

/// The sections of a task's log, in the order they opened.
#[tauri::command]
#[specta::specta]
pub async fn get_task_log_sections(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<Vec<LogSection>, AppError> {
    Ok(state.manager()?.log_sections(&task_id).await?)
}

/// The sources of a task's entries, in name order.
#[tauri::command]
#[specta::specta]
pub async fn get_task_log_sources(
    state: State<'_, AppState>,
    task_id: String,
) -> Result<Vec<String>, AppError> {
    Ok(state.manager()?.log_sources(&task_id).await?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_core::test_programs::{echo, script};
    use taskdeck_protocol::{IpcError, LogCount, LogPage, LogStats};

    use crate::commands::test_support::MockApp;

    #[test]
    fn logs_stats_and_sources_of_a_finished_task() {
        let app = MockApp::started();
        let task_id = app.run_shell(script(&["echo alpha", "echo beta>&2", "echo gamma"]));

        let page: LogPage = serde_json::from_value(
            app.invoke(
                "get_task_logs",
                json!({ "taskId": task_id, "filter": { "sources": ["shell.stdout"], "limit": 1 } }),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].message, "alpha");
        let next = page.next_cursor.unwrap();
        let rest: LogPage = serde_json::from_value(
            app.invoke(
                "get_task_logs",
                json!({ "taskId": task_id, "filter": { "sources": ["shell.stdout"], "after_seq": next } }),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(rest.entries[0].message, "gamma");
        assert_eq!(rest.next_cursor, None);

        let searched: LogPage = serde_json::from_value(
            app.invoke(
                "get_task_logs",
                json!({ "taskId": task_id, "filter": { "search": "beta", "levels": ["WARNING"] } }),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(searched.entries[0].source, "shell.stderr");
        let counted: LogCount = serde_json::from_value(
            app.invoke(
                "count_task_logs",
                json!({ "taskId": task_id, "filter": { "search": "alpha OR gamma", "search_mode": "operators", "sources": ["shell.stdout"] } }),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            counted,
            LogCount {
                matching: 2,
                capped: false
            }
        );

        let stats: LogStats = serde_json::from_value(
            app.invoke("get_task_log_stats", json!({ "taskId": task_id }))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(stats.counts.warning, 1);
        let sources = app
            .invoke("get_task_log_sources", json!({ "taskId": task_id }))
            .unwrap();
        assert_eq!(
            sources,
            json!(["shell.process", "shell.stderr", "shell.stdout", "system"])
        );
    }

    #[test]
    fn bad_filters_and_unknown_tasks_are_typed_errors() {
        let app = MockApp::started();
        let task_id = app.run_shell(echo("hi"));
        let cases = [
            (
                json!({ "taskId": task_id, "filter": { "limit": 0 } }),
                "invalid_argument",
                "limit",
            ),
            (
                json!({ "taskId": task_id, "filter": { "search": "\"open", "search_mode": "operators" } }),
                "invalid_argument",
                "search",
            ),
            (
                json!({ "taskId": task_id, "filter": { "search": "a(b", "search_mode": "regex" } }),
                "invalid_argument",
                "character 2",
            ),
            (
                json!({ "taskId": task_id, "filter": { "context_after": 51 } }),
                "invalid_argument",
                "context_after",
            ),
            (
                json!({ "taskId": "missing", "filter": {} }),
                "not_found",
                "missing",
            ),
        ];
        for (args, kind, mention) in cases {
            for command in ["get_task_logs", "count_task_logs"] {
                let error: IpcError =
                    serde_json::from_value(app.invoke(command, args.clone()).unwrap_err()).unwrap();
                assert_eq!(error.kind.as_str(), kind, "{command} {args}");
                assert!(error.message.contains(mention), "{args}: {}", error.message);
                for internal in ["fts5", "Custom Error", "no such column", "SQLITE"] {
                    assert!(
                        !error.message.contains(internal),
                        "{args}: {}",
                        error.message
                    );
                }
            }
        }
        for command in ["get_task_log_stats", "get_task_log_sources"] {
            let error: IpcError = serde_json::from_value(
                app.invoke(command, json!({ "taskId": "missing" }))
                    .unwrap_err(),
            )
            .unwrap();
            assert_eq!(error.kind.as_str(), "not_found");
        }
    }

    #[test]
    fn hostile_arguments_are_refused_by_name_and_the_app_keeps_answering() {
        let app = MockApp::started();
        let task_id = app.run_shell(echo("hi"));
        // Shapes the command cannot take: Tauri refuses them before the
        // command runs, naming the argument.
        let malformed = [
            json!({ "taskId": task_id, "filter": { "limit": "ten" } }),
            json!({ "taskId": task_id, "filter": { "limit": 9_223_372_036_854_775_808_u64 } }),
            json!({ "taskId": task_id }),
            json!({ "taskId": 42, "filter": {} }),
            json!({ "taskId": task_id, "filter": { "levels": ["LOUD"] } }),
        ];
        for args in malformed {
            let refusal = app.invoke("get_task_logs", args.clone()).unwrap_err();
            let text = refusal.to_string();
            assert!(
                text.contains("filter") || text.contains("taskId"),
                "{args}: {text}"
            );
            // The UI reads this prefix as `invalid_argument` (ui/src/ipc.rs).
            assert!(
                refusal
                    .as_str()
                    .is_some_and(|text| text.starts_with("invalid args `")),
                "{args}: {text}"
            );
        }
        // A 100 MB search is a full-text query like any other: answered,
        // not a crash.
        let huge = "a".repeat(100 * 1024 * 1024);
        let page = app.invoke(
            "get_task_logs",
            json!({ "taskId": task_id, "filter": { "search": huge } }),
        );
        match page {
            Ok(page) => assert_eq!(page["entries"], json!([])),
            Err(error) => {
                let error: IpcError = serde_json::from_value(error).unwrap();
                assert_eq!(error.kind.as_str(), "invalid_argument", "{}", error.message);
            }
        }
        let info = app.invoke("app_info", json!({}));
        assert!(info.is_ok(), "the app still answers: {info:?}");
    }
}

/// One page of the tasks whose logs match a search, newest first.
#[tauri::command]
#[specta::specta]
pub async fn search_runs(
    state: State<'_, AppState>,
    request: RunSearchRequest,
) -> Result<RunSearchPage, AppError> {
    Ok(state.manager()?.search_runs(&request).await?)
}

/// Two runs' logs compared, with `context` lines around each difference.
#[tauri::command]
#[specta::specta]
pub async fn compare_runs(
    state: State<'_, AppState>,
    a: String,
    b: String,
    normalise: bool,
    context: u32,
) -> Result<RunComparison, AppError> {
    let options = CompareOptions { normalise, context };
    Ok(state.manager()?.compare_runs(&a, &b, options).await?)
}
