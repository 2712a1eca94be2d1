//! The CLI's one error type and its exit statuses.

use taskdeck_core::CoreError;
use taskdeck_protocol::{ErrorKind, IpcError, TaskStatus};

/// Why a command did not succeed; printed on one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The engine refused or failed.
    #[error(transparent)]
    Core(#[from] CoreError),

    /// The command line itself was wrong (malformed JSON, a bad duration…).
    #[error("{0}")]
    Input(String),

    /// The task ran and did not succeed.
    #[error("task {task_id} {status}{}", .reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default())]
    TaskDidNotSucceed {
        /// The task.
        task_id: String,
        /// How it ended.
        status: TaskStatus,
        /// Why, when known.
        reason: Option<String>,
    },

    /// `diff` found the runs' logs differ (the diff is printed): exit
    /// status 1, as `diff`'s.
    #[error("the runs' logs differ in {stretches} place{}", if *.stretches == 1 { "" } else { "s" })]
    RunsDiffer {
        /// How many hunks.
        stretches: usize,
    },

    /// Following a log live failed after it started (the store became
    /// unreadable, say).
    #[error("following the log stopped: {0}")]
    Live(IpcError),

    /// Writing to the terminal failed (a closed pipe ends quietly).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// The exit status of an engine failure of `kind`: 2 for bad input, 1
/// for the rest.
fn status_of(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidArgument | ErrorKind::NotFound | ErrorKind::Io => 2,
        ErrorKind::Storage | ErrorKind::DatabaseDamaged | ErrorKind::Internal => 1,
    }
}

impl CliError {
    /// 2 for bad input (unknown ids, bad filters, bad arguments), 130 for a
    /// cancelled task, 1 for everything else.
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Core(error) => status_of(error.kind()),
            CliError::Input(_) => 2,
            CliError::Live(error) => status_of(error.kind),
            CliError::TaskDidNotSucceed { status, .. } => match status {
                TaskStatus::Cancelled => 130,
                _ => 1,
            },
            CliError::Output(_) | CliError::RunsDiffer { .. } => 1,
        }
    }

    /// Whether the error is a closed output pipe (`taskdeck logs | head`),
    /// which is not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(error) if error.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
