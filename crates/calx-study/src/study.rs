//! A study checked against its flowsheet, and the evaluation of samples.
//!
//! Every parameter path is resolved once, when the study is prepared, to a target (a numeric
//! unit parameter, a feed's mass fraction, or a numeric analysis parameter) and an affine map
//! from the study's unit of measure to SI, found by decoding `0 UNIT` and `1 UNIT` exactly as
//! the flowsheet file would be decoded (so `degC`, `%` and `KRW/kWh` mean what they mean there).
//!
//! Speed without losing reproducibility: each worker thread builds the flowsheet once and
//! reuses it. Before every sample it sets *every* target (the sample's value or the base
//! value) and restores the base case's converged recycle tears, so a sample's result depends
//! on its own values only — not on which samples the thread ran before. Analyses whose
//! parameters a sample changes are created again from their checked parameters; the others
//! are shared. Per sample, analyses produce metrics only (no text, CSV or JSON).
//!
//! A batch is evaluated into a [`SampleBlock`]: each worker takes a chunk of its rows, draws
//! each sample's values straight into its row and writes the metrics beside them, reporting
//! progress once per chunk; nothing is allocated per sample once the worker's buffers and
//! the block have grown.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use calx::{ConfiguredAnalysis, Diagnostics, FlowsheetResult, LoadOptions, Project, Source};
use calx_core::{Analysis, AnalysisOutput, ParamValue, Params};
use calx_engine::{Flowsheet, Variable, WarmStart};
use rayon::prelude::*;

use crate::StudyError;

mod in_place;
use crate::block::SampleBlock;
use crate::def::{Sampling, StudyDef};
use crate::dist::{Rng, lhs_strata};
use crate::output::{Outcome, Sample, Tornado};
use crate::resolve::{self, FixedFractions, MetricRef, ResolveError, Resolved, Target, format_value};

/// Standard deviations either side of its mean at which a correlated parameter is tried
/// against the model before any sample runs (a multivariate normal is unbounded and is not
/// truncated: a draw beyond, probability 6.3e-5 per parameter and sample, that the model
/// refuses is a failed sample, recorded with its reason).
pub const CORRELATED_CHECK_SD: f64 = 4.0;

/// A study checked against its flowsheet, ready to run samples.
pub struct Study {
    /// The definition.
    pub def: StudyDef,
    base: Project,
    warm: WarmStart,
    targets: Vec<Resolved>,
    metrics: Vec<MetricRef>,
    /// Latin hypercube strata per parameter (computed once for all N samples).
    strata: Option<Vec<Vec<u32>>>,
    /// Built flowsheets not in use: a worker takes one (or builds one) and gives it back, so
    /// a study builds about one per thread however rayon splits the work.
    idle: Mutex<Vec<(Flowsheet, Buffers)>>,
    /// Whether every analysis parameter the study varies can be set in place on a worker's
    /// own analyses (`Analysis::set_number`), instead of creating the analysis again.
    in_place: bool,
    /// The feeds whose mass fractions the study varies, by name, each with its targets.
    feeds: Vec<FeedFractions>,
}

/// A feed whose composition the study varies: the fractions' targets, resolved once so that
/// a sample sets them without building maps.
struct FeedFractions {
    /// The feed (unit) name.
    unit: String,
    /// The components varied, ascending.
    components: Vec<String>,
    /// The target (index into `Study::targets`) of each component.
    targets: Vec<usize>,
}

/// The analyses a sample runs with.
enum SampleAnalyses {
    /// The base case's.
    Base,
    /// Created again for this sample.
    Created(Vec<ConfiguredAnalysis>),
    /// The worker's own, set in place for this sample.
    Worker,
}

/// A flowsheet lent to a worker with its last sample's buffers; returned to the study's idle
/// list when dropped.
struct Lease<'s> {
    study: &'s Study,
    /// Taken back when the lease ends.
    flowsheet: Option<Result<Flowsheet, Diagnostics>>,
    /// The worker's previous sample: its result and the analyses' outputs, written over by
    /// the next (so that a sample allocates next to nothing).
    last: Buffers,
}

