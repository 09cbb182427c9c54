//! Statistics at the optimum: covariance, standard errors, confidence intervals, correlation
//! and identifiability, from the singular value decomposition of the weighted Jacobian.
//!
//! The linearised theory is that of Bates & Watts ("Nonlinear Regression Analysis and Its
//! Applications", 1988, ch. 2) and Seber & Wild ("Nonlinear Regression", 1989, ch. 2 and 5):
//! with `p` free parameters, `m` observations of positive weight and `S` the weighted residual
//! sum of squares, the residual variance is `s^2 = S / (m - p)` and the covariance of the
//! estimates `s^2 (J^T W J)^-1`, with `J = df/dx` at the optimum.
//!
//! The inverse is taken through the SVD of `J W^(1/2)` with each column scaled to unit norm,
//! which makes its singular values independent of the parameters' units: a direction whose
//! singular value is below [`crate::FitOptions::rank_tol`] times the largest is not determined
//! by the data, and is left out (a pseudo-inverse) rather than reported with an enormous or
//! meaningless variance. Log parameters are estimated as `z = ln x`; their covariance is
//! carried to `x` by the chain rule, `cov(x_a, x_b) = x_a x_b cov(z_a, z_b)`.

use nalgebra::DMatrix;

use crate::{FitOptions, Problem, Transform};

/// Why a parameter is not identifiable from the data (rank deficiency), or what weakens its
/// estimate (a strong correlation, a large relative error: [`ParameterEstimate::warnings`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Unidentifiable {
    /// The weighted, column-scaled Jacobian is (nearly) rank-deficient along a direction in
    /// which this parameter has a large component: the data do not change when the parameters
    /// named in `null_space` move together along it.
    RankDeficient {
        /// Singular value of the direction divided by the largest (below
        /// [`FitOptions::rank_tol`]).
        singular_value_ratio: f64,
        /// The parameters with a component of at least 0.1 in the (unit, column-scaled)
        /// null-space vector, this one included, largest component first.
        null_space: Vec<String>,
    },
    /// The standard error exceeds [`FitOptions::max_relative_standard_error`] times the value
    /// (a warning).
    LargeUncertainty {
        /// Standard error divided by `|value|` (infinite for a value of zero).
        relative_standard_error: f64,
    },
    /// The absolute correlation with another parameter exceeds
    /// [`FitOptions::max_correlation`] (a warning: re-centring a reference, such as an
    /// Arrhenius reference temperature near the data's, often removes it).
    Correlated {
        /// The other parameter.
        with: String,
        /// The correlation coefficient.
        correlation: f64,
    },
}

/// Whether a parameter's uncertainty can be trusted.
#[derive(Clone, Debug, PartialEq)]
pub enum Identifiability {
    /// Determined by the data: its standard error and interval are meaningful (to the extent
    /// the linearisation is).
    Identifiable,
    /// Fixed, or held at a bound: not estimated, so not assessed.
    NotAssessed,
    /// Not determined by the data: the Jacobian is (nearly) rank-deficient in a direction this
    /// parameter moves in (the reasons list it); no standard error or interval is reported.
    Unidentifiable(Vec<Unidentifiable>),
}

/// Where a parameter ended up relative to its definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterStatus {
    /// Estimated, strictly inside its bounds.
    Estimated,
    /// Fixed by the caller.
    Fixed,
    /// Estimated but ended at its lower bound: the data would move it further. It is then
    /// treated as fixed in the statistics (the linearised covariance does not hold at an
    /// active bound).
    AtLowerBound,
    /// Estimated but ended at its upper bound (see [`ParameterStatus::AtLowerBound`]).
    AtUpperBound,
}

/// One parameter of the result.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterEstimate {
    /// The parameter's name.
    pub name: String,
    /// The estimate (original units).
    pub value: f64,
    /// Estimated, fixed or at a bound.
    pub status: ParameterStatus,
    /// Whether the data determine it.
    pub identifiability: Identifiability,
    /// Standard error (original units); `None` unless [`Identifiability::Identifiable`].
    pub standard_error: Option<f64>,
    /// The linearised standard error whenever it exists (the parameter is estimated and not
    /// part of a rank-deficient direction), whatever the identifiability verdict: for
    /// diagnosis, and for a caller that applies its own criteria (a different correlation
    /// threshold, say). It is not the parameter's reported uncertainty: that is
    /// `standard_error`.
    pub linearised_standard_error: Option<f64>,
    /// Standard error divided by `|value|`; `None` unless identifiable.
    pub relative_standard_error: Option<f64>,
    /// What weakens the estimate without making it undetermined: a correlation above
    /// [`FitOptions::max_correlation`] with another parameter, a relative standard error above
    /// [`FitOptions::max_relative_standard_error`]. The standard error and interval are still
    /// given (they carry the weakness), and so is the covariance: a strong correlation is
    /// exactly what a correlated study draws.
    pub warnings: Vec<Unidentifiable>,
    /// Confidence interval at [`FitOptions::confidence_level`], `(low, high)`; `None` unless
    /// identifiable. For a linear parameter `value -/+ t SE`; for a log parameter
    /// `exp(ln value -/+ t SE_ln)` with `SE_ln = SE / value`, which stays positive and is the
    /// interval the optimiser's own (logarithmic) linearisation supports.
    pub confidence_interval: Option<(f64, f64)>,
}

