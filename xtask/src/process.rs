//! Running child commands with their command line echoed, and turning failure
//! into a message that names the command.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// A new command for `program`; [`run`] echoes it before running it.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    Command::new(program)
}

/// Runs `command` to completion with inherited stdio; an error names it.
pub fn run(command: &mut Command) -> Result<(), String> {
    eprintln!("+ {}", describe(command));
    let status = command
        .status()
        .map_err(|error| format!("cannot start `{}`: {error}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// Runs `command` quietly and returns its stdout, or None if it cannot run or
/// fails (used to probe for installed tools).
pub fn output_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether `program` can be started at all.
pub fn exists(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}
