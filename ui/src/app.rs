//! The app frame: header with navigation, the current view, and the footer.

use taskdeck_protocol::commands::GetAppInfo;
use taskdeck_protocol::{AppInfo, IpcError};
use yew::prelude::*;

use crate::components::{
    AppFooter, AppHeader, CleanupNotice, ErrorBanner, HistoryView, RunView, SettingsView,
    StorageBanner, View,
};
use crate::ipc;
use crate::permalink::{self, LineLink};

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let link = use_state(permalink::current);
    let view = use_state(|| {
        if permalink::current().is_some() {
            View::History
        } else {
            View::Run
        }
    });
    let app_info = use_state(|| None::<Result<AppInfo, IpcError>>);

    // A line link opened while the app runs: show it in History.
    {
        let link = link.clone();
        let view = view.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "hashchange", move |_| {
                    let current: Option<LineLink> = permalink::current();
                    if current.is_some() {
                        view.set(View::History);
                    }
                    link.set(current);
                })
            });
            // Dropping the listener removes it.
            move || drop(listener)
        });
    }

    {
        let app_info = app_info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                app_info.set(Some(ipc::invoke(&GetAppInfo {}).await));
                mark_ready();
            });
        });
    }

    let on_navigate = {
        let view = view.clone();
        Callback::from(move |next: View| view.set(next))
    };
    // "Open its log" on a cleanup notice: that task, in History.
    let on_open_log = {
        let view = view.clone();
        let link = link.clone();
        Callback::from(move |task_id: String| {
            link.set(Some(LineLink { task_id, seq: 1 }));
            view.set(View::History);
        })
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
            <StorageBanner />
            <main class="app-main" data-testid="main-area" aria-live="polite">
                <CleanupNotice {on_open_log} />
                { match *view {
                    View::Run => html! { <RunView /> },
                    View::History => html! { <HistoryView link={(*link).clone()} /> },
                    View::Settings => html! { <SettingsView /> },
                } }
            </main>
            <AppFooter info={(*app_info).clone()} />
        </div>
    }
}

/// Marks the moment the app has its first answer from the core
/// (`performance.mark("taskdeck-ready")`; the frame showing it follows): the
/// start-up benchmark measures launch → this mark, and a developer sees it
/// in the webview's timeline.
fn mark_ready() {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(READY_MARK);
    }
}

/// The name of the start-up mark (see [`mark_ready`]).
const READY_MARK: &str = "taskdeck-ready";
