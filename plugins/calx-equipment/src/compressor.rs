//! `compressor`: an ideal-gas compressor of one or more adiabatic stages, with intercooling
//! to a set temperature between stages.
//!
//! Equations (docs/equipment.md §compressor; Çengel & Boles, *Thermodynamics: An Engineering
//! Approach*, sections 7-9 to 7-12; the polytropic relation derived in docs/sources.md
//! §Process equipment):
//!
//! * the stages share the pressure ratio equally, r = (P_out / P_in)^(1/N) (the minimum work
//!   with intercooling to the inlet temperature, Çengel & Boles section 7-10);
//! * ideal gas with the components' heat capacities Cp(T): the isentropic outlet T_s of a
//!   stage solves ∫_{T1}^{T_s} Cp_mix(T)/T dT = R ln r per mole of gas;
//! * isentropic efficiency η_s: the stage's enthalpy rise is (h(T_s) - h(T1)) / η_s, and the
//!   outlet temperature is the one with that enthalpy; polytropic efficiency η_p: the outlet
//!   temperature solves ∫_{T1}^{T2} Cp_mix(T)/T dT = R ln r / η_p (each small step of the
//!   compression has efficiency η_p), which with constant Cp is T2 = T1 r^(R/(η_p Cp));
//! * shaft work of a stage = enthalpy rise of the gas (adiabatic machine); electricity =
//!   total shaft work / motor efficiency; intercooler duty = the enthalpy the gas gives up
//!   cooling to the intercooler temperature between stages.
//!
//! The shaft work goes into the gas and is declared with `UnitReport::shaft_work`, so the
//! energy balance closes with it; the intercoolers' heat is reported as cooling.

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, heat_capacity_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{efficiency, positive};

/// Molar gas constant, J/(mol K): exact since the 2019 SI (docs/sources.md §Process equipment).
const GAS_CONSTANT: f64 = 8.314_462_618;

/// The `compressor` unit type.
pub struct Compressor;

/// How the efficiency is defined.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Basis {
    Isentropic,
    Polytropic,
}

struct CompressorUnit {
    set: Arc<ComponentSet>,
    outlet_pressure: f64,
    basis: Basis,
    efficiency: f64,
    stages: usize,
    intercooler_t: Option<f64>,
    motor_efficiency: f64,
}

impl UnitType for Compressor {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "compressor".into(),
            summary: "Ideal-gas compressor: stages with an isentropic or polytropic efficiency and intercooling; outlet temperature, shaft power and intercooler duty from the components' heat capacities.".into(),
            ports: vec![PortSpec::inlet("in", "gas to compress"), PortSpec::outlet("out", "compressed gas")],
            params: vec![
                ParamSpec::required("P", ParamKind::quantity(Dimension::PRESSURE, "kPa"), "Outlet pressure"),
                ParamSpec::required("efficiency", ParamKind::Fraction, "Efficiency of every stage, isentropic or polytropic as `efficiency_basis` says"),
                ParamSpec::with_default(
                    "efficiency_basis",
                    ParamKind::choice(&["isentropic", "polytropic"]),
                    ParamValue::Text("isentropic".into()),
                    "What `efficiency` is: isentropic (enthalpy rise of the reversible stage over the actual one) or polytropic (of each small step)",
                    "isentropic, the efficiency compressor data sheets and Çengel & Boles state (convention)",
                ),
                ParamSpec::with_default(
                    "stages",
                    ParamKind::Integer,
                    ParamValue::Number(1.0),
                    "Number of stages; they share the pressure ratio equally",
                    "1 stage unless stated (assumption)",
                ),
                ParamSpec::optional("intercooler_T", ParamKind::quantity(Dimension::TEMPERATURE, "degC"), "Temperature the gas is cooled to between stages (default: the inlet temperature, the ideal intercooling of Çengel & Boles section 7-10); only with 2 or more stages"),
                ParamSpec::with_default(
                    "motor_efficiency",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Driver efficiency: shaft power over electricity drawn",
                    "1: electricity equals shaft power unless a motor efficiency is given (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let basis = match p.text_opt("efficiency_basis")? {
            Some("polytropic") => Basis::Polytropic,
            _ => Basis::Isentropic,
        };
        let stages = p.number("stages")?;
        if !(stages.is_finite() && (1.0..=20.0).contains(&stages) && stages.fract() == 0.0) {
            return Err(UnitError::param("stages", format!("must be a whole number from 1 to 20, found {stages}")));
        }
        let intercooler_t = p.number_opt("intercooler_T")?;
        if let Some(t) = intercooler_t {
            positive("intercooler_T", t, "K")?;
            if stages == 1.0 {
                return Err(UnitError::param(
                    "intercooler_T",
                    "is given, but `stages` is 1: a single stage has no intercooler",
                ));
            }
        }
        Ok(Box::new(CompressorUnit {
            set: config.components.clone(),
            outlet_pressure: positive("P", p.number("P")?, "Pa")?,
            basis,
            efficiency: efficiency("efficiency", p.number("efficiency")?)?,
            stages: stages as usize,
            intercooler_t,
            motor_efficiency: efficiency("motor_efficiency", p.number("motor_efficiency")?)?,
        }))
    }
}

