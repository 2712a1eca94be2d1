//! End-to-end tests of a long log's shape in the real app: on the level
//! timeline a brushed stretch of time narrows the rows, their count and
//! the export, a click jumps to a moment, and Clear brings the whole log
//! back; a line at the 64 KiB cap opens whole in the detail; the window
//! opens again at the size it was left; a script's `::group::`s make an
//! outline with durations that jumps to a section or narrows the panel,
//! sections fold and unfold, and a failed run opened from History shows
//! the section it failed in, as does a failed backup.

// Test code: a failed precondition should stop the test loudly.
#![allow(clippy::unwrap_used)]

use taskdeck_tests::e2e::{AppSession, ROWS, test_id, wait_until, with_app};

/// The messages of the rows on screen.
async fn messages(app: &AppSession) -> Result<Vec<String>, String> {
    app.text_contents(&format!("{ROWS} .log-message")).await
}

/// The timeline's buckets that have bars, how many buckets it has, and
/// where it is on screen (left, top, width, height).
async fn strip(app: &AppSession) -> Result<(Vec<u64>, u64, [f64; 4]), String> {
    let found = app
        .execute(
            "const strip = document.querySelector('[data-testid=\"level-timeline\"]');\n\
             const box = strip.getBoundingClientRect();\n\
             const filled = [...new Set([...strip.querySelectorAll('rect.tl-bar')]\n\
                 .map(bar => Number(bar.getAttribute('x'))))].sort((a, b) => a - b);\n\
             return [filled, Number(strip.dataset.buckets), [box.left, box.top, box.width, box.height]];",
        )
        .await?;
    serde_json::from_value(found).map_err(|error| format!("unexpected strip: {error}"))
}

/// The content height of the bar at `css` and the height of its tallest
/// visible control: equal when the bar is one line.
async fn one_line(app: &AppSession, css: &str) -> Result<[f64; 2], String> {
    let found = app
        .execute(&format!(
            "const bar = document.querySelector('{css}');\n\
             const style = getComputedStyle(bar);\n\
             const height = bar.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);\n\
             const tallest = Math.max(...[...bar.children]\n\
                 .filter(child => child.getClientRects().length > 0)\n\
                 .map(child => child.getBoundingClientRect().height));\n\
             return [height, tallest];"
        ))
        .await?;
    serde_json::from_value(found).map_err(|error| format!("unexpected sizes of {css}: {error}"))
}

