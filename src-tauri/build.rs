//! Tauri's build step: embeds the config, capabilities and icons, and
//! declares the app's own commands (from `taskdeck_protocol::commands`, where
//! each is defined once) so that each needs a permission (`allow-<command>`)
//! granted in `capabilities/`.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(taskdeck_protocol::commands::NAMES));
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri build step failed: {error:#}");
        std::process::exit(1);
    }
}
