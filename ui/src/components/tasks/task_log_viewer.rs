//! Any task, live or finished, in the log panel, under a line saying what
//! ran: the plugin, its parameters, when, for how long, and why it failed.

use taskdeck_protocol::commands::{CancelTask, GetTask};
use taskdeck_protocol::{IpcError, TaskStatus, TaskSummary};
use yew::prelude::*;

use super::TaskLogPanel;
use crate::components::ErrorBanner;
use crate::{format, ipc};

/// Properties of [`TaskLogViewer`].
#[derive(Properties, PartialEq)]
pub struct TaskLogViewerProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// A line to open the panel on (from a link).
    #[prop_or_default]
    pub target_seq: Option<u64>,
    /// Controls shown first on the summary line (History's way back).
    #[prop_or_default]
    pub children: Html,
}

/// The parameters as `name=value` pairs (strings unquoted), single values
/// before lists and objects so the short ones stay in view.
fn params_text(task: &TaskSummary) -> String {
    let mut pairs: Vec<(bool, String)> = task
        .params
        .iter()
        .map(|(name, value)| match value {
            serde_json::Value::String(text) => (false, format!("{name}={text}")),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                (true, format!("{name}={value}"))
            }
            other => (false, format!("{name}={other}")),
        })
        .collect();
    pairs.sort_by_key(|(compound, _)| *compound);
    pairs
        .into_iter()
        .map(|(_, pair)| pair)
        .collect::<Vec<_>>()
        .join("  ")
}

/// The task viewer.
#[function_component(TaskLogViewer)]
pub fn task_log_viewer(props: &TaskLogViewerProps) -> Html {
    let task = use_state(|| None::<Result<TaskSummary, IpcError>>);
    {
        let task = task.clone();
        use_effect_with(props.task_id.clone(), move |task_id| {
            let task_id = task_id.to_string();
            {
                let task = task.clone();
                let task_id = task_id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    task.set(Some(
                        ipc::invoke(&GetTask {
                            task_id: task_id.clone(),
                        })
                        .await,
                    ));
                });
            }
            let listener = ipc::listen_task_updates(Callback::from(move |summary: TaskSummary| {
                if summary.id == task_id {
                    task.set(Some(Ok(summary)));
                }
            }))
            .ok();
            move || drop(listener)
        });
    }
    let cancel_error = use_state(|| None::<IpcError>);
    let on_cancel = {
        let cancel_error = cancel_error.clone();
        let task_id = props.task_id.to_string();
        Callback::from(move |_: MouseEvent| {
            let cancel_error = cancel_error.clone();
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                cancel_error.set(
                    ipc::invoke(&CancelTask {
                        task_id: task_id.clone(),
                    })
                    .await
                    .err(),
                );
            });
        })
    };
    // One summary line whatever is known yet, so the controls at its start
    // stay the same elements while the task loads.
    let (details, load_error) = match &*task {
        Some(Ok(summary)) => {
            let running = matches!(summary.status, TaskStatus::Pending | TaskStatus::Running);
            let details = html! {
                <>
                    <strong>{ summary.plugin_id.clone() }</strong>
                    <code class="task-params" title={params_text(summary)}>
                        <span data-testid="task-params">{ params_text(summary) }</span>
                    </code>
                    <span class="muted">
                        { format!(
                            "{} · {}",
                            format::date_time(summary.started_at.unwrap_or(summary.created_at)),
                            format::duration(summary.started_at, summary.finished_at)
                        ) }
                    </span>
                    if running {
                        <button type="button" data-testid="viewer-cancel" onclick={on_cancel}>{ "Cancel" }</button>
                    }
                    if let Some(error) = &summary.error {
                        <p class="task-error" data-testid="task-error" role="alert">{ error.clone() }</p>
                    }
                </>
            };
            (details, None)
        }
        Some(Err(error)) => (html! {}, Some(error.clone())),
        None => (html! {}, None),
    };
    let summary = html! {
        <>
            <div class="task-summary" data-testid="task-summary">
                { props.children.clone() }
                { details }
            </div>
            if let Some(error) = load_error {
                <ErrorBanner {error} />
            }
        </>
    };
    html! {
        <div class="task-log-viewer" data-testid="task-log-viewer">
            { summary }
            if let Some(error) = (*cancel_error).clone() {
                <ErrorBanner {error} />
            }
            <TaskLogPanel task_id={props.task_id.clone()} target_seq={props.target_seq} />
        </div>
    }
}
