//! Tests of [`solve_fixed_point`]: analytic fixed points for every method and the "returned x
//! is the last evaluated input" contract. Failure reports are in [`failures`].

use std::convert::Infallible;

use nalgebra::{DMatrix, DVector};

use super::*;

mod failures;

/// Options with tolerances tight enough that the converged x is within 1e-9 of the exact
/// fixed point even for a slow loop (error <= residual / (1 - 0.9)), and enough iterations for
/// direct substitution to get there.
/// [`solve_fixed_point`] with scales so large that the ceiling `scale_tol * scale` never
/// binds: these tests are about the relative test and the accelerators; the ceiling has its
/// own tests.
fn solve_wide<E, G>(x: &mut [f64], g: G, options: &FixedPointOptions) -> Result<FixedPointReport, SolverError<E>>
where
    G: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let scale = vec![f64::MAX; x.len()];
    solve_fixed_point(x, &scale, g, options)
}

fn tight(method: Method) -> FixedPointOptions {
    FixedPointOptions { method, abs_tol: 1e-13, rel_tol: 1e-13, max_iterations: 2000, ..FixedPointOptions::default() }
}

fn assert_close(got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= rel * w.abs().max(1.0), "variable {i}: got {g}, want {w}");
    }
}

/// A linear map `x -> A x + b` and its exact fixed point from `(I - A) x = b`.
struct Linear {
    a: DMatrix<f64>,
    b: DVector<f64>,
}

impl Linear {
    fn map(&self) -> impl FnMut(&[f64], &mut [f64]) -> Result<(), Infallible> + '_ {
        |x, out| {
            let y = &self.a * DVector::from_column_slice(x) + &self.b;
            out.copy_from_slice(y.as_slice());
            Ok(())
        }
    }

    fn exact(&self) -> Vec<f64> {
        let n = self.b.len();
        let lu = (DMatrix::identity(n, n) - &self.a).lu();
        lu.solve(&self.b).expect("I - A is regular").as_slice().to_vec()
    }

    fn spectral_radius(&self) -> f64 {
        self.a.complex_eigenvalues().iter().map(|z| z.norm()).fold(0.0, f64::max)
    }
}

/// A fast, coupled loop (radius about 0.5).
fn fast_linear() -> Linear {
    Linear {
        a: DMatrix::from_row_slice(3, 3, &[0.3, 0.1, 0.05, 0.1, 0.2, 0.1, 0.05, 0.2, 0.1]),
        b: DVector::from_column_slice(&[1.0, -2.0, 3.0]),
    }
}

/// A slow loop: one variable recycles 90 % of itself, weakly coupled to two faster ones, as a
/// recycle of one heavy component next to lighter ones. Values of different magnitudes.
fn slow_linear() -> Linear {
    Linear {
        a: DMatrix::from_row_slice(3, 3, &[0.88, 0.01, 0.0, 0.02, 0.5, 0.03, 0.01, 0.0, 0.3]),
        b: DVector::from_column_slice(&[10.0, 1.0, 300.0]),
    }
}

#[test]
fn linear_maps_reach_the_exact_fixed_point_with_every_method() {
    for (name, lin) in [("fast", fast_linear()), ("slow", slow_linear())] {
        assert!(lin.spectral_radius() < 1.0);
        let exact = lin.exact();
        for method in Method::ALL {
            let mut x = vec![0.0; 3];
            let report =
                solve_wide(&mut x, lin.map(), &tight(method)).unwrap_or_else(|e| panic!("{name} {method}: {e}"));
            assert_eq!(report.method, method);
            assert!(report.max_scaled_residual <= 1.0);
            assert_close(&x, &exact, 1e-9);
        }
    }
}

#[test]
fn slow_loop_is_accelerated_by_wegstein_and_broyden() {
    let lin = slow_linear();
    let radius = lin.spectral_radius();
    assert!((radius - 0.9).abs() < 0.02, "the slow case should have radius 0.9, has {radius}");
    let iterations = |method| {
        let mut x = vec![0.0; 3];
        solve_wide(&mut x, lin.map(), &tight(method)).unwrap().iterations
    };
    let direct = iterations(Method::DirectSubstitution);
    let wegstein = iterations(Method::Wegstein);
    let broyden = iterations(Method::Broyden);
    assert!(wegstein < direct, "Wegstein {wegstein} vs direct {direct}");
    assert!(broyden < direct, "Broyden {broyden} vs direct {direct}");
}

/// Mixer -> reactor (converts fraction `c` of A to B) -> separator (returns fraction `r` of the
/// unreacted A and `rb` of the B) -> back to the mixer. Tear variables: recycled A and B.
struct Recycle {
    feed: f64,
    c: f64,
    r: f64,
    rb: f64,
}