/// What a worker keeps from one sample for the next to write over.
#[derive(Default)]
struct Buffers {
    result: Option<FlowsheetResult>,
    outputs: Vec<AnalysisOutput>,
    /// The layout each output's metrics were written in ([`calx_core::MetricLayout`]).
    layouts: Vec<calx_core::MetricLayout>,
    /// The sample's uniform numbers (then, for a correlated group, its standard normals).
    uniforms: Vec<f64>,
    /// The sample's point: its values, then the sweep axes at base.
    point: Vec<Option<f64>>,
    /// The worker's own analyses (created from the base parameters, then set in place per
    /// sample); empty until the first sample that needs them.
    analyses: Vec<ConfiguredAnalysis>,
    /// A feed's fractions being set (see [`FeedFractions`]).
    fractions: Vec<f64>,
}

/// Why one sample gave no metrics (its text is the sample's reason in the study's files).
#[derive(Debug, thiserror::Error)]
enum SampleError {
    /// The worker's flowsheet could not be built.
    #[error("{0}")]
    Build(String),
    /// The worker has no flowsheet.
    #[error("no flowsheet")]
    NoFlowsheet,
    /// The sample's values do not fit the flowsheet or its analyses.
    #[error(transparent)]
    Parameters(#[from] ResolveError),
    /// The plant did not solve, or a result the study reads is missing.
    #[error(transparent)]
    Solve(Box<calx::EngineError>),
    /// An analysis failed.
    #[error(transparent)]
    Analysis(Box<calx::AnalysisFailure>),
    /// No analysis produced the metric at this path.
    #[error("{0}: not produced")]
    NotProduced(String),
    /// The metric expression at `path` could not be evaluated.
    #[error("{path}: {source}")]
    Expression { path: String, source: calx_flowsheet::QuantityError },
    /// The metric at `path` is not a finite number.
    #[error("{path} is {value}")]
    NotFinite { path: String, value: f64 },
}

impl Lease<'_> {
    /// Evaluate on the leased flowsheet, or say why it could not be built.
    fn evaluate(&mut self, values: &[Option<f64>]) -> Outcome {
        let mut metrics = vec![0.0; self.study.metrics.len()];
        self.evaluate_into(values, &mut metrics).map(|()| metrics).map_err(|e| e.to_string())
    }

    /// Evaluate on the leased flowsheet, the metrics written over `metrics` (one per study
    /// metric), or say why it could not be built.
    fn evaluate_into(&mut self, values: &[Option<f64>], metrics: &mut [f64]) -> Result<(), SampleError> {
        match &mut self.flowsheet {
            Some(Ok(f)) => self.study.evaluate_on(f, &mut self.last, values, metrics),
            Some(Err(e)) => Err(SampleError::Build(e.to_string())),
            None => Err(SampleError::NoFlowsheet),
        }
    }

    /// Draw sample `i`'s parameter values into `values` and evaluate it, its metrics written
    /// over `metrics`: nothing allocated once the worker's buffers have grown.
    fn sample_into(&mut self, i: usize, values: &mut [f64], metrics: &mut [f64]) -> Result<(), SampleError> {
        let study = self.study;
        study.sample_values_into(i, &mut self.last.uniforms, values);
        let n_sweep = study.targets.len() - study.def.parameters.len();
        let mut point = std::mem::take(&mut self.last.point);
        point.clear();
        point.extend(values.iter().copied().map(Some).chain(std::iter::repeat_n(None, n_sweep)));
        let outcome = self.evaluate_into(&point, metrics);
        self.last.point = point;
        outcome
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(Ok(f)) = self.flowsheet.take() {
            let last = std::mem::take(&mut self.last);
            self.study.idle.lock().unwrap_or_else(|e| e.into_inner()).push((f, last));
        }
    }
}

/// Refuse what the sampling scheme cannot give (sobol_burley's limits: 2^16 points,
/// NUM_DIMENSIONS dimensions).
fn check_sampling(def: &StudyDef) -> Result<(), StudyError> {
    if def.sampling != Sampling::Sobol {
        return Ok(());
    }
    if def.samples > 1 << 16 {
        return Err(StudyError::Field {
            field: "samples".into(),
            message: format!("Sobol sampling gives at most 65,536 samples, {} asked; use `sampling: lhs`", def.samples),
        });
    }
    if def.parameters.len() > sobol_burley::NUM_DIMENSIONS as usize {
        return Err(StudyError::Field {
            field: "parameters".into(),
            message: format!("Sobol sampling takes at most {} parameters", sobol_burley::NUM_DIMENSIONS),
        });
    }
    Ok(())
}

