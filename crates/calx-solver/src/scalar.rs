//! Bracketed scalar root finding, for design specifications ("adjust this feed until that
//! purity is met").
//!
//! The method is Brent's (Brent 1973; the classic `zeroin`): inverse quadratic interpolation or
//! secant steps, each accepted only if it stays well inside the bracket and shrinks it fast
//! enough, bisection otherwise. Brent rather than Illinois regula falsi because each evaluation
//! here is a whole flowsheet solve: both are superlinear on smooth functions, but on the
//! flat-then-steep responses design specs produce (a purity that saturates, a valve that opens)
//! Illinois can crawl along the flat side, while Brent's bisection fallback bounds the count at
//! about the square of bisection's.

use crate::SolverError;

/// Options of [`solve_bracketed`].
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarOptions {
    /// Absolute tolerance on `f`. Default `1e-9`: a design spec's target is usually an
    /// O(1) quantity (a fraction, a flow in kg/s), and nine digits is beyond any plant
    /// measurement while still far above round-off through a flowsheet. Must be positive.
    pub abs_tol: f64,
    /// Tolerance on `f` relative to `scale` (the caller passes `|target|`). Default `1e-9`, so
    /// a spec on a pressure in Pa gets the same nine digits as one on a fraction.
    /// Must be non-negative.
    pub rel_tol: f64,
    /// Relative bracket width on `x` at which the search stops. Default `1e-12`: only reached
    /// when `f` jumps across the root (the spec cannot be met to tolerance), and then the
    /// search should stop well before the last bits of `x` are exhausted. Must be non-negative.
    pub x_tol: f64,
    /// Most evaluations after the two bracket ends. Default `100`: Brent needs about 10 on
    /// smooth functions and at most a few times bisection's ~50 on bad ones.
    pub max_iterations: usize,
}

impl Default for ScalarOptions {
    fn default() -> Self {
        ScalarOptions { abs_tol: 1e-9, rel_tol: 1e-9, x_tol: 1e-12, max_iterations: 100 }
    }
}

/// A root found by [`solve_bracketed`].
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarReport {
    /// The root: the last point evaluated, the one whose `f` passed.
    pub x: f64,
    /// `f(x)`.
    pub f: f64,
    /// Evaluations after the two bracket ends (0 when an end already passed).
    pub iterations: usize,
}

