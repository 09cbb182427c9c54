//! The `solver:`, `design_specs:` and `display:` sections.
//!
//! ```yaml
//! solver:
//!   method: wegstein            # direct_substitution | wegstein | broyden
//!   tolerance: 1e-10            # relative, per tear variable
//!   abs_tolerance: 1e-10        # SI (kg/s, K, Pa)
//!   scale_tolerance: 1e-6       # ceiling: residual at most this times the feed (T: 1000 K, P: 1 MPa)
//!   max_iterations: 200
//!   balance_tolerance: 1e-9     # per unit
//!   flowsheet_balance_tolerance: 1e-6
//!   energy_balance_tolerance: 1e-6  # units and flowsheet, of the terms' magnitude
//!   design_specs: simultaneous  # two or more specs together (default) | nested (one inside another)
//!   tears: [recycle]            # optional: pin tear streams
//!   initial_guesses: { recycle: { flows: { H2O: 10 t/h } } }
//! design_specs:
//!   - adjust: streams.raw_ash.total
//!     until: streams.product.total = 17585 t/yr
//!     between: [10000 t/yr, 60000 t/yr]
//! display: { flow: [kg/t_product, t/yr], temperature: degC, pressure: kPa, power: [kWh/t_product, MWh/yr] }
//! ```

use calx_core::path::{InputPath, ResultPath};
use calx_core::quantity::FractionBasis;
use calx_core::registry::Registry;
use calx_core::{ComponentSet, Dimension, ParamKind, UnitTable};
use calx_engine::{DesignSpecDef, Method, ScalarOptions, SolveOptions, SpecMethod, UnitDef, Variable};

use crate::analyses::ConfiguredAnalysis;
use crate::decode::{Decoder, get, join};
use crate::design::{self, AnalysisSpec, DesignInput, DesignOutput, QuantityError, Written};
use crate::diagnostic::Diagnostic;
use crate::node::Node;
use crate::streams::stream_spec;

/// Units used to show results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Display {
    /// Mass-flow units, each shown as a column set (e.g. `kg/t_product` and `t/yr`).
    pub flows: Vec<String>,
    /// Temperature unit.
    pub temperature: String,
    /// Pressure unit.
    pub pressure: String,
    /// Power units (electricity, heat duties); per-unit figures use the first, totals all.
    pub power: Vec<String>,
}

impl Default for Display {
    fn default() -> Self {
        Display {
            flows: vec!["kg/h".into()],
            temperature: "degC".into(),
            pressure: "kPa".into(),
            power: vec!["kW".into()],
        }
    }
}

pub(crate) const SOLVER_FIELDS: &[&str] = &[
    "method",
    "tolerance",
    "abs_tolerance",
    "scale_tolerance",
    "max_iterations",
    "tears",
    "initial_guesses",
    "balance_tolerance",
    "flowsheet_balance_tolerance",
    "energy_balance_tolerance",
    "design_specs",
];
pub(crate) const SPEC_FIELDS: &[&str] = &["adjust", "until", "between", "tolerance", "max_iterations"];
pub(crate) const DISPLAY_FIELDS: &[&str] = &["flow", "temperature", "pressure", "power"];

