//! The façade's design loop: design specifications on analysis metrics (or adjusting
//! analysis parameters) and the `optimize:` section, solved around the engine's solve (with
//! the engine's own specifications inside) and the analyses' figures. The engine knows
//! nothing of analyses; this is where the two meet.
//!
//! An [`Evaluator`] holds one built flowsheet and the analyses as currently configured. A
//! unit or feed variable is set on the flowsheet and forgets the last solve; an analysis
//! parameter re-creates that analysis only and keeps the solve, so a loop over analysis
//! parameters runs figures only.

use calx_core::Dimension;
use calx_core::format::sig;
use calx_core::result::{DesignSpecReport, FlowsheetResult};
use calx_core::{AnalysisOutput, ParamValue};
use calx_engine::{DesignSpecDef, EngineError, Flowsheet};
use calx_flowsheet::{
    AnalysisSpec, ConfiguredAnalysis, DesignInput, DesignOutput, Diagnostic, MetricExpr, Model, QuantityError, Written,
};
use calx_solver::{SolverError, solve_bracketed};

use crate::analyses;
use crate::error::Error;
use crate::project::Project;

/// A flowsheet and its analyses, set and evaluated point by point.
pub(crate) struct Evaluator<'a> {
    project: &'a Project,
    pub(crate) flowsheet: Flowsheet,
    pub(crate) analyses: Vec<ConfiguredAnalysis>,
    solved: Option<FlowsheetResult>,
    figures: Option<Vec<AnalysisOutput>>,
    /// Unit calculations of every solve so far (the search's cost, for the solver report).
    unit_calculations: usize,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(project: &'a Project, flowsheet: Flowsheet) -> Evaluator<'a> {
        let analyses = project.model().analyses.clone();
        Evaluator { project, flowsheet, analyses, solved: None, figures: None, unit_calculations: 0 }
    }

    /// The project evaluated.
    pub(crate) fn project(&self) -> &'a Project {
        self.project
    }

    /// Set one design variable.
    pub(crate) fn set(&mut self, input: &DesignInput, x: f64) -> Result<(), Error> {
        self.figures = None;
        match input {
            DesignInput::Unit { variable, .. } => {
                self.solved = None;
                self.flowsheet.set(variable, x).map_err(Error::Solve)
            }
            DesignInput::Analysis { analysis, param, key, text_unit, .. } => {
                let Some(a) = self.analyses.iter_mut().find(|a| &a.name == analysis) else {
                    return Err(internal(format!("no analysis `{analysis}`")));
                };
                let value = match text_unit {
                    Some(unit) => ParamValue::Text(format!("{x} {unit}")),
                    None => ParamValue::Number(x),
                };
                let mut params = a.params.clone();
                params.set_entry(param, key.as_deref(), value);
                let registry = self.project.registry();
                let t = registry
                    .analysis(&a.type_name)
                    .ok_or_else(|| internal(format!("no analysis type `{}`", a.type_name)))?;
                let created = t.analysis_type.create(&a.name, &params).map_err(|e| {
                    Error::Analysis(analyses::AnalysisFailure {
                        analysis: a.name.clone(),
                        source: calx_core::AnalysisError::Missing(format!("with {param} = {x}: {e}")),
                    })
                })?;
                a.analysis = std::sync::Arc::from(created);
                a.params = params;
                Ok(())
            }
        }
    }

    /// The converged flowsheet at the current settings (solved when a unit variable changed).
    pub(crate) fn result(&mut self) -> Result<&FlowsheetResult, Error> {
        if self.solved.is_none() {
            let mut r = self.flowsheet.solve().map_err(|e| self.project.locate_solve(e))?;
            self.project.speciate(&mut r)?;
            self.unit_calculations += r.solver.unit_calculations;
            self.solved = Some(r);
        }
        self.solved.as_ref().ok_or_else(|| internal("no result".into()))
    }

    /// The analyses' figures at the current settings.
    pub(crate) fn figures(&mut self) -> Result<&[AnalysisOutput], Error> {
        if self.figures.is_none() {
            self.result()?;
            let result = self.solved.as_ref().ok_or_else(|| internal("no result".into()))?;
            let out = analyses::run_figures(&self.analyses, result).map_err(|f| self.project.locate(f))?;
            self.figures = Some(out);
        }
        Ok(self.figures.as_deref().unwrap_or_default())
    }

    /// Read a design output: SI for a flowsheet result, or a metric with its unit. `None`
    /// with the names on offer when the analysis gives no such metric.
    pub(crate) fn read(&mut self, output: &DesignOutput) -> Result<Reading, Error> {
        match output {
            DesignOutput::Result(v) => {
                self.result()?;
                Ok(Ok((self.flowsheet.read(v).map_err(Error::Solve)?, None)))
            }
            DesignOutput::Expression(e) => Ok(Ok((self.expression(e)?.map_err(|e| internal(e.to_string()))?.0, None))),
            DesignOutput::Metric { analysis, metric } => {
                let outputs = self.figures()?;
                let Some(o) = outputs.iter().find(|o| &o.name == analysis) else { return Ok(Err(Vec::new())) };
                Ok(match o.metrics.iter().find(|m| &m.name == metric) {
                    Some(m) => Ok((m.value, Some(m.unit.clone()))),
                    None => Err(o.metrics.iter().map(|m| m.name.clone()).collect()),
                })
            }
        }
    }

    /// An expression over results and metrics at the current settings: its value (SI) and
    /// dimension, or what is wrong with it there.
    pub(crate) fn expression(&mut self, e: &MetricExpr) -> Result<Result<(f64, Dimension), QuantityError>, Error> {
        self.figures()?;
        let figures = self.figures.as_deref().unwrap_or_default();
        Ok(calx_flowsheet::evaluate_metric_expression(
            e,
            &self.flowsheet,
            figures,
            &self.project.model().units_of_measure,
        ))
    }

    /// Drop the cached solve and figures' state into the final result: the flowsheet's
    /// result and the analyses as configured.
    pub(crate) fn finish(mut self) -> Result<(FlowsheetResult, Vec<ConfiguredAnalysis>), Error> {
        self.result()?;
        let mut r = self.solved.take().ok_or_else(|| internal("no result".into()))?;
        // The report counts the whole search, not only the last solve.
        r.solver.unit_calculations = self.unit_calculations;
        Ok((r, self.analyses))
    }
}

