//! What the panel shows about its task beside the rows: status, start,
//! plugin, sources and counts per level (loaded on open and when the task
//! ends, then kept current from the core's task updates), and how many
//! entries match the filter.

use std::cell::RefCell;
use std::rc::Rc;

use taskdeck_protocol::commands::{CountTaskLogs, GetTask, GetTaskLogSources, GetTaskLogStats};
use taskdeck_protocol::{LevelCounts, LogCount, LogFilter, TaskStatus, TaskSummary};
use yew::prelude::*;

use crate::ipc;

/// The task as the panel knows it.
#[derive(Clone, PartialEq)]
pub struct TaskInfo {
    /// Its status as stored or last pushed.
    pub status: Option<TaskStatus>,
    /// When it started (or was created, before it started).
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The plugin it runs.
    pub plugin_id: Option<String>,
    /// The sources of its entries (shared: the info is read every render).
    pub sources: Rc<Vec<String>>,
    /// Its entries per level.
    pub counts: Option<LevelCounts>,
}

/// The task's status, sources and counts: on open and when the task ends
/// (`ended`); counts and status also as the core pushes them while the
/// task runs.
#[hook]
pub fn use_task_info(task_id: String, ended: Option<TaskStatus>) -> TaskInfo {
    let sources = use_state(|| Rc::new(Vec::<String>::new()));
    let counts = use_state(|| None::<LevelCounts>);
    let status = use_state(|| None::<TaskStatus>);
    let started_at = use_state(|| None::<chrono::DateTime<chrono::Utc>>);
    let plugin_id = use_state(|| None::<String>);
    {
        let (sources, counts, status) = (sources.clone(), counts.clone(), status.clone());
        let (started_at, plugin_id) = (started_at.clone(), plugin_id.clone());
        use_effect_with((task_id.clone(), ended), move |(task_id, _)| {
            let task_id = task_id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let task = GetTask {
                    task_id: task_id.clone(),
                };
                if let Ok(task) = ipc::invoke(&task).await {
                    status.set(Some(task.status));
                    started_at.set(task.started_at.or(Some(task.created_at)));
                    plugin_id.set(Some(task.plugin_id));
                }
                let wanted = GetTaskLogSources {
                    task_id: task_id.clone(),
                };
                if let Ok(found) = ipc::invoke(&wanted).await {
                    sources.set(Rc::new(found));
                }
                if let Ok(found) = ipc::invoke(&GetTaskLogStats { task_id }).await {
                    counts.set(Some(found.counts));
                }
            });
        });
    }
    {
        let (counts, status) = (counts.clone(), status.clone());
        use_effect_with(task_id, move |task_id| {
            let task_id = task_id.clone();
            let listener = ipc::listen_task_updates(Callback::from(move |summary: TaskSummary| {
                if summary.id == task_id {
                    counts.set(Some(summary.counts));
                    status.set(Some(summary.status));
                }
            }))
            .ok();
            move || drop(listener)
        });
    }
    TaskInfo {
        status: *status,
        started_at: *started_at,
        plugin_id: (*plugin_id).clone(),
        sources: Rc::clone(&sources),
        counts: *counts,
    }
}

/// How many entries match `filter`: on every filter change, and again as
/// a running task's count (`total`) moves. `None` without a filter.
#[hook]
pub fn use_match_count(task_id: String, filter: LogFilter, total: Option<u64>) -> Option<LogCount> {
    let matches = use_state(|| None::<LogCount>);
    {
        let matches = matches.clone();
        use_effect_with((task_id, filter, total), move |(task_id, filter, _)| {
            let current = Rc::new(RefCell::new(true));
            // Folding hides lines but selects none: nothing to count.
            let selects = LogFilter {
                folding: None,
                ..filter.clone()
            } != LogFilter::default();
            if !selects {
                matches.set(None);
            } else {
                let args = CountTaskLogs {
                    task_id: task_id.clone(),
                    filter: filter.clone(),
                };
                let still_current = current.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // A bad search is reported by the rows' query.
                    let counted = ipc::invoke(&args).await.ok();
                    if *still_current.borrow() {
                        matches.set(counted);
                    }
                });
            }
            move || *current.borrow_mut() = false
        });
    }
    *matches
}
