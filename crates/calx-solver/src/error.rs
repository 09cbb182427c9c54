//! The one error type of `calx-solver`.
//!
//! It is generic over `E`, the error type of the caller's closure (a flowsheet's own error enum,
//! or [`std::convert::Infallible`]), so a unit operation's failure inside a recycle loop reaches
//! the user unchanged, as the [`source`](std::error::Error::source) of
//! [`SolverError::Evaluation`].
//!
//! Iteration numbers in errors count steps taken before the failing evaluation: iteration 0 is
//! the evaluation of the initial guess (or, for [`crate::solve_bracketed`], of the bracket ends).

use crate::Method;

/// Everything the solvers can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum SolverError<E> {
    /// The fixed-point iteration used up `max_iterations` without meeting the tolerance.
    ///
    /// The caller's `x` then holds the input of the last evaluation, which is the point the
    /// residuals belong to.
    #[error(
        "did not converge in {iterations} iterations ({method}): largest residual \
         {max_abs_residual:e} at variable {worst_index}, {max_scaled_residual:.3e} times the \
         tolerance"
    )]
    NotConverged {
        /// The accelerator that was used.
        method: Method,
        /// Steps taken (equal to `max_iterations`).
        iterations: usize,
        /// `g_i(x) - x_i` at the last evaluated `x`, one per variable.
        residuals: Vec<f64>,
        /// `max_i |g_i(x) - x_i|`.
        max_abs_residual: f64,
        /// `max_i |g_i(x) - x_i| / (abs_tol + min(rel_tol |x_i|, scale_tol scale_i))`.
        max_scaled_residual: f64,
        /// The variable with the largest *scaled* residual: the one furthest from its
        /// tolerance, which is not always the one with the largest absolute residual when
        /// variables of different magnitudes (Pa next to kg/s) are mixed.
        worst_index: usize,
    },
    /// The function returned NaN or an infinity.
    #[error("function returned a non-finite value (variable {index}) at iteration {iteration}")]
    NonFinite {
        /// Steps taken before the evaluation that returned the value.
        iteration: usize,
        /// The offending output (always 0 for scalar functions).
        index: usize,
    },
    /// The function itself failed; the failure is kept as the error source.
    #[error("evaluation failed at iteration {iteration}: {source}")]
    Evaluation {
        /// Steps taken before the failing evaluation.
        iteration: usize,
        /// The caller's error.
        #[source]
        source: E,
    },
    /// A bracketed search was asked for a root its bracket does not enclose.
    #[error(
        "the target cannot be reached inside [{lo}, {hi}]: f(lo) = {f_lo:e}, f(hi) = {f_hi:e} \
         have the same sign"
    )]
    NotBracketed {
        /// Lower end of the bracket.
        lo: f64,
        /// Upper end of the bracket.
        hi: f64,
        /// The function at `lo`.
        f_lo: f64,
        /// The function at `hi`.
        f_hi: f64,
    },
    /// A bracketed search ran out of iterations, or narrowed its bracket to `x_tol` without
    /// meeting the tolerance on `f` (a jump in `f` across the root).
    #[error("root search did not converge in {iterations} iterations: best x = {x}, f = {f:e}")]
    ScalarNotConverged {
        /// Iterations taken.
        iterations: usize,
        /// The point with the smallest `|f|` in the final bracket.
        x: f64,
        /// The function there.
        f: f64,
    },
    /// The inputs cannot be solved as given: empty or reversed bounds, a non-finite guess,
    /// non-positive or non-finite tolerances, inconsistent Wegstein bounds.
    #[error("invalid solver input: {0}")]
    InvalidInput(String),
}

impl<E> SolverError<E> {
    /// Converts the caller's error type, keeping every other variant as it is (for example to
    /// wrap a unit-operation error into a flowsheet error).
    pub fn map_source<F>(self, convert: impl FnOnce(E) -> F) -> SolverError<F> {
        match self {
            SolverError::NotConverged {
                method,
                iterations,
                residuals,
                max_abs_residual,
                max_scaled_residual,
                worst_index,
            } => SolverError::NotConverged {
                method,
                iterations,
                residuals,
                max_abs_residual,
                max_scaled_residual,
                worst_index,
            },
            SolverError::NonFinite { iteration, index } => SolverError::NonFinite { iteration, index },
            SolverError::Evaluation { iteration, source } => {
                SolverError::Evaluation { iteration, source: convert(source) }
            }
            SolverError::NotBracketed { lo, hi, f_lo, f_hi } => SolverError::NotBracketed { lo, hi, f_lo, f_hi },
            SolverError::ScalarNotConverged { iterations, x, f } => {
                SolverError::ScalarNotConverged { iterations, x, f }
            }
            SolverError::InvalidInput(msg) => SolverError::InvalidInput(msg),
        }
    }
}
