//! Bounded Levenberg–Marquardt on the internal vector `z` of free parameters.
//!
//! Each iteration solves `(J^T J + mu D) dz = -J^T r` by Cholesky, with `D` the diagonal of
//! `J^T J`, kept at its largest value so far (Moré 1978, "The Levenberg-Marquardt algorithm:
//! implementation and theory": scaling invariant to the units of each parameter), and updates
//! the damping `mu` after Nielsen (1999, "Damping parameter in Marquardt's method", IMM
//! DTU): after a step with gain ratio `rho > 0` it is multiplied by
//! `max(1/3, 1 - (2 rho - 1)^3)`, after a rejected step by `nu` (2, doubling on each rejection
//! in a row).
//!
//! Bounds are a box in `z`: a trial point is projected onto it, and a parameter at a bound whose
//! gradient points outwards is held there (left out of the linear system) for that iteration, so
//! the projection does not stall the others. A trial point where the model returns NaN is
//! rejected like a step that increases the cost (the damping grows and the step shrinks).

use nalgebra::{DMatrix, DVector};

use crate::evaluate::Evaluator;
use crate::{FitError, FitOptions};

/// Why the optimiser stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// Both the actual and the predicted relative reduction of the cost of the last step were
    /// at most [`FitOptions::cost_tol`].
    CostReduction,
    /// The last step was at most [`FitOptions::step_tol`] relative to the (scaled) parameters.
    StepSize,
    /// The projected gradient was at most [`FitOptions::gradient_tol`] (as a cosine between the
    /// residual vector and each Jacobian column, as in MINPACK).
    Gradient,
    /// The residuals are exactly zero.
    ZeroResidual,
    /// [`FitOptions::max_iterations`] iterations without meeting a tolerance.
    MaxIterations,
    /// No step reduced the cost even with the damping at its ceiling (`1e32`): the point is
    /// a minimum as far as `f64` can tell, or the model is too noisy for the finite differences.
    Stalled,
}

impl Termination {
    /// Whether this counts as convergence ([`Termination::MaxIterations`] and
    /// [`Termination::Stalled`] do not).
    pub fn converged(self) -> bool {
        !matches!(self, Termination::MaxIterations | Termination::Stalled)
    }
}

/// Result of one local minimisation.
#[derive(Clone, Debug)]
pub(crate) struct LocalMinimum {
    pub(crate) z: Vec<f64>,
    pub(crate) cost: f64,
    pub(crate) iterations: usize,
    pub(crate) termination: Termination,
}

/// State of one iteration: cost, gradient and Gauss-Newton matrix at `z`.
struct Linearisation {
    a: DMatrix<f64>,
    g: DVector<f64>,
}

