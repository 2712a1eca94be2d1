//! Any bytes as an export file: the import takes it whole or refuses it
//! naming the line (or cannot read it), never panics and never fails in
//! another way.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use taskdeck_core::import::import_task_logs;
use taskdeck_core::{CoreError, DataDir, Store, TaskCleanupService};

/// One store for the whole run.
struct World {
    runtime: tokio::runtime::Runtime,
    store: Store,
    folder: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let folder = tempfile::tempdir().expect("a temporary folder");
        let data_dir = DataDir::resolve(Some(&folder.path().join("data"))).expect("a data dir");
        let store = runtime
            .block_on(Store::open(data_dir))
            .expect("a store opens");
        World {
            runtime,
            store,
            folder,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let path = world.folder.path().join("input.jsonl");
    std::fs::write(&path, data).expect("the input can be written");
    match world
        .runtime
        .block_on(import_task_logs(&world.store, &path))
    {
        // Removed again, so that the next input may hold the same task.
        Ok(report) => {
            world
                .runtime
                .block_on(TaskCleanupService::new(&world.store).delete(&report.task_ids))
                .expect("imported tasks can be deleted");
        }
        Err(CoreError::InvalidArgument(_)) | Err(CoreError::Io { .. }) => {}
        Err(other) => panic!("an import failed with neither a line nor a read error: {other:?}"),
    }
});
