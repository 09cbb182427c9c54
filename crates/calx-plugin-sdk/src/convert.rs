//! calx-core types to and from ABI v1's wire types, in the directions a plugin needs: what
//! it sends (unit descriptors, unit errors, utility codes) from calx-core to wire, what it
//! receives (a unit's parameters, connections and components) from wire to calx-core.
//! `calx-plugin-host` holds the opposite directions.
//!
//! Every conversion destructures or matches exhaustively, so a renamed or added calx-core
//! field or variant fails to compile here instead of changing the wire format (which
//! `calx-plugin-abi` pins with golden files). Plugin authors never call these; they are
//! public so the host's tests can pair them with the host's own conversions.

use calx_core::component::{Component, ComponentSet, Phase};
use calx_core::dimension::Dimension;
use calx_core::params::{ParamKind, ParamSpec, ParamValue, Params};
use calx_core::thermo::{HeatCapacity, ShomateRange};
use calx_core::unit::{Connections, PortDirection, PortSpec, UnitDescriptor, UnitError, Utility};
use calx_core::{Formula, element};
use calx_plugin_abi::{UTILITY_COOLING, UTILITY_ELECTRICITY, UTILITY_HEATING, UTILITY_WATER, wire};

pub mod analysis;

/// Why a component received from the host cannot be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum ComponentError {
    /// Its formula does not parse.
    #[error("component {component}: {error}")]
    Formula {
        /// Component name.
        component: String,
        /// The parser's error.
        error: calx_core::Error,
    },
    /// Its element counts name an element calx-core does not know.
    #[error("component {component}: unknown element `{element}`")]
    UnknownElement {
        /// Component name.
        component: String,
        /// The symbol.
        element: String,
    },
    /// The components do not form a set (a name declared twice).
    #[error(transparent)]
    Set(calx_core::Error),
}

/// A unit type's descriptor as sent in the manifest.
pub fn descriptor_to_wire(d: &UnitDescriptor) -> wire::UnitDescriptor {
    let UnitDescriptor { type_name, summary, ports, params } = d;
    wire::UnitDescriptor {
        type_name: type_name.clone(),
        summary: summary.clone(),
        ports: ports.iter().map(port_to_wire).collect(),
        params: params.iter().map(param_spec_to_wire).collect(),
    }
}

fn port_to_wire(p: &PortSpec) -> wire::PortSpec {
    let PortSpec { name, direction, multiple, optional, doc } = p;
    wire::PortSpec {
        name: name.clone(),
        direction: match direction {
            PortDirection::In => wire::PortDirection::In,
            PortDirection::Out => wire::PortDirection::Out,
        },
        multiple: *multiple,
        optional: *optional,
        doc: doc.clone(),
    }
}

pub(crate) fn param_spec_to_wire(p: &ParamSpec) -> wire::ParamSpec {
    let ParamSpec { name, kind, default, optional, doc, source } = p;
    wire::ParamSpec {
        name: name.clone(),
        kind: param_kind_to_wire(kind),
        default: default.as_ref().map(param_value_to_wire),
        optional: *optional,
        doc: doc.clone(),
        source: source.clone(),
    }
}

fn dimension_to_wire(d: &Dimension) -> wire::Dimension {
    let Dimension { mass, length, time, temperature, amount, money } = *d;
    wire::Dimension { mass, length, time, temperature, amount, money }
}

fn param_kind_to_wire(k: &ParamKind) -> wire::ParamKind {
    let boxed = |k: &ParamKind| Box::new(param_kind_to_wire(k));
    match k {
        ParamKind::Quantity { dimension, unit } => {
            wire::ParamKind::Quantity { dimension: dimension_to_wire(dimension), unit: unit.clone() }
        }
        ParamKind::Fraction => wire::ParamKind::Fraction,
        ParamKind::Number => wire::ParamKind::Number,
        ParamKind::Integer => wire::ParamKind::Integer,
        ParamKind::Bool => wire::ParamKind::Bool,
        ParamKind::Text => wire::ParamKind::Text,
        ParamKind::Choice { options } => wire::ParamKind::Choice { options: options.clone() },
        ParamKind::PerComponent { value } => wire::ParamKind::PerComponent { value: boxed(value) },
        ParamKind::PerOutlet { value } => wire::ParamKind::PerOutlet { value: boxed(value) },
        ParamKind::Map { value } => wire::ParamKind::Map { value: boxed(value) },
        ParamKind::List { item } => wire::ParamKind::List { item: boxed(item) },
    }
}

/// A parameter value as sent (descriptor defaults).
fn param_value_to_wire(v: &ParamValue) -> wire::ParamValue {
    match v {
        ParamValue::Number(x) => wire::ParamValue::Number(*x),
        ParamValue::Bool(b) => wire::ParamValue::Bool(*b),
        ParamValue::Text(s) => wire::ParamValue::Text(s.clone()),
        ParamValue::List(items) => wire::ParamValue::List(items.iter().map(param_value_to_wire).collect()),
        ParamValue::Map(m) => {
            wire::ParamValue::Map(m.iter().map(|(k, v)| (k.clone(), param_value_to_wire(v))).collect())
        }
    }
}

