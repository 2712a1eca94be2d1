//! The end-to-end harness: one [`AppSession`] is one launch of the real app.
//!
//! Each session gets its own `TASKDECK_DATA_DIR`, its own tauri-driver on a
//! free port and, on Linux, its own Xvfb display, so sessions can run in
//! parallel. The system browser is the one part that cannot run here: on
//! Unix an `xdg-open` first on the app's `PATH` records the links the app
//! opens instead ([`AppSession::opened_links`]). The app binary comes from `TASKDECK_E2E_APP` (set by
//! `cargo xtask test`, which builds it first); screenshots go to
//! `TASKDECK_E2E_ARTIFACTS` (default `target/e2e`).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

mod app_output;

use app_output::OutputTail;

/// WebDriver key codes for [`AppSession::press`] and typed text.
pub mod keys {
    /// Return (a new line in a text area, "submit" in a field).
    pub const RETURN: char = '\u{E006}';
    /// Shift, held until [`NO_MODIFIER`].
    pub const SHIFT: char = '\u{E008}';
    /// Releases the modifiers held.
    pub const NO_MODIFIER: char = '\u{E000}';
    /// Escape.
    pub const ESCAPE: char = '\u{E00C}';
    /// Backspace.
    pub const BACKSPACE: char = '\u{E003}';
    /// The down arrow.
    pub const ARROW_DOWN: char = '\u{E015}';
}

/// The log panel's rows.
pub const ROWS: &str = "[data-testid=\"log-row\"]";

/// How long to wait for the app, the driver or an element before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the native WebDriver for WebKitGTK lives on Debian.
const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";

/// Overrides the native WebDriver tauri-driver starts (a WebKitWebDriver
/// elsewhere, a particular msedgedriver.exe).
const NATIVE_DRIVER_ENV: &str = "TASKDECK_E2E_NATIVE_DRIVER";

/// The native WebDriver to hand tauri-driver: the variable's, else
/// WebKitWebDriver on Linux. On Windows none: tauri-driver then finds
/// msedgedriver.exe on PATH itself.
fn native_driver() -> Option<PathBuf> {
    std::env::var_os(NATIVE_DRIVER_ENV)
        .map(PathBuf::from)
        .or_else(|| cfg!(target_os = "linux").then(|| PathBuf::from(WEBKIT_WEBDRIVER)))
}

/// Why the end-to-end tests cannot run here, when they cannot: macOS has
/// no WebDriver for its WKWebView, so tauri-driver cannot drive the app.
pub fn unsupported_platform() -> Option<&'static str> {
    cfg!(target_os = "macos").then_some(
        "skipped: macOS has no WebDriver for WKWebView, so tauri-driver cannot drive the app",
    )
}

