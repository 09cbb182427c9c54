//! Solve `x = g(x)`: the outer loop shared by every recycle accelerator.
//!
//! The loop evaluates `g` at the current `x`, tests that residual, and only then asks the
//! accelerator ([`Method`]) for a new `x`. Testing before stepping is what makes the returned
//! `x` exactly the input of the last evaluation: everything the caller computed inside `g`
//! (every stream of the flowsheet) is then consistent with the tear values it gets back.
//!
//! Work vectors are allocated once per call, and the accelerator's state (the Broyden matrix in
//! particular) only when a first step is needed, so re-solving from an already converged guess
//! costs one evaluation and one small allocation. A caller that solves again and again (a
//! study's recycle loop, every sample) keeps a [`FixedPointWorkspace`] and passes it to
//! [`solve_fixed_point_in`]: the residual vector and Wegstein's state are then written over its
//! vectors, and a Wegstein solve allocates nothing.

use crate::broyden::Broyden;
use crate::wegstein::Wegstein;
use crate::{Method, SolverError};

/// Options of [`solve_fixed_point`].
///
/// The defaults suit tear streams in SI units (kg/s, K, Pa) and are listed on each field.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedPointOptions {
    /// The accelerator. Default [`Method::Wegstein`]: no matrix to build, and several times
    /// faster than direct substitution on the weakly coupled loops most flowsheets have.
    pub method: Method,
    /// Absolute tolerance on `|g_i(x) - x_i|`. Default `1e-10`: a floor for variables that are
    /// zero or nearly so (a component absent from the recycle), small next to any flow in kg/s
    /// that matters. Must be positive and finite.
    pub abs_tol: f64,
    /// Relative tolerance on `|g_i(x) - x_i|`, times `|x_i|`. Default `1e-10`: six orders of
    /// magnitude above `f64` round-off, so it stays reachable through a chain of ten units,
    /// and far below what mass balances are reported to. Must be non-negative and finite.
    pub rel_tol: f64,
    /// Ceiling on the relative part of the tolerance, times the variable's scale (the `scale`
    /// argument of [`solve_fixed_point`]): `rel_tol |x_i|` never counts for more than
    /// `scale_tol * scale_i`. Without it a loop that runs away passes the relative test once
    /// `x` is large enough (a loop returning all of its material grows by its feed each pass,
    /// and `1e-10 |x|` exceeds the feed once `x` is 1e10 times it). Default `1e-6`: a
    /// residual of a millionth of the scale is below anything a plant measures, and a loop
    /// converged to the default `rel_tol` stays under it unless its variables exceed 1e4
    /// times their scale. Must be positive and finite.
    pub scale_tol: f64,
    /// Most steps taken before giving up (`g` is evaluated at most one more time than this).
    /// Default `200`: enough for direct substitution to gain ten digits on a loop that recycles
    /// up to about 89 % of its material (`0.89^200 = 1e-10`); an accelerated loop that needs
    /// more is diverging or oscillating, and more steps would only hide that.
    pub max_iterations: usize,
    /// Lower bound of the Wegstein factor `q`. Default `-5.0`, as in commercial simulators:
    /// allows up to 6-fold extrapolation (exact in one secant step for a loop recycling up to
    /// 83 % of its material) without chasing a noisy slope further.
    pub wegstein_q_min: f64,
    /// Upper bound of the Wegstein factor `q`. Default `0.0`: never damp below direct
    /// substitution, which would only slow down a contracting loop. Must be `< 1` (at `q = 1`
    /// the step stands still) and `>= wegstein_q_min`.
    pub wegstein_q_max: f64,
    /// Direct-substitution steps before Wegstein acceleration starts. Default `2`: the first
    /// steps from a poor guess (often zero recycle) are dominated by fast transients, and a
    /// secant slope taken across them extrapolates in the wrong direction.
    pub wegstein_delay: usize,
    /// Direct-substitution steps before Broyden steps start. Default `2`, for the same reason;
    /// the secant information of these steps still goes into the Jacobian estimate.
    pub broyden_delay: usize,
}

impl Default for FixedPointOptions {
    fn default() -> Self {
        FixedPointOptions {
            method: Method::Wegstein,
            abs_tol: 1e-10,
            rel_tol: 1e-10,
            scale_tol: 1e-6,
            max_iterations: 200,
            wegstein_q_min: -5.0,
            wegstein_q_max: 0.0,
            wegstein_delay: 2,
            broyden_delay: 2,
        }
    }
}

/// What a successful [`solve_fixed_point`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedPointReport {
    /// The accelerator used.
    pub method: Method,
    /// Steps taken (0 when the initial guess already passed).
    pub iterations: usize,
    /// Evaluations of `g` (`iterations + 1`: the last one is the one that passed).
    pub evaluations: usize,
    /// `max_i |g_i(x) - x_i|` at the returned `x`.
    pub max_abs_residual: f64,
    /// `max_i |g_i(x) - x_i| / (abs_tol + min(rel_tol |x_i|, scale_tol scale_i))` at the
    /// returned `x`; at most 1.
    pub max_scaled_residual: f64,
}

