//! Correlated parameters (`correlated:`, a multivariate normal): Latin-hypercube draws have
//! the given covariance and keep one draw per stratum in each standard normal dimension, runs
//! are bit-identical on one and two threads, the parameters are columns of the samples with
//! the given correlation and rows of the tornado, and bad covariances are field errors.

use calx_study::{Columns, Sample, Study, StudyDef, StudyError};

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn prepare(def: StudyDef) -> Result<Study, StudyError> {
    let text = std::fs::read_to_string(root().join(FLOWSHEET)).unwrap_or_default();
    let options = calx::LoadOptions::default().with_registry(calx::builtin_registry());
    Study::prepare(def, &text, &root().join(FLOWSHEET).to_string_lossy(), &options)
}

fn parse(text: &str) -> StudyDef {
    calx_study::parse_study(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A study on the reference plant: `head` (parameters and sampling), then `correlated:`.
fn study(head: &str, samples: usize, correlated: &str) -> String {
    format!(
        "study: t\nflowsheet: {FLOWSHEET}\nseed: 11\nsamples: {samples}\n{head}correlated:\n{correlated}\
         metrics:\n  - analyses.lca.net_reduction_per_functional_unit\n  - analyses.tea.benefit_cost_ratio\n"
    )
}

const MEAN: [f64; 3] = [0.7, 0.29, 0.3];
const SD: [f64; 3] = [0.04, 0.03, 0.02];
const CORRELATION: [[f64; 3]; 3] = [[1.0, 0.6, -0.3], [0.6, 1.0, 0.4], [-0.3, 0.4, 1.0]];

/// Three conversions of the reference plant with `CORRELATION` (covariance written out).
fn three_conversions() -> String {
    let rows: Vec<String> = (0..3)
        .map(|i| {
            let row: Vec<String> = (0..3).map(|j| format!("{:e}", CORRELATION[i][j] * SD[i] * SD[j])).collect();
            format!("      - [{}]\n", row.join(", "))
        })
        .collect();
    format!(
        "  - parameters:\n      - {{ path: units.carbonation.conversion.Ca(OH)2 }}\n      - path: units.hydration.conversion.CaO\n\
         \x20       source: own source\n      - {{ path: units.hydration.conversion.MgO }}\n    mean: [{}, {}, {}]\n\
         \x20   covariance:\n{}    source: a fit\n",
        MEAN[0],
        MEAN[1],
        MEAN[2],
        rows.concat()
    )
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn covariance(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / (x.len() - 1) as f64
}

fn correlation(x: &[f64], y: &[f64]) -> f64 {
    covariance(x, y) / (covariance(x, x) * covariance(y, y)).sqrt()
}

fn column(values: &[Vec<f64>], j: usize) -> Vec<f64> {
    values.iter().map(|v| v[j]).collect()
}

#[test]
fn latin_hypercube_draws_have_the_given_covariance_and_strata() {
    let n = 20_000;
    let head = "sampling: lhs\nparameters:\n  - path: analyses.tea.product_price\n    unit: KRW/t\n    \
                distribution: { type: uniform, low: 8000, high: 20000 }\n";
    let def = parse(&study(head, n, &three_conversions()));
    assert_eq!(def.parameters.len(), 4);
    assert_eq!(def.correlated[0].range, 1..4);
    assert_eq!(def.parameters[2].source, "own source");
    assert_eq!(def.parameters[3].source, "a fit");
    let s = prepare(def).unwrap_or_else(|e| panic!("{e}"));
    let values = s.sample_values(0..n);
    for i in 0..3 {
        let xi = column(&values, i + 1);
        assert!((mean(&xi) - MEAN[i]).abs() < 0.01 * SD[i], "mean {i}: {}", mean(&xi));
        let var = covariance(&xi, &xi);
        assert!((var / (SD[i] * SD[i]) - 1.0).abs() < 0.03, "variance {i}: {var}");
        for (j, rho) in CORRELATION[i][..i].iter().enumerate() {
            let r = correlation(&xi, &column(&values, j + 1));
            assert!((r - rho).abs() < 0.03, "correlation {i} {j}: {r}");
        }
    }
    // The independent parameter draws exactly what it draws without the group.
    let alone = prepare(parse(&format!(
        "study: t\nflowsheet: {FLOWSHEET}\nseed: 11\nsamples: {n}\n{head}metrics:\n  - analyses.tea.benefit_cost_ratio\n"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(alone.sample_values(0..n).iter().zip(&values).all(|(a, b)| a[0].to_bits() == b[0].to_bits()));
    // Each standard normal dimension, z = L⁻¹(x - mean), has one draw in each of the n strata.
    let l = &s.def.correlated[0].dist.cholesky;
    for d in 0..3 {
        let mut strata: Vec<usize> = values
            .iter()
            .map(|v| {
                let mut z = [0.0; 3];
                for (i, row) in l.iter().enumerate() {
                    let known: f64 = row[..i].iter().zip(&z).map(|(a, b)| a * b).sum();
                    z[i] = (v[i + 1] - MEAN[i] - known) / row[i];
                }
                let u = calx_study::dist::normal_cdf(z[d]) * n as f64;
                (u.floor().max(0.0) as usize).min(n - 1)
            })
            .collect();
        strata.sort_unstable();
        strata.dedup();
        // normal_cdf's error (1e-7, 0.002 of a stratum here) may move a draw near a stratum's
        // edge into its neighbour; independent draws would leave n/e = 37 % of them empty.
        assert!(strata.len() > n * 99 / 100, "dimension {d}: {} strata of {n}", strata.len());
    }
}

#[test]
fn correlated_samples_are_bit_identical_on_one_and_two_threads_and_correlated_in_the_output() {
    let group = "  - parameters:\n      - { path: units.carbonation.conversion.Ca(OH)2 }\n      \
                 - { path: units.hydration.conversion.CaO, unit: \"%\" }\n    mean: [0.7, 30]\n    \
                 covariance: [[0.0016, 0.096], [0.096, 9]]\n";
    let n = 64;
    let def = parse(&study("sampling: random\n", n, group));
    let s = prepare(def).unwrap_or_else(|e| panic!("{e}"));
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
        pool.install(|| s.run(0..n))
    };
    let one: Vec<Sample> = on(1);
    assert_eq!(one, on(2));
    assert!(one.iter().all(|x| x.outcome.is_ok()), "{:?}", one.iter().find(|x| x.outcome.is_err()));
    // Sample i depends on the seed and i only.
    assert_eq!(s.run(10..12), one[10..12].to_vec());
    let header = calx_study::samples_header(&s.def);
    assert!(
        header.contains("units.carbonation.conversion.Ca(OH)2") && header.contains("units.hydration.conversion.CaO")
    );
    let columns = Columns::of(&s.def, &one);
    let r = correlation(&columns.parameters[0], &columns.parameters[1]);
    // Correlation 0.096 / (0.04 * 3) = 0.8; 64 draws give it to about ±0.05.
    assert!((r - 0.8).abs() < 0.15, "{r}");
    // Both conversions move the net CO2 reduction: the percent is converted like the flowsheet's.
    let spearman = calx_study::spearman_csv(&s.def, &columns);
    assert!(spearman.contains("units.hydration.conversion.CaO"), "{spearman}");
    let reduction = &columns.metrics[0];
    assert!(correlation(&columns.parameters[1], reduction).abs() > 0.3, "{spearman}");
    // The tornado: each alone at its marginal 5th and 95th percentiles.
    assert!((s.def.parameters[1].tornado.0 - (30.0 - 1.6448536 * 3.0)).abs() < 1e-6);
    assert!((s.def.parameters[0].tornado.1 - (0.7 + 1.6448536 * 0.04)).abs() < 1e-8);
    let tornado = s.tornado().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tornado.rows.len(), 2);
    let (low, high) = &tornado.rows[1];
    assert!(low.is_ok() && high.is_ok() && low != high, "{low:?} {high:?}");
}

fn field_error(group: &str) -> String {
    match calx_study::parse_study(&study("", 10, group)) {
        Err(e @ StudyError::Field { .. }) => e.to_string(),
        Err(e) => panic!("not a field error: {e}"),
        Ok(_) => panic!("accepted:\n{group}"),
    }
}

#[test]
fn bad_groups_are_field_errors() {
    let two = "  - parameters:\n      - { path: units.carbonation.conversion.Ca(OH)2 }\n      \
               - { path: units.hydration.conversion.CaO }\n    mean: [0.7, 0.3]\n";
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0.0005], [0.0006, 0.0009]]\n"));
    assert!(e.contains("correlated[0].covariance") && e.contains("not symmetric"), "{e}");
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0.0013], [0.0013, 0.0009]]\n"));
    assert!(e.contains("correlated[0].covariance") && e.contains("not positive definite"), "{e}");
    assert!(e.contains("units.hydration.conversion.CaO"), "names the parameter where it fails: {e}");
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0, 0], [0, 0.0009, 0], [0, 0, 1]]\n"));
    assert!(e.contains("correlated[0].covariance") && e.contains("2×2"), "{e}");
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0], [0, -0.0009]]\n"));
    assert!(e.contains("variance"), "{e}");
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0], [0, x]]\n"));
    assert!(e.contains("correlated[0].covariance[1][1]"), "{e}");
    let e = field_error(&format!("{}    covariance: [[1, 0], [0, 1]]\n", two.replace("[0.7, 0.3]", "[0.7]")));
    assert!(e.contains("correlated[0].mean") && e.contains("one mean per parameter"), "{e}");
    let e = field_error(&format!("{two}    covariance: [[0.0016, 0], [0, 0.0009]]\n    sd: [1, 2]\n"));
    assert!(e.contains("correlated[0].sd") && e.contains("unknown field"), "{e}");
    let twice = two.replace("hydration.conversion.CaO", "carbonation.conversion.Ca(OH)2");
    let e = field_error(&format!("{twice}    covariance: [[0.0016, 0], [0, 0.0009]]\n"));
    assert!(e.contains("correlated[0].parameters[1].path") && e.contains("given twice"), "{e}");
}