/// Decode `solver:`.
pub(crate) fn solver(dec: &mut Decoder, node: &Node, set: &ComponentSet) -> SolveOptions {
    let mut o = SolveOptions::default();
    let Some(entries) = dec.mapping(node, "solver") else { return o };
    dec.only(entries, SOLVER_FIELDS, "solver");
    if let Some(n) = get(entries, "method") {
        let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        if let Some(m) = dec.choice(n, "solver.method", &names).and_then(Method::from_name) {
            o.recycle.method = m;
        }
    }
    if let Some(x) = get(entries, "tolerance").and_then(|n| dec.positive(n, "solver.tolerance")) {
        o.recycle.rel_tol = x;
    }
    if let Some(x) = get(entries, "abs_tolerance").and_then(|n| dec.positive(n, "solver.abs_tolerance")) {
        o.recycle.abs_tol = x;
    }
    if let Some(x) = get(entries, "scale_tolerance").and_then(|n| dec.positive(n, "solver.scale_tolerance")) {
        o.recycle.scale_tol = x;
    }
    if let Some(x) = get(entries, "max_iterations").and_then(|n| dec.count(n, "solver.max_iterations")) {
        o.recycle.max_iterations = x;
    }
    if let Some(x) = get(entries, "balance_tolerance").and_then(|n| dec.positive(n, "solver.balance_tolerance")) {
        o.unit_balance_tolerance = x;
    }
    if let Some(x) =
        get(entries, "flowsheet_balance_tolerance").and_then(|n| dec.positive(n, "solver.flowsheet_balance_tolerance"))
    {
        o.flowsheet_balance_tolerance = x;
    }
    if let Some(x) =
        get(entries, "energy_balance_tolerance").and_then(|n| dec.positive(n, "solver.energy_balance_tolerance"))
    {
        o.energy_balance_tolerance = x;
    }
    if let Some(n) = get(entries, "design_specs") {
        let names: Vec<&str> = SpecMethod::ALL.iter().map(|m| m.name()).collect();
        if let Some(m) = dec.choice(n, "solver.design_specs", &names).and_then(SpecMethod::from_name) {
            o.design_specs = m;
        }
    }
    if let Some(n) = get(entries, "tears") {
        for item in dec.list(n, "solver.tears").unwrap_or_default() {
            if let Some(s) = dec.text(item, "solver.tears") {
                dec.map.put(&format!("solver.tears.{s}"), item.loc);
                o.tears.push(s.to_string());
            }
        }
    }
    if let Some(n) = get(entries, "initial_guesses") {
        for (k, v) in dec.mapping(n, "solver.initial_guesses").unwrap_or_default() {
            if let Some(spec) = stream_spec(dec, v, &format!("solver.initial_guesses.{}", k.name), set) {
                o.initial_guesses.insert(k.name.clone(), spec.stream);
            }
        }
    }
    o
}

/// Decode `display:`.
pub(crate) fn display(dec: &mut Decoder, node: &Node) -> Display {
    let mut d = Display::default();
    let Some(entries) = dec.mapping(node, "display") else { return d };
    dec.only(entries, DISPLAY_FIELDS, "display");
    let unit = |dec: &mut Decoder, n: &Node, field: &str, dim: Dimension| -> Option<String> {
        let text = dec.text(n, field)?;
        match dec.units.unit(text) {
            Ok(u) if u.dimension == dim => Some(text.to_string()),
            Ok(_) => {
                dec.error(
                    Diagnostic::new(n.loc, field, format!("`{field}` must be a unit of {}", crate::decode::short(dim)))
                        .found(text.to_string()),
                );
                None
            }
            Err(e) => {
                dec.error(Diagnostic::new(n.loc, field, e.to_string()).found(text.to_string()));
                None
            }
        }
    };
    if let Some(n) = get(entries, "flow") {
        let flows: Vec<String> = dec
            .list(n, "display.flow")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| unit(dec, i, "display.flow", Dimension::MASS_FLOW))
            .collect();
        if !flows.is_empty() {
            d.flows = flows;
        }
    }
    if let Some(u) =
        get(entries, "temperature").and_then(|n| unit(dec, n, "display.temperature", Dimension::TEMPERATURE))
    {
        d.temperature = u;
    }
    if let Some(u) = get(entries, "pressure").and_then(|n| unit(dec, n, "display.pressure", Dimension::PRESSURE)) {
        d.pressure = u;
    }
    if let Some(n) = get(entries, "power") {
        let power: Vec<String> = dec
            .list(n, "display.power")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| unit(dec, i, "display.power", Dimension::POWER))
            .collect();
        if !power.is_empty() {
            d.power = power;
        }
    }
    d
}

