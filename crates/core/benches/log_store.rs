//! The log store at scale: one task of 1,000,000 realistic entries.
//!
//! Run with `cargo bench -p taskdeck-core --bench log_store` (add `-- N` for
//! another entry count). It prints figures, never asserts them:
//!
//! - **ingest** through TaskLogger → buffer → flusher → store (until the
//!   task is reported finished, i.e. every entry durable), against a
//!   baseline that inserts the same rows into the same schema with raw,
//!   prepared, multi-row sqlx `INSERT`s, one transaction per batch, in the
//!   same process;
//! - **emit cost** per entry (p50, p99, max), the time the task itself
//!   spends logging;
//! - **reads** on the 1,000,000-entry task: first page, a deep page, the
//!   last page, level+source filtered pages (first and deep), full-text
//!   search for a rare and a common word, stats and sources (median of
//!   repeated runs), each against the same SQL run by hand on a plain
//!   blocking connection (rusqlite) to the same file, rows decoded, in the
//!   same process: the ratio is what the async pool, the filter's
//!   resolution and the IPC types cost on top of SQLite.

// A benchmark has no one to report an error to: any failure aborts it.
#![allow(clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sqlx;
use serde_json::{Map, Value, json};
use taskdeck_core::store::logs::bulk::{self, BulkReader};
use taskdeck_core::{
    CoreError, DataDir, ManagerConfig, Plugin, PluginRegistry, Store, TaskContext, TaskManager,
    TaskRepository,
};
use taskdeck_protocol::{LogFilter, LogLevel, Order, ParamSchema, PluginInfo, RunTaskRequest};

const SOURCES: [&str; 8] = [
    "http",
    "http.client",
    "db",
    "db.pool",
    "cache",
    "worker",
    "worker.queue",
    "scheduler",
];
const RARE_WORD: &str = "kraken";
const COMMON_WORD: &str = "request";

/// One generated entry.
struct Row {
    level: LogLevel,
    source: usize,
    message: String,
    metadata: Option<Map<String, Value>>,
}

/// Deterministic, realistic rows: INFO-heavy, 2 % errors, eight sources,
/// metadata on one in ten, the rare word in 1 of 100,000.
fn rows(count: u64) -> Vec<Row> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|index| {
            let random = next();
            let level = match random % 100 {
                0..=1 => LogLevel::Error,
                2..=9 => LogLevel::Warning,
                10..=39 => LogLevel::Debug,
                _ => LogLevel::Info,
            };
            let source = (random >> 8) as usize % SOURCES.len();
            let id = random >> 20;
            let message = if index % 100_000 == 77 {
                format!("unexpected {RARE_WORD} in payload of job {id}")
            } else {
                match (random >> 12) % 5 {
                    0 => format!(
                        "GET /api/v1/items/{} 200 in {} ms (request {id})",
                        id % 10_000,
                        id % 900
                    ),
                    1 => format!(
                        "copied photos/{}/img_{}.jpg ({} bytes)",
                        id % 30,
                        id % 9999,
                        id % 5_000_000
                    ),
                    2 => format!(
                        "retrying connection to db-{} after timeout ({} attempts)",
                        id % 4,
                        id % 5
                    ),
                    3 => format!(
                        "cache miss for key user:{}:profile, loading from store",
                        id % 100_000
                    ),
                    _ => format!(
                        "job {id} finished: {} items processed, {} skipped",
                        id % 500,
                        id % 7
                    ),
                }
            };
            let metadata = (index % 10 == 0)
                .then(|| json!({ "job": id, "attempt": id % 5 }).as_object().cloned())
                .flatten();
            Row {
                level,
                source,
                message,
                metadata,
            }
        })
        .collect()
}

/// Emits the rows it is given, timing each emit.
struct Firehose {
    rows: Mutex<Option<Vec<Row>>>,
    emit_nanos: Arc<Mutex<Vec<u32>>>,
}

#[async_trait::async_trait]
impl Plugin for Firehose {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            id: "firehose".into(),
            name: "Firehose".into(),
            description: "Benchmark plugin".into(),
            params: ParamSchema::default(),
        }
    }

    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError> {
        let rows = self
            .rows
            .lock()
            .map_err(|_| CoreError::PluginFailed("poisoned".into()))?
            .take()
            .unwrap_or_default();
        let loggers: Vec<_> = SOURCES
            .iter()
            .map(|source| {
                let mut logger = ctx.logger().clone();
                for part in source.split('.') {
                    logger = logger.child(part);
                }
                logger
            })
            .collect();
        let mut nanos = Vec::with_capacity(rows.len());
        for row in rows {
            let logger = &loggers[row.source];
            let started = Instant::now();
            match row.metadata {
                Some(metadata) => logger.log_with(row.level, row.message, metadata),
                None => logger.log(row.level, row.message),
            };
            nanos.push(started.elapsed().as_nanos().min(u128::from(u32::MAX)) as u32);
        }
        *self
            .emit_nanos
            .lock()
            .map_err(|_| CoreError::PluginFailed("poisoned".into()))? = nanos;
        Ok(Value::Null)
    }
}

