//! `calx fit`: rate-law parameters estimated from batch lab data, with their uncertainty.
//!
//! [`FitJob::load`] reads a fit file (`calx_flowsheet::parse_fit`, docs/fit.md) and the CSV
//! it names ([`data`]); [`FitJob::run`] builds the model — per experiment the batch
//! conversion curve of the rate law at the experiment's temperature, CO2 partial pressure
//! and particle size (`calx_kinetics::batch_curve`) — and hands it to the weighted
//! Levenberg–Marquardt of `calx_fit` with multi-start. The [`FitOutcome`] holds the estimates
//! in the units people read them in, the statistics, a residual per point, model curves for
//! plots, and two blocks of YAML: the parameters for a carbonator's or hydrator's `params:`
//! and, when every estimate is identifiable, a `correlated:` group that carries the fitted
//! covariance into a `calx study`.
//!
//! This module reads the two files it is given and nothing else.

pub mod data;

use std::path::{Path, PathBuf};

use calx_core::UnitTable;
use calx_fit::{FitOptions, Parameter, Problem};
use calx_flowsheet::{Diagnostics, FitSpec};
use calx_kinetics::{Conditions, KineticsError, RateForm, RateLaw};

pub use calx_fit::{Fit, Identifiability, ParameterEstimate, ParameterStatus, Unidentifiable};
pub use data::{Experiment, LabData, Point, parse_lab_data};

use crate::LoadError;

/// A fit file with its data, ready to run.
#[derive(Clone, Debug)]
pub struct FitJob {
    /// The decoded fit file.
    pub spec: FitSpec,
    /// The experiments.
    pub data: LabData,
    /// The data file's path as resolved (relative to the fit file).
    pub data_path: PathBuf,
}

/// Why a fit gave no result.
#[derive(Debug, thiserror::Error)]
pub enum FitFailure {
    /// The least-squares problem was refused or failed (too few points, a model that failed).
    #[error("the fit failed: {0}")]
    Fit(#[from] calx_fit::FitError<KineticsError>),
    /// The rate law failed at the fitted values (for the predictions and curves).
    #[error("the rate law at the fitted values: {0}")]
    Model(#[from] KineticsError),
}

impl FitFailure {
    /// Whether the input is at fault (too few points for the free parameters, bounds or
    /// weights the least squares refuse) rather than the model's evaluation.
    pub fn is_invalid_input(&self) -> bool {
        use calx_fit::FitError as E;
        matches!(
            self,
            FitFailure::Fit(
                E::TooFewObservations { .. }
                    | E::NoFreeParameters
                    | E::InvalidParameter { .. }
                    | E::InvalidObservation { .. }
                    | E::InvalidWeight { .. }
            )
        )
    }
}

/// One parameter of the result, in the unit it is written in (`1/h`, `kJ/mol`).
#[derive(Clone, Debug, PartialEq)]
pub struct FittedParameter {
    /// Name as in fit files and unit parameters.
    pub name: String,
    /// Display unit ("" for plain numbers).
    pub unit: String,
    /// Value in `unit`.
    pub value: f64,
    /// Whether it was fitted (else fixed).
    pub free: bool,
    /// The estimate with its statistics (SI).
    pub estimate: calx_fit::ParameterEstimate,
    /// SI value of one `unit` (to convert the estimate's SI numbers).
    pub unit_factor: f64,
}

/// A model curve of one experiment (for plots).
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Experiment id.
    pub experiment: String,
    /// Times, s.
    pub times: Vec<f64>,
    /// Conversions.
    pub conversions: Vec<f64>,
}

/// One point with its fit.
#[derive(Clone, Debug, PartialEq)]
pub struct PointFit {
    /// Experiment id.
    pub experiment: String,
    /// Time, s.
    pub time: f64,
    /// Measured conversion.
    pub observed: f64,
    /// Model conversion.
    pub predicted: f64,
    /// Line in the data file.
    pub line: u32,
}

/// Everything `calx fit` reports.
#[derive(Clone, Debug)]
pub struct FitOutcome {
    /// The fit's name.
    pub name: String,
    /// The rate law.
    pub rate_law: String,
    /// Every parameter of the law, fitted or fixed.
    pub parameters: Vec<FittedParameter>,
    /// The statistics (SI values).
    pub fit: calx_fit::Fit,
    /// Each point with its prediction, in data-file order.
    pub points: Vec<PointFit>,
    /// Model curves per experiment.
    pub curves: Vec<Curve>,
    /// Columns of the data the model does not read.
    pub unused_columns: Vec<String>,
    /// YAML for a carbonator's or hydrator's `params:` (mode: rate).
    pub flowsheet_block: String,
    /// A `correlated:` group for a study file, when every estimate is identifiable.
    pub study_block: Option<String>,
}

impl FitJob {
    /// Read a fit file and the data file it names.
    pub fn load(path: &Path) -> Result<FitJob, LoadError> {
        let read =
            |p: &Path| std::fs::read_to_string(p).map_err(|source| LoadError::Io { path: p.to_path_buf(), source });
        let text = read(path)?;
        let spec = calx_flowsheet::parse_fit(&text, &path.display().to_string())?;
        let data_path = path.parent().unwrap_or(Path::new(".")).join(&spec.data);
        let data_text = match read(&data_path) {
            Ok(t) => t,
            Err(LoadError::Io { source, .. }) => {
                let message = format!("cannot read the data file {}: {source}", data_path.display());
                let d = calx_flowsheet::Diagnostic::new(spec.data_loc, "data", message);
                return Err(Diagnostics::of(&path.display().to_string(), &text, vec![d]).into());
            }
            Err(e) => return Err(e),
        };
        let data = parse_lab_data(&data_text, &data_path.display().to_string(), spec.measured, &spec.model)?;
        Ok(FitJob { spec, data, data_path })
    }