/// The flowsheet with the study's fixed `set:` changes, loaded with its plugins.
fn base_project(def: &StudyDef, text: &str, file: &str, options: &LoadOptions) -> Result<Project, StudyError> {
    let mut source = Source::parse(text, file).map_err(|d| StudyError::from(calx::LoadError::from(d)))?;
    for (path, value) in &def.set {
        source.set(path, value)?;
    }
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let project = Project::from_source(&source, dir, options)?;
    // Samples are solved on the engine's flowsheet and the analyses' figures; the façade's
    // design loop is not run per sample, so a flowsheet that needs it would give samples of
    // another plant: refused, never a silently different number.
    let model = project.model();
    if !model.analysis_specs.is_empty() || model.optimize.is_some() {
        return Err(StudyError::Field {
            field: "flowsheet".into(),
            message: "studies do not yet run design specifications on analysis metrics or parameters, or `optimize:`; \
                      remove them for the study (set the values they found) or study the plant without them"
                .into(),
        });
    }
    Ok(project)
}

impl Study {
    /// Check a study against its flowsheet (text, and its path as given: relative plugin
    /// entries start from its directory) and solve the base case. Every path, unit and
    /// distribution is checked here, before any sample runs.
    pub fn prepare(def: StudyDef, text: &str, file: &str, options: &LoadOptions) -> Result<Study, StudyError> {
        check_sampling(&def)?;
        // The strata are held for the whole study; the statistics columns are the caller's.
        def.check_size(false)?;
        let base = base_project(&def, text, file, options)?;
        let mut f = base.build().map_err(|d| StudyError::from(calx::LoadError::from(d)))?;
        let result = f.solve().map_err(|e| StudyError::BaseCase(Box::new(e.into())))?;
        let outputs = base.analyse(&result).map_err(|e| StudyError::BaseCase(Box::new(e.into())))?;
        let warm = f.warm_start();
        let strata =
            (def.sampling == Sampling::LatinHypercube).then(|| lhs_strata(def.seed, def.parameters.len(), def.samples));
        let mut study = Study {
            def,
            base,
            warm,
            targets: Vec::new(),
            metrics: Vec::new(),
            strata,
            idle: Mutex::new(Vec::new()),
            in_place: false,
            feeds: Vec::new(),
        };
        study.resolve_parameters(&f)?;
        study.in_place = study.analyses_settable_in_place();
        study.check_parameter_ranges(&mut f)?;
        study.resolve_metrics(&f, &outputs)?;
        Ok(study)
    }

    /// Resolve every parameter and sweep axis, in that order (as sample values come).
    fn resolve_parameters(&mut self, f: &Flowsheet) -> Result<(), StudyError> {
        let def = &self.def;
        let specs: Vec<(String, String)> = def
            .parameters
            .iter()
            .map(|p| (p.path.clone(), p.unit.clone()))
            .chain(def.sweep.iter().flat_map(|s| s.axes.iter().map(|(p, u, _)| (p.clone(), u.clone()))))
            .collect();
        for (path, unit) in &specs {
            let r = resolve::parameter(&self.base, path, unit, f).map_err(|source| path_error(path, source))?;
            self.targets.push(r);
        }
        let fractions: Vec<(&str, &str)> = self
            .targets
            .iter()
            .filter_map(|r| match &r.target {
                Target::Fraction { unit, component } => Some((unit.as_str(), component.as_str())),
                _ => None,
            })
            .collect();
        if let Some((u, c)) = fractions.iter().enumerate().find_map(|(i, a)| fractions[..i].contains(a).then_some(*a)) {
            let path = format!("streams.{u}.composition.{c}");
            return Err(path_error(&path, ResolveError::Other("is varied twice".into())));
        }
        let mut feeds: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
        for (j, r) in self.targets.iter().enumerate() {
            if let Target::Fraction { unit, component } = &r.target {
                feeds.entry(unit).or_default().push((component, j));
            }
        }
        let feeds = feeds
            .into_iter()
            .map(|(unit, mut fractions)| {
                fractions.sort_unstable();
                FeedFractions {
                    unit: unit.to_string(),
                    components: fractions.iter().map(|(c, _)| c.to_string()).collect(),
                    targets: fractions.iter().map(|(_, j)| *j).collect(),
                }
            })
            .collect();
        self.feeds = feeds;
        Ok(())
    }

