//! Bounded quasi-Newton for square systems `r(x) = 0` with `lo <= x <= hi`: several design
//! specifications solved together.
//!
//! The variables are scaled to the unit box (`z = (x - lo) / (hi - lo)`) and every residual
//! by the caller's scale (a design specification's target magnitude), so no variable or
//! residual outweighs another by its unit. The Jacobian is a forward finite difference at the
//! start (`n` evaluations, each step `fd_step` of the box, taken towards the inside), and
//! after each step gets Broyden's rank-one update (the "good" form on `J`, not its inverse:
//! `n` is the number of specifications, a handful, so a dense solve per step costs nothing
//! next to one flowsheet solve). Each step solves `J dz = -r`, is projected onto the box and
//! shortened by halving until the scaled residual norm decreases (Armijo's condition with
//! `1e-4`). When the updated `J` gives no acceptable step, or is singular, it is replaced by a
//! fresh finite-difference one once; a fresh `J` that is singular is
//! [`SystemError::Singular`] (a residual that depends on no variable, or two that move
//! together), one that gives no descent is [`SystemError::Stuck`] (usually a bound in the way).
//!
//! Converged when `|r_i| <= tol_i` for every `i` with the caller's own tolerances, tested
//! right after each evaluation of a new point, so on success the last evaluation of `r` was at
//! the returned `x` and state the caller computed inside `r` belongs to it.

use nalgebra::{DMatrix, DVector};
use thiserror::Error;

/// Options of [`solve_system`].
#[derive(Clone, Debug, PartialEq)]
pub struct SystemOptions {
    /// Most accepted steps. Default `50`: a quasi-Newton method converges superlinearly near a
    /// root, so a smooth system of a few design specifications needs under ten; more means it
    /// is not converging, and the caller can fall back to another method.
    pub max_iterations: usize,
    /// Finite-difference step as a fraction of each variable's bound width. Default `1e-6`:
    /// a flowsheet's results carry the recycle tolerance (~1e-10 relative) as noise, which
    /// this step turns into a Jacobian error of ~1e-4 — harmless for a quasi-Newton step —
    /// while the truncation error of a step a millionth of the box is as small.
    pub fd_step: f64,
    /// Most halvings of a step in the line search. Default `12` (down to 1/4096 of the step).
    pub max_backtracks: usize,
    /// Reciprocal condition number (smallest over largest singular value of the scaled
    /// Jacobian) below which it is treated as singular. Default `1e-10`: well above round-off,
    /// well below any pair of specifications that are merely strongly coupled.
    pub min_rcond: f64,
}

impl Default for SystemOptions {
    fn default() -> Self {
        SystemOptions { max_iterations: 50, fd_step: 1e-6, max_backtracks: 12, min_rcond: 1e-10 }
    }
}

/// A solution found by [`solve_system`].
#[derive(Clone, Debug, PartialEq)]
pub struct SystemReport {
    /// The solution: the last point evaluated.
    pub x: Vec<f64>,
    /// `r(x)`, unscaled.
    pub residuals: Vec<f64>,
    /// Accepted steps.
    pub iterations: usize,
    /// Evaluations of `r` in all (finite differences and rejected trial points included).
    pub evaluations: usize,
    /// Finite-difference Jacobians taken.
    pub jacobians: usize,
}

