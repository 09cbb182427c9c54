//! Benchmarks: samples per second of studies over the reference plant with LCA, carbon ledger
//! and TEA, once-through and with the water recycle, on 1 and 2 threads. divan prints the
//! throughput as items (samples) per second. Issue 7's aim: 50,000/s once-through and 20,000/s
//! with the recycle on 2 threads; issue 15's: the reference study with an equilibrium
//! carbonator (`flowsheets/kigam-cfbc-equilibrium.yaml`) at 20,000/s or more on 2 threads;
//! issue 16's: the reference study with a rate-based carbonator (a CSTR, shrinking core) at
//! 20,000/s or more on 2 threads; issue 24's: once-through at most 8 us (125,000/s) and recycle
//! at most 12 us per sample on one thread, 2 threads at least 1.8x one.
//!
//! Instructions and heap allocations per sample: `cargo xtask sample-cost` (callgrind and
//! DHAT over `examples/sample_cost.rs`).
//!
//! `cargo bench -p calx-study`

use std::path::Path;

use calx_study::{SampleBlock, Study};
use divan::counter::ItemsCount;

#[path = "../examples/variants/mod.rs"]
mod variants;

// The allocator the `calx` binary uses, so that the figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SAMPLES: usize = 2000;

/// The reference study: analysis parameters too (each sample creates those analyses again).
const REFERENCE: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";

/// A study of two unit parameters (conversions) of a flowsheet in `flowsheets/`.
fn unit_only(flowsheet: &str, metrics: &[&str]) -> String {
    let metrics: String = metrics.iter().map(|m| format!("  - {m}\n")).collect();
    format!(
        "study: bench\nflowsheet: {flowsheet}\nseed: 1\nsamples: {SAMPLES}\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: {{ type: triangular, low: 0.25, mode: 0.2894, high: 0.48 }}\n  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: {{ type: triangular, low: 0.6, mode: 0.7, high: 0.9 }}\nmetrics:\n{metrics}"
    )
}

fn run(study_text: &str, threads: usize, bencher: divan::Bencher) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut def = calx_study::parse_study(study_text).expect("study parses");
    def.samples = SAMPLES;
    // Study files live in (and name flowsheets relative to) `flowsheets/`.
    let file = format!("flowsheets/{}", def.flowsheet);
    let text = std::fs::read_to_string(root.join(&file)).expect("flowsheet reads");
    let study = Study::prepare(def, &text, &file, &calx::LoadOptions::default()).expect("study prepares");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    // The block path `calx study` runs: one block reused from run to run.
    let mut block = SampleBlock::new();
    bencher
        .counter(ItemsCount::new(SAMPLES))
        .bench_local(|| pool.install(|| study.run_into(0..SAMPLES, &mut block, &|_| {})));
}

#[divan::bench(args = [1, 2], sample_count = 10)]
fn reference_study_once_through(bencher: divan::Bencher, threads: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(REFERENCE)).expect("study reads");
    run(&text, threads, bencher);
}

/// The reference study over the plant whose carbonator is rate-based
/// (`variants::rate_carbonator`).
#[divan::bench(args = [1, 2], sample_count = 10)]
fn reference_study_rate_carbonator(bencher: divan::Bencher, threads: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (study, plant) = variants::rate_carbonator(&root);
    let mut def = calx_study::parse_study(&study).expect("study parses");
    def.samples = SAMPLES;
    let file = "flowsheets/kigam-cfbc-rate.yaml";
    let prepared = Study::prepare(def, &plant, file, &calx::LoadOptions::default()).expect("study prepares");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    // The block path `calx study` runs: one block reused from run to run.
    let mut block = SampleBlock::new();
    bencher
        .counter(ItemsCount::new(SAMPLES))
        .bench_local(|| pool.install(|| prepared.run_into(0..SAMPLES, &mut block, &|_| {})));
}

/// The reference study over the plant whose carbonator is at equilibrium: the same
/// parameters less the carbonation conversion, which equilibrium mode decides itself.
#[divan::bench(args = [1, 2], sample_count = 10)]
fn reference_study_equilibrium_carbonator(bencher: divan::Bencher, threads: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(REFERENCE)).expect("study reads");
    run(&equilibrium_variant(&text), threads, bencher);
}

/// `study` over `kigam-cfbc-equilibrium.yaml`, without the carbonation conversion parameter
/// and the carbon ledger's metric.
fn equilibrium_variant(study: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in study.lines() {
        if line.starts_with("  - path:") {
            skipping = line.contains("units.carbonation.conversion");
        }
        // The equilibrium plant has no carbon ledger to record.
        if !skipping && !line.trim_start().starts_with("- analyses.carbon.") {
            out.push_str(&line.replace("flowsheet: kigam-cfbc-2022.yaml", "flowsheet: kigam-cfbc-equilibrium.yaml"));
            out.push('\n');
        }
    }
    assert!(out.contains("kigam-cfbc-equilibrium.yaml") && !out.contains("units.carbonation"), "variant made");
    out
}

#[divan::bench(args = [1, 2], sample_count = 10)]
fn unit_parameters_once_through_lca_tea(bencher: divan::Bencher, threads: usize) {
    run(
        &unit_only(
            "kigam-cfbc-2022.yaml",
            &["analyses.tea.benefit_cost_ratio", "analyses.lca.net_reduction_per_functional_unit"],
        ),
        threads,
        bencher,
    );
}

#[divan::bench(args = [1, 2], sample_count = 10)]
fn unit_parameters_water_recycle_lca_tea(bencher: divan::Bencher, threads: usize) {
    run(
        &unit_only(
            "kigam-cfbc-recycle.yaml",
            &["analyses.tea.benefit_cost_ratio", "analyses.lca.net_reduction_per_functional_unit"],
        ),
        threads,
        bencher,
    );
}
