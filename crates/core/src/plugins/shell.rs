//! `shell`: runs one program and logs its output line by line.
//!
//! Sources: `shell.process` for lifecycle lines (start, exit, kill), `shell.stdout`
//! (each line at `INFO`) and `shell.stderr` (each line at `WARNING`).
//! Output that is not UTF-8 is decoded lossily. A non-zero exit fails the
//! task with the status in the error; cancellation and the timeout kill the
//! process.

use std::collections::BTreeMap;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use taskdeck_protocol::{ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo};
use tokio::process::Command;

use super::Plugin;
use super::process::{self, drain, spawn_line_reader};
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

        let mut command = Command::new(&program);
        command
            .args(&args)
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = &cwd {
            command.current_dir(cwd);
        }
        // Its own process group, so a cancel or timeout also stops what the
        // program started (a `sleep` under `sh -c`, a build's compilers).
        #[cfg(unix)]
        command.process_group(0);
        let started = Instant::now();
        let mut child = command.spawn().map_err(|error| {
            let place = cwd
                .as_deref()
                .map(|cwd| format!(" in {cwd}"))
                .unwrap_or_default();
            CoreError::PluginFailed(format!("could not start `{program}`{place}: {error}"))
        })?;
        log.with_metadata(
            json!({ "program": program, "args": args, "cwd": cwd, "pid": child.id() }),
        )
        .info(format!("started `{}`", command_line(&program, &args)));

        let readers = [
            child.stdout.take().map(|stdout| {
                let logger = ctx.logger().child("stdout");
                spawn_line_reader(stdout, logger, LogLevel::Info, process::as_is)
            }),
            child.stderr.take().map(|stderr| {
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
                #[cfg(unix)]
                process::kill_group(child.id()).await;
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

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)] // `all(test, unix)` hides the test cfg from clippy
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;
    use taskdeck_protocol::{LogEntry, LogLevel, TaskStatus, TaskSummary};

    use crate::TaskManager;
    use crate::task_log::entry_text::MAX_MESSAGE_BYTES;
    use crate::test_support::{
        all_entries, cancel_and_wait, manager_with, request, temp_store, wait_until,
    };

    async fn run(manager: &TaskManager, params: serde_json::Value) -> (TaskSummary, Vec<LogEntry>) {
        let task = manager.run_task(request("shell", params)).await.unwrap();
        let finished = manager.wait(&task.id).await.unwrap();
        (finished, all_entries(manager, &task.id).await)
    }

    fn lines<'a>(entries: &'a [LogEntry], source: &str) -> Vec<(&'a str, LogLevel)> {
        entries
            .iter()
            .filter(|entry| entry.source == source)
            .map(|entry| (entry.message.as_str(), entry.level))
            .collect()
    }

    #[tokio::test]
    async fn stdout_is_info_stderr_is_warning_and_lifecycle_is_from_shell() {
        let (dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        let (task, entries) = run(
            &manager,
            json!({
                "program": "sh",
                "args": ["-c", "echo one; echo two >&2; printf 'bad \\377 byte\\r\\n'; echo \"$GREETING from $(pwd)\""],
                "env": { "GREETING": "hello" },
                "cwd": dir.path().display().to_string(),
            }),
        )
        .await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
        assert_eq!(task.result.as_ref().unwrap()["exit_code"], json!(0));
        let stdout = lines(&entries, "shell.stdout");
        assert_eq!(stdout[0], ("one", LogLevel::Info));
        assert_eq!(stdout[1], ("bad \u{FFFD} byte", LogLevel::Info));
        assert_eq!(stdout[2].0, format!("hello from {}", dir.path().display()));
        assert_eq!(
            lines(&entries, "shell.stderr"),
            vec![("two", LogLevel::Warning)]
        );
        let lifecycle = lines(&entries, "shell.process");
        assert!(
            lifecycle[0].0.starts_with("started `sh -c"),
            "{lifecycle:?}"
        );
        assert!(
            lifecycle[1].0.contains("exited with status 0"),
            "{lifecycle:?}"
        );
        // Nothing the plugin wrote carries a default source.
        assert!(entries.iter().all(|entry| entry.source != "default"));
    }

    #[tokio::test]
    async fn hostile_output_is_stored_as_shown_and_a_10_mb_line_is_capped_with_a_marker() {
        let (_dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        // ANSI colours, a NUL byte, a terminal title escape; then a line of
        // 10 MiB without an end, and one after it.
        let script = "printf 'red \\033[31mtext\\033[0m\\n'; printf 'a\\000b\\n'; \
                      printf '\\033]0;title\\007after\\n'; \
                      head -c 10485760 /dev/zero | tr '\\0' x; echo; echo last";
        let (task, entries) =
            run(&manager, json!({ "program": "sh", "args": ["-c", script] })).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
        let stdout = lines(&entries, "shell.stdout");
        // Colours become styles beside the text a user reads.
        assert_eq!(stdout[0].0, "red text");
        let red = entries
            .iter()
            .find(|entry| entry.message == "red text")
            .unwrap();
        assert_eq!(red.styles.len(), 1);
        assert_eq!(red.styles[0].range(), 4..8);
        assert_eq!(
            stdout[1].0, "a\0b",
            "the NUL byte is kept, and what follows it"
        );
        assert_eq!(stdout[2].0, "after", "the title sequence is not text");
        let long = stdout[3].0;
        assert!(long.len() <= MAX_MESSAGE_BYTES, "{}", long.len());
        assert!(long.starts_with("xxxx"));
        assert!(
            long.ends_with(" … [truncated: 10485760 bytes in all]"),
            "{}",
            &long[long.len() - 60..]
        );
        assert_eq!(stdout[4].0, "last", "the line after it is whole");
    }

    #[tokio::test]
    async fn a_secret_reaches_the_program_but_never_the_log_the_stream_or_the_store() {
        let (_dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        let mut live = manager.subscribe_logs();
        let (task, entries) = run(
            &manager,
            json!({
                "program": "sh",
                "args": ["-c", "echo \"token=$API_TOKEN\"; echo \"$API_TOKEN\" >&2; exit 4"],
                "secret_env": { "API_TOKEN": "hunter2-s3cret" },
            }),
        )
        .await;
        assert_eq!(task.status, TaskStatus::Failed);
        assert_eq!(
            lines(&entries, "shell.stdout")[0].0,
            "token=***",
            "the program had it"
        );
        assert_eq!(lines(&entries, "shell.stderr")[0].0, "***");
        assert_eq!(task.params["secret_env"], json!({ "API_TOKEN": "***" }));
        let mut streamed = Vec::new();
        while let Ok(entry) = live.try_recv() {
            streamed.push(entry.message.clone());
        }
        assert!(
            streamed.iter().any(|message| message == "token=***"),
            "{streamed:?}"
        );
        // Nothing in the database file holds the secret: not the entries,
        // the full-text index, the task's params, error or result.
        manager.shutdown().await.unwrap();
        let path = store.data_dir().database_path();
        let database = std::fs::read(&path).unwrap();
        let wal = std::fs::read(format!("{}-wal", path.display())).unwrap_or_default();
        for bytes in [database, wal] {
            assert!(
                !bytes.windows(14).any(|window| window == b"hunter2-s3cret"),
                "the secret reached the database file"
            );
        }
    }

    #[tokio::test]
    async fn a_non_zero_exit_fails_with_the_status_and_a_missing_program_says_so() {
        let (_dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        let (task, _) = run(
            &manager,
            json!({ "program": "sh", "args": ["-c", "exit 3"] }),
        )
        .await;
        assert_eq!(task.status, TaskStatus::Failed);
        assert_eq!(task.error.as_deref(), Some("`sh` exited with status 3"));

        let (task, entries) = run(&manager, json!({ "program": "/no/such/program" })).await;
        assert_eq!(task.status, TaskStatus::Failed);
        let error = task.error.unwrap();
        assert!(
            error.starts_with("could not start `/no/such/program`"),
            "{error}"
        );
        assert!(
            entries
                .iter()
                .any(|entry| entry.source == "system" && entry.level == LogLevel::Error)
        );
    }

    #[tokio::test]
    async fn cancellation_and_timeout_kill_the_process() {
        let (_dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        let started = Instant::now();
        let (task, entries) = run(
            &manager,
            json!({ "program": "sleep", "args": ["30"], "timeout_secs": 1 }),
        )
        .await;
        assert_eq!(task.status, TaskStatus::Failed);
        assert!(task.error.unwrap().contains("timed out after 1 s"));
        assert!(
            entries
                .iter()
                .any(|entry| entry.message.starts_with("killed `sleep`"))
        );
        assert!(started.elapsed() < Duration::from_secs(20));

        let task = manager
            .run_task(request(
                "shell",
                json!({ "program": "sleep", "args": ["30"] }),
            ))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let finished = cancel_and_wait(&manager, &task.id).await;
        assert_eq!(finished.status, TaskStatus::Cancelled);
        let entries = all_entries(&manager, &task.id).await;
        assert!(
            entries
                .iter()
                .any(|entry| entry.message == "killed `sleep` (cancelled)")
        );
        assert!(started.elapsed() < Duration::from_secs(25));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn cancelling_also_stops_what_the_program_started() {
        let (_dir, store) = temp_store().await;
        let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
        let task = manager
            .run_task(request(
                "shell",
                json!({ "program": "sh", "args": ["-c", "sleep 60 & echo $!; wait"] }),
            ))
            .await
            .unwrap();
        // The grandchild's pid, from the script's first line.
        let pid = wait_until("the script to print its child's pid", || async {
            let entries = all_entries(&manager, &task.id).await;
            entries
                .iter()
                .find(|entry| entry.source == "shell.stdout")
                .map(|line| line.message.parse::<u32>().unwrap())
        })
        .await;
        let finished = cancel_and_wait(&manager, &task.id).await;
        assert_eq!(finished.status, TaskStatus::Cancelled);
        // Gone, or a zombie waiting for its new parent to reap it.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(") ")
            .next()
            .and_then(|rest| rest.chars().next());
        assert!(matches!(state, None | Some('Z' | 'X')), "{pid}: {stat}");
        let entries = all_entries(&manager, &task.id).await;
        // Nothing held the output open once the group was killed.
        assert!(
            !entries
                .iter()
                .any(|entry| entry.message.starts_with("stopped reading output")),
            "{entries:#?}"
        );
    }
}
