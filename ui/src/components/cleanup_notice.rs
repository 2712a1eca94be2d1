//! The notice an automatic cleanup leaves: what it removed and how much
//! space it gave back (or why it failed), with a way to its log.

use taskdeck_protocol::CleanupOutcome;
use taskdeck_protocol::commands::LastCleanup;
use yew::prelude::*;

use crate::format;
use crate::ipc;

/// Properties of [`CleanupNotice`].
#[derive(Properties, PartialEq)]
pub struct CleanupNoticeProps {
    /// Opens the cleanup's `system` task.
    pub on_open_log: Callback<String>,
}

/// The notice; shows the last cleanup that did something until dismissed.
#[function_component(CleanupNotice)]
pub fn cleanup_notice(props: &CleanupNoticeProps) -> Html {
    let outcome = use_state(|| None::<CleanupOutcome>);
    {
        let outcome = outcome.clone();
        use_effect_with((), move |_| {
            // The start-up cleanup may have run before this listened.
            {
                let outcome = outcome.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(Some(last)) = ipc::invoke(&LastCleanup {}).await {
                        outcome.set(Some(last));
                    }
                });
            }
            let listener = ipc::listen_cleanups(Callback::from(move |next| {
                outcome.set(Some(next));
            }))
            .ok();
            move || drop(listener)
        });
    }
    let Some(current) = (*outcome).clone() else {
        return html! {};
    };
    let on_dismiss = {
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| outcome.set(None))
    };
    let text = match (&current.report, &current.error) {
        (_, Some(error)) => format!("The automatic cleanup failed: {}", error.message),
        (Some(report), None) => {
            format!("The automatic cleanup removed {}.", format::removal(report))
        }
        (None, None) => return html! {},
    };
    let log_task = current
        .report
        .as_ref()
        .and_then(|report| report.log_task_id.clone());
    html! {
        <div class="banner banner-info" role="status" data-testid="cleanup-notice">
            <span>{ text }</span>
            if let Some(task_id) = log_task {
                <button type="button" data-testid="cleanup-notice-open" onclick={
                    let on_open_log = props.on_open_log.clone();
                    Callback::from(move |_: MouseEvent| on_open_log.emit(task_id.clone()))
                }>{ "Open its log" }</button>
            }
            <button type="button" data-testid="cleanup-notice-dismiss" onclick={on_dismiss}>{ "Dismiss" }</button>
        </div>
    }
}
