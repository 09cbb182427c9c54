//! Parameter studies: Monte Carlo or Latin hypercube uncertainty over unit, feed and analysis
//! parameters, with summary statistics, Spearman rank correlations and a one-at-a-time
//! tornado; run in parallel (rayon) and bit-identical for any thread count or shard split,
//! because each sample's random numbers depend only on the study seed and its index and each
//! sample starts from the base case (recycle tears warm-started from its converged values).
//!
//! A study file names a flowsheet; every path is checked against that flowsheet, and every
//! distribution against what the model accepts, before any sample runs. Unit and feed
//! parameters are changed through [`Flowsheet::set`]; analysis parameters by rewriting that
//! value in the flowsheet text and decoding it again (analyses are configured at parse time).
//! This crate does no file I/O: the `calx` command reads and writes the files.

pub mod dist;
pub mod stats;
pub mod yaml;

use std::fmt::Write as _;

use calx_core::registry::Registry;
use calx_engine::{Flowsheet, Variable};
use calx_flowsheet::Model;
use rayon::prelude::*;

use crate::dist::{Distribution, Rng, Truncated, lhs_strata};
use crate::yaml::Node;

/// Why a study cannot run or be merged.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The study file is not valid YAML of the supported subset.
    #[error("study file line {line}: {message}")]
    Syntax {
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field of the study is missing or wrong.
    #[error("study field `{field}`: {message}")]
    Field {
        /// Field path.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A parameter or metric path does not fit the flowsheet.
    #[error("`{path}`: {message}")]
    Path {
        /// The path as written.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The flowsheet (with the study's fixed settings) does not load or its base case fails.
    #[error("flowsheet: {0}")]
    Flowsheet(String),
    /// Shard outputs do not combine.
    #[error("merge: {0}")]
    Merge(String),
}

/// Sampling scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// Independent uniform numbers per sample.
    Random,
    /// Latin hypercube: each parameter's range split into N equal-probability strata, each
    /// used once.
    LatinHypercube,
}

/// One uncertain parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Path as written (`units.hydration.conversion.CaO`).
    pub path: String,
    /// Unit of measure of its values (empty: SI / dimensionless).
    pub unit: String,
    /// Its distribution.
    pub dist: Truncated,
    /// Low and high values of the tornado (default: the distribution's 5th and 95th percentiles).
    pub tornado: (f64, f64),
    /// Where its values come from, for reports.
    pub source: String,
}

/// A one- or two-parameter grid.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Paths, units and values of each axis.
    pub axes: Vec<(String, String, Vec<f64>)>,
}

/// A study as written.
#[derive(Clone, Debug)]
pub struct StudyDef {
    /// Name.
    pub name: String,
    /// The flowsheet file, relative to the study file.
    pub flowsheet: String,
    /// Seed.
    pub seed: u64,
    /// Number of samples.
    pub samples: usize,
    /// Sampling scheme.
    pub sampling: Sampling,
    /// Fixed changes to the flowsheet applied before anything (path, text).
    pub set: Vec<(String, String)>,
    /// Uncertain parameters.
    pub parameters: Vec<Parameter>,
    /// Metrics recorded per sample.
    pub metrics: Vec<String>,
    /// Optional sweep.
    pub sweep: Option<Sweep>,
}

fn field(f: &str, m: impl Into<String>) -> StudyError {
    StudyError::Field { field: f.to_string(), message: m.into() }
}

fn number(node: Option<&Node>, f: &str) -> Result<f64, StudyError> {
    let t = node.and_then(Node::text).ok_or_else(|| field(f, "a number is required"))?;
    t.replace([',', '_'], "").parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| field(f, format!("`{t}` is not a finite number")))
}

fn opt_number(node: Option<&Node>, f: &str) -> Result<Option<f64>, StudyError> {
    node.map(|n| number(Some(n), f)).transpose()
}

