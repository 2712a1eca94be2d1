//! The log filter bar: minimum level (with live counts), source (dotted
//! children under their parent), search (applied as the user types, after
//! a pause) with its match count and next / previous, clear.

use std::rc::Rc;
use std::time::Duration;

use taskdeck_protocol::{LevelCounts, LogCount, LogFilter, LogLevel, SearchMode};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use self::choices::{CONTEXT_CHOICES, match_text, source_tree};
use self::search_text::{flip, placeholder, with_search};

mod choices;
mod search_text;

/// How long typing must pause before the search is applied.
const SEARCH_PAUSE: Duration = Duration::from_millis(300);

/// Properties of [`LogFilterBar`].
#[derive(Properties, PartialEq)]
pub struct LogFilterBarProps {
    /// The filter in force.
    pub filter: LogFilter,
    /// The task's sources.
    pub sources: Vec<String>,
    /// The task's entries per level (shown in the level choices).
    #[prop_or_default]
    pub counts: Option<LevelCounts>,
    /// How many entries match the filter, once counted.
    #[prop_or_default]
    pub matches: Option<LogCount>,
    /// Called with the new filter.
    pub on_change: Callback<LogFilter>,
    /// Moves to the next (+1) or previous (-1) match.
    pub on_step: Callback<i32>,
}

/// Invalidates any pending search; returns the new generation.
fn supersede(typed: &std::cell::RefCell<u32>) -> u32 {
    let next = typed.borrow().wrapping_add(1);
    *typed.borrow_mut() = next;
    next
}

