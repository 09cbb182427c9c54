//! Fits whose answer is known by construction: synthetic exponential decays with Gaussian noise
//! (interval coverage, interval width against sample size), unidentifiable models, bounds,
//! log scales, fixed parameters, multi-start, and every refusal.

use std::convert::Infallible;

use calx_fit::{Fit, FitError, FitOptions, Identifiability, Parameter, ParameterStatus, Problem, Unidentifiable, fit};

/// SplitMix64 with Box-Muller: deterministic standard normal draws for synthetic data.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * self.uniform()).cos()
    }
}

const A: f64 = 10.0;
const K: f64 = 0.5;
const SIGMA: f64 = 0.2;

/// `y = a exp(-k t)` at `n` times evenly over [0, 8], noise sigma 0.2, `k` on a log scale,
/// weights `1 / sigma^2`.
fn decay(n: usize, seed: u64) -> Fit {
    let t: Vec<f64> = (0..n).map(|i| 8.0 * i as f64 / (n - 1) as f64).collect();
    let mut noise = Noise(seed);
    let y = t.iter().map(|ti| A * (-K * ti).exp() + SIGMA * noise.normal()).collect();
    let problem = Problem::new(vec![Parameter::new("a", 5.0), Parameter::new("k", 0.1).log()], y)
        .with_weights(vec![1.0 / (SIGMA * SIGMA); n]);
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, ti) in out.iter_mut().zip(&t) {
                *o = p[0] * (-p[1] * ti).exp();
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .expect("the decay fits")
}

fn covers(result: &Fit, index: usize, truth: f64) -> bool {
    let (lo, hi) = result.parameters[index].confidence_interval.expect("identifiable");
    lo <= truth && truth <= hi
}

fn width(result: &Fit, index: usize) -> f64 {
    let (lo, hi) = result.parameters[index].confidence_interval.expect("identifiable");
    hi - lo
}

#[test]
fn synthetic_decay_intervals_hold_the_truth_and_shrink_with_more_points() {
    let small = decay(20, 42);
    let large = decay(200, 42);
    for result in [&small, &large] {
        assert!(result.report.termination.converged());
        assert!(covers(result, 0, A) && covers(result, 1, K), "{:?}", result.parameters);
        assert!(result.identifiable());
        // Weights 1 / sigma^2 with the right sigma: s^2 is about 1 (chi-square / dof).
        assert!((0.5..1.6).contains(&result.residual_variance), "{}", result.residual_variance);
    }
    // Standard errors scale as 1 / sqrt(n): ten times the points, about sqrt(10) = 3.2 times
    // narrower (the t quantile also drops from 2.10 to 1.97).
    for index in [0, 1] {
        let ratio = width(&small, index) / width(&large, index);
        assert!((2.0..4.5).contains(&ratio), "parameter {index}: ratio {ratio}");
    }
}

#[test]
fn synthetic_decay_intervals_cover_the_truth_about_95_percent_of_the_time() {
    // 200 independent data sets of 20 points: with exact 95 % intervals the number covering
    // is Binomial(200, 0.95), mean 190, standard deviation 3.1; the bounds are 3.5 sd.
    let runs = 200;
    let (mut a, mut k) = (0, 0);
    for seed in 0..runs {
        let result = decay(20, 1000 + seed);
        a += usize::from(covers(&result, 0, A));
        k += usize::from(covers(&result, 1, K));
    }
    assert!((179..=199).contains(&a), "a covered {a} of {runs}");
    assert!((179..=199).contains(&k), "k covered {k} of {runs}");
}

#[test]
fn log_scale_gives_the_same_estimate_and_standard_error_as_linear_scale() {
    // The chain rule cov(x) = x^2 cov(ln x) must reproduce the linear-scale standard error.
    let t: Vec<f64> = (0..30).map(|i| 0.25 * i as f64).collect();
    let mut noise = Noise(9);
    let y: Vec<f64> = t.iter().map(|ti| A * (-K * ti).exp() + SIGMA * noise.normal()).collect();
    let run = |k: Parameter| {
        let problem = Problem::new(vec![Parameter::new("a", 5.0), k], y.clone());
        fit(
            &problem,
            |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                for (o, ti) in out.iter_mut().zip(&t) {
                    *o = p[0] * (-p[1] * ti).exp();
                }
                Ok(())
            },
            &FitOptions::default(),
        )
        .unwrap()
    };
    let linear = run(Parameter::new("k", 0.1));
    let log = run(Parameter::new("k", 0.1).log());
    let (kl, kg) = (&linear.parameters[1], &log.parameters[1]);
    assert!((kl.value - kg.value).abs() < 1e-8 * kl.value);
    let (sl, sg) = (kl.standard_error.unwrap(), kg.standard_error.unwrap());
    assert!((sl - sg).abs() < 1e-5 * sl, "{sl} vs {sg}");
    let (cl, cg) = (linear.covariance.unwrap(), log.covariance.unwrap());
    assert!((cl.matrix[(0, 1)] - cg.matrix[(0, 1)]).abs() < 1e-5 * cl.matrix[(0, 1)].abs());
    // The log interval is exp(ln k -/+ t SE / k): asymmetric, geometric mean at k.
    let (lo, hi) = kg.confidence_interval.unwrap();
    assert!(((lo * hi).sqrt() - kg.value).abs() < 1e-12 * kg.value);
}

