//! The panel's header: the task's status and counts per level (the error
//! count jumps to the first error), the time and wrap toggles, how many
//! lines are held and whether more are loading, follow, and export.

use taskdeck_protocol::{LevelCounts, LogFilter};
use yew::prelude::*;

use super::super::ExportControl;
use super::task_info::TaskInfo;
use crate::format::TimeMode;

/// Properties of [`PanelHeader`].
#[derive(Properties, PartialEq)]
pub struct PanelHeaderProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// What the panel knows of it.
    pub info: TaskInfo,
    /// The status to show (the live stream's end wins over the stored one).
    pub status: AttrValue,
    /// The filter in force (what an export writes).
    pub filter: LogFilter,
    /// How many entries match it, when it filters.
    pub matching: Option<u64>,
    /// Opens the first error.
    pub on_first_error: Callback<MouseEvent>,
    /// How times are shown.
    pub time_mode: TimeMode,
    /// Shows times the next way.
    pub on_time_mode: Callback<MouseEvent>,
    /// Whether long messages wrap.
    pub wrap: bool,
    /// Toggles wrapping.
    pub on_wrap: Callback<MouseEvent>,
    /// Lines held in the view.
    pub held: usize,
    /// Why the last jump found nothing.
    pub jump_notice: Option<String>,
    /// A page is loading.
    pub loading: bool,
    /// The newest row is kept in view.
    pub following: bool,
    /// Toggles follow.
    pub on_follow: Callback<MouseEvent>,
}

fn level_counts(counts: LevelCounts, on_first_error: Callback<MouseEvent>) -> Html {
    html! {
        <>
            <span class="count badge-debug" data-testid="count-debug">{ format!("{} debug", counts.debug) }</span>
            <span class="count badge-info" data-testid="count-info">{ format!("{} info", counts.info) }</span>
            <span class="count badge-warning" data-testid="count-warning">{ format!("{} warning", counts.warning) }</span>
            <button type="button" class="count badge-error" data-testid="count-error"
                title="Go to the first error (e / E: next / previous error, w / W: warnings)"
                disabled={counts.error == 0} onclick={on_first_error}>
                { format!("{} error", counts.error) }
            </button>
        </>
    }
}

/// The header.
#[function_component(PanelHeader)]
pub fn panel_header(props: &PanelHeaderProps) -> Html {
    let info = &props.info;
    let following = props.following;
    html! {
        <div class="stats-header" data-testid="stats-header">
            <span class="task-status" data-testid="panel-status">{ props.status.clone() }</span>
            if let Some(counts) = info.counts {
                { level_counts(counts, props.on_first_error.clone()) }
            }
            <button type="button" data-testid="time-mode" title="Show times as local, UTC or elapsed"
                onclick={props.on_time_mode.clone()}>
                { props.time_mode.label() }
            </button>
            <button type="button" data-testid="wrap-toggle" aria-pressed={props.wrap.to_string()}
                class={classes!(props.wrap.then_some("on"))}
                title="Wrap long messages (up to three lines a row; the line detail shows all)"
                onclick={props.on_wrap.clone()}>
                { "Wrap" }
            </button>
            <span class="muted" data-testid="rows-shown" title="Lines held in the view; more load as you scroll">
                { format!("{} loaded", props.held) }
            </span>
            if let Some(notice) = &props.jump_notice {
                <span class="muted" data-testid="jump-notice" role="status">{ notice.clone() }</span>
            }
            if props.loading {
                <span class="muted" data-testid="rows-loading">{ "Loading…" }</span>
            }
            <button
                type="button"
                class={classes!("follow", following.then_some("on"))}
                data-testid="follow-toggle"
                aria-pressed={following.to_string()}
                title="Follow new lines (f)"
                onclick={props.on_follow.clone()}
            >
                { if following { "Following" } else { "Jump to latest" } }
            </button>
            <ExportControl task_ids={vec![props.task_id.to_string()]} plugin_id={info.plugin_id.clone()}
                started_at={info.started_at} filter={props.filter.clone()}
                total={info.counts.map(|counts| counts.total())}
                matching={props.matching} />
        </div>
    }
}
