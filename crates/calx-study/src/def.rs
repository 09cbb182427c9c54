//! Study files: what a study varies (parameters with distributions, or a sweep grid), what it
//! records (metrics) and how it samples, read from YAML (parsed by `calx-flowsheet`, the one
//! crate that reads YAML) and checked field by field.

use crate::StudyError;
use crate::dist::{Distribution, MultiNormal, Truncated};
use crate::yaml::{self, Node};

/// Sampling scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// Independent uniform numbers per sample.
    Random,
    /// Latin hypercube: each parameter's range split into N equal-probability strata, each
    /// used once.
    LatinHypercube,
    /// Owen-scrambled Sobol sequence (`sobol_burley`): low-discrepancy points, seeded.
    Sobol,
}

/// One uncertain parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Path as written (`units.hydration.conversion.CaO`).
    pub path: String,
    /// Unit of measure of its values (empty: SI / dimensionless).
    pub unit: String,
    /// Its distribution; for a parameter of a [`Correlated`] group, its marginal normal (its
    /// values are drawn jointly with the group's others).
    pub dist: Truncated,
    /// Low and high values of the tornado (default: the distribution's 5th and 95th percentiles).
    pub tornado: (f64, f64),
    /// Where its values come from, for reports.
    pub source: String,
}

/// Parameters drawn jointly from a multivariate normal distribution (a fitted model's
/// parameters with their covariance). They are parameters of the study like the others,
/// [`StudyDef::parameters`] `[range]`, each with its marginal normal as its distribution.
#[derive(Clone, Debug)]
pub struct Correlated {
    /// Which of [`StudyDef::parameters`] the group draws, in the order of its mean vector.
    pub range: std::ops::Range<usize>,
    /// The joint distribution, in the parameters' study units.
    pub dist: MultiNormal,
    /// Where the mean and covariance come from, for reports.
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
    /// Uncertain parameters: the independent ones, then those of each correlated group.
    pub parameters: Vec<Parameter>,
    /// Groups of parameters drawn jointly from a multivariate normal distribution.
    pub correlated: Vec<Correlated>,
    /// Metrics recorded per sample.
    pub metrics: Vec<String>,
    /// Optional sweep.
    pub sweep: Option<Sweep>,
}

/// Most points a sweep grid may have: each is a full solve of the plant (a few tens of
/// microseconds to milliseconds), so 100,000 points is minutes of work at most; a larger grid
/// is almost certainly a typo in `steps:`.
pub const MAX_SWEEP_POINTS: usize = 100_000;

/// Most samples a Latin hypercube can stratify: its strata are `u32` indices.
pub const MAX_LHS_SAMPLES: usize = u32::MAX as usize;

/// Memory a study may plan to hold, bytes: 8 GiB, a third of the machines Calx is built and
/// tested on (24 GiB) and more than any study needs (about 150 bytes per sample).
pub const MAX_STUDY_MEMORY: u64 = 8 << 30;

impl StudyDef {
    /// Bytes a run holds for its statistics columns (8 per number: every parameter and metric
    /// of every sample; a shard keeps none) and its Latin-hypercube strata (4 per parameter
    /// and sample, for the whole study even in a shard).
    pub fn memory_estimate(&self, keeps_columns: bool) -> u64 {
        let n = self.samples as u64;
        let p = self.parameters.len() as u64;
        let columns = if keeps_columns { 8 * n * (p + self.metrics.len() as u64) } else { 0 };
        let strata = if self.sampling == Sampling::LatinHypercube { 4 * n * p } else { 0 };
        columns.saturating_add(strata)
    }

    /// Refuse a study too large to run: more Latin-hypercube samples than strata can index,
    /// or more memory than [`MAX_STUDY_MEMORY`].
    pub fn check_size(&self, keeps_columns: bool) -> Result<(), StudyError> {
        if self.sampling == Sampling::LatinHypercube && self.samples > MAX_LHS_SAMPLES {
            return Err(field(
                "samples",
                format!("Latin hypercube sampling takes at most {MAX_LHS_SAMPLES} samples, {} asked", self.samples),
            ));
        }
        let bytes = self.memory_estimate(keeps_columns);
        if bytes > MAX_STUDY_MEMORY {
            return Err(field(
                "samples",
                format!(
                    "{} samples would hold about {:.1} GiB in memory (statistics columns and strata), more than the {} GiB allowed; \
                     use fewer samples, or split the study with --shard (shards keep no statistics columns)",
                    self.samples,
                    bytes as f64 / f64::from(1u32 << 30),
                    MAX_STUDY_MEMORY >> 30
                ),
            ));
        }
        Ok(())
    }
}

fn field(f: &str, m: impl Into<String>) -> StudyError {
    StudyError::Field { field: f.to_string(), message: m.into() }
}