/// Fits `model` with free parameters `names` (all starting at 1) to `y` at `x = 1..=n`.
fn fit_xs(names: &[&str], y: Vec<f64>, model: impl Fn(&[f64], f64) -> f64) -> Fit {
    let parameters = names.iter().map(|n| Parameter::new(*n, 1.0)).collect();
    let problem = Problem::new(parameters, y);
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (i, o) in out.iter_mut().enumerate() {
                *o = model(p, (i + 1) as f64);
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .expect("the fit runs")
}

fn null_space(estimate: &calx_fit::ParameterEstimate) -> Vec<String> {
    let Identifiability::Unidentifiable(reasons) = &estimate.identifiability else {
        panic!("{} is reported identifiable: {estimate:?}", estimate.name)
    };
    reasons
        .iter()
        .find_map(|r| match r {
            Unidentifiable::RankDeficient { null_space, singular_value_ratio } => {
                assert!(*singular_value_ratio < 1e-8);
                Some(null_space.clone())
            }
            _ => None,
        })
        .expect("a rank-deficiency reason")
}

#[test]
fn a_product_of_parameters_is_reported_unidentifiable() {
    // y = a b x: only the product is determined.
    let y: Vec<f64> = (1..=12).map(|x| 6.0 * x as f64 + 0.01 * (x as f64).sin()).collect();
    let result = fit_xs(&["a", "b"], y, |p, x| p[0] * p[1] * x);
    for estimate in &result.parameters {
        let mut names = null_space(estimate);
        names.sort();
        assert_eq!(names, ["a", "b"]);
        assert!(estimate.standard_error.is_none() && estimate.confidence_interval.is_none());
        assert!(estimate.linearised_standard_error.is_none());
    }
    assert!(result.covariance.is_none() && !result.identifiable());
    assert!(result.correlation[0][1].is_none());
    // The product itself is still fitted.
    let product = result.parameters[0].value * result.parameters[1].value;
    assert!((product - 6.0).abs() < 1e-3, "{product}");
}

#[test]
fn parameters_entering_only_as_a_sum_are_unidentifiable_and_the_others_are_not() {
    // y = (a + b) + c x: a and b only through a + b; c is determined.
    let y: Vec<f64> = (1..=12).map(|x| 3.0 + 2.0 * x as f64 + 0.05 * (x as f64 * 1.7).sin()).collect();
    let result = fit_xs(&["a", "b", "c"], y, |p, x| p[0] + p[1] + p[2] * x);
    let mut names = null_space(&result.parameters[0]);
    names.sort();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(null_space(&result.parameters[1]).len(), 2);
    let c = &result.parameters[2];
    assert_eq!(c.identifiability, Identifiability::Identifiable);
    assert!((c.value - 2.0).abs() < 0.05 && c.standard_error.is_some());
    assert!(result.covariance.is_none());
}

#[test]
fn nearly_collinear_parameters_are_reported_as_a_correlated_pair() {
    // y = a x + b x (1 + 0.01 x) on x = 1..12: full rank, but the two columns nearly coincide.
    let y: Vec<f64> = (1..=12).map(|x| 3.0 * x as f64 + 0.02 * (x as f64 * 2.3).sin()).collect();
    let result = fit_xs(&["a", "b"], y, |p, x| p[0] * x + p[1] * x * (1.0 + 0.01 * x));
    // Full rank, so identifiable; the correlation is a warning, and the interval (wide) and
    // the covariance carry it.
    let a = &result.parameters[0];
    assert_eq!(a.identifiability, Identifiability::Identifiable, "{a:?}");
    assert!(
        a.warnings.iter().any(|r| matches!(r, Unidentifiable::Correlated { with, correlation }
            if with == "b" && correlation.abs() > 0.99)),
        "{:?}",
        a.warnings
    );
    assert!(a.confidence_interval.is_some() && result.covariance.is_some());
    assert!(result.correlation[0][1].is_some_and(|r| r.abs() > 0.99));
}

#[test]
fn bounds_are_respected_and_a_parameter_stopped_by_one_is_reported() {
    // Data from k = 2, but k <= 1 is imposed; a is bounded to [0, 20].
    let t: Vec<f64> = (0..25).map(|i| 0.1 * i as f64).collect();
    let y: Vec<f64> = t.iter().map(|ti| 4.0 * (-2.0 * ti).exp()).collect();
    let problem = Problem::new(
        vec![Parameter::new("a", 1.0).bounded(0.0, 20.0), Parameter::new("k", 0.1).bounded(0.01, 1.0).log()],
        y,
    );
    let mut seen = Vec::new();
    let options = FitOptions { starts: 8, seed: 3, ..FitOptions::default() };
    let result = fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            seen.push([p[0], p[1]]);
            for (o, ti) in out.iter_mut().zip(&t) {
                *o = p[0] * (-p[1] * ti).exp();
            }
            Ok(())
        },
        &options,
    )
    .unwrap();
    assert!(seen.len() > 50);
    assert!(seen.iter().all(|p| (0.0..=20.0).contains(&p[0]) && (0.01..=1.0).contains(&p[1])));
    let k = &result.parameters[1];
    assert_eq!(k.status, ParameterStatus::AtUpperBound);
    assert_eq!(k.value, 1.0);
    assert_eq!(k.identifiability, Identifiability::NotAssessed);
    assert!(k.standard_error.is_none());
    assert_eq!(result.parameters[0].status, ParameterStatus::Estimated);
    let cov = result.covariance.expect("a alone is identifiable");
    assert_eq!(cov.names, ["a"]);
    assert_eq!(result.report.starts.len(), 9);
}

