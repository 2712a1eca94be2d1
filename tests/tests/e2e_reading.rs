//! End-to-end tests of reading a log in the real app: programs' colours
//! drawn as colours and searched as shown, a redrawn line's final state,
//! links, context lines around matches with hidden stretches that expand,
//! and errors one key away.

// Test code: a failed precondition should stop the test loudly.
#![allow(clippy::unwrap_used)]

use taskdeck_tests::e2e::keys::RETURN;
use taskdeck_tests::e2e::{AppSession, ROWS, test_id, wait_until, with_app};

/// The messages of the rows on screen.
async fn messages(app: &AppSession) -> Result<Vec<String>, String> {
    app.text_contents(&format!("{ROWS} .log-message")).await
}

/// The whole message of the line open in the detail, if one is.
async fn open_message(app: &AppSession) -> Result<Option<String>, String> {
    Ok(app
        .text_contents(&test_id("detail-message"))
        .await?
        .into_iter()
        .next()
        .map(|text| text.trim().to_owned()))
}

/// `rgb(r, g, b)` as numbers.
fn rgb(css: &str) -> Option<[u32; 3]> {
    let inside = css.strip_prefix("rgb(")?.strip_suffix(')')?;
    let parts: Vec<u32> = inside
        .split(',')
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    Some([*parts.first()?, *parts.get(1)?, *parts.get(2)?])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coloured_line_is_drawn_in_its_colours_found_as_shown_and_its_link_opens() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("colours", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script(
            "printf 'status: \\033[31mRED\\033[0m alert\\n'; \
             printf 'progress 10%%\\rprogress 55%%\\rprogress 100%%\\n'; \
             printf 'see \\033]8;;https://example.com/docs\\033\\\\the docs\\033]8;;\\033\\\\\\n'",
        )
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        app.select("filter-source", "shell.stdout").await?;
        // The text a user reads: no escape codes, a redrawn line's end.
        wait_until(
            "the program's lines as a terminal shows them",
            async || messages(app).await,
            |shown| shown == &["status: RED alert", "progress 100%", "see the docs"],
        )
        .await?;
        // The red word is drawn red.
        let red = app
            .execute(
                "const word = [...document.querySelectorAll('[data-testid=\"log-row\"] .ansi')]\
                   .find(element => element.textContent === 'RED');\
                 return word ? getComputedStyle(word).color : null;",
            )
            .await?;
        let [r, g, b] = red
            .as_str()
            .and_then(rgb)
            .ok_or(format!("no coloured span for RED: {red}"))?;
        if r < g + 60 || r < b + 60 {
            return Err(format!("RED is drawn rgb({r}, {g}, {b}), not red"));
        }
        app.screenshot("coloured").await?;

        // Searched as shown: the match runs across the colour's edge, and
        // the part inside the red word is highlighted inside its colour.
        app.fill("filter-search", &format!("red alert{RETURN}"))
            .await?;
        wait_until(
            "the coloured line found by its text",
            async || messages(app).await,
            |shown| shown == &["status: RED alert"],
        )
        .await?;
        let highlight = app
            .execute(
                "const marks = [...document.querySelectorAll('[data-testid=\"log-row\"] mark.match')];\
                 const inside = document.querySelector('[data-testid=\"log-row\"] .ansi mark.match');\
                 return [marks.map(mark => mark.textContent).join(''),\
                         inside ? inside.textContent : null,\
                         inside ? getComputedStyle(inside).color : null];",
            )
            .await?;
        let highlight = highlight.as_array().cloned().unwrap_or_default();
        if highlight.first().and_then(|text| text.as_str()) != Some("RED alert")
            || highlight.get(1).and_then(|text| text.as_str()) != Some("RED")
        {
            return Err(format!("the highlights are not the match: {highlight:?}"));
        }
        if highlight.get(2).and_then(|color| color.as_str()) != red.as_str() {
            return Err(format!(
                "the highlight inside the word lost its colour: {highlight:?}"
            ));
        }
        app.screenshot("coloured-search").await?;

        // The link opens in the system browser, and only there.
        app.replace("filter-search", &format!("docs{RETURN}")).await?;
        wait_until(
            "the line with the link",
            async || messages(app).await,
            |shown| shown == &["see the docs"],
        )
        .await?;
        app.click_again_if_replaced("ansi-link").await?;
        wait_until(
            "the link handed to the system browser",
            async || Ok(app.opened_links()),
            |opened| opened == &["https://example.com/docs"],
        )
        .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_lines_come_around_matches_and_a_hidden_stretch_expands_in_place() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("context", data_dir.path(), async |app: &AppSession| {
        app.run_shell_script(
            "for i in $(seq 1 40); do \
               if [ $i = 10 ] || [ $i = 30 ]; then echo \"nee\"\"dle $i\"; else echo \"hay $i\"; fi; \
             done",
        )
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("succeeded")
        })
        .await?;
        app.fill("filter-search", &format!("needle{RETURN}")).await?;
        wait_until(
            "the two matches",
            async || messages(app).await,
            |shown| shown == &["needle 10", "needle 30"],
        )
        .await?;
        app.select("filter-context", "2").await?;
        let around = [
            "hay 8",
            "hay 9",
            "needle 10",
            "hay 11",
            "hay 12",
            "hay 28",
            "hay 29",
            "needle 30",
            "hay 31",
            "hay 32",
        ];
        wait_until(
            "two lines of context around each match",
            async || messages(app).await,
            |shown| shown == &around,
        )
        .await?;
        let context = app.attributes(ROWS, "data-context").await?;
        let expected: Vec<&str> = around
            .iter()
            .map(|message| if message.starts_with("needle") { "" } else { "true" })
            .collect();
        if context != expected {
            return Err(format!("context rows are not marked: {context:?}"));
        }
        let hidden = app.texts(&test_id("hidden-lines")).await?;
        if hidden.len() != 2 || hidden[1] != "⋯ 15 lines" {
            return Err(format!("the hidden stretches are not shown: {hidden:?}"));
        }
        app.screenshot("context").await?;

        // The stretch between the matches opens in place.
        let open = app
            .client
            .find_all(fantoccini::Locator::Css(&test_id("hidden-lines-open")))
            .await
            .map_err(|error| error.to_string())?;
        open.get(1)
            .ok_or("no second separator")?
            .click()
            .await
            .map_err(|error| error.to_string())?;
        wait_until(
            "the hidden lines in place",
            async || app.texts(&test_id("rows-shown")).await,
            |shown| shown == &["25 loaded"],
        )
        .await?;
        let hidden = app.texts(&test_id("hidden-lines")).await?;
        if hidden.len() != 1 {
            return Err(format!("the opened stretch kept a separator: {hidden:?}"));
        }
        app.screenshot("context-opened").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_key_away_and_a_failed_task_opens_on_its_first_error() {
    let data_dir = tempfile::tempdir().unwrap();
    with_app("errors", data_dir.path(), async |app: &AppSession| {
        // 600 lines, three warnings (stderr) among them, then a failure.
        app.run_shell_script(
            "for i in $(seq 1 600); do echo \"line $i\"; \
               if [ $i = 50 ] || [ $i = 300 ] || [ $i = 550 ]; then echo \"odd $i\" >&2; fi; \
             done; exit 3",
        )
        .await?;
        app.wait_for_text(&test_id("panel-status"), |text| {
            text.eq_ignore_ascii_case("failed")
        })
        .await?;
        // Opened from History, the failed task lands on its error, open.
        app.click("nav-history").await?;
        app.click("history-open").await?;
        let on_error = |shown: &Option<String>| {
            shown
                .as_deref()
                .is_some_and(|text| text.starts_with("failed: ") && text.contains("exit"))
        };
        wait_until(
            "the failed task open on its error",
            async || open_message(app).await,
            on_error,
        )
        .await?;
        wait_until(
            "the error's row open",
            async || {
                app.execute(
                    "return [...document.querySelectorAll('[data-testid=\"log-row\"].expanded')]\
                       .map(row => row.dataset.level);",
                )
                .await
            },
            |levels| levels == &serde_json::json!(["ERROR"]),
        )
        .await?;
        app.screenshot("failed-opens-on-error").await?;

        // W and w step through the warnings, over the whole log; nothing
        // before the first one is said, not an error.
        let steps = [
            ("W", "odd 550"),
            ("W", "odd 300"),
            ("W", "odd 50"),
            ("w", "odd 300"),
            ("W", "odd 50"),
        ];
        for (key, expected) in steps {
            app.press(key).await?;
            wait_until(
                &format!("{key} to {expected}"),
                async || open_message(app).await,
                |shown| shown.as_deref() == Some(expected),
            )
            .await?;
        }
        let notice = async || app.text_contents(&test_id("jump-notice")).await;
        app.press("W").await?;
        wait_until("nothing before the first warning", notice, |shown| {
            shown == &["No warning or error before this line"]
        })
        .await?;
        // e: the next error; E from it: none before.
        app.press("e").await?;
        wait_until("e to the error", async || open_message(app).await, on_error).await?;
        app.press("E").await?;
        wait_until("no error before the only one", notice, |shown| {
            shown == &["No error before this line"]
        })
        .await?;
        // The header's error count jumps to the first error too.
        app.press("W").await?;
        wait_until(
            "W back to the last warning",
            async || open_message(app).await,
            |shown| shown.as_deref() == Some("odd 550"),
        )
        .await?;
        app.click("count-error").await?;
        wait_until(
            "the error count to the error",
            async || open_message(app).await,
            on_error,
        )
        .await?;
        Ok(())
    })
    .await;
}
