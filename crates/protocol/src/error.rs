//! The error value that crosses IPC: `{ "kind": "not_found", "message": "…" }`.

use serde::{Deserialize, Serialize};

/// What class of failure an [`IpcError`] reports, so a front end can react to
/// it (for example offer "clear filters" on `invalid_argument`) without
/// parsing the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The named task, plugin or other item does not exist.
    NotFound,
    /// An argument was missing, malformed or out of range.
    InvalidArgument,
    /// The database could not be read or written.
    Storage,
    /// The database file is damaged or is not a Taskdeck database: the app
    /// offers to move it aside and start with a new one.
    DatabaseDamaged,
    /// A file outside the database could not be read or written.
    Io,
    /// Anything else; the message says what.
    Internal,
}

impl ErrorKind {
    /// The stable snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Storage => "storage",
            ErrorKind::DatabaseDamaged => "database_damaged",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        }
    }
}

/// A typed error as the UI receives it from a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{message}")]
pub struct IpcError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// A sentence for the user, naming what went wrong.
    pub message: String,
}

impl IpcError {
    /// Builds an error of `kind` with a user-facing `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_error_serialises_as_kind_and_message() {
        let error = IpcError::new(ErrorKind::NotFound, "task 42 does not exist");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "not_found", "message": "task 42 does not exist" })
        );
    }

    #[test]
    fn error_kind_wire_names_match_as_str() {
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::InvalidArgument,
            ErrorKind::Storage,
            ErrorKind::Io,
            ErrorKind::Internal,
        ] {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::Value::String(kind.as_str().to_owned()));
        }
    }

    #[test]
    fn ipc_error_round_trips() {
        let error = IpcError::new(ErrorKind::Storage, "disk full");
        let text = serde_json::to_string(&error).unwrap();
        let back: IpcError = serde_json::from_str(&text).unwrap();
        assert_eq!(back, error);
    }
}
