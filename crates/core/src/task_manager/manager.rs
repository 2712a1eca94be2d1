//! [`TaskManager`]: runs tasks, and is the one door to their logs while
//! they run. This file holds its state (the tasks running here, the log
//! buffer, flusher, indexer and subscriptions), its start, status, cancel
//! and shutdown; a run is in `run.rs`, the reads in `reads.rs`,
//! following logs and tasks in `subscriptions.rs`.
//!
//! A run goes `pending → running → succeeded | failed | cancelled`; the
//! final status is written only after the task's last entry is durable.

use parking_lot::{Mutex, MutexGuard};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use taskdeck_protocol::{PluginInfo, RemovalReport, StorageStatus, TaskSummary};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::config::ManagerConfig;
use super::context::ProgressCell;
use super::count_feed;
use super::runner::{self, RunnerLock};
use crate::cleanup::TaskCleanupService;
use crate::plugins::PluginRegistry;
use crate::store::logs::LogStore;
use crate::store::tasks::TaskRepository;
use crate::task_log::buffer::LogBuffer;
use crate::task_log::flusher::Flusher;
use crate::task_log::follow::Subscriptions;
use crate::task_log::indexer::Indexer;
use crate::{CoreError, Store};

/// How many status changes a slow subscriber may fall behind.
const TASK_EVENT_CAPACITY: usize = 1024;

/// A task running in this process.
pub(super) struct RunningTask {
    pub(super) cancellation: CancellationToken,
    pub(super) progress: ProgressCell,
    pub(super) finished: watch::Receiver<bool>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) tasks: TaskRepository,
    pub(super) logs: LogStore,
    pub(super) plugins: PluginRegistry,
    pub(super) buffer: Arc<LogBuffer>,
    pub(super) flusher: Flusher,
    pub(super) runner: RunnerLock,
    pub(super) running: Mutex<HashMap<String, RunningTask>>,
    pub(super) task_events: broadcast::Sender<TaskSummary>,
    pub(super) subscriptions: Subscriptions,
    pub(super) closing: AtomicBool,
    /// The search indexer.
    pub(super) indexer: Indexer,
    /// How many stored entries wait for the search index.
    pub(super) index_backlog: watch::Receiver<u64>,
    pub(super) config: ManagerConfig,
}

/// Runs tasks and owns their logs' way to the store. Cheap to clone.
#[derive(Clone)]
pub struct TaskManager {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for TaskManager {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TaskManager")
            .field("runner", &self.inner.runner.id())
            .field("plugins", &self.inner.plugins)
            .finish_non_exhaustive()
    }
}

impl TaskManager {
    /// Starts a manager on `store`: takes a runner identity, marks the
    /// tasks of dead processes `interrupted`, and starts the flusher. Must
    /// be called inside a tokio runtime.
    pub async fn start(
        store: Store,
        plugins: PluginRegistry,
        config: ManagerConfig,
    ) -> Result<Self, CoreError> {
        let runner = RunnerLock::acquire(store.data_dir())?;
        let interrupted = runner::recover_interrupted(&store, runner.id()).await?;
        if !interrupted.is_empty() {
            tracing::warn!(
                count = interrupted.len(),
                "tasks of dead processes marked interrupted"
            );
        }
        let logs = LogStore::new(&store);
        let buffer = Arc::new(LogBuffer::new(
            config.flush.max_batch,
            config.flush.max_held,
        ));
        let flusher = Flusher::start(Arc::clone(&buffer), logs.clone(), config.flush);
        let (task_events, _) = broadcast::channel(TASK_EVENT_CAPACITY);
        let (index_waiting, index_backlog) = watch::channel(0);
        let indexer = Indexer::spawn(
            logs.clone(),
            Arc::clone(&buffer),
            flusher.durable_writes(),
            index_waiting,
        );
        let manager = Self {
            inner: Arc::new(Inner {
                tasks: TaskRepository::new(&store),
                store,
                logs,
                plugins,
                buffer,
                flusher,
                runner,
                running: Mutex::new(HashMap::new()),
                task_events,
                subscriptions: Subscriptions::default(),
                closing: AtomicBool::new(false),
                indexer,
                index_backlog,
                config,
            }),
        };
        // Weak: the feed must not keep the manager alive.
        let weak = Arc::downgrade(&manager.inner);
        count_feed::spawn(
            move || {
                let manager = weak.upgrade().map(|inner| TaskManager { inner });
                async move {
                    match manager {
                        Some(manager) => manager.publish_running().await,
                        None => false,
                    }
                }
            },
            manager.inner.flusher.durable_writes(),
        );
        Ok(manager)
    }

