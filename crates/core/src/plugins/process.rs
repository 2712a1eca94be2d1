//! Running a program for a plugin: started as the root of a process tree
//! the task owns (a process group on Unix; a Job Object on Windows, with no
//! console window and a process group of its own, so a Ctrl-C at the CLI
//! reaches Taskdeck rather than the program), its output read line by line
//! into the task's log (`::group::` lines and GitLab's section markers
//! opening sections of it), a short
//! grace for the readers after it exits, and the whole tree stopped on
//! cancel, timeout and when the task ends.

use std::any::Any;
use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

#[cfg(unix)]
use process_wrap::tokio::ProcessGroup;
use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop};
#[cfg(windows)]
use process_wrap::tokio::{CreationFlags, JobObject};

use taskdeck_protocol::LogLevel;
use tokio::io::{AsyncRead, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio::task::JoinHandle;

use crate::CoreError;
use crate::ansi::OutputParser;
use crate::bounded_lines::read_line_capped;
use crate::output_text;
use crate::task_log::entry_text::KEPT_LINE_BYTES;
use crate::task_manager::{Section, TaskLogger};

/// How long output readers may run on after the process exits (a
/// grandchild may hold the pipes open).
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How often [`drain`] looks whether the readers are held back.
const DRAIN_STEP: Duration = Duration::from_millis(100);

/// Logs every line as it is.
pub fn as_is(line: &str) -> Option<String> {
    Some(line.to_owned())
}

/// A group marker in a program's output: GitHub Actions' workflow
/// commands and GitLab's section markers, which many scripts and tools
/// print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMarker<'a> {
    /// A group opens: `::group::Title`, or GitLab's
    /// `section_start:<time>:<name>[options]\r\e[0K<title>` (named, so its
    /// end can name it; titled by its name when the title is empty).
    Start {
        title: Cow<'a, str>,
        name: Option<&'a str>,
    },
    /// A group ends: `::endgroup::` the innermost open one (no name), or
    /// GitLab's `section_end:<time>:<name>` the one so named, and any
    /// still open inside it.
    End(Option<&'a str>),
}

/// The group marker `line` is, if it is one.
pub fn group_marker(line: &str) -> Option<GroupMarker<'_>> {
    let line = line.trim();
    if let Some(title) = line.strip_prefix("::group::") {
        let title = title.trim();
        return Some(GroupMarker::Start {
            title: Cow::Borrowed(if title.is_empty() { "group" } else { title }),
            name: None,
        });
    }
    if line == "::endgroup::" {
        return Some(GroupMarker::End(None));
    }
    gitlab_marker(line)
}

/// GitLab's section markers, as its runners' scripts print them (often
/// after an erase-line escape, `\e[0K`): the title after the carriage
/// return is what a terminal shows of it.
fn gitlab_marker(line: &str) -> Option<GroupMarker<'_>> {
    let line = line.strip_prefix("\u{1b}[0K").unwrap_or(line);
    let (starts, rest) = match line.strip_prefix("section_start:") {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("section_end:")?),
    };
    let (time, rest) = rest.split_once(':')?;
    if time.is_empty() || !time.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let (head, title) = rest.split_once('\r').unwrap_or((rest, ""));
    // Options such as `[collapsed=true]` follow the name.
    let name = head.split_once('[').map_or(head, |(name, _)| name).trim();
    if name.is_empty() {
        return None;
    }
    if !starts {
        return Some(GroupMarker::End(Some(name)));
    }
    let shown = crate::ansi::parse(title.to_owned()).text;
    let shown = shown.trim();
    Some(GroupMarker::Start {
        title: if shown.is_empty() {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(shown.to_owned())
        },
        name: Some(name),
    })
}

