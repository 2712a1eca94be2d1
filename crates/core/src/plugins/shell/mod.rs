//! `shell`: runs one program and logs its output line by line.
//!
//! Sources: `shell.process` for lifecycle lines (start, exit, kill), `shell.stdout`
//! (each line at `INFO`) and `shell.stderr` (each line at `WARNING`). The
//! run is a section of the log, headed by its start line (`$ program
//! args`), and the program's `::group::` lines open sections inside it.
//! Output that is not UTF-8 is decoded from the console code page on
//! Windows, lossily elsewhere. A non-zero exit fails the task with the
//! status in the error; cancellation and the timeout kill the program's
//! whole process tree, and what it leaves running ends with the task
//! (see [`super::process`]).

use std::collections::BTreeMap;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use taskdeck_protocol::{ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo};
use tokio::process::Command;

use super::Plugin;
use super::process::{self, ProcessTree, drain, spawn_line_reader};
use crate::CoreError;
use crate::task_manager::TaskContext;
use taskdeck_protocol::LogLevel;

/// The longest timeout accepted: one week.
const MAX_TIMEOUT_SECS: f64 = 7.0 * 24.0 * 3600.0;

/// The `shell` plugin.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShellPlugin;

/// The parameters [`ShellPlugin`] declares, as `execute` reads them.
#[derive(Debug, Deserialize)]
struct ShellParams {
    #[serde(default)]
    program: String,
    #[serde(default)]
    args: Vec<String>,
    cwd: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    secret_env: BTreeMap<String, String>,
    timeout_secs: Option<u64>,
}

#[async_trait::async_trait]
impl Plugin for ShellPlugin {
    fn info(&self) -> PluginInfo {
        let args = ParamField::new(
            "args",
            "Arguments",
            ParamKind::StringList,
            false,
            "Arguments passed to the program as they are (no shell expansion).",
        )
        .with_default(json!([]));
        PluginInfo {
            id: "shell".to_owned(),
            name: "Shell command".to_owned(),
            description: "Runs a program and logs its standard output (INFO) and standard \
                          error (WARNING) line by line. A non-zero exit fails the task."
                .to_owned(),
            params: ParamSchema {
                fields: vec![
                    ParamField::new(
                        "program",
                        "Program",
                        ParamKind::String,
                        true,
                        "The program to run, by name (looked up in PATH) or by path.",
                    ),
                    args,
                    ParamField::new(
                        "cwd",
                        "Working directory",
                        ParamKind::String,
                        false,
                        "Where the program runs; defaults to Taskdeck's working directory.",
                    )
                    .with_picker(PathPicker::Folder),
                    ParamField::new(
                        "env",
                        "Environment",
                        ParamKind::StringMap,
                        false,
                        "Extra environment variables, added to Taskdeck's own.",
                    ),
                    ParamField::new(
                        "secret_env",
                        "Secret environment",
                        ParamKind::StringMap,
                        false,
                        "Environment variables holding secrets (tokens, passwords): their \
                         values are masked in the log and never stored with the task.",
                    )
                    .secret(),
                    ParamField::new(
                        "timeout_secs",
                        "Timeout (seconds)",
                        ParamKind::Integer,
                        false,
                        "Kill the program and fail the task after this many seconds.",
                    )
                    .with_range(Some(1.0), Some(MAX_TIMEOUT_SECS)),
                ],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let ShellParams {
            program,
            args,
            cwd,
            mut env,
            secret_env,
            timeout_secs: timeout,
        } = ctx.params_as()?;
        env.extend(secret_env);
        // Lifecycle lines come from `shell.process`: every entry names the
        // component that wrote it.
        let log = ctx.logger().child("process");

        let found = process::find_program(
            &program,
            env.get("PATH").map(String::as_str),
            cwd.as_deref().map(std::path::Path::new),
        )?;
        let mut command = Command::new(found);
        command
            .args(&args)
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(cwd) = &cwd {
            command.current_dir(cwd);
        }
        let started = Instant::now();
        // A tree of its own, so a cancel or timeout also stops what the
        // program started (a `sleep` under `sh -c`, a build's compilers).
        let mut child = ProcessTree::spawn(command).map_err(|error| {
            let place = cwd
                .as_deref()
                .map(|cwd| format!(" in {cwd}"))
                .unwrap_or_default();
            CoreError::PluginFailed(format!("could not start `{program}`{place}: {error}"))
        })?;
        // The program's run is a section of the log, its start line the
        // header (`$ program args`); its `::group::`s nest inside, and it
        // closes as `execute` returns.
        let _run = log
            .with_metadata(
                json!({ "program": program, "args": args, "cwd": cwd, "pid": child.id() }),
            )
            .section(format!("$ {}", command_line(&program, &args)));

        let readers = [
            child.take_stdout().map(|stdout| {
                let logger = ctx.logger().child("stdout");
                spawn_line_reader(stdout, logger, LogLevel::Info, process::as_is)
            }),
            child.take_stderr().map(|stderr| {
                let logger = ctx.logger().child("stderr");
                spawn_line_reader(stderr, logger, LogLevel::Warning, process::as_is)
            }),
        ];
        let deadline = async {
            match timeout {
                Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            status = child.wait() => Ok(status),
            () = ctx.cancellation().cancelled() => Err(CoreError::Cancelled),
            () = deadline => Err(CoreError::PluginFailed(format!(
                "`{program}` timed out after {} s and was killed",
                timeout.unwrap_or_default()
            ))),
        };
        let status = match outcome {
            Ok(status) => status.map_err(|error| {
                CoreError::PluginFailed(format!("could not wait for `{program}`: {error}"))
            })?,
            Err(error) => {
                let killed = child.kill().await;
                drain(readers, &log).await;
                match killed {
                    Ok(()) => log.warning(format!("killed `{program}` ({error})")),
                    Err(kill_error) => {
                        log.error(format!("could not kill `{program}`: {kill_error}"))
                    }
                };
                return Err(error);
            }
        };
        drain(readers, &log).await;
        // What the program left running ends with its task.
        let _ = child.kill().await;
        let elapsed = started.elapsed();
        let summary = json!({
            "exit_code": status.code(),
            "duration_ms": elapsed.as_millis() as u64,
        });
        log.with_metadata(summary.clone()).info(format!(
            "`{program}` {} after {:.2} s",
            describe_exit(status),
            elapsed.as_secs_f64()
        ));
        if status.success() {
            Ok(summary)
        } else {
            Err(CoreError::PluginFailed(format!(
                "`{program}` {}",
                describe_exit(status)
            )))
        }
    }
}

fn command_line(program: &str, args: &[String]) -> String {
    std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .map(|part| {
            if part.is_empty() || part.contains(char::is_whitespace) {
                format!("{part:?}")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe_exit(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    format!("ended ({status})")
}

#[cfg(test)]
mod tests;
