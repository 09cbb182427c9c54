//! `carbonator`: contacts hydrated slurry with flue gas and fixes CO2 as carbonates.
//!
//! Reactions (KIGAM 2022, Fig. 2; dHr from CRC formation enthalpies, docs/sources.md §Reaction enthalpies):
//!
//! * Ca(OH)2 + CO2 -> CaCO3 + H2O   (-114.7 kJ/mol, liquid water)
//! * Mg(OH)2 + CO2 -> MgCO3 + H2O   (-63.6 kJ/mol; -79.5 with the older MgCO3 datum)
//! * CaO + CO2 -> CaCO3             (-179.2 kJ/mol; direct carbonation, off by default)
//! * MgO + CO2 -> MgCO3             (-100.7 kJ/mol; off by default)
//!
//! `conversion` is keyed by the solid reactant; a reactant not listed is not converted.
//! Requested extents xi_r = X_r * n_r (mol/s, from the mixed inlets). Each consumes one CO2;
//! CO2 available = CO2 in the gas plus any in the slurry. When sum(xi_r) exceeds it, every
//! extent is scaled by f = available / demand so the CO2 is just used up (never a negative
//! flow), a note "CO2-limited: conversions scaled to f of requested" is added and size
//! "co2_limited" is 1 (else 0).
//!
//! Outlets by phase: gas-phase components (the gas less the CO2 fixed) leave in `vent`;
//! solids and liquids, including the water formed, in `slurry`. Both leave at the operating
//! temperature and at the lower inlet pressure. Evaporation of water into the gas is not
//! modelled (Calx has no phase equilibrium).
//!
//! Heat and agitation: see the `tank` module; the specific energy is per kg of slurry
//! leaving.
//!
//! `mode: equilibrium` replaces the conversions (then not allowed) by chemistry: the slurry is
//! brought to equilibrium with the gas at the operating temperature and the lower inlet
//! pressure (or to a set `approach`), with the listed `minerals` dissolving or precipitating,
//! and the vent leaves saturated with water vapour; pH, ionic strength and saturation indices
//! are reported (module `equilibrium`). `mode: rate` predicts the conversions from a rate
//! law, the reactor's residence-time distribution and its `volume` or `residence_time`, with
//! the solids seeing the CO2 partial pressure of the gas leaving and an optional kLa limit
//! (module `rate`, docs/kinetics.md); it reports each reactant's conversion, the residence
//! time, the vessel volume, `pco2_out`, `co2_limited` and `mass_transfer_limited`.
//! `mode: conversion` (the default) is the paper's accounting and leaves every number of the
//! reference plant where it was.
//!
//! Reports: heat duty "carbonation", electricity "agitation", sizes "co2_utilisation"
//! (CO2 fixed / CO2 fed, always), "co2_limited" (1/0), "co2_fixed" (kg/s), "throughput",
//! and with `residence_time` "volume" and "slurry_density".

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Reaction, Stream, UnitConfig,
    UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::{
    check_inlets, check_outlets, fraction, inlet, inlet_ports, lowest_pressure, mix, molar_mass, require,
    set_conversion, set_rate_constant,
};
use crate::equilibrium::{self, Equilibrator};
use crate::rate::{GasFeed, RateModel, rate_params, refuse_rate_params};
use crate::scratch::{stack_extents, with_entering};
use crate::tank::{Agitation, Enthalpies, Thermal, agitation_params, energy_balance, thermal_mode, thermal_params};

/// The `carbonator` unit type.
pub struct Carbonator;

/// (key reactant, reaction) in the order they are applied.
const REACTIONS: [(&str, &str); 4] = [
    ("Ca(OH)2", "Ca(OH)2 + CO2 -> CaCO3 + H2O"),
    ("Mg(OH)2", "Mg(OH)2 + CO2 -> MgCO3 + H2O"),
    ("CaO", "CaO + CO2 -> CaCO3"),
    ("MgO", "MgO + CO2 -> MgCO3"),
];