/// A failure that cannot happen with a model the façade decoded (an analysis it does not
/// have), as an error rather than a panic.
fn internal(message: String) -> Error {
    Error::Analysis(analyses::AnalysisFailure {
        analysis: "design loop".into(),
        source: calx_core::AnalysisError::Missing(message),
    })
}

/// A value read (with the unit of a metric), or the metrics the analysis gives instead.
pub(crate) type Reading = Result<(f64, Option<String>), Vec<String>>;

/// A metric read for a comparison with a written value: the metric and the written value in
/// the metric's unit, or a positioned error (unknown metric, units that do not convert).
pub(crate) fn metric_against(
    ev: &mut Evaluator,
    output: &DesignOutput,
    written: &Written,
    (at, field): (&str, &str),
) -> Result<(f64, f64, Option<String>), Error> {
    let project = ev.project;
    let model = project.model();
    let located =
        |message: String| Error::Build(model.diagnostics(vec![Diagnostic::new(model.loc(at), field, message)]));
    if let DesignOutput::Expression(e) = output {
        // In SI on both sides, the dimensions checked now that the metrics' units are known.
        let (value, dimension) = ev.expression(e)?.map_err(|e| located(e.to_string()))?;
        let Some((si, d)) = written.si else {
            return Err(located(format!(
                "the value `{} {}` has a unit Calx does not know",
                written.number, written.unit
            )));
        };
        if d != dimension {
            return Err(located(format!(
                "the expression `{}` is a {}, but the target value is a {}",
                e.expr.text(),
                dimension.describe(),
                d.describe()
            )));
        }
        return Ok((value, si, None));
    }
    match ev.read(output)? {
        Ok((value, None)) => match written.si {
            Some((si, _)) => Ok((value, si, None)),
            None => {
                Err(located(format!("the value `{} {}` has a unit Calx does not know", written.number, written.unit)))
            }
        },
        Ok((value, Some(unit))) => {
            let target = written.in_unit(&unit, &model.units_of_measure).map_err(|e| located(e.to_string()))?;
            Ok((value, target, Some(unit)))
        }
        Err(names) => {
            let DesignOutput::Metric { analysis, metric } = output else { unreachable!("results are always read") };
            let suggestion = calx_core::suggest::nearest(metric, names.iter().map(String::as_str));
            let d = Diagnostic::new(model.loc(at), field, format!("analysis `{analysis}` gives no metric `{metric}` here (a metric can be absent where it is undefined, as an IRR is for cash flows without a change of sign)"))
                .found(metric.clone())
                .allowed(names.join(", "))
                .suggest(suggestion);
            Err(Error::Build(model.diagnostics(vec![d])))
        }
    }
}

