//! The log panel of one task: header, filter bar, the virtualised rows
//! (pages from the store, then live), follow mode, line detail.
//!
//! On open and on every filter change it loads the newest page matching
//! the filter from the store (or the page around a linked line), then,
//! while the rows reach the newest entry, subscribes from the last seq it
//! has, so history and live output meet without a gap or a duplicate
//! ([`loading`]). A gap notice from the core reloads from the store.
//! Scrolling near either end loads the next page there; [`rows`] keeps
//! what is held (bounded, pure state) and only the rows on screen are in
//! the DOM ([`window`]). Follow mode, the scroll adjustments, keyboard
//! shortcuts, match steps and error jumps are hooks of their own; the
//! level timeline ([`timeline`]) sets the filter's time range, and the
//! outline of the task's sections ([`outline`]) jumps to one, narrows the
//! panel to it or folds them (as do the toggles of their header lines);
//! a failed task opens on the section it failed in, the others folded.

mod follow;
mod header;
mod level_jump;
mod live_fetch;
mod loading;
mod outline;
mod pages;
mod rows;
mod shortcuts;
mod steps;
mod task_info;
mod timeline;
mod view_position;
mod window;

use std::collections::HashMap;
use std::rc::Rc;

use taskdeck_protocol::{Folding, LogFilter, SearchQuery, TaskStatus};
use yew::prelude::*;

use self::follow::{Follow, FollowAction, Scrolling, scroll_handler, use_follow_scroll};
use self::header::PanelHeader;
use self::level_jump::{JumpTarget, LevelJump, moment_jumper, seq_jumper, use_level_jumps};
use self::loading::{page_fetcher, stretch_opener, use_first_page, use_live_tail};
use self::outline::{SectionOutline, failed_folding, toggled, use_sections};
use self::rows::Rows;
use self::shortcuts::use_shortcuts;
use self::steps::use_match_steps;
use self::task_info::{use_match_count, use_task_info};
use self::timeline::{LevelTimeline, TimeRange};
use self::view_position::use_view_position;
use self::window::Slot;
use super::log_entry_row::{Highlight, SectionHead};
use super::{HiddenLines, LogEntryDetail, LogEntryRow, LogFilterBar};
use crate::components::{EmptyState, ErrorBanner};
use crate::preferences;

/// Properties of [`TaskLogPanel`].
#[derive(Properties, PartialEq)]
pub struct TaskLogPanelProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// A line to open the panel on (from a link) instead of the newest.
    #[prop_or_default]
    pub target_seq: Option<u64>,
}

/// The search the core ran, compiled once per filter, to highlight rows.
#[hook]
fn use_highlight(filter: &LogFilter) -> Option<Highlight> {
    let highlight = use_memo(
        (
            filter.search.clone(),
            filter.search_mode,
            filter.case_sensitive,
        ),
        |(search, mode, case_sensitive)| {
            let query = SearchQuery {
                text: search.clone()?,
                mode: *mode,
                case_sensitive: *case_sensitive,
            };
            query
                .compile()
                .ok()
                .map(|matcher| Highlight(Rc::new(matcher)))
        },
    );
    (*highlight).clone()
}