/// Why [`solve_system`] gave no solution. Every variant after the input check carries the
/// accepted steps taken before it (`iterations`) and, where a point was reached, the best
/// point and its unscaled residuals.
#[derive(Debug, Error)]
pub enum SystemError<E> {
    /// The problem is malformed: no variables, lengths that differ, bounds that are not a
    /// finite interval, a start that is not finite, a tolerance or scale that is not positive.
    #[error("invalid solver input: {0}")]
    InvalidInput(String),
    /// The closure failed.
    #[error("evaluation failed after {iterations} iterations: {source}")]
    Evaluation {
        /// Accepted steps before the failing evaluation.
        iterations: usize,
        /// The point it was asked for.
        x: Vec<f64>,
        /// The caller's error.
        #[source]
        source: E,
    },
    /// The closure returned NaN or an infinity.
    #[error("residual {index} is not finite after {iterations} iterations at {x:?}")]
    NonFinite {
        /// Accepted steps before the evaluation.
        iterations: usize,
        /// The offending residual.
        index: usize,
        /// The point.
        x: Vec<f64>,
    },
    /// A freshly differenced Jacobian is singular: some residual does not depend on the
    /// variables, or two residuals move together.
    #[error(
        "the Jacobian is singular (reciprocal condition {rcond:.1e}) after {iterations} iterations at {x:?}, residuals {residuals:?}"
    )]
    Singular {
        /// Accepted steps.
        iterations: usize,
        /// Its reciprocal condition number.
        rcond: f64,
        /// The point.
        x: Vec<f64>,
        /// The residuals there.
        residuals: Vec<f64>,
    },
    /// No step along a fresh Newton direction, projected onto the bounds, lowers the
    /// residual: the root lies beyond a bound, or the function is not smooth there.
    #[error(
        "no step lowers the residuals after {iterations} iterations at {x:?} (variables at a bound: {at_bounds:?}), residuals {residuals:?}"
    )]
    Stuck {
        /// Accepted steps.
        iterations: usize,
        /// The point.
        x: Vec<f64>,
        /// The residuals there.
        residuals: Vec<f64>,
        /// Indices of the variables at one of their bounds.
        at_bounds: Vec<usize>,
    },
    /// `max_iterations` steps were accepted without meeting the tolerances.
    #[error("did not converge in {iterations} iterations: at {x:?} the residuals are {residuals:?}")]
    NotConverged {
        /// Accepted steps.
        iterations: usize,
        /// The last point.
        x: Vec<f64>,
        /// The residuals there.
        residuals: Vec<f64>,
    },
}

/// Solves `r(x) = 0` over the box `bounds` from the start `x` (projected onto the box), with
/// `r` written into its second argument. `scales` are the residuals' magnitudes (positive),
/// `tolerances` the largest `|r_i|` accepted (positive). On success `x` holds the solution.
///
/// # Errors
/// See [`SystemError`]; on every error after the input check `x` holds the best point found.
pub fn solve_system<E, F>(
    f: F,
    x: &mut [f64],
    bounds: &[(f64, f64)],
    (scales, tolerances): (&[f64], &[f64]),
    options: &SystemOptions,
) -> Result<SystemReport, SystemError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    check(x, bounds, scales, tolerances, options)?;
    let mut s = System { f, bounds, scales, buffer: vec![0.0; x.len()], iterations: 0, evaluations: 0, jacobians: 0 };
    let z0: DVector<f64> =
        DVector::from_iterator(x.len(), x.iter().zip(bounds).map(|(x, (lo, hi))| (x - lo) / (hi - lo)))
            .map(|z| z.clamp(0.0, 1.0));
    let outcome = s.run(z0, tolerances, options);
    let (z, result) = match outcome {
        Ok((z, r)) => (z, Ok(r)),
        Err((z, e)) => (z, Err(e)),
    };
    for (xi, v) in x.iter_mut().zip(s.unscale(&z)) {
        *xi = v;
    }
    let residuals = result?;
    tracing::debug!(iterations = s.iterations, evaluations = s.evaluations, "system solved");
    Ok(SystemReport {
        x: x.to_vec(),
        residuals,
        iterations: s.iterations,
        evaluations: s.evaluations,
        jacobians: s.jacobians,
    })
}

