//! The `shell` plugin running real programs: `sh` on Unix, `cmd` on
//! Windows (under Wine in the test command), with the platform's own
//! behaviours (process groups and `/proc`, Job Objects, `PATHEXT`, code
//! pages) tested where they exist.

use std::time::{Duration, Instant};

use serde_json::json;
use taskdeck_protocol::{LogEntry, LogLevel, TaskStatus, TaskSummary};

use crate::TaskManager;
use crate::test_programs::{script, shell_name, sleep, sleep_command};
use crate::test_support::{
    all_entries, cancel_and_wait, manager_with, request, temp_store, until_entry,
};

async fn run(manager: &TaskManager, params: serde_json::Value) -> (TaskSummary, Vec<LogEntry>) {
    let task = manager.run_task(request("shell", params)).await.unwrap();
    let finished = manager.wait(&task.id).await.unwrap();
    (finished, all_entries(manager, &task.id).await)
}

/// No reader was stopped after its grace: nothing the program started
/// still held its output once it was killed or ended.
fn assert_nothing_held_the_output(entries: &[LogEntry]) {
    assert!(
        !entries
            .iter()
            .any(|entry| entry.message.starts_with("stopped reading output")),
        "{entries:#?}"
    );
}

/// Whether process `pid` runs: not gone, and not a zombie waiting for its
/// new parent to reap it.
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit(") ")
        .next()
        .and_then(|rest| rest.chars().next());
    !matches!(state, None | Some('Z' | 'X'))
}

fn lines<'a>(entries: &'a [LogEntry], source: &str) -> Vec<(&'a str, LogLevel)> {
    entries
        .iter()
        .filter(|entry| entry.source == source)
        .map(|entry| (entry.message.as_str(), entry.level))
        .collect()
}

#[tokio::test]
async fn stdout_is_info_stderr_is_warning_and_lifecycle_is_from_shell() {
    let (dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let mut params = if cfg!(windows) {
        script(&[
            "echo one",
            "echo two>&2",
            "echo bad",
            "echo %GREETING% from %CD%",
        ])
    } else {
        script(&[
            "echo one",
            "echo two>&2",
            "printf 'bad \\377 byte\\r\\n'",
            "echo \"$GREETING from $(pwd)\"",
        ])
    };
    params["env"] = json!({ "GREETING": "hello" });
    params["cwd"] = json!(dir.path().display().to_string());
    let (task, entries) = run(&manager, params).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
    assert_eq!(task.result.as_ref().unwrap()["exit_code"], json!(0));
    let stdout = lines(&entries, "shell.stdout");
    assert_eq!(stdout[0], ("one", LogLevel::Info));
    if cfg!(unix) {
        assert_eq!(stdout[1], ("bad \u{FFFD} byte", LogLevel::Info));
    }
    assert_eq!(stdout[2].0, format!("hello from {}", dir.path().display()));
    assert_eq!(
        lines(&entries, "shell.stderr"),
        vec![("two", LogLevel::Warning)]
    );
    let lifecycle = lines(&entries, "shell.process");
    assert!(
        lifecycle[0].0.starts_with(&format!("$ {}", shell_name())),
        "{lifecycle:?}"
    );
    assert!(
        lifecycle[1].0.contains("exited with status 0"),
        "{lifecycle:?}"
    );
    // Nothing the plugin wrote carries a default source.
    assert!(entries.iter().all(|entry| entry.source != "default"));
}

#[tokio::test]
async fn the_run_and_its_groups_are_nested_sections_with_their_lines() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let (summary, entries) = run(
        &manager,
        script(&[
            "echo before",
            "echo ::group::Build",
            "echo compiling",
            "echo ::group::Tests",
            "echo testing",
            "echo ::endgroup::",
            "echo ::endgroup::",
            "echo after",
        ]),
    )
    .await;
    assert_eq!(summary.status, TaskStatus::Succeeded);
    // The markers are not lines of their own.
    assert!(!entries.iter().any(|entry| entry.message.starts_with("::")));
    let sections_of = |message: &str| -> Vec<u32> {
        let entry = entries.iter().find(|entry| entry.message == message);
        entry
            .map(|entry| entry.sections.clone())
            .unwrap_or_default()
    };
    assert_eq!(sections_of("before"), [1]);
    assert_eq!(sections_of("Build"), [1, 2]);
    assert_eq!(sections_of("compiling"), [1, 2]);
    assert_eq!(sections_of("Tests"), [1, 2, 3]);
    assert_eq!(sections_of("testing"), [1, 2, 3]);
    assert_eq!(sections_of("after"), [1]);
    // The task's own lines lie outside.
    assert!(entries.first().unwrap().sections.is_empty());
    assert!(entries.last().unwrap().sections.is_empty());

    let sections = manager.log_sections(&summary.id).await.unwrap();
    let outline: Vec<(u32, Option<u32>, &str)> = sections
        .iter()
        .map(|section| (section.id, section.parent, section.title.as_str()))
        .collect();
    assert_eq!(outline[1..], [(2, Some(1), "Build"), (3, Some(2), "Tests")]);
    assert!(
        outline[0].2.starts_with(&format!("$ {}", shell_name())),
        "{outline:?}"
    );
    assert!(sections.iter().all(|section| section.ended_at.is_some()));
    assert_eq!(sections[2].counts.total(), 2, "its header and one line");
}

