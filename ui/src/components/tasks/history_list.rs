//! The history list: every task, newest first, with status, duration and
//! warning/error counts; opening one shows its log panel, re-running one
//! starts the same plugin with the same parameters, deleting one (asked
//! twice) removes it with its logs. Ticked tasks export together into one
//! file; "Import…" brings in a JSON Lines export someone sent, as history.

use taskdeck_protocol::commands::{DeleteTasks, ImportTaskLogs, ListTasks, RunTask};
use taskdeck_protocol::{IpcError, RunTaskRequest, TaskListFilter, TaskSummary};
use yew::prelude::*;

use super::{ExportControl, TaskLogViewer};
use crate::components::{EmptyState, ErrorBanner};
use crate::route::LineLink;
use crate::{format, ipc};

/// Properties of [`HistoryList`].
#[derive(Properties, PartialEq)]
pub struct HistoryListProps {
    /// A line to open, from a link.
    #[prop_or_default]
    pub link: Option<LineLink>,
}

/// How many times the list was asked to reload.
#[derive(PartialEq)]
struct Reloads(u32);

impl Reducible for Reloads {
    type Action = ();

    fn reduce(self: std::rc::Rc<Self>, (): ()) -> std::rc::Rc<Self> {
        std::rc::Rc::new(Reloads(self.0.wrapping_add(1)))
    }
}

/// The tasks listed (`None` until the first load).
#[derive(PartialEq)]
struct TaskList(Option<Result<Vec<TaskSummary>, IpcError>>);

enum TaskListAction {
    Loaded(Result<Vec<TaskSummary>, IpcError>),
    /// A task's new summary: replaces its row, or is a new task (newest,
    /// so first).
    Updated(Box<TaskSummary>),
}

impl Reducible for TaskList {
    type Action = TaskListAction;

    fn reduce(self: std::rc::Rc<Self>, action: TaskListAction) -> std::rc::Rc<Self> {
        let next = match action {
            TaskListAction::Loaded(listed) => Some(listed),
            TaskListAction::Updated(summary) => match &self.0 {
                Some(Ok(list)) => {
                    let mut list = list.clone();
                    match list.iter_mut().find(|task| task.id == summary.id) {
                        Some(task) => *task = *summary,
                        None => list.insert(0, *summary),
                    }
                    Some(Ok(list))
                }
                // Not listed yet (or failed): the next load shows it.
                _ => return self,
            },
        };
        std::rc::Rc::new(TaskList(next))
    }
}