/// Gauss-Legendre nodes and weights on [-1, 1], five points: ∫ Cp/T dT of a Shomate
/// polynomial over a stage is exact to far below the data's uncertainty.
const GAUSS: [(f64, f64); 5] = [
    (0.0, 0.568_888_888_888_888_9),
    (-0.538_469_310_105_683, 0.478_628_670_499_366_5),
    (0.538_469_310_105_683, 0.478_628_670_499_366_5),
    (-0.906_179_845_938_664, 0.236_926_885_056_189_1),
    (0.906_179_845_938_664, 0.236_926_885_056_189_1),
];

impl CompressorUnit {
    /// ∫_{t1}^{t2} C(T)/T dT, W/K, with C the heat-capacity flow of `flows`.
    fn entropy_rise(&self, flows: &[f64], t1: f64, t2: f64) -> Result<f64, UnitError> {
        let (mid, half) = (0.5 * (t1 + t2), 0.5 * (t2 - t1));
        let mut s = 0.0;
        for (x, w) in GAUSS {
            let t = mid + half * x;
            s += w * heat_capacity_flow(&self.set, flows, t)? / t;
        }
        Ok(s * half)
    }

    /// The temperature t2 > t1 with ∫_{t1}^{t2} C/T dT = `target` (W/K), by bisection on a
    /// doubling bracket (the integral rises with t2).
    fn temperature_for_entropy(&self, flows: &[f64], t1: f64, target: f64) -> Result<f64, UnitError> {
        if !(target.is_finite() && target >= 0.0) {
            return Err(UnitError::Calculation(format!(
                "compressor: stage entropy target {target} W/K is not a number"
            )));
        }
        let (mut lo, mut hi) = (t1, 2.0 * t1);
        while self.entropy_rise(flows, t1, hi)? < target {
            (lo, hi) = (hi, 2.0 * hi);
            if hi > calx_core::limits::TEMPERATURE.max {
                return Err(UnitError::param("P", "gives a stage outlet above the sane temperature range: add stages"));
            }
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.entropy_rise(flows, t1, mid)? < target {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-9 * t1 {
                break;
            }
        }
        Ok(0.5 * (lo + hi))
    }

    /// Outlet temperature of one stage of pressure ratio `ratio` from `t1`.
    fn stage(&self, flows: &[f64], moles: f64, t1: f64, ratio: f64) -> Result<f64, UnitError> {
        let reversible = moles * GAS_CONSTANT * ratio.ln();
        Ok(match self.basis {
            Basis::Polytropic => self.temperature_for_entropy(flows, t1, reversible / self.efficiency)?,
            Basis::Isentropic => {
                let ts = self.temperature_for_entropy(flows, t1, reversible)?;
                let h1 = enthalpy_flow(&self.set, flows, t1)?;
                let rise = (enthalpy_flow(&self.set, flows, ts)? - h1) / self.efficiency;
                temperature_for_enthalpy(&self.set, flows, h1 + rise, ts)?
            }
        })
    }

    /// Mol/s of gas in `flows`; a flowing component that is not a gas is an error.
    fn moles(&self, flows: &[f64]) -> Result<f64, UnitError> {
        let mut n = 0.0;
        for (c, &w) in self.set.iter().zip(flows) {
            if w == 0.0 {
                continue;
            }
            if c.phase != Phase::Gas {
                return Err(UnitError::port(
                    "in",
                    format!("carries {} ({:?}): a compressor takes gas only", c.name, c.phase),
                ));
            }
            let m = c.molar_mass.ok_or_else(|| UnitError::port("in", format!("{} has no molar mass", c.name)))?;
            n += w / m;
        }
        Ok(n)
    }
}

impl UnitOperation for CompressorUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        if self.outlet_pressure < feed.pressure {
            return Err(UnitError::param(
                "P",
                format!(
                    "({} Pa) is below the inlet pressure {} Pa: a compressor raises the pressure",
                    self.outlet_pressure, feed.pressure
                ),
            ));
        }
        let flows = &feed.flows;
        let moles = self.moles(flows)?;
        let ratio = (self.outlet_pressure / feed.pressure).powf(1.0 / self.stages as f64);
        let cool_to = self.intercooler_t.unwrap_or(feed.temperature);
        let (mut t, mut work, mut cooling) = (feed.temperature, 0.0, 0.0);
        for k in 0..self.stages {
            if k > 0 {
                cooling += enthalpy_flow(&self.set, flows, t)? - enthalpy_flow(&self.set, flows, cool_to)?;
                t = cool_to;
            }
            let t2 = self.stage(flows, moles, t, ratio)?;
            work += enthalpy_flow(&self.set, flows, t2)? - enthalpy_flow(&self.set, flows, t)?;
            t = t2;
        }
        if cooling < 0.0 {
            return Err(UnitError::param(
                "intercooler_T",
                format!("({cool_to} K) is above a stage's outlet temperature: an intercooler cools"),
            ));
        }
        out.flows.copy_from_slice(flows);
        out.temperature = t;
        out.pressure = self.outlet_pressure;
        report.shaft_work("compression", work);
        report.utility(Utility::Electricity, "compression", work / self.motor_efficiency);
        if self.stages > 1 {
            report.utility(Utility::Cooling, "intercooling", cooling);
        }
        report.size("shaft_power", work, Dimension::POWER);
        report.size("driver_power", work / self.motor_efficiency, Dimension::POWER);
        report.size("stages", self.stages as f64, Dimension::DIMENSIONLESS);
        report.size("intercooler_duty", cooling, Dimension::POWER);
        Ok(())
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "efficiency" => self.efficiency = efficiency(param, value)?,
            "motor_efficiency" => self.motor_efficiency = efficiency(param, value)?,
            "P" => self.outlet_pressure = positive(param, value, "Pa")?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
