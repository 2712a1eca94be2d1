//! The separator row for a stretch of the log hidden between two lines
//! shown with context ("⋯ 1,234 lines"); a click reads the stretch and
//! puts it in place, dimmed as context.

use yew::prelude::*;

use crate::format;

/// Properties of [`HiddenLines`].
#[derive(Properties, PartialEq)]
pub struct HiddenLinesProps {
    /// The seq shown before the stretch (0 at the start of the log).
    pub after: u64,
    /// The seq shown after it.
    pub before: u64,
    /// Opens the stretch `(after, before)`.
    pub on_open: Callback<(u64, u64)>,
}

/// A hidden stretch of the log.
#[function_component(HiddenLines)]
pub fn hidden_lines(props: &HiddenLinesProps) -> Html {
    let (after, before) = (props.after, props.before);
    let lines = before.saturating_sub(after + 1);
    let onclick = props.on_open.reform(move |_: MouseEvent| (after, before));
    let noun = if lines == 1 { "line" } else { "lines" };
    html! {
        <div class="log-row log-hidden" role="row" data-testid="hidden-lines"
            data-after={after.to_string()} data-before={before.to_string()}>
            <button type="button" class="log-hidden-open" data-testid="hidden-lines-open"
                title="Show the lines hidden here" {onclick}>
                { format!("⋯ {} {noun}", format::grouped(lines)) }
            </button>
        </div>
    }
}
