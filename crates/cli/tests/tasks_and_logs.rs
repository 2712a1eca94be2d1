//! `taskdeck run`, `tasks`, `show`, `logs`, `stats`, `sources`, `export`,
//! `delete` and `cleanup` as a user runs them: real processes on a real data directory.

// The tasks run `sh -c` on Unix and `cmd /c` on Windows (see
// `taskdeck_core::test_programs`); a test that needs more of a Unix shell
// (`printf` escapes, `seq`, signals) says so where it is gated.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use serde_json::Value;
use taskdeck_core::test_programs::{self, script, shell_name, sleep_command};

fn taskdeck(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taskdeck"));
    command
        .env_remove("TASKDECK_DATA_DIR")
        .env("NO_COLOR", "1")
        .arg("--data-dir")
        .arg(dir);
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    common::output_of(taskdeck(dir).args(args).stdin(Stdio::null()))
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Starts `taskdeck run` of a script that prints `begun` and sleeps, and
/// returns the process and the task id once the task has begun.
fn start_sleeper(dir: &Path, seconds: u32) -> (std::process::Child, String) {
    let params = script(&["echo begun", &sleep_command(seconds)]).to_string();
    let mut child = taskdeck(dir)
        .args(["run", "shell", "--params-json", &params])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().contains("begun") {}
    // Keep reading its output, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    let id = json_lines(&run(dir, &["tasks", "--status", "running", "--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (child, id)
}

/// Another process following a task (`logs --follow --json`), and what it
/// has printed so far.
struct Follower {
    child: std::process::Child,
    printed: Vec<Value>,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

/// Starts following task `id`; returns once the follower has printed the
/// task's first entry, so it is known to be following from then on.
fn follow(dir: &Path, id: &str) -> Follower {
    let mut child = taskdeck(dir)
        .args(["logs", id, "--follow", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let Some(first) = lines.next() else {
        panic!("the follower ended before printing the task's first entry");
    };
    let first = first.unwrap();
    Follower {
        child,
        printed: vec![serde_json::from_str(&first).unwrap()],
        lines,
    }
}

impl Follower {
    /// Waits for the follower to end: how it exited, and every entry it
    /// printed.
    fn finish(mut self) -> (std::process::ExitStatus, Vec<Value>) {
        for line in self.lines {
            self.printed
                .push(serde_json::from_str(&line.unwrap()).unwrap());
        }
        (self.child.wait().unwrap(), self.printed)
    }
}

/// Runs `script` (`sh -c`, or `cmd /c` on Windows) as a task and returns
/// its summary.
fn run_script(dir: &Path, script: &str) -> (Output, Value) {
    run_params(dir, &test_programs::script(&[script]))
}

/// `taskdeck run shell` with these parameters, given one by one with
/// `--param`: its output and summary.
fn run_params(dir: &Path, params: &Value) -> (Output, Value) {
    let output = run(
        dir,
        &[
            "run",
            "shell",
            "--param",
            &format!("program={}", params["program"]),
            "--param",
            &format!("args={}", params["args"]),
            "--json",
        ],
    );
    let summary = serde_json::from_str(stdout(&output).trim()).unwrap();
    (output, summary)
}

#[test]
fn run_prints_live_lines_then_the_task_id_and_exit_status_follows_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[
            "run",
            "shell",
            "--params-json",
            &script(&["echo out", "echo err>&2"]).to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines
            .iter()
            .any(|line| line.contains("INFO") && line.contains("shell.stdout out")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("WARNING shell.stderr err")),
        "{text}"
    );
    let id = lines.last().unwrap();
    assert_eq!(id.len(), 36, "{text}");

    let (failed, summary) = run_script(dir.path(), "exit 7");
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(summary["status"], "failed");
    assert_eq!(
        summary["error"],
        format!("`{}` exited with status 7", shell_name())
    );
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(
        stderr.starts_with("taskdeck: task ") && stderr.contains("failed"),
        "{stderr}"
    );

    // `true` alone would parse as JSON; a JSON string forces a string.
    let quiet = if cfg!(windows) {
        run(
            dir.path(),
            &["run", "shell", "--param", "program=\"hostname\"", "--quiet"],
        )
    } else {
        run(
            dir.path(),
            &["run", "shell", "--param", "program=\"true\"", "--quiet"],
        )
    };
    assert_eq!(quiet.status.code(), Some(0), "{quiet:?}");
    assert_eq!(stdout(&quiet).lines().count(), 1);
}

#[test]
fn logs_print_json_lines_exactly_as_the_protocol_serialises_entries() {
    let dir = tempfile::tempdir().unwrap();
    let script = if cfg!(windows) {
        // (Wine's cmd reads neither `@(…)` blocks nor a redirection first.)
        "(for /L %i in (1,1,5) do @echo line %i)&(for /L %i in (1,1,5) do @echo warn %i 1>&2)"
    } else {
        "for i in 1 2 3 4 5; do echo line $i; echo warn $i >&2; done"
    };
    let (_, summary) = run_script(dir.path(), script);
    let id = summary["id"].as_str().unwrap();

    let all = json_lines(&run(dir.path(), &["logs", id, "--json"]));
    let seqs: Vec<u64> = all
        .iter()
        .map(|entry| entry["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>());
    for entry in &all {
        let parsed: taskdeck_protocol::LogEntry = serde_json::from_value(entry.clone()).unwrap();
        assert_eq!(&serde_json::to_value(&parsed).unwrap(), entry);
    }

    let warnings = json_lines(&run(
        dir.path(),
        &["logs", id, "--level", "warning", "--json"],
    ));
    assert_eq!(warnings.len(), 5);
    assert!(
        warnings
            .iter()
            .all(|entry| entry["source"] == "shell.stderr")
    );

    let page = json_lines(&run(
        dir.path(),
        &[
            "logs",
            id,
            "--source",
            "shell",
            "--min-level",
            "info",
            "--after",
            "3",
            "--limit",
            "2",
            "--json",
        ],
    ));
    assert_eq!(page.len(), 2);
    assert!(page[0]["seq"].as_u64().unwrap() > 3);

    let found = json_lines(&run(
        dir.path(),
        &["logs", id, "--search", "line 4", "--json"],
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["message"], "line 4");

    let stats: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["stats", id, "--json"]))).unwrap();
    assert_eq!(stats["counts"]["warning"], 5);
    assert_eq!(stats["total"].as_u64().unwrap(), all.len() as u64);
    let sources: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["sources", id, "--json"]))).unwrap();
    assert_eq!(
        sources,
        serde_json::json!(["shell.process", "shell.stderr", "shell.stdout", "system"])
    );

    let show: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["show", id, "--json"]))).unwrap();
    assert_eq!(show["status"], "succeeded");
    let listed = json_lines(&run(
        dir.path(),
        &["tasks", "--status", "succeeded", "--json"],
    ));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id);
}

