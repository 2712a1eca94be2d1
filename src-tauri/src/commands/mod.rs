//! The IPC commands, grouped by area. Each is a few lines: take state and
//! arguments, call the engine, map the error.

pub mod app;
