//! The History view: every past task.

use yew::prelude::*;

use super::tasks::HistoryList;
use crate::route::LineLink;

/// Properties of [`HistoryView`].
#[derive(Properties, PartialEq)]
pub struct HistoryViewProps {
    /// A line to open, from a link.
    #[prop_or_default]
    pub link: Option<LineLink>,
    /// The filters the address names (`None`: the remembered ones).
    #[prop_or_default]
    pub query: Option<String>,
    /// Puts filters in the address.
    pub on_query: Callback<String>,
}

/// The History view.
#[function_component(HistoryView)]
pub fn history_view(props: &HistoryViewProps) -> Html {
    html! {
        <section class="view view-history" data-testid="view-history" aria-labelledby="history-title">
            <h2 id="history-title">{ "History" }</h2>
            <HistoryList link={props.link.clone()} query={props.query.clone()} on_query={props.on_query.clone()} />
        </section>
    }
}