struct CarbonatorUnit {
    set: Arc<ComponentSet>,
    /// `mode: equilibrium`: the chemistry replaces the conversions.
    equilibrium: Option<Equilibrator>,
    /// `mode: rate`: a rate law and the reactor's size give the conversions (then `reactions`
    /// holds every reaction with a rate constant, at conversion 0).
    rate: Option<RateModel>,
    /// (reaction, key index, conversion), only for conversions above zero.
    reactions: Vec<(Reaction, usize, f64)>,
    co2: usize,
    thermal: Thermal,
    /// Specific enthalpies at 25 degC and at `T` when it is set.
    enthalpies: Enthalpies,
    agitation: Agitation,
    ports: Vec<String>,
}

impl UnitType for Carbonator {
    fn descriptor(&self) -> UnitDescriptor {
        let mut params = vec![
            ParamSpec::with_default(
                "mode",
                ParamKind::choice(&["conversion", "equilibrium", "rate"]),
                ParamValue::Text("conversion".into()),
                "`conversion`: the given conversions; `equilibrium`: the slurry is brought to equilibrium with the gas (aqueous chemistry); `rate`: a rate law and the reactor's size give the conversions (docs/kinetics.md)",
                "[R] the reference plant's accounting: KIGAM 2022 gives conversions",
            ),
            ParamSpec::optional(
                "conversion",
                ParamKind::per_component(ParamKind::Fraction),
                "Fraction of each solid reactant fed that is carbonated, keyed `Ca(OH)2`, `Mg(OH)2`, `CaO`, `MgO`; a reactant not listed is not converted (so the oxide routes are off by default). Required in `mode: conversion`",
            ),
        ];
        params.extend(equilibrium::params(&["Calcite", "Portlandite", "Brucite"]).into_iter().map(equilibrium_only));
        params.extend(rate_params(true));
        params.extend(thermal_params());
        params.extend(agitation_params());
        UnitDescriptor {
            type_name: "carbonator".into(),
            summary: "Carbonates hydroxides (and optionally oxides) in a slurry with the CO2 of a gas; scales conversions down when CO2 runs short.".into(),
            ports: vec![
                PortSpec::inlet("slurry", "hydrated slurry"),
                PortSpec::inlet("gas", "CO2-bearing gas"),
                PortSpec::outlet("slurry", "carbonated slurry (solids and liquids)"),
                PortSpec::outlet("vent", "gas-phase components less the CO2 fixed"),
            ],
            params,
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        let co2 = set.index_of("CO2").ok_or_else(|| {
            UnitError::port("gas", "the component set has no `CO2`: a carbonator needs CO2 in its gas")
        })?;
        let mode = p.text_opt("mode")?.unwrap_or("conversion");
        if mode != "rate" {
            refuse_rate_params(p, mode)?;
        }
        let equilibrium = match p.text_opt("mode")? {
            Some("rate") => return create_rate(config, co2),
            Some("equilibrium") => {
                if p.has("conversion") {
                    return Err(UnitError::param(
                        "conversion",
                        "is given with `mode: equilibrium`, where the chemistry sets the conversion: remove one",
                    ));
                }
                Some(Equilibrator::from_params(set, p)?)
            }
            _ => None,
        };
        if equilibrium.is_some() {
            if thermal_mode(p)? == Thermal::Adiabatic {
                return Err(UnitError::param(
                    "adiabatic",
                    "is not available with `mode: equilibrium` in a carbonator; give `T` or use an `equilibrium_reactor`",
                ));
            }
            let thermal = thermal_mode(p)?;
            return Ok(Box::new(CarbonatorUnit {
                set: set.clone(),
                equilibrium,
                rate: None,
                reactions: Vec::new(),
                co2,
                thermal,
                enthalpies: Enthalpies::new(set, thermal.known()),
                agitation: Agitation::from_params(p)?,
                ports: inlet_ports(config.connections),
            }));
        }
        require(p, "conversion")?;
        let conversion = p.number_map("conversion")?;
        if let Some(other) = conversion.keys().find(|k| !REACTIONS.iter().any(|(key, _)| key == *k)) {
            return Err(UnitError::param(
                "conversion",
                format!("names `{other}`; a carbonator converts `Ca(OH)2`, `Mg(OH)2`, `CaO` and `MgO`"),
            ));
        }
        let mut reactions = Vec::new();
        for (key, text) in REACTIONS {
            let Some(&x) = conversion.get(key) else { continue };
            let x = fraction("conversion", key, x)?;
            let k = set.require(key).map_err(|e| UnitError::param("conversion", e.to_string()))?;
            if x == 0.0 {
                continue;
            }
            let reaction = Reaction::parse(text, set)
                .map_err(|e| UnitError::param("conversion", format!("{key}: \"{text}\" needs its components: {e}")))?;
            reactions.push((reaction, k, x));
        }
        let thermal = thermal_mode(p)?;
        Ok(Box::new(CarbonatorUnit {
            set: set.clone(),
            equilibrium: None,
            rate: None,
            reactions,
            co2,
            thermal,
            enthalpies: Enthalpies::new(set, thermal.known()),
            agitation: Agitation::from_params(p)?,
            ports: inlet_ports(config.connections),
        }))
    }
}

impl UnitOperation for CarbonatorUnit {
    /// A study's or design loop's new conversion, in place (the rate and equilibrium modes
    /// compute their own conversions: created again).
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        if let Some(rate) = &mut self.rate {
            return set_rate_constant(rate, &self.reactions, &self.set, (param, key, value));
        }
        if self.equilibrium.is_some() {
            return Ok(false);
        }
        set_conversion(&mut self.reactions, &self.set, (param, key, value))
    }

    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        self.calculate_from(&[], inlets, outlets, report)
    }

    /// `start`: where `mode: equilibrium` starts its speciation (the other modes have no
    /// inner state).
    fn calculate_from(
        &self,
        start: &[f64],
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        let set = &*self.set;
        check_inlets(set, inlets, &self.ports)?;
        check_outlets(outlets, 2, set.len())?;
        let gas = inlet(inlets, 1, "gas")?;
        // Inlets passed check_inlets, so the flow is finite.
        if gas.flows[self.co2] <= 0.0 {
            return Err(UnitError::port("gas", "carries no CO2: a carbonator needs CO2 in its gas"));
        }
        if let Some(eq) = &self.equilibrium {
            return self.equilibrate(eq, start, inlets, outlets, report);
        }
        if let Some(rate) = &self.rate {
            return self.react_at_rate(rate, inlets, outlets, report);
        }
        let mut flows = mix(inlets, set.len());
        let m_co2 = molar_mass(set, self.co2)?;
        let co2_fed = flows[self.co2];

        let mut requested = [0.0; REACTIONS.len()];
        let extents = stack_extents(&mut requested, self.reactions.len())?;
        for (xi, (_, key, x)) in extents.iter_mut().zip(&self.reactions) {
            *xi = x * flows[*key] / molar_mass(set, *key)?;
        }
        let demand: f64 = extents.iter().sum();
        let available = co2_fed / m_co2;
        let limited = demand > available;
        if limited {
            let f = available / demand;
            report.note(format!("CO2-limited: conversions scaled to {f:.4} of requested"));
            extents.iter_mut().for_each(|xi| *xi *= f);
        }
        for ((reaction, _, _), &xi) in self.reactions.iter().zip(extents.iter()) {
            reaction.apply(set, &mut flows, xi);
        }
        let co2_fixed = extents.iter().sum::<f64>() * m_co2;

        let t_out = with_entering(inlets, None, |entering| {
            energy_balance(set, &self.enthalpies, self.thermal, entering, &flows, "carbonation", report)
        })?;
        let pressure = lowest_pressure(inlets);
        let (slurry, vent) = outlets.split_at_mut(1);
        let (slurry, vent) = (&mut slurry[0], &mut vent[0]);
        // check_outlets made both outlets as long as the set.
        let outlet_flows = vent.flows.iter_mut().zip(slurry.flows.iter_mut());
        for ((c, &w), (to_vent, to_slurry)) in set.iter().zip(flows.iter()).zip(outlet_flows) {
            let gas = c.phase == Phase::Gas;
            *to_vent = if gas { w } else { 0.0 };
            *to_slurry = if gas { 0.0 } else { w };
        }
        for out in [&mut *slurry, &mut *vent] {
            out.temperature = t_out;
            out.pressure = pressure;
        }

        report.size("co2_utilisation", co2_fixed / co2_fed, Dimension::DIMENSIONLESS);
        report.size("co2_limited", if limited { 1.0 } else { 0.0 }, Dimension::DIMENSIONLESS);
        report.size("co2_fixed", co2_fixed, Dimension::MASS_FLOW);
        self.agitation.report(set, &slurry.flows, report);
        Ok(())
    }
}

