//! "Export…": on the log panel, one task, all entries or the current
//! filter (with how many each means); on History, the selected tasks into
//! one JSON Lines or CSV file. Choose a format, pick a file in the native
//! save dialog, watch the progress, and read what was written where.

use chrono::{DateTime, Utc};
use taskdeck_protocol::commands::ExportTaskLogs;
use taskdeck_protocol::{ExportFormat, IpcError, LogFilter};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::ipc;

/// Properties of [`ExportControl`].
#[derive(Properties, PartialEq)]
pub struct ExportControlProps {
    /// The tasks exported (text takes only one).
    pub task_ids: Vec<String>,
    /// The prefix of the control's test ids (`export`, `history-export`).
    #[prop_or(AttrValue::Static("export"))]
    pub name: AttrValue,
    /// The plugin of a single task, for the proposed file name.
    #[prop_or_default]
    pub plugin_id: Option<String>,
    /// When a single task started, for the proposed file name.
    #[prop_or_default]
    pub started_at: Option<DateTime<Utc>>,
    /// The panel's current filter (none on History).
    #[prop_or_default]
    pub filter: LogFilter,
    /// How many entries the task has.
    #[prop_or_default]
    pub total: Option<u64>,
    /// How many the filter matches (`None`: no filter, or not counted yet).
    #[prop_or_default]
    pub matching: Option<u64>,
}

/// Where an export stands.
#[derive(Clone, PartialEq)]
enum Progress {
    Idle,
    Running { written: u64, of: Option<u64> },
    Done { path: String, entries: u64 },
    Failed(IpcError),
}

fn label(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::JsonLines => "JSON Lines (lossless, importable)",
        ExportFormat::Csv => "CSV",
        ExportFormat::Text => "Text",
        ExportFormat::TextWithColours => "Text with colours (ANSI)",
    }
}

/// `1 entry`, `3 entries`.
fn entries_text(count: u64) -> String {
    if count == 1 {
        "1 entry".to_owned()
    } else {
        format!("{count} entries")
    }
}

/// The proposed file name: plugin and task start time (UTC) for one task,
/// how many tasks for several; the format's extension.
fn file_name(
    tasks: usize,
    plugin_id: Option<&str>,
    started_at: Option<DateTime<Utc>>,
    format: ExportFormat,
) -> String {
    if tasks > 1 {
        return format!("taskdeck-{tasks}-tasks.{}", format.extension());
    }
    let stamp = started_at.map_or_else(String::new, |time| {
        format!("-{}", time.format("%Y%m%d-%H%M%S"))
    });
    format!(
        "{}{stamp}.{}",
        plugin_id.unwrap_or("task"),
        format.extension()
    )
}

