//! The banner shown while log entries cannot be written (a full disk, a
//! database another program keeps locked): why, and how many entries wait
//! in memory. It goes away by itself once writes succeed again. While many
//! stored entries wait for the search index (after an upgrade from an
//! older index), a quieter banner says so and counts them down.

use taskdeck_protocol::StorageStatus;
use taskdeck_protocol::commands::GetStorageStatus;
use yew::prelude::*;

use crate::ipc;

/// The banner; renders nothing while writes succeed and the index keeps up.
#[function_component(StorageBanner)]
pub fn storage_banner() -> Html {
    let status = use_state_eq(StorageStatus::default);
    {
        let status = status.clone();
        use_effect_with((), move |_| {
            // Writes may have started failing before this listened.
            {
                let status = status.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(now) = ipc::invoke(&GetStorageStatus {}).await {
                        status.set(now);
                    }
                });
            }
            let listener = ipc::listen_storage_status(Callback::from(move |next| {
                status.set(next);
            }))
            .ok();
            move || drop(listener)
        });
    }
    let Some(error) = status.error.clone() else {
        if !status.indexing() {
            return html! {};
        }
        return html! {
            <div class="banner banner-info" role="status" data-testid="index-banner">
                <strong>{ "Indexing logs for search: " }</strong>
                { format!(
                    "{} entries to go. Searches work meanwhile; they read the entries \
                     not indexed yet directly, which is slower.",
                    status.entries_to_index
                ) }
            </div>
        };
    };
    let waiting = match status.entries_held {
        1 => "1 log entry waits".to_owned(),
        count => format!("{count} log entries wait"),
    };
    html! {
        <div class="banner banner-error" role="alert" data-testid="storage-banner">
            <strong>{ "Log entries cannot be written: " }</strong>
            { error }
            <p data-testid="storage-held">
                { format!(
                    "{waiting} in memory and will be written as soon as the database can be \
                     written again. Tasks keep running; free some disk space or close the \
                     program holding the database."
                ) }
            </p>
        </div>
    }
}
