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