/// The history list.
#[function_component(HistoryList)]
pub fn history_list(props: &HistoryListProps) -> Html {
    let open = use_state(|| None::<String>);
    // A link opens its task (and the panel scrolls to its line).
    {
        let open = open.clone();
        use_effect_with(props.link.clone(), move |link| {
            if let Some(link) = link {
                open.set(Some(link.task_id.clone()));
            }
        });
    }
    let target_seq = props
        .link
        .as_ref()
        .filter(|link| open.as_deref() == Some(link.task_id.as_str()))
        .map(|link| link.seq);
    let reloads = use_reducer(|| Reloads(0));
    let tasks = use_reducer(|| TaskList(None));
    // The list follows task updates pushed by the core (`task-updated`).
    {
        let tasks = tasks.clone();
        use_effect_with((), move |_| {
            let listener = ipc::listen_task_updates(Callback::from(move |summary| {
                tasks.dispatch(TaskListAction::Updated(Box::new(summary)));
            }))
            .ok();
            move || drop(listener)
        });
    }
    // An automatic cleanup removed tasks: reload.
    {
        let reloads = reloads.clone();
        use_effect_with((), move |_| {
            let listener = ipc::listen_cleanups(Callback::from(move |_| reloads.dispatch(()))).ok();
            move || drop(listener)
        });
    }
    {
        let tasks = tasks.clone();
        use_effect_with(reloads.0, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let listed = ipc::invoke(&ListTasks {
                    filter: TaskListFilter::default(),
                })
                .await;
                tasks.dispatch(TaskListAction::Loaded(listed));
            });
        });
    }
    let on_reload = {
        let reloads = reloads.clone();
        Callback::from(move |_| reloads.dispatch(()))
    };
    // What a re-run or delete reported, and the task whose delete awaits
    // confirmation.
    let action_error = use_state(|| None::<IpcError>);
    let confirming = use_state(|| None::<String>);
    let on_rerun = {
        let open = open.clone();
        let action_error = action_error.clone();
        Callback::from(move |task: TaskSummary| {
            let open = open.clone();
            let action_error = action_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = RunTaskRequest {
                    plugin_id: task.plugin_id,
                    params: task.params,
                };
                match ipc::invoke(&RunTask { request }).await {
                    Ok(started) => {
                        action_error.set(None);
                        open.set(Some(started.id));
                    }
                    Err(error) => action_error.set(Some(error)),
                }
            });
        })
    };
    let on_delete = {
        let open = open.clone();
        let action_error = action_error.clone();
        let confirming = confirming.clone();
        let reloads = reloads.clone();
        Callback::from(move |task_id: String| {
            if confirming.as_deref() != Some(task_id.as_str()) {
                confirming.set(Some(task_id));
                return;
            }
            confirming.set(None);
            let open = open.clone();
            let action_error = action_error.clone();
            let reloads = reloads.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::invoke(&DeleteTasks {
                    task_ids: vec![task_id.clone()],
                })
                .await
                {
                    Ok(_) => {
                        action_error.set(None);
                        if open.as_deref() == Some(task_id.as_str()) {
                            open.set(None);
                        }
                    }
                    Err(error) => action_error.set(Some(error)),
                }
                reloads.dispatch(());
            });
        })
    };
    // What the last import brought in.
    let imported = use_state(|| None::<String>);
    let on_import = {
        let open = open.clone();
        let action_error = action_error.clone();
        let imported = imported.clone();
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| {
            let open = open.clone();
            let action_error = action_error.clone();
            let imported = imported.clone();
            let reloads = reloads.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let path = match ipc::open_export_file().await {
                    Ok(Some(path)) => path,
                    Ok(None) => return,
                    Err(error) => return action_error.set(Some(error)),
                };
                match ipc::invoke(&ImportTaskLogs { path: path.clone() }).await {
                    Ok(report) => {
                        action_error.set(None);
                        imported.set(Some(format!(
                            "Imported {} task(s) with {} entries from {path}.",
                            report.task_ids.len(),
                            report.entries
                        )));
                        open.set(report.task_ids.first().cloned());
                        reloads.dispatch(());
                    }
                    Err(error) => {
                        imported.set(None);
                        action_error.set(Some(error));
                    }
                }
            });
        })
    };
    // The tasks ticked for a joint export, in list order.
    let chosen = use_state(Vec::<String>::new);
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |(task_id, ticked): (String, bool)| {
            let mut next: Vec<String> = (*chosen).clone();
            next.retain(|id| *id != task_id);
            if ticked {
                next.push(task_id);
            }
            chosen.set(next);
        })
    };
    // Ticked tasks in list order (forgetting any that left the list), and
    // how many entries they hold together.
    let (chosen_ids, chosen_total) = match &tasks.0 {
        Some(Ok(list)) => list.iter().filter(|task| chosen.contains(&task.id)).fold(
            (Vec::new(), 0u64),
            |(mut ids, total), task| {
                ids.push(task.id.clone());
                (ids, total + task.counts.total())
            },
        ),
        _ => (Vec::new(), 0),
    };
    let actions = html! {
        <>
            <div class="history-actions">
                if !chosen_ids.is_empty() {
                    <ExportControl name="history-export" task_ids={chosen_ids.clone()} total={Some(chosen_total)} />
                }
                <button type="button" data-testid="history-import" title="Open a JSON Lines log export as history"
                    onclick={on_import}>{ "Import…" }</button>
                <button type="button" data-testid="history-reload" onclick={on_reload}>{ "Refresh" }</button>
            </div>
            if let Some(notice) = (*imported).clone() {
                <p class="notice" data-testid="history-notice" role="status">{ notice }</p>
            }
            if let Some(error) = (*action_error).clone() {
                <ErrorBanner {error} />
            }
        </>
    };
    let list = match &tasks.0 {
        None => return html! { <p class="muted">{ "Loading…" }</p> },
        Some(Err(error)) => return html! { <ErrorBanner error={error.clone()} /> },
        Some(Ok(list)) => list.clone(),
    };
    if list.is_empty() {
        return html! {
            <div class="history">
                { actions }
                <EmptyState
                    message="No tasks have run yet."
                    hint="Every task you run is kept here with its logs, across restarts; Import… opens one someone exported."
                />
            </div>
        };
    }
    html! {
        <div class="history">
            { actions }
            <div class="history-table-wrap">
            <table class="history-table">
                <thead>
                    <tr><th><span class="visually-hidden">{ "Export" }</span></th><th>{ "Status" }</th><th>{ "Plugin" }</th><th>{ "Started" }</th><th>{ "Duration" }</th><th>{ "Warnings" }</th><th>{ "Errors" }</th><th><span class="visually-hidden">{ "Actions" }</span></th></tr>
                </thead>
                <tbody>
                    { for list.iter().map(|task| {
                        let id = task.id.clone();
                        let open_it = {
                            let open = open.clone();
                            Callback::from(move |_: MouseEvent| open.set(Some(id.clone())))
                        };
                        let selected = open.as_deref() == Some(task.id.as_str());
                        let rerun_it = {
                            let task = task.clone();
                            on_rerun.reform(move |event: MouseEvent| {
                                event.stop_propagation();
                                task.clone()
                            })
                        };
                        let delete_it = {
                            let id = task.id.clone();
                            on_delete.reform(move |event: MouseEvent| {
                                event.stop_propagation();
                                id.clone()
                            })
                        };
                        let finished = task.status.is_finished();
                        let confirm = confirming.as_deref() == Some(task.id.as_str());
                        let choose_it = {
                            let id = task.id.clone();
                            on_choose.reform(move |event: Event| {
                                let ticked = event
                                    .target_unchecked_into::<web_sys::HtmlInputElement>()
                                    .checked();
                                (id.clone(), ticked)
                            })
                        };
                        html! {
                            <tr class={classes!("history-row", selected.then_some("selected"))}
                                data-testid="history-row" data-task-id={task.id.clone()}
                                data-status={task.status.as_str()} onclick={open_it.clone()}>
                                <td onclick={Callback::from(|event: MouseEvent| event.stop_propagation())}>
                                    <input type="checkbox" data-testid="history-select"
                                        aria-label={format!("Choose this {} task for export", task.plugin_id)}
                                        checked={chosen.contains(&task.id)} onchange={choose_it} />
                                </td>
                                <td><span class={classes!("status", format!("status-{}", task.status.as_str()))}>{ task.status.as_str() }</span></td>
                                <td>
                                    <button type="button" class="link" data-testid="history-open"
                                        aria-label={format!("Open the log of this {} task", task.plugin_id)}
                                        onclick={open_it}>
                                        { task.plugin_id.clone() }
                                    </button>
                                </td>
                                <td>{ format::date_time(task.started_at.unwrap_or(task.created_at)) }</td>
                                <td>{ format::duration(task.started_at, task.finished_at) }</td>
                                <td>{ task.counts.warning }</td>
                                <td>{ task.counts.error }</td>
                                <td><div class="history-row-actions">
                                    <button type="button" data-testid="history-rerun"
                                        title="Run again with the same parameters" onclick={rerun_it}>
                                        { "Re-run" }
                                    </button>
                                    <button type="button" class={classes!(confirm.then_some("danger"))}
                                        data-testid="history-delete" disabled={!finished}
                                        title={if finished { "Delete this task and its log" } else { "Cancel the task before deleting it" }}
                                        onclick={delete_it}>
                                        { if confirm { "Really delete?" } else { "Delete" } }
                                    </button>
                                </div></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            </div>
            if let Some(id) = (*open).clone() {
                <TaskLogViewer key={format!("{id}/{target_seq:?}")} task_id={AttrValue::from(id.clone())} {target_seq} />
            }
        </div>
    }
}
