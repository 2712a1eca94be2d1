//! Writing a batch of entries: the rows, and in the same transaction the
//! aggregates that keep stats and per-level task counts current.
//!
//! Cost model: rows go in multi-row `INSERT`s of [`ROWS_PER_STATEMENT`]
//! (one prepared statement, reused from the connection's statement cache);
//! the aggregates cost one upsert per distinct (task, source, level) and
//! per distinct (task, second, level) in the batch and one `UPDATE` per
//! task — a handful per batch, whatever its size. Sections cost one
//! multi-row insert for those the batch opens and one `UPDATE … FROM` for
//! those its entries lie in or that closed; entries outside sections cost
//! nothing there. The substring index is not fed here: one upsert per task marks
//! where its unindexed entries start, and the indexer catches up behind
//! (see [`super::search_index`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use taskdeck_protocol::{LevelCounts, StyleSpan};

use super::record::{LogRecord, level_code};

/// Rows per `INSERT` statement: 9 parameters each, well under SQLite's
/// limit of 32,766 parameters per statement.
pub const ROWS_PER_STATEMENT: usize = 256;

const COLUMNS: usize = 9;

static FULL_INSERT: LazyLock<String> = LazyLock::new(|| insert_sql(ROWS_PER_STATEMENT));

fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO task_logs (id, task_key, seq, ts, level, source, message, metadata, styles) \
         VALUES {}",
        placeholders(rows, COLUMNS)
    )
}

/// Inserts `records` and updates the aggregates. Run it inside a
/// transaction: the rows and their aggregates must land together.
pub async fn insert_records<C: ConnectionTrait>(
    connection: &C,
    records: &[LogRecord],
) -> Result<(), DbErr> {
    let backend = connection.get_database_backend();
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let sql = if chunk.len() == ROWS_PER_STATEMENT {
            FULL_INSERT.clone()
        } else {
            insert_sql(chunk.len())
        };
        let mut values = Vec::with_capacity(chunk.len() * COLUMNS);
        for record in chunk {
            values.push(Value::BigInt(Some(record.id())));
            values.push(Value::BigInt(Some(record.task.key)));
            values.push(Value::BigInt(Some(record.seq as i64)));
            values.push(Value::BigInt(Some(record.timestamp_ms)));
            values.push(Value::Int(Some(level_code(record.level))));
            values.push(Value::String(Some(record.source.to_string())));
            values.push(Value::String(Some(record.message.clone())));
            values.push(Value::String(record.metadata.as_ref().map(|metadata| {
                serde_json::Value::Object(metadata.clone()).to_string()
            })));
            values.push(Value::String(encode_styles(&record.styles)));
        }
        connection
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    update_aggregates(connection, records).await?;
    update_sections(connection, records).await
}

/// The `styles` column of an entry: its spans as JSON, `NULL` for plain
/// text (most entries, which then cost nothing).
fn encode_styles(styles: &[StyleSpan]) -> Option<String> {
    if styles.is_empty() {
        return None;
    }
    serde_json::to_string(styles).ok()
}

struct Aggregate {
    count: i64,
    first_ts: i64,
    last_ts: i64,
}

/// The entries of one second and level of a task (`task_log_timeline`).
struct Slot {
    count: i64,
    first_seq: u64,
    last_seq: u64,
}

async fn update_aggregates<C: ConnectionTrait>(
    connection: &C,
    records: &[LogRecord],
) -> Result<(), DbErr> {
    let backend = connection.get_database_backend();
    let mut per_source: HashMap<(i64, &str, i32), Aggregate> = HashMap::new();
    let mut per_task: HashMap<i64, LevelCounts> = HashMap::new();
    let mut first_seq: HashMap<i64, u64> = HashMap::new();
    let mut per_second: HashMap<(i64, i64, i32), Slot> = HashMap::new();
    for record in records {
        let slot = per_second
            .entry((
                record.task.key,
                record.timestamp_ms / 1000,
                level_code(record.level),
            ))
            .or_insert(Slot {
                count: 0,
                first_seq: record.seq,
                last_seq: record.seq,
            });
        slot.count += 1;
        slot.first_seq = slot.first_seq.min(record.seq);
        slot.last_seq = slot.last_seq.max(record.seq);
        let key = (record.task.key, &*record.source, level_code(record.level));
        let aggregate = per_source.entry(key).or_insert(Aggregate {
            count: 0,
            first_ts: record.timestamp_ms,
            last_ts: record.timestamp_ms,
        });
        aggregate.count += 1;
        aggregate.first_ts = aggregate.first_ts.min(record.timestamp_ms);
        aggregate.last_ts = aggregate.last_ts.max(record.timestamp_ms);
        first_seq
            .entry(record.task.key)
            .and_modify(|seq| *seq = (*seq).min(record.seq))
            .or_insert(record.seq);
        per_task
            .entry(record.task.key)
            .or_default()
            .add(record.level, 1);
    }
    for ((task_key, source, level), aggregate) in per_source {
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO task_log_stats (task_key, source, level, count, first_ts, last_ts) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (task_key, source, level) DO UPDATE SET \
                 count = count + excluded.count, \
                 first_ts = min(first_ts, excluded.first_ts), \
                 last_ts = max(last_ts, excluded.last_ts)",
                [
                    Value::BigInt(Some(task_key)),
                    Value::String(Some(source.to_owned())),
                    Value::Int(Some(level)),
                    Value::BigInt(Some(aggregate.count)),
                    Value::BigInt(Some(aggregate.first_ts)),
                    Value::BigInt(Some(aggregate.last_ts)),
                ],
            ))
            .await?;
    }
    for ((task_key, second, level), slot) in per_second {
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO task_log_timeline (task_key, second, level, count, first_seq, last_seq) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (task_key, second, level) DO UPDATE SET \
                 count = count + excluded.count, \
                 first_seq = min(first_seq, excluded.first_seq), \
                 last_seq = max(last_seq, excluded.last_seq)",
                [
                    Value::BigInt(Some(task_key)),
                    Value::BigInt(Some(second)),
                    Value::Int(Some(level)),
                    Value::BigInt(Some(slot.count)),
                    Value::BigInt(Some(slot.first_seq as i64)),
                    Value::BigInt(Some(slot.last_seq as i64)),
                ],
            ))
            .await?;
    }
    for (task_key, seq) in first_seq {
        // A task without a backlog row has every stored entry indexed, so
        // the unindexed ones start at this batch's first.
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO task_search_backlog (task_key, indexed_seq) VALUES (?, ?) \
                 ON CONFLICT (task_key) DO NOTHING",
                [
                    Value::BigInt(Some(task_key)),
                    Value::BigInt(Some(seq.saturating_sub(1) as i64)),
                ],
            ))
            .await?;
    }
    for (task_key, counts) in per_task {
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE tasks SET debug_count = debug_count + ?, info_count = info_count + ?, \
                 warning_count = warning_count + ?, error_count = error_count + ? WHERE key = ?",
                [
                    Value::BigInt(Some(counts.debug as i64)),
                    Value::BigInt(Some(counts.info as i64)),
                    Value::BigInt(Some(counts.warning as i64)),
                    Value::BigInt(Some(counts.error as i64)),
                    Value::BigInt(Some(task_key)),
                ],
            ))
            .await?;
    }
    Ok(())
}

