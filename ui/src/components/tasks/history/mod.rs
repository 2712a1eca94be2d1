//! The history list: every task, a page at a time in the order chosen,
//! filtered by status (with counts), plugin, days, problems and text, the
//! filters kept in the address (a shareable link) and remembered across
//! restarts (in the data directory). Each row shows status, duration and warning/error counts;
//! opening one gives its log the whole view, with a way back that keeps
//! the list's page, filters and highlighted row. Re-running starts the
//! same plugin with the same parameters, deleting (asked twice) removes a
//! task with its logs, ticked tasks export together (two ticked compare
//! side by side, as "Compare with the previous run" does from a task), and
//! "Import…" brings in a JSON Lines export as history. A search across
//! runs shows, in the list's place, the tasks whose logs match.

mod compare_view;
mod filter_bar;
mod keys;
mod run_search;

use taskdeck_protocol::commands::{
    DeleteTasks, GetHistoryFilter, GetTask, ImportTaskLogs, ListPlugins, ListTasks, RunTask,
    SaveHistoryFilter,
};
use taskdeck_protocol::{
    ErrorKind, IpcError, RunTaskRequest, TaskListFilter, TaskPage, TaskPageAt, TaskStatus,
    TaskSummary,
};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use self::compare_view::CompareView;
use self::filter_bar::HistoryFilterBar;
use self::keys::{HistoryKey, use_history_keys};
use self::run_search::{RunSearch, RunSearchAsk, RunSearchForm, RunSearchResults};
use super::{ExportControl, TaskLogViewer};
use crate::components::{EmptyState, ErrorBanner};
use crate::history_query::HistoryQuery;
use crate::route::LineLink;
use crate::{format, ipc};

/// Remembers History's filters in the data directory (not being able to
/// only means they are not remembered).
fn remember(filter: String) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = ipc::invoke(&SaveHistoryFilter { filter }).await;
    });
}

/// Tasks on one page of the list: several screens' worth, few enough
/// that a page renders within a frame or two.
const PAGE_SIZE: u32 = 50;

/// Properties of [`HistoryList`].
#[derive(Properties, PartialEq)]
pub struct HistoryListProps {
    /// A line to open, from a link.
    #[prop_or_default]
    pub link: Option<LineLink>,
    /// The filters the address names (`None`: the remembered ones).
    #[prop_or_default]
    pub query: Option<String>,
    /// Puts filters in the address (replacing it, so Back leaves History
    /// rather than undoing each keystroke).
    pub on_query: Callback<String>,
}

/// How many times the list was asked to reload.
#[derive(PartialEq)]
struct Reloads(u32);

impl Reducible for Reloads {
    type Action = ();

    fn reduce(self: std::rc::Rc<Self>, (): ()) -> std::rc::Rc<Self> {
        std::rc::Rc::new(Reloads(self.0.wrapping_add(1)))
    }
}

/// The page shown (`None` until the first load), and how many tasks the
/// core reported that may belong on it but are not there.
#[derive(PartialEq)]
struct Listing {
    page: Option<Result<TaskPage, IpcError>>,
    missed: u32,
}

enum ListingAction {
    Loaded(Result<TaskPage, IpcError>),
    /// A task's new summary: replaces its row; a task not on the page
    /// that was just created or has just ended may belong there.
    Updated(Box<TaskSummary>),
}

impl Reducible for Listing {
    type Action = ListingAction;

    fn reduce(self: std::rc::Rc<Self>, action: ListingAction) -> std::rc::Rc<Self> {
        let (page, missed) = match action {
            ListingAction::Loaded(page) => (Some(page), self.missed),
            ListingAction::Updated(summary) => {
                let Some(Ok(page)) = &self.page else {
                    return self;
                };
                let mut page = page.clone();
                match page.tasks.iter_mut().find(|task| task.id == summary.id) {
                    Some(task) => *task = *summary,
                    None if summary.status != TaskStatus::Running => {
                        return std::rc::Rc::new(Listing {
                            page: self.page.clone(),
                            missed: self.missed.wrapping_add(1),
                        });
                    }
                    None => return self,
                }
                (Some(Ok(page)), self.missed)
            }
        };
        std::rc::Rc::new(Listing { page, missed })
    }
}

