//! Parameter studies: thread-count independence, shard/merge equality, failed samples
//! recorded, paths and distributions checked before anything runs, and the reference study's
//! summary on a small fixed-seed run against its committed snapshot.

use calx_study::{Columns, Sample, SampleBlock, Study, StudyDef, StudyError};
use calx_tests::root;

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";
const REFERENCE: &str = "flowsheets/kigam-cfbc-2022-uncertainty.yaml";

fn flowsheet_text() -> String {
    std::fs::read_to_string(root().join(FLOWSHEET)).unwrap_or_default()
}

fn reference(samples: usize) -> StudyDef {
    let text = std::fs::read_to_string(root().join(REFERENCE)).unwrap_or_default();
    let mut def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{REFERENCE}: {e}"));
    def.samples = samples;
    def
}

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool").install(f)
}

fn study_text(parameters: &str, metrics: &str) -> String {
    format!(
        "study: t\nflowsheet: ../{FLOWSHEET}\nseed: 7\nsamples: 24\nsampling: random\nparameters:\n{parameters}metrics:\n{metrics}"
    )
}

/// Load options with `registry` (the built-in one in these tests) and no plugin search path.
fn options(registry: &calx_core::Registry) -> calx::LoadOptions {
    calx::LoadOptions::default().with_registry(registry.clone())
}

fn prepare(def: StudyDef, registry: &calx_core::Registry) -> Result<Study, StudyError> {
    Study::prepare(def, &flowsheet_text(), FLOWSHEET, &options(registry))
}

#[test]
fn results_are_bit_identical_on_one_and_two_threads() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(24), &registry).unwrap_or_else(|e| panic!("{e}"));
    let one: Vec<Sample> = on_threads(1, || study.run(0..24));
    let two: Vec<Sample> = on_threads(2, || study.run(0..24));
    assert_eq!(one.len(), 24);
    assert!(one.iter().all(|s| s.outcome.is_ok()), "{:?}", one.iter().find(|s| s.outcome.is_err()));
    // Exact f64 equality, not a tolerance.
    assert_eq!(one, two);
    // Different samples differ (the test could fail if every sample were the base case).
    assert_ne!(one[0].outcome, one[1].outcome);
}

#[test]
fn shards_merged_equal_a_single_run() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(30), &registry).unwrap_or_else(|e| panic!("{e}"));
    let def = &study.def;
    let single = study.run(0..30);
    let single_csv = calx_study::samples_header(def) + &calx_study::samples_csv(&single, def.metrics.len());
    // Shards written as files would be: header + their rows, read back from text.
    let mut parts = Vec::new();
    for i in 0..4 {
        let r = study.shard_range(i, 4);
        let text = calx_study::samples_header(def) + &calx_study::samples_csv(&study.run(r), def.metrics.len());
        parts.push(calx_study::parse_samples(def, &text).unwrap_or_else(|e| panic!("{e}")));
    }
    parts.reverse();
    let merged = calx_study::merge(def, parts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged, single);
    assert_eq!(calx_study::samples_header(def) + &calx_study::samples_csv(&merged, def.metrics.len()), single_csv);
    assert_eq!(
        calx_study::summary_csv(def, &Columns::of(def, &merged)),
        calx_study::summary_csv(def, &Columns::of(def, &single))
    );
    assert_eq!(
        calx_study::spearman_csv(def, &Columns::of(def, &merged)),
        calx_study::spearman_csv(def, &Columns::of(def, &single))
    );
    // A missing shard is an error, not a smaller study.
    let some = vec![calx_study::parse_samples(def, &single_csv).unwrap_or_default().into_iter().take(20).collect()];
    assert!(matches!(calx_study::merge(def, some), Err(StudyError::Merge(_))));
}

#[test]
fn failed_samples_are_recorded_and_the_run_goes_on() {
    let registry = calx::builtin_registry();
    // Below some product price the plant never earns its cost back: there is no IRR.
    let text = study_text(
        "  - path: analyses.tea.product_price\n    unit: KRW/t\n    distribution: { type: uniform, low: 1000, high: 30000 }\n",
        "  - analyses.tea.irr\n  - analyses.tea.benefit_cost_ratio\n",
    );
    let def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}"));
    let study = prepare(def, &registry).unwrap_or_else(|e| panic!("{e}"));
    let samples = study.run(0..24);
    let failed: Vec<&Sample> = samples.iter().filter(|s| s.outcome.is_err()).collect();
    assert!(!failed.is_empty() && failed.len() < samples.len(), "{} failed of {}", failed.len(), samples.len());
    assert!(failed.iter().all(|s| s.outcome.as_ref().err().is_some_and(|e| e.contains("analyses.tea.irr"))));
    let csv = calx_study::samples_csv(&samples, 2);
    assert_eq!(csv.lines().filter(|l| l.contains(",failed,")).count(), failed.len());
    let summary = calx_study::summary_csv(&study.def, &Columns::of(&study.def, &samples));
    assert!(summary.contains(&format!(",{},{},", samples.len() - failed.len(), failed.len())), "{summary}");
}

