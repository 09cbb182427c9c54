//! Failure reports of [`solve_fixed_point`]: iteration limits, non-finite values, the
//! caller's own errors, and invalid input.

use std::convert::Infallible;

use super::*;

#[test]
fn iteration_limit_reports_not_converged_with_residuals_of_the_last_point() {
    let lin = slow_linear();
    for method in Method::ALL {
        let options = FixedPointOptions { method, max_iterations: 3, ..FixedPointOptions::default() };
        let mut x = vec![0.0; 3];
        let err = solve_wide(&mut x, lin.map(), &options).unwrap_err();
        let SolverError::NotConverged {
            method: m,
            iterations,
            residuals,
            max_abs_residual,
            max_scaled_residual,
            worst_index,
        } = err
        else {
            panic!("{method}: expected NotConverged, got {err:?}");
        };
        assert_eq!((m, iterations), (method, 3));
        // The residuals are those of the x left behind.
        let mut gx = vec![0.0; 3];
        lin.map()(&x, &mut gx).unwrap();
        let expected: Vec<f64> = gx.iter().zip(&x).map(|(g, x)| g - x).collect();
        assert_eq!(residuals, expected);
        let max_abs = expected.iter().fold(0.0_f64, |m, r| m.max(r.abs()));
        assert_eq!(max_abs_residual, max_abs);
        assert!(max_scaled_residual > 1.0);
        let tol = |i: usize| options.abs_tol + options.rel_tol * x[i].abs();
        for i in 0..3 {
            assert!(residuals[i].abs() / tol(i) <= residuals[worst_index].abs() / tol(worst_index));
        }
    }
}

#[test]
fn diverging_loop_is_not_converged() {
    let options =
        FixedPointOptions { method: Method::DirectSubstitution, max_iterations: 20, ..FixedPointOptions::default() };
    let mut x = [0.0];
    let err = solve_wide(
        &mut x,
        |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
            out[0] = 2.0 * x[0] + 1.0;
            Ok(())
        },
        &options,
    )
    .unwrap_err();
    match err {
        SolverError::NotConverged { iterations: 20, ref residuals, worst_index: 0, .. } => {
            // x_k = 2^k - 1, so the residual is x_k + 1 = 2^20.
            assert_eq!(residuals, &[1048576.0]);
            assert!(err.to_string().contains("did not converge in 20 iterations (direct_substitution)"));
        }
        other => panic!("expected NotConverged, got {other:?}"),
    }
}

#[test]
fn nan_from_g_is_non_finite_with_its_index_and_iteration() {
    for method in Method::ALL {
        let mut x = [1.0, 1.0, 1.0];
        let err = solve_wide(
            &mut x,
            |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                out.copy_from_slice(x);
                out[0] = 0.5 * x[0] + 1.0;
                // The third evaluation (after two steps) breaks variable 2.
                if x[0] > 1.6 {
                    out[2] = f64::NAN;
                }
                Ok(())
            },
            &FixedPointOptions { method, ..FixedPointOptions::default() },
        )
        .unwrap_err();
        assert!(matches!(err, SolverError::NonFinite { iteration: 2, index: 2 }), "{method}: {err:?}");
    }
}

/// A caller's own error type, as a flowsheet would have.
#[derive(Debug, thiserror::Error, PartialEq)]
enum UnitFailure {
    #[error("unit {0} has no feed")]
    NoFeed(String),
}

#[test]
fn error_from_g_is_carried_as_the_source() {
    let mut calls = 0;
    let mut x = [0.0; 2];
    let err = solve_wide(
        &mut x,
        |x: &[f64], out: &mut [f64]| {
            calls += 1;
            if calls == 4 {
                return Err(UnitFailure::NoFeed("R-101".into()));
            }
            out[0] = 0.5 * x[0] + 1.0;
            out[1] = 0.5 * x[1];
            Ok(())
        },
        &FixedPointOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, SolverError::Evaluation { iteration: 3, source } if *source == UnitFailure::NoFeed("R-101".into()))
    );
    let source = std::error::Error::source(&err).expect("source is kept");
    assert_eq!(source.downcast_ref::<UnitFailure>(), Some(&UnitFailure::NoFeed("R-101".into())));
    assert!(err.to_string().contains("R-101"));
    // And the error converts to another caller type without losing the rest.
    let mapped = err.map_source(|e| e.to_string());
    assert!(
        matches!(mapped, SolverError::Evaluation { iteration: 3, ref source } if source == "unit R-101 has no feed")
    );
}