/// The export control.
#[function_component(ExportControl)]
pub fn export_control(props: &ExportControlProps) -> Html {
    let open = use_state(|| false);
    let format = use_state(|| ExportFormat::JsonLines);
    let several = props.task_ids.len() > 1;
    // A text line does not name its task: several tasks take jsonl or csv.
    let formats: Vec<ExportFormat> = ExportFormat::ALL
        .into_iter()
        .filter(|format| !several || !format.is_text())
        .collect();
    let format_now = if formats.contains(&format) {
        *format
    } else {
        ExportFormat::JsonLines
    };
    let filtered = props.filter != LogFilter::default();
    let only_matching = use_state(|| true);
    let progress = use_state(|| Progress::Idle);
    let use_filter = filtered && *only_matching;

    let on_toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_format = {
        let format = format.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(chosen) = ExportFormat::ALL
                .into_iter()
                .find(|format| format.as_str() == value)
            {
                format.set(chosen);
            }
        })
    };
    let on_scope = |matching: bool| {
        let only_matching = only_matching.clone();
        Callback::from(move |_: Event| only_matching.set(matching))
    };
    let on_run = {
        let progress = progress.clone();
        let task_ids = props.task_ids.clone();
        let filter = if use_filter {
            props.filter.clone()
        } else {
            LogFilter::default()
        };
        let of = if use_filter {
            props.matching
        } else {
            props.total
        };
        let name = file_name(
            task_ids.len(),
            props.plugin_id.as_deref(),
            props.started_at,
            format_now,
        );
        let format = format_now;
        Callback::from(move |_: MouseEvent| {
            let progress = progress.clone();
            let task_ids = task_ids.clone();
            let filter = filter.clone();
            let name = name.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let chosen =
                    ipc::save_path("Export the log", &name, label(format), format.extension())
                        .await;
                let path = match chosen {
                    Ok(Some(path)) => path,
                    Ok(None) => return,
                    Err(error) => return progress.set(Progress::Failed(error)),
                };
                progress.set(Progress::Running { written: 0, of });
                let on_progress = {
                    let progress = progress.clone();
                    Callback::from(move |written| progress.set(Progress::Running { written, of }))
                };
                let done = ipc::export_task_logs(
                    &ExportTaskLogs {
                        task_ids,
                        filter,
                        format,
                        path: path.clone(),
                    },
                    on_progress,
                )
                .await;
                progress.set(match done {
                    Ok(report) => Progress::Done {
                        path: report.path.unwrap_or(path),
                        entries: report.entries,
                    },
                    Err(error) => Progress::Failed(error),
                });
            });
        })
    };
    let count =
        |value: Option<u64>| value.map_or_else(|| "…".to_owned(), |value| value.to_string());
    let running = matches!(*progress, Progress::Running { .. });
    let id = |part: &str| format!("{}-{part}", props.name);
    let reveal_failure = use_state(|| None::<String>);
    let on_reveal = |path: String| {
        let reveal_failure = reveal_failure.clone();
        Callback::from(move |_: MouseEvent| {
            let reveal_failure = reveal_failure.clone();
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                reveal_failure.set(
                    ipc::show_in_folder(&path)
                        .await
                        .err()
                        .map(|error| format!("Cannot show the file: {}", error.message)),
                );
            });
        })
    };
    let opener = if several {
        format!("Export {} tasks…", props.task_ids.len())
    } else {
        "Export…".to_owned()
    };
    html! {
        <div class="export-control">
            <button type="button" data-testid={id("open")} aria-expanded={open.to_string()}
                disabled={props.task_ids.is_empty()} title="Save the log to a file" onclick={on_toggle}>
                { opener }
            </button>
            if *open {
                <div class="export-panel" data-testid={id("panel")} role="group" aria-label="Export the log">
                    <label>
                        { "Format " }
                        <select data-testid={id("format")} onchange={on_format}>
                            { for formats.iter().map(|choice| html! {
                                <option value={choice.as_str()} selected={*choice == format_now}>{ label(*choice) }</option>
                            }) }
                        </select>
                    </label>
                    <label>
                        <input type="radio" name={id("scope")} data-testid={id("scope-all")}
                            checked={!use_filter} onchange={on_scope(false)} />
                        { format!("All entries ({})", count(props.total)) }
                    </label>
                    if !several {
                        <label class={classes!((!filtered).then_some("muted"))}>
                            <input type="radio" name={id("scope")} data-testid={id("scope-filter")}
                                disabled={!filtered} checked={use_filter} onchange={on_scope(true)} />
                            { if filtered {
                                format!("Current filter ({})", count(props.matching))
                            } else {
                                "Current filter (no filter set)".to_owned()
                            } }
                        </label>
                    }
                    <button type="button" class="primary" data-testid={id("run")} disabled={running} onclick={on_run}>
                        { "Save as…" }
                    </button>
                    <p class="export-status" data-testid={id("status")} role="status">
                        { match &*progress {
                            Progress::Idle => String::new(),
                            Progress::Running { written, of } => format!("Exporting… {written} of {} entries", count(*of)),
                            Progress::Done { path, entries } => format!("Exported {} to {path}", entries_text(*entries)),
                            Progress::Failed(error) => format!("Export failed: {}", error.message),
                        } }
                    </p>
                    if let Progress::Done { path, .. } = &*progress {
                        <button type="button" data-testid={id("reveal")} onclick={on_reveal(path.clone())}>
                            { "Show in folder" }
                        </button>
                    }
                    if let Some(message) = (*reveal_failure).clone() {
                        <p class="param-error" role="alert">{ message }</p>
                    }
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_proposed_name_says_plugin_start_and_format() {
        let start = Utc.with_ymd_and_hms(2026, 12, 2, 9, 5, 7).unwrap();
        assert_eq!(
            file_name(1, Some("backup"), Some(start), ExportFormat::Csv),
            "backup-20261202-090507.csv"
        );
        assert_eq!(
            file_name(1, None, None, ExportFormat::JsonLines),
            "task.jsonl"
        );
        assert_eq!(
            file_name(3, None, None, ExportFormat::Csv),
            "taskdeck-3-tasks.csv"
        );
        assert_eq!(entries_text(1), "1 entry");
        assert_eq!(entries_text(0), "0 entries");
    }
}