// Unix: the script prints escapes with `printf`.
#[cfg(unix)]
#[tokio::test]
async fn gitlab_section_markers_are_sections_and_an_end_closes_those_inside() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let script = "printf '\\033[0Ksection_start:1:deps[collapsed=true]\\r\\033[0KInstall deps\\n'; \
                  echo installing; printf 'section_start:2:inner\\r\\033[0K\\n'; echo deep; \
                  printf '\\033[0Ksection_end:3:deps\\r\\033[0K\\n'; echo after";
    let (summary, entries) =
        run(&manager, json!({ "program": "sh", "args": ["-c", script] })).await;
    assert_eq!(summary.status, TaskStatus::Succeeded, "{:?}", summary.error);
    // No marker is a line of its own (the run's header names them all).
    assert!(
        !entries
            .iter()
            .any(|entry| entry.message.contains("section_") && !entry.message.starts_with("$ "))
    );
    let sections_of = |message: &str| -> Vec<u32> {
        let entry = entries.iter().find(|entry| entry.message == message);
        entry
            .map(|entry| entry.sections.clone())
            .unwrap_or_else(|| panic!("no line {message:?} in {entries:#?}"))
    };
    assert_eq!(sections_of("Install deps"), [1, 2]);
    assert_eq!(sections_of("installing"), [1, 2]);
    // A section without a title is titled by its name.
    assert_eq!(sections_of("inner"), [1, 2, 3]);
    assert_eq!(sections_of("deep"), [1, 2, 3]);
    // Ending `deps` ended `inner` inside it too.
    assert_eq!(sections_of("after"), [1]);
    let sections = manager.log_sections(&summary.id).await.unwrap();
    let titles: Vec<&str> = sections[1..]
        .iter()
        .map(|section| section.title.as_str())
        .collect();
    assert_eq!(titles, ["Install deps", "inner"]);
}

// Unix: the script prints escapes and bytes with `printf`.
#[cfg(unix)]
#[tokio::test]
async fn hostile_output_is_stored_as_shown_and_a_10_mb_line_is_capped_with_a_marker() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    // ANSI colours, a NUL byte, a terminal title escape; then a line of
    // 10 MiB without an end, and one after it.
    let script = "printf 'red \\033[31mtext\\033[0m\\n'; printf 'a\\000b\\n'; \
                  printf '\\033]0;title\\007after\\n'; \
                  head -c 10485760 /dev/zero | tr '\\0' x; echo; echo last";
    let (task, entries) = run(&manager, json!({ "program": "sh", "args": ["-c", script] })).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
    let stdout = lines(&entries, "shell.stdout");
    // Colours become styles beside the text a user reads.
    assert_eq!(stdout[0].0, "red text");
    let red = entries
        .iter()
        .find(|entry| entry.message == "red text")
        .unwrap();
    assert_eq!(red.styles.len(), 1);
    assert_eq!(red.styles[0].range(), 4..8);
    assert_eq!(
        stdout[1].0, "a\0b",
        "the NUL byte is kept, and what follows it"
    );
    assert_eq!(stdout[2].0, "after", "the title sequence is not text");
    let long = stdout[3].0;
    let max = crate::task_log::entry_text::MAX_MESSAGE_BYTES;
    assert!(long.len() <= max, "{}", long.len());
    assert!(long.starts_with("xxxx"));
    assert!(
        long.ends_with(" … [truncated: 10485760 bytes in all]"),
        "{}",
        &long[long.len() - 60..]
    );
    assert_eq!(stdout[4].0, "last", "the line after it is whole");
}