impl Recycle {
    fn map(&self) -> impl FnMut(&[f64], &mut [f64]) -> Result<(), Infallible> + '_ {
        |x, out| {
            let (mix_a, mix_b) = (self.feed + x[0], x[1]);
            let (out_a, out_b) = ((1.0 - self.c) * mix_a, mix_b + self.c * mix_a);
            out[0] = self.r * out_a;
            out[1] = self.rb * out_b;
            Ok(())
        }
    }

    fn exact(&self) -> [f64; 2] {
        let k = (1.0 - self.c) * self.r;
        let ra = self.feed * k / (1.0 - k);
        let rb = self.rb * self.c * (self.feed + ra) / (1.0 - self.rb);
        [ra, rb]
    }
}

#[test]
fn mixer_reactor_separator_recycle_matches_the_analytic_recycle() {
    let cases = [
        Recycle { feed: 10.0, c: 0.3, r: 0.95, rb: 0.1 },
        Recycle { feed: 2.5, c: 0.05, r: 0.9, rb: 0.0 },
        Recycle { feed: 100.0, c: 0.6, r: 0.5, rb: 0.4 },
    ];
    for case in &cases {
        let exact = case.exact();
        for method in Method::ALL {
            let mut x = vec![0.0; 2];
            let report = solve_wide(&mut x, case.map(), &tight(method)).unwrap_or_else(|e| panic!("{method}: {e}"));
            assert_close(&x, &exact, 1e-9);
            assert_eq!(report.evaluations, report.iterations + 1);
        }
    }
}

#[test]
fn default_options_converge_the_recycle_within_their_tolerance() {
    let case = Recycle { feed: 10.0, c: 0.3, r: 0.95, rb: 0.1 };
    let exact = case.exact();
    for method in Method::ALL {
        let options = FixedPointOptions { method, ..FixedPointOptions::default() };
        let mut x = vec![0.0; 2];
        solve_wide(&mut x, case.map(), &options).unwrap();
        // Loop gain 0.665: the error is at most residual / (1 - 0.665) = 3 * 1e-10 (1 + |x|).
        assert_close(&x, &exact, 1e-8);
    }
}

#[test]
fn nonlinear_maps_converge() {
    // x = cos(x): the Dottie number, where cos(x) - x changes sign.
    for method in Method::ALL {
        let mut x = [1.0];
        solve_wide(
            &mut x,
            |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                out[0] = x[0].cos();
                Ok(())
            },
            &tight(method),
        )
        .unwrap();
        assert!((x[0].cos() - x[0]).abs() < 1e-12, "{method}: {}", x[0]);
    }
    // A coupled 2-D map: x = 0.5 cos(y) + 0.1, y = 0.4 sin(x) + 0.3 x^2.
    let g = |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
        out[0] = 0.5 * x[1].cos() + 0.1;
        out[1] = 0.4 * x[0].sin() + 0.3 * x[0] * x[0];
        Ok(())
    };
    for method in Method::ALL {
        let mut x = [2.0, -1.0];
        solve_wide(&mut x, g, &tight(method)).unwrap();
        let mut gx = [0.0; 2];
        g(&x, &mut gx).unwrap();
        assert!((gx[0] - x[0]).abs() < 1e-12 && (gx[1] - x[1]).abs() < 1e-12, "{method}: {x:?}");
    }
}

/// A 60-variable loop of splitters with capacity limits (piecewise linear, `min`) and a mildly
/// nonlinear coupling, strongly recycling: what Broyden must stay robust on.
#[test]
fn piecewise_linear_coupled_loop_converges_with_every_method() {
    let n = 60;
    // Deterministic pseudo-random coefficients (no rand dependency).
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let feed: Vec<f64> = (0..n).map(|_| 1.0 + 10.0 * next()).collect();
    let keep: Vec<f64> = (0..n).map(|_| 0.5 + 0.4 * next()).collect();
    let cap: Vec<f64> = (0..n).map(|_| 20.0 + 60.0 * next()).collect();
    let g = |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
        for i in 0..n {
            let neighbour = x[(i + 1) % n];
            let inflow = feed[i] + keep[i] * x[i] + 0.05 * neighbour + 1e-3 * neighbour * neighbour;
            // The splitter returns what its capacity allows, and sends a fixed share beyond it.
            out[i] = 0.9 * inflow.min(cap[i]) + 0.2 * (inflow - cap[i]).max(0.0) - 0.5 * feed[i];
        }
        Ok(())
    };
    let mut solutions = Vec::new();
    for method in Method::ALL {
        let mut x = vec![0.0; n];
        let options = tight(method);
        let report = solve_wide(&mut x, g, &options).unwrap_or_else(|e| panic!("{method}: {e}"));
        let mut gx = vec![0.0; n];
        g(&x, &mut gx).unwrap();
        for i in 0..n {
            assert!((gx[i] - x[i]).abs() <= 1e-13 * (1.0 + x[i].abs()), "{method} variable {i}");
        }
        assert!(x.iter().zip(&cap).any(|(&x, &c)| x > 0.5 * c), "some splitter should saturate");
        solutions.push((method, report.iterations, x));
    }
    // All methods find the same (unique, the map contracts) fixed point.
    for (method, _, x) in &solutions[1..] {
        assert_close(x, &solutions[0].2, 1e-9);
        let _ = method;
    }
}

