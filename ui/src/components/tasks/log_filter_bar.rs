//! The log filter bar: minimum level, source, search, clear.

use taskdeck_protocol::{LogFilter, LogLevel};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`LogFilterBar`].
#[derive(Properties, PartialEq)]
pub struct LogFilterBarProps {
    /// The filter in force.
    pub filter: LogFilter,
    /// The task's sources.
    pub sources: Vec<String>,
    /// Called with the new filter.
    pub on_change: Callback<LogFilter>,
}

/// The filter bar.
#[function_component(LogFilterBar)]
pub fn log_filter_bar(props: &LogFilterBarProps) -> Html {
    // The search box is not re-set on every render (the panel re-renders as
    // rows arrive, which would erase what the user is typing); it follows
    // the filter only when the filter's search itself changes.
    let search_box = use_node_ref();
    {
        let search_box = search_box.clone();
        use_effect_with(props.filter.search.clone(), move |search| {
            if let Some(input) = search_box.cast::<HtmlInputElement>() {
                let wanted = search.clone().unwrap_or_default();
                if input.value().trim() != wanted {
                    input.set_value(&wanted);
                }
            }
        });
    }
    let on_level = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            on_change.emit(LogFilter {
                min_level: value.parse::<LogLevel>().ok(),
                ..filter.clone()
            });
        })
    };
    let on_source = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            on_change.emit(LogFilter {
                sources: if value.is_empty() {
                    Vec::new()
                } else {
                    vec![value]
                },
                ..filter.clone()
            });
        })
    };
    let on_search = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let search = value.trim();
            on_change.emit(LogFilter {
                search: (!search.is_empty()).then(|| search.to_owned()),
                ..filter.clone()
            });
        })
    };
    // Esc in the search box clears the search.
    let on_search_key = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event
                    .target_unchecked_into::<HtmlInputElement>()
                    .set_value("");
                on_change.emit(LogFilter {
                    search: None,
                    ..filter.clone()
                });
            }
        })
    };
    let on_clear = {
        let on_change = props.on_change.clone();
        Callback::from(move |_| on_change.emit(LogFilter::default()))
    };
    let selected_level = props.filter.min_level.map(LogLevel::as_str).unwrap_or("");
    let selected_source = props.filter.sources.first().cloned().unwrap_or_default();
    html! {
        <div class="filter-bar" role="toolbar" aria-label="Log filters">
            <label>
                { "Level " }
                <select data-testid="filter-level" onchange={on_level}>
                    <option value="" selected={selected_level.is_empty()}>{ "any" }</option>
                    { for LogLevel::ALL.iter().map(|level| html! {
                        <option value={level.as_str()} selected={selected_level == level.as_str()}>
                            { format!("{} and above", level.as_str()) }
                        </option>
                    }) }
                </select>
            </label>
            <label>
                { "Source " }
                <select data-testid="filter-source" onchange={on_source}>
                    <option value="" selected={selected_source.is_empty()}>{ "all" }</option>
                    { for props.sources.iter().map(|source| html! {
                        <option value={source.clone()} selected={*source == selected_source}>{ source.clone() }</option>
                    }) }
                </select>
            </label>
            <input
                type="search"
                data-testid="filter-search"
                placeholder="Search (/): words, \"phrases\", prefix*"
                aria-label="Search the log"
                ref={search_box}
                onchange={on_search}
                onkeydown={on_search_key}
            />
            <button type="button" data-testid="filter-clear" onclick={on_clear}>{ "Clear" }</button>
        </div>
    }
}
