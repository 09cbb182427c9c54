//! Fits with published or closed-form answers: ordinary and weighted linear regression against
//! their closed forms, the NIST StRD nonlinear problem Misra1a against its certified values,
//! and Student t quantiles against table values and closed forms.

use std::convert::Infallible;

use calx_fit::{FitOptions, Identifiability, Parameter, Problem, Termination, Unidentifiable, fit, student_t_quantile};

fn close(actual: f64, expected: f64, rel: f64) -> bool {
    (actual - expected).abs() <= rel * expected.abs()
}

/// Fits `y = a + b x` with weights `w`.
fn straight_line(x: &[f64], y: &[f64], w: &[f64]) -> calx_fit::Fit {
    let problem =
        Problem::new(vec![Parameter::new("a", 0.0), Parameter::new("b", 0.0)], y.to_vec()).with_weights(w.to_vec());
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, xi) in out.iter_mut().zip(x) {
                *o = p[0] + p[1] * xi;
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .expect("a straight line fits")
}

/// Closed-form weighted least squares for `y = a + b x` (Draper & Smith, "Applied Regression
/// Analysis", 3rd ed., §1.4 and §9.2): `(a, b, SE a, SE b, s^2)`.
fn closed_form(x: &[f64], y: &[f64], w: &[f64]) -> (f64, f64, f64, f64, f64) {
    let n = x.len() as f64;
    let sw: f64 = w.iter().sum();
    let xm = x.iter().zip(w).map(|(x, w)| w * x).sum::<f64>() / sw;
    let ym = y.iter().zip(w).map(|(y, w)| w * y).sum::<f64>() / sw;
    let sxx: f64 = x.iter().zip(w).map(|(x, w)| w * (x - xm).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).zip(w).map(|((x, y), w)| w * (x - xm) * (y - ym)).sum();
    let b = sxy / sxx;
    let a = ym - b * xm;
    let sse: f64 = x.iter().zip(y).zip(w).map(|((x, y), w)| w * (y - a - b * x).powi(2)).sum();
    let s2 = sse / (n - 2.0);
    (a, b, (s2 * (1.0 / sw + xm * xm / sxx)).sqrt(), (s2 / sxx).sqrt(), s2)
}

