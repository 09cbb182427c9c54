//! What the hydrator and the carbonator share as stirred slurry tanks: the energy balance
//! and the agitation power.
//!
//! Energy balance (enthalpy reference: elements at 298.15 K, so reaction heats follow from
//! formation enthalpies, `calx_core::thermo`):
//!
//! * H_in = sum over everything entering (inlet streams and make-up water) of
//!   m_i (dHf_i / M_i + integral of cp_i from 298.15 K to T_stream).
//! * Operating temperature `T` given, or by default the adiabatic mixing temperature T_mix of
//!   everything entering (the tank is held at its feed temperature): the heat duty
//!   Q = H_out(T) - H_in is reported (negative = cooling, which is what exothermic hydration
//!   and carbonation need).
//! * `adiabatic: true`: no heat is exchanged and the outlet temperature solves
//!   H_out(T_out) = H_in.
//!
//! Agitation electricity, exactly one of:
//!
//! * `specific_energy` e (J per kg of slurry leaving): P = e * m_slurry;
//! * `power_per_volume` p (W/m3) times the tank volume, which needs `residence_time`:
//!   V = tau * m_slurry / rho_slurry * (1 + safety_margin), with
//!   1 / rho_slurry = w_s / rho_solids + (1 - w_s) / rho_liquid (ideal mixing of volumes,
//!   w_s = mass fraction of solid-phase components); P = p * V.
//!
//! The 15 % safety margin is the paper's "15 % capacity safety margin" (KIGAM 2022, Table 3).

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Params, Phase, UnitError, UnitReport, Utility,
};

use crate::common::{fraction, opt_non_negative, phase_mass, positive};

/// How the outlet temperature is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Thermal {
    /// Held at the mixing temperature of what enters; the duty is reported.
    Feed,
    /// Held at a set temperature; the duty is reported.
    Temperature(f64),
    /// No heat exchanged; the outlet temperature is computed.
    Adiabatic,
}

/// `T` and `adiabatic`.
pub(crate) fn thermal_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::optional(
            "T",
            ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
            "Operating (outlet) temperature; the heat duty to hold it is reported. Default: the mixing temperature of everything entering",
        ),
        ParamSpec::with_default(
            "adiabatic",
            ParamKind::Bool,
            ParamValue::Bool(false),
            "If true, no heat is exchanged and the outlet temperature is computed from the enthalpy balance (do not give `T` then)",
            "assumption [U]: a cooled tank held at its feed temperature unless stated; the paper (KIGAM 2022) gives no operating temperature",
        ),
    ]
}

/// Read `T` / `adiabatic` (at most one).
pub(crate) fn thermal_mode(p: &Params) -> Result<Thermal, UnitError> {
    let adiabatic = p.bool_opt("adiabatic")?.unwrap_or(false);
    match (p.number_opt("T")?, adiabatic) {
        (Some(_), true) => Err(UnitError::param("T", "and `adiabatic: true` are both given; give one of them")),
        (Some(t), false) => Ok(Thermal::Temperature(positive("T", t, "K")?)),
        (None, true) => Ok(Thermal::Adiabatic),
        (None, false) => Ok(Thermal::Feed),
    }
}

/// Enthalpy balance over a tank. `entering` lists (flows, temperature) of everything that
/// enters (inlets and make-up material), `out` the outlet flows (all outlets leave at one
/// temperature). Reports the duty under `purpose` and returns the outlet temperature.
pub(crate) fn energy_balance(
    set: &ComponentSet,
    thermal: Thermal,
    entering: &[(&[f64], f64)],
    out: &[f64],
    purpose: &'static str,
    report: &mut UnitReport,
) -> Result<f64, UnitError> {
    // What flows, found again where it is read (no list of its own per calculation).
    let flowing = || entering.iter().filter(|(f, _)| f.iter().sum::<f64>() > 0.0);
    let mut h_in = 0.0;
    for (flows, t) in flowing() {
        h_in += enthalpy_flow(set, flows, *t)?;
    }
    let t0 = flowing().next().map(|e| e.1).or(entering.first().map(|e| e.1)).unwrap_or(calx_core::thermo::T_REF);
    let t_mix = || -> Result<f64, UnitError> {
        // Equal temperatures need no solve: enthalpy is additive at one temperature.
        if flowing().all(|e| e.1 == t0) {
            return Ok(t0);
        }
        let mut mixed = crate::scratch::Scratch::zeros(set.len());
        for (flows, _) in flowing() {
            for (m, w) in mixed.iter_mut().zip(flows.iter()) {
                *m += w;
            }
        }
        Ok(temperature_for_enthalpy(set, &mixed, h_in, t0)?)
    };
    let t_out = match thermal {
        Thermal::Adiabatic => {
            let t = temperature_for_enthalpy(set, out, h_in, t_mix()?)?;
            report.heat_duty(purpose, 0.0);
            t
        }
        Thermal::Feed | Thermal::Temperature(_) => {
            let t = if let Thermal::Temperature(t) = thermal { t } else { t_mix()? };
            report.heat_duty(purpose, enthalpy_flow(set, out, t)? - h_in);
            t
        }
    };
    if t_out > 373.15 {
        // Calx has no phase equilibrium: liquid water above its normal boiling point would
        // in reality boil off or need a pressurised vessel.
        report.note(format!(
            "outlet temperature {:.1} degC is above 100 degC: water would boil at 1 atm (evaporation is not modelled)",
            t_out - 273.15
        ));
    }
    Ok(t_out)
}

/// How the agitator's electricity is found.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Power {
    /// J per kg of slurry leaving.
    Specific(f64),
    /// W per m3 of tank volume.
    PerVolume(f64),
}

