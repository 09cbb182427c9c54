//! Tests of [`solve_system`] on analytic systems.

use std::convert::Infallible;

use super::*;

fn ok<const N: usize>(f: impl Fn(&[f64]) -> [f64; N]) -> impl FnMut(&[f64], &mut [f64]) -> Result<(), Infallible> {
    move |x, r| {
        r.copy_from_slice(&f(x));
        Ok(())
    }
}

#[test]
fn a_coupled_nonlinear_system_is_solved_to_each_tolerance() {
    // x^2 + y^2 = 4 and x y = 1 (x > y > 0): x = sqrt(2 + sqrt 3), y = sqrt(2 - sqrt 3).
    let f = |x: &[f64]| [x[0] * x[0] + x[1] * x[1] - 4.0, x[0] * x[1] - 1.0];
    let mut x = [1.5, 0.8];
    let tol = [1e-12, 1e-12];
    let report =
        solve_system(ok(f), &mut x, &[(1.0, 3.0), (0.0, 1.0)], (&[4.0, 1.0], &tol), &SystemOptions::default()).unwrap();
    let (ex, ey) = ((2.0 + 3f64.sqrt()).sqrt(), (2.0 - 3f64.sqrt()).sqrt());
    assert!((x[0] - ex).abs() < 1e-11 && (x[1] - ey).abs() < 1e-11, "{x:?}");
    assert_eq!(report.x, x.to_vec());
    assert_eq!(report.residuals, f(&x).to_vec(), "the last evaluation was at the solution");
    assert!(report.residuals.iter().all(|r| r.abs() <= 1e-12));
    assert!(report.iterations <= 10 && report.jacobians == 1, "{report:?}");
    assert!(report.evaluations < 20, "{report:?}");
}

#[test]
fn a_linear_system_takes_one_step_after_the_jacobian() {
    let f = |x: &[f64]| [2.0 * x[0] + x[1] - 5.0, x[0] - 3.0 * x[1] + 1.0];
    let mut x = [0.0, 0.0];
    let report =
        solve_system(ok(f), &mut x, &[(-10.0, 10.0); 2], (&[5.0, 1.0], &[1e-9; 2]), &SystemOptions::default()).unwrap();
    assert!((x[0] - 2.0).abs() < 1e-8 && (x[1] - 1.0).abs() < 1e-8, "{x:?}");
    assert_eq!((report.iterations, report.evaluations), (1, 4), "start, two differences, one step");
}

#[test]
fn the_search_stays_inside_the_bounds() {
    // exp(x) + y = e + 1 and x - y^3 = 0: root (1, 1). A full Newton step from (2.9, 0.1)
    // leaves the box, the projection keeps it in.
    let f = |x: &[f64]| [x[0].exp() + x[1] - std::f64::consts::E - 1.0, x[0] - x[1].powi(3)];
    let mut x = [2.9, 0.1];
    let bounds = [(0.0, 3.0), (0.0, 2.0)];
    let seen = std::cell::RefCell::new(Vec::new());
    let g = |x: &[f64], r: &mut [f64]| -> Result<(), Infallible> {
        seen.borrow_mut().push(x.to_vec());
        r.copy_from_slice(&f(x));
        Ok(())
    };
    solve_system(g, &mut x, &bounds, (&[3.7, 1.0], &[1e-12; 2]), &SystemOptions::default()).unwrap();
    assert!((x[0] - 1.0).abs() < 1e-10 && (x[1] - 1.0).abs() < 1e-10, "{x:?}");
    for p in seen.borrow().iter() {
        assert!(p.iter().zip(&bounds).all(|(v, (lo, hi))| lo <= v && v <= hi), "{p:?} left the box");
    }
}

