//! The one error type of the engine. Every variant names the unit, port or stream concerned
//! so that the flowsheet layer can point at the place in the file.

use calx_core::UnitError;

/// A problem found while building the flowsheet graph. All of them are collected and
/// returned together, so a user fixes a file in one pass.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// Two units share a name.
    #[error("unit `{unit}` is defined twice")]
    DuplicateUnit {
        /// Unit name.
        unit: String,
    },
    /// A port name the unit type does not declare.
    #[error("unit `{unit}` ({type_name}) has no port `{port}`; its ports are: {allowed}")]
    UnknownPort {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// Port as written.
        port: String,
        /// Declared ports of that direction.
        allowed: String,
    },
    /// A required port is not connected.
    #[error("unit `{unit}` ({type_name}): port `{port}` is not connected")]
    MissingPort {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// Port name.
        port: String,
    },
    /// A single-stream port has several streams.
    #[error("unit `{unit}`: port `{port}` takes exactly one stream, found {count}")]
    PortTakesOne {
        /// Unit name.
        unit: String,
        /// Port name.
        port: String,
        /// How many were connected.
        count: usize,
    },
    /// A stream is produced by two ports.
    #[error("stream `{stream}` has two sources: {first} and {second}")]
    TwoSources {
        /// Stream name.
        stream: String,
        /// First `unit.port`.
        first: String,
        /// Second `unit.port`.
        second: String,
    },
    /// A stream feeds two ports.
    #[error("stream `{stream}` goes to two places: {first} and {second} (use a splitter)")]
    TwoDestinations {
        /// Stream name.
        stream: String,
        /// First `unit.port`.
        first: String,
        /// Second `unit.port`.
        second: String,
    },
    /// A stream is used as an inlet but nothing produces it.
    #[error("stream `{stream}` enters unit `{unit}` but no unit produces it and it is not a feed")]
    NoSource {
        /// Stream name.
        stream: String,
        /// Consuming unit.
        unit: String,
    },
    /// The unit type refused its configuration.
    #[error("unit `{unit}` ({type_name}): {source}")]
    Unit {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// What the unit said.
        source: UnitError,
    },
    /// A pinned tear stream does not exist or does not sit in a loop.
    #[error("tear stream `{stream}`: {reason}")]
    Tear {
        /// Stream name.
        stream: String,
        /// What is wrong.
        reason: String,
    },
    /// A calculator that cannot be run: a name that does not exist, a value set twice, a
    /// cycle between parameter-only calculators, a read of a parameter set later.
    #[error("calculator {index} (set `{set}`): {reason}")]
    Calculator {
        /// Position in the list (1-based).
        index: usize,
        /// The set path as written.
        set: String,
        /// What is wrong.
        reason: String,
    },
    /// A design specification names something that does not exist.
    #[error("design specification {index}: {reason}")]
    DesignSpec {
        /// Position in the list (1-based).
        index: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Why a result cannot be read from the solved state.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// A name the flowsheet does not have.
    #[error("the flowsheet has no {what} `{name}`")]
    Missing {
        /// What kind of thing (`stream`, `unit`, `component`, `numeric parameter`).
        what: &'static str,
        /// The name asked for.
        name: String,
    },
    /// A fraction of a stream that carries nothing: 0/0, not a number to match or report.
    #[error("stream `{stream}` has no flow, so its {quantity} is undefined")]
    EmptyStream {
        /// Stream name.
        stream: String,
        /// What was asked for (`mole fraction of CO2`).
        quantity: String,
    },
    /// A molar quantity of a stream that carries a component without a molar mass.
    #[error("stream `{stream}` carries `{component}`, which has no molar mass, so its {quantity} is undefined")]
    NoMolarMass {
        /// Stream name.
        stream: String,
        /// The component without a molar mass.
        component: String,
        /// What was asked for (`molar total`).
        quantity: String,
    },
    /// A size the unit does not report (in this solve).
    #[error("unit `{unit}` ({type_name}) reports no size `{size}`; it reports: {}", list_or_none(.reported))]
    NoSize {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// The size asked for.
        size: String,
        /// The sizes it does report, in its order.
        reported: Vec<String>,
    },
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() { "no sizes".into() } else { names.join(", ") }
}

