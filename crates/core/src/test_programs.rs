//! Shell parameters for tests that run programs, the same on every
//! platform: small scripts run by `sh -c` on Unix and `cmd /c` on Windows,
//! with the commands both shells read alike (`echo text`, `echo text>&2`).
//! For the tests of this crate and, through the `test-support` feature, of
//! the CLI and the app.

use serde_json::{Value, json};

/// `shell` parameters that run `commands` one after another.
pub fn script(commands: &[&str]) -> Value {
    if cfg!(windows) {
        json!({ "program": "cmd", "args": ["/c", commands.join("&")] })
    } else {
        json!({ "program": "sh", "args": ["-c", commands.join("; ")] })
    }
}

/// `shell` parameters that print `line` and end.
pub fn echo(line: &str) -> Value {
    script(&[&format!("echo {line}")])
}

/// `shell` parameters that run about `seconds` and end (on Windows by
/// `ping`, which waits a second between tries: cmd has no `sleep`).
pub fn sleep(seconds: u32) -> Value {
    script(&[&sleep_command(seconds)])
}

/// The command of [`sleep`], to put in a [`script`].
pub fn sleep_command(seconds: u32) -> String {
    if cfg!(windows) {
        format!("ping -n {} 127.0.0.1 >nul", seconds + 1)
    } else {
        format!("sleep {seconds}")
    }
}

/// A command that prints the numbers 1 to `n`, one a line (`seq` on
/// Unix, a counting `for` loop in cmd).
pub fn count_command(n: u32) -> String {
    if cfg!(windows) {
        format!("for /L %i in (1,1,{n}) do @echo %i")
    } else {
        format!("seq 1 {n}")
    }
}

/// A command that prints `line 1`, `line 2`, … as fast as it can and does
/// not end by itself (cmd's loop ends after 2^31 lines).
pub fn endless_command() -> String {
    if cfg!(windows) {
        "for /L %i in (1,1,2147483647) do @echo line %i".to_owned()
    } else {
        "i=0; while :; do i=$((i+1)); echo line $i; done".to_owned()
    }
}

/// The name the task's program logs under in its lifecycle lines.
pub fn shell_name() -> &'static str {
    if cfg!(windows) { "cmd" } else { "sh" }
}
