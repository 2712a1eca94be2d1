//! The `git` plugin on real repositories, with a local bare remote.

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::{LogEntry, TaskStatus, TaskSummary};

use crate::TaskManager;
use crate::test_support::{
    all_entries, cancel_and_wait, git_installed, manager_with, request, temp_store,
};

async fn run(manager: &TaskManager, params: Value) -> (TaskSummary, Vec<LogEntry>) {
    let task = manager.run_task(request("git", params)).await.unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    (finished, all_entries(manager, &task.id).await)
}

/// Runs git directly (test set-up, not the plugin).
fn git(directory: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(directory)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A remote that accepts a connection and never answers: git waits on it
/// until cancelled. Its URL, and the listener to hand to
/// [`cancel_once_connected`].
fn silent_remote() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/repo.git",
        listener.local_addr().unwrap().port()
    );
    (listener, url)
}

/// Waits for git to connect to the silent remote, then cancels the task
/// and waits for its end.
async fn cancel_once_connected(
    manager: &TaskManager,
    task_id: &str,
    listener: TcpListener,
) -> TaskSummary {
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    // Never forever: a git that does not connect fails the test.
    let (_connection, _) = tokio::time::timeout(Duration::from_secs(60), listener.accept())
        .await
        .expect("git connected to the silent remote within 60 s")
        .unwrap();
    cancel_and_wait(manager, task_id).await
}

fn identify(repository: &Path) {
    git(repository, &["config", "user.name", "Taskdeck Test"]);
    git(
        repository,
        &["config", "user.email", "test@taskdeck.invalid"],
    );
}

