//! Calx numerics: estimating model parameters from data by weighted nonlinear least squares.
//!
//! A [`Problem`] holds the observations `y`, their weights `w` (`1 / sigma^2`; default 1) and
//! the [`Parameter`]s (start, bounds, fixed or free, linear or [`Transform::Log`] scale).
//! [`fit`] minimises `S = sum w_i (y_i - f_i(x))^2` over the free parameters for the caller's
//! model `f` by a bounded Levenberg–Marquardt method with finite-difference Jacobians, from the
//! caller's start and optionally from deterministic extra starts ([`FitOptions`]), and returns
//! a [`Fit`]: the estimates with standard errors and confidence intervals, the correlation and
//! covariance matrices, goodness of fit, a residual table, and per parameter an
//! [`Identifiability`] verdict: a parameter the data do not determine (rank-deficient
//! Jacobian, huge relative error, near-perfect correlation) gets no standard error or interval
//! at all, and the covariance is only handed out when every estimated parameter is
//! identifiable.
//!
//! This crate knows nothing of streams or units, does no I/O and never panics on bad input:
//! every failure is a [`FitError`], which carries the model's own error type `E` through
//! unchanged in [`FitError::Model`].
//!
//! ```
//! use calx_fit::{FitOptions, Parameter, Problem, fit};
//!
//! // y = a + b x through four points.
//! let xs = [0.0, 1.0, 2.0, 3.0];
//! let problem = Problem::new(vec![Parameter::new("a", 0.0), Parameter::new("b", 0.0)], vec![1.1, 2.9, 5.2, 6.8]);
//! let result = fit(
//!     &problem,
//!     |p: &[f64], out: &mut [f64]| -> Result<(), std::convert::Infallible> {
//!         for (o, x) in out.iter_mut().zip(xs) {
//!             *o = p[0] + p[1] * x;
//!         }
//!         Ok(())
//!     },
//!     &FitOptions::default(),
//! )
//! .unwrap();
//! // Closed form: slope = Sxy / Sxx = 9.7 / 5.
//! assert!((result.parameters[1].value - 1.94).abs() < 1e-9);
//! ```

mod distribution;
mod error;
mod evaluate;
mod fit;
mod lm;
mod options;
mod problem;
mod starts;
mod stats;

pub use distribution::student_t_quantile;
pub use error::FitError;
pub use fit::{Fit, FitReport, Residual, StartReport, fit};
pub use lm::Termination;
pub use options::FitOptions;
pub use problem::{Parameter, Problem, Transform};
pub use stats::{Covariance, Identifiability, ParameterEstimate, ParameterStatus, Unidentifiable};
