//! The app frame: header with navigation, the current view, and the footer.

use taskdeck_protocol::{AppInfo, IpcError};
use yew::prelude::*;

use crate::components::{AppFooter, AppHeader, ErrorBanner, HistoryView, RunView, View};
use crate::ipc;

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let view = use_state(|| View::Run);
    let app_info = use_state(|| None::<Result<AppInfo, IpcError>>);

    {
        let app_info = app_info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                app_info.set(Some(ipc::app_info().await));
            });
        });
    }

    let on_navigate = {
        let view = view.clone();
        Callback::from(move |next: View| view.set(next))
    };
    let error = match &*app_info {
        Some(Err(error)) => Some(error.clone()),
        _ => None,
    };

    html! {
        <div class="app" data-testid="app-frame">
            <AppHeader current={*view} {on_navigate} />
            if let Some(error) = error {
                <ErrorBanner {error} />
            }
            <main class="app-main" data-testid="main-area" aria-live="polite">
                { match *view {
                    View::Run => html! { <RunView /> },
                    View::History => html! { <HistoryView /> },
                } }
            </main>
            <AppFooter info={(*app_info).clone()} />
        </div>
    }
}
