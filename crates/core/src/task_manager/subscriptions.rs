//! Following logs and tasks: the live subscriptions to a task's log (each
//! a [`Follower`] with a stop token, kept in the manager's
//! [`crate::task_log::follow::Subscriptions`] until it ends), every entry emitted, and
//! task status changes.

use std::sync::Arc;

use taskdeck_protocol::{LogEntry, LogFilter, TaskSummary};
use tokio::sync::broadcast;

use super::manager::TaskManager;
use crate::CoreError;
use crate::task_log::follow::{Follower, LiveSink};

impl TaskManager {
    /// Every entry emitted from now on, by any task (live view).
    pub fn subscribe_logs(&self) -> broadcast::Receiver<Arc<LogEntry>> {
        self.inner.buffer.subscribe()
    }

    /// Follows the task's log with `filter` (its level, source and search
    /// conditions; its cursors, limit and order do not apply), sending every
    /// matching entry after `after_seq` to `sink` in batches, then
    /// [`taskdeck_protocol::LiveLogMessage::End`] once the task has ended.
    /// An unknown task or an invalid filter (search syntax included) is
    /// refused here, before anything is sent. Returns the subscription's id
    /// for [`Self::unsubscribe_task_logs`].
    pub async fn subscribe_task_logs(
        &self,
        task_id: &str,
        filter: LogFilter,
        after_seq: u64,
        sink: LiveSink,
    ) -> Result<u64, CoreError> {
        filter.validate()?;
        let task = self.inner.tasks.identity(task_id).await?;
        // One cheap query surfaces search syntax errors now.
        let probe = LogFilter {
            limit: Some(1),
            after_seq: None,
            before_seq: None,
            ..filter.clone()
        };
        self.inner.logs.query_identity(&task, &probe).await?;
        let (id, stop) = self.inner.subscriptions.add();
        let follower = Follower {
            logs: self.inner.logs.clone(),
            tasks: self.inner.tasks.clone(),
            task,
            filter,
            cursor: after_seq,
            durable: self.inner.flusher.durable_writes(),
            stop,
            sink,
        };
        let manager = self.clone();
        tokio::spawn(async move {
            follower.run().await;
            manager.inner.subscriptions.forget(id);
        });
        Ok(id)
    }

    /// Ends a live subscription; `false` if it had already ended.
    pub fn unsubscribe_task_logs(&self, subscription_id: u64) -> bool {
        self.inner.subscriptions.end(subscription_id)
    }

    /// Every task status change from now on, and the summaries of running
    /// tasks as their entries become durable (at most every
    /// [`count_feed::COUNT_FEED_INTERVAL`]).
    pub fn subscribe_tasks(&self) -> broadcast::Receiver<TaskSummary> {
        self.inner.task_events.subscribe()
    }
}
