//! The task runner: pick a plugin, fill its form, Run (and Cancel); the log
//! panel of the started task opens below.

use taskdeck_protocol::commands::{CancelTask, ListPlugins, RunTask};
use taskdeck_protocol::{InvalidParam, IpcError, PluginInfo, RunTaskRequest};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::param_form::{FormValues, initial_values, params_from};
use super::{ParamForm, TaskLogPanel};
use crate::components::ErrorBanner;
use crate::ipc;

/// The runner.
#[function_component(TaskRunner)]
pub fn task_runner() -> Html {
    let plugins = use_state(|| None::<Result<Vec<PluginInfo>, IpcError>>);
    let selected = use_state(String::new);
    let values = use_state(FormValues::new);
    let invalid = use_state(|| None::<InvalidParam>);
    let failure = use_state(|| None::<IpcError>);
    let task_id = use_state(|| None::<String>);

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
    let on_run = {
        let plugin = plugin.clone();
        let values = values.clone();
        let invalid = invalid.clone();
        let failure = failure.clone();
        let task_id = task_id.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(plugin) = plugin.clone() else {
                return;
            };
            let params = match params_from(&plugin.params, &values) {
                Ok(params) => params,
                Err(error) => return invalid.set(Some(error)),
            };
            let failure = failure.clone();
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = RunTaskRequest {
                    plugin_id: plugin.id.clone(),
                    params,
                };
                match ipc::invoke(&RunTask { request }).await {
                    Ok(task) => {
                        failure.set(None);
                        task_id.set(Some(task.id));
                    }
                    Err(error) => failure.set(Some(error)),
                }
            });
        })
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

    html! {
        <div class="task-runner">
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
                    if task_id.is_some() {
                        <button type="button" data-testid="cancel-button" onclick={on_cancel}>{ "Cancel" }</button>
                    }
                </div>
            </form>
            if let Some(error) = (*failure).clone() {
                <ErrorBanner {error} />
            }
            if let Some(id) = (*task_id).clone() {
                <TaskLogPanel key={id.clone()} task_id={AttrValue::from(id.clone())} />
            }
        </div>
    }
}