async fn open(dir: &std::path::Path) -> Store {
    Store::open(DataDir::resolve(Some(dir)).expect("data dir"))
        .await
        .expect("store")
}

/// Raw sqlx: same rows, same schema, prepared multi-row INSERTs, one
/// transaction per `batch` rows. Returns entries per second.
async fn baseline(count: u64, batch: usize) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    let task = TaskRepository::new(&store)
        .create("baseline", &Map::new(), "bench")
        .await
        .expect("task");
    let rows = rows(count);
    let timestamps: Vec<i64> = (0..count as i64)
        .map(|index| 1_764_000_000_000 + index)
        .collect();
    let metadata: Vec<Option<String>> = rows
        .iter()
        .map(|row| {
            row.metadata
                .as_ref()
                .map(|map| Value::Object(map.clone()).to_string())
        })
        .collect();
    let pool = store.connection().get_sqlite_connection_pool();
    const PER_STATEMENT: usize = 256;
    let sql = |rows: usize| {
        let mut sql = String::from(
            "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message, metadata) VALUES ",
        );
        sql.push_str(&vec!["(?,?,?,?,?,?,?,?)"; rows].join(","));
        sql
    };
    let full = sql(PER_STATEMENT);
    let started = Instant::now();
    let indexes: Vec<usize> = (0..rows.len()).collect();
    for transaction_rows in indexes.chunks(batch) {
        let mut transaction = pool.begin().await.expect("begin");
        for statement_rows in transaction_rows.chunks(PER_STATEMENT) {
            let text = if statement_rows.len() == PER_STATEMENT {
                full.clone()
            } else {
                sql(statement_rows.len())
            };
            // Built from constants only: no data in the SQL text.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
            for &index in statement_rows {
                let seq = index as i64 + 1;
                let row = &rows[index];
                query = query
                    .bind((task.key << 32) + seq)
                    .bind(task.key)
                    .bind(seq)
                    .bind(timestamps[index])
                    .bind(row.level as i32)
                    .bind(SOURCES[row.source])
                    .bind(row.message.as_str())
                    .bind(metadata[index].as_deref());
            }
            query.execute(&mut *transaction).await.expect("insert");
        }
        transaction.commit().await.expect("commit");
    }
    count as f64 / started.elapsed().as_secs_f64()
}

struct Ours {
    _dir: tempfile::TempDir,
    manager: TaskManager,
    task_id: String,
    rate: f64,
    emit_nanos: Vec<u32>,
    emit_loop: Duration,
}

async fn ours(count: u64) -> Ours {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    let emit_nanos = Arc::new(Mutex::new(Vec::new()));
    let mut plugins = PluginRegistry::builtin();
    plugins.register(Arc::new(Firehose {
        rows: Mutex::new(Some(rows(count))),
        emit_nanos: Arc::clone(&emit_nanos),
    }));
    let manager = TaskManager::start(store, plugins, ManagerConfig::default())
        .await
        .expect("manager");
    let started = Instant::now();
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: "firehose".into(),
            params: Map::new(),
        })
        .await
        .expect("run");
    let finished = manager.wait(&task.id).await.expect("wait");
    let elapsed = started.elapsed();
    assert_eq!(finished.counts.total(), count + 2, "entries went missing");
    let emit_nanos = std::mem::take(&mut *emit_nanos.lock().expect("nanos"));
    let emit_loop = Duration::from_nanos(emit_nanos.iter().map(|&nanos| u64::from(nanos)).sum());
    Ours {
        _dir: dir,
        manager,
        task_id: task.id,
        rate: (count + 2) as f64 / elapsed.as_secs_f64(),
        emit_nanos,
        emit_loop,
    }
}

/// Runs `sql` with the task key by hand and reads every column of every
/// row as text; returns the row count.
fn hand_rows(connection: &rusqlite::Connection, sql: &str, key: i64) -> usize {
    let mut statement = connection.prepare(sql).expect("prepare");
    let columns = statement.column_count();
    let mut rows = statement.query([key]).expect("query");
    let mut count = 0;
    while let Some(row) = rows.next().expect("row") {
        for column in 0..columns {
            let _: rusqlite::types::Value = row.get(column).expect("value");
        }
        count += 1;
    }
    count
}

/// Median time of `runs` runs of `query`, and what the last run returned.
async fn median<F, Fut>(runs: usize, mut query: F) -> (Duration, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        size = query().await;
        times.push(started.elapsed());
    }
    times.sort();
    (times[runs / 2], size)
}

