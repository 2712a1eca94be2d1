//! `git`: clone, fetch, pull, status, commit and push through the system
//! `git`.
//!
//! Each git invocation is a step, a section of the log headed from
//! `git.step` by its command line (credentials hidden); its output streams line by line from `git.stdout`
//! and `git.stderr`, both at INFO, because git writes progress to stderr.
//! Progress lines that redraw themselves (`\r`) are logged once, in their
//! final state. Every line goes through [`redact::redact`], so a
//! `user:token@` in a URL never reaches the log. Credentials stay git's
//! business: prompts are disabled (`GIT_TERMINAL_PROMPT=0`), so a remote
//! that needs them fails rather than hanging. Cancel and the end of a step
//! stop the git process group.

pub mod redact;
#[cfg(test)]
mod tests;

use parking_lot::Mutex;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use serde_json::{Value, json};
use taskdeck_protocol::{LogLevel, ParamField, ParamKind, ParamSchema, PathPicker, PluginInfo};
use tokio::process::Command;

use super::Plugin;
use super::process::{ProcessTree, drain, spawn_line_reader};
use crate::CoreError;
use crate::task_manager::{TaskContext, TaskLogger};

/// The operations, as the `operation` parameter names them.
pub const OPERATIONS: [&str; 6] = ["clone", "fetch", "pull", "status", "commit", "push"];

/// The `git` plugin.
#[derive(Debug, Clone, Copy, Default)]
pub struct GitPlugin;

#[async_trait::async_trait]
impl Plugin for GitPlugin {
    fn info(&self) -> PluginInfo {
        let field = |name: &str, label: &str, required: bool, description: &str| {
            ParamField::new(name, label, ParamKind::String, required, description)
        };
        PluginInfo {
            id: "git".to_owned(),
            name: "Git".to_owned(),
            description: "Clones, fetches, pulls, shows the status of, commits all changes in, \
                          or pushes a repository, with the system git."
                .to_owned(),
            params: ParamSchema {
                fields: vec![
                    field("operation", "Operation", true, "What to do.").with_choices(&OPERATIONS),
                    field(
                        "repository",
                        "Repository folder",
                        true,
                        "The working copy (for clone: where to clone to).",
                    )
                    .with_picker(PathPicker::Folder),
                    field("url", "Remote URL", false, "For clone: what to clone."),
                    field("message", "Commit message", false, "For commit."),
                    field(
                        "remote",
                        "Remote",
                        false,
                        "For fetch, pull and push; git's default when empty.",
                    ),
                    field(
                        "branch",
                        "Branch",
                        false,
                        "For pull and push; git's default when empty.",
                    ),
                ],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let operation: String = ctx.param("operation")?.unwrap_or_default();
        let repository: String = ctx.param("repository")?.unwrap_or_default();
        let text = |name: &str| -> Result<Option<String>, CoreError> {
            Ok(ctx
                .param::<String>(name)?
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty()))
        };
        let (url, message, remote, branch) = (
            text("url")?,
            text("message")?,
            text("remote")?,
            text("branch")?,
        );
        let required = |value: &Option<String>, field: &str| {
            value.clone().ok_or_else(|| {
                CoreError::InvalidArgument(format!("`{field}` is required for {operation}"))
            })
        };
        let git = Git {
            ctx: &ctx,
            step: ctx.logger().child("step"),
            repository: Path::new(&repository),
        };
        let target: Vec<String> = remote.iter().chain(branch.iter()).cloned().collect();
        match operation.as_str() {
            "clone" => {
                let url = required(&url, "url")?;
                // A clone that does not finish leaves no half-made folder.
                let existed = git.repository.exists();
                let cloned = git
                    .run(&["clone", "--progress", &url, &repository], false)
                    .await;
                if let Err(error) = cloned {
                    if !existed && git.repository.exists() {
                        let _ = tokio::fs::remove_dir_all(git.repository).await;
                    }
                    return Err(error);
                }
                Ok(
                    json!({ "operation": "clone", "repository": repository, "head": git.head().await? }),
                )
            }
            "fetch" => {
                git.check_repository().await?;
                let mut args = vec!["fetch", "--progress"];
                args.extend(remote.as_deref());
                git.run(&args, true).await?;
                Ok(json!({ "operation": "fetch", "repository": repository }))
            }
            "pull" => {
                git.check_repository().await?;
                let mut args = vec!["pull", "--ff-only", "--progress"];
                args.extend(target.iter().map(String::as_str));
                git.run(&args, true).await?;
                Ok(
                    json!({ "operation": "pull", "repository": repository, "head": git.head().await? }),
                )
            }
            "status" => {
                git.check_repository().await?;
                let lines = git
                    .run(&["status", "--porcelain=v1", "--branch"], true)
                    .await?;
                let changed = lines.iter().filter(|line| !line.starts_with("##")).count();
                Ok(json!({ "operation": "status", "repository": repository, "changed": changed }))
            }
            "commit" => {
                let message = required(&message, "message")?;
                git.check_repository().await?;
                git.run(&["add", "--all"], true).await?;
                let staged = git.run(&["status", "--porcelain=v1"], true).await?;
                if staged.is_empty() {
                    ctx.logger().child("step").info("nothing to commit");
                    return Ok(
                        json!({ "operation": "commit", "repository": repository, "commit": null }),
                    );
                }
                git.run(&["commit", "--quiet", "--message", &message], true)
                    .await?;
                Ok(
                    json!({ "operation": "commit", "repository": repository, "commit": git.head().await? }),
                )
            }
            "push" => {
                git.check_repository().await?;
                let mut args = vec!["push", "--progress"];
                args.extend(target.iter().map(String::as_str));
                git.run(&args, true).await?;
                Ok(json!({ "operation": "push", "repository": repository }))
            }
            other => Err(CoreError::InvalidArgument(format!(
                "`operation` must be one of {}, not {other:?}",
                OPERATIONS.join(", ")
            ))),
        }
    }
}

/// One task's git invocations.
struct Git<'a> {
    ctx: &'a TaskContext,
    step: TaskLogger,
    repository: &'a Path,
}

