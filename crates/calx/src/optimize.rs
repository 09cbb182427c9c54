//! The `optimize:` section: minimise or maximise one result over bounded variables subject
//! to constraints, by `calx_solver::minimize` around the design loop (the solve, the
//! analysis specifications, the figures). Each evaluation sets every variable, so the
//! outcome depends on the point only; the optimum is evaluated last, so the flowsheet and
//! analyses the caller gets back are the plant at the optimum.
//!
//! Each constraint is handed to the solver as `(value - bound) / scale` (`bound - value` for
//! `>=`), the scale being the bound's magnitude in the units it is compared in: SI for an
//! engine result or an expression, the metric's unit for an analysis metric (known from the
//! first evaluation, so the scales are taken then), and 1 in those units for a bound of 0.
//! The tolerance and the `active` test are relative to the same scale.

use calx_core::Dimension;
use calx_core::result::{ConstraintReport, DesignSpecReport, OptimizationIterate, OptimizationReport, ReportedValue};
use calx_engine::Variable;
use calx_flowsheet::{
    AnalysisSpec, Comparison, Constraint, DesignInput, DesignOutput, Diagnostic, Goal, Model, OptimizeDef,
    OptimizeOutput, Written,
};
use calx_solver::{ConstraintKind, Evaluated, MinimizeError, MinimizeOptions, MinimizeReport, minimize};

use crate::design::{self, Evaluator};
use crate::error::Error;

/// One value read: the value, the bound (a constraint's, in the units compared; 0 for the
/// objective), the metric's unit, and the dimension of an SI value.
#[derive(Clone)]
struct Read {
    value: f64,
    bound: f64,
    unit: Option<String>,
    dimension: Dimension,
}

/// One evaluation: set the variables, run the design loop, read objective and constraints.
fn evaluate(
    ev: &mut Evaluator,
    def: &OptimizeDef,
    specs: &[AnalysisSpec],
    x: &[f64],
) -> Result<(Vec<Read>, Vec<DesignSpecReport>), Error> {
    for (v, &xi) in def.variables.iter().zip(x) {
        ev.set(&v.input, xi)?;
    }
    let mut reports = Vec::new();
    design::solve_specs(ev, specs, 0, &mut reports)?;
    let mut reads = Vec::with_capacity(def.constraints.len() + 1);
    let goal = if def.goal == Goal::Maximize { "optimize.maximize" } else { "optimize.minimize" };
    reads.push(read(ev, &def.objective, &def.objective_label, None, (goal, goal))?);
    for (i, c) in def.constraints.iter().enumerate() {
        let at = format!("optimize.constraints.{}", i + 1);
        let field = format!("optimize.constraints[{i}]");
        reads.push(read(ev, &c.output, &c.label, Some(&c.value), (&at, &field))?);
    }
    Ok((reads, reports))
}