/// Solves `x = g(x)`.
///
/// `g(x, out)` writes `g(x)` into `out` (same length as `x`). `x` holds the initial guess on
/// entry and, on success, the converged tear values: precisely the input of the last evaluation
/// of `g`, the one whose residual passed, so the caller's state is consistent with `x`. On
/// [`SolverError::NotConverged`] it likewise holds the last evaluated input; on other errors its
/// content is unspecified (but finite).
///
/// `scale` holds one non-negative magnitude per variable (for a tear stream: the flowsheet's
/// feed for flows, fixed scales for temperature and pressure). Convergence test, per variable
/// `i`: `|g_i(x) - x_i| <= abs_tol + min(rel_tol |x_i|, scale_tol scale_i)` — the relative
/// test, with a ceiling that a runaway `x` cannot lift.
///
/// A problem with no variables is trivially converged: `g` is still evaluated once (so the
/// caller's state is computed, and its errors reported) and the report says 0 iterations.
///
/// # Errors
/// [`SolverError::InvalidInput`] for a non-finite guess, a `scale` of the wrong length or with
/// a negative or non-finite entry, or invalid options,
/// [`SolverError::Evaluation`] and [`SolverError::NonFinite`] when `g` fails or returns
/// NaN/infinity, [`SolverError::NotConverged`] after `max_iterations` steps.
pub fn solve_fixed_point<E, G>(
    x: &mut [f64],
    scale: &[f64],
    g: G,
    options: &FixedPointOptions,
) -> Result<FixedPointReport, SolverError<E>>
where
    G: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    solve_fixed_point_in(&mut FixedPointWorkspace::default(), x, scale, g, options)
}

/// The vectors of a fixed-point solve, kept between solves by a caller that solves often.
/// Their contents never carry over: every solve starts them as [`solve_fixed_point`] would.
#[derive(Clone, Debug, Default)]
pub struct FixedPointWorkspace {
    gx: Vec<f64>,
    /// Wegstein's previous input and output, while no solve uses them.
    wegstein: WegsteinVectors,
}

/// The vectors of Wegstein's state (previous input, previous output).
type WegsteinVectors = (Vec<f64>, Vec<f64>);

/// [`solve_fixed_point`] with its vectors written over `workspace`'s: the same iterates and
/// result, bit for bit.
///
/// # Errors
/// As [`solve_fixed_point`].
pub fn solve_fixed_point_in<E, G>(
    workspace: &mut FixedPointWorkspace,
    x: &mut [f64],
    scale: &[f64],
    g: G,
    options: &FixedPointOptions,
) -> Result<FixedPointReport, SolverError<E>>
where
    G: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    validate(x, scale, options)?;
    let FixedPointWorkspace { gx, wegstein } = workspace;
    gx.clear();
    gx.resize(x.len(), 0.0);
    let mut accelerator: Option<Accelerator> = None;
    let outcome = iterate((x, scale), g, options, (gx, &mut accelerator, wegstein));
    if let Some(Accelerator::Wegstein(w)) = accelerator {
        *wegstein = w.into_vectors();
    }
    outcome
}

/// The loop of [`solve_fixed_point_in`]: `gx` sized and zeroed, the accelerator made at the
/// first step (Wegstein's from the vectors in `spare`).
fn iterate<E, G>(
    (x, scale): (&mut [f64], &[f64]),
    mut g: G,
    options: &FixedPointOptions,
    (gx, accelerator, spare): (&mut [f64], &mut Option<Accelerator>, &mut WegsteinVectors),
) -> Result<FixedPointReport, SolverError<E>>
where
    G: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let method = options.method;
    let mut iteration = 0;
    loop {
        if let Err(source) = g(x, gx) {
            tracing::debug!(method = method.name(), iteration, "recycle evaluation failed");
            return Err(SolverError::Evaluation { iteration, source });
        }
        if let Some(index) = gx.iter().position(|v| !v.is_finite()) {
            tracing::debug!(method = method.name(), iteration, index, "non-finite recycle value");
            return Err(SolverError::NonFinite { iteration, index });
        }
        let r = Residual::measure(x, gx, scale, options);
        tracing::trace!(
            iteration,
            max_scaled_residual = r.max_scaled,
            max_abs_residual = r.max_abs,
            worst_index = r.worst_index,
            "fixed-point iteration"
        );
        // Written so that a NaN scaled residual counts as not converged.
        if r.max_scaled <= 1.0 {
            tracing::debug!(
                method = method.name(),
                iterations = iteration,
                max_scaled_residual = r.max_scaled,
                "recycle converged"
            );
            return Ok(FixedPointReport {
                method,
                iterations: iteration,
                evaluations: iteration + 1,
                max_abs_residual: r.max_abs,
                max_scaled_residual: r.max_scaled,
            });
        }
        if iteration >= options.max_iterations {
            tracing::debug!(
                method = method.name(),
                iterations = iteration,
                max_scaled_residual = r.max_scaled,
                worst_index = r.worst_index,
                "recycle did not converge"
            );
            return Err(SolverError::NotConverged {
                method,
                iterations: iteration,
                residuals: gx.iter().zip(x.iter()).map(|(g, x)| g - x).collect(),
                max_abs_residual: r.max_abs,
                max_scaled_residual: r.max_scaled,
                worst_index: r.worst_index,
            });
        }
        accelerator
            .get_or_insert_with(|| Accelerator::new(options, x.len(), std::mem::take(spare)))
            .step(iteration, x, gx);
        iteration += 1;
    }
}

