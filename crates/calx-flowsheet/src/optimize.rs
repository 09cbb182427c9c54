//! The `optimize:` section: minimise or maximise one result over bounded variables, subject
//! to constraints on other results. Solved by the façade around the solve and the analyses'
//! figures.
//!
//! ```yaml
//! optimize:
//!   minimize: analyses.tea.unit_production_cost     # or maximize:
//!   variables:
//!     - { path: units.carbonation.volume, between: [1 m3, 50 m3] }
//!   constraints:
//!     - analyses.lca.net_reduction_per_functional_unit >= 40 kg/t_product   # <=, >=, =
//!     - streams.product.flows.CaCO3 / streams.product.total >= 0.3  # an expression over results
//!   method: nelder_mead       # the only one: augmented Lagrangian around bounded Nelder–Mead
//!   max_evaluations: 2000
//!   tolerance: 1e-8
//!   starts: 1
//!   seed: 0
//! ```

use calx_core::registry::Registry;
use calx_core::{ComponentSet, Dimension};
use calx_engine::{ResultExpr, UnitDef};

use crate::analyses::ConfiguredAnalysis;
use crate::decode::{Decoder, get, join};
use crate::design::{self, DesignInput, DesignOutput, Written};
use crate::diagnostic::Diagnostic;
use crate::node::Node;

pub(crate) const OPTIMIZE_FIELDS: &[&str] =
    &["minimize", "maximize", "variables", "constraints", "method", "max_evaluations", "tolerance", "starts", "seed"];
pub(crate) const VARIABLE_FIELDS: &[&str] = &["path", "between"];

/// Minimise or maximise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// `minimize:`.
    Minimize,
    /// `maximize:`.
    Maximize,
}

/// The method of an optimisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OptimizeMethod {
    /// Augmented Lagrangian around bounded Nelder–Mead (`calx_solver::minimize`).
    #[default]
    NelderMead,
}

/// A constraint's comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `<=`.
    AtMost,
    /// `>=`.
    AtLeast,
    /// `=`.
    Equal,
}

impl Comparison {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => "<=",
            Comparison::AtLeast => ">=",
            Comparison::Equal => "=",
        }
    }
}

/// One variable of an optimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeVariable {
    /// The path as written.
    pub label: String,
    /// What is set.
    pub input: DesignInput,
    /// Its bounds (SI, or numbers in its text unit).
    pub bounds: (f64, f64),
}

/// What an objective or a constraint reads.
#[derive(Clone, Debug, PartialEq)]
pub enum OptimizeOutput {
    /// A result path (SI) or an analysis metric (in its unit).
    Output(DesignOutput),
    /// An expression over engine results (`streams.a.total / streams.b.total`), SI, in the
    /// dimension its paths give (a size's is known only from the unit's report).
    Expression(ResultExpr),
}

/// One constraint of an optimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The constraint as written.
    pub text: String,
    /// The path as written.
    pub label: String,
    /// What is read.
    pub output: OptimizeOutput,
    /// The comparison.
    pub comparison: Comparison,
    /// The bound as written.
    pub value: Written,
}

/// The `optimize:` section, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeDef {
    /// Minimise or maximise.
    pub goal: Goal,
    /// The objective's path as written.
    pub objective_label: String,
    /// The objective.
    pub objective: OptimizeOutput,
    /// The variables.
    pub variables: Vec<OptimizeVariable>,
    /// The constraints.
    pub constraints: Vec<Constraint>,
    /// The method. Default: [`OptimizeMethod::NelderMead`].
    pub method: OptimizeMethod,
    /// Most evaluations (solve and figures). Default 2000.
    pub max_evaluations: usize,
    /// Convergence on the variables (relative to their bounds) and largest constraint
    /// violation (relative to each bound). Default 1e-8.
    pub tolerance: f64,
    /// Starting points (the first at the middle of the bounds). Default 1.
    pub starts: usize,
    /// Seed of the extra starting points. Default 0.
    pub seed: u64,
}