/// One session at a time per test process: two WebKitWebDriver-driven
/// instances at once crash each other's pages ("page crash or hang") on
/// these machines, and these tests are not about concurrent instances.
static ONE_SESSION_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running app under WebDriver control. Dropping it stops the app, the
/// driver and the display.
pub struct AppSession {
    /// The WebDriver client bound to the app's window.
    pub client: Client,
    /// The data directory the app was started with.
    pub data_dir: PathBuf,
    /// When the WebDriver session that launches the app was requested
    /// (the start-up benchmark's "launch").
    pub launched_at: std::time::SystemTime,
    name: String,
    /// The webview's folders, and the recording `xdg-open`'s.
    webview_home: PathBuf,
    /// The last lines the app and its drivers wrote on stderr.
    app_output: OutputTail,
    // Field order is drop order: the driver (and the app it started) goes
    // before the display it draws on.
    driver: ChildGuard,
    _display: Option<Display>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl AppSession {
    /// Launches the app with `data_dir` as its `TASKDECK_DATA_DIR`; `name`
    /// names the test's screenshots.
    pub async fn launch(name: &str, data_dir: &Path) -> Result<Self, String> {
        Self::launch_with_webview_home(name, data_dir, &webview_home_of(data_dir)).await
    }

    /// [`AppSession::launch`] with the webview's own folders in
    /// `webview_home` (a test that fills the data directory's disk keeps
    /// WebKit's cache off it: its web process dies on a full disk).
    pub async fn launch_with_webview_home(
        name: &str,
        data_dir: &Path,
        webview_home: &Path,
    ) -> Result<Self, String> {
        Self::launch_with(name, data_dir, webview_home, FileAccess::AsTheTests).await
    }

    /// Starts the app and waits for its UI; once more when WebKitWebDriver
    /// lost the session at start-up while the app ran on (see
    /// [`AppSession::wait_for_ui`]), saying so on stderr.
    async fn launch_with(
        name: &str,
        data_dir: &Path,
        webview_home: &Path,
        access: FileAccess,
    ) -> Result<Self, String> {
        let mut retried = false;
        loop {
            let session = Self::start(name, data_dir, webview_home, access).await?;
            match session.wait_for_ui().await {
                Ok(()) => return Ok(session),
                Err(StartFailure::SessionLost)
                    if !retried && !session.app_processes()?.is_empty() =>
                {
                    eprintln!(
                        "{name}: WebKitWebDriver ended the session as the app started, while \
                         the app runs on (as when its web process dies: the app reloads its UI, \
                         the session is gone); starting the app again. {}",
                        session.diagnosis().await
                    );
                    let _ = session.close().await;
                    retried = true;
                }
                Err(failure) => return session.finish(Err(failure.to_string())).await,
            }
        }
    }

    /// Waits until the app's UI has rendered its frame. A WebDriver session
    /// that is gone meanwhile is told apart: WebKitWebDriver deletes the
    /// session when the page's web process dies, even though the app
    /// recovers from that by reloading its UI.
    async fn wait_for_ui(&self) -> Result<(), StartFailure> {
        let started = Instant::now();
        let frame = test_id("app-frame");
        loop {
            let last = match self.client.find(Locator::Css(&frame)).await {
                Ok(_) => return Ok(()),
                Err(error) if ends_the_session(&error) => return Err(StartFailure::SessionLost),
                Err(error) => error.to_string(),
            };
            if started.elapsed() > TIMEOUT {
                return Err(StartFailure::NoUi(last));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether WebKitWebDriver has ended this session: it does when the
    /// page's web process dies (the app lives on and reloads its UI) or
    /// the app is gone, and refuses every command after.
    pub async fn session_lost(&self) -> bool {
        matches!(self.client.find(Locator::Css("html")).await, Err(error) if ends_the_session(&error))
    }

    /// Starts tauri-driver, and through it the app, on a display of its
    /// own; the session is returned as soon as WebDriver has it.
    async fn start(
        name: &str,
        data_dir: &Path,
        webview_home: &Path,
        access: FileAccess,
    ) -> Result<Self, String> {
        let turn = ONE_SESSION_AT_A_TIME.lock().await;
        let app = app_binary()?;
        let path = recording_browser(webview_home)?;
        let display = Display::start()?;
        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = if access == FileAccess::OwnersOnly && running_as_root() {
            // Without these two, root is refused what a file's mode refuses
            // (it still owns what the tests made).
            let mut without = Command::new("setpriv");
            without
                .args(["--bounding-set", "-dac_override,-dac_read_search", "--"])
                .arg(tauri_driver());
            without
        } else {
            Command::new(tauri_driver())
        };
        driver
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("TASKDECK_DATA_DIR", data_dir)
            // Instances of the app would share WebKit's data and cache
            // folders (named after the app identifier) with the user's own
            // and with other tests' sessions.
            .env("XDG_DATA_HOME", webview_home.join("data"))
            .env("XDG_CACHE_HOME", webview_home.join("cache"))
            .env("XDG_CONFIG_HOME", webview_home.join("config"))
            .env("PATH", path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Its own process group, so stopping it also stops the native driver
        // and the app it started (see `ChildGuard`).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut driver, 0);
        if let Some(native) = native_driver() {
            driver.arg("--native-driver").arg(native);
        }
        if let Some(display) = &display {
            driver.env("DISPLAY", &display.name);
        }
        let mut driver = ChildGuard(driver.spawn().map_err(|error| {
            format!("cannot start tauri-driver: {error} (run `cargo xtask setup`)")
        })?);
        let app_output = driver
            .0
            .stderr
            .take()
            .map(OutputTail::follow)
            .unwrap_or_default();
        wait_for_port(port)?;

        let launched_at = std::time::SystemTime::now();
        let client = new_session(name, port, &app).await?;
        Ok(Self {
            client,
            data_dir: data_dir.to_path_buf(),
            launched_at,
            name: name.to_owned(),
            webview_home: webview_home.to_path_buf(),
            app_output,
            driver,
            _display: display,
            _turn: turn,
        })
    }

    /// Unfolds the runner's form if a started task folded it.
    pub async fn open_form(&self) -> Result<(), String> {
        self.execute(
            "const edit = document.querySelector('[data-testid=\"runner-edit\"]');\n\
             if (edit) edit.click();",
        )
        .await?;
        self.by_test_id("plugin-picker").await.map(drop)
    }

    /// Picks the shell plugin and runs `sh -c <script>` from its form.
    pub async fn run_shell_script(&self, script: &str) -> Result<(), String> {
        self.open_form().await?;
        self.select("plugin-picker", "shell").await?;
        self.fill("param-program", "sh").await?;
        self.fill("param-args", &format!("-c{}{script}", keys::RETURN))
            .await?;
        self.submit_run().await
    }

    /// Clicks the form's Run and makes sure the form was submitted: a task
    /// started (the form folds into its summary) or something was refused
    /// (an alert, such as a field's "is required"). Seen in about one run in twenty, more under load: the
    /// click reached no button (no task started, no refusal shown, the core
    /// asked for nothing, the form stayed as filled), so when neither
    /// happened within [`TIMEOUT`] the click is given once more.
    pub async fn submit_run(&self) -> Result<(), String> {
        self.click("run-button").await?;
        let started = "return !!document.querySelector('[data-testid=\"runner-summary\"]')\n\
                         || !!document.querySelector('[role=\"alert\"]');";
        let shown = async || self.execute(started).await;
        if wait_until("the task started", shown, |shown| *shown == true)
            .await
            .is_err()
        {
            eprintln!(
                "{}: no task started after the click on Run; clicking again",
                self.name
            );
            self.click("run-button").await?;
        }
        Ok(())
    }

    /// The links the app asked the system to open, in order.
    pub fn opened_links(&self) -> Vec<String> {
        std::fs::read_to_string(self.webview_home.join("opened-links"))
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The element with `data-testid="{test_id}"`, waiting for it to appear.
    pub async fn by_test_id(&self, test_id: &str) -> Result<Element, String> {
        self.wait_for(&format!("[data-testid=\"{test_id}\"]")).await
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn wait_for(&self, css: &str) -> Result<Element, String> {
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .map_err(|error| format!("no element `{css}` within {TIMEOUT:?}: {error}"))
    }

    /// Clicks the element with `data-testid="{test_id}"`.
    pub async fn click(&self, test_id: &str) -> Result<(), String> {
        self.by_test_id(test_id)
            .await?
            .click()
            .await
            .map_err(|error| format!("cannot click `{test_id}`: {error}"))
    }

    /// Types `text` into the field with `data-testid="{test_id}"`.
    pub async fn fill(&self, test_id: &str, text: &str) -> Result<(), String> {
        self.by_test_id(test_id)
            .await?
            .send_keys(text)
            .await
            .map_err(|error| format!("cannot type into `{test_id}`: {error}"))
    }

    /// Replaces what the field with `data-testid="{test_id}"` holds with
    /// `text`.
    pub async fn replace(&self, test_id: &str, text: &str) -> Result<(), String> {
        let field = self.by_test_id(test_id).await?;
        field
            .clear()
            .await
            .map_err(|error| format!("cannot clear `{test_id}`: {error}"))?;
        field
            .send_keys(text)
            .await
            .map_err(|error| format!("cannot type into `{test_id}`: {error}"))
    }

    /// Presses and releases each key of `keys` on whatever has the focus
    /// (the page, for keyboard shortcuts).
    pub async fn press(&self, keys: &str) -> Result<(), String> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .map_err(|error| format!("cannot press {keys:?}: {error}"))
    }

    /// Presses the left mouse button at `from` and releases it at `to`
    /// (viewport coordinates, CSS pixels), moving in between as a hand
    /// does.
    pub async fn drag(&self, from: (f64, f64), to: (f64, f64)) -> Result<(), String> {
        use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
        let step = |(x, y): (f64, f64), millis: u64| PointerAction::MoveTo {
            duration: Some(Duration::from_millis(millis)),
            x: x.round(),
            y: y.round(),
        };
        let halfway = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
        let actions = MouseActions::new("mouse".to_owned())
            .then(step(from, 0))
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(step(halfway, 100))
            .then(step(to, 100))
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client
            .perform_actions(actions)
            .await
            .map_err(|error| format!("cannot drag from {from:?} to {to:?}: {error}"))
    }

    /// Runs `script` in the page (for what a user does outside the page,
    /// such as opening a link or scrolling, and for measurements) and
    /// returns what it returns.
    pub async fn execute(&self, script: &str) -> Result<serde_json::Value, String> {
        self.client
            .execute(script, Vec::new())
            .await
            .map_err(|error| format!("cannot run {script:?} in the page: {error}"))
    }

    /// Reloads the page (as a restart of the UI would) and waits until the
    /// new page has its footer filled over IPC.
    pub async fn reload(&self) -> Result<(), String> {
        self.execute("window.__taskdeckOldPage = true; location.reload();")
            .await?;
        let started = Instant::now();
        while started.elapsed() < TIMEOUT {
            let ready = self
                .execute(
                    "const footer = document.querySelector('[data-testid=\"footer-version\"]');\n\
                     return !window.__taskdeckOldPage && !!footer && footer.textContent.startsWith('Taskdeck');",
                )
                .await;
            if ready == Ok(serde_json::Value::Bool(true)) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the page did not come back within {TIMEOUT:?} after a reload"
        ))
    }

    /// How long a page script may run before WebDriver interrupts it
    /// (WebKitWebDriver's default is 30 s; the benchmarks' scrolling runs
    /// longer on a slow machine).
    pub async fn set_script_timeout(&self, timeout: Duration) -> Result<(), String> {
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(timeout),
                None,
                None,
            ))
            .await
            .map_err(|error| format!("cannot set the script timeout: {error}"))
    }

    /// Runs `script` in the page with `done` in scope, and returns what the
    /// script passes to `done(…)` (for measurements that wait for frames or
    /// events in the page).
    pub async fn execute_async(&self, script: &str) -> Result<serde_json::Value, String> {
        self.client
            .execute_async(
                &format!("const done = arguments[arguments.length - 1];\n{script}"),
                Vec::new(),
            )
            .await
            .map_err(|error| format!("the page script failed: {error}"))
    }

    /// Picks the option with `value` in the select with `data-testid="{test_id}"`,
    /// once the select offers it (options may arrive after the select),
    /// and waits until the select shows it. A pick that did not take is
    /// made again: under CI load the driver's click on an option was once
    /// seen to leave the select as it was. Only the select's own value is
    /// checked here; what the app does with the pick is the test's to check.
    pub async fn select(&self, test_id: &str, value: &str) -> Result<(), String> {
        let css = self::test_id(test_id);
        self.wait_for(&format!("{css} option[value=\"{value}\"]"))
            .await?;
        let selector = serde_json::to_string(&css).map_err(|error| error.to_string())?;
        let shows = |shown: &serde_json::Value| shown.as_str() == Some(value);
        wait_until(
            &format!("`{test_id}` showing {value:?}"),
            async || {
                let shown = self
                    .execute(&format!(
                        "return document.querySelector({selector})?.value ?? null;"
                    ))
                    .await?;
                if !shows(&shown) {
                    self.by_test_id(test_id)
                        .await?
                        .select_by_value(value)
                        .await
                        .map_err(|error| {
                            format!("cannot select {value:?} in `{test_id}`: {error}")
                        })?;
                }
                Ok(shown)
            },
            shows,
        )
        .await
        .map(drop)
    }

    /// What a failure's message needs beside its screenshot (which a CI run
    /// may not keep): the route, every select's value, the search box, the
    /// panel's notices, the rows held and shown, the list's scroll position
    /// and size, and the run form's fields.
    async fn state_summary(&self) -> String {
        let script = "const text = (css) => [...document.querySelectorAll(css)].map((e) => e.textContent.trim());\n\
             return { route: location.hash,\n\
                      selects: Object.fromEntries([...document.querySelectorAll('select[data-testid]')].map((s) => [s.dataset.testid, s.value])),\n\
                      search: document.querySelector('[data-testid=\"filter-search\"]')?.value ?? null,\n\
                      notices: text('[role=\"alert\"], [role=\"status\"], [data-testid=\"rows-shown\"], [data-testid=\"rows-loading\"], [data-testid=\"panel-status\"]'),\n\
                      rows: [...document.querySelectorAll('[data-testid=\"log-row\"]')].map((r) => r.dataset.seq),\n\
                      list: ((l) => l && { top: l.scrollTop, height: l.clientHeight, content: l.scrollHeight })\n\
                            (document.querySelector('[data-testid=\"log-rows\"]')),\n\
                      fields: Object.fromEntries([...document.querySelectorAll('[data-testid^=\"param-\"]')]\n\
                            .filter((f) => 'value' in f).map((f) => [f.dataset.testid, f.value])) };";
        let state = match self.execute(script).await {
            Ok(state) => state.to_string(),
            Err(error) => format!("unreadable ({error})"),
        };
        format!("{state}; the core now: {}", self.ipc_probe().await)
    }

    /// Whether the core answers the page now, and how fast: a list of tasks
    /// (the write pool) and a search page of the newest task (the read
    /// pool), each given 5 s. Tells a request that was lost on the way
    /// from a core that stopped answering.
    async fn ipc_probe(&self) -> String {
        let script = "const invoke = window.__TAURI__.core.invoke;\n\
             const timed = (name, call) => { const started = performance.now();\n\
                 return Promise.race([call().then(() => `${name} answered in ${Math.round(performance.now() - started)} ms`,\n\
                                                  (error) => `${name} failed: ${JSON.stringify(error)}`),\n\
                                      new Promise((resolve) => setTimeout(() => resolve(`${name}: no answer in 5 s`), 5000))]); };\n\
             (async () => { const seen = [];\n\
                 let tasks = [];\n\
                 seen.push(await timed('list_tasks', async () => { tasks = (await invoke('list_tasks', { filter: { limit: 1 } })).tasks; }));\n\
                 if (tasks.length > 0) {\n\
                     seen.push(await timed('get_task_logs', () => invoke('get_task_logs', { taskId: tasks[0].id, filter: { search: 'log', limit: 1 } })));\n\
                 }\n\
                 done(seen); })();";
        match self.execute_async(script).await {
            Ok(seen) => seen.to_string(),
            Err(error) => format!("unknown ({error})"),
        }
    }

    /// The value of `attribute` on every element matching `css` (now, not
    /// waiting), read in one script like [`Self::text_contents`].
    pub async fn attributes(&self, css: &str, attribute: &str) -> Result<Vec<String>, String> {
        let attribute = serde_json::to_string(attribute).map_err(|error| error.to_string())?;
        self.read_each(css, &format!("element.getAttribute({attribute}) ?? ''"))
            .await
    }

    /// The `textContent` of every element matching `css`, read in one
    /// script (so a list the UI re-renders meanwhile is read whole, never
    /// half stale).
    pub async fn text_contents(&self, css: &str) -> Result<Vec<String>, String> {
        self.read_each(css, "element.textContent").await
    }

    /// `expression` (of `element`) for every element matching `css`, in
    /// one script: reading element by element over WebDriver failed when
    /// the UI replaced an element between the listing and the read.
    async fn read_each(&self, css: &str, expression: &str) -> Result<Vec<String>, String> {
        let selector = serde_json::to_string(css).map_err(|error| error.to_string())?;
        let found = self
            .execute(&format!(
                "return [...document.querySelectorAll({selector})].map(element => {expression});"
            ))
            .await?;
        Ok(found
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .map(|value| value.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Clicks the element with `data-testid="{test_id}"`, again if the UI
    /// replaced it between finding and clicking.
    pub async fn click_again_if_replaced(&self, test_id: &str) -> Result<(), String> {
        let mut last = String::new();
        for _ in 0..5 {
            match self.click(test_id).await {
                Ok(()) => return Ok(()),
                Err(error) if error.contains("was not found") || error.contains("stale") => {
                    last = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }

    /// The text of every element matching `css` (now, not waiting).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let elements = self
            .client
            .find_all(Locator::Css(css))
            .await
            .map_err(|error| format!("cannot list `{css}`: {error}"))?;
        let mut texts = Vec::with_capacity(elements.len());
        for element in elements {
            texts.push(
                element
                    .text()
                    .await
                    .map_err(|error| format!("cannot read the text of `{css}`: {error}"))?,
            );
        }
        Ok(texts)
    }

    /// Waits until the `attribute` values of the elements matching `css`
    /// satisfy `accept`, and returns them.
    pub async fn wait_for_attributes(
        &self,
        css: &str,
        attribute: &str,
        accept: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>, String> {
        let started = Instant::now();
        let mut last = Vec::new();
        while started.elapsed() < TIMEOUT {
            // Rows may be replaced while they are read; try again then.
            if let Ok(values) = self.attributes(css, attribute).await {
                if accept(&values) {
                    return Ok(values);
                }
                last = values;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the {attribute} values of `{css}` never became as expected within {TIMEOUT:?}; last seen: {last:?}"
        ))
    }

    /// Waits until the text of the first element matching `css` satisfies
    /// `accept`, and returns it.
    pub async fn wait_for_text(
        &self,
        css: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let started = Instant::now();
        let mut last = String::from("nothing");
        while started.elapsed() < TIMEOUT {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => match element.text().await {
                    Ok(text) if accept(&text) => return Ok(text),
                    Ok(text) => last = format!("{text:?}"),
                    Err(error) => last = format!("error reading its text: {error}"),
                },
                Err(error) => last = format!("error finding it: {error}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "`{css}` never had the expected text within {TIMEOUT:?}; last seen: {last}"
        ))
    }

    /// Saves a PNG of the window as `<artifacts>/<test name>-<label>.png`.
    pub async fn screenshot(&self, label: &str) -> Result<PathBuf, String> {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|error| format!("screenshot failed: {error}"))?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        let path = dir.join(format!("{}-{label}.png", self.name));
        std::fs::write(&path, png)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        eprintln!("screenshot: {}", path.display());
        Ok(path)
    }

    /// Ends the WebDriver session (closing the app) and stops the driver.
    /// Kills the app's process with `SIGKILL` (a crash, or the user's
    /// `kill -9`); returns how many processes were killed. The session is
    /// dead afterwards: only [`AppSession::close`] is left to call.
    #[cfg(unix)]
    pub fn kill_app(&self) -> Result<usize, String> {
        let pids = self.app_processes()?;
        for pid in &pids {
            kill_hard(*pid)?;
        }
        Ok(pids.len())
    }

    /// This session's app processes: the app binary's, started with this
    /// session's data directory (other tests' apps run beside it; a hard
    /// kill of "every app" once killed one of theirs too).
    fn app_processes(&self) -> Result<Vec<u32>, String> {
        let wanted = format!("TASKDECK_DATA_DIR={}", self.data_dir.display());
        Ok(processes_of(&app_binary()?)
            .into_iter()
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                    environ
                        .split(|byte| *byte == 0)
                        .any(|variable| variable == wanted.as_bytes())
                })
            })
            .collect())
    }

    /// The web processes of the app's window (WebKitGTK's
    /// `WebKitWebProcess`, children of the app).
    pub fn web_processes(&self) -> Result<Vec<u32>, String> {
        let app = self.app_processes()?;
        Ok(std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
                let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
                let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
                let parent = rest.split(' ').nth(1)?.parse::<u32>().ok()?;
                (name.starts_with("WebKitWebProces") && app.contains(&parent)).then_some(pid)
            })
            .collect())
    }

    /// Kills the web process of the app's window, as a crash would end it;
    /// returns its pid. The WebDriver session ends with it: WebKitWebDriver
    /// deletes a session whose page crashed.
    pub fn kill_web_process(&self) -> Result<u32, String> {
        let web = *self
            .web_processes()?
            .first()
            .ok_or("the app has no web process")?;
        kill_hard(web)?;
        Ok(web)
    }

    /// Ends the session after `outcome`, with a screenshot named `failure`
    /// first when it failed and what the page showed added to its error;
    /// returns `outcome`.
    pub async fn finish<T>(self, outcome: Result<T, String>) -> Result<T, String> {
        match outcome {
            Ok(value) => {
                self.close().await?;
                Ok(value)
            }
            Err(error) => {
                let shot = self.screenshot("failure").await;
                let state = self.state_summary().await;
                let diagnosis = self.diagnosis().await;
                // The failure is what to report, not a close failing after it.
                let _ = self.close().await;
                Err(format!(
                    "{error} (screenshot: {shot:?}; the page: {state}; {diagnosis})"
                ))
            }
        }
    }

    /// Which of the session's processes still run, the WebDriver session's
    /// own answer (a page that crashed, or an app that is gone, ends it)
    /// and the app's last lines on stderr: what is left to ask when the
    /// page cannot be.
    async fn diagnosis(&self) -> String {
        let apps = self.app_processes();
        let web = self.web_processes();
        let session = match self.client.current_url().await {
            Ok(_) => "open".to_owned(),
            Err(error) => format!("{error:?}"),
        };
        let output = self.app_output.last_lines().join("\n  ");
        format!(
            "the app's processes: {apps:?}; its web processes: {web:?}; the WebDriver session: \
             {session}; the app's last lines on stderr:\n  {output}"
        )
    }

    pub async fn close(self) -> Result<(), String> {
        let outcome = self
            .client
            .clone()
            .close()
            .await
            .map_err(|error| format!("closing the session failed: {error}"));
        drop(self.driver);
        outcome
    }
}

/// The CSS selector of `data-testid="{test_id}"`.
pub fn test_id(test_id: &str) -> String {
    format!("[data-testid=\"{test_id}\"]")
}

/// Waits until `check` holds for what `probe` reads, or fails naming
/// `what` and the last value read.
pub async fn wait_until<T: std::fmt::Debug>(
    what: &str,
    mut probe: impl AsyncFnMut() -> Result<T, String>,
    check: impl Fn(&T) -> bool,
) -> Result<T, String> {
    let started = Instant::now();
    loop {
        let value = probe().await?;
        if check(&value) {
            return Ok(value);
        }
        if started.elapsed() > TIMEOUT {
            return Err(format!("{what}: last seen {value:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `test` against a fresh app session; on failure saves a screenshot
/// named `failure` before failing the test with the error.
pub async fn with_app<F>(name: &str, data_dir: &Path, test: F)
where
    F: AsyncFnOnce(&AppSession) -> Result<(), String>,
{
    with_session(name, AppSession::launch(name, data_dir), test).await;
}

/// [`with_app`], with a file's mode binding the app even when the tests
/// run as root (on Linux: root's power to read and write any file is
/// dropped from the app's processes), so a file made unreadable is
/// unreadable to the app.
pub async fn with_app_bound_by_file_modes<F>(name: &str, data_dir: &Path, test: F)
where
    F: AsyncFnOnce(&AppSession) -> Result<(), String>,
{
    let webview_home = webview_home_of(data_dir);
    let launch = AppSession::launch_with(name, data_dir, &webview_home, FileAccess::OwnersOnly);
    with_session(name, launch, test).await;
}

/// The webview's own data, cache and config folders for a session on
/// `data_dir`: inside it, so a later session on the same data directory is
/// a restart of the same installation (local storage included). A data
/// "directory" that is a file (a test of that error) gets them beside it.
fn webview_home_of(data_dir: &Path) -> PathBuf {
    if data_dir.is_dir() {
        data_dir.join(".webview-home")
    } else {
        data_dir.parent().unwrap_or(data_dir).join(".webview-home")
    }
}

/// Runs `test` against the session `launch` starts, where the app can run
/// (one line saying why not elsewhere).
async fn with_session<F>(
    name: &str,
    launch: impl std::future::Future<Output = Result<AppSession, String>>,
    test: F,
) where
    F: AsyncFnOnce(&AppSession) -> Result<(), String>,
{
    if let Some(reason) = unsupported_platform() {
        eprintln!("{name}: {reason}");
        return;
    }
    run_session(name, launch.await, test).await;
}

/// Whether `error` is WebDriver's "invalid session id": the session is gone.
fn ends_the_session(error: &fantoccini::error::CmdError) -> bool {
    matches!(error, fantoccini::error::CmdError::Standard(error)
        if error.error == fantoccini::error::ErrorStatus::InvalidSessionId)
}

/// Why a started app's UI never came up.
#[derive(Debug)]
enum StartFailure {
    /// The WebDriver session was ended (by WebKitWebDriver: the page's
    /// process died, or the app is gone).
    SessionLost,
    /// Not within [`TIMEOUT`]; the last WebDriver error.
    NoUi(String),
}

impl std::fmt::Display for StartFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SessionLost => write!(f, "the WebDriver session ended as the app started"),
            Self::NoUi(last) => write!(
                f,
                "the app's UI did not come up within {TIMEOUT:?} (last: {last})"
            ),
        }
    }
}

/// Whether the app may read and write every file, as root may.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileAccess {
    /// As the tests may.
    AsTheTests,
    /// As a file's mode says, root or not.
    OwnersOnly,
}

/// Whether this process runs as root (Linux: its effective user id, from
/// `/proc`; elsewhere never, as far as the tests are concerned).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let ids = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
            ids.split_whitespace()
                .nth(1)
                .map(|effective| effective == "0")
        })
        .unwrap_or(false)
}