/// Anything the engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The flowsheet could not be built; every problem is listed.
    #[error("the flowsheet has {} problem(s):\n{}", .0.len(), list(.0))]
    Build(Vec<BuildError>),
    /// A unit failed to calculate.
    #[error("unit `{unit}` ({type_name}) failed: {source}")]
    Unit {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// What the unit said.
        source: UnitError,
    },
    /// A unit produced an impossible stream (NaN, infinite, negative, or a temperature or
    /// pressure outside its sane range, `calx_core::limits`).
    #[error("unit `{unit}` ({type_name}) produced an invalid outlet `{stream}`: {problem}")]
    InvalidOutlet {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// Outlet stream.
        stream: String,
        /// What is wrong.
        problem: String,
    },
    /// A unit reported an impossible utility, material or size (NaN, negative, unknown component).
    #[error("unit `{unit}` ({type_name}) reported {problem}")]
    InvalidReport {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// What is wrong.
        problem: String,
    },
    /// A unit does not conserve mass or an element.
    #[error(
        "unit `{unit}` ({type_name}) does not conserve {quantity}: in {inflow:.9e}, out {outflow:.9e} (relative error {relative_error:.2e}, allowed {tolerance:.0e})"
    )]
    Balance {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// `mass` or an element symbol.
        quantity: String,
        /// In (kg/s or mol/s).
        inflow: f64,
        /// Out.
        outflow: f64,
        /// Relative error.
        relative_error: f64,
        /// Allowed.
        tolerance: f64,
    },
    /// A unit does not conserve energy: enthalpy in plus heat supplied is not enthalpy out
    /// plus heat removed.
    #[error(
        "unit `{unit}` ({type_name}) does not conserve energy: enthalpy in + heat supplied {inflow:.9e} W, enthalpy out + heat removed {outflow:.9e} W (relative error {relative_error:.2e} of the terms' magnitude, allowed {tolerance:.0e} by solver.energy_balance_tolerance)"
    )]
    Energy {
        /// Unit name.
        unit: String,
        /// Unit type.
        type_name: String,
        /// Enthalpy in plus heat supplied, W.
        inflow: f64,
        /// Enthalpy out plus heat removed, W.
        outflow: f64,
        /// Relative error.
        relative_error: f64,
        /// Allowed.
        tolerance: f64,
    },
    /// The flowsheet as a whole does not conserve energy.
    #[error(
        "the flowsheet does not conserve energy: feeds, make-up and heat supplied bring in {inflow:.9e} W, products and heat removed take out {outflow:.9e} W (relative error {relative_error:.2e}, allowed {tolerance:.0e} by solver.energy_balance_tolerance)"
    )]
    FlowsheetEnergy {
        /// Enthalpy in plus heat supplied, W.
        inflow: f64,
        /// Enthalpy out plus heat removed, W.
        outflow: f64,
        /// Relative error.
        relative_error: f64,
        /// Allowed.
        tolerance: f64,
    },
    /// The flowsheet as a whole does not conserve mass or an element: what the feeds and
    /// make-up materials bring in is not what the products take out.
    #[error(
        "the flowsheet does not conserve {quantity}: feeds and make-up bring in {inflow:.9e}, products take out {outflow:.9e} (relative error {relative_error:.2e}, allowed {tolerance:.0e} by solver.flowsheet_balance_tolerance)"
    )]
    FlowsheetBalance {
        /// `mass` or an element symbol.
        quantity: String,
        /// In (kg/s or mol/s).
        inflow: f64,
        /// Out.
        outflow: f64,
        /// Relative error.
        relative_error: f64,
        /// Allowed.
        tolerance: f64,
    },
    /// A recycle loop did not converge.
    #[error(
        "recycle loop through {} ({}) did not converge with {method} after {iterations} iterations; largest residuals: {}",
        ticked(.units, " -> "), torn(.tears, .calculators), .residuals.join(", ")
    )]
    NotConverged {
        /// Units in the loop.
        units: Vec<String>,
        /// Tear streams.
        tears: Vec<String>,
        /// Parameters set by calculators that close the loop (their set paths), also torn
        /// (boxed: the error stays small).
        calculators: Box<[String]>,
        /// Method used.
        method: String,
        /// Iterations taken.
        iterations: usize,
        /// The largest residuals, described ("recycle.H2O: 3.2e-4 kg/s").
        residuals: Vec<String>,
    },
    /// A broken internal invariant: a bug in Calx, reported instead of panicking.
    #[error("internal error (please report): {0}")]
    Internal(String),
    /// The solve failed at a value a design specification tried (often a bound of its
    /// `between` that a unit does not accept).
    #[error(
        "design specification `{adjust}` -> `{target}` tried `{adjust}` = {value:.6e} (SI), and then: {source}; \
         narrow `between` to values the units accept"
    )]
    DesignSpecTrial {
        /// Adjusted variable.
        adjust: String,
        /// Target variable.
        target: String,
        /// The value tried, SI.
        value: f64,
        /// What failed.
        source: Box<EngineError>,
    },
    /// A result could not be read from the solved state.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A design specification's target cannot be read whatever value it tries (a size the
    /// unit does not report): the specification is wrong, not the value.
    #[error("design specification `{adjust}` -> `{target}`: {source}")]
    SpecTarget {
        /// Adjusted variable.
        adjust: String,
        /// Target variable.
        target: String,
        /// Why it cannot be read.
        source: Box<ReadError>,
    },
    /// A design specification's target value is written in another dimension than the
    /// size the unit reports.
    #[error(
        "design specification `{adjust}` -> `{target}`: the target value is a {}, but the unit reports this size as a {}; write the value in a unit of {}",
        .written.describe(), .reported.describe(), .reported.describe()
    )]
    TargetDimension {
        /// Adjusted variable.
        adjust: String,
        /// Target variable.
        target: String,
        /// The dimension the target value was written in.
        written: calx_core::Dimension,
        /// The dimension the unit reports.
        reported: calx_core::Dimension,
    },
    /// A calculator's expression could not be evaluated (a value that cannot be read, a
    /// division by zero, a result that is not finite, dimensions that do not fit).
    #[error("calculator setting `{set}` to `{expression}`: {source}")]
    Calculator {
        /// The set path as written.
        set: String,
        /// The expression as written.
        expression: String,
        /// What failed.
        source: Box<calx_core::expr::EvalError<EngineError>>,
    },
    /// An expression over results (a design specification's target, a study's metric) could
    /// not be evaluated (a value that cannot be read, a division by zero, a result that is
    /// not finite, dimensions that do not fit).
    #[error("evaluating `{expression}`: {source}")]
    Expression {
        /// The expression as written.
        expression: String,
        /// What failed.
        source: Box<calx_core::expr::EvalError<EngineError>>,
    },
    /// A calculator's value has another dimension than the parameter it sets (known only
    /// once a unit has reported a size figure it reads).
    #[error(
        "calculator setting `{set}` to `{expression}`: the value is a {}, but `{set}` is a {}",
        .found.describe(), .expected.describe()
    )]
    CalculatorDimension {
        /// The set path as written.
        set: String,
        /// The expression as written.
        expression: String,
        /// The expression's dimension.
        found: calx_core::Dimension,
        /// The parameter's dimension.
        expected: calx_core::Dimension,
    },
    /// The unit refused the value a calculator set.
    #[error("calculator setting `{set}` computed {value:.6e} (SI), and then: {source}")]
    CalculatorSet {
        /// The set path as written.
        set: String,
        /// The value, SI.
        value: f64,
        /// What failed.
        source: Box<EngineError>,
    },
    /// A design specification could not be met.
    #[error("design specification `{adjust}` -> `{target}`: {reason}")]
    DesignSpec {
        /// Adjusted variable.
        adjust: String,
        /// Target variable.
        target: String,
        /// Why.
        reason: String,
    },
    /// A design specification's target lies outside what the adjusted variable reaches
    /// within its `between`: the result at both bounds, SI (the façade shows them in the
    /// flowsheet's display units).
    #[error(
        "design specification `{adjust}` -> `{target}`: the target {value:.6e} (SI) cannot be reached with the \
         adjusted value between {:.6e} and {:.6e}: the result is {:.6e} at the lower bound and {:.6e} at the upper \
         bound; widen `between` or check the target",
        .bounds.0, .bounds.1, .results.0, .results.1
    )]
    DesignSpecUnreachable {
        /// Adjusted variable.
        adjust: String,
        /// Target variable.
        target: String,
        /// The target value, SI.
        value: f64,
        /// The dimension of the target value.
        target_dimension: calx_core::Dimension,
        /// The adjusted variable's bounds, SI.
        bounds: (f64, f64),
        /// The dimension of the adjusted variable.
        adjust_dimension: calx_core::Dimension,
        /// The result at the lower and at the upper bound, SI.
        results: (f64, f64),
    },
    /// The design specifications were solved together, which failed, and then nested, which
    /// failed too.
    #[error(
        "the design specifications could not be solved together ({simultaneous}), nor one inside another: {source}"
    )]
    DesignSpecsFallback {
        /// Why the simultaneous method failed.
        simultaneous: String,
        /// The nested method's error.
        source: Box<EngineError>,
    },
}

fn list(errors: &[BuildError]) -> String {
    errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n")
}

/// Names in backticks, joined: how every message names a unit or stream.
fn ticked(names: &[String], separator: &str) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(separator)
}

/// What a loop tears: its streams, then the parameters its calculators set.
fn torn(tears: &[String], calculators: &[String]) -> String {
    let streams = format!("tear streams: {}", ticked(tears, ", "));
    let calculated = format!("calculated parameters: {}", ticked(calculators, ", "));
    match (tears.is_empty(), calculators.is_empty()) {
        (_, true) => streams,
        (true, false) => calculated,
        (false, false) => format!("{streams}; {calculated}"),
    }
}