#[tokio::test]
async fn a_secret_reaches_the_program_but_never_the_log_the_stream_or_the_store() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let mut live = manager.subscribe_logs();
    let (task, entries) = run(&manager, {
        let mut params = if cfg!(windows) {
            script(&["echo token=%API_TOKEN%", "echo %API_TOKEN%>&2", "exit 4"])
        } else {
            script(&[
                "echo \"token=$API_TOKEN\"",
                "echo \"$API_TOKEN\">&2",
                "exit 4",
            ])
        };
        params["secret_env"] = json!({ "API_TOKEN": "hunter2-s3cret" });
        params
    })
    .await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert_eq!(
        lines(&entries, "shell.stdout")[0].0,
        "token=***",
        "the program had it"
    );
    assert_eq!(lines(&entries, "shell.stderr")[0].0, "***");
    assert_eq!(task.params["secret_env"], json!({ "API_TOKEN": "***" }));
    let mut streamed = Vec::new();
    while let Ok(entry) = live.try_recv() {
        streamed.push(entry.message.clone());
    }
    assert!(
        streamed.iter().any(|message| message == "token=***"),
        "{streamed:?}"
    );
    // Nothing in the database file holds the secret: not the entries,
    // the full-text index, the task's params, error or result.
    manager.shutdown().await.unwrap();
    let path = store.data_dir().database_path();
    let database = std::fs::read(&path).unwrap();
    let wal = std::fs::read(format!("{}-wal", path.display())).unwrap_or_default();
    for bytes in [database, wal] {
        assert!(
            !bytes.windows(14).any(|window| window == b"hunter2-s3cret"),
            "the secret reached the database file"
        );
    }
}

#[tokio::test]
async fn a_non_zero_exit_fails_with_the_status_and_a_missing_program_says_so() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let (task, _) = run(&manager, script(&["exit 3"])).await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert_eq!(
        task.error.unwrap(),
        format!("`{}` exited with status 3", shell_name())
    );

    let (task, entries) = run(&manager, json!({ "program": "/no/such/program" })).await;
    assert_eq!(task.status, TaskStatus::Failed);
    let error = task.error.unwrap();
    assert!(
        error.starts_with("could not start `/no/such/program`"),
        "{error}"
    );
    assert!(
        entries
            .iter()
            .any(|entry| entry.source == "system" && entry.level == LogLevel::Error)
    );
}

#[tokio::test]
async fn cancellation_and_timeout_kill_the_process() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let started = Instant::now();
    let mut params = sleep(30);
    params["timeout_secs"] = json!(1);
    let (task, entries) = run(&manager, params).await;
    assert_eq!(task.status, TaskStatus::Failed);
    assert!(task.error.unwrap().contains("timed out after 1 s"));
    let killed = format!("killed `{}`", shell_name());
    assert!(
        entries
            .iter()
            .any(|entry| entry.message.starts_with(&killed))
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    let mut live = manager.subscribe_logs();
    let task = manager.run_task(request("shell", sleep(30))).await.unwrap();
    until_entry(&mut live, &task.id, |entry| {
        entry.message.starts_with("started")
    })
    .await;
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    let entries = all_entries(&manager, &task.id).await;
    let killed = format!("{killed} (cancelled)");
    assert!(entries.iter().any(|entry| entry.message == killed));
    assert!(started.elapsed() < Duration::from_secs(25));
}

