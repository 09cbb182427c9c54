//! Options of [`crate::fit`], with their defaults and the reasons for them.

use crate::FitError;

/// Options of [`crate::fit`].
///
/// The defaults suit a few to a few dozen parameters of a physical model fitted to measured
/// data, and are listed on each field.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    /// Most Levenberg–Marquardt iterations (Jacobian evaluations) per start. Default `200`: a
    /// well-posed problem converges in tens; one that needs more is ill-posed, and the fit
    /// then reports [`crate::Termination::MaxIterations`] rather than an error.
    pub max_iterations: usize,
    /// Stop when both the actual and the predicted relative reduction of the cost `S` by a step
    /// are at most this. Default `1e-12`: near a minimum LM converges quadratically, so the
    /// parameters are then within about `sqrt(1e-12) = 1e-6` of a standard error of the
    /// optimum, far inside any confidence interval. Must be non-negative and finite.
    pub cost_tol: f64,
    /// Stop when a step is at most this relative to the parameters (both scaled by the square
    /// root of the diagonal of `J^T J`, so in units of their influence on the cost). Default
    /// `1e-10`. Must be non-negative and finite.
    pub step_tol: f64,
    /// Stop when for every free parameter not held at a bound the cosine between the residual
    /// vector and its Jacobian column is at most this (MINPACK's `gtol`). Default `1e-10`.
    /// Must be non-negative and finite.
    pub gradient_tol: f64,
    /// Initial damping `mu`, relative to the diagonal of `J^T J`. Default `1e-3` (Marquardt's
    /// and Nielsen's choice for a start believed to be reasonable). Must be positive and finite.
    pub initial_damping: f64,
    /// Relative step of the central finite differences (see the `evaluate` module: relative to
    /// `|x|` for linear parameters, absolute in `ln x` for log ones). Default `6.06e-6`, the
    /// cube root of the `f64` epsilon, which minimises truncation plus rounding error for a
    /// model computed to full precision; raise it for a model computed less precisely (an ODE
    /// integrated to a tolerance of `tol` wants about `tol^(1/3)`). Must be in `(0, 0.1]`.
    pub fd_step: f64,
    /// Starts besides the caller's own (which is always the first). Default `0`. Each start is
    /// drawn uniformly within the bounds of every free parameter (log-uniformly for
    /// [`crate::Transform::Log`] ones); where a bound is infinite the range is the start plus or
    /// minus `10 max(|start|, 1)` for a linear parameter and two decades either side of the
    /// start for a log one, cut at the other bound.
    pub starts: usize,
    /// Seed of the SplitMix64 sequence the starts are drawn from. Default `0`. The starts run
    /// one after the other and the best (least cost, the earliest on a tie) is kept, so the
    /// result depends on the seed only, never on timing or threads.
    pub seed: u64,
    /// A direction of parameter space is rank-deficient (not identifiable) when its singular
    /// value of the column-scaled weighted Jacobian is below this times the largest. Default
    /// `1e-8`: the finite-difference Jacobian is accurate to about `1e-10` relative, so a
    /// ratio below `1e-8` cannot be told from an exact dependency, while it still means a
    /// variance amplification of `1e16` in the scaled parameters.
    pub rank_tol: f64,
    /// A parameter is not identifiable when its standard error exceeds this times its value.
    /// Default `1.0` (100 %: the 68 % interval includes zero, so not even the sign is known).
    pub max_relative_standard_error: f64,
    /// Two parameters are not identifiable separately when the absolute value of their
    /// correlation exceeds this. Default `0.99`: the data then determine (about) one
    /// combination of the two, and each alone only through the other.
    pub max_correlation: f64,
    /// Confidence level of the intervals. Default `0.95` (two-sided, Student t with `m - p`
    /// degrees of freedom). Must be in `(0, 1)`.
    pub confidence_level: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_iterations: 200,
            cost_tol: 1e-12,
            step_tol: 1e-10,
            gradient_tol: 1e-10,
            initial_damping: 1e-3,
            fd_step: 6.06e-6,
            starts: 0,
            seed: 0,
            rank_tol: 1e-8,
            max_relative_standard_error: 1.0,
            max_correlation: 0.99,
            confidence_level: 0.95,
        }
    }
}

impl FitOptions {
    /// Checks every documented range.
    pub(crate) fn validate<E>(&self) -> Result<(), FitError<E>> {
        let non_negative = |v: f64| v.is_finite() && v >= 0.0;
        let checks: [(&'static str, bool, &'static str); 9] = [
            ("cost_tol", non_negative(self.cost_tol), "must be non-negative and finite"),
            ("step_tol", non_negative(self.step_tol), "must be non-negative and finite"),
            ("gradient_tol", non_negative(self.gradient_tol), "must be non-negative and finite"),
            (
                "initial_damping",
                self.initial_damping.is_finite() && self.initial_damping > 0.0,
                "must be positive and finite",
            ),
            ("fd_step", self.fd_step > 0.0 && self.fd_step <= 0.1, "must be in (0, 0.1]"),
            ("rank_tol", self.rank_tol > 0.0 && self.rank_tol < 1.0, "must be in (0, 1)"),
            (
                "max_relative_standard_error",
                self.max_relative_standard_error > 0.0,
                "must be positive (infinity disables the check)",
            ),
            ("max_correlation", self.max_correlation > 0.0 && self.max_correlation <= 1.0, "must be in (0, 1]"),
            ("confidence_level", self.confidence_level > 0.0 && self.confidence_level < 1.0, "must be in (0, 1)"),
        ];
        match checks.iter().find(|c| !c.1) {
            Some(&(option, _, reason)) => Err(FitError::InvalidOptions { option, reason }),
            None => Ok(()),
        }
    }
}
