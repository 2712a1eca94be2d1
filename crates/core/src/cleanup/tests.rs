use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::json;
use taskdeck_protocol::{
    LogFilter, RemovalReason, RetentionSettings, Settings, TaskListFilter, TaskStatus,
};

use super::*;
use crate::TaskManager;
use crate::settings::SettingsRepository;
use crate::test_support::{gated, manager_with, request, scripted, temp_store};

/// A manager with a `noop` plugin (one entry per run) and a `noisy` one
/// (5,000 entries of about 200 bytes).
async fn manager(store: &Store) -> TaskManager {
    let noop = scripted("noop", |ctx| async move {
        ctx.logger().info("hi");
        Ok(json!(null))
    });
    let noisy = scripted("noisy", |ctx| async move {
        for line in 0..5_000 {
            ctx.logger()
                .info(format!("line {line} {}", "padding ".repeat(24)));
        }
        Ok(json!(null))
    });
    manager_with(store, vec![noop, noisy], Duration::from_millis(20)).await
}

async fn run(manager: &TaskManager, plugin: &str, params: serde_json::Value) -> String {
    let task = manager.run_task(request(plugin, params)).await.unwrap();
    manager.wait(&task.id).await.unwrap();
    task.id
}

async fn listed(manager: &TaskManager) -> Vec<(String, String)> {
    manager
        .list_tasks(&TaskListFilter::default())
        .await
        .unwrap()
        .tasks
        .into_iter()
        .map(|task| (task.id, task.plugin_id))
        .collect()
}

/// `report` removes exactly `ids`, in that order, all for `reason`.
fn assert_plans(report: &RemovalReport, ids: &[&String], reason: RemovalReason) {
    let planned: Vec<&String> = report.tasks.iter().map(|task| &task.id).collect();
    assert_eq!(planned, ids);
    assert!(report.tasks.iter().all(|task| task.reason == reason));
}

fn policy(older_than: Option<Duration>, keep_latest: Option<u32>) -> RetentionPolicy {
    RetentionPolicy {
        older_than,
        keep_latest,
        max_database_bytes: None,
    }
}