/// The covariance of the estimated parameters, ready for a multivariate-normal sampler.
#[derive(Clone, Debug, PartialEq)]
pub struct Covariance {
    /// Names of the parameters, in the order of `mean` and the matrix rows: the estimated ones
    /// (not fixed, not at a bound) in the problem's order.
    pub names: Vec<String>,
    /// Their estimates (original units).
    pub mean: Vec<f64>,
    /// `s^2 (J^T W J)^-1` in original units (symmetric, positive definite).
    pub matrix: DMatrix<f64>,
}

/// What [`analyse`] finds.
pub(crate) struct Analysis {
    pub(crate) parameters: Vec<ParameterEstimate>,
    pub(crate) correlation: Vec<Vec<Option<f64>>>,
    pub(crate) covariance: Option<Covariance>,
    pub(crate) singular_values: Vec<f64>,
}

/// The SVD of the column-scaled Jacobian of the estimated parameters and what follows from it.
struct Decomposition {
    /// Singular values, largest first.
    singular_values: Vec<f64>,
    /// Pseudo-inverse of `Js^T Js` (column-scaled coordinates), rank-deficient directions
    /// left out.
    inverse: DMatrix<f64>,
    /// Column norms of the unscaled Jacobian.
    norms: Vec<f64>,
    /// Per estimated parameter, the rank-deficiency reasons found.
    deficient: Vec<Vec<Unidentifiable>>,
}

/// SVD of `jac` (columns: estimated parameters) with unit-norm columns.
fn decompose(jac: &DMatrix<f64>, names: &[&str], rank_tol: f64) -> Decomposition {
    let q = jac.ncols();
    if q == 0 {
        // Every free parameter ended at a bound: nothing is estimated (nalgebra's SVD of an
        // empty matrix panics).
        return Decomposition {
            singular_values: Vec::new(),
            inverse: DMatrix::zeros(0, 0),
            norms: Vec::new(),
            deficient: Vec::new(),
        };
    }
    let norms: Vec<f64> = (0..q).map(|k| jac.column(k).norm()).collect();
    let scaled = DMatrix::from_fn(jac.nrows(), q, |i, k| if norms[k] > 0.0 { jac[(i, k)] / norms[k] } else { 0.0 });
    let svd = scaled.svd(false, true);
    let v_t = svd.v_t.unwrap_or_else(|| DMatrix::identity(q, q));
    let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
    order.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]));
    let largest = order.first().map_or(0.0, |&i| svd.singular_values[i]);
    let mut inverse = DMatrix::zeros(q, q);
    let mut deficient = vec![Vec::new(); q];
    for &i in &order {
        let sigma = svd.singular_values[i];
        let v = v_t.row(i).transpose();
        let ratio = if largest > 0.0 { sigma / largest } else { 0.0 };
        if ratio >= rank_tol {
            inverse += &v * v.transpose() / (sigma * sigma);
            continue;
        }
        let mut members: Vec<usize> = (0..q).filter(|&k| v[k].abs() >= 0.1).collect();
        members.sort_by(|&a, &b| v[b].abs().total_cmp(&v[a].abs()));
        let null_space: Vec<String> = members.iter().map(|&k| names[k].to_string()).collect();
        for &k in &members {
            deficient[k]
                .push(Unidentifiable::RankDeficient { singular_value_ratio: ratio, null_space: null_space.clone() });
        }
    }
    Decomposition {
        singular_values: order.iter().map(|&i| svd.singular_values[i]).collect(),
        inverse,
        norms,
        deficient,
    }
}

/// The optimum the statistics are taken at.
pub(crate) struct Optimum<'a> {
    /// Internal coordinates of the free parameters.
    pub(crate) z: &'a [f64],
    /// All parameters, original units.
    pub(crate) x: &'a [f64],
    /// `dr/dz` of the weighted residuals (m x free parameters).
    pub(crate) jac: &'a DMatrix<f64>,
    /// Residual variance `s^2`.
    pub(crate) s2: f64,
    /// Student t quantile of the confidence level.
    pub(crate) t: f64,
}