fn check<E>(
    x: &[f64],
    bounds: &[(f64, f64)],
    scales: &[f64],
    tolerances: &[f64],
    o: &SystemOptions,
) -> Result<(), SystemError<E>> {
    let n = x.len();
    let positive = |v: &[f64]| v.iter().all(|s| s.is_finite() && *s > 0.0);
    let problem = if n == 0 {
        Some("there are no variables".to_string())
    } else if bounds.len() != n || scales.len() != n || tolerances.len() != n {
        Some(format!(
            "{n} variables, but {} bounds, {} scales and {} tolerances",
            bounds.len(),
            scales.len(),
            tolerances.len()
        ))
    } else if let Some((lo, hi)) = bounds.iter().find(|(lo, hi)| !(lo.is_finite() && hi.is_finite() && lo < hi)) {
        Some(format!("the bounds [{lo}, {hi}] are not a finite interval with lower below upper"))
    } else if x.iter().any(|x| !x.is_finite()) {
        Some(format!("the start {x:?} is not finite"))
    } else if !positive(scales) || !positive(tolerances) {
        Some("every scale and tolerance must be positive and finite".to_string())
    } else if !(o.fd_step > 0.0 && o.fd_step < 0.5 && o.min_rcond.is_finite() && o.min_rcond >= 0.0) {
        Some(format!("fd_step must be in (0, 0.5) and min_rcond non-negative, got {} and {}", o.fd_step, o.min_rcond))
    } else {
        None
    };
    problem.map_or(Ok(()), |p| Err(SystemError::InvalidInput(p)))
}

/// The closure and the counters; variables scaled to the unit box, residuals by `scales`.
struct System<'a, F> {
    f: F,
    bounds: &'a [(f64, f64)],
    scales: &'a [f64],
    buffer: Vec<f64>,
    iterations: usize,
    evaluations: usize,
    jacobians: usize,
}

/// An accepted point and its scaled residuals.
type Accepted = (DVector<f64>, DVector<f64>);

/// A failure with the point it leaves the caller at.
type Failed<E> = (DVector<f64>, SystemError<E>);