/// Decode `design_specs:`; paths are resolved against the decoded units and analyses. A
/// specification on unit and stream results goes to the engine; one that adjusts an analysis
/// parameter or targets an analysis metric is solved by the façade ([`AnalysisSpec`]).
pub(crate) fn design_specs(
    dec: &mut Decoder,
    (node, text): (&Node, &str),
    (units, set): (&[UnitDef], &ComponentSet),
    (analyses, registry): (&[ConfiguredAnalysis], &Registry),
) -> (Vec<DesignSpecDef>, Vec<AnalysisSpec>) {
    let mut out = (Vec::new(), Vec::new());
    for (i, item) in dec.list(node, "design_specs").unwrap_or_default().into_iter().enumerate() {
        let field = format!("design_specs[{i}]");
        dec.map.put(&format!("design_specs.{}", i + 1), item.loc);
        let Some(entries) = dec.mapping(item, &field) else { continue };
        dec.only(entries, SPEC_FIELDS, &field);
        let adjust = dec.required(entries, "adjust", &field, item.loc);
        let until = dec.required(entries, "until", &field, item.loc);
        let between = dec.required(entries, "between", &field, item.loc);
        let (Some(adjust), Some(until), Some(between)) = (adjust, until, between) else { continue };
        dec.map.put(&format!("design_specs.{}.adjust", i + 1), adjust.loc);
        let Some(adjust_text) = dec.text(adjust, &join(&field, "adjust")) else { continue };
        let context = (units, analyses, registry);
        let Some(mut input) = design::input(dec, adjust, adjust_text, context, &join(&field, "adjust")) else {
            continue;
        };
        dec.map.put(&format!("design_specs.{}.until", i + 1), until.loc);
        let Some(until_text) = dec.text(until, &join(&field, "until")) else { continue };
        let Some((target_text, value_text)) = until_text.split_once('=') else {
            dec.error(
                Diagnostic::new(until.loc, &join(&field, "until"), "write `until: PATH = VALUE`")
                    .found(until_text.to_string()),
            );
            continue;
        };
        let target_text = target_text.trim();
        if design::is_expression(target_text, &dec.units) && design::reads_metrics(target_text, &dec.units) {
            let labels = (adjust_text, until_text, value_text);
            let context = ((units, set), analyses);
            out.1.extend(metric_expression_spec(dec, (until, between, text), entries, labels, input, context, i));
            continue;
        }
        if design::is_expression(target_text, &dec.units) {
            let Some(bounds) = design::bounds(dec, between, &mut input, &join(&field, "between")) else { continue };
            let labels = (adjust_text, until_text, value_text);
            if let Some(spec) = expression_spec(dec, (until, text), labels, input, bounds, (units, set), &field) {
                out.0.push(DesignSpecDef { index: i + 1, options: spec_options(dec, entries, &field), ..spec });
            }
            continue;
        }
        let Some(output) = design::output(dec, until, target_text, (set, analyses), &join(&field, "until")) else {
            continue;
        };
        let Some(bounds) = design::bounds(dec, between, &mut input, &join(&field, "between")) else { continue };
        let options = spec_options(dec, entries, &field);
        let labels = (adjust_text.to_string(), target_text.to_string());
        match (input, output) {
            (DesignInput::Unit { variable, dimension }, DesignOutput::Result(target)) => {
                let Some(path) = ResultPath::parse(target_text).ok() else { continue };
                let (value, target_dimension) = match target_value(&dec.units, value_text.trim(), &path) {
                    Ok(v) => v,
                    Err(message) => {
                        dec.error(
                            Diagnostic::new(until.loc, &join(&field, "until"), message.to_string())
                                .found(value_text.trim().to_string()),
                        );
                        continue;
                    }
                };
                out.0.push(DesignSpecDef {
                    index: i + 1,
                    adjust_label: labels.0,
                    adjust: variable,
                    target_label: labels.1,
                    target,
                    target_expr: None,
                    value,
                    target_dimension,
                    bounds,
                    adjust_dimension: dimension,
                    options,
                });
            }
            (_, DesignOutput::Result(_)) => dec.error(
                Diagnostic::new(
                    until.loc,
                    &join(&field, "until"),
                    "an analysis parameter cannot change a flowsheet result; target a metric of that analysis",
                )
                .found(until_text.to_string()),
            ),
            (adjust, target @ (DesignOutput::Metric { .. } | DesignOutput::Expression(_))) => {
                let Some(value) = Written::parse(value_text, &dec.units) else {
                    dec.error(
                        Diagnostic::new(until.loc, &join(&field, "until"), "write the target as a number and its unit")
                            .found(value_text.trim().to_string()),
                    );
                    continue;
                };
                out.1.push(AnalysisSpec {
                    index: i + 1,
                    adjust_label: labels.0,
                    adjust,
                    target_label: labels.1,
                    target,
                    value,
                    bounds,
                    options,
                });
            }
        }
    }
    out
}