/// Keeps `task_log_sections` current: the sections the batch opens (one
/// multi-row insert), then for every section its entries lie in (nested
/// ones count for each section around them) or that closed, its entries
/// per level, last `seq` and end (one `UPDATE … FROM` over the changes):
/// a couple of statements per batch, however many sections it touches.
async fn update_sections<C: ConnectionTrait>(
    connection: &C,
    records: &[LogRecord],
) -> Result<(), DbErr> {
    let backend = connection.get_database_backend();
    let mut opened: Vec<Value> = Vec::new();
    // (task, section) → counts, last seq, end.
    let mut changes: HashMap<(i64, u32), (LevelCounts, u64, Option<i64>)> = HashMap::new();
    for record in records {
        let path = record.section.ids();
        if record.section.opens()
            && let Some((&id, outer)) = path.split_last()
        {
            opened.extend([
                Value::BigInt(Some(record.task.key)),
                Value::BigInt(Some(i64::from(id))),
                Value::BigInt(outer.last().map(|&parent| i64::from(parent))),
                Value::String(Some(record.message.clone())),
                Value::BigInt(Some(record.seq as i64)),
                Value::BigInt(Some(record.seq as i64)),
                Value::BigInt(Some(record.timestamp_ms)),
            ]);
        }
        for &id in path {
            let (counts, last, _) = changes.entry((record.task.key, id)).or_insert((
                LevelCounts::default(),
                record.seq,
                None,
            ));
            counts.add(record.level, 1);
            *last = (*last).max(record.seq);
        }
        for &(id, ended_ms) in record.section.closes() {
            changes
                .entry((record.task.key, id))
                .or_insert((LevelCounts::default(), 0, None))
                .2 = Some(ended_ms);
        }
    }
    for rows in opened.chunks(7 * SECTION_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO task_log_sections \
             (task_key, id, parent, title, start_seq, end_seq, started_ms) VALUES {} \
             ON CONFLICT (task_key, id) DO NOTHING",
            placeholders(rows.len() / 7, 7)
        );
        connection
            .execute_raw(Statement::from_sql_and_values(backend, sql, rows.to_vec()))
            .await?;
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .flat_map(|((task_key, id), (counts, last, ended))| {
            [
                Value::BigInt(Some(task_key)),
                Value::BigInt(Some(i64::from(id))),
                Value::BigInt(Some(counts.debug as i64)),
                Value::BigInt(Some(counts.info as i64)),
                Value::BigInt(Some(counts.warning as i64)),
                Value::BigInt(Some(counts.error as i64)),
                Value::BigInt(Some(last as i64)),
                Value::BigInt(ended),
            ]
        })
        .collect();
    for rows in changes.chunks(8 * SECTION_ROWS_PER_STATEMENT) {
        let sql = format!(
            "WITH change (task_key, id, debug, info, warning, error, last, ended) AS \
             (VALUES {}) \
             UPDATE task_log_sections SET debug_count = debug_count + change.debug, \
             info_count = info_count + change.info, \
             warning_count = warning_count + change.warning, \
             error_count = error_count + change.error, \
             end_seq = max(end_seq, change.last), \
             ended_ms = coalesce(change.ended, ended_ms) \
             FROM change \
             WHERE task_log_sections.task_key = change.task_key \
             AND task_log_sections.id = change.id",
            placeholders(rows.len() / 8, 8)
        );
        connection
            .execute_raw(Statement::from_sql_and_values(backend, sql, rows.to_vec()))
            .await?;
    }
    Ok(())
}

/// Sections per statement of [`update_sections`]: 8 parameters each, well
/// under SQLite's limit of 32,766 parameters per statement.
const SECTION_ROWS_PER_STATEMENT: usize = 1_000;

/// `(?,?,…),(?,?,…)…`: `rows` tuples of `columns` placeholders.
fn placeholders(rows: usize, columns: usize) -> String {
    let tuple = format!("({})", vec!["?"; columns].join(","));
    vec![tuple; rows].join(",")
}