#[test]
fn bad_paths_and_distributions_are_errors_before_anything_runs() {
    let registry = calx::builtin_registry();
    let metric = "  - analyses.tea.benefit_cost_ratio\n";
    let cases = [
        (
            "  - path: units.hydrator.conversion.CaO\n    distribution: { type: uniform, low: 0.2, high: 0.3 }\n",
            "units.hydrator.conversion.CaO",
        ),
        (
            "  - path: analyses.teaa.product_price\n    distribution: { type: uniform, low: 1, high: 2 }\n",
            "analyses.teaa.product_price",
        ),
        // A conversion above 1 is possible with this distribution.
        (
            "  - path: units.hydration.conversion.CaO\n    distribution: { type: triangular, low: 0.2, mode: 0.3, high: 1.2 }\n",
            "units.hydration.conversion.CaO",
        ),
        (
            "  - path: units.hydration.conversion.CaO\n    distribution: { type: normal, mean: 0.3, sd: 0.05 }\n",
            "units.hydration.conversion.CaO",
        ),
        // A unit of the wrong dimension for the parameter (a conversion is a fraction).
        (
            "  - path: units.hydration.conversion.CaO\n    unit: kg\n    distribution: { type: uniform, low: 0.2, high: 0.3 }\n",
            "units.hydration.conversion.CaO",
        ),
    ];
    for (parameter, path) in cases {
        let def = calx_study::parse_study(&study_text(parameter, metric)).unwrap_or_else(|e| panic!("{e}"));
        match prepare(def, &registry) {
            Err(e @ StudyError::Path { .. }) => assert!(e.to_string().contains(path), "{e}"),
            Err(e) => panic!("{path}: wrong error {e}"),
            Ok(_) => panic!("{path}: accepted"),
        }
    }
    // Truncating the normal distribution at 1 makes it acceptable.
    let ok = "  - path: units.hydration.conversion.CaO\n    distribution: { type: normal, mean: 0.3, sd: 0.05, min: 0, max: 1 }\n";
    let def = calx_study::parse_study(&study_text(ok, metric)).unwrap_or_else(|e| panic!("{e}"));
    assert!(prepare(def, &registry).is_ok());
    let def = calx_study::parse_study(&study_text(ok, "  - analyses.tea.nope\n")).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(prepare(def, &registry), Err(StudyError::Path { path, .. }) if path == "analyses.tea.nope"));
}

#[test]
fn the_tornado_moves_benefit_cost_with_the_product_price() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(1), &registry).unwrap_or_else(|e| panic!("{e}"));
    let t = study.tornado().unwrap_or_else(|e| panic!("{e}"));
    let j = study.def.parameters.iter().position(|p| p.path == "analyses.tea.product_price").unwrap_or(usize::MAX);
    let (lo, hi) = (t.rows[j].0.as_ref().map(|v| v[0]), t.rows[j].1.as_ref().map(|v| v[0]));
    let (lo, hi) = (lo.unwrap_or(f64::NAN), hi.unwrap_or(f64::NAN));
    // B/C is revenue over cost, revenue linear in the product price: the three points line up.
    let p = &study.def.parameters[j];
    let slope = (hi - lo) / (p.tornado.1 - p.tornado.0);
    let predicted = lo + slope * (13000.0 - p.tornado.0);
    assert!(lo < t.base[0] && t.base[0] < hi, "{lo} {} {hi}", t.base[0]);
    // Carbon credits also earn revenue, so B/C is affine in the product price, not proportional.
    assert!((predicted - t.base[0]).abs() < 1e-9 * t.base[0], "{predicted} vs {}", t.base[0]);
    // By hand, from Table 7's revenue line (244,605,000 = 17,585 t x 13,000 KRW/t + 800 t CO2 x
    // 20,000 KRW/t): costs do not depend on the price, so B/C scales with the revenue.
    let revenue = |price: f64| 17_585.0 * price + 800.0 * 20_000.0;
    for (price, got) in [(p.tornado.0, lo), (p.tornado.1, hi)] {
        let want = t.base[0] * revenue(price) / revenue(13_000.0);
        assert!((got / want - 1.0).abs() < 1e-12, "B/C at {price} KRW/t: {got} vs hand {want}");
    }
}

