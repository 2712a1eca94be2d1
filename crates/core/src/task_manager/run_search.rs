//! The manager's search across runs: checks the request, makes what the
//! tasks running here emitted a moment ago durable, and answers a page of
//! tasks with matches as summaries with their counts and first matches.

use taskdeck_protocol::run_search::{
    DEFAULT_SEARCH_HITS, DEFAULT_SEARCH_TASKS, MAX_SEARCH_HITS, MAX_SEARCH_TASKS,
};
use taskdeck_protocol::{RunSearchGroup, RunSearchPage, RunSearchRequest};

use super::manager::TaskManager;
use super::reads::SETTLE_WAIT;
use crate::CoreError;

/// The cursor of the page after the tasks below `key`.
fn cursor_below(key: i64) -> String {
    format!("k{key}")
}

/// The key a cursor from [`cursor_below`] names.
fn key_of_cursor(cursor: &str) -> Result<i64, CoreError> {
    cursor
        .strip_prefix('k')
        .and_then(|key| key.parse().ok())
        .filter(|key| *key > 0)
        .ok_or_else(|| {
            CoreError::InvalidArgument(format!(
                "search cursor {cursor:?} is not one a search across runs gave"
            ))
        })
}

/// `value` (or `default`) if it lies in `1..=max`; else an error naming
/// `what`.
fn within(value: Option<u32>, default: u32, max: u32, what: &str) -> Result<u32, CoreError> {
    let value = value.unwrap_or(default);
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(CoreError::InvalidArgument(format!(
            "{what} must be between 1 and {max}, not {value}"
        )))
    }
}

/// Refuses what a search across runs cannot take, by name.
fn check(request: &RunSearchRequest) -> Result<(), CoreError> {
    let filter = &request.filter;
    if filter
        .search
        .as_deref()
        .is_none_or(|text| text.trim().is_empty())
    {
        return Err(CoreError::InvalidArgument(
            "a search across runs needs something to search for".into(),
        ));
    }
    filter.validate()?;
    let single_task_fields = [
        ("after_seq", filter.after_seq.is_some()),
        ("before_seq", filter.before_seq.is_some()),
        ("limit", filter.limit.is_some()),
        ("section", filter.section.is_some()),
        ("folding", filter.folding.is_some()),
    ];
    if let Some((field, _)) = single_task_fields.iter().find(|(_, set)| *set) {
        return Err(CoreError::InvalidArgument(format!(
            "the filter's {field} belongs to one task's log; a search across runs takes \
             `tasks` and `hits` instead"
        )));
    }
    Ok(())
}

impl TaskManager {
    /// One page of the tasks whose logs the request's search matches,
    /// newest first, each with its count and first matches.
    pub async fn search_runs(
        &self,
        request: &RunSearchRequest,
    ) -> Result<RunSearchPage, CoreError> {
        check(request)?;
        let tasks = within(
            request.tasks,
            DEFAULT_SEARCH_TASKS,
            MAX_SEARCH_TASKS,
            "tasks",
        )?;
        let hits = within(request.hits, DEFAULT_SEARCH_HITS, MAX_SEARCH_HITS, "hits")?;
        let below = request.after.as_deref().map(key_of_cursor).transpose()?;
        // What tasks running here emitted a moment ago is searched too.
        if !self.lock_running().is_empty()
            && tokio::time::timeout(SETTLE_WAIT, self.inner.flusher.flush())
                .await
                .is_err()
        {
            tracing::debug!("searching runs without the newest entries: the write waits");
        }
        let scope = (request.statuses.clone(), request.plugin_id.clone());
        let found = self
            .inner
            .logs
            .search_runs(&request.filter, scope, below, tasks as usize, hits)
            .await?;
        // The tasks' rows in one read.
        let keys: Vec<i64> = found.runs.iter().map(|run| run.task.key).collect();
        let mut rows = self.inner.tasks.by_keys(&keys).await?;
        let mut groups = Vec::with_capacity(found.runs.len());
        for run in found.runs {
            // A task deleted since it was found is left out.
            let Some(row) = rows.remove(&run.task.key) else {
                continue;
            };
            groups.push(RunSearchGroup {
                task: row.to_summary(self.progress_of(&row.id)),
                count: run.count,
                hits: run.hits,
            });
        }
        Ok(RunSearchPage {
            groups,
            next: found.continue_below.map(cursor_below),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_others_are_refused() {
        assert_eq!(key_of_cursor(&cursor_below(42)).unwrap(), 42);
        for cursor in ["", "42", "k", "k-1", "k0", "kx"] {
            let error = key_of_cursor(cursor).unwrap_err().to_string();
            assert!(error.contains("search cursor"), "{cursor}: {error}");
        }
    }
}