/// [`with_app`], with the webview's own folders in `webview_home` (see
/// [`AppSession::launch_with_webview_home`]).
pub async fn with_app_and_webview_home<F>(name: &str, data_dir: &Path, webview_home: &Path, test: F)
where
    F: AsyncFnOnce(&AppSession) -> Result<(), String>,
{
    let launch = AppSession::launch_with_webview_home(name, data_dir, webview_home);
    with_session(name, launch, test).await;
}

async fn run_session<F>(name: &str, launched: Result<AppSession, String>, test: F)
where
    F: AsyncFnOnce(&AppSession) -> Result<(), String>,
{
    let session = match launched {
        Ok(session) => session,
        Err(error) => panic!("{name}: {error}"),
    };
    let outcome = test(&session).await;
    if let Err(error) = session.finish(outcome).await {
        panic!("{name}: {error}");
    }
}

/// The directory screenshots go to.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("TASKDECK_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // The run-time value: a shared target directory may hold a build
            // from another checkout, whose compile-time path is stale.
            std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
                .join("..")
                .join("target")
                .join("e2e")
        })
}

/// The ids of the running processes whose executable is `binary`.
pub fn processes_of(binary: &Path) -> Vec<u32> {
    let wanted = binary.canonicalize().ok();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok();
            (exe.is_some() && exe == wanted).then_some(pid)
        })
        .collect()
}

