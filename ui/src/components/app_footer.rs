//! The footer: app version and where its data lives, as the core reports them.

use taskdeck_protocol::{AppInfo, IpcError};
use yew::prelude::*;

/// Properties of [`AppFooter`].
#[derive(Properties, PartialEq)]
pub struct AppFooterProps {
    /// What the core reported: None until it answers.
    pub info: Option<Result<AppInfo, IpcError>>,
}

/// The footer line.
#[function_component(AppFooter)]
pub fn app_footer(props: &AppFooterProps) -> Html {
    let info = match &props.info {
        Some(Ok(info)) => info,
        Some(Err(_)) => {
            return html! {
                <footer class="app-footer" data-testid="app-footer">
                    <span class="muted">{ "The core is not available: see the message above." }</span>
                </footer>
            };
        }
        None => {
            return html! {
                <footer class="app-footer" data-testid="app-footer">
                    <span class="muted">{ "Connecting to the core…" }</span>
                </footer>
            };
        }
    };
    html! {
        <footer class="app-footer" data-testid="app-footer">
            <span data-testid="footer-version">{ format!("Taskdeck {}", info.version) }</span>
            <span class="separator" aria-hidden="true">{ "·" }</span>
            <span title={info.database_path.clone()}>
                { "Data: " }
                <code data-testid="footer-data-dir">{ info.data_dir.clone() }</code>
            </span>
            <span class="separator" aria-hidden="true">{ "·" }</span>
            <span class="muted" data-testid="footer-schema">{ format!("schema {}", info.schema_version) }</span>
        </footer>
    }
}
