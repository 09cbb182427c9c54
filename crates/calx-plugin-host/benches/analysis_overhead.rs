//! Cost of the plugin boundary for analyses (divan): the water footprint
//! (`plugins/calx-water-footprint`) linked statically vs loaded from its library, on the
//! converged `flowsheets/kigam-cfbc-2022-water.yaml` (after its LCA):
//!
//! - `figures_*`: one figures-only run of the analysis alone (what every study sample asks
//!   of it): static, a call; dynamic, the flowsheet view and the result as JSON both ways;
//! - `study_sample_*`: one study sample varying the analysis's cycles of concentration (the
//!   analysis created again with the sample's value, the plant solved, the LCA and the water
//!   footprint run for their figures): the per-sample cost a study pays.
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

fn study_sample(bencher: Bencher, dynamic: bool) {
    let (text, options) = setup(dynamic);
    let study_text = "study: bench\nflowsheet: kigam-cfbc-2022-water.yaml\nseed: 1\nsamples: 1\nparameters:\n  - path: analyses.water_footprint.cycles_of_concentration\n    distribution: { type: uniform, low: 3, high: 7 }\nmetrics:\n  - analyses.water_footprint.consumption\n";
    let def = calx_study::parse_study(study_text).expect("study");
    let study = calx_study::Study::prepare(def, &text, WATER, &options).expect("prepares");
    let mut x = 3.0;
    bencher.bench_local(|| {
        x = if x >= 7.0 { 3.0 } else { x + 0.125 };
        study.evaluate(&[Some(divan::black_box(x))]).expect("sample")
    });
}

/// One study sample with the water footprint linked statically.
#[divan::bench(sample_count = 200)]
fn study_sample_static(bencher: Bencher) {
    study_sample(bencher, false);
}

/// One study sample with the water footprint loaded from its library.
#[divan::bench(sample_count = 200)]
fn study_sample_plugin(bencher: Bencher) {
    study_sample(bencher, true);
}