/// The request for `page` of the tasks `query` matches.
fn filter_of(query: &HistoryQuery, page: TaskPageAt) -> TaskListFilter {
    TaskListFilter {
        statuses: query.statuses.clone(),
        plugin_id: query.plugin_id.clone(),
        since: query.since.and_then(format::local_day_start),
        // The last day is included: up to the start of the next.
        until: query
            .until
            .and_then(|day| day.succ_opt())
            .and_then(format::local_day_start),
        problems: query.problems,
        text: Some(query.text.trim().to_owned()).filter(|text| !text.is_empty()),
        sort: query.sort,
        page,
        limit: Some(PAGE_SIZE),
    }
}

/// Scrolls row `index` of the page into view, if it is out of it, and
/// gives it the keyboard focus (so Enter opens it rather than pressing a
/// button that had the focus).
fn focus_row(index: usize) {
    let row = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector_all("[data-testid=\"history-row\"]")
                .ok()?
                .item(u32::try_from(index).ok()?)
        })
        .and_then(|row| row.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(row) = row {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        row.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = row.focus();
    }
}

/// The history list.
#[function_component(HistoryList)]
pub fn history_list(props: &HistoryListProps) -> Html {
    // The filters: the address's, else the remembered ones (put in the
    // address, so the link to share is always there). They are remembered
    // in the data directory (`None` until read from there).
    let remembered = use_state(|| None::<String>);
    {
        let remembered = remembered.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                // Not being able to read them only means starting afresh.
                let text = ipc::invoke(&GetHistoryFilter {}).await.unwrap_or_default();
                remembered.set(Some(text));
            });
        });
    }
    // Whether the remembered filters have been put in the address (or the
    // address named its own): from then on a plain History address means
    // no filters (Clear filters leads there).
    let restored = use_state(|| false);
    let query_text = match (&props.query, *restored) {
        (Some(text), _) => text.clone(),
        (None, true) => String::new(),
        (None, false) => (*remembered).clone().unwrap_or_default(),
    };
    {
        let on_query = props.on_query.clone();
        let from_link = props.link.is_some();
        let restored = restored.clone();
        use_effect_with(
            (props.query.clone(), (*remembered).clone()),
            move |(named, known)| match (named, known) {
                // The address is the one source of the filters; what it
                // names is remembered.
                (Some(text), _) => {
                    if *restored {
                        remember(text.clone());
                    } else {
                        restored.set(true);
                    }
                }
                (None, Some(known)) if !*restored => {
                    // A line link keeps its address.
                    if known.is_empty() || from_link {
                        restored.set(true);
                    } else {
                        on_query.emit(known.clone());
                    }
                }
                _ => {}
            },
        );
    }
    // Nothing is listed before the filters are known.
    let filters_known = props.query.is_some() || remembered.is_some();
    let (query, unread) = HistoryQuery::decode(&query_text);
    // Which page: the one chosen for these filters, else the first.
    let position = use_state(|| (String::new(), TaskPageAt::First));
    let page_at = if position.0 == query_text {
        position.1.clone()
    } else {
        TaskPageAt::First
    };
    let open = use_state(|| None::<String>);
    // Two runs compared (the first, the second), over the list or a task.
    let comparing = use_state(|| None::<(String, String)>);
    // A search across runs, as the form asked for it.
    let run_search = use_state(|| None::<RunSearchAsk>);
    // A link opens its task (and the panel scrolls to its line).
    {
        let open = open.clone();
        let comparing = comparing.clone();
        use_effect_with(props.link.clone(), move |link| {
            if let Some(link) = link {
                comparing.set(None);
                open.set(Some(link.task_id.clone()));
            }
        });
    }
    let target_seq = props
        .link
        .as_ref()
        .filter(|link| open.as_deref() == Some(link.task_id.as_str()))
        .map(|link| link.seq);
    let reloads = use_reducer(|| Reloads(0));
    let listing = use_reducer(|| Listing {
        page: None,
        missed: 0,
    });
    // The list follows task updates pushed by the core (`task-updated`).
    {
        let listing = listing.clone();
        use_effect_with((), move |_| {
            let listener = ipc::listen_task_updates(Callback::from(move |summary| {
                listing.dispatch(ListingAction::Updated(Box::new(summary)));
            }))
            .ok();
            move || drop(listener)
        });
    }
    // An automatic cleanup removed tasks: reload.
    {
        let reloads = reloads.clone();
        use_effect_with((), move |_| {
            let listener = ipc::listen_cleanups(Callback::from(move |_| reloads.dispatch(()))).ok();
            move || drop(listener)
        });
    }
    // A new or newly ended task may belong on the first page.
    {
        let reloads = reloads.clone();
        let on_first_page = page_at == TaskPageAt::First;
        use_effect_with(listing.missed, move |missed| {
            if *missed > 0 && on_first_page {
                reloads.dispatch(());
            }
        });
    }
    // Loads the page; an answer overtaken by a newer request is dropped.
    let generation = use_mut_ref(|| 0u32);
    {
        let listing = listing.clone();
        let generation = generation.clone();
        let filter = filters_known.then(|| filter_of(&query, page_at.clone()));
        use_effect_with((filter, reloads.0), move |(filter, _)| {
            let Some(filter) = filter.clone() else {
                return;
            };
            let mine = {
                let mut generation = generation.borrow_mut();
                *generation = generation.wrapping_add(1);
                *generation
            };
            wasm_bindgen_futures::spawn_local(async move {
                let listed = ipc::invoke(&ListTasks { filter }).await;
                if *generation.borrow() == mine {
                    listing.dispatch(ListingAction::Loaded(listed));
                }
            });
        });
    }
    let plugins = use_state(Vec::<String>::new);
    {
        let plugins = plugins.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(found) = ipc::invoke(&ListPlugins {}).await {
                    plugins.set(found.into_iter().map(|plugin| plugin.id).collect());
                }
            });
        });
    }
    let on_change = {
        let on_query = props.on_query.clone();
        Callback::from(move |next: HistoryQuery| {
            let text = next.encode();
            // No filters is a plain address, which the effect above does
            // not remember: remembered here.
            if text.is_empty() {
                remember(String::new());
            }
            on_query.emit(text);
        })
    };
    let go_to = {
        let position = position.clone();
        let query_text = query_text.clone();
        Callback::from(move |at: TaskPageAt| position.set((query_text.clone(), at)))
    };
    let on_reload = {
        let reloads = reloads.clone();
        Callback::from(move |_| reloads.dispatch(()))
    };
    // The row the keyboard highlights, by index on the page.
    let highlighted = use_state(|| 0usize);
    let page = match &listing.page {
        Some(Ok(page)) => Some(page.clone()),
        _ => None,
    };
    let rows: Vec<TaskSummary> = page
        .as_ref()
        .map(|page| page.tasks.clone())
        .unwrap_or_default();
    let highlight = (*highlighted).min(rows.len().saturating_sub(1));
    let text_ref = use_node_ref();
    let on_key = {
        let highlighted = highlighted.clone();
        let open = open.clone();
        let go_to = go_to.clone();
        let text_ref = text_ref.clone();
        let ids: Vec<String> = rows.iter().map(|task| task.id.clone()).collect();
        let (previous, next) = page
            .as_ref()
            .map(|page| (page.previous.clone(), page.next.clone()))
            .unwrap_or_default();
        let on_query = props.on_query.clone();
        let query_text = query_text.clone();
        let comparing = comparing.clone();
        // The list's keys do nothing while search results take its place.
        let listed = run_search.is_none();
        Callback::from(move |key: HistoryKey| match key {
            HistoryKey::Up
            | HistoryKey::Down
            | HistoryKey::Open
            | HistoryKey::PreviousPage
            | HistoryKey::NextPage
                if !listed => {}
            HistoryKey::Up => {
                let index = highlight.saturating_sub(1);
                highlighted.set(index);
                focus_row(index);
            }
            HistoryKey::Down => {
                let index = (highlight + 1).min(ids.len().saturating_sub(1));
                highlighted.set(index);
                focus_row(index);
            }
            HistoryKey::Open => {
                if let Some(id) = ids.get(highlight) {
                    open.set(Some(id.clone()));
                }
            }
            HistoryKey::PreviousPage => {
                if let Some(cursor) = &previous {
                    highlighted.set(0);
                    go_to.emit(TaskPageAt::Before(cursor.clone()));
                }
            }
            HistoryKey::NextPage => {
                if let Some(cursor) = &next {
                    highlighted.set(0);
                    go_to.emit(TaskPageAt::After(cursor.clone()));
                }
            }
            HistoryKey::Filter => {
                if let Some(input) = text_ref.cast::<web_sys::HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
            }
            HistoryKey::Back if comparing.is_some() => comparing.set(None),
            HistoryKey::Back => {
                open.set(None);
                // Out of a line link, back to the list's own address.
                on_query.emit(query_text.clone());
            }
        })
    };
    use_history_keys(open.is_some() || comparing.is_some(), on_key.clone());
    // Back on the list: the highlighted row in view again, with the
    // keyboard's focus.
    {
        let back_on_list = open.is_none() && comparing.is_none();
        use_effect_with(back_on_list, move |listed| {
            if *listed {
                focus_row(highlight);
            }
        });
    }
    // What a re-run or delete reported, and the task whose delete awaits
    // confirmation.
    let action_error = use_state(|| None::<IpcError>);
    let confirming = use_state(|| None::<String>);
    let on_rerun = {
        let open = open.clone();
        let action_error = action_error.clone();
        Callback::from(move |task: TaskSummary| {
            let open = open.clone();
            let action_error = action_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let request = RunTaskRequest {
                    plugin_id: task.plugin_id,
                    params: task.params,
                };
                match ipc::invoke(&RunTask { request }).await {
                    Ok(started) => {
                        action_error.set(None);
                        open.set(Some(started.id));
                    }
                    Err(error) => action_error.set(Some(error)),
                }
            });
        })
    };
    let on_delete = {
        let open = open.clone();
        let action_error = action_error.clone();
        let confirming = confirming.clone();
        let reloads = reloads.clone();
        Callback::from(move |task_id: String| {
            if confirming.as_deref() != Some(task_id.as_str()) {
                confirming.set(Some(task_id));
                return;
            }
            confirming.set(None);
            let open = open.clone();
            let action_error = action_error.clone();
            let reloads = reloads.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match ipc::invoke(&DeleteTasks {
                    task_ids: vec![task_id.clone()],
                })
                .await
                {
                    Ok(_) => {
                        action_error.set(None);
                        if open.as_deref() == Some(task_id.as_str()) {
                            open.set(None);
                        }
                    }
                    Err(error) => action_error.set(Some(error)),
                }
                reloads.dispatch(());
            });
        })
    };
    // "Compare with the previous run": the newest run of the same plugin
    // that started before this one.
    let on_compare_previous = {
        let comparing = comparing.clone();
        let action_error = action_error.clone();
        Callback::from(move |task_id: String| {
            let comparing = comparing.clone();
            let action_error = action_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let previous = async {
                    let task = ipc::invoke(&GetTask {
                        task_id: task_id.clone(),
                    })
                    .await?;
                    let filter = TaskListFilter {
                        plugin_id: Some(task.plugin_id.clone()),
                        until: Some(task.started_at.unwrap_or(task.created_at)),
                        limit: Some(1),
                        ..TaskListFilter::default()
                    };
                    let page = ipc::invoke(&ListTasks { filter }).await?;
                    Ok::<_, IpcError>((task, page.tasks.into_iter().next()))
                }
                .await;
                match previous {
                    Ok((_, Some(previous))) => {
                        action_error.set(None);
                        comparing.set(Some((previous.id, task_id)));
                    }
                    Ok((task, None)) => action_error.set(Some(IpcError::new(
                        ErrorKind::NotFound,
                        format!(
                            "No earlier run of {} to compare this one with.",
                            task.plugin_id
                        ),
                    ))),
                    Err(error) => action_error.set(Some(error)),
                }
            });
        })
    };
    // What the last import brought in.
    let imported = use_state(|| None::<String>);
    let on_import = {
        let open = open.clone();
        let action_error = action_error.clone();
        let imported = imported.clone();
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| {
            let open = open.clone();
            let action_error = action_error.clone();
            let imported = imported.clone();
            let reloads = reloads.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let path = match ipc::open_export_file().await {
                    Ok(Some(path)) => path,
                    Ok(None) => return,
                    Err(error) => return action_error.set(Some(error)),
                };
                match ipc::invoke(&ImportTaskLogs { path: path.clone() }).await {
                    Ok(report) => {
                        action_error.set(None);
                        imported.set(Some(format!(
                            "Imported {} task(s) with {} entries from {path}.",
                            report.task_ids.len(),
                            report.entries
                        )));
                        open.set(report.task_ids.first().cloned());
                        reloads.dispatch(());
                    }
                    Err(error) => {
                        imported.set(None);
                        action_error.set(Some(error));
                    }
                }
            });
        })
    };
    // The tasks ticked for a joint export, in list order.
    let chosen = use_state(Vec::<String>::new);
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |(task_id, ticked): (String, bool)| {
            let mut next: Vec<String> = (*chosen).clone();
            next.retain(|id| *id != task_id);
            if ticked {
                next.push(task_id);
            }
            chosen.set(next);
        })
    };

    // What the last import or action reported, over the list or the task.
    let notices = html! {
        <>
            if let Some(notice) = (*imported).clone() {
                <p class="notice" data-testid="history-notice" role="status">{ notice }</p>
            }
            if let Some(error) = (*action_error).clone() {
                <ErrorBanner {error} />
            }
        </>
    };
    // Two runs compared get the whole view; Back returns to where the
    // comparison was asked for.
    if let Some((a, b)) = (*comparing).clone() {
        let on_back = on_key.reform(|_: MouseEvent| HistoryKey::Back);
        return html! {
            <div class="history history-task" data-testid="history-compare-view">
                <div class="history-task-bar">
                    <button type="button" data-testid="history-back" onclick={on_back}
                        title="Back (Backspace or Alt+←)">{ "← Back" }</button>
                    <span class="muted">{ "Two runs compared" }</span>
                </div>
                { notices }
                <CompareView {a} {b} />
            </div>
        };
    }
    // An opened task gets the whole view; Back returns to the list as it
    // was.
    if let Some(id) = (*open).clone() {
        let compare_it = {
            let id = id.clone();
            on_compare_previous.reform(move |_: MouseEvent| id.clone())
        };
        let on_back = on_key.reform(|_: MouseEvent| HistoryKey::Back);
        return html! {
            <div class="history history-task" data-testid="history-task-view">
                { notices }
                <TaskLogViewer key={format!("{id}/{target_seq:?}")} task_id={AttrValue::from(id.clone())} {target_seq}>
                    <button type="button" class="history-back" data-testid="history-back" onclick={on_back}
                        title="Back to the list, as it was (Backspace or Alt+←)">{ "← History" }</button>
                    <button type="button" data-testid="compare-previous" onclick={compare_it}
                        title="Compare this run's log with the run of the same plugin before it">
                        { "Compare with previous run" }
                    </button>
                </TaskLogViewer>
            </div>
        };
    }

    // Ticked tasks on this page, and how many entries they hold together.
    let (chosen_ids, chosen_total) = rows.iter().filter(|task| chosen.contains(&task.id)).fold(
        (Vec::new(), 0u64),
        |(mut ids, total), task| {
            ids.push(task.id.clone());
            (ids, total + task.counts.total())
        },
    );
    // Two ticked tasks on this page compare, the one that started first
    // on the left.
    let compare_pair = match rows
        .iter()
        .filter(|task| chosen.contains(&task.id))
        .collect::<Vec<_>>()
        .as_slice()
    {
        [one, other] => {
            let start = |task: &TaskSummary| task.started_at.unwrap_or(task.created_at);
            let (older, newer) = if start(one) <= start(other) {
                (one, other)
            } else {
                (other, one)
            };
            Some((older.id.clone(), newer.id.clone()))
        }
        _ => None,
    };
    let search_form = html! {
        <RunSearchForm searching={run_search.is_some()}
            on_search={let run_search = run_search.clone(); move |asked| run_search.set(asked)} />
    };
    let actions = html! {
        <>
            <div class="history-actions">
                if !chosen_ids.is_empty() {
                    <ExportControl name="history-export" task_ids={chosen_ids.clone()} total={Some(chosen_total)} />
                }
                if let Some(pair) = compare_pair.clone() {
                    <button type="button" data-testid="history-compare"
                        title="Compare the two ticked runs' logs, the older on the left"
                        onclick={let comparing = comparing.clone(); move |_: MouseEvent| comparing.set(Some(pair.clone()))}>
                        { "Compare" }
                    </button>
                }
                <button type="button" data-testid="history-import" title="Open a JSON Lines log export as history"
                    onclick={on_import}>{ "Import…" }</button>
                <button type="button" data-testid="history-reload" onclick={on_reload}>{ "Refresh" }</button>
            </div>
            { notices }
            if !unread.is_empty() {
                <p class="notice" data-testid="history-unread" role="status">
                    { format!("This link's filters {} could not be read and are left out.", unread.join(", ")) }
                </p>
            }
        </>
    };
    let filter_bar = html! {
        <HistoryFilterBar query={query.clone()} counts={page.as_ref().map(|page| page.counts)}
            plugins={(*plugins).clone()} {on_change} text_ref={text_ref.clone()} />
    };
    let list = match (*run_search).clone() {
        Some(ask) => {
            let filter = filter_of(&query, TaskPageAt::First);
            let search = RunSearch {
                ask,
                statuses: filter.statuses,
                plugin_id: filter.plugin_id,
                since: filter.since,
                until: filter.until,
            };
            html! { <RunSearchResults {search} /> }
        }
        None => match &listing.page {
            None => html! { <p class="muted">{ "Loading…" }</p> },
            Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
            Some(Ok(page)) if page.tasks.is_empty() && query.filters() => html! {
                <EmptyState message="No task matches these filters." hint="Clear filters shows every task again." />
            },
            Some(Ok(page)) if page.tasks.is_empty() => html! {
                <EmptyState
                    message="No tasks have run yet."
                    hint="Every task you run is kept here with its logs, across restarts; Import… opens one someone exported."
                />
            },
            Some(Ok(page)) => {
                let pager = pager(page, &go_to, highlighted.clone());
                html! {
                    <>
                        <div class="history-table-wrap" data-testid="history-table">
                        <table class="history-table" aria-rowcount={page.total.to_string()}>
                            <thead>
                                <tr><th><span class="visually-hidden">{ "Export" }</span></th><th>{ "Status" }</th><th>{ "Plugin" }</th><th>{ "Started" }</th><th>{ "Duration" }</th><th>{ "Warnings" }</th><th>{ "Errors" }</th><th><span class="visually-hidden">{ "Actions" }</span></th></tr>
                            </thead>
                            <tbody>
                                { for page.tasks.iter().enumerate().map(|(index, task)| {
                                    let id = task.id.clone();
                                    let open_it = {
                                        let open = open.clone();
                                        let highlighted = highlighted.clone();
                                        Callback::from(move |_: MouseEvent| {
                                            highlighted.set(index);
                                            open.set(Some(id.clone()));
                                        })
                                    };
                                    let rerun_it = {
                                        let task = task.clone();
                                        on_rerun.reform(move |event: MouseEvent| {
                                            event.stop_propagation();
                                            task.clone()
                                        })
                                    };
                                    let delete_it = {
                                        let id = task.id.clone();
                                        on_delete.reform(move |event: MouseEvent| {
                                            event.stop_propagation();
                                            id.clone()
                                        })
                                    };
                                    let finished = task.status.is_finished();
                                    let confirm = confirming.as_deref() == Some(task.id.as_str());
                                    let choose_it = {
                                        let id = task.id.clone();
                                        on_choose.reform(move |event: Event| {
                                            let ticked = event
                                                .target_unchecked_into::<web_sys::HtmlInputElement>()
                                                .checked();
                                            (id.clone(), ticked)
                                        })
                                    };
                                    let lit = index == highlight;
                                    html! {
                                        <tr class={classes!("history-row", lit.then_some("highlighted"))}
                                            data-testid="history-row" data-task-id={task.id.clone()}
                                            aria-selected={lit.to_string()} tabindex="-1"
                                            data-status={task.status.as_str()} onclick={open_it.clone()}>
                                            <td onclick={Callback::from(|event: MouseEvent| event.stop_propagation())}>
                                                <input type="checkbox" data-testid="history-select"
                                                    aria-label={format!("Choose this {} task for export", task.plugin_id)}
                                                    checked={chosen.contains(&task.id)} onchange={choose_it} />
                                            </td>
                                            <td><span class={classes!("status", format!("status-{}", task.status.as_str()))}>{ task.status.as_str() }</span></td>
                                            <td>
                                                <button type="button" class="link" data-testid="history-open"
                                                    aria-label={format!("Open the log of this {} task", task.plugin_id)}
                                                    onclick={open_it}>
                                                    { task.plugin_id.clone() }
                                                </button>
                                            </td>
                                            <td>{ format::date_time(task.started_at.unwrap_or(task.created_at)) }</td>
                                            <td>{ format::duration(task.started_at, task.finished_at) }</td>
                                            <td>{ task.counts.warning }</td>
                                            <td>{ task.counts.error }</td>
                                            <td><div class="history-row-actions">
                                                <button type="button" data-testid="history-rerun"
                                                    title="Run again with the same parameters" onclick={rerun_it}>
                                                    { "Re-run" }
                                                </button>
                                                <button type="button" class={classes!(confirm.then_some("danger"))}
                                                    data-testid="history-delete" disabled={!finished}
                                                    title={if finished { "Delete this task and its log" } else { "Cancel the task before deleting it" }}
                                                    onclick={delete_it}>
                                                    { if confirm { "Really delete?" } else { "Delete" } }
                                                </button>
                                            </div></td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                        </div>
                        { pager }
                    </>
                }
            }
        },
    };
    html! {
        <div class="history" data-testid="history-list">
            { actions }
            { search_form }
            { filter_bar }
            { list }
        </div>
    }
}

/// The line under the list: how many tasks match, and the buttons that
/// turn the page (the first and last pages a click away, whatever their
/// distance).
fn pager(
    page: &TaskPage,
    go_to: &Callback<TaskPageAt>,
    highlighted: UseStateHandle<usize>,
) -> Html {
    let turn = |at: Option<TaskPageAt>| {
        let go_to = go_to.clone();
        let highlighted = highlighted.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(at) = at.clone() {
                highlighted.set(0);
                go_to.emit(at);
            }
            if let Some(button) = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = button.blur();
            }
        })
    };
    let previous = page.previous.clone().map(TaskPageAt::Before);
    let next = page.next.clone().map(TaskPageAt::After);
    let at_start = previous.is_none();
    let at_end = next.is_none();
    html! {
        <div class="history-pager" data-testid="history-pager">
            <span class="muted" data-testid="history-total">
                { format!("{} task{} on this page of {} matching", page.tasks.len(),
                    if page.tasks.len() == 1 { "" } else { "s" }, page.total) }
            </span>
            <button type="button" data-testid="history-first" disabled={at_start}
                onclick={turn(Some(TaskPageAt::First))}>{ "« First" }</button>
            <button type="button" data-testid="history-previous" disabled={at_start}
                title="PageUp" onclick={turn(previous)}>{ "‹ Previous" }</button>
            <button type="button" data-testid="history-next" disabled={at_end}
                title="PageDown" onclick={turn(next)}>{ "Next ›" }</button>
            <button type="button" data-testid="history-last" disabled={at_end}
                onclick={turn(Some(TaskPageAt::Last))}>{ "Last »" }</button>
        </div>
    }
}
