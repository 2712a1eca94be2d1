//! Exports of real tasks from a real store, read back with real parsers.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_protocol::{ExportFormat, ExportHeader, LogEntry, LogFilter, LogLevel, TaskStatus};

use super::export_task_logs;
use crate::test_support::{all_entries, manager_with, request, scripted, temp_store};
use crate::{CoreError, TaskManager};

/// A finished task whose entries hold everything a format must escape.
async fn sample_task(manager: &TaskManager, count: usize) -> String {
    let task = manager
        .run_task(request(&format!("sample{count}"), json!({})))
        .await
        .unwrap();
    manager.wait(&task.id).await.unwrap();
    task.id
}

fn sample_plugin(count: usize) -> std::sync::Arc<dyn crate::Plugin> {
    scripted(&format!("sample{count}"), move |ctx| async move {
        let log = ctx.logger();
        log.child("csv")
            .with_metadata(json!({ "path": "C:\\data, \"quoted\"", "n": 1 }))
            .warning("a comma, a \"quote\" and\ntwo lines");
        log.child("text").error("café ☕ \n tail\tend");
        for index in 0..count {
            log.child("bulk").info(format!("line {index}"));
        }
        Ok(Value::Null)
    })
}

async fn manager_for(count: usize) -> (tempfile::TempDir, TaskManager) {
    let (dir, store) = temp_store().await;
    let manager = manager_with(
        &store,
        vec![sample_plugin(count)],
        Duration::from_millis(20),
    )
    .await;
    (dir, manager)
}

async fn export(
    manager: &TaskManager,
    task_id: &str,
    filter: &LogFilter,
    format: ExportFormat,
    path: &Path,
) -> Result<taskdeck_protocol::ExportReport, CoreError> {
    export_tasks(manager, &[task_id.to_owned()], filter, format, path).await
}

/// [`export_task_logs`] of several tasks, without progress.
async fn export_tasks(
    manager: &TaskManager,
    task_ids: &[String],
    filter: &LogFilter,
    format: ExportFormat,
    path: &Path,
) -> Result<taskdeck_protocol::ExportReport, CoreError> {
    export_task_logs(manager, task_ids, filter, format, path, &mut |_| {}).await
}

fn jsonl_entries(path: &Path) -> (ExportHeader, Vec<LogEntry>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = serde_json::from_str(lines.next().unwrap()).unwrap();
    let entries = lines
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (header, entries)
}