#[test]
fn a_fixed_parameter_is_held_and_not_counted() {
    let t: Vec<f64> = (0..10).map(f64::from).collect();
    let y: Vec<f64> = t.iter().map(|ti| 2.0 + 3.0 * ti + 0.1 * (ti * 1.3).sin()).collect();
    let problem = Problem::new(vec![Parameter::new("a", 2.5).fixed(), Parameter::new("b", 0.0)], y);
    let result = fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, ti) in out.iter_mut().zip(&t) {
                *o = p[0] + p[1] * ti;
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(result.parameters[0].value, 2.5);
    assert_eq!(result.parameters[0].status, ParameterStatus::Fixed);
    assert_eq!(result.degrees_of_freedom, 9);
    assert!(result.correlation[0].iter().all(Option::is_none));
    assert_eq!(result.covariance.unwrap().names, ["b"]);
}

/// `y = sin(w t)` on [0, 10] with w = 3: many local minima in w.
fn sine(starts: usize, seed: u64) -> Fit {
    let t: Vec<f64> = (0..60).map(|i| i as f64 / 6.0).collect();
    let y: Vec<f64> = t.iter().map(|ti| (3.0 * ti).sin()).collect();
    let problem = Problem::new(vec![Parameter::new("w", 0.5).bounded(0.1, 5.0)], y);
    let options = FitOptions { starts, seed, ..FitOptions::default() };
    fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (o, ti) in out.iter_mut().zip(&t) {
                *o = (p[0] * ti).sin();
            }
            Ok(())
        },
        &options,
    )
    .unwrap()
}

#[test]
fn multi_start_finds_the_global_minimum_that_one_start_misses_and_is_deterministic() {
    let single = sine(0, 0);
    assert!((single.parameters[0].value - 3.0).abs() > 0.1, "{}", single.parameters[0].value);
    let multi = sine(30, 11);
    assert!((multi.parameters[0].value - 3.0).abs() < 1e-6, "{}", multi.parameters[0].value);
    assert!(multi.report.best_start > 0);
    assert_eq!(multi, sine(30, 11));
    assert!(multi.report.starts.iter().all(|s| (0.1..=5.0).contains(&s.start[0])));
}

#[test]
fn a_model_returning_nan_is_a_typed_error() {
    let problem = Problem::new(vec![Parameter::new("a", 1.0)], vec![1.0, 2.0, 3.0]);
    let err = fit(
        &problem,
        |_: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            out.fill(1.0);
            out[1] = f64::NAN;
            Ok(())
        },
        &FitOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, FitError::NonFinite { index: 1, ref parameters, .. } if parameters == &[1.0]), "{err:?}");
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("solver diverged")]
struct Diverged;

