//! The `calculate:` section: calculators that set a unit or feed parameter from an
//! expression over other parameters and over results.
//!
//! ```yaml
//! calculate:
//!   - set: streams.flue_gas.total               # a unit or feed parameter
//!     to: streams.raw_ash.total * 5.13          # an expression; its dimension is the parameter's
//! ```
//!
//! The expression language is [`calx_core::expr`]. Each path in it is either a parameter
//! (`streams.FEED.total`, `units.U.PARAM[.KEY]`: a unit or feed of this flowsheet that has
//! the parameter) or a result (`streams.S.total|T|P|molar_total|flows.C|...`,
//! `units.U.electricity|...`, `units.U.sizes.NAME`); analysis parameters and metrics are
//! refused (analyses run after the solve). When each calculator runs is the engine's
//! business (`calx_engine::CalculatorDef`): docs/flowsheet-format.md#calculate.
//! Every problem is a diagnostic at the file position of the offending part of the
//! expression.

use calx_core::expr::Expr;
use calx_core::path::{InputPath, ResultPath};
use calx_core::{ComponentSet, Dimension, ParamKind};
use calx_engine::{CalculatorDef, UnitDef, Variable};

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::{Loc, Node};

/// Fields of one calculator.
pub(crate) const FIELDS: &[&str] = &["set", "to"];

/// Decode `calculate:`; `text` is the file's text (to find where a quoted expression starts).
pub(crate) fn decode(
    dec: &mut Decoder,
    node: &Node,
    text: &str,
    units: &[UnitDef],
    set: &ComponentSet,
) -> Vec<CalculatorDef> {
    let mut out = Vec::new();
    for (i, item) in dec.list(node, "calculate").unwrap_or_default().into_iter().enumerate() {
        let field = format!("calculate[{i}]");
        dec.map.put(&format!("calculate.{}", i + 1), item.loc);
        let Some(entries) = dec.mapping(item, &field) else { continue };
        dec.only(entries, FIELDS, &field);
        let target = dec.required(entries, "set", &field, item.loc);
        let to = dec.required(entries, "to", &field, item.loc);
        let (Some(target), Some(to)) = (target, to) else { continue };
        let set_field = join(&field, "set");
        let Some(set_text) = dec.text(target, &set_field) else { continue };
        let parameter = match InputPath::parse(set_text) {
            Ok(InputPath::UnitParam { unit, param, key }) => {
                parameter(units, &unit, &param, key.as_deref()).map_err(|e| e.to_string())
            }
            Ok(_) => Err("a calculator sets a unit or feed parameter".to_string()),
            Err(e) => Err(e.to_string()),
        };
        let (set_var, set_dimension) = match parameter {
            Ok(p) => p,
            Err(message) => {
                dec.error(
                    Diagnostic::new(target.loc, &set_field, message)
                        .found(set_text.to_string())
                        .allowed("streams.FEED.PARAM[.KEY], units.UNIT.PARAM[.KEY]"),
                );
                continue;
            }
        };
        let to_field = join(&field, "to");
        let Some(to_text) = get(entries, "to").and_then(|n| dec.text(n, &to_field)) else { continue };
        let at = |offset: usize| expression_loc(text, to.loc, to_text, offset);
        let expr = match Expr::parse(to_text, &dec.units) {
            Ok(e) => e,
            Err(e) => {
                dec.error(Diagnostic::new(at(e.column), &to_field, e.message).found(to_text.to_string()));
                continue;
            }
        };
        let mut reads = Vec::new();
        for p in expr.paths() {
            match read(units, set, &p.text) {
                Ok(r) => reads.push(r),
                Err(e) => dec.error(Diagnostic::new(at(p.span.start), &to_field, e.to_string()).found(p.text.clone())),
            }
        }
        if reads.len() < expr.paths().len() {
            continue;
        }
        let known = |k: usize| reads[k].1.or_else(|| reads[k].0.dimension());
        match expr.dimension(known) {
            Err(e) => dec.error(Diagnostic::new(at(e.column), &to_field, e.message).found(to_text.to_string())),
            Ok(Some(d)) if d != set_dimension => dec.error(
                Diagnostic::new(
                    at(0),
                    &to_field,
                    format!("the expression is a {}, but `{set_text}` is a {}", d.describe(), set_dimension.describe()),
                )
                .found(to_text.to_string()),
            ),
            Ok(_) => out.push(CalculatorDef { label: set_text.to_string(), set: set_var, set_dimension, expr, reads }),
        }
    }
    out
}

/// The position of byte `offset` of an expression written at `loc`: one column further for
/// a quoted scalar (the quote), columns counted in characters.
pub(crate) fn expression_loc(text: &str, loc: Loc, expr: &str, offset: usize) -> Loc {
    let line = text.lines().nth(loc.line.saturating_sub(1) as usize).unwrap_or("");
    let first = line.chars().nth(loc.column.saturating_sub(1) as usize);
    let quote = u32::from(matches!(first, Some('"' | '\'')));
    let chars = expr.get(..offset).map_or(0, |s| s.chars().count());
    Loc { line: loc.line, column: loc.column + quote + u32::try_from(chars).unwrap_or(0) }
}