    /// Every value a distribution can produce must be accepted by the model: try both ends
    /// of its support (an unbounded end as a huge number), and the tornado values. A
    /// correlated group's parameters are tried at their means together, and each alone at
    /// its mean ± [`CORRELATED_CHECK_SD`] standard deviations.
    fn check_parameter_ranges(&self, f: &mut Flowsheet) -> Result<(), StudyError> {
        for g in &self.def.correlated {
            let mut values = vec![None; self.targets.len()];
            for (k, j) in g.range.clone().enumerate() {
                values[j] = Some(g.dist.value_at(k, 0.0));
            }
            self.configure(f, None, &mut Vec::new(), &values).map_err(|e| {
                let first = &self.def.parameters[g.range.start];
                let message = format!("the model rejects the correlated group's means taken together: {e}");
                path_error(&first.path, ResolveError::Other(message))
            })?;
        }
        for (j, p) in self.def.parameters.iter().enumerate() {
            let group = self.def.correlated.iter().find(|g| g.range.contains(&j));
            let (a, b) = match group {
                Some(g) => {
                    let k = j - g.range.start;
                    (g.dist.value_at(k, -CORRELATED_CHECK_SD), g.dist.value_at(k, CORRELATED_CHECK_SD))
                }
                None => p.dist.support(),
            };
            let ends =
                [if a.is_finite() { a } else { -1e15 }, if b.is_finite() { b } else { 1e15 }, p.tornado.0, p.tornado.1];
            for x in ends {
                let mut values = vec![None; self.targets.len()];
                values[j] = Some(x);
                self.configure(f, None, &mut Vec::new(), &values).map_err(|e| {
                    let message = if group.is_some() {
                        format!(
                            "its correlated normal reaches {} (mean ± {CORRELATED_CHECK_SD} sd), which the model rejects: {e}; \
                             the group's covariance is too wide for this parameter",
                            format_value(x, &p.unit)
                        )
                    } else {
                        format!(
                            "the distribution can produce {}, which the model rejects: {e}; narrow it or truncate it with `min:`/`max:`",
                            format_value(x, &p.unit)
                        )
                    };
                    path_error(&p.path, ResolveError::Other(message))
                })?;
            }
        }
        Ok(())
    }

    /// Resolve every metric and check that the base case produces it.
    fn resolve_metrics(&mut self, f: &Flowsheet, outputs: &[calx_core::AnalysisOutput]) -> Result<(), StudyError> {
        for m in self.def.metrics.clone() {
            let r = resolve::metric(&m, &self.base).map_err(|source| path_error(&m, source))?;
            let ok = match &r {
                MetricRef::Analysis { name, metric } => {
                    outputs.iter().find(|o| &o.name == name).and_then(|o| o.metric(metric)).is_some()
                }
                // The engine says what is wrong (a size the unit does not report names those
                // it does).
                MetricRef::Var(v) => match f.read(v) {
                    Ok(_) => true,
                    Err(e) => return Err(path_error(&m, ResolveError::from(e))),
                },
                MetricRef::Expr(e) => match f.evaluate(e) {
                    Ok(_) => true,
                    Err(e) => return Err(path_error(&m, ResolveError::from(e))),
                },
                MetricRef::MetricExpr(e) => {
                    let units = &self.base.model().units_of_measure;
                    match calx_flowsheet::evaluate_metric_expression(e, f, outputs, units) {
                        Ok(_) => true,
                        Err(e) => return Err(path_error(&m, ResolveError::Other(e.to_string()))),
                    }
                }
            };
            if !ok {
                let known = match &r {
                    MetricRef::Analysis { name, .. } => outputs
                        .iter()
                        .find(|o| &o.name == name)
                        .map(|o| {
                            o.metrics
                                .iter()
                                .map(|x| x.name.as_str())
                                .filter(|x| !x.contains('.'))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default(),
                    MetricRef::Var(_) | MetricRef::Expr(_) | MetricRef::MetricExpr(_) => String::new(),
                };
                let message = format!("no such result; available: {known}");
                return Err(path_error(&m, ResolveError::Other(message)));
            }
            self.metrics.push(r);
        }
        Ok(())
    }

    /// A worker's flowsheet: an idle one, or a new one; reused for many samples.
    fn lease(&self) -> Lease<'_> {
        // The flowsheet comes back with its last sample's buffers: rayon may lease for every
        // job it splits off, and the buffers should outlive the job.
        match self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            Some((f, last)) => Lease { study: self, flowsheet: Some(Ok(f)), last },
            None => Lease { study: self, flowsheet: Some(self.base.build()), last: Buffers::default() },
        }
    }