#[tokio::test]
async fn json_lines_hold_every_entry_exactly_after_a_header() {
    let (_dir, manager) = manager_for(4_500).await;
    let task_id = sample_task(&manager, 4_500).await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("task.jsonl");
    let mut pages = Vec::new();
    let report = export_task_logs(
        &manager,
        std::slice::from_ref(&task_id),
        &LogFilter::default(),
        ExportFormat::JsonLines,
        &path,
        &mut |written| pages.push(written),
    )
    .await
    .unwrap();
    let stored = manager
        .query_logs(
            &task_id,
            &LogFilter {
                limit: Some(10_000),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap()
        .entries;
    let (header, entries) = jsonl_entries(&path);
    assert_eq!(header.taskdeck_export, ExportHeader::KIND);
    assert_eq!(header.task.id, task_id);
    assert_eq!(header.task.status, TaskStatus::Succeeded);
    assert_eq!(header.filter, None);
    assert_eq!(entries, stored, "every field of every entry");
    assert_eq!(report.entries, stored.len() as u64);
    assert_eq!(report.bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(*pages.last().unwrap(), report.entries);
    assert!(pages.len() >= 3, "progress after each page: {pages:?}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        1,
        "no partial file left"
    );
}

#[tokio::test]
async fn csv_parses_back_with_a_csv_reader() {
    let (_dir, manager) = manager_for(3).await;
    let task_id = sample_task(&manager, 3).await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("task.csv");
    let report = export(
        &manager,
        &task_id,
        &LogFilter::default(),
        ExportFormat::Csv,
        &path,
    )
    .await
    .unwrap();
    let stored = all_entries(&manager, &task_id).await;
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "task_id",
            "seq",
            "timestamp",
            "level",
            "source",
            "message",
            "metadata"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, report.entries);
    assert_eq!(records.len(), stored.len());
    for (record, entry) in records.iter().zip(&stored) {
        assert_eq!(&record[0], entry.task_id);
        assert_eq!(record[1].parse::<u64>().unwrap(), entry.seq);
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(&record[2]).unwrap(),
            entry
                .timestamp
                .with_timezone(&chrono::FixedOffset::east_opt(0).unwrap())
                - chrono::Duration::nanoseconds(i64::from(
                    entry.timestamp.timestamp_subsec_nanos() % 1_000_000
                ))
        );
        assert_eq!(record[3].parse::<LogLevel>().unwrap(), entry.level);
        assert_eq!(&record[4], entry.source);
        assert_eq!(&record[5], entry.message);
        let metadata = (!record[6].is_empty()).then(|| serde_json::from_str(&record[6]).unwrap());
        assert_eq!(metadata, entry.metadata);
    }
}

#[tokio::test]
async fn text_is_one_line_per_entry_in_the_documented_shape() {
    let (_dir, manager) = manager_for(2).await;
    let task_id = sample_task(&manager, 2).await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("task.log");
    export(
        &manager,
        &task_id,
        &LogFilter::default(),
        ExportFormat::Text,
        &path,
    )
    .await
    .unwrap();
    let stored = all_entries(&manager, &task_id).await;
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), stored.len());
    for (line, entry) in lines.iter().zip(&stored) {
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{line}");
        assert!(time.ends_with('Z') && time.len() == 24, "{time}");
        let prefix = format!("{} [{}] ", entry.level, entry.source);
        assert!(rest.starts_with(&prefix), "{line}");
    }
    let warning = lines
        .iter()
        .find(|line| line.contains(" WARNING "))
        .unwrap();
    assert!(
        warning.ends_with(
            "[sample2.csv] a comma, a \"quote\" and\\ntwo lines {\"n\":1,\"path\":\"C:\\\\data, \\\"quoted\\\"\"}"
        ),
        "{warning}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.ends_with("[sample2.text] café ☕ \\n tail\tend"))
    );
}

#[tokio::test]
async fn a_filtered_export_holds_exactly_what_the_filter_shows() {
    let (_dir, manager) = manager_for(50).await;
    let task_id = sample_task(&manager, 50).await;
    let out = tempfile::tempdir().unwrap();
    let filters = [
        LogFilter {
            min_level: Some(LogLevel::Warning),
            ..LogFilter::default()
        },
        LogFilter {
            sources: vec!["sample50.bulk".to_owned()],
            search: Some("line 4".to_owned()),
            ..LogFilter::default()
        },
    ];
    for (index, filter) in filters.iter().enumerate() {
        let path = out.path().join(format!("filtered-{index}.jsonl"));
        let report = export(&manager, &task_id, filter, ExportFormat::JsonLines, &path)
            .await
            .unwrap();
        let expected = manager
            .query_logs(
                &task_id,
                &LogFilter {
                    limit: Some(10_000),
                    ..filter.clone()
                },
            )
            .await
            .unwrap()
            .entries;
        let (header, entries) = jsonl_entries(&path);
        assert!(!expected.is_empty());
        assert_eq!(entries, expected, "{filter:?}");
        assert_eq!(report.entries, expected.len() as u64);
        assert_eq!(header.filter.as_ref(), Some(filter));
    }
}

