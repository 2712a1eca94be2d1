//! Error navigation: the next or previous entry of a level (errors, or
//! warnings and worse) over the whole stored log, not only the rows the
//! panel holds, found by one one-row query in the core with the panel's
//! other conditions (source, search), and the hook that runs a jump in
//! the panel. A jump to a moment (a click on the timeline) lands the same
//! way, on the first entry at or after it.

use taskdeck_protocol::commands::GetTaskLogs;
use taskdeck_protocol::{IpcError, LogFilter, LogLevel, Order, TaskStatus};
use yew::prelude::*;

use super::follow::{Follow, FollowAction};
use crate::ipc;

/// Which way a jump goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The first matching entry of the log.
    First,
    /// The next one after the current line.
    Next,
    /// The one before it.
    Previous,
}

/// A jump the user asked for (a key, or the header's error count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelJump {
    /// This level and more severe ones.
    pub level: LogLevel,
    /// Which way.
    pub direction: Direction,
}

impl LevelJump {
    /// The first error of the log (the header's error count, and where a
    /// failed task opens).
    pub const FIRST_ERROR: Self = Self {
        level: LogLevel::Error,
        direction: Direction::First,
    };

    /// The jump a key asks for: `e`/`E` errors, `w`/`W` warnings and worse;
    /// the capital goes back.
    pub fn for_key(key: &str) -> Option<Self> {
        let (level, direction) = match key {
            "e" => (LogLevel::Error, Direction::Next),
            "E" => (LogLevel::Error, Direction::Previous),
            "w" => (LogLevel::Warning, Direction::Next),
            "W" => (LogLevel::Warning, Direction::Previous),
            _ => return None,
        };
        Some(Self { level, direction })
    }

    /// What to say when there is nothing that way.
    pub fn nothing_found(&self) -> String {
        let what = match self.level {
            LogLevel::Error => "error",
            _ => "warning or error",
        };
        match self.direction {
            Direction::First => format!("No {what} in this log"),
            Direction::Next => format!("No {what} after this line"),
            Direction::Previous => format!("No {what} before this line"),
        }
    }

    /// The query for the entry this jump lands on, from line `current`.
    pub fn filter(&self, filter: &LogFilter, current: Option<u64>) -> LogFilter {
        // The panel's own level condition still holds: `w` while only errors
        // are shown goes to the next error.
        let min_level = filter
            .min_level
            .map_or(self.level, |shown| shown.max(self.level));
        let (after_seq, before_seq, order) = match (self.direction, current) {
            (Direction::First, _) | (Direction::Next, None) => (None, None, Order::Ascending),
            (Direction::Next, Some(seq)) => (Some(seq), None, Order::Ascending),
            (Direction::Previous, None) => (None, None, Order::Descending),
            (Direction::Previous, Some(seq)) => (None, Some(seq), Order::Descending),
        };
        LogFilter {
            min_level: Some(min_level),
            after_seq,
            before_seq,
            order,
            limit: Some(1),
            // The entry itself, not the context lines around it.
            context_before: 0,
            context_after: 0,
            ..filter.clone()
        }
    }
}

/// The `seq` of the entry `jump` lands on from line `current`, if any.
pub async fn find(
    task_id: &str,
    filter: &LogFilter,
    jump: LevelJump,
    current: Option<u64>,
) -> Result<Option<u64>, IpcError> {
    let query = jump.filter(filter, current);
    // A cursor at the first line leaves nothing before it.
    if query.validate().is_err() {
        return Ok(None);
    }
    let page = ipc::invoke(&GetTaskLogs {
        task_id: task_id.to_owned(),
        filter: query,
    })
    .await?;
    Ok(page.entries.first().map(|entry| entry.seq))
}

/// The jump asked for, where it lands in the panel, and what it says
/// when it finds nothing.
#[derive(Clone)]
pub struct JumpTarget {
    /// The jump asked for (a key, the error count), until it runs.
    pub jump: UseStateHandle<Option<LevelJump>>,
    /// The line the panel opens on.
    pub target: UseStateHandle<Option<u64>>,
    /// The line whose detail is open.
    pub expanded: UseStateHandle<Option<u64>>,
    /// Follow mode, paused by a jump.
    pub follow: UseReducerHandle<Follow>,
    /// Why the last jump found nothing.
    pub notice: UseStateHandle<Option<String>>,
}

