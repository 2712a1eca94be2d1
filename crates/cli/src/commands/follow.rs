//! Following a task's log from the terminal through the engine's own live
//! subscription — the code the app's panel follows with — for
//! `logs --follow` and `taskdeck run`.
//!
//! The subscription sends batches of matching entries as they become
//! durable (woken by this process's writes, or polling the store for a task
//! another process runs). Where it skips ahead with a gap notice (a task
//! logging faster than the subscription sends), the skipped entries are
//! read from the store here: a terminal gets every line, in `seq` order.

use std::time::Duration;

use taskdeck_core::TaskManager;
use taskdeck_protocol::log::MAX_PAGE_LIMIT;
use taskdeck_protocol::{LiveLogMessage, LogEntry, LogFilter, TaskStatus};
use tokio::sync::mpsc;

use crate::error::CliError;

/// How often a follow checks whether the process running the task has died
/// (the task then becomes `interrupted`, and the subscription ends).
const LIVENESS_CHECK: Duration = Duration::from_secs(2);

/// Whether to go on after entries were shown.
pub enum Shown {
    /// Show more.
    More,
    /// Enough (a `--limit` reached, the output closed).
    Enough,
}

/// Shows the entries of `task_id` matching `filter` (its level, source,
/// search and context conditions) after `after_seq` with `show`, a batch at
/// a time, until the task has ended and every entry was shown
/// (`Some(status)`), or `show` says enough (`None`).
pub async fn follow(
    manager: &TaskManager,
    task_id: &str,
    filter: &LogFilter,
    after_seq: u64,
    mut show: impl FnMut(&[LogEntry]) -> Result<Shown, CliError>,
) -> Result<Option<TaskStatus>, CliError> {
    let (sender, mut messages) = mpsc::unbounded_channel();
    let sink = Box::new(move |message: LiveLogMessage| sender.send(message).is_ok());
    let subscription = manager
        .subscribe_task_logs(task_id, filter.clone(), after_seq, sink)
        .await?;
    let mut liveness = tokio::time::interval(LIVENESS_CHECK);
    let ended = loop {
        let message = tokio::select! {
            message = messages.recv() => message,
            _ = liveness.tick() => {
                manager.recover_interrupted().await?;
                continue;
            }
        };
        let shown = match message {
            Some(LiveLogMessage::Entries { entries }) => show(&entries),
            Some(LiveLogMessage::Gap {
                after_seq,
                before_seq,
            }) => show_stored(manager, task_id, filter, after_seq, before_seq, &mut show).await,
            Some(LiveLogMessage::End { status }) => break Ok(Some(status)),
            Some(LiveLogMessage::Failed { error }) => break Err(CliError::Live(error)),
            // The manager is shutting down.
            None => break Ok(None),
        };
        match shown {
            Ok(Shown::More) => {}
            Ok(Shown::Enough) => break Ok(None),
            Err(error) => break Err(error),
        }
    };
    manager.unsubscribe_task_logs(subscription);
    ended
}

/// Shows the stored entries matching `filter` with `after < seq < before`.
async fn show_stored(
    manager: &TaskManager,
    task_id: &str,
    filter: &LogFilter,
    after: u64,
    before: u64,
    show: &mut impl FnMut(&[LogEntry]) -> Result<Shown, CliError>,
) -> Result<Shown, CliError> {
    let mut page_filter = LogFilter {
        after_seq: Some(after),
        before_seq: Some(before),
        limit: Some(MAX_PAGE_LIMIT),
        ..filter.clone()
    };
    loop {
        let page = manager.query_logs(task_id, &page_filter).await?;
        if let Shown::Enough = show(&page.entries)? {
            return Ok(Shown::Enough);
        }
        match (page.next_cursor, page.entries.last()) {
            (Some(_), Some(last)) => page_filter.after_seq = Some(last.seq),
            _ => return Ok(Shown::More),
        }
    }
}
