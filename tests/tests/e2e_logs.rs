//! End-to-end tests of running a task and reading its log in the real app:
//! the runner's form, live rows, a server-side filter, and History after a
//! restart.

// Test code: a failed precondition should stop the test loudly.
#![allow(clippy::unwrap_used)]

use taskdeck_tests::e2e::keys::{ESCAPE, NO_MODIFIER, RETURN, SHIFT};
use taskdeck_tests::e2e::{
    AppSession, ROWS, test_id, wait_until, with_app, with_app_and_webview_home,
};

/// A log line that would run script if it were ever rendered as markup.
const XSS: &str = "<img src=x onerror=\"window.__taskdeckXss=1\">";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_task_streams_live_filters_in_the_core_and_reopens_from_history() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("run-shell", data_dir.path(), async |app: &AppSession| {
        // The form says what is wrong before anything runs.
        app.by_test_id("plugin-picker").await?;
        app.select("plugin-picker", "shell").await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("param-error-program"), |text| {
            text == "is required"
        })
        .await?;

        app.fill("param-program", "sh").await?;
        app.fill(
            "param-args",
            &format!(
                "-c{RETURN}for i in 1 2 3; do echo out $i; echo err $i >&2; done; echo '<b>not bold</b>'; echo '{XSS}'"
            ),
        )
        .await?;
        app.submit_run().await?;

        // Live: stdout and stderr lines arrive, then the task ends.
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            sources
                .iter()
                .filter(|source| *source == "shell.stderr")
                .count()
                == 3
                && sources
                    .iter()
                    .filter(|source| *source == "shell.stdout")
                    .count()
                    == 5
        })
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
            .await?;
        // Markup in a message is shown as text, never rendered.
        let messages = app.text_contents(&format!("{ROWS} .log-message")).await?;
        if !messages.iter().any(|message| message == "<b>not bold</b>") {
            return Err(format!(
                "the markup line is not shown as text: {messages:?}"
            ));
        }
        if !app
            .texts(&format!("{ROWS} .log-message b"))
            .await?
            .is_empty()
        {
            return Err("markup in a log line was rendered".into());
        }
        // A hostile line is inert: shown as text, no element made, nothing run.
        if !messages.iter().any(|message| message == XSS) {
            return Err(format!("the hostile line is not shown as text: {messages:?}"));
        }
        let images = app.texts(&format!("{ROWS} img")).await?;
        let ran = app.execute("return window.__taskdeckXss === undefined ? null : 'ran';").await?;
        if !images.is_empty() || !ran.is_null() {
            return Err(format!("a log line made an element or ran script: {images:?} {ran}"));
        }
        app.screenshot("runner-live").await?;

        // A source filter is applied in the core: only stderr rows remain.
        app.select("filter-source", "shell.stderr").await?;
        let sources = app
            .wait_for_attributes(ROWS, "data-source", |sources| {
                sources.len() == 3 && sources.iter().all(|source| source == "shell.stderr")
            })
            .await?;
        let levels = app.attributes(ROWS, "data-level").await?;
        if levels.iter().any(|level| level != "WARNING") {
            return Err(format!(
                "stderr rows should be WARNING: {levels:?} ({sources:?})"
            ));
        }
        app.screenshot("filtered-panel").await?;

        // A minimum level keeps only those levels.
        app.click("filter-clear").await?;
        app.select("filter-level", "WARNING").await?;
        app.wait_for_attributes(ROWS, "data-level", |levels| {
            levels.len() == 3 && levels.iter().all(|level| level == "WARNING")
        })
        .await?;

        // A search with operators narrows to the line; the lifecycle line,
        // which quotes the whole script, is excluded with NOT.
        app.click("filter-clear").await?;
        app.click("search-operators").await?;
        app.fill("filter-search", &format!("err 2 NOT echo{RETURN}"))
            .await?;
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            sources.len() == 1 && sources[0] == "shell.stderr"
        })
        .await?;
        app.wait_for(&format!("{ROWS} mark.match")).await?;
        // Wrap: the long command line takes more than one line of its row,
        // and every row is the same (taller) height.
        app.click("filter-clear").await?;
        app.click("wrap-toggle").await?;
        let wrapped = app
            .execute(
                "const rows = [...document.querySelectorAll('[data-testid=\"log-row\"]')];\n\
                 return { body: rows[1].querySelector('.log-body').offsetHeight,\n\
                          rows: [...new Set(rows.map((row) => row.offsetHeight))] };",
            )
            .await?;
        if wrapped["body"].as_i64().is_none_or(|height| height <= 18)
            || wrapped["rows"] != serde_json::json!([54])
        {
            return Err(format!("wrapping did not wrap: {wrapped}"));
        }
        app.screenshot("wrapped").await?;
        app.click("wrap-toggle").await?;
        // View preferences survive a reload of the UI.
        app.click("time-mode").await?;
        app.wait_for_text(&test_id("time-mode"), |text| text == "UTC")
            .await?;
        app.reload().await?;
        app.click("nav-history").await?;
        app.click("history-open").await?;
        app.wait_for_text(&test_id("time-mode"), |text| text == "UTC")
            .await?;
        Ok(())
    })
    .await;

    // After a restart, History lists the task and opens its log.
    with_app(
        "history-after-restart",
        data_dir.path(),
        async |app: &AppSession| {
            // Interact only once the app is up: the footer is filled over IPC.
            app.wait_for_text(&test_id("footer-version"), |text| {
                text.starts_with("Taskdeck")
            })
            .await?;
            app.click("nav-history").await?;
            let row = app.by_test_id("history-row").await?;
            let status = row
                .attr("data-status")
                .await
                .map_err(|error| error.to_string())?;
            if status.as_deref() != Some("succeeded") {
                return Err(format!("history shows status {status:?}"));
            }
            app.click("history-open").await?;
            let seqs = app
                .wait_for_attributes(ROWS, "data-seq", |seqs| seqs.len() >= 9)
                .await?;
            let expected: Vec<String> = (1..=seqs.len()).map(|seq| seq.to_string()).collect();
            if seqs != expected {
                return Err(format!("rows are not the whole log in order: {seqs:?}"));
            }
            app.screenshot("history").await?;

            // Keyboard: `f` toggles follow, `/` focuses the search box, Esc
            // clears the search.
            app.press("f").await?;
            app.wait_for_text(&test_id("follow-toggle"), |text| text == "Jump to latest")
                .await?;
            app.press("f").await?;
            app.wait_for_text(&test_id("follow-toggle"), |text| text == "Following")
                .await?;
            app.press(&format!("/out 3{RETURN}")).await?;
            app.wait_for_attributes(ROWS, "data-seq", |seqs| seqs.len() == 1)
                .await?;
            app.press(&ESCAPE.to_string()).await?;
            app.wait_for_attributes(ROWS, "data-seq", |seqs| seqs.len() == expected.len())
                .await?;

            // A link to a line of a log that fits on screen keeps the line
            // marked (reaching the bottom does not resume following).
            let task_id = app
                .attributes(&test_id("log-panel"), "data-task-id")
                .await?[0]
                .clone();
            app.execute(&format!("location.hash = '#/task/{task_id}/line/3'"))
                .await?;
            app.wait_for(&format!("{ROWS}.target[data-seq=\"3\"]"))
                .await?;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            app.wait_for(&format!("{ROWS}.target[data-seq=\"3\"]"))
                .await?;
            app.wait_for_text(&test_id("follow-toggle"), |text| text == "Jump to latest")
                .await?;

            // The view is the route's: a tab is an address, and Back
            // returns to the line.
            app.click("nav-run").await?;
            app.wait_for(&test_id("view-run")).await?;
            assert_eq!(app.execute("return location.hash").await?, "#/");
            app.execute("history.back()").await?;
            app.wait_for(&format!("{ROWS}.target[data-seq=\"3\"]"))
                .await?;

            // The task has the whole view; Back returns to the list. Re-run
            // starts the same task again and opens it; delete asks twice,
            // then removes the old one.
            app.click("history-back").await?;
            app.click("history-rerun").await?;
            let rerun = app
                .wait_for_attributes(&test_id("log-panel"), "data-task-id", |ids| {
                    ids.len() == 1 && ids[0] != task_id
                })
                .await?;
            app.wait_for_attributes(ROWS, "data-source", |sources| {
                sources.iter().filter(|source| *source == "shell.stderr").count() == 3
            })
            .await?;
            app.click("history-back").await?;
            app.wait_for_attributes(&test_id("history-row"), "data-status", |statuses| {
                statuses == ["succeeded", "succeeded"]
            })
            .await?;
            let rows = app
                .attributes(&test_id("history-row"), "data-task-id")
                .await?;
            assert_eq!(rows[0], rerun[0], "the re-run is the newest task");
            let delete_old = format!(
                "[data-testid=\"history-row\"][data-task-id=\"{}\"] [data-testid=\"history-delete\"]",
                rows[1]
            );
            for expected in ["Really delete?", ""] {
                app.wait_for(&delete_old)
                    .await?
                    .click()
                    .await
                    .map_err(|error| error.to_string())?;
                if !expected.is_empty() {
                    app.wait_for_text(&delete_old, |text| text == expected).await?;
                }
            }
            app.wait_for_attributes(&test_id("history-row"), "data-task-id", |ids| {
                ids == [rows[0].clone()]
            })
            .await?;
            app.screenshot("history-actions").await?;

            // The level filter is remembered too: after a reload the panel
            // opens with it (this log has no ERROR lines).
            // The reload keeps the route: the app comes back in History.
            app.click("history-open").await?;
            app.select("filter-level", "ERROR").await?;
            app.reload().await?;
            app.by_test_id("view-history").await?;
            app.click_again_if_replaced("history-open").await?;
            app.by_test_id("clear-filters").await?;
            app.click_again_if_replaced("clear-filters").await?;
            app.wait_for_attributes(ROWS, "data-seq", |seqs| seqs.len() >= 9)
                .await?;
            Ok(())
        },
    )
    .await;
}

