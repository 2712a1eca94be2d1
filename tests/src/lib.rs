//! Support for Taskdeck's workspace-level tests.
//!
//! [`e2e`] launches the real desktop app in its real webview (WebKitGTK on
//! Linux) through tauri-driver, under a private Xvfb display, with a data
//! directory of its own, and drives it with WebDriver.

pub mod bench;
pub mod e2e;
