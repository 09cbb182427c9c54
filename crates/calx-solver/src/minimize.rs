//! Derivative-free constrained minimisation over a box: an augmented Lagrangian (Powell–
//! Hestenes–Rockafellar) around bounded Nelder–Mead, with a deterministic multi-start.
//!
//! The problem is `min f(x)` over `lo <= x <= hi` with inequalities `g_i(x) <= 0` and
//! equalities `h_j(x) = 0`, every function given by one closure that returns the objective
//! and all constraint values at once (so a caller that must solve a flowsheet to know them
//! solves it once per point). Variables are scaled to the unit box and kept in it by
//! projection; the objective is scaled by its magnitude at the first point. Each outer
//! iteration minimises the augmented Lagrangian with Nelder–Mead, then updates the
//! multipliers and, when the violation did not shrink fourfold, raises the penalty tenfold
//! (up to 1e8). The best feasible point and the least infeasible one are kept over every
//! evaluation: the optimum is the former once the search converged; a budget that runs out
//! first is [`MinimizeError::BudgetExhausted`], and a search that converged without a
//! feasible point [`MinimizeError::Infeasible`] with the least violation — never a
//! reported optimum.

use thiserror::Error;

/// Options of [`minimize`].
#[derive(Clone, Debug, PartialEq)]
pub struct MinimizeOptions {
    /// Most evaluations of the closure in all, over every start. Default `2000`: Nelder–Mead
    /// needs some 100 per variable and outer iteration on smooth problems.
    pub max_evaluations: usize,
    /// Convergence on the variables, relative to their bounds' width, and the largest
    /// constraint violation accepted, relative to each constraint's scale. Default `1e-8`.
    pub tolerance: f64,
    /// Starting points: the first at the middle of the box, the others drawn uniformly from
    /// it with `seed`. Default `1`.
    pub starts: usize,
    /// Seed of the extra starts. Default `0`.
    pub seed: u64,
}

impl Default for MinimizeOptions {
    fn default() -> Self {
        MinimizeOptions { max_evaluations: 2000, tolerance: 1e-8, starts: 1, seed: 0 }
    }
}

/// A constraint's kind: `value <= 0` or `value = 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `g(x) <= 0`.
    Inequality,
    /// `h(x) = 0`.
    Equality,
}

/// One point the search went through (the best of an outer iteration).
#[derive(Clone, Debug, PartialEq)]
pub struct Iterate {
    /// Variables.
    pub x: Vec<f64>,
    /// Objective.
    pub objective: f64,
    /// Largest scaled constraint violation (0 when feasible).
    pub violation: f64,
}

/// The optimum found by [`minimize`].
#[derive(Clone, Debug, PartialEq)]
pub struct MinimizeReport {
    /// Variables at the optimum.
    pub x: Vec<f64>,
    /// Objective there.
    pub objective: f64,
    /// Constraint values there, as the closure gave them.
    pub constraints: Vec<f64>,
    /// Evaluations of the closure, over every start.
    pub evaluations: usize,
    /// The best point of every outer iteration of the start that won, in order.
    pub path: Vec<Iterate>,
}

/// One point evaluated, in the caller's variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    /// Variables.
    pub x: Vec<f64>,
    /// Objective, as the closure gave it.
    pub objective: f64,
    /// Constraint values, as the closure gave them.
    pub constraints: Vec<f64>,
    /// Largest scaled constraint violation (0 when feasible).
    pub violation: f64,
}

/// Why [`minimize`] gave no optimum.
#[derive(Debug, Error)]
pub enum MinimizeError<E> {
    /// The problem is malformed (no variables, bounds not ordered, a bad option, a closure
    /// that gives a different number of constraint values than there are constraints).
    #[error("{0}")]
    Invalid(String),
    /// The closure failed at `x`.
    #[error("evaluation at {x:?} failed: {source}")]
    Evaluation {
        /// The point.
        x: Vec<f64>,
        /// The caller's error.
        #[source]
        source: E,
    },
    /// The closure gave a value that is not finite.
    #[error("the objective or a constraint is not finite at {x:?}")]
    NotFinite {
        /// The point.
        x: Vec<f64>,
    },
    /// The search converged (every start), but no point evaluated meets the constraints.
    #[error(
        "no point meets the constraints: the smallest violation found is {violation:.3e} (scaled) at {x:?}, constraint values {constraints:?}"
    )]
    Infeasible {
        /// The least infeasible point evaluated.
        x: Vec<f64>,
        /// Its largest scaled violation.
        violation: f64,
        /// Its constraint values.
        constraints: Vec<f64>,
    },
    /// `max_evaluations` ran out before the search converged: no optimum, but the best
    /// feasible point and the least infeasible one evaluated so far.
    #[error("the search did not converge within {evaluations} evaluations")]
    BudgetExhausted {
        /// Evaluations made (`max_evaluations`).
        evaluations: usize,
        /// The feasible point with the lowest objective evaluated, if any.
        feasible: Option<Box<Evaluated>>,
        /// The point with the least violation evaluated.
        least_violation: Box<Evaluated>,
    },
}