/// A value is either calculated or adjusted, and by one specification: an analysis
/// specification that adjusts a parameter a calculator sets, an engine specification adjusts
/// or an earlier analysis specification adjusts is an error at its `adjust:` (the engine
/// refuses the same of its own specifications).
pub(crate) fn check_adjusted(
    dec: &mut Decoder,
    (engine, analysis): (&[DesignSpecDef], &[AnalysisSpec]),
    calculators: &[calx_engine::CalculatorDef],
) {
    for (k, spec) in analysis.iter().enumerate() {
        let why = match &spec.adjust {
            DesignInput::Unit { variable, .. } => {
                if let Some(c) = calculators.iter().position(|c| &c.set == variable) {
                    Some(format!("calculator {} sets it; a value is either calculated or adjusted", c + 1))
                } else {
                    engine
                        .iter()
                        .find(|s| &s.adjust == variable)
                        .map(|s| s.index)
                        .or_else(|| analysis[..k].iter().find(|a| a.adjust == spec.adjust).map(|a| a.index))
                        .map(|j| {
                            format!(
                                "design specification {j} adjusts it already; a value is adjusted by one specification"
                            )
                        })
                }
            }
            DesignInput::Analysis { .. } => analysis[..k].iter().find(|a| a.adjust == spec.adjust).map(|a| {
                format!("design specification {} adjusts it already; a value is adjusted by one specification", a.index)
            }),
        };
        if let Some(why) = why {
            let loc = dec.map.get(&format!("design_specs.{}.adjust", spec.index));
            let field = format!("design_specs[{}].adjust", spec.index - 1);
            dec.error(
                Diagnostic::new(loc, &field, format!("`{}`: {why}", spec.adjust_label))
                    .found(spec.adjust_label.clone()),
            );
        }
    }
}

/// The `tolerance:` and `max_iterations:` of a design specification.
fn spec_options(dec: &mut Decoder, entries: &[(crate::node::Key, Node)], field: &str) -> ScalarOptions {
    let mut options = ScalarOptions::default();
    if let Some(x) = get(entries, "tolerance").and_then(|n| dec.positive(n, &join(field, "tolerance"))) {
        options.rel_tol = x;
    }
    if let Some(x) = get(entries, "max_iterations").and_then(|n| dec.count(n, &join(field, "max_iterations"))) {
        options.max_iterations = x;
    }
    options
}

/// A design specification whose target is an expression that reads analysis metrics: its
/// bounds, target and value (a quantity Calx reads, SI), solved by the façade.
fn metric_expression_spec(
    dec: &mut Decoder,
    (until, between, text): (&Node, &Node, &str),
    entries: &[(crate::node::Key, Node)],
    (adjust_text, until_text, value_text): (&str, &str, &str),
    mut input: DesignInput,
    context: ((&[UnitDef], &ComponentSet), &[ConfiguredAnalysis]),
    i: usize,
) -> Option<AnalysisSpec> {
    let field = format!("design_specs[{i}]");
    let bounds = design::bounds(dec, between, &mut input, &join(&field, "between"))?;
    let target = metric_expression_target(dec, (until, text), until_text, value_text, context, &field)?;
    let Some(value) = Written::parse(value_text, &dec.units).filter(|w| w.si.is_some()) else {
        dec.error(
            Diagnostic::new(until.loc, &join(&field, "until"), "write the target as a quantity Calx reads")
                .found(value_text.trim().to_string()),
        );
        return None;
    };
    Some(AnalysisSpec {
        index: i + 1,
        adjust_label: adjust_text.to_string(),
        adjust: input,
        target_label: until_text.split_once('=').map_or(until_text, |(t, _)| t).trim().to_string(),
        target,
        value,
        bounds,
        options: spec_options(dec, entries, &field),
    })
}

