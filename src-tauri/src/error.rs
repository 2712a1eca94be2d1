//! The app's error type: what a command can fail with, serialised for the UI
//! as `{ "kind": …, "message": … }`.

use serde::{Serialize, Serializer};
use taskdeck_core::CoreError;
use taskdeck_protocol::IpcError;

/// A command's failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The engine refused or failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A failure that already has its wire form (for example the start-up
    /// error of a store that could not be opened).
    #[error(transparent)]
    Ipc(#[from] IpcError),
}

impl From<AppError> for IpcError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Core(core) => core.into(),
            AppError::Ipc(ipc) => ipc,
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire: IpcError = match self {
            AppError::Core(core) => core.to_wire(),
            AppError::Ipc(ipc) => ipc.clone(),
        };
        wire.serialize(serializer)
    }
}

/// On the wire an `AppError` is exactly an [`IpcError`], and the bindings
/// say so.
impl specta::Type for AppError {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        IpcError::definition(types)
    }
}
