//! `flash`: a water/gas flash drum: the feed brought to a set temperature and pressure, the
//! gas leaving saturated with water vapour and the rest of the water as liquid.
//!
//! Equations (docs/equipment.md §flash; Çengel & Boles, *Thermodynamics: An Engineering
//! Approach*, 7th ed., chapter 14, for saturated humid gas; vapour pressure from IAPWS-IF97
//! through `calx_core::water`):
//!
//! * water vapour mole fraction of the saturated gas y = pσ(T)/P (Raoult's law for pure
//!   water; gases taken as insoluble in the liquid, ideal gas);
//! * water vapour carried, mol/s: n_w = n_gas y/(1 − y), n_gas the molar flow of every other
//!   gas component; at most the water the feed holds (liquid or vapour): a feed too dry to
//!   saturate its gas leaves all its water as vapour;
//! * every non-gas component leaves with the liquid; every gas with the vapour;
//! * heat duty = enthalpy out − enthalpy in (formation enthalpies of the liquid-water and
//!   vapour components carry the latent heat).
//!
//! Reports the duty "flash" (heating or cooling) and the sizes `vapour_flow` (kg/s) and
//! `humidity_ratio` (kg of water vapour per kg of other gas, of the vapour outlet).

use std::sync::Arc;

use calx_core::thermo::enthalpy_flow;
use calx_core::water::saturated_vapour_mole_fraction;
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::{positive, water_component_param, water_components};

/// The `flash` unit type.
pub struct Flash;

struct FlashUnit {
    set: Arc<ComponentSet>,
    liquid: usize,
    vapour: usize,
    t: f64,
    p: Option<f64>,
}

impl UnitType for Flash {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "flash".into(),
            summary: "Water/gas flash drum at a set temperature and pressure: gas saturated with water vapour (IAPWS-IF97 vapour pressure), the rest of the water as liquid; heat duty from the enthalpy balance.".into(),
            ports: vec![
                PortSpec::inlet("in", "gas, water and any solids"),
                PortSpec::outlet("vapour", "the gas, saturated with water vapour"),
                PortSpec::outlet("liquid", "liquid water and every other non-gas component"),
            ],
            params: vec![
                ParamSpec::required("T", ParamKind::quantity(Dimension::TEMPERATURE, "degC"), "Temperature of the drum (both outlets)"),
                ParamSpec::optional("P", ParamKind::quantity(Dimension::PRESSURE, "kPa"), "Pressure of the drum (default: the inlet pressure)"),
                water_component_param("liquid", "H2O", "Component of liquid water"),
                water_component_param("vapour", "H2O(g)", "Component of water vapour"),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let (p, set) = (config.params, config.components);
        let (liquid, vapour) = water_components(p, set)?;
        Ok(Box::new(FlashUnit {
            set: set.clone(),
            liquid,
            vapour,
            t: positive("T", p.number("T")?, "K")?,
            p: p.number_opt("P")?.map(|x| positive("P", x, "Pa")).transpose()?,
        }))
    }
}

impl UnitOperation for FlashUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
        let pressure = self.p.unwrap_or(feed.pressure);
        let y = saturated_vapour_mole_fraction(self.t, pressure)
            .map_err(|e| UnitError::param("T", format!("cannot be flashed at {pressure} Pa: {e}")))?;
        let (vap, liq) = outlets.split_at_mut(1);
        let (vap, liq) = (&mut vap[0], &mut liq[0]);
        let (mut gas_moles, mut gas_mass) = (0.0, 0.0);
        for (i, (c, &w)) in self.set.iter().zip(&feed.flows).enumerate() {
            let is_gas = c.phase == Phase::Gas && i != self.vapour;
            vap.flows[i] = if is_gas { w } else { 0.0 };
            liq.flows[i] = if is_gas || i == self.vapour { 0.0 } else { w };
            if is_gas && w != 0.0 {
                let m = c.molar_mass.ok_or_else(|| UnitError::port("in", format!("{} has no molar mass", c.name)))?;
                gas_moles += w / m;
                gas_mass += w;
            }
        }
        let m_water = self.set.get(self.vapour).and_then(|c| c.molar_mass).unwrap_or(0.018_015);
        let water = feed.flows[self.liquid] + feed.flows[self.vapour];
        let carried = (gas_moles * y / (1.0 - y) * m_water).min(water);
        vap.flows[self.vapour] = carried;
        liq.flows[self.liquid] = water - carried;
        for s in [&mut *vap, &mut *liq] {
            s.temperature = self.t;
            s.pressure = pressure;
        }
        let h_in = enthalpy_flow(&self.set, &feed.flows, feed.temperature)?;
        let h_out = enthalpy_flow(&self.set, &vap.flows, self.t)? + enthalpy_flow(&self.set, &liq.flows, self.t)?;
        report.heat_duty("flash", h_out - h_in);
        report.size("vapour_flow", vap.total_mass(), Dimension::MASS_FLOW);
        let ratio = if gas_mass > 0.0 { carried / gas_mass } else { 0.0 };
        report.size("humidity_ratio", ratio, Dimension::DIMENSIONLESS);
        Ok(())
    }
}
