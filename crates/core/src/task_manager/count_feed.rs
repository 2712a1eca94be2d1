//! The count feed: while tasks run, their summaries (per-level counts,
//! progress) go to task subscribers as their entries become durable, at
//! most once per [`COUNT_FEED_INTERVAL`], so History and the log panel's
//! header count live without polling.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// The shortest time between two rounds of running-task summaries.
pub const COUNT_FEED_INTERVAL: Duration = Duration::from_millis(250);

/// Calls `publish` (which publishes the running tasks' summaries) after
/// durable writes, until it answers `false` (the manager is dropped or
/// closing) or the flusher stops.
pub(super) fn spawn<F, Publishing>(mut publish: F, mut durable_writes: watch::Receiver<u64>)
where
    F: FnMut() -> Publishing + Send + 'static,
    Publishing: Future<Output = bool> + Send,
{
    tokio::spawn(async move {
        while durable_writes.changed().await.is_ok() {
            // Writes during the pause are in the summaries read after it.
            tokio::time::sleep(COUNT_FEED_INTERVAL).await;
            if !publish().await {
                return;
            }
        }
    });
}