fn text<'a>(node: Option<&'a Node>, f: &str) -> Result<&'a str, StudyError> {
    node.and_then(Node::text).filter(|t| !t.is_empty()).ok_or_else(|| field(f, "text is required"))
}

fn only(node: &Node, allowed: &[&str], f: &str) -> Result<(), StudyError> {
    if let Node::Map(m) = node {
        for (k, _) in m {
            if !allowed.contains(&k.as_str()) {
                return Err(field(&format!("{f}{k}"), format!("unknown field; allowed: {}", allowed.join(", "))));
            }
        }
        Ok(())
    } else {
        Err(field(f.trim_end_matches('.'), "a mapping is required"))
    }
}

fn distribution(node: &Node, f: &str) -> Result<Truncated, StudyError> {
    only(node, &["type", "low", "mode", "high", "mean", "sd", "median", "gsd", "min", "max"], &format!("{f}."))?;
    let g = |k: &str| number(node.get(k), &format!("{f}.{k}"));
    let kind = text(node.get("type"), &format!("{f}.type"))?;
    let dist = match kind {
        "uniform" => Distribution::Uniform { low: g("low")?, high: g("high")? },
        "triangular" => Distribution::Triangular { low: g("low")?, mode: g("mode")?, high: g("high")? },
        "pert" => Distribution::Pert { low: g("low")?, mode: g("mode")?, high: g("high")? },
        "normal" => Distribution::Normal { mean: g("mean")?, sd: g("sd")? },
        "lognormal" => Distribution::LogNormal { mu: g("median")?.ln(), sigma: g("gsd")?.ln() },
        other => return Err(field(&format!("{f}.type"), format!("unknown distribution `{other}`; allowed: uniform, triangular, pert, normal, lognormal"))),
    };
    let ok = match dist {
        Distribution::Uniform { low, high } => low < high,
        Distribution::Triangular { low, mode, high } | Distribution::Pert { low, mode, high } => low < high && low <= mode && mode <= high,
        Distribution::Normal { sd, .. } => sd > 0.0,
        Distribution::LogNormal { mu, sigma } => mu.is_finite() && sigma.is_finite() && sigma > 0.0,
    };
    if !ok {
        return Err(field(f, "inconsistent: need low < high, low <= mode <= high, sd > 0, median > 0 and gsd > 1"));
    }
    let t = Truncated { dist, min: opt_number(node.get("min"), &format!("{f}.min"))?, max: opt_number(node.get("max"), &format!("{f}.max"))? };
    let (a, b) = t.support();
    let (pa, pb) = (t.dist.cdf(a), t.dist.cdf(b));
    if a.partial_cmp(&b) != Some(std::cmp::Ordering::Less) || pb.partial_cmp(&pa) != Some(std::cmp::Ordering::Greater) {
        return Err(field(f, "the truncation leaves no probability"));
    }
    Ok(t)
}

fn list<'a>(node: Option<&'a Node>, f: &str) -> Result<&'a [Node], StudyError> {
    match node {
        Some(Node::List(l)) => Ok(l),
        _ => Err(field(f, "a list is required")),
    }
}

