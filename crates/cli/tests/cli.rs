//! The `taskdeck` binary as a user runs it: real process, real data directory.

use std::process::Command;

fn taskdeck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taskdeck"));
    command.env_remove("TASKDECK_DATA_DIR");
    command
}

#[test]
fn version_prints_the_workspace_version() {
    let output = taskdeck().arg("--version").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("taskdeck {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn info_names_the_data_dir_database_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let output = taskdeck()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["info", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let data_dir = std::path::absolute(dir.path()).unwrap();
    assert_eq!(info["data_dir"], data_dir.display().to_string());
    assert_eq!(
        info["database_path"],
        data_dir.join("taskdeck.db").display().to_string()
    );
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        info["schema_version"]
            .as_str()
            .unwrap()
            .starts_with("m2026")
    );
    assert!(dir.path().join("taskdeck.db").is_file());
}

#[test]
fn info_honours_the_data_dir_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = taskdeck()
        .env("TASKDECK_DATA_DIR", dir.path())
        .arg("info")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(&dir.path().display().to_string()),
        "{stdout}"
    );
    assert!(stdout.contains("schema version: m2026"), "{stdout}");
}

#[test]
fn an_unusable_data_dir_is_a_one_line_error_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let output = taskdeck()
        .arg("--data-dir")
        .arg(&file)
        .arg("info")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("taskdeck: data directory"), "{stderr}");
    assert!(stderr.contains("a-file"), "{stderr}");
}

#[test]
fn an_unknown_subcommand_exits_2() {
    let output = taskdeck().arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