/// The log panel.
#[function_component(TaskLogPanel)]
pub fn task_log_panel(props: &TaskLogPanelProps) -> Html {
    let task_id = props.task_id.to_string();
    let filter = use_state(|| LogFilter {
        min_level: preferences::min_level(),
        ..LogFilter::default()
    });
    // Loading from the first render: the first page is asked for at
    // once, and an empty state shown before it would flash.
    let rows = use_reducer(|| Rows {
        loading: true,
        ..Rows::default()
    });
    let time_mode = use_state(preferences::time_mode);
    let wrap = use_state(preferences::wrap);
    let target = use_state(|| props.target_seq);
    let follow = use_reducer(|| Follow(props.target_seq.is_none()));
    let expanded = use_state(|| None::<u64>);
    let scrolling = Scrolling {
        list: use_node_ref(),
        viewport: use_state_eq(|| (0, 0)),
        last_top: use_mut_ref(|| 0_i32),
        row_height: window::row_height(*wrap),
    };
    let row_height = scrolling.row_height;
    // Error navigation: the jump asked for, and what to say when it finds
    // nothing.
    let jump = use_state(|| None::<LevelJump>);
    let jump_notice = use_state(|| None::<String>);

    use_first_page(task_id.clone(), (*filter).clone(), rows.clone(), *target);
    use_live_tail(task_id.clone(), (*filter).clone(), rows.clone());
    let fetch = page_fetcher(task_id.clone(), (*filter).clone(), rows.clone());
    let info = use_task_info(task_id.clone(), rows.ended);
    let matches = use_match_count(
        task_id.clone(),
        (*filter).clone(),
        info.counts.map(|counts| counts.total()),
    );
    use_shortcuts(follow.clone(), expanded.clone(), jump.clone());
    use_follow_scroll(scrolling.clone(), follow.0, rows.clone(), target.clone());
    let on_scroll = scroll_handler(
        scrolling.clone(),
        follow.clone(),
        // Reaching the bottom resumes following, unless the rows stop
        // short of the newest or the user came for a linked line.
        !rows.window.has_later && target.is_none(),
        fetch.clone(),
    );
    let (scroll_top, height) = *scrolling.viewport;
    let on_step = use_match_steps(
        rows.clone(),
        expanded.clone(),
        fetch,
        scroll_top,
        row_height,
    );
    use_view_position(
        scrolling.clone(),
        follow.0,
        rows.clone(),
        *target,
        *expanded,
    );
    // A jump starts from the open line, or the first row on screen.
    let top = usize::try_from(scroll_top / row_height).unwrap_or(0);
    let current = (*expanded)
        .or(*target)
        .or_else(|| rows.window.entry_at_slot(top).map(|entry| entry.seq));
    // Where a jump lands: the line opened in the detail, following off.
    let lands = JumpTarget {
        jump: jump.clone(),
        target: target.clone(),
        expanded: expanded.clone(),
        follow: follow.clone(),
        notice: jump_notice.clone(),
    };
    use_level_jumps(
        task_id.clone(),
        (*filter).clone(),
        current,
        lands.clone(),
        info.status,
        props.target_seq.is_some(),
    );
    let highlight = use_highlight(&filter);

    let on_follow = {
        let follow = follow.clone();
        Callback::from(move |_| follow.dispatch(FollowAction::Toggle))
    };
    // The same callback from render to render (until the open line
    // changes), so rows whose entry did not change skip rendering while
    // the list scrolls.
    let on_expand = use_callback(
        expanded.clone(),
        |seq: u64, expanded: &UseStateHandle<Option<u64>>| {
            expanded.set((**expanded != Some(seq)).then_some(seq));
        },
    );
    let on_open_hidden = stretch_opener(task_id.clone(), rows.clone());
    let on_close_detail = {
        let expanded = expanded.clone();
        Callback::from(move |()| expanded.set(None))
    };
    let on_time_mode = {
        let time_mode = time_mode.clone();
        Callback::from(move |_: MouseEvent| {
            let next = time_mode.next();
            preferences::set_time_mode(next);
            time_mode.set(next);
        })
    };
    let on_wrap = {
        let wrap = wrap.clone();
        Callback::from(move |_: MouseEvent| {
            preferences::set_wrap(!*wrap);
            wrap.set(!*wrap);
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |next: LogFilter| {
            if next.min_level != filter.min_level {
                preferences::set_min_level(next.min_level);
            }
            filter.set(next);
        })
    };
    let on_clear = {
        let on_filter = on_filter.clone();
        Callback::from(move |_| on_filter.emit(LogFilter::default()))
    };
    let on_range = {
        let (on_filter, filter) = (on_filter.clone(), filter.clone());
        Callback::from(move |(since, until): TimeRange| {
            on_filter.emit(LogFilter {
                since,
                until,
                ..(*filter).clone()
            });
        })
    };
    let on_moment = moment_jumper(task_id.clone(), (*filter).clone(), lands.clone());
    let on_section_jump = seq_jumper(lands);
    let on_section = {
        let (on_filter, filter) = (on_filter.clone(), filter.clone());
        Callback::from(move |section: Option<u32>| {
            on_filter.emit(LogFilter {
                section,
                ..(*filter).clone()
            });
        })
    };
    let on_first_error = {
        let jump = jump.clone();
        Callback::from(move |_: MouseEvent| jump.set(Some(LevelJump::FIRST_ERROR)))
    };

    let held = rows.window.entries();
    let slots = rows.window.slots();
    let shown = window::visible_rows(slots.len(), scroll_top, height, row_height);
    let offset = window::rows_height(shown.start, row_height);
    let detail = expanded
        .and_then(|seq| rows.window.index_of(seq))
        .map(|index| &held[index]);
    let following = follow.0 && target.is_none() && !rows.window.has_later;
    let task_status = rows.ended.or(info.status);
    let status = task_status.map_or("loading", TaskStatus::as_str);
    let sections = use_sections(
        props.task_id.clone(),
        info.counts.map(|counts| counts.total()),
        rows.ended.is_some(),
    );
    // Section header lines fold their sections (with two sections or
    // more, as the outline shows them).
    let heads = use_memo(
        (sections.clone(), filter.folding.clone()),
        |(sections, folding)| {
            let shown = if sections.len() > 1 {
                &sections[..]
            } else {
                &[]
            };
            shown
                .iter()
                .map(|section| {
                    let head = SectionHead {
                        id: section.id,
                        folded: folding
                            .as_ref()
                            .is_some_and(|folding| folding.folds(section.id)),
                        lines: section.end_seq - section.start_seq,
                    };
                    (section.start_seq, head)
                })
                .collect::<HashMap<u64, SectionHead>>()
        },
    );
    let on_fold = use_callback(
        filter.clone(),
        |id: u32, filter: &UseStateHandle<LogFilter>| {
            filter.set(LogFilter {
                folding: toggled(filter.folding.as_ref(), id),
                ..(**filter).clone()
            });
        },
    );
    let on_fold_all = {
        let filter = filter.clone();
        Callback::from(move |all: bool| {
            filter.set(LogFilter {
                folding: all.then(|| Folding::AllBut(Vec::new())),
                ..(*filter).clone()
            });
        })
    };
    // A failed task opened after it ended shows the section it failed in,
    // the others folded; a run watched live is left as the user has it.
    let first_status = use_mut_ref(|| None::<TaskStatus>);
    if first_status.borrow().is_none() {
        *first_status.borrow_mut() = task_status;
    }
    let opened_on_failure =
        *first_status.borrow() == Some(TaskStatus::Failed) && props.target_seq.is_none();
    let folded_once = use_mut_ref(|| false);
    {
        let filter = filter.clone();
        use_effect_with(
            (sections.clone(), opened_on_failure),
            move |(sections, _)| {
                if opened_on_failure
                    && !*folded_once.borrow()
                    && let Some(folding) = failed_folding(sections)
                {
                    *folded_once.borrow_mut() = true;
                    filter.set(LogFilter {
                        folding: Some(folding),
                        ..(*filter).clone()
                    });
                }
            },
        );
    }
    // Built once per fetch of the sections, not on every scroll's render.
    let marks = use_memo(sections.clone(), |sections| {
        sections
            .iter()
            .filter(|section| section.parent.is_none())
            .map(|section| (section.started_at, section.title.clone()))
            .collect::<Vec<_>>()
    });
    html! {
        <section class="log-panel" data-testid="log-panel" data-task-id={props.task_id.clone()}>
            <PanelHeader task_id={props.task_id.clone()} info={info.clone()} {status}
                filter={(*filter).clone()} matching={matches.map(|count| count.matching)}
                {on_first_error} time_mode={*time_mode} {on_time_mode} wrap={*wrap} {on_wrap}
                held={held.len()} jump_notice={(*jump_notice).clone()}
                loading={rows.fetching || rows.loading} {following} {on_follow} />
            <LevelTimeline task_id={props.task_id.clone()} total={info.counts.map(|counts| counts.total())}
                running={task_status == Some(TaskStatus::Running)}
                range={(filter.since, filter.until)} {on_range} {on_moment} {marks} />
            <SectionOutline sections={sections.clone()} running={task_status == Some(TaskStatus::Running)}
                failed={task_status == Some(TaskStatus::Failed)} selected={filter.section}
                on_jump={on_section_jump} on_select={on_section} {on_fold_all} />
            <LogFilterBar filter={(*filter).clone()} sources={(*info.sources).clone()} counts={info.counts}
                {matches} on_change={on_filter} {on_step} />
            if let Some(error) = rows.error.clone() {
                <ErrorBanner {error} />
            }
            <div class={classes!("log-rows", detail.is_some().then_some("with-detail"), wrap.then_some("wrapped"))}
                role="table" tabindex="0" data-testid="log-rows" ref={scrolling.list.clone()} onscroll={on_scroll}>
                <div class="log-canvas" style={format!("height: {}px", window::rows_height(slots.len(), row_height))}>
                    <div class="log-visible" style={format!("top: {offset}px")}>
                        { for slots[shown].iter().map(|slot| match *slot {
                            Slot::Entry(index) => {
                                let entry = &held[index];
                                html! {
                                    <LogEntryRow
                                        key={entry.seq}
                                        entry={entry.clone()}
                                        highlight={highlight.clone()}
                                        time_mode={*time_mode}
                                        origin={info.started_at}
                                        targeted={*target == Some(entry.seq)}
                                        expanded={*expanded == Some(entry.seq)}
                                        on_expand={on_expand.clone()}
                                        heads={heads.get(&entry.seq).copied()}
                                        on_fold={on_fold.clone()}
                                    />
                                }
                            }
                            Slot::Hidden { after, before } => html! {
                                <HiddenLines key={format!("hidden-{after}")} {after} {before}
                                    on_open={on_open_hidden.clone()} />
                            },
                        }) }
                    </div>
                </div>
            </div>
            if let Some(entry) = detail {
                <LogEntryDetail entry={entry.clone()} on_close={on_close_detail} />
            }
            if held.is_empty() && !rows.loading && rows.error.is_none() {
                if *filter != LogFilter::default() {
                    <div class="empty-filters">
                        <EmptyState message="No entries match these filters." />
                        <button type="button" data-testid="clear-filters" onclick={on_clear}>{ "Clear filters" }</button>
                    </div>
                } else {
                    <EmptyState message="No entries yet." />
                }
            }
        </section>
    }
}
