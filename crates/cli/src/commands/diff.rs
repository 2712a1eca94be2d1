//! `diff`: two runs' logs compared, printed as a unified diff (or one
//! JSON object); the exit status says whether they differ, as `diff`'s
//! does.

use taskdeck_core::TaskManager;
use taskdeck_core::compare::CompareOptions;
use taskdeck_protocol::{ComparedLine, LineChange, RunComparison, TaskSummary};

use crate::error::CliError;
use crate::output::{self, Printer};

pub async fn diff(
    manager: &TaskManager,
    (a, b): (&str, &str),
    options: CompareOptions,
    json: bool,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let comparison = manager.compare_runs(a, b, options).await?;
    printer.json_or_text(json, &comparison, unified)?;
    match comparison.hunks.len() {
        0 => Ok(()),
        stretches => Err(CliError::RunsDiffer { stretches }),
    }
}

/// The comparison as a unified diff: a header for each run (status,
/// duration, counts), then each hunk.
pub fn unified(comparison: &RunComparison) -> String {
    let mut out = format!(
        "--- {}\n+++ {}\n",
        run_header(&comparison.a),
        run_header(&comparison.b)
    );
    for hunk in &comparison.hunks {
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            hunk.a_start, hunk.a_lines, hunk.b_start, hunk.b_lines
        ));
        for line in &hunk.lines {
            out.push_str(&diff_line(line));
            out.push('\n');
        }
    }
    if !comparison.differs() {
        out.push_str(if comparison.normalised {
            "the runs' logs match (times, durations, numbers and ids normalised)\n"
        } else {
            "the runs' logs match\n"
        });
    }
    out.pop();
    out
}

fn run_header(task: &TaskSummary) -> String {
    format!(
        "{} ({}, {}, {}, {} lines: {}W {}E)",
        task.id,
        task.plugin_id,
        task.status,
        output::duration(task),
        task.counts.total(),
        task.counts.warning,
        task.counts.error
    )
}

/// ` `, `-` or `+`, then `[LEVEL] source: message`, as `logs` prints a line.
fn diff_line(line: &ComparedLine) -> String {
    let mark = match line.change {
        LineChange::Same => ' ',
        LineChange::Removed => '-',
        LineChange::Added => '+',
    };
    format!(
        "{mark}[{}] {}: {}",
        line.level,
        line.source,
        output::visible(&line.message)
    )
}
