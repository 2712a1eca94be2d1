//! The substring index behind searches, and how a search becomes SQL.
//!
//! `task_logs_search` is a contentless FTS5 table with the trigram
//! tokenizer (case folded, `detail=none`): for any text of three
//! characters or more, the rows holding all of its trigrams are a small
//! superset of the rows containing it. Every candidate is then checked with
//! the search's own [`SearchMatcher`] (the `taskdeck_matches` SQL function
//! on the read connections), so what is found is exactly what the matcher
//! says — in pages, counts, the live stream and exports alike.
//!
//! The index is filled behind the durable write, not in its transaction:
//! trigrams cost several times a message's words, and a program that
//! prints fast must not wait for them. The writer records, per task, the
//! last `seq` already indexed (`task_search_backlog`, a row only while a
//! task has entries waiting); [`index_next`] indexes the oldest waiting
//! rows in chunks, in a write transaction of its own, from whichever
//! process runs an engine. A search reads the indexed part through the
//! index and the unindexed tail by scanning it, so its results are always
//! complete. Searches too short for a trigram (one or two characters),
//! regexes and `NOT`-only expressions scan the task's rows.

use std::sync::Arc;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait, Value};
use taskdeck_protocol::{LogFilter, SearchMatcher, SearchMode, SearchQuery};

use super::record::{MAX_SEQ, TaskIdentity, entry_id};
use crate::CoreError;
use crate::ansi;

pub use self::candidates::candidates;
pub use self::compiled::filter_matcher;

mod candidates;
mod compiled;

/// The SQL function that checks a message against a search:
/// `taskdeck_matches(message, spec)`, with `spec` from [`encode_spec`].
pub const MATCHES_FUNCTION: &str = "taskdeck_matches";

/// How a search runs against one task: the verifying spec, the candidate
/// expression for the index (if the search has one), and up to which
/// `seq` the task's rows are indexed.
#[derive(Debug, Clone)]
pub struct SearchSql {
    /// The `spec` argument of [`MATCHES_FUNCTION`].
    pub spec: String,
    /// An FTS5 expression over trigrams selecting a superset of the
    /// matching rows, or `None` when the index cannot narrow the search.
    pub candidates: Option<String>,
    /// Rows up to this `seq` are in the index; later ones are scanned.
    pub indexed_through: u64,
}

impl SearchSql {
    /// The plan for `filter`'s search over `task`, or `None` without one.
    pub fn for_filter(
        connection: &Connection,
        task: &TaskIdentity,
        filter: &LogFilter,
    ) -> Result<Option<Self>, CoreError> {
        let Some(matcher) = filter_matcher(filter)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            spec: encode_spec(matcher.query()),
            candidates: candidates(&matcher),
            indexed_through: indexed_through(connection, task)?,
        }))
    }
}

/// Up to which `seq` `task`'s rows are in the index: everything unless the
/// task has a backlog row.
pub fn indexed_through(connection: &Connection, task: &TaskIdentity) -> Result<u64, CoreError> {
    let waiting: Option<i64> = connection
        .prepare_cached("SELECT indexed_seq FROM task_search_backlog WHERE task_key = ?")
        .and_then(|mut statement| statement.query_row([task.key], |row| row.get(0)).optional())?;
    Ok(waiting.map_or(MAX_SEQ, |seq| u64::try_from(seq).unwrap_or(0)))
}

/// The search as one text argument: its mode, its case rule, its text.
pub fn encode_spec(query: &SearchQuery) -> String {
    let mode = match query.mode {
        SearchMode::Text => 't',
        SearchMode::Operators => 'o',
        SearchMode::Regex => 'r',
    };
    let case = if query.case_sensitive { 'C' } else { 'i' };
    format!("{mode}{case}{}", query.text)
}

/// The query a spec from [`encode_spec`] stands for.
fn decode_spec(spec: &str) -> Option<SearchQuery> {
    let mut chars = spec.chars();
    let mode = match chars.next()? {
        't' => SearchMode::Text,
        'o' => SearchMode::Operators,
        'r' => SearchMode::Regex,
        _ => return None,
    };
    let case_sensitive = chars.next()? == 'C';
    Some(SearchQuery {
        text: chars.as_str().to_owned(),
        mode,
        case_sensitive,
    })
}

/// Adds [`MATCHES_FUNCTION`] to a read connection. The search is compiled
/// once per statement (SQLite keeps it beside the constant argument).
pub fn register_matches_function(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        MATCHES_FUNCTION,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context: &Context<'_>| {
            let matcher: Arc<Arc<SearchMatcher>> = context.get_or_create_aux(1, |spec| {
                let spec = spec.as_str().map_err(|error| error.to_string())?;
                let query = decode_spec(spec).ok_or("a malformed search spec")?;
                compiled::query_matcher(&query)
            })?;
            let message = context.get_raw(0).as_str().unwrap_or("");
            // A row stored before escape sequences were parsed at emit is
            // searched as the text it shows.
            if ansi::needs_parsing(message) {
                return Ok(matcher.is_match(&ansi::parse(message.to_owned()).text));
            }
            Ok(matcher.is_match(message))
        },
    )
}

/// What one call of [`index_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexStep {
    /// No task has entries waiting.
    Idle,
    /// This many entries were indexed (possibly none, when another process
    /// took the task first); call again.
    Indexed(u64),
}

