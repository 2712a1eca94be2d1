//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
}
