//! What the engine is asked to solve: units with their types, parameters and connections,
//! solver options and design specifications. Built by the flowsheet layer (or by Rust code
//! directly); holds no file positions — errors name units, ports and streams instead.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::path::{InputPath, ResultPath};
use calx_core::result::SpecMethod;
use calx_core::{ComponentSet, Dimension, Params, Stream, UnitType};
use calx_solver::{FixedPointOptions, ScalarOptions};

pub use crate::calculate::CalculatorDef;

/// A flowsheet to build.
#[derive(Clone)]
pub struct FlowsheetDef {
    /// Flowsheet name for reports.
    pub name: String,
    /// Components, in the order of every flow vector.
    pub components: Arc<ComponentSet>,
    /// Units in declaration order.
    pub units: Vec<UnitDef>,
    /// Solver options.
    pub options: SolveOptions,
    /// Design specifications, outermost first.
    pub design_specs: Vec<DesignSpecDef>,
    /// Calculators, in declaration order (`crate::calculate` says when each runs).
    pub calculators: Vec<CalculatorDef>,
}

/// One unit to build.
#[derive(Clone)]
pub struct UnitDef {
    /// Unit name (unique).
    pub name: String,
    /// Its type, resolved from the registry.
    pub unit_type: Arc<dyn UnitType>,
    /// Parameters, checked and defaulted.
    pub params: Params,
    /// Inlet port -> stream names, as written.
    pub inlets: Vec<(String, Vec<String>)>,
    /// Outlet port -> stream names, as written.
    pub outlets: Vec<(String, Vec<String>)>,
}

/// Options for solving.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveOptions {
    /// Convergence of recycle loops.
    pub recycle: FixedPointOptions,
    /// Streams the user wants torn (they must break every loop they sit in).
    pub tears: Vec<String>,
    /// Initial values of tear streams; zero flows at 25 degC and 1 atm otherwise.
    pub initial_guesses: BTreeMap<String, Stream>,
    /// Largest relative mass or element imbalance a unit may have before it is an error.
    /// Default 1e-9: a unit conserves exactly up to floating-point round-off (~1e-15), so
    /// anything larger is a modelling fault, not noise.
    pub unit_balance_tolerance: f64,
    /// Largest relative mass or element imbalance of the whole flowsheet (feeds and make-up
    /// materials in, products out) before it is an error. Default 1e-6: every unit conserves
    /// to `unit_balance_tolerance`, so what is left is the recycle residual, which the ceiling
    /// `recycle.scale_tol` (1e-6 of the feed per tear variable) keeps at that level and the
    /// default tolerances keep ~1e-10; it is also where snapshots call a balance "OPEN", and a
    /// millionth of the feed is far below any plant's metering.
    pub flowsheet_balance_tolerance: f64,
    /// Largest relative energy imbalance of a unit or of the flowsheet, against the sum of
    /// the absolute values of its terms (enthalpy flows and heat duties). Default 1e-6, the
    /// issue's figure: units solve their temperatures to 1e-12 of the enthalpy, so a larger
    /// gap is a unit that leaves heat out, not round-off; 1e-6 of a slurry's formation
    /// enthalpy is about 0.004 K of sensible heat.
    pub energy_balance_tolerance: f64,
    /// How two or more design specifications are solved: together (default) or nested. One
    /// specification is always solved by Brent.
    pub design_specs: SpecMethod,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            recycle: FixedPointOptions::default(),
            tears: Vec::new(),
            initial_guesses: BTreeMap::new(),
            unit_balance_tolerance: 1e-9,
            flowsheet_balance_tolerance: 1e-6,
            energy_balance_tolerance: 1e-6,
            design_specs: SpecMethod::Simultaneous,
        }
    }
}

