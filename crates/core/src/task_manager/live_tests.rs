//! Live subscription tests on real SQLite files.

use std::time::Duration;

use serde_json::json;
use taskdeck_protocol::{LiveLogMessage, LogEntry, LogFilter, LogLevel, TaskStatus};
use tokio::sync::mpsc;

use crate::test_support::{gated, manager_with, request, scripted, temp_store, wait_until};
use crate::{CoreError, TaskManager};

const FAST: Duration = Duration::from_millis(20);

fn channel() -> (super::LiveSink, mpsc::UnboundedReceiver<LiveLogMessage>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (
        Box::new(move |message| sender.send(message).is_ok()),
        receiver,
    )
}

/// Collects messages until `End` (or panics after 20 s).
/// A subscription to `task_id`'s log with `filter` after `after_seq`, and
/// what it receives.
async fn subscribe(
    manager: &TaskManager,
    task_id: &str,
    filter: &LogFilter,
    after_seq: u64,
) -> mpsc::UnboundedReceiver<LiveLogMessage> {
    let (sink, receiver) = channel();
    manager
        .subscribe_task_logs(task_id, filter.clone(), after_seq, sink)
        .await
        .unwrap();
    receiver
}

async fn until_end(receiver: &mut mpsc::UnboundedReceiver<LiveLogMessage>) -> Vec<LiveLogMessage> {
    let mut messages = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), receiver.recv())
            .await
            .expect("no End within 20 s")
            .expect("subscription dropped its sink");
        let end = matches!(message, LiveLogMessage::End { .. });
        messages.push(message);
        if end {
            return messages;
        }
    }
}

fn entries(messages: &[LiveLogMessage]) -> Vec<LogEntry> {
    messages
        .iter()
        .flat_map(|message| match message {
            LiveLogMessage::Entries { entries } => entries.clone(),
            _ => Vec::new(),
        })
        .collect()
}

async fn history(manager: &TaskManager, task_id: &str, filter: &LogFilter) -> Vec<LogEntry> {
    let mut all = Vec::new();
    let mut filter = LogFilter {
        limit: Some(10_000),
        ..filter.clone()
    };
    loop {
        let page = manager.query_logs(task_id, &filter).await.unwrap();
        all.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => filter.after_seq = Some(cursor),
            None => return all,
        }
    }
}

/// Logs `count` entries, one in ten from `noisy.rare` at WARNING.
fn noisy(count: u64) -> std::sync::Arc<dyn crate::Plugin> {
    scripted("noisy", move |ctx| async move {
        let common = ctx.logger().child("common");
        let rare = ctx.logger().child("rare");
        for index in 0..count {
            if index.is_multiple_of(10) {
                rare.warning(format!("rare {index}"));
            } else {
                common.info(format!("common {index}"));
            }
            if index.is_multiple_of(500) {
                tokio::task::yield_now().await;
            }
        }
        Ok(json!(null))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filtered_subscription_sends_exactly_the_matching_entries_then_end() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![noisy(3000)], FAST).await;
    let task = manager.run_task(request("noisy", json!({}))).await.unwrap();
    let filter = LogFilter {
        sources: vec!["noisy.rare".into()],
        ..LogFilter::default()
    };
    let mut receiver = subscribe(&manager, &task.id, &filter, 0).await;
    let messages = until_end(&mut receiver).await;
    assert_eq!(
        messages.last(),
        Some(&LiveLogMessage::End {
            status: TaskStatus::Succeeded
        })
    );
    let live = entries(&messages);
    assert_eq!(live.len(), 300, "sent entries must equal the matching ones");
    assert!(live.iter().all(|entry| entry.source == "noisy.rare"));
    assert_eq!(live, history(&manager, &task.id, &filter).await);
    assert!(
        messages.len() < 300,
        "entries must travel in batches, not one message each"
    );
}

#[tokio::test]
async fn history_then_live_from_a_seq_has_no_gap_and_no_duplicate() {
    let (_dir, store) = temp_store().await;
    let (plugin, release) = gated("gate");
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let task = manager.run_task(request("gate", json!({}))).await.unwrap();
    // Wait for the first entries, load them as "history".
    let mut loaded = wait_until("the first two entries", || async {
        let loaded = history(&manager, &task.id, &LogFilter::default()).await;
        (loaded.len() >= 2).then_some(loaded)
    })
    .await;
    let last = loaded.last().unwrap().seq;
    let mut receiver = subscribe(&manager, &task.id, &LogFilter::default(), last).await;
    release.cancel();
    let live = entries(&until_end(&mut receiver).await);
    loaded.extend(live);
    let seqs: Vec<u64> = loaded.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(
        loaded,
        history(&manager, &task.id, &LogFilter::default()).await
    );
}

#[tokio::test]
async fn a_subscriber_far_behind_gets_a_gap_notice_and_the_newest_batch() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![noisy(12_000)], FAST).await;
    let task = manager.run_task(request("noisy", json!({}))).await.unwrap();
    manager.wait(&task.id).await.unwrap();
    let filter = LogFilter {
        min_level: Some(LogLevel::Info),
        ..LogFilter::default()
    };
    let mut receiver = subscribe(&manager, &task.id, &filter, 0).await;
    let messages = until_end(&mut receiver).await;
    let gap = messages
        .iter()
        .find_map(|message| match message {
            LiveLogMessage::Gap {
                after_seq,
                before_seq,
            } => Some((*after_seq, *before_seq)),
            _ => None,
        })
        .expect("no gap notice");
    let live = entries(&messages);
    let stored = history(&manager, &task.id, &filter).await;
    // Before the gap: a prefix of the log; after it: its newest entries.
    assert_eq!(
        gap.0,
        live[crate::task_log::follow::MAX_ENTRIES_PER_ROUND - 1].seq
    );
    let after_gap: Vec<&LogEntry> = live.iter().filter(|entry| entry.seq >= gap.1).collect();
    assert_eq!(
        after_gap.len(),
        crate::task_log::follow::LIVE_BATCH as usize
    );
    assert_eq!(*after_gap.last().unwrap(), stored.last().unwrap());
    // The gap plus what was sent is the whole log.
    let in_gap = stored
        .iter()
        .filter(|entry| entry.seq > gap.0 && entry.seq < gap.1)
        .count();
    assert_eq!(in_gap + live.len(), stored.len());
}