fn percentile(sorted: &[u32], fraction: f64) -> u32 {
    sorted[((sorted.len() as f64 - 1.0) * fraction).round() as usize]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let count: u64 = std::env::args()
        .skip(1)
        .find_map(|argument| argument.parse().ok())
        .unwrap_or(1_000_000);
    let batch = ManagerConfig::default().flush.max_batch;
    println!("log_store benchmark: one task of {count} entries, flush batch {batch}\n");

    let base = baseline(count, batch).await;
    let ours = ours(count).await;
    let mut sorted = ours.emit_nanos.clone();
    sorted.sort_unstable();
    println!("ingest");
    println!("  baseline (raw sqlx, prepared multi-row, 1 tx per {batch}): {base:>10.0} entries/s");
    println!(
        "  TaskLogger -> flusher -> store (until durable):   {:>10.0} entries/s",
        ours.rate
    );
    println!("  ratio to baseline: {:.2}", ours.rate / base);
    println!(
        "  emit cost per entry: p50 {} ns, p99 {} ns, max {} µs; the task spent {} logging {count} entries",
        percentile(&sorted, 0.50),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or_default() / 1000,
        millis(ours.emit_loop)
    );

    let manager = &ours.manager;
    let task_id = ours.task_id.as_str();
    let runs = 21;
    let page = |filter: LogFilter| async move {
        manager
            .query_logs(task_id, &filter)
            .await
            .expect("query")
            .entries
            .len()
    };
    let deep = count.saturating_sub(1000);
    let cases: Vec<(&str, LogFilter)> = vec![
        ("first page (500)", LogFilter::default()),
        (
            "deep page (500 after seq count-1000)",
            LogFilter {
                after_seq: Some(deep),
                ..LogFilter::default()
            },
        ),
        (
            "last page, newest first",
            LogFilter {
                order: Order::Descending,
                ..LogFilter::default()
            },
        ),
        (
            "ERROR from db (+children), first page",
            LogFilter {
                levels: vec![LogLevel::Error],
                sources: vec!["firehose.db".into()],
                ..LogFilter::default()
            },
        ),
        (
            "ERROR from db (+children), deep page",
            LogFilter {
                levels: vec![LogLevel::Error],
                sources: vec!["firehose.db".into()],
                after_seq: Some(count * 9 / 10),
                ..LogFilter::default()
            },
        ),
        (
            "WARNING+ from worker.queue, newest first",
            LogFilter {
                min_level: Some(LogLevel::Warning),
                sources: vec!["firehose.worker.queue".into()],
                order: Order::Descending,
                ..LogFilter::default()
            },
        ),
        (
            "search rare word",
            LogFilter {
                search: Some(RARE_WORD.into()),
                ..LogFilter::default()
            },
        ),
        (
            "search common word",
            LogFilter {
                search: Some(COMMON_WORD.into()),
                ..LogFilter::default()
            },
        ),
        (
            "search common word + ERROR, deep",
            LogFilter {
                search: Some(COMMON_WORD.into()),
                levels: vec![LogLevel::Error],
                after_seq: Some(count / 2),
                ..LogFilter::default()
            },
        ),
    ];
    // The baseline: the same statements on a plain blocking connection.
    let store = manager.store();
    let identity = TaskRepository::new(store)
        .identity(task_id)
        .await
        .expect("identity");
    let by_hand = BulkReader::begin(store.reads().open().expect("connection")).expect("reader");
    let plain = rusqlite::Connection::open_with_flags(
        store.data_dir().database_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("plain connection");
    println!(
        "\nreads on the {count}-entry task (median of {runs}): Taskdeck | same SQL by hand | ratio"
    );
    let row = |name: &str, ours: Duration, hand: Duration, what: String| {
        println!(
            "  {name:<44} {:>10} {:>10} {:>6.2}x  ({what})",
            millis(ours),
            millis(hand),
            ours.as_secs_f64() / hand.as_secs_f64()
        );
    };
    for (name, filter) in cases {
        let (time, size) = median(runs, || page(filter.clone())).await;
        let pairs = bulk::matching_pairs(by_hand.connection(), &identity, &filter).expect("pairs");
        let (hand, _) = median(runs, || {
            let page = by_hand
                .read_page(&identity, &filter, pairs.as_ref())
                .expect("page by hand");
            std::future::ready(page.entries.len())
        })
        .await;
        row(name, time, hand, format!("{size} entries"));
    }
    let (time, size) = median(runs, || async {
        manager
            .log_stats(task_id)
            .await
            .expect("stats")
            .sources
            .len()
    })
    .await;
    let (hand, _) = median(runs, || {
        std::future::ready(hand_rows(
            &plain,
            "SELECT source, level, count, first_ts, last_ts FROM task_log_stats \
             WHERE task_key = ? ORDER BY source, level",
            identity.key,
        ))
    })
    .await;
    row("stats", time, hand, format!("{size} sources"));
    let (time, size) = median(runs, || async {
        manager.log_sources(task_id).await.expect("sources").len()
    })
    .await;
    let (hand, _) = median(runs, || {
        std::future::ready(hand_rows(
            &plain,
            "SELECT DISTINCT source FROM task_log_stats WHERE task_key = ? ORDER BY source",
            identity.key,
        ))
    })
    .await;
    row("sources", time, hand, format!("{size} sources"));
    manager.shutdown().await.expect("shutdown");
}