#[test]
fn residuals_that_ignore_a_variable_are_singular() {
    // Both residuals depend on x only.
    let f = |x: &[f64]| [x[0] - 1.0, 2.0 * x[0] - 2.5];
    let mut x = [0.5, 0.5];
    let e =
        solve_system(ok(f), &mut x, &[(0.0, 2.0); 2], (&[1.0; 2], &[1e-9; 2]), &SystemOptions::default()).unwrap_err();
    let SystemError::Singular { iterations, rcond, residuals, .. } = &e else { panic!("{e}") };
    assert_eq!((*iterations, *rcond), (0, 0.0));
    assert_eq!(residuals, &vec![-0.5, -1.5]);
    assert!(e.to_string().contains("singular"), "{e}");
}

#[test]
fn a_root_beyond_a_bound_is_stuck_at_that_bound() {
    // Root (3, 1), but x may not exceed 2.
    let f = |x: &[f64]| [x[0] - 3.0, x[1] - 1.0 + 0.1 * x[0]];
    let mut x = [1.0, 0.5];
    let e = solve_system(ok(f), &mut x, &[(0.0, 2.0), (0.0, 2.0)], (&[1.0; 2], &[1e-9; 2]), &SystemOptions::default())
        .unwrap_err();
    let SystemError::Stuck { at_bounds, x: at, .. } = &e else { panic!("{e}") };
    assert_eq!(at_bounds, &vec![0]);
    // The projected Newton point (2, 0.7): the full step aims at (3, 0.7) again.
    assert!((at[0] - 2.0).abs() < 1e-12 && (at[1] - 0.7).abs() < 1e-8, "{at:?}");
    assert_eq!(x.to_vec(), *at);
}

#[test]
fn a_start_that_passes_is_returned_after_one_evaluation() {
    let mut x = [1.0, 2.0];
    let report = solve_system(
        ok(|x: &[f64]| [x[0] - 1.0, x[1] - 2.0]),
        &mut x,
        &[(0.0, 3.0); 2],
        (&[1.0; 2], &[1e-9; 2]),
        &SystemOptions::default(),
    )
    .unwrap();
    assert_eq!((report.iterations, report.evaluations, report.jacobians), (0, 1, 0));
}

#[test]
fn errors_of_the_closure_and_non_finite_residuals_are_reported() {
    let mut x = [1.0];
    let failing = |_: &[f64], _: &mut [f64]| Err("unit failed");
    let e = solve_system(failing, &mut x, &[(0.0, 2.0)], (&[1.0], &[1e-9]), &SystemOptions::default()).unwrap_err();
    assert!(matches!(e, SystemError::Evaluation { iterations: 0, source: "unit failed", .. }), "{e}");
    let nan = ok(|_: &[f64]| [f64::NAN]);
    let e = solve_system(nan, &mut x, &[(0.0, 2.0)], (&[1.0], &[1e-9]), &SystemOptions::default()).unwrap_err();
    assert!(matches!(e, SystemError::NonFinite { index: 0, .. }), "{e}");
}

#[test]
fn malformed_input_is_refused() {
    let o = SystemOptions::default();
    let f = || ok(|x: &[f64]| [x[0]]);
    let invalid = |e: SystemError<Infallible>| matches!(e, SystemError::InvalidInput(_));
    assert!(invalid(solve_system(f(), &mut [], &[], (&[], &[]), &o).unwrap_err()));
    assert!(invalid(solve_system(f(), &mut [1.0], &[(2.0, 1.0)], (&[1.0], &[1e-9]), &o).unwrap_err()));
    assert!(invalid(solve_system(f(), &mut [f64::NAN], &[(0.0, 1.0)], (&[1.0], &[1e-9]), &o).unwrap_err()));
    assert!(invalid(solve_system(f(), &mut [1.0], &[(0.0, 1.0)], (&[0.0], &[1e-9]), &o).unwrap_err()));
    assert!(invalid(solve_system(f(), &mut [1.0], &[(0.0, 1.0)], (&[1.0], &[1e-9, 1.0]), &o).unwrap_err()));
}
