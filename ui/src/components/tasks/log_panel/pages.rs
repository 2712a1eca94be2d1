//! The store queries behind the log panel's rows: the first page (the
//! newest entries, or those around a linked line), the page beyond either
//! end, and a hidden stretch between context lines.

use taskdeck_protocol::commands::GetTaskLogs;
use taskdeck_protocol::{IpcError, LogEntry, LogFilter, LogPage, Order};

use super::rows::Edge;
use crate::ipc;

/// The page loaded from the store when the panel opens, and each time the
/// user scrolls near either end of the rows held.
pub const PAGE: u32 = 1_000;

/// A page of the task's entries matching `filter`.
async fn read(task_id: &str, filter: LogFilter) -> Result<LogPage, IpcError> {
    let args = GetTaskLogs {
        task_id: task_id.to_owned(),
        filter,
    };
    ipc::invoke(&args).await
}

/// The first page: the newest entries, or those around `target`. Returns
/// them oldest first, whether earlier ones exist, and whether later ones
/// exist (if not, live rows can follow the page).
pub async fn first_page(
    task_id: &str,
    filter: &LogFilter,
    target: Option<u64>,
) -> Result<(Vec<LogEntry>, bool, bool), IpcError> {
    match target {
        None => {
            let newest = LogFilter {
                order: Order::Descending,
                limit: Some(PAGE),
                ..filter.clone()
            };
            let page = read(task_id, newest).await?;
            let has_earlier = page.next_cursor.is_some();
            let mut entries = page.entries;
            entries.reverse();
            Ok((entries, has_earlier, false))
        }
        Some(seq) => {
            let around = LogFilter {
                after_seq: Some(seq.saturating_sub(u64::from(PAGE / 2))),
                before_seq: None,
                order: Order::Ascending,
                limit: Some(PAGE),
                ..filter.clone()
            };
            let page = read(task_id, around).await?;
            let has_earlier = page.entries.first().is_some_and(|entry| entry.seq > 1);
            Ok((page.entries, has_earlier, page.next_cursor.is_some()))
        }
    }
}

/// The hidden entries with `after < seq < before` (at most a page),
/// marked as context.
pub async fn hidden_stretch(
    task_id: &str,
    after: u64,
    before: u64,
) -> Result<Vec<LogEntry>, IpcError> {
    let stretch = LogFilter {
        after_seq: Some(after),
        before_seq: Some(before),
        limit: Some(PAGE),
        ..LogFilter::default()
    };
    let mut entries = read(task_id, stretch).await?.entries;
    for entry in &mut entries {
        entry.context = true;
    }
    Ok(entries)
}

/// The page beyond `edge` of the rows held (`from` is the seq there),
/// oldest first, and whether still more exist beyond it.
pub async fn next_page(
    task_id: &str,
    filter: &LogFilter,
    edge: Edge,
    from: u64,
) -> Result<(Vec<LogEntry>, bool), IpcError> {
    let query = match edge {
        Edge::Earlier => LogFilter {
            before_seq: Some(from),
            after_seq: None,
            order: Order::Descending,
            limit: Some(PAGE),
            ..filter.clone()
        },
        Edge::Later => LogFilter {
            after_seq: Some(from),
            before_seq: None,
            order: Order::Ascending,
            limit: Some(PAGE),
            ..filter.clone()
        },
    };
    let page = read(task_id, query).await?;
    let more = page.next_cursor.is_some();
    let mut entries = page.entries;
    if matches!(edge, Edge::Earlier) {
        entries.reverse();
    }
    Ok((entries, more))
}