/// Read an objective or a constraint (with its bound), checking the bound's dimension
/// against a size's or an expression's, which only the solve tells.
fn read(
    ev: &mut Evaluator,
    output: &OptimizeOutput,
    label: &str,
    bound: Option<&Written>,
    (at, field): (&str, &str),
) -> Result<Read, Error> {
    let model = ev.project().model();
    let located =
        |message: String| Error::Build(model.diagnostics(vec![Diagnostic::new(model.loc(at), field, message)]));
    let none = Written { number: 0.0, unit: String::new(), si: Some((0.0, Dimension::DIMENSIONLESS)) };
    let (value, dimension) = match output {
        OptimizeOutput::Output(o @ DesignOutput::Metric { .. }) => {
            let (value, bound, unit) = design::metric_against(ev, o, bound.unwrap_or(&none), (at, field))?;
            return Ok(Read { value, bound, unit, dimension: Dimension::DIMENSIONLESS });
        }
        OptimizeOutput::Output(DesignOutput::Result(v)) => {
            let (value, _, _) = design::metric_against(ev, &DesignOutput::Result(v.clone()), &none, (at, field))?;
            let dimension = match v {
                Variable::UnitSize { unit, size } => {
                    let figure = ev.result()?.unit(unit).and_then(|u| u.report.sizes.iter().find(|z| &z.name == size));
                    figure.map_or(Dimension::DIMENSIONLESS, |z| z.dimension)
                }
                _ => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
            };
            (value, dimension)
        }
        OptimizeOutput::Output(DesignOutput::Expression(e)) => ev.expression(e)?.map_err(|e| located(e.to_string()))?,
        OptimizeOutput::Expression(e) => {
            ev.result()?;
            ev.flowsheet.evaluate(e).map_err(Error::Solve)?
        }
    };
    let Some(written) = bound else { return Ok(Read { value, bound: 0.0, unit: None, dimension }) };
    let checked = matches!(output, OptimizeOutput::Expression(_) | OptimizeOutput::Output(DesignOutput::Expression(_)))
        || matches!(output, OptimizeOutput::Output(DesignOutput::Result(Variable::UnitSize { .. })));
    match written.si {
        None => Err(located(format!("the bound `{} {}` has a unit Calx does not know", written.number, written.unit))),
        Some((_, d)) if checked && d != dimension => Err(located(format!(
            "`{label}` is a {} (as the solve gives it), but the bound `{} {}` is a {}; write the bound in a unit of {}",
            dimension.describe(),
            written.number,
            written.unit,
            d.describe(),
            dimension.describe()
        ))),
        Some((si, _)) => Ok(Read { value, bound: si, unit: None, dimension }),
    }
}

fn residual(c: &Constraint, r: &Read) -> f64 {
    match c.comparison {
        Comparison::AtMost | Comparison::Equal => r.value - r.bound,
        Comparison::AtLeast => r.bound - r.value,
    }
}

/// A constraint's scale: its bound's magnitude in the units compared, 1 for a bound of 0.
fn scale(r: &Read) -> f64 {
    if r.bound != 0.0 { r.bound.abs() } else { 1.0 }
}

/// Run the optimisation; the evaluator is left at the optimum. Returns the report and the
/// analysis specifications' reports at the optimum.
pub(crate) fn run(
    ev: &mut Evaluator,
    def: &OptimizeDef,
    specs: &[AnalysisSpec],
) -> Result<(OptimizationReport, Vec<DesignSpecReport>), Error> {
    check_overwritten(ev.project().model(), def)?;
    let sign = if def.goal == Goal::Maximize { -1.0 } else { 1.0 };
    let kinds: Vec<ConstraintKind> = def
        .constraints
        .iter()
        .map(|c| if c.comparison == Comparison::Equal { ConstraintKind::Equality } else { ConstraintKind::Inequality })
        .collect();
    let bounds: Vec<(f64, f64)> = def.variables.iter().map(|v| v.bounds).collect();
    let options = MinimizeOptions {
        max_evaluations: def.max_evaluations,
        tolerance: def.tolerance,
        starts: def.starts,
        seed: def.seed,
    };
    // Scales and how each read is shown, from the first evaluation.
    let mut seen: Option<Vec<Read>> = None;
    let found = minimize(
        |x| {
            let (reads, _) = evaluate(ev, def, specs, x)?;
            let first = seen.get_or_insert_with(|| reads.clone());
            let g =
                def.constraints.iter().zip(&reads[1..]).zip(&first[1..]).map(|((c, r), f)| residual(c, r) / scale(f));
            Ok::<_, Error>((sign * reads[0].value, g.collect()))
        },
        &bounds,
        (&kinds, &vec![1.0; kinds.len()]),
        &options,
    );
    let report = match found {
        Ok(r) => r,
        Err(e) => return Err(failure(ev.project().model(), def, e, seen.as_deref())),
    };
    finish(ev, def, specs, report, seen.as_deref().unwrap_or_default())
}

