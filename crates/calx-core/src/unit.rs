//! The unit-operation contract every unit plugin implements, built-in or loaded.
//!
//! Following CAPE-OPEN, a unit is ports plus parameters with separate validate and calculate
//! steps: [`UnitType::create`] checks parameters and connections once and returns a configured
//! [`UnitOperation`]; [`UnitOperation::calculate`] is then a pure function from inlet streams
//! to outlet streams plus a [`UnitReport`] (utilities, size figures, notes). Purity lets the
//! engine retry, reorder and perturb calls while converging recycles.

use std::ops::Range;
use std::sync::Arc;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::component::ComponentSet;
use crate::dimension::Dimension;
use crate::params::{ParamSpec, Params};
use crate::stream::Stream;

/// Whether a port takes material in or sends it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortDirection {
    /// Inlet.
    In,
    /// Outlet.
    Out,
}

/// A declared material port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortSpec {
    /// Name as written in the flowsheet (`feed`, `slurry`, `vent`).
    pub name: String,
    /// In or out.
    pub direction: PortDirection,
    /// Whether several streams may connect (a mixer's inlet, a splitter's outlet).
    pub multiple: bool,
    /// Whether the port may be left unconnected.
    pub optional: bool,
    /// What flows through it.
    pub doc: String,
}

impl PortSpec {
    /// A required inlet taking exactly one stream.
    pub fn inlet(name: &str, doc: &str) -> PortSpec {
        PortSpec { name: name.into(), direction: PortDirection::In, multiple: false, optional: false, doc: doc.into() }
    }
    /// A required outlet taking exactly one stream.
    pub fn outlet(name: &str, doc: &str) -> PortSpec {
        PortSpec { direction: PortDirection::Out, ..PortSpec::inlet(name, doc) }
    }
    /// Allow one or more streams on this port.
    pub fn many(mut self) -> PortSpec {
        self.multiple = true;
        self
    }
    /// Allow the port to stay unconnected.
    pub fn optional(mut self) -> PortSpec {
        self.optional = true;
        self
    }
}

/// What a unit type declares about itself: its manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitDescriptor {
    /// Type name used in flowsheets (`mixer`, `carbonator`).
    pub type_name: String,
    /// One line on what it does.
    pub summary: String,
    /// Ports in calculation order: inlets and outlets are passed to `calculate` in this order.
    pub ports: Vec<PortSpec>,
    /// Parameters.
    pub params: Vec<ParamSpec>,
}

impl UnitDescriptor {
    /// A port by name.
    pub fn port(&self, name: &str) -> Option<&PortSpec> {
        self.ports.iter().find(|p| p.name == name)
    }
    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Which streams are connected to which port, in the descriptor's port order. Inlet streams
/// are passed to `calculate` flattened in this order, and outlets likewise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Connections {
    /// (port, stream names) for inlet ports, in descriptor order.
    pub inlets: Vec<(String, Vec<String>)>,
    /// (port, stream names) for outlet ports, in descriptor order.
    pub outlets: Vec<(String, Vec<String>)>,
}

impl Connections {
    fn range(list: &[(String, Vec<String>)], port: &str) -> Range<usize> {
        let mut start = 0;
        for (p, streams) in list {
            if p == port {
                return start..start + streams.len();
            }
            start += streams.len();
        }
        start..start
    }
    /// Slots of an inlet port in the flattened inlet slice (empty if unconnected).
    pub fn inlet(&self, port: &str) -> Range<usize> {
        Connections::range(&self.inlets, port)
    }
    /// Slots of an outlet port in the flattened outlet slice (empty if unconnected).
    pub fn outlet(&self, port: &str) -> Range<usize> {
        Connections::range(&self.outlets, port)
    }
    /// Stream names connected to an outlet port.
    pub fn outlet_streams(&self, port: &str) -> &[String] {
        self.outlets.iter().find(|(p, _)| p == port).map_or(&[], |(_, s)| s)
    }
    /// Number of inlet streams.
    pub fn inlet_count(&self) -> usize {
        self.inlets.iter().map(|(_, s)| s.len()).sum()
    }
    /// Number of outlet streams.
    pub fn outlet_count(&self) -> usize {
        self.outlets.iter().map(|(_, s)| s.len()).sum()
    }
}

/// Everything a unit type needs to configure one unit.
#[derive(Clone, Copy, Debug)]
pub struct UnitConfig<'a> {
    /// The unit's name in the flowsheet.
    pub name: &'a str,
    /// The flowsheet's components.
    pub components: &'a Arc<ComponentSet>,
    /// Checked parameters in SI, defaults filled in.
    pub params: &'a Params,
    /// Connected streams by port.
    pub connections: &'a Connections,
}

/// A kind of utility a unit consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Utility {
    /// Electric power, W.
    Electricity,
    /// Heat supplied to the process, W.
    Heating,
    /// Heat removed from the process, W.
    Cooling,
    /// Water consumed outside the modelled streams (cooling, washing), kg/s.
    Water,
}

