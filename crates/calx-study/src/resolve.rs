//! Study paths resolved against the flowsheet once, before any sample runs: each parameter
//! to a target (a numeric unit parameter, a feed's mass fraction, or a numeric analysis
//! parameter) and an affine map from the study's unit of measure to SI, found by decoding
//! `0 UNIT` and `1 UNIT` exactly as the flowsheet file would be decoded (so `degC`, `%` and
//! `KRW/kWh` mean what they mean there); each metric to where it is read.

use std::collections::BTreeMap;

use calx::{Project, Registry};
use calx_core::path::{InputPath, ResultPath};
use calx_core::{ParamKind, ParamValue};
use calx_engine::{Flowsheet, Variable};

/// Why a path does not fit the flowsheet (the caller adds the path).
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The path does not have an allowed shape.
    #[error(transparent)]
    Shape(#[from] calx_core::path::PathError),
    /// The engine has no such unit, parameter or result.
    #[error(transparent)]
    Engine(Box<calx_engine::EngineError>),
    /// A value written with a unit does not decode as the parameter would in the file.
    #[error(transparent)]
    Value(#[from] calx_flowsheet::ValueError),
    /// Anything else, said in words.
    #[error("{0}")]
    Other(String),
}

impl From<calx_engine::EngineError> for ResolveError {
    fn from(e: calx_engine::EngineError) -> ResolveError {
        ResolveError::Engine(Box::new(e))
    }
}

fn other(message: impl Into<String>) -> ResolveError {
    ResolveError::Other(message.into())
}

/// Where a parameter's values go.
#[derive(Clone, Debug)]
pub(crate) enum Target {
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
pub(crate) struct Resolved {
    pub target: Target,
    pub scale: f64,
    pub offset: f64,
    pub base_si: f64,
}

impl Resolved {
    pub fn si(&self, x: f64) -> f64 {
        self.scale * x + self.offset
    }
}

/// Where a metric is read.
#[derive(Clone, Debug)]
pub(crate) enum MetricRef {
    Analysis {
        name: String,
        metric: String,
    },
    Var(Variable),
    /// An expression over engine results (`a / b`), SI.
    Expr(calx_engine::ResultExpr),
    /// An expression that reads analysis metrics (`analyses.lca.net_reduction_per_year /
    /// streams.product.total`), evaluated after the figures with the metrics in SI.
    MetricExpr(calx_flowsheet::MetricExpr),
}

/// `x` with its unit, as a value would be written in the flowsheet.
pub(crate) fn format_value(x: f64, unit: &str) -> String {
    if unit.is_empty() { format!("{x}") } else { format!("{x} {unit}") }
}

/// A unit or feed parameter, or a feed's mass fraction.
fn unit_target(project: &Project, path: &InputPath, f: &Flowsheet) -> Result<Target, ResolveError> {
    match path {
        InputPath::FeedFraction { feed, component } => {
            let Some(ParamValue::Map(m)) = f.unit_params(feed)?.get("composition") else {
                return Err(other(format!("`{feed}` has no composition to vary")));
            };
            if !m.contains_key(component) {
                let names: Vec<&str> = m.keys().map(String::as_str).collect();
                return Err(other(format!(
                    "the composition of `{feed}` has no `{component}` (it has: {})",
                    names.join(", ")
                )));
            }
            Ok(Target::Fraction { unit: feed.clone(), component: component.clone() })
        }
        InputPath::UnitParam { unit, param, .. } => {
            let Some(def) = project.model().def.units.iter().find(|u| &u.name == unit) else {
                let names: Vec<&str> = project.model().def.units.iter().map(|u| u.name.as_str()).collect();
                let hint = calx_core::suggest::nearest(unit, names.iter().copied())
                    .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                return Err(other(format!("the flowsheet has no unit or feed `{unit}`{hint}")));
            };
            let descriptor = def.unit_type.descriptor();
            if descriptor.param(param).is_none() {
                let names: Vec<&str> = descriptor.params.iter().map(|p| p.name.as_str()).collect();
                let hint = calx_core::suggest::nearest(param, names.iter().copied())
                    .map_or(String::new(), |s| format!("did you mean `{s}`? "));
                return Err(other(format!(
                    "unit `{unit}` ({}) has no parameter `{param}`; {hint}it has: {}",
                    descriptor.type_name,
                    names.join(", ")
                )));
            }
            let var = Variable::input(path).ok_or_else(|| other("not a unit parameter"))?;
            f.read(&var).map_err(|e| other(format!("not a numeric parameter ({path}): {e}")))?;
            Ok(Target::Unit(var))
        }
        InputPath::AnalysisParam { .. } => Err(other("not a unit parameter")),
    }
}

/// A metric path: an analysis metric of the flowsheet, or a stream or unit result.
pub(crate) fn metric(path: &str, project: &Project) -> Result<MetricRef, ResolveError> {
    let model = project.model();
    let said = |problems: Vec<(usize, String)>| {
        let said: Vec<String> =
            problems.into_iter().map(|(at, message)| format!("{message} (at column {})", at + 1)).collect();
        other(said.join("; "))
    };
    if calx_flowsheet::is_expression(path, &model.units_of_measure)
        && calx_flowsheet::reads_metrics(path, &model.units_of_measure)
    {
        let context = (model.def.units.as_slice(), model.def.components.as_ref());
        let names: Vec<&str> = model.analyses.iter().map(|a| a.name.as_str()).collect();
        return calx_flowsheet::metric_expression(path.trim(), &model.units_of_measure, context, &names)
            .map(MetricRef::MetricExpr)
            .map_err(said);
    }
    if calx_flowsheet::is_expression(path, &model.units_of_measure) {
        let context = (model.def.units.as_slice(), model.def.components.as_ref());
        return calx_flowsheet::result_expression(path.trim(), &model.units_of_measure, context)
            .map(MetricRef::Expr)
            .map_err(said);
    }
    match ResultPath::parse(path)? {
        ResultPath::AnalysisMetric { analysis, metric } => {
            if !project.model().analyses.iter().any(|a| a.name == analysis) {
                return Err(other(format!("the flowsheet has no analysis `{analysis}`")));
            }
            Ok(MetricRef::Analysis { name: analysis, metric })
        }
        result => Ok(MetricRef::Var(Variable::result(&result).ok_or_else(|| other("not an engine result"))?)),
    }
}

/// The declared kind of a unit's parameter (of one entry, for a map), if the unit type
/// declares it.
fn unit_param_kind(project: &Project, unit: &str, param: &str, entry: bool) -> Option<ParamKind> {
    let def = project.model().def.units.iter().find(|u| u.name == unit)?;
    let spec = def.unit_type.descriptor().params.into_iter().find(|p| p.name == param)?;
    match (spec.kind, entry) {
        (ParamKind::Map { value } | ParamKind::PerComponent { value }, true) => Some(*value),
        (k, false) => Some(k),
        _ => None,
    }
}

/// An analysis parameter: its target, and its kind (`None` when it is text with a unit).
fn analysis_target(
    project: &Project,
    registry: &Registry,
    unit: &str,
    (name, param, key): (&str, &str, Option<&str>),
) -> Result<(Target, Option<ParamKind>), ResolveError> {
    let analyses = &project.model().analyses;
    let index = analyses.iter().position(|a| a.name == name).ok_or_else(|| {
        let names: Vec<&str> = analyses.iter().map(|a| a.name.as_str()).collect();
        other(format!("the flowsheet has no analysis `{name}` (it has: {})", names.join(", ")))
    })?;
    let a = &analyses[index];
    let descriptor = &registry
        .analysis(&a.type_name)
        .ok_or_else(|| other(format!("analysis type `{}` is not registered", a.type_name)))?
        .descriptor;
    let spec = descriptor.params.iter().find(|p| p.name == param).ok_or_else(|| {
        let names: Vec<&str> = descriptor.params.iter().map(|p| p.name.as_str()).collect();
        other(format!("analysis `{name}` has no parameter `{param}` (it has: {})", names.join(", ")))
    })?;
    let kind = match (&spec.kind, key) {
        (ParamKind::Map { value } | ParamKind::PerComponent { value }, Some(_)) => (**value).clone(),
        (k, None) => k.clone(),
        (_, Some(_)) => return Err(other(format!("`{param}` is not a map; write `analyses.{name}.{param}`"))),
    };
    let text = match kind {
        ParamKind::Quantity { .. } | ParamKind::Fraction | ParamKind::Number => None,
        ParamKind::Text if !unit.is_empty() => Some(unit.to_string()),
        ParamKind::Text => {
            return Err(other(format!("`{param}` is written as text with a unit: give the study parameter's `unit:`")));
        }
        _ => return Err(other(format!("`{param}` is {}, not a number a study can vary", kind.describe()))),
    };
    let kind = text.is_none().then_some(kind);
    Ok((Target::Analysis { index, param: param.to_string(), key: key.map(str::to_string), text }, kind))
}

/// Resolve one parameter path with its unit of measure.
pub(crate) fn parameter(project: &Project, text: &str, unit: &str, f: &Flowsheet) -> Result<Resolved, ResolveError> {
    let path = InputPath::parse(text)?;
    let (target, kind) = match &path {
        InputPath::AnalysisParam { analysis, param, key } => {
            let (target, kind) = analysis_target(project, project.registry(), unit, (analysis, param, key.as_deref()))?;
            if kind.is_none() {
                // Passed on as text; the analysis checks and converts it.
                return Ok(Resolved { target, scale: 1.0, offset: 0.0, base_si: f64::NAN });
            }
            (target, kind)
        }
        _ => {
            let target = unit_target(project, &path, f)?;
            let kind = match &target {
                Target::Unit(Variable::UnitParam { unit, param, key }) => {
                    unit_param_kind(project, unit, param, key.is_some())
                }
                Target::Fraction { unit, .. } => unit_param_kind(project, unit, "composition", true),
                _ => None,
            };
            (target, kind)
        }
    };
    let (scale, offset) = affine_to_si(project, &target, kind.as_ref(), text, unit)?;
    let base_si = base_value(project, &target, f)?;
    Ok(Resolved { target, scale, offset, base_si })
}

/// The affine map from the study's unit to SI, through the same decoding as the flowsheet
/// file. Values without a unit are SI (unit parameters) or as the analysis reads a bare
/// number; with one, they are decoded against the parameter's kind, so a unit of the wrong
/// dimension is refused as it would be in the flowsheet file.
fn affine_to_si(
    project: &Project,
    target: &Target,
    kind: Option<&ParamKind>,
    path: &str,
    unit: &str,
) -> Result<(f64, f64), ResolveError> {
    let bare_si = unit.is_empty() && !matches!(target, Target::Analysis { .. });
    let si_of = |x: f64| -> Result<f64, ResolveError> {
        let text = format_value(x, unit);
        match kind {
            _ if bare_si => Ok(x),
            Some(kind) => match project.model().decode_value(kind, &text, path)? {
                ParamValue::Number(v) => Ok(v),
                other_value => Err(other(format!("`{text}` decodes to {other_value:?}, not a number"))),
            },
            None if unit.is_empty() => Ok(x),
            None => project
                .model()
                .units_of_measure
                .parse(&text)
                .map(|q| q.value)
                .map_err(|e| other(format!("unit `{unit}`: {e}"))),
        }
    };
    let offset = si_of(0.0)?;
    let scale = si_of(1.0)? - offset;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(other(format!("unit `{unit}` does not convert to a positive scale")));
    }
    Ok((scale, offset))
}

/// The target's value in the base case, SI.
fn base_value(project: &Project, target: &Target, f: &Flowsheet) -> Result<f64, ResolveError> {
    let number = |v: Option<&ParamValue>| match v {
        Some(ParamValue::Number(x)) => *x,
        _ => f64::NAN,
    };
    Ok(match target {
        Target::Unit(v) => f.read(v)?,
        Target::Fraction { unit, component } => match f.unit_params(unit)?.get("composition") {
            Some(ParamValue::Map(m)) => number(m.get(component)).max(0.0),
            _ => 0.0,
        },
        Target::Analysis { index, param, key, .. } => match (project.model().analyses[*index].params.get(param), key) {
            (Some(ParamValue::Number(x)), None) => *x,
            (Some(ParamValue::Map(m)), Some(k)) => number(m.get(k)),
            _ => f64::NAN,
        },
    })
}

/// Scale the fractions of `base` not in `fixed` so that the whole sums to what it summed to:
/// what a study does to a feed's composition when it varies some of its fractions (the
/// Python API's `set` of one fraction does the same).
pub fn renormalise(
    base: &BTreeMap<String, ParamValue>,
    fixed: &BTreeMap<&str, f64>,
) -> Result<BTreeMap<String, ParamValue>, ResolveError> {
    let names: Vec<String> = fixed.keys().map(|k| k.to_string()).collect();
    let values: Vec<f64> = fixed.values().copied().collect();
    let fixed = FixedFractions { names: &names, values: &values };
    Ok(renormalised(base, fixed)?.map(|(k, x)| (k.to_string(), ParamValue::Number(x))).collect())
}

/// The fractions set in a feed's composition: component names in ascending order (as a
/// `BTreeMap` would hold them, so sums run in the same order) and their values.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedFractions<'a> {
    /// Component names, ascending, each once.
    pub(crate) names: &'a [String],
    /// The value of each.
    pub(crate) values: &'a [f64],
}

