//! The app's IPC commands, each defined once: its name, its arguments (a
//! struct, so a misspelt or missing one fails to compile in the UI) and
//! its answer. The UI calls them through one generic `invoke`; the app's
//! build step takes its command list from [`NAMES`], and the app's tests
//! check the registered commands, their arguments and the capability
//! file against these definitions.
//!
//! Adding a command: a line in [`commands!`] below, the `#[tauri::command]`
//! in `src-tauri/src/commands/` (registered in `src-tauri/src/ipc`), and
//! its `allow-…` line in `src-tauri/capabilities/default.json`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{
    AppInfo, CleanupOutcome, ExportFormat, ExportReport, ImportReport, LiveLogMessage, LogCount,
    LogFilter, LogPage, LogSection, LogStats, LogTimeline, PluginInfo, RemovalReport,
    RunComparison, RunSearchPage, RunSearchRequest, RunTaskRequest, Settings, SettingsState,
    StorageStatus, TaskListFilter, TaskPage, TaskSummary,
};

/// One IPC command: its arguments are `Self`, serialised as Tauri reads
/// them (camelCase keys).
pub trait Command: Serialize {
    /// The command's name on the wire.
    const NAME: &'static str;
    /// Its arguments' names as the Rust command declares them (snake
    /// case), a channel's included.
    const ARGS: &'static [&'static str];
    /// What it answers.
    type Output: DeserializeOwned;
}

/// A command that streams messages over a channel while it runs.
pub trait ChannelCommand: Command {
    /// The channel argument's name on the wire.
    const CHANNEL: &'static str;
    /// What the channel carries.
    type Message: DeserializeOwned;
}

macro_rules! commands {
    ($(
        $(#[$doc:meta])*
        $name:ident = $wire:literal ($($arg:ident: $ty:ty),*)
            $(channel $channel:ident: $message:ty,)? -> $output:ty;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Serialize, Deserialize)]
            #[serde(rename_all = "camelCase")]
            pub struct $name {
                $(pub $arg: $ty,)*
            }

            impl Command for $name {
                const NAME: &'static str = $wire;
                const ARGS: &'static [&'static str] =
                    &[$(stringify!($arg),)* $(stringify!($channel))?];
                type Output = $output;
            }

            $(
                impl ChannelCommand for $name {
                    const CHANNEL: &'static str = stringify!($channel);
                    type Message = $message;
                }
            )?
        )*

        /// Every command's name, in the order above.
        pub const NAMES: &[&str] = &[$($wire),*];

        /// Every command's name and arguments (snake case, a channel's
        /// included), in the order above.
        pub const SIGNATURES: &[(&str, &[&str])] = &[$(($wire, <$name as Command>::ARGS)),*];
    };
}

