//! `utility_exchanger`: heats a process stream with condensing saturated steam or
//! electricity, or cools it with cooling water, chilled water or an electric refrigerator,
//! to a set outlet temperature; reports the utility's duty and flow and sizes the exchanger
//! by the log-mean temperature difference (the electric utility has no exchanger to size).
//!
//! Equations (docs/equipment.md §utility_exchanger):
//!
//! * duty Q = H(T_out) − H(T_in) of the process stream (formation enthalpies and heat
//!   capacities, `calx_core::thermo`), reported as heating (steam) or cooling (water), so the
//!   unit's energy balance closes exactly;
//! * steam condenses at T_sat(p_steam) (IAPWS-IF97 Eq. 31) and gives up its enthalpy of
//!   vaporisation h_fg(T_sat) (IAPWS SR1-86, `calx_core::water`): steam flow = Q / h_fg;
//!   ΔT1 = T_sat − T_in, ΔT2 = T_sat − T_out;
//! * cooling water runs counter-current from `T_supply` to `T_return`: water flow =
//!   −Q / (c_p (T_return − T_supply)) with c_p = 75.3 J/(mol K) / 18.015 g/mol =
//!   4180 J/(kg K) (liquid water at 298 K, docs/sources.md §Formation enthalpies);
//!   ΔT1 = T_in − T_return, ΔT2 = T_out − T_supply;
//! * chilled water runs like cooling water from `T_supply` to `T_return`, and the chiller
//!   that makes it draws electricity −Q / COP (`cop`, the chiller's coefficient of
//!   performance: heat taken from the chilled water over electricity);
//! * both ends above zero (a temperature cross is refused) and at least `min_approach` when
//!   given; LMTD and area A = |Q| / (U · LMTD) as in `heat_exchanger`;
//! * electricity heats by resistance: electricity = Q / `heater_efficiency`, and the heat Q
//!   the stream gains is declared as work (`UnitReport::shaft_work`, the engine's rule for
//!   enthalpy a stream gains from electricity); or cools by an electric refrigerator:
//!   electricity = −Q / COP, the heat removed reported as cooling. No area: an electric
//!   heater or refrigerator is sized by its power (`duty`, `electric_power`).
//!
//! The utility circulates outside the flowsheet: its flow is a size figure
//! (`steam_flow`, `cooling_water_flow` or `chilled_water_flow`, kg/s), not a stream. Sizes
//! `area`, `duty`, `lmtd` as the `heat_exchanger`'s, so the same cost correlations apply. The
//! utilities reach the TEA and the LCA as the `heating`, `cooling` and `electricity` utilities
//! they are reported as (steam heating; cooling-water, chilled-water and refrigeration
//! cooling; chiller, refrigerator and heater electricity).

use std::sync::Arc;

use calx_core::thermo::enthalpy_flow;
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType, water,
};

use crate::common::{efficiency, positive};
use crate::heat_exchanger::{HEAT_TRANSFER_COEFFICIENT, lmtd};

/// Specific heat of liquid water, J/(kg K): CRC Cp(298 K) 75.3 J/(mol K) over 18.015 g/mol
/// (docs/sources.md §Formation enthalpies and §Molar masses).
const WATER_CP: f64 = 75.3 / 0.018_015;

/// The `utility_exchanger` unit type.
pub struct UtilityExchanger;

/// The utility and what the unit knows of it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Utility {
    /// Saturated steam condensing at `t_sat` (K), giving up `h_fg` (J/kg).
    Steam { t_sat: f64, h_fg: f64 },
    /// Cooling water warmed from `supply` to `ret` (K).
    CoolingWater { supply: f64, ret: f64 },
    /// Chilled water warmed from `supply` to `ret` (K), made by a chiller of performance `cop`.
    ChilledWater { supply: f64, ret: f64, cop: f64 },
    /// Electricity: a resistance heater of efficiency `heater` or a refrigerator of
    /// performance `cop` (required to cool).
    Electric { heater: f64, cop: Option<f64> },
}

struct UtilityExchangerUnit {
    set: Arc<ComponentSet>,
    utility: Utility,
    t_out: f64,
    /// Overall coefficient, W/(m2 K); none for the electric utility.
    u: Option<f64>,
    min_approach: Option<f64>,
}

