//! History's filter bar: a toggle per status with its count for the other
//! filters, the plugin, the days a task started between, "with warnings"
//! or "with errors", text over the parameters and errors (`/` focuses it),
//! and the order. Every change is a new [`HistoryQuery`].

use taskdeck_protocol::{ProblemFilter, StatusCounts, TaskSort, TaskStatus};
use yew::prelude::*;

use crate::history_query::HistoryQuery;

/// Properties of [`HistoryFilterBar`].
#[derive(Properties, PartialEq)]
pub struct HistoryFilterBarProps {
    /// The filters shown.
    pub query: HistoryQuery,
    /// Tasks per status for the other filters (`None` while loading).
    pub counts: Option<StatusCounts>,
    /// The plugins to choose from.
    pub plugins: Vec<String>,
    /// A changed query.
    pub on_change: Callback<HistoryQuery>,
    /// The text field, for the `/` shortcut.
    pub text_ref: NodeRef,
}

fn input_value(event: &Event) -> String {
    event
        .target_unchecked_into::<web_sys::HtmlInputElement>()
        .value()
}

/// The filter bar.
#[function_component(HistoryFilterBar)]
pub fn history_filter_bar(props: &HistoryFilterBarProps) -> Html {
    let query = &props.query;
    // Each control edits a copy of the query and reports it.
    let change = |edit: fn(&mut HistoryQuery, String)| {
        let query = query.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let mut next = query.clone();
            edit(&mut next, input_value(&event));
            on_change.emit(next);
        })
    };
    let on_text = {
        let query = query.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: InputEvent| {
            let mut next = query.clone();
            next.text = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            on_change.emit(next);
        })
    };
    let on_reset = {
        let sort = query.sort;
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            on_change.emit(HistoryQuery {
                sort,
                ..HistoryQuery::default()
            })
        })
    };
    let statuses = TaskStatus::ALL.into_iter().map(|status| {
        let pressed = query.statuses.contains(&status);
        let count = props.counts.map(|counts| counts.get(status));
        let toggle = {
            let query = query.clone();
            let on_change = props.on_change.clone();
            Callback::from(move |_: MouseEvent| {
                let mut next = query.clone();
                if pressed {
                    next.statuses.retain(|chosen| *chosen != status);
                } else {
                    next.statuses.push(status);
                    next.statuses.sort_by_key(|chosen| {
                        TaskStatus::ALL.iter().position(|any| any == chosen)
                    });
                }
                on_change.emit(next);
            })
        };
        html! {
            <button type="button"
                class={classes!("status-toggle", format!("status-{}", status.as_str()), pressed.then_some("pressed"))}
                data-testid={format!("history-status-{}", status.as_str())}
                aria-pressed={pressed.to_string()} onclick={toggle}
                title={format!("Only {} tasks (with the others chosen)", status.as_str())}>
                { status.as_str() }
                if let Some(count) = count {
                    <span class="status-count" data-testid="history-status-count">{ count }</span>
                }
            </button>
        }
    });
    let day = |day: Option<chrono::NaiveDate>| day.map(|day| day.to_string()).unwrap_or_default();
    html! {
        <div class="history-filters" data-testid="history-filters" role="search">
            <div class="status-toggles" role="group" aria-label="Status">{ for statuses }</div>
            <select data-testid="history-plugin" aria-label="Plugin"
                onchange={change(|next, value| next.plugin_id = Some(value).filter(|value| !value.is_empty()))}>
                <option value="" selected={query.plugin_id.is_none()}>{ "Any plugin" }</option>
                { for props.plugins.iter().map(|plugin| html! {
                    <option value={plugin.clone()} selected={query.plugin_id.as_deref() == Some(plugin.as_str())}>{ plugin.clone() }</option>
                }) }
            </select>
            <label class="history-day">{ "From" }
                <input type="date" data-testid="history-since" value={day(query.since)}
                    onchange={change(|next, value| next.since = value.parse().ok())} />
            </label>
            <label class="history-day">{ "to" }
                <input type="date" data-testid="history-until" value={day(query.until)}
                    onchange={change(|next, value| next.until = value.parse().ok())} />
            </label>
            <select data-testid="history-problems" aria-label="Problems"
                onchange={change(|next, value| next.problems = value.parse().ok())}>
                <option value="" selected={query.problems.is_none()}>{ "Any outcome" }</option>
                <option value="warnings" selected={query.problems == Some(ProblemFilter::Warnings)}>{ "With warnings or errors" }</option>
                <option value="errors" selected={query.problems == Some(ProblemFilter::Errors)}>{ "With errors" }</option>
            </select>
            <input type="search" class="history-text" data-testid="history-text" ref={props.text_ref.clone()}
                placeholder="Parameters or error… ( / )" aria-label="Text in the parameters or error"
                value={query.text.clone()} oninput={on_text} />
            <select data-testid="history-sort" aria-label="Order"
                onchange={change(|next, value| next.sort = value.parse().unwrap_or_default())}>
                { for TaskSort::ALL.into_iter().map(|sort| html! {
                    <option value={sort.as_str()} selected={query.sort == sort}>{ sort.describe() }</option>
                }) }
            </select>
            if query.filters() {
                <button type="button" data-testid="history-reset" onclick={on_reset}>{ "Clear filters" }</button>
            }
        </div>
    }
}