/// Solve the analysis specifications from `level` on, outermost first, pushing each one's
/// report after those inside it.
pub(crate) fn solve_specs(
    ev: &mut Evaluator,
    specs: &[AnalysisSpec],
    level: usize,
    reports: &mut Vec<DesignSpecReport>,
) -> Result<(), Error> {
    let Some(spec) = specs.get(level) else {
        ev.figures()?;
        return Ok(());
    };
    let at = format!("design_specs.{}.until", spec.index);
    let field = format!("design_specs[{}].until", spec.index - 1);
    let place = (at.as_str(), field.as_str());
    let mut inner = Vec::new();
    // The residual's scale is the target in the metric's unit (known once the metric is
    // read), or for a target of zero the metric's magnitude at the ends of the bracket: the
    // ends are tried first, and the search is handed their residuals.
    let (lo, hi) = spec.bounds;
    let (value, target, mut unit) = trial(ev, (specs, level), lo, &mut inner, place)?;
    let mut ends = vec![(lo, value - target)];
    let mut scale = target.abs();
    if target == 0.0 {
        let (value_hi, _, _) = trial(ev, (specs, level), hi, &mut inner, place)?;
        ends.push((hi, value_hi));
        scale = value.abs().max(value_hi.abs());
    }
    let mut last = ends.last().map_or(f64::NAN, |e| e.0);
    let found = solve_bracketed(
        |x| {
            if let Some(k) = ends.iter().position(|e| e.0.to_bits() == x.to_bits()) {
                return Ok(ends.remove(k).1);
            }
            let (value, target, u) = trial(ev, (specs, level), x, &mut inner, place)?;
            (last, unit) = (x, u);
            Ok::<f64, Error>(value - target)
        },
        lo,
        hi,
        scale,
        &spec.options,
    );
    let model = ev.project.model();
    let unreachable = |reason: String| {
        let message = format!(
            "design specification {} (adjust `{}` until `{}`): {reason}",
            spec.index, spec.adjust_label, spec.target_label
        );
        Error::Design(model.diagnostics(vec![Diagnostic::new(model.loc(&at), &field, message)]))
    };
    let report = match found {
        Ok(r) => r,
        Err(SolverError::Evaluation { source, .. }) => return Err(source),
        Err(SolverError::NotBracketed { lo, hi, f_lo, f_hi }) => {
            let target = match (&spec.target, spec.value.si) {
                (DesignOutput::Expression(_), Some((si, _))) => si,
                _ => spec
                    .value
                    .in_unit(unit.as_deref().unwrap_or(""), &model.units_of_measure)
                    .unwrap_or(spec.value.number),
            };
            let u = unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            return Err(unreachable(format!(
                "the target {target}{u} cannot be reached with `{}` between {lo} and {hi}: the metric is {}{u} at the lower bound and {}{u} at the upper bound; widen `between` or check the target",
                spec.adjust_label,
                f_lo + target,
                f_hi + target
            )));
        }
        Err(e) => return Err(unreachable(e.to_string())),
    };
    // The state must be that of the answer: an end served from the first trials is tried
    // again when the search ended there.
    if report.x.to_bits() != last.to_bits() {
        trial(ev, (specs, level), report.x, &mut inner, place)?;
    }
    let (achieved, target, unit) = metric_against(ev, &spec.target, &spec.value, place)?;
    reports.extend(inner);
    reports.push(DesignSpecReport {
        adjust: spec.adjust_label.clone(),
        value: report.x,
        adjust_dimension: spec.adjust.dimension(),
        target_variable: spec.target_label.clone(),
        target,
        achieved,
        target_dimension: match (&spec.target, spec.value.si) {
            (DesignOutput::Expression(_), Some((_, d))) => d,
            _ => Dimension::DIMENSIONLESS,
        },
        iterations: report.iterations,
        method: calx_core::result::SpecMethod::Nested,
        fallback: None,
        adjust_unit: spec.adjust.text_unit().map(str::to_string),
        target_unit: unit,
    });
    Ok(())
}

/// One trial of specification `level`: set its variable to `x`, solve the specifications
/// inside it, read the metric: the metric, the target in the metric's unit, and that unit.
/// A target written as a bare number for a metric that has a unit is refused (is `0.1` for
/// an IRR in % a tenth of a percent or ten percent?).
fn trial(
    ev: &mut Evaluator,
    (specs, level): (&[AnalysisSpec], usize),
    x: f64,
    inner: &mut Vec<DesignSpecReport>,
    (at, field): (&str, &str),
) -> Result<(f64, f64, Option<String>), Error> {
    let spec = &specs[level];
    inner.clear();
    ev.set(&spec.adjust, x)?;
    solve_specs(ev, specs, level + 1, inner)?;
    let (value, target, unit) = metric_against(ev, &spec.target, &spec.value, (at, field))?;
    if let Some(u) = unit.as_deref().filter(|u| spec.value.unit.is_empty() && !u.is_empty() && *u != "1") {
        let model = ev.project.model();
        let n = spec.value.number;
        let message = format!(
            "the target `{n}` is a bare number, but `{}` is given in `{u}`: write the target with its unit \
             (`{n} {u}`{})",
            spec.target_label,
            if u == "%" { format!(", or `{} %` for the fraction {n}", short(n * 100.0)) } else { String::new() }
        );
        let d = Diagnostic::new(model.loc(at), field, message).found(n.to_string()).allowed(format!("a value in {u}"));
        return Err(Error::Build(model.diagnostics(vec![d])));
    }
    Ok((value, target, unit))
}

