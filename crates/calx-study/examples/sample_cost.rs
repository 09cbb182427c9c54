//! Runs a study's samples on one thread, as `calx study` does (batches of 4,096 into one reused
//! `SampleBlock`), and says what they cost: `cargo xtask sample-cost`
//! runs it for N and 3N samples natively (wall time), under `valgrind --tool=callgrind`
//! (instructions) and under `valgrind --tool=dhat` (heap allocations), and divides the
//! differences by 2N, so that set-up and warm-up cancel out.
//!
//! `cargo run --release -p calx-study --example sample_cost -- KIND SAMPLES`, KIND one of
//! `once-through` (the reference plant, two conversions varied, LCA + TEA + ledger metrics),
//! `recycle` (the same over the water-recycle plant), `equilibrium` (the plant whose
//! carbonator is at equilibrium, the hydration conversion varied), `rate` (the reference
//! study over the plant whose carbonator is rate-based, its rate constant varied in place of
//! its conversion) or `reference` (the reference study, analysis parameters too).

use std::path::Path;

use calx_study::Study;

// The allocator the `calx` binary uses, so that the times are what users get (DHAT counts
// the system allocator's blocks only: `--features system-allocator` for the count).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Samples per batch, as `calx study` runs them.
const BATCH: usize = 4096;

mod variants;

fn study_text(kind: &str, root: &Path) -> String {
    let unit_only = |flowsheet: &str| {
        format!(
            "study: cost\nflowsheet: {flowsheet}\nseed: 1\nsamples: 1\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: {{ type: triangular, low: 0.25, mode: 0.2894, high: 0.48 }}\n  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: {{ type: triangular, low: 0.6, mode: 0.7, high: 0.9 }}\nmetrics:\n  - analyses.lca.net_reduction_per_functional_unit\n  - analyses.tea.npv\n"
        )
    };
    match kind {
        "once-through" => unit_only("kigam-cfbc-2022.yaml"),
        "recycle" => unit_only("kigam-cfbc-recycle.yaml"),
        // The equilibrium carbonator decides its own conversion: only the hydration varies.
        "equilibrium" => unit_only("kigam-cfbc-equilibrium.yaml")
            .replace("  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: { type: triangular, low: 0.6, mode: 0.7, high: 0.9 }\n", ""),
        "reference" => std::fs::read_to_string(root.join("flowsheets/kigam-cfbc-2022-uncertainty.yaml"))
            .unwrap_or_else(|e| panic!("the reference study: {e}")),
        "rate" => variants::rate_carbonator(root).0,
        other => panic!("unknown kind {other:?}: once-through, recycle, equilibrium, rate or reference"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("once-through", String::as_str);
    let samples: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut def = calx_study::parse_study(&study_text(kind, &root)).unwrap_or_else(|e| panic!("{e}"));
    def.samples = samples.max(1);
    let file = format!("flowsheets/{}", def.flowsheet);
    let text = match kind {
        "rate" => variants::rate_carbonator(&root).1,
        _ => std::fs::read_to_string(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}")),
    };
    let study = Study::prepare(def, &text, &file, &calx::LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap_or_else(|e| panic!("{e}"));
    // The block path `calx study` runs its batches on: batches of the CLI's size written
    // into one reused block.
    let mut block = calx_study::SampleBlock::new();
    let started = std::time::Instant::now();
    for from in (0..samples).step_by(BATCH) {
        pool.install(|| study.run_into(from..(from + BATCH).min(samples), &mut block, &|_| {}));
        assert_eq!(block.failed(), 0, "{:?}", block.failures().next());
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("{seconds}");
}