impl Utility {
    /// Name as shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Utility::Electricity => "electricity",
            Utility::Heating => "heating",
            Utility::Cooling => "cooling",
            Utility::Water => "water",
        }
    }
    /// SI dimension of the rate.
    pub fn dimension(self) -> Dimension {
        match self {
            Utility::Water => Dimension::MASS_FLOW,
            _ => Dimension::POWER,
        }
    }
    /// Every utility, in report order.
    pub const ALL: [Utility; 4] = [Utility::Electricity, Utility::Heating, Utility::Cooling, Utility::Water];
}

/// One utility use: what for, and how much (W or kg/s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UtilityUse {
    /// Which utility.
    pub utility: Utility,
    /// What it is for ("grinding", "blower", "agitation"): static text for the built-in
    /// units, so that a calculation allocates nothing for it.
    pub purpose: Cow<'static, str>,
    /// Rate in SI (W, or kg/s for water). Never negative.
    pub rate: f64,
}

/// A size figure for costing (volume, throughput, power), in SI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeFigure {
    /// Name ("volume", "throughput", "installed_power").
    pub name: Cow<'static, str>,
    /// Value in SI.
    pub value: f64,
    /// Dimension of the value.
    pub dimension: Dimension,
}

/// Material a unit draws from outside the flowsheet (make-up water set by a target solids
/// fraction, binder dosed into backfill). It counts as an inflow in the unit's and the
/// flowsheet's balances and as a feed in the life-cycle inventory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialUse {
    /// What it is for ("make-up water", "binder").
    pub purpose: Cow<'static, str>,
    /// Component index in the flowsheet's component set.
    pub component: usize,
    /// Mass flow, kg/s. Never negative.
    pub rate: f64,
    /// Temperature at which it enters, K (the energy balance counts its enthalpy there).
    pub temperature: f64,
}

/// Shaft work a machine delivers to the unit's streams (a compressor's impeller), W: it
/// enters the unit's and the flowsheet's energy balance as an inflow, as a heat duty does.
/// The electricity that drives the machine stays a [`Utility`] (what the plant buys); the
/// work is the part of it that ends up in the fluid's enthalpy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkUse {
    /// What it is for ("compression").
    pub purpose: Cow<'static, str>,
    /// Power delivered to the streams, W: positive is work done on the fluid, negative work
    /// taken from it (an expander).
    pub power: f64,
}

/// What one calculation reports besides its outlet streams. `clone_from` reuses the lists'
/// storage (the engine copies every unit's report into each solve's result).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    /// Utilities consumed.
    pub utilities: Vec<UtilityUse>,
    /// Material drawn from outside the flowsheet.
    pub materials: Vec<MaterialUse>,
    /// Shaft work delivered to the streams (empty for most units, and then not serialized).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work: Vec<WorkUse>,
    /// Size figures.
    pub sizes: Vec<SizeFigure>,
    /// Notes for the user (a capped conversion, an extrapolated correlation).
    pub notes: Vec<String>,
    /// The converged inner state of an iterative unit (an equilibrium unit's speciation),
    /// empty for most units: a study takes the base case's and hands it back to the unit
    /// through [`UnitOperation::calculate_from`] for every sample. Not part of any output.
    #[serde(skip)]
    pub state: Vec<f64>,
}

impl Clone for UnitReport {
    fn clone(&self) -> UnitReport {
        UnitReport {
            utilities: self.utilities.clone(),
            materials: self.materials.clone(),
            work: self.work.clone(),
            sizes: self.sizes.clone(),
            notes: self.notes.clone(),
            state: self.state.clone(),
        }
    }

    fn clone_from(&mut self, source: &UnitReport) {
        // Destructured, so that a new field cannot be forgotten here.
        let UnitReport { utilities, materials, work, sizes, notes, state } = source;
        copy_list(&mut self.utilities, utilities);
        copy_list(&mut self.materials, materials);
        copy_list(&mut self.work, work);
        copy_list(&mut self.sizes, sizes);
        copy_list(&mut self.notes, notes);
        copy_list(&mut self.state, state);
    }
}

/// `to` becomes a copy of `from`, in the storage `to` has (as `Vec::clone_from`, without its
/// call to extend by nothing when the lengths agree: a report written over the same unit's
/// last one, every solve of a study).
fn copy_list<T: Clone>(to: &mut Vec<T>, from: &[T]) {
    if to.len() == from.len() {
        to.clone_from_slice(from);
        return;
    }
    to.truncate(from.len());
    let (common, rest) = from.split_at(to.len());
    to.clone_from_slice(common);
    to.extend_from_slice(rest);
}