#[test]
fn a_model_error_is_carried_through() {
    let problem = Problem::new(vec![Parameter::new("a", 1.0)], vec![1.0, 2.0, 3.0]);
    let err = fit(&problem, |_: &[f64], _: &mut [f64]| Err(Diverged), &FitOptions::default()).unwrap_err();
    assert!(matches!(err, FitError::Model { source: Diverged, .. }), "{err:?}");
    assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "solver diverged");
}

fn refusal(problem: Problem, options: FitOptions) -> FitError<Infallible> {
    fit(
        &problem,
        |_: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            out.fill(0.0);
            Ok(())
        },
        &options,
    )
    .unwrap_err()
}

#[test]
fn bad_input_is_refused_with_the_offending_data() {
    let two = || vec![Parameter::new("a", 1.0), Parameter::new("b", 1.0)];
    let err = refusal(Problem::new(two(), vec![1.0, 2.0]), FitOptions::default());
    assert!(matches!(err, FitError::TooFewObservations { observations: 2, free_parameters: 2 }));
    assert!(err.to_string().contains("2 observations cannot estimate 2 free parameters"), "{err}");
    // Zero weights do not count as observations.
    let err =
        refusal(Problem::new(two(), vec![1.0, 2.0, 3.0]).with_weights(vec![1.0, 0.0, 1.0]), FitOptions::default());
    assert!(matches!(err, FitError::TooFewObservations { observations: 2, .. }));
    let err =
        refusal(Problem::new(vec![Parameter::new("a", 5.0).bounded(0.0, 1.0)], vec![1.0; 3]), FitOptions::default());
    assert!(matches!(err, FitError::InvalidParameter { ref name, .. } if name == "a"));
    let err = refusal(Problem::new(vec![Parameter::new("k", -1.0).log()], vec![1.0; 3]), FitOptions::default());
    assert!(matches!(err, FitError::InvalidParameter { .. }));
    let err = refusal(Problem::new(vec![Parameter::new("a", 1.0).fixed()], vec![1.0; 3]), FitOptions::default());
    assert!(matches!(err, FitError::NoFreeParameters));
    let err = refusal(Problem::new(two(), vec![1.0, f64::NAN, 3.0]), FitOptions::default());
    assert!(matches!(err, FitError::InvalidObservation { index: 1, .. }));
    let err = refusal(Problem::new(two(), vec![1.0; 3]).with_weights(vec![1.0, -1.0, 1.0]), FitOptions::default());
    assert!(matches!(err, FitError::InvalidWeight { index: 1, .. }));
    let err = refusal(Problem::new(two(), vec![1.0; 3]).with_weights(vec![1.0]), FitOptions::default());
    assert!(matches!(err, FitError::LengthMismatch { what: "weights", expected: 3, found: 1 }));
    let err = refusal(Problem::new(two(), vec![1.0; 3]), FitOptions { confidence_level: 1.0, ..FitOptions::default() });
    assert!(matches!(err, FitError::InvalidOptions { option: "confidence_level", .. }));
    let dup = vec![Parameter::new("a", 1.0), Parameter::new("a", 1.0)];
    assert!(matches!(
        refusal(Problem::new(dup, vec![1.0; 3]), FitOptions::default()),
        FitError::InvalidParameter { .. }
    ));
}

#[test]
fn every_free_parameter_at_a_bound_is_reported_not_a_panic() {
    // y = k x with k = 2, but k <= 1: the only free parameter ends at its bound, so nothing
    // is estimated and there is no covariance.
    let y: Vec<f64> = (1..=6).map(|x| 2.0 * f64::from(x)).collect();
    let problem = Problem::new(vec![Parameter::new("k", 0.5).bounded(0.0, 1.0)], y);
    let result = fit(
        &problem,
        |p: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            for (i, o) in out.iter_mut().enumerate() {
                *o = p[0] * (i + 1) as f64;
            }
            Ok(())
        },
        &FitOptions::default(),
    )
    .expect("the fit runs");
    assert_eq!(result.parameters[0].status, ParameterStatus::AtUpperBound);
    assert_eq!(result.parameters[0].identifiability, Identifiability::NotAssessed);
    assert!(result.covariance.as_ref().is_none_or(|c| c.names.is_empty()));
}
