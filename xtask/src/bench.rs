//! `cargo xtask bench [--quick]`: every benchmark in one command, and the
//! table of `docs/benchmarks.md` rewritten from what they measured.
//!
//! Each benchmark (in `tests/benches`) prints, beside its own report, one
//! `bench-figure {json}` line per figure: the value, the baseline measured
//! in the same run, the target and whether it was met. This module runs
//! them, echoes their output, collects those lines and renders the table.
//! A full run (release builds, full sizes) replaces the table between the
//! markers in `docs/benchmarks.md`; a quick run (the test command's: small
//! sizes, debug builds, only proves the benchmarks still run) writes it to
//! `target/bench/quick.md` instead and leaves the docs alone.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

use serde_json::Value;

use crate::process::{self, command};
use crate::{target_dir, ui, workspace_root};

/// Start of a figure line; the same constant as `taskdeck_tests::bench`.
const FIGURE_PREFIX: &str = "bench-figure ";
/// Set to 1 for a quick run; the same name as `taskdeck_tests::bench`.
const QUICK_ENV: &str = "TASKDECK_BENCH_QUICK";
const START_MARKER: &str = "<!-- cargo xtask bench: table start -->";
const END_MARKER: &str = "<!-- cargo xtask bench: table end -->";

/// The benchmarks in the order of the table, and whether each
/// drives the real app.
const BENCHES: [(&str, bool); 14] = [
    ("emit", false),
    ("log_store", false),
    ("log_sections", false),
    ("program_output", false),
    ("durability", false),
    ("live_stream", false),
    ("ui_live_stream", true),
    ("ui_large_log", true),
    ("export", false),
    ("ui_startup", true),
    ("ui_history", true),
    ("run_search", false),
    ("compare_runs", false),
    // Not in the table: the runaway-plugin soak of reliability.md.
    ("ui_runaway", true),
];

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Small sizes on debug builds: proves every benchmark still runs.
    Quick,
    /// Full sizes on release builds; rewrites docs/benchmarks.md.
    Full,
}

/// Runs every benchmark and writes the table.
pub fn run(mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let app = build_app(mode)?;
    let mut figures = Vec::new();
    let mut failed = Vec::new();
    for (name, needs_app) in BENCHES {
        eprintln!("\n=== bench {name}");
        let mut bench = command("cargo");
        bench.args(["bench", "--package", "taskdeck-tests", "--bench", name]);
        if mode == Mode::Quick {
            // The test profile's artifacts are already built by then.
            bench.args(["--profile", "dev"]).env(QUICK_ENV, "1");
        }
        if needs_app {
            bench.env("TASKDECK_E2E_APP", &app);
        }
        // A failed benchmark is reported in the table and fails the
        // command at the end; the others still run.
        match run_collecting(&mut bench) {
            Ok(found) if found.is_empty() => failed.push(format!("{name}: printed no figure")),
            Ok(found) => figures.extend(found),
            Err(error) => failed.push(format!("{name}: {error}")),
        }
    }
    let mut table = render(&figures, mode);
    for failure in &failed {
        table.push_str(&format!("\n**Failed:** {failure}\n"));
    }
    println!("\n{table}");
    match mode {
        Mode::Full => {
            let docs = workspace_root().join("docs").join("benchmarks.md");
            let text = std::fs::read_to_string(&docs)
                .map_err(|error| format!("cannot read {}: {error}", docs.display()))?;
            let updated = replace_table(&text, &table)?;
            std::fs::write(&docs, updated)
                .map_err(|error| format!("cannot write {}: {error}", docs.display()))?;
            eprintln!("bench: table written to {}", docs.display());
        }
        Mode::Quick => {
            let folder = target_dir().join("bench");
            std::fs::create_dir_all(&folder)
                .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
            let path = folder.join("quick.md");
            std::fs::write(&path, &table)
                .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
            eprintln!("bench: quick table written to {}", path.display());
        }
    }
    eprintln!("bench: {:.0} s in all", started.elapsed().as_secs_f64());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} benchmark(s) failed: {}",
            failed.len(),
            failed.join("; ")
        ))
    }
}

/// Builds the UI and the app the UI benchmarks drive; returns its path.
fn build_app(mode: Mode) -> Result<std::path::PathBuf, String> {
    let exe = format!("taskdeck-app{}", std::env::consts::EXE_SUFFIX);
    match mode {
        Mode::Quick => {
            ui::build(ui::Profile::Debug)?;
            process::run(command("cargo").args(["build", "--package", "taskdeck-app"]))?;
            Ok(target_dir().join("debug").join(exe))
        }
        Mode::Full => {
            ui::build(ui::Profile::Release)?;
            process::run(command("cargo").args([
                "build",
                "--release",
                "--package",
                "taskdeck-app",
                "--features",
                "custom-protocol",
            ]))?;
            Ok(target_dir().join("release").join(exe))
        }
    }
}

