//! The History view: every past task.

use yew::prelude::*;

use super::tasks::HistoryList;

/// The History view.
#[function_component(HistoryView)]
pub fn history_view() -> Html {
    html! {
        <section class="view" data-testid="view-history" aria-labelledby="history-title">
            <h2 id="history-title">{ "History" }</h2>
            <HistoryList />
        </section>
    }
}