    /// Set every target on `f` (the sample's value, or the base value for `None`) and restore
    /// the base warm start; returns the analyses with this sample's parameters: the worker's
    /// own `owned`, set in place, where the study can and the worker has them, else the base
    /// case's or ones created again. `fractions` is scratch for a feed's fractions.
    fn configure(
        &self,
        f: &mut Flowsheet,
        owned: Option<&mut Vec<ConfiguredAnalysis>>,
        fractions: &mut Vec<f64>,
        values: &[Option<f64>],
    ) -> Result<SampleAnalyses, ResolveError> {
        if values.len() != self.targets.len() {
            // Every target must be set (or reset) for every sample: nothing may carry over.
            return Err(ResolveError::Other(format!(
                "{} values given for {} study parameters and sweep axes",
                values.len(),
                self.targets.len()
            )));
        }
        f.set_warm_start(&self.warm)?;
        let mut changed: BTreeMap<usize, Params> = BTreeMap::new();
        // A variable that is both a study parameter and a sweep axis has two targets: the one
        // given a value wins; resetting the other to base would undo it.
        let given_unit = |var: &Variable| {
            self.targets
                .iter()
                .zip(values)
                .any(|(r, v)| v.is_some() && matches!(&r.target, Target::Unit(g) if g == var))
        };
        for (r, v) in self.targets.iter().zip(values) {
            let si = v.map_or(r.base_si, |x| r.si(x));
            match &r.target {
                Target::Unit(var) if v.is_none() && given_unit(var) => {}
                Target::Unit(var) => f.set(var, si)?,
                // Set per feed below, all of its fractions together.
                Target::Fraction { .. } => {}
                Target::Analysis { .. } if owned.is_some() && self.in_place => {}
                Target::Analysis { index, param, key, text } => {
                    let Some(x) = v else { continue };
                    let value = match text {
                        Some(unit) => ParamValue::Text(format_value(*x, unit)),
                        None => ParamValue::Number(si),
                    };
                    let params =
                        changed.entry(*index).or_insert_with(|| self.base.model().analyses[*index].params.clone());
                    params.set_entry(param, key.as_deref(), value);
                }
            }
        }
        for feed in &self.feeds {
            fractions.clear();
            // Whether any of them is a sample's (not base) value.
            let mut sampled = false;
            for &j in &feed.targets {
                let (r, v) = (&self.targets[j], values[j]);
                fractions.push(v.map_or(r.base_si, |x| r.si(x)));
                sampled |= v.is_some();
            }
            let fixed = FixedFractions { names: &feed.components, values: fractions };
            self.set_fractions(f, &feed.unit, fixed, sampled)?;
        }
        if let Some(owned) = owned.filter(|_| self.in_place) {
            self.set_in_place(owned, values)?;
            return Ok(SampleAnalyses::Worker);
        }
        if changed.is_empty() {
            return Ok(SampleAnalyses::Base);
        }
        self.analyses_with(changed).map(SampleAnalyses::Created)
    }

    /// Set the fractions `fixed` of a feed's composition, the others rescaled.
    fn set_fractions(
        &self,
        f: &mut Flowsheet,
        unit: &str,
        fixed: FixedFractions<'_>,
        sampled: bool,
    ) -> Result<(), ResolveError> {
        if let Some((c, x)) = fixed.iter().find(|(_, x)| !(0.0..=1.0).contains(x)) {
            return Err(ResolveError::Other(format!(
                "the mass fraction of {c} in `{unit}` must be within 0 and 1, found {x}"
            )));
        }
        let base =
            self.base.model().def.units.iter().find(|u| u.name == unit).and_then(|u| u.params.get("composition"));
        let Some(ParamValue::Map(base)) = base else {
            return Err(ResolveError::Other(format!("`{unit}` has no composition")));
        };
        // All at base: the base composition itself, bit for bit (rescaling by a factor of 1
        // could move the last bit).
        if sampled {
            let composition =
                resolve::renormalised(base, fixed).map_err(|e| ResolveError::Other(format!("`{unit}`: {e}")))?;
            f.set_entries(unit, "composition", composition)?;
        } else {
            f.set_entries(unit, "composition", base.iter().map(|(k, v)| (k.as_str(), resolve::number_of(v))))?;
        }
        Ok(())
    }

    /// The base case's analyses with those of `changed` created again from their new
    /// parameters.
    fn analyses_with(&self, changed: BTreeMap<usize, Params>) -> Result<Vec<ConfiguredAnalysis>, ResolveError> {
        let mut analyses = self.base.model().analyses.clone();
        for (index, params) in changed {
            let a = &mut analyses[index];
            a.analysis = self.create_analysis(a, &params)?;
            a.params = params;
        }
        Ok(analyses)
    }

