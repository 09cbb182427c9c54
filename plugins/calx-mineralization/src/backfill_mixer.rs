//! `backfill_mixer`: mixes dewatered carbonate cake with binder and water into mine-backfill
//! paste.
//!
//! Definitions (all mass fractions):
//!
//! * `binder_dosage` d = binder / (binder + cake solids), i.e. the binder's share of all
//!   solids in the paste. Binder drawn: B = d / (1 - d) * S_cake, S_cake = solid-phase mass
//!   of the cake.
//! * `solids_content` c = (S_cake + B) / paste. Water drawn:
//!   W = (S_cake + B) / c - (S_cake + B) - N_cake, N_cake = non-solid mass of the cake.
//!   W < 0 means the cake is already wetter than the paste may be: a mixer cannot remove
//!   water, so that is an error (dewater the cake further).
//!
//! Binder (component `binder`, phase solid) and water (`H2O`) come from outside the
//! flowsheet and are reported as materials "binder" and "mix water". The paste leaves at the
//! cake's temperature and pressure (heat of mixing and of binder hydration not modelled).
//!
//! Electricity: `specific_energy` per kg of paste, 0 by default (no data; a note says so).
//!
//! Reports: materials as above, electricity "mixing", sizes "binder_used", "water_added"
//! and "throughput" (kg/s of paste).

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{
    check_inlets, check_outlets, fraction, inlet, inlet_ports, non_negative, open_fraction, phase_mass,
};

/// The `backfill_mixer` unit type.
pub struct BackfillMixer;

struct BackfillMixerUnit {
    set: Arc<ComponentSet>,
    binder: usize,
    h2o: usize,
    dosage: f64,
    solids_content: f64,
    specific_energy: f64,
    ports: Vec<String>,
}

impl UnitType for BackfillMixer {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "backfill_mixer".into(),
            summary: "Mixes carbonate cake with binder and water into paste backfill of set solids content.".into(),
            ports: vec![
                PortSpec::inlet("cake", "dewatered carbonate cake"),
                PortSpec::outlet("paste", "backfill paste"),
            ],
            params: vec![
                ParamSpec::with_default(
                    "binder_dosage",
                    ParamKind::Fraction,
                    ParamValue::Number(0.06),
                    "Binder as a mass fraction of all solids in the paste: binder / (binder + cake solids)",
                    "Someehneshin et al., GeoCalgary 2020: one test series at 6, 8 and 10 wt% binder (docs/sources.md §Mine backfill) [S]; the lowest taken",
                ),
                ParamSpec::with_default(
                    "solids_content",
                    ParamKind::Fraction,
                    ParamValue::Number(0.75),
                    "Mass fraction of solids in the paste (strictly between 0 and 100 %)",
                    "paste backfill holds 72-85 wt% solids (mininglife.com, docs/sources.md §Mine backfill) [S]; 75 % taken within it [U]",
                ),
                ParamSpec::with_default(
                    "binder",
                    ParamKind::Text,
                    ParamValue::Text("cement".into()),
                    "Name of the binder component (must be a solid in the component set)",
                    "assumption [U]: Portland cement, the binder of the cited tests, declared as component `cement`",
                ),
                ParamSpec::with_default(
                    "specific_energy",
                    ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"),
                    ParamValue::Number(0.0),
                    "Mixing electricity per kg of paste",
                    "assumption [U]: no mixing-energy data found (docs/sources.md §Mine backfill); 0 unless stated",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        let binder_name = p.text_opt("binder")?.unwrap_or("cement");
        let binder = set.require(binder_name).map_err(|e| UnitError::param("binder", e.to_string()))?;
        if set.get(binder).is_some_and(|c| c.phase != Phase::Solid) {
            return Err(UnitError::param(
                "binder",
                format!("`{binder_name}` must be a solid component to count as paste solids"),
            ));
        }
        let h2o = set
            .index_of("H2O")
            .ok_or_else(|| UnitError::port("paste", "the component set has no `H2O`: the mixer adds water as H2O"))?;
        let dosage = fraction("binder_dosage", "", p.number("binder_dosage")?)?;
        if dosage >= 1.0 {
            return Err(UnitError::param("binder_dosage", "must be below 1 (100 %): the paste must contain the cake"));
        }
        Ok(Box::new(BackfillMixerUnit {
            set: set.clone(),
            binder,
            h2o,
            dosage,
            solids_content: open_fraction("solids_content", p.number("solids_content")?)?,
            specific_energy: non_negative("specific_energy", p.number("specific_energy")?, "J/kg")?,
            ports: inlet_ports(config.connections),
        }))
    }
}

impl UnitOperation for BackfillMixerUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let set = &*self.set;
        check_inlets(set, inlets, &self.ports)?;
        check_outlets(outlets, 1, set.len())?;
        let cake = inlet(inlets, 0, "cake")?;
        let mut flows = crate::scratch::Scratch::zeros(0);
        flows.extend(cake.flows.iter().map(|w| w.max(0.0)));
        let total: f64 = flows.iter().sum();
        let s_cake = phase_mass(set, &flows, Phase::Solid);
        let n_cake = total - s_cake;
        let binder = self.dosage / (1.0 - self.dosage) * s_cake;
        let solids = s_cake + binder;
        let water = solids / self.solids_content - solids - n_cake;
        if water < -1e-12 * total {
            return Err(UnitError::port(
                "cake",
                format!(
                    "is too wet for solids_content {:.2} %: it already holds {n_cake:.6e} kg/s of liquid, {:.6e} kg/s more than the paste may; \
                     a mixer cannot remove water: dewater the cake further (lower `cake_moisture` upstream) or lower `solids_content`",
                    self.solids_content * 100.0,
                    -water
                ),
            ));
        }
        let water = water.max(0.0);
        let paste = &mut outlets[0];
        paste.flows.copy_from_slice(&flows);
        paste.flows[self.binder] += binder;
        paste.flows[self.h2o] += water;
        paste.temperature = cake.temperature;
        paste.pressure = cake.pressure;

        report.material("binder", self.binder, binder);
        report.material("mix water", self.h2o, water);
        let mass = total + binder + water;
        if self.specific_energy == 0.0 {
            report.note("mixing electricity taken as 0 (no data; set `specific_energy`)");
        }
        report.utility(Utility::Electricity, "mixing", self.specific_energy * mass);
        report.size("binder_used", binder, Dimension::MASS_FLOW);
        report.size("water_added", water, Dimension::MASS_FLOW);
        report.size("throughput", mass, Dimension::MASS_FLOW);
        Ok(())
    }
}
