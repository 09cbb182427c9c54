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

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use calx_core::registry::Registry;
use calx_core::{ParamKind, ParamValue, Params};
use calx_engine::{Flowsheet, Variable, WarmStart};
use calx_flowsheet::{ConfiguredAnalysis, Detail, Model};
use rayon::prelude::*;

use crate::def::{Sampling, StudyDef};
use crate::dist::{Rng, lhs_strata};
use crate::output::{Outcome, Sample, Tornado};
use crate::{StudyError, yaml};

/// Where a parameter's values go.
#[derive(Clone, Debug)]
enum Target {
    /// A numeric unit or feed parameter, or one key of a map parameter.
    Unit(Variable),
    /// One mass fraction of a feed's composition; the fractions not set by the study are
    /// scaled together so that the composition still sums to 1.
    Fraction { unit: String, component: String },
    /// A numeric analysis parameter, or one key of a map parameter. `text` holds the unit
    /// for parameters written as text with their unit (an LCA's `factors:`), which the
    /// analysis converts itself: the value is passed as `"VALUE UNIT"`.
    Analysis { index: usize, param: String, key: Option<String>, text: Option<String> },
}

/// A resolved parameter: target, SI = `scale * value + offset`, and its base value in SI.
#[derive(Clone, Debug)]
struct Resolved {
    target: Target,
    scale: f64,
    offset: f64,
    base_si: f64,
}

impl Resolved {
    fn si(&self, x: f64) -> f64 {
        self.scale * x + self.offset
    }
}

/// Where a metric is read.
#[derive(Clone, Debug)]
enum MetricRef {
    Analysis { name: String, metric: String },
    Var(Variable),
}

/// A study checked against its flowsheet, ready to run samples.
pub struct Study<'r> {
    /// The definition.
    pub def: StudyDef,
    registry: &'r Registry,
    base: Model,
    warm: WarmStart,
    targets: Vec<Resolved>,
    metrics: Vec<MetricRef>,
    /// Latin hypercube strata per parameter (computed once for all N samples).
    strata: Option<Vec<Vec<u32>>>,
    /// Built flowsheets not in use: a worker takes one (or builds one) and gives it back, so
    /// a study builds about one per thread however rayon splits the work.
    idle: Mutex<Vec<Flowsheet>>,
}

/// A flowsheet lent to a worker; returned to the study's idle list when dropped.
struct Lease<'s, 'r> {
    study: &'s Study<'r>,
    flowsheet: Result<Flowsheet, String>,
}

impl Drop for Lease<'_, '_> {
    fn drop(&mut self) {
        if let Ok(f) = std::mem::replace(&mut self.flowsheet, Err(String::new())) {
            self.study.idle.lock().unwrap_or_else(|e| e.into_inner()).push(f);
        }
    }
}

fn format_value(x: f64, unit: &str) -> String {
    if unit.is_empty() { format!("{x}") } else { format!("{x} {unit}") }
}

/// `units.U.P[.K]`, `units.U.params.P[.K]` or `streams.S.composition.C`.
fn resolve_unit_target(path: &str, unit: &str, rest: &[&str], f: &Flowsheet) -> Result<Target, String> {
    let rest: Vec<&str> = if rest[0] == "params" && rest.len() > 1 { rest[1..].to_vec() } else { rest.to_vec() };
    if rest.len() > 2 {
        return Err("write `units.UNIT.PARAM` or `units.UNIT.PARAM.KEY`".into());
    }
    let params = f.unit_params(unit).map_err(|e| e.to_string())?;
    if rest[0] == "composition"
        && rest.len() == 2
        && let Some(ParamValue::Map(m)) = params.get("composition")
    {
        if !m.contains_key(rest[1]) {
            let names: Vec<&str> = m.keys().map(String::as_str).collect();
            return Err(format!("the composition of `{unit}` has no `{}` (it has: {})", rest[1], names.join(", ")));
        }
        return Ok(Target::Fraction { unit: unit.to_string(), component: rest[1].to_string() });
    }
    let var = Variable::UnitParam {
        unit: unit.to_string(),
        param: rest[0].to_string(),
        key: rest.get(1).map(|k| k.to_string()),
    };
    f.read(&var).map_err(|e| format!("no such numeric parameter in the flowsheet ({path}): {e}"))?;
    Ok(Target::Unit(var))
}

