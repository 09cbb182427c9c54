//! Cost of the plugin boundary for analyses (divan): the water footprint
//! (`plugins/calx-water-footprint`) linked statically vs loaded from its library, on the
//! converged `flowsheets/kigam-cfbc-2022-water.yaml` (after its LCA):
//!
//! - `figures_*`: one figures-only run of the analysis alone (what every study sample asks
//!   of it): static, a call; dynamic, the flat path (the view's numbers out, the metric
//!   values back);
//! - `study_plant_sample_*`: one study sample varying the plant (the hydrator's conversion):
//!   the plant solved, the LCA and the water footprint run for their figures — the flat path
//!   across the boundary (numbers only; the layout was sent with the first sample);
//! - `study_own_parameter_sample_*`: one sample varying the water footprint's own parameter,
//!   which each worker sets in place (across the boundary: `analysis_set_number`).
//!
//! Measured (medians, shared 2-core machine, 2026-12-07): figures 2.7 µs loaded vs 0.3 µs
//! linked; plant sample 10.9 vs 8.6 µs (1.27x); own-parameter sample 11.1 vs 8.6 µs (1.29x).
//!
//! Run: `cargo bench -p calx-plugin-host --bench analysis_overhead`. The bench builds the
//! library itself (`cargo build --release -p calx-water-footprint`) into its target directory.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calx_core::{AnalysisOutput, Registry};
use divan::Bencher;

fn main() {
    divan::main();
}

const WATER: &str = "flowsheets/kigam-cfbc-2022-water.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(Path::to_path_buf).unwrap_or_default()
}

/// Build the library once; the directory holding it.
fn library_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("exe");
        let profile = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
        let target = profile.parent().expect("target").to_path_buf();
        let status = std::process::Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["build", "--quiet", "--release", "-p", "calx-water-footprint", "--target-dir"])
            .arg(&target)
            .status()
            .expect("cargo runs");
        assert!(status.success());
        target.join("release")
    })
}

/// The flowsheet text and load options: the library as the file lists it, or the crate
/// linked statically (the `plugins:` line dropped).
fn setup(dynamic: bool) -> (String, calx::LoadOptions) {
    let text = std::fs::read_to_string(root().join(WATER)).expect("flowsheet");
    if dynamic {
        let options =
            calx::LoadOptions { registry: calx::builtin_registry(), plugin_search: vec![library_dir().into()] };
        return (text, options);
    }
    let mut registry: Registry = calx::builtin_registry();
    for t in calx_water_footprint::analysis_types() {
        registry.register_analysis(calx_water_footprint::PROVIDER, t).expect("no clash");
    }
    (text.replace("plugins: [calx_water_footprint]", ""), calx::LoadOptions { registry, plugin_search: Vec::new() })
}

fn figures(bencher: Bencher, dynamic: bool) {
    let (text, options) = setup(dynamic);
    let project = calx::Project::from_text(&text, WATER, &root().join("flowsheets"), &options).expect("loads");
    let solved = project.solve().expect("solves");
    let water = project.model().analyses.iter().find(|a| a.name == "water_footprint").expect("configured");
    let earlier: Vec<AnalysisOutput> = solved.analyses.iter().filter(|a| a.name == "lca").cloned().collect();
    bencher.bench_local(|| water.analysis.figures(divan::black_box(&solved.result), &earlier).expect("figures"));
}

/// The water footprint's figures, linked statically.
#[divan::bench]
fn figures_static(bencher: Bencher) {
    figures(bencher, false);
}

/// The water footprint's figures, loaded from its library.
#[divan::bench]
fn figures_plugin(bencher: Bencher) {
    figures(bencher, true);
}

/// A study over the water flowsheet varying `path` between `low` and `high`, one sample per
/// iteration.
fn study_sample(bencher: Bencher, dynamic: bool, path: &str, (low, high): (f64, f64)) {
    let (text, options) = setup(dynamic);
    let study_text = format!(
        "study: bench\nflowsheet: kigam-cfbc-2022-water.yaml\nseed: 1\nsamples: 1\nparameters:\n  - path: {path}\n    distribution: {{ type: uniform, low: {low}, high: {high} }}\nmetrics:\n  - analyses.water_footprint.consumption\n"
    );
    let def = calx_study::parse_study(&study_text).expect("study");
    let study = calx_study::Study::prepare(def, &text, WATER, &options).expect("prepares");
    let step = (high - low) / 32.0;
    let mut x = low;
    bencher.bench_local(|| {
        x = if x + step > high { low } else { x + step };
        study.evaluate(&[Some(divan::black_box(x))]).expect("sample")
    });
}

/// The plant varies (the hydrator's CaO conversion): the plant solved, the LCA and the water
/// footprint run for their figures. The analyses are not created again.
const PLANT: (&str, (f64, f64)) = ("units.hydration.conversion.CaO", (0.25, 0.48));

/// The water footprint's own parameter varies: each worker sets it in place.
const OWN: (&str, (f64, f64)) = ("analyses.water_footprint.cycles_of_concentration", (3.0, 7.0));

/// A plant sample, the water footprint linked statically.
#[divan::bench(sample_count = 300)]
fn study_plant_sample_static(bencher: Bencher) {
    study_sample(bencher, false, PLANT.0, PLANT.1);
}

/// A plant sample, the water footprint loaded from its library.
#[divan::bench(sample_count = 300)]
fn study_plant_sample_plugin(bencher: Bencher) {
    study_sample(bencher, true, PLANT.0, PLANT.1);
}

/// A sample of the water footprint's own parameter, linked statically.
#[divan::bench(sample_count = 300)]
fn study_own_parameter_sample_static(bencher: Bencher) {
    study_sample(bencher, false, OWN.0, OWN.1);
}

/// A sample of the water footprint's own parameter, loaded from its library.
#[divan::bench(sample_count = 300)]
fn study_own_parameter_sample_plugin(bencher: Bencher) {
    study_sample(bencher, true, OWN.0, OWN.1);
}
