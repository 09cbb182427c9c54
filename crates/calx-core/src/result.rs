//! The converged flowsheet: read-only results that reports and post-processors consume.
//!
//! Everything is in SI and in flowsheet declaration order (never hash order), so that
//! serialised results and snapshots are identical from run to run.

use std::sync::Arc;

use serde::Serialize;

use crate::component::ComponentSet;
use crate::stream::Stream;
use crate::unit::{UnitReport, Utility};

/// Where a stream starts or ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Unit name.
    pub unit: String,
    /// Port name.
    pub port: String,
}

/// Whether a stream crosses the flowsheet boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamRole {
    /// Enters the flowsheet (has no source unit).
    Feed,
    /// Runs between two units.
    Internal,
    /// Leaves the flowsheet (has no destination unit).
    Product,
}

/// One converged stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamResult {
    /// Stream name.
    pub name: String,
    /// Boundary role.
    pub role: StreamRole,
    /// Producing unit and port (feeds: the implicit feed unit of the same name).
    pub source: Option<Endpoint>,
    /// Consuming unit and port.
    pub destination: Option<Endpoint>,
    /// Flows (kg/s), T (K), P (Pa).
    pub stream: Stream,
    /// pH, ionic strength, dissolved carbon and saturation indices of the stream's water,
    /// when the flowsheet has an `aqueous:` section and the stream carries liquid water.
    pub aqueous: Option<crate::aqueous::AqueousProperties>,
}

/// Closure of one conserved quantity (total mass, or moles of one element) over a unit or
/// the flowsheet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Closure {
    /// `mass`, `energy` or an element symbol (static text, so that balances checked after
    /// every solve allocate nothing for their names).
    pub quantity: std::borrow::Cow<'static, str>,
    /// What enters (kg/s for mass, mol/s for elements).
    pub inflow: f64,
    /// What leaves.
    pub outflow: f64,
    /// |in - out| / max(in, out); 0 when both are zero; infinite when either side is not
    /// finite (an overflowed or undefined balance is as open as a balance can be).
    pub relative_error: f64,
}

impl Closure {
    /// Build a closure; the relative error is taken against the larger side.
    pub fn new(quantity: &str, inflow: f64, outflow: f64) -> Closure {
        Closure { quantity: std::borrow::Cow::Owned(quantity.to_string()), ..Closure::of("", inflow, outflow) }
    }

    /// [`Closure::new`] for a quantity named by static text (no allocation).
    pub fn of(quantity: &'static str, inflow: f64, outflow: f64) -> Closure {
        let scale = inflow.abs().max(outflow.abs());
        let relative_error = if !(inflow.is_finite() && outflow.is_finite()) {
            f64::INFINITY
        } else if scale > 0.0 {
            (inflow - outflow).abs() / scale
        } else {
            0.0
        };
        Closure { quantity: std::borrow::Cow::Borrowed(quantity), inflow, outflow, relative_error }
    }
}

/// One converged unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitResult {
    /// Unit name.
    pub name: String,
    /// Unit type.
    pub type_name: String,
    /// Utilities, sizes and notes from the converged calculation.
    pub report: UnitReport,
    /// Mass and element closures.
    pub balance: Vec<Closure>,
    /// Energy closure: enthalpy in + heat supplied + shaft work = enthalpy out + heat removed.
    pub energy: EnergyBalance,
}

/// The energy closure of a unit or of the flowsheet: enthalpy flows (formation enthalpy plus
/// sensible heat, `crate::thermo`) of everything entering plus heat supplied, against
/// everything leaving plus heat removed, in W, with the shaft work units declare delivered to
/// their streams (`UnitReport::work`, a compressor's) counted as heat supplied is. Electric
/// power as such is not counted: a unit that turns it into stream enthalpy declares that
/// part as shaft work (agitation and grinding power leave with the cooling duty or to the
/// surroundings, as the units document).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EnergyBalance {
    /// Every flowing component has thermodynamic data: the closure, quantity `energy`, W.
    Checked(Closure),
    /// Not checked: a flowing component has no formation enthalpy or heat capacity. Only units
    /// that pass temperatures through unchanged may see such components (units that compute
    /// an enthalpy balance are refused at load time when one can reach them).
    NoData {
        /// The first such component.
        component: String,
    },
    /// Sources and sinks create or absorb material by design: nothing to close.
    NotApplicable,
}

