//! History's reads of `tasks`: a [`TaskListFilter`] as SQL conditions,
//! pages in each of the list's orders by keyset (a page resumes after the
//! sort value and key of the row before it, so the oldest of 100,000 tasks
//! is one index seek away, never an offset), and the counts per status of
//! what the filter matches.
//!
//! Cost model: a page reads `limit + 1` rows along an index
//! (`migrations/…_history_indexes.rs`) plus one existence probe for the
//! other direction; the counts read the status index, or every row when
//! a text filter has to look inside parameters.

use sea_orm::sea_query::{Expr, Order};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value};
use taskdeck_protocol::task::{DEFAULT_TASK_LIST_LIMIT, MAX_TASK_LIST_LIMIT};
use taskdeck_protocol::{ProblemFilter, StatusCounts, TaskListFilter, TaskPageAt, TaskSort};

use super::entities::tasks;
use super::tasks::TaskRepository;
use crate::CoreError;

/// When a task started, or was created if it has not started: the value
/// the list sorts and the date filters compare (as `idx_tasks_start`).
const START: &str = "COALESCE(started_at, created_at)";
/// How long a task ran (0 while it has not finished), as
/// `idx_tasks_duration`.
const DURATION: &str =
    "(COALESCE(finished_at, started_at, created_at) - COALESCE(started_at, created_at))";

/// One page of rows, before they become summaries.
#[derive(Debug)]
pub struct ListedTasks {
    /// The rows, in the list's order.
    pub rows: Vec<tasks::Model>,
    /// The cursor to read the page before, if there is one.
    pub previous: Option<String>,
    /// The cursor to read the page after, if there is one.
    pub next: Option<String>,
    /// Tasks per status that every filter but the status one matches.
    pub counts: StatusCounts,
}

/// A place in the list: a row's sort value and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    value: i64,
    key: i64,
}

impl Cursor {
    fn of(row: &tasks::Model, sort: TaskSort) -> Cursor {
        let start = row.started_at.unwrap_or(row.created_at);
        let value = match sort {
            TaskSort::Newest | TaskSort::Oldest => start,
            TaskSort::Longest | TaskSort::Shortest => {
                row.finished_at.or(row.started_at).unwrap_or(row.created_at) - start
            }
        };
        Cursor {
            value,
            key: row.key,
        }
    }

    fn parse(text: &str) -> Result<Cursor, CoreError> {
        let parsed = text
            .split_once('.')
            .and_then(|(value, key)| Some((value.parse().ok()?, key.parse().ok()?)));
        parsed
            .map(|(value, key)| Cursor { value, key })
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!(
                    "page cursor {text:?} is not one the task list gave"
                ))
            })
    }

    fn format(self) -> String {
        format!("{}.{}", self.value, self.key)
    }
}

/// Which way a read walks the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// In the list's order.
    Forward,
    /// Against it (the page is turned round afterwards).
    Backward,
}

/// The list's order as SQL: the sorted expression, and whether it descends.
fn order_of(sort: TaskSort) -> (&'static str, bool) {
    match sort {
        TaskSort::Newest => (START, true),
        TaskSort::Oldest => (START, false),
        TaskSort::Longest => (DURATION, true),
        TaskSort::Shortest => (DURATION, false),
    }
}

/// Rows strictly beyond `cursor` when walking `walk`.
fn beyond(sort: TaskSort, walk: Walk, cursor: Cursor) -> Condition {
    let (expression, descending) = order_of(sort);
    let smaller = descending == (walk == Walk::Forward);
    let operator = if smaller { "<" } else { ">" };
    Condition::all().add(Expr::cust_with_values(
        format!("({expression}, key) {operator} (?, ?)"),
        [cursor.value, cursor.key],
    ))
}

/// `%text%` for `LIKE … ESCAPE '\'`, the text's own `%`, `_` and `\`
/// taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// Every filter but the statuses, as one condition.
fn filter_condition(filter: &TaskListFilter) -> Result<Condition, CoreError> {
    let mut condition = Condition::all();
    if let Some(plugin_id) = &filter.plugin_id {
        condition = condition.add(tasks::Column::PluginId.eq(plugin_id.as_str()));
    }
    if let (Some(since), Some(until)) = (filter.since, filter.until)
        && since >= until
    {
        return Err(CoreError::InvalidArgument(format!(
            "the start of the time range ({since}) must be before its end ({until})"
        )));
    }
    if let Some(since) = filter.since {
        condition = condition.add(Expr::cust_with_values(
            format!("{START} >= ?"),
            [since.timestamp_millis()],
        ));
    }
    if let Some(until) = filter.until {
        condition = condition.add(Expr::cust_with_values(
            format!("{START} < ?"),
            [until.timestamp_millis()],
        ));
    }
    condition = match filter.problems {
        None => condition,
        Some(ProblemFilter::Errors) => condition.add(tasks::Column::ErrorCount.gt(0)),
        Some(ProblemFilter::Warnings) => condition.add(
            Condition::any()
                .add(tasks::Column::WarningCount.gt(0))
                .add(tasks::Column::ErrorCount.gt(0)),
        ),
    };
    if let Some(text) = filter.text.as_deref().map(str::trim)
        && !text.is_empty()
    {
        condition = condition.add(text_condition(text));
    }
    Ok(condition)
}