/// The reference study's summary and Spearman table on 64 samples, seed from the file,
/// against `flowsheets/snapshots/`; a difference writes `.new` beside it and fails.
#[test]
fn reference_study_snapshot() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(64), &registry).unwrap_or_else(|e| panic!("{e}"));
    let samples = study.run(0..64);
    let got = calx_study::summary_csv(&study.def, &Columns::of(&study.def, &samples))
        + "\n"
        + &calx_study::spearman_csv(&study.def, &Columns::of(&study.def, &samples));
    let path = root().join("flowsheets/snapshots/kigam-cfbc-2022-uncertainty.csv");
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if !same_numbers(&got, &want) {
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(&root()));
        let _ = std::fs::write(path.with_extension("csv.new"), &got);
        panic!(
            "{} differs (or is missing); the new result is in the .new file beside it: review and rename it",
            path.display()
        );
    }
}

/// Same text, numbers equal to 1e-9 relative (libm may differ in the last bits across platforms).
fn same_numbers(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
            x.len() == y.len()
                && x.iter().zip(&y).all(|(p, q)| match (p.parse::<f64>(), q.parse::<f64>()) {
                    (Ok(p), Ok(q)) => p == q || (p - q).abs() <= 1e-9 * p.abs().max(q.abs()),
                    _ => p == q,
                })
        })
}

#[test]
fn recycle_samples_are_bit_identical_on_one_and_two_threads() {
    // Tears start from the base case for every sample, so the iteration path (and the last
    // bits of the result) cannot depend on which sample a thread solved before.
    let registry = calx::builtin_registry();
    let file = "flowsheets/kigam-cfbc-recycle.yaml";
    let text = "study: r\nflowsheet: x\nseed: 3\nsamples: 16\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: { type: triangular, low: 0.25, mode: 0.2894, high: 0.48 }\nmetrics:\n  - streams.product.total\n  - analyses.lca.net_reduction_per_functional_unit\n";
    let def = calx_study::parse_study(text).unwrap_or_else(|e| panic!("{e}"));
    let flowsheet = std::fs::read_to_string(root().join(file)).unwrap_or_default();
    let study = Study::prepare(def, &flowsheet, file, &options(&registry)).unwrap_or_else(|e| panic!("{e}"));
    let one = on_threads(1, || study.run(0..16));
    let two = on_threads(2, || study.run(0..16));
    assert!(one.iter().all(|s| s.outcome.is_ok()));
    assert_eq!(one, two);
}

#[test]
fn latin_hypercube_puts_one_sample_in_each_stratum() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(40), &registry).unwrap_or_else(|e| panic!("{e}"));
    let values = study.sample_values(0..40);
    for (j, p) in study.def.parameters.iter().enumerate() {
        let mut strata: Vec<usize> = values.iter().map(|v| (p.dist.dist.cdf(v[j]) * 40.0).floor() as usize).collect();
        strata.sort();
        assert_eq!(strata, (0..40).collect::<Vec<_>>(), "{}", p.path);
    }
}

#[test]
fn the_sweep_maps_benefit_cost_over_co2_and_product_price() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(1), &registry).unwrap_or_else(|e| panic!("{e}"));
    let grid = study.sweep();
    assert_eq!(grid.len(), 5 * 4);
    let bc = |co2: f64, price: f64| {
        grid.iter()
            .find(|(p, _)| p[0] == co2 && p[1] == price)
            .and_then(|(_, r)| r.as_ref().ok())
            .map_or(f64::NAN, |m| m[0])
    };
    assert!(bc(0.0, 8000.0) < bc(0.0, 20000.0) && bc(0.0, 8000.0) < bc(40000.0, 8000.0));
    let csv = calx_study::sweep_csv(&study.def, &grid);
    assert_eq!(csv.lines().count(), 21);
}