/// Decode `optimize:`.
pub(crate) fn decode(
    dec: &mut Decoder,
    node: &Node,
    (units, set): (&[UnitDef], &ComponentSet),
    (analyses, registry): (&[ConfiguredAnalysis], &Registry),
) -> Option<OptimizeDef> {
    dec.map.put("optimize", node.loc);
    let entries = dec.mapping(node, "optimize")?;
    dec.only(entries, OPTIMIZE_FIELDS, "optimize");
    let goal = match (get(entries, "minimize"), get(entries, "maximize")) {
        (Some(n), None) => Some((Goal::Minimize, n, "optimize.minimize")),
        (None, Some(n)) => Some((Goal::Maximize, n, "optimize.maximize")),
        _ => {
            dec.error(Diagnostic::new(node.loc, "optimize", "give exactly one of `minimize:` and `maximize:`"));
            None
        }
    };
    let objective = goal.and_then(|(goal, n, field)| {
        dec.map.put(field, n.loc);
        let text = dec.text(n, field)?.trim().to_string();
        let output = read(dec, n, &text, (units, set, analyses), field)?;
        Some((goal, text, output))
    });
    let mut variables = Vec::new();
    match get(entries, "variables") {
        Some(n) => {
            for (i, item) in dec.list(n, "optimize.variables").unwrap_or_default().into_iter().enumerate() {
                if let Some(v) = variable(dec, item, i, (units, analyses, registry)) {
                    variables.push(v);
                }
            }
            if variables.is_empty() && dec.diags.is_empty() {
                dec.error(Diagnostic::new(n.loc, "optimize.variables", "list at least one variable"));
            }
        }
        None => dec.error(Diagnostic::new(node.loc, "optimize.variables", "`optimize` needs `variables:`")),
    }
    let mut constraints = Vec::new();
    if let Some(n) = get(entries, "constraints") {
        for (i, item) in dec.list(n, "optimize.constraints").unwrap_or_default().into_iter().enumerate() {
            let field = format!("optimize.constraints[{i}]");
            dec.map.put(&format!("optimize.constraints.{}", i + 1), item.loc);
            let Some(text) = dec.text(item, &field) else { continue };
            if let Some(c) = constraint(dec, item, text, &field, (units, set, analyses)) {
                constraints.push(c);
            }
        }
    }
    let mut def = OptimizeDef {
        goal: Goal::Minimize,
        objective_label: String::new(),
        objective: OptimizeOutput::Output(DesignOutput::Metric { analysis: String::new(), metric: String::new() }),
        variables,
        constraints,
        method: OptimizeMethod::NelderMead,
        max_evaluations: 2000,
        tolerance: 1e-8,
        starts: 1,
        seed: 0,
    };
    options(dec, entries, &mut def);
    let (goal, label, output) = objective?;
    (def.goal, def.objective_label, def.objective) = (goal, label, output);
    Some(def)
}

fn options(dec: &mut Decoder, entries: &[(crate::node::Key, Node)], def: &mut OptimizeDef) {
    if let Some(n) = get(entries, "method") {
        dec.choice(n, "optimize.method", &["nelder_mead"]);
    }
    if let Some(x) = get(entries, "max_evaluations").and_then(|n| dec.count(n, "optimize.max_evaluations")) {
        def.max_evaluations = x;
    }
    if let Some(n) = get(entries, "tolerance")
        && let Some(x) = dec.positive(n, "optimize.tolerance")
    {
        if x < 1.0 {
            def.tolerance = x;
        } else {
            dec.error(
                Diagnostic::new(n.loc, "optimize.tolerance", "the tolerance must be below 1").found(x.to_string()),
            );
        }
    }
    if let Some(x) = get(entries, "starts").and_then(|n| dec.count(n, "optimize.starts")) {
        def.starts = x;
    }
    if let Some(n) = get(entries, "seed")
        && let Some(text) = dec.text(n, "optimize.seed")
    {
        match text.parse() {
            Ok(seed) => def.seed = seed,
            Err(_) => dec.error(
                Diagnostic::new(n.loc, "optimize.seed", "the seed must be a whole number at or above zero")
                    .found(text.to_string()),
            ),
        }
    }
}

