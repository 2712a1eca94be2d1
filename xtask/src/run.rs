//! `cargo xtask run`: set up, build, and launch the desktop app.

use std::process::{Child, Command};

use crate::process::{self, command};
use crate::{setup, target_dir, ui};

/// Builds everything and runs the app until its window closes.
pub fn run() -> Result<(), String> {
    setup::run()?;
    ui::build(ui::Profile::Debug)?;
    process::run(command("cargo").args(["build", "--package", "taskdeck-app"]))?;
    let app = target_dir()
        .join("debug")
        .join(format!("taskdeck-app{}", std::env::consts::EXE_SUFFIX));
    let mut launch = Command::new(&app);
    let _xvfb = virtual_display_if_needed(&mut launch)?;
    process::run(&mut launch)
}

/// On Linux without a display, starts Xvfb and points `launch` at it; the
/// returned guard stops Xvfb when dropped.
fn virtual_display_if_needed(launch: &mut Command) -> Result<Option<XvfbGuard>, String> {
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !cfg!(target_os = "linux") || has_display {
        return Ok(None);
    }
    let display = ":77";
    let child = Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .spawn()
        .map_err(|error| format!("no display and Xvfb cannot start: {error}"))?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    eprintln!(
        "run: no display, so the app runs under Xvfb on {display}. Look at it with\n  \
         DISPLAY={display} import -window root taskdeck.png\n(ImageMagick), or run with a real display."
    );
    launch.env("DISPLAY", display);
    Ok(Some(XvfbGuard(child)))
}

struct XvfbGuard(Child);

impl Drop for XvfbGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
