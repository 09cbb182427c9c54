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
//! `humidity_ratio` (kg of water vapour per kg of other gas, of the vapour outlet), and the
//! drum: a vertical vessel without mist eliminator sized for the vapour (ideal gas) and the
//! liquid (at `liquid_density`) by Svrcek & Monnery's procedure (`crate::vessel`), with the
//! sizes `diameter`, `length` (m), `vessel_weight` (kg) and `wall_thickness` (m) that the
//! `seider_vertical_vessel` cost correlation reads. A drum with no vapour is not sized (a
//! note says so).

use std::sync::Arc;

use calx_core::thermo::enthalpy_flow;
use calx_core::water::saturated_vapour_mole_fraction;
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::{positive, water_component_param, water_components};
use crate::vessel::{DrumService, vertical_drum};

/// Molar gas constant, J/(mol K): exact since the 2019 SI.
const GAS_CONSTANT: f64 = 8.314_462_618;

/// The `flash` unit type.
pub struct Flash;

struct FlashUnit {
    set: Arc<ComponentSet>,
    liquid: usize,
    vapour: usize,
    t: f64,
    p: Option<f64>,
    liquid_density: f64,
    holdup_time: f64,
    surge_time: f64,
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
                ParamSpec::with_default(
                    "liquid_density",
                    ParamKind::quantity(Dimension::DENSITY, "kg/m3"),
                    ParamValue::Number(997.0),
                    "Density of the liquid outlet, for the drum's liquid volume",
                    "997 kg/m3, liquid water at 25 degC (docs/sources.md §Stirred tanks)",
                ),
                ParamSpec::with_default(
                    "holdup_time",
                    ParamKind::quantity(Dimension::TIME, "min"),
                    ParamValue::Number(900.0),
                    "Time for the liquid to rise from the low to the normal level, for the drum's height",
                    "15 min, BioSTEAM's `Flash` default (Svrcek & Monnery 1993)",
                ),
                ParamSpec::with_default(
                    "surge_time",
                    ParamKind::quantity(Dimension::TIME, "min"),
                    ParamValue::Number(450.0),
                    "Time for the liquid to rise from the normal to the high level, for the drum's height",
                    "7.5 min, BioSTEAM's `Flash` default (Svrcek & Monnery 1993)",
                ),
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
            liquid_density: positive("liquid_density", p.number("liquid_density")?, "kg/m3")?,
            holdup_time: positive("holdup_time", p.number("holdup_time")?, "s")?,
            surge_time: positive("surge_time", p.number("surge_time")?, "s")?,
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
        let vapour_volume = (gas_moles + carried / m_water) * GAS_CONSTANT * self.t / pressure;
        self.size_drum(vapour_volume, vap.total_mass(), liq.total_mass(), pressure, report)
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "T" => self.t = positive(param, value, "K")?,
            "P" => self.p = Some(positive(param, value, "Pa")?),
            "liquid_density" => self.liquid_density = positive(param, value, "kg/m3")?,
            "holdup_time" => self.holdup_time = positive(param, value, "s")?,
            "surge_time" => self.surge_time = positive(param, value, "s")?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl FlashUnit {
    /// The vertical drum for `vapour_volume` m3/s of vapour weighing `vapour_mass` kg/s and
    /// `liquid_mass` kg/s of liquid, reported as sizes.
    fn size_drum(
        &self,
        vapour_volume: f64,
        vapour_mass: f64,
        liquid_mass: f64,
        pressure: f64,
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        if vapour_volume <= 0.0 {
            report.note("no vapour leaves the drum: it is not sized (no diameter, length or weight)");
            return Ok(());
        }
        let service = DrumService {
            vapour_flow: vapour_volume,
            liquid_flow: liquid_mass / self.liquid_density,
            vapour_density: vapour_mass / vapour_volume,
            liquid_density: self.liquid_density,
            pressure,
            holdup_time: self.holdup_time,
            surge_time: self.surge_time,
        };
        let drum = vertical_drum(&service, "P", "liquid_density")?;
        report.size("diameter", drum.diameter, Dimension::LENGTH);
        report.size("length", drum.length, Dimension::LENGTH);
        report.size("vessel_weight", drum.weight, Dimension::MASS);
        report.size("wall_thickness", drum.wall_thickness, Dimension::LENGTH);
        Ok(())
    }
}