fn variable(
    dec: &mut Decoder,
    item: &Node,
    i: usize,
    context: (&[UnitDef], &[ConfiguredAnalysis], &Registry),
) -> Option<OptimizeVariable> {
    let field = format!("optimize.variables[{i}]");
    dec.map.put(&format!("optimize.variables.{}", i + 1), item.loc);
    let entries = dec.mapping(item, &field)?;
    dec.only(entries, VARIABLE_FIELDS, &field);
    let path = dec.required(entries, "path", &field, item.loc);
    let between = dec.required(entries, "between", &field, item.loc);
    let (path, between) = (path?, between?);
    let label = dec.text(path, &join(&field, "path"))?.trim().to_string();
    let mut input = design::input(dec, path, &label, context, &join(&field, "path"))?;
    let bounds = design::bounds(dec, between, &mut input, &join(&field, "between"))?;
    Some(OptimizeVariable { label, input, bounds })
}

/// Decode what an objective or a constraint reads: an expression over results, or a result
/// path or metric.
fn read(
    dec: &mut Decoder,
    node: &Node,
    text: &str,
    (units, set, analyses): (&[UnitDef], &ComponentSet, &[ConfiguredAnalysis]),
    field: &str,
) -> Option<OptimizeOutput> {
    if !design::is_expression(text, &dec.units) {
        return design::output(dec, node, text, (set, analyses), field).map(OptimizeOutput::Output);
    }
    match design::result_expression(text, &dec.units, (units, set)) {
        Ok(e) => Some(OptimizeOutput::Expression(e)),
        Err(problems) => {
            for (offset, message) in problems {
                dec.error(
                    Diagnostic::new(
                        node.loc,
                        field,
                        format!("{message} (at character {} of the expression)", offset + 1),
                    )
                    .found(text.to_string()),
                );
            }
            None
        }
    }
}

fn constraint(
    dec: &mut Decoder,
    item: &Node,
    text: &str,
    field: &str,
    context: (&[UnitDef], &ComponentSet, &[ConfiguredAnalysis]),
) -> Option<Constraint> {
    let found = [("<=", Comparison::AtMost), (">=", Comparison::AtLeast), ("=", Comparison::Equal)]
        .into_iter()
        .find_map(|(s, c)| text.split_once(s).map(|(l, r)| (l, r, c)));
    let Some((left, right, comparison)) = found else {
        dec.error(
            Diagnostic::new(item.loc, field, "write `PATH <= VALUE`, `PATH >= VALUE` or `PATH = VALUE`")
                .found(text.to_string()),
        );
        return None;
    };
    let label = left.trim().to_string();
    let output = read(dec, item, &label, context, field)?;
    let Some(value) = Written::parse(right, &dec.units) else {
        dec.error(
            Diagnostic::new(item.loc, field, "write the bound as a number and its unit")
                .found(right.trim().to_string()),
        );
        return None;
    };
    let problem = match &output {
        OptimizeOutput::Output(DesignOutput::Result(v)) => {
            let expected = v.dimension();
            match value.si {
                None => Some("its unit is not one Calx knows".to_string()),
                Some((_, d))
                    if expected.is_some_and(|e| e != d)
                        && !(value.unit.is_empty()
                            && d == Dimension::DIMENSIONLESS
                            && expected == Some(Dimension::DIMENSIONLESS)) =>
                {
                    Some(format!(
                        "`{label}` is a {}, but the bound is a {}",
                        expected.map(|e| e.describe()).unwrap_or_default(),
                        d.describe()
                    ))
                }
                _ => None,
            }
        }
        OptimizeOutput::Expression(e) => design::expression_value(e, right, &dec.units).err().map(|e| e.to_string()),
        OptimizeOutput::Output(DesignOutput::Metric { .. } | DesignOutput::Expression(_)) => None,
    };
    if let Some(p) = problem {
        dec.error(
            Diagnostic::new(item.loc, field, format!("the bound does not fit: {p}")).found(right.trim().to_string()),
        );
        return None;
    }
    Some(Constraint { text: text.trim().to_string(), label, output, comparison, value })
}