#[tokio::test]
async fn cleanup_keeps_the_newest_reports_what_it_removes_and_honours_dry_run() {
    let (_dir, store) = temp_store().await;
    let manager = manager(&store).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(run(&manager, "noop", json!({})).await);
    }
    let service = TaskCleanupService::new(&store);
    let keep_two = policy(None, Some(2));
    let dry = service.cleanup(keep_two, true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.log_task_id, None);
    assert_plans(&dry, &[&ids[2], &ids[1], &ids[0]], RemovalReason::Count);
    assert_eq!(dry.entries, 9);
    assert_eq!(listed(&manager).await.len(), 5);

    let done = service.cleanup(keep_two, false).await.unwrap();
    assert_eq!(done.tasks, dry.tasks);
    assert_eq!(done.entries, 9);
    let log_task = done.log_task_id.clone().expect("the cleanup is logged");
    assert_eq!(
        listed(&manager).await,
        vec![
            (log_task.clone(), "system".to_owned()),
            (ids[4].clone(), "noop".to_owned()),
            (ids[3].clone(), "noop".to_owned()),
        ]
    );

    // The app-level log: one `system` entry per task removed, naming it and
    // why, then a summary.
    let log = manager
        .query_logs(&log_task, &LogFilter::default())
        .await
        .unwrap();
    assert_eq!(log.entries.len(), 4);
    assert!(log.entries.iter().all(|entry| entry.source == "system"));
    for (entry, removed) in log.entries.iter().zip(&done.tasks) {
        assert!(entry.message.contains(&removed.id), "{}", entry.message);
        assert!(entry.message.contains("beyond the task count limit"));
        assert_eq!(
            entry.metadata.as_ref().unwrap()["task_id"],
            json!(removed.id)
        );
    }
    assert!(
        log.entries[3]
            .message
            .contains("removed 3 task(s) with 9 entries")
    );
    let summary = manager.get_task(&log_task).await.unwrap();
    assert_eq!(summary.status, TaskStatus::Succeeded);
    assert_eq!(summary.counts.total(), 4);

    let by_age = policy(Some(Duration::ZERO), None);
    let aged = service.cleanup(by_age, false).await.unwrap();
    assert_eq!(aged.tasks.len(), 3, "the two noop tasks and the first log");
    assert!(
        aged.tasks
            .iter()
            .all(|task| task.reason == RemovalReason::Age)
    );
    assert!(
        service
            .cleanup(RetentionPolicy::default(), true)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_running_task_is_never_removed_whatever_the_rules() {
    let (_dir, store) = temp_store().await;
    let (plugin, gate) = gated("held");
    let manager = manager_with(&store, vec![plugin], Duration::from_millis(20)).await;
    let running = manager.run_task(request("held", json!({}))).await.unwrap();
    let service = TaskCleanupService::new(&store);
    let everything = RetentionPolicy {
        older_than: Some(Duration::ZERO),
        keep_latest: Some(1),
        max_database_bytes: Some(1),
    };
    let report = service.cleanup(everything, false).await.unwrap();
    assert!(report.tasks.is_empty(), "{report:?}");
    assert_eq!(report.log_task_id, None, "nothing removed, nothing logged");
    assert!(manager.get_task(&running.id).await.is_ok());
    gate.cancel();
    manager.wait(&running.id).await.unwrap();
    let report = service.cleanup(everything, false).await.unwrap();
    assert_eq!(report.tasks.len(), 1);
    assert_eq!(report.tasks[0].id, running.id);
}

#[tokio::test]
async fn the_size_cap_removes_the_oldest_tasks_until_the_data_fits_and_gives_the_space_back() {
    let (dir, store) = temp_store().await;
    let manager = manager(&store).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(run(&manager, "noisy", json!({})).await);
    }
    // The indexer would otherwise write while the space is measured.
    crate::test_support::index_and_stop(&manager).await;
    let used = space::used_bytes(store.connection()).await.unwrap();
    assert!(used > 6 << 20, "the six tasks hold {used} bytes");
    // Room for a little more than half of the data.
    let cap = used / 2 + used / 20;
    let service = TaskCleanupService::new(&store);
    let by_size = RetentionPolicy {
        max_database_bytes: Some(cap),
        ..RetentionPolicy::default()
    };
    let dry = service.cleanup(by_size, true).await.unwrap();
    assert_plans(&dry, &[&ids[2], &ids[1], &ids[0]], RemovalReason::Size);

    let file = dir.path().join("taskdeck.db");
    let before = space::database_bytes(store.connection()).await.unwrap();
    let done = service.cleanup(by_size, false).await.unwrap();
    assert_eq!(done.tasks, dry.tasks);
    let left = space::used_bytes(store.connection()).await.unwrap();
    assert!(left <= cap, "{used} bytes used, cap {cap}, {left} left");
    let after = space::database_bytes(store.connection()).await.unwrap();
    assert!(
        done.bytes_freed > 0 && after < before,
        "{before} -> {after}"
    );
    // The cleanup's own log (a `system` task, written after the space was
    // given back) may take a page or two of it again.
    assert!(
        done.bytes_freed >= before - after && done.bytes_freed - (before - after) <= 2 * 4096,
        "freed {} but the file went from {before} to {after}",
        done.bytes_freed
    );
    // The file itself shrinks once the WAL is checkpointed.
    store
        .connection()
        .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() <= after);

    // Under the cap, the rule removes nothing more.
    assert!(
        service
            .cleanup(by_size, true)
            .await
            .unwrap()
            .tasks
            .is_empty()
    );
}

#[tokio::test]
async fn apply_settings_uses_the_saved_rules_and_removes_nothing_when_all_are_off() {
    let (_dir, store) = temp_store().await;
    let manager = manager(&store).await;
    for _ in 0..3 {
        run(&manager, "noop", json!({})).await;
    }
    let service = TaskCleanupService::new(&store);
    // The defaults keep a year and 10,000 tasks: nothing goes.
    assert!(
        service
            .apply_settings(false)
            .await
            .unwrap()
            .tasks
            .is_empty()
    );

    let settings = SettingsRepository::new(&store);
    let off = Settings {
        retention: RetentionSettings {
            keep_days: None,
            max_tasks: None,
            max_database_mb: None,
        },
        ..Settings::default()
    };
    settings.save(&off).await.unwrap();
    let report = service.apply_settings(false).await.unwrap();
    assert!(report.tasks.is_empty() && report.log_task_id.is_none());

    let keep_one = Settings {
        retention: RetentionSettings {
            max_tasks: Some(1),
            ..off.retention
        },
        ..off
    };
    settings.save(&keep_one).await.unwrap();
    let dry = service.apply_settings(true).await.unwrap();
    assert_eq!(dry.tasks.len(), 2);
    assert_eq!(listed(&manager).await.len(), 3);
    let done = service.apply_settings(false).await.unwrap();
    assert_eq!(done.tasks, dry.tasks);
    assert!(done.log_task_id.is_some());
    // The cleanup's own log does not count as one of the tasks kept: the
    // next run removes nothing.
    assert!(service.apply_settings(true).await.unwrap().tasks.is_empty());
    assert_eq!(listed(&manager).await.len(), 2);
}

