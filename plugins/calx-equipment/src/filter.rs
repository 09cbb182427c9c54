//! `filter`: a continuous filter (rotary vacuum drum or belt) separating a slurry into a cake
//! of set moisture and a filtrate, sized by a specific filtration rate.
//!
//! Equations (docs/equipment.md §filter):
//!
//! * solids (components of phase solid): a fraction `solids_recovery` of each goes to the
//!   cake, S the solids in the cake;
//! * moisture: the cake holds the mass fraction `cake_moisture` w of liquid, L = w/(1 − w)·S,
//!   taken from every liquid component in proportion to its feed flow; the rest of the
//!   liquid and every gas go to the filtrate. A feed with less liquid than L is refused: a
//!   filter cannot add liquid;
//! * area A = ṁ_feed / `filtration_rate`, the rate being the feed filtered per unit area and
//!   time (the basis of BioSTEAM's rotary vacuum filter, which gives it per day and ft²).
//!
//! Both outlets leave at the feed's temperature and pressure, so mass, elements and energy
//! close exactly. The vacuum pump's electricity and cake washing are not modelled.
//! Reports the sizes `area` (m²), `dry_solids` (S, kg/s) and `throughput` (feed, kg/s); the
//! `seider_rotary_vacuum_filter` cost correlation reads `area`.

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::positive;

/// kg/(m2 s): feed filtered per unit area and time.
const MASS_FLUX: Dimension = Dimension { mass: 1, length: -2, time: -1, temperature: 0, amount: 0, money: 0 };

/// The `filter` unit type.
pub struct Filter;

struct FilterUnit {
    set: Arc<ComponentSet>,
    recovery: f64,
    moisture: f64,
    rate: f64,
}

impl UnitType for Filter {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "filter".into(),
            summary: "Continuous filter: a cake of set moisture and a filtrate; area from a specific filtration rate."
                .into(),
            ports: vec![
                PortSpec::inlet("feed", "slurry to filter"),
                PortSpec::outlet("cake", "filter cake: recovered solids with their moisture"),
                PortSpec::outlet("filtrate", "liquid (and gas) not held in the cake, and solids not recovered"),
            ],
            params: vec![
                ParamSpec::required(
                    "solids_recovery",
                    ParamKind::Fraction,
                    "Fraction of each solid component recovered to the cake",
                ),
                ParamSpec::required(
                    "cake_moisture",
                    ParamKind::Fraction,
                    "Mass fraction of liquid in the cake (below 100 %)",
                ),
                ParamSpec::required(
                    "filtration_rate",
                    ParamKind::quantity(MASS_FLUX, "kg/m2/h"),
                    "Feed filtered per unit filter area and time (from a filtration test or the vendor)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let recovery = p.number("solids_recovery")?;
        if !(recovery.is_finite() && (0.0..=1.0).contains(&recovery)) {
            return Err(UnitError::param(
                "solids_recovery",
                format!("must be between 0 and 1 (0-100 %), found {recovery}"),
            ));
        }
        let moisture = p.number("cake_moisture")?;
        if !(moisture.is_finite() && (0.0..1.0).contains(&moisture)) {
            return Err(UnitError::param(
                "cake_moisture",
                format!("must be at least 0 and below 1 (100 %): a cake holds solids, found {moisture}"),
            ));
        }
        Ok(Box::new(FilterUnit {
            set: config.components.clone(),
            recovery,
            moisture,
            rate: positive("filtration_rate", p.number("filtration_rate")?, "kg/(m2 s)")?,
        }))
    }
}

impl UnitOperation for FilterUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
        let (cake, filtrate) = outlets.split_at_mut(1);
        let (cake, filtrate) = (&mut cake[0], &mut filtrate[0]);
        let phase = |i: usize| self.set.get(i).map(|c| c.phase);
        let (mut solids, mut liquid) = (0.0, 0.0);
        for (i, &w) in feed.flows.iter().enumerate() {
            match phase(i) {
                Some(Phase::Solid) => solids += w * self.recovery,
                Some(Phase::Liquid) => liquid += w,
                _ => {}
            }
        }
        let held = self.moisture / (1.0 - self.moisture) * solids;
        if held > liquid * (1.0 + 1e-12) {
            return Err(UnitError::param(
                "cake_moisture",
                format!(
                    "needs {held} kg/s of liquid in the cake, but the feed brings only {liquid} kg/s: a filter cannot add liquid"
                ),
            ));
        }
        let liquid_share = if liquid > 0.0 { (held / liquid).min(1.0) } else { 0.0 };
        for (i, &w) in feed.flows.iter().enumerate() {
            let to_cake = match phase(i) {
                Some(Phase::Solid) => w * self.recovery,
                Some(Phase::Liquid) => w * liquid_share,
                _ => 0.0,
            };
            cake.flows[i] = to_cake;
            filtrate.flows[i] = w - to_cake;
        }
        for out in [&mut *cake, &mut *filtrate] {
            out.temperature = feed.temperature;
            out.pressure = feed.pressure;
        }
        let throughput = feed.total_mass();
        report.size("area", throughput / self.rate, Dimension::LENGTH.powi(2));
        report.size("dry_solids", solids, Dimension::MASS_FLOW);
        report.size("throughput", throughput, Dimension::MASS_FLOW);
        Ok(())
    }
}
