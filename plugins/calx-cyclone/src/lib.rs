//! A gas cyclone (reverse-flow, tangential inlet, Lapple standard proportions) separating
//! entrained solids from a gas stream — e.g. fly ash carried by flue gas ahead of
//! CO2 mineralization. Written only against `calx-plugin-sdk`, as an outside author would.
//!
//! Model (Cooper & Alley, *Air Pollution Control: A Design Approach*, 4th ed., ch. 6;
//! Perry's Chemical Engineers' Handbook, 8th ed., §17 "Gas-solid separations"):
//! - geometry: Lapple standard proportions, inlet height H = D/2, width W = D/4; the body
//!   diameter D follows from the gas flow Q and the inlet velocity: Q = V_i·H·W;
//! - Lapple cut size: d50 = sqrt(9·mu·W / (2·pi·N_e·V_i·(rho_p − rho_g)));
//! - Lapple grade efficiency: eta(d) = 1 / (1 + (d50/d)^2), integrated over a log-normal
//!   mass distribution of the feed dust (mass median diameter, geometric standard deviation);
//! - Shepherd-Lapple pressure drop: dP = N_H · rho_g·V_i²/2, N_H = 8 for the standard design;
//! - fan power: Q·dP / efficiency.
//!
//! Solid components are split by the overall efficiency; gas and liquid components leave
//! with the clean gas. The unit is isothermal; both outlets leave at the inlet pressure
//! minus the pressure drop.
//!
//! Reports the sizes `diameter`, `gas_flow` (the actual gas flow at the inlet, m3/s),
//! `inlet_area` (H·W, m2, which the TEA's `coury_cyclone` correlation costs a cyclone by),
//! `pressure_drop`, `cut_size` and `collection_efficiency`.

use std::sync::Arc;

use calx_plugin_sdk::calx_core::Phase;
use calx_plugin_sdk::{
    Dimension, ParamKind, ParamSpec, ParamValue, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType, Utility,
};

/// Provider name.
pub const PROVIDER: &str = "calx-cyclone";

/// Gas constant, J/(mol K).
const R: f64 = 8.314_462_618;

/// Lapple standard proportions: inlet height/D and width/D.
const H_OVER_D: f64 = 0.5;
const W_OVER_D: f64 = 0.25;

/// The cyclone unit type.
pub struct Cyclone;