#[test]
fn search_finds_text_as_typed_and_regex_and_case_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "rotated app.log",
        "failed: ERR-1234",
        "needle-unique-7731",
        "I don't know",
        "built with C++",
        "an error here",
    ];
    // cmd's echo prints the rest of its line as it is; sh needs quotes.
    let commands: Vec<String> = lines
        .iter()
        .map(|line| match cfg!(windows) {
            true => format!("echo {line}"),
            false => format!("echo \"{line}\""),
        })
        .collect();
    let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
    let (_, summary) = run_params(dir.path(), &script(&commands));
    let id = summary["id"].as_str().unwrap();
    let messages = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["logs", id, "--source", "shell.stdout", "--json"];
        all.extend_from_slice(args);
        let output = run(dir.path(), &all);
        assert!(output.status.success(), "{args:?}: {output:?}");
        json_lines(&output)
            .iter()
            .map(|entry| entry["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(messages(&["--search", "app.log"]), ["rotated app.log"]);
    assert_eq!(messages(&["--search", "err-1234"]), ["failed: ERR-1234"]);
    assert_eq!(messages(&["--search", "unique-77"]), ["needle-unique-7731"]);
    assert_eq!(messages(&["--search", "don't"]), ["I don't know"]);
    assert_eq!(messages(&["--search", "C++"]), ["built with C++"]);
    assert_eq!(
        messages(&["--search", "err"]),
        ["failed: ERR-1234", "an error here"]
    );
    assert_eq!(
        messages(&["--search", "ERR", "--case-sensitive"]),
        ["failed: ERR-1234"]
    );
    assert_eq!(
        messages(&["--search", "err-\\d+|unique-\\d{4}$", "--regex"]),
        ["failed: ERR-1234", "needle-unique-7731"]
    );
    assert_eq!(
        messages(&["--search", "err NOT here", "--operators"]),
        ["failed: ERR-1234"]
    );
}

// Unix: a NUL cannot be put on a Windows command line for cmd's echo.
#[cfg(unix)]
#[test]
fn control_characters_in_a_log_line_are_printed_as_escapes_never_sent_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_script(
        dir.path(),
        "printf 'red \\033[31mtext\\033[0m \\033]0;title\\007 bell\\007 tab\\tend\\n'; \
         printf 'nul\\000 kept\\n'",
    );
    let id = summary["id"].as_str().unwrap();

    let text = run(dir.path(), &["logs", id, "--source", "shell.stdout"]);
    assert!(text.status.success());
    assert!(
        !text
            .stdout
            .iter()
            .any(|byte| *byte < 0x20 && !matches!(byte, b'\t' | b'\n')),
        "a control byte reached the terminal: {:?}",
        stdout(&text)
    );
    // Escape sequences were parsed when stored: the text a user reads. A
    // control character left in a message is shown as an escape.
    assert!(
        stdout(&text).contains("red text  bell tab\tend"),
        "{}",
        stdout(&text)
    );
    assert!(stdout(&text).contains("nul\\x00 kept"), "{}", stdout(&text));
    // JSON keeps the message and its styles exactly.
    let json = json_lines(&run(
        dir.path(),
        &["logs", id, "--source", "shell.stdout", "--json"],
    ));
    assert_eq!(json[0]["message"], "red text  bell tab\tend");
    assert_eq!(
        json[0]["styles"],
        serde_json::json!([{ "start": 4, "end": 8, "fg": 1 }])
    );
    assert_eq!(json[1]["message"], "nul\0 kept");
}