    /// Analysis `a` of the base case created anew from `params`.
    fn create_analysis(&self, a: &ConfiguredAnalysis, params: &Params) -> Result<Arc<dyn Analysis>, ResolveError> {
        let t = self
            .base
            .registry()
            .analysis(&a.type_name)
            .ok_or_else(|| ResolveError::Other(format!("analysis type `{}` is not registered", a.type_name)))?;
        let created = t
            .analysis_type
            .create(&a.name, params)
            .map_err(|e| ResolveError::Other(format!("analysis `{}`: {e}", a.name)))?;
        Ok(Arc::from(created))
    }

    /// Evaluate on a worker's flowsheet with some parameters set (None: the flowsheet's
    /// value), the metrics written over `out` (one per study metric).
    fn evaluate_on(
        &self,
        f: &mut Flowsheet,
        last: &mut Buffers,
        values: &[Option<f64>],
        out: &mut [f64],
    ) -> Result<(), SampleError> {
        if self.in_place && last.analyses.is_empty() {
            last.analyses = self.created_analyses()?;
        }
        let analyses = self.configure(f, Some(&mut last.analyses), &mut last.fractions, values)?;
        let result = f.solve_reusing(last.result.take()).map_err(|e| SampleError::Solve(Box::new(e)))?;
        let result = &*last.result.insert(result);
        let analyses = match &analyses {
            SampleAnalyses::Base => &self.base.model().analyses,
            SampleAnalyses::Created(created) => created,
            SampleAnalyses::Worker => &last.analyses,
        };
        calx::run_figures_into(analyses, result, &mut last.outputs, &mut last.layouts)
            .map_err(|e| SampleError::Analysis(Box::new(e)))?;
        let outputs = &last.outputs;
        for ((m, path), slot) in self.metrics.iter().zip(&self.def.metrics).zip(out) {
            let x = match m {
                MetricRef::Analysis { name, metric } => outputs
                    .iter()
                    .find(|o| &o.name == name)
                    .and_then(|o| o.metric(metric))
                    .ok_or_else(|| SampleError::NotProduced(path.clone()))?,
                MetricRef::Var(v) => f.read(v).map_err(|e| SampleError::Solve(Box::new(e)))?,
                MetricRef::Expr(e) => f.evaluate(e).map_err(|e| SampleError::Solve(Box::new(e)))?.0,
                MetricRef::MetricExpr(e) => {
                    let units = &self.base.model().units_of_measure;
                    calx_flowsheet::evaluate_metric_expression(e, f, outputs, units)
                        .map_err(|source| SampleError::Expression { path: path.clone(), source })?
                        .0
                }
            };
            if !x.is_finite() {
                return Err(SampleError::NotFinite { path: path.clone(), value: x });
            }
            *slot = x;
        }
        Ok(())
    }

    /// Whether each worker sets the analysis parameters the study varies in place on
    /// analyses of its own (`calx_core::Analysis::set_number`), rather than creating the
    /// analyses again for every sample: true when the study varies analysis parameters and
    /// every one of them can be.
    pub fn sets_analyses_in_place(&self) -> bool {
        self.in_place
    }

    /// The same study, with every sample creating the analyses whose parameters it changes
    /// again from their text, as a study whose analyses cannot be set in place does: the
    /// reference the in-place path is held equal to, bit for bit.
    pub fn creating_analyses_per_sample(mut self) -> Study {
        self.in_place = false;
        self
    }

    /// The project the study varies, as loaded (its base case).
    pub fn project(&self) -> &Project {
        &self.base
    }

    /// Evaluate with some parameters set (None: the flowsheet's own value): one value per
    /// study parameter, then one per sweep axis.
    pub fn evaluate(&self, values: &[Option<f64>]) -> Outcome {
        self.lease().evaluate(values)
    }

    /// Evaluate many points in parallel, each worker thread reusing one flowsheet; results
    /// in input order.
    fn evaluate_all(&self, points: Vec<Vec<Option<f64>>>) -> Vec<Outcome> {
        points.into_par_iter().map_init(|| self.lease(), |lease, v| lease.evaluate(&v)).collect()
    }