    /// A fit from texts (`fit_file` and `data_file` name them in messages).
    pub fn from_texts(fit_text: &str, fit_file: &str, data_text: &str, data_file: &str) -> Result<FitJob, Diagnostics> {
        let spec = calx_flowsheet::parse_fit(fit_text, fit_file)?;
        let data = parse_lab_data(data_text, data_file, spec.measured, &spec.model)?;
        Ok(FitJob { spec, data, data_path: PathBuf::from(data_file) })
    }

    /// Fit the rate law to the data.
    pub fn run(&self) -> Result<FitOutcome, FitFailure> {
        let spec = &self.spec;
        let observed: Vec<f64> = self.points().map(|(_, p)| p.conversion).collect();
        let weights: Vec<f64> = self.points().map(|(_, p)| p.sigma.map_or(1.0, |s| 1.0 / (s * s))).collect();
        let parameters = spec.parameters.iter().map(problem_parameter).collect();
        let problem = Problem::new(parameters, observed).with_weights(weights);
        let options = FitOptions { starts: spec.starts, seed: spec.seed, ..FitOptions::default() };
        let fit = calx_fit::fit(&problem, |p: &[f64], out: &mut [f64]| self.predict(p, out), &options)?;
        let values: Vec<f64> = fit.parameters.iter().map(|e| e.value).collect();
        let mut predicted = vec![0.0; problem.observations.len()];
        self.predict(&values, &mut predicted)?;
        let points = self
            .points()
            .zip(&predicted)
            .map(|((e, p), &y)| PointFit {
                experiment: e.id.clone(),
                time: p.time,
                observed: p.conversion,
                predicted: y,
                line: p.line,
            })
            .collect();
        let curves = self.curves(&values)?;
        let parameters = displayed(spec, &fit);
        let flowsheet_block = flowsheet_block(spec, &parameters, &fit);
        let study_block = study_block(spec, &parameters, &fit);
        Ok(FitOutcome {
            name: spec.name.clone(),
            rate_law: spec.model.rate_law.to_string(),
            parameters,
            fit,
            points,
            curves,
            unused_columns: self.data.unused.clone(),
            flowsheet_block,
            study_block,
        })
    }

    fn points(&self) -> impl Iterator<Item = (&Experiment, &Point)> {
        self.data.experiments.iter().flat_map(|e| e.points.iter().map(move |p| (e, p)))
    }

