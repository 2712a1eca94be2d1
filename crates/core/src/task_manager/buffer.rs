//! The in-memory log buffer between emitters and the flusher.
//!
//! Cost model of an emit: one mutex acquisition on the task's own shard
//! (tasks never share a lock, so producers in different tasks never wait
//! on each other), one `Vec` push of a [`LogRecord`] (the message moved in,
//! task and source shared), and — only when someone subscribed to live
//! entries — one `Arc<LogEntry>` sent on a broadcast channel. No I/O, no
//! await: emitting never waits on the database.
//!
//! A task's entries wait in chunks of at most `max_batch`; a backlog of
//! millions of entries (a burst faster than the disk) is many chunks, so no
//! push ever copies more than one chunk. The flusher takes every shard's
//! chunks, joining the small ones of different tasks into transactions of
//! up to `max_batch` entries.

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
    /// The shard of every task that may still have entries waiting.
    shards: Mutex<Vec<Arc<Shard>>>,
    /// Woken when a task's pending chunk reaches `max_batch`.
    pub(crate) full: Notify,
    max_batch: usize,
    live: broadcast::Sender<Arc<LogEntry>>,
}

/// One task's waiting entries, in `seq` order, in chunks of at most
/// `max_batch`.
#[derive(Debug, Default)]
struct Shard {
    pending: Mutex<Vec<Vec<LogRecord>>>,
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, Vec<Vec<LogRecord>>> {
        // A panic while holding the lock cannot leave the Vec half-pushed,
        // so a poisoned lock is still safe to use.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The log of one task: its identity, its `seq` counter and its shard.
#[derive(Debug)]
pub struct TaskLog {
    pub(crate) identity: Arc<TaskIdentity>,
    /// The last `seq` handed out; only changed under the shard's lock, so
    /// entries enter the buffer (and reach subscribers) in `seq` order.
    last_seq: AtomicU64,
    shard: Arc<Shard>,
    buffer: Arc<LogBuffer>,
}

/// A new chunk's first capacity: a task that logs a few lines does not
/// hold a whole batch's worth of memory.
const FIRST_CHUNK_CAPACITY: usize = 64;

impl LogBuffer {
    /// An empty buffer that asks for a flush once `max_batch` entries of a
    /// task wait.
    pub fn new(max_batch: usize) -> Self {
        let (live, _) = broadcast::channel(LIVE_CHANNEL_CAPACITY);
        Self {
            shards: Mutex::new(Vec::new()),
            full: Notify::new(),
            max_batch: max_batch.max(1),
            live,
        }
    }

    fn shards(&self) -> MutexGuard<'_, Vec<Arc<Shard>>> {
        self.shards.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes every waiting entry, each task's in emit order, in chunks of
    /// at most `max_batch` (small chunks of different tasks joined).
    /// Forgets the shards of tasks whose log is gone once emptied.
    pub fn take(&self) -> Vec<Vec<LogRecord>> {
        let mut chunks = Vec::new();
        self.shards().retain(|shard| {
            // Read before taking: once only this registry holds the shard,
            // nothing can be pushed into it after the take below.
            let orphan = Arc::strong_count(shard) == 1;
            chunks.append(&mut *shard.lock());
            !orphan
        });
        let mut batches = Vec::with_capacity(chunks.len());
        let mut joined: Vec<LogRecord> = Vec::new();
        for mut chunk in chunks {
            if chunk.len() >= self.max_batch {
                batches.push(chunk);
                continue;
            }
            if joined.len() + chunk.len() > self.max_batch {
                batches.push(std::mem::take(&mut joined));
            }
            joined.append(&mut chunk);
        }
        if !joined.is_empty() {
            batches.push(joined);
        }
        batches
    }

    /// A receiver of every entry emitted from now on, in `seq` order per
    /// task.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LogEntry>> {
        self.live.subscribe()
    }
}

impl TaskLog {
    /// The log of `identity`, continuing after `last_seq`, with a shard of
    /// its own in `buffer`.
    pub fn new(identity: Arc<TaskIdentity>, last_seq: u64, buffer: Arc<LogBuffer>) -> Self {
        let shard = Arc::new(Shard::default());
        buffer.shards().push(Arc::clone(&shard));
        Self {
            identity,
            last_seq: AtomicU64::new(last_seq),
            shard,
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
        let mut pending = self.shard.lock();
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
                let mut chunk = Vec::with_capacity(FIRST_CHUNK_CAPACITY.min(max_batch));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn task_log(buffer: &Arc<LogBuffer>, key: i64) -> TaskLog {
        let identity = TaskIdentity {
            key,
            id: format!("task-{key}"),
        };
        TaskLog::new(Arc::new(identity), 0, Arc::clone(buffer))
    }

    fn push(log: &TaskLog, count: usize) {
        let source: Arc<str> = Arc::from("test");
        for index in 0..count {
            log.push(LogLevel::Info, &source, format!("line {index}"), None);
        }
    }

    #[test]
    fn take_keeps_each_tasks_order_and_joins_small_chunks() {
        let buffer = Arc::new(LogBuffer::new(4));
        let (first, second) = (task_log(&buffer, 1), task_log(&buffer, 2));
        push(&first, 6);
        push(&second, 1);
        let batches = buffer.take();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(
            sizes,
            vec![4, 3],
            "a full chunk, then the partial ones joined"
        );
        let seqs = |key: i64| -> Vec<u64> {
            batches
                .iter()
                .flatten()
                .filter(|record| record.task.key == key)
                .map(|record| record.seq)
                .collect()
        };
        assert_eq!(seqs(1), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(seqs(2), vec![1]);
        assert!(buffer.take().is_empty());
        push(&first, 1);
        assert_eq!(buffer.take().concat()[0].seq, 7);
    }

    #[test]
    fn a_gone_tasks_entries_are_taken_and_then_its_shard_is_forgotten() {
        let buffer = Arc::new(LogBuffer::new(4));
        let log = task_log(&buffer, 1);
        push(&log, 2);
        drop(log);
        assert_eq!(buffer.shards().len(), 1);
        assert_eq!(buffer.take().concat().len(), 2, "nothing lost");
        assert!(buffer.shards().is_empty());
    }
}