/// The optimum, evaluated last so that the evaluator holds the plant there, as a report.
fn finish(
    ev: &mut Evaluator,
    def: &OptimizeDef,
    specs: &[AnalysisSpec],
    report: MinimizeReport,
    first: &[Read],
) -> Result<(OptimizationReport, Vec<DesignSpecReport>), Error> {
    let sign = if def.goal == Goal::Maximize { -1.0 } else { 1.0 };
    let (reads, spec_reports) = evaluate(ev, def, specs, &report.x)?;
    let value = |path: &str, r: &Read| ReportedValue {
        path: path.to_string(),
        value: r.value,
        dimension: r.dimension,
        unit: r.unit.clone(),
    };
    let constraints = def
        .constraints
        .iter()
        .zip(&reads[1..])
        .zip(first.get(1..).unwrap_or_default())
        .map(|((c, r), f)| {
            let active = c.comparison == Comparison::Equal || residual(c, r).abs() <= 1e3 * def.tolerance * scale(f);
            ConstraintReport { constraint: c.text.clone(), value: value(&c.label, r), bound: r.bound, active }
        })
        .collect();
    let optimum = OptimizationReport {
        goal: if def.goal == Goal::Maximize { "maximize" } else { "minimize" }.into(),
        objective: value(&def.objective_label, &reads[0]),
        variables: def
            .variables
            .iter()
            .zip(&report.x)
            .map(|(v, &x)| ReportedValue {
                path: v.label.clone(),
                value: x,
                dimension: v.input.dimension(),
                unit: v.input.text_unit().map(str::to_string),
            })
            .collect(),
        constraints,
        evaluations: report.evaluations,
        path: report
            .path
            .iter()
            .map(|i| OptimizationIterate {
                variables: i.x.clone(),
                objective: sign * i.objective,
                violation: i.violation,
            })
            .collect(),
    };
    Ok((optimum, spec_reports))
}

/// The error for a search that gave no optimum, with points and values in their units.
fn failure(model: &Model, def: &OptimizeDef, e: MinimizeError<Error>, first: Option<&[Read]>) -> Error {
    let at = |field: &str, message: String| {
        Error::Design(model.diagnostics(vec![Diagnostic::new(model.loc("optimize"), field, message)]))
    };
    let sign = if def.goal == Goal::Maximize { -1.0 } else { 1.0 };
    match e {
        MinimizeError::Evaluation { source, .. } => source,
        MinimizeError::Infeasible { x, violation, constraints } => at(
            "optimize.constraints",
            format!(
                "the optimisation is infeasible: no point within the variables' bounds meets the constraints; the least violation found is {violation:.3e} of the bound, at {}{}",
                point(model, def, &x),
                misses(model, def, &constraints, first)
            ),
        ),
        MinimizeError::BudgetExhausted { evaluations, feasible, least_violation } => {
            let found = match (&feasible, first) {
                (Some(best), Some(reads)) => format!(
                    "the best feasible point so far (not an optimum) has `{}` = {} at {}",
                    def.objective_label,
                    show(model, sign * best.objective, &reads[0]),
                    point(model, def, &best.x)
                ),
                _ => infeasible_so_far(model, def, &least_violation, first),
            };
            at(
                "optimize.max_evaluations",
                format!(
                    "the optimisation did not converge within {evaluations} evaluations (`max_evaluations`); {found}; raise `max_evaluations`, loosen `tolerance` or narrow the variables' bounds"
                ),
            )
        }
        e => at("optimize", format!("the optimisation failed: {e}")),
    }
}

fn infeasible_so_far(model: &Model, def: &OptimizeDef, least: &Evaluated, first: Option<&[Read]>) -> String {
    format!(
        "no point evaluated meets the constraints yet: the least violation is {:.3e} of the bound, at {}{}",
        least.violation,
        point(model, def, &least.x),
        misses(model, def, &least.constraints, first)
    )
}

