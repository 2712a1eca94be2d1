//! The `migration` plugin on real SQLite files, through a real manager.

use std::path::Path;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use taskdeck_protocol::{LogEntry, TaskStatus, TaskSummary};

use crate::TaskManager;
use crate::test_support::{
    all_entries, cancel_and_wait, manager_with, request, temp_store, until_entry, wait_until,
};

async fn run(manager: &TaskManager, params: Value) -> (TaskSummary, Vec<LogEntry>) {
    let task = manager
        .run_task(request("migration", params))
        .await
        .unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    (finished, all_entries(manager, &task.id).await)
}

/// One number from the database.
async fn number(database: &Path, sql: &str) -> i64 {
    let connection = Database::connect(format!("sqlite://{}?mode=ro", database.display()))
        .await
        .unwrap();
    let row = connection
        .query_one_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn params(database: &Path, folder: &Path) -> Value {
    json!({ "database": database, "folder": folder })
}

#[tokio::test]
async fn files_apply_in_order_once_and_a_changed_file_is_refused() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("sql");
    std::fs::create_dir(&folder).unwrap();
    let database = work.path().join("app.db");
    std::fs::write(
        folder.join("V2__seed.sql"),
        "INSERT INTO users (name) VALUES ('ada');\nINSERT INTO users (name) VALUES ('grace');\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("V1__users.sql"),
        "-- the first table\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    )
    .unwrap();

    // A dry run plans and changes nothing (the database must exist).
    let (task, _) = run(
        &manager,
        json!({ "database": database, "folder": folder, "dry_run": true }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert!(task.error.unwrap().contains("does not exist"));
    assert!(!database.exists());

    let (task, entries) = run(&manager, params(&database, &folder)).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    assert_eq!(task.result.unwrap()["applied"], json!([1, 2]));
    assert_eq!(number(&database, "SELECT count(*) FROM users").await, 2);
    assert_eq!(
        number(&database, "SELECT count(*) FROM taskdeck_migrations").await,
        2
    );
    let sources: Vec<&str> = entries.iter().map(|entry| entry.source.as_str()).collect();
    assert!(sources.contains(&"migration.plan") && sources.contains(&"migration.sql"));
    // Every entry names its component (or is the system's).
    assert!(
        sources
            .iter()
            .all(|source| source.starts_with("migration.") || *source == "system"),
        "{sources:?}"
    );

    // Again: nothing to do, and the applied files are verified.
    let (task, entries) = run(&manager, params(&database, &folder)).await;
    assert_eq!(task.status, TaskStatus::Succeeded);
    assert_eq!(task.result.unwrap()["applied"], json!([]));
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "migration.verify")
    );
    assert_eq!(number(&database, "SELECT count(*) FROM users").await, 2);

    // A new file shows in a dry run but is not applied by it.
    std::fs::write(
        folder.join("V3__more.sql"),
        "CREATE TABLE teams (id INTEGER);",
    )
    .unwrap();
    let (task, _) = run(
        &manager,
        json!({ "database": database, "folder": folder, "dry_run": true }),
    )
    .await;
    assert_eq!(task.result.unwrap()["pending"], json!([3]));
    assert_eq!(
        number(&database, "SELECT count(*) FROM taskdeck_migrations").await,
        2
    );

    // An applied file that changed stops everything, named.
    std::fs::write(
        folder.join("V1__users.sql"),
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
    )
    .unwrap();
    let (task, entries) = run(&manager, params(&database, &folder)).await;
    assert_eq!(task.status, TaskStatus::Failed);
    let error = task.error.unwrap();
    assert!(
        error.contains("V1__users.sql was changed after it was applied"),
        "{error}"
    );
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "migration.verify")
    );
    assert_eq!(
        number(&database, "SELECT count(*) FROM taskdeck_migrations").await,
        2
    );
}

#[tokio::test]
async fn a_failing_statement_names_its_line_and_rolls_its_file_back() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("app.db");
    std::fs::write(
        work.path().join("V1__bad.sql"),
        "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\n\nINSERT INTO missing VALUES (2);\n",
    )
    .unwrap();
    let (task, entries) = run(&manager, params(&database, work.path())).await;
    assert_eq!(task.status, TaskStatus::Failed);
    let error = task.error.unwrap();
    assert!(error.starts_with("V1__bad.sql line 4: "), "{error}");
    assert!(error.contains("no such table: missing"), "{error}");
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "migration.sql" && entry.message.contains("rolled back"))
    );
    // The file's first statements were rolled back with it.
    assert_eq!(
        number(
            &database,
            "SELECT count(*) FROM sqlite_master WHERE name = 'a'"
        )
        .await,
        0
    );
    assert_eq!(
        number(&database, "SELECT count(*) FROM taskdeck_migrations").await,
        0
    );
}