#[test]
fn sobol_points_stratify_every_parameter() {
    // 64 points of a scrambled Sobol sequence: each 1/64 of each parameter's probability
    // range holds exactly one (every one-dimensional projection is a (0, 6, 1)-net; Owen
    // scrambling keeps that), and the points are the same on every call.
    let text = format!(
        "study: t\nflowsheet: ../{FLOWSHEET}\nseed: 11\nsamples: 64\nsampling: sobol\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: {{ type: uniform, low: 0.2, high: 0.5 }}\n  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: {{ type: uniform, low: 0.6, high: 0.9 }}\nmetrics:\n  - analyses.tea.benefit_cost_ratio\n"
    );
    let registry = calx::builtin_registry();
    let study = prepare(calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}")), &registry)
        .unwrap_or_else(|e| panic!("{e}"));
    let values = study.sample_values(0..64);
    for (j, (low, high)) in [(0.2, 0.5), (0.6, 0.9)].into_iter().enumerate() {
        let mut bins: Vec<usize> =
            values.iter().map(|v| ((v[j] - low) / (high - low) * 64.0).floor() as usize).collect();
        bins.sort();
        assert_eq!(bins, (0..64).collect::<Vec<_>>(), "parameter {j}");
    }
    assert_eq!(values, study.sample_values(0..64));
    assert_ne!(
        values,
        calx_study::parse_study(&text.replace("seed: 11", "seed: 12"))
            .map(|d| prepare(d, &registry).map(|s| s.sample_values(0..64)).unwrap_or_default())
            .unwrap_or_default()
    );
}

#[test]
fn a_varied_grid_factor_moves_emissions_by_the_plants_electricity() {
    // `analyses.lca.factors.*` is written as text with its unit; the study passes
    // "VALUE kgCO2eq/kWh" to the LCA. Emissions per t then change by the change of the factor
    // times the electricity per t: 26.12 + 19.35 + 33.2 + 2.75 = 81.42 kWh/t (Table 4).
    let text = format!(
        "study: t\nflowsheet: ../{FLOWSHEET}\nseed: 1\nsamples: 2\nset:\n  analyses.lca.sources.electricity_kigam_2022_implied: test\nparameters:\n  - path: analyses.lca.factors.electricity_kigam_2022_implied\n    unit: kgCO2eq/kWh\n    distribution: {{ type: uniform, low: 0.35, high: 0.5 }}\nmetrics:\n  - analyses.lca.emissions_per_functional_unit\n"
    );
    let registry = calx::builtin_registry();
    let study = prepare(calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}")), &registry)
        .unwrap_or_else(|e| panic!("{e}"));
    let at = |x: f64| study.evaluate(&[Some(x)]).unwrap_or_else(|e| panic!("{e}"))[0];
    let slope = (at(0.45) - at(0.40)) / 0.05;
    assert!((slope / 81.42 - 1.0).abs() < 2e-3, "{slope} kWh/t");
    // The paper's implied factor gives the paper's 30.9 kg CO2-eq/t (Table 5 / text).
    assert!((at(0.3795) - 30.9).abs() < 0.05, "{}", at(0.3795));
}