#[tokio::test]
async fn bad_targets_and_unknown_tasks_are_named_and_leave_no_file() {
    let (_dir, manager) = manager_for(1).await;
    let task_id = sample_task(&manager, 1).await;
    let out = tempfile::tempdir().unwrap();
    let all = LogFilter::default();
    let csv = ExportFormat::Csv;

    let error = export(
        &manager,
        "no-such-task",
        &all,
        csv,
        &out.path().join("a.csv"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, CoreError::TaskNotFound(_)), "{error}");

    let missing = out.path().join("missing/a.csv");
    let error = export(&manager, &task_id, &all, csv, &missing)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("does not exist"), "{error}");
    assert!(error.to_string().contains("missing"), "{error}");

    let error = export(&manager, &task_id, &all, csv, out.path())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("it is a folder"), "{error}");

    // Never over Taskdeck's own database, nor its write-ahead log.
    let database = manager.store().data_dir().database_path();
    let before = std::fs::read(&database).unwrap();
    for own in [database.clone(), database.with_file_name("taskdeck.db-wal")] {
        let error = export(&manager, &task_id, &all, csv, &own)
            .await
            .unwrap_err();
        assert!(matches!(error, CoreError::InvalidArgument(_)), "{error}");
        assert!(
            error.to_string().contains("Taskdeck's own files"),
            "{error}"
        );
    }
    assert_eq!(std::fs::read(&database).unwrap(), before);

    // Nobody, root included, may create files in /proc.
    #[cfg(target_os = "linux")]
    {
        let error = export(
            &manager,
            &task_id,
            &all,
            csv,
            Path::new("/proc/taskdeck.csv"),
        )
        .await
        .unwrap_err();
        assert!(
            error.to_string().starts_with("writing /proc/taskdeck.csv"),
            "{error}"
        );
    }

    let bad = LogFilter {
        sources: vec![String::new()],
        ..LogFilter::default()
    };
    let error = export(&manager, &task_id, &bad, csv, &out.path().join("a.csv")).await;
    assert!(
        matches!(error, Err(CoreError::InvalidFilter(_))),
        "{error:?}"
    );
    // A malformed search with operators is refused, not exported empty.
    let unparsable = LogFilter {
        search: Some("\"open".to_owned()),
        search_mode: taskdeck_protocol::SearchMode::Operators,
        ..LogFilter::default()
    };
    let error = export(
        &manager,
        &task_id,
        &unparsable,
        csv,
        &out.path().join("a.csv"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, CoreError::InvalidFilter(ref invalid) if invalid.field == "search"),
        "{error:?}"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// A disk that fills up for real (a 256 KiB tmpfs) under a 20,000-entry
/// export: the error names the file and the cause, and nothing is left.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_disk_fails_the_export_by_name_and_leaves_no_file() {
    let (_dir, manager) = manager_for(20_000).await;
    let task_id = sample_task(&manager, 20_000).await;
    let disk = crate::test_support::SmallFilesystem::mount(256);
    for format in [ExportFormat::JsonLines, ExportFormat::Csv] {
        let target = disk.path().join(format!("log.{}", format.extension()));
        let error = export(&manager, &task_id, &LogFilter::default(), format, &target)
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(&target.display().to_string()) && text.contains("No space left"),
            "{text}"
        );
        assert_eq!(std::fs::read_dir(disk.path()).unwrap().count(), 0);
    }
    // The same export fits once filtered down: the disk is usable again.
    let few = LogFilter {
        sources: vec!["sample20000.csv".to_owned()],
        ..LogFilter::default()
    };
    let target = disk.path().join("few.jsonl");
    let report = export(&manager, &task_id, &few, ExportFormat::JsonLines, &target)
        .await
        .unwrap();
    assert_eq!(report.entries, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_deleted_during_its_export_fails_it_and_leaves_no_file() {
    let (_dir, manager) = manager_for(5_000).await;
    let task_id = sample_task(&manager, 5_000).await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("task.jsonl");
    let (first_page, on_first_page) = tokio::sync::oneshot::channel::<()>();
    let (deleted, on_deleted) = std::sync::mpsc::channel::<()>();
    let deleter = {
        let manager = manager.clone();
        let task_id = task_id.clone();
        tokio::spawn(async move {
            on_first_page.await.unwrap();
            manager.delete_tasks(&[task_id]).await.unwrap();
            deleted.send(()).unwrap();
        })
    };
    let mut first_page = Some(first_page);
    let result = export_task_logs(
        &manager,
        std::slice::from_ref(&task_id),
        &LogFilter::default(),
        ExportFormat::JsonLines,
        &path,
        &mut move |_| {
            // After the first page: let the deletion happen, wait for it.
            if let Some(signal) = first_page.take() {
                signal.send(()).unwrap();
                on_deleted.recv_timeout(Duration::from_secs(60)).unwrap();
            }
        },
    )
    .await;
    deleter.await.unwrap();
    let error = result.unwrap_err().to_string();
    assert!(
        error.contains("was deleted while it was being exported"),
        "{error}"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn several_tasks_go_into_one_json_lines_or_csv_file_and_text_takes_one() {
    let (_dir, manager) = manager_for(3).await;
    let first = sample_task(&manager, 3).await;
    let second = sample_task(&manager, 3).await;
    let both = [first.clone(), second.clone()];
    let out = tempfile::tempdir().unwrap();
    let all = LogFilter::default();

    let path = out.path().join("both.jsonl");
    let report = export_tasks(&manager, &both, &all, ExportFormat::JsonLines, &path)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let headers: Vec<ExportHeader> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert_eq!(
        headers
            .iter()
            .map(|header| &header.task.id)
            .collect::<Vec<_>>(),
        [&first, &second]
    );
    let per_task = all_entries(&manager, &first).await.len() as u64;
    assert_eq!(report.entries, 2 * per_task);
    assert_eq!(text.lines().count() as u64, 2 + 2 * per_task);

    let path = out.path().join("both.csv");
    export_tasks(&manager, &both, &all, ExportFormat::Csv, &path)
        .await
        .unwrap();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let ids: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[0].to_owned())
        .collect();
    assert_eq!(ids.len() as u64, 2 * per_task, "one header row");
    assert_eq!(
        ids.iter().filter(|id| **id == second).count() as u64,
        per_task
    );

    let path = out.path().join("both.log");
    let error = export_tasks(&manager, &both, &all, ExportFormat::Text, &path)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("a text export holds one task"),
        "{error}"
    );
    // An unknown id among several stops the export before anything is written.
    let error = export_tasks(
        &manager,
        &[first, "nope".to_owned()],
        &all,
        ExportFormat::JsonLines,
        &out.path().join("bad.jsonl"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, CoreError::TaskNotFound(_)), "{error}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 2);
}

/// A running task exports what it has logged so far, entries still in
/// the manager's buffer included (a long flush interval keeps them there).
#[tokio::test]
async fn a_running_task_exports_every_entry_it_has_logged_so_far() {
    let (_dir, store) = temp_store().await;
    // Logs, says so, and runs until released.
    let logged = std::sync::Arc::new(tokio::sync::Notify::new());
    let gate = tokio_util::sync::CancellationToken::new();
    let plugin = {
        let (logged, gate) = (logged.clone(), gate.clone());
        scripted("held", move |ctx| {
            let (logged, gate) = (logged.clone(), gate.clone());
            async move {
                ctx.logger().info("working");
                logged.notify_one();
                gate.cancelled().await;
                Ok(Value::Null)
            }
        })
    };
    let manager = manager_with(&store, vec![plugin], Duration::from_secs(60)).await;
    let task = manager.run_task(request("held", json!({}))).await.unwrap();
    tokio::time::timeout(Duration::from_secs(60), logged.notified())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("running.jsonl");
    let report = export(
        &manager,
        &task.id,
        &LogFilter::default(),
        ExportFormat::JsonLines,
        &path,
    )
    .await
    .unwrap();
    let (header, entries) = jsonl_entries(&path);
    assert_eq!(header.task.status, TaskStatus::Running);
    assert_eq!(report.entries, entries.len() as u64);
    assert!(
        entries.iter().any(|entry| entry.message == "working"),
        "{entries:?}"
    );
    gate.cancel();
    manager.wait(&task.id).await.unwrap();
}

/// Windows: a file another program holds open (Excel opens a CSV without
/// sharing) is said to be open elsewhere, not "access denied".
#[cfg(windows)]
#[tokio::test]
async fn a_target_open_in_another_program_is_named_so() {
    use std::os::windows::fs::OpenOptionsExt;
    let (_dir, manager) = manager_for(1).await;
    let task_id = sample_task(&manager, 1).await;
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("open.csv");
    std::fs::write(&target, "old").unwrap();
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(0)
        .open(&target)
        .unwrap();
    let error = export(
        &manager,
        &task_id,
        &LogFilter::default(),
        ExportFormat::Csv,
        &target,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("open in another program"), "{error}");
    drop(held);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
}
