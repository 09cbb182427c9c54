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
//!
//! A tank knows some temperatures before it calculates (25 degC, where feeds usually enter,
//! its operating temperature, its make-up water's): [`Enthalpies`] holds every component's
//! specific enthalpy at those, found once when the unit is created, so that a study's samples
//! only multiply and add (the same products summed in the same order: the same bits).

use calx_core::thermo::{T_REF, enthalpy_flow, temperature_for_enthalpy};
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

impl Thermal {
    /// The operating temperature when it is set (known before any calculation).
    pub(crate) fn known(self) -> Option<f64> {
        if let Thermal::Temperature(t) = self { Some(t) } else { None }
    }
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

/// Specific enthalpies (J/kg) of every component at a few temperatures known when a unit is
/// created; [`Enthalpies::flow`] is [`enthalpy_flow`] without evaluating them again.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Enthalpies {
    /// (temperature, each component's specific enthalpy there; NaN where it has no data, so
    /// that a sum over a flowing component without data is not finite).
    table: Vec<(f64, Vec<f64>)>,
}

impl Enthalpies {
    /// The specific enthalpies at 25 degC (where feeds usually enter) and at each of `known`
    /// (a temperature listed twice is kept once).
    pub(crate) fn new(set: &ComponentSet, known: impl IntoIterator<Item = f64>) -> Enthalpies {
        let mut table: Vec<(f64, Vec<f64>)> = Vec::new();
        for t in std::iter::once(T_REF).chain(known) {
            if table.iter().any(|(k, _)| k.to_bits() == t.to_bits()) {
                continue;
            }
            table.push((t, set.iter().map(|c| c.specific_enthalpy(t).unwrap_or(f64::NAN)).collect()));
        }
        Enthalpies { table }
    }

    /// [`enthalpy_flow`] of `flows` at `t`: from the table when `t` is one of its temperatures
    /// (bit for bit) and the sum is finite; otherwise `enthalpy_flow` itself, which gives the
    /// error it always gave (a flowing component without data, a sum that is not finite).
    pub(crate) fn flow(&self, set: &ComponentSet, flows: &[f64], t: f64) -> calx_core::Result<f64> {
        if let Some(specific) = self.at(t) {
            // The sum enthalpy_flow makes: zero flows skipped, products added in order.
            let mut h = 0.0;
            for (&w, &hs) in flows.iter().zip(specific) {
                if w != 0.0 {
                    h += w * hs;
                }
            }
            if h.is_finite() {
                return Ok(h);
            }
        }
        enthalpy_flow(set, flows, t)
    }

    /// [`Enthalpies::flow`] of `flows` entering at `t` if they flow (sum above zero), else
    /// `None`: one pass over the flows when `t` is in the table.
    fn entering(&self, set: &ComponentSet, flows: &[f64], t: f64) -> calx_core::Result<Option<f64>> {
        let Some(specific) = self.at(t).filter(|s| s.len() == flows.len()) else {
            return if flows.iter().sum::<f64>() > 0.0 { self.flow(set, flows, t).map(Some) } else { Ok(None) };
        };
        // The sum `Iterator::sum` makes (every flow, in order) next to the sum `flow` makes.
        let (mut total, mut h) = (0.0, 0.0);
        for (&w, &hs) in flows.iter().zip(specific) {
            total += w;
            if w != 0.0 {
                h += w * hs;
            }
        }
        match total > 0.0 {
            false => Ok(None),
            true if h.is_finite() => Ok(Some(h)),
            true => enthalpy_flow(set, flows, t).map(Some),
        }
    }

    /// The specific enthalpies at `t`, if it is one of the table's temperatures (bit for bit).
    fn at(&self, t: f64) -> Option<&[f64]> {
        self.table.iter().find(|(k, _)| k.to_bits() == t.to_bits()).map(|(_, specific)| specific.as_slice())
    }
}