/// The plugin's unit types.
pub fn unit_types() -> Vec<Arc<dyn UnitType>> {
    vec![Arc::new(Cyclone)]
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

impl UnitType for Cyclone {
    fn descriptor(&self) -> UnitDescriptor {
        let q = ParamKind::quantity;
        UnitDescriptor {
            type_name: "cyclone".into(),
            summary:
                "Gas cyclone: Lapple cut size and grade efficiency over a log-normal dust; pressure drop and fan power."
                    .into(),
            ports: vec![
                PortSpec::inlet("gas", "dusty gas"),
                PortSpec::outlet("gas", "cleaned gas with the dust not collected"),
                PortSpec::outlet("solids", "collected dust"),
            ],
            params: vec![
                ParamSpec::with_default(
                    "inlet_velocity",
                    q(Dimension::LENGTH / Dimension::TIME, "m/s"),
                    num(20.0),
                    "gas velocity in the inlet duct; sets the cyclone diameter",
                    "[S] Cooper & Alley 4th ed. §6: typical 15-27 m/s (Lapple); 20 m/s taken",
                ),
                ParamSpec::with_default(
                    "effective_turns",
                    ParamKind::Number,
                    num(6.0),
                    "effective number of gas turns N_e in the Lapple cut-size equation",
                    "[S] Lapple (1951) via Cooper & Alley §6: N_e = 6 for standard proportions",
                ),
                ParamSpec::with_default(
                    "velocity_heads",
                    ParamKind::Number,
                    num(8.0),
                    "pressure drop in inlet velocity heads N_H",
                    "[S] Shepherd & Lapple (1939) via Cooper & Alley §6: N_H = K·H·W/De² = 8 for K = 16 and standard proportions",
                ),
                ParamSpec::with_default(
                    "particle_density",
                    q(Dimension::DENSITY, "kg/m3"),
                    num(2300.0),
                    "true density of the dust",
                    "[S] coal fly ash 2.1-2.6 g/cm3 (ACAA / FHWA fly-ash facts); 2.3 g/cm3 taken",
                ),
                ParamSpec::with_default(
                    "median_diameter",
                    q(Dimension::LENGTH, "um"),
                    num(20e-6),
                    "mass median diameter of the feed dust",
                    "[U] assumption: CFBC fly ash is typically 10-40 um mass median",
                ),
                ParamSpec::with_default(
                    "geometric_std",
                    ParamKind::Number,
                    num(2.5),
                    "geometric standard deviation of the log-normal dust size distribution",
                    "[U] assumption: 2-3 is usual for fly ash",
                ),
                ParamSpec::with_default(
                    "gas_viscosity",
                    q(Dimension::PRESSURE * Dimension::TIME, "Pa s"),
                    num(1.8e-5),
                    "gas dynamic viscosity",
                    "[S] air/flue gas near 25 degC: 1.8e-5 Pa s (Perry's 8th ed. table 2-312)",
                ),
                ParamSpec::with_default(
                    "fan_efficiency",
                    ParamKind::Fraction,
                    num(0.7),
                    "fan and motor efficiency for the pressure drop",
                    "[U] assumption: 0.6-0.8 for industrial fans",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let positive = |name: &str| -> Result<f64, UnitError> {
            let x = p.number(name)?;
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(UnitError::param(name, format!("must be above zero, found {x}")))
            }
        };
        let geometric_std = positive("geometric_std")?;
        if geometric_std < 1.0 {
            return Err(UnitError::param("geometric_std", format!("must be at least 1, found {geometric_std}")));
        }
        let set = config.components;
        let mut molar_masses = Vec::with_capacity(set.len());
        for c in set.iter() {
            if c.phase == Phase::Gas && c.molar_mass.is_none() {
                return Err(UnitError::port(
                    "gas",
                    format!("gas component {} has no molar mass, so the gas density is unknown", c.name),
                ));
            }
            molar_masses.push(c.molar_mass.unwrap_or(0.0));
        }
        Ok(Box::new(CycloneOp {
            inlet_velocity: positive("inlet_velocity")?,
            effective_turns: positive("effective_turns")?,
            velocity_heads: positive("velocity_heads")?,
            particle_density: positive("particle_density")?,
            median_diameter: positive("median_diameter")?,
            geometric_std,
            gas_viscosity: positive("gas_viscosity")?,
            fan_efficiency: positive("fan_efficiency")?,
            phases: set.iter().map(|c| c.phase).collect(),
            molar_masses,
        }))
    }
}

struct CycloneOp {
    inlet_velocity: f64,
    effective_turns: f64,
    velocity_heads: f64,
    particle_density: f64,
    median_diameter: f64,
    geometric_std: f64,
    gas_viscosity: f64,
    fan_efficiency: f64,
    phases: Vec<Phase>,
    molar_masses: Vec<f64>,
}

/// Overall mass efficiency of the Lapple curve over a log-normal mass distribution:
/// the integral of eta(d) over ln d, by the midpoint rule on ±5 geometric standard deviations.
pub fn overall_efficiency(d50: f64, median: f64, geometric_std: f64) -> f64 {
    if d50 <= 0.0 {
        return 1.0;
    }
    let s = geometric_std.ln();
    if s == 0.0 {
        return 1.0 / (1.0 + (d50 / median).powi(2));
    }
    const N: usize = 200;
    let (lo, hi) = (-5.0, 5.0);
    let h = (hi - lo) / N as f64;
    let mut total = 0.0;
    let mut weight = 0.0;
    for i in 0..N {
        let z = lo + (i as f64 + 0.5) * h;
        let w = (-0.5 * z * z).exp();
        let d = median * (z * s).exp();
        total += w / (1.0 + (d50 / d).powi(2));
        weight += w;
    }
    total / weight
}

impl UnitOperation for CycloneOp {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let inlet = &inlets[0];
        if let Some(problem) = inlet.flows.iter().position(|w| !w.is_finite() || *w < 0.0) {
            return Err(UnitError::port("gas", format!("inlet flow {problem} is {}", inlet.flows[problem])));
        }
        let (t, p) = (inlet.temperature, inlet.pressure);
        // Gas: ideal-gas density from the gas components' mass and molar flows.
        let (mut gas_mass, mut gas_moles) = (0.0, 0.0);
        for ((w, phase), m) in inlet.flows.iter().zip(&self.phases).zip(&self.molar_masses) {
            if *phase == Phase::Gas {
                gas_mass += w;
                gas_moles += w / m;
            }
        }
        let (volume_flow, rho_gas, diameter, d50, efficiency, dp) = if gas_moles > 0.0 {
            let q = gas_moles * R * t / p;
            let rho = gas_mass / q;
            let diameter = (q / (self.inlet_velocity * H_OVER_D * W_OVER_D)).sqrt();
            let width = W_OVER_D * diameter;
            let d50 = (9.0 * self.gas_viscosity * width
                / (2.0
                    * std::f64::consts::PI
                    * self.effective_turns
                    * self.inlet_velocity
                    * (self.particle_density - rho)))
                .sqrt();
            let eta = overall_efficiency(d50, self.median_diameter, self.geometric_std);
            let dp = self.velocity_heads * 0.5 * rho * self.inlet_velocity.powi(2);
            (q, rho, diameter, d50, eta, dp)
        } else {
            // No gas: nothing carries the dust; it all drops out.
            (0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
        };
        if dp >= p {
            return Err(UnitError::Calculation(format!(
                "pressure drop {dp:.0} Pa exceeds the inlet pressure {p:.0} Pa"
            )));
        }
        let (gas, solids) = outlets.split_at_mut(1);
        let (gas, solids) = (&mut gas[0], &mut solids[0]);
        for (i, (&w, phase)) in inlet.flows.iter().zip(&self.phases).enumerate() {
            let collected = if *phase == Phase::Solid { efficiency * w } else { 0.0 };
            solids.flows[i] = collected;
            gas.flows[i] = w - collected;
        }
        for s in [&mut *gas, &mut *solids] {
            s.temperature = t;
            s.pressure = p - dp;
        }
        report.utility(Utility::Electricity, "cyclone fan", volume_flow * dp / self.fan_efficiency);
        report.size("diameter", diameter, Dimension::LENGTH);
        report.size("gas_flow", volume_flow, Dimension::VOLUME_FLOW);
        // Inlet H x W of the Lapple proportions: what Coury et al.'s cyclone cost reads.
        report.size("inlet_area", H_OVER_D * W_OVER_D * diameter.powi(2), Dimension::LENGTH.powi(2));
        report.size("pressure_drop", dp, Dimension::PRESSURE);
        report.size("cut_size", d50, Dimension::LENGTH);
        report.size("collection_efficiency", efficiency, Dimension::DIMENSIONLESS);
        if rho_gas > 0.0 && !(15.0..=27.0).contains(&self.inlet_velocity) {
            report.note(format!("inlet velocity {} m/s is outside Lapple's usual 15-27 m/s", self.inlet_velocity));
        }
        Ok(())
    }
}

calx_plugin_sdk::export_plugin!(provider = PROVIDER, types_fn = unit_types);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lapple_curve_is_half_at_the_cut_size_and_rises_with_size() {
        assert!((overall_efficiency(10e-6, 10e-6, 1.0) - 0.5).abs() < 1e-12);
        let coarse = overall_efficiency(5e-6, 40e-6, 2.5);
        let fine = overall_efficiency(5e-6, 5e-6, 2.5);
        assert!(coarse > 0.9 && fine < 0.6 && fine > 0.4, "{coarse} {fine}");
    }

    #[test]
    fn cut_size_by_hand() {
        // Lapple's equation by hand: W = 0.25 m, V_i = 15 m/s, N_e = 6, mu = 1.8e-5 Pa s,
        // rho_p = 1500 kg/m3: 9·1.8e-5·0.25 / (2·pi·6·15·1500) = 4.77e-11 m², d50 = 6.9 um.
        let d50: f64 = (9.0 * 1.8e-5 * 0.25 / (2.0 * std::f64::consts::PI * 6.0 * 15.0 * 1500.0)).sqrt();
        assert!((d50 - 6.9e-6).abs() < 0.5e-6, "{d50}");
    }
}