#[test]
fn a_covariance_too_wide_for_the_model_is_refused_before_anything_runs() {
    // 0.7 ± 4 × 0.1 reaches a conversion of 1.1.
    let group = "  - parameters:\n      - { path: units.carbonation.conversion.Ca(OH)2 }\n      \
                 - { path: units.hydration.conversion.CaO }\n    mean: [0.7, 0.3]\n    \
                 covariance: [[0.01, 0], [0, 0.0009]]\n";
    match prepare(parse(&study("", 10, group))) {
        Err(e @ StudyError::Path { .. }) => {
            let e = e.to_string();
            assert!(e.contains("units.carbonation.conversion.Ca(OH)2") && e.contains("mean ± 4 sd"), "{e}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("accepted"),
    }
    let bad_path = group.replace("hydration.conversion.CaO", "hydration.conversion.FeO");
    assert!(
        matches!(prepare(parse(&study("", 10, &bad_path))), Err(StudyError::Path { path, .. }) if path.contains("FeO"))
    );
}

#[test]
fn a_log_scale_member_is_lognormal_with_the_given_log_moments() {
    // ln of the conversion: mean ln 0.7, sd 0.05; the CaO conversion linear, correlation 0.5.
    let mu = 0.7f64.ln();
    let group = format!(
        "  - parameters:\n      - {{ path: units.carbonation.conversion.Ca(OH)2, scale: log }}\n      \
         - {{ path: units.hydration.conversion.CaO }}\n    mean: [{mu}, 0.3]\n    \
         covariance: [[0.0025, 0.0005], [0.0005, 0.0004]]\n"
    );
    let n = 4000;
    let def = parse(&study("", n, &group));
    let s = prepare(def).unwrap_or_else(|e| panic!("{e}"));
    let values = s.sample_values(0..n);
    let logs: Vec<f64> = values.iter().map(|v| v[0].ln()).collect();
    let linear: Vec<f64> = values.iter().map(|v| v[1]).collect();
    assert!(values.iter().all(|v| v[0] > 0.0));
    assert!((mean(&logs) - mu).abs() < 0.003, "{}", mean(&logs));
    assert!((covariance(&logs, &logs).sqrt() - 0.05).abs() < 0.002);
    assert!((correlation(&logs, &linear) - 0.5).abs() < 0.05);
    // The marginal is lognormal: its tornado default is exp(mu -/+ 1.645 sd).
    let (low, high) = s.def.parameters[0].tornado;
    assert!((low - (mu - 1.6448536 * 0.05).exp()).abs() < 1e-9 && (high - (mu + 1.6448536 * 0.05).exp()).abs() < 1e-9);
}

#[test]
fn an_unknown_scale_is_a_field_error() {
    let group = "  - parameters:\n      - { path: units.carbonation.conversion.Ca(OH)2, scale: logit }\n    mean: [0.7]\n    covariance: [[0.0004]]\n";
    let e = calx_study::parse_study(&study("", 8, group)).expect_err("refused");
    assert!(e.to_string().contains("correlated[0].parameters[0].scale"), "{e}");
}