    /// Parameter values of samples `range` (deterministic in the seed and the index only).
    /// Every parameter takes one uniform number per sample (its own Latin-hypercube strata
    /// or Sobol dimension); an independent parameter maps it through its distribution's
    /// inverse CDF, a correlated group maps its uniforms to standard normals and those
    /// through `mean + L z`.
    pub fn sample_values(&self, range: std::ops::Range<usize>) -> Vec<Vec<f64>> {
        // One vector of uniforms for every sample of the range.
        let mut u = Vec::with_capacity(self.def.parameters.len());
        range
            .map(|i| {
                let mut x = vec![0.0; self.def.parameters.len()];
                self.sample_values_into(i, &mut u, &mut x);
                x
            })
            .collect()
    }

    /// Sample `i`'s parameter values (see [`Study::sample_values`]) written over `out` (one
    /// per parameter), with `u` as scratch for its uniform numbers.
    fn sample_values_into(&self, i: usize, u: &mut Vec<f64>, out: &mut [f64]) {
        self.uniforms_into(i, u);
        for ((x, p), u) in out.iter_mut().zip(&self.def.parameters).zip(u.iter()) {
            *x = p.dist.quantile(*u);
        }
        for g in &self.def.correlated {
            g.dist.sample_into(&mut u[g.range.clone()], &mut out[g.range.clone()]);
        }
    }

    /// Sample `i`'s uniform numbers in (0, 1), one per parameter, written over `out`.
    fn uniforms_into(&self, i: usize, out: &mut Vec<f64>) {
        let n = self.def.samples;
        let mut rng = Rng::new(self.def.seed, i as u64);
        out.clear();
        out.extend((0..self.def.parameters.len()).map(|j| match (&self.def.sampling, &self.strata) {
            (Sampling::LatinHypercube, Some(s)) => (s[j][i] as f64 + rng.uniform()) / n as f64,
            // Points of a scrambled Sobol sequence are in [0, 1) and 24-bit: half a step
            // keeps them off 0, where unbounded quantiles diverge.
            (Sampling::Sobol, _) => {
                f64::from(sobol_burley::sample(i as u32, j as u32, self.def.seed as u32)) + 0.5 / f64::from(1u32 << 24)
            }
            _ => rng.uniform(),
        }));
    }

    /// Run samples `range` in parallel on the current rayon pool; results in index order.
    /// `progress` is called with the number of samples finished, from any worker thread, once
    /// per chunk of samples (not per sample: a shared counter on the sample path would be
    /// touched by every worker for every sample).
    pub fn run_with_progress(&self, range: std::ops::Range<usize>, progress: &(dyn Fn(usize) + Sync)) -> Vec<Sample> {
        let mut block = SampleBlock::new();
        self.run_into(range, &mut block, progress);
        block.to_samples()
    }

    /// Run samples `range` in parallel on the current rayon pool; results in index order.
    pub fn run(&self, range: std::ops::Range<usize>) -> Vec<Sample> {
        self.run_with_progress(range, &|_| {})
    }

    /// Run samples `range` in parallel on the current rayon pool into `block`, which forgets
    /// what it held: each worker takes a chunk of rows, draws and evaluates each of its samples
    /// and writes the sample's values and metrics (or why it failed) into its row, so the
    /// results are in index order and the same bits for any thread count. A block reused for
    /// a batch no larger than one it held allocates nothing per sample. `progress` is called
    /// with the number of samples finished once per chunk, from any worker thread.
    pub fn run_into(&self, range: std::ops::Range<usize>, block: &mut SampleBlock, progress: &(dyn Fn(usize) + Sync)) {
        let (p, m) = (self.def.parameters.len(), self.def.metrics.len());
        let first = range.start;
        let chunk = rows_per_chunk(range.len(), rayon::current_num_threads());
        let chunks = range.len().div_ceil(chunk);
        let rows = block.reset(range, p, m);
        row_chunks(rows.values, p * chunk, chunks)
            .zip(row_chunks(rows.metrics, m * chunk, chunks))
            .zip(rows.reasons.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(c, ((values, metrics), reasons))| {
                // One lease per chunk: the study's idle list is locked per chunk, not per sample.
                let mut lease = self.lease();
                for (k, reason) in reasons.iter_mut().enumerate() {
                    let row_metrics = &mut metrics[k * m..(k + 1) * m];
                    let outcome =
                        lease.sample_into(first + c * chunk + k, &mut values[k * p..(k + 1) * p], row_metrics);
                    if let Err(why) = outcome {
                        // No half-written metrics of a failed sample are left to read.
                        row_metrics.fill(f64::NAN);
                        *reason = Some(why.to_string());
                    }
                }
                progress(reasons.len());
            });
        block.index_failures();
    }