/// The target of a design specification written as an expression that reads analysis
/// metrics (`until: analyses.tea.total_annual_cost / analyses.tea.total_revenue = 0.9`): the
/// façade solves it; every problem is positioned inside the expression, a value whose
/// dimension differs from the expression's (where the paths say it) at the value.
fn metric_expression_target(
    dec: &mut Decoder,
    (until, text): (&Node, &str),
    until_text: &str,
    value_text: &str,
    ((units, set), analyses): ((&[UnitDef], &ComponentSet), &[ConfiguredAnalysis]),
    field: &str,
) -> Option<DesignOutput> {
    let until_field = join(field, "until");
    let start = until_text.len() - until_text.trim_start().len();
    let at = |offset: usize| crate::calculate::expression_loc(text, until.loc, until_text, start + offset);
    let target_text = until_text.split_once('=').map_or(until_text, |(t, _)| t).trim();
    let names: Vec<&str> = analyses.iter().map(|a| a.name.as_str()).collect();
    let e = match design::metric_expression(target_text, &dec.units, (units, set), &names) {
        Ok(e) => e,
        Err(problems) => {
            for (offset, message) in problems {
                dec.error(Diagnostic::new(at(offset), &until_field, message).found(target_text.to_string()));
            }
            return None;
        }
    };
    if let (Ok(Some(d)), Ok(q)) = (e.dimension(), dec.units.parse(value_text.trim()))
        && d != q.dimension
    {
        let offset = until_text.find('=').map_or(0, |i| i + 1);
        let offset = offset + until_text[offset..].len() - until_text[offset..].trim_start().len();
        let loc = crate::calculate::expression_loc(text, until.loc, until_text, offset);
        let message = format!(
            "the expression `{target_text}` is a {}, but the value is a {}",
            d.describe(),
            q.dimension.describe()
        );
        dec.error(Diagnostic::new(loc, &until_field, message).found(value_text.trim().to_string()));
        return None;
    }
    Some(DesignOutput::Expression(e))
}

/// A design specification whose target is an expression over results (`until: a / b =
/// VALUE`): the engine solves it; every problem is positioned inside the expression.
fn expression_spec(
    dec: &mut Decoder,
    (until, text): (&Node, &str),
    (adjust_text, until_text, value_text): (&str, &str, &str),
    input: DesignInput,
    bounds: (f64, f64),
    (units, set): (&[UnitDef], &ComponentSet),
    field: &str,
) -> Option<DesignSpecDef> {
    let until_field = join(field, "until");
    let start = until_text.len() - until_text.trim_start().len();
    let at = |offset: usize| crate::calculate::expression_loc(text, until.loc, until_text, start + offset);
    let target_text = until_text.split_once('=').map_or(until_text, |(t, _)| t).trim();
    let e = match design::result_expression(target_text, &dec.units, (units, set)) {
        Ok(e) => e,
        Err(problems) => {
            for (offset, message) in problems {
                dec.error(Diagnostic::new(at(offset), &until_field, message).found(target_text.to_string()));
            }
            return None;
        }
    };
    let DesignInput::Unit { variable, dimension } = input else {
        dec.error(
            Diagnostic::new(
                until.loc,
                &until_field,
                "an analysis parameter cannot change a flowsheet result; target a metric of that analysis",
            )
            .found(until_text.to_string()),
        );
        return None;
    };
    let (value, target_dimension) = match design::expression_value(&e, value_text, &dec.units) {
        Ok(v) => v,
        Err(message) => {
            let offset = until_text.find('=').map_or(0, |i| i + 1);
            let offset = offset + until_text[offset..].len() - until_text[offset..].trim_start().len();
            let loc = crate::calculate::expression_loc(text, until.loc, until_text, offset);
            dec.error(Diagnostic::new(loc, &until_field, message.to_string()).found(value_text.trim().to_string()));
            return None;
        }
    };
    Some(DesignSpecDef {
        index: 0, // set by the caller
        adjust_label: adjust_text.to_string(),
        adjust: variable,
        target_label: target_text.to_string(),
        target: e.reads[0].clone(),
        target_expr: Some(e),
        value,
        target_dimension,
        bounds,
        adjust_dimension: dimension,
        options: ScalarOptions::default(),
    })
}

