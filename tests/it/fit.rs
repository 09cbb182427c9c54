//! `calx fit` on the shipped example and its uncertainty carried into a plant study: the
//! synthetic data's truth (read from the CSV's own comment line, written by
//! data/kinetics/synthetic/make_synthetic.py, an independent closed-form implementation)
//! lies inside the 95 % intervals; the fitted `correlated:` block, pasted into a study of
//! flowsheets/rate-carbonation-design.yaml, runs, and the sized reactor's capital moves with
//! the kinetics.

use std::path::{Path, PathBuf};

use calx::fit::FitJob;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const FIT_FILE: &str = "data/kinetics/synthetic/lime-slurry-synthetic.fit.yaml";

/// The number after `name` in the CSV's `# truth:` line.
fn truth(csv: &str, name: &str) -> f64 {
    let line = csv.lines().find(|l| l.starts_with("# truth:")).expect("a truth line");
    let after = line.split(name).nth(1).unwrap_or_else(|| panic!("no {name} in {line}"));
    after.split_whitespace().next().and_then(|v| v.trim_end_matches([',', ';']).parse().ok()).expect("a number")
}

#[test]
fn the_shipped_fit_recovers_the_synthetic_truth() {
    let job = FitJob::load(&root().join(FIT_FILE)).unwrap_or_else(|e| panic!("{e}"));
    let csv = std::fs::read_to_string(&job.data_path).expect("the data file");
    let outcome = job.run().expect("the fit converges");
    // Display units as the truth line writes them: 1/h, kJ/mol, fraction.
    for name in ["rate_constant", "activation_energy", "ultimate_conversion"] {
        let p = outcome.parameters.iter().find(|p| p.name == name).expect("estimated");
        let (lo, hi) = p.estimate.confidence_interval.expect("identifiable");
        let (lo, hi) = (lo / p.unit_factor, hi / p.unit_factor);
        let t = truth(&csv, name);
        assert!(lo <= t && t <= hi, "{name}: truth {t} outside [{lo}, {hi}]");
    }
    assert!(outcome.study_block.as_deref().is_ok_and(|b| b.contains("units.carbonation.rate_constant.Ca(OH)2")));
}

#[test]
fn the_fit_and_the_study_agree_on_how_far_a_correlated_parameter_is_tried() {
    assert_eq!(calx::fit::STUDY_CHECK_SD, calx_study::study::CORRELATED_CHECK_SD);
}

#[test]
fn the_fitted_uncertainty_runs_as_a_plant_study() {
    let outcome = FitJob::load(&root().join(FIT_FILE)).map(|j| j.run().expect("fit")).expect("loads");
    let block = outcome.study_block.expect("identifiable fit");
    let body: String = block.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    let flowsheet = root().join("flowsheets/rate-carbonation-design.yaml");
    let text = format!(
        "study: kinetics uncertainty\nflowsheet: {}\nseed: 3\nsamples: 24\nsampling: lhs\n{body}metrics:\n  - analyses.tea.total_capex\n",
        flowsheet.display()
    );
    let def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // 75 % instead of the example's 90 %: the fitted ultimate conversion, about 0.85, puts 90 %
    // out of reach (a clear design-specification error, which the example's own kinetics avoid).
    let shipped = std::fs::read_to_string(&flowsheet).expect("flowsheet");
    let source = shipped.replace("flows.Ca(OH)2 = 0.1 t/h", "flows.Ca(OH)2 = 0.25 t/h");
    assert_ne!(source, shipped, "the example's design specification changed: update this test");
    let options = calx::LoadOptions::default().with_registry(calx::builtin_registry());
    let study = calx_study::Study::prepare(def, &source, &flowsheet.to_string_lossy(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let samples = study.run(0..24);
    assert!(samples.iter().all(|s| s.outcome.is_ok()), "{:?}", samples.iter().find(|s| s.outcome.is_err()));
    let columns = calx_study::Columns::of(&study.def, &samples);
    let capex = &columns.metrics[0];
    let (lo, hi) = capex.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    // A slower rate constant needs a larger tank for the same 75 %: the capital varies.
    assert!(hi > lo * (1.0 + 1e-6), "capital did not move: {lo} .. {hi}");
}
