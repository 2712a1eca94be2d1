//! `taskdeck`: the command-line client.
//!
//! It opens the same store as the desktop app (`--data-dir`, or
//! `TASKDECK_DATA_DIR`, or the OS app-data directory) and prints one-line
//! errors. Exit status: 0 success, 1 a failed task or a failure of the work
//! itself, 2 bad input (unknown ids, bad filters, malformed arguments), 130
//! a cancelled task.

mod args;
mod commands;
mod error;
mod output;
mod time_arg;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The first line of a clap error about a value, without clap's `error: `
/// prefix; `None` for usage errors, `--help` and `--version`, which clap
/// prints in full.
fn one_line_value_error(error: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let text = error.render().to_string();
    let first = text.lines().next()?.trim();
    Some(first.strip_prefix("error: ").unwrap_or(first).to_owned())
}

fn main() -> ExitCode {
    let args = match args::Cli::try_parse() {
        Ok(args) => args,
        // clap prints usage errors, --help and --version itself and knows
        // which of them are errors.
        Err(error) => {
            let is_error = error.use_stderr();
            // A value clap could not parse (an unknown level, status or
            // format) is bad input like any other: one line naming it.
            if let Some(line) = one_line_value_error(&error) {
                eprintln!("taskdeck: {line}");
                return ExitCode::from(2);
            }
            let _ = error.print();
            return if is_error {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    install_tracing();
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
    let outcome = runtime.block_on(commands::run(args));
    // The command is done and its data stored: a read still blocked on a
    // pipe that an orphaned process holds open (Windows reads pipes on
    // blocking threads) must not keep the CLI from exiting.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("taskdeck: {error}");
            ExitCode::from(error.exit_status())
        }
    }
}

/// Task capture for plugins that log through `tracing`, and Taskdeck's own
/// diagnostics on stderr (warnings by default; `RUST_LOG` overrides).
fn install_tracing() {
    let diagnostics = tracing_subscriber::fmt::layer()
        // Through anstream, as stdout is: colours on every console,
        // stripped when stderr is no terminal or `NO_COLOR` is set.
        .with_writer(anstream::stderr)
        .with_ansi(true)
        .with_target(false)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")));
    let _ = tracing_subscriber::registry()
        .with(taskdeck_core::TaskLogCapture)
        .with(diagnostics)
        .try_init();
}
