//! [`TaskManager`]: runs tasks, and is the one door to their logs while
//! they run.
//!
//! A run goes `pending → running → succeeded | failed | cancelled`. The
//! plugin executes in its own tokio task inside a capture span, so a panic
//! is caught (the task fails, the app keeps running) and `tracing` events
//! land in the task's log. The final status is written only after the
//! task's last entry is durable.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{
    LogEntry, LogFilter, LogPage, LogStats, PluginInfo, RemovalReport, RunTaskRequest, Settings,
    StorageStatus, TaskListFilter, TaskStatus, TaskSummary,
};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::buffer::{LogBuffer, TaskLog};
use super::capture;
use super::context::{ProgressCell, TaskContext};
use super::count_feed;
use super::flusher::{FlushConfig, Flusher};
use super::indexer::Indexer;
use super::live::{Follower, LiveSink};
use super::logger::TaskLogger;
use super::runner::{self, RunnerLock};
use super::secrets::Secrets;
use crate::cleanup::TaskCleanupService;
use crate::plugins::{Plugin, PluginRegistry};
use crate::settings::SettingsRepository;
use crate::store::logs::TaskLogPersistenceService;
use crate::store::tasks::TaskRepository;
use crate::{CoreError, Store};

/// How long a read of a running task waits for its newest entries to be
/// written before it answers from what is already durable.
const SETTLE_WAIT: Duration = Duration::from_millis(500);

/// The environment variable that overrides [`FlushConfig::interval`], in
/// milliseconds.
pub const FLUSH_INTERVAL_ENV: &str = "TASKDECK_FLUSH_INTERVAL_MS";
/// The environment variable that overrides [`FlushConfig::max_batch`].
pub const FLUSH_BATCH_ENV: &str = "TASKDECK_FLUSH_BATCH";

/// How many status changes a slow subscriber may fall behind.
const TASK_EVENT_CAPACITY: usize = 1024;

/// How a manager behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagerConfig {
    /// When buffered entries are written.
    pub flush: FlushConfig,
    /// How long a cancelled plugin may take to stop before its work is
    /// aborted. Default 5 s.
    pub cancel_grace: Duration,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            flush: FlushConfig::default(),
            cancel_grace: Duration::from_secs(5),
        }
    }
}

impl ManagerConfig {
    /// The defaults, with [`FLUSH_INTERVAL_ENV`] and [`FLUSH_BATCH_ENV`]
    /// applied; a value that is not a positive whole number is an error
    /// naming the variable.
    pub fn from_env() -> Result<Self, CoreError> {
        Self::default().with_env()
    }

    /// The user's saved flush interval, with the environment variables
    /// above applied over it.
    pub fn from_settings_and_env(settings: &Settings) -> Result<Self, CoreError> {
        let mut config = Self::default();
        config.flush.interval = Duration::from_millis(u64::from(settings.flush_interval_ms));
        config.with_env()
    }

    /// What an app or CLI process starts with: the settings saved in
    /// `store` (see [`SettingsRepository::load_for_start`]), then the
    /// environment.
    pub async fn for_store(store: &Store) -> Result<Self, CoreError> {
        let settings = SettingsRepository::new(store).load_for_start().await;
        Self::from_settings_and_env(&settings)
    }

    fn with_env(mut self) -> Result<Self, CoreError> {
        if let Some(millis) = positive_env(FLUSH_INTERVAL_ENV)? {
            self.flush.interval = Duration::from_millis(millis);
        }
        if let Some(batch) = positive_env(FLUSH_BATCH_ENV)? {
            self.flush.max_batch = usize::try_from(batch).unwrap_or(usize::MAX);
        }
        Ok(self)
    }
}

fn positive_env(name: &str) -> Result<Option<u64>, CoreError> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(value) if value > 0 => Ok(Some(value)),
            _ => Err(CoreError::InvalidArgument(format!(
                "{name} must be a positive whole number, not {text:?}"
            ))),
        },
    }
}

/// A task running in this process.
struct RunningTask {
    cancellation: CancellationToken,
    progress: ProgressCell,
    finished: watch::Receiver<bool>,
}