/// Statistics at the optimum.
pub(crate) fn analyse(problem: &Problem, free: &[usize], at: &Optimum<'_>, options: &FitOptions) -> Analysis {
    let Optimum { z, x, jac, s2, t } = *at;
    let n = problem.parameters.len();
    let mut status: Vec<ParameterStatus> = problem
        .parameters
        .iter()
        .map(|p| if p.fixed { ParameterStatus::Fixed } else { ParameterStatus::Estimated })
        .collect();
    let mut estimated = Vec::new();
    for (k, &i) in free.iter().enumerate() {
        let (lo, hi) = problem.parameters[i].internal_bounds();
        status[i] = if z[k] <= lo {
            ParameterStatus::AtLowerBound
        } else if z[k] >= hi {
            ParameterStatus::AtUpperBound
        } else {
            estimated.push((k, i));
            ParameterStatus::Estimated
        };
    }
    let names: Vec<&str> = estimated.iter().map(|&(_, i)| problem.parameters[i].name.as_str()).collect();
    let sub = DMatrix::from_fn(jac.nrows(), estimated.len(), |r, c| jac[(r, estimated[c].0)]);
    let d = decompose(&sub, &names, options.rank_tol);
    let q = estimated.len();
    // dx/dz per estimated parameter, and the covariance in original units.
    let dxdz: Vec<f64> = estimated
        .iter()
        .map(|&(_, i)| if problem.parameters[i].transform == Transform::Log { x[i] } else { 1.0 })
        .collect();
    let cov = DMatrix::from_fn(q, q, |a, b| s2 * d.inverse[(a, b)] / (d.norms[a] * d.norms[b]) * dxdz[a] * dxdz[b]);
    let deficient: Vec<bool> = d.deficient.iter().map(|r| !r.is_empty()).collect();
    let mut warnings: Vec<Vec<Unidentifiable>> = vec![Vec::new(); q];
    let mut correlation = vec![vec![None; n]; n];
    for a in (0..q).filter(|&a| !deficient[a]) {
        for b in (0..q).filter(|&b| !deficient[b]) {
            let r = d.inverse[(a, b)] / (d.inverse[(a, a)] * d.inverse[(b, b)]).sqrt();
            correlation[estimated[a].1][estimated[b].1] = Some(if a == b { 1.0 } else { r });
            if a != b && r.abs() > options.max_correlation {
                warnings[a].push(Unidentifiable::Correlated { with: names[b].to_string(), correlation: r });
            }
        }
    }
    let mut reasons = d.deficient;
    let mut parameters: Vec<ParameterEstimate> = problem
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| ParameterEstimate {
            name: p.name.clone(),
            value: x[i],
            status: status[i],
            identifiability: Identifiability::NotAssessed,
            standard_error: None,
            linearised_standard_error: None,
            relative_standard_error: None,
            warnings: Vec::new(),
            confidence_interval: None,
        })
        .collect();
    for (a, &(_, i)) in estimated.iter().enumerate() {
        let se = cov[(a, a)].max(0.0).sqrt();
        let rse = if x[i] != 0.0 {
            se / x[i].abs()
        } else if se == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        if !deficient[a] && rse > options.max_relative_standard_error {
            warnings[a].push(Unidentifiable::LargeUncertainty { relative_standard_error: rse });
        }
        let estimate = &mut parameters[i];
        estimate.warnings = std::mem::take(&mut warnings[a]);
        estimate.linearised_standard_error = (!deficient[a]).then_some(se);
        if reasons[a].is_empty() {
            estimate.identifiability = Identifiability::Identifiable;
            estimate.standard_error = Some(se);
            estimate.relative_standard_error = Some(rse);
            estimate.confidence_interval = Some(interval(x[i], se, t, problem.parameters[i].transform));
        } else {
            estimate.identifiability = Identifiability::Unidentifiable(std::mem::take(&mut reasons[a]));
        }
    }
    let all_identifiable =
        estimated.iter().all(|&(_, i)| parameters[i].identifiability == Identifiability::Identifiable);
    let covariance = all_identifiable.then(|| Covariance {
        names: names.iter().map(|s| s.to_string()).collect(),
        mean: estimated.iter().map(|&(_, i)| x[i]).collect(),
        matrix: cov,
    });
    Analysis { parameters, correlation, covariance, singular_values: d.singular_values }
}

/// The confidence interval of one parameter (see [`ParameterEstimate::confidence_interval`]).
fn interval(value: f64, se: f64, t: f64, transform: Transform) -> (f64, f64) {
    match transform {
        Transform::Linear => (value - t * se, value + t * se),
        Transform::Log => {
            let half = t * se / value;
            (value * (-half).exp(), value * half.exp())
        }
    }
}
