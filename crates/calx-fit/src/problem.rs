//! What a fit is asked: the parameters (start, bounds, fixed or free, scale), the observations
//! and their weights, and the checks on them.
//!
//! The optimiser works on an internal vector `z` of the free parameters only: `z = x` for a
//! [`Transform::Linear`] parameter and `z = ln x` for a [`Transform::Log`] one. Bounds become a
//! box in `z` (`ln` of the bounds for log parameters), so one projection handles both.

use crate::FitError;

/// How a parameter is represented to the optimiser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Transform {
    /// The parameter itself. Default.
    #[default]
    Linear,
    /// Its natural logarithm: for strictly positive parameters spanning decades (rate
    /// constants, diffusivities). Steps are then relative, the parameter cannot reach zero or
    /// change sign, and multi-start draws are log-uniform. Needs a positive start and a
    /// non-negative lower bound.
    Log,
}

/// One model parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Name, used in reports and identifiability diagnoses. Must be unique within a problem.
    pub name: String,
    /// Start value, original units. Must be finite and inside the bounds.
    pub start: f64,
    /// Lower bound, original units; `f64::NEG_INFINITY` for none (the default).
    pub lower: f64,
    /// Upper bound, original units; `f64::INFINITY` for none (the default).
    pub upper: f64,
    /// Held at `start` and not estimated. Default `false`.
    pub fixed: bool,
    /// Representation to the optimiser. Default [`Transform::Linear`].
    pub transform: Transform,
}

impl Parameter {
    /// A free, unbounded, linear parameter.
    pub fn new(name: impl Into<String>, start: f64) -> Self {
        Parameter {
            name: name.into(),
            start,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
            fixed: false,
            transform: Transform::Linear,
        }
    }

    /// With bounds `lower <= x <= upper` (either may be infinite).
    pub fn bounded(mut self, lower: f64, upper: f64) -> Self {
        self.lower = lower;
        self.upper = upper;
        self
    }

    /// Held at its start value.
    pub fn fixed(mut self) -> Self {
        self.fixed = true;
        self
    }

    /// Estimated on a log scale ([`Transform::Log`]); a negative lower bound (the default
    /// `-inf` included) becomes 0, which the transform never reaches.
    pub fn log(mut self) -> Self {
        self.transform = Transform::Log;
        self.lower = self.lower.max(0.0);
        self
    }

    /// Internal coordinate of the original value `x`.
    pub(crate) fn to_internal(&self, x: f64) -> f64 {
        match self.transform {
            Transform::Linear => x,
            Transform::Log => x.ln(),
        }
    }

    /// Original value of the internal coordinate `z`.
    pub(crate) fn to_original(&self, z: f64) -> f64 {
        match self.transform {
            Transform::Linear => z,
            Transform::Log => z.exp(),
        }
    }

    /// The bounds in internal coordinates (`ln 0 = -inf` for a log parameter bounded at 0).
    pub(crate) fn internal_bounds(&self) -> (f64, f64) {
        (self.to_internal(self.lower), self.to_internal(self.upper))
    }
}

/// The data of a weighted least-squares problem: minimise `S = sum_i w_i (y_i - f_i(x))^2`.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The parameters, in the order the model receives them.
    pub parameters: Vec<Parameter>,
    /// Observations `y`, one per residual point.
    pub observations: Vec<f64>,
    /// Weights `w`, one per observation (`1 / sigma_i^2` for known measurement standard
    /// deviations). Default: all 1.
    pub weights: Vec<f64>,
}

impl Problem {
    /// A problem with unit weights.
    pub fn new(parameters: Vec<Parameter>, observations: Vec<f64>) -> Self {
        let weights = vec![1.0; observations.len()];
        Problem { parameters, observations, weights }
    }

    /// With weights `w` (one per observation).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Self {
        self.weights = weights;
        self
    }

    /// Indices of the free parameters, in order.
    pub(crate) fn free(&self) -> Vec<usize> {
        (0..self.parameters.len()).filter(|&i| !self.parameters[i].fixed).collect()
    }

    /// Observations with a positive weight: those that count towards the degrees of freedom.
    pub(crate) fn informative_observations(&self) -> usize {
        self.weights.iter().filter(|w| **w > 0.0).count()
    }

    /// Checks everything the fit relies on.
    pub(crate) fn validate<E>(&self) -> Result<(), FitError<E>> {
        for (k, p) in self.parameters.iter().enumerate() {
            let bad = |reason| Err(FitError::InvalidParameter { name: p.name.clone(), reason });
            if self.parameters[..k].iter().any(|q| q.name == p.name) {
                return bad("the name is used twice");
            }
            if !p.start.is_finite() {
                return bad("the start value is not finite");
            }
            if p.lower.is_nan() || p.upper.is_nan() || p.lower >= p.upper {
                return bad("the bounds are NaN or not lower < upper");
            }
            if p.start < p.lower || p.start > p.upper {
                return bad("the start value is outside the bounds");
            }
            if p.transform == Transform::Log && (p.start <= 0.0 || p.lower < 0.0) {
                return bad("a log-transformed parameter needs a positive start and a lower bound >= 0");
            }
        }
        if let Some(index) = self.observations.iter().position(|y| !y.is_finite()) {
            return Err(FitError::InvalidObservation { index, value: self.observations[index] });
        }
        let m = self.observations.len();
        if self.weights.len() != m {
            return Err(FitError::LengthMismatch { what: "weights", expected: m, found: self.weights.len() });
        }
        if let Some(index) = self.weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
            return Err(FitError::InvalidWeight { index, value: self.weights[index] });
        }
        if m > 0 && self.weights.iter().all(|w| *w == 0.0) {
            return Err(FitError::InvalidWeight { index: 0, value: 0.0 });
        }
        let p = self.free().len();
        if p == 0 {
            return Err(FitError::NoFreeParameters);
        }
        let m = self.informative_observations();
        if m <= p {
            return Err(FitError::TooFewObservations { observations: m, free_parameters: p });
        }
        Ok(())
    }
}
