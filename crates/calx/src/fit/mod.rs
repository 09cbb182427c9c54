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

mod blocks;
pub mod data;

use std::path::{Path, PathBuf};

use calx_core::UnitTable;
use calx_fit::{FitOptions, Parameter, Problem};
use calx_flowsheet::{Diagnostics, FitSpec};
use calx_kinetics::{Conditions, KineticsError, RateForm, RateLaw};

pub use blocks::{STUDY_CHECK_SD, StudyBlockWithheld};
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
    /// The reference temperature the rate constant is at, K: the fit file's, or the data's
    /// (see [`FitJob::reference_temperature`]).
    pub reference_temperature: f64,
    /// Whether the best start converged, and how it ended.
    pub converged: bool,
    /// How the best start ended (`calx_fit::Termination`, in words).
    pub termination: String,
    /// YAML for a carbonator's or hydrator's `params:` (mode: rate); a parameter the data do
    /// not determine is commented out with a warning.
    pub flowsheet_block: String,
    /// A `correlated:` group for a study file, or why none is given (a parameter not
    /// identifiable, a fit that did not converge, a normal that would leave a parameter's
    /// range).
    pub study_block: Result<String, StudyBlockWithheld>,
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
        let t_ref = self.reference_temperature();
        let converged = fit.report.termination.converged();
        let flowsheet_block = blocks::flowsheet_block(spec, &parameters, &fit, t_ref);
        let study_block = blocks::study_block(spec, &parameters, &fit);
        Ok(FitOutcome {
            name: spec.name.clone(),
            rate_law: spec.model.rate_law.to_string(),
            parameters,
            reference_temperature: t_ref,
            converged,
            termination: format!("{:?}", fit.report.termination),
            fit,
            points,
            curves,
            unused_columns: self.data.unused.clone(),
            flowsheet_block,
            study_block,
        })
    }

    /// The Arrhenius reference temperature: the fit file's `reference_temperature`, else the
    /// data's own, 1 / mean(1/T) over the points rounded to a whole degree Celsius. Near the
    /// data the rate constant and the activation energy are nearly uncorrelated (at 25 degC
    /// with data at 75-85 degC they correlate at -0.996), so both are determined.
    pub fn reference_temperature(&self) -> f64 {
        if let Some(t) = self.spec.model.reference_temperature {
            return t;
        }
        let (n, sum) = self.points().fold((0.0, 0.0), |(n, s), (e, _)| (n + 1.0, s + 1.0 / e.temperature));
        if n == 0.0 {
            return 298.15;
        }
        (n / sum - 273.15).round() + 273.15
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
            t_ref: self.reference_temperature(),
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

/// A fit-file parameter as a least-squares parameter (its bounds already intersected with the
/// law's domain by the decoder, `calx_flowsheet::parameter_domain`).
fn problem_parameter(p: &calx_flowsheet::FitParameter) -> Parameter {
    let q = Parameter::new(p.kind.name, p.value);
    if !p.free {
        return q.fixed();
    }
    let q = q.bounded(p.min, p.max);
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

#[cfg(test)]
mod tests;
