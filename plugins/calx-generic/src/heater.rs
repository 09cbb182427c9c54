//! `heater`: heats or cools a stream to a set temperature, or by a set duty.

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::{duty_param, temperature_param};
use crate::reactor::{Energy, energy_mode};

/// The `heater` unit type (a cooler is a heater with a lower outlet temperature or a
/// negative duty).
pub struct Heater;

struct HeaterUnit {
    set: Arc<ComponentSet>,
    energy: Energy,
    pressure_drop: f64,
}

impl UnitType for Heater {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "heater".into(),
            summary: "Heats or cools a stream to a temperature or by a duty (energy balance from formation enthalpies and heat capacities).".into(),
            ports: vec![PortSpec::inlet("in", "stream to heat or cool"), PortSpec::outlet("out", "heated or cooled stream")],
            params: vec![
                temperature_param("Outlet temperature (give this or `duty`)"),
                duty_param("Heat added, negative for cooling (give this or `T`)"),
                ParamSpec::with_default(
                    "pressure_drop",
                    ParamKind::quantity(Dimension::PRESSURE, "kPa"),
                    ParamValue::Number(0.0),
                    "Pressure drop across the unit",
                    "no pressure drop unless stated (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let energy = energy_mode(config.params)?;
        if matches!(energy, Energy::Isothermal) {
            return Err(UnitError::param("T", "or `duty` is required: a heater needs one of them"));
        }
        let pressure_drop = config.params.number("pressure_drop")?;
        if !(pressure_drop.is_finite() && pressure_drop >= 0.0) {
            return Err(UnitError::param("pressure_drop", format!("must be zero or more, found {pressure_drop} Pa")));
        }
        Ok(Box::new(HeaterUnit { set: config.components.clone(), energy, pressure_drop }))
    }
}

impl UnitOperation for HeaterUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        out.flows.copy_from_slice(&feed.flows);
        out.pressure = feed.pressure - self.pressure_drop;
        if out.pressure <= 0.0 {
            return Err(UnitError::param(
                "pressure_drop",
                format!("of {} Pa exceeds the inlet pressure {} Pa", self.pressure_drop, feed.pressure),
            ));
        }
        let h_in = enthalpy_flow(&self.set, &feed.flows, feed.temperature)?;
        match self.energy {
            Energy::Temperature(t) => {
                out.temperature = t;
                report.heat_duty("heat exchange", enthalpy_flow(&self.set, &out.flows, t)? - h_in);
            }
            Energy::Duty(q) => {
                out.temperature = temperature_for_enthalpy(&self.set, &out.flows, h_in + q, feed.temperature)?;
                report.heat_duty("heat exchange", q);
            }
            Energy::Isothermal => unreachable_isothermal()?,
        }
        Ok(())
    }
}

fn unreachable_isothermal() -> Result<(), UnitError> {
    Err(UnitError::Calculation("heater without T or duty (refused at creation)".into()))
}
