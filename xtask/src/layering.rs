//! `cargo xtask layering`: the dependency rules of docs/architecture.md, checked on
//! the resolved dependency graph rather than hoped for.
//!
//! - `taskdeck-core` and `taskdeck-migrations` never reach Tauri;
//! - `taskdeck-ui` reaches no workspace crate but `taskdeck-protocol`, and
//!   neither it nor the protocol reaches sea-orm or tokio on wasm32;
//! - `taskdeck-protocol` reaches no workspace crate, and builds for wasm32;
//! - `unsafe` is denied everywhere but in [`UNSAFE_ALLOWED`].

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::process::{self, command};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// A crate and what it must not reach through normal or build dependencies.
struct Rule {
    package: &'static str,
    platform: Option<&'static str>,
    forbidden: &'static [&'static str],
    forbidden_prefix: Option<&'static str>,
}

const RULES: &[Rule] = &[
    Rule {
        package: "taskdeck-core",
        platform: None,
        forbidden: &["taskdeck-app", "taskdeck-ui"],
        forbidden_prefix: Some("tauri"),
    },
    Rule {
        package: "taskdeck-migrations",
        platform: None,
        forbidden: &["taskdeck-core", "taskdeck-app", "taskdeck-ui"],
        forbidden_prefix: Some("tauri"),
    },
    Rule {
        package: "taskdeck-ui",
        platform: Some(WASM_TARGET),
        forbidden: &[
            "taskdeck-core",
            "taskdeck-migrations",
            "taskdeck-app",
            "sea-orm",
            "tokio",
        ],
        forbidden_prefix: Some("tauri"),
    },
    Rule {
        package: "taskdeck-protocol",
        platform: Some(WASM_TARGET),
        forbidden: &[
            "taskdeck-core",
            "taskdeck-migrations",
            "taskdeck-app",
            "taskdeck-ui",
            "sea-orm",
            "tokio",
        ],
        forbidden_prefix: Some("tauri"),
    },
];

/// The one file allowed `unsafe`: WebView2's `ProcessFailed` event exists
/// only on a COM interface.
const UNSAFE_ALLOWED: &str = "src-tauri/src/webview_recovery/webview2.rs";

/// The folders of the workspace's own code.
const SOURCE_ROOTS: &[&str] = &[
    "crates",
    "src-tauri/src",
    "src-tauri/tests",
    "ui/src",
    "xtask/src",
    "tests",
    "fuzz",
];

/// Checks every rule, then builds the protocol crate for wasm32.
pub fn run() -> Result<(), String> {
    let mut violations = unsafe_outside_its_module()?;
    for platform in [None, Some(WASM_TARGET)] {
        let graph = Graph::load(platform)?;
        for rule in RULES.iter().filter(|rule| rule.platform == platform) {
            let reached = graph.reachable_from(rule.package)?;
            for name in reached {
                let by_prefix = rule
                    .forbidden_prefix
                    .is_some_and(|prefix| name.starts_with(prefix));
                if by_prefix || rule.forbidden.contains(&name.as_str()) {
                    violations.push(format!("{} depends on {name}", rule.package));
                }
            }
        }
    }
    if !violations.is_empty() {
        return Err(format!(
            "the layering of docs/architecture.md is broken:\n  {}",
            violations.join("\n  ")
        ));
    }
    eprintln!("layering: dependency rules hold");
    process::run(command("cargo").args([
        "check",
        "--package",
        "taskdeck-protocol",
        "--features",
        "specta",
        "--target",
        WASM_TARGET,
    ]))?;
    process::run(command("cargo").args([
        "check",
        "--package",
        "taskdeck-protocol",
        "--target",
        WASM_TARGET,
    ]))
}