/// ` (`c` misses by 2.5 t/h, …)` for the constraints violated (`scaled` as the solver has
/// them: residuals over their scales).
fn misses(model: &Model, def: &OptimizeDef, scaled: &[f64], first: Option<&[Read]>) -> String {
    let Some(reads) = first else { return String::new() };
    let parts: Vec<String> = def
        .constraints
        .iter()
        .zip(scaled)
        .zip(&reads[1..])
        .filter(|((c, g), _)| **g > def.tolerance || (c.comparison == Comparison::Equal && g.abs() > def.tolerance))
        .map(|((c, g), r)| format!("`{}` misses by {}", c.text, show(model, g.abs() * scale(r), r)))
        .collect();
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

/// The variables at `x`, each in its unit.
fn point(model: &Model, def: &OptimizeDef, x: &[f64]) -> String {
    let parts: Vec<String> = def
        .variables
        .iter()
        .zip(x)
        .map(|(v, &x)| {
            let r = Read {
                value: 0.0,
                bound: 0.0,
                unit: v.input.text_unit().map(str::to_string),
                dimension: v.input.dimension(),
            };
            format!("{} = {}", v.label, show(model, x, &r))
        })
        .collect();
    parts.join(", ")
}

/// `value` as `r` is shown: in its metric's unit, or an SI value in the flowsheet's display
/// unit for its dimension (flow, temperature, pressure, power), else in SI with its unit.
fn show(model: &Model, value: f64, r: &Read) -> String {
    if let Some(u) = r.unit.as_deref().filter(|u| !u.is_empty() && *u != "1") {
        return format!("{} {u}", sig(value));
    }
    let d = &model.display;
    let unit = match r.dimension {
        x if x == Dimension::MASS_FLOW => d.flows.first(),
        x if x == Dimension::TEMPERATURE => Some(&d.temperature),
        x if x == Dimension::PRESSURE => Some(&d.pressure),
        x if x == Dimension::POWER => d.power.first(),
        _ => None,
    };
    match unit.and_then(|u| model.units_of_measure.unit(u).ok().map(|q| (u, q))) {
        Some((u, q)) if q.dimension == r.dimension => format!("{} {u}", sig((value - q.offset) / q.factor)),
        _ if r.dimension == Dimension::DIMENSIONLESS => sig(value),
        _ => format!("{} {}", sig(value), r.dimension.si_unit()),
    }
}

/// Six significant digits, without trailing zeros.
fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = 5 - v.abs().log10().floor() as i32;
    if (0..=12).contains(&decimals) {
        let s = format!("{v:.*}", decimals as usize);
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else if decimals < 0 && v.abs() < 1e15 {
        format!("{}", v.round())
    } else {
        format!("{v:.5e}")
    }
}

/// A variable that a calculator or a design specification also sets would be overwritten
/// by it at every solve (the printed optimum would not be the plant): refused at its place.
fn check_overwritten(model: &Model, def: &OptimizeDef) -> Result<(), Error> {
    let mut problems = Vec::new();
    for (i, v) in def.variables.iter().enumerate() {
        let by = match &v.input {
            DesignInput::Unit { variable, .. } => model
                .def
                .calculators
                .iter()
                .find(|c| &c.set == variable)
                .map(|c| format!("the calculator `set: {}`", c.label))
                .or_else(|| {
                    model
                        .def
                        .design_specs
                        .iter()
                        .find(|s| &s.adjust == variable)
                        .map(|s| format!("design specification {} (`adjust: {}`)", s.index, s.adjust_label))
                }),
            DesignInput::Analysis { .. } => None,
        }
        .or_else(|| {
            model
                .analysis_specs
                .iter()
                .find(|s| same_input(&s.adjust, &v.input))
                .map(|s| format!("design specification {} (`adjust: {}`)", s.index, s.adjust_label))
        });
        if let Some(by) = by {
            problems.push(
                Diagnostic::new(
                    model.loc(&format!("optimize.variables.{}", i + 1)),
                    &format!("optimize.variables[{i}].path"),
                    format!(
                        "`{}` is also set by {by}, which would overwrite the optimiser's value at every solve; optimise another variable or remove that setting",
                        v.label
                    ),
                )
                .found(v.label.clone()),
            );
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::Build(model.diagnostics(problems))) }
}

fn same_input(a: &DesignInput, b: &DesignInput) -> bool {
    match (a, b) {
        (DesignInput::Unit { variable: x, .. }, DesignInput::Unit { variable: y, .. }) => x == y,
        (
            DesignInput::Analysis { analysis: a1, param: p1, key: k1, .. },
            DesignInput::Analysis { analysis: a2, param: p2, key: k2, .. },
        ) => a1 == a2 && p1 == p2 && k1 == k2,
        _ => false,
    }
}
