//! `dryer`: evaporates liquid water from wet solids down to a set product moisture; the
//! heat duty is the enthalpy change from the wet feed to the dried product and the vapour.
//!
//! Equations (docs/equipment.md §dryer):
//!
//! * the product keeps every component of the feed except the part of the liquid water
//!   (component `liquid`, default `H2O`) evaporated to bring its moisture, the mass fraction
//!   of liquid water in the product, to `moisture`: with D the rest of the product,
//!   water left = moisture/(1 − moisture)·D, evaporated E = water in − water left;
//! * the evaporated water leaves as the vapour component (`vapour`, default `H2O(g)`) in
//!   `vapour` at `T_vapour` (default: the product's `T`); every gas in the feed goes with it;
//! * duty Q = H(product, T) + H(vapour, T_vapour) − H(feed), from formation enthalpies and
//!   heat capacities (`calx_core::thermo`): the latent heat is the difference of the two
//!   water components' enthalpies, so it follows their data. Reported as heating "drying"
//!   (the heat the drying gas or heater must deliver to the material; the dryer's own losses
//!   are not modelled), so the energy balance closes exactly.
//!
//! Reports the sizes `evaporation_rate` (kg/s) and `duty` (W). With a
//! `specific_evaporation_rate` H (water evaporated per unit drum volume and time) it also
//! sizes a rotary drum as BioSTEAM's `DrumDryer` does (`biosteam/units/drying.py`, commit
//! a508fdb9): volume V = E/H, diameter D = (4V/(π·L/D))^(1/3) with the
//! `length_to_diameter` ratio, length L = D·(L/D), and peripheral drum area π·D·L, reported
//! as `drum_volume` (m³), `drum_diameter`, `drum_length` (m) and `peripheral_drum_area` (m²),
//! which the `biosteam_drum_dryer` cost correlation reads; `biosteam_spray_dryer` reads
//! `evaporation_rate`.

use std::sync::Arc;

use calx_core::thermo::enthalpy_flow;
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::{positive, water_component_param, water_components};

/// kg/(m3 s): water evaporated per unit drum volume and time.
const EVAPORATION_PER_VOLUME: Dimension =
    Dimension { mass: 1, length: -3, time: -1, temperature: 0, amount: 0, money: 0 };

/// The `dryer` unit type.
pub struct Dryer;

struct DryerUnit {
    set: Arc<ComponentSet>,
    liquid: usize,
    vapour: usize,
    moisture: f64,
    t: f64,
    t_vapour: Option<f64>,
    drum: Option<Drum>,
}

/// A rotary drum sized from its specific evaporation rate.
struct Drum {
    evaporation_per_volume: f64,
    length_to_diameter: f64,
}

impl Drum {
    /// Reports the drum's volume, diameter, length and peripheral area for `evaporated` kg/s.
    fn report(&self, evaporated: f64, report: &mut UnitReport) {
        let volume = evaporated / self.evaporation_per_volume;
        let diameter = (4.0 * volume / std::f64::consts::PI / self.length_to_diameter).cbrt();
        let length = diameter * self.length_to_diameter;
        report.size("drum_volume", volume, Dimension::VOLUME);
        report.size("drum_diameter", diameter, Dimension::LENGTH);
        report.size("drum_length", length, Dimension::LENGTH);
        report.size("peripheral_drum_area", std::f64::consts::PI * diameter * length, Dimension::LENGTH.powi(2));
    }
}

