//! The JSON messages of ABI v1, as plain serde types owned by the ABI.
//!
//! Everything that crosses the library boundary as JSON is one of these types: the
//! [`Manifest`] a plugin sends at load time (its [`UnitDescriptor`]s with [`PortSpec`]s and
//! [`ParamSpec`]s), the [`UnitConfigMessage`] the host sends to create a unit (its
//! [`Params`], [`Connections`] and [`ComponentData`]), and the [`UnitError`] a plugin sends
//! with [`Status::UNIT_ERROR`](crate::Status::UNIT_ERROR), and since ABI 1.1 the messages
//! of plugin analyses ([`analysis`]: descriptors in the manifest's `analyses`, the
//! configuration, the read-only view of the converged flowsheet, the result). Their serde form IS the format:
//! field names, enum tags and the order fields are written in are ABI v1, pinned by golden
//! files (`tests/golden/*.json`, checked by `tests/wire_format.rs`).
//!
//! These types mirror calx-core's but do not depend on it: the SDK and the host convert
//! between the two with exhaustive destructuring, so renaming or adding a calx-core field or
//! variant fails to compile there instead of changing this format silently.
//!
//! Rules for changing this file (ABI v1 is released; plugin libraries built against it send
//! and expect exactly these messages):
//! - never rename a field or a variant, nor change a type's serde attributes; to rename in
//!   Rust, keep the old name with `#[serde(rename = "...")]`;
//! - a new struct field needs `#[serde(default)]` (old plugins do not send it; serde ignores
//!   fields it does not know, so old plugins accept it) and bumps
//!   [`ABI_MINOR`](crate::ABI_MINOR);
//! - a new enum variant cannot be read by an old library: it bumps
//!   [`ABI_MAJOR`](crate::ABI_MAJOR);
//! - every change updates the golden files in the same commit, so review sees the format
//!   change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod analysis;

pub use analysis::*;

/// What a plugin provides, sent once at load time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Provider name (`calx-mineralization`).
    pub provider: String,
    /// The plugin crate's version.
    pub plugin_version: String,
    /// The SDK version it was built with.
    pub sdk_version: String,
    /// Its unit types.
    pub units: Vec<UnitDescriptor>,
    /// Its analysis types (ABI 1.1; a 1.0 manifest has none and omits the field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analyses: Vec<AnalysisDescriptor>,
}

/// A unit type's manifest (`calx_core::UnitDescriptor`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitDescriptor {
    /// Type name used in flowsheets.
    pub type_name: String,
    /// One line on what it does.
    pub summary: String,
    /// Ports in calculation order.
    pub ports: Vec<PortSpec>,
    /// Parameters.
    pub params: Vec<ParamSpec>,
}

/// Whether a port takes material in or sends it out: `"in"` or `"out"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortDirection {
    /// Inlet.
    In,
    /// Outlet.
    Out,
}

/// A declared material port (`calx_core::PortSpec`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortSpec {
    /// Name as written in the flowsheet.
    pub name: String,
    /// In or out.
    pub direction: PortDirection,
    /// Whether several streams may connect.
    pub multiple: bool,
    /// Whether the port may be left unconnected.
    pub optional: bool,
    /// What flows through it.
    pub doc: String,
}

/// A physical dimension as exponents of kg, m, s, K, mol and money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    /// Exponent of mass.
    pub mass: i8,
    /// Exponent of length.
    pub length: i8,
    /// Exponent of time.
    pub time: i8,
    /// Exponent of temperature.
    pub temperature: i8,
    /// Exponent of amount of substance.
    pub amount: i8,
    /// Exponent of money.
    pub money: i8,
}