/// What the program started (a `sleep` under `sh`, a `ping` under `cmd`)
/// holds the output pipes open: only when the whole tree is killed do the
/// readers end at once instead of after their grace.
#[tokio::test]
async fn a_cancel_stops_the_whole_process_tree() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let mut live = manager.subscribe_logs();
    let task = manager
        .run_task(request(
            "shell",
            script(&["echo ready", &sleep_command(60)]),
        ))
        .await
        .unwrap();
    until_entry(&mut live, &task.id, |entry| entry.message == "ready").await;
    let cancelled = Instant::now();
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    let entries = all_entries(&manager, &task.id).await;
    assert_nothing_held_the_output(&entries);
    assert!(cancelled.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn programs_are_found_by_name_in_path() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let tools = tempfile::tempdir().unwrap();
    // `npm`, `yarn`, `mvn` are `.cmd` files on Windows; a script on Unix.
    let path = std::env::join_paths(std::iter::once(tools.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    if cfg!(windows) {
        std::fs::write(
            tools.path().join("hello-tool.cmd"),
            "@echo hello from a cmd file\r\n",
        )
        .unwrap();
    } else {
        let tool = tools.path().join("hello-tool");
        std::fs::write(&tool, "#!/bin/sh\necho hello from a cmd file\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let (task, entries) = run(
        &manager,
        json!({ "program": "hello-tool", "env": { "PATH": path.to_string_lossy() } }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    assert_eq!(
        lines(&entries, "shell.stdout")[0].0,
        "hello from a cmd file"
    );

    let (task, _) = run(&manager, json!({ "program": "no-such-tool-anywhere" })).await;
    assert_eq!(
        task.error.as_deref(),
        Some("could not start `no-such-tool-anywhere`: no program of that name in PATH")
    );
    // A cmd built-in is no program; the error says how to run it.
    let (task, _) = run(&manager, json!({ "program": "dir" })).await;
    if cfg!(windows) {
        let error = task.error.unwrap();
        assert!(
            error.contains("built into cmd") && error.contains("/c dir"),
            "{error}"
        );
    }
}

/// Windows: a console program writes `café` in the OEM code page; it is
/// stored as written, not as replacement characters.
#[cfg(windows)]
#[tokio::test]
async fn output_in_the_console_code_page_is_stored_as_written() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let files = tempfile::tempdir().unwrap();
    let code_page = crate::output_text::oem_code_page().unwrap();
    // `é` in the OEM code page: 0x82 in 437 and 850 alike.
    let expected = crate::output_text::decode_with(code_page, b"caf\x82").unwrap();
    std::fs::write(files.path().join("name.txt"), b"caf\x82\r\n").unwrap();
    let mut params = script(&["type name.txt"]);
    params["cwd"] = json!(files.path());
    let (task, entries) = run(&manager, params).await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{entries:#?}");
    assert_eq!(lines(&entries, "shell.stdout")[0].0, expected);
    assert!(!expected.contains('\u{FFFD}'));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn cancelling_also_stops_what_the_program_started() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let task = manager
        .run_task(request(
            "shell",
            json!({ "program": "sh", "args": ["-c", "sleep 60 & echo $!; wait"] }),
        ))
        .await
        .unwrap();
    // The grandchild's pid, from the script's first line.
    let pid = crate::test_support::wait_until("the script to print its child's pid", || async {
        let entries = all_entries(&manager, &task.id).await;
        entries
            .iter()
            .find(|entry| entry.source == "shell.stdout")
            .map(|line| line.message.parse::<u32>().unwrap())
    })
    .await;
    let finished = cancel_and_wait(&manager, &task.id).await;
    assert_eq!(finished.status, TaskStatus::Cancelled);
    assert!(!running(pid), "{pid} still runs");
    let entries = all_entries(&manager, &task.id).await;
    // Nothing held the output open once the group was killed.
    assert_nothing_held_the_output(&entries);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn what_the_program_leaves_running_ends_with_its_task() {
    let (_dir, store) = temp_store().await;
    let manager = manager_with(&store, vec![], Duration::from_millis(20)).await;
    let (task, entries) = run(
        &manager,
        json!({ "program": "sh", "args": ["-c", "sleep 60 > /dev/null 2>&1 & echo $!"] }),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Succeeded, "{:?}", task.error);
    let pid: u32 = lines(&entries, "shell.stdout")[0].0.parse().unwrap();
    crate::test_support::wait_until("the left-over sleep to be killed", || async {
        (!running(pid)).then_some(())
    })
    .await;
}
