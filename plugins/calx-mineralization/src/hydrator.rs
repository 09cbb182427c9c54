//! `hydrator`: slurries ash with water and hydrates its free lime and periclase.
//!
//! Reactions (KIGAM 2022, Fig. 2), applied with calx_core::Reaction (checked for element
//! balance when the unit is built):
//!
//! * CaO + H2O -> Ca(OH)2      (dHr = -64.5 kJ/mol from CRC formation enthalpies, docs/sources.md §Reaction enthalpies)
//! * MgO + H2O -> Mg(OH)2      (dHr = -37.1 kJ/mol)
//!
//! Extent of each: xi = X * n_oxide (mol/s), X = `conversion` keyed by the oxide, or with
//! `mode: rate` the conversion a rate law gives for the tank's residence time at its operating
//! temperature (module `rate`, docs/kinetics.md; reported as `conversion CaO` and so on, with
//! `residence_time` and the vessel `volume`). If the water
//! present cannot supply sum(xi), every extent is scaled by the same factor so the water is
//! just used up, and a note says so.
//!
//! Water, one of:
//!
//! * as given by the inlets (`water`, and any water in `solids`);
//! * `solids_fraction` x: the unit draws make-up water (component `H2O`) from outside the
//!   flowsheet so that the slurry holds x solids. With `solids_basis: fed` (default, the
//!   paper's "slurry concentration": ash fed over ash plus water, KIGAM 2022 Table 3 and
//!   Table 4: 909.69 / 8347.22 = 10.898 %) m_makeup = S_in / x - m_in, S_in being the solids the
//!   inlets bring; with `solids_basis: leaving`, x is the solids fraction of the slurry after
//!   hydration, m_makeup = S_out / x - m_in. m_in is everything the inlets bring. If the inlets already bring more water than x allows,
//!   no make-up is drawn and a note gives the solids fraction reached. Make-up water enters
//!   at `water_temperature`.
//!
//! Heat and agitation: see the `tank` module (operating temperature `T`, default the mixing
//! temperature of what enters, or `adiabatic`; `specific_energy` or `power_per_volume` x
//! volume).
//!
//! Reports: heat duty "hydration", electricity "agitation", material "make-up water" (with
//! `solids_fraction`), sizes "solids_fraction" (reached), "throughput", and with
//! `residence_time` "volume" and "slurry_density". With an `activity_model` (given, or the
//! flowsheet's when it has an `aqueous:` section) also the slurry's "pH", "dissolved_ca" and
//! "dissolved_mg" (mol/kg of water): its solids (the built-in mineral pairs: portlandite,
//! brucite, ...) in equilibrium with its water at the outlet temperature (`crate::aqueous`).
//! Without one no speciation runs, so the reference plant costs what it did.

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Reaction, Stream, UnitConfig,
    UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::aqueous::SolutionReport;
use crate::common::{
    check_inlets, check_outlets, fraction, inlet_ports, lowest_pressure, mix, molar_mass, open_fraction, phase_mass,
    positive, require, set_conversion, set_rate_constant,
};
use crate::rate::{RateModel, RateOutcome, rate_params, refuse_rate_params};
use crate::scratch::{Scratch, stack_extents, with_entering};
use crate::tank::{Agitation, Enthalpies, Thermal, agitation_params, energy_balance, thermal_mode, thermal_params};
use calx_core::aqueous::ActivityModel;

/// The `hydrator` unit type.
pub struct Hydrator;

/// The hydration reactions: (oxide, hydroxide).
const REACTIONS: [(&str, &str); 2] = [("CaO", "Ca(OH)2"), ("MgO", "Mg(OH)2")];

struct HydratorUnit {
    set: Arc<ComponentSet>,
    /// (reaction, oxide index, conversion), only for conversions above zero (in `mode: rate`
    /// every oxide with a rate constant, at conversion 0).
    reactions: Vec<(Reaction, usize, f64)>,
    /// `mode: rate`: a rate law and the tank's size give the conversions.
    rate: Option<RateModel>,
    /// Oxides present in the component set (to refuse a feed without any).
    oxides: Vec<usize>,
    h2o: usize,
    solids_fraction: Option<f64>,
    /// Whether `solids_fraction` counts solids after hydration (else solids fed).
    solids_after_reaction: bool,
    water_temperature: f64,
    thermal: Thermal,
    /// Specific enthalpies at 25 degC, at `T` when it is set and at `water_temperature`.
    enthalpies: Enthalpies,
    agitation: Agitation,
    ports: Vec<String>,
    /// pH and dissolved Ca and Mg of the slurry, with an `activity_model`.
    solution: Option<SolutionReport>,
}