fn number(node: Option<&Node>, f: &str) -> Result<f64, StudyError> {
    let t = node.and_then(Node::text).ok_or_else(|| field(f, "a number is required"))?;
    t.replace([',', '_'], "")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| field(f, format!("`{t}` is not a finite number")))
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
        other => {
            return Err(field(
                &format!("{f}.type"),
                format!("unknown distribution `{other}`; allowed: uniform, triangular, pert, normal, lognormal"),
            ));
        }
    };
    let ok = match dist {
        Distribution::Uniform { low, high } => low < high,
        Distribution::Triangular { low, mode, high } | Distribution::Pert { low, mode, high } => {
            low < high && low <= mode && mode <= high
        }
        Distribution::Normal { sd, .. } => sd > 0.0,
        Distribution::LogNormal { mu, sigma } => mu.is_finite() && sigma.is_finite() && sigma > 0.0,
    };
    if !ok {
        return Err(field(f, "inconsistent: need low < high, low <= mode <= high, sd > 0, median > 0 and gsd > 1"));
    }
    let t = Truncated {
        dist,
        min: opt_number(node.get("min"), &format!("{f}.min"))?,
        max: opt_number(node.get("max"), &format!("{f}.max"))?,
    };
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
    if root.get("schema_version").is_some() && root.get("study").is_none() {
        return Err(field("study", "this is a flowsheet, not a study file: run it with `calx run FILE`"));
    }
    only(
        &root,
        &[
            "study",
            "description",
            "flowsheet",
            "seed",
            "samples",
            "sampling",
            "set",
            "parameters",
            "correlated",
            "metrics",
            "sweep",
        ],
        "",
    )?;
    let name = text(root.get("study"), "study")?.to_string();
    let flowsheet = text(root.get("flowsheet"), "flowsheet")?.to_string();
    let seed = text(root.get("seed"), "seed")?
        .parse::<u64>()
        .map_err(|_| field("seed", "a whole number 0 .. 2^64-1 is required"))?;
    let samples = text(root.get("samples"), "samples")?
        .replace([',', '_'], "")
        .parse::<usize>()
        .map_err(|_| field("samples", "a whole number is required"))?;
    let sampling = match root.get("sampling").and_then(Node::text).unwrap_or("lhs") {
        "random" => Sampling::Random,
        "lhs" | "latin_hypercube" => Sampling::LatinHypercube,
        "sobol" => Sampling::Sobol,
        other => return Err(field("sampling", format!("unknown sampling `{other}`; allowed: random, lhs, sobol"))),
    };
    let mut set = Vec::new();
    if let Some(n) = root.get("set") {
        let Node::Map(m) = n else { return Err(field("set", "a mapping of path: value is required")) };
        for (k, v) in m {
            set.push((k.clone(), text(Some(v), &format!("set.{k}"))?.to_string()));
        }
    }
    let mut parameters = Vec::new();
    // `parameters:` may be left out when `correlated:` gives the study's parameters.
    let independent = match (root.get("parameters"), root.get("correlated")) {
        (None, Some(_)) => &[][..],
        (p, _) => list(p, "parameters")?,
    };
    for (i, p) in independent.iter().enumerate() {
        let f = format!("parameters[{i}]");
        only(p, &["path", "unit", "distribution", "tornado", "source"], &format!("{f}."))?;
        let dist = distribution(
            p.get("distribution").ok_or_else(|| field(&format!("{f}.distribution"), "required"))?,
            &format!("{f}.distribution"),
        )?;
        let parameter = parameter(p, &f, dist, "")?;
        unique(&parameters, &parameter.path, &f)?;
        parameters.push(parameter);
    }
    let mut correlated = Vec::new();
    if let Some(groups) = root.get("correlated") {
        for (i, g) in list(Some(groups), "correlated")?.iter().enumerate() {
            correlated.push(correlated_group(g, &format!("correlated[{i}]"), &mut parameters)?);
        }
    }
    let metrics = list(root.get("metrics"), "metrics")?
        .iter()
        .enumerate()
        .map(|(i, m)| text(Some(m), &format!("metrics[{i}]")).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    if metrics.is_empty() {
        return Err(field("metrics", "name at least one metric"));
    }
    let sweep = root.get("sweep").map(sweep).transpose()?;
    Ok(StudyDef { name, flowsheet, seed, samples, sampling, set, parameters, correlated, metrics, sweep })
}

/// A parameter's path, unit, tornado values (default: the 5th and 95th percentiles of
/// `dist`) and source (default: `source`).
fn parameter(p: &Node, f: &str, dist: Truncated, source: &str) -> Result<Parameter, StudyError> {
    let path = text(p.get("path"), &format!("{f}.path"))?.to_string();
    let tornado = match p.get("tornado") {
        None => (dist.quantile(0.05), dist.quantile(0.95)),
        Some(Node::List(l)) if l.len() == 2 => {
            (number(Some(&l[0]), &format!("{f}.tornado"))?, number(Some(&l[1]), &format!("{f}.tornado"))?)
        }
        Some(_) => return Err(field(&format!("{f}.tornado"), "write `[low, high]`")),
    };
    let unit = p.get("unit").and_then(Node::text).unwrap_or("").to_string();
    let source = p.get("source").and_then(Node::text).unwrap_or(source).to_string();
    Ok(Parameter { path, unit, dist, tornado, source })
}