impl CarbonatorUnit {
    /// `mode: equilibrium`: the slurry brought to equilibrium with the gas at the operating
    /// temperature, the set one or the mixing temperature of what enters (`adiabatic` is
    /// refused in this mode; the `equilibrium_reactor` offers it).
    fn equilibrate(
        &self,
        eq: &Equilibrator,
        start: &[f64],
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        let set = &*self.set;
        let mixed = mix(inlets, set.len());
        let entering: Vec<(&[f64], f64)> = inlets.iter().map(|s| (s.flows.as_slice(), s.temperature)).collect();
        let pressure = lowest_pressure(inlets);
        let t = match self.thermal {
            Thermal::Temperature(t) => t,
            _ => energy_balance(
                set,
                &self.enthalpies,
                Thermal::Feed,
                &entering,
                &mixed,
                "carbonation",
                &mut UnitReport::default(),
            )?,
        };
        let outcome = eq.run(&mixed, t, pressure, start)?;
        let all: Vec<f64> = outcome.slurry.iter().zip(&outcome.vent).map(|(a, b)| a + b).collect();
        let t_out =
            energy_balance(set, &self.enthalpies, Thermal::Temperature(t), &entering, &all, "carbonation", report)?;
        let (slurry, vent) = outlets.split_at_mut(1);
        for (out, flows) in [(&mut slurry[0], &outcome.slurry), (&mut vent[0], &outcome.vent)] {
            out.flows.copy_from_slice(flows);
            out.temperature = t_out;
            out.pressure = pressure;
        }
        let co2_fed = mixed[self.co2];
        report.size("co2_utilisation", outcome.co2_taken_up / co2_fed, Dimension::DIMENSIONLESS);
        report.size("co2_fixed", outcome.co2_taken_up, Dimension::MASS_FLOW);
        eq.report(&outcome, report);
        self.agitation.report(set, &outcome.slurry, report);
        Ok(())
    }
}