/// Finds `x` in `[lo, hi]` with `f(x) = 0`: converged when `|f(x)| <= abs_tol + rel_tol * scale`.
///
/// `f` is evaluated at the ends first (`lo`, then `hi`); an end that already passes is returned
/// at once. Otherwise
/// `f(lo)` and `f(hi)` must have opposite signs. `scale` is the magnitude `rel_tol` applies
/// to (the caller passes `|target|`; its sign is ignored).
///
/// The returned `x` is always the last point `f` was evaluated at, so state the caller
/// computes inside `f` matches it.
///
/// # Errors
/// [`SolverError::InvalidInput`] for non-finite or reversed bounds, a non-finite scale, or
/// invalid tolerances; [`SolverError::NotBracketed`] when the ends have the same sign;
/// [`SolverError::Evaluation`] / [`SolverError::NonFinite`] when `f` fails or returns NaN or
/// infinity; [`SolverError::ScalarNotConverged`] after `max_iterations`, or when the bracket
/// shrinks to `x_tol` without meeting the tolerance (a discontinuity).
pub fn solve_bracketed<E, F>(
    mut f: F,
    lo: f64,
    hi: f64,
    scale: f64,
    options: &ScalarOptions,
) -> Result<ScalarReport, SolverError<E>>
where
    F: FnMut(f64) -> Result<f64, E>,
{
    validate(lo, hi, scale, options)?;
    let f_tol = options.abs_tol + options.rel_tol * scale.abs();
    let mut eval = |x: f64, iteration: usize| -> Result<f64, SolverError<E>> {
        let fx = f(x).map_err(|source| SolverError::Evaluation { iteration, source })?;
        if !fx.is_finite() {
            return Err(SolverError::NonFinite { iteration, index: 0 });
        }
        tracing::trace!(iteration, x, f = fx, "root search");
        Ok(fx)
    };

    // An end within tolerance is an answer even on the "wrong" side of zero, so each end is
    // tested before the signs are; returning as soon as one passes keeps the returned `x` the
    // last point evaluated.
    let f_lo = eval(lo, 0)?;
    if f_lo.abs() <= f_tol {
        tracing::debug!(x = lo, f = f_lo, iterations = 0, "root found at the lower bound");
        return Ok(ScalarReport { x: lo, f: f_lo, iterations: 0 });
    }
    let f_hi = eval(hi, 0)?;
    if f_hi.abs() <= f_tol {
        tracing::debug!(x = hi, f = f_hi, iterations = 0, "root found at the upper bound");
        return Ok(ScalarReport { x: hi, f: f_hi, iterations: 0 });
    }
    if (f_lo > 0.0) == (f_hi > 0.0) {
        tracing::debug!(lo, hi, f_lo, f_hi, "root not bracketed");
        return Err(SolverError::NotBracketed { lo, hi, f_lo, f_hi });
    }

    // Brent's variables: `b` is the best estimate, `c` the other end of the bracket around it,
    // `a` the previous `b`; `d` the last step and `e` the one before (to judge progress).
    let (mut a, mut fa, mut b, mut fb) = (lo, f_lo, hi, f_hi);
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let mut iteration = 0;
    loop {
        if (fb > 0.0) == (fc > 0.0) {
            // The newest point replaced the end on its own side: the bracket is now [a, b].
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        if fb.abs() <= f_tol {
            tracing::debug!(x = b, f = fb, iterations = iteration, "root found");
            return Ok(ScalarReport { x: b, f: fb, iterations: iteration });
        }
        // Half of the smallest step worth taking: x_tol relative to |b|, plus round-off, plus
        // the smallest normal number so that a root at exactly 0 still terminates.
        let tol = 0.5 * options.x_tol * b.abs() + 2.0 * f64::EPSILON * b.abs() + f64::MIN_POSITIVE;
        let m = 0.5 * (c - b);
        if iteration >= options.max_iterations || m.abs() <= tol {
            tracing::debug!(x = b, f = fb, iterations = iteration, "root search did not converge");
            return Err(SolverError::ScalarNotConverged { iterations: iteration, x: b, f: fb });
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Interpolate: p/q is the proposed step from b.
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * m * s, 1.0 - s) // secant
            } else {
                // inverse quadratic through a, b, c
                let q = fa / fc;
                let r = fb / fc;
                (s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0)), (q - 1.0) * (r - 1.0) * (s - 1.0))
            };
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            // Accept only a step inside 3/4 of the bracket that is less than half the step
            // before last: otherwise interpolation is not converging fast enough.
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        iteration += 1;
        fb = eval(b, iteration)?;
    }
}

fn validate<E>(lo: f64, hi: f64, scale: f64, o: &ScalarOptions) -> Result<(), SolverError<E>> {
    let invalid = |msg: String| Err(SolverError::InvalidInput(msg));
    if !(lo.is_finite() && hi.is_finite()) {
        return invalid(format!("bounds must be finite, got [{lo}, {hi}]"));
    }
    if lo >= hi {
        return invalid(format!("lower bound {lo} must be below upper bound {hi}"));
    }
    if !scale.is_finite() {
        return invalid(format!("scale must be finite, got {scale}"));
    }
    if !(o.abs_tol.is_finite() && o.abs_tol > 0.0) {
        return invalid(format!("abs_tol must be positive and finite, got {}", o.abs_tol));
    }
    if !(o.rel_tol.is_finite() && o.rel_tol >= 0.0) {
        return invalid(format!("rel_tol must be non-negative and finite, got {}", o.rel_tol));
    }
    if !(o.x_tol.is_finite() && o.x_tol >= 0.0) {
        return invalid(format!("x_tol must be non-negative and finite, got {}", o.x_tol));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