/// The engine design specification a solve error is about (by its labels; an expression
/// target by its text), through the wrapper of a failed simultaneous solve.
pub(crate) fn engine_spec<'a>(specs: &'a [DesignSpecDef], e: &EngineError) -> Option<&'a DesignSpecDef> {
    let by = |adjust: &str, target: &str| specs.iter().find(|s| s.adjust_label == adjust && s.target_label == target);
    match e {
        EngineError::SpecTarget { adjust, target, .. }
        | EngineError::TargetDimension { adjust, target, .. }
        | EngineError::DesignSpec { adjust, target, .. }
        | EngineError::DesignSpecTrial { adjust, target, .. }
        | EngineError::DesignSpecUnreachable { adjust, target, .. } => by(adjust, target),
        EngineError::DesignSpecsFallback { source, .. } => engine_spec(specs, source),
        EngineError::Expression { expression, .. } => {
            specs.iter().find(|s| s.target_expr.is_some() && &s.target_label == expression)
        }
        _ => None,
    }
}

/// The message of an engine design specification's failure: an unreachable target with its
/// values in the flowsheet's display units, anything else as the engine words it, after
/// the specification's number.
pub(crate) fn engine_spec_message(model: &Model, spec: &DesignSpecDef, e: &EngineError) -> String {
    let reason = match e {
        EngineError::DesignSpecsFallback { simultaneous, source } => {
            return format!(
                "the design specifications could not be solved together ({simultaneous}), nor one inside another: {}",
                engine_spec_message(model, spec, source)
            );
        }
        EngineError::DesignSpecUnreachable { value, target_dimension, bounds, adjust_dimension, results, .. } => {
            let (t, a) = (|x| shown(model, x, *target_dimension), |x| shown(model, x, *adjust_dimension));
            format!(
                "the target {} cannot be reached with `{}` between {} and {}: the result is {} at the lower bound \
                 and {} at the upper bound; widen `between` or check the target",
                t(*value),
                spec.adjust_label,
                a(bounds.0),
                a(bounds.1),
                t(results.0),
                t(results.1)
            )
        }
        EngineError::DesignSpecTrial { value, source, .. } => format!(
            "it tried `{}` = {}, and then: {source}; narrow `between` to values the units accept",
            spec.adjust_label,
            shown(model, *value, spec.adjust_dimension)
        ),
        e => {
            // The engine's message names the specification by its paths: said once, before.
            let text = e.to_string();
            let named = format!("design specification `{}` -> `{}`", spec.adjust_label, spec.target_label);
            text.strip_prefix(&named).map_or(text.clone(), |rest| rest.trim_start_matches(':').trim_start().to_string())
        }
    };
    format!(
        "design specification {} (adjust `{}` until `{}`): {reason}",
        spec.index, spec.adjust_label, spec.target_label
    )
}

/// An SI value of `dimension` as the flowsheet displays it (mass flow in the first
/// `display.flow` unit, temperature, pressure, power in theirs); SI with its unit otherwise,
/// and where a display unit follows a stream's solved flow (a `basis:` that `follows`),
/// which a failed solve does not give.
fn shown(model: &Model, value: f64, dimension: Dimension) -> String {
    let d = &model.display;
    let unit = match dimension {
        x if x == Dimension::DIMENSIONLESS => return short(value),
        x if x == Dimension::MASS_FLOW => d.flows.first(),
        x if x == Dimension::TEMPERATURE => Some(&d.temperature),
        x if x == Dimension::PRESSURE => Some(&d.pressure),
        x if x == Dimension::POWER => d.power.first(),
        _ => None,
    };
    let follows = |u: &str| model.basis.iter().any(|b| b.follows.is_some() && u.contains(b.symbol.as_str()));
    if let Some(u) = unit.filter(|u| !follows(u))
        && let Ok(to) = model.units_of_measure.unit(u)
        && to.dimension == dimension
    {
        return format!("{} {u}", short((value - to.offset) / to.factor));
    }
    format!("{} {}", short(value), dimension.si_unit())
}

/// Six significant figures without trailing zeros (`30`, `5.23759`, `1.5e-7`).
fn short(x: f64) -> String {
    let s = sig(x, 6);
    if s.contains('.') && !s.contains(['e', 'E']) {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
