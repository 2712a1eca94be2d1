//! Live log subscriptions: one task, one filter, batches of matching
//! entries as they become durable; and [`Subscriptions`], the registry of
//! a manager's running ones.
//!
//! A subscription reads from the store, with the same keyset queries as
//! history, each time the flusher commits (or every [`FOREIGN_POLL`] for a
//! task that another process runs). So filtering — level, source and full
//! text alike — happens in the core process with exactly the rules of a
//! history query, a non-matching entry is never sent, and the live view and
//! the stored log agree line for line by construction. Latency is at most
//! one flush interval plus one query.
//!
//! A subscriber that is more than [`MAX_ENTRIES_PER_ROUND`] matching
//! entries behind receives a gap notice and the newest batch instead; it
//! reads the gap from the store when it needs it. After each round the
//! subscription rests in proportion to what it sent ([`LIVE_RATE`]), so a
//! task logging faster than any screen can show is skipped through with gap
//! notices instead of piling messages up in the webview (which then stops
//! answering).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};

use taskdeck_protocol::{IpcError, LiveLogMessage, LogFilter, LogPage, Order};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::CoreError;
use crate::store::logs::LogStore;
use crate::store::logs::record::TaskIdentity;
use crate::store::tasks::TaskRepository;

/// Entries per message at most.
pub const LIVE_BATCH: u32 = 1_000;
/// Entries sent per wake-up before the subscription skips ahead with a gap
/// notice.
pub const MAX_ENTRIES_PER_ROUND: usize = 5_000;
/// The most entries a second a subscription sends, on average: far more
/// than anyone reads, and well within what the webview renders.
pub const LIVE_RATE: f64 = 20_000.0;
/// How often a subscription looks at the store when no local write wakes it
/// (the task runs in another process).
pub const FOREIGN_POLL: Duration = Duration::from_millis(250);

/// Where a subscription's messages go; returns `false` once the subscriber
/// is gone, which ends the subscription.
pub type LiveSink = Box<dyn Fn(LiveLogMessage) -> bool + Send + Sync>;

/// Everything a running subscription needs.
pub(crate) struct Follower {
    pub logs: LogStore,
    pub tasks: TaskRepository,
    pub task: TaskIdentity,
    pub filter: LogFilter,
    pub cursor: u64,
    pub durable: watch::Receiver<u64>,
    pub stop: CancellationToken,
    pub sink: LiveSink,
}

impl Follower {
    /// The filter's conditions with a live cursor: oldest first, one batch.
    fn page_filter(&self, order: Order) -> LogFilter {
        LogFilter {
            after_seq: Some(self.cursor),
            before_seq: None,
            limit: Some(LIVE_BATCH),
            order,
            ..self.filter.clone()
        }
    }

    /// Sends until the task has ended and everything matching was sent, the
    /// subscriber leaves, or the subscription is stopped.
    pub async fn run(mut self) {
        if let Err(error) = self.follow().await {
            (self.sink)(LiveLogMessage::Failed {
                error: IpcError::from(error),
            });
        }
    }

    async fn follow(&mut self) -> Result<(), CoreError> {
        loop {
            // Read the status first: if it says finished, every entry was
            // durable before it was written, so the drain below sees all.
            let status = self.tasks.get(&self.task.id).await?.task_status();
            let Some(sent) = self.drain().await? else {
                return Ok(());
            };
            if status.is_finished() {
                (self.sink)(LiveLogMessage::End { status });
                return Ok(());
            }
            let rest = Duration::from_secs_f64(sent as f64 / LIVE_RATE);
            tokio::select! {
                () = self.stop.cancelled() => return Ok(()),
                () = tokio::time::sleep(rest) => {}
            }
            tokio::select! {
                () = self.stop.cancelled() => return Ok(()),
                changed = self.durable.changed() => {
                    if changed.is_err() {
                        // The flusher stopped: the manager is shutting down.
                        tokio::time::sleep(FOREIGN_POLL).await;
                    }
                }
                () = tokio::time::sleep(FOREIGN_POLL) => {}
            }
        }
    }

    /// Sends the stored matching entries after the cursor; returns how many
    /// it sent, `None` when the subscriber is gone.
    async fn drain(&mut self) -> Result<Option<usize>, CoreError> {
        let mut sent = 0usize;
        loop {
            let page = self
                .logs
                .query_identity(&self.task, &self.page_filter(Order::Ascending))
                .await?;
            if page.entries.is_empty() {
                return Ok(Some(sent));
            }
            if sent >= MAX_ENTRIES_PER_ROUND && page.next_cursor.is_some() {
                return Ok(self.skip_ahead().await?.map(|newest| sent + newest));
            }
            sent += page.entries.len();
            let more = page.next_cursor.is_some();
            if !self.send(page) {
                return Ok(None);
            }
            if !more {
                return Ok(Some(sent));
            }
        }
    }

    /// Far behind: announce the gap and send the newest batch; returns how
    /// many entries it sent, `None` when the subscriber is gone.
    async fn skip_ahead(&mut self) -> Result<Option<usize>, CoreError> {
        let mut newest = self
            .logs
            .query_identity(&self.task, &self.page_filter(Order::Descending))
            .await?;
        newest.entries.reverse();
        let Some(first) = newest.entries.first() else {
            return Ok(Some(0));
        };
        if first.seq > self.cursor + 1 {
            let gap = LiveLogMessage::Gap {
                after_seq: self.cursor,
                before_seq: first.seq,
            };
            if !(self.sink)(gap) {
                return Ok(None);
            }
        }
        let count = newest.entries.len();
        Ok(self.send(newest).then_some(count))
    }

    fn send(&mut self, page: LogPage) -> bool {
        if self.stop.is_cancelled() {
            return false;
        }
        if let Some(last) = page.entries.last() {
            self.cursor = last.seq;
        }
        (self.sink)(LiveLogMessage::Entries {
            entries: page.entries,
        })
    }
}

/// The live subscriptions of one manager: each one's stop token by id.
#[derive(Debug)]
pub(crate) struct Subscriptions {
    next: AtomicU64,
    stops: Mutex<HashMap<u64, CancellationToken>>,
}

impl Default for Subscriptions {
    fn default() -> Self {
        Self {
            next: AtomicU64::new(1),
            stops: Mutex::default(),
        }
    }
}

impl Subscriptions {
    /// A new subscription's id and the token that stops it.
    pub(crate) fn add(&self) -> (u64, CancellationToken) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let stop = CancellationToken::new();
        self.lock().insert(id, stop.clone());
        (id, stop)
    }

    /// Stops subscription `id`; `false` if it had already ended.
    pub(crate) fn end(&self, id: u64) -> bool {
        self.lock().remove(&id).map(|stop| stop.cancel()).is_some()
    }

    /// Forgets subscription `id`, which ended by itself.
    pub(crate) fn forget(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Stops every subscription.
    pub(crate) fn end_all(&self) {
        for (_, stop) in self.lock().drain() {
            stop.cancel();
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, CancellationToken>> {
        self.stops.lock()
    }
}
