//! The task runner: pick a plugin, fill its form, Run (and Cancel); the log
//! panel of the started task opens beside it. Once a task has started the
//! form folds into a one-line summary (Edit unfolds it), so the log gets
//! the window's width.

use taskdeck_protocol::commands::{CancelTask, ListPlugins, RunTask};
use taskdeck_protocol::{InvalidParam, IpcError, ParamSchema, PluginInfo, RunTaskRequest};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::param_form::{FormValues, initial_values, params_from};
use super::{ParamForm, TaskLogPanel};
use crate::components::ErrorBanner;
use crate::ipc;

/// The folded form's line: each filled parameter's value in the form's
/// order, a secret's masked.
fn summary(schema: &ParamSchema, values: &FormValues) -> String {
    schema
        .fields
        .iter()
        .filter_map(|field| {
            let value = values.get(&field.name)?.trim();
            (!value.is_empty()).then(|| {
                if field.secret {
                    "•••".to_owned()
                } else {
                    value.split_whitespace().collect::<Vec<_>>().join(" ")
                }
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The runner.
#[function_component(TaskRunner)]
pub fn task_runner() -> Html {
    let plugins = use_state(|| None::<Result<Vec<PluginInfo>, IpcError>>);
    let selected = use_state(String::new);
    let values = use_state(FormValues::new);
    let invalid = use_state(|| None::<InvalidParam>);
    let failure = use_state(|| None::<IpcError>);
    let task_id = use_state(|| None::<String>);
    let folded = use_state(|| false);

    {
        let plugins = plugins.clone();
        let selected = selected.clone();
        let values = values.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let found = ipc::invoke(&ListPlugins {}).await;
                if let Ok(list) = &found
                    && let Some(first) = list.first()
                {
                    selected.set(first.id.clone());
                    values.set(initial_values(&first.params));
                }
                plugins.set(Some(found));
            });
        });
    }

    let list = match &*plugins {
        None => return html! { <p class="muted">{ "Loading plugins…" }</p> },
        Some(Err(error)) => return html! { <ErrorBanner error={error.clone()} /> },
        Some(Ok(list)) => list.clone(),
    };
    let plugin = list.iter().find(|plugin| plugin.id == *selected).cloned();

    let on_pick = {
        let selected = selected.clone();
        let values = values.clone();
        let invalid = invalid.clone();
        let list = list.clone();
        Callback::from(move |event: Event| {
            let id = event.target_unchecked_into::<HtmlSelectElement>().value();
            values.set(
                list.iter()
                    .find(|plugin| plugin.id == id)
                    .map(|plugin| initial_values(&plugin.params))
                    .unwrap_or_default(),
            );
            selected.set(id);
            invalid.set(None);
        })
    };
    let on_values = {
        let values = values.clone();
        let invalid = invalid.clone();
        Callback::from(move |next: FormValues| {
            values.set(next);
            invalid.set(None);
        })
    };
    let run = {
        let plugin = plugin.clone();
        let values = values.clone();
        let invalid = invalid.clone();
        let failure = failure.clone();
        let task_id = task_id.clone();
        let folded = folded.clone();
        Callback::from(move |()| {
            let Some(plugin) = plugin.clone() else {
                return;
            };
            let params = match params_from(&plugin.params, &values) {
                Ok(params) => params,
                Err(error) => return invalid.set(Some(error)),
            };
            let failure = failure.clone();
            let task_id = task_id.clone();
            let folded = folded.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = RunTaskRequest {
                    plugin_id: plugin.id.clone(),
                    params,
                };
                match ipc::invoke(&RunTask { request }).await {
                    Ok(task) => {
                        failure.set(None);
                        task_id.set(Some(task.id));
                        folded.set(true);
                    }
                    Err(error) => failure.set(Some(error)),
                }
            });
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            run.emit(());
        })
    };
    let on_run_again = Callback::from(move |_: MouseEvent| run.emit(()));
    let on_edit = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(false))
    };
    let on_cancel = {
        let task_id = task_id.clone();
        let failure = failure.clone();
        Callback::from(move |_| {
            let Some(id) = (*task_id).clone() else {
                return;
            };
            let failure = failure.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(error) = ipc::invoke(&CancelTask {
                    task_id: id.clone(),
                })
                .await
                {
                    failure.set(Some(error));
                }
            });
        })
    };

    let cancel = task_id.is_some().then(|| html! {
        <button type="button" data-testid="cancel-button" onclick={on_cancel.clone()}>{ "Cancel" }</button>
    });
    let form = if *folded && task_id.is_some() {
        let (name, line) = plugin.as_ref().map_or_else(Default::default, |plugin| {
            (plugin.name.clone(), summary(&plugin.params, &values))
        });
        html! {
            <div class="runner-summary" data-testid="runner-summary">
                <strong>{ format!("{name}:") }</strong>
                <span class="runner-summary-params" title={line.clone()}>{ line }</span>
                <button type="button" data-testid="runner-edit" onclick={on_edit}
                    title="Show the form again">{ "Edit" }</button>
                <button type="button" class="primary" data-testid="run-button" onclick={on_run_again}>{ "Run again" }</button>
                { cancel.unwrap_or_default() }
            </div>
        }
    } else {
        html! {
            <form class="runner-form" onsubmit={on_run}>
                <label class="plugin-picker">
                    { "Plugin " }
                    <select data-testid="plugin-picker" onchange={on_pick}>
                        { for list.iter().map(|plugin| html! {
                            <option value={plugin.id.clone()} selected={plugin.id == *selected}>{ plugin.name.clone() }</option>
                        }) }
                    </select>
                </label>
                if let Some(plugin) = &plugin {
                    <p class="muted">{ plugin.description.clone() }</p>
                    <ParamForm schema={plugin.params.clone()} values={(*values).clone()}
                        error={(*invalid).clone()} on_change={on_values} />
                }
                <div class="runner-actions">
                    <button type="submit" class="primary" data-testid="run-button">{ "Run" }</button>
                    { cancel.unwrap_or_default() }
                </div>
            </form>
        }
    };
    html! {
        <div class={classes!("task-runner", (*folded && task_id.is_some()).then_some("folded"))}>
            { form }
            if let Some(error) = (*failure).clone() {
                <ErrorBanner {error} />
            }
            if let Some(id) = (*task_id).clone() {
                <TaskLogPanel key={id.clone()} task_id={AttrValue::from(id.clone())} />
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use taskdeck_protocol::{ParamField, ParamKind};

    use super::*;

    fn field(name: &str, secret: bool) -> ParamField {
        ParamField {
            name: name.to_owned(),
            label: name.to_owned(),
            description: String::new(),
            kind: ParamKind::String,
            required: false,
            default: None,
            minimum: None,
            maximum: None,
            choices: Vec::new(),
            picker: None,
            secret,
        }
    }

    #[test]
    fn the_folded_line_shows_what_runs_and_hides_secrets() {
        let schema = ParamSchema {
            fields: vec![
                field("program", false),
                field("args", false),
                field("token", true),
                field("cwd", false),
            ],
        };
        let values = FormValues::from([
            ("program".to_owned(), "sh".to_owned()),
            ("args".to_owned(), "-c\necho   hi".to_owned()),
            ("token".to_owned(), "hunter2".to_owned()),
            ("cwd".to_owned(), " ".to_owned()),
        ]);
        assert_eq!(summary(&schema, &values), "sh -c echo hi •••");
    }
}
