//! What each subcommand does, on the engine in `taskdeck-core`. Every
//! command opens the store through a [`TaskManager`], so any process can
//! mark the tasks of a dead one `interrupted`.

mod diff;
mod export;
mod follow;
mod import;
mod logs;
mod run;
mod search;
mod settings;
mod tasks;

#[cfg(test)]
mod proptests;

use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::output::Printer;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir = DataDir::resolve(cli.data_dir.as_deref())?;
    let store = Store::open(data_dir).await?;
    let manager = TaskManager::start(
        store.clone(),
        PluginRegistry::builtin(),
        ManagerConfig::for_store(&store).await?,
    )
    .await?;
    let mut printer = Printer::stdout();
    let outcome = dispatch(cli.command, &manager, &mut printer).await;
    let flushed = printer.flush();
    manager.shutdown().await?;
    store.close().await?;
    outcome?;
    Ok(flushed?)
}

async fn dispatch(
    command: Command,
    manager: &TaskManager,
    printer: &mut Printer,
) -> Result<(), CliError> {
    match command {
        Command::Info { json } => info(manager.store(), json, printer).await,
        Command::Index => logs::index(manager, printer).await,
        Command::Plugins { json } => tasks::plugins(manager, json, printer),
        Command::Run(args) => run::run(manager, args, printer).await,
        Command::Tasks(args) => tasks::list(manager, args, printer).await,
        Command::Search(args) => search::search(manager, args, printer).await,
        Command::Show { task_id, json } => tasks::show(manager, &task_id, json, printer).await,
        Command::Logs(args) => logs::logs(manager, args, printer).await,
        Command::Export(args) => export::export(manager, args, printer).await,
        Command::Import { file, json } => import::import(manager, &file, json, printer).await,
        Command::Stats { task_id, json } => logs::stats(manager, &task_id, json, printer).await,
        Command::Sources { task_id, json } => logs::sources(manager, &task_id, json, printer).await,
        Command::Sections { task_id, json } => {
            logs::sections(manager, &task_id, json, printer).await
        }
        Command::Diff {
            a,
            b,
            raw,
            context,
            json,
        } => {
            let options = taskdeck_core::compare::CompareOptions {
                normalise: !raw,
                context,
            };
            diff::diff(manager, (&a, &b), options, json, printer).await
        }
        Command::Delete { task_ids } => tasks::delete(manager, &task_ids, printer).await,
        Command::Cleanup {
            older_than,
            keep,
            max_size,
            dry_run,
        } => {
            let rules = tasks::CleanupRules {
                older_than: older_than.as_deref(),
                keep,
                max_size_mb: max_size,
            };
            tasks::cleanup(manager, rules, dry_run, printer).await
        }
        Command::Settings(args) => settings::settings(manager.store(), args, printer).await,
    }
}

async fn info(store: &Store, json: bool, printer: &mut Printer) -> Result<(), CliError> {
    let info = store.app_info().await?;
    Ok(printer.json_or_text(json, &info, |info| {
        format!(
            "version:        {}\ndata dir:       {}\ndatabase:       {}\nschema version: {}",
            info.version, info.data_dir, info.database_path, info.schema_version
        )
    })?)
}