/// `kill -KILL pid`, as a crash ends a process.
fn kill_hard(pid: u32) -> Result<(), String> {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .map_err(|error| format!("cannot run kill: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("kill -KILL {pid} failed ({status})"))
    }
}

/// The app's `PATH`: the caller's, after a folder in `home` whose
/// `xdg-open` appends what it is asked to open to `home/opened-links`
/// (on Unix; elsewhere the caller's `PATH` as it is).
fn recording_browser(home: &Path) -> Result<std::ffi::OsString, String> {
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    if !cfg!(unix) {
        return Ok(inherited);
    }
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin)
        .map_err(|error| format!("cannot create {}: {error}", bin.display()))?;
    let script = bin.join("xdg-open");
    let record = home.join("opened-links");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            record.display()
        ),
    )
    .map_err(|error| format!("cannot write {}: {error}", script.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .map_err(|error| format!("cannot make {} executable: {error}", script.display()))?;
    }
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&inherited));
    std::env::join_paths(paths).map_err(|error| format!("cannot build PATH: {error}"))
}

fn app_binary() -> Result<PathBuf, String> {
    let path = std::env::var_os("TASKDECK_E2E_APP")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "TASKDECK_E2E_APP is not set: the end-to-end tests need the built app; \
             run them with `cargo xtask test`, which builds the UI and the app first"
                .to_owned()
        })?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "TASKDECK_E2E_APP names {}, which does not exist",
            path.display()
        ))
    }
}