impl Git<'_> {
    /// Fails clearly unless the repository folder is a git working copy.
    async fn check_repository(&self) -> Result<(), CoreError> {
        if !self.repository.is_dir() {
            return Err(CoreError::PluginFailed(format!(
                "{} is not a folder",
                self.repository.display()
            )));
        }
        let inside = self
            .command(&["rev-parse", "--is-inside-work-tree"], true)
            .output()
            .await
            .map_err(not_installed)?;
        if !inside.status.success() {
            return Err(CoreError::PluginFailed(format!(
                "{} is not a git repository",
                self.repository.display()
            )));
        }
        Ok(())
    }

    /// The commit HEAD points at (`None` in an empty repository).
    async fn head(&self) -> Result<Option<String>, CoreError> {
        let output = self
            .command(&["rev-parse", "--verify", "--quiet", "HEAD"], true)
            .output()
            .await
            .map_err(not_installed)?;
        Ok(output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
    }

    fn command(&self, args: &[&str], in_repository: bool) -> Command {
        let mut command = Command::new("git");
        if in_repository {
            command.arg("-C").arg(self.repository);
        }
        command
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // The quick reads (`rev-parse`) do not go through a process tree:
        // no console window for them either.
        #[cfg(windows)]
        command.creation_flags(windows::Win32::System::Threading::CREATE_NO_WINDOW.0);
        command
    }

    /// Runs one step, streaming its output into the log; returns its
    /// standard output lines. A non-zero exit fails the task with git's
    /// last error line.
    async fn run(&self, args: &[&str], in_repository: bool) -> Result<Vec<String>, CoreError> {
        let shown = redact::redact(&format!("git {}", args.join(" ")));
        // Each invocation is a section of the log, headed by its command
        // line; it closes as this returns.
        let _step = self.step.section(shown.clone());
        let mut child =
            ProcessTree::spawn(self.command(args, in_repository)).map_err(not_installed)?;
        let log = self.ctx.logger();
        // Standard output is kept whole (status reads it); of standard
        // error, the last lines (the failure's reason).
        let stdout_kept = Arc::new(Mutex::new(Vec::new()));
        let stderr_kept = Arc::new(Mutex::new(Vec::new()));
        let readers = [
            child.take_stdout().map(|out| {
                let reader = keeping(Arc::clone(&stdout_kept), usize::MAX);
                spawn_line_reader(out, log.child("stdout"), LogLevel::Info, reader)
            }),
            child.take_stderr().map(|err| {
                let reader = keeping(Arc::clone(&stderr_kept), 20);
                spawn_line_reader(err, log.child("stderr"), LogLevel::Info, reader)
            }),
        ];
        let status = tokio::select! {
            status = child.wait() => status.map_err(|error| {
                CoreError::PluginFailed(format!("could not wait for git: {error}"))
            })?,
            () = self.ctx.cancellation().cancelled() => {
                let _ = child.kill().await;
                drain(readers, &self.step).await;
                self.step.warning(format!("stopped `{shown}` (cancelled)"));
                return Err(CoreError::Cancelled);
            }
        };
        drain(readers, &self.step).await;
        let _ = child.kill().await;
        if status.success() {
            return Ok(taken(&stdout_kept));
        }
        let reason = taken(&stderr_kept)
            .into_iter()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_else(|| format!("exit status {}", status.code().unwrap_or(-1)));
        Err(CoreError::PluginFailed(format!(
            "`{shown}` failed: {reason}"
        )))
    }
}

/// A line shaper that also keeps the last `limit` lines in `kept`.
fn keeping(
    kept: Arc<Mutex<Vec<String>>>,
    limit: usize,
) -> impl Fn(&str) -> Option<String> + Send + 'static {
    move |line| {
        let shaped = shape(line)?;
        let mut kept = kept.lock();
        if kept.len() >= limit {
            kept.remove(0);
        }
        kept.push(shaped.clone());
        Some(shaped)
    }
}

fn taken(kept: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *kept.lock())
}

/// A line as it is logged: the final state of a self-redrawing progress
/// line, credentials hidden; blank lines skipped.
fn shape(line: &str) -> Option<String> {
    let last = line.rsplit('\r').find(|part| !part.trim().is_empty())?;
    Some(redact::redact(last))
}

fn not_installed(error: std::io::Error) -> CoreError {
    if error.kind() == std::io::ErrorKind::NotFound {
        CoreError::PluginFailed("git is not installed (or not on PATH)".to_owned())
    } else {
        CoreError::PluginFailed(format!("cannot run git: {error}"))
    }
}
