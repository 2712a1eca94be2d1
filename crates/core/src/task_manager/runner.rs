//! Telling a task whose process died from one that a live process still
//! runs, and marking the former `interrupted`.
//!
//! Every manager is a *runner* with its own id, stored on the tasks it
//! creates, and holds an exclusive OS lock on `runners/<id>.lock` in the
//! data directory for as long as it lives. The OS releases that lock when
//! the process ends, however it ends (even `SIGKILL`). When a manager
//! starts, each unfinished task of another runner whose lock can be taken
//! belongs to a dead process: it is marked `interrupted`, with a `system`
//! `ERROR` entry saying so. Tasks of runners whose lock is held (the app
//! while the CLI starts, or the reverse) are left alone.
//!
//! A lock file is probed only for runner ids found on tasks, and a manager
//! holds its lock before it creates any task, so a lock file that is being
//! created (and not yet locked) is never mistaken for a dead runner's.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sea_orm::TransactionTrait;
use taskdeck_protocol::LogLevel;

use crate::store::entities::tasks;
use crate::store::logs::record::LogRecord;
use crate::store::logs::{LogStore, write, write_transaction};
use crate::store::tasks::TaskRepository;
use crate::{CoreError, DataDir, Store};

/// The folder of the data directory holding the runners' lock files.
pub(crate) const RUNNERS_DIR: &str = "runners";

/// This process's runner identity and the lock that proves it alive.
#[derive(Debug)]
pub struct RunnerLock {
    id: String,
    path: PathBuf,
    _file: File,
}

impl RunnerLock {
    /// Takes a new runner id and locks its file.
    pub fn acquire(data_dir: &DataDir) -> Result<Self, CoreError> {
        let directory = data_dir.path().join(RUNNERS_DIR);
        std::fs::create_dir_all(&directory).map_err(|error| {
            CoreError::io(format!("cannot create {}", directory.display()), error)
        })?;
        let id = uuid::Uuid::now_v7().to_string();
        let path = directory.join(format!("{id}.lock"));
        let file = File::create(&path)
            .map_err(|error| CoreError::io(format!("cannot create {}", path.display()), error))?;
        file.try_lock().map_err(|error| {
            CoreError::io(
                format!("cannot lock {}", path.display()),
                std::io::Error::other(error.to_string()),
            )
        })?;
        Ok(Self {
            id,
            path,
            _file: file,
        })
    }

    /// This runner's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for RunnerLock {
    fn drop(&mut self) {
        // Best effort: a leftover file is harmless (its lock is free).
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the runner `runner_id` is a live process. An id that is not a
/// plain UUID, or whose lock file is missing or free, is dead. A lock file
/// that cannot be opened is assumed alive, so a live task is never marked
/// interrupted by mistake.
fn is_alive(data_dir: &DataDir, runner_id: &str) -> bool {
    if runner_id.is_empty()
        || !runner_id
            .chars()
            .all(|character| character.is_ascii_hexdigit() || character == '-')
    {
        return false;
    }
    let path = lock_path(data_dir.path(), runner_id);
    let file = match OpenOptions::new().write(true).open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return false,
        Err(_) => return true,
    };
    match file.try_lock() {
        Ok(()) => {
            drop(file);
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => true,
    }
}

fn lock_path(data_dir: &Path, runner_id: &str) -> PathBuf {
    data_dir.join(RUNNERS_DIR).join(format!("{runner_id}.lock"))
}

/// Marks every unfinished task of a dead runner `interrupted`. Returns the
/// ids of the tasks marked.
pub async fn recover_interrupted(
    store: &Store,
    own_runner_id: &str,
) -> Result<Vec<String>, CoreError> {
    let repository = TaskRepository::new(store);
    let mut marked = Vec::new();
    for task in repository
        .unfinished_of_other_runners(own_runner_id)
        .await?
    {
        let runner = task.runner_id.as_deref().unwrap_or_default();
        if is_alive(store.data_dir(), runner) {
            continue;
        }
        if mark_interrupted(store, &task).await? {
            marked.push(task.id.clone());
        }
    }
    Ok(marked)
}

/// In one transaction: the status (only if still unfinished, so two
/// processes starting together mark a task once) and the `system` entry.
async fn mark_interrupted(store: &Store, task: &tasks::Model) -> Result<bool, CoreError> {
    let message = format!(
        "Interrupted: the process running this task stopped before it finished \
         (it was {}; entries it had not yet written are lost)",
        task.task_status()
    );
    let transaction = store
        .connection()
        .begin_with_options(write_transaction())
        .await?;
    let marked = TaskRepository::mark_interrupted(&transaction, task.key, message.clone()).await?;
    if !marked {
        transaction.rollback().await?;
        return Ok(false);
    }
    let identity = Arc::new(task.identity());
    let last_seq = LogStore::last_seq(&transaction, &identity).await?;
    let record = LogRecord::system(identity, last_seq + 1, LogLevel::Error, message, None);
    write::insert_records(&transaction, std::slice::from_ref(&record)).await?;
    transaction.commit().await?;
    tracing::warn!(task_id = %task.id, "marked interrupted: its process died");
    Ok(true)
}