#[test]
fn metrics_only_analyses_give_the_full_runs_metrics() {
    // Studies ask analyses for metrics only (no report text, no total inventory solve); the
    // figures must be the very same bits as a full run's, for every shipped flowsheet.
    for path in calx_tests::flowsheet_files() {
        let rel = calx_tests::relative(&path);
        let model = calx_tests::load(&rel).unwrap_or_else(|e| panic!("{e}"));
        let result = model.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{rel}: {e}"));
        let full = calx::run_reports(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
        // Twice: the first run assesses in full and leaves the LCA its compiled plan, the
        // second writes the metrics from the plan (and the TEA's from its numbers-only path).
        for pass in ["first", "compiled"] {
            let quick = calx::run_figures(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(full.len(), quick.len());
            for (a, b) in full.iter().zip(&quick) {
                let bits = |o: &calx::AnalysisOutput| -> Vec<(String, String, u64)> {
                    o.metrics.iter().map(|m| (m.name.clone(), m.unit.clone(), m.value.to_bits())).collect()
                };
                assert_eq!(bits(a), bits(b), "{rel}: analysis `{}`, {pass} figures", a.name);
                assert!(!a.text.is_empty() && !a.json.is_empty(), "{rel}: the full run renders `{}`", a.name);
            }
        }
    }
}

#[test]
fn every_parameter_of_the_reference_study_moves_some_metric() {
    // A parameter whose low and high values give the same metrics measures nothing (as the
    // TEA's electricity price did while the flowsheet gives Table 7's operation cost).
    let registry = calx::builtin_registry();
    let study = prepare(reference(1), &registry).unwrap_or_else(|e| panic!("{e}"));
    let t = study.tornado().unwrap_or_else(|e| panic!("{e}"));
    for (p, (lo, hi)) in study.def.parameters.iter().zip(&t.rows) {
        let (lo, hi) = (
            lo.as_ref().unwrap_or_else(|e| panic!("{}: {e}", p.path)),
            hi.as_ref().unwrap_or_else(|e| panic!("{}: {e}", p.path)),
        );
        assert!(
            lo.iter().zip(hi).any(|(a, b)| (a - b).abs() > 1e-9 * a.abs().max(b.abs())),
            "`{}` moves no metric",
            p.path
        );
    }
}

#[test]
fn a_reused_worker_gives_the_base_case_bit_for_bit_after_other_samples() {
    // Workers reuse one built flowsheet; after samples that changed conversions, prices, the
    // grid factor and the ash composition, the base case must come back exactly as a fresh
    // solve of the flowsheet gives it.
    let registry = calx::builtin_registry();
    let study = prepare(reference(8), &registry).unwrap_or_else(|e| panic!("{e}"));
    let _ = on_threads(1, || study.run(0..8));
    let targets = study.def.parameters.len() + study.def.sweep.as_ref().map_or(0, |s| s.axes.len());
    let base = on_threads(1, || study.evaluate(&vec![None; targets])).unwrap_or_else(|e| panic!("{e}"));
    let model = calx_tests::load(FLOWSHEET).unwrap_or_else(|e| panic!("{e}"));
    // The study sets the LCA's source of the grid factor; that changes no number.
    let result = model.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"));
    let outputs = calx::run_reports(&model.analyses, &result).unwrap_or_else(|e| panic!("{e}"));
    for (k, m) in study.def.metrics.iter().enumerate() {
        let (name, metric) = m.trim_start_matches("analyses.").split_once('.').unwrap_or_default();
        let fresh = outputs.iter().find(|o| o.name == name).and_then(|o| o.metric(metric)).unwrap_or(f64::NAN);
        assert_eq!(base[k].to_bits(), fresh.to_bits(), "{m}: {} vs fresh {fresh}", base[k]);
    }
}

#[test]
fn a_unit_parameter_both_sampled_and_swept_moves_the_samples_and_the_tornado() {
    // Regression: the sweep axis's base value was written after the sample's value, so every
    // sample and both tornado ends ran at the base case (metrics constant, tornado swing 0).
    let text = study_text(
        "  - path: units.hydration.conversion.CaO\n    distribution: { type: uniform, low: 0.2, high: 0.45 }\n",
        "  - analyses.lca.co2_fixed_per_functional_unit\n",
    ) + "sweep:\n  parameters:\n    - { path: units.hydration.conversion.CaO, values: [0.25, 0.35] }\n";
    let def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}"));
    let registry = calx::builtin_registry();
    let study = prepare(def, &registry).unwrap_or_else(|e| panic!("{e}"));
    let samples = study.run(0..24);
    let columns = Columns::of(&study.def, &samples);
    let fixed = &columns.metrics[0];
    let spread =
        fixed.iter().copied().fold(f64::NEG_INFINITY, f64::max) - fixed.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(spread > 1.0, "CO2 fixed must follow the sampled conversion, spread {spread} kg/t");
    // Each varied parameter moves its own column and the metric that depends on it.
    let rho = calx_study::stats::spearman(&columns.parameters[0], fixed);
    assert!(rho > 0.99, "more hydration, more CO2 fixed: Spearman {rho}");
    let t = study.tornado().unwrap_or_else(|e| panic!("{e}"));
    let (lo, hi) = (
        t.rows[0].0.as_ref().unwrap_or_else(|e| panic!("{e}")),
        t.rows[0].1.as_ref().unwrap_or_else(|e| panic!("{e}")),
    );
    assert!((hi[0] - lo[0]).abs() > 1.0, "tornado swing {} .. {}", lo[0], hi[0]);
    // The sweep still sets its own values.
    let sweep = study.sweep();
    let at = |k: usize| sweep[k].1.as_ref().map(|m| m[0]).unwrap_or(f64::NAN);
    assert!(at(1) > at(0) + 1.0, "sweep points {} and {}", at(0), at(1));
}

#[test]
fn studies_too_large_to_run_are_refused_before_anything_is_allocated() {
    // Regression: 2^32 + 1 Latin-hypercube samples overflowed the u32 strata (a panic), and a
    // sweep of 1e12 steps allocated until the OOM killer acted.
    let one = "  - path: units.hydration.conversion.CaO\n    distribution: { type: uniform, low: 0.2, high: 0.45 }\n";
    let metric = "  - analyses.lca.co2_fixed_per_functional_unit\n";
    let registry = calx::builtin_registry();
    let mut def = calx_study::parse_study(&study_text(one, metric).replace("sampling: random", "sampling: lhs"))
        .unwrap_or_else(|e| panic!("{e}"));
    def.samples = (1usize << 32) + 1;
    let e = prepare(def, &registry).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("at most 4294967295 samples"), "{e}");
    let mut def = calx_study::parse_study(&study_text(one, metric)).unwrap_or_else(|e| panic!("{e}"));
    def.samples = 3_000_000_000;
    let e = def.check_size(true).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("GiB") && e.contains("--shard"), "{e}");
    assert!(def.check_size(false).is_ok(), "a shard of random samples keeps nothing per sample");
    let sweep = study_text(one, metric)
        + "sweep:\n  parameters:\n    - { path: units.hydration.conversion.CaO, from: 0.2, to: 0.4, steps: 1e12 }\n";
    let e = calx_study::parse_study(&sweep).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("at most 100000 steps"), "{e}");
    let grid = study_text(one, metric)
        + "sweep:\n  parameters:\n    - { path: units.hydration.conversion.CaO, from: 0.2, to: 0.4, steps: 1000 }\n    - { path: units.carbonation.conversion.Ca(OH)2, from: 0.5, to: 0.9, steps: 1000 }\n";
    let e = calx_study::parse_study(&grid).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("1000000 points"), "{e}");
}

