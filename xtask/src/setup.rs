//! `cargo xtask setup`: installs what is missing and skips what is present.
//!
//! On Debian and Ubuntu it installs the system packages itself (as root, or
//! through sudo); elsewhere it says what to install. It then adds the wasm
//! target and `cargo install`s the pinned tools that are missing or at
//! another version.

use std::process::Command;

use crate::pins;
use crate::process::{self, command};

/// Debian 12 packages the app, the UI build and the end-to-end tests need.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libjavascriptcoregtk-4.1-dev",
    "libsoup-3.0-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    // The git plugin runs the system git (and its tests use it).
    "git",
    // The export benchmark's baseline is the sqlite3 shell's dump.
    "sqlite3",
];

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs everything missing.
pub fn run() -> Result<(), String> {
    system_packages()?;
    wasm_target()?;
    let installed = installed_cargo_tools();
    cargo_tool(&installed, "trunk", "trunk", pins::TRUNK, true)?;
    let wasm_bindgen = pins::wasm_bindgen()?;
    // Not --locked: its lock file names a crate the registry mirror lacks.
    cargo_tool(
        &installed,
        "wasm-bindgen-cli",
        "wasm-bindgen",
        &wasm_bindgen,
        false,
    )?;
    cargo_tool(
        &installed,
        "cargo-deny",
        "cargo-deny",
        pins::CARGO_DENY,
        true,
    )?;
    cargo_tool(
        &installed,
        "cargo-fuzz",
        "cargo-fuzz",
        pins::CARGO_FUZZ,
        true,
    )?;
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        cargo_tool(
            &installed,
            "tauri-driver",
            "tauri-driver",
            pins::TAURI_DRIVER,
            true,
        )?;
    }
    eprintln!("setup: everything is installed");
    Ok(())
}

fn system_packages() -> Result<(), String> {
    if cfg!(target_os = "macos") {
        eprintln!("setup: macOS needs the Xcode command-line tools (xcode-select --install)");
        return Ok(());
    }
    if cfg!(target_os = "windows") {
        eprintln!(
            "setup: Windows needs the Visual Studio C++ build tools and WebView2 \
             (preinstalled on Windows 10 1803+ and 11); the end-to-end tests also need \
             msedgedriver matching your Edge version on PATH"
        );
        return Ok(());
    }
    debian_packages(DEBIAN_PACKAGES)
}

/// Installs those of `packages` that are missing, on Debian and Ubuntu (as
/// root, or through sudo); elsewhere says what to install.
pub fn debian_packages(packages: &[&str]) -> Result<(), String> {
    if !process::exists("dpkg-query") {
        eprintln!(
            "setup: not a Debian-like system; install the equivalents of: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| !debian_package_installed(package))
        .collect();
    if missing.is_empty() {
        eprintln!("setup: system packages present");
        return Ok(());
    }
    eprintln!("setup: installing system packages: {}", missing.join(" "));
    let as_root = process::output_of(command("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| -> Command {
        let mut apt = if as_root {
            command("apt-get")
        } else {
            let mut sudo = command("sudo");
            sudo.arg("apt-get");
            sudo
        };
        apt.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        apt
    };
    process::run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(&missing);
    process::run(&mut install)
}

fn debian_package_installed(package: &str) -> bool {
    process::output_of(command("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_some_and(|status| status.contains("install ok installed"))
}

fn wasm_target() -> Result<(), String> {
    rust_target(WASM_TARGET)
}

/// Adds the Rust target `target` through rustup unless it is there.
pub fn rust_target(target: &str) -> Result<(), String> {
    let installed = process::output_of(command("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|line| line.trim() == target) => {
            eprintln!("setup: {target} target present");
            Ok(())
        }
        Some(_) => process::run(command("rustup").args(["target", "add", target])),
        None => Err(format!(
            "rustup was not found: install Rust with rustup, then `rustup target add {target}`"
        )),
    }
}

/// `cargo install --list` as (crate, version) pairs.
fn installed_cargo_tools() -> Vec<(String, String)> {
    let list = process::output_of(command("cargo").args(["install", "--list"])).unwrap_or_default();
    list.lines()
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| {
            let (name, rest) = line.split_once(" v")?;
            let version = rest.split([':', ' ']).next()?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

fn cargo_tool(
    installed: &[(String, String)],
    crate_name: &str,
    binary: &str,
    version: &str,
    locked: bool,
) -> Result<(), String> {
    let present = installed
        .iter()
        .any(|(name, installed_version)| name == crate_name && installed_version == version);
    if present && process::exists(binary) {
        eprintln!("setup: {crate_name} {version} present");
        return Ok(());
    }
    let mut install = command("cargo");
    install
        .args(["install", crate_name, "--version", version, "--force"])
        // A tool's own release profile often asks for fat LTO and one
        // codegen unit: minutes of a cold set-up, for speed no test needs.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false");
    if locked {
        install.arg("--locked");
    }
    process::run(&mut install)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_package_list_has_no_duplicates() {
        let mut sorted = super::DEBIAN_PACKAGES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), super::DEBIAN_PACKAGES.len());
    }
}
