//! Exports imported into another real store, and files that are not
//! exports refused with their line named.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use taskdeck_protocol::{ExportFormat, LogEntry, LogFilter, TaskListFilter};

use super::import_task_logs;
use crate::export::export_task_logs;
use crate::test_support::{all_entries, manager_with, request, scripted, temp_store};
use crate::{Store, TaskManager};

async fn exported_task(manager: &TaskManager, path: &Path) -> String {
    let task = manager
        .run_task(request("talker", json!({})))
        .await
        .unwrap();
    manager.wait(&task.id).await.unwrap();
    export_task_logs(
        manager,
        std::slice::from_ref(&task.id),
        &LogFilter::default(),
        ExportFormat::JsonLines,
        path,
        &mut |_| {},
    )
    .await
    .unwrap();
    task.id
}

fn talker() -> std::sync::Arc<dyn crate::Plugin> {
    scripted("talker", |ctx| async move {
        ctx.logger()
            .child("a")
            .with_metadata(json!({ "k": [1, 2] }))
            .warning("first, \"quoted\"\nline");
        // Colours and a link: kept as styles through the round trip.
        ctx.logger()
            .child("a")
            .info("\x1b[1;31mred\x1b[0m and \x1b]8;;https://x.io\x1b\\a link\x1b]8;;\x1b\\");
        // Nested sections: each entry's are kept through the round trip.
        let talk = ctx.section("Talk");
        {
            let _lines = ctx.section("Lines");
            for index in 0..2_500 {
                ctx.logger().child("b").debug(format!("line {index}"));
            }
        }
        ctx.logger().info("talked");
        talk.close();
        Ok(json!({ "done": true }))
    })
}

/// An entry without its store-local row id.
fn portable(entry: &LogEntry) -> LogEntry {
    LogEntry {
        id: 0,
        ..entry.clone()
    }
}

async fn task_count(store: &Store) -> usize {
    crate::TaskRepository::new(store)
        .list(&TaskListFilter::default())
        .await
        .unwrap()
        .rows
        .len()
}