#[test]
fn context_lines_come_around_each_match_as_grep_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let script = if cfg!(windows) {
        // (Wine's cmd reads no `if … else` inside a loop.)
        "(for /L %i in (1,1,3) do @echo hay %i)&echo needle 4&(for /L %i in (5,1,9) do @echo hay %i)\
         &echo needle 10&(for /L %i in (11,1,12) do @echo hay %i)"
    } else {
        "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do \
           if [ $i = 4 ] || [ $i = 10 ]; then echo \"needle $i\"; else echo \"hay $i\"; fi; \
         done"
    };
    let (_, summary) = run_script(dir.path(), script);
    let id = summary["id"].as_str().unwrap();
    let shown = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["logs", id, "--source", "shell.stdout", "--search", "needle"];
        all.extend_from_slice(args);
        let output = run(dir.path(), &all);
        assert!(output.status.success(), "{args:?}: {output:?}");
        stdout(&output)
            .lines()
            .map(|line| {
                if line == "--" {
                    return line.to_owned();
                }
                // `  seq: time LEVEL source message`: keep the mark and message.
                let mark = line.trim_start().split(' ').next().unwrap_or_default();
                let message = line.split("shell.stdout ").nth(1).unwrap_or(line);
                match mark.chars().last() {
                    Some(mark @ (':' | '-')) => format!("{mark}{message}"),
                    _ => message.to_owned(),
                }
            })
            .collect()
    };
    assert_eq!(
        shown(&["-C", "1"]),
        [
            "-hay 3",
            ":needle 4",
            "-hay 5",
            "--",
            "-hay 9",
            ":needle 10",
            "-hay 11"
        ]
    );
    assert_eq!(
        shown(&["-A", "2"]),
        [
            ":needle 4",
            "-hay 5",
            "-hay 6",
            "--",
            ":needle 10",
            "-hay 11",
            "-hay 12"
        ]
    );
    assert_eq!(
        shown(&["-B", "1", "--limit", "3"]),
        ["-hay 3", ":needle 4", "--", "-hay 9"]
    );
    // JSON marks the context entries.
    let json = json_lines(&run(
        dir.path(),
        &[
            "logs",
            id,
            "--search",
            "needle",
            "-C",
            "1",
            "--source",
            "shell.stdout",
            "--json",
        ],
    ));
    let flags: Vec<bool> = json.iter().map(|entry| entry["context"] == true).collect();
    assert_eq!(flags, [true, false, true, true, false, true]);
    // More than 50 lines of context is refused by name.
    let output = run(dir.path(), &["logs", id, "--search", "needle", "-C", "51"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("-C/--context takes 0 to 50 lines, not 51")
    );
}

// Unix: the script prints escapes and a carriage return with `printf`;
// cmd drops a carriage return from its command line.
#[cfg(unix)]
#[test]
fn colours_are_kept_as_styles_exported_with_colours_on_request_and_searched_as_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_script(
        dir.path(),
        "printf '\\033[1;31mRED\\033[0m alert\\n'; printf 'progress 10%%\\rprogress 100%%\\n'",
    );
    let id = summary["id"].as_str().unwrap();
    let json = json_lines(&run(
        dir.path(),
        &[
            "logs",
            id,
            "--source",
            "shell.stdout",
            "--search",
            "red alert",
            "--json",
        ],
    ));
    assert_eq!(json.len(), 1, "the text as shown is searched: {json:?}");
    assert_eq!(json[0]["message"], "RED alert");
    assert_eq!(
        json[0]["styles"],
        serde_json::json!([{ "start": 0, "end": 3, "fg": 1, "bold": true }])
    );
    let progress = json_lines(&run(
        dir.path(),
        &[
            "logs",
            id,
            "--source",
            "shell.stdout",
            "--search",
            "progress",
            "--json",
        ],
    ));
    assert_eq!(
        progress[0]["message"], "progress 100%",
        "only the final state"
    );

    let plain = dir.path().join("plain.log");
    assert!(
        export_to_file(dir.path(), id, "txt", &plain)
            .status
            .success()
    );
    let plain = std::fs::read_to_string(&plain).unwrap();
    assert!(
        plain.contains("] RED alert\n") && !plain.contains('\x1b'),
        "{plain}"
    );
    let coloured = dir.path().join("coloured.log");
    assert!(
        export_to_file(dir.path(), id, "txt-colour", &coloured)
            .status
            .success()
    );
    let coloured = std::fs::read_to_string(&coloured).unwrap();
    assert!(
        coloured.contains("] \x1b[1;31mRED\x1b[0m alert\n"),
        "{coloured:?}"
    );
    // Not a terminal: plain text.
    let text = stdout(&run(dir.path(), &["logs", id, "--source", "shell.stdout"]));
    assert!(
        text.contains("RED alert") && !text.contains('\x1b'),
        "{text:?}"
    );
}

#[test]
fn index_builds_the_search_index_with_progress_and_says_when_it_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_script(dir.path(), &test_programs::count_command(3000));
    assert_eq!(summary["status"], "succeeded");
    let output = run(dir.path(), &["index"]);
    assert!(output.status.success(), "{output:?}");
    let said = stdout(&output);
    assert!(
        said.starts_with("search index complete: ") && said.contains(" entries indexed in "),
        "{said}"
    );
    // Searches are complete either way.
    let found = json_lines(&run(
        dir.path(),
        &[
            "logs",
            summary["id"].as_str().unwrap(),
            "--search",
            "2999",
            "--json",
        ],
    ));
    assert_eq!(found.len(), 1);
}

