//! `export`: tasks' logs to a file (or standard output) in JSON Lines, CSV
//! or text, through the engine's streaming export.

use std::io::IsTerminal;
use std::path::Path;

use taskdeck_core::TaskManager;
use taskdeck_core::export::{export_task_logs, write_task_logs};

use super::logs::{conditions, task_start_if_needed};
use crate::args::ExportArgs;
use crate::error::CliError;
use crate::output::Printer;

pub async fn export(
    manager: &TaskManager,
    args: ExportArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let format = args.format;
    let start = match args.task_ids.as_slice() {
        [only] => task_start_if_needed(manager, &args.filter, only).await?,
        _ if args.filter.section.is_some() => {
            return Err(CliError::Input(
                "--section names a section of one task, and there are several tasks: \
                 export them one at a time"
                    .to_owned(),
            ));
        }
        _ => None,
    };
    let filter = conditions(&args.filter, start)?;
    if args.output == Path::new("-") {
        let mut stdout = tokio::io::stdout();
        return match write_task_logs(
            manager,
            &args.task_ids,
            &filter,
            format,
            &mut stdout,
            "standard output",
            &mut |_| {},
        )
        .await
        {
            // A closed pipe (`| head`) ends quietly, as for `logs`.
            Err(taskdeck_core::CoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::BrokenPipe =>
            {
                Err(CliError::Output(source))
            }
            other => other.map(|_| ()).map_err(CliError::from),
        };
    }
    // A count on a terminal while a large export runs.
    let show_progress = std::io::stderr().is_terminal();
    let report = export_task_logs(
        manager,
        &args.task_ids,
        &filter,
        format,
        &args.output,
        &mut |written| {
            if show_progress {
                eprint!("\r{written} entries written…");
            }
        },
    )
    .await;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let report = report?;
    Ok(printer.line(&format!(
        "exported {} entries ({} bytes) to {}",
        report.entries,
        report.bytes,
        args.output.display()
    ))?)
}
