//! Design variables and results that reach past the engine: analysis parameters a design
//! specification or an optimisation adjusts (`analyses.tea.product_price`) and analysis
//! metrics they target (`analyses.tea.irr`). The engine knows nothing of analyses, so a
//! specification that names one of these is not handed to it ([`DesignSpecDef`]) but kept
//! in the model ([`AnalysisSpec`]) for the façade, which solves it around the engine's solve
//! and the analyses' figures.
//!
//! [`DesignSpecDef`]: calx_engine::DesignSpecDef

use calx_core::expr::Expr;
use calx_core::path::{InputPath, ResultPath};
use calx_core::registry::Registry;
use calx_core::{ComponentSet, Dimension, ParamKind, UnitTable};
use calx_engine::{ResultExpr, ScalarOptions, UnitDef, Variable};

use crate::analyses::ConfiguredAnalysis;
use crate::decode::Decoder;
use crate::diagnostic::Diagnostic;
use crate::node::Node;

/// A number a design loop sets.
#[derive(Clone, Debug, PartialEq)]
pub enum DesignInput {
    /// A numeric unit or feed parameter (SI): changing it needs a new solve.
    Unit {
        /// The engine variable.
        variable: Variable,
        /// Its dimension.
        dimension: Dimension,
    },
    /// A parameter of an analysis: changing it re-creates that analysis only.
    Analysis {
        /// Analysis name.
        analysis: String,
        /// Parameter name.
        param: String,
        /// Map key.
        key: Option<String>,
        /// For a parameter written as text with a unit (money: `13,000 KRW/t`), that unit:
        /// the value is a number in it, set as `"{value} {unit}"`. `None`: a number, SI.
        text_unit: Option<String>,
        /// The dimension of a numeric parameter (dimensionless for text).
        dimension: Dimension,
    },
}

impl DesignInput {
    /// Whether setting it changes the flowsheet (so the flowsheet must be solved again).
    pub fn changes_flowsheet(&self) -> bool {
        matches!(self, DesignInput::Unit { .. })
    }

    /// The dimension of its value (dimensionless for a number in a written unit).
    pub fn dimension(&self) -> Dimension {
        match self {
            DesignInput::Unit { dimension, .. } | DesignInput::Analysis { dimension, .. } => *dimension,
        }
    }

    /// The unit its value is in when it is not SI (a text parameter's written unit).
    pub fn text_unit(&self) -> Option<&str> {
        match self {
            DesignInput::Analysis { text_unit, .. } => text_unit.as_deref(),
            DesignInput::Unit { .. } => None,
        }
    }
}

/// A number a design loop reads.
#[derive(Clone, Debug, PartialEq)]
pub enum DesignOutput {
    /// A result the engine reads (SI).
    Result(Variable),
    /// A metric of an analysis, in the unit the analysis gives it.
    Metric {
        /// Analysis name.
        analysis: String,
        /// Metric name.
        metric: String,
    },
    /// An expression over results and analysis metrics, read in SI.
    Expression(MetricExpr),
}

/// Why a written value or a metric cannot be compared or evaluated: what was written, and
/// what it would have had to be.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum QuantityError {
    /// The unit table cannot read the text.
    #[error("{reason}")]
    Unreadable {
        /// The text.
        text: String,
        /// What the unit table says.
        reason: String,
    },
    /// A value written in a unit the metric's unit cannot be checked against.
    #[error("the value is written in `{written}`, but the metric is in `{metric_unit}`; write it in `{metric_unit}`")]
    UnknownMetricUnit {
        /// The unit written.
        written: String,
        /// The metric's unit.
        metric_unit: String,
    },
    /// A value in a unit of another dimension than the metric's.
    #[error("the value is written in `{written}`, which does not convert to the metric's unit `{metric_unit}`")]
    NotConvertible {
        /// The unit written.
        written: String,
        /// The metric's unit.
        metric_unit: String,
    },
    /// A metric whose unit does not convert to SI.
    #[error("the metric's unit `{unit}` does not convert to SI: {reason}")]
    MetricUnit {
        /// The metric's unit.
        unit: String,
        /// What the unit table says.
        reason: String,
    },
    /// A target value of another dimension than its target.
    #[error("the {what} is a {}, but the value is a {}{hint}", .expected.describe(), .found.describe())]
    Dimension {
        /// What the value is compared with (`target `P``, `expression `a / b``).
        what: String,
        /// The target's dimension.
        expected: Dimension,
        /// The value's dimension.
        found: Dimension,
        /// How to write it ("" or a hint starting with a space).
        hint: String,
    },
    /// A fraction target written on another basis (`mol%` for a mass fraction).
    #[error("the target `{target}` is a {basis} fraction, but the value is on another basis; write {write}")]
    FractionBasis {
        /// The target path.
        target: String,
        /// The target's basis (`mass`, `mole`).
        basis: &'static str,
        /// How to write it.
        write: &'static str,
    },
    /// An expression over results and metrics that could not be evaluated.
    #[error("the expression `{expression}`: {reason}")]
    Expression {
        /// The expression as written.
        expression: String,
        /// What failed (a metric not given, a division by zero, dimensions that do not fit).
        reason: String,
    },
}