commands! {
    /// The app version, data directory, database path and schema version.
    GetAppInfo = "app_info" () -> AppInfo;
    /// After a start-up that found the database damaged: moves it aside and
    /// starts on a new one; answers where the damaged file went.
    StartFresh = "start_fresh" () -> String;
    /// Whether log entries can be written now, and how many wait in memory.
    GetStorageStatus = "storage_status" () -> StorageStatus;
    /// Opens a web or mail link from a log line in the system's browser.
    OpenLink = "open_link" (url: String) -> ();
    /// The plugins that can run, with their parameter schemas.
    ListPlugins = "list_plugins" () -> Vec<PluginInfo>;
    /// Starts a task; the core validates the parameters again.
    RunTask = "run_task" (request: RunTaskRequest) -> TaskSummary;
    /// Asks a running task to stop.
    CancelTask = "cancel_task" (task_id: String) -> ();
    /// One page of the tasks the filter matches, with counts per status.
    ListTasks = "list_tasks" (filter: TaskListFilter) -> TaskPage;
    /// One task.
    GetTask = "get_task" (task_id: String) -> TaskSummary;
    /// One page of the tasks whose logs match a search, newest first.
    SearchRuns = "search_runs" (request: RunSearchRequest) -> RunSearchPage;
    /// Two runs' logs compared line by line, volatile parts normalised
    /// or not, with `context` lines around each difference.
    CompareRuns = "compare_runs" (a: String, b: String, normalise: bool, context: u32) -> RunComparison;
    /// Deletes finished tasks with their logs (running ones are refused).
    DeleteTasks = "delete_tasks" (task_ids: Vec<String>) -> RemovalReport;
    /// One page of a task's entries matching the filter.
    GetTaskLogs = "get_task_logs" (task_id: String, filter: LogFilter) -> LogPage;
    /// How many entries match the filter (a search counts up to 100,000).
    CountTaskLogs = "count_task_logs" (task_id: String, filter: LogFilter) -> LogCount;
    /// Counts per level and source, and the first and last times.
    GetTaskLogStats = "get_task_log_stats" (task_id: String) -> LogStats;
    /// The task's entries per level in about `buckets` equal stretches of
    /// its run (at most 1,000).
    GetTaskLogTimeline = "get_task_log_timeline" (task_id: String, buckets: u32) -> LogTimeline;
    /// The sections of a task's log, in the order they opened.
    GetTaskLogSections = "get_task_log_sections" (task_id: String) -> Vec<LogSection>;
    /// The sources of a task's entries, in name order.
    GetTaskLogSources = "get_task_log_sources" (task_id: String) -> Vec<String>;
    /// Follows a task's log after `after_seq`; answers the subscription id.
    SubscribeTaskLogs = "subscribe_task_logs"
        (task_id: String, filter: LogFilter, after_seq: Option<u64>)
        channel channel: LiveLogMessage, -> u64;
    /// Ends a live subscription; `false` if it had already ended.
    UnsubscribeTaskLogs = "unsubscribe_task_logs" (subscription_id: u64) -> bool;
    /// Exports the tasks' entries matching the filter to `path`; the
    /// channel carries the entries written so far.
    ExportTaskLogs = "export_task_logs"
        (task_ids: Vec<String>, filter: LogFilter, format: ExportFormat, path: String)
        channel progress: u64, -> ExportReport;
    /// Brings the tasks of the JSON Lines export at `path` into the store.
    ImportTaskLogs = "import_task_logs" (path: String) -> ImportReport;
    /// The saved settings and the database's size.
    GetSettings = "get_settings" () -> SettingsState;
    /// Saves the settings (the core checks them again).
    SaveSettings = "save_settings" (settings: Settings) -> SettingsState;
    /// Applies the retention settings now, or with `dry_run` lists what
    /// they would remove.
    RunCleanup = "run_cleanup" (dry_run: bool) -> RemovalReport;
    /// History's remembered filters (empty: none).
    GetHistoryFilter = "get_history_filter" () -> String;
    /// Remembers History's filters, in the data directory.
    SaveHistoryFilter = "save_history_filter" (filter: String) -> ();
    /// What the last automatic cleanup that did something reported.
    LastCleanup = "last_cleanup" () -> Option<CleanupOutcome>;
}

/// `snake_case` as Tauri expects the key on the wire (`camelCase`).
pub fn wire_key(snake: &str) -> String {
    let mut key = String::with_capacity(snake.len());
    let mut upper = false;
    for character in snake.chars() {
        if character == '_' {
            upper = true;
        } else if upper {
            key.extend(character.to_uppercase());
            upper = false;
        } else {
            key.push(character);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_arguments_serialise_as_declared() {
        let mut seen = std::collections::BTreeSet::new();
        for name in NAMES {
            assert!(seen.insert(name), "{name} is defined twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} is not snake case"
            );
        }
        let args = serde_json::to_value(GetTaskLogs {
            task_id: "t".into(),
            filter: LogFilter::default(),
        })
        .unwrap();
        let keys: Vec<&String> = args.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["filter", "taskId"]);
        assert_eq!(GetTaskLogs::ARGS, ["task_id", "filter"]);
        assert_eq!(
            SubscribeTaskLogs::ARGS,
            ["task_id", "filter", "after_seq", "channel"]
        );
        assert_eq!(ExportTaskLogs::CHANNEL, "progress");
        assert_eq!(wire_key("after_seq"), "afterSeq");
        assert_eq!(wire_key("url"), "url");
    }
}