/// A number the engine can read from a solved flowsheet or change before solving.
#[derive(Clone, Debug, PartialEq)]
pub enum Variable {
    /// A numeric unit parameter, optionally one key of a per-component/per-outlet map.
    UnitParam {
        /// Unit name.
        unit: String,
        /// Parameter name.
        param: String,
        /// Map key, for map parameters.
        key: Option<String>,
    },
    /// Total mass flow of a stream, kg/s.
    StreamTotal(String),
    /// Mass flow of one component in a stream, kg/s.
    StreamComponent {
        /// Stream name.
        stream: String,
        /// Component name.
        component: String,
    },
    /// Stream temperature, K.
    StreamTemperature(String),
    /// Stream pressure, Pa.
    StreamPressure(String),
    /// Total molar flow of a stream, mol/s.
    StreamMolarTotal(String),
    /// Molar flow of one component in a stream, mol/s.
    StreamMolarFlow {
        /// Stream name.
        stream: String,
        /// Component name.
        component: String,
    },
    /// Mass fraction of one component in a stream (an error for a stream without flow).
    StreamMassFraction {
        /// Stream name.
        stream: String,
        /// Component name.
        component: String,
    },
    /// Mole fraction of one component in a stream (an error for a stream without flow).
    StreamMoleFraction {
        /// Stream name.
        stream: String,
        /// Component name.
        component: String,
    },
    /// Total rate of one utility of a unit (W or kg/s).
    UnitUtility {
        /// Unit name.
        unit: String,
        /// Utility.
        utility: calx_core::Utility,
    },
    /// A size figure a unit reports, SI in the dimension its report gives.
    UnitSize {
        /// Unit name.
        unit: String,
        /// Size name.
        size: String,
    },
}

impl Variable {
    /// The engine variable an input path names: unit and feed parameters (`None` for feed
    /// fractions and analysis parameters, which the engine does not set one by one).
    pub fn input(path: &InputPath) -> Option<Variable> {
        match path {
            InputPath::UnitParam { unit, param, key } => {
                Some(Variable::UnitParam { unit: unit.clone(), param: param.clone(), key: key.clone() })
            }
            InputPath::FeedFraction { .. } | InputPath::AnalysisParam { .. } => None,
        }
    }

    /// The engine variable a result path names (`None` for analysis metrics, which the
    /// engine does not compute).
    pub fn result(path: &ResultPath) -> Option<Variable> {
        Some(match path {
            ResultPath::StreamTotal(s) => Variable::StreamTotal(s.clone()),
            ResultPath::StreamTemperature(s) => Variable::StreamTemperature(s.clone()),
            ResultPath::StreamFlow { stream, component } => {
                Variable::StreamComponent { stream: stream.clone(), component: component.clone() }
            }
            ResultPath::StreamPressure(s) => Variable::StreamPressure(s.clone()),
            ResultPath::StreamMolarTotal(s) => Variable::StreamMolarTotal(s.clone()),
            ResultPath::StreamMolarFlow { stream, component } => {
                Variable::StreamMolarFlow { stream: stream.clone(), component: component.clone() }
            }
            ResultPath::StreamMassFraction { stream, component } => {
                Variable::StreamMassFraction { stream: stream.clone(), component: component.clone() }
            }
            ResultPath::StreamMoleFraction { stream, component } => {
                Variable::StreamMoleFraction { stream: stream.clone(), component: component.clone() }
            }
            ResultPath::UnitUtility { unit, utility } => {
                Variable::UnitUtility { unit: unit.clone(), utility: *utility }
            }
            ResultPath::UnitSize { unit, size } => Variable::UnitSize { unit: unit.clone(), size: size.clone() },
            ResultPath::AnalysisMetric { .. } => return None,
        })
    }

    /// The dimension of a result variable (SI), when the variable alone says it: `None` for
    /// a unit parameter (its unit type declares it) and a unit's size (its report gives it).
    pub fn dimension(&self) -> Option<Dimension> {
        Some(match self {
            Variable::StreamTotal(_) | Variable::StreamComponent { .. } => Dimension::MASS_FLOW,
            Variable::StreamTemperature(_) => Dimension::TEMPERATURE,
            Variable::StreamPressure(_) => Dimension::PRESSURE,
            Variable::StreamMolarTotal(_) | Variable::StreamMolarFlow { .. } => Dimension::MOLAR_FLOW,
            Variable::StreamMassFraction { .. } | Variable::StreamMoleFraction { .. } => Dimension::DIMENSIONLESS,
            Variable::UnitUtility { utility, .. } => utility.dimension(),
            Variable::UnitParam { .. } | Variable::UnitSize { .. } => return None,
        })
    }

