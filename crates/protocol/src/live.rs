//! What a live log subscription pushes to its subscriber.
//!
//! A subscription follows one task with one [`crate::LogFilter`], starting
//! after a given `seq`. It sends batches of matching entries in `seq` order
//! (filtering happens in the core process: nothing else crosses IPC), a
//! [`LiveLogMessage::Gap`] when it skipped matching entries to catch up (the
//! subscriber reads that range from the store), and
//! [`LiveLogMessage::End`] once the task has finished and every matching
//! entry was sent (or [`LiveLogMessage::Failed`] if the store failed).

use serde::{Deserialize, Serialize};

use crate::error::IpcError;
use crate::log::LogEntry;
use crate::task::TaskStatus;

/// One message of a live subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveLogMessage {
    /// Matching entries, in `seq` order, all after the previous message's.
    Entries {
        /// The entries.
        entries: Vec<LogEntry>,
    },
    /// Matching entries strictly between these seqs were not sent (the
    /// subscriber fell too far behind); read them from the store.
    Gap {
        /// The last seq before the gap.
        after_seq: u64,
        /// The first seq after the gap.
        before_seq: u64,
    },
    /// The task has finished and everything matching was sent.
    End {
        /// How it ended.
        status: TaskStatus,
    },
    /// The subscription stopped because the store failed; nothing more
    /// will come.
    Failed {
        /// What went wrong.
        error: IpcError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_by_kind() {
        let gap = LiveLogMessage::Gap {
            after_seq: 10,
            before_seq: 500,
        };
        assert_eq!(
            serde_json::to_value(&gap).unwrap(),
            serde_json::json!({ "kind": "gap", "after_seq": 10, "before_seq": 500 })
        );
        let end = LiveLogMessage::End {
            status: TaskStatus::Succeeded,
        };
        assert_eq!(
            serde_json::to_value(&end).unwrap(),
            serde_json::json!({ "kind": "end", "status": "succeeded" })
        );
    }
}