/// Indexes up to `max_rows` waiting entries of one task, in a write
/// transaction taken before the backlog is read, so that two processes
/// never index the same rows.
pub async fn index_next(
    connection: &DatabaseConnection,
    max_rows: u64,
) -> Result<IndexStep, DbErr> {
    let backend = connection.get_database_backend();
    let waiting = connection
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT task_key FROM task_search_backlog LIMIT 1",
        ))
        .await?;
    let Some(row) = waiting else {
        return Ok(IndexStep::Idle);
    };
    let task_key: i64 = row.try_get_by_index(0)?;
    let transaction = connection
        .begin_with_options(super::write_transaction())
        .await?;
    let indexed = transaction
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT indexed_seq FROM task_search_backlog WHERE task_key = ?",
            [Value::BigInt(Some(task_key))],
        ))
        .await?;
    let Some(indexed) = indexed else {
        transaction.commit().await?;
        return Ok(IndexStep::Indexed(0));
    };
    let indexed_seq: i64 = indexed.try_get_by_index(0)?;
    let from = entry_id(task_key, u64::try_from(indexed_seq).unwrap_or(0));
    let end = entry_id(task_key, MAX_SEQ + 1);
    let chunk = transaction
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT count(*), max(id) FROM (SELECT id FROM task_logs WHERE id > ? AND id < ? \
             ORDER BY id LIMIT ?)",
            [
                Value::BigInt(Some(from)),
                Value::BigInt(Some(end)),
                Value::BigInt(Some(max_rows as i64)),
            ],
        ))
        .await?;
    let (rows, last): (i64, Option<i64>) = match chunk {
        Some(chunk) => (chunk.try_get_by_index(0)?, chunk.try_get_by_index(1)?),
        None => (0, None),
    };
    if let Some(last) = last {
        index_rows(&transaction, from, last).await?;
    }
    let caught_up = (rows as u64) < max_rows;
    let record = match (caught_up, last) {
        (false, Some(last)) => Statement::from_sql_and_values(
            backend,
            "UPDATE task_search_backlog SET indexed_seq = ? WHERE task_key = ?",
            [
                Value::BigInt(Some(last & i64::from(u32::MAX))),
                Value::BigInt(Some(task_key)),
            ],
        ),
        // Everything present is indexed: the row goes, and the next write
        // for this task puts it back from that write's first entry.
        _ => Statement::from_sql_and_values(
            backend,
            "DELETE FROM task_search_backlog WHERE task_key = ?",
            [Value::BigInt(Some(task_key))],
        ),
    };
    transaction.execute_raw(record).await?;
    transaction.commit().await?;
    Ok(IndexStep::Indexed(rows as u64))
}

/// A message holding what [`ansi::needs_parsing`] looks for (`GLOB`
/// pattern): only rows stored before escape sequences were parsed at emit.
const RAW_TERMINAL_TEXT: &str = "*[\x1b\r\x08]*";

/// Indexes the rows with `from < id <= last`: in one statement, but for
/// rows stored with raw escape sequences (before they were parsed at
/// emit), whose text as shown is indexed instead.
async fn index_rows<C: ConnectionTrait>(connection: &C, from: i64, last: i64) -> Result<(), DbErr> {
    let backend = connection.get_database_backend();
    let range = |pattern: &str| {
        vec![
            Value::BigInt(Some(from)),
            Value::BigInt(Some(last)),
            Value::String(Some(pattern.to_owned())),
        ]
    };
    connection
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO task_logs_search (rowid, message) \
             SELECT id, message FROM task_logs WHERE id > ? AND id <= ? AND NOT message GLOB ?",
            range(RAW_TERMINAL_TEXT),
        ))
        .await?;
    let raw = connection
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT id, message FROM task_logs WHERE id > ? AND id <= ? AND message GLOB ?",
            range(RAW_TERMINAL_TEXT),
        ))
        .await?;
    for row in raw {
        let id: i64 = row.try_get_by_index(0)?;
        let message: String = row.try_get_by_index(1)?;
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO task_logs_search (rowid, message) VALUES (?, ?)",
                [
                    Value::BigInt(Some(id)),
                    Value::String(Some(ansi::parse(message).text)),
                ],
            ))
            .await?;
    }
    Ok(())
}

/// How many stored entries wait for the index (for progress: a database
/// migrated from the word index starts with all of them waiting).
pub async fn waiting_entries<C: ConnectionTrait>(connection: &C) -> Result<u64, DbErr> {
    let row = connection
        .query_one_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT coalesce(sum(coalesce((SELECT max(seq) FROM task_logs \
             WHERE id > (b.task_key << 32) AND id < ((b.task_key + 1) << 32)), 0) \
             - b.indexed_seq), 0) FROM task_search_backlog b",
        ))
        .await?;
    let waiting: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(waiting).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip() {
        for mode in [SearchMode::Text, SearchMode::Operators, SearchMode::Regex] {
            for case_sensitive in [false, true] {
                let query = SearchQuery {
                    text: "a \"b\" ü".to_owned(),
                    mode,
                    case_sensitive,
                };
                assert_eq!(decode_spec(&encode_spec(&query)), Some(query));
            }
        }
    }
}
