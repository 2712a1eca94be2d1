//! Any filter, search text included, on a real task's log: a page and a
//! count, or `InvalidFilter` for both; never a panic or another error.
//!
//! The first bytes choose the structured fields (levels, minimum level,
//! sources, cursors, limit, order, search mode and case, context); the
//! rest, decoded lossily, is the search text.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use taskdeck_core::{CoreError, DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{LogFilter, LogLevel, Order, RunTaskRequest, SearchMode};

struct World {
    runtime: tokio::runtime::Runtime,
    manager: TaskManager,
    task_id: String,
    _folder: tempfile::TempDir,
}

/// A store holding one finished shell task of 400 lines on two sources.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let folder = tempfile::tempdir().expect("a temporary folder");
        let (manager, task_id) = runtime.block_on(async {
            let data_dir = DataDir::resolve(Some(folder.path())).expect("a data dir");
            let store = Store::open(data_dir).await.expect("a store opens");
            let manager =
                TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
                    .await
                    .expect("the engine starts");
            let script = "for i in $(seq 1 200); do echo \"line $i alpha beta\"; \
                          echo \"warn $i gamma\" >&2; done";
            let params = json!({ "program": "sh", "args": ["-c", script] });
            let request = RunTaskRequest {
                plugin_id: "shell".to_owned(),
                params: params.as_object().cloned().unwrap_or_default(),
            };
            let task = manager.run_task(request).await.expect("the task starts");
            manager.wait(&task.id).await.expect("the task ends");
            (manager, task.id)
        });
        World {
            runtime,
            manager,
            task_id,
            _folder: folder,
        }
    })
}

const LEVELS: [LogLevel; 4] = [
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Warning,
    LogLevel::Error,
];

fn filter_from(data: &[u8]) -> LogFilter {
    let (head, rest) = data.split_at(data.len().min(14));
    let byte = |index: usize| head.get(index).copied().unwrap_or(0);
    let seq = |index: usize| u64::from(byte(index)) * 3 + u64::from(byte(index + 1)) * 600;
    let text = String::from_utf8_lossy(rest).into_owned();
    LogFilter {
        levels: (0..4)
            .filter(|bit| byte(0) >> bit & 1 == 1)
            .map(|bit| LEVELS[bit])
            .collect(),
        min_level: (byte(1) & 4 != 0).then(|| LEVELS[usize::from(byte(1) % 4)]),
        sources: match byte(2) % 4 {
            0 => Vec::new(),
            1 => vec!["shell.stdout".to_owned()],
            2 => vec!["shell".to_owned(), "system".to_owned()],
            _ => vec![text.clone()],
        },
        search: (byte(3) & 1 == 1).then_some(text),
        after_seq: (byte(4) & 1 == 1).then(|| seq(5)),
        before_seq: (byte(4) & 2 == 2).then(|| seq(7)),
        limit: (byte(4) & 4 == 4).then(|| u32::from(byte(9)) * 20),
        order: if byte(10) & 1 == 1 {
            Order::Descending
        } else {
            Order::Ascending
        },
        search_mode: match byte(11) % 3 {
            0 => SearchMode::Text,
            1 => SearchMode::Operators,
            _ => SearchMode::Regex,
        },
        case_sensitive: byte(11) & 4 == 4,
        // Up to 63: past the limit of 50 now and then.
        context_before: u32::from(byte(12) % 64),
        context_after: u32::from(byte(13) % 64),
    }
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let filter = filter_from(data);
    let (page, count) = world.runtime.block_on(async {
        (
            world.manager.query_logs(&world.task_id, &filter).await,
            world.manager.count_logs(&world.task_id, &filter).await,
        )
    });
    match (page, count) {
        (Ok(page), Ok(count)) => {
            let limit = filter.limit.unwrap_or(u32::MAX) as usize;
            assert!(page.entries.len() <= limit, "{filter:?}");
            let matching = page.entries.iter().filter(|entry| !entry.context).count();
            assert!(
                matching as u64 <= count.matching,
                "more matches on a page than the count: {filter:?}"
            );
        }
        (Err(CoreError::InvalidFilter(_)), Err(CoreError::InvalidFilter(_))) => {}
        (page, count) => panic!("{filter:?}: page {page:?}, count {count:?}"),
    }
});
