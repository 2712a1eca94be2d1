//! Any filter, search text included, on a real task's log: a page and a
//! count, or `InvalidFilter` for both; never a panic or another error.
//!
//! The first bytes choose the structured fields (levels, minimum level,
//! sources, cursors, limit, order, search mode and case, context, time
//! range, section and folding); the rest, decoded lossily, is the search
//! text.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use taskdeck_core::{CoreError, DataDir, ManagerConfig, PluginRegistry, Store, TaskManager};
use taskdeck_protocol::{Folding, LogEntry, LogFilter, LogLevel, Order, RunTaskRequest, SearchMode};

struct World {
    runtime: tokio::runtime::Runtime,
    manager: TaskManager,
    task_id: String,
    /// Its entries, whose times bound the time ranges tried.
    entries: Vec<LogEntry>,
    _folder: tempfile::TempDir,
}

/// A store holding one finished shell task of 400 lines on two sources,
/// in the run's section and four groups inside it.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let folder = tempfile::tempdir().expect("a temporary folder");
        let (manager, task_id, entries) = runtime.block_on(async {
            let data_dir = DataDir::resolve(Some(folder.path())).expect("a data dir");
            let store = Store::open(data_dir).await.expect("a store opens");
            let manager =
                TaskManager::start(store, PluginRegistry::builtin(), ManagerConfig::default())
                    .await
                    .expect("the engine starts");
            let script = "for i in $(seq 1 200); do \
                          [ $((i % 50)) = 1 ] && echo \"::group::part $i\"; \
                          echo \"line $i alpha beta\"; echo \"warn $i gamma\" >&2; \
                          [ $((i % 50)) = 0 ] && echo ::endgroup::; done; true";
            let params = json!({ "program": "sh", "args": ["-c", script] });
            let request = RunTaskRequest {
                plugin_id: "shell".to_owned(),
                params: params.as_object().cloned().unwrap_or_default(),
            };
            let task = manager.run_task(request).await.expect("the task starts");
            manager.wait(&task.id).await.expect("the task ends");
            let page = LogFilter {
                limit: Some(10_000),
                ..LogFilter::default()
            };
            let entries = manager
                .query_logs(&task.id, &page)
                .await
                .expect("its entries")
                .entries;
            (manager, task.id, entries)
        });
        World {
            runtime,
            manager,
            task_id,
            entries,
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

fn filter_from(world: &World, data: &[u8]) -> LogFilter {
    let (head, rest) = data.split_at(data.len().min(18));
    let byte = |index: usize| head.get(index).copied().unwrap_or(0);
    let seq = |index: usize| u64::from(byte(index)) * 3 + u64::from(byte(index + 1)) * 600;
    let text = String::from_utf8_lossy(rest).into_owned();
    let moment = |pick: u8| world.entries[usize::from(pick) % world.entries.len()].timestamp;
    let named: Vec<u32> = (0..8)
        .filter(|bit| byte(17) >> bit & 1 == 1)
        .map(|bit| bit as u32)
        .collect();
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
        since: (byte(14) & 1 == 1).then(|| moment(byte(15))),
        until: (byte(14) & 2 == 2).then(|| moment(byte(16))),
        // 0 is refused, 6 and 7 are sections the task does not have.
        section: (byte(14) & 4 == 4).then(|| u32::from(byte(17) % 8)),
        folding: match byte(14) >> 3 & 3 {
            0 => None,
            1 => Some(Folding::These(named)),
            2 => Some(Folding::AllBut(named)),
            _ => Some(Folding::AllBut(Vec::new())),
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let filter = filter_from(world, data);
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