impl QuantityError {
    /// The unit table's refusal of `text`.
    pub(crate) fn unreadable(text: &str, e: &calx_core::Error) -> QuantityError {
        QuantityError::Unreadable { text: text.to_string(), reason: e.to_string() }
    }
}

/// A value written with an optional unit (`10 %`, `13,000 KRW/t`, `45 kg/t_product`): the
/// number and unit as written, and the SI value when the unit table reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The number as written.
    pub number: f64,
    /// The unit as written (empty for a bare number).
    pub unit: String,
    /// SI value and dimension, when the unit table reads the text.
    pub si: Option<(f64, Dimension)>,
}

impl Written {
    /// Read `NUMBER [UNIT]` (thousands separators allowed).
    pub fn parse(text: &str, units: &UnitTable) -> Option<Written> {
        let (number, unit) = split_number(text)?;
        let si = units.parse(text).ok().map(|q| (q.value, q.dimension));
        Some(Written { number, unit: unit.to_string(), si })
    }

    /// This value in the unit a metric is given in (`metric_unit`): the number itself when
    /// the units are written alike (or none is written), else converted through SI when both
    /// units are of one dimension.
    pub fn in_unit(&self, metric_unit: &str, units: &UnitTable) -> Result<f64, QuantityError> {
        let same = |a: &str, b: &str| a.split_whitespace().eq(b.split_whitespace());
        if self.unit.is_empty() || same(&self.unit, metric_unit) {
            return Ok(self.number);
        }
        let to = units.unit(metric_unit).map_err(|_| QuantityError::UnknownMetricUnit {
            written: self.unit.clone(),
            metric_unit: metric_unit.to_string(),
        })?;
        match self.si {
            Some((si, d)) if d == to.dimension => Ok((si - to.offset) / to.factor),
            _ => {
                Err(QuantityError::NotConvertible { written: self.unit.clone(), metric_unit: metric_unit.to_string() })
            }
        }
    }
}

/// Split `"13,000 KRW/t"` into 13000 and `KRW/t`.
pub(crate) fn split_number(text: &str) -> Option<(f64, &str)> {
    let t = text.trim();
    let end = t.find(|c: char| c.is_whitespace() || c == '%').unwrap_or(t.len());
    let number: f64 = t[..end].replace(',', "").parse().ok()?;
    number.is_finite().then_some((number, t[end..].trim()))
}

/// "Adjust `adjust` within `bounds` until the analysis metric (or an expression over metrics
/// and results, in SI) `target` equals `value`": a
/// design specification solved by the façade, around the engine's solve and the figures.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisSpec {
    /// Its 1-based position in `design_specs:` (for positions in messages).
    pub index: usize,
    /// The adjusted path as written.
    pub adjust_label: String,
    /// What is adjusted.
    pub adjust: DesignInput,
    /// The target path as written.
    pub target_label: String,
    /// The analysis metric matched.
    pub target: DesignOutput,
    /// The target value as written.
    pub value: Written,
    /// Search interval of the adjusted value (SI, or numbers in its text unit).
    pub bounds: (f64, f64),
    /// Tolerances of the search.
    pub options: ScalarOptions,
}