/// Why a path of an expression names nothing this flowsheet can read or set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// No unit or feed of that name.
    #[error("no unit or feed stream `{0}`")]
    NoUnitOrFeed(String),
    /// The unit has no such parameter.
    #[error("`{unit}` has no parameter `{param}`")]
    NoParameter {
        /// Unit.
        unit: String,
        /// Parameter.
        param: String,
    },
    /// A key given for a parameter that is not a map.
    #[error("`{param}` is not a map; drop `.{key}`")]
    NotAMap {
        /// Parameter.
        param: String,
        /// The key written.
        key: String,
    },
    /// A parameter that is not numeric.
    #[error("`{param}` of `{unit}` is not a number")]
    NotANumber {
        /// Unit.
        unit: String,
        /// Parameter.
        param: String,
    },
    /// A calculator reading an analysis.
    #[error("a calculator cannot read an analysis (analyses run after the solve)")]
    AnalysisInCalculator,
    /// Neither a parameter nor a result path.
    #[error("`{path}` is neither a parameter of a unit or feed nor a result: {problem}; allowed: {allowed}")]
    NotAPath {
        /// The path as written.
        path: String,
        /// What is wrong with its shape.
        problem: String,
        /// The forms allowed.
        allowed: String,
    },
    /// A component this flowsheet does not have.
    #[error("no component `{0}` in this flowsheet")]
    NoComponent(String),
    /// A stream this flowsheet does not have.
    #[error("no stream `{0}` in this flowsheet")]
    NoStream(String),
    /// A unit this flowsheet does not have.
    #[error("no unit `{0}` in this flowsheet")]
    NoUnit(String),
    /// A result path the engine does not compute.
    #[error("`{0}` is not a result the engine computes")]
    NotComputed(String),
}

/// The numeric parameter `param` (`.key`) of unit `unit`, with its dimension.
fn parameter(
    units: &[UnitDef],
    unit: &str,
    param: &str,
    key: Option<&str>,
) -> Result<(Variable, Dimension), PathError> {
    let u = units.iter().find(|u| u.name == unit).ok_or_else(|| PathError::NoUnitOrFeed(unit.to_string()))?;
    let descriptor = u.unit_type.descriptor();
    let spec = descriptor
        .param(param)
        .ok_or_else(|| PathError::NoParameter { unit: unit.to_string(), param: param.to_string() })?;
    let kind = match (&spec.kind, key) {
        (ParamKind::PerComponent { value } | ParamKind::PerOutlet { value }, Some(_)) => value.as_ref(),
        (k, None) => k,
        (_, Some(key)) => return Err(PathError::NotAMap { param: param.to_string(), key: key.to_string() }),
    };
    let dimension = match kind {
        ParamKind::Quantity { dimension, .. } => *dimension,
        ParamKind::Fraction | ParamKind::Number => Dimension::DIMENSIONLESS,
        _ => return Err(PathError::NotANumber { unit: unit.to_string(), param: param.to_string() }),
    };
    let variable =
        Variable::UnitParam { unit: unit.to_string(), param: param.to_string(), key: key.map(str::to_string) };
    Ok((variable, dimension))
}

/// What a path in an expression reads: a parameter of a unit or feed of this flowsheet (with
/// its dimension), else a result the engine computes.
fn read(units: &[UnitDef], set: &ComponentSet, path: &str) -> Result<(Variable, Option<Dimension>), PathError> {
    if path.starts_with("analyses.") {
        return Err(PathError::AnalysisInCalculator);
    }
    if let Ok(InputPath::UnitParam { unit, param, key }) = InputPath::parse(path)
        && let Some(u) = units.iter().find(|u| u.name == unit)
        && u.unit_type.descriptor().param(&param).is_some()
    {
        return parameter(units, &unit, &param, key.as_deref()).map(|(v, d)| (v, Some(d)));
    }
    result(units, set, path).map(|v| (v, None))
}

/// The result a path in an expression names (a stream quantity, a unit's utility or size of
/// this flowsheet); analysis metrics are refused.
pub(crate) fn result(units: &[UnitDef], set: &ComponentSet, path: &str) -> Result<Variable, PathError> {
    let result = ResultPath::parse(path).map_err(|e| PathError::NotAPath {
        path: path.to_string(),
        problem: e.problem.to_string(),
        allowed: e.allowed.to_string(),
    })?;
    if let Some(c) = result.component().filter(|c| set.index_of(c).is_none()) {
        return Err(PathError::NoComponent(c.to_string()));
    }
    let stream = match &result {
        ResultPath::StreamTotal(s) | ResultPath::StreamTemperature(s) | ResultPath::StreamPressure(s) => Some(s),
        ResultPath::StreamMolarTotal(s) => Some(s),
        ResultPath::StreamFlow { stream, .. }
        | ResultPath::StreamMolarFlow { stream, .. }
        | ResultPath::StreamMassFraction { stream, .. }
        | ResultPath::StreamMoleFraction { stream, .. } => Some(stream),
        _ => None,
    };
    let connected =
        |u: &UnitDef, s: &str| u.inlets.iter().chain(&u.outlets).any(|(_, names)| names.iter().any(|n| n == s));
    if let Some(s) = stream.filter(|s| !units.iter().any(|u| connected(u, s))) {
        return Err(PathError::NoStream(s.to_string()));
    }
    if let ResultPath::UnitUtility { unit, .. } | ResultPath::UnitSize { unit, .. } = &result
        && !units.iter().any(|u| &u.name == unit)
    {
        return Err(PathError::NoUnit(unit.to_string()));
    }
    Variable::result(&result).ok_or_else(|| PathError::NotComputed(path.to_string()))
}
