//! The manager's comparison of two runs: both logs read in pages, every
//! entry with the titles of its sections, then compared (see
//! [`crate::compare`]).

use std::collections::HashMap;

use taskdeck_protocol::log::MAX_PAGE_LIMIT;
use taskdeck_protocol::{LogFilter, Order, RunComparison};

use super::manager::TaskManager;
use crate::CoreError;
use crate::compare::{self, CompareOptions, MAX_CONTEXT, RunLine};

impl TaskManager {
    /// Compares the logs of tasks `a` and `b`. The diff is CPU work of up
    /// to a couple of seconds on runs of 100,000 lines: call it off an
    /// async runtime's core threads where that matters.
    pub async fn compare_runs(
        &self,
        a: &str,
        b: &str,
        options: CompareOptions,
    ) -> Result<RunComparison, CoreError> {
        if options.context > MAX_CONTEXT {
            return Err(CoreError::InvalidArgument(format!(
                "context: {} lines is more than the {MAX_CONTEXT} a comparison keeps",
                options.context
            )));
        }
        let (a_task, b_task) = (self.get_task(a).await?, self.get_task(b).await?);
        let a_lines = self.run_lines(a).await?;
        let b_lines = self.run_lines(b).await?;
        Ok(RunComparison {
            a: a_task,
            b: b_task,
            normalised: options.normalise,
            context: options.context,
            hunks: compare::diff_lines(&a_lines, &b_lines, &options),
        })
    }

    /// Every entry of a task's log, oldest first, as compared.
    async fn run_lines(&self, task_id: &str) -> Result<Vec<RunLine>, CoreError> {
        let titles: HashMap<u32, String> = self
            .log_sections(task_id)
            .await?
            .into_iter()
            .map(|section| (section.id, section.title))
            .collect();
        let mut lines = Vec::new();
        let mut after_seq = None;
        loop {
            let filter = LogFilter {
                after_seq,
                limit: Some(MAX_PAGE_LIMIT),
                order: Order::Ascending,
                ..LogFilter::default()
            };
            let page = self.query_logs(task_id, &filter).await?;
            lines.extend(page.entries.into_iter().map(|entry| {
                RunLine {
                    sections: entry
                        .sections
                        .iter()
                        .filter_map(|id| titles.get(id).cloned())
                        .collect(),
                    seq: entry.seq,
                    level: entry.level,
                    source: entry.source,
                    message: entry.message,
                }
            }));
            match page.next_cursor {
                Some(next) => after_seq = Some(next),
                None => return Ok(lines),
            }
        }
    }
}
