//! `settings`: show the saved settings, or change some of them.

use taskdeck_core::{SettingsRepository, Store};
use taskdeck_protocol::Settings;

use crate::args::SettingsArgs;
use crate::error::CliError;
use crate::output::Printer;

pub async fn settings(
    store: &Store,
    args: SettingsArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let repository = SettingsRepository::new(store);
    let mut settings = repository.load().await?;
    let changes = [args.keep_days, args.max_tasks, args.max_database_mb];
    if changes.iter().any(Option::is_some) || args.flush_interval_ms.is_some() {
        let retention = &mut settings.retention;
        if let Some(limit) = args.keep_days {
            retention.keep_days = limit.0;
        }
        if let Some(limit) = args.max_tasks {
            retention.max_tasks = limit.0;
        }
        if let Some(limit) = args.max_database_mb {
            retention.max_database_mb = limit.0;
        }
        if let Some(millis) = args.flush_interval_ms {
            settings.flush_interval_ms = millis;
        }
        settings = repository.save(&settings).await?;
    }
    Ok(printer.json_or_text(args.json, &settings, describe)?)
}

fn describe(settings: &Settings) -> String {
    let defaults = Settings::default();
    let limit = |value: Option<u32>, default: Option<u32>, unit: &str| {
        let shown = value.map_or_else(|| "off".to_owned(), |value| format!("{value} {unit}"));
        let default = default.map_or_else(|| "off".to_owned(), |value| format!("{value} {unit}"));
        format!("{shown:<14} (default {default})")
    };
    let retention = settings.retention;
    format!(
        "keep days:       {}\nmax tasks:       {}\nmax database:    {}\nflush interval:  {:<14} (default {} ms)",
        limit(retention.keep_days, defaults.retention.keep_days, "days"),
        limit(retention.max_tasks, defaults.retention.max_tasks, "tasks"),
        limit(
            retention.max_database_mb,
            defaults.retention.max_database_mb,
            "MiB"
        ),
        format!("{} ms", settings.flush_interval_ms),
        defaults.flush_interval_ms
    )
}
