//! History's pages and filters on a real store of finished tasks with
//! known times, statuses, plugins, counts and parameters.

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Map, json};
use taskdeck_protocol::{ProblemFilter, TaskListFilter, TaskPageAt, TaskSort, TaskStatus};

use super::{Cursor, like_pattern};
use crate::store::tasks::{FinishedTask, TaskRepository};
use crate::test_support::temp_store;
use crate::{CoreError, Store};

const BASE: i64 = 1_780_000_000_000;

/// Task `n` (0-based): plugin `shell` or `git` by parity, a status in
/// turn, started `n` minutes after BASE, running `(n * 7) % 13` seconds,
/// a warning when n % 4 == 0 and an error when n % 6 == 0.
async fn store_of(count: usize) -> (tempfile::TempDir, Store, Vec<String>) {
    let (dir, store) = temp_store().await;
    let connection = store.connection();
    let mut ids = Vec::new();
    for n in 0..count {
        let n64 = n as i64;
        let start = BASE + n64 * 60_000;
        let mut params = Map::new();
        params.insert(
            "program".into(),
            json!(format!("job-{n} C:\\data\\run_{n}%")),
        );
        let status = [
            TaskStatus::Succeeded,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ][n % 3];
        let id = format!("00000000-0000-7000-8000-{n:012}");
        TaskRepository::insert_finished(
            connection,
            FinishedTask {
                id: id.clone(),
                plugin_id: if n % 2 == 0 { "shell" } else { "git" },
                params: &params,
                status,
                created_at: start - 5,
                started_at: Some(start),
                finished_at: Some(start + ((n64 * 7) % 13) * 1000),
                error: (status == TaskStatus::Failed).then(|| format!("exit code {n}")),
                result: None,
            },
        )
        .await
        .unwrap();
        connection
            .execute_unprepared(&format!(
                "UPDATE tasks SET warning_count = {}, error_count = {} WHERE id = '{id}'",
                i64::from(n % 4 == 0),
                i64::from(n % 6 == 0)
            ))
            .await
            .unwrap();
        ids.push(id);
    }
    (dir, store, ids)
}

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(BASE + minutes * 60_000).unwrap()
}

/// Every task `filter` matches, read a page of `limit` at a time from the
/// first page on.
async fn walk_forward(repository: &TaskRepository, filter: &TaskListFilter) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = TaskPageAt::First;
    loop {
        let listed = repository
            .list(&TaskListFilter {
                page: page.clone(),
                ..filter.clone()
            })
            .await
            .unwrap();
        assert_eq!(listed.previous.is_some(), page != TaskPageAt::First);
        seen.extend(listed.rows.iter().map(|row| row.id.clone()));
        match listed.next {
            Some(cursor) => page = TaskPageAt::After(cursor),
            None => return seen,
        }
    }
}

/// The same, from the last page back to the first.
async fn walk_backward(repository: &TaskRepository, filter: &TaskListFilter) -> Vec<String> {
    let mut pages = Vec::new();
    let mut page = TaskPageAt::Last;
    loop {
        let listed = repository
            .list(&TaskListFilter {
                page: page.clone(),
                ..filter.clone()
            })
            .await
            .unwrap();
        assert_eq!(listed.next.is_some(), page != TaskPageAt::Last);
        pages.push(
            listed
                .rows
                .iter()
                .map(|row| row.id.clone())
                .collect::<Vec<_>>(),
        );
        match listed.previous {
            Some(cursor) => page = TaskPageAt::Before(cursor),
            None => break,
        }
    }
    pages.into_iter().rev().flatten().collect()
}

