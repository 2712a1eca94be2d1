//! Search across runs on a blocking connection: which tasks, newest first,
//! hold an entry that a search (with its level, source and time
//! conditions, and the tasks' status and plugin) matches; then, for each,
//! its count and first matches read by the task's own search
//! ([`super::bulk`]), so a group shows exactly what opening the task and
//! searching it shows.
//!
//! Finding the next task is one statement: entry ids are
//! `task key << 32 | seq`, so walking the trigram index's candidates (or,
//! for a search it cannot narrow, the table) by id downwards from below
//! the last task found meets the newest remaining task's matches first,
//! and `LIMIT 1` stops there — a task's other matches are never read.
//! Entries not yet in the index (`task_search_backlog`) are looked at
//! task by task, as a task's own search scans its unindexed tail.
//!
//! Cost model: per task found, one index walk to its newest match plus
//! one probe per task with unindexed entries; then the task's count
//! (capped) and one page of its matches.

use rusqlite::{Connection, OptionalExtension};
use sea_orm::Value;
use taskdeck_protocol::{LogCount, LogEntry, LogFilter, LogLevel, Order, TaskStatus};

use super::bulk;
use super::query::TimeBounds;
use super::record::{MAX_SEQ, TaskIdentity, entry_id, level_code};
use super::rows::parameters;
use super::search_index::{MATCHES_FUNCTION, candidates, encode_spec, filter_matcher};
use crate::CoreError;

/// Which tasks a search across runs looks in.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunScope<'a> {
    /// Only tasks with one of these statuses (empty: any).
    pub statuses: &'a [TaskStatus],
    /// Only tasks of this plugin.
    pub plugin_id: Option<&'a str>,
}

/// A task with matches.
#[derive(Debug)]
pub struct FoundRun {
    /// The task.
    pub task: TaskIdentity,
    /// How many of its entries match.
    pub count: LogCount,
    /// Its first matches, with their context.
    pub hits: Vec<LogEntry>,
}

/// One page of tasks with matches.
#[derive(Debug)]
pub struct FoundRuns {
    /// Newest first.
    pub runs: Vec<FoundRun>,
    /// Older tasks may have matches: the key to continue below.
    pub continue_below: Option<i64>,
}

/// The conditions on an entry (`l`) and its task (`t`) beside the search,
/// as SQL appended to a `WHERE`, with their values.
struct Conditions {
    sql: String,
    values: Vec<Value>,
    /// Whether they name the task's columns (the statement joins `tasks`).
    on_task: bool,
}

impl Conditions {
    /// `None` when the conditions select no entry at all (levels that
    /// exclude one another).
    fn of(filter: &LogFilter, scope: RunScope<'_>) -> Option<Conditions> {
        let mut sql = String::new();
        let mut values = Vec::new();
        let levels: Vec<i32> = LogLevel::ALL
            .into_iter()
            .filter(|level| filter.matches_level(*level))
            .map(level_code)
            .collect();
        if levels.is_empty() {
            return None;
        }
        if levels.len() < LogLevel::ALL.len() {
            let marks = vec!["?"; levels.len()].join(", ");
            sql.push_str(&format!(" AND l.level IN ({marks})"));
            values.extend(levels.into_iter().map(|code| Value::Int(Some(code))));
        }
        if !filter.sources.is_empty() {
            // A source, or a dotted child of it (`git` holds `git.stderr`).
            let arms: Vec<&str> = filter
                .sources
                .iter()
                .map(|source| {
                    let parent = format!("{source}.");
                    values.push(Value::String(Some(source.clone())));
                    values.push(Value::BigInt(Some(parent.chars().count() as i64)));
                    values.push(Value::String(Some(parent)));
                    "l.source = ? OR substr(l.source, 1, ?) = ?"
                })
                .collect();
            sql.push_str(&format!(" AND ({})", arms.join(" OR ")));
        }
        TimeBounds::of(filter).push_conditions("l.ts", &mut sql, &mut values);
        let mut on_task = false;
        if !scope.statuses.is_empty() {
            let marks = vec!["?"; scope.statuses.len()].join(", ");
            sql.push_str(&format!(" AND t.status IN ({marks})"));
            values.extend(
                scope
                    .statuses
                    .iter()
                    .map(|status| Value::String(Some(status.as_str().to_owned()))),
            );
            on_task = true;
        }
        if let Some(plugin_id) = scope.plugin_id {
            sql.push_str(" AND t.plugin_id = ?");
            values.push(Value::String(Some(plugin_id.to_owned())));
            on_task = true;
        }
        Some(Conditions {
            sql,
            values,
            on_task,
        })
    }

    /// The join to `tasks` when the conditions need it (always after the
    /// entries: the walk runs in id order).
    fn task_join(&self) -> &'static str {
        if self.on_task {
            " CROSS JOIN tasks t ON t.key = l.task_key"
        } else {
            ""
        }
    }
}

/// How the search runs: its verifying spec and its index candidates.
struct Plan {
    spec: String,
    candidates: Option<String>,
    conditions: Conditions,
}