#[test]
fn bad_input_is_one_line_on_stderr_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_script(dir.path(), "echo hi");
    let id = summary["id"].as_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["logs", "no-such-task"],
            "task no-such-task does not exist",
        ),
        (vec!["show", "no-such-task"], "does not exist"),
        (vec!["run", "nope"], "plugin \"nope\" does not exist"),
        (
            vec!["logs", id, "--level", "loud"],
            "unknown level \"loud\"",
        ),
        (vec!["logs", id, "--limit", "0"], "limit"),
        (vec!["logs", id, "--limit", "10001"], "limit"),
        (
            vec!["logs", id, "--operators", "--search", "\"open"],
            "is not a valid search with operators: at character 1: this quote is never closed",
        ),
        (
            vec!["logs", id, "--regex", "--search", "err(or"],
            "is not a valid regular expression: at character 4: unclosed group",
        ),
        (
            vec!["run", "shell", "--params-json", "{oops"],
            "not valid JSON",
        ),
        (
            vec!["run", "shell", "--param", "program"],
            "must be KEY=VALUE",
        ),
        (
            vec!["run", "shell", "--param", "program=1"],
            "invalid parameter `program`",
        ),
        (
            vec!["run", "shell"],
            "invalid parameter `program`: is required",
        ),
        (vec!["tasks", "--status", "done"], "unknown status"),
        (
            vec!["logs", id, "--min-level", "loud"],
            "unknown level \"loud\"",
        ),
        (
            vec!["export", id, "--format", "pdf"],
            "unknown export format \"pdf\"",
        ),
        (vec!["cleanup", "--older-than", "soon"], "invalid duration"),
        (
            vec!["settings", "--max-tasks", "0"],
            "max_tasks must be at least 1",
        ),
        (
            vec!["settings", "--flush-interval-ms", "1"],
            "flush_interval_ms must be between 10 and 60000",
        ),
    ];
    for (args, expected) in cases {
        let output = run(dir.path(), &args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn delete_and_cleanup_report_what_they_remove() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..3)
        .map(|index| {
            let (_, summary) = run_script(dir.path(), &format!("echo {index}"));
            summary["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let deleted = run(dir.path(), &["delete", &ids[0]]);
    assert!(deleted.status.success());
    assert!(stdout(&deleted).contains(&format!("deleted {}", ids[0])));
    let dry = run(dir.path(), &["cleanup", "--keep", "1", "--dry-run"]);
    assert!(
        stdout(&dry).contains(&format!("would delete {}", ids[1])),
        "{}",
        stdout(&dry)
    );
    assert_eq!(json_lines(&run(dir.path(), &["tasks", "--json"])).len(), 2);
    let done = run(dir.path(), &["cleanup", "--keep", "1"]);
    assert!(
        stdout(&done).contains("deleted 1 task(s)"),
        "{}",
        stdout(&done)
    );
    // What is left: the newest task, and the cleanup's own log.
    let left = json_lines(&run(dir.path(), &["tasks", "--json"]));
    assert_eq!(left.len(), 2);
    assert_eq!(left[0]["plugin_id"], "system");
    assert!(stdout(&done).contains(left[0]["id"].as_str().unwrap()));
    assert_eq!(left[1]["id"], ids[2].as_str());
}

#[test]
fn cleanup_without_rules_applies_the_saved_settings() {
    let dir = tempfile::tempdir().unwrap();
    let shown = stdout(&run(dir.path(), &["settings"]));
    assert!(
        shown.contains("365 days") && shown.contains("10000 tasks"),
        "{shown}"
    );
    let ids: Vec<String> = (0..3)
        .map(|index| {
            let (_, summary) = run_script(dir.path(), &format!("echo {index}"));
            summary["id"].as_str().unwrap().to_owned()
        })
        .collect();
    // The defaults keep all three.
    let dry = run(dir.path(), &["cleanup", "--dry-run"]);
    assert!(
        stdout(&dry).contains("would delete 0 task(s)"),
        "{}",
        stdout(&dry)
    );

    let changed = run(
        dir.path(),
        &[
            "settings",
            "--max-tasks",
            "1",
            "--keep-days",
            "off",
            "--json",
        ],
    );
    assert!(changed.status.success());
    let settings: Value = serde_json::from_slice(&changed.stdout).unwrap();
    assert_eq!(settings["retention"]["max_tasks"], 1);
    assert_eq!(settings["retention"]["keep_days"], Value::Null);
    assert_eq!(settings["retention"]["max_database_mb"], 2048);

    let dry = stdout(&run(dir.path(), &["cleanup", "--dry-run"]));
    assert!(
        dry.contains("retention settings: beyond the newest 1"),
        "{dry}"
    );
    for id in &ids[..2] {
        assert!(dry.contains(&format!("would delete {id}")), "{dry}");
        assert!(dry.contains("beyond the task count limit"), "{dry}");
    }
    assert_eq!(json_lines(&run(dir.path(), &["tasks", "--json"])).len(), 3);
    let done = stdout(&run(dir.path(), &["cleanup"]));
    assert!(done.contains("deleted 2 task(s)"), "{done}");
    let left: Vec<String> = json_lines(&run(dir.path(), &["tasks", "--json"]))
        .iter()
        .map(|task| task["plugin_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, vec!["system", "shell"]);
}

// Unix: Ctrl-C is sent as SIGINT with `kill`; on Windows a console
// control event cannot be sent to another process group from a test.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_task_flushes_and_exits_130_while_follow_sees_it_end() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, id) = start_sleeper(dir.path(), 30);
    // Another process follows the task while it runs.
    let follower = follow(dir.path(), &id);

    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130));
    assert!(started.elapsed() < Duration::from_secs(10));

    let show: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["show", &id, "--json"]))).unwrap();
    assert_eq!(show["status"], "cancelled");
    let (exit, entries) = follower.finish();
    assert!(exit.success());
    let last = entries.last().unwrap();
    assert_eq!(last["source"], "system");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .starts_with("cancelled after"),
        "{last}"
    );
    let stored = json_lines(&run(dir.path(), &["logs", &id, "--json"]));
    assert_eq!(entries, stored);
}

#[test]
fn follow_ends_when_the_process_running_the_task_dies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut runner, id) = start_sleeper(dir.path(), 5);
    let follower = follow(dir.path(), &id);
    runner.kill().unwrap();
    runner.wait().unwrap();

    let (exit, entries) = follower.finish();
    assert!(exit.success());
    let last = entries.last().unwrap();
    assert!(
        last["message"].as_str().unwrap().starts_with("Interrupted"),
        "{last}"
    );
    let show: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["show", &id, "--json"]))).unwrap();
    assert_eq!(show["status"], "interrupted");
}