/// Enthalpy balance over a tank. `entering` lists (flows, temperature) of everything that
/// enters (inlets and make-up material), `out` the outlet flows (all outlets leave at one
/// temperature); `known` holds the specific enthalpies at the temperatures known beforehand.
/// Reports the duty under `purpose` and returns the outlet temperature.
pub(crate) fn energy_balance(
    set: &ComponentSet,
    known: &Enthalpies,
    thermal: Thermal,
    entering: &[(&[f64], f64)],
    out: &[f64],
    purpose: &'static str,
    report: &mut UnitReport,
) -> Result<f64, UnitError> {
    // One pass for the enthalpy entering (of what flows: a sum above zero), the first flowing
    // temperature and whether every flowing stream has it.
    let mut h_in = 0.0;
    let mut first = None;
    let mut one_temperature = true;
    for (flows, t) in entering {
        let Some(h) = known.entering(set, flows, *t)? else { continue };
        h_in += h;
        first = first.or(Some(*t));
        one_temperature &= first.is_some_and(|t0| *t == t0);
    }
    let t0 = first.or(entering.first().map(|e| e.1)).unwrap_or(T_REF);
    let t_mix = || -> Result<f64, UnitError> {
        // Equal temperatures need no solve: enthalpy is additive at one temperature.
        if one_temperature {
            return Ok(t0);
        }
        let mut mixed = crate::scratch::Scratch::zeros(set.len());
        for (flows, _) in entering.iter().filter(|(f, _)| f.iter().sum::<f64>() > 0.0) {
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
            report.heat_duty(purpose, known.flow(set, out, t)? - h_in);
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

#[cfg(test)]
mod tests {
    use calx_core::thermo::{T_REF, enthalpy_flow};
    use calx_core::{Component, ComponentSet, Phase};

    use super::{Enthalpies, Thermal, energy_balance};
    use crate::tests::{CAO, CO2, H2O, N2, set};

    /// `Enthalpies::flow` and `enthalpy_flow` agree bit for bit, value or error.
    fn same(known: &Enthalpies, set: &ComponentSet, flows: &[f64], t: f64) {
        match (known.flow(set, flows, t), enthalpy_flow(set, flows, t)) {
            (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{flows:?} at {t} K"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{a:?} from the table, {b:?} from enthalpy_flow"),
        }
    }

    #[test]
    fn enthalpies_from_the_table_are_enthalpy_flow_bit_for_bit() {
        let set = set();
        let known = Enthalpies::new(&set, [350.0, T_REF]);
        assert_eq!(known.table.len(), 2, "25 degC kept once");
        let mut flows = vec![0.0; set.len()];
        flows[CAO] = 0.3;
        flows[H2O] = 2.0 / 3.0;
        flows[CO2] = -1e-20;
        flows[N2] = 1.7;
        for t in [T_REF, 350.0, 351.0] {
            same(&known, &set, &flows, t);
        }
        same(&known, &set, &vec![0.0; set.len()], 350.0);
    }

    #[test]
    fn a_component_without_data_or_a_sum_too_large_gives_enthalpy_flows_error() {
        let bare = Component::pseudo("bare", Phase::Solid, Some(0.1)).unwrap();
        let water = set().get(H2O).unwrap().clone();
        let set = ComponentSet::new(vec![water, bare]).unwrap();
        let known = Enthalpies::new(&set, [350.0]);
        // Not flowing, the component needs no data; flowing, it is the same error.
        same(&known, &set, &[1.0, 0.0], 350.0);
        same(&known, &set, &[1.0, 0.5], 350.0);
        assert!(known.flow(&set, &[1.0, 0.5], 350.0).is_err());
        same(&known, &set, &[f64::MAX, 0.0], T_REF);
        assert!(known.flow(&set, &[f64::MAX, 0.0], T_REF).is_err());
    }

    #[test]
    fn only_what_flows_enters() {
        let set = set();
        let known = Enthalpies::new(&set, []);
        let mut flows = vec![0.0; set.len()];
        assert_eq!(known.entering(&set, &flows, T_REF).unwrap(), None);
        flows[CAO] = 1.0;
        flows[N2] = -1.0;
        assert_eq!(known.entering(&set, &flows, T_REF).unwrap(), None, "a sum of zero");
        flows[N2] = 0.5;
        let h = known.entering(&set, &flows, T_REF).unwrap().unwrap();
        assert_eq!(h.to_bits(), enthalpy_flow(&set, &flows, T_REF).unwrap().to_bits());
        let off_table = known.entering(&set, &flows, 330.0).unwrap().unwrap();
        assert_eq!(off_table.to_bits(), enthalpy_flow(&set, &flows, 330.0).unwrap().to_bits());
    }

    #[test]
    fn a_balance_from_the_table_is_the_balance_without_it() {
        // Two feeds at different temperatures (a mixing temperature solved), at the set
        // operating temperature; with and without that temperature in the table.
        let set = set();
        let mut solids = vec![0.0; set.len()];
        solids[CAO] = 1.0;
        let mut water = vec![0.0; set.len()];
        water[H2O] = 3.0;
        let out: Vec<f64> = solids.iter().zip(&water).map(|(a, b)| a + b).collect();
        let entering = [(solids.as_slice(), T_REF), (water.as_slice(), 320.0)];
        for thermal in [Thermal::Feed, Thermal::Temperature(330.0), Thermal::Adiabatic] {
            let duty = |known: &Enthalpies| {
                let mut report = calx_core::UnitReport::default();
                let t = energy_balance(&set, known, thermal, &entering, &out, "test", &mut report).unwrap();
                (t.to_bits(), report)
            };
            let table = Enthalpies::new(&set, [330.0, 320.0]);
            let none = Enthalpies { table: Vec::new() };
            assert_eq!(duty(&table), duty(&none), "{thermal:?}");
        }
    }
}
