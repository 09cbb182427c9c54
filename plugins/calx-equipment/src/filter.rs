//! `filter`: a continuous filter (rotary vacuum drum or belt) separating a slurry into a cake
//! of set moisture and a filtrate, sized by a specific filtration rate, with an optional
//! displacement wash of the cake.
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
//! Washing (when the `wash` inlet is connected): the wash stream brings W kg/s of liquid, the
//! wash ratio R = W/L. Wash liquid pushed through the cake displaces its liquor: with the
//! `displacement_efficiency` E (no default: it is a property of the cake, from a washing
//! test), a fraction f = E·min(R, 1) of the cake's liquor, component by component, leaves with
//! the wash filtrate and the same mass of wash liquid (in the wash's proportions) takes its
//! place, so the cake keeps its moisture. E = 1 with R ≥ 1 is ideal plug-flow displacement;
//! E < 1 stands for the liquor the wash bypasses. This is the simplest exact displacement
//! model, from the mass balance alone: no washing curve from a textbook was retrieved to cite
//! (docs/sources.md §Process equipment). The wash filtrate (the rest of the wash liquid, the
//! displaced liquor and any gas of the wash) leaves by `wash_filtrate` when connected, else
//! mixed into `filtrate`. A wash carrying solids or no liquid is refused.
//!
//! Without a wash both outlets leave at the feed's temperature and pressure; with one, every
//! outlet leaves at the temperature of the adiabatic mix of feed and wash (the feed's when
//! both are equal) and the feed's pressure, so mass, elements and energy close exactly. The
//! vacuum pump's electricity is not modelled.
//! Reports the sizes `area` (m²), `dry_solids` (S, kg/s) and `throughput` (feed, kg/s), and
//! with a wash `wash_liquid` (W, kg/s) and `wash_ratio` (R; 0 when the cake holds no liquid);
//! the wash does not change the area, which the rate ties to the feed alone. The
//! `seider_rotary_vacuum_filter` cost correlation reads `area`.

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
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
    wash: Option<Wash>,
}

/// How the cake is washed, when the `wash` inlet is connected.
struct Wash {
    efficiency: f64,
    /// Whether the wash filtrate leaves by its own outlet (else mixed into the filtrate).
    separate_outlet: bool,
}

impl UnitType for Filter {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "filter".into(),
            summary: "Continuous filter: a cake of set moisture and a filtrate, optionally a displacement wash; area from a specific filtration rate."
                .into(),
            ports: vec![
                PortSpec::inlet("feed", "slurry to filter"),
                PortSpec::inlet("wash", "wash liquid (e.g. water) displacing the cake's liquor").optional(),
                PortSpec::outlet("cake", "filter cake: recovered solids with their moisture"),
                PortSpec::outlet(
                    "filtrate",
                    "liquid (and gas) not held in the cake, and solids not recovered; with a wash and no `wash_filtrate`, the wash filtrate too",
                ),
                PortSpec::outlet("wash_filtrate", "wash liquid not left in the cake and the liquor it displaced")
                    .optional(),
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
                ParamSpec::optional(
                    "displacement_efficiency",
                    ParamKind::Fraction,
                    "With a `wash`: fraction of the cake's liquor the wash displaces when it brings at least as much liquid as the cake holds (from a washing test; required with a wash)",
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
            wash: wash_of(config)?,
        }))
    }
}

/// The wash, from the `wash` and `wash_filtrate` ports and `displacement_efficiency`: all
/// three go together, except that the wash filtrate may stay mixed into the filtrate.
fn wash_of(config: &UnitConfig<'_>) -> Result<Option<Wash>, UnitError> {
    let washed = !config.connections.inlet("wash").is_empty();
    let separate_outlet = !config.connections.outlet("wash_filtrate").is_empty();
    let efficiency = config.params.number_opt("displacement_efficiency")?;
    match (washed, efficiency) {
        (true, Some(e)) if e.is_finite() && (0.0..=1.0).contains(&e) => {
            Ok(Some(Wash { efficiency: e, separate_outlet }))
        }
        (true, Some(e)) => Err(UnitError::param(
            "displacement_efficiency",
            format!("must be between 0 and 1 (0-100 %) of the cake's liquor, found {e}"),
        )),
        (true, None) => Err(UnitError::param(
            "displacement_efficiency",
            "is required when the `wash` inlet is connected: the fraction of the cake's liquor the wash displaces (from a washing test)",
        )),
        (false, Some(_)) => Err(UnitError::param(
            "displacement_efficiency",
            "washes the cake, but the `wash` inlet is not connected: connect the wash liquid's stream",
        )),
        (false, None) if separate_outlet => Err(UnitError::port(
            "wash_filtrate",
            "is connected, but the `wash` inlet is not: without a wash there is no wash filtrate",
        )),
        (false, None) => Ok(None),
    }
}