/// The filter bar.
#[function_component(LogFilterBar)]
pub fn log_filter_bar(props: &LogFilterBarProps) -> Html {
    // The search box is not re-set on every render (the panel re-renders as
    // rows arrive, which would erase what the user is typing); it follows
    // the filter only when the filter's search itself changes, and not when
    // the box's own text changed it: text that cannot be searched leaves
    // the filter without a search, and must stay in the box to be fixed.
    let search_box = use_node_ref();
    let applied = use_mut_ref(|| None::<Option<String>>);
    {
        let search_box = search_box.clone();
        let applied = applied.clone();
        use_effect_with(props.filter.search.clone(), move |search| {
            if applied.borrow_mut().take().as_ref() == Some(search) {
                return;
            }
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
    let on_context = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let lines = event
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .parse::<u32>()
                .unwrap_or(0);
            on_change.emit(LogFilter {
                context_before: lines,
                context_after: lines,
                ..filter.clone()
            });
        })
    };
    // Why the text in the box cannot be searched in the chosen mode (an
    // unclosed regex group, say): shown beside the box, and the filter
    // keeps no search until the text is fixed.
    let search_error = use_state(|| None::<String>);
    // The filter as last drawn: a search applied after the typing pause
    // must not put back a level or source changed during the pause.
    let latest = use_mut_ref(|| props.filter.clone());
    latest.borrow_mut().clone_from(&props.filter);
    // Applies the search box's text, if it differs from the filter's.
    let apply_search = {
        let latest = latest.clone();
        let on_change = props.on_change.clone();
        let search_error = search_error.clone();
        let applied = applied.clone();
        Rc::new(move |value: &str| {
            let filter = latest.borrow().clone();
            let wanted = with_search(&filter, value, filter.search_mode, filter.case_sensitive);
            search_error.set(wanted.error);
            if wanted.filter != filter {
                *applied.borrow_mut() = Some(wanted.filter.search.clone());
                on_change.emit(wanted.filter);
            }
        })
    };
    // The case, regex and operators toggles re-read the box's text.
    let toggle = |change: fn(&LogFilter) -> (SearchMode, bool)| {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        let search_error = search_error.clone();
        let search_box = search_box.clone();
        let applied = applied.clone();
        Callback::from(move |_: MouseEvent| {
            let value = search_box
                .cast::<HtmlInputElement>()
                .map(|input| input.value())
                .unwrap_or_default();
            let (mode, case_sensitive) = change(&filter);
            let wanted = with_search(&filter, &value, mode, case_sensitive);
            search_error.set(wanted.error);
            *applied.borrow_mut() = Some(wanted.filter.search.clone());
            on_change.emit(wanted.filter);
        })
    };
    let on_case = toggle(|filter| (filter.search_mode, !filter.case_sensitive));
    let on_regex = toggle(|filter| {
        (
            flip(filter.search_mode, SearchMode::Regex),
            filter.case_sensitive,
        )
    });
    let on_operators = toggle(|filter| {
        (
            flip(filter.search_mode, SearchMode::Operators),
            filter.case_sensitive,
        )
    });
    // Typing applies the search once the user pauses; each keystroke
    // supersedes the pending one.
    let typed = use_mut_ref(|| 0_u32);
    let on_input = {
        let apply_search = apply_search.clone();
        let typed = typed.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let generation = supersede(&typed);
            let typed = typed.clone();
            let apply_search = apply_search.clone();
            wasm_bindgen_futures::spawn_local(async move {
                yew::platform::time::sleep(SEARCH_PAUSE).await;
                if *typed.borrow() == generation {
                    apply_search(&value);
                }
            });
        })
    };
    let on_search_change = {
        let apply_search = apply_search.clone();
        Callback::from(move |event: Event| {
            apply_search(&event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    // Enter applies a changed search at once, else moves to the next match
    // (Shift+Enter: previous); Esc clears the search.
    let on_search_key = {
        let filter = props.filter.clone();
        let on_change = props.on_change.clone();
        let on_step = props.on_step.clone();
        let typed = typed.clone();
        let search_error = search_error.clone();
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" => {
                event.prevent_default();
                // Nothing pending may override what Enter decides.
                supersede(&typed);
                let input = event.target_unchecked_into::<HtmlInputElement>();
                let value = input.value();
                let search = value.trim();
                if filter.search.as_deref().unwrap_or_default() == search {
                    on_step.emit(if event.shift_key() { -1 } else { 1 });
                } else {
                    apply_search(&value);
                }
            }
            "Escape" => {
                supersede(&typed);
                event
                    .target_unchecked_into::<HtmlInputElement>()
                    .set_value("");
                search_error.set(None);
                on_change.emit(LogFilter {
                    search: None,
                    ..filter.clone()
                });
            }
            _ => {}
        })
    };
    let on_clear = {
        let on_change = props.on_change.clone();
        let search_error = search_error.clone();
        let search_box = search_box.clone();
        Callback::from(move |_| {
            // Emptied here: text that could not be searched left the
            // filter without a search, so the filter's change says nothing.
            if let Some(input) = search_box.cast::<HtmlInputElement>() {
                input.set_value("");
            }
            search_error.set(None);
            on_change.emit(LogFilter::default());
        })
    };
    let mode = props.filter.search_mode;
    let toggle_class = |on: bool| classes!("search-toggle", on.then_some("on"));
    let on_previous = props.on_step.reform(|_: MouseEvent| -1);
    let on_next = props.on_step.reform(|_: MouseEvent| 1);
    let selected_level = props.filter.min_level.map(LogLevel::as_str).unwrap_or("");
    let selected_source = props.filter.sources.first().cloned().unwrap_or_default();
    let at_least = |level: LogLevel| {
        props.counts.map(|counts| {
            LogLevel::ALL
                .iter()
                .filter(|other| **other >= level)
                .map(|other| counts.get(*other))
                .sum::<u64>()
        })
    };
    let filtered = props.filter != LogFilter::default();
    html! {
        <div class="filter-bar" role="toolbar" aria-label="Log filters">
            <label>
                { "Level " }
                <select data-testid="filter-level" onchange={on_level}>
                    <option value="" selected={selected_level.is_empty()}>{ "any" }</option>
                    { for LogLevel::ALL.iter().map(|level| html! {
                        <option value={level.as_str()} selected={selected_level == level.as_str()}>
                            { format!("{} and above", level.as_str()) }
                            { at_least(*level).map(|count| format!(" ({count})")).unwrap_or_default() }
                        </option>
                    }) }
                </select>
            </label>
            <label>
                { "Source " }
                <select data-testid="filter-source" onchange={on_source}>
                    <option value="" selected={selected_source.is_empty()}>{ "all" }</option>
                    { for source_tree(&props.sources).into_iter().map(|choice| html! {
                        <option key={choice.source.clone()} value={choice.source.clone()}
                            selected={choice.source == selected_source}
                            title={choice.source.clone()}>
                            { format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(choice.depth), choice.source) }
                        </option>
                    }) }
                </select>
            </label>
            <label title="Lines shown before and after each line the level, source or search selects">
                { "Context " }
                <select data-testid="filter-context" onchange={on_context}>
                    { for CONTEXT_CHOICES.iter().map(|lines| html! {
                        <option value={lines.to_string()} selected={props.filter.context_after == *lines}>
                            { if *lines == 0 { "none".to_owned() } else { format!("±{lines}") } }
                        </option>
                    }) }
                </select>
            </label>
            <input
                type="search"
                data-testid="filter-search"
                placeholder={placeholder(mode)}
                aria-label="Search the log"
                aria-invalid={search_error.is_some().to_string()}
                ref={search_box}
                oninput={on_input}
                onchange={on_search_change}
                onkeydown={on_search_key}
            />
            <span class="search-toggles">
                <button type="button" data-testid="search-case" class={toggle_class(props.filter.case_sensitive)}
                    aria-pressed={props.filter.case_sensitive.to_string()} title="Match case"
                    aria-label="Match case" onclick={on_case}>{ "Aa" }</button>
                <button type="button" data-testid="search-regex" class={toggle_class(mode == SearchMode::Regex)}
                    aria-pressed={(mode == SearchMode::Regex).to_string()} title="Regular expression"
                    aria-label="Regular expression" onclick={on_regex}>{ ".*" }</button>
                <button type="button" data-testid="search-operators" class={toggle_class(mode == SearchMode::Operators)}
                    aria-pressed={(mode == SearchMode::Operators).to_string()}
                    title="Operators: AND, OR, NOT, ( ) and \"phrases\""
                    aria-label="Operators" onclick={on_operators}>{ "&|" }</button>
            </span>
            if let Some(error) = &*search_error {
                <span class="search-error" data-testid="search-error" role="alert">{ error.clone() }</span>
            }
            if props.filter.search.is_some() {
                <span class="search-steps">
                    <button type="button" data-testid="search-prev" title="Previous match (Shift+Enter)"
                        aria-label="Previous match" onclick={on_previous}>{ "↑" }</button>
                    <button type="button" data-testid="search-next" title="Next match (Enter)"
                        aria-label="Next match" onclick={on_next}>{ "↓" }</button>
                </span>
            }
            // No count while the box holds a search that cannot run: the
            // filter in force has none, and its count would read as the
            // typed text's.
            if let (true, None, Some(matches)) = (filtered, &*search_error, props.matches) {
                <span class="muted" data-testid="match-count" role="status">{ match_text(matches) }</span>
            }
            <button type="button" data-testid="filter-clear" onclick={on_clear}>{ "Clear" }</button>
        </div>
    }
}