/// Runs of adjacent bucket indexes.
fn clusters(filled: &[u64]) -> Vec<Vec<u64>> {
    let mut runs: Vec<Vec<u64>> = Vec::new();
    for &bucket in filled {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|last| last + 1 == bucket) => run.push(bucket),
            _ => runs.push(vec![bucket]),
        }
    }
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brushed_stretch_of_time_narrows_the_rows_and_the_export() {
    let data_dir = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let folder = exports.path().display().to_string();
    with_app("timeline", data_dir.path(), async |app: &AppSession| {
        // Three moments seconds apart: one bucket each, empty ones between.
        app.run_shell_script("echo early; sleep 3; echo middle; sleep 3; echo late")
            .await?;
        // The form folds into one line: the log gets the window's width.
        // (Its text content: WebDriver's visible text leaves out the
        // clipped line of parameters.)
        wait_until(
            "the form folded into its summary",
            async || app.text_contents(&test_id("runner-summary")).await,
            |texts| {
                texts.first().is_some_and(|text| {
                    text.starts_with("Shell command:") && text.contains("sh -c echo early")
                })
            },
        )
        .await?;
        let share = app
            .execute(
                "const panel = document.querySelector('[data-testid=\"log-panel\"]');\n\
                 return panel.getBoundingClientRect().width / document.documentElement.clientWidth;",
            )
            .await?;
        assert!(share.as_f64().unwrap() > 0.9, "the panel takes {share} of the width");
        // At the default 1200×800 the header and the filter bar are one
        // line each: no taller than their tallest control.
        let fits = app
            .execute(
                "const page = document.documentElement;\n\
                 return page.scrollHeight <= page.clientHeight + 1;",
            )
            .await?;
        assert_eq!(fits, serde_json::json!(true), "the page scrolls: the log does not fit");
        for bar in [".stats-header", ".filter-bar"] {
            let [height, tallest] = one_line(app, bar).await?;
            assert!(
                height <= tallest + 1.0,
                "{bar} wraps: {height}px tall, its tallest control {tallest}px"
            );
        }
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        // Three clusters of bars with empty buckets between: the start
        // (the system's entry and "early"), "middle" alone, and "late"
        // with the end's entries.
        let (clusters, buckets, [left, top, width, height]) = wait_until(
            "the timeline with the run's three moments",
            async || {
                let (filled, buckets, place) = strip(app).await?;
                Ok::<_, String>((clusters(&filled), buckets, place))
            },
            |(clusters, _, _)| clusters.len() == 3,
        )
        .await?;
        let (middle, late) = (clusters[1][0] as f64, clusters[2][0] as f64);
        let x = |bucket: f64| left + width * bucket / buckets as f64;
        let y = top + height / 2.0;
        app.screenshot("timeline-whole").await?;

        // Brushed from the empty bucket before the middle line's to the
        // empty one after it.
        app.drag((x(middle - 0.5), y), (x(middle + 1.5), y)).await?;
        wait_until(
            "only the middle line",
            async || messages(app).await,
            |shown| shown == &["middle"],
        )
        .await?;
        app.wait_for_text(&test_id("timeline-range"), |text| text.contains(" – "))
            .await?;
        app.wait_for_text(&test_id("match-count"), |text| text.starts_with("1 "))
            .await?;
        app.screenshot("timeline-brushed").await?;

        // The export holds what the panel shows.
        app.execute(&format!(
            "window.__TASKDECK_TEST_SAVE_DIR = {};",
            serde_json::to_string(&folder).unwrap()
        ))
        .await?;
        app.click("export-open").await?;
        app.select("export-format", "csv").await?;
        app.click("export-run").await?;
        app.wait_for_text(&test_id("export-status"), |text| {
            text.starts_with("Exported 1 entry to ")
        })
        .await?;
        // Closed again, as a user would before going on.
        app.click("export-open").await?;

        // Clear: the whole log again.
        app.click("timeline-clear").await?;
        wait_until(
            "every line again",
            async || messages(app).await,
            |shown| ["early", "middle", "late"].iter().all(|line| shown.iter().any(|shown| shown == line)),
        )
        .await?;

        // A click in the empty stretch before the last line opens it.
        app.drag((x(late - 0.5), y), (x(late - 0.5), y)).await?;
        wait_until(
            "the last line open in the detail",
            async || app.text_contents(&test_id("detail-message")).await,
            |open| open.first().is_some_and(|message| message.trim() == "late"),
        )
        .await?;
        Ok(())
    })
    .await;
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let csv = std::fs::read_to_string(&files[0]).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",middle,"), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_at_the_size_cap_opens_whole_in_the_detail() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("long-line", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script("head -c 70000 /dev/zero | tr '\\0' x; echo; echo after")
            .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        app.select("filter-source", "shell.stdout").await?;
        wait_until(
            "the long line and the one after it",
            async || messages(app).await,
            |shown| shown.len() == 2 && shown[1] == "after",
        )
        .await?;
        app.execute(&format!(
            "document.querySelector('{ROWS} [data-testid=\\\"row-expand\\\"]').click();"
        ))
        .await?;
        let open = wait_until(
            "the whole line in the detail",
            async || app.text_contents(&test_id("detail-message")).await,
            |open| open.first().is_some_and(|message| message.len() > 65_000),
        )
        .await?;
        let message = open[0].trim();
        assert!(message.starts_with("xxxxxxxx"), "{}", &message[..40]);
        assert!(
            message.ends_with("[truncated: 70000 bytes in all]"),
            "{}",
            &message[message.len() - 60..]
        );
        // The detail wraps it in a box that scrolls, the page answers.
        let scrolls = app
            .execute(
                "const box = document.querySelector('[data-testid=\\\"log-detail\\\"]');\n\
                 return box.scrollHeight > box.clientHeight && box.scrollWidth <= box.clientWidth + 1;",
            )
            .await?;
        assert_eq!(scrolls, serde_json::json!(true));
        app.screenshot("long-line").await?;
        Ok(())
    })
    .await;
}

