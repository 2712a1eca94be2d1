//! The Settings view: the retention rules of the automatic cleanup (each
//! may be off, defaults shown beside it), the flush interval, and a
//! preview or an immediate run of the cleanup the saved rules describe.

mod draft;

use taskdeck_protocol::commands::{GetSettings, RunCleanup, SaveSettings};
use taskdeck_protocol::{IpcError, RemovalReport, Settings, SettingsState, human_size};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use self::draft::{Draft, Field};
use crate::format;
use crate::ipc;

/// What the last button did.
#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Saved,
    Invalid(String),
    Failed(IpcError),
    Cleaned(RemovalReport),
}

/// How many tasks a cleanup report lists by name.
const LISTED: usize = 20;

fn report_text(report: &RemovalReport) -> String {
    let verb = if report.dry_run {
        "With the saved settings, a cleanup now would remove"
    } else {
        "Removed"
    };
    format!("{verb} {}.", format::removal(report))
}

/// The Settings view.
#[function_component(SettingsView)]
pub fn settings_view() -> Html {
    let loaded = use_state(|| None::<Result<SettingsState, IpcError>>);
    let draft = use_state(|| Draft::new(&Settings::default()));
    let status = use_state(|| Status::Idle);
    {
        let loaded = loaded.clone();
        let draft = draft.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let answer = ipc::invoke(&GetSettings {}).await;
                if let Ok(state) = &answer {
                    draft.set(Draft::new(&state.settings));
                }
                loaded.set(Some(answer));
            });
        });
    }
    let on_submit = {
        let draft = draft.clone();
        let loaded = loaded.clone();
        let status = status.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let settings = match draft.read() {
                Ok(settings) => settings,
                Err(problem) => return status.set(Status::Invalid(problem)),
            };
            let loaded = loaded.clone();
            let draft = draft.clone();
            let status = status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::invoke(&SaveSettings { settings }).await {
                    Ok(state) => {
                        draft.set(Draft::new(&state.settings));
                        loaded.set(Some(Ok(state)));
                        status.set(Status::Saved);
                    }
                    Err(error) => status.set(Status::Failed(error)),
                }
            });
        })
    };
    let on_defaults = {
        let draft = draft.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            draft.set(Draft::new(&Settings::default()));
            status.set(Status::Idle);
        })
    };
    let on_cleanup = |dry_run: bool| {
        let status = status.clone();
        let loaded = loaded.clone();
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let loaded = loaded.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::invoke(&RunCleanup { dry_run }).await {
                    Ok(report) => {
                        status.set(Status::Cleaned(report));
                        if !dry_run {
                            // The database size changed.
                            loaded.set(Some(ipc::invoke(&GetSettings {}).await));
                        }
                    }
                    Err(error) => status.set(Status::Failed(error)),
                }
            });
        })
    };
    let on_rule_toggle = |field: Field| {
        let draft = draft.clone();
        Callback::from(move |event: Event| {
            let mut next = (*draft).clone();
            next.rule_mut(field).on = event.target_unchecked_into::<HtmlInputElement>().checked();
            draft.set(next);
        })
    };
    let on_rule_value = |field: Field| {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let mut next = (*draft).clone();
            next.rule_mut(field).value = event.target_unchecked_into::<HtmlInputElement>().value();
            draft.set(next);
        })
    };
    let on_flush = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let mut next = (*draft).clone();
            next.flush_interval_ms = event.target_unchecked_into::<HtmlInputElement>().value();
            draft.set(next);
        })
    };
    let defaults = Settings::default();
    let default_text = |value: Option<u32>, unit: &str| {
        value.map_or_else(
            || "default: off".to_owned(),
            |value| format!("default: {value} {unit}"),
        )
    };
    let rule = |field: Field,
                name: &'static str,
                label: &'static str,
                unit: &'static str,
                default: Option<u32>| {
        let current = draft.rule(field);
        html! {
            <div class="settings-row">
                <label>
                    <input type="checkbox" data-testid={format!("settings-{name}-on")}
                        checked={current.on} onchange={on_rule_toggle(field)} />
                    { label }
                </label>
                <input type="number" min="1" inputmode="numeric" aria-label={label}
                    data-testid={format!("settings-{name}")} disabled={!current.on}
                    value={current.value.clone()} oninput={on_rule_value(field)} />
                <span>{ unit }</span>
                <span class="muted">{ default_text(default, unit) }</span>
            </div>
        }
    };
    let database = match &*loaded {
        Some(Ok(state)) => format!("The database is {} now.", human_size(state.database_bytes)),
        _ => String::new(),
    };
    html! {
        <section class="view view-settings" data-testid="view-settings" aria-labelledby="settings-title">
            <h2 id="settings-title">{ "Settings" }</h2>
            if let Some(Err(error)) = &*loaded {
                <p class="error-text" role="alert" data-testid="settings-load-error">
                    { format!("The saved settings cannot be read: {}. Saving replaces them.", error.message) }
                </p>
            }
            <form class="settings-form" novalidate=true onsubmit={on_submit}>
                <fieldset>
                    <legend>{ "Retention" }</legend>
                    <p class="muted">
                        { "At start-up and every hour, finished tasks that any rule switched on selects are removed with their logs, and the space is given back. Running tasks are never removed; each cleanup is recorded as a \"system\" task in History." }
                    </p>
                    { rule(Field::KeepDays, "keep-days", "Remove tasks older than", "days", defaults.retention.keep_days) }
                    { rule(Field::MaxTasks, "max-tasks", "Keep at most", "tasks", defaults.retention.max_tasks) }
                    { rule(Field::MaxDatabaseMb, "max-database-mb", "Cap the database at", "MiB", defaults.retention.max_database_mb) }
                    <p class="muted" data-testid="settings-database-size">{ database }</p>
                </fieldset>
                <fieldset>
                    <legend>{ "Logging" }</legend>
                    <div class="settings-row">
                        <label for="settings-flush">{ "Write buffered log entries every" }</label>
                        <input id="settings-flush" type="number" min={Settings::MIN_FLUSH_INTERVAL_MS.to_string()}
                            max={Settings::MAX_FLUSH_INTERVAL_MS.to_string()} inputmode="numeric"
                            data-testid="settings-flush-interval" value={draft.flush_interval_ms.clone()} oninput={on_flush} />
                        <span>{ "ms" }</span>
                        <span class="muted">{ format!("default: {} ms", defaults.flush_interval_ms) }</span>
                    </div>
                    <p class="muted">{ "A crash loses at most this much of a log. Applies the next time Taskdeck starts." }</p>
                </fieldset>
                <div class="settings-actions">
                    <button type="submit" class="primary" data-testid="settings-save">{ "Save" }</button>
                    <button type="button" data-testid="settings-defaults" onclick={on_defaults}>{ "Restore defaults" }</button>
                    <button type="button" data-testid="settings-preview" title="List what the saved rules would remove now"
                        onclick={on_cleanup(true)}>{ "Preview cleanup" }</button>
                    <button type="button" data-testid="settings-clean-now" title="Apply the saved rules now"
                        onclick={on_cleanup(false)}>{ "Clean up now" }</button>
                </div>
            </form>
            <div class="notice" data-testid="settings-status" role="status">
                { match &*status {
                    Status::Idle => html! {},
                    Status::Saved => html! { "Saved." },
                    Status::Invalid(problem) => html! { <span class="error-text">{ problem.clone() }</span> },
                    Status::Failed(error) => html! { <span class="error-text">{ error.message.clone() }</span> },
                    Status::Cleaned(report) => html! {
                        <>
                            { report_text(report) }
                            <ul class="settings-removed" data-testid="settings-removed">
                                { for report.tasks.iter().take(LISTED).map(|task| html! {
                                    <li>{ format!("{} · {} · {} entries · {}", task.plugin_id, task.id, task.entries, task.reason.describe()) }</li>
                                }) }
                                if report.tasks.len() > LISTED {
                                    <li class="muted">{ format!("and {} more", report.tasks.len() - LISTED) }</li>
                                }
                            </ul>
                        </>
                    },
                } }
            </div>
        </section>
    }
}
