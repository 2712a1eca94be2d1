//! Search across runs in History: the tasks whose logs match, newest
//! first, a page of tasks at a time ("More results" asks for the next),
//! each with its count of matches and its first matching lines with a
//! line of context; a line is a link that opens its task on it.

use std::cell::RefCell;
use std::rc::Rc;

use taskdeck_protocol::commands::SearchRuns;
use taskdeck_protocol::{
    IpcError, LogFilter, RunSearchGroup, RunSearchRequest, SearchMode, TaskStatus,
};
use yew::prelude::*;

use crate::components::{EmptyState, ErrorBanner};
use crate::{format, ipc, route};

/// What to search for, and in which tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSearch {
    /// The text, as typed.
    pub text: String,
    /// Whether it is a regular expression.
    pub regex: bool,
    /// History's status filter.
    pub statuses: Vec<TaskStatus>,
    /// History's plugin filter.
    pub plugin_id: Option<String>,
}

impl RunSearch {
    /// The request for the page after `after`.
    fn request(&self, after: Option<String>) -> RunSearchRequest {
        RunSearchRequest {
            filter: LogFilter {
                search: Some(self.text.clone()),
                search_mode: if self.regex {
                    SearchMode::Regex
                } else {
                    SearchMode::Text
                },
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
                                <span class={classes!("level", format!("level-{}", hit.level.as_str().to_ascii_lowercase()))}>{ hit.level.as_str() }</span>
                                <span class="run-search-message">{ format::log_line(hit) }</span>
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
                <EmptyState message="No task's log matches." hint="History's status and plugin filters narrow the search too: clear them to search every run." />
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