fn tauri_driver() -> PathBuf {
    // cargo install puts it in ~/.cargo/bin, which may not be on PATH for
    // a test process started by an IDE.
    let from_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    match from_cargo_home {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Opens a WebDriver session that launches `app`. tauri-driver listens
/// before its native driver is ready, so early attempts are retried.
async fn new_session(name: &str, port: u16, app: &Path) -> Result<Client, String> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let started = Instant::now();
    loop {
        // WebDriver runs on loopback: plain HTTP, no TLS stack needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let attempt = ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match attempt {
            Ok(client) => return Ok(client),
            Err(error) if started.elapsed() >= TIMEOUT => {
                return Err(format!(
                    "cannot open a WebDriver session on the app within {TIMEOUT:?}: {error}"
                ));
            }
            Err(error) => {
                // Said, since a failed attempt may have started an app.
                eprintln!("{name}: opening the WebDriver session failed, trying again: {error:?}");
                tokio::time::sleep(Duration::from_millis(250)).await
            }
        }
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|error| format!("cannot find a free port: {error}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| format!("cannot find a free port: {error}"))
}

fn wait_for_port(port: u16) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < TIMEOUT {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "tauri-driver did not listen on port {port} within {TIMEOUT:?}"
    ))
}

/// A private X display (Xvfb) for one session on Linux.
struct Display {
    name: String,
    child: ChildGuard,
}

