//! [`fit`]: the multi-start driver, and the result it returns.

use nalgebra::DMatrix;

use crate::distribution::student_t_quantile;
use crate::evaluate::Evaluator;
use crate::lm::{LocalMinimum, minimise};
use crate::stats::{Optimum, analyse};
use crate::{Covariance, FitError, FitOptions, ParameterEstimate, Problem, Termination};

/// One observation of the result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Residual {
    /// The observation `y_i`.
    pub observed: f64,
    /// The model's prediction `f_i` at the estimates.
    pub predicted: f64,
    /// `y_i - f_i`.
    pub residual: f64,
    /// `sqrt(w_i) (y_i - f_i)`: in units of the measurement's standard deviation when
    /// `w_i = 1 / sigma_i^2`.
    pub weighted_residual: f64,
}

/// How one start went.
#[derive(Clone, Debug, PartialEq)]
pub struct StartReport {
    /// The start point: all parameters, original units (the caller's start is start 0).
    pub start: Vec<f64>,
    /// The cost `S` reached, or `None` when the model failed from this start.
    pub cost: Option<f64>,
    /// Why the optimiser stopped (`None` when the model failed).
    pub termination: Option<Termination>,
    /// Iterations taken.
    pub iterations: usize,
}

/// What [`fit`] did to get its result.
#[derive(Clone, Debug, PartialEq)]
pub struct FitReport {
    /// Index in `starts` of the start the result comes from.
    pub best_start: usize,
    /// Iterations of the best start.
    pub iterations: usize,
    /// Why the best start's optimiser stopped. Check [`Termination::converged`].
    pub termination: Termination,
    /// Model evaluations in all, every start and the statistics included.
    pub evaluations: usize,
    /// Every start, in the order they ran.
    pub starts: Vec<StartReport>,
}

/// The result of [`fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// Every parameter, in the problem's order (fixed ones included).
    pub parameters: Vec<ParameterEstimate>,
    /// Weighted residual sum of squares `S = sum w_i (y_i - f_i)^2`.
    pub cost: f64,
    /// `m - p`: observations of positive weight less free parameters.
    pub degrees_of_freedom: usize,
    /// Residual variance `s^2 = S / (m - p)` (the variance of a unit-weight observation; near
    /// 1 when the weights are `1 / sigma^2` and the model fits to within the measurement error).
    pub residual_variance: f64,
    /// `s`, the residual standard error.
    pub residual_standard_error: f64,
    /// Root mean square of the unweighted residuals, `sqrt(sum (y_i - f_i)^2 / m)`, all `m`
    /// observations.
    pub rmse: f64,
    /// `1 - sum (y - f)^2 / sum (y - mean y)^2` (NaN when every observation is equal).
    pub r_squared: f64,
    /// `1 - sum w (y - f)^2 / sum w (y - mean_w y)^2`, with the weighted mean (NaN when every
    /// observation is equal).
    pub weighted_r_squared: f64,
    /// The Student t quantile the intervals use (`t(1 - (1 - level) / 2, m - p)`).
    pub t_quantile: f64,
    /// Correlation matrix, indexed like `parameters`: `None` for fixed parameters, parameters
    /// at a bound and rank-deficient ones.
    pub correlation: Vec<Vec<Option<f64>>>,
    /// Covariance of the estimated parameters in original units, for sampling; `None` unless
    /// every estimated parameter is [`crate::Identifiability::Identifiable`].
    pub covariance: Option<Covariance>,
    /// Singular values of the weighted Jacobian of the estimated parameters with unit-norm
    /// columns, largest first; their ratios measure how well the data determine the parameters.
    pub singular_values: Vec<f64>,
    /// One row per observation.
    pub residuals: Vec<Residual>,
    /// Iterations, evaluations, termination, starts.
    pub report: FitReport,
}

impl Fit {
    /// The estimate of the parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&ParameterEstimate> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Whether every estimated parameter is identifiable (and so `covariance` is `Some`).
    pub fn identifiable(&self) -> bool {
        self.covariance.is_some()
    }
}