impl UnitOperation for FilterUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
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
            outlets[0].flows[i] = to_cake;
            outlets[1].flows[i] = w - to_cake;
        }
        let throughput = feed.total_mass();
        report.size("area", throughput / self.rate, Dimension::LENGTH.powi(2));
        report.size("dry_solids", solids, Dimension::MASS_FLOW);
        report.size("throughput", throughput, Dimension::MASS_FLOW);
        match &self.wash {
            Some(wash) => self.wash_cake(wash, feed, &inlets[1], outlets, report),
            None => {
                for out in outlets.iter_mut() {
                    out.temperature = feed.temperature;
                    out.pressure = feed.pressure;
                }
                Ok(())
            }
        }
    }
}

impl FilterUnit {
    /// Displaces a fraction f = E·min(R, 1) of the cake's liquor (already in `outlets[0]`)
    /// by wash liquid, sends the rest of the wash and the displaced liquor to the wash
    /// filtrate, and sets every outlet to the temperature of the adiabatic mix of feed and
    /// wash.
    fn wash_cake(
        &self,
        wash: &Wash,
        feed: &Stream,
        wash_in: &Stream,
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        let phase = |i: usize| self.set.get(i).map(|c| c.phase);
        if let Some((i, _)) =
            wash_in.flows.iter().enumerate().find(|&(i, &w)| w > 0.0 && phase(i) == Some(Phase::Solid))
        {
            let name = self.set.get(i).map(|c| c.name.clone()).unwrap_or_default();
            return Err(UnitError::port("wash", format!("carries the solid `{name}`: a wash is a liquid")));
        }
        let is_liquid = |i: usize| phase(i) == Some(Phase::Liquid);
        let wash_liquid: f64 = wash_in.flows.iter().enumerate().filter(|(i, _)| is_liquid(*i)).map(|(_, w)| w).sum();
        if !(wash_liquid.is_finite() && wash_liquid > 0.0) {
            return Err(UnitError::port(
                "wash",
                format!("carries no liquid ({wash_liquid} kg/s): there is nothing to wash the cake with"),
            ));
        }
        let cake_liquor: f64 = outlets[0].flows.iter().enumerate().filter(|(i, _)| is_liquid(*i)).map(|(_, w)| w).sum();
        let ratio = if cake_liquor > 0.0 { wash_liquid / cake_liquor } else { 0.0 };
        let displaced = wash.efficiency * ratio.min(1.0);
        // Share of the wash liquid left in the cake in place of the displaced liquor (at most
        // all of it: f·L <= W by f <= R).
        let wash_kept = (displaced * cake_liquor / wash_liquid).min(1.0);
        let mut wash_filtrate = vec![0.0; wash_in.flows.len()];
        for (i, &w) in wash_in.flows.iter().enumerate() {
            let (liquor_out, wash_left) =
                if is_liquid(i) { (outlets[0].flows[i] * displaced, w * wash_kept) } else { (0.0, 0.0) };
            outlets[0].flows[i] += wash_left - liquor_out;
            wash_filtrate[i] = w - wash_left + liquor_out;
        }
        let target = if wash.separate_outlet { 2 } else { 1 };
        for (out, w) in outlets[target].flows.iter_mut().zip(&wash_filtrate) {
            *out += w;
        }
        let t = self.mixed_temperature(feed, wash_in)?;
        for out in outlets.iter_mut() {
            out.temperature = t;
            out.pressure = feed.pressure;
        }
        report.size("wash_liquid", wash_liquid, Dimension::MASS_FLOW);
        report.size("wash_ratio", ratio, Dimension::DIMENSIONLESS);
        Ok(())
    }

    /// Temperature of the adiabatic mix of feed and wash: the feed's when both are equal
    /// (exactly, with no solve).
    fn mixed_temperature(&self, feed: &Stream, wash_in: &Stream) -> Result<f64, UnitError> {
        if wash_in.temperature == feed.temperature {
            return Ok(feed.temperature);
        }
        let total: Vec<f64> = feed.flows.iter().zip(&wash_in.flows).map(|(a, b)| a + b).collect();
        let h = enthalpy_flow(&self.set, &feed.flows, feed.temperature)?
            + enthalpy_flow(&self.set, &wash_in.flows, wash_in.temperature)?;
        Ok(temperature_for_enthalpy(&self.set, &total, h, feed.temperature)?)
    }
}