impl UnitType for Hydrator {
    fn descriptor(&self) -> UnitDescriptor {
        let mut params = vec![
            ParamSpec::with_default(
                "mode",
                ParamKind::choice(&["conversion", "rate"]),
                ParamValue::Text("conversion".into()),
                "`conversion`: the given conversions; `rate`: a rate law and the tank's size give them (docs/kinetics.md)",
                "[R] the reference plant's accounting: KIGAM 2022 gives conversions",
            ),
            ParamSpec::optional(
                "conversion",
                ParamKind::per_component(ParamKind::Fraction),
                "Fraction of the CaO and of the MgO fed that is hydrated, keyed `CaO` / `MgO`; an oxide not listed is not converted. Required in `mode: conversion`",
            ),
            ParamSpec::optional(
                "solids_fraction",
                ParamKind::Fraction,
                "Target mass fraction of solids in the slurry (see `solids_basis`); make-up water is drawn to reach it. Default: water as the inlets bring it",
            ),
            ParamSpec::with_default(
                "solids_basis",
                ParamKind::choice(&["fed", "leaving"]),
                ParamValue::Text("fed".into()),
                "What `solids_fraction` counts: solids fed over slurry (`fed`), or solids after hydration over slurry (`leaving`)",
                "KIGAM 2022 Table 3 \"slurry concentration 10.9 wt%\" is solids fed: 909.69 kg ash / 8347.22 kg slurry (Table 4) [R]",
            ),
            ParamSpec::with_default(
                "water_temperature",
                ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
                ParamValue::Number(298.15),
                "Temperature of the make-up water",
                "assumption [U]: make-up water at 25 degC",
            ),
        ];
        params.push(ParamSpec::optional(
            "activity_model",
            ParamKind::choice(&["davies", "extended_debye_huckel"]),
            "Report the slurry's pH and dissolved Ca and Mg with this activity model (set from the flowsheet's `aqueous:` section when it has one). Default: not reported",
        ));
        params.extend(rate_params(false));
        params.extend(thermal_params());
        params.extend(agitation_params());
        UnitDescriptor {
            type_name: "hydrator".into(),
            summary: "Slurries ash with water and hydrates CaO and MgO to Ca(OH)2 and Mg(OH)2 (stirred tank).".into(),
            ports: vec![
                PortSpec::inlet("solids", "ash (solids) to hydrate"),
                PortSpec::inlet("water", "process water").optional(),
                PortSpec::outlet("slurry", "hydrated slurry"),
            ],
            params,
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        let oxides: Vec<usize> = REACTIONS.iter().filter_map(|(ox, _)| set.index_of(ox)).collect();
        if oxides.is_empty() {
            return Err(UnitError::port(
                "solids",
                "the component set has neither CaO nor MgO: a hydrator needs at least one",
            ));
        }
        let h2o = set
            .index_of("H2O")
            .ok_or_else(|| UnitError::port("water", "the component set has no `H2O`: a hydrator needs water"))?;
        let rate_mode = p.text_opt("mode")? == Some("rate");
        if rate_mode {
            if p.has("conversion") {
                return Err(UnitError::param(
                    "conversion",
                    "is not used in `mode: rate`, where the rate law sets the conversion: remove it",
                ));
            }
        } else {
            refuse_rate_params(p, "conversion")?;
            require(p, "conversion")?;
        }
        let conversion = if rate_mode { p.number_map("rate_constant")? } else { p.number_map("conversion")? };
        let listed = if rate_mode { "rate_constant" } else { "conversion" };
        if let Some(other) = conversion.keys().find(|k| !REACTIONS.iter().any(|(ox, _)| ox == *k)) {
            return Err(UnitError::param(listed, format!("names `{other}`; a hydrator converts only `CaO` and `MgO`")));
        }
        let mut reactions = Vec::new();
        let mut keys = Vec::new();
        for (oxide, hydroxide) in REACTIONS {
            let Some(&x) = conversion.get(oxide) else { continue };
            let x = if rate_mode { 0.0 } else { fraction("conversion", oxide, x)? };
            let key = set.require(oxide).map_err(|e| UnitError::param(listed, e.to_string()))?;
            if x == 0.0 && !rate_mode {
                continue;
            }
            if set.index_of(hydroxide).is_none() {
                return Err(UnitError::param(
                    listed,
                    format!("{oxide}: converting {oxide} needs the component `{hydroxide}` in the component set"),
                ));
            }
            let reaction = Reaction::parse(&format!("{oxide} + H2O -> {hydroxide}"), set)
                .map_err(|e| UnitError::param(listed, e.to_string()))?;
            reactions.push((reaction, key, x));
            keys.push(oxide);
        }
        let rate = if rate_mode { Some(RateModel::from_params(p, &keys, false)?) } else { None };
        let solids_fraction =
            p.number_opt("solids_fraction")?.map(|x| open_fraction("solids_fraction", x)).transpose()?;
        let solids_after_reaction = match p.text_opt("solids_basis")? {
            None | Some("fed") => false,
            Some("leaving") => true,
            Some(other) => {
                return Err(UnitError::param("solids_basis", format!("must be `fed` or `leaving`, found `{other}`")));
            }
        };
        let water_temperature = positive("water_temperature", p.number("water_temperature")?, "K")?;
        let thermal = thermal_mode(p)?;
        if rate.is_some() && (thermal == Thermal::Adiabatic || solids_after_reaction) {
            let field = if solids_after_reaction { "solids_basis" } else { "adiabatic" };
            return Err(UnitError::param(
                field,
                "is not available with `mode: rate` (the rate law needs the temperature and the slurry before reaction): give `T`, and `solids_basis: fed`",
            ));
        }
        let agitation = if rate.is_some() { Agitation::for_sized_vessel(p)? } else { Agitation::from_params(p)? };
        Ok(Box::new(HydratorUnit {
            set: set.clone(),
            reactions,
            rate,
            oxides,
            h2o,
            solids_fraction,
            solids_after_reaction,
            water_temperature,
            thermal,
            enthalpies: Enthalpies::new(set, thermal.known().into_iter().chain([water_temperature])),
            agitation,
            solution: solution_report(set, p)?,
            ports: inlet_ports(config.connections),
        }))
    }
}

impl UnitOperation for HydratorUnit {
    /// A study's or design loop's new conversion, in place (the rate and equilibrium modes
    /// compute their own conversions: created again).
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        if let Some(rate) = &mut self.rate {
            return set_rate_constant(rate, &self.reactions, &self.set, (param, key, value));
        }
        set_conversion(&mut self.reactions, &self.set, (param, key, value))
    }

    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let set = &*self.set;
        check_inlets(set, inlets, &self.ports)?;
        check_outlets(outlets, 1, set.len())?;
        let mut flows = mix(inlets, set.len());
        let oxide_feed: f64 = self.oxides.iter().map(|&i| flows[i]).sum();
        // Inlets passed check_inlets, so the sum is finite.
        if oxide_feed <= 0.0 {
            return Err(UnitError::port(
                "solids",
                "a hydrator fed no CaO or MgO: there is nothing to hydrate (check the ash composition and upstream splits)",
            ));
        }
        let m_in: f64 = flows.iter().sum();