/// Refuse a path given twice.
fn unique(parameters: &[Parameter], path: &str, f: &str) -> Result<(), StudyError> {
    if parameters.iter().any(|q| q.path == path) {
        return Err(field(&format!("{f}.path"), format!("`{path}` is given twice")));
    }
    Ok(())
}

/// A list of numbers.
fn numbers(node: Option<&Node>, f: &str) -> Result<Vec<f64>, StudyError> {
    list(node, f)?.iter().enumerate().map(|(i, x)| number(Some(x), &format!("{f}[{i}]"))).collect()
}

/// One `correlated:` group: its parameters are appended to `parameters` (each with its
/// marginal normal), and the group records which they are.
fn correlated_group(g: &Node, f: &str, parameters: &mut Vec<Parameter>) -> Result<Correlated, StudyError> {
    only(g, &["parameters", "mean", "covariance", "source"], &format!("{f}."))?;
    let members = list(g.get("parameters"), &format!("{f}.parameters"))?;
    if members.is_empty() {
        return Err(field(&format!("{f}.parameters"), "give at least one parameter"));
    }
    let mean = numbers(g.get("mean"), &format!("{f}.mean"))?;
    if mean.len() != members.len() {
        return Err(field(
            &format!("{f}.mean"),
            format!("give one mean per parameter: {} parameters, {} means", members.len(), mean.len()),
        ));
    }
    let rows = list(g.get("covariance"), &format!("{f}.covariance"))?;
    let covariance = rows
        .iter()
        .enumerate()
        .map(|(i, r)| numbers(Some(r), &format!("{f}.covariance[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let paths: Vec<&str> = members.iter().map(|p| p.get("path").and_then(Node::text).unwrap_or("?")).collect();
    let mut log = Vec::with_capacity(members.len());
    for (k, p) in members.iter().enumerate() {
        log.push(match p.get("scale").and_then(Node::text) {
            None | Some("linear") => false,
            Some("log") => true,
            Some(other) => {
                return Err(field(
                    &format!("{f}.parameters[{k}].scale"),
                    format!("unknown scale `{other}`; allowed: linear, log (the mean and covariance are of ln x)"),
                ));
            }
        });
    }
    let dist = MultiNormal::new(mean, covariance)
        .map_err(|e| {
            let message = match e {
                crate::dist::MultiNormalError::NotPositiveDefinite(row) => {
                    format!("{e} (at `{}`)", paths.get(row).copied().unwrap_or("?"))
                }
                _ => e.to_string(),
            };
            field(&format!("{f}.covariance"), format!("{message}; parameters: {}", paths.join(", ")))
        })?
        .with_log_scale(log);
    let source = g.get("source").and_then(Node::text).unwrap_or("");
    let start = parameters.len();
    for (k, p) in members.iter().enumerate() {
        let fk = format!("{f}.parameters[{k}]");
        only(p, &["path", "unit", "scale", "tornado", "source"], &format!("{fk}."))?;
        let marginal = Truncated { dist: dist.marginal(k), min: None, max: None };
        let parameter = parameter(p, &fk, marginal, source)?;
        unique(parameters, &parameter.path, &fk)?;
        parameters.push(parameter);
    }
    Ok(Correlated { range: start..parameters.len(), dist, source: source.to_string() })
}

/// The `sweep:` grid.
fn sweep(s: &Node) -> Result<Sweep, StudyError> {
    only(s, &["parameters"], "sweep.")?;
    let mut axes = Vec::new();
    for (i, a) in list(s.get("parameters"), "sweep.parameters")?.iter().enumerate() {
        let f = format!("sweep.parameters[{i}]");
        only(a, &["path", "unit", "values", "from", "to", "steps"], &format!("{f}."))?;
        let path = text(a.get("path"), &format!("{f}.path"))?.to_string();
        let unit = a.get("unit").and_then(Node::text).unwrap_or("").to_string();
        let values = match a.get("values") {
            Some(Node::List(l)) => {
                l.iter().map(|v| number(Some(v), &format!("{f}.values"))).collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(field(&format!("{f}.values"), "a list is required")),
            None => {
                let (from, to) =
                    (number(a.get("from"), &format!("{f}.from"))?, number(a.get("to"), &format!("{f}.to"))?);
                let steps = number(a.get("steps"), &format!("{f}.steps"))?;
                if steps < 2.0 || steps.fract() != 0.0 {
                    return Err(field(&format!("{f}.steps"), "a whole number of at least 2 is required"));
                }
                if steps > MAX_SWEEP_POINTS as f64 {
                    return Err(field(
                        &format!("{f}.steps"),
                        format!("at most {MAX_SWEEP_POINTS} steps (each is a solve of the plant), found {steps}"),
                    ));
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
    let points: usize = axes.iter().map(|(_, _, v): &(String, String, Vec<f64>)| v.len()).product();
    if points > MAX_SWEEP_POINTS {
        return Err(field(
            "sweep.parameters",
            format!(
                "the grid has {points} points, at most {MAX_SWEEP_POINTS} are allowed (each is a solve of the plant)"
            ),
        ));
    }
    Ok(Sweep { axes })
}
