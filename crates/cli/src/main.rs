//! `taskdeck`: the command-line client.
//!
//! It opens the same store as the desktop app (`--data-dir`, or
//! `TASKDECK_DATA_DIR`, or the OS app-data directory) and prints one-line
//! errors: exit status 2 for bad input, 1 for a failure of the work itself.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match args::Cli::try_parse() {
        Ok(args) => args,
        // clap prints usage errors, --help and --version itself and knows
        // which of them are errors.
        Err(error) => {
            let is_error = error.use_stderr();
            let _ = error.print();
            return if is_error {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("taskdeck: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("taskdeck: {error}");
            ExitCode::from(error.exit_status())
        }
    }
}
