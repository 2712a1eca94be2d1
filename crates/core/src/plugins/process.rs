//! Running a program for a plugin: its output read line by line into the
//! task's log, a short grace for the readers after it exits, and stopping
//! its whole process group (what it started included).

use std::time::Duration;

use taskdeck_protocol::LogLevel;
use tokio::io::{AsyncRead, BufReader};
use tokio::task::JoinHandle;

use crate::ansi::OutputParser;
use crate::bounded_lines::read_line_capped;
use crate::task_log::entry_text::KEPT_LINE_BYTES;
use crate::task_manager::TaskLogger;

/// How long output readers may run on after the process exits (a
/// grandchild may hold the pipes open).
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How often [`drain`] looks whether the readers are held back.
const DRAIN_STEP: Duration = Duration::from_millis(100);

/// Logs every line as it is.
pub fn as_is(line: &str) -> Option<String> {
    Some(line.to_owned())
}

/// Logs each line of `stream` (without its line ending) at `level`, as
/// `shape` makes it (`None`: skip the line), its escape sequences parsed
/// into styles (see [`crate::ansi`]). Output that is not UTF-8 is decoded
/// lossily; a line longer than the entry cap keeps its start and a marker
/// with its whole length. Reading pauses while the log buffer has no room.
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
                    let text = String::from_utf8_lossy(&line);
                    if let Some(text) = shape(&text) {
                        logger.log_output(level, &mut terminal, text, cut);
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

/// Kills every process of the program's process group (the program leads
/// it), through `kill(1)`: the workspace forbids the `unsafe` of calling
/// `kill(2)` directly.
#[cfg(unix)]
pub async fn kill_group(leader: Option<u32>) {
    if let Some(leader) = leader {
        use std::process::Stdio;
        let _ = tokio::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{leader}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }
}

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
