//! Two runs compared side by side: a header with the status, duration and
//! counts of each, then only the stretches where their logs differ, with
//! context, the first run's lines on the left and the second's on the
//! right, aligned by line (removed lines beside the added ones that took
//! their place). Volatile parts (times, durations, numbers, ids, temporary
//! paths) are normalised unless the user turns that off; "First
//! difference" scrolls to where the runs part.

use taskdeck_protocol::commands::CompareRuns;
use taskdeck_protocol::{ComparedLine, DiffHunk, IpcError, LineChange, RunComparison, TaskSummary};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::ErrorBanner;
use crate::{format, route};

/// Lines of context around each difference.
const CONTEXT: u32 = 3;

/// Properties of [`CompareView`].
#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    /// The first (usually older) run.
    pub a: String,
    /// The second run.
    pub b: String,
}

/// One row of the side-by-side table: a line of each run, or of one.
struct Row<'a> {
    left: Option<&'a ComparedLine>,
    right: Option<&'a ComparedLine>,
}

/// Puts the `removed` lines beside the `added` ones, row by row.
fn pair_up<'a>(
    rows: &mut Vec<Row<'a>>,
    removed: &mut Vec<&'a ComparedLine>,
    added: &mut Vec<&'a ComparedLine>,
) {
    for index in 0..removed.len().max(added.len()) {
        rows.push(Row {
            left: removed.get(index).copied(),
            right: added.get(index).copied(),
        });
    }
    removed.clear();
    added.clear();
}

/// The rows of a hunk: a line in both runs fills a row; a stretch of
/// removed lines and the added lines after it share rows, side by side.
fn rows(hunk: &DiffHunk) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for line in &hunk.lines {
        match line.change {
            LineChange::Removed => {
                if !added.is_empty() {
                    pair_up(&mut rows, &mut removed, &mut added);
                }
                removed.push(line);
            }
            LineChange::Added => added.push(line),
            LineChange::Same => {
                pair_up(&mut rows, &mut removed, &mut added);
                rows.push(Row {
                    left: Some(line),
                    right: Some(line),
                });
            }
        }
    }
    pair_up(&mut rows, &mut removed, &mut added);
    rows
}

/// One side of a row.
fn cell(task_id: &str, line: Option<&ComparedLine>, seq: Option<u64>) -> Html {
    let Some(line) = line else {
        return html! { <td class="compare-line empty" colspan="2"></td> };
    };
    let change = match line.change {
        LineChange::Same => "same",
        LineChange::Removed => "removed",
        LineChange::Added => "added",
    };
    html! {
        <>
            <td class="compare-seq">
                if let Some(seq) = seq {
                    <a href={route::line_href(task_id, seq)} title="Open this run on this line">{ seq }</a>
                }
            </td>
            <td class={classes!("compare-line", change)} data-change={change}>
                <span class={classes!("level", format!("level-{}", line.level.as_str().to_ascii_lowercase()))}>{ line.level.as_str() }</span>
                <span class="compare-source">{ line.source.clone() }</span>
                <span class="compare-message">{ line.message.clone() }</span>
            </td>
        </>
    }
}

/// A run as the header shows it.
fn run_summary(label: &str, task: &TaskSummary) -> Html {
    html! {
        <div class="compare-run" data-testid={format!("compare-run-{label}")}>
            <strong>{ label.to_owned() }</strong>
            <span class={classes!("status", format!("status-{}", task.status.as_str()))}>{ task.status.as_str() }</span>
            <span>{ task.plugin_id.clone() }</span>
            <span class="muted">{ format::date_time(task.started_at.unwrap_or(task.created_at)) }</span>
            <span>{ format::duration(task.started_at, task.finished_at) }</span>
            <span class="muted">{ format!("{} entries, {} warnings, {} errors",
                format::grouped(task.counts.total()), task.counts.warning, task.counts.error) }</span>
        </div>
    }
}

/// Scrolls the first differing line into view.
fn show_first_divergence() {
    let line = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector("[data-testid=\"compare-first\"]")
                .ok()
                .flatten()
        });
    if let Some(line) = line {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        line.scroll_into_view_with_scroll_into_view_options(&options);
        if let Ok(line) = line.dyn_into::<web_sys::HtmlElement>() {
            let _ = line.focus();
        }
    }
}

