//! The notice shown after the window's web process died and the core
//! loaded the UI again (`?recovered=crashed`, `memory` or `unresponsive` in the address):
//! what happened, and that tasks and logs were not touched.

use yew::prelude::*;

/// Why the UI was loaded again, from the address's query.
fn recovered_reason(query: &str) -> Option<&'static str> {
    let value = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("recovered="))?;
    Some(match value {
        "memory" => "used more memory than allowed",
        "unresponsive" => "stopped responding",
        _ => "stopped unexpectedly",
    })
}

/// The notice, until dismissed.
#[function_component(RecoveredNotice)]
pub fn recovered_notice() -> Html {
    let reason = use_state(|| {
        let window = web_sys::window()?;
        let reason = recovered_reason(&window.location().search().ok()?)?;
        // Once read, the address is the app's own again, so a later reload
        // does not repeat the notice.
        if let Ok(history) = window.history() {
            let route = window.location().hash().unwrap_or_default();
            let route = if route.is_empty() {
                "#/".to_owned()
            } else {
                route
            };
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("/{route}")),
            );
        }
        Some(reason)
    });
    let Some(why) = *reason else {
        return html! {};
    };
    let on_dismiss = {
        let reason = reason.clone();
        Callback::from(move |_: MouseEvent| reason.set(None))
    };
    html! {
        <div class="banner banner-warning" role="alert" data-testid="recovered-notice">
            <span>{ format!(
                "The window's content {why} and was loaded again. Your tasks kept running \
                 and no log line was lost."
            ) }</span>
            <button type="button" data-testid="recovered-notice-dismiss" onclick={on_dismiss}>{ "Dismiss" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::recovered_reason;

    #[test]
    fn the_query_names_why_the_ui_was_loaded_again() {
        assert_eq!(
            recovered_reason("?recovered=crashed"),
            Some("stopped unexpectedly")
        );
        assert_eq!(
            recovered_reason("?a=1&recovered=memory"),
            Some("used more memory than allowed")
        );
        assert_eq!(
            recovered_reason("?recovered=unresponsive"),
            Some("stopped responding")
        );
        assert_eq!(recovered_reason(""), None);
        assert_eq!(recovered_reason("?other=1"), None);
    }
}
