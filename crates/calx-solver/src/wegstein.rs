//! Bounded Wegstein acceleration: a secant step per variable, with the factor clamped.
//!
//! For each variable the slope `s = (g_k - g_{k-1}) / (x_k - x_{k-1})` of its own map is
//! estimated from the last two evaluations, and the fixed point of that secant line is
//! `x_new = q x + (1 - q) g` with `q = s / (s - 1)`. Treating variables independently ignores
//! coupling, which is why `q` is clamped (Aspen-style `[-5, 0]`): extrapolation is limited where
//! the slope is noisy, and never becomes damping below direct substitution.

/// Wegstein state: the previous evaluation's input and output.
pub(crate) struct Wegstein {
    prev_x: Vec<f64>,
    prev_g: Vec<f64>,
    q_min: f64,
    q_max: f64,
    delay: usize,
}

impl Wegstein {
    /// Bounds must be finite with `q_min <= q_max` (checked by the caller).
    /// The state of `n` variables (both vectors zeros), written over `(prev_x, prev_g)`.
    pub(crate) fn with_vectors(
        (mut prev_x, mut prev_g): (Vec<f64>, Vec<f64>),
        n: usize,
        (q_min, q_max): (f64, f64),
        delay: usize,
    ) -> Wegstein {
        for v in [&mut prev_x, &mut prev_g] {
            v.clear();
            v.resize(n, 0.0);
        }
        Wegstein { prev_x, prev_g, q_min, q_max, delay }
    }

    /// Its state's vectors, for the next solve to write over.
    pub(crate) fn into_vectors(self) -> (Vec<f64>, Vec<f64>) {
        (self.prev_x, self.prev_g)
    }

    /// Replaces `x` by the next point. Step `iteration` is direct substitution while
    /// `iteration < delay`, and always for step 0, which has no previous point for a slope.
    pub(crate) fn step(&mut self, iteration: usize, x: &mut [f64], gx: &[f64]) {
        let accelerate = iteration > 0 && iteration >= self.delay;
        for (i, (xi, &gi)) in x.iter_mut().zip(gx).enumerate() {
            let next = if accelerate {
                let q = self.factor(i, *xi, gi);
                q * *xi + (1.0 - q) * gi
            } else {
                gi
            };
            self.prev_x[i] = *xi;
            self.prev_g[i] = gi;
            // Only overflow can make `next` non-finite; fall back to substitution then.
            *xi = if next.is_finite() { next } else { gi };
        }
    }

    /// The clamped Wegstein factor of variable `i`.
    fn factor(&self, i: usize, xi: f64, gi: f64) -> f64 {
        let dx = xi - self.prev_x[i];
        if dx == 0.0 {
            // The variable did not move (or has converged): no slope information.
            return 0.0;
        }
        let s = (gi - self.prev_g[i]) / dx;
        let q = s / (s - 1.0);
        // s == 1 (a loop that returns all of its material) or an overflowed slope give no
        // usable factor; substitution is the safe choice.
        if q.is_finite() { q.clamp(self.q_min, self.q_max) } else { 0.0 }
    }
}