#[tokio::test]
async fn clone_commit_push_pull_and_status_on_real_repositories() {
    if !git_installed() {
        eprintln!("skipped: git is not installed (Wine has none)");
        return;
    }
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let remote = work.path().join("remote.git");
    std::fs::create_dir(&remote).unwrap();
    git(&remote, &["init", "--bare", "--quiet"]);
    let first = work.path().join("first");
    let second = work.path().join("second");

    let (task, entries) = run(
        &manager,
        json!({ "operation": "clone", "url": remote, "repository": first }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    identify(&first);
    std::fs::write(first.join("notes.txt"), "one\n").unwrap();
    let (task, entries) = run(
        &manager,
        json!({ "operation": "commit", "repository": first, "message": "first notes" }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    let commit = task.result.unwrap()["commit"].as_str().unwrap().to_owned();
    assert_eq!(commit.len(), 40);
    // Every entry names its component.
    assert!(
        entries
            .iter()
            .all(|entry| entry.source.starts_with("git.") || entry.source == "system"),
        "{entries:#?}"
    );
    let (task, entries) = run(
        &manager,
        json!({ "operation": "push", "repository": first, "remote": "origin", "branch": "HEAD" }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");

    // A second clone has the commit; a later one arrives by pull.
    let (task, _) = run(
        &manager,
        json!({ "operation": "clone", "url": remote, "repository": second }),
    )
    .await;
    assert_eq!(task.result.unwrap()["head"], json!(commit));
    std::fs::write(first.join("notes.txt"), "one\ntwo\n").unwrap();
    let (task, _) = run(
        &manager,
        json!({ "operation": "commit", "repository": first, "message": "more" }),
    )
    .await;
    let newer = task.result.unwrap()["commit"].clone();
    run(
        &manager,
        json!({ "operation": "push", "repository": first, "remote": "origin", "branch": "HEAD" }),
    )
    .await;
    let (task, entries) = run(
        &manager,
        json!({ "operation": "pull", "repository": second }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    assert_eq!(task.result.unwrap()["head"], newer);

    // Status counts the changes; committing nothing is not an error.
    std::fs::write(second.join("draft.txt"), "draft").unwrap();
    let (task, entries) = run(
        &manager,
        json!({ "operation": "status", "repository": second }),
    )
    .await;
    assert_eq!(task.result.unwrap()["changed"], json!(1));
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "git.stdout" && entry.message == "?? draft.txt")
    );
    let (task, _) = run(
        &manager,
        json!({ "operation": "commit", "repository": first, "message": "nothing" }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded);
    assert_eq!(task.result.unwrap()["commit"], Value::Null);
}

#[tokio::test]
async fn bad_requests_fail_clearly_and_credentials_never_reach_the_log() {
    if !git_installed() {
        eprintln!("skipped: git is not installed (Wine has none)");
        return;
    }
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let cases = [
        (
            json!({ "operation": "status", "repository": work.path() }),
            "is not a git repository",
        ),
        (
            json!({ "operation": "clone", "repository": work.path().join("x") }),
            "`url` is required for clone",
        ),
        (
            json!({ "operation": "commit", "repository": work.path() }),
            "`message` is required for commit",
        ),
        (
            json!({ "operation": "fetch", "repository": work.path().join("missing") }),
            "is not a folder",
        ),
    ];
    // An unknown operation is refused before the task exists.
    let refused = manager
        .run_task(request(
            "git",
            json!({ "operation": "rebase", "repository": work.path() }),
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("`operation`") && refused.contains("must be one of clone"),
        "{refused}"
    );
    for (params, expected) in cases {
        let (task, _) = run(&manager, params.clone()).await;
        assert_eq!(task.status, TaskStatus::Failed, "{params}");
        let error = task.error.unwrap();
        assert!(error.contains(expected), "{params}: {error}");
    }
    // Nothing listens on port 9: the clone fails fast.
    let (task, entries) = run(
        &manager,
        json!({
            "operation": "clone",
            "url": "http://ada:s3cret-token@127.0.0.1:9/repo.git",
            "repository": work.path().join("clone"),
        }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert!(!task.error.unwrap().contains("s3cret"));
    assert!(
        entries
            .iter()
            .any(|entry| entry.message.contains("http://***@127.0.0.1:9"))
    );
    assert!(
        entries.iter().all(|entry| !entry.message.contains("s3cret")
            && !entry
                .metadata
                .as_ref()
                .is_some_and(|meta| format!("{meta:?}").contains("s3cret"))),
        "{entries:#?}"
    );
}

#[tokio::test]
async fn cancelling_a_hanging_clone_stops_git_and_leaves_no_folder() {
    if !git_installed() {
        eprintln!("skipped: git is not installed (Wine has none)");
        return;
    }
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let (listener, url) = silent_remote();
    let destination = work.path().join("clone");
    let task = manager
        .run_task(request(
            "git",
            json!({
                "operation": "clone",
                "url": url,
                "repository": destination,
            }),
        ))
        .await
        .unwrap();
    let finished = cancel_once_connected(&manager, &task.id, listener).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    assert!(!destination.exists());
}

#[tokio::test]
async fn cancelling_a_hanging_fetch_pull_or_push_leaves_the_repository_as_it_was() {
    if !git_installed() {
        eprintln!("skipped: git is not installed (Wine has none)");
        return;
    }
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let repository = work.path().join("repo");
    std::fs::create_dir(&repository).unwrap();
    git(&repository, &["init", "--quiet"]);
    identify(&repository);
    std::fs::write(repository.join("a.txt"), "a\n").unwrap();
    git(&repository, &["add", "--all"]);
    git(&repository, &["commit", "--quiet", "--message", "a"]);
    let head = || {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(&repository)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let before = head();
    git(
        &repository,
        &["remote", "add", "origin", "http://127.0.0.1:9/none.git"],
    );
    for operation in ["fetch", "pull", "push"] {
        // A remote that accepts and never answers: git waits until cancelled.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/repo.git",
            listener.local_addr().unwrap().port()
        );
        git(&repository, &["remote", "set-url", "origin", &url]);
        let task = manager
            .run_task(request(
                "git",
                json!({
                    "operation": operation,
                    "repository": repository,
                    "remote": "origin",
                    "branch": "HEAD",
                }),
            ))
            .await
            .unwrap();
        let finished = cancel_once_connected(&manager, &task.id, listener).await;
        assert_eq!(finished.status, TaskStatus::Cancelled, "{operation}");
        assert_eq!(head(), before, "{operation}");
        assert!(!repository.join(".git/index.lock").exists(), "{operation}");
    }
}