    /// The rate law for parameter values `p` (in [`calx_flowsheet::law_parameters`] order).
    fn law(&self, p: &[f64]) -> RateLaw {
        let m = &self.spec.model;
        let shape = p.get(5).copied().unwrap_or(0.0);
        let form = match m.rate_law {
            "shrinking_core_diffusion" => RateForm::ShrinkingCoreDiffusion,
            "shrinking_core_mixed" => RateForm::ShrinkingCoreMixed { diffusion_ratio: shape },
            "avrami" => RateForm::Avrami { n: shape },
            "power_law" => RateForm::PowerLaw { order: shape },
            _ => RateForm::ShrinkingCoreReaction,
        };
        RateLaw {
            form,
            k_ref: p[0],
            t_ref: m.reference_temperature,
            activation_energy: p[1],
            co2_order: p[2],
            co2_ref: m.reference_pco2,
            size_exponent: p[3],
            d_ref: m.reference_particle_size,
            x_max: p[4],
        }
    }

    /// Model conversions at every point, in data-file order.
    fn predict(&self, p: &[f64], out: &mut [f64]) -> Result<(), KineticsError> {
        let law = self.law(p);
        let mut at = 0;
        let mut times = Vec::new();
        let mut curve = Vec::new();
        for e in &self.data.experiments {
            times.clear();
            times.extend(e.points.iter().map(|p| p.time));
            curve.resize(times.len(), 0.0);
            batch_at_times(&law, &conditions(e), &times, &mut curve)?;
            out[at..at + times.len()].copy_from_slice(&curve);
            at += times.len();
        }
        Ok(())
    }