/// Largest penalty parameter of the augmented Lagrangian: beyond it the merit is too
/// ill-conditioned for Nelder–Mead to make progress.
const RHO_MAX: f64 = 1e8;
/// Most outer iterations of one start.
const MAX_OUTER: usize = 30;

/// Minimise over the box `bounds` with constraints of `kinds`, each scaled by `scales`
/// (positive: a violation is compared as `value / scale`). `f(x)` returns the objective
/// and the constraint values in the order of `kinds`.
///
/// The optimum is the feasible point (violation within the tolerance) with the lowest
/// objective of every evaluation, once every start has converged. A budget that runs out
/// first is [`MinimizeError::BudgetExhausted`]; [`MinimizeError::Infeasible`] only when the
/// search converged and no evaluation met the constraints (it gives the least violation).
pub fn minimize<E>(
    mut f: impl FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
    bounds: &[(f64, f64)],
    (kinds, scales): (&[ConstraintKind], &[f64]),
    options: &MinimizeOptions,
) -> Result<MinimizeReport, MinimizeError<E>> {
    check(bounds, kinds, scales, options)?;
    let n = bounds.len();
    let mut rng = options.seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut p = Problem {
        f: &mut f,
        bounds,
        kinds,
        scales,
        evaluations: 0,
        limit: options.max_evaluations,
        tolerance: options.tolerance,
        start: 0,
        feasible: None,
        least: None,
    };
    let mut paths = Vec::new();
    let mut exhausted = false;
    for start in 0..options.starts {
        p.start = start;
        let z0: Vec<f64> = if start == 0 { vec![0.5; n] } else { (0..n).map(|_| uniform(&mut rng)).collect() };
        let mut path = Vec::new();
        let outcome = augmented_lagrangian(&mut p, z0, options, &mut path);
        paths.push(path);
        match outcome {
            Ok(()) => {}
            Err(Halt::Budget) => {
                exhausted = true;
                break;
            }
            Err(Halt::Fail(e)) => return Err(e),
        }
    }
    let evaluations = p.evaluations;
    let Some(least) = p.least.take() else { return Err(MinimizeError::Invalid("nothing was evaluated".into())) };
    let feasible = p.feasible.take();
    if exhausted {
        return Err(MinimizeError::BudgetExhausted {
            evaluations,
            feasible: feasible.map(|(e, _)| Box::new(e)),
            least_violation: Box::new(least),
        });
    }
    match feasible {
        Some((best, start)) => Ok(MinimizeReport {
            x: best.x,
            objective: best.objective,
            constraints: best.constraints,
            evaluations,
            path: paths.swap_remove(start),
        }),
        None => {
            Err(MinimizeError::Infeasible { x: least.x, violation: least.violation, constraints: least.constraints })
        }
    }
}

fn check<E>(
    bounds: &[(f64, f64)],
    kinds: &[ConstraintKind],
    scales: &[f64],
    o: &MinimizeOptions,
) -> Result<(), MinimizeError<E>> {
    let problem = if bounds.is_empty() {
        Some("there are no variables".to_string())
    } else if let Some((lo, hi)) = bounds.iter().find(|(lo, hi)| !(lo.is_finite() && hi.is_finite() && lo < hi)) {
        Some(format!("the bounds [{lo}, {hi}] are not a finite interval with lower below upper"))
    } else if kinds.len() != scales.len() || scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        Some("every constraint needs a positive, finite scale".to_string())
    } else if !(o.tolerance > 0.0 && o.tolerance < 1.0) || o.starts == 0 || o.max_evaluations == 0 {
        Some("the tolerance must be in (0, 1) and starts and max_evaluations above zero".to_string())
    } else {
        None
    };
    problem.map_or(Ok(()), |p| Err(MinimizeError::Invalid(p)))
}