impl UnitReport {
    /// Forget the previous calculation (called by the engine before each call).
    pub fn clear(&mut self) {
        self.utilities.clear();
        self.materials.clear();
        self.work.clear();
        self.sizes.clear();
        self.notes.clear();
        self.state.clear();
    }
    /// Record a utility use; zero uses are kept so reports show the line.
    pub fn utility(&mut self, utility: Utility, purpose: impl Into<Cow<'static, str>>, rate: f64) {
        self.utilities.push(UtilityUse { utility, purpose: purpose.into(), rate });
    }
    /// Record a heat duty in W: positive is heat supplied (heating), negative removed (cooling).
    pub fn heat_duty(&mut self, purpose: impl Into<Cow<'static, str>>, duty: f64) {
        if duty >= 0.0 {
            self.utility(Utility::Heating, purpose, duty);
        } else {
            self.utility(Utility::Cooling, purpose, -duty);
        }
    }
    /// Record material drawn from outside the flowsheet (kg/s of component `component`),
    /// entering at the standard temperature, 25 degC.
    pub fn material(&mut self, purpose: impl Into<Cow<'static, str>>, component: usize, rate: f64) {
        self.material_at(purpose, component, rate, crate::stream::STANDARD_TEMPERATURE);
    }
    /// Record material drawn from outside the flowsheet entering at `temperature` (K).
    pub fn material_at(
        &mut self,
        purpose: impl Into<Cow<'static, str>>,
        component: usize,
        rate: f64,
        temperature: f64,
    ) {
        self.materials.push(MaterialUse { purpose: purpose.into(), component, rate, temperature });
    }
    /// Record shaft work delivered to the streams, W (negative: taken from them). The
    /// engine's energy balance counts it as it counts heat supplied.
    pub fn shaft_work(&mut self, purpose: impl Into<Cow<'static, str>>, power: f64) {
        self.work.push(WorkUse { purpose: purpose.into(), power });
    }
    /// Total shaft work delivered to the streams, W.
    pub fn total_work(&self) -> f64 {
        self.work.iter().map(|w| w.power).sum()
    }
    /// Record a size figure.
    pub fn size(&mut self, name: impl Into<Cow<'static, str>>, value: f64, dimension: Dimension) {
        self.sizes.push(SizeFigure { name: name.into(), value, dimension });
    }
    /// Record a note.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }
    /// Total rate of one utility.
    pub fn total(&self, utility: Utility) -> f64 {
        self.utilities.iter().filter(|u| u.utility == utility).map(|u| u.rate).sum()
    }
}

/// Why a unit refused its configuration or failed to calculate. The engine adds the unit's
/// name and type; the flowsheet layer adds file, line and column of the parameter.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum UnitError {
    /// A parameter value is not acceptable.
    #[error("parameter `{param}` {message}")]
    Parameter {
        /// Parameter name.
        param: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A port is connected wrongly or its inlet cannot be processed.
    #[error("port `{port}`: {message}")]
    Port {
        /// Port name.
        port: String,
        /// What is wrong.
        message: String,
    },
    /// The calculation failed.
    #[error("{0}")]
    Calculation(String),
    /// A component reaching the unit lacks a datum its energy balance needs (a fault of the
    /// component's definition, which the façade points at).
    #[error("component {component:?}: has no {what}: an energy balance over it is not possible")]
    MissingThermo {
        /// The component name.
        component: String,
        /// The missing datum.
        what: String,
    },
}

impl UnitError {
    /// A parameter error.
    pub fn param(param: &str, message: impl Into<String>) -> UnitError {
        UnitError::Parameter { param: param.into(), message: message.into() }
    }
    /// A port error.
    pub fn port(port: &str, message: impl Into<String>) -> UnitError {
        UnitError::Port { port: port.into(), message: message.into() }
    }
}

impl From<crate::Error> for UnitError {
    fn from(e: crate::Error) -> UnitError {
        match e {
            crate::Error::MissingThermo { component, what } => UnitError::MissingThermo { component, what },
            e => UnitError::Calculation(e.to_string()),
        }
    }
}

/// A unit type: its manifest and a factory for configured units.
pub trait UnitType: Send + Sync {
    /// The manifest: type name, ports, parameters.
    fn descriptor(&self) -> UnitDescriptor;
    /// Check the configuration and build a unit. Every parameter problem is reported here,
    /// not at calculation time.
    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError>;
}

/// A configured unit.
pub trait UnitOperation: Send + Sync {
    /// Compute outlets from inlets. `inlets` and `outlets` are flattened in the descriptor's
    /// port order (see [`Connections`]); outlets arrive sized for the component set and must
    /// be fully overwritten. Must be pure: same inlets, same outlets and report.
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError>;

    /// As [`UnitOperation::calculate`], with the inner iteration started from `start`: the
    /// [`UnitReport::state`] this unit reported for a study's base case. Same inlets and
    /// start, same outlets and report; the result may differ from `calculate`'s only within
    /// the unit's own convergence tolerance. The default ignores the start.
    fn calculate_from(
        &self,
        _start: &[f64],
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        self.calculate(inlets, outlets, report)
    }

    /// Take a new value (SI) of one numeric parameter (`key`: the entry of a map parameter,
    /// such as one component's conversion) in place, instead of being created again: what
    /// studies and design loops do for every sample. `Ok(true)`: taken, after the checks
    /// `create` makes of that value, and the unit now calculates exactly as one created with it
    /// would. `Ok(false)` (the default): the unit cannot, and the engine creates it again.
    fn set_number(&mut self, _param: &str, _key: Option<&str>, _value: f64) -> Result<bool, UnitError> {
        Ok(false)
    }
}