const X: [f64; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
const Y: [f64; 10] = [2.9, 5.2, 7.1, 8.8, 11.3, 12.9, 15.2, 16.8, 19.1, 21.2];

#[test]
fn straight_line_matches_closed_form_ordinary_least_squares() {
    let w = [1.0; 10];
    let result = straight_line(&X, &Y, &w);
    let (a, b, se_a, se_b, s2) = closed_form(&X, &Y, &w);
    let pa = &result.parameters[0];
    let pb = &result.parameters[1];
    assert!(close(pa.value, a, 1e-9), "{} vs {a}", pa.value);
    assert!(close(pb.value, b, 1e-9), "{} vs {b}", pb.value);
    assert!(close(pa.standard_error.unwrap(), se_a, 1e-7));
    assert!(close(pb.standard_error.unwrap(), se_b, 1e-7));
    assert!(close(result.residual_variance, s2, 1e-9));
    assert_eq!(result.degrees_of_freedom, 8);
    // Interval: b -/+ t(0.975, 8) SE, t(0.975, 8) = 2.306004 (Student t table).
    let (lo, hi) = pb.confidence_interval.unwrap();
    assert!(close(hi - lo, 2.0 * 2.306004 * se_b, 1e-6));
    // OLS: R^2 = 1 - SSE / SST, and the weighted one equals it with unit weights.
    let mean = Y.iter().sum::<f64>() / 10.0;
    let sst: f64 = Y.iter().map(|y| (y - mean).powi(2)).sum();
    assert!(close(result.r_squared, 1.0 - 8.0 * s2 / sst, 1e-9));
    assert!(close(result.weighted_r_squared, result.r_squared, 1e-12));
    assert!(close(result.rmse, (8.0 * s2 / 10.0).sqrt(), 1e-9));
    // The two estimates of a straight line are negatively correlated when all x > 0.
    let r = result.correlation[0][1].unwrap();
    assert!(r < 0.0 && r > -0.99, "{r}");
    assert!(result.identifiable());
    let cov = result.covariance.as_ref().unwrap();
    assert!(close(cov.matrix[(1, 1)], se_b * se_b, 1e-7));
    assert!(close(cov.matrix[(0, 1)], r * se_a * se_b, 1e-6));
}

#[test]
fn straight_line_matches_closed_form_weighted_least_squares() {
    let w = [1.0, 4.0, 0.5, 2.0, 1.0, 0.25, 3.0, 1.0, 0.5, 2.0];
    let result = straight_line(&X, &Y, &w);
    let (a, b, se_a, se_b, s2) = closed_form(&X, &Y, &w);
    assert!(close(result.parameters[0].value, a, 1e-9));
    assert!(close(result.parameters[1].value, b, 1e-9));
    assert!(close(result.parameters[0].standard_error.unwrap(), se_a, 1e-7));
    assert!(close(result.parameters[1].standard_error.unwrap(), se_b, 1e-7));
    assert!(close(result.residual_variance, s2, 1e-9));
    let r = &result.residuals[1];
    assert!(close(r.weighted_residual, 2.0 * r.residual, 1e-12));
    assert!(close(r.residual, r.observed - r.predicted, 1e-12));
}

/// NIST StRD, Misra1a (Misra, D., 1978, NIST dental research monomolecular adsorption study):
/// `y = b1 (1 - exp(-b2 x))`, 14 observations.
const MISRA1A_X: [f64; 14] =
    [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0];
const MISRA1A_Y: [f64; 14] =
    [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78];

fn misra1a(start: [f64; 2], log_b2: bool) -> calx_fit::Fit {
    let b2 = Parameter::new("b2", start[1]);
    let problem =
        Problem::new(vec![Parameter::new("b1", start[0]), if log_b2 { b2.log() } else { b2 }], MISRA1A_Y.to_vec());
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, x) in out.iter_mut().zip(MISRA1A_X) {
                *o = p[0] * (1.0 - (-p[1] * x).exp());
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .expect("Misra1a fits")
}

#[test]
fn misra1a_matches_the_nist_certified_values_from_both_starts() {
    // NIST StRD, Misra1a, certified values: b1 = 2.3894212918E+02 (SD 2.7070075241E+00),
    // b2 = 5.5015643181E-04 (SD 7.2668688436E-06), residual sum of squares 1.2455138894E-01,
    // residual standard deviation 1.0187876330E-01, 12 degrees of freedom.
    for (start, log_b2) in [([500.0, 1e-4], false), ([250.0, 5e-4], false), ([500.0, 1e-4], true)] {
        let result = misra1a(start, log_b2);
        assert!(result.report.termination.converged(), "{:?}", result.report.termination);
        let (b1, b2) = (&result.parameters[0], &result.parameters[1]);
        assert!(close(b1.value, 2.3894212918E+02, 1e-6), "{start:?}: b1 = {}", b1.value);
        assert!(close(b2.value, 5.5015643181E-04, 1e-6), "{start:?}: b2 = {}", b2.value);
        let se1 = b1.linearised_standard_error.unwrap();
        let se2 = b2.linearised_standard_error.unwrap();
        assert!(close(se1, 2.7070075241E+00, 1e-5), "{se1}");
        assert!(close(se2, 7.2668688436E-06, 1e-5), "{se2}");
        assert!(close(result.cost, 1.2455138894E-01, 1e-8), "{}", result.cost);
        assert!(close(result.residual_standard_error, 1.0187876330E-01, 1e-8));
        assert_eq!(result.degrees_of_freedom, 12);
        // b1 and b2 are correlated at -0.9988, past the default limit of 0.99: a warning on
        // each; they stay identifiable with the certified standard errors.
        assert_eq!(b1.identifiability, Identifiability::Identifiable, "{b1:?}");
        let [Unidentifiable::Correlated { with, correlation }] = b1.warnings.as_slice() else { panic!("{b1:?}") };
        assert_eq!(with, "b2");
        assert!((correlation + 0.99878).abs() < 1e-4, "{correlation}");
        assert!(b1.standard_error.is_some_and(|s| close(s, 2.7070075241E+00, 1e-5)) && result.covariance.is_some());
    }
}

#[test]
fn misra1a_with_a_looser_correlation_limit_reports_the_certified_standard_errors() {
    let problem = Problem::new(vec![Parameter::new("b1", 500.0), Parameter::new("b2", 1e-4)], MISRA1A_Y.to_vec());
    let options = FitOptions { max_correlation: 0.999, ..FitOptions::default() };
    let result = fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, x) in out.iter_mut().zip(MISRA1A_X) {
                *o = p[0] * (1.0 - (-p[1] * x).exp());
            }
            Ok(())
        },
        &options,
    )
    .expect("Misra1a fits");
    // NIST StRD, Misra1a, certified values (standard deviations of the estimates).
    let se1 = result.parameters[0].standard_error.unwrap();
    assert!(close(se1, 2.7070075241E+00, 1e-5), "{se1}");
    let cov = result.covariance.expect("identifiable with |r| <= 0.999");
    assert!(close(cov.matrix[(1, 1)].sqrt(), 7.2668688436E-06, 1e-5));
    // 95 % interval with t(0.975, 12) = 2.178813 (Student t table).
    let (lo, hi) = result.parameters[0].confidence_interval.unwrap();
    assert!(close(hi - lo, 2.0 * 2.178813 * 2.7070075241E+00, 1e-5), "{lo} {hi}");
}