impl UnitType for Dryer {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "dryer".into(),
            summary:
                "Dries wet solids to a set moisture: water evaporated to vapour, heat duty from the enthalpy balance."
                    .into(),
            ports: vec![
                PortSpec::inlet("feed", "wet solids"),
                PortSpec::outlet("product", "dried solids with their remaining moisture"),
                PortSpec::outlet("vapour", "evaporated water (as the vapour component) and any gas of the feed"),
            ],
            params: vec![
                ParamSpec::required(
                    "moisture",
                    ParamKind::Fraction,
                    "Mass fraction of liquid water in the dried product (wet basis; below 100 %)",
                ),
                ParamSpec::required(
                    "T",
                    ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
                    "Temperature of the dried product",
                ),
                ParamSpec::optional(
                    "T_vapour",
                    ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
                    "Temperature at which the vapour leaves (default: `T`)",
                ),
                ParamSpec::optional(
                    "specific_evaporation_rate",
                    ParamKind::quantity(EVAPORATION_PER_VOLUME, "kg/m3/h"),
                    "Water evaporated per unit drum volume and time, to size a rotary drum (BioSTEAM's DrumDryer uses 20 kg/m3/h for distillers' grains); without it no drum is sized",
                ),
                ParamSpec::with_default(
                    "length_to_diameter",
                    ParamKind::Number,
                    ParamValue::Number(25.0),
                    "Length over diameter of the rotary drum, with `specific_evaporation_rate`",
                    "BioSTEAM DrumDryer's default (biosteam/units/drying.py)",
                ),
                water_component_param("liquid", "H2O", "Component of the liquid water evaporated"),
                water_component_param("vapour", "H2O(g)", "Component the evaporated water leaves as"),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let (p, set) = (config.params, config.components);
        let (liquid, vapour) = water_components(p, set)?;
        let moisture = p.number("moisture")?;
        if !(moisture.is_finite() && (0.0..1.0).contains(&moisture)) {
            return Err(UnitError::param(
                "moisture",
                format!("must be at least 0 and below 1 (100 %), found {moisture}"),
            ));
        }
        let t_vapour = p.number_opt("T_vapour")?.map(|t| positive("T_vapour", t, "K")).transpose()?;
        let drum = match p.number_opt("specific_evaporation_rate")? {
            Some(h) => Some(Drum {
                evaporation_per_volume: positive("specific_evaporation_rate", h, "kg/(m3 s)")?,
                length_to_diameter: positive("length_to_diameter", p.number("length_to_diameter")?, "(ratio)")?,
            }),
            None => None,
        };
        Ok(Box::new(DryerUnit {
            set: set.clone(),
            liquid,
            vapour,
            moisture,
            t: positive("T", p.number("T")?, "K")?,
            t_vapour,
            drum,
        }))
    }
}

impl UnitOperation for DryerUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
        let (product, vapour) = outlets.split_at_mut(1);
        let (product, vapour) = (&mut product[0], &mut vapour[0]);
        let is_gas = |i: usize| self.set.get(i).is_some_and(|c| c.phase == Phase::Gas);
        // The product's dry part: everything but the liquid water and the gases.
        let dry: f64 =
            feed.flows.iter().enumerate().filter(|(i, _)| *i != self.liquid && !is_gas(*i)).map(|(_, w)| w).sum();
        let water_in = feed.flows[self.liquid];
        let water_left = self.moisture / (1.0 - self.moisture) * dry;
        if water_left > water_in * (1.0 + 1e-12) {
            return Err(UnitError::param(
                "moisture",
                format!(
                    "asks for {water_left} kg/s of water in the product, but the feed brings only {water_in} kg/s: a dryer cannot wet its feed"
                ),
            ));
        }
        let water_left = water_left.min(water_in);
        for (i, &w) in feed.flows.iter().enumerate() {
            let gas = is_gas(i);
            product.flows[i] = if gas { 0.0 } else { w };
            vapour.flows[i] = if gas { w } else { 0.0 };
        }
        product.flows[self.liquid] = water_left;
        let evaporated = water_in - water_left;
        vapour.flows[self.vapour] += evaporated;
        product.temperature = self.t;
        vapour.temperature = self.t_vapour.unwrap_or(self.t);
        product.pressure = feed.pressure;
        vapour.pressure = feed.pressure;
        let h_in = enthalpy_flow(&self.set, &feed.flows, feed.temperature)?;
        let h_out = enthalpy_flow(&self.set, &product.flows, product.temperature)?
            + enthalpy_flow(&self.set, &vapour.flows, vapour.temperature)?;
        report.heat_duty("drying", h_out - h_in);
        report.size("evaporation_rate", evaporated, Dimension::MASS_FLOW);
        report.size("duty", h_out - h_in, Dimension::POWER);
        if let Some(drum) = &self.drum {
            drum.report(evaporated, report);
        }
        Ok(())
    }
}