/// Runs `bench`, echoing its stdout, and returns the figures it printed.
fn run_collecting(bench: &mut std::process::Command) -> Result<Vec<Value>, String> {
    eprintln!("+ {bench:?}");
    let mut child = bench
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start {bench:?}: {error}"))?;
    let mut figures = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line =
                line.map_err(|error| format!("cannot read the benchmark's output: {error}"))?;
            match line.strip_prefix(FIGURE_PREFIX) {
                Some(json) => figures.push(
                    serde_json::from_str(json)
                        .map_err(|error| format!("a figure line is not JSON ({error}): {json}"))?,
                ),
                None => println!("{line}"),
            }
        }
    }
    let status = child
        .wait()
        .map_err(|error| format!("{bench:?} did not finish: {error}"))?;
    if status.success() {
        Ok(figures)
    } else {
        Err(format!("{bench:?} failed ({status})"))
    }
}

/// The markdown table of `figures`, with a line saying when, where and how.
fn render(figures: &[Value], mode: Mode) -> String {
    let mut text = format!(
        "Measured by `cargo xtask bench{}` on {} ({}, {} cores), {}.\n\n",
        if mode == Mode::Quick { " --quick" } else { "" },
        today(),
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |cores| cores.get()),
        if mode == Mode::Quick {
            "debug builds at small sizes: these figures only prove the benchmarks run"
        } else {
            "release builds"
        }
    );
    text.push_str("| area | figure | result | baseline, same run | ratio | target | met |\n");
    text.push_str("|---|---|---|---|---|---|---|\n");
    for figure in figures {
        let text_of = |key: &str| figure[key].as_str().unwrap_or("").to_owned();
        let unit = text_of("unit");
        let value = figure["value"].as_f64();
        let baseline = figure["baseline"].as_f64();
        let ratio = match (value, baseline) {
            (Some(value), Some(baseline)) if baseline != 0.0 => format!("{:.2}", value / baseline),
            _ => "—".into(),
        };
        let met = match figure["met"].as_bool() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        text.push_str(&format!(
            "| {} | {} | {} | {} | {ratio} | {} | {met} |\n",
            text_of("area"),
            text_of("name"),
            value.map_or("—".into(), |value| amount(value, &unit)),
            baseline.map_or("—".into(), |value| amount(value, &unit)),
            text_of("target"),
        ));
    }
    text
}

/// `value` in `unit`, with the precision that unit deserves.
fn amount(value: f64, unit: &str) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let number = match unit {
        "entries/s" | "lines/s" | "ns" | "rows" => grouped(value.round() as u64),
        "ms" if value < 10.0 => format!("{value:.2}"),
        _ => format!("{value:.1}"),
    };
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

/// 1234567 → "1,234,567".
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// Replaces what lies between the markers in `text` with `table`.
fn replace_table(text: &str, table: &str) -> Result<String, String> {
    let missing = || format!("docs/benchmarks.md lacks the lines {START_MARKER} and {END_MARKER}");
    let start = text.find(START_MARKER).ok_or_else(missing)? + START_MARKER.len();
    let end = text.find(END_MARKER).ok_or_else(missing)?;
    if end < start {
        return Err(missing());
    }
    Ok(format!("{}\n{table}{}", &text[..start], &text[end..]))
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// The CPU's model name where the system says it (Linux), else the
/// architecture.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_and_rounded_by_unit() {
        assert_eq!(amount(1_234_567.4, "entries/s"), "1,234,567 entries/s");
        assert_eq!(amount(0.126, "ms"), "0.13 ms");
        assert_eq!(amount(123.45, "ms"), "123.5 ms");
        assert_eq!(amount(f64::NAN, "ms"), "—");
    }

    #[test]
    fn the_table_replaces_only_what_lies_between_the_markers() {
        let text = format!("# Title\n{START_MARKER}\nold\n{END_MARKER}\nrest\n");
        let updated = replace_table(&text, "new\n").expect("markers");
        assert_eq!(
            updated,
            format!("# Title\n{START_MARKER}\nnew\n{END_MARKER}\nrest\n")
        );
        assert!(replace_table("no markers", "new").is_err());
    }

    #[test]
    fn figures_render_with_ratio_and_verdict() {
        let figures = vec![serde_json::json!({
            "area": "ingest", "name": "1M entries", "value": 50.0, "unit": "entries/s",
            "baseline": 100.0, "target": "≥ 0.5× baseline", "met": true
        })];
        let table = render(&figures, Mode::Full);
        assert!(
            table.contains("| ingest | 1M entries | 50 entries/s | 100 entries/s | 0.50 | ≥ 0.5× baseline | yes |"),
            "{table}"
        );
    }
}