#[test]
fn returned_x_is_exactly_the_input_of_the_last_evaluation() {
    let lin = slow_linear();
    for method in Method::ALL {
        let mut last_input = Vec::new();
        let mut evaluations = 0;
        let mut inner = lin.map();
        let mut x = vec![0.0; 3];
        let report = solve_wide(
            &mut x,
            |x: &[f64], out: &mut [f64]| {
                last_input = x.to_vec();
                evaluations += 1;
                inner(x, out)
            },
            &FixedPointOptions { method, ..FixedPointOptions::default() },
        )
        .unwrap();
        assert_eq!(last_input, x, "{method}");
        assert_eq!(report.evaluations, evaluations);
    }
}

#[test]
fn converged_guess_takes_no_step_and_is_left_unchanged() {
    let lin = fast_linear();
    let exact = lin.exact();
    for method in Method::ALL {
        let mut x = exact.clone();
        let report = solve_wide(&mut x, lin.map(), &tight(method)).unwrap();
        assert_eq!((report.iterations, report.evaluations), (0, 1));
        assert_eq!(x, exact);
    }
}

#[test]
fn zero_variables_are_trivially_converged_after_one_evaluation() {
    for method in Method::ALL {
        let mut calls = 0;
        let report = solve_fixed_point(
            &mut [],
            &[],
            |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                assert!(x.is_empty() && out.is_empty());
                calls += 1;
                Ok(())
            },
            &FixedPointOptions { method, ..FixedPointOptions::default() },
        )
        .unwrap();
        assert_eq!(calls, 1);
        assert_eq!((report.iterations, report.evaluations), (0, 1));
        assert_eq!(report.max_scaled_residual, 0.0);
    }
}

#[test]
fn wegstein_bounds_are_respected() {
    // A scalar linear loop g = 0.95 x + 1: the unbounded Wegstein factor is q = -19 and would
    // land on the fixed point (20) in one step. With q in [-5, 0] each accelerated step can only
    // cut the error by 1 - 6 * 0.05 = 0.7; with q_min = q_max = 0 it is direct substitution.
    let run = |q_min: f64, q_max: f64| {
        let options = FixedPointOptions { wegstein_q_min: q_min, wegstein_q_max: q_max, ..tight(Method::Wegstein) };
        let mut x = [0.0];
        let report = solve_wide(
            &mut x,
            |x: &[f64], out: &mut [f64]| -> Result<(), Infallible> {
                out[0] = 0.95 * x[0] + 1.0;
                Ok(())
            },
            &options,
        )
        .unwrap();
        assert!((x[0] - 20.0).abs() < 1e-9);
        report.iterations
    };
    let unbounded = run(-100.0, 0.0);
    let bounded = run(-5.0, 0.0);
    let direct = run(0.0, 0.0);
    // Two substitution steps, one secant step, one confirming evaluation.
    assert_eq!(unbounded, 3);
    assert!(bounded > unbounded && bounded < direct, "{unbounded} {bounded} {direct}");
}

#[test]
fn strongly_coupled_loop_is_where_broyden_shines() {
    // Dense non-negative coupling with every row summing to 0.95: spectral radius 0.95, the
    // dominant mode spread over all variables, which per-variable Wegstein cannot isolate.
    let n = 12;
    let mut a = DMatrix::from_fn(n, n, |i, j| 1.0 + ((i * 7 + j * 3) % 5) as f64);
    for mut row in a.row_iter_mut() {
        let sum = row.sum();
        row /= sum / 0.95;
    }
    let lin = Linear { a, b: DVector::from_fn(n, |i, _| 1.0 + i as f64) };
    assert!((lin.spectral_radius() - 0.95).abs() < 1e-9);
    let exact = lin.exact();
    let iterations = |method| {
        let mut x = vec![0.0; n];
        let report = solve_wide(&mut x, lin.map(), &tight(method)).unwrap();
        assert_close(&x, &exact, 1e-9);
        report.iterations
    };
    let (direct, broyden) = (iterations(Method::DirectSubstitution), iterations(Method::Broyden));
    assert!(broyden * 10 < direct, "Broyden {broyden} vs direct {direct}");
}