impl FixedFractions<'_> {
    /// The value set for component `name`, if it is one of them.
    fn get(&self, name: &str) -> Option<f64> {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).ok().map(|i| self.values[i])
    }

    /// (name, value) in ascending name order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.names.iter().map(String::as_str).zip(self.values.iter().copied())
    }
}

/// The fractions of `base` with those not in `fixed` scaled so that the whole sums to what it
/// summed to, in `base`'s order, without building a map (a study does this every sample).
pub(crate) fn renormalised<'a>(
    base: &'a BTreeMap<String, ParamValue>,
    fixed: FixedFractions<'a>,
) -> Result<impl Iterator<Item = (&'a str, f64)> + Clone + 'a, ResolveError> {
    let total: f64 = base.values().map(number_of).sum();
    let fixed_now: f64 = fixed.values.iter().sum();
    let fixed_base: f64 = base.iter().filter(|(k, _)| fixed.get(k).is_some()).map(|(_, v)| number_of(v)).sum();
    let rest_base = total - fixed_base;
    if fixed_now > total * (1.0 + 1e-12) {
        return Err(other(format!("the fractions set sum to {fixed_now}, more than the whole composition ({total})")));
    }
    let factor = if rest_base > 0.0 { (total - fixed_now).max(0.0) / rest_base } else { 0.0 };
    if rest_base <= 0.0 && (total - fixed_now).abs() > 1e-12 {
        return Err(other("no other component in the composition can take up the change"));
    }
    Ok(base.iter().map(move |(k, v)| {
        let x = match fixed.get(k) {
            Some(x) => x,
            None => number_of(v) * factor,
        };
        (k.as_str(), x)
    }))
}

/// A number parameter's value; 0 for any other.
pub(crate) fn number_of(v: &ParamValue) -> f64 {
    if let ParamValue::Number(x) = v { *x } else { 0.0 }
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