/// Minimises `|r(z)|^2` from `z0` (inside the box).
pub(crate) fn minimise<F, E>(
    eval: &mut Evaluator<'_, F>,
    z0: &[f64],
    options: &FitOptions,
) -> Result<LocalMinimum, FitError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let p = z0.len();
    let m = eval.observations();
    let mut z = z0.to_vec();
    let mut r = vec![0.0; m];
    eval.residuals(&z, &mut r)?;
    let mut cost = sum_sq(&r);
    let mut jac = DMatrix::zeros(m, p);
    let mut diag = vec![0.0f64; p];
    let mut mu = options.initial_damping;
    let mut r_trial = vec![0.0; m];
    for iteration in 0..options.max_iterations {
        if cost == 0.0 {
            return Ok(LocalMinimum { z, cost, iterations: iteration, termination: Termination::ZeroResidual });
        }
        eval.jacobian(&z, &mut jac)?;
        let lin = Linearisation { a: jac.tr_mul(&jac), g: jac.tr_mul(&DVector::from_column_slice(&r)) };
        for (k, d) in diag.iter_mut().enumerate() {
            *d = d.max(lin.a[(k, k)]);
        }
        let active = active_set(&z, &lin.g, &eval.lower, &eval.upper);
        if gradient_converged(&lin, &active, cost, options.gradient_tol) {
            return Ok(LocalMinimum { z, cost, iterations: iteration, termination: Termination::Gradient });
        }
        let mut nu = 2.0;
        loop {
            let Some(dz) = solve_damped(&lin, &diag, &active, mu) else {
                mu *= nu;
                nu *= 2.0;
                if mu > 1e32 {
                    return Ok(LocalMinimum { z, cost, iterations: iteration, termination: Termination::Stalled });
                }
                continue;
            };
            let z_trial: Vec<f64> = (0..p).map(|k| (z[k] + dz[k]).clamp(eval.lower[k], eval.upper[k])).collect();
            let step = DVector::from_iterator(p, (0..p).map(|k| z_trial[k] - z[k]));
            // |r + J step|^2 - |r|^2 = 2 g.step + step' A step
            let predicted = -(2.0 * lin.g.dot(&step) + step.dot(&(&lin.a * &step)));
            let scaled_step = (0..p).map(|k| (diag[k].sqrt() * step[k]).powi(2)).sum::<f64>().sqrt();
            let scaled_z = (0..p).map(|k| (diag[k].sqrt() * z[k]).powi(2)).sum::<f64>().sqrt();
            let small_step = scaled_step <= options.step_tol * (scaled_z + options.step_tol);
            let trial_cost = match eval.residuals(&z_trial, &mut r_trial) {
                Ok(()) => sum_sq(&r_trial),
                Err(FitError::NonFinite { .. }) => f64::INFINITY,
                Err(e) => return Err(e),
            };
            let rho = if predicted > 0.0 { (cost - trial_cost) / predicted } else { -1.0 };
            if rho > 1e-4 {
                mu *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                let actual = cost - trial_cost;
                z = z_trial;
                std::mem::swap(&mut r, &mut r_trial);
                let old_cost = cost;
                cost = trial_cost;
                let done = if actual <= options.cost_tol * old_cost && predicted <= options.cost_tol * old_cost {
                    Some(Termination::CostReduction)
                } else if small_step {
                    Some(Termination::StepSize)
                } else {
                    None
                };
                if let Some(termination) = done {
                    return Ok(LocalMinimum { z, cost, iterations: iteration + 1, termination });
                }
                break;
            }
            if small_step {
                return Ok(LocalMinimum { z, cost, iterations: iteration + 1, termination: Termination::StepSize });
            }
            mu *= nu;
            nu *= 2.0;
            if mu > 1e32 {
                return Ok(LocalMinimum { z, cost, iterations: iteration + 1, termination: Termination::Stalled });
            }
        }
    }
    Ok(LocalMinimum { z, cost, iterations: options.max_iterations, termination: Termination::MaxIterations })
}

fn sum_sq(r: &[f64]) -> f64 {
    r.iter().map(|v| v * v).sum()
}

/// Parameters at a bound whose descent direction (`-g`) points out of the box.
fn active_set(z: &[f64], g: &DVector<f64>, lower: &[f64], upper: &[f64]) -> Vec<bool> {
    (0..z.len()).map(|k| (z[k] <= lower[k] && g[k] > 0.0) || (z[k] >= upper[k] && g[k] < 0.0)).collect()
}

/// MINPACK's gradient test on the free (inactive) parameters: `max_k |J_k . r| / (|J_k| |r|)`.
fn gradient_converged(lin: &Linearisation, active: &[bool], cost: f64, tol: f64) -> bool {
    let norm_r = cost.sqrt();
    (0..active.len()).filter(|&k| !active[k]).all(|k| {
        let norm_col = lin.a[(k, k)].sqrt();
        norm_col == 0.0 || lin.g[k].abs() / (norm_col * norm_r) <= tol
    })
}

/// Solves `(A + mu D) dz = -g` on the inactive parameters (active ones get `dz = 0`); `None`
/// when the matrix is not numerically positive definite.
fn solve_damped(lin: &Linearisation, diag: &[f64], active: &[bool], mu: f64) -> Option<DVector<f64>> {
    let idx: Vec<usize> = (0..active.len()).filter(|&k| !active[k]).collect();
    let q = idx.len();
    let mut dz = DVector::zeros(active.len());
    if q == 0 {
        return Some(dz);
    }
    let mut m = DMatrix::from_fn(q, q, |a, b| lin.a[(idx[a], idx[b])]);
    for a in 0..q {
        // A parameter with no influence at all still gets a (tiny) diagonal, so the system is
        // solvable and its step is zero.
        m[(a, a)] += mu * diag[idx[a]].max(f64::MIN_POSITIVE);
    }
    let rhs = DVector::from_fn(q, |a, _| -lin.g[idx[a]]);
    let sol = m.cholesky()?.solve(&rhs);
    if sol.iter().any(|v| !v.is_finite()) {
        return None;
    }
    for (a, &k) in idx.iter().enumerate() {
        dz[k] = sol[a];
    }
    Some(dz)
}
