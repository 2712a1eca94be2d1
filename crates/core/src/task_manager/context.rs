//! [`TaskContext`]: everything a plugin's `execute` receives.

use parking_lot::Mutex;
use std::sync::Arc;

use serde_json::{Map, Value};
use taskdeck_protocol::TaskProgress;
use tokio_util::sync::CancellationToken;

use crate::task_log::logger::TaskLogger;
use crate::task_log::section::Section;
use crate::{CoreError, DataDir};

/// The latest progress report of a running task, shared with the manager.
pub type ProgressCell = Arc<Mutex<Option<TaskProgress>>>;

/// What a plugin works with: the task's id and validated parameters, a
/// logger for the plugin's own source, a cancellation token, and progress
/// reporting.
#[derive(Debug, Clone)]
pub struct TaskContext {
    params: Map<String, Value>,
    data_dir: DataDir,
    logger: TaskLogger,
    cancellation: CancellationToken,
    progress: ProgressCell,
}

impl TaskContext {
    /// A context; the manager builds one per run.
    pub(crate) fn new(
        params: Map<String, Value>,
        data_dir: DataDir,
        logger: TaskLogger,
        cancellation: CancellationToken,
        progress: ProgressCell,
    ) -> Self {
        Self {
            params,
            data_dir,
            logger,
            cancellation,
            progress,
        }
    }

    /// Refuses `path`, the value of the parameter `param`, when it names
    /// one of Taskdeck's own files (see [`DataDir::is_own_file`]): a plugin
    /// asks before it writes where the user pointed it.
    pub fn refuse_own_file(&self, param: &str, path: &std::path::Path) -> Result<(), CoreError> {
        if self.data_dir.is_own_file(path) {
            return Err(CoreError::InvalidArgument(format!(
                "{param}: {} is one of Taskdeck's own files (its database or what belongs to \
                 it); choose another",
                path.display()
            )));
        }
        Ok(())
    }

    /// The task's id.
    pub fn task_id(&self) -> &str {
        self.logger.task_id()
    }

    /// The parameters, validated against the plugin's schema with defaults
    /// filled in.
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// The string parameter `name`, if given.
    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }

    /// All parameters decoded as the plugin's own struct `T` (a field per
    /// parameter its `info()` declares); a value that does not decode is an
    /// invalid-argument error naming the parameter.
    pub fn params_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, CoreError> {
        serde_json::from_value(Value::Object(self.params.clone()))
            .map_err(|error| CoreError::InvalidArgument(format!("invalid parameters: {error}")))
    }

    /// The parameter `name` decoded as `T`; a value that does not decode is
    /// an invalid-argument error naming the parameter.
    pub fn param<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, CoreError> {
        self.params
            .get(name)
            .map(|value| {
                serde_json::from_value(value.clone()).map_err(|error| {
                    CoreError::InvalidArgument(format!("invalid parameter `{name}`: {error}"))
                })
            })
            .transpose()
    }

    /// The logger whose source is the plugin's id.
    pub fn logger(&self) -> &TaskLogger {
        &self.logger
    }

    /// Opens a section of the task's log titled `title`, inside the ones
    /// open now; it closes when the returned [`Section`] is dropped (see
    /// [`TaskLogger::section`]).
    pub fn section(&self, title: impl Into<String>) -> Section {
        self.logger.section(title)
    }

    /// The token that is cancelled when the user cancels the task. Plugins
    /// select on [`CancellationToken::cancelled`] around long waits and
    /// return [`CoreError::Cancelled`].
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }

    /// Reports progress: `fraction` from 0.0 to 1.0 when known (clamped),
    /// and what the task is doing.
    pub fn report_progress(&self, fraction: Option<f64>, message: impl Into<String>) {
        let progress = TaskProgress {
            fraction: fraction
                .filter(|value| value.is_finite())
                .map(|value| value.clamp(0.0, 1.0)),
            message: message.into(),
        };
        *self.progress.lock() = Some(progress);
    }

    /// The latest progress report.
    pub fn progress(&self) -> Option<TaskProgress> {
        self.progress.lock().clone()
    }
}
