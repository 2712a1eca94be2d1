//! A task's run: validating the request, driving the plugin in its own
//! tokio task inside a capture span (a panic fails the task, not the app),
//! and recording how it ended once its last entry is durable.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;
use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{RunTaskRequest, TaskStatus, TaskSummary};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::context::{ProgressCell, TaskContext};
use super::manager::{RunningTask, TaskManager};
use crate::CoreError;
use crate::plugins::Plugin;
use crate::store::{self, tasks::TaskRepository};
use crate::task_log::buffer::TaskLog;
use crate::task_log::capture;
use crate::task_log::logger::TaskLogger;
use crate::task_log::secrets::{self, Secrets};

/// How many times a task's status (running, then its end) is written
/// while the database is busy (each try itself waits out the busy timeout).
const STATUS_TRIES: u32 = 4;

impl TaskManager {
    /// Validates the request and starts the task; returns it as created
    /// (`pending`). Unknown plugins and invalid parameters are refused
    /// before anything is stored.
    pub async fn run_task(&self, request: RunTaskRequest) -> Result<TaskSummary, CoreError> {
        if self.inner.closing.load(Ordering::Acquire) {
            return Err(CoreError::ShuttingDown);
        }
        let plugin = self.inner.plugins.get(&request.plugin_id)?;
        let schema = plugin.info().params;
        let params = schema.validate(&request.params)?;
        // Secret params reach the plugin, never the store or the log.
        let row = self
            .inner
            .tasks
            .create(
                &request.plugin_id,
                &secrets::without_secrets(&schema, &params),
                self.runner_id(),
            )
            .await?;
        let created = row.to_summary(None);
        let identity = Arc::new(row.identity());
        let log = TaskLog::new(identity, 0, Arc::clone(&self.inner.buffer))
            .with_secrets(Secrets::new(secrets::secret_texts(&schema, &params)));
        let log = Arc::new(log);
        let cancellation = CancellationToken::new();
        let progress = ProgressCell::default();
        let (finished_sender, finished) = watch::channel(false);
        self.lock_running().insert(
            row.id.clone(),
            RunningTask {
                cancellation: cancellation.clone(),
                progress: Arc::clone(&progress),
                finished,
            },
        );
        let _ = self.inner.task_events.send(created.clone());
        let manager = self.clone();
        let context = TaskContext::new(
            params,
            self.inner.store.data_dir().clone(),
            TaskLogger::new(Arc::clone(&log), &request.plugin_id),
            cancellation,
            progress,
        );
        let task_id = row.id;
        tokio::spawn(async move {
            manager.drive(plugin, log, context).await;
            manager.lock_running().remove(task_id.as_str());
            let _ = finished_sender.send(true);
        });
        Ok(created)
    }

    /// Runs the plugin and records how it ended.
    async fn drive(&self, plugin: Arc<dyn Plugin>, log: Arc<TaskLog>, context: TaskContext) {
        let key = log.identity().key;
        let system = TaskLogger::new(Arc::clone(&log), SYSTEM);
        let started = Instant::now();
        let running = store::retry_while_busy(STATUS_TRIES, "marking a task running", || {
            self.inner.tasks.mark_running(key)
        });
        let (status, error, result) = match running.await {
            Err(error) => (TaskStatus::Failed, Some(error.to_string()), None),
            Ok(()) => {
                self.publish(&log.identity().id).await;
                system.info(format!("started plugin `{}`", plugin.info().id));
                self.execute(plugin, &context, &system).await
            }
        };
        // Sections the plugin left open end with its work; the lines below
        // are the task's own.
        log.close_sections();
        if let Some(error) = &error {
            match status {
                TaskStatus::Cancelled => system.warning(format!("cancelled: {error}")),
                _ => system.error(format!("failed: {error}")),
            };
        }
        system.info(format!(
            "{status} after {:.2} s",
            started.elapsed().as_secs_f64()
        ));
        self.make_durable().await;
        // The task's row is shown as its log is: without its secrets.
        let error = error.map(|error| log.secrets().mask(error));
        let result = result.map(|mut result| {
            log.secrets().mask_value(&mut result);
            result
        });
        // Other processes writing at once can hold the database past the
        // busy timeout; a task whose end is not recorded would show as
        // running until it is marked interrupted.
        let recorded = store::retry_while_busy(STATUS_TRIES, "recording a task's end", || {
            TaskRepository::finish(
                self.inner.store.connection(),
                key,
                status,
                error.clone(),
                result.as_ref(),
            )
        })
        .await;
        if let Err(error) = recorded {
            tracing::error!(task_id = %log.identity().id, "could not record the task's end: {error}");
        }
        self.publish(&log.identity().id).await;
    }

    async fn execute(
        &self,
        plugin: Arc<dyn Plugin>,
        context: &TaskContext,
        system: &TaskLogger,
    ) -> (TaskStatus, Option<String>, Option<Value>) {
        let cancellation = context.cancellation().clone();
        let (span, registration) = capture::task_span(context.logger());
        let owned = context.clone();
        let mut work = tokio::spawn(async move { plugin.execute(owned).await }.instrument(span));
        let joined = tokio::select! {
            joined = &mut work => joined,
            () = cancellation.cancelled() => {
                match tokio::time::timeout(self.inner.config.cancel_grace, &mut work).await {
                    Ok(joined) => joined,
                    Err(_) => {
                        work.abort();
                        system.warning(format!(
                            "the plugin did not stop within {:.1} s of cancellation; its work was aborted",
                            self.inner.config.cancel_grace.as_secs_f64()
                        ));
                        return (TaskStatus::Cancelled, Some("cancelled by request".into()), None);
                    }
                }
            }
        };
        drop(registration);
        match joined {
            Ok(Ok(result)) => (TaskStatus::Succeeded, None, Some(result)),
            Ok(Err(CoreError::Cancelled)) => (
                TaskStatus::Cancelled,
                Some("cancelled by request".into()),
                None,
            ),
            Ok(Err(error)) => (TaskStatus::Failed, Some(error.to_string()), None),
            Err(join) if join.is_panic() => {
                let payload = join.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".to_owned());
                (
                    TaskStatus::Failed,
                    Some(format!("the plugin panicked: {message}")),
                    None,
                )
            }
            Err(_) => (
                TaskStatus::Cancelled,
                Some("cancelled by request".into()),
                None,
            ),
        }
    }

    /// Retries the flush until it succeeds or the manager stops: a task is
    /// reported finished only once its last entry is in the store.
    async fn make_durable(&self) {
        let mut delay = Duration::from_millis(100);
        while let Err(error) = self.inner.flusher.flush().await {
            if self.inner.closing.load(Ordering::Acquire) {
                return;
            }
            tracing::debug!(
                "a finished task's entries are not yet durable, retrying in {delay:?}: {error}"
            );
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Sends the summary of every task running in this process to task
    /// subscribers (the count feed); `false` once the manager is closing.
    pub(super) async fn publish_running(&self) -> bool {
        if self.inner.closing.load(Ordering::Acquire) {
            return false;
        }
        let running: Vec<String> = self.lock_running().keys().cloned().collect();
        for task_id in running {
            self.publish(&task_id).await;
        }
        true
    }

    async fn publish(&self, task_id: &str) {
        if self.inner.task_events.receiver_count() == 0 {
            return;
        }
        if let Ok(summary) = self.get_task(task_id).await {
            let _ = self.inner.task_events.send(summary);
        }
    }
}
