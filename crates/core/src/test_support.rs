//! Helpers for the engine's unit tests: real stores in temporary
//! directories, managers with test plugins, and the capture subscriber.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Once};
use std::time::Duration;

use serde_json::{Map, Value};
use taskdeck_protocol::{
    LogEntry, LogFilter, ParamSchema, PluginInfo, RunTaskRequest, TaskSummary,
};
use tracing_subscriber::layer::SubscriberExt;

use crate::{
    CoreError, DataDir, FlushConfig, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext,
    TaskLogCapture, TaskManager,
};

type Behaviour = dyn Fn(TaskContext) -> Pin<Box<dyn Future<Output = Result<Value, CoreError>> + Send>>
    + Send
    + Sync;

/// A plugin whose `execute` is a closure.
pub struct ScriptedPlugin {
    id: String,
    behaviour: Arc<Behaviour>,
}

#[async_trait::async_trait]
impl Plugin for ScriptedPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            id: self.id.clone(),
            name: self.id.clone(),
            description: "test plugin".into(),
            params: ParamSchema::default(),
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        (self.behaviour)(ctx).await
    }
}

/// A plugin `id` running `behaviour`.
pub fn scripted<F, Fut>(id: &str, behaviour: F) -> Arc<dyn Plugin>
where
    F: Fn(TaskContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, CoreError>> + Send + 'static,
{
    Arc::new(ScriptedPlugin {
        id: id.to_owned(),
        behaviour: Arc::new(move |ctx| Box::pin(behaviour(ctx))),
    })
}

/// A plugin `id` that logs "working" and then waits until the returned
/// token is cancelled (a task that stays running as long as a test needs).
pub fn gated(id: &str) -> (Arc<dyn Plugin>, tokio_util::sync::CancellationToken) {
    let release = tokio_util::sync::CancellationToken::new();
    let gate = release.clone();
    let plugin = scripted(id, move |ctx| {
        let gate = gate.clone();
        async move {
            ctx.logger().info("working");
            gate.cancelled().await;
            Ok(Value::Null)
        }
    });
    (plugin, release)
}

/// Installs the capture layer as the global subscriber, once per test
/// binary.
pub fn install_capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(TaskLogCapture),
        );
    });
}

/// A store in a fresh temporary directory (kept alive by the returned
/// guard).
pub async fn temp_store() -> (tempfile::TempDir, Store) {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(DataDir::resolve(Some(root.path())).unwrap())
        .await
        .unwrap();
    (root, store)
}

/// A manager with the built-in plugins plus `extra`, flushing every
/// `interval`.
pub async fn manager_with(
    store: &Store,
    extra: Vec<Arc<dyn Plugin>>,
    interval: Duration,
) -> TaskManager {
    let config = ManagerConfig {
        flush: FlushConfig {
            interval,
            max_batch: 512,
            ..FlushConfig::default()
        },
        cancel_grace: Duration::from_millis(300),
    };
    manager_with_config(store, extra, config).await
}

/// A manager with the built-in plugins plus `extra`, configured by `config`.
pub async fn manager_with_config(
    store: &Store,
    extra: Vec<Arc<dyn Plugin>>,
    config: ManagerConfig,
) -> TaskManager {
    install_capture();
    let mut registry = PluginRegistry::builtin();
    for plugin in extra {
        registry.register(plugin);
    }
    TaskManager::start(store.clone(), registry, config)
        .await
        .unwrap()
}

/// A run request with JSON `params`.
pub fn request(plugin_id: &str, params: Value) -> RunTaskRequest {
    RunTaskRequest {
        plugin_id: plugin_id.to_owned(),
        params: params.as_object().cloned().unwrap_or_else(Map::new),
    }
}

/// Every entry of a task so far (up to 10,000), buffered ones included.
pub async fn all_entries(manager: &TaskManager, task_id: &str) -> Vec<LogEntry> {
    manager
        .query_logs(
            task_id,
            &LogFilter {
                limit: Some(10_000),
                ..LogFilter::default()
            },
        )
        .await
        .unwrap()
        .entries
}

/// Cancels a task and waits for it to end.
pub async fn cancel_and_wait(manager: &TaskManager, task_id: &str) -> TaskSummary {
    manager.cancel_task(task_id).await.unwrap();
    manager.wait(task_id).await.unwrap()
}

/// Waits (a minute at most) until no stored entry waits for the search
/// index, then stops `manager`'s engine so that nothing writes any more.
pub async fn index_and_stop(manager: &TaskManager) {
    wait_until("the search index to catch up", || async {
        (manager.entries_waiting_for_index().await.unwrap() == 0).then_some(())
    })
    .await;
    manager.shutdown().await.unwrap();
}

/// Waits (a minute at most) until `live` carries an entry of `task_id`
/// that `matches`: the moment to act in the middle of a task.
pub async fn until_entry(
    live: &mut tokio::sync::broadcast::Receiver<Arc<LogEntry>>,
    task_id: &str,
    matches: impl Fn(&LogEntry) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let entry = live.recv().await.unwrap();
            if entry.task_id == task_id && matches(&entry) {
                return;
            }
        }
    })
    .await
    .expect("the awaited entry arrives within a minute");
}

/// Polls `probe` every 10 ms until it answers `Some`, and returns that.
/// Fails the test naming `what` after a minute: a wait that ran out must
/// not let the test go on and assert nothing.
pub async fn wait_until<T, Probe>(what: &str, mut probe: impl FnMut() -> Probe) -> T
where
    Probe: Future<Output = Option<T>>,
{
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("waited a minute for {what}"))
}

/// A 'disk' of `kib` KiB that really fills up: a tmpfs mounted on a fresh
/// folder (Linux, as root — the README's test command runs as root),
/// unmounted when dropped.
#[cfg(target_os = "linux")]
pub struct SmallFilesystem {
    folder: tempfile::TempDir,
}

#[cfg(target_os = "linux")]
impl SmallFilesystem {
    pub fn mount(kib: u32) -> Self {
        let folder = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(folder.path())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mounting a {kib} KiB tmpfs failed ({status}): this test needs root, as the \
             README's test command runs"
        );
        Self { folder }
    }

    pub fn path(&self) -> &std::path::Path {
        self.folder.path()
    }

    /// Fills it with one file, until it refuses another byte; returns the
    /// file (delete it to give the space back).
    pub fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) if error.raw_os_error() == Some(28) => break,
                Err(error) => panic!("filling the disk: {error}"),
            }
        }
        path
    }
}

#[cfg(target_os = "linux")]
impl Drop for SmallFilesystem {
    fn drop(&mut self) {
        // Lazily: the pool's connections close on their own threads, a
        // moment after the store is dropped.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.folder.path())
            .status();
    }
}

/// Whether git can be run here (Wine has no git: the tests that need it
/// say so and skip their part).
pub fn git_installed() -> bool {
    which::which("git").is_ok()
}