/// Decode a path a design loop adjusts: a numeric unit or feed parameter, or a numeric
/// (or money) analysis parameter.
pub(crate) fn input(
    dec: &mut Decoder,
    node: &Node,
    path: &str,
    (units, analyses, registry): (&[UnitDef], &[ConfiguredAnalysis], &Registry),
    field: &str,
) -> Option<DesignInput> {
    match InputPath::parse(path) {
        Ok(InputPath::AnalysisParam { analysis, param, key }) => {
            analysis_input(dec, node, (analysis, param, key), (analyses, registry), field)
        }
        _ => crate::options::adjust_path(dec, node, path, units, field)
            .map(|(variable, dimension)| DesignInput::Unit { variable, dimension }),
    }
}

fn analysis_input(
    dec: &mut Decoder,
    node: &Node,
    (analysis, param, key): (String, String, Option<String>),
    (analyses, registry): (&[ConfiguredAnalysis], &Registry),
    field: &str,
) -> Option<DesignInput> {
    let fail = |dec: &mut Decoder, message: String| {
        dec.error(Diagnostic::new(node.loc, field, message));
        None
    };
    let Some(a) = analyses.iter().find(|a| a.name == analysis) else {
        let names: Vec<&str> = analyses.iter().map(|a| a.name.as_str()).collect();
        return fail(dec, format!("the flowsheet has no analysis `{analysis}` (it has: {})", names.join(", ")));
    };
    let Some(descriptor) = registry.analysis(&a.type_name).map(|t| &t.descriptor) else {
        return fail(dec, format!("analysis type `{}` is not registered", a.type_name));
    };
    let Some(spec) = descriptor.params.iter().find(|p| p.name == param) else {
        let names: Vec<&str> = descriptor.params.iter().map(|p| p.name.as_str()).collect();
        return fail(dec, format!("analysis `{analysis}` has no parameter `{param}` (it has: {})", names.join(", ")));
    };
    let kind = match (&spec.kind, &key) {
        (ParamKind::Map { value } | ParamKind::PerComponent { value }, Some(_)) => value.as_ref(),
        (k, None) => k,
        (_, Some(_)) => return fail(dec, format!("`{param}` is not a map; write `analyses.{analysis}.{param}`")),
    };
    let (text_unit, dimension) = match kind {
        ParamKind::Quantity { dimension, .. } => (None, *dimension),
        ParamKind::Fraction | ParamKind::Number => (None, Dimension::DIMENSIONLESS),
        // The unit comes with the bounds (`between: [10,000 KRW/t, 20,000 KRW/t]`).
        ParamKind::Text => (Some(String::new()), Dimension::DIMENSIONLESS),
        other => return fail(dec, format!("`{param}` is {}, not a number that can be adjusted", other.describe())),
    };
    Some(DesignInput::Analysis { analysis, param, key, text_unit, dimension })
}

/// Decode `between: [lower, upper]` for an adjusted value; a text parameter takes its unit
/// from the bounds, which must be written in one unit.
pub(crate) fn bounds(dec: &mut Decoder, node: &Node, input: &mut DesignInput, field: &str) -> Option<(f64, f64)> {
    let items = dec.list(node, field).unwrap_or_default();
    if items.len() != 2 {
        dec.error(Diagnostic::new(node.loc, field, format!("`{field}` must be [lower, upper]")));
        return None;
    }
    let (lo, hi) = if let DesignInput::Analysis { text_unit: Some(unit), .. } = input {
        let mut read = |n: &Node| -> Option<(f64, String)> {
            let text = dec.text(n, field)?;
            let parsed = split_number(text).map(|(x, u)| (x, u.to_string()));
            if parsed.is_none() {
                dec.error(Diagnostic::new(n.loc, field, "write a number and its unit").found(text.to_string()));
            }
            parsed
        };
        let ((lo, u_lo), (hi, u_hi)) = (read(items[0])?, read(items[1])?);
        if u_lo != u_hi {
            dec.error(
                Diagnostic::new(node.loc, field, "write both bounds in one unit").found(format!("{u_lo} and {u_hi}")),
            );
            return None;
        }
        *unit = u_lo;
        (lo, hi)
    } else {
        let dimension = input.dimension();
        let lo = dec.quantity(items[0], field, dimension, "the adjusted variable's unit");
        let hi = dec.quantity(items[1], field, dimension, "the adjusted variable's unit");
        (lo?, hi?)
    };
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        dec.error(Diagnostic::new(node.loc, field, "the lower bound must be below the upper bound"));
        return None;
    }
    Some((lo, hi))
}