/// Files other than [`UNSAFE_ALLOWED`] that lift the workspace's denial of
/// `unsafe`.
fn unsafe_outside_its_module() -> Result<Vec<String>, String> {
    // Spelt in pieces, so that this file does not name what it looks for.
    let lifting = ["allow", "expect", "warn"].map(|level| format!("{level}(unsafe_{})", "code"));
    let mut found = Vec::new();
    let root = crate::workspace_root();
    let mut folders: Vec<_> = SOURCE_ROOTS
        .iter()
        .map(|folder| root.join(folder))
        .collect();
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "target") {
                    folders.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|extension| extension != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if shown != UNSAFE_ALLOWED && lifting.iter().any(|attribute| text.contains(attribute)) {
                found.push(format!(
                    "{shown} allows `unsafe` (only {UNSAFE_ALLOWED} may)"
                ));
            }
        }
    }
    Ok(found)
}

/// The resolved graph of normal and build dependencies.
struct Graph {
    names: HashMap<String, String>,
    edges: HashMap<String, Vec<String>>,
}

impl Graph {
    fn load(platform: Option<&str>) -> Result<Self, String> {
        let mut metadata = command("cargo");
        metadata.args(["metadata", "--format-version", "1", "--locked"]);
        if let Some(platform) = platform {
            metadata.args(["--filter-platform", platform]);
        }
        let text = process::output_of(&mut metadata)
            .ok_or_else(|| "`cargo metadata` failed".to_owned())?;
        let json: Value =
            serde_json::from_str(&text).map_err(|error| format!("cargo metadata: {error}"))?;
        Ok(Self::from_metadata(&json))
    }

    fn from_metadata(json: &Value) -> Self {
        let names = json["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|package| {
                Some((
                    package["id"].as_str()?.to_owned(),
                    package["name"].as_str()?.to_owned(),
                ))
            })
            .collect();
        let edges = json["resolve"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|node| {
                let id = node["id"].as_str()?.to_owned();
                let deps = node["deps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|dep| is_normal_or_build(dep))
                    .filter_map(|dep| dep["pkg"].as_str().map(str::to_owned))
                    .collect();
                Some((id, deps))
            })
            .collect();
        Self { names, edges }
    }

    /// Names of every package `package` reaches (not itself).
    fn reachable_from(&self, package: &str) -> Result<BTreeSet<String>, String> {
        let start = self
            .names
            .iter()
            .find(|(_, name)| name.as_str() == package)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| format!("package {package} is not in the workspace"))?;
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(id) = stack.pop() {
            for next in self.edges.get(&id).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        Ok(seen
            .into_iter()
            .filter(|id| *id != start)
            .filter_map(|id| self.names.get(&id).cloned())
            .collect())
    }
}

fn is_normal_or_build(dep: &Value) -> bool {
    dep["dep_kinds"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|kind| kind["kind"].is_null() || kind["kind"] == "build")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> Value {
        serde_json::json!({
            "packages": [
                { "id": "a", "name": "taskdeck-core" },
                { "id": "b", "name": "helper" },
                { "id": "c", "name": "tauri" },
                { "id": "d", "name": "test-only" }
            ],
            "resolve": { "nodes": [
                { "id": "a", "deps": [
                    { "pkg": "b", "dep_kinds": [{ "kind": null }] },
                    { "pkg": "d", "dep_kinds": [{ "kind": "dev" }] }
                ]},
                { "id": "b", "deps": [ { "pkg": "c", "dep_kinds": [{ "kind": null }] } ] },
                { "id": "c", "deps": [] },
                { "id": "d", "deps": [] }
            ]}
        })
    }

    #[test]
    fn reachability_is_transitive_and_ignores_dev_dependencies() {
        let graph = Graph::from_metadata(&metadata());
        let reached = graph.reachable_from("taskdeck-core").unwrap();
        assert_eq!(
            reached.into_iter().collect::<Vec<_>>(),
            vec!["helper".to_owned(), "tauri".to_owned()]
        );
    }

    #[test]
    fn an_unknown_package_is_an_error_not_an_empty_set() {
        let graph = Graph::from_metadata(&metadata());
        assert!(graph.reachable_from("nope").is_err());
    }
}