/// The comparison view.
#[function_component(CompareView)]
pub fn compare_view(props: &CompareViewProps) -> Html {
    let normalise = use_state(|| true);
    let comparison = use_state(|| None::<Result<RunComparison, IpcError>>);
    {
        let comparison = comparison.clone();
        use_effect_with(
            (props.a.clone(), props.b.clone(), *normalise),
            move |(a, b, normalise)| {
                comparison.set(None);
                let request = CompareRuns {
                    a: a.clone(),
                    b: b.clone(),
                    normalise: *normalise,
                    context: CONTEXT,
                };
                wasm_bindgen_futures::spawn_local(async move {
                    comparison.set(Some(crate::ipc::invoke(&request).await));
                });
            },
        );
    }
    let on_normalise = {
        let normalise = normalise.clone();
        Callback::from(move |_: Event| normalise.set(!*normalise))
    };
    let toggle = html! {
        <label class="compare-normalise" title="Times, durations, numbers, UUIDs, hex ids and temporary paths compared as placeholders">
            <input type="checkbox" data-testid="compare-normalise" checked={*normalise} onchange={on_normalise} />
            { "Ignore volatile parts" }
        </label>
    };
    let body = match &*comparison {
        None => html! { <p class="muted" role="status">{ "Comparing…" }</p> },
        Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
        Some(Ok(comparison)) => comparison_body(comparison),
    };
    html! {
        <div class="compare-view" data-testid="compare-view">
            <div class="compare-tools">
                { toggle }
                <button type="button" data-testid="compare-jump" onclick={Callback::from(|_| show_first_divergence())}
                    disabled={!matches!(&*comparison, Some(Ok(found)) if found.differs())}>
                    { "First difference" }
                </button>
            </div>
            { body }
        </div>
    }
}

/// The header and the differing stretches of a comparison.
fn comparison_body(comparison: &RunComparison) -> Html {
    let first = comparison
        .first_divergence()
        .map(|line| (line.a_seq, line.b_seq));
    let mut marked = false;
    let summary = if comparison.differs() {
        format!(
            "The logs differ in {} place{}{}.",
            comparison.hunks.len(),
            if comparison.hunks.len() == 1 { "" } else { "s" },
            if comparison.normalised {
                ", volatile parts normalised"
            } else {
                ", compared as written"
            }
        )
    } else if comparison.normalised {
        "The logs match once volatile parts are normalised.".to_owned()
    } else {
        "The logs match, as written.".to_owned()
    };
    html! {
        <>
            <div class="compare-header">
                { run_summary("A", &comparison.a) }
                { run_summary("B", &comparison.b) }
                <p class="compare-summary" data-testid="compare-summary" role="status">{ summary }</p>
            </div>
            <div class="compare-table-wrap">
            <table class="compare-table">
                // A fixed layout takes its widths from the first row, a
                // hunk's header across all four columns: without these the
                // seqs got a quarter of the width each.
                <colgroup>
                    <col class="compare-seq-column" /><col />
                    <col class="compare-seq-column" /><col />
                </colgroup>
                { for comparison.hunks.iter().map(|hunk| {
                    let place = hunk.lines.iter().find_map(|line| (!line.sections.is_empty()).then(|| line.sections.join(" › ")));
                    html! {
                        <tbody class="compare-hunk" data-testid="compare-hunk">
                            <tr class="compare-hunk-head"><td colspan="4">
                                { format!("@@ A {},{} · B {},{} @@", hunk.a_start, hunk.a_lines, hunk.b_start, hunk.b_lines) }
                                if let Some(place) = place {
                                    <span class="muted">{ format!("  in {place}") }</span>
                                }
                            </td></tr>
                            { for rows(hunk).into_iter().map(|row| {
                                let differs = row.left.zip(row.right).is_none_or(|(left, right)| left.change != right.change || left.change != LineChange::Same);
                                let is_first = !marked && differs && first.is_some_and(|(a, b)| {
                                    row.left.is_some_and(|line| line.a_seq == a && a.is_some())
                                        || row.right.is_some_and(|line| line.b_seq == b && b.is_some())
                                });
                                marked |= is_first;
                                html! {
                                    <tr class={classes!("compare-row", is_first.then_some("first"))}
                                        data-testid={if is_first { "compare-first" } else { "compare-row" }}
                                        tabindex={is_first.then_some("-1")}>
                                        { cell(&comparison.a.id, row.left, row.left.and_then(|line| line.a_seq)) }
                                        { cell(&comparison.b.id, row.right, row.right.and_then(|line| line.b_seq)) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    }
                }) }
            </table>
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskdeck_protocol::LogLevel;

    fn line(change: LineChange, message: &str) -> ComparedLine {
        ComparedLine {
            change,
            a_seq: (change != LineChange::Added).then_some(1),
            b_seq: (change != LineChange::Removed).then_some(1),
            level: LogLevel::Info,
            source: "shell".into(),
            message: message.into(),
            sections: Vec::new(),
        }
    }

    #[test]
    fn removed_lines_sit_beside_the_added_lines_that_replaced_them() {
        let hunk = DiffHunk {
            a_start: 1,
            a_lines: 4,
            b_start: 1,
            b_lines: 3,
            lines: vec![
                line(LineChange::Same, "s1"),
                line(LineChange::Removed, "r1"),
                line(LineChange::Removed, "r2"),
                line(LineChange::Added, "a1"),
                line(LineChange::Same, "s2"),
                line(LineChange::Added, "a2"),
            ],
        };
        let shown: Vec<(Option<&str>, Option<&str>)> = rows(&hunk)
            .iter()
            .map(|row| {
                (
                    row.left.map(|line| line.message.as_str()),
                    row.right.map(|line| line.message.as_str()),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (Some("s1"), Some("s1")),
                (Some("r1"), Some("a1")),
                (Some("r2"), None),
                (Some("s2"), Some("s2")),
                (None, Some("a2")),
            ]
        );
    }
}