/// Opens the panel on line `seq` with its detail open, as a link to the
/// line does, following paused.
fn land(lands: &JumpTarget, seq: u64) {
    lands.notice.set(None);
    lands.follow.dispatch(FollowAction::Set(false));
    lands.target.set(Some(seq));
    lands.expanded.set(Some(seq));
}

/// A callback that opens the panel on the line with this `seq`.
pub fn seq_jumper(lands: JumpTarget) -> Callback<u64> {
    Callback::from(move |seq| land(&lands, seq))
}

/// A callback that jumps to the first entry at or after a moment that
/// passes the panel's other conditions.
pub fn moment_jumper(
    task_id: String,
    filter: LogFilter,
    lands: JumpTarget,
) -> Callback<chrono::DateTime<chrono::Utc>> {
    Callback::from(move |moment| {
        let query = LogFilter {
            since: Some(moment),
            after_seq: None,
            before_seq: None,
            limit: Some(1),
            order: Order::Ascending,
            context_before: 0,
            context_after: 0,
            ..filter.clone()
        };
        let (task_id, lands) = (task_id.clone(), lands.clone());
        wasm_bindgen_futures::spawn_local(async move {
            // Past the selected stretch's end there is nothing to land on.
            let found = if query.validate().is_ok() {
                ipc::invoke(&GetTaskLogs {
                    task_id,
                    filter: query,
                })
                .await
            } else {
                Ok(taskdeck_protocol::LogPage {
                    entries: Vec::new(),
                    next_cursor: None,
                })
            };
            match found.map(|page| page.entries.first().map(|entry| entry.seq)) {
                Ok(Some(seq)) => land(&lands, seq),
                Ok(None) => lands
                    .notice
                    .set(Some("No entry at or after that moment".to_owned())),
                Err(error) => lands.notice.set(Some(error.message)),
            }
        });
    })
}

/// Runs the jump asked for in `lands.jump`: finds the entry in the core from
/// line `current`, then opens the panel on it (as a link to the line does)
/// with its detail open. A failed task (`status`) opens on its first error
/// once, unless a link named a line (`linked`).
#[hook]
pub fn use_level_jumps(
    task_id: String,
    filter: LogFilter,
    current: Option<u64>,
    lands: JumpTarget,
    status: Option<TaskStatus>,
    linked: bool,
) {
    let jump = lands.jump.clone();
    {
        let jump = jump.clone();
        use_effect_with(*jump, move |wanted| {
            if let Some(wanted) = *wanted {
                jump.set(None);
                wasm_bindgen_futures::spawn_local(async move {
                    match find(&task_id, &filter, wanted, current).await {
                        Ok(Some(seq)) => land(&lands, seq),
                        Ok(None) => lands.notice.set(Some(wanted.nothing_found())),
                        Err(error) => lands.notice.set(Some(error.message)),
                    }
                });
            }
        });
    }
    let landed = use_mut_ref(|| false);
    use_effect_with(status, move |status| {
        if let Some(status) = *status {
            let first_look = !std::mem::replace(&mut *landed.borrow_mut(), true);
            if first_look && !linked && status == TaskStatus::Failed {
                jump.set(Some(LevelJump::FIRST_ERROR));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_queries() {
        let next = LevelJump::for_key("e").unwrap();
        assert_eq!(next.direction, Direction::Next);
        let query = next.filter(&LogFilter::default(), Some(10));
        assert_eq!(query.min_level, Some(LogLevel::Error));
        assert_eq!((query.after_seq, query.order), (Some(10), Order::Ascending));
        let back = LevelJump::for_key("W").unwrap();
        let shown_errors = LogFilter {
            min_level: Some(LogLevel::Error),
            ..LogFilter::default()
        };
        let query = back.filter(&shown_errors, Some(10));
        assert_eq!(query.min_level, Some(LogLevel::Error));
        assert_eq!(
            (query.before_seq, query.order),
            (Some(10), Order::Descending)
        );
        assert!(LevelJump::for_key("x").is_none());
    }
}
