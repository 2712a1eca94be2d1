//! The count feed: while tasks run, their summaries (per-level counts,
//! progress) go to task subscribers as their entries become durable, at
//! most once per [`COUNT_FEED_INTERVAL`], so History and the log panel's
//! header count live without polling.

use std::time::Duration;

use tokio::sync::watch;

use super::manager::WeakTaskManager;

/// The shortest time between two rounds of running-task summaries.
pub const COUNT_FEED_INTERVAL: Duration = Duration::from_millis(250);

/// Publishes the running tasks' summaries after durable writes until the
/// manager is dropped, closes, or the flusher stops.
pub(super) fn spawn(manager: WeakTaskManager, mut durable_writes: watch::Receiver<u64>) {
    tokio::spawn(async move {
        while durable_writes.changed().await.is_ok() {
            // Writes during the pause are in the summaries read after it.
            tokio::time::sleep(COUNT_FEED_INTERVAL).await;
            let Some(manager) = manager.upgrade() else {
                return;
            };
            if !manager.publish_running().await {
                return;
            }
        }
    });
}
