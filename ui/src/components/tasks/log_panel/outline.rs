//! The outline of a task's sections (a backup's steps, a migration's
//! files, a script's `::group::`s): each one's title, indented as they
//! nest, its duration, warnings and errors, and how it went. A click on a
//! title jumps to its first line; "Only" narrows the panel to that
//! section (the filter's `section`, a query in the core); "Fold all" and
//! "Unfold all" set the filter's folding, which the rows' header lines
//! toggle one section at a time. The sections are fetched on open and
//! again as the task writes, so the outline stays live. Only the items in
//! the list's view are in the DOM, as with the rows: a log may have
//! 10,000 sections.

use std::collections::HashMap;
use std::rc::Rc;

use taskdeck_protocol::commands::GetTaskLogSections;
use taskdeck_protocol::{Folding, LogSection, SectionStatus};
use yew::prelude::*;

use super::live_fetch::use_live_fetch;
use super::window::{rows_height, visible_rows};
use crate::format;

/// The height of an item, in pixels (`.outline-item` in the styles).
const ITEM_HEIGHT: i32 = 22;
/// The height of the list's view, in pixels (`.outline-list`).
const LIST_HEIGHT: i32 = 88;

/// A task's sections: fetched on open and as `total` (its entries so far)
/// or `ended` move.
#[hook]
pub fn use_sections(task_id: AttrValue, total: Option<u64>, ended: bool) -> Rc<Vec<LogSection>> {
    use_live_fetch(task_id, (total, ended), false, |task_id| {
        GetTaskLogSections {
            task_id: task_id.to_owned(),
        }
    })
    .unwrap_or_default()
}

/// How deep each section nests (0: at the top), by id.
pub fn depths(sections: &[LogSection]) -> HashMap<u32, usize> {
    let mut depths = HashMap::with_capacity(sections.len());
    for section in sections {
        let depth = section
            .parent
            .and_then(|parent| depths.get(&parent))
            .map_or(0, |depth| depth + 1);
        depths.insert(section.id, depth);
    }
    depths
}

/// The section a failed task failed in: the last one holding an error,
/// else the last one to open.
pub fn failing(sections: &[LogSection]) -> Option<&LogSection> {
    sections
        .iter()
        .rev()
        .find(|section| section.status == SectionStatus::Errors)
        .or(sections.last())
}

/// `folding` with section `id` folded if it was open, or open if it was
/// folded; `None` once nothing is folded.
pub fn toggled(folding: Option<&Folding>, id: u32) -> Option<Folding> {
    let flip = |ids: &[u32]| -> Vec<u32> {
        match ids.contains(&id) {
            true => ids.iter().copied().filter(|named| *named != id).collect(),
            false => ids.iter().copied().chain([id]).collect(),
        }
    };
    match folding {
        None => Some(Folding::These(vec![id])),
        Some(Folding::These(folded)) => {
            Some(Folding::These(flip(folded))).filter(|folding| !folding.named().is_empty())
        }
        Some(Folding::AllBut(open)) => Some(Folding::AllBut(flip(open))),
    }
}

/// How a failed task's log opens: every section folded but the one it
/// failed in, those inside it and those around it (as GitHub Actions
/// opens a failed run on its failing step).
pub fn failed_folding(sections: &[LogSection]) -> Option<Folding> {
    if sections.len() < 2 {
        return None;
    }
    let failed = failing(sections)?;
    let parents: HashMap<u32, Option<u32>> = sections
        .iter()
        .map(|section| (section.id, section.parent))
        .collect();
    let mut open: Vec<u32> = sections
        .iter()
        .filter(|section| failed.contains(section.start_seq))
        .map(|section| section.id)
        .collect();
    let mut around = failed.parent;
    while let Some(id) = around {
        open.push(id);
        around = parents.get(&id).copied().flatten();
    }
    open.sort_unstable();
    Some(Folding::AllBut(open))
}

/// A section's duration as shown: `1.2 s`, or `running`, or `-` for one
/// its task never closed.
pub fn took(section: &LogSection, task_running: bool) -> String {
    match section.ended_at {
        Some(ended) => format::duration(Some(section.started_at), Some(ended)),
        None if task_running => "running".to_owned(),
        None => "-".to_owned(),
    }
}