impl EnergyBalance {
    /// The closure, when it was checked.
    pub fn closure(&self) -> Option<&Closure> {
        match self {
            EnergyBalance::Checked(c) => Some(c),
            _ => None,
        }
    }
}

/// Convergence of one recycle loop.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoopReport {
    /// Units in the loop, in calculation order.
    pub units: Vec<String>,
    /// Torn streams, then the parameters set by calculators that close the loop (their set
    /// paths as written, `streams.water.total`), which are tear variables too.
    pub tears: Vec<String>,
    /// How the tear streams were chosen.
    pub tear_selection: TearSelection,
    /// Accelerator used.
    pub method: String,
    /// Iterations taken (in the final solve, for loops inside design specifications).
    pub iterations: usize,
    /// Largest |g(x) - x| over tear variables at convergence (SI).
    pub max_abs_residual: f64,
    /// Largest residual divided by its tolerance (<= 1 when converged).
    pub max_scaled_residual: f64,
}

/// How a recycle loop's tear streams were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TearSelection {
    /// Pinned by the flowsheet (`solver.tears`).
    Given,
    /// The fewest streams that break every cycle, proved by exhaustive search.
    Minimum,
    /// The loop was too large for the exhaustive search within its work bound: the streams
    /// that close a cycle in a depth-first walk from the loop's entry. They break every cycle
    /// but may be more than the fewest.
    Heuristic,
}

impl TearSelection {
    /// The stable snake_case name, identical to the serde representation.
    pub fn name(self) -> &'static str {
        match self {
            TearSelection::Given => "given",
            TearSelection::Minimum => "minimum",
            TearSelection::Heuristic => "heuristic",
        }
    }
}

impl std::fmt::Display for TearSelection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How design specifications are solved: each by Brent inside the one before it (`nested`),
/// or two or more engine-level ones together by a bounded quasi-Newton method
/// (`simultaneous`, the default; one specification alone is always solved by Brent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecMethod {
    /// Together: Newton with a finite-difference Jacobian and Broyden updates, bounded.
    #[default]
    Simultaneous,
    /// One inside another, outermost first, each by Brent's bracketed method.
    Nested,
}

impl SpecMethod {
    /// Every method, in the order the flowsheet format lists them.
    pub const ALL: [SpecMethod; 2] = [SpecMethod::Simultaneous, SpecMethod::Nested];

    /// The name written in a flowsheet's `solver.design_specs`.
    pub fn name(self) -> &'static str {
        match self {
            SpecMethod::Simultaneous => "simultaneous",
            SpecMethod::Nested => "nested",
        }
    }

    /// The method a name stands for.
    pub fn from_name(name: &str) -> Option<SpecMethod> {
        SpecMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl std::fmt::Display for SpecMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SpecMethod::Simultaneous => "simultaneous (Broyden)",
            SpecMethod::Nested => "nested (Brent)",
        })
    }
}

/// Result of one design specification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesignSpecReport {
    /// What was adjusted (`streams.raw_ash.total`).
    pub adjust: String,
    /// Final value of the adjusted variable (SI).
    pub value: f64,
    /// Dimension of the adjusted variable (reports show `value` in a display unit of it).
    pub adjust_dimension: crate::Dimension,
    /// What was matched (`streams.product.total`).
    pub target_variable: String,
    /// Target value (SI).
    pub target: f64,
    /// Achieved value (SI).
    pub achieved: f64,
    /// Dimension of the target and achieved values.
    pub target_dimension: crate::Dimension,
    /// Iterations: Brent's evaluations after the bracket ends (nested), or the accepted
    /// quasi-Newton steps of the whole system (simultaneous, the same for every spec in it).
    pub iterations: usize,
    /// How the specification was solved.
    pub method: SpecMethod,
    /// Why the simultaneous method was abandoned when this specification was then solved
    /// nested (singular Jacobian, stuck at a bound, not converged); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// For an analysis parameter written as text with a unit (money), that unit: `value` is
    /// a number in it, not SI. `None`: `value` is SI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjust_unit: Option<String>,
    /// For an analysis metric, the unit the analysis gives it in: `target` and `achieved`
    /// are in it, not SI. `None`: they are SI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_unit: Option<String>,
}