/// Logs each line of `stream` (without its line ending) at `level`, as
/// `shape` makes it (`None`: skip the line), its escape sequences parsed
/// into styles (see [`crate::ansi`]). A `::group::Title` line opens a
/// section of the log titled so and `::endgroup::` closes it, as do
/// GitLab's `section_start:`/`section_end:` (see [`group_marker`]); no
/// marker is an entry of its own. Output that is not UTF-8 is decoded
/// as [`crate::output_text`] says; a line longer than the entry cap keeps
/// its start and a marker with its whole length. Reading pauses while the
/// log buffer has no room.
pub fn spawn_line_reader<R, F>(
    stream: R,
    logger: TaskLogger,
    level: LogLevel,
    shape: F,
) -> JoinHandle<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    F: Fn(&str) -> Option<String> + Send + 'static,
{
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::with_capacity(256);
        // Colours carry from one line of the stream to the next, as on a
        // terminal.
        let mut terminal = OutputParser::default();
        // The groups the program opened and has not ended (with GitLab's
        // names), innermost last; those left open end with the stream.
        let mut groups: Vec<(Option<String>, Section)> = Vec::new();
        loop {
            line.clear();
            // While the database cannot keep up, the program waits on its
            // full pipe instead of its lines being lost.
            logger.wait_for_room().await;
            match read_line_capped(&mut reader, &mut line, KEPT_LINE_BYTES).await {
                Ok(None) => return,
                Ok(Some(length)) => {
                    let cut = (length > line.len()).then_some(length);
                    while matches!(line.last(), Some(b'\n' | b'\r')) {
                        line.pop();
                    }
                    // Borrowed unless the line is not UTF-8: `shape` makes
                    // the one copy each line needs.
                    let text = output_text::decode(&line);
                    match group_marker(&text) {
                        Some(GroupMarker::Start { title, name }) => {
                            if let Some(title) = shape(&title) {
                                groups.push((name.map(str::to_owned), logger.section(title)));
                            }
                        }
                        // Dropping a section closes it.
                        Some(GroupMarker::End(None)) => drop(groups.pop()),
                        Some(GroupMarker::End(Some(name))) => {
                            let named = groups
                                .iter()
                                .rposition(|(open, _)| open.as_deref() == Some(name));
                            if let Some(at) = named {
                                // Innermost first.
                                while groups.len() > at {
                                    drop(groups.pop());
                                }
                            }
                        }
                        None => {
                            if let Some(text) = shape(&text) {
                                logger.log_output(level, &mut terminal, text, cut);
                            }
                        }
                    }
                }
                Err(error) => {
                    logger.error(format!("could not read output: {error}"));
                    return;
                }
            }
        }
    })
}

/// A started program and every process it starts.
#[derive(Debug)]
pub struct ProcessTree {
    root: Box<dyn ChildWrapper>,
}

impl ProcessTree {
    /// Starts `command` as the root of a new tree. Dropping the value
    /// kills the root, and on Windows the whole tree (the Job Object's
    /// kill-on-close); [`ProcessTree::kill`] kills the whole tree anywhere.
    pub fn spawn(command: Command) -> std::io::Result<Self> {
        let mut wrapped = CommandWrap::from(command);
        #[cfg(unix)]
        wrapped.wrap(ProcessGroup::leader());
        #[cfg(windows)]
        {
            use windows::Win32::System::Threading::{CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW};
            wrapped.wrap(CreationFlags(CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP));
            wrapped.wrap(JobObject);
        }
        wrapped.wrap(KillOnDrop);
        Ok(Self {
            root: wrapped.spawn_with(start_root)?,
        })
    }

    /// The root program's process id.
    pub fn id(&self) -> Option<u32> {
        self.root.id()
    }

    /// The root's standard output, once.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.root.stdout().take()
    }

    /// The root's standard error, once.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.root.stderr().take()
    }

    /// Waits for the root program to exit. Processes it left running are
    /// not waited for: [`ProcessTree::kill`] ends them.
    pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        root_child(self.root.as_mut()).wait().await
    }

    /// Kills every process of the tree that still runs, and reaps the root.
    pub async fn kill(&mut self) -> std::io::Result<()> {
        let killed = self.root.start_kill();
        let root = root_child(self.root.as_mut());
        if root.try_wait()?.is_none() {
            // The group or job is gone once its last process is: then only
            // the root is left to kill.
            if killed.is_err() {
                root.start_kill()?;
            }
            root.wait().await?;
        }
        Ok(())
    }
}

/// Creates the root program's process. Under Wine, creating a process
/// fails now and then with ERROR_INTERNAL_ERROR (1359) when several start
/// in the same instant; nothing was started then, so the start is tried
/// again a few times, a moment apart (Windows itself does not fail so).
fn start_root(command: &mut Command) -> std::io::Result<Child> {
    #[cfg(windows)]
    {
        const WINE_INTERNAL_ERROR: i32 = 1359;
        for _ in 0..4 {
            match command.spawn() {
                Err(error) if error.raw_os_error() == Some(WINE_INTERNAL_ERROR) => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                started => return started,
            }
        }
    }
    command.spawn()
}

/// The root program itself, under the wrappers that set up its tree.
fn root_child(wrapper: &mut dyn ChildWrapper) -> &mut dyn ChildWrapper {
    let any: &dyn Any = &*wrapper;
    if any.is::<Child>() {
        wrapper
    } else {
        root_child(wrapper.inner_mut())
    }
}

