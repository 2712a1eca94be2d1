//! `import`: the tasks of a JSON Lines export into this data directory.

use std::path::Path;

use taskdeck_core::TaskManager;
use taskdeck_core::import::import_task_logs;

use crate::error::CliError;
use crate::output::Printer;

pub async fn import(
    manager: &TaskManager,
    file: &Path,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let report = import_task_logs(manager.store(), file).await?;
    Ok(printer.json_or_text(json, &report, |report| {
        format!(
            "imported {} task(s) with {} entries: {}",
            report.task_ids.len(),
            report.entries,
            report.task_ids.join(", ")
        )
    })?)
}
