//! What the benchmarks share: their size (quick or full), the small
//! statistics they print, and the figure lines `cargo xtask bench` collects
//! into the table of `docs/benchmarks.md`.
//!
//! A benchmark prints what it measures for people, and for each figure the
//! issue sets a target for, one line starting with [`FIGURE_PREFIX`]
//! followed by the figure as JSON ([`Figure`]): its value, the baseline
//! measured in the same run, the target and whether it was met. Nothing
//! here asserts a time.

pub mod page;
pub mod rows;

use std::time::Duration;

use serde_json::json;

/// Start of a machine-readable figure line on a benchmark's stdout.
pub const FIGURE_PREFIX: &str = "bench-figure ";

/// Environment variable `cargo xtask bench --quick` sets: benchmarks then
/// run small sizes that only prove they still work.
pub const QUICK_ENV: &str = "TASKDECK_BENCH_QUICK";

/// The description of a benchmark's own plugin `id`.
pub fn plugin_info(id: &str) -> taskdeck_protocol::PluginInfo {
    taskdeck_protocol::PluginInfo {
        id: id.into(),
        name: id.into(),
        description: "Benchmark plugin".into(),
        params: taskdeck_protocol::ParamSchema::default(),
    }
}

/// Whether this is a quick run (CI): small sizes, figures not meaningful.
pub fn quick() -> bool {
    std::env::var_os(QUICK_ENV).is_some_and(|value| value == "1")
}

/// The size to run: the first numeric argument (`cargo bench … -- N`),
/// else `quick` in a quick run, else `full`.
pub fn size(full: u64, quick_size: u64) -> u64 {
    std::env::args()
        .skip(1)
        .find_map(|argument| argument.parse().ok())
        .unwrap_or(if quick() { quick_size } else { full })
}

/// One measured figure with its baseline and target.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The area of the table: `emit`, `ingest`, `history`, …
    pub area: &'static str,
    /// What was measured, e.g. "first page, 1M entries".
    pub name: String,
    /// Our result.
    pub value: f64,
    /// Its unit: `ms`, `ns`, `entries/s`, `MiB/s`, `MiB`.
    pub unit: &'static str,
    /// The baseline measured in the same run, in the same unit, if any.
    pub baseline: Option<f64>,
    /// The target in words, e.g. "≥ 0.5× baseline".
    pub target: String,
    /// Whether the target was met (None: no target for this figure).
    pub met: Option<bool>,
}

impl Figure {
    /// A figure with no baseline and no target yet.
    pub fn new(
        area: &'static str,
        name: impl Into<String>,
        value: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            area,
            name: name.into(),
            value,
            unit,
            baseline: None,
            target: String::new(),
            met: None,
        }
    }

    /// The same-run baseline.
    pub fn baseline(mut self, baseline: f64) -> Self {
        self.baseline = Some(baseline);
        self
    }

    /// The target and whether it was met.
    pub fn target(mut self, target: impl Into<String>, met: bool) -> Self {
        self.target = target.into();
        self.met = Some(met);
        self
    }

    /// `value / baseline`, if there is a baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.map(|baseline| self.value / baseline)
    }

    /// Prints the figure line `cargo xtask bench` collects.
    pub fn print(&self) {
        let line = json!({
            "area": self.area,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "target": self.target,
            "met": self.met,
        });
        println!("{FIGURE_PREFIX}{line}");
    }
}

/// The value at `fraction` (0.0–1.0) of `values`, nearest rank; NaN when
/// there are none.
pub fn percentile(values: &[f64], fraction: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

/// A count with thousands separators: 1000000 → "1,000,000".
pub fn grouped(count: u64) -> String {
    let digits = count.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// Makes the schema of a store in `dir` (the app's own migrations) and
/// closes it, for a benchmark that then writes its rows in bulk.
pub async fn migrated_store(dir: &std::path::Path) -> Result<(), String> {
    let data_dir = taskdeck_core::DataDir::resolve(Some(dir)).map_err(|error| error.to_string())?;
    let store = taskdeck_core::Store::open(data_dir)
        .await
        .map_err(|error| error.to_string())?;
    store.close().await.map_err(|error| error.to_string())
}

/// Runs a benchmark's work on a two-worker tokio runtime (as the app
/// runs); an error ends the process with status 1, named after `name`.
pub fn run_to_end(name: &str, work: impl std::future::Future<Output = Result<(), String>>) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: cannot start a tokio runtime: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(work) {
        eprintln!("{name}: {error}");
        std::process::exit(1);
    }
}

/// A duration in milliseconds.
pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_takes_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), 51.0);
        assert_eq!(percentile(&values, 0.99), 99.0);
        assert_eq!(percentile(&values, 1.0), 100.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn a_figure_knows_its_ratio() {
        let figure = Figure::new("ingest", "rate", 50.0, "entries/s")
            .baseline(100.0)
            .target("≥ 0.5× baseline", true);
        assert_eq!(figure.ratio(), Some(0.5));
        assert_eq!(figure.met, Some(true));
        assert_eq!(Figure::new("start-up", "empty", 1.0, "ms").ratio(), None);
    }
}