#[tokio::test]
async fn an_exported_task_imports_whole_into_another_store() {
    let (_a, origin) = temp_store().await;
    let origin = manager_with(&origin, vec![talker()], Duration::from_millis(20)).await;
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("task.jsonl");
    let task_id = exported_task(&origin, &path).await;

    let (_b, store) = temp_store().await;
    let report = import_task_logs(&store, &path).await.unwrap();
    let target = manager_with(&store, vec![], Duration::from_millis(20)).await;
    assert_eq!(report.task_ids, std::slice::from_ref(&task_id));
    let original = all_entries(&origin, &task_id).await;
    let imported = all_entries(&target, &task_id).await;
    assert_eq!(report.entries, original.len() as u64);
    assert_eq!(
        imported.iter().map(portable).collect::<Vec<_>>(),
        original.iter().map(portable).collect::<Vec<_>>(),
        "every field but the row id"
    );
    let coloured = imported
        .iter()
        .find(|entry| entry.message == "red and a link")
        .unwrap();
    assert_eq!(coloured.styles.len(), 2, "{:?}", coloured.styles);
    assert_eq!(
        coloured.styles[1].style.link.as_deref(),
        Some("https://x.io")
    );
    let before = origin.get_task(&task_id).await.unwrap();
    let after = target.get_task(&task_id).await.unwrap();
    assert_eq!(after, before, "status, times, params, result and counts");
    assert_eq!(
        target.log_sources(&task_id).await.unwrap(),
        origin.log_sources(&task_id).await.unwrap()
    );
    // The sections are rebuilt: the same tree, lines and counts; each
    // ends with its last entry (an export does not say when it closed).
    let sections = target.log_sections(&task_id).await.unwrap();
    let without_end = |sections: Vec<taskdeck_protocol::LogSection>| {
        sections
            .into_iter()
            .map(|section| taskdeck_protocol::LogSection {
                ended_at: None,
                ..section
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_end(sections.clone()),
        without_end(origin.log_sections(&task_id).await.unwrap())
    );
    let last_line = |seq: u64| imported.iter().find(|entry| entry.seq == seq).unwrap();
    for section in &sections {
        assert_eq!(section.ended_at, Some(last_line(section.end_seq).timestamp));
    }
    assert_eq!(
        sections
            .iter()
            .map(|section| section.parent)
            .collect::<Vec<_>>(),
        [None, Some(1)]
    );
    // Searchable like any stored task.
    let found = target
        .query_logs(
            &task_id,
            &LogFilter {
                search: Some("quoted".into()),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.entries.len(), 1);
}

#[tokio::test]
async fn an_export_saved_by_a_windows_editor_imports_and_utf16_is_named() {
    let (_a, origin) = temp_store().await;
    let origin = manager_with(&origin, vec![talker()], Duration::from_millis(20)).await;
    let files = tempfile::tempdir().unwrap();
    let exported = files.path().join("task.jsonl");
    let task_id = exported_task(&origin, &exported).await;
    let text = std::fs::read_to_string(&exported).unwrap();

    // Notepad / PowerShell 5 `Set-Content -Encoding utf8`: a BOM, CRLF.
    let saved = files.path().join("saved.jsonl");
    std::fs::write(&saved, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    let (_b, store) = temp_store().await;
    let report = import_task_logs(&store, &saved).await.unwrap();
    assert_eq!(report.task_ids, std::slice::from_ref(&task_id));
    let target = manager_with(&store, vec![], Duration::from_millis(20)).await;
    assert_eq!(
        all_entries(&target, &task_id).await.len(),
        all_entries(&origin, &task_id).await.len()
    );

    // PowerShell 5.1's `>`: UTF-16 with a mark, and without one.
    let utf16 = |mark: bool| -> Vec<u8> {
        let mark: &[u8] = if mark { &[0xFF, 0xFE] } else { &[] };
        mark.iter()
            .copied()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect()
    };
    let (_c, other) = temp_store().await;
    for mark in [true, false] {
        let path = files.path().join(format!("utf16-{mark}.jsonl"));
        std::fs::write(&path, utf16(mark)).unwrap();
        let error = import_task_logs(&other, &path)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 1: the file is UTF-16 text"), "{error}");
        assert!(!error.contains("cut short"), "{error}");
        assert_eq!(task_count(&other).await, 0);
    }
}

#[tokio::test]
async fn files_that_are_not_exports_are_refused_by_line_and_change_nothing() {
    let (_a, origin) = temp_store().await;
    let origin = manager_with(&origin, vec![talker()], Duration::from_millis(20)).await;
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.jsonl");
    let task_id = exported_task(&origin, &good).await;
    let text = std::fs::read_to_string(&good).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len();

    let (_b, store) = temp_store().await;
    import_task_logs(&store, &good).await.unwrap();
    let tasks_before = task_count(&store).await;

    let other_task = lines[2].replace(&task_id, "someone-else");
    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    let cases: Vec<(&str, String, String)> = vec![
        (
            "plain.jsonl",
            "hello\n".to_owned(),
            "line 1: not JSON".to_owned(),
        ),
        (
            "entries-only.jsonl",
            lines[1..].join("\n"),
            "line 1: not a Taskdeck log export".to_owned(),
        ),
        (
            "endless.jsonl",
            format!(
                "{}\n{{\"message\": \"{}",
                lines[0].replace(&task_id, "endless-task"),
                "x".repeat(65 * 1024 * 1024)
            ),
            format!(
                "line 2: a line of {} bytes; an export's lines are at most 64 MiB",
                "{\"message\": \"".len() + 65 * 1024 * 1024
            ),
        ),
        (
            "truncated.jsonl",
            text[..text.len() - 10].replace(&task_id, "fifth-task"),
            format!("line {last}: not JSON"),
        ),
        (
            "again.jsonl",
            text.clone(),
            format!("line 1: task {task_id} is already in this store"),
        ),
        (
            "foreign.jsonl",
            [lines[0], lines[1], &other_task]
                .join("\n")
                .replace(&task_id, "renamed-task"),
            "line 3: an entry of task someone-else under the header of task renamed-task"
                .to_owned(),
        ),
        (
            "unordered.jsonl",
            swapped.join("\n").replace(&task_id, "third-task"),
            "line 4: entry 2 is out of order (after entry 3)".to_owned(),
        ),
        (
            "wrong-columns.jsonl",
            [
                lines[0].replace(&task_id, "fourth-task"),
                json!({ "seq": "x" }).to_string(),
            ]
            .join("\n"),
            "line 2: not a log entry".to_owned(),
        ),
        ("empty.jsonl", String::new(), "is empty".to_owned()),
        (
            "unopened-section.jsonl",
            {
                let mut entry: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
                entry["sections"] = json!([4, 7]);
                [lines[0].to_owned(), entry.to_string()]
                    .join("\n")
                    .replace(&task_id, "seventh-task")
            },
            format!(
                "line 2: entry {} lies in sections [4, 7], which do not nest in the order",
                serde_json::from_str::<serde_json::Value>(lines[1]).unwrap()["seq"]
            ),
        ),
        (
            "misfit-styles.jsonl",
            {
                let mut entry: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
                entry["styles"] = json!([{ "start": 0, "end": 99_999, "bold": true }]);
                [lines[0].to_owned(), entry.to_string()]
                    .join("\n")
                    .replace(&task_id, "sixth-task")
            },
            format!(
                "line 2: the styles of entry {} do not fit its message",
                serde_json::from_str::<serde_json::Value>(lines[1]).unwrap()["seq"]
            ),
        ),
    ];
    for (name, content, expected) in cases {
        let cut_short = name == "truncated.jsonl";
        let path = files.path().join(name);
        std::fs::write(&path, content).unwrap();
        let error = import_task_logs(&store, &path)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected.as_str()), "{name}: {error}");
        if error.contains("not JSON") {
            assert_eq!(error.contains("cut short"), cut_short, "{name}: {error}");
        }
        if name != "empty.jsonl" {
            assert!(
                error.starts_with(&path.display().to_string()),
                "{name}: {error}"
            );
        }
        assert_eq!(
            task_count(&store).await,
            tasks_before,
            "{name} changed the store"
        );
    }
    let missing = import_task_logs(&store, &files.path().join("nope.jsonl"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("opening ") && missing.contains("nope.jsonl"),
        "{missing}"
    );
}

/// A change to a real export: cut short, a byte replaced, bytes inserted,
/// or a line dropped or repeated.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    DropLine(usize),
    RepeatLine(usize),
}

impl Damage {
    fn apply(&self, file: &[u8]) -> Vec<u8> {
        let at = |index: usize| index % (file.len() + 1);
        let lines = || file.split_inclusive(|byte| *byte == b'\n');
        match self {
            Damage::Truncate(index) => file[..at(*index)].to_vec(),
            Damage::Replace(index, byte) => {
                let mut damaged = file.to_vec();
                let index = at(*index).min(file.len() - 1);
                damaged[index] = *byte;
                damaged
            }
            Damage::Insert(index, bytes) => {
                let mut damaged = file.to_vec();
                damaged.splice(at(*index)..at(*index), bytes.iter().copied());
                damaged
            }
            Damage::DropLine(index) => {
                let skip = index % lines().count();
                lines()
                    .enumerate()
                    .filter(|(line, _)| *line != skip)
                    .flat_map(|(_, bytes)| bytes.to_vec())
                    .collect()
            }
            Damage::RepeatLine(index) => {
                let again = index % lines().count();
                lines()
                    .enumerate()
                    .flat_map(|(line, bytes)| bytes.repeat(if line == again { 2 } else { 1 }))
                    .collect()
            }
        }
    }
}

#[test]
fn any_damaged_export_imports_whole_or_is_refused_changing_nothing() {
    use proptest::prelude::*;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let original = files.path().join("task.jsonl");
    let _origin = runtime.block_on(async {
        let (dir, store) = temp_store().await;
        let few = scripted("few", |ctx| async move {
            for index in 0..6 {
                ctx.logger()
                    .child("part")
                    .with_metadata(json!({ "n": index, "note": "é \"q\"" }))
                    .info(format!("entry {index}"));
            }
            Ok(json!({ "done": true }))
        });
        let manager = manager_with(&store, vec![few], Duration::from_millis(20)).await;
        let task = manager.run_task(request("few", json!({}))).await.unwrap();
        manager.wait(&task.id).await.unwrap();
        export_task_logs(
            &manager,
            std::slice::from_ref(&task.id),
            &LogFilter::default(),
            ExportFormat::JsonLines,
            &original,
            &mut |_| {},
        )
        .await
        .unwrap();
        manager.shutdown().await.unwrap();
        dir
    });
    let file = std::fs::read(&original).unwrap();
    let damage = prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(index, byte)| Damage::Replace(index, byte)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(index, bytes)| Damage::Insert(index, bytes)),
        any::<usize>().prop_map(Damage::DropLine),
        any::<usize>().prop_map(Damage::RepeatLine),
    ];
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(damage in damage)| {
        let path = files.path().join("damaged.jsonl");
        std::fs::write(&path, damage.apply(&file)).unwrap();
        let (outcome, tasks) = runtime.block_on(async {
            let (_dir, store) = temp_store().await;
            let outcome = import_task_logs(&store, &path).await;
            let tasks = task_count(&store).await;
            store.close().await.unwrap();
            (outcome, tasks)
        });
        match outcome {
            Ok(report) => prop_assert_eq!(report.task_ids.len(), tasks),
            Err(crate::CoreError::InvalidArgument(reason)) => {
                // A line named, or (cut to nothing) the file said empty.
                prop_assert!(
                    reason.contains("damaged.jsonl line") || reason.ends_with("is empty: there is nothing to import"),
                    "{}",
                    reason
                );
                prop_assert_eq!(tasks, 0, "a refused import changes nothing");
            }
            Err(crate::CoreError::Io { .. }) => prop_assert_eq!(tasks, 0),
            Err(other) => prop_assert!(false, "{:?}: {}", damage, other),
        }
    });
}

#[tokio::test]
async fn an_export_made_before_colours_were_parsed_imports_as_the_text_shown() {
    let (_a, origin) = temp_store().await;
    let origin = manager_with(&origin, vec![talker()], Duration::from_millis(20)).await;
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("old.jsonl");
    let task_id = exported_task(&origin, &path).await;
    // As an older Taskdeck wrote it: raw escape codes, no styles.
    let old: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            if value["message"] == "red and a link" {
                value["message"] = json!("\u{1b}[32mgreen\u{1b}[0m text");
                value.as_object_mut().unwrap().remove("styles");
            }
            value.to_string()
        })
        .collect();
    std::fs::write(&path, old.join("\n")).unwrap();
    let (_b, store) = temp_store().await;
    import_task_logs(&store, &path).await.unwrap();
    let target = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let imported = all_entries(&target, &task_id).await;
    let green = imported
        .iter()
        .find(|entry| entry.message == "green text")
        .unwrap();
    assert_eq!(green.styles.len(), 1);
    assert_eq!(green.styles[0].range(), 0..5);
}