/// A number of an optimisation's report: SI in `dimension`, or, when `unit` is given, a
/// number in that unit (an analysis metric, a money parameter).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportedValue {
    /// The path as written.
    pub path: String,
    /// The value.
    pub value: f64,
    /// Its dimension when SI.
    pub dimension: crate::Dimension,
    /// The unit it is in when not SI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One constraint at an optimum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConstraintReport {
    /// The constraint as written.
    pub constraint: String,
    /// The constrained value at the optimum (and its path and unit).
    pub value: ReportedValue,
    /// The bound, in the same unit as the value.
    pub bound: f64,
    /// Whether it holds with equality at the optimum (to the tolerance, relative to the
    /// bound): an equality always is.
    pub active: bool,
}

/// One point an optimisation went through: the best of an outer iteration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimizationIterate {
    /// The variables, in the order of [`OptimizationReport::variables`].
    pub variables: Vec<f64>,
    /// The objective.
    pub objective: f64,
    /// The largest constraint violation, relative to its bound (0 when feasible).
    pub violation: f64,
}

/// The outcome of an `optimize:` section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimizationReport {
    /// `minimize` or `maximize`.
    pub goal: String,
    /// The objective at the optimum.
    pub objective: ReportedValue,
    /// The variables at the optimum.
    pub variables: Vec<ReportedValue>,
    /// The constraints at the optimum.
    pub constraints: Vec<ConstraintReport>,
    /// Solves (or figures only, for analysis-parameter variables) evaluated.
    pub evaluations: usize,
    /// The path of iterates, first to last.
    pub path: Vec<OptimizationIterate>,
}

/// How the solve went.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SolverReport {
    /// Units in calculation order (loops inline).
    pub calculation_order: Vec<String>,
    /// One entry per recycle loop.
    pub loops: Vec<LoopReport>,
    /// One entry per design specification.
    pub design_specs: Vec<DesignSpecReport>,
    /// Total unit calculations, including those inside loops and design specifications.
    pub unit_calculations: usize,
    /// The optimum of the `optimize:` section, when the flowsheet has one (the result is
    /// the plant at the optimum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimization: Option<OptimizationReport>,
}

/// A converged flowsheet.
#[derive(Clone, Debug, Serialize)]
pub struct FlowsheetResult {
    /// Flowsheet name.
    pub name: String,
    /// Components, in the order of every flow vector.
    #[serde(serialize_with = "component_names")]
    pub components: Arc<ComponentSet>,
    /// Streams in declaration order.
    pub streams: Vec<StreamResult>,
    /// Units in declaration order.
    pub units: Vec<UnitResult>,
    /// Closure over the whole flowsheet: feeds in, products out.
    pub balance: Vec<Closure>,
    /// Energy closure over the whole flowsheet: feeds and make-up in, products out, every
    /// unit's heat duties and shaft work.
    pub energy: EnergyBalance,
    /// Solver summary.
    pub solver: SolverReport,
}

fn component_names<S: serde::Serializer>(set: &Arc<ComponentSet>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(set.names())
}

impl FlowsheetResult {
    /// A stream by name.
    pub fn stream(&self, name: &str) -> Option<&StreamResult> {
        self.streams.iter().find(|s| s.name == name)
    }
    /// A unit by name.
    pub fn unit(&self, name: &str) -> Option<&UnitResult> {
        self.units.iter().find(|u| u.name == name)
    }
    /// Total rate of a utility over all units.
    pub fn utility_total(&self, utility: Utility) -> f64 {
        self.units.iter().map(|u| u.report.total(utility)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::Closure;

    #[test]
    fn a_closure_over_non_finite_flows_is_infinitely_open() {
        // `0.max(NaN)` is 0, which used to make a NaN outflow from nothing "closed" (error 0),
        // and an overflowed balance (inf in, inf out) had a NaN error that no `>` test catches.
        for (a, b) in [(0.0, f64::NAN), (f64::NAN, 0.0), (f64::INFINITY, f64::INFINITY), (1.0, f64::NEG_INFINITY)] {
            assert_eq!(Closure::new("mass", a, b).relative_error, f64::INFINITY, "in {a}, out {b}");
        }
        assert_eq!(Closure::new("mass", 0.0, 0.0).relative_error, 0.0);
        assert_eq!(Closure::new("mass", 4.0, 3.0).relative_error, 0.25);
    }
}