pub(crate) fn adjust_path(
    dec: &mut Decoder,
    node: &Node,
    path: &str,
    units: &[UnitDef],
    field: &str,
) -> Option<(Variable, Dimension)> {
    // A design specification adjusts one numeric unit (or feed) parameter.
    let (unit, param, key) = match InputPath::parse(path) {
        Ok(InputPath::UnitParam { unit, param, key }) => (unit, param, key),
        _ => {
            dec.error(
                Diagnostic::new(node.loc, field, "cannot adjust this path")
                    .found(path.to_string())
                    .allowed("streams.FEED.total, units.UNIT.PARAM[.KEY], analyses.ANALYSIS.PARAM[.KEY]"),
            );
            return None;
        }
    };
    let Some(u) = units.iter().find(|u| u.name == unit) else {
        dec.error(Diagnostic::new(node.loc, field, format!("no unit or feed stream `{unit}`")).found(path.to_string()));
        return None;
    };
    let descriptor = u.unit_type.descriptor();
    let Some(spec) = descriptor.param(&param) else {
        dec.error(
            Diagnostic::new(node.loc, field, format!("`{unit}` has no parameter `{param}`")).found(path.to_string()),
        );
        return None;
    };
    let kind = match (&spec.kind, &key) {
        (ParamKind::PerComponent { value } | ParamKind::PerOutlet { value }, Some(_)) => value.as_ref(),
        (k, None) => k,
        (_, Some(key)) => {
            dec.error(Diagnostic::new(node.loc, field, format!("`{param}` is not a map; drop `.{key}`")));
            return None;
        }
    };
    let dim = match kind {
        ParamKind::Quantity { dimension, .. } => *dimension,
        ParamKind::Fraction | ParamKind::Number => Dimension::DIMENSIONLESS,
        _ => {
            dec.error(Diagnostic::new(node.loc, field, format!("`{param}` is not a number, so it cannot be adjusted")));
            return None;
        }
    };
    Some((Variable::UnitParam { unit, param, key }, dim))
}

/// A result the engine computes (analysis metrics are read by [`design::output`]), with
/// components that exist.
pub(crate) fn target_path(
    dec: &mut Decoder,
    node: &Node,
    path: &str,
    set: &ComponentSet,
    field: &str,
) -> Option<ResultPath> {
    const TARGETS: &str = "streams.S.total|T|P|molar_total, \
        streams.S.flows|molar_flows|mass_fractions|mole_fractions.COMPONENT, \
        units.U.electricity|heating|cooling|water, units.U.sizes.NAME";
    let problem = match ResultPath::parse(path) {
        Err(e) => e.problem,
        Ok(ResultPath::AnalysisMetric { .. }) => "is an analysis metric, which the engine does not compute".into(),
        Ok(p) => match p.component().filter(|c| set.index_of(c).is_none()) {
            Some(c) => {
                let suggestion = calx_core::suggest::nearest(c, set.names());
                dec.error(
                    Diagnostic::new(node.loc, field, format!("no component `{c}` in this flowsheet"))
                        .found(path.to_string())
                        .suggest(suggestion),
                );
                return None;
            }
            None => return Some(p),
        },
    };
    dec.error(
        Diagnostic::new(node.loc, field, format!("cannot read this path: it {problem}"))
            .found(path.to_string())
            .allowed(TARGETS),
    );
    None
}