        // Requested extents, mol/s (each reaction consumes one H2O per oxide).
        let mut requested = [0.0; REACTIONS.len()];
        let extents = stack_extents(&mut requested, self.reactions.len())?;
        for (xi, (_, key, x)) in extents.iter_mut().zip(&self.reactions) {
            *xi = x * flows[*key] / molar_mass(set, *key)?;
        }
        let m_h2o = molar_mass(set, self.h2o)?;

        // Make-up water for the target solids fraction, from the solids after the requested
        // reactions (water is supplied by the make-up itself, so the request stands).
        let mut makeup = 0.0;
        if let Some(x) = self.solids_fraction {
            let solids = if self.solids_after_reaction {
                let mut after = Scratch::copy_of(&flows);
                for ((reaction, _, _), &xi) in self.reactions.iter().zip(extents.iter()) {
                    reaction.apply(set, &mut after, xi);
                }
                phase_mass(set, &after, Phase::Solid)
            } else {
                phase_mass(set, &flows, Phase::Solid)
            };
            let needed = solids / x - m_in;
            if needed >= 0.0 {
                makeup = needed;
            } else {
                report.note(format!(
                    "the inlets bring more water than solids_fraction {:.4} allows: no make-up water drawn; the slurry leaves at {:.4} solids",
                    x,
                    solids / m_in
                ));
            }
            flows[self.h2o] += makeup;
            report.material_at("make-up water", self.h2o, makeup, self.water_temperature);
        }

        // mode: rate: the conversions at the operating temperature of the slurry with its water.
        let rated = match &self.rate {
            Some(rate) => Some(self.rate_extents(rate, inlets, &flows, makeup, extents)?),
            None => None,
        };