#[test]
fn misra1a_stops_on_a_tolerance_in_few_iterations() {
    let result = misra1a([250.0, 5e-4], false);
    assert!(
        matches!(result.report.termination, Termination::CostReduction | Termination::StepSize | Termination::Gradient),
        "{:?}",
        result.report.termination
    );
    assert!(result.report.iterations < 30, "{}", result.report.iterations);
}

#[test]
fn student_t_quantiles_match_table_values_and_closed_forms() {
    // Two-sided 95 % values t(0.975, nu), as tabulated to six decimals (e.g. Abramowitz &
    // Stegun table 26.10 to three; R's qt to more), and the normal limit 1.959964.
    for (dof, expected) in
        [(5.0, 2.570582), (8.0, 2.306004), (10.0, 2.228139), (30.0, 2.042272), (f64::INFINITY, 1.959964)]
    {
        let t = student_t_quantile(0.975, dof);
        assert!((t - expected).abs() < 6e-7, "t(0.975, {dof}) = {t}, table {expected}");
    }
    // Closed forms: nu = 1 (Cauchy) t = tan(pi (p - 1/2)); nu = 2 t = (2p - 1) / sqrt(2 p (1 - p)).
    for p in [0.6, 0.9, 0.975, 0.995, 0.2] {
        let cauchy = (std::f64::consts::PI * (p - 0.5)).tan();
        assert!(close(student_t_quantile(p, 1.0), cauchy, 1e-12), "p = {p}");
        let two = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
        assert!(close(student_t_quantile(p, 2.0), two, 1e-12), "p = {p}");
    }
    assert_eq!(student_t_quantile(0.5, 7.0), 0.0);
    assert!(student_t_quantile(1.0, 7.0).is_nan());
    assert!(student_t_quantile(0.9, 0.0).is_nan());
}

/// NIST StRD, BoxBOD (Box, Hunter & Hunter 1978, biochemical oxygen demand; higher
/// difficulty): `y = b1 (1 - exp(-b2 x))`, 6 observations.
fn boxbod(start: [f64; 2], options: &FitOptions) -> calx_fit::Fit {
    const X: [f64; 6] = [1.0, 2.0, 3.0, 5.0, 7.0, 10.0];
    let problem = Problem::new(
        vec![Parameter::new("b1", start[0]).bounded(0.0, 1e4), Parameter::new("b2", start[1]).log().bounded(1e-3, 1e2)],
        vec![109.0, 149.0, 149.0, 191.0, 213.0, 224.0],
    );
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, x) in out.iter_mut().zip(X) {
                *o = p[0] * (1.0 - (-p[1] * x).exp());
            }
            Ok(())
        },
        options,
    )
    .expect("BoxBOD fits")
}

#[test]
fn boxbod_matches_the_nist_certified_values_from_start_2_and_with_multi_start_from_start_1() {
    // NIST StRD, BoxBOD, certified values: b1 = 2.1380940889E+02 (SD 1.2354515176E+01),
    // b2 = 5.4723748542E-01 (SD 1.0455993237E-01), residual sum of squares 1.1680088766E+03,
    // 4 degrees of freedom.
    let multi = FitOptions { starts: 10, seed: 5, ..FitOptions::default() };
    for (start, options) in [([100.0, 0.75], FitOptions::default()), ([1.0, 1.0], multi)] {
        let result = boxbod(start, &options);
        let (b1, b2) = (&result.parameters[0], &result.parameters[1]);
        assert!(close(b1.value, 2.1380940889E+02, 1e-6), "{start:?}: b1 = {}", b1.value);
        assert!(close(b2.value, 5.4723748542E-01, 1e-6), "{start:?}: b2 = {}", b2.value);
        assert!(close(result.cost, 1.1680088766E+03, 1e-9), "{}", result.cost);
        assert!(close(b1.standard_error.unwrap(), 1.2354515176E+01, 1e-5));
        assert!(close(b2.standard_error.unwrap(), 1.0455993237E-01, 1e-5));
        assert_eq!(result.degrees_of_freedom, 4);
    }
    // From start 1 alone the optimiser runs off to b2 -> infinity (every prediction b1, the
    // known trap of this problem) and stops at b2's upper bound, which the result says.
    let single = boxbod([1.0, 1.0], &FitOptions::default());
    assert_eq!(single.parameters[1].status, calx_fit::ParameterStatus::AtUpperBound);
    assert!(single.cost > 5.0 * 1.1680088766E+03);
}