/// Decode a path a design loop reads: any result the engine reads, or an analysis metric of
/// an analysis the flowsheet has (whether the metric exists shows once it has run).
pub(crate) fn output(
    dec: &mut Decoder,
    node: &Node,
    path: &str,
    (set, analyses): (&ComponentSet, &[ConfiguredAnalysis]),
    field: &str,
) -> Option<DesignOutput> {
    match ResultPath::parse(path) {
        Ok(ResultPath::AnalysisMetric { analysis, metric }) => {
            if analyses.iter().any(|a| a.name == analysis) {
                return Some(DesignOutput::Metric { analysis, metric });
            }
            let names: Vec<&str> = analyses.iter().map(|a| a.name.as_str()).collect();
            dec.error(
                Diagnostic::new(node.loc, field, format!("the flowsheet has no analysis `{analysis}`"))
                    .found(path.to_string())
                    .allowed(if names.is_empty() { "(it has no `analyses:`)".to_string() } else { names.join(", ") })
                    .suggest(calx_core::suggest::nearest(&analysis, names.iter().copied())),
            );
            None
        }
        _ => crate::options::target_path(dec, node, path, set, field)
            .and_then(|p| Variable::result(&p))
            .map(DesignOutput::Result),
    }
}

/// Whether a target or metric is written as an expression (`a / b`, `a + b`) rather than one
/// path: a path alone, even one that does not exist, is not (so it keeps the path's messages).
pub fn is_expression(text: &str, units: &UnitTable) -> bool {
    let text = text.trim();
    if ResultPath::parse(text).is_ok() {
        return false;
    }
    match Expr::parse(text, units) {
        Ok(e) => !matches!(e.paths(), [p] if p.span.start == 0 && p.span.end == text.len()),
        Err(_) => text.contains(|c: char| c.is_whitespace() || "+*/".contains(c)) || !text.contains('.'),
    }
}