#[tokio::test]
async fn cancelling_leaves_the_database_at_a_migration_boundary() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("app.db");
    std::fs::write(
        work.path().join("V1__table.sql"),
        "CREATE TABLE n (x INTEGER);",
    )
    .unwrap();
    let inserts: String = (0..200_000)
        .map(|index| format!("INSERT INTO n VALUES ({index});\n"))
        .collect();
    std::fs::write(work.path().join("V2__many.sql"), inserts).unwrap();
    let task = manager
        .run_task(request("migration", params(&database, work.path())))
        .await
        .unwrap();
    // Cancel once the long file has started.
    wait_until("the long file to start", || async {
        let entries = all_entries(&manager, &task.id).await;
        entries
            .iter()
            .any(|entry| entry.message == "applying V2__many.sql")
            .then_some(())
    })
    .await;
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    // V1 stays applied; V2 left no row behind.
    assert_eq!(
        number(&database, "SELECT count(*) FROM taskdeck_migrations").await,
        1
    );
    assert_eq!(number(&database, "SELECT count(*) FROM n").await, 0);
}

#[tokio::test]
async fn cancelling_interrupts_one_long_statement() {
    use crate::{FlushConfig, ManagerConfig, PluginRegistry};

    let (_dir, store) = temp_store().await;
    // A long grace: the task must end because the statement was
    // interrupted, not because the manager gave up waiting for it.
    let config = ManagerConfig {
        flush: FlushConfig {
            interval: Duration::from_millis(20),
            max_batch: 512,
            ..FlushConfig::default()
        },
        cancel_grace: Duration::from_secs(60),
    };
    let manager = TaskManager::start(store.clone(), PluginRegistry::builtin(), config)
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("app.db");
    std::fs::write(
        work.path().join("V1__count.sql"),
        "CREATE TABLE n (x INTEGER);\n\
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000)\n\
         INSERT INTO n SELECT x FROM c;\n",
    )
    .unwrap();
    let mut live = manager.subscribe_logs();
    let task = manager
        .run_task(request("migration", params(&database, work.path())))
        .await
        .unwrap();
    // The table exists: the long statement is running now.
    until_entry(&mut live, &task.id, |entry| {
        entry.message == "V1__count.sql line 1: ok"
    })
    .await;
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    let entries = all_entries(&manager, &task.id).await;
    assert!(
        entries
            .iter()
            .any(|entry| entry.message == "cancelled: V1__count.sql rolled back"),
        "{entries:#?}"
    );
    assert!(
        !entries
            .iter()
            .any(|entry| entry.message.contains("did not stop")),
        "{entries:#?}"
    );
    assert_eq!(
        number(
            &database,
            "SELECT count(*) FROM sqlite_master WHERE name = 'n'"
        )
        .await,
        0,
        "the file's table was rolled back with it"
    );
}

#[tokio::test]
async fn taskdeck_s_own_database_is_refused_and_a_name_with_a_question_mark_is_that_file() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("sql");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("V1__t.sql"), "CREATE TABLE t (x);\n").unwrap();

    let own = store.data_dir().database_path();
    let before = std::fs::read(&own).unwrap();
    let (task, _) = run(&manager, params(&own, &folder)).await;
    assert_eq!(task.status, TaskStatus::Failed);
    let error = task.error.unwrap();
    assert!(error.contains("Taskdeck's own files"), "{error}");
    assert_eq!(std::fs::read(&own).unwrap(), before, "not touched");

    // In a URL, `?mode=ro` here would be read as options of `odd` (and
    // `#x.db` as a fragment); Windows forbids `?` in a file name.
    let odd_name = if cfg!(windows) {
        "odd#mode=ro&x.db"
    } else {
        "odd?mode=ro#x.db"
    };
    let odd = work.path().join(odd_name);
    let (task, _) = run(&manager, params(&odd, &folder)).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
    assert!(odd.is_file(), "the file named, nothing else");
    let names: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|name| name == "sql" || name.starts_with(odd_name)),
        "{names:?}"
    );
}