#[tokio::test]
async fn pages_reach_every_task_once_in_each_order_both_ways() {
    let (_dir, store, ids) = store_of(47).await;
    let repository = TaskRepository::new(&store);
    for sort in TaskSort::ALL {
        let filter = TaskListFilter {
            sort,
            limit: Some(10),
            ..Default::default()
        };
        let forward = walk_forward(&repository, &filter).await;
        assert_eq!(forward.len(), ids.len(), "{sort:?}");
        let backward = walk_backward(&repository, &filter).await;
        assert_eq!(forward, backward, "{sort:?}");
        let mut expected: Vec<(i64, usize)> = (0..ids.len())
            .map(|n| match sort {
                TaskSort::Newest | TaskSort::Oldest => (n as i64, n),
                TaskSort::Longest | TaskSort::Shortest => (((n as i64) * 7) % 13, n),
            })
            .collect();
        expected.sort();
        if matches!(sort, TaskSort::Newest | TaskSort::Longest) {
            expected.reverse();
        }
        let expected: Vec<String> = expected.into_iter().map(|(_, n)| ids[n].clone()).collect();
        assert_eq!(forward, expected, "{sort:?}");
    }
    // The last page newest first is the oldest task's.
    let last = repository
        .list(&TaskListFilter {
            page: TaskPageAt::Last,
            limit: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(last.rows.last().unwrap().id, ids[0]);
    assert_eq!(last.rows.len(), 10);
}

#[tokio::test]
async fn filters_combine_and_counts_ignore_only_the_status_filter() {
    let (_dir, store, ids) = store_of(60).await;
    let repository = TaskRepository::new(&store);
    let filter = TaskListFilter {
        statuses: vec![TaskStatus::Failed, TaskStatus::Cancelled],
        plugin_id: Some("shell".into()),
        since: Some(at(10)),
        until: Some(at(50)),
        problems: Some(ProblemFilter::Warnings),
        limit: Some(1000),
        ..Default::default()
    };
    let listed = repository.list(&filter).await.unwrap();
    let expected: Vec<String> = (10..50)
        .rev()
        .filter(|n| n % 2 == 0 && n % 3 != 0 && (n % 4 == 0 || n % 6 == 0))
        .map(|n| ids[n].clone())
        .collect();
    let got: Vec<String> = listed.rows.iter().map(|row| row.id.clone()).collect();
    assert_eq!(got, expected);
    // Counts: every filter but the status one.
    let all_statuses: Vec<usize> = (10..50)
        .filter(|n| n % 2 == 0 && (n % 4 == 0 || n % 6 == 0))
        .collect();
    let succeeded = all_statuses.iter().filter(|n| *n % 3 == 0).count() as u64;
    assert_eq!(listed.counts.succeeded, succeeded);
    assert_eq!(
        listed.counts.failed + listed.counts.cancelled,
        expected.len() as u64
    );

    let errors = repository
        .list(&TaskListFilter {
            problems: Some(ProblemFilter::Errors),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(errors.rows.len(), 10);
    assert!(errors.rows.iter().all(|row| row.error_count > 0));
}

#[tokio::test]
async fn text_is_found_as_typed_in_parameters_errors_and_plugins() {
    let (_dir, store, ids) = store_of(30).await;
    let repository = TaskRepository::new(&store);
    let found = |text: &'static str| {
        let repository = repository.clone();
        async move {
            let listed = repository
                .list(&TaskListFilter {
                    text: Some(text.into()),
                    limit: Some(1000),
                    ..Default::default()
                })
                .await
                .unwrap();
            listed
                .rows
                .into_iter()
                .map(|row| row.id)
                .collect::<Vec<_>>()
        }
    };
    // A Windows path as typed, though JSON stores its backslashes doubled.
    assert_eq!(found("C:\\data\\run_12%").await, vec![ids[12].clone()]);
    // `%` and `_` are themselves, not wildcards.
    assert_eq!(found("run_1%").await, vec![ids[1].clone()]);
    assert_eq!(found("JOB-7 ").await, vec![ids[7].clone()]);
    // The error message, and the plugin.
    assert_eq!(found("exit code 25").await, vec![ids[25].clone()]);
    assert_eq!(found("git").await.len(), 15);
    assert!(found("nowhere").await.is_empty());
    // Blank text filters nothing.
    assert_eq!(found("  ").await.len(), 30);
}

#[tokio::test]
async fn bad_cursors_ranges_and_limits_are_refused_by_name() {
    let (_dir, store, _ids) = store_of(3).await;
    let repository = TaskRepository::new(&store);
    let refused = |filter: TaskListFilter| {
        let repository = repository.clone();
        async move {
            match repository.list(&filter).await {
                Err(CoreError::InvalidArgument(message)) => message,
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    };
    let message = refused(TaskListFilter {
        page: TaskPageAt::After("yesterday".into()),
        ..Default::default()
    })
    .await;
    assert!(message.contains("page cursor \"yesterday\""), "{message}");
    let message = refused(TaskListFilter {
        since: Some(at(5)),
        until: Some(at(5)),
        ..Default::default()
    })
    .await;
    assert!(message.contains("must be before its end"), "{message}");
    let message = refused(TaskListFilter {
        limit: Some(0),
        ..Default::default()
    })
    .await;
    assert!(message.contains("limit must be between"), "{message}");
}

#[tokio::test]
async fn a_cursor_past_deleted_tasks_turns_to_the_end_of_the_list() {
    let (_dir, store, ids) = store_of(12).await;
    let repository = TaskRepository::new(&store);
    let first = repository
        .list(&TaskListFilter {
            limit: Some(5),
            ..Default::default()
        })
        .await
        .unwrap();
    let cursor = first.next.unwrap();
    store
        .connection()
        .execute_unprepared("DELETE FROM tasks WHERE key <= 7")
        .await
        .unwrap();
    let after = repository
        .list(&TaskListFilter {
            limit: Some(5),
            page: TaskPageAt::After(cursor),
            ..Default::default()
        })
        .await
        .unwrap();
    // What is left: tasks 7..=11, newest first, as the last page.
    let got: Vec<&str> = after.rows.iter().map(|row| row.id.as_str()).collect();
    let expected: Vec<&str> = ids[7..].iter().rev().map(String::as_str).collect();
    assert_eq!(got, expected);
    assert_eq!(after.next, None);
}

#[test]
fn cursors_round_trip_and_foreign_text_is_refused() {
    let cursor = Cursor { value: -5, key: 42 };
    assert_eq!(Cursor::parse(&cursor.format()).unwrap(), cursor);
    for text in ["", "1", "a.b", "1.2.3", "1."] {
        let error = Cursor::parse(text).unwrap_err().to_string();
        assert!(error.contains("page cursor"), "{text}: {error}");
    }
}

#[test]
fn like_patterns_take_wildcards_literally() {
    assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    assert_eq!(like_pattern("  "), "%  %");
}
