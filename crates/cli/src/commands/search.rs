//! `search`: one search over every task's log, printed a task at a time,
//! newest first — the task's line, then its first matches (context lines
//! marked as `logs -C` marks them).

use taskdeck_core::TaskManager;
use taskdeck_protocol::log::MAX_CONTEXT;
use taskdeck_protocol::{LogFilter, RunSearchRequest};

use crate::args::SearchArgs;
use crate::error::CliError;
use crate::output::{self, Printer};

pub async fn search(
    manager: &TaskManager,
    args: SearchArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    if let Some(lines) = args.context.filter(|lines| *lines > MAX_CONTEXT) {
        return Err(CliError::Input(format!(
            "-C/--context takes 0 to {MAX_CONTEXT} lines, not {lines}"
        )));
    }
    let moment = |option: &str, value: Option<crate::time_arg::TimeArg>| {
        value
            .map(|value| value.resolve_across_tasks(option))
            .transpose()
            .map_err(CliError::Input)
    };
    let request = RunSearchRequest {
        filter: LogFilter {
            levels: args.levels,
            min_level: args.min_level,
            sources: args.sources,
            search: Some(args.text),
            search_mode: super::logs::search_mode(args.regex, args.operators),
            case_sensitive: args.case_sensitive,
            since: moment("--since", args.since)?,
            until: moment("--until", args.until)?,
            context_before: args.context.unwrap_or(0),
            context_after: args.context.unwrap_or(0),
            ..LogFilter::default()
        },
        statuses: args.statuses,
        plugin_id: args.plugin,
        after: args.after,
        tasks: args.tasks,
        hits: args.hits,
    };
    let page = manager.search_runs(&request).await?;
    for group in &page.groups {
        if args.json {
            printer.json(group)?;
            continue;
        }
        printer.line(&format!(
            "{}  {}",
            output::task_row(&group.task),
            output::match_count(group.count)
        ))?;
        for hit in &group.hits {
            printer.entry(hit, true)?;
        }
    }
    // What the page is part of goes to stderr, so that stdout stays the
    // results alone.
    match &page.next {
        Some(cursor) => eprintln!(
            "{} task(s) with matches on this page; older ones: --after {cursor}",
            page.groups.len()
        ),
        None if page.groups.is_empty() => eprintln!("no task's log matches"),
        None => eprintln!("{} task(s) with matches", page.groups.len()),
    }
    Ok(())
}