/// Properties of [`SectionOutline`].
#[derive(Properties, PartialEq)]
pub struct SectionOutlineProps {
    /// The task's sections, in the order they opened.
    pub sections: Rc<Vec<LogSection>>,
    /// Whether the task still runs.
    pub running: bool,
    /// Whether the task failed: the section it failed in is marked.
    pub failed: bool,
    /// The section the panel is narrowed to, if any.
    pub selected: Option<u32>,
    /// A section's title was clicked: its first line's `seq`.
    pub on_jump: Callback<u64>,
    /// "Only" (a section) or "All" (`None`) was chosen.
    pub on_select: Callback<Option<u32>>,
    /// "Fold all" (`true`) or "Unfold all" (`false`) was chosen.
    pub on_fold_all: Callback<bool>,
}

/// The outline; nothing for a task with fewer than two sections (a
/// program's run alone is the whole log, with nothing to tell apart).
#[function_component(SectionOutline)]
pub fn section_outline(props: &SectionOutlineProps) -> Html {
    let open = use_state(|| true);
    let scroll_top = use_state_eq(|| 0);
    if props.sections.len() < 2 {
        return Html::default();
    }
    let fold_all = props.on_fold_all.reform(|_: MouseEvent| true);
    let unfold_all = props.on_fold_all.reform(|_: MouseEvent| false);
    let depths = depths(&props.sections);
    let failed_in = props
        .failed
        .then(|| failing(&props.sections).map(|section| section.id))
        .flatten();
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_scroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |event: Event| {
            if let Some(list) = event.target_dyn_into::<web_sys::Element>() {
                scroll_top.set(list.scroll_top());
            }
        })
    };
    let shown = visible_rows(props.sections.len(), *scroll_top, LIST_HEIGHT, ITEM_HEIGHT);
    let spacer = |items: usize| {
        html! {
            <li class="outline-spacer" aria-hidden="true"
                style={format!("height: {}px", rows_height(items, ITEM_HEIGHT))}></li>
        }
    };
    let before = spacer(shown.start);
    let after = spacer(props.sections.len() - shown.end);
    let items = props.sections[shown].iter().map(|section| {
        let depth = depths.get(&section.id).copied().unwrap_or(0);
        let on_jump = {
            let (on_jump, seq) = (props.on_jump.clone(), section.start_seq);
            Callback::from(move |_: MouseEvent| on_jump.emit(seq))
        };
        let selected = props.selected == Some(section.id);
        let on_select = {
            let (on_select, id) = (props.on_select.clone(), section.id);
            Callback::from(move |_: MouseEvent| on_select.emit((!selected).then_some(id)))
        };
        let status = section.status.as_str();
        let failed_here = failed_in == Some(section.id);
        html! {
            <li class={classes!("outline-item", format!("section-{status}"), selected.then_some("selected"),
                    failed_here.then_some("failing"))}
                data-testid="outline-item" data-section={section.id.to_string()} data-status={status}
                data-failing={failed_here.then_some("true")}
                title={failed_here.then_some("The task failed in this section")}
                style={format!("padding-left: {}px", 8 + 14 * depth)}>
                <span class="outline-mark" aria-hidden="true">{ status_mark(section.status) }</span>
                <button type="button" class="link outline-title" data-testid="outline-title"
                    title={format!("Go to line {}", section.start_seq)} onclick={on_jump}>
                    { section.title.clone() }
                </button>
                <span class="outline-duration" data-testid="outline-duration">
                    { took(section, props.running) }
                </span>
                if section.counts.warning > 0 {
                    <span class="count badge-warning" title="warnings">{ format!("{}W", section.counts.warning) }</span>
                }
                if section.counts.error > 0 {
                    <span class="count badge-error" title="errors">{ format!("{}E", section.counts.error) }</span>
                }
                <button type="button" class={classes!("outline-only", selected.then_some("on"))}
                    data-testid="outline-only" aria-pressed={selected.to_string()}
                    title={if selected { "Show every line again" } else { "Show only this section's lines" }}
                    onclick={on_select}>
                    { if selected { "All" } else { "Only" } }
                </button>
            </li>
        }
    });
    html! {
        <nav class="outline" data-testid="section-outline" aria-label="Sections">
            <div class="outline-head">
                <button type="button" class="outline-toggle" data-testid="outline-toggle"
                    aria-expanded={open.to_string()} onclick={on_toggle}>
                    { format!("{} Sections ({})", if *open { "▾" } else { "▸" }, props.sections.len()) }
                </button>
                <button type="button" class="outline-fold" data-testid="fold-all"
                    title="Show only each section's header line" onclick={fold_all}>{ "Fold all" }</button>
                <button type="button" class="outline-fold" data-testid="unfold-all"
                    title="Show every line" onclick={unfold_all}>{ "Unfold all" }</button>
            </div>
            if *open {
                <ol class="outline-list" onscroll={on_scroll}>
                    { before }{ for items }{ after }
                </ol>
            }
        </nav>
    }
}