/// The study's sample path (a unit's parameter set in place, the previous sample's result and
/// analysis outputs written over) against the plain one (a flowsheet built afresh, its unit
/// created again with the value, a new result, `run_figures`): 1,000 random samples each on the
/// once-through plant and on the one with the water recycle, equal bit for bit, and every
/// tenth equal to a full run's metrics (no compiled plan, no numbers-only path).
#[test]
fn the_reusing_sample_path_equals_the_plain_one_bit_for_bit() {
    use calx_core::ParamValue;
    use calx_engine::Variable;
    for file in [FLOWSHEET, "flowsheets/kigam-cfbc-recycle.yaml"] {
        let project =
            calx::Project::load(&root().join(file), &calx::LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let analyses = &project.model().analyses;
        let var = |unit: &str, key: &str| Variable::UnitParam {
            unit: unit.into(),
            param: "conversion".into(),
            key: Some(key.into()),
        };
        let (hydration, carbonation) = (var("hydration", "CaO"), var("carbonation", "Ca(OH)2"));
        let mut reused = project.build().unwrap_or_else(|e| panic!("{e}"));
        let (mut last, mut outputs, mut layouts) = (None, Vec::new(), Vec::new());
        // A small deterministic generator: conversions in [0.2, 0.9).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            0.2 + 0.7 * (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..1000 {
            let (x, y) = (next(), next());
            reused.set(&hydration, x).unwrap_or_else(|e| panic!("{e}"));
            reused.set(&carbonation, y).unwrap_or_else(|e| panic!("{e}"));
            let r = reused.solve_reusing(last.take()).unwrap_or_else(|e| panic!("{file} sample {i}: {e}"));
            calx::run_figures_into(analyses, &r, &mut outputs, &mut layouts).unwrap_or_else(|e| panic!("{e}"));
            let mut plain = project.build().unwrap_or_else(|e| panic!("{e}"));
            for (unit, key, value) in [("hydration", "CaO", x), ("carbonation", "Ca(OH)2", y)] {
                let mut params = plain.unit_params(unit).unwrap_or_else(|e| panic!("{e}")).clone();
                params.set_entry("conversion", Some(key), ParamValue::Number(value));
                plain.set_unit_params(unit, params).unwrap_or_else(|e| panic!("{e}"));
            }
            let mut p = plain.solve().unwrap_or_else(|e| panic!("{file} sample {i}: {e}"));
            // The reusing flowsheet does not calculate again the units upstream of the two
            // conversions (their parameters and inlets are the last sample's): fewer
            // calculations, the same figures.
            let (reused_calculations, plain_calculations) = (r.solver.unit_calculations, p.solver.unit_calculations);
            assert!(
                if i == 0 {
                    reused_calculations == plain_calculations
                } else {
                    reused_calculations < plain_calculations
                },
                "{file} sample {i}: {reused_calculations} unit calculations reusing, {plain_calculations} afresh"
            );
            p.solver.unit_calculations = reused_calculations;
            // Everything else, the rest of the solver report included (serde_json writes every
            // f64 exactly).
            let json = |r: &calx::FlowsheetResult| serde_json::to_string(r).unwrap_or_else(|e| panic!("{e}"));
            assert!(json(&r) == json(&p), "{file} sample {i}: the results differ");
            let figures = calx::run_figures(analyses, &p).unwrap_or_else(|e| panic!("{e}"));
            let bits = |o: &[calx::AnalysisOutput]| -> Vec<(String, String, String, u64)> {
                o.iter()
                    .flat_map(|a| {
                        a.metrics.iter().map(|m| (a.name.clone(), m.name.clone(), m.unit.clone(), m.value.to_bits()))
                    })
                    .collect()
            };
            assert_eq!(bits(&outputs), bits(&figures), "{file} sample {i}");
            // Both paths above write metrics from the compiled plans after the first sample:
            // every tenth sample, they are also checked against a full run's.
            if i % 10 == 0 {
                let full = calx::run_reports(analyses, &p).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(bits(&outputs), bits(&full), "{file} sample {i}: the full run");
            }
            last = Some(r);
        }
    }
}

