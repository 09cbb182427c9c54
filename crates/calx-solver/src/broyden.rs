//! Broyden's "good" method on `F(x) = g(x) - x = 0`, with an inverse-Jacobian estimate `H`.
//!
//! The step is `dx = -H F`. `H` starts as `-I`, which makes the first step direct substitution,
//! and after each step `(dx, dF)` gets the rank-one update that satisfies the secant condition
//! `H dF = dx` while changing `H` least along `H^T dx` (Broyden 1965, "good" inverse form):
//!
//! `H <- H + (dx - H dF) (dx^T H) / (dx^T H dF)`.
//!
//! Safeguards, because flowsheet maps are piecewise linear (splitters, phase changes) and a
//! stale `H` after a kink can throw the next step far off:
//! * a tiny or non-finite update denominator resets `H` to `-I`;
//! * a step with a non-finite component resets `H` and substitutes instead;
//! * a quasi-Newton step that multiplies the residual norm by more than [`GROWTH_LIMIT`] resets
//!   `H`, so the next step is direct substitution from the new point. For a contracting loop
//!   this guarantees progress, whatever the estimate did.
//!
//! The update's inner products mix variables, so they are taken in scaled variables
//! `y_i = x_i / w_i` with `w_i = abs_tol + rel_tol max(|x_i|, |g_i|)` from the first evaluation:
//! a pressure in Pa would otherwise outweigh every flow in kg/s. The scales stay fixed so that
//! `H` keeps one meaning for the whole solve.

use nalgebra::{DMatrix, DVector};

/// Residual growth (2-norm, scaled) after a quasi-Newton step beyond which `H` is discarded.
/// Broyden's residuals are not monotone even on linear problems, and a reset throws away what
/// `H` has learnt: on saturating, piecewise-linear test loops a limit of 1.2 cost 75 % more
/// iterations than none, 10 cost 2 %. So this only catches steps that went clearly wrong.
pub(crate) const GROWTH_LIMIT: f64 = 10.0;

/// Relative size below which the update denominator `dy^T H dF` is treated as zero.
const DENOMINATOR_EPS: f64 = 1e-12;

/// Broyden state. Every vector is allocated once, so a step does not allocate.
pub(crate) struct Broyden {
    /// Inverse Jacobian estimate of the scaled residual map.
    h: DMatrix<f64>,
    /// Variable scales `w`.
    w: DVector<f64>,
    /// Scaled residual at the current point.
    f: DVector<f64>,
    /// Scaled point and residual of the previous step (valid when `have_prev`).
    y_prev: DVector<f64>,
    f_prev: DVector<f64>,
    /// Scratch: step differences, products with `H`, the step itself.
    dy: DVector<f64>,
    df: DVector<f64>,
    h_df: DVector<f64>,
    ht_dy: DVector<f64>,
    step: DVector<f64>,
    have_prev: bool,
    /// Whether `H` is `-I` (at the start and after a reset).
    h_is_identity: bool,
    /// Whether the previous step used `H` (and so may be blamed for a residual increase).
    prev_was_newton: bool,
    delay: usize,
    abs_tol: f64,
    rel_tol: f64,
}

impl Broyden {
    /// Tolerances are those of the convergence test (validated by the caller).
    pub(crate) fn new(n: usize, delay: usize, abs_tol: f64, rel_tol: f64) -> Broyden {
        let zeros = || DVector::zeros(n);
        Broyden {
            h: -DMatrix::identity(n, n),
            w: zeros(),
            f: zeros(),
            y_prev: zeros(),
            f_prev: zeros(),
            dy: zeros(),
            df: zeros(),
            h_df: zeros(),
            ht_dy: zeros(),
            step: zeros(),
            have_prev: false,
            h_is_identity: true,
            prev_was_newton: false,
            delay,
            abs_tol,
            rel_tol,
        }
    }

    /// Replaces `x` by the next point. Step `iteration` is direct substitution while
    /// `iteration < delay` (the secant pairs still update `H`).
    pub(crate) fn step(&mut self, iteration: usize, x: &mut [f64], gx: &[f64]) {
        if !self.have_prev {
            for (wi, (&xi, &gi)) in self.w.iter_mut().zip(x.iter().zip(gx)) {
                *wi = self.abs_tol + self.rel_tol * xi.abs().max(gi.abs());
            }
        }
        for (i, fi) in self.f.iter_mut().enumerate() {
            *fi = (gx[i] - x[i]) / self.w[i];
        }
        if self.have_prev {
            // Written so that a NaN norm (overflowed residuals) counts as growth.
            let contained = self.f.norm() <= GROWTH_LIMIT * self.f_prev.norm();
            if self.prev_was_newton && !contained {
                tracing::trace!(iteration, "Broyden step increased the residual; resetting");
                self.reset();
            } else {
                self.update(x);
            }
        }

        // While `H` is still `-I` its step is substitution anyway; take that exactly.
        let mut newton = iteration >= self.delay && !self.h_is_identity;
        if newton {
            // step = -H f
            self.step.gemv(-1.0, &self.h, &self.f, 0.0);
            let finite =
                x.iter().zip(self.w.iter().zip(self.step.iter())).all(|(&xi, (&wi, &si))| (xi + wi * si).is_finite());
            if !finite {
                tracing::trace!(iteration, "non-finite Broyden step; resetting");
                self.reset();
                newton = false;
            }
        }

        for (i, xi) in x.iter_mut().enumerate() {
            self.y_prev[i] = *xi / self.w[i];
            self.f_prev[i] = self.f[i];
            // A substitution step is taken as `gx` itself, not `x + w f`, to keep its round-off
            // identical to direct substitution.
            *xi = if newton { *xi + self.w[i] * self.step[i] } else { gx[i] };
        }
        self.have_prev = true;
        self.prev_was_newton = newton;
    }

