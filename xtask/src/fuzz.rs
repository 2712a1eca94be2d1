//! `cargo xtask fuzz [seconds]`: runs each `cargo fuzz` target of `fuzz/`
//! (the import reader, the log filter and its search syntax, programs'
//! terminal output) for a while;
//! the test command runs them briefly.
//!
//! libFuzzer's instrumentation needs unstable compiler flags. The machines
//! have one stable toolchain and cannot fetch a nightly one, so the build
//! sets `RUSTC_BOOTSTRAP=1`, which lets the pinned stable compiler accept
//! them, for this build only. No sanitizer: the workspace forbids
//! `unsafe`, so the fuzzers look for panics, wrong answers and hangs.
//! Inputs that fail are saved under `fuzz/artifacts/<target>/`.

use crate::process::{self, command};
use crate::{target_dir, workspace_root};

/// The fuzz targets, in `fuzz/fuzz_targets/`.
const TARGETS: [&str; 3] = ["import_reader", "log_filter", "terminal_output"];

/// The test command's run: seconds per target.
pub const QUICK_SECONDS: u64 = 20;

/// Runs every target for `seconds`.
pub fn run(seconds: u64) -> Result<(), String> {
    let fuzz_dir = workspace_root().join("fuzz");
    // Its own target folder: the instrumented build shares nothing with
    // the workspace's.
    let fuzz_target = target_dir().join("fuzz");
    for target in TARGETS {
        eprintln!("fuzz: {target} for {seconds} s");
        // New inputs go to corpus/ (not committed); seeds/ holds committed
        // starting points, such as a real export.
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|error| format!("cannot create {}: {error}", corpus.display()))?;
        let mut fuzz = command("cargo");
        fuzz.args(["fuzz", "run", "--sanitizer", "none", "--fuzz-dir"])
            .arg(&fuzz_dir)
            .arg("--target-dir")
            .arg(&fuzz_target)
            .arg(target)
            .arg(&corpus);
        let seeds = fuzz_dir.join("seeds").join(target);
        if seeds.is_dir() {
            fuzz.arg(seeds);
        }
        process::run(
            fuzz.arg("--")
                .arg(format!("-max_total_time={seconds}"))
                // A hang is a failure too.
                .arg("-timeout=10")
                .env("RUSTC_BOOTSTRAP", "1"),
        )?;
    }
    Ok(())
}
