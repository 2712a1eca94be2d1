//! End-to-end tests of History at scale in the real app: a list of many
//! tasks paged to its oldest, filtered by status and plugin with counts,
//! driven by the keyboard, its filters in the address and surviving a
//! restart; and an opened task's log given the window.

// Test code: a failed precondition should stop the test loudly.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::{Map, json};
use taskdeck_core::store::tasks::FinishedTask;
use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager, TaskRepository};
use taskdeck_protocol::{RunTaskRequest, TaskStatus};
use taskdeck_tests::e2e::keys::{ARROW_DOWN, BACKSPACE, RETURN};
use taskdeck_tests::e2e::{AppSession, ROWS, test_id, wait_until, with_app};

const PLUGINS: [&str; 3] = ["shell", "git", "backup"];
const STATUSES: [TaskStatus; 4] = [
    TaskStatus::Succeeded,
    TaskStatus::Failed,
    TaskStatus::Cancelled,
    TaskStatus::Succeeded,
];

/// `count` finished tasks written whole, an hour apart and ending a day
/// ago (task `n`: plugin `PLUGINS[n % 3]`, status `STATUSES[n % 4]`),
/// then one real shell task printing `lines` lines, the newest. Returns
/// the written tasks' ids, oldest first, and the shell task's.
async fn seed(dir: &Path, count: usize, lines: u32) -> (Vec<String>, String) {
    let store = Store::open(DataDir::resolve(Some(dir)).unwrap())
        .await
        .unwrap();
    let day_ago = chrono::Utc::now().timestamp_millis() - 86_400_000;
    let mut ids = Vec::new();
    for n in 0..count {
        let start = day_ago - (count - n) as i64 * 3_600_000;
        let mut params = Map::new();
        params.insert("program".into(), json!(format!("job-{n}")));
        let id = format!("01900000-0000-7000-8000-{n:012x}");
        TaskRepository::insert_finished(
            store.connection(),
            FinishedTask {
                id: id.clone(),
                plugin_id: PLUGINS[n % 3],
                params: &params,
                status: STATUSES[n % 4],
                created_at: start,
                started_at: Some(start),
                finished_at: Some(start + 1_000 + n as i64),
                error: None,
                result: None,
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    store.close().await.unwrap();
    let shell = run_scripts(dir, &[&format!("seq 1 {lines}")]).await;
    (ids, shell[0].clone())
}

/// Opens History once the app is up (the footer is filled over IPC).
async fn open_history(app: &AppSession) -> Result<(), String> {
    app.wait_for_text(&test_id("footer-version"), |text| {
        text.starts_with("Taskdeck")
    })
    .await?;
    app.click("nav-history").await
}

/// Waits until the `failed` status toggle shows it is on.
async fn failed_pressed(app: &AppSession) -> Result<(), String> {
    app.wait_for_attributes(
        &test_id("history-status-failed"),
        "aria-pressed",
        |pressed| pressed == ["true"],
    )
    .await
    .map(drop)
}

/// Every row's attribute, once the page holds `count` rows.
async fn rows_once(app: &AppSession, attribute: &str, count: usize) -> Result<Vec<String>, String> {
    app.wait_for_attributes(&test_id("history-row"), attribute, |values| {
        values.len() == count
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_to_its_oldest_task_and_keeps_its_filters_across_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let (ids, newest) = seed(data_dir.path(), 240, 3).await;
    let failed_git: Vec<&String> = (0..ids.len())
        .rev()
        .filter(|n| PLUGINS[n % 3] == "git" && STATUSES[n % 4] == TaskStatus::Failed)
        .map(|n| &ids[n])
        .collect();
    with_app(
        "history-paged",
        data_dir.path(),
        async |app: &AppSession| {
            open_history(app).await?;
            // A page of 50, newest first, of all 241.
            let first = rows_once(app, "data-task-id", 50).await?;
            assert_eq!(first[0], newest);
            app.wait_for_text(&test_id("history-total"), |text| {
                text.ends_with("of 241 matching")
            })
            .await?;
            // The oldest task is one click away, and the list ends there.
            app.click("history-last").await?;
            app.wait_for_attributes(&test_id("history-row"), "data-task-id", |shown| {
                shown.last() == Some(&ids[0])
            })
            .await?;
            let disabled = app.attributes(&test_id("history-next"), "disabled").await?;
            assert_eq!(disabled.len(), 1, "Next is disabled on the last page");
            app.screenshot("oldest-page").await?;
            // Back one page, then to the first.
            app.click("history-previous").await?;
            app.wait_for_attributes(&test_id("history-row"), "data-task-id", |shown| {
                shown.len() == 50 && !shown.contains(&ids[0]) && !shown.contains(&newest)
            })
            .await?;
            app.click("history-first").await?;
            app.wait_for_attributes(&test_id("history-row"), "data-task-id", |shown| {
                shown.first() == Some(&newest)
            })
            .await?;

            // Failed git runs: the counts say how many of each status git has.
            app.click("history-status-failed").await?;
            failed_pressed(app).await?;
            app.select("history-plugin", "git").await?;
            let shown = app
                .wait_for_attributes(&test_id("history-row"), "data-task-id", |shown| {
                    shown.len() == failed_git.len()
                })
                .await?;
            assert_eq!(shown.iter().collect::<Vec<_>>(), failed_git);
            let statuses = app
                .attributes(&test_id("history-row"), "data-status")
                .await?;
            assert!(
                statuses.iter().all(|status| status == "failed"),
                "{statuses:?}"
            );
            let git_succeeded = (0..ids.len())
                .filter(|n| PLUGINS[n % 3] == "git" && STATUSES[n % 4] == TaskStatus::Succeeded)
                .count();
            app.wait_for_text(
                &format!(
                    "{} {}",
                    test_id("history-status-succeeded"),
                    test_id("history-status-count")
                ),
                |text| text == git_succeeded.to_string(),
            )
            .await?;
            let hash = app.execute("return location.hash").await?;
            assert_eq!(hash, "#/history/status.failed_plugin.git");
            app.screenshot("filtered").await?;

            // The keyboard: ↓ highlights the second task, Enter opens it,
            // Backspace returns to the list as it was.
            app.press(&format!("{ARROW_DOWN}{RETURN}")).await?;
            app.wait_for_attributes(&test_id("log-panel"), "data-task-id", |shown| {
                shown == [failed_git[1].clone()]
            })
            .await?;
            app.press(&BACKSPACE.to_string()).await?;
            let highlighted = app
                .wait_for_attributes(".history-row.highlighted", "data-task-id", |shown| {
                    shown.len() == 1
                })
                .await?;
            assert_eq!(&highlighted[0], failed_git[1]);
            // `/` goes to the text filter.
            app.press("/job-1").await?;
            app.wait_for_attributes(&test_id("history-row"), "data-task-id", |shown| {
                !shown.is_empty() && shown.len() < failed_git.len()
            })
            .await?;
            app.click("history-reset").await?;
            app.wait_for_attributes(&test_id("history-reset"), "data-testid", |found| {
                found.is_empty()
            })
            .await?;
            app.click("history-status-failed").await?;
            failed_pressed(app).await?;
            app.select("history-plugin", "git").await?;
            rows_once(app, "data-task-id", failed_git.len()).await?;
            Ok(())
        },
    )
    .await;

    // After a restart, History opens with the same filters, in its address.
    with_app(
        "history-restart",
        data_dir.path(),
        async |app: &AppSession| {
            open_history(app).await?;
            let shown = rows_once(app, "data-task-id", failed_git.len()).await?;
            assert_eq!(shown.iter().collect::<Vec<_>>(), failed_git);
            let pressed = app
                .attributes(&test_id("history-status-failed"), "aria-pressed")
                .await?;
            assert_eq!(pressed, ["true"]);
            wait_until(
                "the plugin filter showing git",
                async || {
                    app.execute(
                        "return document.querySelector('[data-testid=\"history-plugin\"]').value",
                    )
                    .await
                },
                |value| value == "git",
            )
            .await?;
            let hash = app.execute("return location.hash").await?;
            assert_eq!(hash, "#/history/status.failed_plugin.git");
            Ok(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_opened_from_a_list_of_200_gets_the_window() {
    let data_dir = tempfile::tempdir().unwrap();
    let (_ids, newest) = seed(data_dir.path(), 199, 500).await;
    with_app("history-task-view", data_dir.path(), async |app: &AppSession| {
        open_history(app).await?;
        let size = app
            .execute("return [window.innerWidth, window.innerHeight]")
            .await?;
        rows_once(app, "data-task-id", 50).await?;
        app.wait_for_text(&test_id("history-total"), |text| {
            text.ends_with("of 200 matching")
        })
        .await?;
        app.click("history-open").await?;
        app.wait_for_attributes(&test_id("log-panel"), "data-task-id", |shown| {
            shown == [newest.clone()]
        })
        .await?;
        app.wait_for_attributes(ROWS, "data-seq", |seqs| seqs.len() >= 30)
            .await?;
        // Rows whose whole height is inside the list's box, once the list
        // has settled at the newest lines.
        let visible = wait_until(
            "30 whole log rows in view",
            async || {
                app.execute(
                    "const box = document.querySelector('.log-rows').getBoundingClientRect();\n\
                     return [...document.querySelectorAll('[data-testid=\"log-row\"]')].filter((row) => {\n\
                         const r = row.getBoundingClientRect();\n\
                         return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;\n\
                     }).length;",
                )
                .await
                .map(|visible| visible.as_u64().unwrap_or(0))
            },
            |visible| *visible >= 30,
        )
        .await
        .map_err(|error| format!("{error} (window {size})"))?;
        app.screenshot("task-view").await?;
        println!("the task view shows {visible} whole log rows in a {size} window");
        let fits = app
            .execute(
                "const page = document.documentElement;\n\
                 return page.scrollHeight <= page.clientHeight + 1;",
            )
            .await?;
        assert_eq!(fits, json!(true), "the page scrolls around the log");
        // Back: the list, on its page.
        app.click("history-back").await?;
        rows_once(app, "data-task-id", 50).await?;
        Ok(())
    })
    .await;
}

/// Runs each shell script as a task in `dir`, one after the other, and
/// returns their ids, oldest first.
async fn run_scripts(dir: &Path, scripts: &[&str]) -> Vec<String> {
    let store = Store::open(DataDir::resolve(Some(dir)).unwrap())
        .await
        .unwrap();
    let manager = TaskManager::start(
        store.clone(),
        PluginRegistry::builtin(),
        ManagerConfig::default(),
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for script in scripts {
        let mut params = Map::new();
        params.insert("program".into(), json!("sh"));
        params.insert("args".into(), json!(["-c", script]));
        let task = manager
            .run_task(RunTaskRequest {
                plugin_id: "shell".into(),
                params,
            })
            .await
            .unwrap();
        manager.wait(&task.id).await.unwrap();
        ids.push(task.id);
    }
    manager.shutdown().await.unwrap();
    store.close().await.unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_across_runs_opens_the_right_task_on_the_right_line() {
    let data_dir = tempfile::tempdir().unwrap();
    let ids = run_scripts(
        data_dir.path(),
        &[
            "seq 1 30; echo 'the needle here'",
            "echo nothing to see",
            "seq 1 200; echo 'another needle'; seq 1 100",
        ],
    )
    .await;
    with_app("run-search", data_dir.path(), async |app: &AppSession| {
        open_history(app).await?;
        app.fill("run-search-text", &format!("NEEDLE{RETURN}"))
            .await?;
        // The two tasks with a match, newest first, one match each.
        app.wait_for_attributes(&test_id("run-search-group"), "data-task-id", |shown| {
            shown == [ids[2].clone(), ids[0].clone()]
        })
        .await?;
        // The echoed line, and the command line the shell plugin logs.
        let counts = app.texts(&test_id("run-search-count")).await?;
        assert_eq!(counts, ["2 matches", "2 matches"]);
        app.screenshot("run-search").await?;
        // The hit in the long log opens that task on that line.
        let group = format!(
            "[data-testid=\"run-search-group\"][data-task-id=\"{}\"]",
            ids[2]
        );
        let seq = app
            .execute(&format!(
                "const hits = [...document.querySelectorAll({:?})];\n\
                 const hit = hits.find((hit) => hit.textContent.includes('another needle'));\n\
                 return hit ? hit.dataset.seq : null;",
                format!("{group} [data-testid=\"run-search-hit\"]")
            ))
            .await?;
        let seq = seq
            .as_str()
            .ok_or_else(|| format!("no hit shows the needle's line: {seq}"))?
            .to_owned();
        app.wait_for(&format!(
            "{group} [data-testid=\"run-search-hit\"][data-seq=\"{seq}\"]"
        ))
        .await?
        .click()
        .await
        .map_err(|error| error.to_string())?;
        app.wait_for_attributes(&test_id("log-panel"), "data-task-id", |shown| {
            shown == [ids[2].clone()]
        })
        .await?;
        let target = format!("{ROWS}.target[data-seq=\"{seq}\"]");
        app.wait_for_text(&target, |text| text.contains("another needle"))
            .await?;
        // Back: the results as they were.
        app.click("history-back").await?;
        app.wait_for_attributes(&test_id("run-search-group"), "data-task-id", |shown| {
            shown.len() == 2
        })
        .await?;
        // A regex, narrowed to one run.
        app.replace("run-search-text", "ano?ther ne+dle").await?;
        app.select("run-search-mode", "regex").await?;
        app.click("run-search-go").await?;
        app.wait_for_attributes(&test_id("run-search-group"), "data-task-id", |shown| {
            shown == [ids[2].clone()]
        })
        .await?;
        // Entries of warning level and above: the needle is only in info.
        app.select("run-search-level", "WARNING").await?;
        app.click("run-search-go").await?;
        app.wait_for_text(&test_id("run-search-status"), |text| {
            text == "0 tasks with matches"
        })
        .await?;
        app.click("run-search-close").await?;
        rows_once(app, "data-task-id", 3).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_compared_side_by_side_from_the_first_divergence() {
    let data_dir = tempfile::tempdir().unwrap();
    let build = |time: &str, files: u32, outcome: &str| {
        format!(
            "echo '::group::Build'; echo 'built at {time} in {files} files'; echo '::endgroup::'; \
             echo '::group::Test'; echo '{outcome}'; echo '::endgroup::'"
        )
    };
    let ids = run_scripts(
        data_dir.path(),
        &[
            &build("10:42:07", 3, "all tests passed"),
            &build("11:03:55", 4, "one test failed"),
        ],
    )
    .await;
    with_app("compare", data_dir.path(), async |app: &AppSession| {
        open_history(app).await?;
        rows_once(app, "data-task-id", 2).await?;
        app.execute(
            "document.querySelectorAll('[data-testid=\"history-select\"]').forEach(box => box.click());",
        )
        .await?;
        app.click("history-compare").await?;
        // Normalised, only the test's outcome differs.
        app.wait_for_text(&test_id("compare-summary"), |text| {
            text == "The logs differ in 1 place, volatile parts normalised."
        })
        .await?;
        app.wait_for_text(&test_id("compare-run-A"), |text| text.contains("succeeded"))
            .await?;
        app.click("compare-jump").await?;
        let first = app
            .wait_for_text(&test_id("compare-first"), |text| {
                text.contains("all tests passed") && text.contains("one test failed")
            })
            .await?;
        let links = app
            .attributes(&format!("{} a", test_id("compare-first")), "href")
            .await?;
        assert!(
            links.iter().any(|href| href.contains(&ids[0])) && links.iter().any(|href| href.contains(&ids[1])),
            "{first}: {links:?}"
        );
        // Each side's line has the room, not its seq.
        let widths = app
            .execute(
                "const cells = document.querySelectorAll('[data-testid=\"compare-first\"] td');\n\
                 return [...cells].map((cell) => cell.getBoundingClientRect().width);",
            )
            .await?;
        let widths: Vec<f64> = widths
            .as_array()
            .map(|cells| cells.iter().filter_map(|width| width.as_f64()).collect())
            .unwrap_or_default();
        assert!(
            widths.len() == 4 && widths[0] * 4.0 < widths[1] && widths[2] * 4.0 < widths[3],
            "seq and line widths of the first difference's row: {widths:?}"
        );
        app.screenshot("compared").await?;
        // As written, the build line differs too, and comes first.
        app.click("compare-normalise").await?;
        app.wait_for_text(&test_id("compare-summary"), |text| {
            text.contains("compared as written")
        })
        .await?;
        app.wait_for_text(&test_id("compare-first"), |text| text.contains("built at 10:42:07"))
            .await?;
        // From a task: compared with the run before it.
        app.click("history-back").await?;
        app.click("history-open").await?;
        app.click("compare-previous").await?;
        app.wait_for_text(&test_id("compare-run-A"), |text| text.contains("succeeded"))
            .await?;
        app.wait_for_text(&test_id("compare-summary"), |text| text.contains("1 place"))
            .await?;
        Ok(())
    })
    .await;
}
