//! The two blocks of YAML `calx fit` hands on: the parameters for a unit's `params:`, and a
//! `correlated:` group that carries the fitted covariance into `calx study`.
//!
//! Neither hands on what the data do not support: a parameter that is not identifiable is
//! commented out of the unit block with a warning, and the study block is withheld (with the
//! reason) when a parameter is not identifiable, the fit did not converge, or a normal with
//! the fitted spread would leave a parameter's range where a study tries it (mean ± 4 sd,
//! `calx_study::CORRELATED_CHECK_SD`). Log-scale parameters (rate constants) go to the study on
//! a log scale, so a wide rate constant stays positive. Study numbers are written in full
//! precision: rounding a near-singular covariance can make it indefinite.

use calx_flowsheet::{FitSpec, parameter_domain};

use super::{FittedParameter, Identifiability};

/// Standard deviations either side of the mean at which `calx study` tries a correlated
/// parameter (`calx_study::CORRELATED_CHECK_SD`; tests/it/fit.rs holds the two equal).
pub const STUDY_CHECK_SD: f64 = 4.0;

/// A number with 7 significant digits, as YAML reads it (the unit block, read by people).
fn num(x: f64) -> String {
    let s = format!("{x:.6e}");
    let v: f64 = s.parse().unwrap_or(x);
    if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-4) { s } else { format!("{v}") }
}

fn with_unit(p: &FittedParameter) -> String {
    if p.unit.is_empty() { num(p.value) } else { format!("{} {}", num(p.value), p.unit) }
}

/// Whether the block is for a hydrator: the reactant is an oxide and no CO2 order was fitted
/// or set (a carbonator converting CaO keeps its CO2 parameters).
fn hydration(spec: &FitSpec, params: &[FittedParameter]) -> bool {
    let oxide = matches!(spec.reactant.as_str(), "CaO" | "MgO");
    oxide && params.iter().any(|p| p.name == "co2_order" && !p.free && p.value == 0.0)
}

fn not_identified(p: &FittedParameter) -> bool {
    p.free && matches!(p.estimate.identifiability, Identifiability::Unidentifiable(_))
}

/// `line`, commented out with a warning when `p` is not identified by the data.
fn guarded(p: &FittedParameter, line: String) -> String {
    if not_identified(p) {
        format!("# NOT IDENTIFIED by these data, do not use without other evidence: {line}")
    } else {
        line
    }
}

/// The parameters for a carbonator's or hydrator's `params:` (`mode: rate`), with the
/// reference temperature `t_ref` (K) the rate constant is at.
pub(super) fn flowsheet_block(spec: &FitSpec, params: &[FittedParameter], fit: &calx_fit::Fit, t_ref: f64) -> String {
    let get = |name: &str| params.iter().find(|p| p.name == name);
    let (r, m) = (&spec.reactant, &spec.model);
    let mut lines = vec![format!(
        "# calx fit `{}`: {} points, R^2 {:.4}, RMSE {:.4}; paste into the unit's params:",
        spec.name,
        fit.residuals.len(),
        fit.r_squared,
        fit.rmse
    )];
    if params.iter().any(not_identified) {
        lines.push("# WARNING: the data do not determine every fitted parameter (see the estimates)".into());
    }
    if !fit.report.termination.converged() {
        lines.push(format!("# WARNING: the fit did not converge ({:?}): check the starts", fit.report.termination));
    }
    lines.push("mode: rate".into());
    lines.push(format!("rate_law: {}", m.rate_law));
    for name in ["rate_constant", "activation_energy", "ultimate_conversion"] {
        if let Some(p) = get(name) {
            lines.push(guarded(p, format!("{name}: {{ {r}: {} }}", with_unit(p))));
        }
    }
    for name in ["avrami_exponent", "reaction_order", "diffusion_ratio", "size_exponent"] {
        if let Some(p) = get(name) {
            lines.push(guarded(p, format!("{name}: {}", num(p.value))));
        }
    }
    lines.push(format!("reference_temperature: {} degC", num(t_ref - 273.15)));
    lines.push(format!("reference_particle_size: {} um", num(m.reference_particle_size * 1e6)));
    if !hydration(spec, params) {
        if let Some(p) = get("co2_order") {
            lines.push(guarded(p, format!("co2_order: {}", num(p.value))));
        }
        lines.push(format!("reference_pco2: {} bar", num(m.reference_pco2 / 1e5)));
    }
    lines.join("\n") + "\n"
}

/// The study path of a parameter of `unit` (the fit file's `unit:`, else `UNIT` to replace).
fn study_path(unit: &str, name: &str, reactant: &str) -> String {
    match name {
        "rate_constant" | "activation_energy" | "ultimate_conversion" => format!("units.{unit}.{name}.{reactant}"),
        _ => format!("units.{unit}.{name}"),
    }
}

