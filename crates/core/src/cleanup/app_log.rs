//! The app's own log: each cleanup that removed something is recorded as a
//! finished task of the `system` plugin, with one `system` entry per task
//! removed and a summary, so it shows in History, can be searched and
//! exported like any log, and is itself subject to retention.

use std::sync::Arc;

use sea_orm::TransactionTrait;
use serde_json::{Map, Value, json};
use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{LogLevel, RemovalReport, TaskStatus, human_size};

use crate::store::logs::record::{LogRecord, now_millis};
use crate::store::logs::{write, write_transaction};
use crate::store::tasks::{FinishedTask, TaskRepository};
use crate::{CoreError, Store};

/// Records `report` (a cleanup by `rules`) as a finished `system` task and
/// returns its id.
pub async fn record_cleanup(
    store: &Store,
    rules: &str,
    report: &RemovalReport,
) -> Result<String, CoreError> {
    let now = now_millis();
    let transaction = store
        .connection()
        .begin_with_options(write_transaction())
        .await?;
    let mut params = Map::new();
    params.insert("action".to_owned(), json!("cleanup"));
    params.insert("rules".to_owned(), json!(rules));
    let result = json!({
        "tasks": report.tasks.len(),
        "entries": report.entries,
        "bytes_freed": report.bytes_freed,
    });
    let task = TaskRepository::insert_finished(
        &transaction,
        FinishedTask {
            id: uuid::Uuid::now_v7().to_string(),
            plugin_id: SYSTEM,
            params: &params,
            status: TaskStatus::Succeeded,
            created_at: now,
            started_at: Some(now),
            finished_at: Some(now),
            error: None,
            result: Some(&result),
        },
    )
    .await?;
    let id = task.id.clone();
    let task = Arc::new(task);
    let entry = |seq: u64, message: String, metadata: Value| {
        LogRecord::system(
            Arc::clone(&task),
            seq,
            LogLevel::Info,
            message,
            metadata.as_object().cloned(),
        )
    };
    let mut records: Vec<LogRecord> = report
        .tasks
        .iter()
        .enumerate()
        .map(|(index, removed)| {
            entry(
                index as u64 + 1,
                format!(
                    "removed task {} ({}, {}, {} entries): {}",
                    removed.id,
                    removed.plugin_id,
                    removed.status,
                    removed.entries,
                    removed.reason.describe()
                ),
                json!({
                    "task_id": removed.id,
                    "plugin_id": removed.plugin_id,
                    "status": removed.status,
                    "entries": removed.entries,
                    "reason": removed.reason,
                }),
            )
        })
        .collect();
    records.push(entry(
        records.len() as u64 + 1,
        format!(
            "cleanup ({rules}) removed {} task(s) with {} entries and gave back {}",
            report.tasks.len(),
            report.entries,
            human_size(report.bytes_freed)
        ),
        result,
    ));
    write::insert_records(&transaction, &records).await?;
    transaction.commit().await?;
    Ok(id)
}
