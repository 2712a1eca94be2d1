//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use taskdeck_protocol::{ExportFormat, LogLevel, ProblemFilter, TaskSort, TaskStatus};

use crate::time_arg::TimeArg;

/// Taskdeck: run tasks and read their logs from the terminal.
#[derive(Debug, Parser)]
#[command(name = "taskdeck", version, about)]
pub struct Cli {
    /// The data directory holding taskdeck.db (default: TASKDECK_DATA_DIR,
    /// else the OS app-data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the version, data directory, database path and schema version.
    Info {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build the search index of the stored entries now, with progress
    /// (after an upgrade from an older index; searches work meanwhile, by
    /// reading the unindexed entries directly).
    Index,
    /// List the plugins that can run.
    Plugins {
        /// Print one JSON object per plugin and line.
        #[arg(long)]
        json: bool,
    },
    /// Run a task in this process, printing its log as it is written.
    Run(RunArgs),
    /// List tasks, newest first, a page at a time, with counts per status.
    Tasks(TasksArgs),
    /// Search every task's log at once: the tasks with matches, newest
    /// first, each with its count and first matching lines.
    Search(SearchArgs),
    /// Show one task.
    Show {
        /// The task's id.
        task_id: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print a task's log entries.
    Logs(LogsArgs),
    /// Export tasks' logs (all entries, or those the filters match) to
    /// JSON Lines, CSV or text.
    Export(ExportArgs),
    /// Bring the tasks of a JSON Lines export into this data directory as
    /// historical tasks.
    Import {
        /// The .jsonl file `taskdeck export --format jsonl` (or the app)
        /// wrote.
        file: PathBuf,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show counts per level and source, and the first and last times.
    Stats {
        /// The task's id.
        task_id: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List the sections of a task's log: each one's number, title,
    /// duration, entries and status, indented as they nest.
    Sections {
        /// The task's id.
        task_id: String,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Compare two runs' logs line by line, aligned section by section:
    /// a unified diff, with times, durations, numbers, UUIDs, hex ids and
    /// temporary paths normalised first. Exits 0 when they match, 1 when
    /// they differ.
    Diff {
        /// The first run's task id.
        a: String,
        /// The second run's task id.
        b: String,
        /// Compare the lines as written, without normalising.
        #[arg(long)]
        raw: bool,
        /// Lines of context around each difference (at most 1000).
        #[arg(long, default_value_t = 3)]
        context: u32,
        /// Print the comparison as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List the sources of a task's entries.
    Sources {
        /// The task's id.
        task_id: String,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Delete finished tasks and their logs.
    Delete {
        /// The tasks' ids.
        #[arg(required = true)]
        task_ids: Vec<String>,
    },
    /// Delete finished tasks by the retention settings, or by the rules
    /// given here instead.
    Cleanup {
        /// Delete tasks created longer ago than this (`30d`, `12h`, `90m`,
        /// `45s`, `2w`, or combined: `1d 12h`).
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
        /// Keep only the N newest finished tasks.
        #[arg(long, value_name = "N")]
        keep: Option<u32>,
        /// Delete the oldest finished tasks while the database is larger
        /// than this many MiB.
        #[arg(long, value_name = "MIB")]
        max_size: Option<u32>,
        /// Only report what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the settings, or change those given (the app's Settings view
    /// edits the same ones).
    Settings(SettingsArgs),
}

/// `taskdeck settings`: each option given is changed, the rest kept.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Delete tasks older than this many days: a number, or `off`.
    #[arg(long, value_name = "DAYS|off", value_parser = parse_limit)]
    pub keep_days: Option<Limit>,
    /// Keep at most this many finished tasks: a number, or `off`.
    #[arg(long, value_name = "N|off", value_parser = parse_limit)]
    pub max_tasks: Option<Limit>,
    /// Cap the database at this many MiB: a number, or `off`.
    #[arg(long, value_name = "MIB|off", value_parser = parse_limit)]
    pub max_database_mb: Option<Limit>,
    /// Write buffered log entries this often, in milliseconds (read when
    /// the app or a `taskdeck run` starts).
    #[arg(long, value_name = "MS")]
    pub flush_interval_ms: Option<u32>,
    /// Print the settings as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// A retention limit: a number, or switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub Option<u32>);

fn parse_limit(text: &str) -> Result<Limit, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(Limit(None));
    }
    text.parse::<u32>()
        .map(|value| Limit(Some(value)))
        .map_err(|_| format!("expected a whole number or `off`, not {text:?}"))
}

/// `taskdeck run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The plugin to run (see `taskdeck plugins`).
    pub plugin: String,
    /// A parameter; a VALUE that parses as JSON is taken as JSON, anything
    /// else as a string (repeatable; applied after --params-json).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// All parameters as one JSON object.
    #[arg(long, value_name = "JSON")]
    pub params_json: Option<String>,
    /// Print only the task id at the end, no log lines.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Print only the task summary at the end, as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `taskdeck logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The task's id.
    pub task_id: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only entries after this seq.
    #[arg(long = "after", value_name = "SEQ")]
    pub after_seq: Option<u64>,
    /// Only entries before this seq.
    #[arg(long = "before", value_name = "SEQ")]
    pub before_seq: Option<u64>,
    /// At most this many entries (1..=10000; default: all).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Keep printing new entries until the task ends.
    #[arg(long, short)]
    pub follow: bool,
    /// Print JSON Lines, one entry per line.
    #[arg(long)]
    pub json: bool,
}

/// Which entries: the level, source, search, time and section conditions
/// that `logs` and `export` share.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this level (repeatable): debug, info, warning, error.
    #[arg(long = "level", value_name = "L")]
    pub levels: Vec<LogLevel>,
    /// Only this level and more severe ones.
    #[arg(long, value_name = "L")]
    pub min_level: Option<LogLevel>,
    /// Only this source and its dotted children (repeatable).
    #[arg(long = "source", value_name = "S")]
    pub sources: Vec<String>,
    /// Only messages containing this text, as typed (case ignored unless
    /// --case-sensitive; see --regex and --operators).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Read --search as a regular expression (the regex crate's syntax).
    #[arg(long, requires = "search", conflicts_with = "operators")]
    pub regex: bool,
    /// Read --search as terms with AND, OR, NOT, ( ) and "quoted phrases".
    #[arg(long, requires = "search")]
    pub operators: bool,
    /// Tell upper and lower case apart in --search.
    #[arg(long, requires = "search")]
    pub case_sensitive: bool,
    /// Only entries from this moment on: a time of day (10:42:00, on the
    /// day the task started), a local date and time (2026-12-06 10:42), an
    /// RFC 3339 time, or a duration from the task's start (+2m).
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Only entries before this moment (the forms of --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeArg>,
    /// Only the entries of this section, those of the sections inside it
    /// included (its number in `taskdeck sections`).
    #[arg(long, value_name = "N")]
    pub section: Option<u32>,
    /// Also show N entries before and after each entry the other options
    /// select, as `grep -C` does (0 to 50).
    #[arg(short = 'C', long = "context", value_name = "N")]
    pub context: Option<u32>,
    /// Also show N entries after each selected entry (`grep -A`).
    #[arg(short = 'A', long = "after-context", value_name = "N")]
    pub after_context: Option<u32>,
    /// Also show N entries before each selected entry (`grep -B`).
    #[arg(short = 'B', long = "before-context", value_name = "N")]
    pub before_context: Option<u32>,
}

/// `taskdeck export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The tasks' ids (several: one jsonl or csv file holds them all).
    #[arg(required = true, value_name = "TASK_ID")]
    pub task_ids: Vec<String>,
    /// jsonl (lossless, importable), csv, txt, or txt-colour (text with
    /// the colours of programs' output as escape sequences).
    #[arg(long, value_name = "F")]
    pub format: ExportFormat,
    /// The file to write (it appears only when complete), or - for
    /// standard output.
    #[arg(long, short, value_name = "PATH")]
    pub output: PathBuf,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// `taskdeck tasks`: History's filters, order and paging.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Only tasks with this status (repeatable).
    #[arg(long = "status", value_name = "S")]
    pub statuses: Vec<TaskStatus>,
    /// Only tasks of this plugin.
    #[arg(long, value_name = "ID")]
    pub plugin: Option<String>,
    /// Only tasks that started at or after this moment: a local date
    /// (2026-12-01), date and time (2026-12-01 10:42), time of day today,
    /// or an RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Only tasks that started before this moment (the forms of --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeArg>,
    /// Only tasks that started within this long before now (7d, 12h).
    #[arg(long, value_name = "DURATION", conflicts_with = "since")]
    pub within: Option<humantime::Duration>,
    /// Only tasks that logged `warnings` (or errors) or `errors`.
    #[arg(long, value_name = "KIND")]
    pub problems: Option<ProblemFilter>,
    /// Only tasks whose parameters, error or plugin contain this text
    /// (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// The order: newest, oldest, longest or shortest.
    #[arg(long, value_name = "ORDER", default_value = "newest")]
    pub sort: TaskSort,
    /// At most this many tasks (default 200).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// The page after this cursor (printed under a page that has more).
    #[arg(long, value_name = "CURSOR", conflicts_with_all = ["before", "last"])]
    pub after: Option<String>,
    /// The page before this cursor.
    #[arg(long, value_name = "CURSOR", conflicts_with = "last")]
    pub before: Option<String>,
    /// The last page (the oldest tasks, newest first).
    #[arg(long)]
    pub last: bool,
    /// Print one JSON task summary per line.
    #[arg(long)]
    pub json: bool,
}

/// `taskdeck search`: one search over every task's log.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for, as typed (case ignored unless --case-sensitive;
    /// see --regex and --operators).
    pub text: String,
    /// Read the text as a regular expression (the regex crate's syntax).
    #[arg(long, conflicts_with = "operators")]
    pub regex: bool,
    /// Read the text as terms with AND, OR, NOT, ( ) and "quoted phrases".
    #[arg(long)]
    pub operators: bool,
    /// Tell upper and lower case apart.
    #[arg(long)]
    pub case_sensitive: bool,
    /// Only entries of this level (repeatable): debug, info, warning, error.
    #[arg(long = "level", value_name = "L")]
    pub levels: Vec<LogLevel>,
    /// Only entries of this level and more severe ones.
    #[arg(long, value_name = "L")]
    pub min_level: Option<LogLevel>,
    /// Only entries of this source and its dotted children (repeatable).
    #[arg(long = "source", value_name = "S")]
    pub sources: Vec<String>,
    /// Only entries from this moment on: a local date (2026-12-01), date
    /// and time, time of day today, or an RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Only entries before this moment (the forms of --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeArg>,
    /// Only tasks with this status (repeatable).
    #[arg(long = "status", value_name = "S")]
    pub statuses: Vec<TaskStatus>,
    /// Only tasks of this plugin.
    #[arg(long, value_name = "ID")]
    pub plugin: Option<String>,
    /// Also show N entries before and after each match (0 to 50).
    #[arg(short = 'C', long = "context", value_name = "N")]
    pub context: Option<u32>,
    /// Tasks per page (default 20, at most 200).
    #[arg(long, value_name = "N")]
    pub tasks: Option<u32>,
    /// Matching lines shown per task (default 3, at most 50).
    #[arg(long, value_name = "N")]
    pub hits: Option<u32>,
    /// The page after this cursor (printed under a page that has more).
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
    /// Print one JSON object per task with matches and line.
    #[arg(long)]
    pub json: bool,
}
