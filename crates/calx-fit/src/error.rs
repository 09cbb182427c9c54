//! The one error type of `calx-fit`.
//!
//! It is generic over `E`, the error type of the caller's model, which is carried through
//! unchanged in [`FitError::Model`] (use [`std::convert::Infallible`] for a model that cannot
//! fail). Every other variant is a refusal of the input, with the offending data.

/// Everything a fit can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum FitError<E> {
    /// There are not more observations than free parameters, so the residual variance
    /// `S / (m - p)` (and with it every standard error) does not exist.
    #[error(
        "{observations} observations cannot estimate {free_parameters} free parameters: a fit needs more \
         observations than free parameters (m > p) for its residual variance to exist"
    )]
    TooFewObservations {
        /// Number of observations `m`.
        observations: usize,
        /// Number of free (not fixed) parameters `p`.
        free_parameters: usize,
    },
    /// Every parameter is fixed: there is nothing to estimate.
    #[error("every parameter is fixed: nothing to estimate")]
    NoFreeParameters,
    /// Two vectors that must have the same length do not.
    #[error("{what}: expected {expected} values, found {found}")]
    LengthMismatch {
        /// Which vector (`"weights"`, `"predictions"`).
        what: &'static str,
        /// The length it must have (the number of observations).
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A parameter's definition is inconsistent.
    #[error("parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An observation is not finite.
    #[error("observation {index} is {value}: every observation must be finite")]
    InvalidObservation {
        /// Index of the observation.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A weight is negative or not finite, or every weight is zero.
    #[error("weight {index} is {value}: weights must be finite and non-negative, and not all zero")]
    InvalidWeight {
        /// Index of the weight (the first one when all are zero).
        index: usize,
        /// Its value.
        value: f64,
    },
    /// An option is out of its documented range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOptions {
        /// The option's field name.
        option: &'static str,
        /// The range it must be in.
        reason: &'static str,
    },
    /// The model returned NaN or an infinity.
    #[error("the model returned {value} for observation {index} at parameters {parameters:?}")]
    NonFinite {
        /// Index of the offending prediction.
        index: usize,
        /// The value returned.
        value: f64,
        /// All parameters (original units, in the problem's order) of the failing evaluation.
        parameters: Vec<f64>,
    },
    /// The model itself failed; its error is kept as the source.
    #[error("the model failed at parameters {parameters:?}: {source}")]
    Model {
        /// All parameters (original units, in the problem's order) of the failing evaluation.
        parameters: Vec<f64>,
        /// The caller's error.
        #[source]
        source: E,
    },
}