    /// 61 points from 0 to 1.05 times the last measured time of each experiment.
    fn curves(&self, p: &[f64]) -> Result<Vec<Curve>, KineticsError> {
        let law = self.law(p);
        let mut curves = Vec::new();
        for e in &self.data.experiments {
            let end = e.points.iter().map(|p| p.time).fold(0.0, f64::max) * 1.05;
            let times: Vec<f64> = (0..=60).map(|i| end * f64::from(i) / 60.0).collect();
            let mut conversions = vec![0.0; times.len()];
            batch_at_times(&law, &conditions(e), &times, &mut conversions)?;
            curves.push(Curve { experiment: e.id.clone(), times, conversions });
        }
        Ok(curves)
    }
}

fn conditions(e: &Experiment) -> Conditions {
    Conditions { temperature: e.temperature, co2: e.pco2, particle_size: e.particle_size }
}

/// The batch curve at `times` in any order (the integrator wants them ascending).
fn batch_at_times(law: &RateLaw, cond: &Conditions, times: &[f64], out: &mut [f64]) -> Result<(), KineticsError> {
    if times.windows(2).all(|w| w[0] <= w[1]) {
        return calx_kinetics::batch_curve(law, cond, times, out);
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| times[i]).collect();
    let mut values = vec![0.0; times.len()];
    calx_kinetics::batch_curve(law, cond, &sorted, &mut values)?;
    for (&i, v) in order.iter().zip(values) {
        out[i] = v;
    }
    Ok(())
}

/// A fit-file parameter as a least-squares parameter, within the range its law allows:
/// ultimate conversion in (0, 1], shape parameters and rate constants not negative.
fn problem_parameter(p: &calx_flowsheet::FitParameter) -> Parameter {
    let (natural_lo, natural_hi) = match p.kind.name {
        "ultimate_conversion" => (1e-6, 1.0),
        "rate_constant" | "avrami_exponent" => (1e-300, f64::INFINITY),
        "reaction_order" | "diffusion_ratio" => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let mut q = Parameter::new(p.kind.name, p.value);
    if !p.free {
        return q.fixed();
    }
    q = q.bounded(p.min.max(natural_lo), p.max.min(natural_hi));
    if p.log_scale { q.log() } else { q }
}

/// SI value of one `unit`.
fn unit_factor(unit: &str) -> f64 {
    if unit.is_empty() {
        return 1.0;
    }
    UnitTable::builtin().parse(&format!("1 {unit}")).map_or(1.0, |q| q.value)
}

fn displayed(spec: &FitSpec, fit: &calx_fit::Fit) -> Vec<FittedParameter> {
    spec.parameters
        .iter()
        .zip(&fit.parameters)
        .map(|(p, e)| {
            let factor = unit_factor(p.kind.unit);
            FittedParameter {
                name: p.kind.name.to_string(),
                unit: p.kind.unit.to_string(),
                value: e.value / factor,
                free: p.free,
                estimate: e.clone(),
                unit_factor: factor,
            }
        })
        .collect()
}

/// A number with 6 significant digits, as YAML reads it.
fn num(x: f64) -> String {
    let s = format!("{x:.6e}");
    let v: f64 = s.parse().unwrap_or(x);
    if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-4) { s } else { format!("{}", v) }
}

fn with_unit(p: &FittedParameter) -> String {
    if p.unit.is_empty() { num(p.value) } else { format!("{} {}", num(p.value), p.unit) }
}

/// Whether the reactant is an oxide (a hydrator's): its block has no CO2 parameters.
fn hydration(spec: &FitSpec) -> bool {
    matches!(spec.reactant.as_str(), "CaO" | "MgO")
}

fn flowsheet_block(spec: &FitSpec, params: &[FittedParameter], fit: &calx_fit::Fit) -> String {
    let get = |name: &str| params.iter().find(|p| p.name == name);
    let r = &spec.reactant;
    let m = &spec.model;
    let mut lines = vec![
        format!(
            "# calx fit `{}`: {} points, R^2 {:.4}, RMSE {:.4}; paste into the unit's params:",
            spec.name,
            fit.residuals.len(),
            fit.r_squared,
            fit.rmse
        ),
        "mode: rate".to_string(),
        format!("rate_law: {}", m.rate_law),
    ];
    for name in ["rate_constant", "activation_energy", "ultimate_conversion"] {
        if let Some(p) = get(name) {
            lines.push(format!("{name}: {{ {r}: {} }}", with_unit(p)));
        }
    }
    for name in ["avrami_exponent", "reaction_order", "diffusion_ratio", "size_exponent"] {
        if let Some(p) = get(name) {
            lines.push(format!("{name}: {}", num(p.value)));
        }
    }
    lines.push(format!("reference_temperature: {} degC", num(m.reference_temperature - 273.15)));
    lines.push(format!("reference_particle_size: {} um", num(m.reference_particle_size * 1e6)));
    if !hydration(spec) {
        if let Some(p) = get("co2_order") {
            lines.push(format!("co2_order: {}", num(p.value)));
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

fn study_block(spec: &FitSpec, params: &[FittedParameter], fit: &calx_fit::Fit) -> Option<String> {
    let cov = fit.covariance.as_ref()?;
    let chosen: Vec<&FittedParameter> = cov.names.iter().filter_map(|n| params.iter().find(|p| &p.name == n)).collect();
    if chosen.len() != cov.names.len() || chosen.is_empty() {
        return None;
    }
    let unit_name = spec.unit.as_deref().unwrap_or("UNIT");
    let replace =
        if spec.unit.is_some() { "" } else { " (replace UNIT with the unit's name, or give `unit:` in the fit file)" };
    let mut out = format!(
        "# calx fit `{}`: the fitted parameters with their covariance{replace}\ncorrelated:\n  - parameters:\n",
        spec.name
    );
    for p in &chosen {
        let unit = if p.unit.is_empty() { String::new() } else { format!(", unit: {}", p.unit) };
        out.push_str(&format!("      - {{ path: {}{unit} }}\n", study_path(unit_name, &p.name, &spec.reactant)));
    }
    let mean: Vec<String> = chosen.iter().map(|p| num(p.value)).collect();
    out.push_str(&format!("    mean: [{}]\n    covariance:\n", mean.join(", ")));
    for (i, a) in chosen.iter().enumerate() {
        let row: Vec<String> =
            chosen.iter().enumerate().map(|(j, b)| num(cov.matrix[(i, j)] / (a.unit_factor * b.unit_factor))).collect();
        out.push_str(&format!("      - [{}]\n", row.join(", ")));
    }
    out.push_str(&format!(
        "    source: \"calx fit `{}`: {} points, covariance s^2 (J^T W J)^-1 from the Jacobian (docs/fit.md)\"\n",
        spec.name,
        fit.residuals.len()
    ));
    Some(out)
}

#[cfg(test)]
mod tests;
