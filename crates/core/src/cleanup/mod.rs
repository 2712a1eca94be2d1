//! [`TaskCleanupService`]: removing finished tasks with their logs, by id or
//! by a retention policy, and reporting exactly what went.
//!
//! Unfinished tasks (`pending`, `running`) are never removed. Each task goes
//! in its own transaction (its row, entries, index rows and aggregates
//! together), so an interrupted cleanup leaves whole tasks, never half
//! ones.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use taskdeck_protocol::{RemovalReport, RemovedTask, TaskStatus};

use crate::store::entities::tasks;
use crate::store::logs::TaskLogPersistenceService;
use crate::store::logs::record::now_millis;
use crate::store::tasks::TaskRepository;
use crate::{CoreError, Store};

/// Which finished tasks a cleanup removes: those matching *any* rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Remove tasks created longer ago than this.
    pub older_than: Option<Duration>,
    /// Keep only this many of the newest finished tasks.
    pub keep_latest: Option<u32>,
}

/// Deletes tasks and their logs.
#[derive(Debug, Clone)]
pub struct TaskCleanupService {
    store: Store,
}

impl TaskCleanupService {
    /// A service on `store`.
    pub fn new(store: &Store) -> Self {
        Self {
            store: store.clone(),
        }
    }

    /// Deletes the tasks with these ids. Every id is checked first: an
    /// unknown or unfinished task is an error and nothing is deleted.
    pub async fn delete(&self, task_ids: &[String]) -> Result<RemovalReport, CoreError> {
        if task_ids.is_empty() {
            return Err(CoreError::InvalidArgument(
                "no task ids given to delete".to_owned(),
            ));
        }
        let repository = TaskRepository::new(&self.store);
        let mut rows = Vec::with_capacity(task_ids.len());
        for id in task_ids {
            let row = repository.get(id).await?;
            if !row.task_status().is_finished() {
                return Err(CoreError::InvalidArgument(format!(
                    "task {id} is {}; cancel it before deleting it",
                    row.task_status()
                )));
            }
            if !rows.iter().any(|known: &tasks::Model| known.key == row.key) {
                rows.push(row);
            }
        }
        self.remove(rows, false).await
    }

    /// Removes the finished tasks `policy` selects (or, with `dry_run`,
    /// only reports them).
    pub async fn cleanup(
        &self,
        policy: RetentionPolicy,
        dry_run: bool,
    ) -> Result<RemovalReport, CoreError> {
        if policy.older_than.is_none() && policy.keep_latest.is_none() {
            return Err(CoreError::InvalidArgument(
                "a cleanup needs a rule: an age (older than) or a number of tasks to keep"
                    .to_owned(),
            ));
        }
        let finished = tasks::Entity::find()
            .filter(
                tasks::Column::Status
                    .is_not_in([TaskStatus::Pending.as_str(), TaskStatus::Running.as_str()]),
            )
            .order_by_desc(tasks::Column::Key)
            .all(self.store.connection())
            .await?;
        let cutoff = policy.older_than.map(|age| {
            now_millis().saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX))
        });
        let keep = policy.keep_latest.map_or(usize::MAX, |keep| keep as usize);
        let selected = finished
            .into_iter()
            .enumerate()
            .filter(|(position, row)| {
                *position >= keep || cutoff.is_some_and(|cutoff| row.created_at < cutoff)
            })
            .map(|(_, row)| row)
            .collect();
        self.remove(selected, dry_run).await
    }

    async fn remove(
        &self,
        rows: Vec<tasks::Model>,
        dry_run: bool,
    ) -> Result<RemovalReport, CoreError> {
        let persistence = TaskLogPersistenceService::new(&self.store);
        let mut report = RemovalReport {
            dry_run,
            ..RemovalReport::default()
        };
        for row in rows {
            let entries = if dry_run {
                (row.debug_count + row.info_count + row.warning_count + row.error_count).max(0)
                    as u64
            } else {
                persistence.delete_task(&row.identity()).await?
            };
            if !dry_run {
                tracing::info!(task_id = %row.id, entries, "deleted task and its log");
            }
            report.entries += entries;
            report.tasks.push(RemovedTask {
                id: row.id.clone(),
                plugin_id: row.plugin_id.clone(),
                status: row.task_status(),
                entries,
            });
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;
    use taskdeck_protocol::TaskListFilter;

    use super::*;
    use crate::test_support::{manager_with, request, scripted, temp_store};

    #[tokio::test]
    async fn cleanup_keeps_the_newest_reports_what_it_removes_and_honours_dry_run() {
        let (_dir, store) = temp_store().await;
        let plugin = scripted("noop", |ctx| async move {
            ctx.logger().info("hi");
            Ok(json!(null))
        });
        let manager = manager_with(&store, vec![plugin], Duration::from_millis(20)).await;
        let mut ids = Vec::new();
        for _ in 0..5 {
            let task = manager.run_task(request("noop", json!({}))).await.unwrap();
            manager.wait(&task.id).await.unwrap();
            ids.push(task.id);
        }
        let service = TaskCleanupService::new(&store);
        let keep_two = RetentionPolicy {
            keep_latest: Some(2),
            older_than: None,
        };
        let dry = service.cleanup(keep_two, true).await.unwrap();
        assert!(dry.dry_run);
        let planned: Vec<&str> = dry.tasks.iter().map(|task| task.id.as_str()).collect();
        assert_eq!(
            planned,
            vec![ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]
        );
        assert_eq!(dry.entries, 9);
        assert_eq!(
            manager
                .list_tasks(&TaskListFilter::default())
                .await
                .unwrap()
                .len(),
            5
        );

        let done = service.cleanup(keep_two, false).await.unwrap();
        assert_eq!(done.tasks, dry.tasks);
        assert_eq!(done.entries, 9);
        let left: Vec<String> = manager
            .list_tasks(&TaskListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|task| task.id)
            .collect();
        assert_eq!(left, vec![ids[4].clone(), ids[3].clone()]);

        let by_age = RetentionPolicy {
            older_than: Some(Duration::ZERO),
            keep_latest: None,
        };
        assert_eq!(service.cleanup(by_age, false).await.unwrap().tasks.len(), 2);
        assert!(
            service
                .cleanup(RetentionPolicy::default(), true)
                .await
                .is_err()
        );
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
}
