//! [`TaskCleanupService`]: removing finished tasks with their logs, by id or
//! by a retention policy (the user's settings or explicit rules), giving
//! the space back and reporting exactly what went.
//!
//! Unfinished tasks (`pending`, `running`) are never removed. Each task goes
//! in its own transaction (its row, entries, index rows and aggregates
//! together), so an interrupted cleanup leaves whole tasks, never half
//! ones. A cleanup that removed something is recorded in the app's own log
//! ([`app_log`]); [`select`] decides what a policy removes.

pub mod app_log;
pub mod select;

use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{RemovalReason, RemovalReport, RemovedTask, RetentionSettings, TaskStatus};

pub use self::select::RetentionPolicy;
use crate::settings::SettingsRepository;
use crate::store::entities::tasks;
use crate::store::logs::LogStore;
use crate::store::logs::record::now_millis;
use crate::store::space::{self, Reclaim};
use crate::store::tasks::TaskRepository;
use crate::{CoreError, Store};

/// How often the app applies the retention settings after start-up.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(60 * 60);

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
            if !rows
                .iter()
                .any(|(known, _): &(tasks::Model, _)| known.key == row.key)
            {
                rows.push((row, RemovalReason::Requested));
            }
        }
        let mut report = self.remove(rows, false).await?;
        // A delete from History stays quick on a large store: the index's
        // delete markers wait for the next retention cleanup.
        self.reclaim(&mut report, Reclaim::FreePages).await?;
        Ok(report)
    }

    /// Applies the user's retention settings (see [`SettingsRepository`]):
    /// what the app runs at start-up and every [`CLEANUP_INTERVAL`], and
    /// `taskdeck cleanup` without rules. With every rule off it removes
    /// nothing.
    pub async fn apply_settings(&self, dry_run: bool) -> Result<RemovalReport, CoreError> {
        let settings = SettingsRepository::new(&self.store).load().await?;
        self.apply(settings.retention, dry_run).await
    }

    /// Applies `retention` (settings already loaded); with every rule off
    /// it removes nothing.
    pub async fn apply(
        &self,
        retention: RetentionSettings,
        dry_run: bool,
    ) -> Result<RemovalReport, CoreError> {
        let policy = RetentionPolicy::from(retention);
        if policy.is_empty() {
            return Ok(RemovalReport {
                dry_run,
                ..RemovalReport::default()
            });
        }
        self.cleanup(policy, dry_run).await
    }

    /// Removes the finished tasks `policy` selects (or, with `dry_run`,
    /// only reports them).
    pub async fn cleanup(
        &self,
        policy: RetentionPolicy,
        dry_run: bool,
    ) -> Result<RemovalReport, CoreError> {
        if policy.is_empty() {
            return Err(CoreError::InvalidArgument(
                "a cleanup needs a rule: an age (older than), a number of tasks to keep or a \
                 database size"
                    .to_owned(),
            ));
        }
        let used_bytes = space::used_bytes(self.store.connection()).await?;
        let now = now_millis();
        // Reading every finished task's row took a second at 100,000 tasks,
        // at start-up and hourly, to find nothing to remove.
        if !select::may_remove(&policy, now, used_bytes, self.finished().await?) {
            return Ok(RemovalReport {
                dry_run,
                ..RemovalReport::default()
            });
        }
        let finished = tasks::Entity::find()
            .filter(
                tasks::Column::Status
                    .is_not_in([TaskStatus::Pending.as_str(), TaskStatus::Running.as_str()]),
            )
            .order_by_desc(tasks::Column::Key)
            .all(self.store.connection())
            .await?;
        let usage = select::Usage {
            used_bytes,
            entries: TaskRepository::new(&self.store).total_entries().await?,
        };
        let selected = select::select(finished, &policy, now, usage);
        let mut report = self.remove(selected, dry_run).await?;
        self.reclaim(&mut report, Reclaim::IndexAndFreePages)
            .await?;
        if !dry_run && !report.tasks.is_empty() {
            report.log_task_id =
                Some(app_log::record_cleanup(&self.store, &policy.describe(), &report).await?);
        }
        Ok(report)
    }

    /// How many finished tasks are the user's, and when the oldest
    /// finished task was created: one pass over the tasks' table, reading
    /// two columns.
    async fn finished(&self) -> Result<select::Finished, CoreError> {
        let connection = self.store.connection();
        let row = connection
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                connection.get_database_backend(),
                "SELECT COALESCE(SUM(plugin_id <> ?), 0), MIN(created_at) FROM tasks \
                 WHERE status NOT IN (?, ?)",
                [
                    SYSTEM.into(),
                    TaskStatus::Pending.as_str().into(),
                    TaskStatus::Running.as_str().into(),
                ],
            ))
            .await?;
        let Some(row) = row else {
            return Ok(select::Finished::default());
        };
        Ok(select::Finished {
            user_tasks: u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0),
            oldest_created_at: row.try_get_by_index::<Option<i64>>(1)?,
        })
    }

    async fn remove(
        &self,
        rows: Vec<(tasks::Model, RemovalReason)>,
        dry_run: bool,
    ) -> Result<RemovalReport, CoreError> {
        let persistence = LogStore::new(&self.store);
        let mut report = RemovalReport {
            dry_run,
            ..RemovalReport::default()
        };
        for (row, reason) in rows {
            let entries = if dry_run {
                select::entries_of(&row)
            } else {
                persistence.delete_task(&row.identity()).await?
            };
            if !dry_run {
                tracing::info!(task_id = %row.id, entries, ?reason, "deleted task and its log");
            }
            report.entries += entries;
            report.tasks.push(RemovedTask {
                id: row.id.clone(),
                plugin_id: row.plugin_id.clone(),
                status: row.task_status(),
                entries,
                reason,
            });
        }
        Ok(report)
    }

    /// Gives the space of what `report` removed back (nothing on a dry run
    /// or when nothing went).
    async fn reclaim(&self, report: &mut RemovalReport, how: Reclaim) -> Result<(), CoreError> {
        if !report.dry_run && !report.tasks.is_empty() {
            report.bytes_freed = space::reclaim(self.store.connection(), how).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
