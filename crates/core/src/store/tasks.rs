//! Task rows: creating them, moving them through their lifecycle, writing
//! finished ones whole (imports, cleanup records), and reading them back
//! as [`TaskSummary`] values. Every write of a `tasks` row is here.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::{Map, Value};
use taskdeck_protocol::{LevelCounts, TaskProgress, TaskStatus, TaskSummary};

use super::entities::tasks;
use super::logs::record::{TaskIdentity, millis_to_time, now_millis};
use crate::{CoreError, Store};

/// Log ids are `key << 32 | seq` in a signed 64-bit integer, so a task key
/// must stay below 2^31 (two billion tasks).
pub const MAX_TASK_KEY: i64 = 1 << 31;

/// A task that has already ended, as [`TaskRepository::insert_finished`]
/// writes it. Times are ms since the Unix epoch.
#[derive(Debug)]
pub struct FinishedTask<'a> {
    /// Its public id.
    pub id: String,
    /// The plugin it ran.
    pub plugin_id: &'a str,
    /// Its parameters.
    pub params: &'a Map<String, Value>,
    /// How it ended.
    pub status: TaskStatus,
    /// When it was created.
    pub created_at: i64,
    /// When it started.
    pub started_at: Option<i64>,
    /// When it ended.
    pub finished_at: Option<i64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// What it returned.
    pub result: Option<&'a Value>,
}

/// Reads and writes `tasks`.
#[derive(Debug, Clone)]
pub struct TaskRepository {
    connection: DatabaseConnection,
}

impl TaskRepository {
    /// A repository on `store`'s database.
    pub fn new(store: &Store) -> Self {
        Self {
            connection: store.connection().clone(),
        }
    }

