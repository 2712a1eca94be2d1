//! The flusher: the one task that moves buffered entries into the store.
//!
//! It writes when [`FlushConfig::max_batch`] entries wait, every
//! [`FlushConfig::interval`] otherwise, and at once when asked (a task
//! finishing, a query on a running task, shutdown). Each transaction holds
//! at most `max_batch` entries. A failed write keeps its entries in memory,
//! in order, and is retried on the next round: nothing is dropped while the
//! database is unavailable (up to the buffer's bound, see [`LogBuffer`]).

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use std::sync::Arc;

use super::buffer::LogBuffer;
use crate::CoreError;
use crate::store::logs::LogStore;
use crate::store::logs::record::LogRecord;

/// When the flusher writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushConfig {
    /// The longest an entry waits in memory when few are emitted. It bounds
    /// what a hard kill can lose. Default 100 ms.
    pub interval: Duration,
    /// Entries per transaction, and the backlog that triggers a write before
    /// the interval is up. Default 4,096.
    pub max_batch: usize,
    /// The most entries held in memory while the database cannot be written
    /// (see [`LogBuffer`]). Default 262,144 (about 64 MiB of typical
    /// entries).
    pub max_held: usize,
}

impl Default for FlushConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(100),
            max_batch: 4096,
            max_held: 262_144,
        }
    }
}

enum Request {
    /// Write everything emitted so far, then answer.
    Flush(oneshot::Sender<Result<(), String>>),
    /// Write everything, answer, and stop.
    Stop(oneshot::Sender<Result<(), String>>),
}

/// The handle the manager keeps; dropping it stops the flusher after a last
/// write.
#[derive(Debug)]
pub struct Flusher {
    requests: mpsc::UnboundedSender<Request>,
    durable: watch::Receiver<u64>,
    storage_error: watch::Receiver<Option<String>>,
    join: Mutex<Option<JoinHandle<()>>>,
}

impl Flusher {
    /// Starts the flusher task on the current tokio runtime.
    pub fn start(buffer: Arc<LogBuffer>, persistence: LogStore, config: FlushConfig) -> Self {
        let (requests, receiver) = mpsc::unbounded_channel();
        let (durable_sender, durable) = watch::channel(0);
        let (error_sender, storage_error) = watch::channel(None);
        let worker = Worker {
            durable: durable_sender,
            storage_error: error_sender,
            buffer,
            persistence,
            config,
            backlog: VecDeque::new(),
            failing: false,
        };
        let join = tokio::spawn(worker.run(receiver));
        Self {
            requests,
            durable,
            storage_error,
            join: Mutex::new(Some(join)),
        }
    }

    /// A counter that increases after every committed write: live
    /// subscriptions wait on it instead of polling the store.
    pub fn durable_writes(&self) -> watch::Receiver<u64> {
        self.durable.clone()
    }

    /// Why the last write failed (`None` while writes succeed): the storage
    /// error the user is shown while entries wait in memory.
    pub fn storage_error(&self) -> watch::Receiver<Option<String>> {
        self.storage_error.clone()
    }

    /// Returns once every entry emitted before the call is in the store.
    pub async fn flush(&self) -> Result<(), CoreError> {
        self.ask(Request::Flush).await
    }

    /// Writes everything and stops the flusher.
    pub async fn stop(&self) -> Result<(), CoreError> {
        let answer = self.ask(Request::Stop).await;
        let join = self.join.lock().take();
        if let Some(join) = join {
            let _ = join.await;
        }
        answer
    }

    async fn ask(
        &self,
        request: impl FnOnce(oneshot::Sender<Result<(), String>>) -> Request,
    ) -> Result<(), CoreError> {
        let (answer, reply) = oneshot::channel();
        if self.requests.send(request(answer)).is_err() {
            return Err(stopped());
        }
        match reply.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(CoreError::storage(message)),
            Err(_) => Err(stopped()),
        }
    }
}

fn stopped() -> CoreError {
    CoreError::storage("the log flusher has stopped")
}

struct Worker {
    durable: watch::Sender<u64>,
    storage_error: watch::Sender<Option<String>>,
    buffer: Arc<LogBuffer>,
    persistence: LogStore,
    config: FlushConfig,
    /// Chunks taken from the buffer but not yet stored, oldest first; each
    /// is one transaction.
    backlog: VecDeque<Vec<LogRecord>>,
    /// Whether the last write failed (so that an outage is reported once
    /// when it starts and once when it ends, not on every retry).
    failing: bool,
}

impl Worker {
    async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        let mut ticker = tokio::time::interval(self.config.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let request = tokio::select! {
                request = requests.recv() => match request {
                    Some(request) => Some(request),
                    // Every handle is gone: write what is left and stop.
                    None => {
                        let _ = self.write_all().await;
                        return;
                    }
                },
                () = self.buffer.full.notified() => None,
                _ = ticker.tick() => None,
            };
            let outcome = self.write_all().await;
            match request {
                Some(Request::Flush(answer)) => {
                    let _ = answer.send(outcome);
                }
                Some(Request::Stop(answer)) => {
                    let _ = answer.send(outcome);
                    return;
                }
                None => {}
            }
        }
    }

    /// Writes the backlog and everything buffered, one chunk (at most
    /// `max_batch` entries) per transaction. On failure the unwritten
    /// chunks stay in the backlog, in order.
    async fn write_all(&mut self) -> Result<(), String> {
        self.backlog.extend(self.buffer.take());
        while let Some(chunk) = self.backlog.front() {
            if let Err(error) = self.persistence.insert_batch(chunk).await {
                if !self.failing {
                    let waiting: usize = self.backlog.iter().map(Vec::len).sum();
                    tracing::warn!(
                        waiting,
                        "could not write log entries; keeping them in memory and retrying: {error}"
                    );
                    self.failing = true;
                }
                let error = error.to_string();
                self.storage_error
                    .send_if_modified(|last| replace_if_changed(last, Some(&error)));
                return Err(error);
            }
            let written = chunk.len();
            self.backlog.pop_front();
            self.buffer.written(written);
            self.durable.send_modify(|writes| *writes += 1);
        }
        if self.failing {
            tracing::info!("log entries are being written again");
            self.failing = false;
            self.storage_error
                .send_if_modified(|last| replace_if_changed(last, None));
        }
        Ok(())
    }
}

/// Sets `last` to `now` and says whether that changed it.
fn replace_if_changed(last: &mut Option<String>, now: Option<&str>) -> bool {
    if last.as_deref() == now {
        return false;
    }
    *last = now.map(str::to_owned);
    true
}