impl<E, F> System<'_, F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    fn unscale(&self, z: &DVector<f64>) -> Vec<f64> {
        z.iter().zip(self.bounds).map(|(z, (lo, hi))| lo + z.clamp(0.0, 1.0) * (hi - lo)).collect()
    }

    /// The scaled residuals at `z`.
    fn eval(&mut self, z: &DVector<f64>) -> Result<DVector<f64>, SystemError<E>> {
        let x = self.unscale(z);
        self.evaluations += 1;
        let iterations = self.iterations;
        (self.f)(&x, &mut self.buffer).map_err(|source| SystemError::Evaluation {
            iterations,
            x: x.clone(),
            source,
        })?;
        if let Some(index) = self.buffer.iter().position(|r| !r.is_finite()) {
            return Err(SystemError::NonFinite { iterations, index, x });
        }
        tracing::trace!(iterations, ?x, residuals = ?self.buffer, "system evaluation");
        Ok(DVector::from_iterator(self.buffer.len(), self.buffer.iter().zip(self.scales).map(|(r, s)| r / s)))
    }

    /// Forward differences at `z` (where the scaled residuals are `r`), each step towards
    /// the inside of the box.
    fn jacobian(&mut self, z: &DVector<f64>, r: &DVector<f64>, h: f64) -> Result<DMatrix<f64>, SystemError<E>> {
        self.jacobians += 1;
        let n = z.len();
        let mut j = DMatrix::zeros(n, n);
        for k in 0..n {
            let step = if z[k] + h <= 1.0 { h } else { -h };
            let mut zk = z.clone();
            zk[k] += step;
            let rk = self.eval(&zk)?;
            j.set_column(k, &((rk - r) / step));
        }
        Ok(j)
    }

    fn unscaled(&self, r: &DVector<f64>) -> Vec<f64> {
        r.iter().zip(self.scales).map(|(r, s)| r * s).collect()
    }

    fn converged(&self, r: &DVector<f64>, tolerances: &[f64]) -> bool {
        r.iter().zip(self.scales).zip(tolerances).all(|((r, s), t)| (r * s).abs() <= *t)
    }

    /// The iteration itself: `Ok` with the unscaled residuals at the solution, which is the
    /// last point evaluated.
    fn run(
        &mut self,
        mut z: DVector<f64>,
        tolerances: &[f64],
        o: &SystemOptions,
    ) -> Result<(DVector<f64>, Vec<f64>), Failed<E>> {
        let mut r = self.eval(&z).map_err(|e| (z.clone(), e))?;
        if self.converged(&r, tolerances) {
            return Ok((z, self.unscaled(&r)));
        }
        let mut j = self.jacobian(&z, &r, o.fd_step).map_err(|e| (z.clone(), e))?;
        let mut fresh = true;
        loop {
            if self.iterations >= o.max_iterations {
                let e = SystemError::NotConverged {
                    iterations: self.iterations,
                    x: self.unscale(&z),
                    residuals: self.unscaled(&r),
                };
                return Err((z, e));
            }
            let step = match newton_step(&j, &r, o.min_rcond) {
                Ok(step) => Some(step),
                Err(_) if !fresh => None,
                Err(rcond) => {
                    let e = SystemError::Singular {
                        iterations: self.iterations,
                        rcond,
                        x: self.unscale(&z),
                        residuals: self.unscaled(&r),
                    };
                    return Err((z, e));
                }
            };
            let accepted = match step {
                Some(dz) => self.line_search(&z, &r, &dz, o.max_backtracks).map_err(|e| (z.clone(), e))?,
                None => None,
            };
            let Some((z_new, r_new)) = accepted else {
                if fresh {
                    let at_bounds = (0..z.len()).filter(|&k| z[k] <= 0.0 || z[k] >= 1.0).collect();
                    let e = SystemError::Stuck {
                        iterations: self.iterations,
                        x: self.unscale(&z),
                        residuals: self.unscaled(&r),
                        at_bounds,
                    };
                    return Err((z, e));
                }
                // The updated Jacobian misled the step: difference afresh where we are.
                tracing::debug!(iterations = self.iterations, "fresh Jacobian");
                j = self.jacobian(&z, &r, o.fd_step).map_err(|e| (z.clone(), e))?;
                fresh = true;
                continue;
            };
            self.iterations += 1;
            if self.converged(&r_new, tolerances) {
                return Ok((z_new, self.unscaled(&r_new)));
            }
            broyden_update(&mut j, &(&z_new - &z), &(&r_new - &r));
            fresh = false;
            z = z_new;
            r = r_new;
        }
    }

    /// The projected step `z + t dz` with the largest `t` of 1, 1/2, 1/4, ... that lowers the
    /// residual norm by Armijo's condition; `None` when none does.
    fn line_search(
        &mut self,
        z: &DVector<f64>,
        r: &DVector<f64>,
        dz: &DVector<f64>,
        max_backtracks: usize,
    ) -> Result<Option<Accepted>, SystemError<E>> {
        let norm = r.norm();
        let mut t = 1.0;
        for _ in 0..=max_backtracks {
            let trial = (z + dz * t).map(|v| v.clamp(0.0, 1.0));
            if trial == *z {
                return Ok(None);
            }
            let r_trial = self.eval(&trial)?;
            if r_trial.norm() <= (1.0 - 1e-4 * t) * norm {
                return Ok(Some((trial, r_trial)));
            }
            t *= 0.5;
        }
        Ok(None)
    }
}

/// The Newton step `-J^{-1} r`, or the reciprocal condition number when `J` is too close to
/// singular for one.
fn newton_step(j: &DMatrix<f64>, r: &DVector<f64>, min_rcond: f64) -> Result<DVector<f64>, f64> {
    let singular = j.singular_values();
    let largest = singular.max();
    let rcond = if largest > 0.0 { singular.min() / largest } else { 0.0 };
    // Written so that NaN counts as singular.
    if rcond.is_nan() || rcond <= min_rcond {
        return Err(rcond);
    }
    match j.clone().lu().solve(&(-r)) {
        Some(dz) if dz.iter().all(|v| v.is_finite()) => Ok(dz),
        _ => Err(rcond),
    }
}

/// Broyden's "good" update: `J <- J + (dr - J dz) dz^T / (dz^T dz)`, skipped for a step too
/// small to say anything.
fn broyden_update(j: &mut DMatrix<f64>, dz: &DVector<f64>, dr: &DVector<f64>) {
    let denominator = dz.norm_squared();
    if denominator.is_nan() || denominator <= 1e-30 {
        return;
    }
    let correction = (dr - &*j * dz) * dz.transpose() / denominator;
    *j += correction;
}

#[cfg(test)]
mod tests;
