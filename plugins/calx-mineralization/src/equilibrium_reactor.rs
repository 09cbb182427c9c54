//! `equilibrium_reactor`: brings a slurry (and a gas, if one enters) to chemical equilibrium.
//!
//! Any flowsheet may use it: everything entering is mixed, its water is speciated with
//! `calx-aqueous`, the listed minerals dissolve or precipitate to equilibrium (or to a set
//! `approach`), the gas's CO2 dissolves or degasses at the lower inlet pressure, and the
//! vent leaves saturated with water vapour (see the `equilibrium` module for the equations and
//! how dissolved matter is written into the outlet). Heat: the `tank` module (held at the
//! mixing temperature of what enters, at a set `T`, or adiabatic); no agitation power.
//!
//! Reports: heat duty "equilibrium", sizes "pH", "ionic_strength", "co2_taken_up" (kg/s,
//! negative when CO2 degasses) and "throughput"; notes with each mineral's saturation index
//! and, beyond its range, the activity model's warning.

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport,
    UnitType,
};

use crate::common::{check_inlets, inlet_ports, lowest_pressure, mix};
use crate::equilibrium::{Equilibrator, params};
use crate::tank::{Enthalpies, Thermal, energy_balance, thermal_mode, thermal_params};

/// The `equilibrium_reactor` unit type.
pub struct EquilibriumReactor;

struct EquilibriumReactorUnit {
    set: Arc<ComponentSet>,
    equilibrator: Equilibrator,
    thermal: Thermal,
    /// Specific enthalpies at 25 degC and at `T` when it is set.
    enthalpies: Enthalpies,
    ports: Vec<String>,
    has_vent: bool,
}

/// Minerals an equilibrium reactor equilibrates unless told otherwise.
const DEFAULT_MINERALS: [&str; 3] = ["Calcite", "Portlandite", "Brucite"];

impl UnitType for EquilibriumReactor {
    fn descriptor(&self) -> UnitDescriptor {
        let mut params = params(&DEFAULT_MINERALS);
        params.extend(thermal_params());
        UnitDescriptor {
            type_name: "equilibrium_reactor".into(),
            summary: "Brings a slurry, and a gas if one enters, to aqueous and mineral equilibrium (pH, CO2 uptake, dissolution and precipitation; PHREEQC's phreeqc.dat constants).".into(),
            ports: vec![
                PortSpec::inlet("in", "slurry or solution (and any solids)").many(),
                PortSpec::inlet("gas", "gas in contact with the slurry").optional(),
                PortSpec::outlet("slurry", "solution and solids at equilibrium"),
                PortSpec::outlet("vent", "gas leaving, with its water vapour").optional(),
            ],
            params,
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let has_gas = !config.connections.inlet("gas").is_empty();
        let has_vent = !config.connections.outlet("vent").is_empty();
        if has_gas && !has_vent {
            return Err(UnitError::port("vent", "must be connected when a gas enters: the gas has to leave"));
        }
        let thermal = thermal_mode(config.params)?;
        Ok(Box::new(EquilibriumReactorUnit {
            set: config.components.clone(),
            equilibrator: Equilibrator::from_params(config.components, config.params)?,
            thermal,
            enthalpies: Enthalpies::new(config.components, thermal.known()),
            ports: inlet_ports(config.connections),
            has_vent,
        }))
    }
}

impl UnitOperation for EquilibriumReactorUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        self.calculate_from(&[], inlets, outlets, report)
    }

    /// `start`: where every speciation of the calculation starts (see `Equilibrator::run`).
    fn calculate_from(
        &self,
        start: &[f64],
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        let set = &*self.set;
        check_inlets(set, inlets, &self.ports)?;
        let mixed = mix(inlets, set.len());
        let entering: Vec<(&[f64], f64)> = inlets.iter().map(|s| (s.flows.as_slice(), s.temperature)).collect();
        // The equilibrium is taken at the operating temperature: the set one, or the mixing
        // temperature (the energy balance of the unchanged mixture gives it); adiabatic units
        // iterate below.
        let pressure = lowest_pressure(inlets);
        let mut t = match self.thermal {
            Thermal::Temperature(t) => t,
            _ => energy_balance(
                set,
                &self.enthalpies,
                Thermal::Feed,
                &entering,
                &mixed,
                "equilibrium",
                &mut UnitReport::default(),
            )?,
        };
        let mut outcome = self.equilibrator.run(&mixed, t, pressure, start)?;
        if self.thermal == Thermal::Adiabatic {
            let mut settled = false;
            for _ in 0..ADIABATIC_PASSES {
                let all = sum(&outcome.slurry, &outcome.vent);
                let next = energy_balance(
                    set,
                    &self.enthalpies,
                    Thermal::Adiabatic,
                    &entering,
                    &all,
                    "equilibrium",
                    &mut UnitReport::default(),
                )?;
                if (next - t).abs() < 1e-9 {
                    settled = true;
                    break;
                }
                t = next;
                outcome = self.equilibrator.run(&mixed, t, pressure, start)?;
            }
            if !settled {
                return Err(UnitError::Calculation(format!(
                    "adiabatic: the temperature and the equilibrium did not settle together in {ADIABATIC_PASSES} passes (last {t:.6} K)"
                )));
            }
        }
        let all = sum(&outcome.slurry, &outcome.vent);
        let thermal = if self.thermal == Thermal::Adiabatic { Thermal::Adiabatic } else { Thermal::Temperature(t) };
        let t_out = energy_balance(set, &self.enthalpies, thermal, &entering, &all, "equilibrium", report)?;
        if !self.has_vent && outcome.vent.iter().any(|&w| w > 0.0) {
            return Err(UnitError::port("vent", "is not connected, but gas leaves the unit: connect a `vent` stream"));
        }
        write(&mut outlets[0], &outcome.slurry, t_out, pressure);
        if let Some(vent) = outlets.get_mut(1) {
            write(vent, &outcome.vent, t_out, pressure);
        }
        self.equilibrator.report(&outcome, report);
        report.size("co2_taken_up", outcome.co2_taken_up, Dimension::MASS_FLOW);
        report.size("throughput", outcome.slurry.iter().sum(), Dimension::MASS_FLOW);
        Ok(())
    }
}

/// Passes of equilibrium and temperature for an adiabatic unit; the heat of reaction moves
/// the temperature, which moves the equilibrium only a little, so a few passes settle to 1e-9 K.
const ADIABATIC_PASSES: usize = 30;

fn sum(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn write(out: &mut Stream, flows: &[f64], t: f64, p: f64) {
    out.flows.copy_from_slice(flows);
    out.temperature = t;
    out.pressure = p;
}
