//! The `optimize:` section: minimise or maximise one result over bounded variables subject
//! to constraints, by `calx_solver::minimize` around the design loop (the solve, the
//! analysis specifications, the figures). Each evaluation sets every variable, so the
//! outcome depends on the point only; the optimum is evaluated last, so the flowsheet and
//! analyses the caller gets back are the plant at the optimum.

use calx_core::Dimension;
use calx_core::result::{ConstraintReport, DesignSpecReport, OptimizationIterate, OptimizationReport, ReportedValue};
use calx_flowsheet::{AnalysisSpec, Comparison, Constraint, DesignOutput, Diagnostic, Goal, OptimizeDef};
use calx_solver::{ConstraintKind, MinimizeError, MinimizeOptions, minimize};

use crate::design::{self, Evaluator};
use crate::error::Error;

/// One evaluation: set the variables, run the design loop, read objective and constraints
/// (each constraint as `value - bound` for `<=` and `=`, `bound - value` for `>=`).
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
    let (value, unit) = read(ev, &def.objective, "optimize", &def.objective_label)?;
    reads.push(Read { value, bound: 0.0, unit });
    for (i, c) in def.constraints.iter().enumerate() {
        let at = format!("optimize.constraints.{}", i + 1);
        let field = format!("optimize.constraints[{i}]");
        let (value, bound, unit) = design::metric_against(ev, &c.output, &c.value, (&at, &field))?;
        reads.push(Read { value, bound, unit });
    }
    Ok((reads, reports))
}

struct Read {
    value: f64,
    bound: f64,
    unit: Option<String>,
}

fn read(ev: &mut Evaluator, output: &DesignOutput, at: &str, label: &str) -> Result<(f64, Option<String>), Error> {
    let written =
        calx_flowsheet::Written { number: 0.0, unit: String::new(), si: Some((0.0, Dimension::DIMENSIONLESS)) };
    let field = if at == "optimize" { format!("optimize ({label})") } else { at.to_string() };
    let (value, _, unit) = design::metric_against(ev, output, &written, (at, &field))?;
    Ok((value, unit))
}

fn residual(c: &Constraint, r: &Read) -> f64 {
    match c.comparison {
        Comparison::AtMost | Comparison::Equal => r.value - r.bound,
        Comparison::AtLeast => r.bound - r.value,
    }
}

/// Run the optimisation; the evaluator is left at the optimum. Returns the report and the
/// analysis specifications' reports at the optimum.
pub(crate) fn run(
    ev: &mut Evaluator,
    def: &OptimizeDef,
    specs: &[AnalysisSpec],
) -> Result<(OptimizationReport, Vec<DesignSpecReport>), Error> {
    let sign = if def.goal == Goal::Maximize { -1.0 } else { 1.0 };
    let kinds: Vec<ConstraintKind> = def
        .constraints
        .iter()
        .map(|c| if c.comparison == Comparison::Equal { ConstraintKind::Equality } else { ConstraintKind::Inequality })
        .collect();
    let scales: Vec<f64> =
        def.constraints.iter().map(|c| if c.value.number != 0.0 { c.value.number.abs() } else { 1.0 }).collect();
    let bounds: Vec<(f64, f64)> = def.variables.iter().map(|v| v.bounds).collect();
    let options = MinimizeOptions {
        max_evaluations: def.max_evaluations,
        tolerance: def.tolerance,
        starts: def.starts,
        seed: def.seed,
    };
    let found = minimize(
        |x| {
            let (reads, _) = evaluate(ev, def, specs, x)?;
            let g = def.constraints.iter().zip(&reads[1..]).map(|(c, r)| residual(c, r)).collect();
            Ok::<_, Error>((sign * reads[0].value, g))
        },
        &bounds,
        (&kinds, &scales),
        &options,
    );
    let model = ev.project().model();
    let at = |field: &str, message: String| {
        Error::Design(model.diagnostics(vec![Diagnostic::new(model.loc("optimize"), field, message)]))
    };
    let report = match found {
        Ok(r) => r,
        Err(MinimizeError::Evaluation { source, .. }) => return Err(source),
        Err(MinimizeError::Infeasible { x, violation, constraints }) => {
            let values: Vec<String> = def
                .constraints
                .iter()
                .zip(&constraints)
                .map(|(c, g)| format!("`{}` misses by {}", c.text, g.abs()))
                .collect();
            return Err(at(
                "optimize.constraints",
                format!(
                    "the optimisation is infeasible: no point within the variables' bounds meets the constraints; the least violation found is {violation:.3e} of the bound, at {} ({})",
                    point(def, &x),
                    values.join(", ")
                ),
            ));
        }
        Err(e) => return Err(at("optimize", format!("the optimisation failed: {e}"))),
    };
    // The optimum, evaluated last, so the evaluator holds the plant there.
    let (reads, spec_reports) = evaluate(ev, def, specs, &report.x)?;
    let value = |path: &str, v: f64, dimension: Dimension, unit: Option<String>| ReportedValue {
        path: path.to_string(),
        value: v,
        dimension,
        unit,
    };
    let objective_dimension = match &def.objective {
        DesignOutput::Result(v) => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
        DesignOutput::Metric { .. } => Dimension::DIMENSIONLESS,
    };
    let constraints = def
        .constraints
        .iter()
        .zip(&reads[1..])
        .map(|(c, r)| {
            let scale = if r.bound != 0.0 { r.bound.abs() } else { 1.0 };
            let active = c.comparison == Comparison::Equal || residual(c, r).abs() <= 1e3 * def.tolerance * scale;
            let dimension = match &c.output {
                DesignOutput::Result(v) => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
                DesignOutput::Metric { .. } => Dimension::DIMENSIONLESS,
            };
            ConstraintReport {
                constraint: c.text.clone(),
                value: value(&c.label, r.value, dimension, r.unit.clone()),
                bound: r.bound,
                active,
            }
        })
        .collect();
    let optimum = OptimizationReport {
        goal: if def.goal == Goal::Maximize { "maximize" } else { "minimize" }.into(),
        objective: value(&def.objective_label, reads[0].value, objective_dimension, reads[0].unit.clone()),
        variables: def
            .variables
            .iter()
            .zip(&report.x)
            .map(|(v, &x)| value(&v.label, x, v.input.dimension(), v.input.text_unit().map(str::to_string)))
            .collect(),
        constraints,
        evaluations: report.evaluations + 1,
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

fn point(def: &OptimizeDef, x: &[f64]) -> String {
    let parts: Vec<String> = def
        .variables
        .iter()
        .zip(x)
        .map(|(v, x)| match v.input.text_unit() {
            Some(u) => format!("{} = {x} {u}", v.label),
            None => format!("{} = {x} (SI)", v.label),
        })
        .collect();
    parts.join(", ")
}
