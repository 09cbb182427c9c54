//! `gas_pretreatment`: conditions raw flue gas before it is bubbled through the slurry.
//!
//! * Removal: a fraction `removal_i` of each component goes to `removed` (particulates, SO2,
//!   condensed water); the rest leaves in `gas`. Nothing is removed by default.
//! * Blower: the conditioned gas leaves at the inlet pressure plus `pressure_rise` (the
//!   blower exists to push the gas through the slurry column downstream), at the inlet
//!   temperature (the heat of compression, about dp / (rho cp eta) = 15 K at 10 kPa, is not
//!   modelled). `removed` leaves at inlet conditions.
//! * Electricity, one of:
//!   - `specific_energy` e (J per kg of gas fed): P = e * m_in;
//!   - fan equation (docs/sources.md §Blowers and fans, engineeringtoolbox): P = dp * q / eta, with q the
//!     volumetric flow of the gas-phase components at inlet T and P by the ideal-gas law,
//!     q = (sum_i m_i / M_i) R T / P, R = 8.314462618 J/(mol K). `pressure_rise` and
//!     `efficiency` default to the assumed example of docs/sources.md §Blowers and fans (10 kPa, 0.6).
//!
//!   When `specific_energy` is given it replaces the fan equation; `pressure_rise` then only
//!   sets the outlet pressure.
//!
//! Reports: electricity "blower", sizes "gas_flow" (m3/s at inlet conditions) and
//! "throughput" (kg/s of gas fed).

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{R, check_inlets, check_outlets, fraction, inlet, inlet_ports, non_negative, opt_non_negative};

/// The `gas_pretreatment` unit type.
pub struct GasPretreatment;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Blower {
    /// J per kg of gas fed.
    Specific(f64),
    /// Fan equation with this overall efficiency.
    Fan(f64),
}

struct GasPretreatmentUnit {
    set: Arc<ComponentSet>,
    removal: Vec<f64>,
    blower: Blower,
    pressure_rise: f64,
    has_removed: bool,
    ports: Vec<String>,
}

impl UnitType for GasPretreatment {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "gas_pretreatment".into(),
            summary: "Flue-gas conditioning: removes fractions of components (dust, SO2, condensate) and blows the gas to the carbonator.".into(),
            ports: vec![
                PortSpec::inlet("gas", "raw flue gas"),
                PortSpec::outlet("gas", "conditioned gas, at inlet pressure + pressure_rise"),
                PortSpec::outlet("removed", "what the conditioning removes (may be left unconnected if nothing is removed)")
                    .optional(),
            ],
            params: vec![
                ParamSpec::with_default(
                    "removal",
                    ParamKind::per_component(ParamKind::Fraction),
                    ParamValue::Map(Default::default()),
                    "Fraction of each component's inlet flow sent to `removed`; components not listed pass through",
                    "assumption [U]: nothing removed unless stated (docs/sources.md §Blowers and fans: no pre-treatment data found)",
                ),
                ParamSpec::optional(
                    "specific_energy",
                    ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"),
                    "Blower electricity per kg of gas fed; replaces the fan equation when given",
                ),
                ParamSpec::with_default(
                    "pressure_rise",
                    ParamKind::quantity(Dimension::PRESSURE, "kPa"),
                    ParamValue::Number(10e3),
                    "Pressure the blower adds (fan equation, and the outlet pressure)",
                    "assumption [U]: docs/sources.md §Blowers and fans example, about 1 m of slurry head plus losses",
                ),
                ParamSpec::with_default(
                    "efficiency",
                    ParamKind::Fraction,
                    ParamValue::Number(0.6),
                    "Overall blower efficiency (fan x belt x motor) in the fan equation",
                    "assumption [U]: docs/sources.md §Blowers and fans example",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        let removal = p.component_vector("removal", set, 0.0)?;
        for (c, &x) in set.iter().zip(&removal) {
            fraction("removal", &c.name, x)?;
        }
        let has_removed = !config.connections.outlet("removed").is_empty();
        if !has_removed && let Some((c, x)) = set.iter().zip(&removal).find(|(_, x)| **x > 0.0) {
            return Err(UnitError::param(
                "removal",
                format!("sends {} % of {} to `removed`, but that outlet is not connected", x * 100.0, c.name),
            ));
        }
        let pressure_rise = non_negative("pressure_rise", p.number("pressure_rise")?, "Pa")?;
        let efficiency = fraction("efficiency", "", p.number("efficiency")?)?;
        let blower = match opt_non_negative(p, "specific_energy", "J/kg")? {
            Some(e) => Blower::Specific(e),
            None if efficiency > 0.0 => Blower::Fan(efficiency),
            None => {
                return Err(UnitError::param(
                    "efficiency",
                    "must be above zero for the fan equation (or give `specific_energy`)",
                ));
            }
        };
        Ok(Box::new(GasPretreatmentUnit {
            set: set.clone(),
            removal,
            blower,
            pressure_rise,
            has_removed,
            ports: inlet_ports(config.connections),
        }))
    }
}

impl UnitOperation for GasPretreatmentUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        check_inlets(&self.set, inlets, &self.ports)?;
        check_outlets(outlets, 1 + usize::from(self.has_removed), self.set.len())?;
        let feed = inlet(inlets, 0, "gas")?;
        let (gas, rest) = outlets.split_at_mut(1);
        let gas = &mut gas[0];
        for (i, &w) in feed.flows.iter().enumerate() {
            let w = w.max(0.0);
            let r = w * self.removal[i];
            gas.flows[i] = w - r;
            if let Some(removed) = rest.first_mut() {
                removed.flows[i] = r;
            }
        }
        gas.temperature = feed.temperature;
        gas.pressure = feed.pressure + self.pressure_rise;
        if let Some(removed) = rest.first_mut() {
            removed.temperature = feed.temperature;
            removed.pressure = feed.pressure;
        }

        // Ideal-gas volume flow of the gas-phase components at inlet conditions.
        let mut moles = 0.0;
        let mut unknown = None;
        for (c, &w) in self.set.iter().zip(&feed.flows) {
            if c.phase != Phase::Gas || w <= 0.0 {
                continue;
            }
            match c.molar_mass {
                Some(m) => moles += w / m,
                None => unknown = Some(c.name.clone()),
            }
        }
        let q = moles * R * feed.temperature / feed.pressure;
        let mass = feed.total_mass();
        let watts = match self.blower {
            Blower::Specific(e) => {
                if let Some(name) = &unknown {
                    report.note(format!("gas_flow leaves out {name}, which has no molar mass"));
                }
                e * mass
            }
            Blower::Fan(eta) => {
                if let Some(name) = unknown {
                    return Err(UnitError::Calculation(format!(
                        "gas component {name} has no molar mass, so the gas volume for the fan equation is unknown; give `specific_energy` instead"
                    )));
                }
                self.pressure_rise * q / eta
            }
        };
        report.utility(Utility::Electricity, "blower", watts);
        report.size("gas_flow", q, Dimension::VOLUME_FLOW);
        report.size("throughput", mass, Dimension::MASS_FLOW);
        Ok(())
    }
}