/// Why `calx fit` hands no covariance on to a study.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StudyBlockWithheld {
    /// The best start did not converge.
    #[error("the fit did not converge ({termination}): no covariance is handed on")]
    NotConverged {
        /// How it ended.
        termination: String,
    },
    /// A fitted parameter is not identifiable, so there is no covariance.
    #[error("a fitted parameter is not identifiable from these data: no covariance is handed on")]
    NotIdentifiable,
    /// Every free parameter ended at a bound.
    #[error("every fitted parameter ended at a bound: nothing was estimated")]
    NothingEstimated,
    /// The covariance names a parameter the fit does not have (a defect, not an input).
    #[error("no parameter `{0}`")]
    UnknownParameter(String),
    /// A normal with the fitted spread leaves the parameter's range where a study tries it.
    #[error(
        "`{name}`: mean ± {STUDY_CHECK_SD} sd runs from {low:e} to {high:e} (SI), outside {lo} to {hi}, which a study tries and the unit refuses; no covariance is handed on"
    )]
    OutOfRange {
        /// The parameter.
        name: String,
        /// Mean - 4 sd, SI.
        low: f64,
        /// Mean + 4 sd, SI.
        high: f64,
        /// Lowest value allowed.
        lo: f64,
        /// Highest value allowed.
        hi: f64,
    },
}

/// The fitted parameters of the covariance, in its order, with their log-scale flags.
fn members<'a>(
    spec: &FitSpec,
    params: &'a [FittedParameter],
    names: &[String],
) -> Result<Vec<(&'a FittedParameter, bool)>, StudyBlockWithheld> {
    names
        .iter()
        .map(|n| {
            let p =
                params.iter().find(|p| &p.name == n).ok_or_else(|| StudyBlockWithheld::UnknownParameter(n.clone()))?;
            let log = spec.parameters.iter().any(|q| q.kind.name == n.as_str() && q.log_scale);
            Ok((p, log))
        })
        .collect()
}

/// A `correlated:` group of the fitted parameters, or why none is given.
pub(super) fn study_block(
    spec: &FitSpec,
    params: &[FittedParameter],
    fit: &calx_fit::Fit,
) -> Result<String, StudyBlockWithheld> {
    if !fit.report.termination.converged() {
        return Err(StudyBlockWithheld::NotConverged { termination: format!("{:?}", fit.report.termination) });
    }
    let cov = fit.covariance.as_ref().ok_or(StudyBlockWithheld::NotIdentifiable)?;
    if cov.names.is_empty() {
        return Err(StudyBlockWithheld::NothingEstimated);
    }
    let chosen = members(spec, params, &cov.names)?;
    // Mean and covariance in the study's terms: display units, or ln of the display value
    // (cov_ln = cov / (x_a x_b), the delta method the fit's log coordinates rest on).
    let scale: Vec<f64> = chosen.iter().map(|(p, log)| if *log { p.estimate.value } else { p.unit_factor }).collect();
    let mean: Vec<f64> = chosen.iter().map(|(p, log)| if *log { p.value.ln() } else { p.value }).collect();
    let k = chosen.len();
    let matrix: Vec<Vec<f64>> =
        (0..k).map(|a| (0..k).map(|b| cov.matrix[(a, b)] / (scale[a] * scale[b])).collect()).collect();
    for (a, (p, log)) in chosen.iter().enumerate() {
        if *log {
            continue;
        }
        let (lo, hi) = parameter_domain(&p.name);
        let reach = STUDY_CHECK_SD * matrix[a][a].sqrt();
        let (low, high) = ((mean[a] - reach) * p.unit_factor, (mean[a] + reach) * p.unit_factor);
        if low < lo || high > hi {
            return Err(StudyBlockWithheld::OutOfRange { name: p.name.clone(), low, high, lo, hi });
        }
    }
    let unit_name = spec.unit.as_deref().unwrap_or("UNIT");
    let replace =
        if spec.unit.is_some() { "" } else { " (replace UNIT with the unit's name, or give `unit:` in the fit file)" };
    let mut out = format!(
        "# calx fit `{}`: the fitted parameters with their covariance{replace}\ncorrelated:\n  - parameters:\n",
        spec.name
    );
    for (p, log) in &chosen {
        let unit = if p.unit.is_empty() { String::new() } else { format!(", unit: {}", p.unit) };
        let scale = if *log { ", scale: log" } else { "" };
        out.push_str(&format!("      - {{ path: {}{unit}{scale} }}\n", study_path(unit_name, &p.name, &spec.reactant)));
    }
    let mean: Vec<String> = mean.iter().map(|m| format!("{m:e}")).collect();
    out.push_str(&format!("    mean: [{}]\n    covariance:\n", mean.join(", ")));
    for row in &matrix {
        let row: Vec<String> = row.iter().map(|c| format!("{c:e}")).collect();
        out.push_str(&format!("      - [{}]\n", row.join(", ")));
    }
    out.push_str(&format!(
        "    source: \"calx fit `{}`: {} points, covariance s^2 (J^T W J)^-1 from the Jacobian (docs/fit.md)\"\n",
        spec.name,
        fit.residuals.len()
    ));
    Ok(out)
}