/// A result is written over only by a flowsheet with its very shape: one built with other
/// tear streams (another calculation order) builds its own result instead.
#[test]
fn a_result_of_a_differently_built_flowsheet_is_not_written_over() {
    let file = root().join("flowsheets/lime-slaking-recycle.yaml");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let pinned =
        text.replacen("solver:\n  method: wegstein\n", "solver:\n  tears: [slaker_feed]\n  method: wegstein\n", 1);
    assert_ne!(pinned, text, "the solver section moved: update this test");
    let load = |t: &str| {
        calx::Project::from_text(t, "lime.yaml", &root().join("flowsheets"), &calx::LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (default, other) = (load(&text), load(&pinned));
    let mut first = default.build().unwrap_or_else(|e| panic!("{e}"));
    let previous = first.solve().unwrap_or_else(|e| panic!("{e}"));
    let mut f = other.build().unwrap_or_else(|e| panic!("{e}"));
    let fresh = f.solve().unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(previous.solver.calculation_order, fresh.solver.calculation_order, "the tears changed the order");
    let reused = f.solve_reusing(Some(previous)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reused.solver.calculation_order, fresh.solver.calculation_order);
}

/// The study's own path (leases, pooled flowsheets with their buffers, many samples per
/// worker, two threads) against evaluating each sample on its own.
#[test]
fn a_study_run_equals_evaluating_each_sample_alone() {
    let registry = calx::builtin_registry();
    let study = prepare(reference(60), &registry).unwrap_or_else(|e| panic!("{e}"));
    let run = on_threads(2, || study.run(0..60));
    let alone = prepare(reference(60), &registry).unwrap_or_else(|e| panic!("{e}"));
    // Sweep axes stay at their base values in samples.
    let axes = study.def.sweep.as_ref().map_or(0, |s| s.axes.len());
    for s in &run {
        let values: Vec<Option<f64>> =
            s.values.iter().copied().map(Some).chain(std::iter::repeat_n(None, axes)).collect();
        assert_eq!(alone.evaluate(&values), s.outcome, "sample {}", s.index);
    }
}

/// A sample's numbers as bits (exact comparison: `==` on f64 would take -0.0 for 0.0).
type SampleBits = (usize, Vec<u64>, Result<Vec<u64>, String>);

fn bits(samples: &[Sample]) -> Vec<SampleBits> {
    let of = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
    samples.iter().map(|s| (s.index, of(&s.values), s.outcome.as_deref().map(of).map_err(Clone::clone))).collect()
}

/// The block path (`Study::run_into` into a block reused from batch to batch, as `calx study`
/// runs) against `Study::run` on one thread, bit for bit, on one and two threads; a block
/// filled again with fewer, other samples keeps nothing of the ones before (failures
/// included), and progress is reported for every sample once.
#[test]
fn a_reused_sample_block_gives_the_bits_of_a_run_on_one_and_two_threads() {
    let registry = calx::builtin_registry();
    // Some samples fail (no IRR below some product price), most do not.
    let text = study_text(
        "  - path: analyses.tea.product_price\n    unit: KRW/t\n    distribution: { type: uniform, low: 1000, high: 30000 }\n  - path: units.hydration.conversion.CaO\n    distribution: { type: uniform, low: 0.25, high: 0.48 }\n",
        "  - analyses.tea.irr\n  - analyses.lca.net_reduction_per_functional_unit\n",
    );
    let def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}"));
    let study = prepare(def, &registry).unwrap_or_else(|e| panic!("{e}"));
    let run = on_threads(1, || study.run(0..24));
    let failed = |s: &[Sample]| s.iter().filter(|s| s.outcome.is_err()).map(|s| s.index).collect::<Vec<_>>();
    assert!(!failed(&run).is_empty() && failed(&run).len() < run.len(), "{:?}", failed(&run));
    for threads in [1, 2] {
        let mut block = SampleBlock::new();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let progress = |n: usize| {
            done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        };
        on_threads(threads, || study.run_into(0..24, &mut block, &progress));
        assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 24);
        assert_eq!(bits(&block.to_samples()), bits(&run), "{threads} threads");
        on_threads(threads, || study.run_into(7..19, &mut block, &|_| {}));
        assert_eq!(block.range(), 7..19);
        assert_eq!(bits(&block.to_samples()), bits(&run[7..19]), "{threads} threads, reused");
        assert_eq!(block.failures().map(|(i, _)| i).collect::<Vec<_>>(), failed(&run[7..19]));
        assert_eq!(block.failed(), failed(&run[7..19]).len());
    }
}

