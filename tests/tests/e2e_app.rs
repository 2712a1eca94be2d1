//! End-to-end tests of the real app in its real webview: the frame, the IPC
//! round trip that fills the footer, and a start-up error shown to the user.

// Test code: a failed precondition should stop the test loudly.
#![allow(clippy::unwrap_used)]

use taskdeck_tests::e2e::{AppSession, test_id, with_app};

/// The data directory as the app reports it (absolute).
fn shown_path(dir: &std::path::Path) -> String {
    std::path::absolute(dir).unwrap().display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame_renders_and_the_footer_shows_the_data_dir() {
    let data_dir = tempfile::tempdir().unwrap();
    let expected = shown_path(data_dir.path());
    let version = format!("Taskdeck {}", env!("CARGO_PKG_VERSION"));
    with_app("frame", data_dir.path(), async |app: &AppSession| {
        app.by_test_id("app-frame").await?;
        app.wait_for_text(".brand-name", |text| text == "Taskdeck")
            .await?;
        // The footer is filled from the core through IPC.
        app.wait_for_text(&test_id("footer-data-dir"), |text| text == expected)
            .await?;
        app.wait_for_text(&test_id("footer-version"), |text| text == version)
            .await?;
        if !app.data_dir.join("taskdeck.db").is_file() {
            return Err("the app did not create taskdeck.db in its data directory".into());
        }
        app.by_test_id("view-run").await?;
        app.screenshot("run-view").await?;

        // Navigation between the two views.
        app.click("nav-history").await?;
        app.by_test_id("view-history").await?;
        app.wait_for_text(&test_id("nav-history"), |text| text == "History")
            .await?;
        app.screenshot("history-view").await?;
        app.click("nav-run").await?;
        app.by_test_id("view-run").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_data_dir_is_shown_in_an_error_banner() {
    let root = tempfile::tempdir().unwrap();
    let in_the_way = root.path().join("a-file-not-a-folder");
    std::fs::write(&in_the_way, b"keep me").unwrap();
    with_app("bad-data-dir", &in_the_way, async |app: &AppSession| {
        let banner = app
            .wait_for_text(&test_id("error-banner"), |text| {
                text.contains("a-file-not-a-folder")
            })
            .await?;
        if !banner.contains("a file, not a folder") {
            return Err(format!("the banner does not say what is wrong: {banner:?}"));
        }
        app.wait_for_text(&test_id("app-footer"), |text| {
            text.contains("not available")
        })
        .await?;
        app.screenshot("error-banner").await?;
        Ok(())
    })
    .await;
    // The app never touched what was in the way.
    assert_eq!(std::fs::read(&in_the_way).unwrap(), b"keep me");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_database_is_reported_and_moved_aside_on_request() {
    let data_dir = tempfile::tempdir().unwrap();
    let damaged = b"this is no SQLite database; keep it whole".repeat(100);
    std::fs::write(data_dir.path().join("taskdeck.db"), &damaged).unwrap();
    with_app("damaged-db", data_dir.path(), async |app: &AppSession| {
        app.wait_for_text(&test_id("error-banner"), |text| {
            text.contains("damaged or is not a Taskdeck database")
        })
        .await?;
        app.screenshot("damaged-database").await?;
        app.click("start-fresh").await?;
        app.wait_for_text(&test_id("moved-aside"), |text| {
            text.contains("taskdeck.db.damaged-")
        })
        .await?;
        app.click("reload").await?;
        // A working app on a new database: the runner's form is back.
        app.by_test_id("plugin-picker").await?;
        app.select("plugin-picker", "shell").await?;
        app.wait_for_text(&test_id("app-footer"), |text| text.contains("schema m"))
            .await?;
        Ok(())
    })
    .await;
    let kept: Vec<_> = std::fs::read_dir(data_dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().contains("taskdeck.db.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        std::fs::read(&kept[0]).unwrap(),
        damaged,
        "kept, not overwritten"
    );
}

/// Three finished shell tasks in `dir`, and retention settings that keep
/// only the newest one.
async fn seed_three_tasks_keeping_one(dir: &std::path::Path) -> Vec<String> {
    use serde_json::json;
    use taskdeck_core::{
        DataDir, ManagerConfig, PluginRegistry, SettingsRepository, Store, TaskManager,
    };
    use taskdeck_protocol::{RunTaskRequest, Settings};

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
    for index in 0..3 {
        let request = RunTaskRequest {
            plugin_id: "shell".to_owned(),
            params: json!({ "program": "echo", "args": [format!("task {index}")] })
                .as_object()
                .cloned()
                .unwrap(),
        };
        let task = manager.run_task(request).await.unwrap();
        manager.wait(&task.id).await.unwrap();
        ids.push(task.id);
    }
    let mut settings = Settings::default();
    settings.retention.keep_days = None;
    settings.retention.max_tasks = Some(1);
    SettingsRepository::new(&store)
        .save(&settings)
        .await
        .unwrap();
    manager.shutdown().await.unwrap();
    store.close().await.unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_runs_at_start_up_says_so_and_is_edited_in_settings() {
    let data_dir = tempfile::tempdir().unwrap();
    let ids = seed_three_tasks_keeping_one(data_dir.path()).await;
    let newest = ids[2].clone();
    with_app("retention", data_dir.path(), async |app: &AppSession| {
        // The start-up cleanup removed the two older tasks and says so.
        app.wait_for_text(&test_id("cleanup-notice"), |text| {
            text.contains("removed 2 task(s) with")
        })
        .await?;
        app.screenshot("cleanup-notice").await?;
        // Its log is a `system` task naming each removed task and why.
        app.click("cleanup-notice-open").await?;
        app.by_test_id("view-history").await?;
        app.wait_for_text(&test_id("log-panel"), |text| {
            text.contains(&ids[0])
                && text.contains(&ids[1])
                && text.contains("beyond the task count limit")
        })
        .await?;
        app.click("history-back").await?;
        app.wait_for_attributes(&test_id("history-row"), "data-task-id", |ids| {
            ids.len() == 2
        })
        .await?;
        let rows = app.texts(&test_id("history-row")).await?;
        if rows.len() != 2 || !rows.iter().any(|row| row.contains("system")) {
            return Err(format!(
                "History should hold the newest task and the cleanup log: {rows:?}"
            ));
        }
        app.click("cleanup-notice-dismiss").await?;

        // Settings shows what was saved, defaults beside each rule.
        app.click("nav-settings").await?;
        app.by_test_id("view-settings").await?;
        // The form fills in after the settings load.
        app.wait_for_text(&test_id("settings-database-size"), |text| {
            text.starts_with("The database is ")
        })
        .await?;
        let form = app
            .execute(&format!(
                "return [document.querySelector('{}').value, document.querySelector('{}').checked, \
                 document.querySelector('{}').disabled]",
                test_id("settings-max-tasks"),
                test_id("settings-keep-days-on"),
                test_id("settings-keep-days")
            ))
            .await?;
        if form != serde_json::json!(["1", false, true]) {
            return Err(format!(
                "the form should show max 1 task and the age rule off: {form}"
            ));
        }
        app.wait_for_text(&test_id("view-settings"), |text| {
            text.contains("default: 365 days") && text.contains("default: 10000 tasks")
        })
        .await?;
        // A bad value is refused with its field named; nothing is saved.
        app.replace("settings-flush-interval", "5").await?;
        app.click("settings-save").await?;
        app.wait_for_text(&test_id("settings-status"), |text| {
            text.contains("flush_interval_ms")
        })
        .await?;

        // Keep 5: saved, and a preview removes nothing.
        app.replace("settings-flush-interval", "250").await?;
        app.replace("settings-max-tasks", "5").await?;
        app.click("settings-save").await?;
        app.wait_for_text(&test_id("settings-status"), |text| text == "Saved.")
            .await?;
        app.click("settings-preview").await?;
        app.wait_for_text(&test_id("settings-status"), |text| {
            text.contains("would remove 0 task(s)")
        })
        .await?;
        app.screenshot("settings-view").await?;
        Ok(())
    })
    .await;

    // What the view saved is what the store holds.
    let store =
        taskdeck_core::Store::open(taskdeck_core::DataDir::resolve(Some(data_dir.path())).unwrap())
            .await
            .unwrap();
    let saved = taskdeck_core::SettingsRepository::new(&store)
        .load()
        .await
        .unwrap();
    assert_eq!(saved.retention.max_tasks, Some(5));
    assert_eq!(saved.retention.keep_days, None);
    assert_eq!(saved.flush_interval_ms, 250);
    let tasks = taskdeck_core::TaskRepository::new(&store)
        .list(&Default::default())
        .await
        .unwrap()
        .rows;
    assert!(tasks.iter().any(|task| task.id == newest));
    assert_eq!(tasks.len(), 2);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hard_kill_of_the_app_while_a_task_floods_leaves_a_sound_database() {
    use taskdeck_protocol::{LogFilter, TaskStatus};

    if let Some(reason) = taskdeck_tests::e2e::unsupported_platform() {
        eprintln!("hard-kill: {reason}");
        return;
    }
    let data_dir = tempfile::tempdir().unwrap();
    let app = AppSession::launch("hard-kill", data_dir.path())
        .await
        .unwrap();
    let flooded = async {
        app.select("plugin-picker", "shell").await?;
        app.fill("param-program", "yes").await?;
        app.fill("param-args", "killed mid-flood").await?;
        app.submit_run().await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("running")
        })
        .await?;
        // Thousands of lines in, flushing as it goes.
        app.wait_for_text(&test_id("rows-shown"), |text| {
            text.split_whitespace()
                .next()
                .and_then(|count| count.replace(',', "").parse::<u64>().ok())
                .is_some_and(|count| count >= 1_000)
        })
        .await?;
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        Ok::<(), String>(())
    }
    .await;
    if let Err(error) = flooded {
        let shot = app.screenshot("failure").await;
        let _ = app.close().await;
        panic!("hard-kill: {error} (screenshot: {shot:?})");
    }
    assert_eq!(app.kill_app().unwrap(), 1, "one app process killed");
    let _ = app.close().await;

    let database = data_dir.path().join("taskdeck.db");
    let integrity: String = rusqlite::Connection::open(&database)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // The next start finds the task of the dead process and says so.
    let (manager, tasks) = reopen(data_dir.path()).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, TaskStatus::Interrupted);
    let stats = manager.log_stats(&tasks[0].id).await.unwrap();
    let newest = manager
        .query_logs(
            &tasks[0].id,
            &LogFilter {
                order: taskdeck_protocol::Order::Descending,
                limit: Some(1),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(
        stats.total > 1_000,
        "thousands of lines kept: {}",
        stats.total
    );
    assert_eq!(newest.entries[0].seq, stats.total, "seq gap-free");
    manager.shutdown().await.unwrap();
}

/// The window's web process dies (as WebKitGTK's did twice in about ten
/// runs under Xvfb): the core loads the UI again in a new web process,
/// while the task it was showing runs on and keeps every line. (The
/// WebDriver session ends with the page; the notice the reloaded UI shows
/// is tested in `ui/src/components/recovered_notice.rs` and the reload's
/// address in `src-tauri/src/webview_recovery.rs`.)
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_web_process_is_replaced_and_the_task_keeps_every_line() {
    use taskdeck_protocol::{LogFilter, TaskStatus};
    use taskdeck_tests::e2e::wait_until;

    let data_dir = tempfile::tempdir().unwrap();
    let app = AppSession::launch("web-process", data_dir.path())
        .await
        .unwrap();
    let started = async {
        app.run_shell_script("for i in $(seq 1 60); do echo line $i; sleep 0.05; done")
            .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("running")
        })
        .await
    }
    .await;
    if let Err(error) = started {
        let shot = app.screenshot("failure").await;
        let _ = app.close().await;
        panic!("web-process: {error} (screenshot: {shot:?})");
    }
    let killed = app.kill_web_process().unwrap();
    let database = data_dir.path().join("taskdeck.db");
    let outcome = async {
        wait_until(
            "a new web process for the reloaded UI",
            async || app.web_processes(),
            |processes| !processes.is_empty() && !processes.contains(&killed),
        )
        .await?;
        // WebKitWebDriver ends the session with the page, though the app
        // lives on: what `AppSession::launch` tells apart when this
        // happens at start-up, and starts the app once more for.
        if !app.session_lost().await {
            return Err("the WebDriver session outlived its page's web process".to_owned());
        }
        // The app lives on and finishes its task.
        wait_until(
            "the task to succeed in the running app",
            async || {
                let connection = rusqlite::Connection::open(&database)
                    .map_err(|error| format!("cannot open the database: {error}"))?;
                Ok(connection
                    .query_row("SELECT status FROM tasks", [], |row| {
                        row.get::<_, String>(0)
                    })
                    .unwrap_or_default())
            },
            |status| status == "succeeded",
        )
        .await
    }
    .await;
    let _ = app.close().await;
    outcome.unwrap();

    let (manager, tasks) = reopen(data_dir.path()).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, TaskStatus::Succeeded);
    let lines = manager
        .query_logs(
            &tasks[0].id,
            &LogFilter {
                sources: vec!["shell.stdout".to_owned()],
                limit: Some(1_000),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap();
    let messages: Vec<String> = lines
        .entries
        .into_iter()
        .map(|entry| entry.message)
        .collect();
    let expected: Vec<String> = (1..=60).map(|index| format!("line {index}")).collect();
    assert_eq!(messages, expected);
    manager.shutdown().await.unwrap();
}

/// An engine on the data directory a closed or killed app used, as the
/// next start opens it, and its tasks.
#[cfg(unix)]
async fn reopen(
    data_dir: &std::path::Path,
) -> (
    taskdeck_core::TaskManager,
    Vec<taskdeck_protocol::TaskSummary>,
) {
    use taskdeck_core::{DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
    let store = Store::open(DataDir::resolve(Some(data_dir)).unwrap())
        .await
        .unwrap();
    let manager = TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
        .await
        .unwrap();
    let tasks = manager
        .list_tasks(&taskdeck_protocol::TaskListFilter::default())
        .await
        .unwrap()
        .tasks;
    (manager, tasks)
}

/// A fault in the interface itself (a panic in its wasm code) is said in
/// plain words, with its detail folded for a bug report, and "Reload the
/// window" brings a working window back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_in_the_interface_is_said_and_the_window_reloads() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("ui-fault", data_dir.path(), async |app: &AppSession| {
        app.wait_for_text(&test_id("footer-version"), |text| {
            text.starts_with("Taskdeck")
        })
        .await?;
        // The hook is there in the debug build the tests run; it throws
        // (a wasm trap) once the panic is reported.
        let thrown = app
            .execute(
                "try { window.__TASKDECK_TEST_FAULT(); return 'no fault'; } \
                 catch (error) { return error instanceof WebAssembly.RuntimeError ? 'thrown' : String(error); }",
            )
            .await?;
        if thrown != serde_json::json!("thrown") {
            return Err(format!("the test fault did not fault: {thrown}"));
        }
        app.wait_for_text(&test_id("ui-fault"), |text| {
            text.contains("hit an internal fault")
                && text.contains("Your tasks and their logs are safe")
                && text.contains("a fault asked for by a test")
        })
        .await?;
        // Over everything, and its detail folded: what is read at first is
        // the plain words.
        let seen = app
            .execute(
                "const banner = document.querySelector('[data-testid=\"ui-fault\"]');\n\
                 const box = banner.getBoundingClientRect();\n\
                 const top = document.elementFromPoint(box.x + box.width / 2, box.y + 10);\n\
                 return { on_top: banner.contains(top), folded: !banner.querySelector('details').open,\n\
                          box: [box.x, box.y, box.width, box.height],\n\
                          detail: banner.querySelector('pre').textContent };",
            )
            .await?;
        if seen["on_top"] != true || seen["folded"] != true {
            return Err(format!("the fault is not shown on top, folded: {seen}"));
        }
        // The detail says where, and by which calls: the panic's place,
        // then the stack of wasm functions that led to it (WebKit names
        // some of them, depending on how far it compiled each: only their
        // numbers are sure).
        let detail = seen["detail"].as_str().unwrap_or_default();
        let frames = detail.matches("wasm-function[").count();
        if !detail.contains("fault.rs:") || frames < 5 {
            return Err(format!("the fault's detail lacks its place or stack: {detail}"));
        }
        app.screenshot("fault").await?;
        // Opened, the detail (a stack of some thirty lines) scrolls inside
        // the banner: the banner stays within the window.
        let opened = app
            .execute(
                "const banner = document.querySelector('[data-testid=\"ui-fault\"]');\n\
                 banner.querySelector('summary').click();\n\
                 const shown = banner.querySelector('pre').getBoundingClientRect().height > 0;\n\
                 return shown && banner.getBoundingClientRect().bottom <= window.innerHeight;",
            )
            .await?;
        if opened != true {
            return Err("the fault's detail, opened, runs past the window".into());
        }
        app.screenshot("fault-detail").await?;
        app.click("ui-fault-reload").await?;
        app.wait_for_text(&test_id("footer-version"), |text| {
            text.starts_with("Taskdeck")
        })
        .await?;
        let banners =
            app.execute("return document.querySelectorAll('[data-testid=\"ui-fault\"]').length;");
        match banners.await? {
            serde_json::Value::Number(count) if count.as_u64() == Some(0) => {}
            other => {
                return Err(format!(
                    "the fault is still shown after the reload: {other}"
                ));
            }
        }
        // An error nobody catches, which is no panic (a trap in the wasm
        // code, a JavaScript exception), gets the same banner.
        app.execute("setTimeout(() => { throw new Error('an uncaught test error'); }, 0);")
            .await?;
        app.wait_for_text(&test_id("ui-fault"), |text| {
            text.contains("hit an internal fault") && text.contains("an uncaught test error")
        })
        .await?;
        Ok(())
    })
    .await;
}