fn resolve_metric(path: &str, model: &Model) -> Result<MetricRef, String> {
    let s: Vec<&str> = path.splitn(3, '.').collect();
    match s.as_slice() {
        ["analyses", name, metric] => {
            if !model.analyses.iter().any(|a| a.name == *name) {
                return Err(format!("the flowsheet has no analysis `{name}`"));
            }
            Ok(MetricRef::Analysis { name: name.to_string(), metric: metric.to_string() })
        }
        ["streams", stream, what] => Ok(MetricRef::Var(match *what {
            "total" => Variable::StreamTotal(stream.to_string()),
            "T" => Variable::StreamTemperature(stream.to_string()),
            c => Variable::StreamComponent { stream: stream.to_string(), component: c.to_string() },
        })),
        _ => Err("a metric is `analyses.NAME.METRIC` or `streams.STREAM.total|T|COMPONENT` (SI)".into()),
    }
}

/// Scale the fractions of `base` not in `fixed` so that the whole sums to what it summed to.
fn renormalise(
    base: &BTreeMap<String, ParamValue>,
    fixed: &BTreeMap<&str, f64>,
) -> Result<BTreeMap<String, ParamValue>, String> {
    let num = |v: &ParamValue| if let ParamValue::Number(x) = v { *x } else { 0.0 };
    let total: f64 = base.values().map(num).sum();
    let fixed_now: f64 = fixed.values().sum();
    let fixed_base: f64 = base.iter().filter(|(k, _)| fixed.contains_key(k.as_str())).map(|(_, v)| num(v)).sum();
    let rest_base = total - fixed_base;
    if fixed_now > total * (1.0 + 1e-12) {
        return Err(format!("the fractions set sum to {fixed_now}, more than the whole composition ({total})"));
    }
    let factor = if rest_base > 0.0 { (total - fixed_now).max(0.0) / rest_base } else { 0.0 };
    if rest_base <= 0.0 && (total - fixed_now).abs() > 1e-12 {
        return Err("no other component in the composition can take up the change".into());
    }
    Ok(base
        .iter()
        .map(|(k, v)| {
            let x = match fixed.get(k.as_str()) {
                Some(x) => *x,
                None => num(v) * factor,
            };
            (k.clone(), ParamValue::Number(x))
        })
        .collect())
}

