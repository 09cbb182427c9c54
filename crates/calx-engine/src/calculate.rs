//! Calculators: feed-forward relations that set a unit (or feed) parameter from an
//! expression ([`calx_core::expr::Expr`]) over other parameters and over results.
//!
//! A calculator that reads only parameters (inputs) runs at the start of every
//! sequential-modular pass, before any unit is calculated, in dependency order between
//! calculators (a cycle is refused at build). Design specifications wrap the whole solve, so
//! such a calculator keeps its relation while a specification moves what it reads.
//!
//! A calculator that reads results (stream quantities, unit utilities and sizes) runs right
//! before the unit it sets is calculated, in every pass. Its reads become extra dependency
//! edges of the calculation order (from the unit producing the stream read, or the unit whose
//! figure is read, to the unit set), so the units it reads are calculated first.
//!
//! A calculator whose edge closes a loop (the unit set is upstream of what it reads, or in the
//! same recycle) converges like a recycle instead: the parameter it sets is a tear variable of
//! that loop (`graph.rs` tears the edge; a loop may consist of nothing else). In each iteration
//! of the loop's fixed-point method the guess is applied to the unit, the loop is calculated,
//! the calculator is evaluated from the results, and the difference is the parameter's
//! residual. A calculator that reads a parameter another result-reading calculator sets is
//! refused (it would read it before it is set); write its expression over the results
//! directly.

use calx_core::Dimension;
use calx_core::expr::{EvalError, Expr};

use crate::def::{DesignSpecDef, UnitDef, Variable};
use crate::error::{BuildError, EngineError};

/// One calculator: `set` = `expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct CalculatorDef {
    /// The set path as written, for messages (`streams.flue_gas.total`).
    pub label: String,
    /// The parameter set (a [`Variable::UnitParam`]).
    pub set: Variable,
    /// Its dimension: the expression's must be the same.
    pub set_dimension: Dimension,
    /// The expression.
    pub expr: Expr,
    /// What each of the expression's paths reads ([`Expr::paths`] order), with the dimension
    /// of a parameter (for results, `None`: the variable or the unit's report says it).
    pub reads: Vec<(Variable, Option<Dimension>)>,
}

impl CalculatorDef {
    /// Whether it reads a result (and so runs inside the solve).
    pub fn reads_results(&self) -> bool {
        self.reads.iter().any(|(v, _)| !matches!(v, Variable::UnitParam { .. }))
    }
}

/// Where a result-reading calculator's value comes from: the unit that must be calculated
/// before the unit it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// The producer of this stream.
    Stream(String),
    /// This unit.
    Unit(usize),
}

/// The calculators in run order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Input-only calculators, in dependency order.
    pub before: Vec<usize>,
    /// Per unit, the result-reading calculators that set it, in declaration order, except
    /// those that close a loop (their parameters are tear variables; see [`Plan::close_loops`]).
    pub at_unit: Vec<Vec<usize>>,
    /// Extra ordering edges.
    pub edges: Vec<Edge>,
}

/// An extra ordering edge: calculator `index` (0-based) reads a value that `after` gives, and
/// sets unit `set`.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub index: usize,
    pub after: After,
    pub set: usize,
}

impl Plan {
    /// Take the calculators that close a loop (`Block::Loop::calculators`) out of the
    /// per-unit runs: the loop's solver sets their parameters.
    pub(crate) fn close_loops(&mut self, blocks: &[crate::graph::Block]) {
        for b in blocks {
            if let crate::graph::Block::Loop { calculators, .. } = b {
                for list in &mut self.at_unit {
                    list.retain(|i| !calculators.contains(i));
                }
            }
        }
    }
}

fn problem(index: usize, calc: &CalculatorDef, reason: impl Into<String>) -> BuildError {
    BuildError::Calculator { index: index + 1, set: calc.label.clone(), reason: reason.into() }
}

/// Check the calculators against the units and specifications and put them in run order;
/// every problem is collected into `errors`.
pub(crate) fn plan(
    calcs: &[CalculatorDef],
    defs: &[UnitDef],
    specs: &[DesignSpecDef],
    errors: &mut Vec<BuildError>,
) -> Plan {
    let unit_of = |v: &Variable| v.unit().and_then(|u| defs.iter().position(|d| d.name == u));
    let mut plan = Plan { at_unit: vec![Vec::new(); defs.len()], ..Plan::default() };
    let setter = |v: &Variable| calcs.iter().position(|c| &c.set == v);
    for (i, c) in calcs.iter().enumerate() {
        if !matches!(c.set, Variable::UnitParam { .. }) {
            errors.push(problem(i, c, "only a unit or feed parameter can be set"));
            continue;
        }
        // A unit that does not exist is reported with the calculator's other names.
        let Some(set_unit) = unit_of(&c.set) else { continue };
        if let Some(j) = setter(&c.set).filter(|&j| j != i) {
            errors.push(problem(i, c, format!("calculator {} sets it already", j + 1)));
        }
        if let Some(s) = specs.iter().find(|s| s.adjust == c.set) {
            errors.push(problem(
                i,
                c,
                format!("design specification {} adjusts it; a value is either calculated or adjusted", s.index),
            ));
        }
        if !c.reads_results() {
            continue;
        }
        plan.at_unit[set_unit].push(i);
        for (v, _) in &c.reads {
            let edge = |after| Edge { index: i, after, set: set_unit };
            if let Some(stream) = v.stream() {
                plan.edges.push(edge(After::Stream(stream.to_string())));
            } else if let Some(j) = setter(v) {
                if j == i {
                    errors.push(problem(i, c, format!("it reads `{}`, the parameter it sets", calcs[j].label)));
                } else if calcs[j].reads_results() {
                    plan.edges.extend(unit_of(&calcs[j].set).map(|u| edge(After::Unit(u))));
                }
            } else if let Some(u) = unit_of(v).filter(|_| !matches!(v, Variable::UnitParam { .. })) {
                plan.edges.push(edge(After::Unit(u)));
            }
        }
    }
    plan.before = input_order(calcs, errors);
    plan
}