/// Rejects what would make the iteration meaningless or make a later step panic
/// (`f64::clamp` panics on reversed or NaN bounds).
fn validate<E>(x: &[f64], scale: &[f64], o: &FixedPointOptions) -> Result<(), SolverError<E>> {
    let invalid = |msg: String| Err(SolverError::InvalidInput(msg));
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return invalid(format!("initial guess of variable {i} is {}", x[i]));
    }
    if scale.len() != x.len() {
        return invalid(format!("{} scales given for {} variables", scale.len(), x.len()));
    }
    if let Some(i) = scale.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return invalid(format!("scale of variable {i} must be non-negative and finite, got {}", scale[i]));
    }
    if !(o.abs_tol.is_finite() && o.abs_tol > 0.0) {
        return invalid(format!("abs_tol must be positive and finite, got {}", o.abs_tol));
    }
    if !(o.rel_tol.is_finite() && o.rel_tol >= 0.0) {
        return invalid(format!("rel_tol must be non-negative and finite, got {}", o.rel_tol));
    }
    if !(o.scale_tol.is_finite() && o.scale_tol > 0.0) {
        return invalid(format!("scale_tol must be positive and finite, got {}", o.scale_tol));
    }
    let (lo, hi) = (o.wegstein_q_min, o.wegstein_q_max);
    if !(lo.is_finite() && hi.is_finite() && lo <= hi && hi < 1.0) {
        return invalid(format!("Wegstein bounds must be finite with q_min <= q_max < 1, got [{lo}, {hi}]"));
    }
    Ok(())
}

/// The convergence measures of one evaluation.
struct Residual {
    max_abs: f64,
    max_scaled: f64,
    worst_index: usize,
}

impl Residual {
    fn measure(x: &[f64], gx: &[f64], scale: &[f64], o: &FixedPointOptions) -> Residual {
        let mut r = Residual { max_abs: 0.0, max_scaled: 0.0, worst_index: 0 };
        for (i, ((&xi, &gi), &si)) in x.iter().zip(gx).zip(scale).enumerate() {
            let abs = (gi - xi).abs();
            // `min` would drop a NaN operand; both are finite here (`x`, `scale` and the
            // tolerances are validated, `gx` is checked before this is called).
            let scaled = abs / (o.abs_tol + (o.rel_tol * xi.abs()).min(o.scale_tol * si));
            // inf/inf (both overflowed) is as far from converged as it gets, and so is a NaN.
            let scaled = if scaled.is_nan() { f64::INFINITY } else { scaled };
            // `abs` is never NaN here (`x` and `gx` are finite), so `max` loses nothing.
            r.max_abs = r.max_abs.max(abs);
            if scaled > r.max_scaled {
                r.max_scaled = scaled;
                r.worst_index = i;
            }
        }
        r
    }
}

/// The state of one accelerator between steps.
enum Accelerator {
    Direct,
    Wegstein(Wegstein),
    Broyden(Box<Broyden>),
}

impl Accelerator {
    /// `spare`: vectors for Wegstein's state (any length, any contents).
    fn new(o: &FixedPointOptions, n: usize, spare: (Vec<f64>, Vec<f64>)) -> Accelerator {
        match o.method {
            Method::DirectSubstitution => Accelerator::Direct,
            Method::Wegstein => Accelerator::Wegstein(Wegstein::with_vectors(
                spare,
                n,
                (o.wegstein_q_min, o.wegstein_q_max),
                o.wegstein_delay,
            )),
            Method::Broyden => Accelerator::Broyden(Box::new(Broyden::new(n, o.broyden_delay, o.abs_tol, o.rel_tol))),
        }
    }

    /// Replaces `x` (whose image is `gx`, all finite) by the next point to evaluate. Every
    /// accelerator keeps `x` finite, falling back to `x = gx` when its own step is not.
    fn step(&mut self, iteration: usize, x: &mut [f64], gx: &[f64]) {
        match self {
            Accelerator::Direct => x.copy_from_slice(gx),
            Accelerator::Wegstein(w) => w.step(iteration, x, gx),
            Accelerator::Broyden(b) => b.step(iteration, x, gx),
        }
    }
}

#[cfg(test)]
mod tests;
