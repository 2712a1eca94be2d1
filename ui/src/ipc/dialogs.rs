//! The native dialogs (Tauri's dialog plugin) and "show in folder" (the
//! opener plugin): plugin commands, outside the app's own command list.

use serde::Serialize;
use taskdeck_protocol::{IpcError, PathPicker};

use super::{invoke_named, test_hooks};

/// Options of the dialog plugin's `open` and `save` (one file or folder).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DialogOptions<'a> {
    title: &'a str,
    directory: bool,
    multiple: bool,
    default_path: Option<&'a str>,
    filters: Vec<DialogFilter<'a>>,
}

/// A named set of file extensions a dialog offers.
#[derive(Serialize)]
struct DialogFilter<'a> {
    name: &'a str,
    extensions: [&'a str; 1],
}

/// Runs the dialog plugin's `command` (`open` or `save`); `None` when the
/// user closes the dialog.
async fn dialog(command: &str, options: DialogOptions<'_>) -> Result<Option<String>, IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        options: DialogOptions<'a>,
    }
    invoke_named(&format!("plugin:dialog|{command}"), &Args { options }).await
}

/// Asks for a path with the native dialog (Tauri's dialog plugin),
/// starting at `current` when it is set; `None` when the user closes it.
pub async fn pick_path(
    picker: PathPicker,
    title: &str,
    current: &str,
) -> Result<Option<String>, IpcError> {
    let options = DialogOptions {
        title,
        directory: picker == PathPicker::Folder,
        multiple: false,
        default_path: Some(current.trim()).filter(|path| !path.is_empty()),
        filters: Vec::new(),
    };
    dialog("open", options).await
}

/// Asks where to save a file with the native save dialog, proposing
/// `file_name`; `None` when the user closes it. For end-to-end tests, a
/// folder in `window.__TASKDECK_TEST_SAVE_DIR` answers instead of the
/// dialog (which WebDriver cannot drive): the file goes there, under the
/// proposed name.
pub async fn save_path(
    title: &str,
    file_name: &str,
    kind: &str,
    extension: &str,
) -> Result<Option<String>, IpcError> {
    if let Some(folder) = test_hooks::answer("__TASKDECK_TEST_SAVE_DIR") {
        return Ok(Some(format!(
            "{}/{file_name}",
            folder.trim_end_matches('/')
        )));
    }
    let options = DialogOptions {
        title,
        directory: false,
        multiple: false,
        default_path: Some(file_name),
        filters: vec![DialogFilter {
            name: kind,
            extensions: [extension],
        }],
    };
    dialog("save", options).await
}

/// Shows `path` selected in the system's file manager.
pub async fn show_in_folder(path: &str) -> Result<(), IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        paths: [&'a str; 1],
    }
    invoke_named("plugin:opener|reveal_item_in_dir", &Args { paths: [path] }).await
}

/// Asks for a JSON Lines export to import with the native open dialog;
/// `None` when the user closes it. For end-to-end tests, a path in
/// `window.__TASKDECK_TEST_OPEN_FILE` answers instead of the dialog.
pub async fn open_export_file() -> Result<Option<String>, IpcError> {
    if let Some(path) = test_hooks::answer("__TASKDECK_TEST_OPEN_FILE") {
        return Ok(Some(path));
    }
    let options = DialogOptions {
        title: "Import a Taskdeck log export",
        directory: false,
        multiple: false,
        default_path: None,
        filters: vec![DialogFilter {
            name: "Taskdeck export (JSON Lines)",
            extensions: ["jsonl"],
        }],
    };
    dialog("open", options).await
}
