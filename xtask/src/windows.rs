//! The Windows stage of `cargo xtask test`, on Linux: clippy for
//! `x86_64-pc-windows-gnu`, the CLI and the app built for Windows, and the
//! core's, the CLI's and the app's (mock runtime) tests run under Wine.
//!
//! It installs what it needs when missing: the Rust target, mingw-w64 and
//! Wine (Debian packages). Wine runs in a prefix of its own beside the
//! cargo target directory, so a fresh clone reuses it. Wine 8.0 lacks
//! `bcryptprimitives.dll`, whose `ProcessPrng` every Rust ≥ 1.78 program
//! imports: a stand-in built from `xtask/windows/bcryptprimitives.c` goes
//! into the prefix (real Windows 10 and 11 have the DLL).
//!
//! The end-to-end tests are not run here: Wine has no WebView2, so the
//! real app cannot open its window. On Windows itself the ordinary test
//! command is the Windows test; on macOS this stage is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{self, command};
use crate::{setup, target_dir, workspace_root};

/// The Rust target the stage builds for.
const TARGET: &str = "x86_64-pc-windows-gnu";

/// Debian packages: the mingw-w64 C toolchain (linker, and the C the
/// SQLite and zstd crates compile) and Wine.
const PACKAGES: &[&str] = &[
    "gcc-mingw-w64-x86-64",
    "g++-mingw-w64-x86-64",
    "wine64",
    "wine",
];

/// Runs the stage (see the module documentation).
pub fn run() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        eprintln!(
            "windows: skipped: the Windows stage cross-builds and runs Wine on Linux; \
             on Windows the test command itself is the Windows test"
        );
        return Ok(());
    }
    setup::debian_packages(PACKAGES)?;
    setup::rust_target(TARGET)?;
    let prefix = wine_prefix()?;

    process::run(
        cargo(&prefix, &["clippy", "--workspace", "--all-targets"]).args(["--", "-D", "warnings"]),
    )?;
    process::run(&mut cargo(
        &prefix,
        &[
            "build",
            "--package",
            "taskdeck-cli",
            "--package",
            "taskdeck-app",
        ],
    ))?;
    eprintln!(
        "windows: the end-to-end tests are skipped under Wine: it has no WebView2 \
         runtime, so the app cannot open its window"
    );
    process::run(
        cargo(
            &prefix,
            &[
                "test",
                "--package",
                "taskdeck-core",
                "--package",
                "taskdeck-cli",
                "--package",
                "taskdeck-app",
                // Every crate's tests run, and every failure is listed.
                "--no-fail-fast",
            ],
        )
        // Two test threads keep both cores busy without starving the tests
        // that wait on programs under Wine.
        .args(["--", "--test-threads", "2"]),
    )
}

/// A cargo command for the Windows target, its programs run under Wine.
fn cargo(prefix: &Path, args: &[&str]) -> Command {
    let mut cargo = command("cargo");
    cargo
        .args(args)
        .args(["--target", TARGET])
        .env(
            "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER",
            "x86_64-w64-mingw32-gcc",
        )
        .env("CC_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-gcc")
        .env("CXX_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-g++")
        .env("AR_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-ar")
        .env("RANLIB_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-ranlib")
        .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", "wine")
        .env("WINEPREFIX", prefix)
        // The app's tests load WebView2Loader.dll, which the build puts
        // beside the binaries, not beside the test executables in `deps`.
        .env(
            "WINEPATH",
            wine_path(&target_dir().join(TARGET).join("debug")),
        )
        .env("WINEDEBUG", "-all")
        // No Wine dialogs (Mono, Gecko) on a machine without a screen.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY");
    cargo
}

/// The Wine prefix, created on first use, with the `ProcessPrng` stand-in.
fn wine_prefix() -> Result<PathBuf, String> {
    let prefix = target_dir().join("wine-prefix");
    let system32 = prefix.join("drive_c").join("windows").join("system32");
    if !system32.is_dir() {
        process::run(
            command("wineboot")
                .arg("--init")
                .env("WINEPREFIX", &prefix)
                .env("WINEDEBUG", "-all")
                .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
                .env_remove("DISPLAY"),
        )?;
    }
    let source = workspace_root()
        .join("xtask")
        .join("windows")
        .join("bcryptprimitives.c");
    let shim = system32.join("bcryptprimitives.dll");
    let stale = match (modified(&source), modified(&shim)) {
        (Some(source), Some(built)) => source > built,
        _ => true,
    };
    if stale {
        process::run(
            command("x86_64-w64-mingw32-gcc")
                .args(["-O2", "-shared", "-o"])
                .arg(&shim)
                .arg(&source)
                .arg("-lbcrypt"),
        )?;
    }
    Ok(prefix)
}

/// `path` as Wine's programs see it: on drive `Z:`, the Linux root.
fn wine_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}
