//! Benchmarks: the reference plant's LCA against the built-in data and against a generated
//! background of 2,000 processes with loops (Gauss-Seidel, and dense LU for comparison).
//!
//! `cargo bench -p calx-lca`

use std::path::Path;
use std::sync::OnceLock;

use calx_core::Dimension;
use calx_core::Utility;
use calx_core::result::FlowsheetResult;
use calx_lca::{Background, Database, FunctionalUnit, LcaConfig, Mapping, SolverChoice, SolverOptions, assess};

fn main() {
    divan::main();
}

fn plant() -> &'static FlowsheetResult {
    static PLANT: OnceLock<FlowsheetResult> = OnceLock::new();
    PLANT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets/kigam-cfbc-2022.yaml");
        let model = calx::Project::load(&path, &calx::LoadOptions::default()).expect("loads");
        model.build().expect("builds").solve().expect("solves")
    })
}

fn config(electricity: &str) -> LcaConfig {
    let mut c = LcaConfig::new(FunctionalUnit::tonne_of("product"));
    c.utilities.insert(Utility::Electricity, Mapping::to(electricity));
    c.utilities.insert(Utility::Cooling, Mapping::excluded("electricity only"));
    c.streams.insert("raw_ash".into(), Mapping::excluded("waste"));
    c.streams.insert("flue_gas".into(), Mapping::excluded("power plant's"));
    c
}

/// The built-in data plus `n` generated energy processes `g0..`, each with 1-4 inputs from
/// any generated process (loops included, column input sums below 0.6 kWh/kWh) and a CO2
/// emission; `g0` stands in for grid electricity.
fn generated(n: usize) -> Database {
    let mut db = Database::builtin();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for j in 0..n {
        db.add_process(&format!("g{j}"), Dimension::ENERGY, "generated", "benchmark").unwrap();
    }
    for j in 0..n {
        let k = 1 + (next() * 4.0) as usize;
        for _ in 0..k {
            let i = ((next() * n as f64) as usize).min(n - 1);
            db.add_input(&format!("g{j}"), &format!("g{i}"), 0.15 * next()).unwrap();
        }
        db.add_emission(&format!("g{j}"), "CO2, fossil", 1e-7 * next()).unwrap();
    }
    db
}

#[divan::bench]
fn reference_plant_builtin_data(bencher: divan::Bencher) {
    let db = Database::builtin();
    let c = config("electricity_kr_2014_16");
    let r = plant();
    bencher.bench(|| assess(divan::black_box(r), &db, &c).unwrap());
}

#[divan::bench]
fn reference_plant_2000_process_background(bencher: divan::Bencher) {
    let db = generated(2000);
    let c = config("g0");
    let r = plant();
    bencher.bench(|| assess(divan::black_box(r), &db, &c).unwrap());
}

/// What a study sample costs: the metrics against a prepared background.
#[divan::bench]
fn reference_plant_figures(bencher: divan::Bencher) {
    let background = Background::new(Database::builtin(), config("electricity_kr_2014_16")).unwrap();
    let r = plant();
    bencher.bench(|| calx_lca::figures(divan::black_box(r), &background).unwrap());
}

/// The full result against a prepared background (what a report needs).
#[divan::bench]
fn reference_plant_full_result(bencher: divan::Bencher) {
    let background = Background::new(Database::builtin(), config("electricity_kr_2014_16")).unwrap();
    let r = plant();
    bencher.bench(|| calx_lca::assess_with(divan::black_box(r), &background).unwrap());
}

fn solve_2000(bencher: divan::Bencher, choice: SolverChoice) {
    let db = generated(2000);
    let m = db.matrices();
    let g0 = db.require_process("g0", "bench").unwrap();
    let options = SolverOptions { choice, ..SolverOptions::default() };
    bencher.bench(|| db.solve(&m, divan::black_box(&[(g0, 3.6e6)]), &options).unwrap());
}

#[divan::bench]
fn solve_2000_process_background_gauss_seidel(bencher: divan::Bencher) {
    solve_2000(bencher, SolverChoice::Iterative);
}

/// The dense LU cross-check, for comparison (about a second per solve: few samples).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn solve_2000_process_background_dense_lu(bencher: divan::Bencher) {
    solve_2000(bencher, SolverChoice::Dense);
}

#[divan::bench]
fn compile_matrices_2000_processes(bencher: divan::Bencher) {
    let db = generated(2000);
    bencher.bench(|| db.matrices());
}
