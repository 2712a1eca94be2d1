//! A banner for an error the user must see (for example a store that could
//! not be opened). A damaged database gets a button that moves it aside and
//! starts fresh; the file is kept, and the banner says where.

use taskdeck_protocol::commands::StartFresh;
use taskdeck_protocol::{ErrorKind, IpcError};
use yew::prelude::*;

use crate::ipc;

/// Properties of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// The error to show.
    pub error: IpcError,
}

/// The banner.
#[function_component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    // `None`: not asked; `Some(Ok(path))`: moved there; `Some(Err)`: refused.
    let outcome = use_state(|| None::<Result<String, IpcError>>);
    let damaged = props.error.kind == ErrorKind::DatabaseDamaged;
    let start_fresh = {
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| {
            let outcome = outcome.clone();
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(ipc::invoke(&StartFresh {}).await));
            });
        })
    };
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    html! {
        <div class="banner banner-error" role="alert" data-testid="error-banner" data-kind={props.error.kind.as_str()}>
            <strong>{ "Something went wrong: " }</strong>
            { props.error.message.clone() }
            if damaged {
                { match &*outcome {
                    None => html! {
                        <p>
                            <button type="button" data-testid="start-fresh" onclick={start_fresh}>
                                { "Move the damaged file aside and start with a new database" }
                            </button>
                        </p>
                    },
                    Some(Ok(path)) => html! {
                        <p data-testid="moved-aside">
                            { format!("The damaged file is kept at {path}. ") }
                            <button type="button" data-testid="reload" onclick={reload}>{ "Continue" }</button>
                        </p>
                    },
                    Some(Err(error)) => html! {
                        <p data-testid="start-fresh-error">{ format!("Could not start fresh: {}", error.message) }</p>
                    },
                } }
            }
        </div>
    }
}
