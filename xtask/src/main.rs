//! `cargo xtask <command>`: Taskdeck's developer commands.
//!
//! Written in Rust so they behave the same on Linux, macOS and Windows. The
//! README's two commands end here: `setup`+`run` brings the app up, `test`
//! runs every check CI runs.

mod bench;
mod fuzz;
mod icons;
mod layering;
mod pins;
mod process;
mod run;
mod setup;
mod test;
mod ui;
mod windows;
mod workflows;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup        install what is missing: system packages (Debian/Ubuntu), the wasm
               target, and the pinned trunk, wasm-bindgen-cli, cargo-deny,
               cargo-fuzz and tauri-driver
  run          setup, build the UI and the app, and launch it (under Xvfb when
               Linux has no display)
  test         setup, then every check: fmt, UI build, clippy, layering, all
               tests and the end-to-end tests of the real app under Xvfb, and
               the Windows stage
  windows      on Linux: clippy, builds and tests for Windows, run under Wine
               (installs mingw-w64, Wine and the Rust target when missing)
  workflows    lint .github/workflows with actionlint
  bench [--quick]
               run every benchmark and rewrite the table of docs/benchmarks.md
               (--quick: small sizes on debug builds, table in target/bench)
  fuzz [seconds]
               run each cargo fuzz target of fuzz/ for that long (default 300;
               the test command runs them for 20 s)
  ui [--release]
               build the UI with trunk into ui/dist
  layering     check the crate dependency rules of docs/architecture.md
  icons        regenerate every app icon from icons/source.png
  icons --redraw-source
               redraw icons/source.png itself, then regenerate the icons";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["setup"] => setup::run(),
        ["run"] => run::run(),
        ["test"] => test::run(),
        ["bench"] => bench::run(bench::Mode::Full),
        ["bench", "--quick"] => bench::run(bench::Mode::Quick),
        ["fuzz"] => fuzz::run(300),
        ["fuzz", seconds] => seconds
            .parse()
            .map_err(|_| format!("fuzz: {seconds:?} is not a number of seconds"))
            .and_then(fuzz::run),
        ["windows"] => windows::run(),
        ["workflows"] => workflows::run(),
        ["ui"] => ui::build(ui::Profile::Debug),
        ["ui", "--release"] => ui::build(ui::Profile::Release),
        ["layering"] => layering::run(),
        ["icons"] => icons::run(false),
        ["icons", "--redraw-source"] => icons::run(true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown command {args:?}\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the folder holding the root Cargo.toml).
///
/// Read from `CARGO_MANIFEST_DIR` as `cargo run` sets it *now*, not as it
/// was at compile time: a target directory shared between checkouts (CI
/// reuses one) can hold an xtask built in another checkout, and cargo does
/// not rebuild it for a path change, so the compile-time value may name a
/// different tree.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// The cargo target directory in use (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}
