//! What each subcommand does, on the engine in `taskdeck-core`.

use std::fmt;

use taskdeck_core::{CoreError, DataDir, Store};
use taskdeck_protocol::{AppInfo, ErrorKind};

use crate::args::{Cli, Command};

/// A failure of a command, printed on one line.
#[derive(Debug)]
pub struct CliError(CoreError);

impl CliError {
    /// 2 for bad input (a bad path or argument), 1 for everything else.
    pub fn exit_status(&self) -> u8 {
        match self.0.kind() {
            ErrorKind::InvalidArgument | ErrorKind::NotFound | ErrorKind::Io => 2,
            ErrorKind::Storage | ErrorKind::Internal => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl From<CoreError> for CliError {
    fn from(error: CoreError) -> Self {
        Self(error)
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir = DataDir::resolve(cli.data_dir.as_deref())?;
    let store = Store::open(data_dir).await?;
    let outcome = match cli.command {
        Command::Info { json } => info(&store, json).await,
    };
    store.close().await?;
    outcome
}

async fn info(store: &Store, json: bool) -> Result<(), CliError> {
    let info = store.app_info().await?;
    if json {
        println!("{}", info_json(&info));
    } else {
        print!("{}", info_text(&info));
    }
    Ok(())
}

fn info_json(info: &AppInfo) -> String {
    // AppInfo is plain strings: serialising it cannot fail.
    serde_json::to_string(info).unwrap_or_default()
}

fn info_text(info: &AppInfo) -> String {
    format!(
        "version:        {}\ndata dir:       {}\ndatabase:       {}\nschema version: {}\n",
        info.version, info.data_dir, info.database_path, info.schema_version
    )
}