/// What kind of value a parameter takes (`calx_core::ParamKind`): externally tagged in
/// snake case, `"fraction"` or `{"quantity": {"dimension": ..., "unit": "t/h"}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A number with a unit of measure of this dimension, stored in SI.
    Quantity {
        /// Expected dimension.
        dimension: Dimension,
        /// Display unit.
        unit: String,
    },
    /// A fraction in [0, 1].
    Fraction,
    /// A dimensionless number.
    Number,
    /// A whole number.
    Integer,
    /// true / false.
    Bool,
    /// Free text.
    Text,
    /// One of the listed words.
    Choice {
        /// The allowed words.
        options: Vec<String>,
    },
    /// A value per component.
    PerComponent {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A value per connected outlet stream.
    PerOutlet {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A value per free-form key.
    Map {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A list of values.
    List {
        /// Kind of each item.
        item: Box<ParamKind>,
    },
}

/// One declared parameter (`calx_core::ParamSpec`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Name as written in the flowsheet.
    pub name: String,
    /// Kind of value.
    pub kind: ParamKind,
    /// Default in SI (`null`: none).
    pub default: Option<ParamValue>,
    /// Whether it may be left out without a default.
    pub optional: bool,
    /// What it means.
    pub doc: String,
    /// Where the default comes from (`null`: not given).
    pub source: Option<String>,
}

/// A parameter value in SI (`calx_core::ParamValue`): untagged, the plain JSON value. A
/// number is always a JSON float (`3.0`), exact to the last bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Quantities, fractions, numbers, integers.
    Number(f64),
    /// Booleans.
    Bool(bool),
    /// Text and choices.
    Text(String),
    /// Lists.
    List(Vec<ParamValue>),
    /// Per-component, per-outlet and free-form maps.
    Map(BTreeMap<String, ParamValue>),
}

/// A unit's checked parameter values (`calx_core::Params`): `{"values": {name: value}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Values by parameter name.
    pub values: BTreeMap<String, ParamValue>,
}

/// Which streams are connected to which port (`calx_core::unit::Connections`): per port a
/// `[port, [stream, ...]]` pair, in the descriptor's port order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Connections {
    /// Inlet ports and their streams.
    pub inlets: Vec<(String, Vec<String>)>,
    /// Outlet ports and their streams.
    pub outlets: Vec<(String, Vec<String>)>,
}

/// Everything needed to create one unit, sent once per unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitConfigMessage {
    /// Unit type name.
    pub type_name: String,
    /// The unit's name in the flowsheet.
    pub name: String,
    /// The flowsheet's components, in order.
    pub components: Vec<ComponentData>,
    /// Checked parameters in SI.
    pub params: Params,
    /// Connected streams by port.
    pub connections: Connections,
}

/// The phase a component is always in: `"solid"`, `"liquid"` or `"gas"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Solid.
    Solid,
    /// Liquid.
    Liquid,
    /// Gas.
    Gas,
}

/// A component: everything `calx_core::Component` holds, the formula as text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentData {
    /// Name.
    pub name: String,
    /// Formula as written, if any.
    pub formula: Option<String>,
    /// Phase.
    pub phase: Phase,
    /// Molar mass, kg/mol.
    pub molar_mass: Option<f64>,
    /// Atoms per molecule by element symbol; `None`: excluded from element balances.
    pub elements: Option<BTreeMap<String, f64>>,
    /// Formation enthalpy, J/mol.
    pub formation_enthalpy: Option<f64>,
    /// Heat capacity.
    pub heat_capacity: Option<HeatCapacity>,
    /// Sources by property.
    pub sources: BTreeMap<String, String>,
    /// Note.
    pub note: Option<String>,
}

/// A heat-capacity model (`calx_core::thermo::HeatCapacity`): externally tagged with the
/// variant's name as written here, `{"Constant": {"cp": 75.3}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HeatCapacity {
    /// Constant molar heat capacity, J/(mol K).
    Constant {
        /// Cp in J/(mol K).
        cp: f64,
    },
    /// Constant specific heat capacity, J/(kg K).
    ConstantMass {
        /// cp in J/(kg K).
        cp: f64,
    },
    /// NIST Shomate ranges.
    Shomate {
        /// The ranges.
        ranges: Vec<ShomateRange>,
    },
}

/// One temperature range of a Shomate fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShomateRange {
    /// Lower bound of validity, K.
    pub t_min: f64,
    /// Upper bound of validity, K.
    pub t_max: f64,
    /// Coefficients A..E.
    pub coefficients: [f64; 5],
}

/// Why a unit refused its configuration or failed to calculate (`calx_core::UnitError`):
/// externally tagged with the variant's name, `{"Calculation": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum UnitError {
    /// A parameter value is not acceptable.
    Parameter {
        /// Parameter name.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// A port is connected wrongly or its inlet cannot be processed.
    Port {
        /// Port name.
        port: String,
        /// What is wrong.
        message: String,
    },
    /// The calculation failed.
    Calculation(String),
}