/// Fits the `problem`'s parameters to its observations by weighted least squares.
///
/// `model(x, predictions)` writes the model's prediction of every observation (in the order of
/// `problem.observations`) for the full parameter vector `x` (original units, in the order of
/// `problem.parameters`, fixed ones at their start). It is only ever called with every
/// parameter inside its bounds.
///
/// The caller's start runs first, then [`FitOptions::starts`] drawn ones; the least-cost
/// result is kept. A start from which the model fails is recorded in the report and skipped;
/// the fit fails only when every start does (with the error of the first).
///
/// # Errors
/// [`FitError::TooFewObservations`] (`m <= p`), [`FitError::NoFreeParameters`],
/// [`FitError::InvalidParameter`], [`FitError::InvalidObservation`],
/// [`FitError::InvalidWeight`], [`FitError::LengthMismatch`] and [`FitError::InvalidOptions`]
/// for bad input; [`FitError::Model`] and [`FitError::NonFinite`] when the model fails or
/// returns NaN or infinity (except at a trial point of a step, which is then just rejected).
pub fn fit<E, F>(problem: &Problem, model: F, options: &FitOptions) -> Result<Fit, FitError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    problem.validate()?;
    options.validate()?;
    let mut eval = Evaluator::new(problem, model, options.fd_step);
    let mut starts = vec![eval.start().to_vec()];
    starts.extend(crate::starts::draw(&problem.parameters, &eval.free, options.starts, options.seed));
    let mut reports = Vec::with_capacity(starts.len());
    let mut best: Option<(usize, LocalMinimum)> = None;
    let mut first_error = None;
    for (index, z0) in starts.iter().enumerate() {
        let start = eval.original(z0);
        match minimise(&mut eval, z0, options) {
            Ok(local) => {
                reports.push(StartReport {
                    start,
                    cost: Some(local.cost),
                    termination: Some(local.termination),
                    iterations: local.iterations,
                });
                if best.as_ref().is_none_or(|(_, b)| local.cost < b.cost) {
                    best = Some((index, local));
                }
            }
            Err(e) => {
                reports.push(StartReport { start, cost: None, termination: None, iterations: 0 });
                first_error.get_or_insert(e);
            }
        }
    }
    let Some((best_start, local)) = best else {
        return Err(first_error.unwrap_or(FitError::NoFreeParameters));
    };
    summarise(problem, &mut eval, local, best_start, reports, options)
}

/// The statistics and the result at the best start's optimum.
fn summarise<E, F>(
    problem: &Problem,
    eval: &mut Evaluator<'_, F>,
    local: LocalMinimum,
    best_start: usize,
    starts: Vec<StartReport>,
    options: &FitOptions,
) -> Result<Fit, FitError<E>>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), E>,
{
    let m = problem.observations.len();
    let x = eval.original(&local.z);
    let mut jac = DMatrix::zeros(m, local.z.len());
    eval.jacobian(&local.z, &mut jac)?;
    let predicted = eval.predictions(&local.z)?;
    let dof = problem.informative_observations() - eval.free.len();
    let s2 = local.cost / dof as f64;
    let t = student_t_quantile(0.5 + 0.5 * options.confidence_level, dof as f64);
    let analysis = analyse(problem, &eval.free, &Optimum { z: &local.z, x: &x, jac: &jac, s2, t }, options);
    let y = &problem.observations;
    let w = &problem.weights;
    let residuals: Vec<Residual> = (0..m)
        .map(|i| Residual {
            observed: y[i],
            predicted: predicted[i],
            residual: y[i] - predicted[i],
            weighted_residual: w[i].sqrt() * (y[i] - predicted[i]),
        })
        .collect();
    let ss_res: f64 = residuals.iter().map(|r| r.residual * r.residual).sum();
    let mean = y.iter().sum::<f64>() / m as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let w_sum: f64 = w.iter().sum();
    let w_mean = (0..m).map(|i| w[i] * y[i]).sum::<f64>() / w_sum;
    let w_ss_tot: f64 = (0..m).map(|i| w[i] * (y[i] - w_mean).powi(2)).sum();
    let ratio = |num: f64, den: f64| if den > 0.0 { 1.0 - num / den } else { f64::NAN };
    Ok(Fit {
        parameters: analysis.parameters,
        cost: local.cost,
        degrees_of_freedom: dof,
        residual_variance: s2,
        residual_standard_error: s2.sqrt(),
        rmse: (ss_res / m as f64).sqrt(),
        r_squared: ratio(ss_res, ss_tot),
        weighted_r_squared: ratio(local.cost, w_ss_tot),
        t_quantile: t,
        correlation: analysis.correlation,
        covariance: analysis.covariance,
        singular_values: analysis.singular_values,
        residuals,
        report: FitReport {
            best_start,
            iterations: local.iterations,
            termination: local.termination,
            evaluations: eval.evaluations,
            starts,
        },
    })
}
