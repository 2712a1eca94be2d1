//! The search indexer: fills the substring index behind the writes.
//!
//! It wakes after each durable write (and once a second, for entries other
//! processes wrote or a database migrated from an older index) and indexes
//! waiting entries one chunk per write transaction (see
//! [`crate::store::logs::search_index`]) until none wait. While entries pile
//! up in memory — a program printing faster than the disk takes it — it
//! stands aside: the durable write comes first, searches scan what is not
//! indexed yet, and indexing catches up once the flood is over.

use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::buffer::LogBuffer;
use crate::store::logs::LogStore;
use crate::store::logs::search_index::IndexStep;

/// Entries indexed per transaction: long enough to amortise a commit,
/// short enough that a writer waiting for the lock waits little.
pub const INDEX_CHUNK: u64 = 2_000;
/// How often the indexer looks for waiting entries when nothing woke it.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How long it stands aside while entries wait in memory.
const BACK_OFF: Duration = Duration::from_millis(100);

/// The running indexer, until [`Indexer::stop`].
pub(crate) struct Indexer {
    stop: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Indexer {
    /// Starts the indexer on the current runtime. It publishes how many
    /// stored entries wait for the index on `waiting`.
    pub fn spawn(
        logs: LogStore,
        buffer: Arc<LogBuffer>,
        durable: watch::Receiver<u64>,
        waiting: watch::Sender<u64>,
    ) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(logs, buffer, durable, waiting, stop.clone()));
        Self {
            stop,
            task: Mutex::new(Some(task)),
        }
    }

    /// Stops the indexer and waits until it has (a chunk being indexed is
    /// finished first), so the store can close under it.
    pub async fn stop(&self) {
        self.stop.cancel();
        let task = self.task.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(
    logs: LogStore,
    buffer: Arc<LogBuffer>,
    mut durable: watch::Receiver<u64>,
    waiting: watch::Sender<u64>,
    stop: CancellationToken,
) {
    let mut failing = false;
    while !stop.is_cancelled() {
        // Entries waiting beyond one batch mean the writes are behind.
        let wait = if buffer.held() > buffer.max_batch() {
            Some(BACK_OFF)
        } else {
            // Counted only when about to index: not on every wake of a
            // flood, whose writes come first.
            if let Ok(count) = logs.entries_waiting_for_index().await {
                waiting.send_if_modified(|last| std::mem::replace(last, count) != count);
            }
            match logs.index_search_chunk(INDEX_CHUNK).await {
                Ok(IndexStep::Indexed(_)) => {
                    failing = false;
                    None
                }
                Ok(IndexStep::Idle) => {
                    failing = false;
                    Some(IDLE_POLL)
                }
                Err(error) => {
                    if !failing && !stop.is_cancelled() {
                        tracing::warn!("could not index log entries for search: {error}");
                    }
                    failing = true;
                    Some(IDLE_POLL)
                }
            }
        };
        let Some(wait) = wait else {
            tokio::task::yield_now().await;
            continue;
        };
        tokio::select! {
            () = stop.cancelled() => return,
            _ = durable.changed() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}