/// Tasks whose parameters, error or plugin contain `text`. Parameters are
/// stored as JSON, where `C:\data` reads `C:\\data` and a quote `\"`: the
/// text is looked for both as typed and as JSON writes it.
fn text_condition(text: &str) -> Condition {
    let typed = like_pattern(text);
    // Most texts read the same in JSON: then one LIKE over the parameters
    // does (every row is read for it).
    let in_json = serde_json::to_string(text)
        .ok()
        .and_then(|quoted| Some(quoted.get(1..quoted.len().checked_sub(1)?)?.to_owned()))
        .filter(|escaped| escaped != text)
        .map(|escaped| like_pattern(&escaped));
    let like = |column: &str, pattern: &str| {
        Expr::cust_with_values(
            format!("{column} LIKE ? ESCAPE '\\'"),
            [Value::from(pattern.to_owned())],
        )
    };
    Condition::any()
        .add(like("params", &typed))
        .add_option(in_json.map(|pattern| like("params", &pattern)))
        .add(like("error", &typed))
        .add(like("plugin_id", &typed))
}

impl TaskRepository {
    /// The page of tasks `filter` asks for, with its cursors and counts.
    pub async fn list(&self, filter: &TaskListFilter) -> Result<ListedTasks, CoreError> {
        let limit = filter.limit.unwrap_or(DEFAULT_TASK_LIST_LIMIT);
        if !(1..=MAX_TASK_LIST_LIMIT).contains(&limit) {
            return Err(CoreError::InvalidArgument(format!(
                "limit must be between 1 and {MAX_TASK_LIST_LIMIT}, not {limit}"
            )));
        }
        let mut matching = filter_condition(filter)?;
        let counts = self.count_by_status(matching.clone()).await?;
        if !filter.statuses.is_empty() {
            matching = matching.add(
                tasks::Column::Status.is_in(filter.statuses.iter().map(|status| status.as_str())),
            );
        }
        let sort = filter.sort;
        let (walk, from) = match &filter.page {
            TaskPageAt::First => (Walk::Forward, None),
            TaskPageAt::Last => (Walk::Backward, None),
            TaskPageAt::After(cursor) => (Walk::Forward, Some(Cursor::parse(cursor)?)),
            TaskPageAt::Before(cursor) => (Walk::Backward, Some(Cursor::parse(cursor)?)),
        };
        let mut rows = self
            .walk(sort, walk, from, matching.clone(), u64::from(limit) + 1)
            .await?;
        if rows.is_empty() && from.is_some() {
            // The rows beyond the cursor were deleted since: the end of
            // the list in that direction is what the user went for.
            let end = match walk {
                Walk::Forward => TaskPageAt::Last,
                Walk::Backward => TaskPageAt::First,
            };
            let at_end = TaskListFilter {
                page: end,
                ..filter.clone()
            };
            return Box::pin(self.list(&at_end)).await;
        }
        let more_this_way = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        if walk == Walk::Backward {
            rows.reverse();
        }
        let first = rows.first().map(|row| Cursor::of(row, sort));
        let last = rows.last().map(|row| Cursor::of(row, sort));
        // Whether rows lie the other way: none when the walk started at an
        // end, otherwise one probe.
        let more_other_way = match (from, walk) {
            (None, _) => false,
            (Some(_), Walk::Forward) => match first {
                Some(first) => {
                    self.any_beyond(sort, Walk::Backward, first, &matching)
                        .await?
                }
                None => false,
            },
            (Some(_), Walk::Backward) => match last {
                Some(last) => {
                    self.any_beyond(sort, Walk::Forward, last, &matching)
                        .await?
                }
                None => false,
            },
        };
        let (more_before, more_after) = match walk {
            Walk::Forward => (more_other_way, more_this_way),
            Walk::Backward => (more_this_way, more_other_way),
        };
        Ok(ListedTasks {
            rows,
            previous: first.filter(|_| more_before).map(Cursor::format),
            next: last.filter(|_| more_after).map(Cursor::format),
            counts,
        })
    }

    /// Up to `count` rows matching `condition`, from `from` (exclusive) or
    /// an end of the list, walking `walk`.
    async fn walk(
        &self,
        sort: TaskSort,
        walk: Walk,
        from: Option<Cursor>,
        mut condition: Condition,
        count: u64,
    ) -> Result<Vec<tasks::Model>, CoreError> {
        if let Some(from) = from {
            condition = condition.add(beyond(sort, walk, from));
        }
        let (expression, descending) = order_of(sort);
        let order = if descending == (walk == Walk::Forward) {
            Order::Desc
        } else {
            Order::Asc
        };
        Ok(tasks::Entity::find()
            .filter(condition)
            .order_by(Expr::cust(expression), order.clone())
            .order_by(tasks::Column::Key, order)
            .limit(count)
            .all(self.connection())
            .await?)
    }

    /// Whether any row matching `condition` lies beyond `cursor`.
    async fn any_beyond(
        &self,
        sort: TaskSort,
        walk: Walk,
        cursor: Cursor,
        condition: &Condition,
    ) -> Result<bool, CoreError> {
        let found: Option<i64> = tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Key)
            .filter(condition.clone().add(beyond(sort, walk, cursor)))
            .limit(1)
            .into_tuple()
            .one(self.connection())
            .await?;
        Ok(found.is_some())
    }

    /// Tasks per status among those `condition` matches.
    async fn count_by_status(&self, condition: Condition) -> Result<StatusCounts, CoreError> {
        let rows: Vec<(String, i64)> = tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Status)
            .column_as(tasks::Column::Key.count(), "count")
            .filter(condition)
            .group_by(tasks::Column::Status)
            .into_tuple()
            .all(self.connection())
            .await?;
        let mut counts = StatusCounts::default();
        for (status, count) in rows {
            // An unknown name reads as interrupted, as the row itself does.
            let status = status
                .parse()
                .unwrap_or(taskdeck_protocol::TaskStatus::Interrupted);
            counts.add(status, u64::try_from(count).unwrap_or(0));
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests;