impl Display {
    /// Starts Xvfb on a free display number; None off Linux.
    fn start() -> Result<Option<Self>, String> {
        if !cfg!(target_os = "linux") {
            return Ok(None);
        }
        let first = 100 + std::process::id() % 400;
        for number in (first..first + 200).chain(100..first) {
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
            let lock = PathBuf::from(format!("/tmp/.X{number}-lock"));
            if lock.exists() && !lock_is_stale(&lock) {
                continue;
            }
            // A display whose server died without cleaning up (killed, or
            // a crash) is free again once its files are gone.
            let _ = std::fs::remove_file(&lock);
            let _ = std::fs::remove_file(&socket);
            if socket.exists() || lock.exists() {
                continue;
            }
            let name = format!(":{number}");
            let child = Command::new("Xvfb")
                .args([
                    name.as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|error| format!("cannot start Xvfb: {error} (run `cargo xtask setup`)"))?;
            let mut child = ChildGuard(child);
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if socket.exists() {
                    return Ok(Some(Self { name, child }));
                }
                if let Ok(Some(_)) = child.0.try_wait() {
                    break; // lost a race for this number: try the next
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        Err("no free X display number for Xvfb".to_owned())
    }
}

/// Whether an X lock file names a process that no longer runs.
fn lock_is_stale(lock: &Path) -> bool {
    std::fs::read_to_string(lock)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

impl Drop for Display {
    /// Asks Xvfb to stop, so it removes its lock file and socket (a killed
    /// server leaves them, and leftovers would use up the display numbers);
    /// [`ChildGuard`] kills it if it has not stopped within a second.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let asked = Instant::now();
        while asked.elapsed() < Duration::from_secs(1) {
            if let Ok(Some(_)) = self.child.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Kills and reaps a child process when dropped; on Unix also every process
/// in its process group, when it leads one (tauri-driver, WebKitWebDriver
/// and the app), so nothing is left running.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
