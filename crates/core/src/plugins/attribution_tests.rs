//! Source attribution across the built-in plugins: every entry a plugin writes names
//! the component that wrote it (a source under the plugin's id, never the
//! bare id), and each plugin's components show up.

use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::TaskStatus;

use crate::test_programs::script;
use crate::test_support::{all_entries, git_installed, manager_with, request, temp_store};

#[tokio::test]
async fn every_built_in_plugin_attributes_every_entry_to_a_component() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("V1__t.sql"), "CREATE TABLE t (x INTEGER);").unwrap();
    let repository = work.path().join("repo");
    std::fs::create_dir(&repository).unwrap();
    std::fs::write(repository.join("new.txt"), "x").unwrap();

    let mut runs: Vec<(&str, Value, &[&str])> = vec![
        (
            "backup",
            json!({ "source": repository, "destination": work.path().join("out"), "keep": 1 }),
            &[
                "backup.scan",
                "backup.archive",
                "backup.verify",
                "backup.retention",
            ],
        ),
        (
            "shell",
            script(&["echo out", "echo err>&2"]),
            &["shell.process", "shell.stdout", "shell.stderr"],
        ),
        (
            "migration",
            json!({ "database": work.path().join("db.sqlite"), "folder": work.path() }),
            &["migration.plan", "migration.sql"],
        ),
    ];
    if git_installed() {
        let initialised = std::process::Command::new("git")
            .arg("-C")
            .arg(&repository)
            .args(["init", "--quiet"])
            .status()
            .unwrap();
        assert!(initialised.success());
        runs.push((
            "git",
            json!({ "operation": "status", "repository": repository }),
            &["git.step", "git.stdout"],
        ));
    } else {
        eprintln!("skipped the git plugin's part: git is not installed (Wine has none)");
    }
    for (plugin, params, components) in runs {
        let task = manager.run_task(request(plugin, params)).await.unwrap();
        let finished = manager.wait(&task.id).await.unwrap();
        assert_eq!(
            finished.status,
            TaskStatus::Succeeded,
            "{plugin}: {finished:?}"
        );
        let entries = all_entries(&manager, &task.id).await;
        let prefix = format!("{plugin}.");
        for entry in &entries {
            assert!(
                entry.source.starts_with(&prefix) || entry.source == "system",
                "{plugin}: entry {} comes from {:?}",
                entry.seq,
                entry.source
            );
        }
        for component in components {
            assert!(
                entries.iter().any(|entry| entry.source == *component),
                "{plugin}: nothing from {component}"
            );
        }
    }
}
