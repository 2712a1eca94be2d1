//! The app frame: header with navigation, the view its route names, and
//! the footer.

use taskdeck_protocol::commands::GetAppInfo;
use taskdeck_protocol::{AppInfo, IpcError};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{
    AppFooter, AppHeader, CleanupNotice, ErrorBanner, HistoryView, RecoveredNotice, RunView,
    SettingsView, StorageBanner, View,
};
use crate::ipc;
use crate::route::Route;

/// The app inside its router: the route lives in the location hash, so a
/// line link opened from anywhere lands on its line.
#[function_component(Root)]
pub fn root() -> Html {
    html! {
        <HashRouter>
            <App />
        </HashRouter>
    }
}

/// The app frame.
#[function_component(App)]
fn app() -> Html {
    let route = use_route::<Route>().unwrap_or(Route::Run);
    let navigator = use_navigator();
    let view = route.view();
    let link = route.line_link();
    let query = route.history_query();
    let app_info = use_state(|| None::<Result<AppInfo, IpcError>>);

    {
        let app_info = app_info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                app_info.set(Some(ipc::invoke(&GetAppInfo {}).await));
                mark_ready();
            });
        });
    }

    // History's filters go in the address in place of the last ones.
    let on_query = {
        let navigator = navigator.clone();
        Callback::from(move |query: String| {
            if let Some(navigator) = &navigator {
                navigator.replace(&Route::history(query));
            }
        })
    };
    let go = move |route: Route| {
        if let Some(navigator) = &navigator {
            navigator.push(&route);
        }
    };
    let on_navigate = {
        let go = go.clone();
        Callback::from(move |next: View| go(Route::from(next)))
    };
    // "Open its log" on a cleanup notice: that task, in History.
    let on_open_log = Callback::from(move |task_id: String| go(Route::line(task_id, 1)));
    let error = match &*app_info {
        Some(Err(error)) => Some(error.clone()),
        _ => None,
    };

    html! {
        <div class="app" data-testid="app-frame">
            <AppHeader current={view} {on_navigate} />
            if let Some(error) = error {
                <ErrorBanner {error} />
            }
            <RecoveredNotice />
            <StorageBanner />
            <main class="app-main" data-testid="main-area" aria-live="polite">
                <CleanupNotice {on_open_log} />
                { match view {
                    View::Run => html! { <RunView /> },
                    View::History => html! { <HistoryView {link} {query} {on_query} /> },
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