struct Inner {
    store: Store,
    tasks: TaskRepository,
    logs: TaskLogPersistenceService,
    plugins: PluginRegistry,
    buffer: Arc<LogBuffer>,
    flusher: Flusher,
    runner: RunnerLock,
    running: Mutex<HashMap<String, RunningTask>>,
    task_events: broadcast::Sender<TaskSummary>,
    subscriptions: Mutex<HashMap<u64, CancellationToken>>,
    next_subscription: std::sync::atomic::AtomicU64,
    closing: AtomicBool,
    /// The search indexer.
    indexer: Indexer,
    /// How many stored entries wait for the search index.
    index_backlog: watch::Receiver<u64>,
    config: ManagerConfig,
}

/// Runs tasks and owns their logs' way to the store. Cheap to clone.
#[derive(Clone)]
pub struct TaskManager {
    inner: Arc<Inner>,
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
        let logs = TaskLogPersistenceService::new(&store);
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
                subscriptions: Mutex::new(HashMap::new()),
                next_subscription: std::sync::atomic::AtomicU64::new(1),
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
                &schema.without_secrets(&params),
                self.runner_id(),
            )
            .await?;
        let created = row.to_summary(None);
        let identity = Arc::new(row.identity());
        let log = TaskLog::new(identity, 0, Arc::clone(&self.inner.buffer))
            .with_secrets(Secrets::new(schema.secrets(&params)));
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
        let (status, error, result) = match self.inner.tasks.mark_running(key).await {
            Err(error) => (TaskStatus::Failed, Some(error.to_string()), None),
            Ok(()) => {
                self.publish(&log.identity().id).await;
                system.info(format!("started plugin `{}`", plugin.info().id));
                self.execute(plugin, &context, &system).await
            }
        };
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
        if let Err(error) = TaskRepository::finish(
            self.inner.store.connection(),
            key,
            status,
            error,
            result.as_ref(),
        )
        .await
        {
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

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningTask>> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

    /// One task, with its progress if it runs here.
    pub async fn get_task(&self, task_id: &str) -> Result<TaskSummary, CoreError> {
        let row = self.inner.tasks.get(task_id).await?;
        Ok(row.to_summary(self.progress_of(task_id)))
    }

    /// Tasks, newest first.
    pub async fn list_tasks(&self, filter: &TaskListFilter) -> Result<Vec<TaskSummary>, CoreError> {
        let rows = self.inner.tasks.list(filter).await?;
        Ok(rows
            .iter()
            .map(|row| row.to_summary(self.progress_of(&row.id)))
            .collect())
    }

    fn progress_of(&self, task_id: &str) -> Option<taskdeck_protocol::TaskProgress> {
        self.lock_running().get(task_id).and_then(|running| {
            running
                .progress
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        })
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
    /// [`TaskLogPersistenceService::count`]); buffered entries included.
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

    /// The sources of a task's log.
    pub async fn log_sources(&self, task_id: &str) -> Result<Vec<String>, CoreError> {
        self.settle(task_id).await;
        self.inner.logs.sources(task_id).await
    }

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
        let id = self.inner.next_subscription.fetch_add(1, Ordering::Relaxed);
        let stop = CancellationToken::new();
        self.lock_subscriptions().insert(id, stop.clone());
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
            manager.lock_subscriptions().remove(&id);
        });
        Ok(id)
    }

    /// Ends a live subscription; `false` if it had already ended.
    pub fn unsubscribe_task_logs(&self, subscription_id: u64) -> bool {
        match self.lock_subscriptions().remove(&subscription_id) {
            Some(stop) => {
                stop.cancel();
                true
            }
            None => false,
        }
    }

    fn lock_subscriptions(&self) -> std::sync::MutexGuard<'_, HashMap<u64, CancellationToken>> {
        self.inner
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every task status change from now on, and the summaries of running
    /// tasks as their entries become durable (at most every
    /// [`count_feed::COUNT_FEED_INTERVAL`]).
    pub fn subscribe_tasks(&self) -> broadcast::Receiver<TaskSummary> {
        self.inner.task_events.subscribe()
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
        for (_, stop) in self.lock_subscriptions().drain() {
            stop.cancel();
        }
        // What is not indexed yet is indexed by the next engine to run.
        self.inner.indexer.stop().await;
        self.inner.flusher.stop().await
    }
}
