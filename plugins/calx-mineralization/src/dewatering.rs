//! `dewatering`: separates a slurry into a cake and a filtrate (filter press, centrifuge).
//!
//! * Solids (components of phase solid): a fraction `solids_recovery` of each goes to the
//!   cake, the rest to the filtrate. S = sum of the solids in the cake.
//! * Moisture: the cake holds `cake_moisture` w, the mass fraction of liquid in the cake:
//!   L = w / (1 - w) * S. It is taken from every liquid component in proportion to its feed
//!   flow; the rest of the liquids and all gas-phase components go to the filtrate.
//!   w = 0 gives a dry product. A feed with less liquid than L is an error: a dewatering
//!   step cannot add water.
//! * Electricity: P = `specific_energy` * S (per kg of dry solids in the cake, the basis
//!   vendors quote, docs/sources.md §Dewatering).
//!
//! Both outlets leave at feed temperature and pressure.
//!
//! Reports: electricity "dewatering", sizes "dry_solids" (S, kg/s) and "throughput" (feed
//! kg/s).

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{check_inlets, check_outlets, fraction, inlet, inlet_ports, non_negative};

/// The `dewatering` unit type.
pub struct Dewatering;

struct DewateringUnit {
    set: Arc<ComponentSet>,
    recovery: f64,
    moisture: f64,
    specific_energy: f64,
    ports: Vec<String>,
}

impl UnitType for Dewatering {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "dewatering".into(),
            summary: "Solid-liquid separation into a cake of set moisture and a filtrate.".into(),
            ports: vec![
                PortSpec::inlet("feed", "slurry to dewater"),
                PortSpec::outlet("cake", "dewatered solids with their moisture"),
                PortSpec::outlet("filtrate", "liquid (and gas) not kept in the cake, and solids not recovered"),
            ],
            params: vec![
                ParamSpec::with_default(
                    "solids_recovery",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Fraction of each solid component recovered to the cake",
                    "assumption [U]: ideal solid capture; no recovery data in docs/sources.md §Dewatering",
                ),
                ParamSpec::with_default(
                    "cake_moisture",
                    ParamKind::Fraction,
                    ParamValue::Number(0.25),
                    "Mass fraction of liquid in the cake (0 = dry product; below 100 %)",
                    "plate-and-frame press cake 25-40 % moisture (jiangdongmachinery.com vendor blog, low quality) via docs/sources.md §Dewatering [S]; the low end taken [U] (mineral slurries dewater better than sludge, and a wetter cake could not make the default 75 % solids paste)",
                ),
                ParamSpec::with_default(
                    "specific_energy",
                    ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"),
                    ParamValue::Number(25.0 * 3.6e3),
                    "Electricity per kg of dry solids in the cake",
                    "Huber: plate & frame press 25-60 kWh/t DS for municipal sludge (docs/sources.md §Dewatering) [S]; low end taken since mineral slurries dewater more easily [U]",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let recovery = fraction("solids_recovery", "", p.number("solids_recovery")?)?;
        let moisture = fraction("cake_moisture", "", p.number("cake_moisture")?)?;
        if moisture >= 1.0 {
            return Err(UnitError::param(
                "cake_moisture",
                "must be below 1 (100 %): a cake of pure liquid holds no solids",
            ));
        }
        let specific_energy = non_negative("specific_energy", p.number("specific_energy")?, "J/kg")?;
        Ok(Box::new(DewateringUnit {
            set: config.components.clone(),
            recovery,
            moisture,
            specific_energy,
            ports: inlet_ports(config.connections),
        }))
    }
}

impl UnitOperation for DewateringUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let set = &*self.set;
        check_inlets(set, inlets, &self.ports)?;
        check_outlets(outlets, 2, set.len())?;
        let feed = inlet(inlets, 0, "feed")?;
        // Round-off negatives (-1e-20 from an upstream subtraction) taken as zero, where each
        // flow is read (no copy of the feed per calculation).
        let flows = || feed.flows.iter().map(|w| w.max(0.0));
        let (cake, filtrate) = outlets.split_at_mut(1);
        let (cake, filtrate) = (&mut cake[0], &mut filtrate[0]);

        let mut dry = 0.0;
        let mut liquid = 0.0;
        for (c, w) in set.iter().zip(flows()) {
            match c.phase {
                Phase::Solid => dry += w * self.recovery,
                Phase::Liquid => liquid += w,
                Phase::Gas => {}
            }
        }
        let moisture = self.moisture / (1.0 - self.moisture) * dry;
        if moisture > liquid * (1.0 + 1e-12) {
            return Err(UnitError::param(
                "cake_moisture",
                format!(
                    "of {:.2} % needs {moisture:.6e} kg/s of liquid in the cake, but the feed holds only {liquid:.6e} kg/s: \
                     the feed is drier than the cake (a dewatering step cannot add water); lower `cake_moisture`",
                    self.moisture * 100.0
                ),
            ));
        }
        // Share of every liquid kept in the cake (liquids in proportion to their flows).
        let kept = if liquid > 0.0 { (moisture / liquid).min(1.0) } else { 0.0 };
        // check_outlets made both outlets as long as the set.
        let outlet_flows = cake.flows.iter_mut().zip(filtrate.flows.iter_mut());
        for ((c, w), (to_cake, to_filtrate)) in set.iter().zip(flows()).zip(outlet_flows) {
            *to_cake = match c.phase {
                Phase::Solid => w * self.recovery,
                Phase::Liquid => w * kept,
                Phase::Gas => 0.0,
            };
            *to_filtrate = w - *to_cake;
        }
        for out in [&mut *cake, &mut *filtrate] {
            out.temperature = feed.temperature;
            out.pressure = feed.pressure;
        }
        report.utility(Utility::Electricity, "dewatering", self.specific_energy * dry);
        report.size("dry_solids", dry, Dimension::MASS_FLOW);
        report.size("throughput", feed.total_mass(), Dimension::MASS_FLOW);
        Ok(())
    }
}
