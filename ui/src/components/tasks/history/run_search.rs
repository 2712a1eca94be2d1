//! Search across runs in History: the form (the text, read as typed, with
//! operators or as a regex; the lowest level; a source) and the tasks
//! whose logs match, newest first, a page of tasks at a time ("More
//! results" asks for the next), each with its count of matches and its
//! first matching lines with a line of context; a line is a link that
//! opens its task on it. History's status, plugin and day filters narrow
//! the search too.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use taskdeck_protocol::commands::SearchRuns;
use taskdeck_protocol::{
    IpcError, LogFilter, LogLevel, RunSearchGroup, RunSearchRequest, SearchMode, TaskStatus,
};
use yew::prelude::*;

use crate::components::{EmptyState, ErrorBanner};
use crate::{format, ipc, route};

/// What the search form asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSearchAsk {
    /// The text, as typed.
    pub text: String,
    /// How the text is read.
    pub mode: SearchMode,
    /// Only entries of this level or more severe.
    pub min_level: Option<LogLevel>,
    /// Only entries of this source (and its dotted children); blank: any.
    pub source: String,
}

/// What to search for, and in which tasks and stretch of time.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSearch {
    /// The form's search.
    pub ask: RunSearchAsk,
    /// History's status filter.
    pub statuses: Vec<TaskStatus>,
    /// History's plugin filter.
    pub plugin_id: Option<String>,
    /// History's first day: entries from then on.
    pub since: Option<DateTime<Utc>>,
    /// History's last day: entries before the day after it.
    pub until: Option<DateTime<Utc>>,
}

impl RunSearch {
    /// The request for the page after `after`.
    fn request(&self, after: Option<String>) -> RunSearchRequest {
        RunSearchRequest {
            filter: LogFilter {
                search: Some(self.ask.text.clone()),
                search_mode: self.ask.mode,
                min_level: self.ask.min_level,
                sources: Some(self.ask.source.trim().to_owned())
                    .filter(|source| !source.is_empty())
                    .into_iter()
                    .collect(),
                since: self.since,
                until: self.until,
                context_before: 1,
                context_after: 1,
                ..LogFilter::default()
            },
            statuses: self.statuses.clone(),
            plugin_id: self.plugin_id.clone(),
            after,
            tasks: None,
            hits: None,
        }
    }
}

/// Properties of [`RunSearchForm`].
#[derive(Properties, PartialEq)]
pub struct RunSearchFormProps {
    /// Whether results are shown (the form offers the way back).
    pub searching: bool,
    /// A search asked for; `None`: back to the list.
    pub on_search: Callback<Option<RunSearchAsk>>,
}

/// The search form.
#[function_component(RunSearchForm)]
pub fn run_search_form(props: &RunSearchFormProps) -> Html {
    let text = use_node_ref();
    let mode = use_node_ref();
    let level = use_node_ref();
    let source = use_node_ref();
    let on_submit = {
        let (text, mode, level, source) =
            (text.clone(), mode.clone(), level.clone(), source.clone());
        let on_search = props.on_search.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let input = |node: &NodeRef| {
                node.cast::<web_sys::HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let choice = |node: &NodeRef| {
                node.cast::<web_sys::HtmlSelectElement>()
                    .map(|select| select.value())
                    .unwrap_or_default()
            };
            let asked = RunSearchAsk {
                text: input(&text),
                mode: match choice(&mode).as_str() {
                    "operators" => SearchMode::Operators,
                    "regex" => SearchMode::Regex,
                    _ => SearchMode::Text,
                },
                min_level: choice(&level).parse().ok(),
                source: input(&source),
            };
            // A blank search shows the list again.
            on_search.emit((!asked.text.trim().is_empty()).then_some(asked));
        })
    };
    let on_close = props.on_search.reform(|_: MouseEvent| None);
    html! {
        <form class="run-search-form" data-testid="run-search-form" onsubmit={on_submit}
            title="History's status, plugin and day filters narrow the search too">
            <input type="search" data-testid="run-search-text" ref={text}
                placeholder="Search every run's log…" aria-label="Search every run's log" />
            <select data-testid="run-search-mode" aria-label="How the search is read" ref={mode}>
                <option value="text" selected=true>{ "As typed" }</option>
                <option value="operators">{ "AND / OR / NOT" }</option>
                <option value="regex">{ "Regex" }</option>
            </select>
            <select data-testid="run-search-level" aria-label="Lowest level" ref={level}>
                <option value="" selected=true>{ "Any level" }</option>
                { for LogLevel::ALL.iter().skip(1).map(|level| html! {
                    <option value={level.as_str()}>{ format!("{} and above", level.as_str().to_lowercase()) }</option>
                }) }
            </select>
            <input type="text" class="run-search-source" data-testid="run-search-source" ref={source}
                placeholder="Source" aria-label="Only this source (and its children)" />
            <button type="submit" data-testid="run-search-go">{ "Search all runs" }</button>
            if props.searching {
                <button type="button" data-testid="run-search-close" onclick={on_close}>{ "Back to the list" }</button>
            }
        </form>
    }
}