impl UnitType for UtilityExchanger {
    fn descriptor(&self) -> UnitDescriptor {
        let t =
            |name: &str, doc: &str| ParamSpec::optional(name, ParamKind::quantity(Dimension::TEMPERATURE, "degC"), doc);
        UnitDescriptor {
            type_name: "utility_exchanger".into(),
            summary: "Heats a stream with condensing steam or electricity, or cools it with cooling water, chilled water or an electric refrigerator, to a set temperature: duty, utility flow and electricity, LMTD and area; refuses a temperature cross.".into(),
            ports: vec![PortSpec::inlet("in", "process stream"), PortSpec::outlet("out", "heated or cooled process stream")],
            params: vec![
                ParamSpec::required("utility", ParamKind::choice(&["steam", "cooling_water", "chilled_water", "electric"]), "The utility: saturated `steam` condensing at `steam_pressure`, `cooling_water` or `chilled_water` from `T_supply` to `T_return`, or `electric` (resistance heating, or a refrigerator with `cop`)"),
                ParamSpec::required("T", ParamKind::quantity(Dimension::TEMPERATURE, "degC"), "Process outlet temperature"),
                ParamSpec::optional("steam_pressure", ParamKind::quantity(Dimension::PRESSURE, "kPa"), "Pressure of the saturated steam (steam only)"),
                t("T_supply", "Cooling- or chilled-water supply temperature (cooling or chilled water only)"),
                t("T_return", "Cooling- or chilled-water return temperature (cooling or chilled water only)"),
                ParamSpec::optional("cop", ParamKind::Number, "Coefficient of performance of the chiller (chilled water) or of the refrigerator (electric cooling): heat removed over electricity drawn"),
                ParamSpec::optional("heater_efficiency", ParamKind::Fraction, "Share of the electricity an electric heater gives the stream (electric heating only; default 100 %: resistance heating turns all its electricity into heat, losses to the surroundings are left out, assumption)"),
                ParamSpec::optional("U", ParamKind::quantity(HEAT_TRANSFER_COEFFICIENT, "W/m2 K"), "Overall heat-transfer coefficient, on the area the unit reports (required, except with `utility: electric`, which has no exchanger area)"),
                ParamSpec::optional("min_approach", ParamKind::quantity(Dimension::TEMPERATURE, "K"), "Smallest temperature difference allowed at either end, in K (a difference, so write `10 K`, not degC)"),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let utility = match p.text_opt("utility")? {
            Some("steam") => steam(p)?,
            Some("cooling_water") => cooling_water(p)?,
            Some("chilled_water") => chilled_water(p)?,
            Some("electric") => electric(p)?,
            other => {
                return Err(UnitError::param(
                    "utility",
                    format!("must be `steam`, `cooling_water`, `chilled_water` or `electric`, found {other:?}"),
                ));
            }
        };
        let min_approach = p.number_opt("min_approach")?.map(|x| positive("min_approach", x, "K")).transpose()?;
        let u = match utility {
            Utility::Electric { .. } => None,
            _ => Some(positive(
                "U",
                p.number_opt("U")?
                    .ok_or_else(|| UnitError::param("U", "is required: the exchanger's area follows from it"))?,
                "W/(m2 K)",
            )?),
        };
        Ok(Box::new(UtilityExchangerUnit {
            set: config.components.clone(),
            utility,
            t_out: positive("T", p.number("T")?, "K")?,
            u,
            min_approach,
        }))
    }
}

/// Refuse a parameter that belongs to the other utility.
fn not_for(p: &calx_core::Params, names: &[&str], utility: &str) -> Result<(), UnitError> {
    match names.iter().find(|n| p.has(n)) {
        Some(n) => Err(UnitError::param(n, format!("does not apply to `utility: {utility}`; leave it out"))),
        None => Ok(()),
    }
}

/// Steam: saturation temperature and latent heat at the given pressure.
fn steam(p: &calx_core::Params) -> Result<Utility, UnitError> {
    not_for(p, &["T_supply", "T_return", "cop", "heater_efficiency"], "steam")?;
    let pressure = p
        .number_opt("steam_pressure")?
        .ok_or_else(|| UnitError::param("steam_pressure", "is required with `utility: steam`"))?;
    let t_sat = water::saturation_temperature(pressure)
        .map_err(|e| UnitError::param("steam_pressure", format!("is outside the saturation line: {e}")))?;
    let h_fg = water::latent_heat(t_sat)
        .map_err(|e| UnitError::param("steam_pressure", format!("gives no latent heat: {e}")))?;
    if h_fg <= 0.0 {
        return Err(UnitError::param(
            "steam_pressure",
            format!("({pressure} Pa) is at the critical point: steam there gives up no latent heat"),
        ));
    }
    Ok(Utility::Steam { t_sat, h_fg })
}

/// Cooling water: supply below return.
fn cooling_water(p: &calx_core::Params) -> Result<Utility, UnitError> {
    not_for(p, &["steam_pressure", "cop", "heater_efficiency"], "cooling_water")?;
    let (supply, ret) = water_temperatures(p, "cooling_water")?;
    Ok(Utility::CoolingWater { supply, ret })
}

/// Chilled water: supply below return, and the chiller's performance.
fn chilled_water(p: &calx_core::Params) -> Result<Utility, UnitError> {
    not_for(p, &["steam_pressure", "heater_efficiency"], "chilled_water")?;
    let (supply, ret) = water_temperatures(p, "chilled_water")?;
    let cop = p.number_opt("cop")?.ok_or_else(|| {
        UnitError::param("cop", "is required with `utility: chilled_water`: the chiller's electricity follows from it")
    })?;
    Ok(Utility::ChilledWater { supply, ret, cop: positive("cop", cop, "(W/W)")? })
}

/// Electricity: a heater's efficiency (default 1) and a refrigerator's performance if given.
fn electric(p: &calx_core::Params) -> Result<Utility, UnitError> {
    not_for(p, &["steam_pressure", "T_supply", "T_return", "U", "min_approach"], "electric")?;
    let heater = efficiency("heater_efficiency", p.number_opt("heater_efficiency")?.unwrap_or(1.0))?;
    let cop = p.number_opt("cop")?.map(|x| positive("cop", x, "(W/W)")).transpose()?;
    Ok(Utility::Electric { heater, cop })
}

/// Supply and return temperatures of cooling or chilled water: supply below return.
fn water_temperatures(p: &calx_core::Params, utility: &str) -> Result<(f64, f64), UnitError> {
    let need = |name: &str| {
        p.number_opt(name)?.ok_or_else(|| UnitError::param(name, format!("is required with `utility: {utility}`")))
    };
    let (supply, ret) = (positive("T_supply", need("T_supply")?, "K")?, positive("T_return", need("T_return")?, "K")?);
    if ret <= supply {
        return Err(UnitError::param(
            "T_return",
            format!(
                "({:.2} degC) must be above `T_supply` ({:.2} degC): the water takes up the heat",
                ret - 273.15,
                supply - 273.15
            ),
        ));
    }
    Ok((supply, ret))
}

impl UtilityExchangerUnit {
    /// Terminal differences and the steam or water flow for duty `q` (W, positive heating),
    /// of the utilities that run through an exchanger.
    fn utility_side(&self, t_in: f64, q: f64) -> Result<(f64, f64, f64), UnitError> {
        match self.utility {
            Utility::Steam { t_sat, h_fg } => {
                if q < 0.0 {
                    return Err(UnitError::param(
                        "T",
                        "is below the inlet temperature: steam can only heat; use `utility: cooling_water`",
                    ));
                }
                Ok((t_sat - t_in, t_sat - self.t_out, q / h_fg))
            }
            Utility::CoolingWater { supply, ret } | Utility::ChilledWater { supply, ret, .. } => {
                if q > 0.0 {
                    return Err(UnitError::param(
                        "T",
                        "is above the inlet temperature: cooling or chilled water can only cool; use `utility: steam` or `electric`",
                    ));
                }
                Ok((t_in - ret, self.t_out - supply, -q / (WATER_CP * (ret - supply))))
            }
            Utility::Electric { .. } => {
                Err(UnitError::Calculation("utility_exchanger: electricity runs through no exchanger".into()))
            }
        }
    }

    /// Both ends above zero and at least `min_approach`.
    fn check_ends(&self, t_in: f64, dt1: f64, dt2: f64) -> Result<(), UnitError> {
        let water =
            |what: &str, supply: f64, ret: f64| format!("{what} {:.2} -> {:.2} degC", supply - 273.15, ret - 273.15);
        let utility = match self.utility {
            Utility::Steam { t_sat, .. } => format!("steam condensing at {:.2} degC", t_sat - 273.15),
            Utility::CoolingWater { supply, ret } => water("cooling water", supply, ret),
            Utility::ChilledWater { supply, ret, .. } => water("chilled water", supply, ret),
            Utility::Electric { .. } => "electricity".into(),
        };
        let describe = format!(
            "process {:.2} -> {:.2} degC against {utility} (end differences {dt1:.3} K and {dt2:.3} K)",
            t_in - 273.15,
            self.t_out - 273.15
        );
        if dt1 <= 0.0 || dt2 <= 0.0 {
            return Err(UnitError::param("T", format!("gives a temperature cross: {describe}")));
        }
        if let Some(min) = self.min_approach
            && dt1.min(dt2) < min
        {
            return Err(UnitError::param("T", format!("gives an approach below `min_approach` ({min} K): {describe}")));
        }
        Ok(())
    }

    /// Steam, cooling water or chilled water through an exchanger of coefficient `u`: the
    /// duty, the utility's flow (and the chiller's electricity), LMTD and area.
    fn through_exchanger(&self, t_in: f64, q: f64, u: f64, report: &mut UnitReport) -> Result<(), UnitError> {
        let (dt1, dt2, flow) = self.utility_side(t_in, q)?;
        self.check_ends(t_in, dt1, dt2)?;
        let lmtd = lmtd(dt1, dt2);
        match self.utility {
            Utility::Steam { .. } => {
                report.heat_duty("steam", q);
                report.size("steam_flow", flow, Dimension::MASS_FLOW);
            }
            Utility::CoolingWater { .. } => {
                report.heat_duty("cooling water", q);
                report.size("cooling_water_flow", flow, Dimension::MASS_FLOW);
            }
            Utility::ChilledWater { cop, .. } => {
                report.heat_duty("chilled water", q);
                report.utility(calx_core::Utility::Electricity, "chiller", -q / cop);
                report.size("chilled_water_flow", flow, Dimension::MASS_FLOW);
            }
            Utility::Electric { .. } => {}
        }
        report.size("area", q.abs() / (u * lmtd), Dimension::LENGTH.powi(2));
        report.size("duty", q.abs(), Dimension::POWER);
        report.size("lmtd", lmtd, Dimension::TEMPERATURE);
        Ok(())
    }

    /// Electricity: a resistance heater (the heat declared as work, the engine's rule for
    /// enthalpy from electricity) or a refrigerator of performance `cop`.
    fn electric(&self, heater: f64, cop: Option<f64>, q: f64, report: &mut UnitReport) -> Result<(), UnitError> {
        let electricity = if q >= 0.0 {
            report.shaft_work("electric heating", q);
            let e = q / heater;
            report.utility(calx_core::Utility::Electricity, "electric heating", e);
            e
        } else {
            let cop = cop.ok_or_else(|| {
                UnitError::param(
                    "cop",
                    "is required to cool with `utility: electric`: `T` is below the inlet temperature, so a refrigerator cools, and its electricity follows from its performance",
                )
            })?;
            report.heat_duty("refrigeration", q);
            report.utility(calx_core::Utility::Electricity, "refrigeration", -q / cop);
            -q / cop
        };
        report.size("duty", q.abs(), Dimension::POWER);
        report.size("electric_power", electricity, Dimension::POWER);
        Ok(())
    }
}

impl UnitOperation for UtilityExchangerUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        out.flows.copy_from_slice(&feed.flows);
        out.pressure = feed.pressure;
        out.temperature = self.t_out;
        let q = enthalpy_flow(&self.set, &feed.flows, self.t_out)?
            - enthalpy_flow(&self.set, &feed.flows, feed.temperature)?;
        match (self.utility, self.u) {
            (Utility::Electric { heater, cop }, _) => self.electric(heater, cop, q, report),
            (_, Some(u)) => self.through_exchanger(feed.temperature, q, u, report),
            (_, None) => Err(UnitError::param("U", "is required: the exchanger's area follows from it")),
        }
    }
}
