//! The header: the product name and navigation between the app's views.

use yew::prelude::*;

/// The app's top-level views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Pick a plugin and run a task.
    Run,
    /// Every past task.
    History,
    /// Retention and logging settings.
    Settings,
}

impl View {
    fn label(self) -> &'static str {
        match self {
            View::Run => "Run",
            View::History => "History",
            View::Settings => "Settings",
        }
    }

    fn test_id(self) -> &'static str {
        match self {
            View::Run => "nav-run",
            View::History => "nav-history",
            View::Settings => "nav-settings",
        }
    }
}

/// Properties of [`AppHeader`].
#[derive(Properties, PartialEq)]
pub struct AppHeaderProps {
    /// The view on screen.
    pub current: View,
    /// Called with the view the user picked.
    pub on_navigate: Callback<View>,
}

/// The header bar.
#[function_component(AppHeader)]
pub fn app_header(props: &AppHeaderProps) -> Html {
    let tab = |view: View| {
        let selected = props.current == view;
        let on_navigate = props.on_navigate.clone();
        html! {
            <button
                type="button"
                role="tab"
                class={classes!("nav-tab", selected.then_some("selected"))}
                aria-selected={selected.to_string()}
                data-testid={view.test_id()}
                onclick={Callback::from(move |_| on_navigate.emit(view))}
            >
                { view.label() }
            </button>
        }
    };
    html! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                <h1 class="brand-name">{ "Taskdeck" }</h1>
            </div>
            <nav class="nav" role="tablist" aria-label="Views">
                { tab(View::Run) }
                { tab(View::History) }
                { tab(View::Settings) }
            </nav>
        </header>
    }
}
