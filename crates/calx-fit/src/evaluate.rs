//! The caller's model seen from the optimiser: weighted residuals and their Jacobian as
//! functions of the internal vector `z` of free parameters.
//!
//! Residuals are `r_i = sqrt(w_i) (y_i - f_i(x))`, so `S = |r|^2`. The Jacobian `J = dr/dz` is
//! taken by central finite differences, column `k` with the step
//!
//! - `h = fd_step * max(|z_k|, |z_k,start|)` for a linear parameter (relative to its current
//!   magnitude or, near zero, to its start; `fd_step` alone when both are zero),
//! - `h = fd_step` for a log parameter (`z = ln x`, so a relative change of `x` by `fd_step`),
//!
//! where `fd_step` is [`crate::FitOptions::fd_step`] (default `6.06e-6`, the cube root of the
//! machine epsilon, which balances the `h^2` truncation error of the central difference against
//! the `eps / h` rounding error). Near a bound the two points are clipped into the box and the
//! difference divided by their actual distance, so the model is never called outside the bounds.

use nalgebra::DMatrix;

use crate::{FitError, Problem};

/// The model with the problem's data, counting evaluations.
pub(crate) struct Evaluator<'a, F> {
    problem: &'a Problem,
    model: F,
    /// Indices of the free parameters in the problem.
    pub(crate) free: Vec<usize>,
    /// Internal lower bounds of the free parameters.
    pub(crate) lower: Vec<f64>,
    /// Internal upper bounds of the free parameters.
    pub(crate) upper: Vec<f64>,
    /// Internal start of the free parameters (the problem's own start), for step sizes.
    start: Vec<f64>,
    /// Full parameter vector, original units (fixed ones at their start).
    x: Vec<f64>,
    predictions: Vec<f64>,
    sqrt_w: Vec<f64>,
    /// Relative finite-difference step.
    fd_step: f64,
    /// Model evaluations so far.
    pub(crate) evaluations: usize,
}

impl<'a, F, E> Evaluator<'a, F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    pub(crate) fn new(problem: &'a Problem, model: F, fd_step: f64) -> Self {
        let free = problem.free();
        let bounds: Vec<(f64, f64)> = free.iter().map(|&i| problem.parameters[i].internal_bounds()).collect();
        let start = free.iter().map(|&i| problem.parameters[i].to_internal(problem.parameters[i].start)).collect();
        Evaluator {
            problem,
            model,
            lower: bounds.iter().map(|b| b.0).collect(),
            upper: bounds.iter().map(|b| b.1).collect(),
            free,
            start,
            x: problem.parameters.iter().map(|p| p.start).collect(),
            predictions: vec![0.0; problem.observations.len()],
            sqrt_w: problem.weights.iter().map(|w| w.sqrt()).collect(),
            fd_step,
            evaluations: 0,
        }
    }

    /// Number of observations (residuals).
    pub(crate) fn observations(&self) -> usize {
        self.problem.observations.len()
    }

    /// The internal start vector of the free parameters.
    pub(crate) fn start(&self) -> &[f64] {
        &self.start
    }

    /// The full parameter vector (original units) for internal `z`.
    pub(crate) fn original(&self, z: &[f64]) -> Vec<f64> {
        let mut x = self.x.clone();
        for (k, &i) in self.free.iter().enumerate() {
            x[i] = self.problem.parameters[i].to_original(z[k]);
        }
        x
    }

    /// Evaluates the model at internal `z`; the predictions are then in `self.predictions`.
    fn evaluate(&mut self, z: &[f64]) -> Result<(), FitError<E>> {
        for (k, &i) in self.free.iter().enumerate() {
            let p = &self.problem.parameters[i];
            // Round-off in exp/ln must not push a value across its bound.
            self.x[i] = p.to_original(z[k]).clamp(p.lower, p.upper);
        }
        self.evaluations += 1;
        let m = self.problem.observations.len();
        if self.predictions.len() != m {
            self.predictions.resize(m, 0.0);
        }
        (self.model)(&self.x, &mut self.predictions)
            .map_err(|source| FitError::Model { parameters: self.x.clone(), source })?;
        if self.predictions.len() != m {
            return Err(FitError::LengthMismatch { what: "predictions", expected: m, found: self.predictions.len() });
        }
        if let Some(index) = self.predictions.iter().position(|v| !v.is_finite()) {
            let value = self.predictions[index];
            return Err(FitError::NonFinite { index, value, parameters: self.x.clone() });
        }
        Ok(())
    }

    /// Weighted residuals at `z` into `r`.
    pub(crate) fn residuals(&mut self, z: &[f64], r: &mut [f64]) -> Result<(), FitError<E>> {
        self.evaluate(z)?;
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = self.sqrt_w[i] * (self.problem.observations[i] - self.predictions[i]);
        }
        Ok(())
    }

    /// Unweighted predictions at `z`.
    pub(crate) fn predictions(&mut self, z: &[f64]) -> Result<Vec<f64>, FitError<E>> {
        self.evaluate(z)?;
        Ok(self.predictions.clone())
    }

    /// The finite-difference step of free parameter `k` at internal value `zk`.
    fn step(&self, k: usize, zk: f64) -> f64 {
        match self.problem.parameters[self.free[k]].transform {
            crate::Transform::Log => self.fd_step,
            crate::Transform::Linear => {
                let scale = zk.abs().max(self.start[k].abs());
                if scale > 0.0 { self.fd_step * scale } else { self.fd_step }
            }
        }
    }

    /// Jacobian `dr/dz` at `z` into `j` (m x p), by clipped central differences.
    pub(crate) fn jacobian(&mut self, z: &[f64], j: &mut DMatrix<f64>) -> Result<(), FitError<E>> {
        let m = self.problem.observations.len();
        let mut zt = z.to_vec();
        let mut r_minus = vec![0.0; m];
        let mut r_plus = vec![0.0; m];
        for k in 0..z.len() {
            let h = self.step(k, z[k]);
            let lo = (z[k] - h).max(self.lower[k]);
            let hi = (z[k] + h).min(self.upper[k]);
            zt[k] = lo;
            self.residuals(&zt, &mut r_minus)?;
            zt[k] = hi;
            self.residuals(&zt, &mut r_plus)?;
            zt[k] = z[k];
            let width = hi - lo;
            for i in 0..m {
                j[(i, k)] = if width > 0.0 { (r_plus[i] - r_minus[i]) / width } else { 0.0 };
            }
        }
        Ok(())
    }
}
