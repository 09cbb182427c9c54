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
//!   tears: [recycle]            # optional: pin tear streams
//!   initial_guesses: { recycle: { flows: { H2O: 10 t/h } } }
//! design_specs:
//!   - adjust: streams.raw_ash.total
//!     until: streams.product.total = 17585 t/yr
//!     between: [10000 t/yr, 60000 t/yr]
//! display: { flow: [kg/t_product, t/yr], temperature: degC, pressure: kPa, power: [kWh/t_product, MWh/yr] }
//! ```

use calx_core::path::{InputPath, ResultPath};
use calx_core::{ComponentSet, Dimension, ParamKind};
use calx_engine::{DesignSpecDef, Method, ScalarOptions, SolveOptions, UnitDef, Variable};

use crate::decode::{Decoder, get, join};
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

/// Decode `design_specs:`; paths are resolved against the decoded units.
pub(crate) fn design_specs(
    dec: &mut Decoder,
    node: &Node,
    units: &[UnitDef],
    set: &ComponentSet,
) -> Vec<DesignSpecDef> {
    let mut out = Vec::new();
    for (i, item) in dec.list(node, "design_specs").unwrap_or_default().into_iter().enumerate() {
        let field = format!("design_specs[{i}]");
        dec.map.put(&format!("design_specs.{}", i + 1), item.loc);
        let Some(entries) = dec.mapping(item, &field) else { continue };
        dec.only(entries, SPEC_FIELDS, &field);
        let adjust = dec.required(entries, "adjust", &field, item.loc);
        let until = dec.required(entries, "until", &field, item.loc);
        let between = dec.required(entries, "between", &field, item.loc);
        let (Some(adjust), Some(until), Some(between)) = (adjust, until, between) else { continue };
        let Some(adjust_text) = dec.text(adjust, &join(&field, "adjust")) else { continue };
        let Some((adjust_var, adjust_dim)) = adjust_path(dec, adjust, adjust_text, units, &join(&field, "adjust"))
        else {
            continue;
        };
        let Some(until_text) = dec.text(until, &join(&field, "until")) else { continue };
        let Some((target_text, value_text)) = until_text.split_once('=') else {
            dec.error(
                Diagnostic::new(until.loc, &join(&field, "until"), "write `until: PATH = VALUE`")
                    .found(until_text.to_string()),
            );
            continue;
        };
        let target_text = target_text.trim();
        let Some((target, target_dim)) = target_path(dec, until, target_text, set, &join(&field, "until")) else {
            continue;
        };
        let value = match dec.units.parse_as(value_text.trim(), target_dim) {
            Ok(v) => v,
            Err(e) => {
                dec.error(
                    Diagnostic::new(until.loc, &join(&field, "until"), e.to_string())
                        .found(value_text.trim().to_string()),
                );
                continue;
            }
        };
        let bounds: Vec<Option<f64>> = dec
            .list(between, &join(&field, "between"))
            .unwrap_or_default()
            .into_iter()
            .map(|n| dec.quantity(n, &join(&field, "between"), adjust_dim, "the adjusted variable's unit"))
            .collect();
        let [Some(lo), Some(hi)] = bounds[..] else {
            if bounds.len() != 2 {
                dec.error(Diagnostic::new(between.loc, &join(&field, "between"), "`between` must be [lower, upper]"));
            }
            continue;
        };
        let mut options = ScalarOptions::default();
        if let Some(x) = get(entries, "tolerance").and_then(|n| dec.positive(n, &join(&field, "tolerance"))) {
            options.rel_tol = x;
        }
        if let Some(x) = get(entries, "max_iterations").and_then(|n| dec.count(n, &join(&field, "max_iterations"))) {
            options.max_iterations = x;
        }
        out.push(DesignSpecDef {
            adjust_label: adjust_text.to_string(),
            adjust: adjust_var,
            target_label: target_text.to_string(),
            target,
            value,
            bounds: (lo, hi),
            options,
        });
    }
    out
}

fn adjust_path(
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
                    .allowed("streams.FEED.total, units.UNIT.PARAM, units.UNIT.PARAM.KEY"),
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

fn target_path(
    dec: &mut Decoder,
    node: &Node,
    path: &str,
    set: &ComponentSet,
    field: &str,
) -> Option<(Variable, Dimension)> {
    // Design specifications target what the engine computes (analysis metrics are not
    // available inside the solve).
    let parsed = ResultPath::parse(path).ok().filter(|p| match p {
        ResultPath::StreamFlow { component, .. } => set.index_of(component).is_some(),
        ResultPath::AnalysisMetric { .. } => false,
        _ => true,
    });
    let dimension = match &parsed {
        Some(ResultPath::StreamTotal(_) | ResultPath::StreamFlow { .. }) => Dimension::MASS_FLOW,
        Some(ResultPath::StreamTemperature(_)) => Dimension::TEMPERATURE,
        Some(ResultPath::UnitUtility { utility, .. }) => utility.dimension(),
        Some(ResultPath::AnalysisMetric { .. }) | None => {
            dec.error(Diagnostic::new(node.loc, field, "cannot read this path").found(path.to_string()).allowed(
                "streams.S.total, streams.S.T, streams.S.flows.COMPONENT, units.U.electricity|heating|cooling|water",
            ));
            return None;
        }
    };
    Some((parsed.as_ref().and_then(Variable::result)?, dimension))
}
