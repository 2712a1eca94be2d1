//! `plugins`, `tasks`, `show`, `delete` and `cleanup`.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use taskdeck_core::{RetentionPolicy, SettingsRepository, TaskCleanupService, TaskManager};
use taskdeck_protocol::{RemovalReport, TaskListFilter, TaskPageAt, human_size};

use crate::args::TasksArgs;
use crate::error::CliError;
use crate::output::{self, Printer};
use crate::time_arg::TimeArg;

pub fn plugins(manager: &TaskManager, json: bool, printer: &mut Printer) -> Result<(), CliError> {
    for plugin in manager.plugins() {
        if json {
            printer.json(&plugin)?;
            continue;
        }
        printer.line(&format!(
            "{:<10} {}: {}",
            plugin.id, plugin.name, plugin.description
        ))?;
        for field in &plugin.params.fields {
            let required = if field.required {
                "required"
            } else {
                "optional"
            };
            printer.line(&format!(
                "    --param {}=…  ({}, {required}) {}",
                field.name,
                field.kind.describe(),
                field.description
            ))?;
        }
    }
    Ok(())
}

pub async fn list(
    manager: &TaskManager,
    args: TasksArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let moment = |option: &str, value: Option<TimeArg>| {
        value
            .map(|value| value.resolve_across_tasks(option))
            .transpose()
            .map_err(CliError::Input)
    };
    let since = match args.within {
        Some(within) => Some(
            TimeDelta::from_std(*within)
                .ok()
                .and_then(|within| Utc::now().checked_sub_signed(within))
                .ok_or_else(|| {
                    CliError::Input(format!("--within {within} reaches too far back"))
                })?,
        ),
        None => moment("--since", args.since)?,
    };
    let page = if args.last {
        TaskPageAt::Last
    } else if let Some(cursor) = args.after {
        TaskPageAt::After(cursor)
    } else if let Some(cursor) = args.before {
        TaskPageAt::Before(cursor)
    } else {
        TaskPageAt::First
    };
    let filter = TaskListFilter {
        statuses: args.statuses,
        plugin_id: args.plugin,
        since,
        until: moment("--until", args.until)?,
        problems: args.problems,
        text: args.text,
        sort: args.sort,
        page,
        limit: args.limit,
    };
    let listed = manager.list_tasks(&filter).await?;
    for task in &listed.tasks {
        printer.json_or_text(args.json, task, output::task_row)?;
    }
    // What the page is part of goes to stderr, so that stdout stays one
    // task per line for scripts.
    eprintln!("{}", output::page_summary(&listed, &filter.statuses));
    Ok(())
}

pub async fn show(
    manager: &TaskManager,
    task_id: &str,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let task = manager.get_task(task_id).await?;
    Ok(printer.json_or_text(json, &task, output::task_details)?)
}

pub async fn delete(
    manager: &TaskManager,
    task_ids: &[String],
    printer: &mut Printer,
) -> Result<(), CliError> {
    let report = manager.delete_tasks(task_ids).await?;
    print_report(&report, printer)
}

/// The rules given on the command line; none means the saved settings.
pub struct CleanupRules<'a> {
    pub older_than: Option<&'a str>,
    pub keep: Option<u32>,
    pub max_size_mb: Option<u32>,
}

pub async fn cleanup(
    manager: &TaskManager,
    rules: CleanupRules<'_>,
    dry_run: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let policy = RetentionPolicy {
        older_than: rules.older_than.map(parse_duration).transpose()?,
        keep_latest: rules.keep,
        max_database_bytes: rules.max_size_mb.map(|mb| u64::from(mb) << 20),
    };
    let service = TaskCleanupService::new(manager.store());
    let report = if policy.is_empty() {
        let settings = SettingsRepository::new(manager.store()).load().await?;
        printer.line(&format!(
            "retention settings: {}",
            RetentionPolicy::from(settings.retention).describe()
        ))?;
        service.apply(settings.retention, dry_run).await?
    } else {
        printer.line(&format!("rules: {}", policy.describe()))?;
        service.cleanup(policy, dry_run).await?
    };
    print_report(&report, printer)
}

fn print_report(report: &RemovalReport, printer: &mut Printer) -> Result<(), CliError> {
    let verb = if report.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for task in &report.tasks {
        printer.line(&format!(
            "{verb} {} ({}, {}, {} entries): {}",
            task.id,
            task.plugin_id,
            task.status,
            task.entries,
            task.reason.describe()
        ))?;
    }
    printer.line(&format!(
        "{verb} {} task(s) and {} log entries",
        report.tasks.len(),
        report.entries
    ))?;
    if report.bytes_freed > 0 {
        printer.line(&format!(
            "gave back {} to the file system",
            human_size(report.bytes_freed)
        ))?;
    }
    if let Some(log) = &report.log_task_id {
        printer.line(&format!("recorded in the app log as task {log}"))?;
    }
    Ok(())
}

/// `30d`, `12h`, `90m`, `45s`, `2w`, or several together (`1d 12h`), as
/// `humantime` reads them.
pub fn parse_duration(text: &str) -> Result<Duration, CliError> {
    humantime::parse_duration(text.trim()).map_err(|error| {
        CliError::Input(format!(
            "invalid duration {text:?} ({error}): expected a number and a unit, like 30d, 12h, 90m, 45s or 2w"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_bad_ones_say_why() {
        assert_eq!(parse_duration("45s").unwrap(), Duration::from_secs(45));
        assert_eq!(
            parse_duration("30d").unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(2 * 604_800)
        );
        assert_eq!(
            parse_duration("1d 12h").unwrap(),
            Duration::from_secs(36 * 3600)
        );
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        for bad in ["", "10", "d", "5x", "-3d", "30 days ago"] {
            let error = parse_duration(bad).unwrap_err().to_string();
            assert!(error.contains("invalid duration"), "{bad}: {error}");
        }
    }
}