/// Properties of [`RunSearchResults`].
#[derive(Properties, PartialEq)]
pub struct RunSearchResultsProps {
    /// The search.
    pub search: RunSearch,
}

/// What has been found so far.
#[derive(Default, PartialEq)]
struct Found {
    groups: Vec<RunSearchGroup>,
    next: Option<String>,
    loading: bool,
    error: Option<IpcError>,
}

/// Loads the page after `after` into `found` (appending to what it holds;
/// the first page replaces it). An answer overtaken by a newer request
/// (`latest` moved on) is dropped.
fn load(
    search: &RunSearch,
    after: Option<String>,
    found: &UseStateHandle<Found>,
    latest: &Rc<RefCell<u32>>,
) {
    let kept = if after.is_some() {
        found.groups.clone()
    } else {
        Vec::new()
    };
    found.set(Found {
        groups: kept.clone(),
        loading: true,
        ..Found::default()
    });
    let mine = {
        let mut latest = latest.borrow_mut();
        *latest = latest.wrapping_add(1);
        *latest
    };
    let request = search.request(after);
    let found = found.clone();
    let latest = Rc::clone(latest);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = ipc::invoke(&SearchRuns { request }).await;
        if *latest.borrow() != mine {
            return;
        }
        let mut groups = kept;
        found.set(match answer {
            Ok(page) => {
                groups.extend(page.groups);
                Found {
                    groups,
                    next: page.next,
                    ..Found::default()
                }
            }
            Err(error) => Found {
                groups,
                error: Some(error),
                ..Found::default()
            },
        });
    });
}

/// The results of a search across runs.
#[function_component(RunSearchResults)]
pub fn run_search_results(props: &RunSearchResultsProps) -> Html {
    let found = use_state(Found::default);
    let latest = use_mut_ref(|| 0u32);
    {
        let found = found.clone();
        let latest = latest.clone();
        use_effect_with(props.search.clone(), move |search| {
            load(search, None, &found, &latest)
        });
    }
    let on_more = {
        let found = found.clone();
        let search = props.search.clone();
        Callback::from(move |_: MouseEvent| load(&search, found.next.clone(), &found, &latest))
    };
    let groups = found.groups.iter().map(|group| {
        let task = &group.task;
        let more = if group.count.capped { "+" } else { "" };
        html! {
            <li class="run-search-group" data-testid="run-search-group" data-task-id={task.id.clone()}>
                <div class="run-search-task">
                    <span class={classes!("status", format!("status-{}", task.status.as_str()))}>{ task.status.as_str() }</span>
                    <strong>{ task.plugin_id.clone() }</strong>
                    <span class="muted">{ format::date_time(task.started_at.unwrap_or(task.created_at)) }</span>
                    <span class="run-search-count" data-testid="run-search-count">
                        { format!("{}{more} match{}", format::grouped(group.count.matching),
                            if group.count.matching == 1 && !group.count.capped { "" } else { "es" }) }
                    </span>
                </div>
                <ol class="run-search-hits">
                    { for group.hits.iter().map(|hit| html! {
                        <li class={classes!("run-search-hit", hit.context.then_some("context"))}>
                            <a data-testid={if hit.context { "run-search-context" } else { "run-search-hit" }}
                                href={route::line_href(&task.id, hit.seq)} data-seq={hit.seq.to_string()}
                                title="Open the task on this line">
                                <span class="log-seq">{ hit.seq }</span>
                                <span class="muted">{ format::clock_time(hit.timestamp) }</span>
                                <span class={classes!("level", format!("level-{}", hit.level.as_str().to_ascii_lowercase()))}>{ hit.level.as_str() }</span>
                                <span class="run-search-message">{ hit.message.clone() }</span>
                            </a>
                        </li>
                    }) }
                </ol>
            </li>
        }
    });
    html! {
        <div class="run-search" data-testid="run-search">
            if let Some(error) = found.error.clone() {
                <ErrorBanner {error} />
            }
            if found.groups.is_empty() && !found.loading && found.error.is_none() {
                <EmptyState message="No task's log matches." hint="History's status, plugin and day filters narrow the search too: clear them to search every run." />
            }
            <ol class="run-search-groups">{ for groups }</ol>
            <div class="history-pager">
                <span class="muted" data-testid="run-search-status" role="status">
                    { if found.loading {
                        "Searching…".to_owned()
                    } else {
                        format!("{} task{} with matches{}", found.groups.len(),
                            if found.groups.len() == 1 { "" } else { "s" },
                            if found.next.is_some() { " so far" } else { "" })
                    } }
                </span>
                if found.next.is_some() && !found.loading {
                    <button type="button" data-testid="run-search-more" onclick={on_more}>{ "More results" }</button>
                }
            </div>
        </div>
    }
}
