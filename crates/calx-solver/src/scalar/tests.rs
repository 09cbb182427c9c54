//! Tests of [`solve_bracketed`].

use std::convert::Infallible;

use super::*;

fn ok(f: impl Fn(f64) -> f64) -> impl FnMut(f64) -> Result<f64, Infallible> {
    move |x| Ok(f(x))
}

#[test]
fn monotone_cubic_root_is_found_to_tolerance() {
    // x^3 + x - target, for several targets; the root is checked against f, and against the
    // exact root of x^3 = 2 for the pure cubic.
    let options = ScalarOptions::default();
    for target in [0.5, 2.0, 10.0, 123.0] {
        let f = |x: f64| x * x * x + x - target;
        let report = solve_bracketed(ok(f), -1.0, 6.0, target, &options).unwrap();
        assert!(report.f.abs() <= options.abs_tol + options.rel_tol * target, "{report:?}");
        assert_eq!(report.f, f(report.x));
        assert!(report.iterations <= 15, "{report:?}");
    }
    let report = solve_bracketed(ok(|x| x * x * x - 2.0), 0.0, 3.0, 2.0, &options).unwrap();
    // |f'| = 3 x^2 ~ 4.8 at the root, so |x - root| <= |f| / 4.7.
    assert!((report.x - 2f64.cbrt()).abs() <= 2e-9 / 4.7, "{report:?}");
}

#[test]
fn flat_then_steep_function_is_solved_in_few_evaluations() {
    let options = ScalarOptions::default();
    // x^12 on [0, 2]: flat over most of the bracket, very steep at its top.
    let report = solve_bracketed(ok(|x: f64| x.powi(12) - 0.5), 0.0, 2.0, 0.5, &options).unwrap();
    assert!((report.x.powi(12) - 0.5).abs() <= 1.5e-9);
    assert!((report.x - 0.5f64.powf(1.0 / 12.0)).abs() < 1e-9);
    // A hockey stick: almost flat up to 0.9, then a slope 10^5 times steeper (a valve opening).
    let stick = |x: f64| 1e-3 * x + 100.0 * (x - 0.9).max(0.0) - 0.5;
    let report = solve_bracketed(ok(stick), 0.0, 1.0, 0.5, &options).unwrap();
    assert!(stick(report.x).abs() <= 1.5e-9, "{report:?}");
    // Bisection alone would need log2(1 / 1e-11) = 37 evaluations for this accuracy in x.
    assert!(report.iterations < 37, "{report:?}");
}

#[test]
fn root_at_a_bracket_end_is_returned_without_iterating() {
    let options = ScalarOptions::default();
    let report = solve_bracketed(ok(|x| x - 1.0), 1.0, 2.0, 1.0, &options).unwrap();
    assert_eq!((report.x, report.iterations), (1.0, 0));
    let report = solve_bracketed(ok(|x| x - 2.0), 1.0, 2.0, 1.0, &options).unwrap();
    assert_eq!((report.x, report.iterations), (2.0, 0));
}

#[test]
fn root_at_zero_terminates() {
    let report = solve_bracketed(ok(|x| 1e6 * x), -1.0, 2.0, 0.0, &ScalarOptions::default()).unwrap();
    assert!(report.x.abs() <= 1e-15, "{report:?}");
}

#[test]
fn target_outside_the_bracket_is_not_bracketed() {
    let f = |x: f64| x * x * x + x - 100.0;
    let err = solve_bracketed(ok(f), 0.0, 3.0, 100.0, &ScalarOptions::default()).unwrap_err();
    match err {
        SolverError::NotBracketed { lo, hi, f_lo, f_hi } => {
            assert_eq!((lo, hi, f_lo, f_hi), (0.0, 3.0, f(0.0), f(3.0)));
        }
        other => panic!("expected NotBracketed, got {other:?}"),
    }
}

#[test]
fn invalid_inputs_are_refused() {
    let o = ScalarOptions::default();
    let cases = [
        (1.0, 1.0, 1.0, o.clone()),
        (2.0, 1.0, 1.0, o.clone()),
        (f64::NAN, 1.0, 1.0, o.clone()),
        (0.0, f64::INFINITY, 1.0, o.clone()),
        (0.0, 1.0, f64::NAN, o.clone()),
        (0.0, 1.0, 1.0, ScalarOptions { abs_tol: 0.0, ..o.clone() }),
        (0.0, 1.0, 1.0, ScalarOptions { rel_tol: -1.0, ..o.clone() }),
        (0.0, 1.0, 1.0, ScalarOptions { x_tol: f64::NAN, ..o.clone() }),
    ];
    for (lo, hi, scale, options) in cases {
        let err = solve_bracketed(
            |_| -> Result<f64, Infallible> { panic!("f must not be called for invalid input") },
            lo,
            hi,
            scale,
            &options,
        )
        .unwrap_err();
        assert!(matches!(err, SolverError::InvalidInput(_)), "[{lo}, {hi}] {options:?}: {err:?}");
    }
}

#[test]
fn jump_across_zero_stops_at_x_tol_with_the_best_point() {
    // A step function cannot meet the tolerance: the search narrows onto the jump and stops.
    let step = |x: f64| if x < 0.3 { -1.0 } else { 1.0 };
    let err = solve_bracketed(ok(step), 0.0, 1.0, 1.0, &ScalarOptions::default()).unwrap_err();
    match err {
        SolverError::ScalarNotConverged { iterations, x, f } => {
            assert!((x - 0.3).abs() < 1e-11, "{x}");
            assert_eq!(f.abs(), 1.0);
            assert!(iterations < 100);
        }
        other => panic!("expected ScalarNotConverged, got {other:?}"),
    }
}

#[test]
fn iteration_limit_gives_scalar_not_converged() {
    let options = ScalarOptions { max_iterations: 2, ..ScalarOptions::default() };
    let err = solve_bracketed(ok(|x: f64| x.powi(12) - 0.5), 0.0, 2.0, 0.5, &options).unwrap_err();
    assert!(matches!(err, SolverError::ScalarNotConverged { iterations: 2, .. }), "{err:?}");
}

#[derive(Debug, thiserror::Error)]
#[error("flowsheet failed at {0}")]
struct Failed(f64);

#[test]
fn function_errors_and_nan_are_reported() {
    let options = ScalarOptions::default();
    let err =
        solve_bracketed(|x| if x > 0.5 { Err(Failed(x)) } else { Ok(x - 0.7) }, 0.0, 1.0, 1.0, &options).unwrap_err();
    assert!(matches!(err, SolverError::Evaluation { iteration: 0, source: Failed(x) } if x == 1.0), "{err:?}");
    let mut calls = 0;
    let err = solve_bracketed(
        |x: f64| -> Result<f64, Failed> {
            calls += 1;
            Ok(if calls == 4 { f64::NAN } else { x * x * x - 0.3 })
        },
        0.0,
        1.0,
        1.0,
        &options,
    )
    .unwrap_err();
    // Evaluations 1 and 2 are the bracket ends; the 4th is iteration 2.
    assert!(matches!(err, SolverError::NonFinite { iteration: 2, index: 0 }), "{err:?}");
}
