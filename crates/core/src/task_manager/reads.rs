//! The manager's reads: tasks with their progress, and a task's log pages,
//! counts, stats and sources, including what a running task emitted a
//! moment ago.

use std::time::Duration;

use taskdeck_protocol::{LogFilter, LogPage, LogStats, TaskListFilter, TaskPage, TaskSummary};

use super::manager::TaskManager;
use crate::CoreError;

/// How long a read of a running task waits for its newest entries to be
/// written before it answers from what is already durable.
pub(super) const SETTLE_WAIT: Duration = Duration::from_millis(500);

impl TaskManager {
    /// One task, with its progress if it runs here.
    pub async fn get_task(&self, task_id: &str) -> Result<TaskSummary, CoreError> {
        let row = self.inner.tasks.get(task_id).await?;
        Ok(row.to_summary(self.progress_of(task_id)))
    }

    /// One page of the tasks `filter` matches, with counts per status.
    pub async fn list_tasks(&self, filter: &TaskListFilter) -> Result<TaskPage, CoreError> {
        let listed = self.inner.tasks.list(filter).await?;
        Ok(TaskPage {
            tasks: listed
                .rows
                .iter()
                .map(|row| row.to_summary(self.progress_of(&row.id)))
                .collect(),
            previous: listed.previous,
            next: listed.next,
            total: listed.counts.total_of(&filter.statuses),
            counts: listed.counts,
        })
    }

    pub(super) fn progress_of(&self, task_id: &str) -> Option<taskdeck_protocol::TaskProgress> {
        self.lock_running()
            .get(task_id)
            .and_then(|running| running.progress.lock().clone())
    }

    /// Makes a task that runs here durable up to now, so that reads never
    /// miss its latest entries (they may be in the buffer or in a write the
    /// flusher has under way). A flush with nothing pending costs one
    /// round trip to the flusher; other tasks need nothing.
    ///
    /// While the database cannot be written (locked by another process,
    /// disk full) the flush cannot finish: after [`SETTLE_WAIT`] the read
    /// answers from what is durable, so reads keep answering.
    pub(crate) async fn settle(&self, task_id: &str) {
        let runs_here = self.lock_running().contains_key(task_id);
        if runs_here {
            match tokio::time::timeout(SETTLE_WAIT, self.inner.flusher.flush()).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::debug!(task_id, "reading without the newest entries: {error}");
                }
                Err(_) => tracing::debug!(
                    task_id,
                    "reading without the newest entries: the write waits"
                ),
            }
        }
    }

    /// One page of a task's entries matching `filter`, including entries a
    /// running task emitted a moment ago.
    pub async fn query_logs(
        &self,
        task_id: &str,
        filter: &LogFilter,
    ) -> Result<LogPage, CoreError> {
        filter.validate()?;
        self.settle(task_id).await;
        self.inner.logs.query(task_id, filter).await
    }

    /// How many entries of a task match `filter` (see
    /// [`LogStore::count`]); buffered entries included.
    pub async fn count_logs(
        &self,
        task_id: &str,
        filter: &LogFilter,
    ) -> Result<taskdeck_protocol::LogCount, CoreError> {
        filter.validate()?;
        self.settle(task_id).await;
        self.inner.logs.count(task_id, filter).await
    }

    /// Stats of a task's log.
    pub async fn log_stats(&self, task_id: &str) -> Result<LogStats, CoreError> {
        self.settle(task_id).await;
        self.inner.logs.stats(task_id).await
    }

    /// A task's entries per level in about `buckets` equal stretches of
    /// its run; buffered entries included.
    pub async fn log_timeline(
        &self,
        task_id: &str,
        buckets: u32,
    ) -> Result<taskdeck_protocol::LogTimeline, CoreError> {
        self.settle(task_id).await;
        self.inner.logs.timeline(task_id, buckets).await
    }

    /// A task's sections, in the order they opened; buffered entries
    /// included.
    pub async fn log_sections(
        &self,
        task_id: &str,
    ) -> Result<Vec<taskdeck_protocol::LogSection>, CoreError> {
        self.settle(task_id).await;
        self.inner.logs.sections(task_id).await
    }

    /// The sources of a task's log.
    pub async fn log_sources(&self, task_id: &str) -> Result<Vec<String>, CoreError> {
        self.settle(task_id).await;
        self.inner.logs.sources(task_id).await
    }
}