#[tokio::test]
async fn bad_subscriptions_are_refused_and_unsubscribing_stops_messages() {
    let (_dir, store) = temp_store().await;
    let (plugin, release) = gated("gate");
    let manager = manager_with(&store, vec![plugin], FAST).await;
    let task = manager.run_task(request("gate", json!({}))).await.unwrap();

    let (sink, _receiver) = channel();
    let missing = manager
        .subscribe_task_logs("missing", LogFilter::default(), 0, sink)
        .await
        .unwrap_err();
    assert!(matches!(missing, CoreError::TaskNotFound(_)));
    let (sink, _receiver) = channel();
    let bad_search = LogFilter {
        search: Some("\"open".into()),
        search_mode: taskdeck_protocol::SearchMode::Operators,
        ..LogFilter::default()
    };
    let refused = manager
        .subscribe_task_logs(&task.id, bad_search, 0, sink)
        .await
        .unwrap_err();
    assert!(matches!(refused, CoreError::InvalidFilter(ref invalid) if invalid.field == "search"));

    let (sink, mut receiver) = channel();
    let id = manager
        .subscribe_task_logs(&task.id, LogFilter::default(), 0, sink)
        .await
        .unwrap();
    // Something arrives while it runs…
    let first = tokio::time::timeout(Duration::from_secs(10), receiver.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(first, LiveLogMessage::Entries { .. }));
    assert!(manager.unsubscribe_task_logs(id));
    assert!(!manager.unsubscribe_task_logs(id));
    release.cancel();
    manager.wait(&task.id).await.unwrap();
    // …and the subscription ends: at most a batch already on its way, no
    // End, and the sink is dropped.
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), receiver.recv())
            .await
            .unwrap();
        match next {
            None => break,
            Some(LiveLogMessage::Entries { .. }) => {}
            Some(other) => panic!("unexpected after unsubscribing: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_subscriptions_follow_different_tasks_and_filters_at_once() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![noisy(2000)], FAST).await;
    let first = manager.run_task(request("noisy", json!({}))).await.unwrap();
    let second = manager.run_task(request("noisy", json!({}))).await.unwrap();
    let rare = LogFilter {
        sources: vec!["noisy.rare".into()],
        ..LogFilter::default()
    };
    let mut followers = Vec::new();
    for (task, filter) in [
        (&first, rare.clone()),
        (&first, LogFilter::default()),
        (&second, rare.clone()),
    ] {
        let receiver = subscribe(&manager, &task.id, &filter, 0).await;
        followers.push((task.id.clone(), filter, receiver));
    }
    for (task_id, filter, mut receiver) in followers {
        let live = entries(&until_end(&mut receiver).await);
        assert!(live.iter().all(|entry| entry.task_id == task_id));
        assert_eq!(live, history(&manager, &task_id, &filter).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_view_with_context_gets_the_lines_after_a_match_as_they_come() {
    let (_dir, store) = temp_store().await;
    // A match, then its following lines in later writes; lines before the
    // second match are written long before it.
    let paced = scripted("paced", |ctx| async move {
        let log = ctx.logger();
        let pause = || tokio::time::sleep(Duration::from_millis(80));
        for index in 1..=4 {
            log.info(format!("hay {index}"));
        }
        log.warning("needle 5");
        pause().await;
        log.info("hay 6");
        pause().await;
        log.info("hay 7");
        for index in 8..=20 {
            log.info(format!("hay {index}"));
        }
        pause().await;
        log.warning("needle 21");
        pause().await;
        log.info("hay 22");
        Ok(json!(null))
    });
    let manager = manager_with(&store, vec![paced], FAST).await;
    let task = manager.run_task(request("paced", json!({}))).await.unwrap();
    let filter = LogFilter {
        search: Some("needle".into()),
        context_before: 1,
        context_after: 2,
        ..LogFilter::default()
    };
    let mut receiver = subscribe(&manager, &task.id, &filter, 0).await;
    let live = entries(&until_end(&mut receiver).await);
    let shown: Vec<(&str, bool)> = live
        .iter()
        .map(|entry| (entry.message.as_str(), entry.context))
        .collect();
    assert_eq!(
        shown[..7],
        [
            ("hay 4", true),
            ("needle 5", false),
            ("hay 6", true),
            ("hay 7", true),
            ("hay 20", true),
            ("needle 21", false),
            ("hay 22", true),
        ]
    );
    // The line after "hay 22" is the task's end, from `system`.
    assert_eq!(live.len(), 8, "{shown:?}");
    assert!(live[7].context && live[7].source == "system");
    assert_eq!(live, history(&manager, &task.id, &filter).await);
}