impl Plan {
    /// The newest task below key `below` (any, without one) with an
    /// indexed match, or with any match when the index cannot narrow the
    /// search.
    fn newest_below(
        &self,
        connection: &Connection,
        below: Option<i64>,
    ) -> Result<Option<i64>, CoreError> {
        let join = self.conditions.task_join();
        let mut values = Vec::new();
        let sql = match &self.candidates {
            Some(candidates) => {
                values.push(Value::String(Some(candidates.clone())));
                format!(
                    "SELECT l.task_key FROM task_logs_search f CROSS JOIN task_logs l \
                     ON l.id = f.rowid{join} WHERE task_logs_search MATCH ? AND f.rowid < ?{} \
                     AND {MATCHES_FUNCTION}(l.message, ?) ORDER BY f.rowid DESC LIMIT 1",
                    self.conditions.sql
                )
            }
            None => format!(
                "SELECT l.task_key FROM task_logs l{join} WHERE l.id < ?{} \
                 AND {MATCHES_FUNCTION}(l.message, ?) ORDER BY l.id DESC LIMIT 1",
                self.conditions.sql
            ),
        };
        // Ids below the first of task `below` (every id, from the top).
        let bound = below.map_or(i64::MAX, |below| entry_id(below, 0));
        values.push(Value::BigInt(Some(bound)));
        values.extend(self.conditions.values.iter().cloned());
        values.push(Value::String(Some(self.spec.clone())));
        Ok(connection
            .prepare_cached(&sql)?
            .query_row(parameters(values), |row| row.get(0))
            .optional()?)
    }

    /// Whether task `key`'s entries after `indexed_seq` (not yet in the
    /// index) hold a match.
    fn tail_matches(
        &self,
        connection: &Connection,
        key: i64,
        indexed_seq: u64,
    ) -> Result<bool, CoreError> {
        let sql = format!(
            "SELECT 1 FROM task_logs l{} WHERE l.id > ? AND l.id < ?{} \
             AND {MATCHES_FUNCTION}(l.message, ?) LIMIT 1",
            self.conditions.task_join(),
            self.conditions.sql
        );
        let mut values = vec![
            Value::BigInt(Some(entry_id(key, indexed_seq))),
            Value::BigInt(Some(entry_id(key, MAX_SEQ + 1))),
        ];
        values.extend(self.conditions.values.iter().cloned());
        values.push(Value::String(Some(self.spec.clone())));
        Ok(connection
            .prepare_cached(&sql)?
            .query_row(parameters(values), |_| Ok(()))
            .optional()?
            .is_some())
    }
}

/// The tasks with entries waiting for the index, newest first, and the
/// last `seq` of each that is indexed.
fn backlog(connection: &Connection) -> Result<Vec<(i64, u64)>, CoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT task_key, indexed_seq FROM task_search_backlog ORDER BY task_key DESC",
    )?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))?;
    rows.map(|row| {
        row.map(|(key, seq)| (key, u64::try_from(seq).unwrap_or(0)))
            .map_err(CoreError::from)
    })
    .collect()
}

/// Up to `tasks` tasks below key `below` (all, without one) whose entries
/// `filter`'s search matches within `scope`, newest first, each with its
/// count and its first `hits` matches. `filter` must hold a search and
/// no cursors, limit, section or folding (the caller checks).
pub fn search_runs(
    connection: &Connection,
    filter: &LogFilter,
    scope: RunScope<'_>,
    below: Option<i64>,
    tasks: usize,
    hits: u32,
) -> Result<FoundRuns, CoreError> {
    let matcher = filter_matcher(filter)?.ok_or_else(|| {
        CoreError::InvalidArgument("a search across runs needs something to search for".into())
    })?;
    let Some(conditions) = Conditions::of(filter, scope) else {
        return Ok(FoundRuns {
            runs: Vec::new(),
            continue_below: None,
        });
    };
    let plan = Plan {
        spec: encode_spec(matcher.query()),
        candidates: candidates(&matcher),
        conditions,
    };
    // A search the index cannot narrow scans every entry, indexed or not.
    let waiting = if plan.candidates.is_some() {
        backlog(connection)?
    } else {
        Vec::new()
    };
    let mut below = below;
    let mut keys = Vec::with_capacity(tasks);
    let mut exhausted = false;
    while keys.len() < tasks {
        let indexed = plan.newest_below(connection, below)?;
        let mut next = indexed;
        for &(key, indexed_seq) in &waiting {
            if below.is_some_and(|below| key >= below) || Some(key) <= indexed {
                continue;
            }
            if plan.tail_matches(connection, key, indexed_seq)? {
                next = Some(key);
                break;
            }
        }
        let Some(key) = next else {
            exhausted = true;
            break;
        };
        keys.push(key);
        below = Some(key);
    }
    let hits_filter = LogFilter {
        limit: Some(hits),
        order: Order::Ascending,
        ..filter.clone()
    };
    let mut runs = Vec::with_capacity(keys.len());
    for key in keys {
        let id: String = connection
            .prepare_cached("SELECT id FROM tasks WHERE key = ?")?
            .query_row([key], |row| row.get(0))?;
        let task = TaskIdentity { key, id };
        let count = bulk::count(connection, &task, filter, LogCount::MAX_SEARCH_COUNT)?;
        let pairs = bulk::matching_pairs(connection, &task, &hits_filter)?;
        let hits = bulk::read_page(connection, &task, &hits_filter, pairs.as_ref())?.entries;
        runs.push(FoundRun { task, count, hits });
    }
    Ok(FoundRuns {
        runs,
        // Task keys start at 1: below the first there is nothing.
        continue_below: below.filter(|key| !exhausted && *key > 1),
    })
}