/// A target value written with its unit: SI, and the dimension written. It must be the
/// target's dimension where the path says it (a fraction is a bare number or a percentage
/// on its own basis); a unit's size takes any quantity, which the engine checks against
/// the size's dimension once the unit has reported it.
fn target_value(units: &UnitTable, text: &str, path: &ResultPath) -> Result<(f64, Dimension), QuantityError> {
    let q = units.parse(text).map_err(|e| QuantityError::unreadable(text, &e))?;
    let Some(expected) = path.dimension() else {
        return Ok((q.value, q.dimension));
    };
    if q.dimension != expected {
        let hint = if expected == Dimension::DIMENSIONLESS {
            " (a fraction: write a bare number or a percentage, e.g. 0.12 or 12 %)".to_string()
        } else {
            format!(" (e.g. in {})", example_unit(expected))
        };
        return Err(QuantityError::Dimension { what: format!("target `{path}`"), expected, found: q.dimension, hint });
    }
    let refused = match (path, q.basis) {
        (ResultPath::StreamMassFraction { .. }, Some(FractionBasis::Mole | FractionBasis::Volume)) => {
            Some(("mass", "% or wt%"))
        }
        (ResultPath::StreamMoleFraction { .. }, Some(FractionBasis::Mass)) => Some(("mole", "%, mol% or vol%")),
        _ => None,
    };
    if let Some((basis, write)) = refused {
        return Err(QuantityError::FractionBasis { target: path.to_string(), basis, write });
    }
    Ok((q.value, q.dimension))
}

/// A unit people write a quantity of this dimension in, for messages.
fn example_unit(d: Dimension) -> &'static str {
    match d {
        x if x == Dimension::MASS_FLOW => "t/h",
        x if x == Dimension::MOLAR_FLOW => "kmol/h",
        x if x == Dimension::TEMPERATURE => "degC",
        x if x == Dimension::PRESSURE => "kPa",
        x if x == Dimension::POWER => "kW",
        _ => "SI units",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, path: &str) -> Result<(f64, Dimension), crate::ValueError> {
        let said = |e: &dyn std::fmt::Display| crate::ValueError(e.to_string());
        let path = ResultPath::parse(path).map_err(|e| said(&e))?;
        target_value(&UnitTable::builtin(), text, &path).map_err(|e| said(&e))
    }

    #[test]
    fn target_values_take_the_targets_dimension() {
        assert_eq!(value("2 bar", "streams.s.P"), Ok((2e5, Dimension::PRESSURE)));
        assert_eq!(value("36 kmol/h", "streams.s.molar_flows.CO2"), Ok((10.0, Dimension::MOLAR_FLOW)));
        assert_eq!(value("36 kmol/h", "streams.s.molar_total"), Ok((10.0, Dimension::MOLAR_FLOW)));
        let e = value("2", "streams.s.P").err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("is a pressure") && e.contains("e.g. in kPa"), "{e}");
        let e = value("3 t/h", "streams.s.mole_fractions.CO2").err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("a fraction: write a bare number or a percentage"), "{e}");
    }

    #[test]
    fn a_fraction_target_is_a_number_or_a_percentage_on_its_own_basis() {
        for (text, path) in [
            ("0.15", "streams.s.mole_fractions.CO2"),
            ("15 %", "streams.s.mole_fractions.CO2"),
            ("15 mol%", "streams.s.mole_fractions.CO2"),
            ("15 vol%", "streams.s.mole_fractions.CO2"),
            ("15 wt%", "streams.s.mass_fractions.CO2"),
        ] {
            let (x, d) = value(text, path).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!((x - 0.15).abs() < 1e-15 && d == Dimension::DIMENSIONLESS, "{text}: {x}");
        }
        let e = value("15 wt%", "streams.s.mole_fractions.CO2").err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("is a mole fraction") && e.contains("mol%"), "{e}");
        let e = value("15 mol%", "streams.s.mass_fractions.CO2").err().map(|e| e.0).unwrap_or_default();
        assert!(e.contains("is a mass fraction") && e.contains("wt%"), "{e}");
    }

    #[test]
    fn a_size_target_takes_any_quantity_and_keeps_its_dimension() {
        assert_eq!(value("4.5 m3", "units.c.sizes.volume"), Ok((4.5, Dimension::VOLUME)));
        assert_eq!(value("3.6 t/h", "units.c.sizes.co2_fixed"), Ok((1.0, Dimension::MASS_FLOW)));
        assert_eq!(value("0.9", "units.c.sizes.conversion"), Ok((0.9, Dimension::DIMENSIONLESS)));
        assert!(value("4.5 parsecs", "units.c.sizes.volume").is_err());
    }
}