/// Input-only calculators in dependency order (declaration order where free); a cycle and a
/// read of a parameter a result-reading calculator sets are errors.
fn input_order(calcs: &[CalculatorDef], errors: &mut Vec<BuildError>) -> Vec<usize> {
    let inputs: Vec<usize> = (0..calcs.len()).filter(|&i| !calcs[i].reads_results()).collect();
    let needs = |i: usize| -> Vec<usize> {
        let reads = calcs[i].reads.iter().map(|(v, _)| v);
        reads.filter_map(|v| calcs.iter().position(|c| &c.set == v)).collect()
    };
    for &i in &inputs {
        if let Some(j) = needs(i).into_iter().find(|&j| calcs[j].reads_results()) {
            errors.push(problem(
                i,
                &calcs[i],
                format!(
                    "it reads `{}`, which calculator {} sets from results inside the solve, after this one runs; \
                     write this expression over those results directly",
                    calcs[j].label,
                    j + 1
                ),
            ));
        }
    }
    let mut order = Vec::with_capacity(inputs.len());
    let mut done = vec![false; calcs.len()];
    while order.len() < inputs.len() {
        let ready =
            inputs.iter().copied().find(|&i| !done[i] && needs(i).iter().all(|&j| done[j] || calcs[j].reads_results()));
        match ready {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => {
                let left: Vec<usize> = inputs.iter().copied().filter(|&i| !done[i]).collect();
                let names: Vec<String> = left.iter().map(|&i| format!("{} (`{}`)", i + 1, calcs[i].label)).collect();
                for &i in &left {
                    errors.push(problem(
                        i,
                        &calcs[i],
                        format!(
                            "calculators {} read each other's values in a cycle; a calculator is feed-forward",
                            names.join(", ")
                        ),
                    ));
                }
                break;
            }
        }
    }
    order
}

/// Why a calculator could not be evaluated.
pub(crate) fn eval_error(calc: &CalculatorDef, e: EvalError<EngineError>) -> EngineError {
    EngineError::Calculator { set: calc.label.clone(), expression: calc.expr.text().to_string(), source: Box::new(e) }
}

impl crate::solve::Flowsheet {
    /// Run the input-only calculators, in their order (the start of every pass).
    pub(crate) fn run_input_calculators(&mut self) -> Result<(), EngineError> {
        for k in 0..self.plan.before.len() {
            self.run_calculator(self.plan.before[k])?;
        }
        Ok(())
    }

    /// Run the result-reading calculators that set unit `u` (right before it is calculated).
    pub(crate) fn run_unit_calculators(&mut self, u: usize) -> Result<(), EngineError> {
        for k in 0..self.plan.at_unit[u].len() {
            self.run_calculator(self.plan.at_unit[u][k])?;
        }
        Ok(())
    }

    /// Whether unit `u` is set by a calculator that reads results (so it waits for them).
    pub(crate) fn waits_for_calculator(&self, u: usize) -> bool {
        !self.plan.at_unit[u].is_empty()
    }

    fn run_calculator(&mut self, i: usize) -> Result<(), EngineError> {
        let x = self.evaluate_calculator(i)?;
        self.set_calculated(i, x)
    }

    /// Set the parameter of calculator `i` to `x` (an error names the calculator).
    pub(crate) fn set_calculated(&mut self, i: usize, x: f64) -> Result<(), EngineError> {
        let set = self.calculators[i].set.clone();
        self.set(&set, x).map_err(|source| EngineError::CalculatorSet {
            set: self.calculators[i].label.clone(),
            value: x,
            source: Box::new(source),
        })
    }

    /// The value of calculator `i`'s expression now, checked against its parameter's dimension.
    pub(crate) fn evaluate_calculator(&self, i: usize) -> Result<f64, EngineError> {
        let calc = &self.calculators[i];
        let mut value = |p: usize| -> Result<(f64, Dimension), EngineError> {
            let (v, dimension) = &calc.reads[p];
            let x = self.read(v)?;
            let d = match (dimension, v) {
                (Some(d), _) => *d,
                (None, Variable::UnitSize { unit, size }) => self.size(unit, size)?.dimension,
                (None, v) => v.dimension().unwrap_or(Dimension::DIMENSIONLESS),
            };
            Ok((x, d))
        };
        let (x, d) = calc.expr.evaluate(&mut value).map_err(|e| eval_error(calc, e))?;
        if d != calc.set_dimension {
            return Err(EngineError::CalculatorDimension {
                set: calc.label.clone(),
                expression: calc.expr.text().to_string(),
                found: d,
                expected: calc.set_dimension,
            });
        }
        Ok(x)
    }
}