/// `mode: rate`: a reaction for every reactant with a rate constant; the conversions come from
/// the rate law when the unit calculates.
fn create_rate(config: &UnitConfig<'_>, co2: usize) -> Result<Box<dyn UnitOperation>, UnitError> {
    let (set, p) = (config.components, config.params);
    if p.has("conversion") {
        return Err(UnitError::param(
            "conversion",
            "is not used in `mode: rate`, where the rate law sets the conversion: remove it",
        ));
    }
    let thermal = thermal_mode(p)?;
    if thermal == Thermal::Adiabatic {
        return Err(UnitError::param(
            "adiabatic",
            "is not available with `mode: rate`: give `T` (the rate law needs the temperature)",
        ));
    }
    let listed = p.number_map("rate_constant")?;
    let mut reactions = Vec::new();
    let mut keys = Vec::new();
    for (key, text) in REACTIONS {
        if !listed.contains_key(key) {
            continue;
        }
        let k = set.require(key).map_err(|e| UnitError::param("rate_constant", e.to_string()))?;
        let reaction = Reaction::parse(text, set)
            .map_err(|e| UnitError::param("rate_constant", format!("{key}: \"{text}\" needs its components: {e}")))?;
        reactions.push((reaction, k, 0.0));
        keys.push(key);
    }
    let all: Vec<&str> = REACTIONS.iter().map(|(k, _)| *k).collect();
    if let Some(other) = listed.keys().find(|k| !all.contains(k)) {
        return Err(UnitError::param(
            "rate_constant",
            format!("names `{other}`; a carbonator converts {}", all.join(", ")),
        ));
    }
    let rate = RateModel::from_params(p, &keys, true)?;
    Ok(Box::new(CarbonatorUnit {
        set: set.clone(),
        equilibrium: None,
        rate: Some(rate),
        reactions,
        co2,
        thermal,
        enthalpies: Enthalpies::new(set, thermal.known()),
        agitation: Agitation::for_sized_vessel(p)?,
        ports: inlet_ports(config.connections),
    }))
}