/// Agitation and tank size of a stirred slurry tank.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Agitation {
    power: Power,
    residence_time: Option<f64>,
    margin: f64,
    rho_solids: f64,
    rho_liquid: f64,
}

/// Parameters of [`Agitation`].
pub(crate) fn agitation_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::optional(
            "specific_energy",
            ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"),
            "Agitation electricity per kg of slurry leaving (give this or `power_per_volume`)",
        ),
        ParamSpec::optional(
            "power_per_volume",
            ParamKind::quantity(Dimension::POWER_DENSITY, "kW/m3"),
            "Agitation electricity per m3 of tank volume (give this or `specific_energy`; needs `residence_time`)",
        ),
        ParamSpec::optional(
            "residence_time",
            ParamKind::quantity(Dimension::TIME, "min"),
            "Mean residence time of the slurry; when given, the tank volume is reported",
        ),
        ParamSpec::with_default(
            "safety_margin",
            ParamKind::Fraction,
            ParamValue::Number(0.15),
            "Extra tank capacity over the working volume",
            "KIGAM 2022 Table 3: \"15 % capacity safety margin\" [R]",
        ),
        ParamSpec::with_default(
            "solids_density",
            ParamKind::quantity(Dimension::DENSITY, "kg/m3"),
            ParamValue::Number(2700.0),
            "Density of the solid phase, for the slurry volume",
            "assumption [U]: about that of calcite (2710) and quartz (2650); no ash density found (docs/sources.md §Stirred tanks)",
        ),
        ParamSpec::with_default(
            "liquid_density",
            ParamKind::quantity(Dimension::DENSITY, "kg/m3"),
            ParamValue::Number(997.0),
            "Density of the liquid phase, for the slurry volume",
            "assumption [U]: liquid water at 25 degC, 997 kg/m3 (standard property; docs/sources.md §Stirred tanks)",
        ),
    ]
}

impl Agitation {
    /// Read and check the agitation parameters.
    pub(crate) fn from_params(p: &Params) -> Result<Agitation, UnitError> {
        let residence_time = opt_non_negative(p, "residence_time", "s")?;
        Agitation::read(p, residence_time.is_some(), residence_time)
    }

    /// The agitation of a vessel sized elsewhere (`mode: rate`: by `volume` or
    /// `residence_time`), reported with [`Agitation::report_vessel`].
    pub(crate) fn for_sized_vessel(p: &Params) -> Result<Agitation, UnitError> {
        Agitation::read(p, true, None)
    }

    fn read(p: &Params, sized: bool, residence_time: Option<f64>) -> Result<Agitation, UnitError> {
        let specific = opt_non_negative(p, "specific_energy", "J/kg")?;
        let per_volume = opt_non_negative(p, "power_per_volume", "W/m3")?;
        let power = match (specific, per_volume) {
            (Some(_), Some(_)) => {
                return Err(UnitError::param(
                    "specific_energy",
                    "and `power_per_volume` are both given; give one of them for the agitation electricity",
                ));
            }
            (Some(e), None) => Power::Specific(e),
            (None, Some(_)) if !sized => {
                return Err(UnitError::param(
                    "residence_time",
                    "is required with `power_per_volume`: the tank volume is residence time x slurry volume flow",
                ));
            }
            (None, Some(pv)) => Power::PerVolume(pv),
            (None, None) => {
                return Err(UnitError::param(
                    "specific_energy",
                    "or `power_per_volume` (with `residence_time`) is required for the agitation electricity",
                ));
            }
        };
        let margin = fraction("safety_margin", "", p.number("safety_margin")?)?;
        let rho_solids = positive("solids_density", p.number("solids_density")?, "kg/m3")?;
        let rho_liquid = positive("liquid_density", p.number("liquid_density")?, "kg/m3")?;
        Ok(Agitation { power, residence_time, margin, rho_solids, rho_liquid })
    }

    /// Report throughput, volume (with `residence_time`) and agitation electricity for the
    /// slurry leaving (`slurry` = its flows).
    pub(crate) fn report(&self, set: &ComponentSet, slurry: &[f64], report: &mut UnitReport) {
        let mass: f64 = slurry.iter().sum();
        report.size("throughput", mass, Dimension::MASS_FLOW);
        let volume = self.residence_time.map(|tau| {
            let w_s = if mass > 0.0 { phase_mass(set, slurry, Phase::Solid) / mass } else { 0.0 };
            // Non-solid components are counted as liquid: a slurry outlet carries no gas.
            let rho = 1.0 / (w_s / self.rho_solids + (1.0 - w_s) / self.rho_liquid);
            report.size("slurry_density", rho, Dimension::DENSITY);
            let v = tau * mass / rho * (1.0 + self.margin);
            report.size("volume", v, Dimension::VOLUME);
            v
        });
        let watts = match (self.power, volume) {
            (Power::Specific(e), _) => e * mass,
            (Power::PerVolume(p), Some(v)) => p * v,
            // from_params refuses power_per_volume without residence_time.
            (Power::PerVolume(_), None) => 0.0,
        };
        report.utility(Utility::Electricity, "agitation", watts);
    }

    /// [`Agitation::report`] for a vessel whose volume is known (`mode: rate` sizes it):
    /// throughput, `vessel` volume, the `density` the size was found with, and the electricity.
    pub(crate) fn report_vessel(&self, slurry: &[f64], vessel: f64, density: f64, report: &mut UnitReport) {
        let mass: f64 = slurry.iter().sum();
        report.size("throughput", mass, Dimension::MASS_FLOW);
        report.size("slurry_density", density, Dimension::DENSITY);
        report.size("volume", vessel, Dimension::VOLUME);
        let watts = match self.power {
            Power::Specific(e) => e * mass,
            Power::PerVolume(p) => p * vessel,
        };
        report.utility(Utility::Electricity, "agitation", watts);
    }
}
