//! The IPC commands, grouped by area. Each is a few lines: take state and
//! arguments, call the engine, map the error.

pub mod app;
pub mod export;
pub mod live;
pub mod logs;
pub mod settings;
pub mod tasks;

#[cfg(test)]
pub(crate) mod test_support;