    /// One-at-a-time tornado: the base case, then each parameter alone at its low and high value.
    pub fn tornado(&self) -> Result<Tornado, StudyError> {
        let none = vec![None; self.targets.len()];
        let base = self.evaluate(&none).map_err(StudyError::Tornado)?;
        let mut points = Vec::new();
        for (j, p) in self.def.parameters.iter().enumerate() {
            for x in [p.tornado.0, p.tornado.1] {
                let mut v = none.clone();
                v[j] = Some(x);
                points.push(v);
            }
        }
        let mut outcomes = self.evaluate_all(points).into_iter();
        let rows = self
            .def
            .parameters
            .iter()
            .map(|_| {
                (
                    outcomes.next().unwrap_or_else(|| Err("not run".into())),
                    outcomes.next().unwrap_or_else(|| Err("not run".into())),
                )
            })
            .collect();
        Ok(Tornado { base, rows })
    }

    /// The sweep grid: each combination of the axes' values, others at the flowsheet's values.
    pub fn sweep(&self) -> Vec<(Vec<f64>, Outcome)> {
        let Some(s) = &self.def.sweep else { return Vec::new() };
        let first = self.def.parameters.len();
        let mut grid: Vec<Vec<f64>> = s.axes[0].2.iter().map(|x| vec![*x]).collect();
        if let Some(second) = s.axes.get(1) {
            grid = grid.iter().flat_map(|p| second.2.iter().map(move |y| vec![p[0], *y])).collect();
        }
        let points = grid
            .iter()
            .map(|p| {
                let mut v = vec![None; self.targets.len()];
                for (k, x) in p.iter().enumerate() {
                    v[first + k] = Some(*x);
                }
                v
            })
            .collect();
        grid.into_iter().zip(self.evaluate_all(points)).collect()
    }

    /// Check that each sample's parameter values are exactly (bit for bit) those this study
    /// draws for its index: samples of another seed, distribution or sampling scheme, or with
    /// edited values, are refused, naming the first that differs.
    pub fn verify_values(&self, samples: &[Sample]) -> Result<(), StudyError> {
        for s in samples {
            let drawn = self.sample_values(s.index..s.index + 1).pop().unwrap_or_default();
            let differs =
                drawn.len() != s.values.len() || drawn.iter().zip(&s.values).any(|(a, b)| a.to_bits() != b.to_bits());
            if differs {
                let (j, (have, want)) = s
                    .values
                    .iter()
                    .zip(&drawn)
                    .enumerate()
                    .find(|(_, (a, b))| a.to_bits() != b.to_bits())
                    .unwrap_or((0, (&f64::NAN, &f64::NAN)));
                let name = self.def.parameters.get(j).map_or("?", |p| p.path.as_str());
                return Err(StudyError::Merge(format!(
                    "sample {}: `{name}` is {have} in the shard, but this study draws {want} for it \
                     (another seed, distribution or sampling, or an edited file)",
                    s.index
                )));
            }
        }
        Ok(())
    }

    /// The deterministic slice of sample indices of shard `i` of `n` (0-based).
    pub fn shard_range(&self, i: usize, n: usize) -> std::ops::Range<usize> {
        let s = self.def.samples;
        (i * s / n)..((i + 1) * s / n)
    }
}

/// Samples per chunk of a batch: about eight chunks per thread, so that work-stealing evens out
/// slow samples, and at most 256, so that progress moves. Chunks do not change results: each
/// sample depends on its index only.
fn rows_per_chunk(samples: usize, threads: usize) -> usize {
    (samples / (8 * threads.max(1))).clamp(1, 256)
}

/// `rows` in `chunks` consecutive pieces of `size` numbers (the last maybe shorter); as many
/// empty pieces when a row holds no number (`size` 0), so that zipped rows stay aligned.
fn row_chunks(rows: &mut [f64], size: usize, chunks: usize) -> impl IndexedParallelIterator<Item = &mut [f64]> {
    if size == 0 {
        rayon::iter::Either::Left((0..chunks).into_par_iter().map(|_| <&mut [f64]>::default()))
    } else {
        rayon::iter::Either::Right(rows.par_chunks_mut(size))
    }
}

fn path_error(path: &str, source: ResolveError) -> StudyError {
    StudyError::Path { path: path.to_string(), source }
}