#[test]
fn policies_from_settings_and_in_words() {
    let policy = RetentionPolicy::from(RetentionSettings::default());
    assert_eq!(policy.older_than, Some(Duration::from_secs(365 * 86_400)));
    assert_eq!(policy.keep_latest, Some(10_000));
    assert_eq!(policy.max_database_bytes, Some(2_048 << 20));
    assert_eq!(
        policy.describe(),
        "older than 365 days, beyond the newest 10000, while the database is over 2048 MiB"
    );
    assert_eq!(RetentionPolicy::default().describe(), "no rule");
}

#[tokio::test]
async fn delete_checks_every_id_before_deleting_any() {
    let (_dir, store) = temp_store().await;
    let plugin = scripted("noop", |_ctx| async move { Ok(json!(null)) });
    let manager = manager_with(&store, vec![plugin], Duration::from_millis(20)).await;
    let task = manager.run_task(request("noop", json!({}))).await.unwrap();
    manager.wait(&task.id).await.unwrap();
    let service = TaskCleanupService::new(&store);
    let error = service
        .delete(&[task.id.clone(), "missing".into()])
        .await
        .unwrap_err();
    assert!(matches!(error, CoreError::TaskNotFound(ref id) if id == "missing"));
    assert!(manager.get_task(&task.id).await.is_ok());
    assert!(service.delete(&[]).await.is_err());
}

mod quick_check {
    //! [`select::may_remove`] against [`select::select`]: whenever the
    //! aggregates say nothing goes, the rows say so too.

    use proptest::prelude::*;

    use super::super::select::{self, Finished, Usage};
    use super::*;
    use crate::store::entities::tasks;

    fn row(key: i64, system: bool, created_at: i64, entries: i64) -> tasks::Model {
        tasks::Model {
            key,
            id: format!("t{key}"),
            plugin_id: if system { SYSTEM } else { "shell" }.to_owned(),
            params: "{}".to_owned(),
            status: TaskStatus::Succeeded.as_str().to_owned(),
            created_at,
            started_at: Some(created_at),
            finished_at: Some(created_at),
            error: None,
            result: None,
            runner_id: None,
            debug_count: 0,
            info_count: entries,
            warning_count: 0,
            error_count: 0,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn nothing_goes_when_the_aggregates_say_so(
            tasks in prop::collection::vec((any::<bool>(), 0_i64..1_000, 0_i64..50), 0..12),
            older_than in prop::option::of(0_u64..1_000),
            keep_latest in prop::option::of(0_u32..12),
            cap in prop::option::of(0_u64..4_000),
            used_bytes in 0_u64..4_000,
        ) {
            let now = 1_000;
            // Newest first, as the cleanup reads them.
            let mut rows: Vec<tasks::Model> = tasks
                .iter()
                .enumerate()
                .map(|(key, &(system, created_at, entries))| row(key as i64, system, created_at, entries))
                .collect();
            rows.sort_by_key(|row| std::cmp::Reverse(row.key));
            let policy = RetentionPolicy {
                older_than: older_than.map(Duration::from_millis),
                keep_latest,
                max_database_bytes: cap,
            };
            let usage = Usage {
                used_bytes,
                entries: rows.iter().map(select::entries_of).sum(),
            };
            let finished = Finished {
                user_tasks: rows.iter().filter(|row| row.plugin_id != SYSTEM).count() as u64,
                oldest_created_at: rows.iter().map(|row| row.created_at).min(),
            };
            if !select::may_remove(&policy, now, used_bytes, finished) {
                prop_assert!(select::select(rows, &policy, now, usage).is_empty());
            }
        }
    }
}

/// A pass with nothing to remove answers from the aggregates (real or dry
/// run), and one with something to remove still removes exactly it.
#[tokio::test]
async fn a_pass_with_nothing_to_remove_says_so_and_one_with_something_removes_it() {
    let (_dir, store) = temp_store().await;
    let manager = manager(&store).await;
    let first = run(&manager, "noop", json!({})).await;
    let second = run(&manager, "noop", json!({})).await;
    let service = TaskCleanupService::new(&store);
    let nothing = service
        .cleanup(policy(Some(Duration::from_secs(3_600)), Some(2)), false)
        .await
        .unwrap();
    assert!(nothing.tasks.is_empty() && !nothing.dry_run);
    assert_eq!(listed(&manager).await.len(), 2);
    let dry = service.cleanup(policy(None, Some(2)), true).await.unwrap();
    assert!(dry.tasks.is_empty() && dry.dry_run);
    let one = service.cleanup(policy(None, Some(1)), false).await.unwrap();
    assert_plans(&one, &[&first], RemovalReason::Count);
    let left: Vec<String> = listed(&manager)
        .await
        .into_iter()
        .filter(|(_, plugin)| plugin != SYSTEM)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(left, vec![second]);
}