#[test]
fn invalid_inputs_are_refused_without_evaluating() {
    let cases = [
        (vec![f64::NAN], FixedPointOptions::default()),
        (vec![1.0, f64::INFINITY], FixedPointOptions::default()),
        (vec![1.0], FixedPointOptions { abs_tol: 0.0, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { abs_tol: f64::NAN, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { rel_tol: -1e-10, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { rel_tol: f64::INFINITY, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { wegstein_q_min: 1.0, wegstein_q_max: 0.0, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { wegstein_q_max: 1.0, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { wegstein_q_min: f64::NAN, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { scale_tol: 0.0, ..FixedPointOptions::default() }),
        (vec![1.0], FixedPointOptions { scale_tol: f64::NAN, ..FixedPointOptions::default() }),
    ];
    for (mut x, options) in cases {
        let err = solve_wide(
            &mut x,
            |_: &[f64], _: &mut [f64]| -> Result<(), Infallible> { panic!("g must not be called for invalid input") },
            &options,
        )
        .unwrap_err();
        assert!(matches!(err, SolverError::InvalidInput(_)), "{x:?} {options:?}: {err:?}");
    }
}

#[test]
fn invalid_scales_are_refused_without_evaluating() {
    let never =
        |_: &[f64], _: &mut [f64]| -> Result<(), Infallible> { panic!("g must not be called for invalid input") };
    let options = FixedPointOptions::default();
    for scale in [vec![1.0], vec![1.0, 1.0, 1.0], vec![1.0, -1.0], vec![f64::NAN, 1.0], vec![1.0, f64::INFINITY]] {
        let err = solve_fixed_point(&mut [1.0, 2.0], &scale, never, &options).unwrap_err();
        assert!(matches!(err, SolverError::InvalidInput(_)), "{scale:?}: {err:?}");
    }
}

/// `x -> x + 1` per variable: a recycle that returns all of its material and takes in 1 per
/// pass (its feed, the scale), so it has no steady state.
fn grows(x: &[f64], out: &mut [f64]) -> Result<(), Infallible> {
    for (o, v) in out.iter_mut().zip(x) {
        *o = v + 1.0;
    }
    Ok(())
}

#[test]
fn a_loop_without_steady_state_never_converges_by_growing_large() {
    // From 1e11 (where a runaway Broyden loop gets in a few steps) the relative test alone
    // passes at once: a residual of 1 is within 1e-10 x 1e11. The ceiling, 1e-6 of the scale
    // 1, is not.
    for method in Method::ALL {
        let mut x = vec![1e11, 3e11];
        let options = FixedPointOptions { method, ..FixedPointOptions::default() };
        let err = solve_fixed_point(&mut x, &[1.0, 1.0], grows, &options).unwrap_err();
        let SolverError::NotConverged { iterations, max_scaled_residual, .. } = err else {
            panic!("{method}: {err:?}")
        };
        assert_eq!(iterations, options.max_iterations, "{method}");
        // Residual 1 against abs_tol + 1e-6: about a million times the tolerance.
        assert!(max_scaled_residual > 9e5, "{method}: {max_scaled_residual}");
    }
}

#[test]
fn the_ceiling_binds_only_beyond_its_scale() {
    // x -> 0.5 x + 1e4 converges to 2e4. With scale 1 and scale_tol 1e-6 the tolerance is
    // capped at 1e-10 + 1e-6 (relative part 2e-6 > 1e-6); with scale 1e4 it is not.
    let map = |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
        out[0] = 0.5 * x[0] + 1e4;
        Ok(())
    };
    for (scale, tolerance) in [(1.0, 1e-10 + 1e-6), (1e4, 1e-10 + 1e-10 * 2e4)] {
        let mut x = [0.0];
        let options = FixedPointOptions { method: Method::DirectSubstitution, ..FixedPointOptions::default() };
        let r = solve_fixed_point(&mut x, &[scale], map, &options).unwrap();
        assert!(r.max_abs_residual <= tolerance, "scale {scale}: {r:?}");
        // The scaled residual is relative to the tolerance actually applied.
        assert!((r.max_scaled_residual - r.max_abs_residual / tolerance).abs() < 1e-9, "scale {scale}: {r:?}");
    }
}

#[test]
fn zero_iteration_limit_only_checks_the_guess() {
    let lin = fast_linear();
    let options = FixedPointOptions { max_iterations: 0, ..FixedPointOptions::default() };
    let mut x = lin.exact();
    assert_eq!(solve_wide(&mut x, lin.map(), &options).unwrap().iterations, 0);
    let mut x = vec![0.0; 3];
    let err = solve_wide(&mut x, lin.map(), &options).unwrap_err();
    assert!(matches!(err, SolverError::NotConverged { iterations: 0, .. }));
    assert_eq!(x, vec![0.0; 3]);
}

#[test]
fn extreme_values_give_errors_not_panics() {
    // Outputs at the edge of the f64 range, with sign flips: residuals overflow to infinity.
    for method in Method::ALL {
        let mut x = [f64::MAX, -f64::MAX, 0.0];
        let result = solve_wide(
            &mut x,
            |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                out[0] = -x[0];
                out[1] = if x[1] < 0.0 { f64::MAX } else { -f64::MAX };
                out[2] = 1e300 * (x[2] + 1.0);
                Ok(())
            },
            &FixedPointOptions { method, max_iterations: 50, ..FixedPointOptions::default() },
        );
        assert!(
            matches!(result, Err(SolverError::NotConverged { .. } | SolverError::NonFinite { .. })),
            "{method}: {result:?}"
        );
        assert!(x.iter().all(|v| v.is_finite()), "{method}: {x:?}");
    }
}
