//! Building the Yew UI with trunk (offline: see ui/Trunk.toml).

use crate::process::{self, command};
use crate::{pins, workspace_root};

/// Which trunk profile to build.
#[derive(Debug, Clone, Copy)]
pub enum Profile {
    /// Quick to build; what the tests use.
    Debug,
    /// Optimised for size; what release bundles embed.
    Release,
}

/// Builds ui/ into ui/dist, which the app embeds.
pub fn build(profile: Profile) -> Result<(), String> {
    pins::check_trunk_toml()?;
    let mut trunk = command("trunk");
    trunk.arg("build").current_dir(workspace_root().join("ui"));
    match profile {
        // The tests' build lets them answer native dialogs.
        Profile::Debug => trunk.args(["--features", "test-hooks"]),
        Profile::Release => trunk.arg("--release"),
    };
    process::run(&mut trunk)
}
