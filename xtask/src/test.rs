//! `cargo xtask test`: every check, in the order that fails fastest.
//!
//! setup → fmt → UI build → clippy → layering → cargo deny → workflows
//! (actionlint) → app build → all tests (the
//! end-to-end tests of the real app under Xvfb among them) → the Windows
//! stage (clippy, builds and tests for Windows under Wine) → each fuzz
//! target for 20 s → every benchmark at quick sizes (they must still run;
//! their figures are not judged). Prints how long each step took.

use std::time::Instant;

use crate::process::{self, command};
use crate::{bench, fuzz, layering, setup, target_dir, ui, windows, workflows, workspace_root};

/// Runs every check; stops at the first failure.
pub fn run() -> Result<(), String> {
    let started = Instant::now();
    let mut timings: Vec<(&str, f64)> = Vec::new();
    let mut step = |name: &'static str, work: &dyn Fn() -> Result<(), String>| {
        eprintln!("\n=== {name}");
        let step_started = Instant::now();
        let outcome = work();
        timings.push((name, step_started.elapsed().as_secs_f64()));
        outcome.map_err(|error| format!("{name}: {error}"))
    };

    step("setup", &setup::run)?;
    step("fmt", &|| {
        process::run(command("cargo").args(["fmt", "--all", "--check"]))
    })?;
    // The app embeds ui/dist at compile time, so the UI is built before
    // anything compiles the app crate.
    step("ui build", &|| ui::build(ui::Profile::Debug))?;
    step("clippy", &|| {
        process::run(command("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            // The tests' hooks in the UI are linted too.
            "--features",
            "taskdeck-ui/test-hooks",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("layering", &layering::run)?;
    // Licenses, bans and sources (the advisories need GitHub: see deny.toml).
    step("cargo deny", &|| {
        process::run(command("cargo").args(["deny", "check", "licenses", "bans", "sources"]))
    })?;
    step("workflows", &workflows::run)?;
    step("app build", &|| {
        process::run(command("cargo").args(["build", "--package", "taskdeck-app"]))
    })?;
    step("tests", &|| {
        let app = target_dir()
            .join("debug")
            .join(format!("taskdeck-app{}", std::env::consts::EXE_SUFFIX));
        process::run(
            command("cargo")
                .args(["test", "--workspace"])
                .env("TASKDECK_E2E_APP", app)
                .env(
                    "TASKDECK_E2E_ARTIFACTS",
                    workspace_root().join("target").join("e2e"),
                ),
        )
    })?;
    step("windows (Wine)", &windows::run)?;
    step("fuzz (quick)", &|| fuzz::run(fuzz::QUICK_SECONDS))?;
    step("benchmarks (quick)", &|| bench::run(bench::Mode::Quick))?;

    eprintln!("\n=== timings");
    for (name, seconds) in &timings {
        eprintln!("{name:>18}: {seconds:7.1} s");
    }
    eprintln!("{:>18}: {:7.1} s", "total", started.elapsed().as_secs_f64());
    Ok(())
}