impl<'r> Study<'r> {
    /// Check a study against its flowsheet (text and file name as given) and solve the base
    /// case. Every path, unit and distribution is checked here, before any sample runs.
    pub fn prepare(
        def: StudyDef,
        flowsheet_text: &str,
        file: &str,
        registry: &'r Registry,
    ) -> Result<Study<'r>, StudyError> {
        if def.sampling == Sampling::Sobol {
            // sobol_burley's limits: 2^16 points, NUM_DIMENSIONS dimensions.
            if def.samples > 1 << 16 {
                return Err(StudyError::Field {
                    field: "samples".into(),
                    message: format!(
                        "Sobol sampling gives at most 65,536 samples, {} asked; use `sampling: lhs`",
                        def.samples
                    ),
                });
            }
            if def.parameters.len() > sobol_burley::NUM_DIMENSIONS as usize {
                return Err(StudyError::Field {
                    field: "parameters".into(),
                    message: format!("Sobol sampling takes at most {} parameters", sobol_burley::NUM_DIMENSIONS),
                });
            }
        }
        let mut text = flowsheet_text.to_string();
        for (path, value) in &def.set {
            let value = if value.contains(": ")
                || value.contains(" #")
                || value.starts_with(['"', '\'', '{', '[', '&', '*', '!', '|', '>', '%', '@', '`'])
            {
                format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                value.clone()
            };
            text = yaml::set_path(&text, path, &value)
                .map_err(|message| StudyError::Path { path: path.clone(), message })?;
        }
        let base = calx_flowsheet::parse(&text, file, registry).map_err(|d| StudyError::Flowsheet(d.to_string()))?;
        let mut f = base.build().map_err(|d| StudyError::Flowsheet(d.to_string()))?;
        let result = f.solve().map_err(|e| StudyError::Flowsheet(format!("the base case does not solve: {e}")))?;
        let outputs = base
            .run_analyses(&result)
            .map_err(|e| StudyError::Flowsheet(format!("the base case's analyses fail: {e}")))?;
        let warm = f.warm_start();
        let strata =
            (def.sampling == Sampling::LatinHypercube).then(|| lhs_strata(def.seed, def.parameters.len(), def.samples));
        let mut study = Study {
            def,
            registry,
            base,
            warm,
            targets: Vec::new(),
            metrics: Vec::new(),
            strata,
            idle: Mutex::new(Vec::new()),
        };
        let specs: Vec<(String, String)> = study
            .def
            .parameters
            .iter()
            .map(|p| (p.path.clone(), p.unit.clone()))
            .chain(study.def.sweep.iter().flat_map(|s| s.axes.iter().map(|(p, u, _)| (p.clone(), u.clone()))))
            .collect();
        for (path, unit) in &specs {
            let r =
                study.resolve(path, unit, &f).map_err(|message| StudyError::Path { path: path.clone(), message })?;
            study.targets.push(r);
        }
        let fractions: Vec<(&str, &str)> = study
            .targets
            .iter()
            .filter_map(|r| match &r.target {
                Target::Fraction { unit, component } => Some((unit.as_str(), component.as_str())),
                _ => None,
            })
            .collect();
        if let Some((u, c)) = fractions.iter().enumerate().find_map(|(i, a)| fractions[..i].contains(a).then_some(*a)) {
            return Err(StudyError::Path {
                path: format!("streams.{u}.composition.{c}"),
                message: "is varied twice".into(),
            });
        }
        // Every value a distribution can produce must be accepted by the model: try both ends
        // of its support (an unbounded end as a huge number), and the tornado values.
        let n = study.def.parameters.len();
        for j in 0..n {
            let p = study.def.parameters[j].clone();
            let (a, b) = p.dist.support();
            let ends =
                [if a.is_finite() { a } else { -1e15 }, if b.is_finite() { b } else { 1e15 }, p.tornado.0, p.tornado.1];
            for x in ends {
                let mut values = vec![None; study.targets.len()];
                values[j] = Some(x);
                study.configure(&mut f, &values).map_err(|e| StudyError::Path {
                    path: p.path.clone(),
                    message: format!(
                        "the distribution can produce {}, which the model rejects: {e}; narrow it or truncate it with `min:`/`max:`",
                        format_value(x, &p.unit)
                    ),
                })?;
            }
        }
        for m in study.def.metrics.clone() {
            let r = resolve_metric(&m, &study.base).map_err(|message| StudyError::Path { path: m.clone(), message })?;
            let ok = match &r {
                MetricRef::Analysis { name, metric } => {
                    outputs.iter().find(|o| &o.name == name).and_then(|o| o.metric(metric)).is_some()
                }
                MetricRef::Var(v) => f.read(v).is_ok(),
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
                    MetricRef::Var(_) => "stream totals, temperatures and component flows".into(),
                };
                return Err(StudyError::Path {
                    path: m.clone(),
                    message: format!("no such result; available: {known}"),
                });
            }
            study.metrics.push(r);
        }
        Ok(study)
    }

    /// Resolve one parameter path with its unit of measure.
    fn resolve(&self, path: &str, unit: &str, f: &Flowsheet) -> Result<Resolved, String> {
        let s: Vec<&str> = path.split('.').collect();
        let (target, kind) = match s.as_slice() {
            ["units" | "streams", u, rest @ ..] if !rest.is_empty() => {
                let target = resolve_unit_target(path, u, rest, f)?;
                let kind = match &target {
                    Target::Unit(Variable::UnitParam { unit, param, key }) => {
                        self.unit_param_kind(unit, param, key.is_some())
                    }
                    Target::Fraction { unit, .. } => self.unit_param_kind(unit, "composition", true),
                    _ => None,
                };
                (target, kind)
            }
            ["analyses", name, param, key @ ..] if key.len() <= 1 => {
                let index = self.base.analyses.iter().position(|a| a.name == *name).ok_or_else(|| {
                    let names: Vec<&str> = self.base.analyses.iter().map(|a| a.name.as_str()).collect();
                    format!("the flowsheet has no analysis `{name}` (it has: {})", names.join(", "))
                })?;
                let a = &self.base.analyses[index];
                let descriptor = &self
                    .registry
                    .analysis(&a.type_name)
                    .ok_or_else(|| format!("analysis type `{}` is not registered", a.type_name))?
                    .descriptor;
                let spec = descriptor.params.iter().find(|p| p.name == *param).ok_or_else(|| {
                    let names: Vec<&str> = descriptor.params.iter().map(|p| p.name.as_str()).collect();
                    format!("analysis `{name}` has no parameter `{param}` (it has: {})", names.join(", "))
                })?;
                let kind = match (&spec.kind, key.first()) {
                    (ParamKind::Map { value } | ParamKind::PerComponent { value }, Some(_)) => (**value).clone(),
                    (k, None) => k.clone(),
                    (_, Some(_)) => return Err(format!("`{param}` is not a map; write `analyses.{name}.{param}`")),
                };
                let text = match kind {
                    ParamKind::Quantity { .. } | ParamKind::Fraction | ParamKind::Number => None,
                    ParamKind::Text if !unit.is_empty() => Some(unit.to_string()),
                    ParamKind::Text => {
                        return Err(format!(
                            "`{param}` is written as text with a unit: give the study parameter's `unit:`"
                        ));
                    }
                    _ => return Err(format!("`{param}` is {}, not a number a study can vary", kind.describe())),
                };
                let target =
                    Target::Analysis { index, param: param.to_string(), key: key.first().map(|k| k.to_string()), text };
                if let Target::Analysis { text: Some(_), .. } = &target {
                    // Passed on as text; the analysis checks and converts it.
                    return Ok(Resolved { target, scale: 1.0, offset: 0.0, base_si: f64::NAN });
                }
                (target, Some(kind))
            }
            _ => {
                return Err(
                    "a parameter path starts with `units.`, `streams.` or `analyses.` and names a parameter".into()
                );
            }
        };
        // The affine map to SI, through the same decoding as the flowsheet file.
        // Values without a unit are SI (unit parameters) or as the analysis reads a bare
        // number; with one, they are decoded against the parameter's kind, so a unit of the
        // wrong dimension is refused as it would be in the flowsheet file.
        let bare_si = unit.is_empty() && !matches!(target, Target::Analysis { .. });
        let si_of = |x: f64| -> Result<f64, String> {
            let text = format_value(x, unit);
            match &kind {
                _ if bare_si => Ok(x),
                Some(kind) => match self.base.decode_value(kind, &text, path)? {
                    ParamValue::Number(v) => Ok(v),
                    other => Err(format!("`{text}` decodes to {other:?}, not a number")),
                },
                None if unit.is_empty() => Ok(x),
                None => {
                    self.base.units_of_measure.parse(&text).map(|q| q.value).map_err(|e| format!("unit `{unit}`: {e}"))
                }
            }
        };
        let offset = si_of(0.0)?;
        let scale = si_of(1.0)? - offset;
        if !(scale.is_finite() && scale > 0.0) {
            return Err(format!("unit `{unit}` does not convert to a positive scale"));
        }
        let base_si = match &target {
            Target::Unit(v) => f.read(v).map_err(|e| e.to_string())?,
            Target::Fraction { unit, component } => {
                match f.unit_params(unit).map_err(|e| e.to_string())?.get("composition") {
                    Some(ParamValue::Map(m)) => match m.get(component) {
                        Some(ParamValue::Number(x)) => *x,
                        _ => 0.0,
                    },
                    _ => 0.0,
                }
            }
            Target::Analysis { index, param, key, .. } => match (self.base.analyses[*index].params.get(param), key) {
                (Some(ParamValue::Number(x)), None) => *x,
                (Some(ParamValue::Map(m)), Some(k)) => match m.get(k) {
                    Some(ParamValue::Number(x)) => *x,
                    _ => f64::NAN,
                },
                _ => f64::NAN,
            },
        };
        Ok(Resolved { target, scale, offset, base_si })
    }

    /// The declared kind of a unit's parameter (of one entry, for a map), if the unit type
    /// declares it.
    fn unit_param_kind(&self, unit: &str, param: &str, entry: bool) -> Option<ParamKind> {
        let def = self.base.def.units.iter().find(|u| u.name == unit)?;
        let spec = def.unit_type.descriptor().params.into_iter().find(|p| p.name == param)?;
        match (spec.kind, entry) {
            (ParamKind::Map { value } | ParamKind::PerComponent { value }, true) => Some(*value),
            (k, false) => Some(k),
            _ => None,
        }
    }

    /// A worker's flowsheet: an idle one, or a new one; reused for many samples.
    fn lease(&self) -> Lease<'_, 'r> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        Lease { study: self, flowsheet: idle.map_or_else(|| self.base.build().map_err(|d| d.to_string()), Ok) }
    }

    /// Set every target on `f` (the sample's value, or the base value for `None`) and restore
    /// the base warm start; returns the analyses with this sample's parameters.
    fn configure(&self, f: &mut Flowsheet, values: &[Option<f64>]) -> Result<Option<Vec<ConfiguredAnalysis>>, String> {
        if values.len() != self.targets.len() {
            // Every target must be set (or reset) for every sample: nothing may carry over.
            return Err(format!(
                "{} values given for {} study parameters and sweep axes",
                values.len(),
                self.targets.len()
            ));
        }
        f.set_warm_start(&self.warm).map_err(|e| e.to_string())?;
        let mut changed: BTreeMap<usize, Params> = BTreeMap::new();
        // Per feed: the fractions set, and whether any of them is a sample's (not base) value.
        let mut fractions: BTreeMap<&str, (BTreeMap<&str, f64>, bool)> = BTreeMap::new();
        for (r, v) in self.targets.iter().zip(values) {
            let si = v.map_or(r.base_si, |x| r.si(x));
            match &r.target {
                Target::Unit(var) => f.set(var, si).map_err(|e| e.to_string())?,
                Target::Fraction { unit, component } => {
                    let entry = fractions.entry(unit).or_default();
                    entry.0.insert(component, si);
                    entry.1 |= v.is_some();
                }
                Target::Analysis { index, param, key, text } => {
                    let Some(x) = v else { continue };
                    let value = match text {
                        Some(unit) => ParamValue::Text(format_value(*x, unit)),
                        None => ParamValue::Number(si),
                    };
                    let params = changed.entry(*index).or_insert_with(|| self.base.analyses[*index].params.clone());
                    match key {
                        None => params.set(param, value),
                        Some(k) => {
                            let mut map = match params.get(param) {
                                Some(ParamValue::Map(m)) => m.clone(),
                                _ => BTreeMap::new(),
                            };
                            map.insert(k.clone(), value);
                            params.set(param, ParamValue::Map(map));
                        }
                    }
                }
            }
        }
        for (unit, (fixed, sampled)) in fractions {
            if let Some((c, x)) = fixed.iter().find(|(_, x)| !(0.0..=1.0).contains(*x)) {
                return Err(format!("the mass fraction of {c} in `{unit}` must be within 0 and 1, found {x}"));
            }
            let mut params = f.unit_params(unit).map_err(|e| e.to_string())?.clone();
            let Some(ParamValue::Map(base)) =
                self.base.def.units.iter().find(|u| u.name == unit).and_then(|u| u.params.get("composition"))
            else {
                return Err(format!("`{unit}` has no composition"));
            };
            // All at base: the base composition itself, bit for bit (rescaling by a factor
            // of 1 could move the last bit).
            let composition =
                if sampled { renormalise(base, &fixed).map_err(|e| format!("`{unit}`: {e}"))? } else { base.clone() };
            params.set("composition", ParamValue::Map(composition));
            f.set_unit_params(unit, params).map_err(|e| e.to_string())?;
        }
        if changed.is_empty() {
            return Ok(None);
        }
        let mut analyses = self.base.analyses.clone();
        for (index, params) in changed {
            let a = &mut analyses[index];
            let t = self
                .registry
                .analysis(&a.type_name)
                .ok_or_else(|| format!("analysis type `{}` is not registered", a.type_name))?;
            let created =
                t.analysis_type.create(&a.name, &params).map_err(|e| format!("analysis `{}`: {e}", a.name))?;
            a.analysis = Arc::from(created);
            a.params = params;
        }
        Ok(Some(analyses))
    }

    /// Evaluate on a worker's flowsheet with some parameters set (None: the flowsheet's value).
    fn evaluate_on(&self, f: &mut Flowsheet, values: &[Option<f64>]) -> Outcome {
        let analyses = self.configure(f, values)?;
        let result = f.solve().map_err(|e| e.to_string())?;
        let outputs =
            calx_flowsheet::run_analyses(analyses.as_deref().unwrap_or(&self.base.analyses), &result, Detail::Metrics)?;
        let mut out = Vec::with_capacity(self.metrics.len());
        for (m, path) in self.metrics.iter().zip(&self.def.metrics) {
            let x = match m {
                MetricRef::Analysis { name, metric } => outputs
                    .iter()
                    .find(|o| &o.name == name)
                    .and_then(|o| o.metric(metric))
                    .ok_or_else(|| format!("{path}: not produced"))?,
                MetricRef::Var(v) => f.read(v).map_err(|e| e.to_string())?,
            };
            if !x.is_finite() {
                return Err(format!("{path} is {x}"));
            }
            out.push(x);
        }
        Ok(out)
    }

    /// Evaluate with some parameters set (None: the flowsheet's own value): one value per
    /// study parameter, then one per sweep axis.
    pub fn evaluate(&self, values: &[Option<f64>]) -> Outcome {
        let mut lease = self.lease();
        match &mut lease.flowsheet {
            Ok(f) => self.evaluate_on(f, values),
            Err(e) => Err(e.clone()),
        }
    }

    /// Evaluate many points in parallel, each worker thread reusing one flowsheet; results
    /// in input order.
    fn evaluate_all(&self, points: Vec<Vec<Option<f64>>>, progress: &(dyn Fn(usize) + Sync)) -> Vec<Outcome> {
        points
            .into_par_iter()
            .map_init(
                || self.lease(),
                |lease, v| {
                    let r = match &mut lease.flowsheet {
                        Ok(f) => self.evaluate_on(f, &v),
                        Err(e) => Err(e.clone()),
                    };
                    progress(1);
                    r
                },
            )
            .collect()
    }

    /// Parameter values of samples `range` (deterministic in the seed and the index only).
    pub fn sample_values(&self, range: std::ops::Range<usize>) -> Vec<Vec<f64>> {
        let n = self.def.samples;
        range
            .map(|i| {
                let mut rng = Rng::new(self.def.seed, i as u64);
                self.def
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        let u = match (&self.def.sampling, &self.strata) {
                            (Sampling::LatinHypercube, Some(s)) => (s[j][i] as f64 + rng.uniform()) / n as f64,
                            // Points of a scrambled Sobol sequence are in [0, 1) and 24-bit:
                            // half a step keeps them off 0, where unbounded quantiles diverge.
                            (Sampling::Sobol, _) => {
                                f64::from(sobol_burley::sample(i as u32, j as u32, self.def.seed as u32))
                                    + 0.5 / f64::from(1u32 << 24)
                            }
                            _ => rng.uniform(),
                        };
                        p.dist.quantile(u)
                    })
                    .collect()
            })
            .collect()
    }

    /// Run samples `range` in parallel on the current rayon pool; results in index order.
    /// `progress` is called with the number of samples finished, from any worker thread.
    pub fn run_with_progress(&self, range: std::ops::Range<usize>, progress: &(dyn Fn(usize) + Sync)) -> Vec<Sample> {
        let start = range.start;
        let values = self.sample_values(range);
        let n_sweep = self.targets.len() - self.def.parameters.len();
        let points = values
            .iter()
            .map(|v| v.iter().copied().map(Some).chain(std::iter::repeat_n(None, n_sweep)).collect())
            .collect();
        let outcomes = self.evaluate_all(points, progress);
        values
            .into_iter()
            .zip(outcomes)
            .enumerate()
            .map(|(k, (values, outcome))| Sample { index: start + k, values, outcome })
            .collect()
    }

    /// Run samples `range` in parallel on the current rayon pool; results in index order.
    pub fn run(&self, range: std::ops::Range<usize>) -> Vec<Sample> {
        self.run_with_progress(range, &|_| {})
    }

    /// One-at-a-time tornado: the base case, then each parameter alone at its low and high value.
    pub fn tornado(&self) -> Result<Tornado, StudyError> {
        let none = vec![None; self.targets.len()];
        let base = self.evaluate(&none).map_err(StudyError::Flowsheet)?;
        let mut points = Vec::new();
        for (j, p) in self.def.parameters.iter().enumerate() {
            for x in [p.tornado.0, p.tornado.1] {
                let mut v = none.clone();
                v[j] = Some(x);
                points.push(v);
            }
        }
        let mut outcomes = self.evaluate_all(points, &|_| {}).into_iter();
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
        grid.into_iter().zip(self.evaluate_all(points, &|_| {})).collect()
    }

    /// The deterministic slice of sample indices of shard `i` of `n` (0-based).
    pub fn shard_range(&self, i: usize, n: usize) -> std::ops::Range<usize> {
        let s = self.def.samples;
        (i * s / n)..((i + 1) * s / n)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use calx_core::ParamValue;

    use super::renormalise;

    fn comp(pairs: &[(&str, f64)]) -> BTreeMap<String, ParamValue> {
        pairs.iter().map(|(k, v)| (k.to_string(), ParamValue::Number(*v))).collect()
    }

    fn get(m: &BTreeMap<String, ParamValue>, k: &str) -> f64 {
        match m.get(k) {
            Some(ParamValue::Number(x)) => *x,
            _ => f64::NAN,
        }
    }

    #[test]
    fn a_fraction_set_scales_the_others_to_keep_the_whole() {
        // CaO 0.2 -> 0.3: the other 0.8 becomes 0.7, each scaled by 7/8.
        let base = comp(&[("CaO", 0.2), ("SiO2", 0.5), ("MgO", 0.3)]);
        let out = renormalise(&base, &BTreeMap::from([("CaO", 0.3)])).unwrap_or_default();
        assert_eq!(get(&out, "CaO"), 0.3);
        assert!((get(&out, "SiO2") - 0.5 * 7.0 / 8.0).abs() < 1e-15);
        assert!((get(&out, "MgO") - 0.3 * 7.0 / 8.0).abs() < 1e-15);
        let sum: f64 = out.keys().map(|k| get(&out, k)).sum();
        assert!((sum - 1.0).abs() < 1e-15);
        // Two fixed at once; the rest takes up the difference.
        let out = renormalise(&base, &BTreeMap::from([("CaO", 0.1), ("MgO", 0.1)])).unwrap_or_default();
        assert!((get(&out, "SiO2") - 0.8).abs() < 1e-15);
    }

    #[test]
    fn fractions_beyond_the_whole_or_with_nothing_to_scale_are_errors() {
        let base = comp(&[("CaO", 0.2), ("SiO2", 0.8)]);
        assert!(renormalise(&base, &BTreeMap::from([("CaO", 0.7), ("SiO2", 0.5)])).is_err());
        let only = comp(&[("CaO", 1.0)]);
        assert!(renormalise(&only, &BTreeMap::from([("CaO", 0.5)])).is_err());
    }
}
