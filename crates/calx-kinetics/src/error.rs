//! The one error type of `calx-kinetics`.
//!
//! A bad parameter names its field, so a flowsheet decoder can point at the key the user
//! wrote; failures of the numerics underneath (the ODE integrator, Brent's root search) keep
//! the solver's error as their source.

use calx_solver::{OdeError, SolverError};

/// Everything the rate laws, reactor models and helpers can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum KineticsError {
    /// A parameter or condition outside its domain (NaN, negative, zero where positive is
    /// needed, an ultimate conversion outside (0, 1], unsorted times).
    #[error("invalid {field} = {value}: must be {requirement}")]
    InvalidParameter {
        /// The field or argument, as the Rust API names it (`k_ref`, `temperature`, ...).
        field: &'static str,
        /// The value given (NaN for a rejected list, such as unsorted times).
        value: f64,
        /// What it must be.
        requirement: &'static str,
    },
    /// A target conversion at or above the ultimate conversion `x_max`, which no residence
    /// time reaches (a mixed-flow reactor approaches `x_max` only as the time grows without
    /// bound).
    #[error("target conversion {target} cannot be reached: the ultimate conversion x_max is {x_max}")]
    TargetUnreachable {
        /// The conversion asked for.
        target: f64,
        /// The ultimate conversion of the rate law.
        x_max: f64,
    },
    /// The conversion stays below the target at the longest residence time tried (a rate
    /// constant of zero: no CO2, or a vanishing pre-exponential factor).
    #[error("target conversion {target} not reached: {conversion} after {time:e} s")]
    TargetNotReached {
        /// The conversion asked for.
        target: f64,
        /// The longest residence time tried, s.
        time: f64,
        /// The conversion there.
        conversion: f64,
    },
    /// The rate equation could not be integrated.
    #[error("integrating the rate equation failed: {0}")]
    Integration(#[from] OdeError),
    /// A root search (residence time for a conversion, mass-transfer balance) failed.
    #[error("root search failed: {0}")]
    RootSearch(#[source] Box<SolverError<KineticsError>>),
}

impl KineticsError {
    /// The error for a root search: the caller's own failure comes back unwrapped.
    pub(crate) fn from_solver(e: SolverError<KineticsError>) -> Self {
        match e {
            SolverError::Evaluation { source, .. } => source,
            other => KineticsError::RootSearch(Box::new(other)),
        }
    }
}

/// `Ok` when `ok` holds, else [`KineticsError::InvalidParameter`] for `field`.
pub(crate) fn check(ok: bool, field: &'static str, value: f64, requirement: &'static str) -> Result<(), KineticsError> {
    if ok { Ok(()) } else { Err(KineticsError::InvalidParameter { field, value, requirement }) }
}