    /// The stream a stream result reads, if it is one.
    pub(crate) fn stream(&self) -> Option<&str> {
        match self {
            Variable::StreamTotal(s)
            | Variable::StreamTemperature(s)
            | Variable::StreamPressure(s)
            | Variable::StreamMolarTotal(s)
            | Variable::StreamComponent { stream: s, .. }
            | Variable::StreamMolarFlow { stream: s, .. }
            | Variable::StreamMassFraction { stream: s, .. }
            | Variable::StreamMoleFraction { stream: s, .. } => Some(s),
            Variable::UnitParam { .. } | Variable::UnitUtility { .. } | Variable::UnitSize { .. } => None,
        }
    }

    /// The unit a unit parameter, utility or size belongs to, if it is one of those.
    pub(crate) fn unit(&self) -> Option<&str> {
        match self {
            Variable::UnitParam { unit, .. } | Variable::UnitUtility { unit, .. } | Variable::UnitSize { unit, .. } => {
                Some(unit)
            }
            _ => None,
        }
    }

    /// The component a per-component stream result names.
    pub(crate) fn component(&self) -> Option<&str> {
        match self {
            Variable::StreamComponent { component, .. }
            | Variable::StreamMolarFlow { component, .. }
            | Variable::StreamMassFraction { component, .. }
            | Variable::StreamMoleFraction { component, .. } => Some(component),
            _ => None,
        }
    }
}

/// "Adjust `adjust` within `bounds` until `target` equals `value`."
#[derive(Clone, Debug, PartialEq)]
pub struct DesignSpecDef {
    /// Its 1-based position in the file's `design_specs:` list (which also holds the
    /// specifications the façade solves), for messages and positions.
    pub index: usize,
    /// Path as written, for reports (`streams.raw_ash.total`).
    pub adjust_label: String,
    /// The variable changed (must be a unit parameter).
    pub adjust: Variable,
    /// Path as written, for reports.
    pub target_label: String,
    /// The variable matched. For a target written as an expression, its first read (the
    /// expression is [`DesignSpecDef::target_expr`]).
    pub target: Variable,
    /// A target written as an expression over results (`a / b`): matched instead of
    /// `target`, in the dimension `target_dimension` (checked at every read). `None` for a
    /// plain path.
    pub target_expr: Option<crate::ResultExpr>,
    /// Target value, SI.
    pub value: f64,
    /// The dimension the target value was written in. For a target whose dimension the
    /// path says ([`Variable::dimension`]) it must be that one (checked at build); for a
    /// unit's size, it must be the dimension the unit reports (checked at every read).
    pub target_dimension: Dimension,
    /// Search interval for the adjusted variable, SI.
    pub bounds: (f64, f64),
    /// The dimension of the adjusted variable (for reports).
    pub adjust_dimension: Dimension,
    /// Tolerances of the outer search.
    pub options: ScalarOptions,
}

impl DesignSpecDef {
    /// Its report: met at `value` of the adjusted variable with the target at `achieved`,
    /// after `iterations` of `method`.
    pub(crate) fn report(
        &self,
        value: f64,
        achieved: f64,
        iterations: usize,
        method: calx_core::result::SpecMethod,
    ) -> calx_core::result::DesignSpecReport {
        calx_core::result::DesignSpecReport {
            adjust: self.adjust_label.clone(),
            value,
            adjust_dimension: self.adjust_dimension,
            target_variable: self.target_label.clone(),
            target: self.value,
            achieved,
            target_dimension: self.target_dimension,
            iterations,
            method,
            fallback: None,
            adjust_unit: None,
            target_unit: None,
        }
    }
}
