//! `logs` (with `--follow`), `stats` and `sources`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use taskdeck_core::TaskManager;
use taskdeck_protocol::log::{MAX_CONTEXT, MAX_PAGE_LIMIT};
use taskdeck_protocol::{LogEntry, LogFilter, SearchMode};

use super::follow::{Shown, follow};
use crate::args::{FilterArgs, LogsArgs};
use crate::error::CliError;
use crate::output::{self, Printer};
use crate::time_arg::TimeArg;

pub async fn logs(
    manager: &TaskManager,
    args: LogsArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    if args.follow && args.before_seq.is_some() {
        return Err(CliError::Input(
            "--follow prints new entries as they come, so it cannot be combined with --before"
                .to_owned(),
        ));
    }
    let start = task_start_if_needed(manager, &args.filter, &args.task_id).await?;
    let conditions = conditions(&args.filter, start)?;
    let mut filter = LogFilter {
        after_seq: args.after_seq,
        before_seq: args.before_seq,
        limit: args.limit,
        ..conditions.clone()
    };
    // Validate as given (a bad --limit is reported as such), then page.
    filter.validate().map_err(taskdeck_core::CoreError::from)?;
    // Unknown tasks are reported even when the filter matches nothing.
    manager.get_task(&args.task_id).await?;
    let mut shown = ShownSoFar {
        json: args.json,
        // With context, stretches that do not touch are parted by `--`,
        // as grep does.
        parted: filter.wants_context() && !args.json,
        last: None,
        remaining: args.limit.map(u64::from),
    };
    // What is stored, a page at a time.
    loop {
        if shown.remaining == Some(0) {
            return Ok(());
        }
        filter.limit = Some(shown.remaining.map_or(MAX_PAGE_LIMIT, |left| {
            u32::try_from(left.min(u64::from(MAX_PAGE_LIMIT))).unwrap_or(MAX_PAGE_LIMIT)
        }));
        let page = manager.query_logs(&args.task_id, &filter).await?;
        for entry in &page.entries {
            shown.show(printer, entry)?;
        }
        match (page.next_cursor, page.entries.last()) {
            (Some(_), Some(last)) => filter.after_seq = Some(last.seq),
            _ => break,
        }
    }
    if !args.follow {
        return Ok(());
    }
    // Then what comes, as the app's panel follows it.
    printer.flush()?;
    let after = shown.last.or(args.after_seq).unwrap_or(0);
    follow(manager, &args.task_id, &conditions, after, |entries| {
        for entry in entries {
            if shown.remaining == Some(0) {
                return Ok(Shown::Enough);
            }
            shown.show(printer, entry)?;
        }
        printer.flush()?;
        Ok(if shown.remaining == Some(0) {
            Shown::Enough
        } else {
            Shown::More
        })
    })
    .await?;
    Ok(())
}

/// What `logs` has printed: where the last entry was (for the `--`
/// between stretches with context) and how many `--limit` still allows.
struct ShownSoFar {
    json: bool,
    parted: bool,
    last: Option<u64>,
    remaining: Option<u64>,
}

impl ShownSoFar {
    fn show(&mut self, printer: &mut Printer, entry: &LogEntry) -> Result<(), CliError> {
        if self.json {
            printer.json(entry)?;
        } else {
            if self.parted && self.last.is_some_and(|last| entry.seq > last + 1) {
                printer.line("--")?;
            }
            printer.entry(entry, self.parted)?;
        }
        self.last = Some(entry.seq);
        if let Some(left) = self.remaining.as_mut() {
            *left = left.saturating_sub(1);
        }
        Ok(())
    }
}

/// When `task_id` started (else was created), if `--since` or `--until`
/// is relative to it.
pub async fn task_start_if_needed(
    manager: &TaskManager,
    args: &FilterArgs,
    task_id: &str,
) -> Result<Option<DateTime<Utc>>, CliError> {
    let relative = [args.since, args.until]
        .iter()
        .flatten()
        .any(TimeArg::is_relative);
    if !relative {
        return Ok(None);
    }
    let task = manager.get_task(task_id).await?;
    Ok(Some(task.started_at.unwrap_or(task.created_at)))
}

/// The level, source, search and time conditions of the command line; a
/// relative `--since`/`--until` is taken from `task_start` (see
/// [`task_start_if_needed`]).
pub fn conditions(
    args: &FilterArgs,
    task_start: Option<DateTime<Utc>>,
) -> Result<LogFilter, CliError> {
    let moment = |option: &str, value: Option<TimeArg>| -> Result<_, CliError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let start = match task_start {
            Some(start) => start,
            None if value.is_relative() => {
                return Err(CliError::Input(format!(
                    "{option} is a time relative to a task's start, and there are several \
                     tasks: give a date and time (2026-12-06 10:42) instead"
                )));
            }
            None => DateTime::<Utc>::MIN_UTC,
        };
        value
            .resolve(start)
            .map(Some)
            .map_err(|reason| CliError::Input(format!("{option}: {reason}")))
    };
    let since = moment("--since", args.since)?;
    let until = moment("--until", args.until)?;
    for (option, lines) in [
        ("-C/--context", args.context),
        ("-A/--after-context", args.after_context),
        ("-B/--before-context", args.before_context),
    ] {
        if let Some(lines) = lines.filter(|lines| *lines > MAX_CONTEXT) {
            return Err(CliError::Input(format!(
                "{option} takes 0 to {MAX_CONTEXT} lines, not {lines}"
            )));
        }
    }
    Ok(LogFilter {
        levels: args.levels.clone(),
        min_level: args.min_level,
        sources: args.sources.clone(),
        search: args.search.clone(),
        search_mode: search_mode(args.regex, args.operators),
        case_sensitive: args.case_sensitive,
        context_before: args.before_context.or(args.context).unwrap_or(0),
        context_after: args.after_context.or(args.context).unwrap_or(0),
        since,
        until,
        section: args.section,
        ..LogFilter::default()
    })
}

/// How `--regex` and `--operators` say a search is read.
pub fn search_mode(regex: bool, operators: bool) -> SearchMode {
    if regex {
        SearchMode::Regex
    } else if operators {
        SearchMode::Operators
    } else {
        SearchMode::Text
    }
}

/// Waits for this process's indexer to index every stored entry, printing
/// progress on standard error twice a second.
pub async fn index(manager: &TaskManager, printer: &mut Printer) -> Result<(), CliError> {
    let total = manager.entries_waiting_for_index().await?;
    let started = std::time::Instant::now();
    let mut waiting = total;
    while waiting > 0 {
        // Another process may write meanwhile: the goal grows with it.
        let goal = total.max(waiting);
        eprintln!(
            "indexing for search: {} of {goal} entries done ({}%)",
            goal - waiting,
            (goal - waiting) * 100 / goal
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        waiting = manager.entries_waiting_for_index().await?;
    }
    Ok(printer.line(&format!(
        "search index complete: {total} entries indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    ))?)
}

pub async fn stats(
    manager: &TaskManager,
    task_id: &str,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let stats = manager.log_stats(task_id).await?;
    Ok(printer.json_or_text(json, &stats, output::stats_text)?)
}

pub async fn sections(
    manager: &TaskManager,
    task_id: &str,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let sections = manager.log_sections(task_id).await?;
    Ok(printer.json_or_text(json, &sections, |sections| output::sections_text(sections))?)
}

pub async fn sources(
    manager: &TaskManager,
    task_id: &str,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let sources = manager.log_sources(task_id).await?;
    Ok(printer.json_or_text(json, &sources, |sources| sources.join("\n"))?)
}