/// Read an expression over engine results (a design specification's target, a study's
/// metric); errors are `(byte offset in text, message)`. Analysis metrics are refused: the
/// expression is evaluated on the solved flowsheet, where analyses have not run.
pub fn result_expression(
    text: &str,
    units: &UnitTable,
    (unit_defs, set): (&[UnitDef], &ComponentSet),
) -> Result<ResultExpr, Vec<(usize, String)>> {
    let expr = Expr::parse(text, units).map_err(|e| vec![(e.column, e.message)])?;
    if expr.paths().is_empty() {
        return Err(vec![(
            0,
            "the expression reads no result; write at least one path such as `streams.S.total`".into(),
        )]);
    }
    let mut reads = Vec::new();
    let mut problems = Vec::new();
    for p in expr.paths() {
        let read = if p.text.starts_with("analyses.") {
            Err(format!(
                "`{}` is an analysis metric, which an expression cannot read (it is evaluated on the solved \
                 flowsheet, before the analyses run); use the metric alone, or an expression of stream and unit results",
                p.text
            ))
        } else {
            crate::calculate::result(unit_defs, set, &p.text).map_err(|e| e.to_string())
        };
        match read {
            Ok(v) => reads.push(v),
            Err(message) => problems.push((p.span.start, message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let e = ResultExpr { expr, reads };
    e.dimension().map_err(|d| vec![(d.column, d.message)])?;
    Ok(e)
}

/// What one path of an expression over results and analysis metrics reads.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprRead {
    /// A result the engine reads (SI).
    Result(Variable),
    /// A metric of an analysis, converted to SI through the unit the analysis gives it.
    Metric {
        /// Analysis name.
        analysis: String,
        /// Metric name.
        metric: String,
    },
}

/// An expression over engine results and analysis metrics (`analyses.tea.total_annual_cost
/// / analyses.tea.total_revenue`), evaluated after the analyses' figures, in SI.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricExpr {
    /// The expression.
    pub expr: Expr,
    /// What each of its paths reads ([`Expr::paths`] order).
    pub reads: Vec<ExprRead>,
}

impl MetricExpr {
    /// Its dimension where every read's dimension is known from the path alone (`None` when
    /// it depends on a metric's unit or a unit's size figure, known once they are read).
    pub fn dimension(&self) -> Result<Option<Dimension>, calx_core::expr::ExprError> {
        self.expr.dimension(|i| match &self.reads[i] {
            ExprRead::Result(v) => v.dimension(),
            ExprRead::Metric { .. } => None,
        })
    }
}

/// Whether an expression reads an analysis metric (a path under `analyses.`): it is then
/// evaluated by the façade after the figures, not by the engine.
pub fn reads_metrics(text: &str, units: &UnitTable) -> bool {
    Expr::parse(text.trim(), units).is_ok_and(|e| e.paths().iter().any(|p| p.text.starts_with("analyses.")))
}

/// Read an expression over engine results and analysis metrics of the flowsheet's analyses
/// (whether a metric exists shows once the analysis has run); errors are `(byte offset in
/// text, message)`.
pub fn metric_expression(
    text: &str,
    units: &UnitTable,
    (unit_defs, set): (&[UnitDef], &ComponentSet),
    analyses: &[&str],
) -> Result<MetricExpr, Vec<(usize, String)>> {
    let expr = Expr::parse(text, units).map_err(|e| vec![(e.column, e.message)])?;
    let mut reads = Vec::new();
    let mut problems = Vec::new();
    for p in expr.paths() {
        let read = match ResultPath::parse(&p.text) {
            Ok(ResultPath::AnalysisMetric { analysis, metric }) => {
                if analyses.contains(&analysis.as_str()) {
                    Ok(ExprRead::Metric { analysis, metric })
                } else {
                    let has = if analyses.is_empty() {
                        "it has no `analyses:`".to_string()
                    } else {
                        format!("it has: {}", analyses.join(", "))
                    };
                    Err(format!("the flowsheet has no analysis `{analysis}` ({has})"))
                }
            }
            _ => crate::calculate::result(unit_defs, set, &p.text).map(ExprRead::Result).map_err(|e| e.to_string()),
        };
        match read {
            Ok(r) => reads.push(r),
            Err(message) => problems.push((p.span.start, message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let e = MetricExpr { expr, reads };
    e.dimension().map_err(|d| vec![(d.column, d.message)])?;
    Ok(e)
}

/// A metric's value in SI: `"{value} {unit}"` read with `units` (a unit of "" or "1" is a
/// dimensionless number). A word after a unit that names what is counted (`kg CO2-eq/yr`:
/// kilograms of CO2-eq a year) is dropped; a part with no unit at all (`kg CO2-eq/FU`) is an
/// error.
pub fn metric_si(value: f64, unit: &str, units: &UnitTable) -> Result<(f64, Dimension), QuantityError> {
    let unit = unit.trim();
    if unit.is_empty() || unit == "1" {
        return Ok((value, Dimension::DIMENSIONLESS));
    }
    let first = match units.parse(&format!("{value} {unit}")) {
        Ok(q) => return Ok((q.value, q.dimension)),
        Err(e) => e,
    };
    let parts: Vec<String> = unit
        .split('/')
        .map(|part| part.split_whitespace().filter(|t| units.unit(t).is_ok()).collect::<Vec<_>>().join(" "))
        .collect();
    let plain = parts.join("/");
    let refused = || QuantityError::MetricUnit { unit: unit.to_string(), reason: first.to_string() };
    if parts.iter().any(String::is_empty) {
        return Err(refused());
    }
    units.parse(&format!("{value} {plain}")).map(|q| (q.value, q.dimension)).map_err(|_| refused())
}

/// Why a path of a [`MetricExpr`] could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ReadFailure(String);

/// Evaluate `e` on a solved flowsheet and the analyses' figures: engine results in SI,
/// metrics converted to SI through their unit. The value (SI) and its dimension, or what is
/// wrong (a metric the analysis does not give, a division by zero, dimensions that do not fit).
pub fn evaluate_metric_expression(
    e: &MetricExpr,
    flowsheet: &calx_engine::Flowsheet,
    figures: &[calx_core::AnalysisOutput],
    units: &UnitTable,
) -> Result<(f64, Dimension), QuantityError> {
    let mut value = |i: usize| -> Result<(f64, Dimension), ReadFailure> {
        match &e.reads[i] {
            ExprRead::Result(v) => {
                let x = flowsheet.read(v).map_err(|e| ReadFailure(e.to_string()))?;
                let d = match v {
                    Variable::UnitSize { unit, size } => {
                        flowsheet.size(unit, size).map_err(|e| ReadFailure(e.to_string()))?.dimension
                    }
                    v => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
                };
                Ok((x, d))
            }
            ExprRead::Metric { analysis, metric } => {
                let o = figures
                    .iter()
                    .find(|o| &o.name == analysis)
                    .ok_or_else(|| ReadFailure(format!("analysis `{analysis}` gave no figures")))?;
                let m = o.metrics.iter().find(|m| &m.name == metric).ok_or_else(|| {
                    let names: Vec<&str> = o.metrics.iter().map(|m| m.name.as_str()).collect();
                    ReadFailure(format!(
                        "analysis `{analysis}` gives no metric `{metric}` here (it gives: {})",
                        names.join(", ")
                    ))
                })?;
                metric_si(m.value, &m.unit, units).map_err(|e| ReadFailure(e.to_string()))
            }
        }
    };
    e.expr
        .evaluate(&mut value)
        .map_err(|err| QuantityError::Expression { expression: e.expr.text().to_string(), reason: err.to_string() })
}

/// A target value for an expression: SI, in the expression's dimension where the paths say
/// it (else any quantity, checked against the value's dimension at every read).
pub(crate) fn expression_value(
    e: &ResultExpr,
    text: &str,
    units: &UnitTable,
) -> Result<(f64, Dimension), QuantityError> {
    let q = units.parse(text.trim()).map_err(|err| QuantityError::unreadable(text, &err))?;
    match e.dimension() {
        Ok(Some(d)) if d != q.dimension => Err(QuantityError::Dimension {
            what: format!("expression `{}`", e.expr.text()),
            expected: d,
            found: q.dimension,
            hint: String::new(),
        }),
        _ => Ok((q.value, q.dimension)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_alone_is_not_an_expression_even_when_it_does_not_exist() {
        let units = UnitTable::builtin();
        for path in ["streams.product.total", "streams.vent.flows.Ca(OH)2", "streams.product.totl", "analyses.tea.irr"]
        {
            assert!(!is_expression(path, &units), "{path}");
        }
        for text in ["streams.a.total / streams.b.total", "streams.a.total * 2", "(streams.a.total)", "2 * ", "total"] {
            assert!(is_expression(text, &units), "{text}");
        }
    }

    #[test]
    fn a_metric_is_read_in_si_through_its_unit_dropping_what_it_counts() {
        let units = UnitTable::builtin();
        assert_eq!(metric_si(3.0, "", &units), Ok((3.0, Dimension::DIMENSIONLESS)));
        assert_eq!(metric_si(3.0, "1", &units), Ok((3.0, Dimension::DIMENSIONLESS)));
        let (x, d) = metric_si(10.0, "%", &units).unwrap_or_else(|e| panic!("{e}"));
        assert!((x - 0.1).abs() < 1e-15 && d == Dimension::DIMENSIONLESS, "{x}");
        // kg CO2-eq a year: kilograms a year, 365 days of 86,400 s.
        let (x, d) = metric_si(365.0 * 86_400.0, "kg CO2-eq/yr", &units).unwrap_or_else(|e| panic!("{e}"));
        assert!((x - 1.0).abs() < 1e-12 && d == Dimension::MASS_FLOW, "{x}");
        assert!(metric_si(1.0, "kg CO2-eq/FU", &units).is_err());
    }

    #[test]
    fn written_values_keep_their_number_and_unit() {
        assert_eq!(split_number("13,000 KRW/t"), Some((13000.0, "KRW/t")));
        assert_eq!(split_number(" 10 % "), Some((10.0, "%")));
        assert_eq!(split_number("10%"), Some((10.0, "%")));
        assert_eq!(split_number("0.25"), Some((0.25, "")));
        assert_eq!(split_number("ten %"), None);
    }

    #[test]
    fn a_written_value_is_compared_in_the_metrics_unit() {
        let units = UnitTable::builtin();
        let w = |t: &str| Written::parse(t, &units).unwrap_or_else(|| panic!("{t}"));
        // Written alike or bare: the number as written.
        assert_eq!(w("10 %").in_unit("%", &units), Ok(10.0));
        assert_eq!(w("12.5").in_unit("%", &units), Ok(12.5));
        // Another unit of the same dimension: through SI (1 t/h = 1000 kg/h).
        assert_eq!(w("2 t/h").in_unit("kg/h", &units), Ok(2000.0));
        // Units that do not convert: an error naming both.
        let e = w("2 t/h").in_unit("kW", &units).unwrap_err().to_string();
        assert!(e.contains("`t/h`") && e.contains("`kW`"), "{e}");
    }
}