/// The mark before a section's title.
fn status_mark(status: SectionStatus) -> &'static str {
    match status {
        SectionStatus::Running => "◌",
        SectionStatus::Ok => "✓",
        SectionStatus::Warnings => "!",
        SectionStatus::Errors => "✗",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta};
    use taskdeck_protocol::LevelCounts;

    fn section(id: u32, parent: Option<u32>, status: SectionStatus) -> LogSection {
        LogSection {
            id,
            parent,
            title: format!("section {id}"),
            start_seq: u64::from(id),
            end_seq: u64::from(id),
            started_at: DateTime::UNIX_EPOCH,
            ended_at: None,
            counts: LevelCounts::default(),
            status,
        }
    }

    #[test]
    fn sections_nest_by_their_parents() {
        let sections = [
            section(1, None, SectionStatus::Ok),
            section(2, Some(1), SectionStatus::Ok),
            section(3, Some(2), SectionStatus::Ok),
            section(4, None, SectionStatus::Ok),
        ];
        let depths = depths(&sections);
        assert_eq!(
            [1, 2, 3, 4].map(|id| depths[&id]),
            [0, 1, 2, 0],
            "{depths:?}"
        );
    }

    #[test]
    fn a_failed_task_failed_in_its_last_section_with_an_error_or_its_last() {
        let mut sections = vec![
            section(1, None, SectionStatus::Ok),
            section(2, None, SectionStatus::Errors),
            section(3, None, SectionStatus::Warnings),
        ];
        assert_eq!(failing(&sections).map(|section| section.id), Some(2));
        sections[1].status = SectionStatus::Ok;
        assert_eq!(failing(&sections).map(|section| section.id), Some(3));
        assert!(failing(&[]).is_none());
    }

    #[test]
    fn a_toggle_folds_an_open_section_and_opens_a_folded_one() {
        assert_eq!(toggled(None, 3), Some(Folding::These(vec![3])));
        assert_eq!(toggled(Some(&Folding::These(vec![3])), 3), None);
        assert_eq!(
            toggled(Some(&Folding::These(vec![3])), 4),
            Some(Folding::These(vec![3, 4]))
        );
        // All folded: a toggle opens one, a second folds it again.
        let one_open = toggled(Some(&Folding::AllBut(vec![])), 2);
        assert_eq!(one_open, Some(Folding::AllBut(vec![2])));
        assert_eq!(toggled(one_open.as_ref(), 2), Some(Folding::AllBut(vec![])));
    }

    #[test]
    fn a_failed_log_opens_on_the_section_it_failed_in_and_those_around_it() {
        // 1 [1..=4] holds 2 [2..=2] and 3 [3..=4], which holds 4 [4..=4].
        let mut sections = vec![
            section(1, None, SectionStatus::Warnings),
            section(2, Some(1), SectionStatus::Ok),
            section(3, Some(1), SectionStatus::Errors),
            section(4, Some(3), SectionStatus::Ok),
        ];
        sections[0].end_seq = 4;
        sections[2].end_seq = 4;
        assert_eq!(
            failed_folding(&sections),
            Some(Folding::AllBut(vec![1, 3, 4])),
            "3 failed: it, the section inside it and the one around it"
        );
        assert_eq!(
            failed_folding(&sections[..1]),
            None,
            "one section: nothing to fold"
        );
    }

    #[test]
    fn a_duration_is_shown_once_the_section_ended() {
        let mut one = section(1, None, SectionStatus::Running);
        assert_eq!(took(&one, true), "running");
        assert_eq!(took(&one, false), "-");
        one.ended_at = Some(DateTime::UNIX_EPOCH + TimeDelta::milliseconds(1300));
        assert_eq!(took(&one, false), "1.3 s");
    }
}