/// A task printing faster than a live subscription sends (it skips ahead
/// with gap notices past 5,000 entries a round): `taskdeck run` and a
/// follower in another process both print every line, in order, as the
/// store has them.
#[test]
fn run_and_follow_print_every_line_of_a_fast_task_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let params = script(&[
        "echo begun",
        &sleep_command(1),
        &test_programs::count_command(40_000),
    ])
    .to_string();
    let mut runner = taskdeck(dir.path())
        .args(["run", "shell", "--params-json", &params])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = BufReader::new(runner.stdout.take().unwrap()).lines();
    let first = printed.next().unwrap().unwrap();
    let id = json_lines(&run(dir.path(), &["tasks", "--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let follower = follow(dir.path(), &id);
    let shown: Vec<String> = std::iter::once(first)
        .chain(printed.map(Result::unwrap))
        .collect();
    assert!(runner.wait().unwrap().success());

    let numbers: Vec<u64> = shown
        .iter()
        .filter_map(|line| line.split("shell.stdout ").nth(1))
        .filter_map(|text| text.trim().parse().ok())
        .collect();
    assert_eq!(numbers, (1..=40_000).collect::<Vec<u64>>());
    let (exit, entries) = follower.finish();
    assert!(exit.success());
    let stored = json_lines(&run(dir.path(), &["logs", &id, "--json"]));
    assert_eq!(entries.len(), stored.len());
    assert_eq!(entries, stored);
}

/// `taskdeck export <id> --format <format> --output <path>`.
fn export_to_file(dir: &Path, id: &str, format: &str, path: &Path) -> Output {
    run(
        dir,
        &[
            "export",
            id,
            "--format",
            format,
            "--output",
            path.to_str().unwrap(),
        ],
    )
}

#[test]
fn export_writes_a_file_or_standard_output_with_the_logs_filters() {
    let dir = tempfile::tempdir().unwrap();
    // cmd cannot be handed a `"` on its command line (Windows quotes an
    // argument's `"` as `\"`, which cmd does not read): the line comes
    // from a file there.
    let script = if cfg!(windows) {
        let line = dir.path().join("line.txt");
        std::fs::write(&line, "a, \"quoted\" line\r\n").unwrap();
        format!("type {}& echo oops>&2", line.display())
    } else {
        "echo 'a, \"quoted\" line'; echo oops >&2".to_owned()
    };
    let (_, summary) = run_script(dir.path(), &script);
    let id = summary["id"].as_str().unwrap();

    let path = dir.path().join("out.csv");
    let output = export_to_file(dir.path(), id, "csv", &path);
    assert!(output.status.success(), "{output:?}");
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with("task_id,seq,timestamp,level,source,message,metadata\r\n"));
    assert!(
        csv.contains(",INFO,shell.stdout,\"a, \"\"quoted\"\" line\","),
        "{csv}"
    );
    let rows = csv.lines().count() - 1;
    assert!(stdout(&output).starts_with(&format!("exported {rows} entries (")));

    // To standard output, with the filters of `logs`: a header line, then
    // exactly what `logs --json` shows for the same filter.
    let exported = run(
        dir.path(),
        &[
            "export",
            id,
            "--format",
            "jsonl",
            "-o",
            "-",
            "--source",
            "shell.stderr",
        ],
    );
    assert!(exported.status.success(), "{exported:?}");
    let mut lines = json_lines(&exported);
    let header = lines.remove(0);
    assert_eq!(header["taskdeck_export"], "task-log");
    assert_eq!(header["task"]["id"], id);
    let logs = json_lines(&run(
        dir.path(),
        &["logs", id, "--source", "shell.stderr", "--json"],
    ));
    assert_eq!(lines, logs);
    assert_eq!(lines.len(), 1);

    // Import is the proof of the format: another data directory gets the
    // task back, entries and all.
    let file = dir.path().join("task.jsonl");
    let written = export_to_file(dir.path(), id, "jsonl", &file);
    assert!(written.status.success(), "{written:?}");
    let other = tempfile::tempdir().unwrap();
    let imported = run(other.path(), &["import", file.to_str().unwrap(), "--json"]);
    assert!(imported.status.success(), "{imported:?}");
    let report: Value = serde_json::from_str(stdout(&imported).trim()).unwrap();
    assert_eq!(report["task_ids"], serde_json::json!([id]));
    let strip = |mut entries: Vec<Value>| {
        for entry in &mut entries {
            entry["id"] = Value::Null;
        }
        entries
    };
    assert_eq!(
        strip(json_lines(&run(other.path(), &["logs", id, "--json"]))),
        strip(json_lines(&run(dir.path(), &["logs", id, "--json"])))
    );
    let again = run(other.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("line 1: task"));

    let refused = run(dir.path(), &["export", id, "--format", "xml", "-o", "-"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown export format \"xml\""));
}

/// A full disk, for real: Linux's `/dev/full` answers every write with
/// ENOSPC.
#[cfg(target_os = "linux")]
#[test]
fn an_export_to_a_full_device_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_script(dir.path(), "for i in $(seq 1 3000); do echo line $i; done");
    let id = summary["id"].as_str().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = taskdeck(dir.path())
        .args(["export", id, "--format", "jsonl", "-o", "-"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The task and its log are untouched.
    assert_eq!(
        json_lines(&run(
            dir.path(),
            &["logs", id, "--json", "--limit", "10000"]
        ))
        .len(),
        summary["counts"]["info"].as_u64().unwrap() as usize
            + summary["counts"]["debug"].as_u64().unwrap() as usize
            + summary["counts"]["warning"].as_u64().unwrap() as usize
            + summary["counts"]["error"].as_u64().unwrap() as usize
    );
}

#[test]
fn a_hard_kill_during_heavy_logging_leaves_a_sound_database_and_an_interrupted_task() {
    let dir = tempfile::tempdir().unwrap();
    let params = script(&[&test_programs::endless_command()]).to_string();
    let mut child = taskdeck(dir.path())
        .args(["run", "shell", "--params-json", &params])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Each printed line is an entry the task emitted:
    // `seq HH:MM:SS.mmm level source message`.
    let last_printed = |line: &str| -> Option<(u64, chrono::NaiveTime)> {
        let mut fields = line.split_whitespace();
        let seq = fields.next()?.parse().ok()?;
        let time = chrono::NaiveTime::parse_from_str(fields.next()?, "%H:%M:%S%.3f").ok()?;
        Some((seq, time))
    };
    let mut printed = (0, chrono::NaiveTime::MIN);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        printed = last_printed(&lines.next().unwrap().unwrap()).unwrap();
    }
    child.kill().unwrap(); // SIGKILL; TerminateProcess on Windows
    child.wait().unwrap();
    // What it printed before dying; the last line may be cut short.
    for line in lines.map_while(Result::ok) {
        match last_printed(&line) {
            Some(seq_and_time) => printed = seq_and_time,
            None => break,
        }
    }

    let integrity: String = rusqlite::Connection::open(dir.path().join("taskdeck.db"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let tasks = json_lines(&run(dir.path(), &["tasks", "--json"]));
    let id = tasks[0]["id"].as_str().unwrap();
    let show: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["show", id, "--json"]))).unwrap();
    assert_eq!(show["status"], "interrupted");

    let entries = json_lines(&run(dir.path(), &["logs", id, "--json"]));
    let seqs: Vec<u64> = entries
        .iter()
        .map(|entry| entry["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "seq is gap-free"
    );
    let notice = entries.last().unwrap();
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .starts_with("Interrupted"),
        "{notice}"
    );
    let lines: Vec<&str> = entries
        .iter()
        .filter(|entry| entry["source"] == "shell.stdout")
        .map(|entry| entry["message"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=lines.len()).map(|n| format!("line {n}")).collect();
    assert_eq!(
        lines, expected,
        "what was kept is the program's output, in order"
    );
    let kept = seqs.len() as u64 - 1; // without the notice
    let missing = printed.0.saturating_sub(kept);
    let last_kept: chrono::DateTime<chrono::Utc> = entries[entries.len() - 2]["timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let span = printed.1 - last_kept.with_timezone(&chrono::Local).time();
    println!(
        "CLI hard kill: {} entries emitted (at least), {kept} durable, {missing} missing, \
         spanning {} ms of emit time (flush interval 100 ms)",
        printed.0,
        span.num_milliseconds()
    );
    assert!(kept > 0, "entries written during the run are durable");
    // At most the last flush interval is lost; the bound is twenty times
    // that so a loaded machine cannot make it flaky (the figure is above).
    assert!(
        span.num_milliseconds() <= 2000,
        "{missing} entries over {span} were lost"
    );
}

/// A program that leaves a process behind holding its output (`sleep &`,
/// `start /b ping`): `taskdeck run` ends when the program does, and what it
/// left running ends with the task.
#[test]
fn run_exits_when_its_program_does_though_it_left_a_process_running() {
    let dir = tempfile::tempdir().unwrap();
    let left_behind = if cfg!(windows) {
        "start /b ping -n 60 127.0.0.1 & echo done"
    } else {
        "sleep 60 & echo done"
    };
    let started = Instant::now();
    let (output, summary) = run_script(dir.path(), left_behind);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(summary["status"], "succeeded");
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "taskdeck run waited for the left-over process: {:?}",
        started.elapsed()
    );
}

#[test]
fn since_and_until_select_a_stretch_of_time_absolute_or_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let params = script(&["echo first", &sleep_command(2), "echo second"]).to_string();
    let output = run(
        dir.path(),
        &["run", "shell", "--params-json", &params, "--json"],
    );
    assert!(output.status.success(), "{output:?}");
    let summary: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let id = summary["id"].as_str().unwrap();
    let entries = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["logs", id, "--source", "shell.stdout", "--json"];
        all.extend_from_slice(args);
        let output = run(dir.path(), &all);
        assert!(output.status.success(), "{args:?}: {output:?}");
        json_lines(&output)
    };
    let messages = |args: &[&str]| -> Vec<String> {
        entries(args)
            .iter()
            .map(|entry| entry["message"].as_str().unwrap().to_owned())
            .collect()
    };
    // A second after the start lies between the two lines.
    assert_eq!(messages(&["--since", "+1s"]), ["second"]);
    assert_eq!(messages(&["--until", "+1s"]), ["first"]);
    // The second line's own time: `since` holds it, `until` does not.
    let all = entries(&[]);
    let second = all[1]["timestamp"].as_str().unwrap();
    assert_eq!(messages(&["--since", second]), ["second"]);
    assert_eq!(messages(&["--until", second]), ["first"]);
    assert_eq!(
        messages(&["--since", "+1s", "--until", second]),
        Vec::<String>::new()
    );

    // Export takes the same range.
    let output = run(
        dir.path(),
        &[
            "export",
            id,
            "--format",
            "txt",
            "--output",
            "-",
            "--source",
            "shell.stdout",
            "--since",
            "+1s",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("second") && !text.contains("first"), "{text}");

    // What cannot be read or holds no moment is named, with status 2.
    let refused = |args: &[&str], expected: &str| {
        let output = run(dir.path(), args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    };
    refused(&["logs", id, "--since", "yesterday"], "\"yesterday\"");
    refused(&["logs", id, "--since", "+5s", "--until", "+1s"], "until");
    let other = run_script(dir.path(), "echo other").1;
    let other = other["id"].as_str().unwrap();
    refused(
        &[
            "export", id, other, "--format", "txt", "--output", "-", "--since", "+1s",
        ],
        "several tasks",
    );
}

#[test]
fn sections_are_listed_nested_and_section_keeps_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let (_, summary) = run_params(
        dir.path(),
        &script(&[
            "echo ::group::Build",
            "echo compiling",
            "echo ::group::Docs",
            "echo writing",
            "echo ::endgroup::",
            "echo ::endgroup::",
            "echo ::group::Test",
            "echo testing",
            "echo ::endgroup::",
        ]),
    );
    let id = summary["id"].as_str().unwrap();

    // The run, its two groups, and the group inside the first.
    let listed: Vec<Value> =
        serde_json::from_str(&stdout(&run(dir.path(), &["sections", id, "--json"]))).unwrap();
    let outline: Vec<(u64, Value, &str)> = listed
        .iter()
        .map(|section| {
            (
                section["id"].as_u64().unwrap(),
                section["parent"].clone(),
                section["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outline[1..],
        [
            (2, serde_json::json!(1), "Build"),
            (3, serde_json::json!(2), "Docs"),
            (4, serde_json::json!(1), "Test")
        ]
    );
    assert!(listed.iter().all(|section| section["status"] == "ok"));
    let text = stdout(&run(dir.path(), &["sections", id]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[2].ends_with("      Docs"), "nested twice: {text}");
    assert!(lines[3].ends_with("    Test"), "{text}");

    // `--section 2`: Build's lines and those of Docs inside it.
    let shown: Vec<String> =
        json_lines(&run(dir.path(), &["logs", id, "--section", "2", "--json"]))
            .iter()
            .map(|entry| entry["message"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(shown, ["Build", "compiling", "Docs", "writing"]);
    let export = run(
        dir.path(),
        &[
            "export",
            id,
            "--section",
            "4",
            "--format",
            "txt",
            "--output",
            "-",
        ],
    );
    let exported = stdout(&export);
    assert_eq!(exported.lines().count(), 2, "{exported}");
    assert!(exported.contains("testing"));

    let output = run(dir.path(), &["logs", id, "--section", "9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("this task has no section 9"),
        "{output:?}"
    );
}

#[test]
fn diff_prints_only_what_changed_between_two_runs_and_exits_1_when_they_differ() {
    let dir = tempfile::tempdir().unwrap();
    // Every run prints the same file, rewritten between runs: the runs'
    // command lines (their sections' titles) are the same.
    let printed = dir.path().join("printed.txt");
    let show = if cfg!(windows) { "type" } else { "cat" };
    // Unquoted: cmd's quoting under the shell plugin's arguments differs
    // from sh's, and a temporary folder's path has no spaces.
    let command = format!("{show} {}", printed.display());
    let run_printing = |text: &str| -> String {
        std::fs::write(&printed, text).unwrap();
        let (_, summary) = run_params(dir.path(), &script(&[&command]));
        summary["id"].as_str().unwrap().to_owned()
    };
    let good = run_printing(
        "::group::Build\nbuilt at 10:42:07 in 3 files\n::endgroup::\n\
         ::group::Test\nall tests passed\n::endgroup::\n",
    );
    let again = run_printing(
        "::group::Build\nbuilt at 11:03:55 in 4 files\n::endgroup::\n\
         ::group::Test\nall tests passed\n::endgroup::\n",
    );
    let broken = run_printing(
        "::group::Build\nbuilt at 11:09:12 in 3 files\n::endgroup::\n\
         ::group::Test\none test failed\n::endgroup::\n",
    );

    // Normalised, the first two match.
    let same = run(dir.path(), &["diff", &good, &again]);
    assert_eq!(same.status.code(), Some(0), "{same:?}");
    assert!(stdout(&same).contains("the runs' logs match"), "{same:?}");
    // As written, they differ in the Build line (and the durations on
    // the task's last line, most likely): the Build line is a stretch.
    let raw = run(
        dir.path(),
        &["diff", &good, &again, "--raw", "--context", "0"],
    );
    assert_eq!(raw.status.code(), Some(1), "{raw:?}");
    let text = stdout(&raw);
    assert!(
        text.starts_with(&format!("--- {good} (shell, succeeded,")),
        "{text}"
    );
    assert!(text.contains("\n+++ "), "{text}");
    assert!(
        text.contains(
            "\n-[INFO] shell.stdout: built at 10:42:07 in 3 files\n\
             +[INFO] shell.stdout: built at 11:03:55 in 4 files\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("all tests passed"),
        "no context asked: {text}"
    );
    assert!(
        String::from_utf8_lossy(&raw.stderr).contains("the runs' logs differ in"),
        "{raw:?}"
    );

    // The failing run: one stretch, in Test, with a line of context.
    let output = run(
        dir.path(),
        &["diff", &good, &broken, "--context", "1", "--json"],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let comparison: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(comparison["normalised"], true);
    let hunks = comparison["hunks"].as_array().unwrap();
    assert_eq!(hunks.len(), 1, "{comparison:#}");
    let lines: Vec<(&str, &str)> = hunks[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["change"].as_str().unwrap(),
                line["message"].as_str().unwrap(),
            )
        })
        .collect();
    // Test's header before, the line after the run's output after.
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(
        lines[..3],
        [
            ("same", "Test"),
            ("removed", "all tests passed"),
            ("added", "one test failed"),
        ]
    );
    assert_eq!(lines[3].0, "same");
    let sections = &hunks[0]["lines"][1]["sections"];
    assert_eq!(sections[1], "Test", "{sections}");

    // An unknown task is bad input.
    let output = run(dir.path(), &["diff", &good, "no-such-task"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-task"));
}

/// The ids of the tasks `tasks` printed as JSON, in order, and what it
/// said of the page on stderr.
fn listed(dir: &Path, args: &[&str]) -> (Vec<String>, String) {
    let mut all = vec!["tasks", "--json"];
    all.extend_from_slice(args);
    let output = run(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let ids = json_lines(&output)
        .iter()
        .map(|task| task["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn tasks_filters_pages_both_ways_and_counts_per_status() {
    let dir = tempfile::tempdir().unwrap();
    let words = ["red", "green", "blue", "green-blue", "black"];
    let ids: Vec<String> = words
        .iter()
        .map(|word| {
            let (output, summary) = run_params(dir.path(), &test_programs::echo(word));
            assert_eq!(output.status.code(), Some(0), "{output:?}");
            summary["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    // A page of two, newest first, says how to reach the next.
    let (first, said) = listed(dir.path(), &["--limit", "2"]);
    assert_eq!(first, newest_first[..2]);
    assert!(
        said.starts_with("2 of 5 matching tasks (5 succeeded)"),
        "{said}"
    );
    let cursor = said
        .split("--after ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let (second, said) = listed(dir.path(), &["--limit", "2", "--after", &cursor]);
    assert_eq!(second, newest_first[2..4]);
    assert!(
        said.contains("--before ") && said.contains("--after "),
        "{said}"
    );
    // The last page ends with the oldest task; oldest first starts there.
    let (last, said) = listed(dir.path(), &["--limit", "2", "--last"]);
    assert_eq!(last, newest_first[3..]);
    assert!(!said.contains("--after"), "{said}");
    let (oldest, _) = listed(dir.path(), &["--sort", "oldest", "--limit", "1"]);
    assert_eq!(oldest, [ids[0].clone()]);

    // Text in the parameters, the status, the plugin.
    let (green, said) = listed(dir.path(), &["--text", "GREEN"]);
    assert_eq!(green, [ids[3].clone(), ids[1].clone()]);
    assert!(said.starts_with("2 of 2 matching tasks"), "{said}");
    let (failed, said) = listed(dir.path(), &["--status", "failed"]);
    assert!(failed.is_empty());
    assert!(said.starts_with("0 of 0 matching tasks"), "{said}");
    let (others, _) = listed(dir.path(), &["--plugin", "git"]);
    assert!(others.is_empty());
    let (recent, _) = listed(dir.path(), &["--within", "1h", "--problems", "errors"]);
    assert!(recent.is_empty(), "no task logged an error: {recent:?}");

    // Bad input is named, with exit status 2.
    for (args, expected) in [
        (vec!["--after", "yesterday"], "page cursor"),
        (vec!["--since", "+2m"], "--within"),
        (vec!["--sort", "fastest"], "fastest"),
        (
            vec!["--since", "2026-12-06", "--until", "2026-12-01"],
            "must be before",
        ),
    ] {
        let mut all = vec!["tasks"];
        all.extend(args);
        let output = run(dir.path(), &all);
        assert_eq!(output.status.code(), Some(2), "{all:?}: {output:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains(expected), "{all:?}: {said}");
    }
}

#[test]
fn search_finds_every_run_with_a_match_newest_first_a_page_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = ["alpha needle one", "beta", "gamma needle two"]
        .iter()
        .map(|line| {
            let (_, summary) = run_params(dir.path(), &test_programs::echo(line));
            summary["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let groups = |args: &[&str]| -> (Vec<Value>, String) {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        let output = run(dir.path(), &all);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        (
            json_lines(&output),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let (found, said) = groups(&["NEEDLE"]);
    let found_ids: Vec<&str> = found
        .iter()
        .map(|group| group["task"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(found_ids, [ids[2].as_str(), ids[0].as_str()]);
    // The echoed line, and the command line the shell plugin logs first.
    assert_eq!(found[0]["count"]["matching"], 2);
    let hits: Vec<&str> = found[0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["message"].as_str().unwrap())
        .collect();
    assert!(hits.contains(&"gamma needle two"), "{hits:?}");
    assert!(said.starts_with("2 task(s) with matches"), "{said}");

    // A page of one task, then the next from its cursor.
    let (page, said) = groups(&["needle", "--tasks", "1"]);
    assert_eq!(page.len(), 1);
    let cursor = said.split("--after ").nth(1).unwrap().trim().to_owned();
    let (rest, _) = groups(&["needle", "--tasks", "1", "--after", &cursor]);
    assert_eq!(rest[0]["task"]["id"], ids[0].as_str());

    // A regex, and a search nothing matches.
    let (regex, _) = groups(&["ne+dle t", "--regex"]);
    assert_eq!(regex.len(), 1);
    assert_eq!(regex[0]["task"]["id"], ids[2].as_str());
    let (none, said) = groups(&["nowhere-to-be-found"]);
    assert!(none.is_empty());
    assert!(said.contains("no task's log matches"), "{said}");

    // As text: the task's line, then its matching line marked.
    let output = run(dir.path(), &["search", "alpha"]);
    let text = stdout(&output);
    assert!(text.starts_with(&ids[0]), "{text}");
    assert!(
        text.contains(": ") && text.contains("alpha needle one"),
        "{text}"
    );

    // Bad input is named, with exit status 2.
    for (args, expected) in [
        (vec!["search", " "], "needs something to search for"),
        (vec!["search", "a(", "--regex"], "regular expression"),
        (vec!["search", "x", "--after", "later"], "search cursor"),
    ] {
        let output = run(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains(expected), "{args:?}: {said}");
    }
}