/// Where the program named `program` is. A bare name is looked up in the
/// task's `PATH` (its `env`'s, else Taskdeck's) and, on Windows, in the
/// working folder first (as cmd looks) and with the extensions of
/// `PATHEXT`, so `npm` finds `npm.cmd`; a name with a folder in it is used
/// as given. A bare name that is not found is an error that says so; on
/// Windows a cmd built-in (`echo`, `dir`), which is no program, gets an
/// error saying to run it as `cmd /c …`.
pub fn find_program(
    program: &str,
    path: Option<&str>,
    cwd: Option<&Path>,
) -> Result<PathBuf, CoreError> {
    let bare = Path::new(program).components().count() == 1
        && !program.contains(['/', '\\'])
        && !program.is_empty();
    if !bare {
        return Ok(PathBuf::from(program));
    }
    let here = match cwd {
        Some(cwd) => cwd.to_path_buf(),
        None => std::env::current_dir().unwrap_or_default(),
    };
    let mut search: Vec<PathBuf> = path
        .map(OsString::from)
        .or_else(|| std::env::var_os("PATH"))
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    // Windows looks in the working folder first, as cmd does.
    if cfg!(windows) {
        search.insert(0, here.clone());
    }
    let search = std::env::join_paths(search).ok();
    which::which_in(program, search, &here).map_err(|_| {
        if cfg!(windows) && CMD_BUILT_INS.contains(&program.to_ascii_lowercase().as_str()) {
            CoreError::PluginFailed(format!(
                "`{program}` is a command built into cmd, not a program: run `cmd` with \
                 the arguments `/c {program} …`"
            ))
        } else {
            CoreError::PluginFailed(format!(
                "could not start `{program}`: no program of that name in PATH"
            ))
        }
    })
}

/// Commands cmd.exe runs itself, with no program file behind them.
const CMD_BUILT_INS: &[&str] = &[
    "assoc", "break", "call", "cd", "chdir", "cls", "color", "copy", "date", "del", "dir", "echo",
    "endlocal", "erase", "exit", "for", "ftype", "goto", "if", "md", "mkdir", "mklink", "move",
    "path", "pause", "popd", "prompt", "pushd", "rd", "rem", "ren", "rename", "rmdir", "set",
    "setlocal", "shift", "start", "time", "title", "type", "ver", "verify", "vol",
];

/// Waits for both readers to reach end of output, at most [`DRAIN_GRACE`]
/// of time in which they could read: while the log buffer has no room (the
/// database is behind), readers wait on purpose and the grace stands still,
/// so a slow store never cuts a finished program's last lines.
pub async fn drain(readers: [Option<JoinHandle<()>>; 2], log: &TaskLogger) {
    let readers: Vec<JoinHandle<()>> = readers.into_iter().flatten().collect();
    let aborts: Vec<_> = readers.iter().map(JoinHandle::abort_handle).collect();
    let mut all = std::pin::pin!(async {
        for reader in readers {
            let _ = reader.await;
        }
    });
    let mut could_read = Duration::ZERO;
    while could_read < DRAIN_GRACE {
        if tokio::time::timeout(DRAIN_STEP, &mut all).await.is_ok() {
            return;
        }
        if log.has_room() {
            could_read += DRAIN_STEP;
        }
    }
    aborts.iter().for_each(tokio::task::AbortHandle::abort);
    log.warning("stopped reading output: a process started by the program still holds it open");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start<'a>(title: &'a str, name: Option<&'a str>) -> Option<GroupMarker<'a>> {
        Some(GroupMarker::Start {
            title: Cow::Borrowed(title),
            name,
        })
    }

    #[test]
    fn group_markers_are_read_as_github_actions_writes_them() {
        assert_eq!(
            group_marker("::group::Build the docs"),
            start("Build the docs", None)
        );
        assert_eq!(
            group_marker("  ::group::  spaced  \r"),
            start("spaced", None)
        );
        assert_eq!(group_marker("::group::"), start("group", None));
        assert_eq!(group_marker("::endgroup::"), Some(GroupMarker::End(None)));
        for line in ["", "echo ::group::x", "::endgroup:: extra", "::warning::x"] {
            assert_eq!(group_marker(line), None, "{line:?}");
        }
    }

    #[test]
    fn section_markers_are_read_as_gitlab_writes_them() {
        assert_eq!(
            group_marker(
                "\u{1b}[0Ksection_start:1560896352:build[collapsed=true]\r\u{1b}[0K\u{1b}[36mBuild it\u{1b}[0m"
            ),
            start("Build it", Some("build"))
        );
        assert_eq!(
            group_marker("section_start:1560896352:deps\r\u{1b}[0K"),
            start("deps", Some("deps"))
        );
        assert_eq!(
            group_marker("\u{1b}[0Ksection_end:1560896353:build\r\u{1b}[0K"),
            Some(GroupMarker::End(Some("build")))
        );
        for line in [
            "section_start::x\rTitle",
            "section_start:12a:x\rTitle",
            "section_start:12:\rTitle",
            "section_end:12",
            "echo section_start:1:x",
        ] {
            assert_eq!(group_marker(line), None, "{line:?}");
        }
    }
}
