//! What the CLI's test crates share: running a `taskdeck` process to its
//! end on every platform the tests run on (Wine included).

use std::process::{Command, Output};

/// Runs `command` to its end. Wine's process creation fails now and then
/// with ERROR_INTERNAL_ERROR (1359) when several processes start in the
/// same instant (the tests run two at a time); such a start is tried
/// again (Windows itself does not fail so).
pub fn output_of(command: &mut Command) -> Output {
    const WINE_INTERNAL_ERROR: i32 = 1359;
    for _ in 0..5 {
        match command.output() {
            Err(error) if cfg!(windows) && error.raw_os_error() == Some(WINE_INTERNAL_ERROR) => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            started => return started.unwrap(),
        }
    }
    command.output().unwrap()
}