/// The equilibrium carbonator starts every sample's speciation from the base case's (the
/// unit's inner state travels with the warm start, as recycle tears do): samples are
/// bit-identical on one and two threads, and agree with a cold solve of the same plant (each
/// calculation speciated from scratch) to the speciation's tolerance.
#[test]
fn equilibrium_samples_start_from_the_base_speciation_and_agree_with_a_cold_solve() {
    use calx_core::ParamValue;
    let registry = calx::builtin_registry();
    let file = "flowsheets/kigam-cfbc-equilibrium.yaml";
    let text = "study: e\nflowsheet: x\nseed: 5\nsamples: 12\nparameters:\n  - path: units.hydration.conversion.CaO\n    distribution: { type: uniform, low: 0.2, high: 0.5 }\nmetrics:\n  - streams.product.total\n  - units.carbonation.sizes.co2_fixed\n";
    let def = calx_study::parse_study(text).unwrap_or_else(|e| panic!("{e}"));
    let flowsheet = std::fs::read_to_string(root().join(file)).unwrap_or_default();
    let study = Study::prepare(def, &flowsheet, file, &options(&registry)).unwrap_or_else(|e| panic!("{e}"));
    let one = on_threads(1, || study.run(0..12));
    let two = on_threads(2, || study.run(0..12));
    assert_eq!(one, two);
    let project =
        calx::Project::load(&root().join(file), &calx::LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    for s in &one {
        let figures = s.outcome.as_ref().unwrap_or_else(|e| panic!("sample {}: {e}", s.index));
        let mut cold = project.build().unwrap_or_else(|e| panic!("{e}"));
        let mut params = cold.unit_params("hydration").unwrap_or_else(|e| panic!("{e}")).clone();
        params.set_entry("conversion", Some("CaO"), ParamValue::Number(s.values[0]));
        cold.set_unit_params("hydration", params).unwrap_or_else(|e| panic!("{e}"));
        let r = cold.solve().unwrap_or_else(|e| panic!("sample {}: {e}", s.index));
        let product = r.stream("product").map_or(f64::NAN, |p| p.stream.total_mass());
        let unit = r.units.iter().find(|u| u.name == "carbonation").expect("the carbonator");
        let fixed = unit.report.sizes.iter().find(|f| f.name == "co2_fixed").map_or(f64::NAN, |f| f.value);
        for (name, warm, cold) in [("product", figures[0], product), ("co2_fixed", figures[1], fixed)] {
            assert!(
                (warm - cold).abs() <= 1e-9 * cold.abs(),
                "sample {} {name}: {warm} from the base, {cold} cold",
                s.index
            );
        }
    }
}

/// Workers set the TEA's prices, CAPEX and discount rate and the LCA's grid factor in place
/// on analyses of their own; the figures equal those of analyses created again from the
/// parameters' text for every sample, bit for bit, for the samples, the tornado (parameters
/// at their ends, the others at base) and the sweep (two axes that are also parameters).
#[test]
fn analyses_set_in_place_equal_analyses_created_again_bit_for_bit() {
    let registry = calx::builtin_registry();
    let in_place = prepare(reference(120), &registry).unwrap_or_else(|e| panic!("{e}"));
    assert!(in_place.sets_analyses_in_place(), "the reference study's analysis parameters are all settable in place");
    let created = prepare(reference(120), &registry).unwrap_or_else(|e| panic!("{e}")).creating_analyses_per_sample();
    assert!(!created.sets_analyses_in_place());
    assert_eq!(on_threads(2, || in_place.run(0..120)), on_threads(1, || created.run(0..120)));
    let bits = |t: calx_study::Tornado| format!("{t:?}");
    let tornado = |s: &Study| bits(s.tornado().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(tornado(&in_place), tornado(&created));
    assert_eq!(on_threads(2, || in_place.sweep()), on_threads(1, || created.sweep()));
}