/// The window's saved size in the data directory's `window-state.json`.
fn saved_size(data_dir: &std::path::Path) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(data_dir.join("window-state.json")).ok()?;
    let state: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some((
        state["main"]["width"].as_u64()?,
        state["main"]["height"].as_u64()?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_opens_again_at_the_size_it_was_left() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app(
        "window-resized",
        data_dir.path(),
        async |app: &AppSession| {
            app.client
                .set_window_size(1000, 700)
                .await
                .map_err(|error| format!("cannot resize the window: {error}"))?;
            // Saved once the window has settled, without waiting for an exit
            // (a killed app never exits gracefully).
            wait_until(
                "the window's new size saved",
                async || Ok::<_, String>(saved_size(app.data_dir.as_path())),
                |size| *size == Some((1000, 700)),
            )
            .await?;
            Ok(())
        },
    )
    .await;
    with_app(
        "window-restored",
        data_dir.path(),
        async |app: &AppSession| {
            // The saved size is applied to the window just created, and
            // the X server takes a moment to carry it out.
            let size = async || {
                app.client
                    .get_window_size()
                    .await
                    .map_err(|error| format!("cannot read the window's size: {error}"))
            };
            wait_until("the window at the size it was left", size, |size| {
                *size == (1000, 700)
            })
            .await?;
            app.wait_for_text(&test_id("footer-version"), |text| {
                text.starts_with("Taskdeck")
            })
            .await?;
            app.screenshot("restored").await?;
            Ok(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripts_groups_are_an_outline_with_durations_that_narrows_the_panel() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("sections", data_dir.path(), async |app: &AppSession| {
        // Test's group is all on standard error: one stream, read in
        // order, so its warning lies inside it. The two streams are read
        // apart, so Build's end is given time to be read before Test opens.
        app.run_shell_script(
            "echo ::group::Build; echo compiling; sleep 1; echo ::endgroup::; sleep 0.5; \
             { echo ::group::Test; echo 'one failure'; echo ::endgroup::; } >&2; exit 3",
        )
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("failed")
        })
        .await?;
        // The run, then its two groups inside it, each with a duration.
        let titles = wait_until(
            "the outline of the run and its groups",
            async || app.text_contents(&test_id("outline-title")).await,
            |titles| titles.len() == 3,
        )
        .await?;
        assert!(titles[0].trim().starts_with("$ sh -c"), "{titles:?}");
        assert_eq!(titles[1].trim(), "Build");
        assert_eq!(titles[2].trim(), "Test");
        let durations = app.text_contents(&test_id("outline-duration")).await?;
        let build: f64 = durations[1]
            .trim()
            .trim_end_matches(" s")
            .parse()
            .map_err(|error| format!("{durations:?}: {error}"))?;
        // About the second it slept (read times, so a little either way).
        assert!((0.8..30.0).contains(&build), "Build took {build} s");
        let statuses = app
            .attributes(&test_id("outline-item"), "data-status")
            .await?;
        // The run holds Test's warning; no section holds an error, so the
        // last to open is marked as where the task failed.
        assert_eq!(statuses, ["warnings", "ok", "warnings"]);
        let failing = app
            .attributes(&test_id("outline-item"), "data-failing")
            .await?;
        assert_eq!(failing, ["", "", "true"]);
        app.screenshot("outline").await?;

        // "Only" narrows the panel to the group's lines; "All" brings
        // every line back.
        app.execute("document.querySelectorAll('[data-testid=\"outline-only\"]')[1].click();")
            .await?;
        wait_until(
            "only Build's lines",
            async || messages(app).await,
            |shown| shown == &["Build", "compiling"],
        )
        .await?;
        app.execute("document.querySelectorAll('[data-testid=\"outline-only\"]')[1].click();")
            .await?;
        wait_until(
            "every line again",
            async || messages(app).await,
            |shown| shown.len() > 5 && shown.iter().any(|message| message == "one failure"),
        )
        .await?;
        // A title jumps to the section's first line, open in the detail.
        app.execute("document.querySelectorAll('[data-testid=\"outline-title\"]')[2].click();")
            .await?;
        wait_until(
            "Test's header line open in the detail",
            async || app.text_contents(&test_id("detail-message")).await,
            |open| open.first().is_some_and(|message| message.trim() == "Test"),
        )
        .await?;

        // Fold all: the run's header stands for its lines.
        app.click("fold-all").await?;
        let folded = wait_until(
            "only the lines outside the run and its header",
            async || messages(app).await,
            |shown| shown.len() == 4,
        )
        .await?;
        assert!(folded[1].starts_with("$ sh -c"), "{folded:?}");
        assert!(app.text_contents(&test_id("fold-hidden")).await?[0].contains("lines folded"));
        app.screenshot("folded").await?;
        // Its toggle opens the run: its groups show folded.
        app.click("fold-toggle").await?;
        wait_until(
            "the run open, its groups folded",
            async || messages(app).await,
            |shown| {
                shown.iter().any(|line| line == "Build")
                    && shown.iter().any(|line| line == "Test")
                    && !shown
                        .iter()
                        .any(|line| line == "compiling" || line == "one failure")
            },
        )
        .await?;
        app.click("unfold-all").await?;
        wait_until(
            "every line again",
            async || messages(app).await,
            |shown| shown.len() == 9,
        )
        .await?;

        // Opened again from History, the failed run shows the section it
        // failed in, the others folded.
        app.click("nav-history").await?;
        app.click("history-open").await?;
        wait_until(
            "Test open, Build folded",
            async || messages(app).await,
            |shown| {
                shown.iter().any(|line| line == "one failure")
                    && shown.iter().any(|line| line == "Build")
                    && !shown.iter().any(|line| line == "compiling")
            },
        )
        .await?;
        app.screenshot("failed-opened").await?;
        Ok(())
    })
    .await;
}

/// A backup that fails in its Archive step: its outline marks Archive as
/// where it failed, and opened again from History it shows Archive's
/// lines with Scan folded. A file its mode makes unreadable fails it
/// (`on_unreadable: fail`); the app is bound by file modes even when the
/// tests run as root. Unix only: file modes.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_backup_opens_on_the_section_it_failed_in() {
    use std::os::unix::fs::PermissionsExt;
    use taskdeck_tests::e2e::with_app_bound_by_file_modes;
    let data_dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("documents");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("a-letter.txt"), "Dear reader,\n").unwrap();
    let locked = source.join("b-locked.txt");
    std::fs::write(&locked, "private").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let destination = work.path().join("backups");
    with_app_bound_by_file_modes(
        "failed-backup",
        data_dir.path(),
        async |app: &AppSession| {
            app.by_test_id("plugin-picker").await?;
            app.select("plugin-picker", "backup").await?;
            app.fill("param-source", &source.display().to_string())
                .await?;
            app.fill("param-destination", &destination.display().to_string())
                .await?;
            app.select("param-on_unreadable", "fail").await?;
            app.submit_run().await?;
            app.wait_for_text(&test_id("panel-status"), |text| {
                text.eq_ignore_ascii_case("failed")
            })
            .await?;
            let titles = wait_until(
                "the outline of Scan and Archive",
                async || app.text_contents(&test_id("outline-title")).await,
                |titles| titles.len() == 2,
            )
            .await?;
            assert_eq!(
                titles.iter().map(|title| title.trim()).collect::<Vec<_>>(),
                ["Scan", "Archive"]
            );
            let statuses = app
                .attributes(&test_id("outline-item"), "data-status")
                .await?;
            assert_eq!(statuses, ["ok", "errors"]);
            let failing = app
                .attributes(&test_id("outline-item"), "data-failing")
                .await?;
            assert_eq!(failing, ["", "true"]);

            // Opened again from History: Scan folded, Archive open on the
            // file that failed it.
            app.click("nav-history").await?;
            app.click("history-open").await?;
            // The lines and the fold toggles are read together: the rows
            // can be drawn again between two reads (the landing on the
            // failing line scrolls the list).
            let (shown, folds) = wait_until(
                "Archive open, Scan folded",
                async || {
                    let shown = messages(app).await?;
                    let folds = app
                        .attributes(&test_id("fold-toggle"), "aria-expanded")
                        .await?;
                    Ok((shown, folds))
                },
                |(shown, folds)| {
                    shown.iter().any(|line| line == "Scan")
                        && shown.iter().any(|line| line.starts_with("cannot read"))
                        && !shown
                            .iter()
                            .any(|line| line.contains("files (") && line.contains("selected"))
                        && !folds.is_empty()
                },
            )
            .await?;
            assert!(
                shown
                    .iter()
                    .any(|line| line.starts_with("added a-letter.txt")),
                "Archive's lines are shown: {shown:?}"
            );
            let error = shown
                .iter()
                .find(|line| line.starts_with("cannot read"))
                .cloned()
                .unwrap_or_default();
            assert!(error.contains("b-locked.txt"), "{error}");
            assert_eq!(folds, ["false", "true"], "Scan folded, Archive open");
            app.screenshot("failed-backup-opened").await?;
            Ok(())
        },
    )
    .await;
    assert!(
        std::fs::read_dir(&destination).map_or(true, |mut entries| entries.next().is_none()),
        "a failed backup leaves no archive"
    );
}