/// Read a study file's text.
pub fn parse_study(source: &str) -> Result<StudyDef, StudyError> {
    let root = yaml::parse(source)?;
    only(&root, &["study", "description", "flowsheet", "seed", "samples", "sampling", "set", "parameters", "metrics", "sweep"], "")?;
    let name = text(root.get("study"), "study")?.to_string();
    let flowsheet = text(root.get("flowsheet"), "flowsheet")?.to_string();
    let seed = text(root.get("seed"), "seed")?.parse::<u64>().map_err(|_| field("seed", "a whole number 0 .. 2^64-1 is required"))?;
    let samples = text(root.get("samples"), "samples")?.replace([',', '_'], "").parse::<usize>().map_err(|_| field("samples", "a whole number is required"))?;
    let sampling = match root.get("sampling").and_then(Node::text).unwrap_or("lhs") {
        "random" => Sampling::Random,
        "lhs" | "latin_hypercube" => Sampling::LatinHypercube,
        other => return Err(field("sampling", format!("unknown sampling `{other}`; allowed: random, lhs"))),
    };
    let mut set = Vec::new();
    if let Some(n) = root.get("set") {
        let Node::Map(m) = n else { return Err(field("set", "a mapping of path: value is required")) };
        for (k, v) in m {
            set.push((k.clone(), text(Some(v), &format!("set.{k}"))?.to_string()));
        }
    }
    let mut parameters = Vec::new();
    for (i, p) in list(root.get("parameters"), "parameters")?.iter().enumerate() {
        let f = format!("parameters[{i}]");
        only(p, &["path", "unit", "distribution", "tornado", "source"], &format!("{f}."))?;
        let path = text(p.get("path"), &format!("{f}.path"))?.to_string();
        let dist = distribution(p.get("distribution").ok_or_else(|| field(&format!("{f}.distribution"), "required"))?, &format!("{f}.distribution"))?;
        let tornado = match p.get("tornado") {
            None => (dist.quantile(0.05), dist.quantile(0.95)),
            Some(Node::List(l)) if l.len() == 2 => (number(Some(&l[0]), &format!("{f}.tornado"))?, number(Some(&l[1]), &format!("{f}.tornado"))?),
            Some(_) => return Err(field(&format!("{f}.tornado"), "write `[low, high]`")),
        };
        if parameters.iter().any(|q: &Parameter| q.path == path) {
            return Err(field(&format!("{f}.path"), format!("`{path}` is given twice")));
        }
        let unit = p.get("unit").and_then(Node::text).unwrap_or("").to_string();
        let source = p.get("source").and_then(Node::text).unwrap_or("").to_string();
        parameters.push(Parameter { path, unit, dist, tornado, source });
    }
    let metrics = list(root.get("metrics"), "metrics")?
        .iter()
        .enumerate()
        .map(|(i, m)| text(Some(m), &format!("metrics[{i}]")).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    if metrics.is_empty() {
        return Err(field("metrics", "name at least one metric"));
    }
    let sweep = match root.get("sweep") {
        None => None,
        Some(s) => {
            only(s, &["parameters"], "sweep.")?;
            let mut axes = Vec::new();
            for (i, a) in list(s.get("parameters"), "sweep.parameters")?.iter().enumerate() {
                let f = format!("sweep.parameters[{i}]");
                only(a, &["path", "unit", "values", "from", "to", "steps"], &format!("{f}."))?;
                let path = text(a.get("path"), &format!("{f}.path"))?.to_string();
                let unit = a.get("unit").and_then(Node::text).unwrap_or("").to_string();
                let values = match a.get("values") {
                    Some(Node::List(l)) => l.iter().map(|v| number(Some(v), &format!("{f}.values"))).collect::<Result<Vec<_>, _>>()?,
                    Some(_) => return Err(field(&format!("{f}.values"), "a list is required")),
                    None => {
                        let (from, to) = (number(a.get("from"), &format!("{f}.from"))?, number(a.get("to"), &format!("{f}.to"))?);
                        let steps = number(a.get("steps"), &format!("{f}.steps"))?;
                        if steps < 2.0 || steps.fract() != 0.0 {
                            return Err(field(&format!("{f}.steps"), "a whole number of at least 2 is required"));
                        }
                        let n = steps as usize;
                        (0..n).map(|k| from + (to - from) * k as f64 / (n - 1) as f64).collect()
                    }
                };
                axes.push((path, unit, values));
            }
            if axes.is_empty() || axes.len() > 2 {
                return Err(field("sweep.parameters", "give one or two parameters"));
            }
            Some(Sweep { axes })
        }
    };
    Ok(StudyDef { name, flowsheet, seed, samples, sampling, set, parameters, metrics, sweep })
}

/// Where a parameter's values go.
#[derive(Clone, Debug)]
enum Target {
    Unit(Variable),
    Analysis(String),
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
    file: String,
    text: String,
    base: Model,
    guesses: std::collections::BTreeMap<String, calx_core::Stream>,
    targets: Vec<(Target, String)>,
    metrics: Vec<MetricRef>,
}

/// One evaluated sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Index 0..N.
    pub index: usize,
    /// Parameter values, in the study's units.
    pub values: Vec<f64>,
    /// Metric values, or why the sample failed.
    pub outcome: Result<Vec<f64>, String>,
}

