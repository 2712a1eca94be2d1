//! `log-writer`: a real Taskdeck process for the restart and hard-kill
//! tests.
//!
//! It opens the store in the data directory given as its first argument,
//! runs one task of the `pulse` plugin (entries with cycling levels,
//! dotted sources, metadata and non-ASCII text), and prints every entry as
//! a JSON line on stdout the moment it is emitted (from the live channel).
//! With a count it ends gracefully (`shutdown`, every entry flushed); with
//! `forever` it emits until it is killed. With `quiet` it prints nothing
//! (the benchmarks only need the stored task; printing a million entries
//! could not keep up with the live channel on a slow machine). With
//! `sections=N` a section ("step 1", "step 2", …) opens before every N
//! entries.
//!
//! Usage: `log-writer <data-dir> <count|forever> [entries-per-ms] [quiet] [sections=N]`

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
};
use taskdeck_protocol::{LogLevel, ParamField, ParamKind, ParamSchema, PluginInfo, RunTaskRequest};

/// Emits `count` entries (or endlessly with `count` 0), `per_ms` per
/// millisecond, in sections of `section_every` entries when that is set.
struct Pulse;

#[async_trait::async_trait]
impl Plugin for Pulse {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            id: "pulse".into(),
            name: "Pulse".into(),
            description: "Test plugin: emits numbered entries.".into(),
            params: ParamSchema {
                fields: vec![
                    ParamField::new("count", "Count", ParamKind::Integer, true, ""),
                    ParamField::new("per_ms", "Per ms", ParamKind::Integer, true, ""),
                    ParamField::new(
                        "section_every",
                        "Section every",
                        ParamKind::Integer,
                        false,
                        "",
                    ),
                ],
            },
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let count: u64 = ctx.param("count")?.unwrap_or(0);
        let per_ms: u64 = ctx.param::<u64>("per_ms")?.unwrap_or(1).max(1);
        let section_every: u64 = ctx.param("section_every")?.unwrap_or(0);
        let mut section = None;
        let sources = [
            ctx.logger().clone(),
            ctx.logger().child("archive"),
            ctx.logger().child("archive").child("zstd"),
        ];
        let mut index = 0u64;
        while count == 0 || index < count {
            if section_every > 0 && index.is_multiple_of(section_every) {
                // The step before ends where this one starts.
                drop(section.take());
                section = Some(ctx.section(format!("step {}", index / section_every + 1)));
            }
            let logger = &sources[(index % 3) as usize];
            let level = LogLevel::ALL[(index % 4) as usize];
            let message = format!("entry {index}: größe {} — ✓", index * 7);
            if index.is_multiple_of(5) {
                logger
                    .with_metadata(json!({ "index": index, "even": index.is_multiple_of(2) }))
                    .log(level, message);
            } else {
                logger.log(level, message);
            }
            index += 1;
            if index.is_multiple_of(per_ms) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // Faster than the disk: wait while the buffer is half full (as
            // program output does), so every entry is stored.
            if !logger.has_room() {
                logger.wait_for_room().await;
            }
        }
        Ok(json!({ "emitted": index }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data_dir = args
        .next()
        .ok_or("usage: log-writer <data-dir> <count|forever> [per-ms] [quiet]")?;
    let count = match args.next().as_deref() {
        Some("forever") | None => 0,
        Some(count) => count.parse()?,
    };
    let per_ms: u64 = args
        .next()
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(1);
    let (mut quiet, mut section_every) = (false, 0u64);
    for option in args {
        match option.split_once('=') {
            None if option == "quiet" => quiet = true,
            Some(("sections", every)) => section_every = every.parse()?,
            _ => {
                return Err(format!(
                    "unknown option {option:?} (expected `quiet` or `sections=N`)"
                )
                .into());
            }
        }
    }

    let store = Store::open(DataDir::resolve(Some(std::path::Path::new(&data_dir)))?).await?;
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Pulse));
    let manager = TaskManager::start(store, plugins, ManagerConfig::from_env()?).await?;
    let mut live = manager.subscribe_logs();
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "pulse".into(),
            params: json!({ "count": count, "per_ms": per_ms, "section_every": section_every })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        })
        .await?;
    if quiet {
        drop(live);
        manager.wait(&task.id).await?;
        manager.shutdown().await?;
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    let mut print = |entry: &taskdeck_protocol::LogEntry| -> std::io::Result<()> {
        serde_json::to_writer(&mut stdout, entry)?;
        writeln!(stdout)?;
        stdout.flush()
    };
    let wait = manager.wait(&task.id);
    tokio::pin!(wait);
    loop {
        tokio::select! {
            finished = &mut wait => {
                finished?;
                break;
            }
            received = live.recv() => print(&*received?)?,
        }
    }
    // Everything was emitted before the task ended, so it is queued here.
    while let Ok(entry) = live.try_recv() {
        print(&entry)?;
    }
    manager.shutdown().await?;
    Ok(())
}