    /// Good-Broyden update of `H` with the step from the previous point to `x`.
    fn update(&mut self, x: &[f64]) {
        for (i, &xi) in x.iter().enumerate() {
            self.dy[i] = xi / self.w[i] - self.y_prev[i];
            self.df[i] = self.f[i] - self.f_prev[i];
        }
        // H dF and H^T dy in one pass over the (column-major) matrix: for n in the hundreds the
        // matrix passes are the whole cost of a step.
        self.h_df.fill(0.0);
        for (j, column) in self.h.column_iter().enumerate() {
            self.h_df.axpy(self.df[j], &column, 1.0);
            self.ht_dy[j] = column.dot(&self.dy);
        }
        let denom = self.dy.dot(&self.h_df);
        let size = self.dy.norm() * self.h_df.norm();
        if !(denom.is_finite() && denom.abs() > DENOMINATOR_EPS * size) {
            self.reset();
            return;
        }
        // h_df <- dy - H dF, then H += h_df (H^T dy)^T / denom. A NaN or infinity this might
        // create shows up in the next step, which is checked.
        self.h_df.axpy(1.0, &self.dy, -1.0);
        self.h.ger(1.0 / denom, &self.h_df, &self.ht_dy, 1.0);
        self.h_is_identity = false;
    }

    fn reset(&mut self) {
        self.h.fill(0.0);
        self.h.fill_diagonal(-1.0);
        self.h_is_identity = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(n: usize, delay: usize) -> Broyden {
        Broyden::new(n, delay, 1e-10, 1e-10)
    }

    #[test]
    fn first_step_is_substitution_and_the_update_meets_the_secant_condition() {
        let mut b = new(3, 0);
        let mut x = [1.0, 2.0, 3.0];
        let g0 = [2.0, 1.0, 3.5];
        b.step(0, &mut x, &g0);
        assert_eq!(x, g0);
        let g1 = [2.5, 0.5, 3.0];
        b.step(1, &mut x, &g1);
        assert!(!b.h_is_identity);
        // H dF = dy, in scaled variables, for the pair just used.
        let h_df = &b.h * &b.df;
        for i in 0..3 {
            assert!((h_df[i] - b.dy[i]).abs() <= 1e-9 * b.dy.norm(), "{h_df} vs {}", b.dy);
        }
        // and a quasi-Newton step was taken, not substitution
        assert_ne!(x, g1);
    }

    #[test]
    fn residual_blow_up_after_a_newton_step_resets_to_substitution() {
        let mut b = new(2, 0);
        let mut x = [0.0, 0.0];
        b.step(0, &mut x, &[1.0, 1.0]);
        b.step(1, &mut x, &[1.5, 1.2]);
        assert!(b.prev_was_newton);
        // The new residual is 1000 times the previous one.
        let far = [x[0] + 1000.0, x[1] - 1000.0];
        b.step(2, &mut x, &far);
        assert!(b.h_is_identity && !b.prev_was_newton);
        assert_eq!(x, far);
    }

    #[test]
    fn zero_step_denominator_resets() {
        let mut b = new(2, 0);
        let mut x = [1.0, 2.0];
        b.step(0, &mut x, &[3.0, 4.0]);
        b.step(1, &mut x, &[3.5, 4.5]);
        assert!(!b.h_is_identity);
        // Evaluating the same point again (dy = 0) gives no secant information.
        let mut same = [1.0, 2.0];
        b.y_prev.copy_from_slice(&[same[0] / b.w[0], same[1] / b.w[1]]);
        b.step(2, &mut same, &[5.0, 6.0]);
        assert!(b.h_is_identity);
        assert_eq!(same, [5.0, 6.0]);
    }

    #[test]
    fn overflowing_step_falls_back_to_substitution() {
        let mut b = new(1, 0);
        b.h[(0, 0)] = -1e308;
        b.h_is_identity = false;
        let mut x = [0.0];
        b.step(0, &mut x, &[1.0]);
        assert_eq!(x, [1.0]);
        assert!(b.h_is_identity);
    }
}
