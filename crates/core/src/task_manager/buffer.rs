//! The in-memory log buffer between emitters and the flusher.
//!
//! Cost model of an emit: one uncontended mutex acquisition, one `Vec` push
//! of a [`LogRecord`] (the message moved in, task and source shared), and —
//! only when someone subscribed to live entries — one `Arc<LogEntry>` sent on
//! a broadcast channel. No I/O, no await: emitting never waits on the
//! database.
//!
//! Entries wait in chunks of at most `max_batch`, each allocated once at its
//! full size, so a backlog of millions of entries (a burst faster than the
//! disk) never reallocates and copies a huge vector under the lock. A chunk
//! is exactly one flush transaction; the flusher takes all chunks in O(1).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};
use taskdeck_protocol::{LogEntry, LogLevel};
use tokio::sync::{Notify, broadcast};

use crate::store::logs::record::{LogRecord, MAX_SEQ, TaskIdentity, now_millis};

/// How many live entries a slow subscriber may fall behind before it is
/// told it lagged (it then fills the gap from the store).
pub const LIVE_CHANNEL_CAPACITY: usize = 16_384;

/// Entries waiting to be written, shared by every task of one manager.
#[derive(Debug)]
pub struct LogBuffer {
    pending: Mutex<Vec<Vec<LogRecord>>>,
    /// Woken when the pending batch reaches `max_batch`.
    pub(crate) full: Notify,
    max_batch: usize,
    live: broadcast::Sender<Arc<LogEntry>>,
}

/// The log of one task: its identity and its `seq` counter.
#[derive(Debug)]
pub struct TaskLog {
    pub(crate) identity: Arc<TaskIdentity>,
    /// The last `seq` handed out; only changed under the buffer's lock, so
    /// entries enter the buffer (and reach subscribers) in `seq` order.
    last_seq: AtomicU64,
    buffer: Arc<LogBuffer>,
}

impl LogBuffer {
    /// An empty buffer that asks for a flush once `max_batch` entries wait.
    pub fn new(max_batch: usize) -> Self {
        let (live, _) = broadcast::channel(LIVE_CHANNEL_CAPACITY);
        Self {
            pending: Mutex::new(Vec::new()),
            full: Notify::new(),
            max_batch: max_batch.max(1),
            live,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Vec<LogRecord>>> {
        // A panic while holding the lock cannot leave the Vec half-pushed,
        // so a poisoned lock is still safe to use.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes every waiting entry, in emit order, in chunks of at most
    /// `max_batch`.
    pub fn take(&self) -> Vec<Vec<LogRecord>> {
        std::mem::take(&mut *self.lock())
    }

    /// A receiver of every entry emitted from now on, in `seq` order per
    /// task.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LogEntry>> {
        self.live.subscribe()
    }
}

impl TaskLog {
    /// The log of `identity`, continuing after `last_seq`.
    pub fn new(identity: Arc<TaskIdentity>, last_seq: u64, buffer: Arc<LogBuffer>) -> Self {
        Self {
            identity,
            last_seq: AtomicU64::new(last_seq),
            buffer,
        }
    }

    /// The task's identities.
    pub fn identity(&self) -> &TaskIdentity {
        &self.identity
    }

    /// Appends one entry and returns its `seq`, or `None` once the task has
    /// used every `seq` (more than four billion entries).
    pub fn push(
        &self,
        level: LogLevel,
        source: &Arc<str>,
        message: String,
        metadata: Option<Map<String, Value>>,
    ) -> Option<u64> {
        let timestamp_ms = now_millis();
        let mut pending = self.buffer.lock();
        let seq = self.last_seq.load(Ordering::Relaxed) + 1;
        if seq > MAX_SEQ {
            return None;
        }
        self.last_seq.store(seq, Ordering::Relaxed);
        let record = LogRecord {
            task: Arc::clone(&self.identity),
            seq,
            timestamp_ms,
            level,
            source: Arc::clone(source),
            message,
            metadata,
        };
        if self.buffer.live.receiver_count() > 0 {
            // Nobody listening is the normal case; a send error only means
            // the last subscriber left meanwhile.
            let _ = self.buffer.live.send(Arc::new(record.to_entry()));
        }
        let max_batch = self.buffer.max_batch;
        match pending.last_mut() {
            Some(chunk) if chunk.len() < max_batch => chunk.push(record),
            _ => {
                let mut chunk = Vec::with_capacity(max_batch);
                chunk.push(record);
                pending.push(chunk);
            }
        }
        let full = pending.last().is_some_and(|chunk| chunk.len() == max_batch);
        drop(pending);
        if full {
            self.buffer.full.notify_one();
        }
        Some(seq)
    }
}