    /// Why log entries cannot be written right now (`None` while they
    /// can): they then wait in memory, up to the buffer's bound.
    pub fn storage_error(&self) -> watch::Receiver<Option<String>> {
        self.inner.flusher.storage_error()
    }

    /// How many log entries wait in memory to be written.
    pub fn entries_held(&self) -> usize {
        self.inner.buffer.held()
    }

    /// Whether entries can be written now, and how many wait (what the UI
    /// shows while they cannot).
    pub fn storage_status(&self) -> StorageStatus {
        StorageStatus {
            error: self.inner.flusher.storage_error().borrow().clone(),
            entries_held: u64::try_from(self.entries_held()).unwrap_or(u64::MAX),
            entries_to_index: *self.inner.index_backlog.borrow(),
        }
    }

    /// How many stored entries waited for the search index when the
    /// indexer last looked (it looks before each chunk it indexes).
    pub fn index_backlog(&self) -> watch::Receiver<u64> {
        self.inner.index_backlog.clone()
    }

    /// How many stored entries wait for the search index (searches scan
    /// them meanwhile, so results stay complete).
    pub async fn entries_waiting_for_index(&self) -> Result<u64, CoreError> {
        self.inner.logs.entries_waiting_for_index().await
    }

    /// The store this manager writes to.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// This process's runner id (stored on the tasks it runs).
    pub fn runner_id(&self) -> &str {
        self.inner.runner.id()
    }

    /// Marks the unfinished tasks of processes that have died since this
    /// manager started `interrupted` (start-up does it once; a long-lived
    /// reader such as `taskdeck logs --follow` calls this as it polls).
    /// Returns the ids of the tasks marked.
    pub async fn recover_interrupted(&self) -> Result<Vec<String>, CoreError> {
        runner::recover_interrupted(&self.inner.store, self.runner_id()).await
    }

    /// The plugins it can run.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        self.inner.plugins.list()
    }

    pub(super) fn lock_running(&self) -> MutexGuard<'_, HashMap<String, RunningTask>> {
        self.inner.running.lock()
    }

    /// Asks a running task to stop. Unknown tasks are `not_found`; tasks
    /// that already finished, or run in another process, are refused.
    pub async fn cancel_task(&self, task_id: &str) -> Result<(), CoreError> {
        if let Some(running) = self.lock_running().get(task_id) {
            running.cancellation.cancel();
            return Ok(());
        }
        let row = self.inner.tasks.get(task_id).await?;
        let status = row.task_status();
        Err(CoreError::InvalidArgument(if status.is_finished() {
            format!("task {task_id} already ended ({status})")
        } else {
            format!("task {task_id} runs in another Taskdeck process; cancel it there")
        }))
    }

    /// Waits until the task ends (if it runs here) and returns it.
    pub async fn wait(&self, task_id: &str) -> Result<TaskSummary, CoreError> {
        let finished = self
            .lock_running()
            .get(task_id)
            .map(|running| running.finished.clone());
        if let Some(mut finished) = finished {
            let _ = finished.wait_for(|done| *done).await;
        }
        self.get_task(task_id).await
    }

    /// Deletes finished tasks with their logs; running ones are refused
    /// (cancel them first) and nothing is deleted.
    pub async fn delete_tasks(&self, task_ids: &[String]) -> Result<RemovalReport, CoreError> {
        if let Some(running) = task_ids
            .iter()
            .find(|id| self.lock_running().contains_key(id.as_str()))
        {
            return Err(CoreError::InvalidArgument(format!(
                "task {running} is running; cancel it before deleting it"
            )));
        }
        TaskCleanupService::new(&self.inner.store)
            .delete(task_ids)
            .await
    }

    /// Writes every buffered entry now.
    pub async fn flush(&self) -> Result<(), CoreError> {
        self.inner.flusher.flush().await
    }

    /// Graceful shutdown: refuses new tasks, cancels running ones, waits
    /// for them to end (each within the cancel grace), writes every entry
    /// and stops the flusher.
    pub async fn shutdown(&self) -> Result<(), CoreError> {
        self.inner.closing.store(true, Ordering::Release);
        let waiting: Vec<watch::Receiver<bool>> = self
            .lock_running()
            .values()
            .map(|running| {
                running.cancellation.cancel();
                running.finished.clone()
            })
            .collect();
        for mut finished in waiting {
            let _ = finished.wait_for(|done| *done).await;
        }
        self.inner.subscriptions.end_all();
        // What is not indexed yet is indexed by the next engine to run.
        self.inner.indexer.stop().await;
        self.inner.flusher.stop().await
    }
}
