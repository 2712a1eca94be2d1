//! A banner for an error the user must see (for example a store that could
//! not be opened).

use taskdeck_protocol::IpcError;
use yew::prelude::*;

/// Properties of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// The error to show.
    pub error: IpcError,
}

/// The banner.
#[function_component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    html! {
        <div class="banner banner-error" role="alert" data-testid="error-banner" data-kind={props.error.kind.as_str()}>
            <strong>{ "Something went wrong: " }</strong>
            { props.error.message.clone() }
        </div>
    }
}
