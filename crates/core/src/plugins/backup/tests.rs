//! The `backup` plugin on real folders, through a real manager: archives
//! are extracted and compared byte for byte with their source.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::{LogEntry, LogLevel, TaskStatus, TaskSummary};

use super::archive::MANIFEST_NAME;
use crate::TaskManager;
use crate::test_support::{
    all_entries, cancel_and_wait, manager_with, request, temp_store, until_entry,
};

async fn run(manager: &TaskManager, params: Value) -> (TaskSummary, Vec<LogEntry>) {
    let task = manager.run_task(request("backup", params)).await.unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    (finished, all_entries(manager, &task.id).await)
}

/// What a tree holds, by `/`-separated relative path.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    Folder,
    File(Vec<u8>),
    Link(PathBuf),
}

fn tree(root: &Path) -> BTreeMap<String, Node> {
    fn walk(root: &Path, folder: &Path, found: &mut BTreeMap<String, Node>) {
        for child in fs::read_dir(folder).unwrap() {
            let path = child.unwrap().path();
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_symlink() {
                found.insert(name, Node::Link(fs::read_link(&path).unwrap()));
            } else if kind.is_dir() {
                found.insert(name, Node::Folder);
                walk(root, &path, found);
            } else {
                found.insert(name, Node::File(fs::read(&path).unwrap()));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(root, root, &mut found);
    found
}

fn extract(archive: &Path, into: &Path) {
    let decoder = zstd::Decoder::new(fs::File::open(archive).unwrap()).unwrap();
    tar::Archive::new(decoder).unpack(into).unwrap();
}

/// A folder with nesting, an empty folder, binary data, a link and a
/// non-ASCII name.
fn sample_tree(root: &Path) {
    fs::create_dir_all(root.join("docs/notes")).unwrap();
    fs::create_dir_all(root.join("empty")).unwrap();
    fs::write(root.join("readme.txt"), "hello backup\n").unwrap();
    fs::write(root.join("docs/notes/todo.md"), "- archive\n- verify\n").unwrap();
    fs::write(root.join("docs/café ☕.txt"), "unicode name\n").unwrap();
    let binary: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(root.join("data.bin"), binary).unwrap();
    fs::write(root.join("build.tmp"), "scratch").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("readme.txt", root.join("latest")).unwrap();
}

#[tokio::test]
async fn a_backup_extracts_byte_for_byte_and_keeps_the_newest_archives() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("project");
    sample_tree(&source);
    let destination = work.path().join("archives");
    let params = json!({ "source": source, "destination": destination, "keep": 2 });

    let (task, entries) = run(&manager, params.clone()).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    let result = task.result.unwrap();
    let archive = PathBuf::from(result["archive"].as_str().unwrap());
    // The path a user reads: on Windows without the `\\?\` prefix.
    assert_eq!(
        archive.parent().unwrap(),
        dunce::canonicalize(&destination).unwrap()
    );
    assert!(
        !archive.to_string_lossy().starts_with(r"\\?\"),
        "{archive:?}"
    );
    assert!(
        archive
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("project-")
    );
    assert_eq!(result["size"], json!(fs::metadata(&archive).unwrap().len()));
    assert_eq!(result["files"], json!(5));
    assert_eq!(result["verified"], json!(true));

    let extracted = work.path().join("extracted");
    extract(&archive, &extracted);
    let mut restored = tree(&extracted);
    let manifest = match restored.remove(MANIFEST_NAME) {
        Some(Node::File(text)) => String::from_utf8(text).unwrap(),
        other => panic!("no manifest: {other:?}"),
    };
    assert_eq!(restored, tree(&source));
    // The manifest is `sha256sum -c` input, one line per file.
    assert_eq!(manifest.lines().count(), 5);
    assert!(manifest.contains("  docs/café ☕.txt\n"));
    let checksum = fs::read_to_string(format!("{}.sha256", archive.display())).unwrap();
    assert_eq!(
        checksum,
        format!(
            "{}  {}\n",
            result["sha256"].as_str().unwrap(),
            archive.file_name().unwrap().to_string_lossy()
        )
    );

    // Every stage speaks from its own component, each added file named.
    let from = |source: &str| -> Vec<&LogEntry> {
        entries
            .iter()
            .filter(|entry| entry.source == source)
            .collect()
    };
    // Each step is a section headed by its name.
    assert_eq!(
        from("backup.archive").len(),
        7,
        "its header, five files and a summary"
    );
    let steps: Vec<(&str, Vec<u32>)> = entries
        .iter()
        .filter(|entry| {
            matches!(
                entry.message.as_str(),
                "Scan" | "Archive" | "Verify" | "Retention"
            )
        })
        .map(|entry| (entry.message.as_str(), entry.sections.clone()))
        .collect();
    assert_eq!(
        steps,
        [
            ("Scan", vec![1]),
            ("Archive", vec![2]),
            ("Verify", vec![3]),
            ("Retention", vec![4])
        ]
    );
    assert!(from("backup.archive").iter().any(|entry| {
        entry.message.starts_with("added data.bin (195.3 KiB)")
            && entry.metadata.as_ref().unwrap()["sha256"].is_string()
    }));
    assert!(from("backup.scan")[1].message.starts_with("5 files"));
    assert!(
        from("backup.verify")
            .iter()
            .any(|entry| entry.message == "5 files match the manifest")
    );

    // Three runs with keep = 2 leave the two newest, and their checksums.
    let (second, _) = run(&manager, params.clone()).await;
    let (third, entries) = run(&manager, params).await;
    assert_eq!(third.status, TaskStatus::Succeeded, "{entries:#?}");
    let mut names: Vec<String> = fs::read_dir(&destination)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let kept = |task: &TaskSummary| {
        PathBuf::from(task.result.as_ref().unwrap()["archive"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let expected = vec![
        kept(&second),
        format!("{}.sha256", kept(&second)),
        kept(&third),
        format!("{}.sha256", kept(&third)),
    ];
    assert_eq!(names, expected);
    assert_eq!(
        third.result.as_ref().unwrap()["removed"],
        json!([archive]),
        "the first archive went"
    );
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "backup.retention" && entry.message.starts_with("removed"))
    );

    // An old archive that cannot be removed (here a folder by that name;
    // on Windows, one open in another program) is a warning: the new
    // archive stands and the task succeeds.
    // The oldest name there can be: the newest's with its time all zeros.
    let stuck: String = kept(&third)
        .chars()
        .map(|character| {
            if character.is_ascii_digit() {
                '0'
            } else {
                character
            }
        })
        .collect();
    fs::create_dir(destination.join(&stuck)).unwrap();
    fs::write(destination.join(&stuck).join("inside"), "x").unwrap();
    let params = json!({ "source": source, "destination": destination, "keep": 2 });
    let (fourth, entries) = run(&manager, params).await;
    assert_eq!(fourth.status, TaskStatus::Succeeded, "{entries:#?}");
    assert!(destination.join(kept(&fourth)).is_file());
    assert!(destination.join(&stuck).is_dir());
    let warning = entries
        .iter()
        .find(|entry| entry.source == "backup.retention" && entry.level == LogLevel::Warning)
        .unwrap_or_else(|| panic!("a warning: {entries:#?}"));
    assert!(
        warning
            .message
            .starts_with(&format!("removing the old archive {stuck}:"))
            && warning.message.ends_with("; it stays"),
        "{}",
        warning.message
    );
    let removed = fourth.result.unwrap()["removed"].clone();
    let removed: Vec<PathBuf> = serde_json::from_value(removed).unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(
        removed[0].file_name().unwrap().to_string_lossy(),
        kept(&second)
    );
}

#[tokio::test]
async fn include_and_exclude_globs_choose_the_files() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("project");
    sample_tree(&source);
    let destination = work.path().join("out");

    let (task, entries) = run(
        &manager,
        json!({
            "source": source,
            "destination": destination,
            "include": ["*.txt", "*.md"],
            "exclude": ["/docs/notes"],
            "verify": false,
        }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    let result = task.result.unwrap();
    assert_eq!(result["verified"], json!(false));
    let extracted = work.path().join("extracted");
    extract(Path::new(result["archive"].as_str().unwrap()), &extracted);
    let names: Vec<String> = tree(&extracted)
        .into_iter()
        .filter(|(_, node)| matches!(node, Node::File(_)))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, [MANIFEST_NAME, "docs/café ☕.txt", "readme.txt"]);
    assert!(!entries.iter().any(|entry| entry.source == "backup.verify"));

    // A bad glob is refused before anything runs, naming the parameter.
    let (task, _) = run(
        &manager,
        json!({ "source": source, "destination": destination, "exclude": ["[z-a"] }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert!(task.error.unwrap().contains("`exclude`: bad glob \"[z-a\""));
}

#[tokio::test]
async fn bad_paths_are_refused_naming_the_parameter() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plain.txt");
    fs::write(&file, "x").unwrap();

    let cases = [
        (
            json!({ "source": work.path().join("missing"), "destination": work.path() }),
            "`source`",
        ),
        (
            json!({ "source": work.path(), "destination": file }),
            "`destination`",
        ),
        (
            json!({ "source": work.path(), "destination": work.path() }),
            "`destination` must not be the folder being backed up",
        ),
        (
            json!({ "source": work.path(), "destination": work.path(), "level": 30 }),
            "`level`",
        ),
    ];
    for (params, expected) in cases {
        match manager.run_task(request("backup", params.clone())).await {
            Err(error) => assert!(error.to_string().contains(expected), "{error}"),
            Ok(task) => {
                let finished = manager.wait(&task.id).await.unwrap();
                assert_eq!(finished.status, TaskStatus::Failed, "{params}");
                let error = finished.error.unwrap();
                assert!(error.contains(expected), "{error}");
            }
        }
    }
    assert_eq!(
        fs::read_dir(work.path()).unwrap().count(),
        1,
        "nothing written"
    );
}

#[tokio::test]
async fn a_destination_inside_the_source_is_not_archived_into_itself() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    fs::write(work.path().join("a.txt"), "a").unwrap();
    let params = json!({ "source": work.path(), "destination": work.path().join("backups") });
    run(&manager, params.clone()).await;
    let (task, entries) = run(&manager, params).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    assert_eq!(task.result.unwrap()["files"], json!(1));
}

#[cfg(unix)]
#[tokio::test]
async fn unreadable_files_are_named_and_skipped_or_fail_the_task() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    fs::create_dir(&source).unwrap();
    fs::write(source.join("kept.txt"), "kept").unwrap();
    // A socket cannot be archived, whoever runs the test (root reads
    // every regular file).
    let socket = source.join("agent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let destination = work.path().join("out");

    let (task, entries) = run(
        &manager,
        json!({ "source": source, "destination": destination }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    let result = task.result.unwrap();
    assert_eq!(result["files"], json!(1));
    assert_eq!(result["skipped"], json!([socket.canonicalize().unwrap()]));
    let warning = entries
        .iter()
        .find(|entry| entry.level == LogLevel::Warning)
        .expect("a warning");
    assert_eq!(warning.source, "backup.scan");
    assert!(
        warning.message.contains("agent.sock"),
        "{}",
        warning.message
    );
    assert!(warning.message.contains("socket"), "{}", warning.message);

    fs::remove_dir_all(&destination).unwrap();
    let (task, entries) = run(
        &manager,
        json!({ "source": source, "destination": destination, "on_unreadable": "fail" }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Failed, "{entries:#?}");
    assert!(task.error.unwrap().contains("agent.sock"));
    assert_eq!(fs::read_dir(&destination).unwrap().count(), 0, "no archive");
}

#[tokio::test]
async fn cancelling_mid_archive_leaves_no_archive_and_no_partial_file() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("big");
    fs::create_dir(&source).unwrap();
    // Text-like pseudo-random data: level 19 works hard on it, so the
    // whole backup takes far longer than a cancel does to land.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for index in 0..20 {
        let chunk: Vec<u8> = (0..2 * 1024 * 1024)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"abcdefghij klmnop\n"[(state % 18) as usize]
            })
            .collect();
        fs::write(source.join(format!("part-{index:02}.txt")), chunk).unwrap();
    }
    let destination = work.path().join("out");
    let mut live = manager.subscribe_logs();
    let task = manager
        .run_task(request(
            "backup",
            json!({ "source": source, "destination": destination, "level": 19 }),
        ))
        .await
        .unwrap();
    // Cancel as soon as the first file is in the archive.
    until_entry(&mut live, &task.id, |entry| {
        entry.message.starts_with("added ")
    })
    .await;
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    let added = all_entries(&manager, &task.id)
        .await
        .iter()
        .filter(|entry| entry.message.starts_with("added "))
        .count();
    assert!(
        added < 20,
        "the cancel landed before the end ({added} added)"
    );
    assert_eq!(
        fs::read_dir(&destination).unwrap().count(),
        0,
        "neither an archive nor a partial file is left"
    );
}

#[tokio::test]
async fn verification_catches_a_changed_byte() {
    use tokio_util::sync::CancellationToken;

    use super::verify::verify;

    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    sample_tree(&source);
    let (task, _) = run(
        &manager,
        json!({ "source": source, "destination": work.path().join("out"), "verify": false }),
    )
    .await;
    let result = task.result.unwrap();
    let path = PathBuf::from(result["archive"].as_str().unwrap());
    let sha256 = result["sha256"].as_str().unwrap();
    let extracted = work.path().join("extracted");
    extract(&path, &extracted);
    let manifest: BTreeMap<String, String> = fs::read_to_string(extracted.join(MANIFEST_NAME))
        .unwrap()
        .lines()
        .map(|line| {
            let (sha256, name) = line.split_once("  ").unwrap();
            (name.to_owned(), sha256.to_owned())
        })
        .collect();
    let cancel = CancellationToken::new();
    assert_eq!(verify(&path, sha256, &manifest, &cancel).unwrap(), 5);

    // A manifest that promised other content is caught file by file.
    let mut promised = manifest.clone();
    promised.insert("readme.txt".into(), "0".repeat(64));
    let error = verify(&path, sha256, &promised, &cancel)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("readme.txt reads back with SHA-256"),
        "{error}"
    );
    promised.insert("gone.txt".into(), "0".repeat(64));
    promised.remove("readme.txt");
    let error = verify(&path, sha256, &promised, &cancel)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("gone.txt is in the manifest but not in the archive"),
        "{error}"
    );

    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    fs::write(&path, bytes).unwrap();
    let error = verify(&path, sha256, &manifest, &cancel)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("verification failed: the archive's SHA-256 is"),
        "{error}"
    );
}