        // Cap by the water present: scale all extents alike so H2O is just used up.
        let demand: f64 = extents.iter().sum();
        let available = flows[self.h2o] / m_h2o;
        let mut water_factor = 1.0;
        if demand > available {
            water_factor = if demand > 0.0 { available / demand } else { 0.0 };
            report.note(format!("water-limited: conversions scaled to {water_factor:.4} of requested"));
            extents.iter_mut().for_each(|xi| *xi *= water_factor);
        }
        for ((reaction, _, _), &xi) in self.reactions.iter().zip(extents.iter()) {
            reaction.apply(set, &mut flows, xi);
        }

        let mut makeup_flows = Scratch::zeros(set.len());
        makeup_flows[self.h2o] = makeup;
        let makeup_entering = Some((makeup_flows.as_slice(), self.water_temperature));
        let t_out = with_entering(inlets, makeup_entering, |entering| {
            energy_balance(set, &self.enthalpies, self.thermal, entering, &flows, "hydration", report)
        })?;

        let out = &mut outlets[0];
        out.flows.copy_from_slice(&flows);
        out.temperature = t_out;
        out.pressure = lowest_pressure(inlets);

        let total: f64 = flows.iter().sum();
        let solids = phase_mass(set, &flows, Phase::Solid);
        report.size("solids_fraction", if total > 0.0 { solids / total } else { 0.0 }, Dimension::DIMENSIONLESS);
        match rated {
            Some(outcome) => {
                // The conversions reached: the rate law's, scaled like the extents when water ran short.
                for ((_, key, _), x) in self.reactions.iter().zip(&outcome.conversions) {
                    let name = set.get(*key).map_or("?", |c| c.name.as_str());
                    report.size(format!("conversion {name}"), x * water_factor, Dimension::DIMENSIONLESS);
                }
                report.size("residence_time", outcome.residence_time, Dimension::TIME);
                self.agitation.report_vessel(&flows, outcome.vessel_volume, outcome.slurry_density, report);
            }
            None => self.agitation.report(set, &flows, report),
        }
        if let Some(solution) = &self.solution {
            report_solution(solution, set, &flows, t_out, report)?;
        }
        Ok(())
    }
}

impl HydratorUnit {
    /// `mode: rate`: the extents the rate law gives for the slurry `flows` (make-up water
    /// included) at the operating temperature: the set one, or the mixing temperature.
    fn rate_extents(
        &self,
        rate: &RateModel,
        inlets: &[Stream],
        flows: &[f64],
        makeup: f64,
        extents: &mut [f64],
    ) -> Result<RateOutcome, UnitError> {
        let set = &*self.set;
        let t = match self.thermal {
            Thermal::Temperature(t) => t,
            _ => {
                let mut makeup_flows = vec![0.0; set.len()];
                makeup_flows[self.h2o] = makeup;
                let mut entering: Vec<(&[f64], f64)> =
                    inlets.iter().map(|s| (s.flows.as_slice(), s.temperature)).collect();
                entering.push((&makeup_flows, self.water_temperature));
                energy_balance(
                    set,
                    &self.enthalpies,
                    Thermal::Feed,
                    &entering,
                    flows,
                    "hydration",
                    &mut UnitReport::default(),
                )?
            }
        };
        let outcome = rate.run(set, self.reactions.len(), flows, t)?;
        for ((xi, (_, key, _)), x) in extents.iter_mut().zip(&self.reactions).zip(&outcome.conversions) {
            *xi = x * flows[*key] / molar_mass(set, *key)?;
        }
        Ok(outcome)
    }
}

/// The slurry report of an `activity_model`, if one is set.
fn solution_report(set: &ComponentSet, p: &calx_core::Params) -> Result<Option<SolutionReport>, UnitError> {
    let Some(model) = p.text_opt("activity_model")?.and_then(ActivityModel::from_name) else { return Ok(None) };
    SolutionReport::new(set, model).map(Some).map_err(|e| UnitError::param("activity_model", e.to_string()))
}

/// pH and dissolved Ca and Mg of the slurry `flows` leaving at `t`.
fn report_solution(
    solution: &SolutionReport,
    set: &ComponentSet,
    flows: &[f64],
    t: f64,
    report: &mut UnitReport,
) -> Result<(), UnitError> {
    let props = solution
        .properties(set, flows, t)
        .map_err(|e| UnitError::Calculation(format!("the slurry's aqueous speciation: {e}")))?;
    let Some(props) = props else { return Ok(()) };
    report.size("pH", props.ph, Dimension::DIMENSIONLESS);
    report.size("dissolved_ca", props.dissolved("Ca").unwrap_or(0.0), Dimension::MOLALITY);
    report.size("dissolved_mg", props.dissolved("Mg").unwrap_or(0.0), Dimension::MOLALITY);
    if let Some(w) = props.warning {
        report.note(format!("activity model: {w}"));
    }
    Ok(())
}
