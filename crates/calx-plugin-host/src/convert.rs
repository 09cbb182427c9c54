//! ABI v1's wire types to and from calx-core types, in the directions the host needs: what
//! it receives (the manifest's unit descriptors, unit errors, utility codes) from wire to
//! calx-core, what it sends (a unit's configuration) from calx-core to wire.
//! `calx-plugin-sdk` holds the opposite directions.
//!
//! Every conversion destructures or matches exhaustively, so a renamed or added calx-core
//! field or variant fails to compile here instead of changing the wire format (which
//! `calx-plugin-abi` pins with golden files). None of them can fail: every wire value has a
//! calx-core value (the SDK's direction, which parses formulas, can).

use calx_core::component::{Component, Phase};
use calx_core::dimension::Dimension;
use calx_core::params::{ParamKind, ParamSpec, ParamValue, Params};
use calx_core::thermo::{HeatCapacity, ShomateRange};
use calx_core::unit::{Connections, PortDirection, PortSpec, UnitConfig, UnitDescriptor, UnitError, Utility};
use calx_plugin_abi::{UTILITY_COOLING, UTILITY_ELECTRICITY, UTILITY_HEATING, UTILITY_WATER, wire};

pub mod analysis;

/// A unit type's descriptor as received in a manifest.
pub fn descriptor_from_wire(d: &wire::UnitDescriptor) -> UnitDescriptor {
    let wire::UnitDescriptor { type_name, summary, ports, params } = d;
    UnitDescriptor {
        type_name: type_name.clone(),
        summary: summary.clone(),
        ports: ports.iter().map(port_from_wire).collect(),
        params: params.iter().map(param_spec_from_wire).collect(),
    }
}

fn port_from_wire(p: &wire::PortSpec) -> PortSpec {
    let wire::PortSpec { name, direction, multiple, optional, doc } = p;
    PortSpec {
        name: name.clone(),
        direction: match direction {
            wire::PortDirection::In => PortDirection::In,
            wire::PortDirection::Out => PortDirection::Out,
        },
        multiple: *multiple,
        optional: *optional,
        doc: doc.clone(),
    }
}

pub(crate) fn param_spec_from_wire(p: &wire::ParamSpec) -> ParamSpec {
    let wire::ParamSpec { name, kind, default, optional, doc, source } = p;
    ParamSpec {
        name: name.clone(),
        kind: param_kind_from_wire(kind),
        default: default.as_ref().map(param_value_from_wire),
        optional: *optional,
        doc: doc.clone(),
        source: source.clone(),
    }
}

fn dimension_from_wire(d: &wire::Dimension) -> Dimension {
    let wire::Dimension { mass, length, time, temperature, amount, money } = *d;
    Dimension { mass, length, time, temperature, amount, money }
}

fn param_kind_from_wire(k: &wire::ParamKind) -> ParamKind {
    let boxed = |k: &wire::ParamKind| Box::new(param_kind_from_wire(k));
    match k {
        wire::ParamKind::Quantity { dimension, unit } => {
            ParamKind::Quantity { dimension: dimension_from_wire(dimension), unit: unit.clone() }
        }
        wire::ParamKind::Fraction => ParamKind::Fraction,
        wire::ParamKind::Number => ParamKind::Number,
        wire::ParamKind::Integer => ParamKind::Integer,
        wire::ParamKind::Bool => ParamKind::Bool,
        wire::ParamKind::Text => ParamKind::Text,
        wire::ParamKind::Choice { options } => ParamKind::Choice { options: options.clone() },
        wire::ParamKind::PerComponent { value } => ParamKind::PerComponent { value: boxed(value) },
        wire::ParamKind::PerOutlet { value } => ParamKind::PerOutlet { value: boxed(value) },
        wire::ParamKind::Map { value } => ParamKind::Map { value: boxed(value) },
        wire::ParamKind::List { item } => ParamKind::List { item: boxed(item) },
    }
}

/// A parameter value as received (descriptor defaults).
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

/// A parameter value as sent (a unit's parameters).
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

/// A unit error as received with `Status::UNIT_ERROR`.
pub fn unit_error_from_wire(e: wire::UnitError) -> UnitError {
    match e {
        wire::UnitError::Parameter { param, message } => UnitError::Parameter { param, message },
        wire::UnitError::Port { port, message } => UnitError::Port { port, message },
        wire::UnitError::Calculation(m) => UnitError::Calculation(m),
    }
}

/// The utility of a `ReportSink::utility` code, if it is one.
pub fn utility_from_code(code: u32) -> Option<Utility> {
    match code {
        UTILITY_ELECTRICITY => Some(Utility::Electricity),
        UTILITY_HEATING => Some(Utility::Heating),
        UTILITY_COOLING => Some(Utility::Cooling),
        UTILITY_WATER => Some(Utility::Water),
        _ => None,
    }
}

/// A unit's parameters as sent.
pub fn params_to_wire(p: &Params) -> wire::Params {
    wire::Params { values: p.iter().map(|(k, v)| (k.clone(), param_value_to_wire(v))).collect() }
}

/// A unit's connections as sent.
pub fn connections_to_wire(c: &Connections) -> wire::Connections {
    let Connections { inlets, outlets } = c;
    wire::Connections { inlets: inlets.clone(), outlets: outlets.clone() }
}

/// A component as sent: everything it holds, the formula as text.
pub fn component_to_wire(c: &Component) -> wire::ComponentData {
    let Component { name, formula, phase, molar_mass, elements, formation_enthalpy, heat_capacity, sources, note } = c;
    wire::ComponentData {
        name: name.clone(),
        formula: formula.as_ref().map(|f| f.text().to_string()),
        phase: match phase {
            Phase::Solid => wire::Phase::Solid,
            Phase::Liquid => wire::Phase::Liquid,
            Phase::Gas => wire::Phase::Gas,
        },
        molar_mass: *molar_mass,
        elements: elements.as_ref().map(|e| e.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        formation_enthalpy: *formation_enthalpy,
        heat_capacity: heat_capacity.as_ref().map(heat_capacity_to_wire),
        sources: sources.clone(),
        note: note.clone(),
    }
}

fn heat_capacity_to_wire(h: &HeatCapacity) -> wire::HeatCapacity {
    match h {
        HeatCapacity::Constant { cp } => wire::HeatCapacity::Constant { cp: *cp },
        HeatCapacity::ConstantMass { cp } => wire::HeatCapacity::ConstantMass { cp: *cp },
        HeatCapacity::Shomate { ranges } => wire::HeatCapacity::Shomate {
            ranges: ranges
                .iter()
                .map(|r| {
                    let ShomateRange { t_min, t_max, coefficients } = *r;
                    wire::ShomateRange { t_min, t_max, coefficients }
                })
                .collect(),
        },
    }
}

/// The message that creates a unit of type `type_name` with `config`.
pub fn unit_config_to_wire(type_name: &str, config: &UnitConfig<'_>) -> wire::UnitConfigMessage {
    let UnitConfig { name, components, params, connections } = *config;
    wire::UnitConfigMessage {
        type_name: type_name.to_string(),
        name: name.to_string(),
        components: components.iter().map(component_to_wire).collect(),
        params: params_to_wire(params),
        connections: connections_to_wire(connections),
    }
}