/// A parameter value as received (a unit's parameters).
fn param_value_from_wire(v: &wire::ParamValue) -> ParamValue {
    match v {
        wire::ParamValue::Number(x) => ParamValue::Number(*x),
        wire::ParamValue::Bool(b) => ParamValue::Bool(*b),
        wire::ParamValue::Text(s) => ParamValue::Text(s.clone()),
        wire::ParamValue::List(items) => ParamValue::List(items.iter().map(param_value_from_wire).collect()),
        wire::ParamValue::Map(m) => {
            ParamValue::Map(m.iter().map(|(k, v)| (k.clone(), param_value_from_wire(v))).collect())
        }
    }
}

/// A unit error as sent with `Status::UNIT_ERROR`.
pub fn unit_error_to_wire(e: &UnitError) -> wire::UnitError {
    match e {
        UnitError::Parameter { param, message } => {
            wire::UnitError::Parameter { param: param.clone(), message: message.clone() }
        }
        UnitError::Port { port, message } => wire::UnitError::Port { port: port.clone(), message: message.clone() },
        UnitError::Calculation(m) => wire::UnitError::Calculation(m.clone()),
        // ABI v1 has no variant for it: the host sees the same text, without the position.
        e @ UnitError::MissingThermo { .. } => wire::UnitError::Calculation(e.to_string()),
    }
}

/// A utility as its `ReportSink::utility` code.
pub fn utility_code(u: Utility) -> u32 {
    match u {
        Utility::Electricity => UTILITY_ELECTRICITY,
        Utility::Heating => UTILITY_HEATING,
        Utility::Cooling => UTILITY_COOLING,
        Utility::Water => UTILITY_WATER,
    }
}

/// A unit's parameters as received.
pub fn params_from_wire(p: &wire::Params) -> Params {
    let wire::Params { values } = p;
    Params::new(values.iter().map(|(k, v)| (k.clone(), param_value_from_wire(v))).collect())
}

/// A unit's connections as received.
pub fn connections_from_wire(c: &wire::Connections) -> Connections {
    let wire::Connections { inlets, outlets } = c;
    Connections { inlets: inlets.clone(), outlets: outlets.clone() }
}

/// A component as received, rebuilt exactly (numbers are copied, not recomputed from the
/// formula).
pub fn component_from_wire(c: &wire::ComponentData) -> Result<Component, ComponentError> {
    let wire::ComponentData {
        name,
        formula,
        phase,
        molar_mass,
        elements,
        formation_enthalpy,
        heat_capacity,
        sources,
        note,
    } = c;
    let formula = match formula {
        Some(f) => Some(Formula::parse(f).map_err(|error| ComponentError::Formula { component: name.clone(), error })?),
        None => None,
    };
    let elements = match elements {
        None => None,
        Some(map) => Some(
            map.iter()
                .map(|(k, v)| {
                    element::element(k)
                        .map(|e| (e.symbol, *v))
                        .ok_or_else(|| ComponentError::UnknownElement { component: name.clone(), element: k.clone() })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Component {
        name: name.clone(),
        formula,
        phase: match phase {
            wire::Phase::Solid => Phase::Solid,
            wire::Phase::Liquid => Phase::Liquid,
            wire::Phase::Gas => Phase::Gas,
        },
        molar_mass: *molar_mass,
        elements,
        formation_enthalpy: *formation_enthalpy,
        heat_capacity: heat_capacity.as_ref().map(heat_capacity_from_wire),
        sources: sources.clone(),
        note: note.clone(),
    })
}

fn heat_capacity_from_wire(h: &wire::HeatCapacity) -> HeatCapacity {
    match h {
        wire::HeatCapacity::Constant { cp } => HeatCapacity::Constant { cp: *cp },
        wire::HeatCapacity::ConstantMass { cp } => HeatCapacity::ConstantMass { cp: *cp },
        wire::HeatCapacity::Shomate { ranges } => HeatCapacity::Shomate {
            ranges: ranges
                .iter()
                .map(|r| {
                    let wire::ShomateRange { t_min, t_max, coefficients } = *r;
                    ShomateRange { t_min, t_max, coefficients }
                })
                .collect(),
        },
    }
}

/// The flowsheet's component set as received, in order.
pub fn component_set_from_wire(components: &[wire::ComponentData]) -> Result<ComponentSet, ComponentError> {
    let list = components.iter().map(component_from_wire).collect::<Result<Vec<_>, _>>()?;
    ComponentSet::new(list).map_err(ComponentError::Set)
}