/// splitmix64 to a number in [0, 1).
fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn unscale(z: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
    z.iter().zip(bounds).map(|(z, (lo, hi))| lo + z.clamp(0.0, 1.0) * (hi - lo)).collect()
}

/// Why a start stopped early: the budget, or an error that ends the whole search.
enum Halt<E> {
    Budget,
    Fail(MinimizeError<E>),
}

impl<E> From<MinimizeError<E>> for Halt<E> {
    fn from(e: MinimizeError<E>) -> Self {
        Halt::Fail(e)
    }
}

struct Problem<'a, F> {
    f: &'a mut F,
    bounds: &'a [(f64, f64)],
    kinds: &'a [ConstraintKind],
    scales: &'a [f64],
    evaluations: usize,
    limit: usize,
    tolerance: f64,
    /// The start running (to know whose path the optimum's is).
    start: usize,
    /// The feasible evaluation with the lowest objective, and its start.
    feasible: Option<(Evaluated, usize)>,
    /// The evaluation with the least violation.
    least: Option<Evaluated>,
}

/// One evaluation: objective, constraint values, and the largest scaled violation.
struct Point {
    objective: f64,
    constraints: Vec<f64>,
    violation: f64,
}

impl<F, E> Problem<'_, F>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
{
    /// Evaluate at `z` (scaled), unless the budget is spent; keep the best points.
    fn eval(&mut self, z: &[f64]) -> Result<Point, Halt<E>> {
        if self.evaluations >= self.limit {
            return Err(Halt::Budget);
        }
        let x = unscale(z, self.bounds);
        self.evaluations += 1;
        let (objective, constraints) =
            (self.f)(&x).map_err(|source| MinimizeError::Evaluation { x: x.clone(), source })?;
        if constraints.len() != self.kinds.len() {
            return Err(MinimizeError::Invalid(format!(
                "the function gave {} constraint values for {} constraints",
                constraints.len(),
                self.kinds.len()
            ))
            .into());
        }
        if !objective.is_finite() || constraints.iter().any(|c| !c.is_finite()) {
            return Err(MinimizeError::NotFinite { x }.into());
        }
        let violation = constraints
            .iter()
            .zip(self.kinds.iter().zip(self.scales))
            .map(|(c, (k, s))| match k {
                ConstraintKind::Inequality => (c / s).max(0.0),
                ConstraintKind::Equality => (c / s).abs(),
            })
            .fold(0.0, f64::max);
        let evaluated = || Evaluated { x: x.clone(), objective, constraints: constraints.clone(), violation };
        if violation <= self.tolerance && self.feasible.as_ref().is_none_or(|(b, _)| objective < b.objective) {
            self.feasible = Some((evaluated(), self.start));
        }
        if self.least.as_ref().is_none_or(|b| violation < b.violation) {
            self.least = Some(evaluated());
        }
        Ok(Point { objective, constraints, violation })
    }
}

/// One start: outer iterations until the point stops moving while feasible (or, infeasible,
/// with the penalty at its cap), or [`MAX_OUTER`] of them. Each outer iteration's best point
/// is pushed onto `path`.
fn augmented_lagrangian<F, E>(
    p: &mut Problem<'_, F>,
    z0: Vec<f64>,
    o: &MinimizeOptions,
    path: &mut Vec<Iterate>,
) -> Result<(), Halt<E>>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
{
    let first = p.eval(&z0)?;
    let f_scale = if first.objective.abs() > 0.0 { first.objective.abs() } else { 1.0 };
    let m = p.kinds.len();
    let (mut lambda, mut rho) = (vec![0.0; m], 10.0);
    let mut z = z0;
    let mut last_violation = f64::INFINITY;
    for _ in 0..MAX_OUTER {
        let (kinds, scales) = (p.kinds.to_vec(), p.scales.to_vec());
        let merit = |pt: &Point| -> f64 {
            let mut l = pt.objective / f_scale;
            for (i, c) in pt.constraints.iter().enumerate() {
                let c = c / scales[i];
                l += match kinds[i] {
                    ConstraintKind::Equality => lambda[i] * c + 0.5 * rho * c * c,
                    ConstraintKind::Inequality => {
                        let t = (c + lambda[i] / rho).max(0.0);
                        0.5 * rho * t * t - lambda[i] * lambda[i] / (2.0 * rho)
                    }
                };
            }
            l
        };
        let (zn, pt) = nelder_mead(p, &z, &merit, o.tolerance)?;
        for (i, c) in pt.constraints.iter().enumerate() {
            let c = c / scales[i];
            lambda[i] = match kinds[i] {
                ConstraintKind::Equality => lambda[i] + rho * c,
                ConstraintKind::Inequality => (lambda[i] + rho * c).max(0.0),
            };
        }
        let moved = zn.iter().zip(&z).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        path.push(Iterate { x: unscale(&zn, p.bounds), objective: pt.objective, violation: pt.violation });
        z = zn;
        let still = moved <= o.tolerance;
        if m == 0 || (still && (pt.violation <= o.tolerance || rho >= RHO_MAX)) {
            break;
        }
        if pt.violation > 0.25 * last_violation {
            rho = (rho * 10.0).min(RHO_MAX);
        }
        last_violation = pt.violation;
    }
    Ok(())
}