    /// Inserts a `pending` task run by `runner_id` and returns its row.
    pub async fn create(
        &self,
        plugin_id: &str,
        params: &Map<String, Value>,
        runner_id: &str,
    ) -> Result<tasks::Model, CoreError> {
        let row = tasks::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            plugin_id: Set(plugin_id.to_owned()),
            params: Set(Value::Object(params.clone()).to_string()),
            status: Set(TaskStatus::Pending.as_str().to_owned()),
            created_at: Set(now_millis()),
            runner_id: Set(Some(runner_id.to_owned())),
            ..Default::default()
        };
        // In a transaction of its own: an `INSERT … RETURNING` run alone
        // commits as its statement is reset, and a commit that fails there
        // (a full disk) is never reported — the caller would hold a row that
        // was rolled back.
        let transaction = self
            .connection
            .begin_with_options(super::logs::write_transaction())
            .await?;
        let row = row.insert(&transaction).await?;
        transaction.commit().await?;
        if row.key >= MAX_TASK_KEY {
            return Err(CoreError::InvalidArgument(format!(
                "the database has used up its task numbers ({} tasks created); \
                 start a new data directory",
                row.key
            )));
        }
        Ok(row)
    }

    /// The task with public id `id`.
    pub async fn get(&self, id: &str) -> Result<tasks::Model, CoreError> {
        tasks::Entity::find()
            .filter(tasks::Column::Id.eq(id))
            .one(&self.connection)
            .await?
            .ok_or_else(|| CoreError::TaskNotFound(id.to_owned()))
    }

    /// The rows of the tasks with these keys (those that exist), by key.
    pub async fn by_keys(
        &self,
        keys: &[i64],
    ) -> Result<std::collections::HashMap<i64, tasks::Model>, CoreError> {
        if keys.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let rows = tasks::Entity::find()
            .filter(tasks::Column::Key.is_in(keys.iter().copied()))
            .all(&self.connection)
            .await?;
        Ok(rows.into_iter().map(|row| (row.key, row)).collect())
    }

    /// The identities of the task with public id `id`.
    pub async fn identity(&self, id: &str) -> Result<TaskIdentity, CoreError> {
        let key: Option<i64> = tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Key)
            .filter(tasks::Column::Id.eq(id))
            .into_tuple()
            .one(&self.connection)
            .await?;
        key.map(|key| TaskIdentity {
            key,
            id: id.to_owned(),
        })
        .ok_or_else(|| CoreError::TaskNotFound(id.to_owned()))
    }

    /// Marks the task running.
    pub async fn mark_running(&self, key: i64) -> Result<(), CoreError> {
        tasks::Entity::update_many()
            .col_expr(
                tasks::Column::Status,
                Expr::value(TaskStatus::Running.as_str()),
            )
            .col_expr(tasks::Column::StartedAt, Expr::value(now_millis()))
            .filter(tasks::Column::Key.eq(key))
            .exec(&self.connection)
            .await?;
        Ok(())
    }

    /// Records the task's final status, error and result.
    pub async fn finish<C: ConnectionTrait>(
        connection: &C,
        key: i64,
        status: TaskStatus,
        error: Option<String>,
        result: Option<&Value>,
    ) -> Result<(), CoreError> {
        tasks::Entity::update_many()
            .col_expr(tasks::Column::Status, Expr::value(status.as_str()))
            .col_expr(tasks::Column::FinishedAt, Expr::value(now_millis()))
            .col_expr(tasks::Column::Error, Expr::value(error))
            .col_expr(
                tasks::Column::Result,
                Expr::value(result.map(Value::to_string)),
            )
            .filter(tasks::Column::Key.eq(key))
            .exec(connection)
            .await?;
        Ok(())
    }

    /// Marks task `key` `interrupted` with `message` as its error, only if
    /// it is still unfinished (two processes starting together mark it
    /// once); `false` if it had finished.
    pub async fn mark_interrupted<C: ConnectionTrait>(
        connection: &C,
        key: i64,
        message: String,
    ) -> Result<bool, CoreError> {
        let updated = tasks::Entity::update_many()
            .col_expr(
                tasks::Column::Status,
                Expr::value(TaskStatus::Interrupted.as_str()),
            )
            .col_expr(tasks::Column::FinishedAt, Expr::value(now_millis()))
            .col_expr(tasks::Column::Error, Expr::value(message))
            .filter(tasks::Column::Key.eq(key))
            .filter(
                tasks::Column::Status
                    .is_in([TaskStatus::Pending.as_str(), TaskStatus::Running.as_str()]),
            )
            .exec(connection)
            .await?;
        Ok(updated.rows_affected > 0)
    }

    /// Writes a task that has already ended, whole (an imported one, the
    /// record of a cleanup), refusing an id the store already has.
    pub async fn insert_finished<C: ConnectionTrait>(
        connection: &C,
        task: FinishedTask<'_>,
    ) -> Result<TaskIdentity, CoreError> {
        let existing = tasks::Entity::find()
            .filter(tasks::Column::Id.eq(task.id.as_str()))
            .one(connection)
            .await?;
        if existing.is_some() {
            return Err(CoreError::InvalidArgument(format!(
                "task {} is already in this store",
                task.id
            )));
        }
        let row = tasks::ActiveModel {
            id: Set(task.id),
            plugin_id: Set(task.plugin_id.to_owned()),
            params: Set(Value::Object(task.params.clone()).to_string()),
            status: Set(task.status.as_str().to_owned()),
            created_at: Set(task.created_at),
            started_at: Set(task.started_at),
            finished_at: Set(task.finished_at),
            error: Set(task.error),
            result: Set(task.result.map(Value::to_string)),
            runner_id: Set(None),
            ..Default::default()
        }
        .insert(connection)
        .await?;
        Ok(row.identity())
    }

    /// Unfinished tasks whose runner is not `runner_id`.
    pub async fn unfinished_of_other_runners(
        &self,
        runner_id: &str,
    ) -> Result<Vec<tasks::Model>, CoreError> {
        Ok(tasks::Entity::find()
            .filter(
                tasks::Column::Status
                    .is_in([TaskStatus::Pending.as_str(), TaskStatus::Running.as_str()]),
            )
            .filter(
                sea_orm::Condition::any()
                    .add(tasks::Column::RunnerId.ne(runner_id))
                    .add(tasks::Column::RunnerId.is_null()),
            )
            .all(&self.connection)
            .await?)
    }

    /// Log entries held by all tasks together, from their per-level counts.
    pub async fn total_entries(&self) -> Result<u64, CoreError> {
        let backend = self.connection.get_database_backend();
        let row = self
            .connection
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT COALESCE(SUM(debug_count + info_count + warning_count + error_count), 0) \
                 FROM tasks",
            ))
            .await?;
        let total = match row {
            Some(row) => row.try_get_by_index::<i64>(0)?,
            None => 0,
        };
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// The connection, for callers that join task updates to a transaction.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.connection
    }
}

impl tasks::Model {
    /// The row's status (an unknown name reads as `interrupted`, so a
    /// damaged row never looks live).
    pub fn task_status(&self) -> TaskStatus {
        self.status.parse().unwrap_or(TaskStatus::Interrupted)
    }

    /// Its two identities.
    pub fn identity(&self) -> TaskIdentity {
        TaskIdentity {
            key: self.key,
            id: self.id.clone(),
        }
    }

    /// The wire form, with the live `progress` if the task runs here.
    pub fn to_summary(&self, progress: Option<TaskProgress>) -> TaskSummary {
        let params = match serde_json::from_str(&self.params) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        TaskSummary {
            id: self.id.clone(),
            plugin_id: self.plugin_id.clone(),
            params,
            status: self.task_status(),
            created_at: millis_to_time(self.created_at),
            started_at: self.started_at.map(millis_to_time),
            finished_at: self.finished_at.map(millis_to_time),
            error: self.error.clone(),
            result: self
                .result
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
            counts: LevelCounts {
                debug: self.debug_count.max(0) as u64,
                info: self.info_count.max(0) as u64,
                warning: self.warning_count.max(0) as u64,
                error: self.error_count.max(0) as u64,
            },
            progress,
        }
    }
}
