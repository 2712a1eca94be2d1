//! `plugins`, `tasks`, `show`, `delete` and `cleanup`.

use std::time::Duration;

use taskdeck_core::{RetentionPolicy, SettingsRepository, TaskCleanupService, TaskManager};
use taskdeck_protocol::{RemovalReport, TaskListFilter, TaskStatus, human_size};

use crate::error::CliError;
use crate::output::{self, Printer};

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
    statuses: &[TaskStatus],
    limit: Option<u32>,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let filter = TaskListFilter {
        statuses: statuses.to_vec(),
        plugin_id: None,
        limit,
    };
    for task in manager.list_tasks(&filter).await? {
        printer.json_or_text(json, &task, output::task_row)?;
    }
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