/// Whether a Nelder–Mead simplex has converged: its vertices within `tol` of the best (in
/// the unit box) and their merits within `tol` of each other, relative to the best merit
/// when that is above 1 (the merit is the objective scaled by its first value, about 1).
fn simplex_converged(size: f64, spread: f64, best: f64, tol: f64) -> bool {
    (size <= tol && spread <= tol * best.abs().max(1.0)) || size <= 1e-15
}

/// Bounded Nelder–Mead (points projected into the unit box) on `merit`, from `z0`, until
/// [`simplex_converged`]; the budget running out stops it with [`Halt::Budget`].
fn nelder_mead<F, E>(
    p: &mut Problem<'_, F>,
    z0: &[f64],
    merit: &dyn Fn(&Point) -> f64,
    tol: f64,
) -> Result<(Vec<f64>, Point), Halt<E>>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>), E>,
{
    let n = z0.len();
    let project = |z: Vec<f64>| -> Vec<f64> { z.into_iter().map(|v| v.clamp(0.0, 1.0)).collect() };
    let mut simplex: Vec<(Vec<f64>, f64, Point)> = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let mut z = z0.to_vec();
        if i > 0 {
            let step = if z[i - 1] > 0.5 { -0.1 } else { 0.1 };
            z[i - 1] += step;
        }
        let pt = p.eval(&z)?;
        simplex.push((z, merit(&pt), pt));
    }
    loop {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let size = simplex[1..]
            .iter()
            .flat_map(|(z, ..)| z.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        let spread = (simplex[n].1 - simplex[0].1).abs();
        if simplex_converged(size, spread, simplex[0].1, tol) {
            let (z, _, pt) = simplex.swap_remove(0);
            return Ok((z, pt));
        }
        let centroid: Vec<f64> =
            (0..n).map(|j| simplex[..n].iter().map(|(z, ..)| z[j]).sum::<f64>() / n as f64).collect();
        let along = |t: f64| -> Vec<f64> {
            project(centroid.iter().zip(&simplex[n].0).map(|(c, w)| c + t * (c - w)).collect())
        };
        let zr = along(1.0);
        let pr = p.eval(&zr)?;
        let mr = merit(&pr);
        if mr < simplex[0].1 {
            let ze = along(2.0);
            let pe = p.eval(&ze)?;
            let me = merit(&pe);
            simplex[n] = if me < mr { (ze, me, pe) } else { (zr, mr, pr) };
        } else if mr < simplex[n - 1].1 {
            simplex[n] = (zr, mr, pr);
        } else {
            let zc = if mr < simplex[n].1 { along(0.5) } else { along(-0.5) };
            let pc = p.eval(&zc)?;
            let mc = merit(&pc);
            if mc < simplex[n].1.min(mr) {
                simplex[n] = (zc, mc, pc);
            } else {
                let best = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let z = project(best.iter().zip(&vertex.0).map(|(b, v)| b + 0.5 * (v - b)).collect());
                    let pt = p.eval(&z)?;
                    *vertex = (z, merit(&pt), pt);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Result<(f64, Vec<f64>), std::convert::Infallible>;

    #[test]
    fn an_unconstrained_quadratic_is_found_to_its_minimum() {
        // (x - 3)^2 + 2 (y + 1)^2 + 5: minimum 5 at (3, -1), inside the box.
        let f = |x: &[f64]| -> R { Ok(((x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2) + 5.0, vec![])) };
        let r = minimize(f, &[(0.0, 10.0), (-5.0, 5.0)], (&[], &[]), &MinimizeOptions::default()).unwrap();
        assert!((r.x[0] - 3.0).abs() < 1e-6 && (r.x[1] + 1.0).abs() < 1e-6, "{:?}", r.x);
        assert!((r.objective - 5.0).abs() < 1e-10);
    }

    #[test]
    fn an_active_inequality_holds_the_optimum_on_its_boundary() {
        // min x^2 + y^2 subject to x + y >= 2, i.e. 2 - x - y <= 0: optimum (1, 1), value 2
        // (the Lagrange condition 2x = 2y = mu with x + y = 2).
        let f = |x: &[f64]| -> R { Ok((x[0] * x[0] + x[1] * x[1], vec![2.0 - x[0] - x[1]])) };
        let kinds = [ConstraintKind::Inequality];
        let r = minimize(f, &[(-5.0, 5.0), (-5.0, 5.0)], (&kinds, &[2.0]), &MinimizeOptions::default()).unwrap();
        assert!((r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6, "{:?}", r.x);
        assert!(!r.path.is_empty());
    }

    #[test]
    fn an_infeasible_problem_is_an_error_with_the_least_violation() {
        // x >= 20 in a box that ends at 10: the least violation is at x = 10, g = 10.
        let f = |x: &[f64]| -> R { Ok((x[0], vec![20.0 - x[0]])) };
        let kinds = [ConstraintKind::Inequality];
        let e = minimize(f, &[(0.0, 10.0)], (&kinds, &[20.0]), &MinimizeOptions::default()).unwrap_err();
        match e {
            MinimizeError::Infeasible { x, violation, .. } => {
                assert!((x[0] - 10.0).abs() < 1e-6 && (violation - 0.5).abs() < 1e-6, "{x:?} {violation}");
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_budget_that_runs_out_is_its_own_outcome_with_the_best_point_and_never_exceeded() {
        // A feasible problem (the active-constraint one) with 30 evaluations: not infeasible,
        // not an optimum, but the budget spent exactly, with the best feasible point so far.
        let mut calls = 0;
        let f = |x: &[f64]| -> R {
            calls += 1;
            Ok((x[0] * x[0] + x[1] * x[1], vec![2.0 - x[0] - x[1]]))
        };
        let kinds = [ConstraintKind::Inequality];
        let options = MinimizeOptions { max_evaluations: 30, ..MinimizeOptions::default() };
        let e = minimize(f, &[(-5.0, 5.0), (-5.0, 5.0)], (&kinds, &[2.0]), &options).unwrap_err();
        match e {
            MinimizeError::BudgetExhausted { evaluations, feasible, least_violation } => {
                assert_eq!(evaluations, 30);
                let best = feasible.expect("a feasible point was evaluated");
                assert!(best.violation <= 1e-8 && best.x[0] + best.x[1] >= 2.0 - 1e-8, "{best:?}");
                assert!(least_violation.violation <= best.violation);
            }
            other => panic!("{other}"),
        }
        assert_eq!(calls, 30);
    }

    #[test]
    fn a_one_variable_minimum_is_found_in_tens_of_evaluations() {
        // (x - 3)^2 + 1 on [0, 10]: the simplex stops when it is within 1e-8 of the box and
        // the merits agree to 1e-8 relative (the stopping test squared the tolerance before,
        // and took 155 evaluations on a one-variable flowsheet).
        let f = |x: &[f64]| -> R { Ok(((x[0] - 3.0).powi(2) + 1.0, vec![])) };
        let r = minimize(f, &[(0.0, 10.0)], (&[], &[]), &MinimizeOptions::default()).unwrap();
        assert!((r.x[0] - 3.0).abs() < 1e-6, "{:?}", r.x);
        assert!(r.evaluations < 100, "{} evaluations", r.evaluations);
        assert!(simplex_converged(1e-9, 5e-9, 0.5, 1e-8) && !simplex_converged(1e-9, 5e-8, 2.0, 1e-8));
        assert!(simplex_converged(1e-9, 1.5e-8, 2.0, 1e-8) && !simplex_converged(2e-8, 0.0, 1.0, 1e-8));
    }

    #[test]
    fn a_closure_with_the_wrong_number_of_constraints_is_invalid_input() {
        let f = |x: &[f64]| -> R { Ok((x[0], vec![1.0, 2.0])) };
        let kinds = [ConstraintKind::Inequality];
        let e = minimize(f, &[(0.0, 1.0)], (&kinds, &[1.0]), &MinimizeOptions::default()).unwrap_err();
        assert!(matches!(&e, MinimizeError::Invalid(m) if m.contains("2 constraint values for 1")), "{e}");
    }
}