/// Waits until the messages shown, and the text of their highlights,
/// are `messages` and `marks`.
async fn wait_for_found(app: &AppSession, messages: &[&str], marks: &[&str]) -> Result<(), String> {
    wait_until(
        &format!("{messages:?} with {marks:?} highlighted"),
        async || {
            Ok((
                app.text_contents(&format!("{ROWS} .log-message")).await?,
                app.text_contents(&format!("{ROWS} mark.match")).await?,
            ))
        },
        |(shown, marked)| shown == messages && marked == marks,
    )
    .await
    .map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_what_was_typed_and_names_a_malformed_regex_or_query() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("search-as-typed", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script(
            "echo 'rotated app.log'; echo 'failed: ERR-1234'; echo needle-unique-7731; echo app-log",
        )
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        // The lifecycle lines quote the script; only the program's output.
        app.select("filter-source", "shell.stdout").await?;
        for (typed, messages, marks) in [
            ("app.log", vec!["rotated app.log"], vec!["app.log"]),
            ("err-1234", vec!["failed: ERR-1234"], vec!["ERR-1234"]),
            ("unique-77", vec!["needle-unique-7731"], vec!["unique-77"]),
        ] {
            app.replace("filter-search", &format!("{typed}{RETURN}")).await?;
            wait_for_found(app, &messages, &marks).await?;
        }
        app.screenshot("substring").await?;

        // A regex, then a malformed one: named with its place, no internals.
        app.click("search-regex").await?;
        app.replace("filter-search", &format!("ERR-\\d+|\\d{{4}}${RETURN}")).await?;
        wait_for_found(
            app,
            &["failed: ERR-1234", "needle-unique-7731"],
            &["ERR-1234", "7731"],
        )
        .await?;
        // Text that cannot be searched stays in the box to be fixed, though
        // the filter no longer searches.
        app.fill("filter-search", &format!("({RETURN}")).await?;
        app.wait_for_text(&test_id("search-error"), |text| !text.is_empty())
            .await?;
        let kept = app
            .execute("return document.querySelector('[data-testid=\"filter-search\"]').value;")
            .await?;
        if kept.as_str() != Some("ERR-\\d+|\\d{4}$(") {
            return Err(format!("the unsearchable text was erased from the box: {kept}"));
        }
        app.replace("filter-search", &format!("err(-{RETURN}")).await?;
        let error = app
            .wait_for_text(&test_id("search-error"), |text| !text.is_empty())
            .await?;
        if !error.contains("regular expression") || !error.contains("at character 4") {
            return Err(format!("the malformed regex is not named with its place: {error}"));
        }
        for internal in ["fts5", "SQLite", "sqlite", "Custom", "no such column", "regex parse"] {
            if error.contains(internal) {
                return Err(format!("the error shows internals: {error}"));
            }
        }
        app.screenshot("bad-regex").await?;

        // Operators: NOT excludes; an unclosed quote is named.
        app.click("search-operators").await?;
        app.replace("filter-search", &format!("app NOT rotated{RETURN}")).await?;
        wait_for_found(app, &["app-log"], &["app"]).await?;
        if !app.texts(&test_id("search-error")).await?.is_empty() {
            return Err("the error stayed after a good search".into());
        }
        app.replace("filter-search", &format!("\"open{RETURN}")).await?;
        app.wait_for_text(&test_id("search-error"), |text| {
            text.contains("at character 1") && text.contains("never closed")
        })
        .await?;
        if !app.texts(&test_id("error-banner")).await?.is_empty() {
            return Err("a malformed search reached the error banner".into());
        }
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_stored_log_opens_on_its_newest_lines_and_loads_earlier_ones() {
    let data_dir = tempfile::tempdir().unwrap();
    // 1,500 entries (plus the system start and end lines) from a real
    // Taskdeck process, before the app starts.
    let written = std::process::Command::new(env!("CARGO_BIN_EXE_log-writer"))
        .arg(data_dir.path())
        .args(["1500", "100"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(written.success());

    with_app("long-log", data_dir.path(), async |app: &AppSession| {
        app.wait_for_text(&test_id("footer-version"), |text| {
            text.starts_with("Taskdeck")
        })
        .await?;
        app.click("nav-history").await?;
        app.click("history-open").await?;
        // The newest page, seq 503 to 1502, is held, but only the rows on
        // screen are in the DOM, ending with the newest.
        let first_row = format!("{ROWS}:first-of-type");
        let last_row = format!("{ROWS}:last-of-type");
        app.wait_for_text(&test_id("rows-shown"), |text| text == "1000 loaded")
            .await?;
        app.wait_for_attributes(&last_row, "data-seq", |seqs| seqs == ["1502"])
            .await?;
        let rendered = app.attributes(ROWS, "data-seq").await?.len();
        if !(20..=120).contains(&rendered) {
            return Err(format!("{rendered} rows in the DOM for 1,000 held"));
        }
        // Scrolling to the top loads the earlier page, keeping the rows on
        // screen where they were; scrolling to the top again reaches seq 1.
        let to_top = "document.querySelector('[data-testid=\"log-rows\"]').scrollTop = 0";
        app.execute(to_top).await?;
        app.wait_for_text(&test_id("rows-shown"), |text| text == "1502 loaded")
            .await?;
        // The rows read stay in place once the page is in (under load, a
        // frame can show the top rows before the list's scroll catches up:
        // the UI's scheduler may yield between the render and the scroll).
        app.wait_for_attributes(&first_row, "data-seq", |first| {
            !first.is_empty()
                && first
                    .iter()
                    .all(|seq| seq.parse::<u64>().is_ok_and(|seq| seq >= 400))
        })
        .await?;
        // Up again to the first line, scrolling again if need be, as a
        // reader would: under load the list's own scroll that keeps the
        // rows read in place can land after this one.
        wait_until(
            "the first line at the top",
            async || {
                app.execute(to_top).await?;
                app.attributes(&first_row, "data-seq").await
            },
            |seqs| *seqs == ["1"],
        )
        .await?;
        let rendered = app.attributes(ROWS, "data-seq").await?.len();
        if !(20..=120).contains(&rendered) {
            return Err(format!("{rendered} rows in the DOM for 1,502 held"));
        }
        // Reading earlier lines stops following the newest.
        app.wait_for_text(&test_id("follow-toggle"), |text| text == "Jump to latest")
            .await?;
        app.screenshot("loaded-earlier").await?;

        // A row expands into the whole line with its metadata, and copies.
        app.wait_for(&format!(
            "{ROWS}[data-seq=\"12\"] [data-testid=\"row-expand\"]"
        ))
        .await?
        .click()
        .await
        .map_err(|error| error.to_string())?;
        app.wait_for_text(&test_id("detail-message"), |text| {
            text.starts_with("entry 10: ")
        })
        .await?;
        app.wait_for_text(&test_id("detail-metadata"), |text| {
            text.contains("\"index\": 10")
        })
        .await?;
        app.click("copy-line").await?;
        app.wait_for_text(&test_id("copy-status"), |text| text == "Line copied")
            .await?;
        app.screenshot("line-detail").await?;
        app.press(&ESCAPE.to_string()).await?;
        app.wait_for_attributes(&test_id("log-detail"), "data-seq", <[String]>::is_empty)
            .await?;

        // The search applies as the user pauses typing, with its match
        // count; Enter and Shift+Enter step through the matches.
        app.fill("filter-search", "entry").await?;
        app.wait_for_text(&test_id("match-count"), |text| text == "1,500 matches")
            .await?;
        app.fill("filter-search", &RETURN.to_string()).await?;
        let first: u64 = app
            .wait_for_attributes(&test_id("log-detail"), "data-seq", |seqs| seqs.len() == 1)
            .await?[0]
            .parse()
            .unwrap();
        app.fill("filter-search", &RETURN.to_string()).await?;
        app.wait_for_attributes(&test_id("log-detail"), "data-seq", |seqs| {
            seqs == [(first + 1).to_string()]
        })
        .await?;
        app.fill("filter-search", &format!("{SHIFT}{RETURN}"))
            .await?;
        app.wait_for_attributes(&test_id("log-detail"), "data-seq", |seqs| {
            seqs == [first.to_string()]
        })
        .await?;
        app.screenshot("search-steps").await?;
        app.fill("filter-search", &format!("{NO_MODIFIER}{ESCAPE}"))
            .await?;
        app.wait_for_attributes(&test_id("match-count"), "role", <[String]>::is_empty)
            .await?;

        // The time column cycles local → UTC → elapsed since the start.
        let first_time = format!("{first_row} .log-time");
        app.click("time-mode").await?;
        app.wait_for_text(&first_time, |text| text.ends_with('Z'))
            .await?;
        app.click("time-mode").await?;
        app.wait_for_text(&first_time, |text| text.starts_with("+00:00."))
            .await?;

        // A link to a line opens the task on that line.
        let task_id = app
            .attributes(&test_id("log-panel"), "data-task-id")
            .await?[0]
            .clone();
        app.execute(&format!("location.hash = '#/task/{task_id}/line/100'"))
            .await?;
        app.wait_for(&format!("{ROWS}.target[data-seq=\"100\"]"))
            .await?;
        app.screenshot("line-link").await?;
        // … and "jump to latest" leaves it for the newest lines.
        app.click("follow-toggle").await?;
        app.wait_for_text(&test_id("follow-toggle"), |text| text == "Following")
            .await?;
        app.wait_for_attributes(&last_row, "data-seq", |seqs| seqs == ["1502"])
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_task_counts_live_and_cancels_from_history() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("live-counts", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script("echo one; echo two >&2; sleep 1; echo three >&2; sleep 60")
            .await?;
        // The header counts while the task runs (no status change brings
        // these: the core pushes running tasks' counts).
        app.wait_for_text(&test_id("count-warning"), |text| text == "2 warning")
            .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("running")
        })
        .await?;
        app.screenshot("running").await?;
        // History shows it running, with what ran, and cancels it.
        app.click("nav-history").await?;
        app.wait_for_attributes(&test_id("history-row"), "data-status", |statuses| {
            statuses == ["running"]
        })
        .await?;
        app.click("history-open").await?;
        app.wait_for_text(&test_id("task-params"), |text| text.contains("program=sh"))
            .await?;
        app.click("viewer-cancel").await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("cancelled")
        })
        .await?;
        app.click("history-back").await?;
        app.wait_for_attributes(&test_id("history-row"), "data-status", |statuses| {
            statuses == ["cancelled"]
        })
        .await?;
        app.screenshot("cancelled").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_in_plugins_run_from_their_forms() {
    let data_dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("V1__notes.sql"),
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\nINSERT INTO notes (body) VALUES ('hello');\n",
    )
    .unwrap();
    let database = work.path().join("notes.db");
    with_app("migration", data_dir.path(), async |app: &AppSession| {
        app.by_test_id("plugin-picker").await?;
        app.select("plugin-picker", "migration").await?;
        app.fill("param-database", &database.display().to_string())
            .await?;
        app.fill("param-folder", &work.path().display().to_string())
            .await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        // The run's component sources are offered by the source filter.
        app.select("filter-source", "migration.sql").await?;
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            !sources.is_empty() && sources.iter().all(|source| source == "migration.sql")
        })
        .await?;
        app.screenshot("applied").await?;

        // A parameter with choices is a list; the form refuses an
        // unchosen required one before anything runs.
        app.open_form().await?;
        app.select("plugin-picker", "git").await?;
        app.fill("param-repository", &work.path().display().to_string())
            .await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("param-error-operation"), |text| {
            text == "is required"
        })
        .await?;
        app.select("param-operation", "status").await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("failed")
        })
        .await?;
        app.wait_for_text(
            &format!("{ROWS}[data-source=\"system\"][data-level=\"ERROR\"] .log-message"),
            |text| text.contains("is not a git repository"),
        )
        .await?;
        Ok(())
    })
    .await;
    assert!(database.is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_runs_from_its_form_and_filters_by_its_archive_component() {
    let data_dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("documents");
    std::fs::create_dir_all(source.join("letters")).unwrap();
    std::fs::write(source.join("letters/dear.txt"), "Dear reader,\n").unwrap();
    std::fs::write(source.join("notes.md"), "# notes\n").unwrap();
    std::fs::write(source.join("scratch.tmp"), "left out").unwrap();
    let destination = work.path().join("backups");
    with_app("backup", data_dir.path(), async |app: &AppSession| {
        app.by_test_id("plugin-picker").await?;
        app.select("plugin-picker", "backup").await?;
        // Path fields offer the native picker beside the text box.
        app.by_test_id("browse-source").await?;
        app.by_test_id("browse-destination").await?;
        app.fill("param-source", &source.display().to_string())
            .await?;
        app.fill("param-destination", &destination.display().to_string())
            .await?;
        app.fill("param-exclude", "*.tmp").await?;
        app.fill("param-keep", "3").await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        app.select("filter-source", "backup.archive").await?;
        // The Archive step's header, two files added, then the summary.
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            sources.len() == 4 && sources.iter().all(|source| source == "backup.archive")
        })
        .await?;
        app.screenshot("archive-rows").await?;
        Ok(())
    })
    .await;
    let archives: Vec<String> = std::fs::read_dir(&destination)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        archives.len(),
        2,
        "the archive and its checksum: {archives:?}"
    );
    assert!(
        archives
            .iter()
            .any(|name| name.starts_with("documents-") && name.ends_with(".tar.zst"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_exports_from_its_panel_and_imports_into_another_app() {
    let data_dir = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let folder = exports.path().display().to_string();
    with_app("export", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script("echo 'one, \"two\"'; echo warned >&2; echo three").await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        // The native save dialog cannot be driven: the test-only folder
        // answers for it (the core export is the real one).
        app.execute(&format!(
            "window.__TASKDECK_TEST_SAVE_DIR = {};",
            serde_json::to_string(&folder).unwrap()
        ))
        .await?;
        app.select("filter-source", "shell.stderr").await?;
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            sources.len() == 1 && sources[0] == "shell.stderr"
        })
        .await?;
        app.click("export-open").await?;
        app.select("export-format", "csv").await?;
        app.click("export-run").await?;
        app.wait_for_text(&test_id("export-status"), |text| {
            text.starts_with("Exported 1 entry to ") && text.ends_with(".csv")
        })
        .await?;
        app.screenshot("exported-filter").await?;
        // Opening the file manager cannot be checked here; the action is offered.
        app.by_test_id("export-reveal").await?;

        // Everything, as JSON Lines.
        app.click("export-scope-all").await?;
        app.select("export-format", "jsonl").await?;
        app.click("export-run").await?;
        app.wait_for_text(&test_id("export-status"), |text| {
            text.starts_with("Exported ") && text.ends_with(".jsonl")
        })
        .await?;

        // From History: two ticked tasks into one CSV file.
        app.click("run-button").await?;
        app.click("nav-history").await?;
        app.wait_for_attributes("[data-testid=\"history-row\"]", "data-status", |statuses| {
            statuses.len() == 2 && statuses.iter().all(|status| status == "succeeded")
        })
        .await?;
        app.execute(
            "document.querySelectorAll('[data-testid=\"history-select\"]').forEach(box => box.click());",
        )
        .await?;
        app.click("history-export-open").await?;
        app.select("history-export-format", "csv").await?;
        app.click("history-export-run").await?;
        app.wait_for_text(&test_id("history-export-status"), |text| {
            text.starts_with("Exported ") && text.ends_with("taskdeck-2-tasks.csv")
        })
        .await?;
        Ok(())
    })
    .await;
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    let both = std::fs::read_to_string(&files[2]).unwrap();
    let tasks: std::collections::BTreeSet<&str> = both
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .collect();
    assert_eq!(tasks.len(), 2, "two tasks in one file: {both}");
    let csv = std::fs::read_to_string(&files[0]).unwrap();
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("shell-") && name.ends_with(".csv"),
        "{name}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",WARNING,shell.stderr,warned,"), "{csv}");
    let jsonl = std::fs::read_to_string(&files[1]).unwrap();
    let sources: Vec<String> = jsonl
        .lines()
        .skip(1)
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["source"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        sources.contains(&"shell.stdout".to_owned())
            && sources.contains(&"shell.stderr".to_owned())
    );
    assert!(jsonl.contains(r#""message":"one, \"two\"""#), "{jsonl}");

    // A colleague imports the JSON Lines file into their own app and reads
    // the log there (the open dialog answered by the test-only path).
    let elsewhere = tempfile::tempdir().unwrap();
    let file = files[1].display().to_string();
    with_app("import", elsewhere.path(), async |app: &AppSession| {
        app.click("nav-history").await?;
        app.execute(&format!(
            "window.__TASKDECK_TEST_OPEN_FILE = {};",
            serde_json::to_string(&file).unwrap()
        ))
        .await?;
        app.click("history-import").await?;
        app.wait_for_text(&test_id("history-notice"), |text| {
            text.starts_with("Imported 1 task(s) with ")
        })
        .await?;
        app.wait_for_attributes(ROWS, "data-source", |sources| {
            sources.iter().any(|source| source == "shell.stderr")
                && sources.iter().any(|source| source == "shell.stdout")
        })
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        Ok(())
    })
    .await;
}

/// A 32 MiB tmpfs (a disk that really fills up) mounted on a fresh folder,
/// lazily unmounted when dropped. Needs root, as the README's test command
/// runs.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=32m", "tmpfs"])
            .arg(folder.path())
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs needs root ({status})");
        Self(folder)
    }

    /// Fills it with one file, until it refuses another byte.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.0.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while file.write(&chunk).is_ok_and(|written| written > 0) {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_disk_the_app_says_so_and_writes_every_line_once_space_returns() {
    const LINES: i64 = 20_000;
    let disk = SmallDisk::mount();
    let outside = tempfile::tempdir().unwrap();
    let go = outside.path().join("go");
    let script = format!(
        "while [ ! -e '{}' ]; do sleep 0.05; done; seq 1 {LINES}",
        go.display()
    );
    // WebKit's own cache stays off the full disk: its web process dies
    // when it cannot write there, which is not what this test is about.
    let webview_home = outside.path().join("webview-home");
    with_app_and_webview_home(
        "disk-full",
        disk.0.path(),
        &webview_home,
        async |app: &AppSession| {
            app.run_shell_script(&script).await?;
            app.wait_for_text(&test_id("panel-status"), |text| {
                text.eq_ignore_ascii_case("running")
            })
            .await?;
            let filler = disk.fill();
            std::fs::write(&go, b"").map_err(|error| error.to_string())?;

            // The user is told why, and that the lines wait.
            app.wait_for_text(&test_id("storage-banner"), |text| {
                text.contains("disk is full")
            })
            .await?;
            app.wait_for_text(&test_id("storage-held"), |text| {
                text.contains("wait in memory")
            })
            .await?;
            app.screenshot("disk-full").await?;
            // The program is held back, not finished with lines dropped.
            app.wait_for_text(&test_id("panel-status"), |text| {
                text.eq_ignore_ascii_case("running")
            })
            .await?;

            std::fs::remove_file(filler).map_err(|error| error.to_string())?;
            app.wait_for_text(&test_id("panel-status"), |text| {
                text.eq_ignore_ascii_case("succeeded")
            })
            .await?;
            app.wait_for_attributes(&test_id("storage-banner"), "data-testid", |found| {
                found.is_empty()
            })
            .await?;
            Ok(())
        },
    )
    .await;
    let database = rusqlite::Connection::open(disk.0.path().join("taskdeck.db")).unwrap();
    let stored: i64 = database
        .query_row(
            "SELECT count(*) FROM task_logs WHERE source = 'shell.stdout'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, LINES, "every line stored");
}
