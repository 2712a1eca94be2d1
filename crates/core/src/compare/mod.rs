//! Comparing two runs' logs (`taskdeck diff`): each line keyed by its
//! level, its source and its message, with the volatile parts of the
//! message normalised ([`normalise`]) unless asked not to; the keys diffed
//! with `similar` (patience diff, under a deadline), and the differences
//! grouped into hunks with context. A section's first line is its title:
//! the patience diff anchors on such unique lines, so the runs align
//! section by section, and each line keeps its sections' titles.

pub mod normalise;

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, DiffTag};
use taskdeck_protocol::{ComparedLine, DiffHunk, LineChange, LogLevel};

/// A line of a run, as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    pub seq: u64,
    pub level: LogLevel,
    pub source: String,
    pub message: String,
    /// The titles of the sections it lies in, outermost first.
    pub sections: Vec<String>,
}

/// How two runs are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareOptions {
    /// Normalise volatile parts before comparing.
    pub normalise: bool,
    /// Lines of context kept around each difference.
    pub context: u32,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            normalise: true,
            context: 3,
        }
    }
}

/// The most context a comparison keeps around a difference.
pub const MAX_CONTEXT: u32 = 1_000;

/// How long the diff may look for the best alignment; past it, it settles
/// for a coarser one (still a correct diff, with larger hunks).
const DEADLINE: Duration = Duration::from_secs(2);

/// What a line is compared by.
fn key(line: &RunLine, options: &CompareOptions) -> String {
    let mut key = String::with_capacity(line.message.len() + 32);
    key.push_str(line.level.as_str());
    key.push('\u{1f}');
    key.push_str(&line.source);
    key.push('\u{1f}');
    if options.normalise {
        key.push_str(&normalise::normalise(&line.message));
    } else {
        key.push_str(&line.message);
    }
    key
}

/// The hunks where `b` differs from `a`, in log order; none when they
/// match.
pub fn diff_lines(a: &[RunLine], b: &[RunLine], options: &CompareOptions) -> Vec<DiffHunk> {
    let a_keys: Vec<String> = a.iter().map(|line| key(line, options)).collect();
    let b_keys: Vec<String> = b.iter().map(|line| key(line, options)).collect();
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Patience,
        &a_keys,
        &b_keys,
        Some(Instant::now() + DEADLINE),
    );
    let context = options.context.min(MAX_CONTEXT) as usize;
    similar::group_diff_ops(ops, context)
        .into_iter()
        .filter(|group| group.iter().any(|op| op.tag() != DiffTag::Equal))
        .map(|group| hunk(&group, a, b))
        .collect()
}

/// One group of operations as a hunk of lines.
fn hunk(ops: &[DiffOp], a: &[RunLine], b: &[RunLine]) -> DiffHunk {
    let old_start = ops.first().map_or(0, |op| op.old_range().start);
    let old_end = ops.last().map_or(0, |op| op.old_range().end);
    let new_start = ops.first().map_or(0, |op| op.new_range().start);
    let new_end = ops.last().map_or(0, |op| op.new_range().end);
    let mut lines = Vec::new();
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                for (at, bt) in old.zip(new) {
                    lines.push(line(LineChange::Same, Some(&a[at]), &b[bt]));
                }
            }
            DiffTag::Delete => lines.extend(old.map(|at| line(LineChange::Removed, None, &a[at]))),
            DiffTag::Insert => lines.extend(new.map(|bt| line(LineChange::Added, None, &b[bt]))),
            DiffTag::Replace => {
                lines.extend(old.map(|at| line(LineChange::Removed, None, &a[at])));
                lines.extend(new.map(|bt| line(LineChange::Added, None, &b[bt])));
            }
        }
    }
    DiffHunk {
        a_start: old_start as u64 + 1,
        a_lines: (old_end - old_start) as u64,
        b_start: new_start as u64 + 1,
        b_lines: (new_end - new_start) as u64,
        lines,
    }
}

/// `shown` as a line of a hunk; `a_side` is its counterpart in the first
/// run when it is in both.
fn line(change: LineChange, a_side: Option<&RunLine>, shown: &RunLine) -> ComparedLine {
    let (a_seq, b_seq) = match change {
        LineChange::Same => (a_side.map(|line| line.seq), Some(shown.seq)),
        LineChange::Removed => (Some(shown.seq), None),
        LineChange::Added => (None, Some(shown.seq)),
    };
    ComparedLine {
        change,
        a_seq,
        b_seq,
        level: shown.level,
        source: shown.source.clone(),
        message: shown.message.clone(),
        sections: shown.sections.clone(),
    }
}

#[cfg(test)]
mod tests;