impl CarbonatorUnit {
    /// `mode: rate`: conversions from the rate law at the operating temperature and the CO2
    /// partial pressure of the gas leaving, for the reactor's residence time.
    fn react_at_rate(
        &self,
        rate: &RateModel,
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        let set = &*self.set;
        let mut flows = mix(inlets, set.len());
        let entering: Vec<(&[f64], f64)> = inlets.iter().map(|s| (s.flows.as_slice(), s.temperature)).collect();
        let t = match self.thermal {
            Thermal::Temperature(t) => t,
            _ => energy_balance(
                set,
                &self.enthalpies,
                Thermal::Feed,
                &entering,
                &flows,
                "carbonation",
                &mut UnitReport::default(),
            )?,
        };
        let pressure = lowest_pressure(inlets);
        let slurry: Vec<f64> =
            set.iter().zip(&flows).map(|(c, &w)| if c.phase == Phase::Gas { 0.0 } else { w }).collect();
        let mut n_fed = Vec::with_capacity(self.reactions.len());
        for (_, key, _) in &self.reactions {
            n_fed.push(flows[*key] / molar_mass(set, *key)?);
        }
        let m_co2 = molar_mass(set, self.co2)?;
        let mut n_gas = 0.0;
        for (i, _) in set.iter().enumerate().filter(|(_, c)| c.phase == Phase::Gas) {
            n_gas += flows[i] / molar_mass(set, i)?;
        }
        let co2_fed = flows[self.co2];
        let gas = GasFeed { co2: co2_fed / m_co2, total: n_gas, pressure };
        let (extents, outcome) = rate.carbonate(set, &slurry, &n_fed, gas, t, report)?;
        for ((reaction, _, _), &xi) in self.reactions.iter().zip(&extents) {
            reaction.apply(set, &mut flows, xi);
        }
        let co2_fixed = extents.iter().sum::<f64>() * m_co2;
        let t_out =
            energy_balance(set, &self.enthalpies, Thermal::Temperature(t), &entering, &flows, "carbonation", report)?;
        let (slurry_out, vent) = outlets.split_at_mut(1);
        for (out, gas) in [(&mut slurry_out[0], false), (&mut vent[0], true)] {
            for (i, c) in set.iter().enumerate() {
                out.flows[i] = if (c.phase == Phase::Gas) == gas { flows[i] } else { 0.0 };
            }
            out.temperature = t_out;
            out.pressure = pressure;
        }
        report.size("co2_utilisation", co2_fixed / co2_fed, Dimension::DIMENSIONLESS);
        report.size("co2_fixed", co2_fixed, Dimension::MASS_FLOW);
        for ((_, key, _), x) in self.reactions.iter().zip(&outcome.conversions) {
            let name = set.get(*key).map_or("?", |c| c.name.as_str());
            report.size(format!("conversion {name}"), *x, Dimension::DIMENSIONLESS);
        }
        report.size("residence_time", outcome.residence_time, Dimension::TIME);
        self.agitation.report_vessel(&slurry_out[0].flows, outcome.vessel_volume, outcome.slurry_density, report);
        Ok(())
    }
}

/// An equilibrium parameter, documented as such on the carbonator.
fn equilibrium_only(mut spec: ParamSpec) -> ParamSpec {
    spec.doc = format!("(mode: equilibrium) {}", spec.doc);
    spec
}