fn resolve_target(path: &str, model: &Model) -> Result<Target, String> {
    let s: Vec<&str> = path.split('.').collect();
    match s.as_slice() {
        ["units" | "streams", unit, rest @ ..] if !rest.is_empty() => {
            let rest: Vec<&str> = if rest[0] == "params" && rest.len() > 1 { rest[1..].to_vec() } else { rest.to_vec() };
            if rest.len() > 2 {
                return Err("write `units.UNIT.PARAM` or `units.UNIT.PARAM.KEY`".into());
            }
            Ok(Target::Unit(Variable::UnitParam { unit: unit.to_string(), param: rest[0].to_string(), key: rest.get(1).map(|k| k.to_string()) }))
        }
        ["analyses", name, rest @ ..] if !rest.is_empty() => {
            if !model.analyses.iter().any(|a| a.name == *name) {
                let names: Vec<&str> = model.analyses.iter().map(|a| a.name.as_str()).collect();
                return Err(format!("the flowsheet has no analysis `{name}` (it has: {})", names.join(", ")));
            }
            Ok(Target::Analysis(path.to_string()))
        }
        _ => Err("a parameter path starts with `units.`, `streams.` or `analyses.` and names a parameter".into()),
    }
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

fn format_value(x: f64, unit: &str) -> String {
    if unit.is_empty() { format!("{x}") } else { format!("{x} {unit}") }
}

impl<'r> Study<'r> {
    /// Check a study against its flowsheet (text and file name as given) and solve the base
    /// case. Every path, unit and distribution is checked here, before any sample runs.
    pub fn prepare(def: StudyDef, flowsheet_text: &str, file: &str, registry: &'r Registry) -> Result<Study<'r>, StudyError> {
        let mut text = flowsheet_text.to_string();
        for (path, value) in &def.set {
            let value = if value.contains(": ") || value.contains(" #") || value.starts_with(['"', '\'', '{', '[', '&', '*', '!', '|', '>', '%', '@', '`']) {
                format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                value.clone()
            };
            text = yaml::set_path(&text, path, &value).map_err(|message| StudyError::Path { path: path.clone(), message })?;
        }
        let base = calx_flowsheet::parse(&text, file, registry).map_err(|d| StudyError::Flowsheet(d.to_string()))?;
        let mut f = base.build().map_err(|d| StudyError::Flowsheet(d.to_string()))?;
        let result = f.solve().map_err(|e| StudyError::Flowsheet(format!("the base case does not solve: {e}")))?;
        let outputs = base.run_analyses(&result).map_err(|e| StudyError::Flowsheet(format!("the base case's analyses fail: {e}")))?;
        let mut guesses = base.def.options.initial_guesses.clone();
        for l in &result.solver.loops {
            for t in &l.tears {
                if let Some(s) = result.stream(t) {
                    guesses.insert(t.clone(), s.stream.clone());
                }
            }
        }
        let mut study = Study { def, registry, file: file.to_string(), text, base, guesses, targets: Vec::new(), metrics: Vec::new() };
        let specs: Vec<(String, String)> = study
            .def
            .parameters
            .iter()
            .map(|p| (p.path.clone(), p.unit.clone()))
            .chain(study.def.sweep.iter().flat_map(|s| s.axes.iter().map(|(p, u, _)| (p.clone(), u.clone()))))
            .collect();
        for (path, unit) in specs {
            let target = resolve_target(&path, &study.base).map_err(|message| StudyError::Path { path: path.clone(), message })?;
            if let Target::Unit(v) = &target {
                f.read(v).map_err(|e| StudyError::Path { path: path.clone(), message: format!("no such numeric parameter in the flowsheet: {e}") })?;
            }
            // Analysis values are checked by decoding them (analyses define their own units).
            if !unit.is_empty() && matches!(target, Target::Unit(_)) {
                study.base.units_of_measure.unit(&unit).map_err(|e| StudyError::Path { path: path.clone(), message: format!("unit `{unit}`: {e}") })?;
            }
            study.targets.push((target, unit));
        }
        // Every value a distribution can produce must be accepted by the model: try both ends
        // of its support (an unbounded end as a huge number), and the tornado values.
        let n = study.def.parameters.len();
        for j in 0..n {
            let p = study.def.parameters[j].clone();
            let (a, b) = p.dist.support();
            let ends = [if a.is_finite() { a } else { -1e15 }, if b.is_finite() { b } else { 1e15 }, p.tornado.0, p.tornado.1];
            for x in ends {
                let mut values = vec![None; study.targets.len()];
                values[j] = Some(x);
                study.configure(&values).map_err(|e| StudyError::Path {
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
                MetricRef::Analysis { name, metric } => outputs.iter().find(|o| &o.name == name).and_then(|o| o.metric(metric)).is_some(),
                MetricRef::Var(v) => f.read(v).is_ok(),
            };
            if !ok {
                let known = match &r {
                    MetricRef::Analysis { name, .. } => outputs
                        .iter()
                        .find(|o| &o.name == name)
                        .map(|o| o.metrics.iter().map(|x| x.name.as_str()).filter(|x| !x.contains('.')).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                    MetricRef::Var(_) => "stream totals, temperatures and component flows".into(),
                };
                return Err(StudyError::Path { path: m.clone(), message: format!("no such result; available: {known}") });
            }
            study.metrics.push(r);
        }
        Ok(study)
    }

    /// The model with analysis values applied, and the flowsheet built with unit values set.
    fn configure(&self, values: &[Option<f64>]) -> Result<(Option<Model>, Flowsheet), String> {
        let mut text: Option<String> = None;
        for ((target, unit), v) in self.targets.iter().zip(values) {
            if let (Target::Analysis(path), Some(x)) = (target, v) {
                let t = text.as_deref().unwrap_or(&self.text);
                text = Some(yaml::set_path(t, path, &format_value(*x, unit))?);
            }
        }
        let model = match text {
            Some(t) => Some(calx_flowsheet::parse(&t, &self.file, self.registry).map_err(|d| d.to_string().lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" "))?),
            None => None,
        };
        let mut def = model.as_ref().unwrap_or(&self.base).def.clone();
        def.options.initial_guesses = self.guesses.clone();
        let mut f = Flowsheet::build(def).map_err(|e| e.to_string())?;
        for ((target, unit), v) in self.targets.iter().zip(values) {
            if let (Target::Unit(var), Some(x)) = (target, v) {
                let si = if unit.is_empty() { *x } else { self.base.units_of_measure.parse(&format_value(*x, unit)).map_err(|e| e.to_string())?.value };
                f.set(var, si).map_err(|e| e.to_string())?;
            }
        }
        Ok((model, f))
    }

    /// Evaluate with some parameters set (None: the flowsheet's own value).
    pub fn evaluate(&self, values: &[Option<f64>]) -> Result<Vec<f64>, String> {
        let (model, mut f) = self.configure(values)?;
        let result = f.solve().map_err(|e| e.to_string())?;
        let model = model.as_ref().unwrap_or(&self.base);
        let outputs = model.run_analyses(&result)?;
        let mut out = Vec::with_capacity(self.metrics.len());
        for (m, path) in self.metrics.iter().zip(&self.def.metrics) {
            let x = match m {
                MetricRef::Analysis { name, metric } => outputs.iter().find(|o| &o.name == name).and_then(|o| o.metric(metric)).ok_or_else(|| format!("{path}: not produced"))?,
                MetricRef::Var(v) => f.read(v).map_err(|e| e.to_string())?,
            };
            if !x.is_finite() {
                return Err(format!("{path} is {x}"));
            }
            out.push(x);
        }
        Ok(out)
    }

    /// Parameter values of samples `range` (deterministic in the seed and the index only).
    pub fn sample_values(&self, range: std::ops::Range<usize>) -> Vec<Vec<f64>> {
        let n = self.def.samples;
        let strata = match self.def.sampling {
            Sampling::LatinHypercube => Some(lhs_strata(self.def.seed, self.def.parameters.len(), n)),
            Sampling::Random => None,
        };
        range
            .map(|i| {
                let mut rng = Rng::new(self.def.seed, i as u64);
                self.def
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        let u = rng.uniform();
                        let u = match &strata {
                            Some(s) => (s[j][i] as f64 + u) / n as f64,
                            None => u,
                        };
                        p.dist.quantile(u)
                    })
                    .collect()
            })
            .collect()
    }

    /// Run samples `range` in parallel on the current rayon pool; results in index order.
    pub fn run(&self, range: std::ops::Range<usize>) -> Vec<Sample> {
        let start = range.start;
        let values = self.sample_values(range);
        let n_sweep = self.targets.len() - self.def.parameters.len();
        values
            .into_par_iter()
            .enumerate()
            .map(|(k, v)| {
                let mut set: Vec<Option<f64>> = v.iter().copied().map(Some).collect();
                set.extend(std::iter::repeat_n(None, n_sweep));
                Sample { index: start + k, outcome: self.evaluate(&set), values: v }
            })
            .collect()
    }

    /// One-at-a-time tornado: the base case, then each parameter alone at its low and high value.
    pub fn tornado(&self) -> Result<Tornado, StudyError> {
        let none = vec![None; self.targets.len()];
        let base = self.evaluate(&none).map_err(StudyError::Flowsheet)?;
        let rows = (0..self.def.parameters.len())
            .into_par_iter()
            .map(|j| {
                let p = &self.def.parameters[j];
                let at = |x: f64| {
                    let mut v = none.clone();
                    v[j] = Some(x);
                    self.evaluate(&v)
                };
                (at(p.tornado.0), at(p.tornado.1))
            })
            .collect();
        Ok(Tornado { base, rows })
    }

    /// The sweep grid: each combination of the axes' values, others at the flowsheet's values.
    pub fn sweep(&self) -> Vec<(Vec<f64>, Outcome)> {
        let Some(s) = &self.def.sweep else { return Vec::new() };
        let first = self.def.parameters.len();
        let mut points: Vec<Vec<f64>> = s.axes[0].2.iter().map(|x| vec![*x]).collect();
        if let Some(second) = s.axes.get(1) {
            points = points.iter().flat_map(|p| second.2.iter().map(move |y| vec![p[0], *y])).collect();
        }
        points
            .into_par_iter()
            .map(|p| {
                let mut v = vec![None; self.targets.len()];
                for (k, x) in p.iter().enumerate() {
                    v[first + k] = Some(*x);
                }
                let r = self.evaluate(&v);
                (p, r)
            })
            .collect()
    }

    /// The deterministic slice of sample indices of shard `i` of `n` (0-based).
    pub fn shard_range(&self, i: usize, n: usize) -> std::ops::Range<usize> {
        let s = self.def.samples;
        (i * s / n)..((i + 1) * s / n)
    }
}

/// Metrics of one evaluation, or why it failed.
pub type Outcome = Result<Vec<f64>, String>;

/// Tornado results: the base metrics and, per parameter, the metrics at low and at high.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Base-case metrics.
    pub base: Vec<f64>,
    /// Per parameter: (at low, at high).
    pub rows: Vec<(Outcome, Outcome)>,
}

fn csv_field(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn csv_split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut quoted, mut chars) = (String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Header of the samples CSV.
pub fn samples_header(def: &StudyDef) -> String {
    let mut h = vec!["sample".to_string(), "status".to_string()];
    h.extend(def.parameters.iter().map(|p| csv_field(&p.path)));
    h.extend(def.metrics.iter().map(|m| csv_field(m)));
    h.push("error".into());
    h.join(",") + "\n"
}

/// Samples as CSV rows (no header); values round-trip exactly.
pub fn samples_csv(samples: &[Sample], n_metrics: usize) -> String {
    let mut out = String::new();
    for s in samples {
        let _ = write!(out, "{},{}", s.index, if s.outcome.is_ok() { "ok" } else { "failed" });
        for v in &s.values {
            let _ = write!(out, ",{v}");
        }
        match &s.outcome {
            Ok(m) => {
                for v in m {
                    let _ = write!(out, ",{v}");
                }
                out.push_str(",\n");
            }
            Err(e) => {
                out.push_str(&",".repeat(n_metrics));
                let _ = writeln!(out, ",{}", csv_field(e));
            }
        }
    }
    out
}

/// Read samples CSV text (with its header) written by [`samples_header`] + [`samples_csv`].
pub fn parse_samples(def: &StudyDef, text: &str) -> Result<Vec<Sample>, StudyError> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if format!("{header}\n") != samples_header(def) {
        return Err(StudyError::Merge("the samples file's columns do not match the study (another study, or an edited study file?)".into()));
    }
    let (np, nm) = (def.parameters.len(), def.metrics.len());
    let bad = |no: usize, m: &str| StudyError::Merge(format!("samples line {}: {m}", no + 2));
    let mut out = Vec::new();
    for (no, line) in lines.enumerate() {
        let f = csv_split(line);
        if f.len() != 3 + np + nm {
            return Err(bad(no, "wrong number of fields"));
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad(no, &format!("`{s}` is not a number")));
        let index = f[0].parse::<usize>().map_err(|_| bad(no, "bad sample index"))?;
        let values = f[2..2 + np].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?;
        let outcome = match f[1].as_str() {
            "ok" => Ok(f[2 + np..2 + np + nm].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?),
            "failed" => Err(f[2 + np + nm].clone()),
            other => return Err(bad(no, &format!("unknown status `{other}`"))),
        };
        out.push(Sample { index, values, outcome });
    }
    Ok(out)
}

/// Combine shards' samples into the full, ordered set; every index exactly once.
pub fn merge(def: &StudyDef, shards: Vec<Vec<Sample>>) -> Result<Vec<Sample>, StudyError> {
    let mut all: Vec<Sample> = shards.into_iter().flatten().collect();
    all.sort_by_key(|s| s.index);
    for (k, s) in all.iter().enumerate() {
        if s.index != k {
            return Err(StudyError::Merge(if s.index < k { format!("sample {} appears twice", s.index) } else { format!("sample {k} is missing") }));
        }
    }
    if all.len() != def.samples {
        return Err(StudyError::Merge(format!("{} samples of {}", all.len(), def.samples)));
    }
    Ok(all)
}

/// `summary.csv`: per metric n ok, n failed, mean, sd, p5, p50, p95.
pub fn summary_csv(def: &StudyDef, samples: &[Sample]) -> String {
    let ok: Vec<&Vec<f64>> = samples.iter().filter_map(|s| s.outcome.as_ref().ok()).collect();
    let failed = samples.len() - ok.len();
    let mut out = String::from("metric,n_ok,n_failed,mean,sd,p5,p50,p95\n");
    for (k, m) in def.metrics.iter().enumerate() {
        let col: Vec<f64> = ok.iter().map(|v| v[k]).collect();
        let s = stats::summary(&col);
        let _ = writeln!(out, "{},{},{failed},{},{},{},{},{}", csv_field(m), s.n, s.mean, s.sd, s.p5, s.p50, s.p95);
    }
    out
}

/// `spearman.csv`: rank correlation of each parameter with each metric over successful samples.
pub fn spearman_csv(def: &StudyDef, samples: &[Sample]) -> String {
    let ok: Vec<(&Vec<f64>, &Vec<f64>)> = samples.iter().filter_map(|s| s.outcome.as_ref().ok().map(|m| (&s.values, m))).collect();
    let mut out = String::from("parameter,metric,spearman\n");
    for (j, p) in def.parameters.iter().enumerate() {
        let x: Vec<f64> = ok.iter().map(|(v, _)| v[j]).collect();
        for (k, m) in def.metrics.iter().enumerate() {
            let y: Vec<f64> = ok.iter().map(|(_, r)| r[k]).collect();
            let _ = writeln!(out, "{},{},{}", csv_field(&p.path), csv_field(m), stats::spearman(&x, &y));
        }
    }
    out
}

/// `tornado.csv`: per metric, parameters by decreasing swing |high - low|.
pub fn tornado_csv(def: &StudyDef, t: &Tornado) -> String {
    let mut out = String::from("metric,parameter,unit,low,high,base_metric,metric_at_low,metric_at_high,swing,error\n");
    for (k, m) in def.metrics.iter().enumerate() {
        let mut rows: Vec<(f64, String)> = Vec::new();
        for (p, (lo, hi)) in def.parameters.iter().zip(&t.rows) {
            let pick = |r: &Result<Vec<f64>, String>| r.as_ref().map(|v| v[k]).map_err(Clone::clone);
            let (l, h) = (pick(lo), pick(hi));
            let head = format!("{},{},{},{},{},{}", csv_field(m), csv_field(&p.path), csv_field(&p.unit), p.tornado.0, p.tornado.1, t.base[k]);
            match (l, h) {
                (Ok(l), Ok(h)) => rows.push(((h - l).abs(), format!("{head},{l},{h},{},", h - l))),
                (l, h) => {
                    let e = [l.err(), h.err()].into_iter().flatten().collect::<Vec<_>>().join("; ");
                    rows.push((f64::INFINITY, format!("{head},,,,{}", csv_field(&e))));
                }
            }
        }
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, r) in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out
}

/// `sweep.csv`.
pub fn sweep_csv(def: &StudyDef, points: &[(Vec<f64>, Outcome)]) -> String {
    let Some(s) = &def.sweep else { return String::new() };
    let mut h: Vec<String> = s.axes.iter().map(|(p, _, _)| csv_field(p)).collect();
    h.push("status".into());
    h.extend(def.metrics.iter().map(|m| csv_field(m)));
    h.push("error".into());
    let mut out = h.join(",") + "\n";
    for (p, r) in points {
        for x in p {
            let _ = write!(out, "{x},");
        }
        match r {
            Ok(m) => {
                out.push_str("ok");
                for v in m {
                    let _ = write!(out, ",{v}");
                }
                out.push_str(",\n");
            }
            Err(e) => {
                out.push_str("failed");
                out.push_str(&",".repeat(def.metrics.len()));
                let _ = writeln!(out, ",{}", csv_field(e));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_matches_a_hand_computed_case() {
        // x ranks 1..5; y ranks 2,1,4,3,5: d^2 = 1+1+1+1+0 = 4, rho = 1 - 6*4/(5*24) = 0.8.
        let rho = stats::spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[20.0, 10.0, 40.0, 30.0, 50.0]);
        assert!((rho - 0.8).abs() < 1e-12, "{rho}");
        assert_eq!(stats::ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn percentiles_interpolate() {
        let s = stats::summary(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((s.mean, s.p50), (3.0, 3.0));
        assert!((s.p5 - 1.2).abs() < 1e-12 && (s.p95 - 4.8).abs() < 1e-12);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn latin_hypercube_uses_each_stratum_once() {
        let strata = lhs_strata(7, 3, 50);
        for p in strata {
            let mut q = p.clone();
            q.sort();
            assert_eq!(q, (0..50).collect::<Vec<u32>>());
        }
    }
}
