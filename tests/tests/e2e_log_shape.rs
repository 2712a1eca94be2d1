//! End-to-end tests of a long log's shape in the real app: on the level
//! timeline a brushed stretch of time narrows the rows, their count and
//! the export, a click jumps to a moment, and Clear brings the whole log
//! back; a line at the 64 KiB cap opens whole in the detail.

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
        app.wait_for_text(&test_id("runner-summary"), |text| {
            text.starts_with("Shell command:") && text.contains("sh -c echo early")
        })
        .await?;
        let share = app
            .execute(
                "const panel = document.querySelector('[data-testid=\"log-panel\"]');\n\
                 return panel.getBoundingClientRect().width / document.documentElement.clientWidth;",
            )
            .await?;
        assert!(share.as_f64().unwrap() > 0.9, "the panel takes {share} of the width");
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
