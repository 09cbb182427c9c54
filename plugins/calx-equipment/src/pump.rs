//! `pump`: a centrifugal pump raising a liquid's or slurry's pressure by a head, a pressure
//! rise or to an outlet pressure.
//!
//! Equations (docs/equipment.md §pump; Çengel & Cimbala, *Fluid Mechanics*, section 5-6,
//! as in their Example 5-12):
//!
//! * pressure rise Δp = ρ g H (head H in metres of the pumped fluid, g = 9.80665 m/s2);
//! * volumetric flow Q = ṁ / ρ, with ρ the given density of the liquid or slurry;
//! * hydraulic (useful) power Q Δp, shaft power = Q Δp / η_pump, electricity = shaft power /
//!   η_motor.
//!
//! The outlet leaves at the inlet temperature: the shaft work lost to friction warms the
//! liquid by a few hundredths of a kelvin (0.017 K in Çengel & Cimbala's example), which the
//! energy balance, counting enthalpy as a function of temperature only, leaves out.
//!
//! Reports electricity "pumping" and the sizes `volumetric_flow` (m3/s), `head` (m) and
//! `shaft_power` (W), which the `seider_centrifugal_pump` cost correlation reads.

use calx_core::{
    Dimension, ParamKind, ParamSpec, ParamValue, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{STANDARD_GRAVITY, efficiency, positive};

/// The `pump` unit type.
pub struct Pump;

/// What sets the outlet pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Rise {
    /// Head of the pumped fluid, m.
    Head(f64),
    /// Pressure rise, Pa.
    Pressure(f64),
    /// Outlet pressure, Pa.
    Outlet(f64),
}

struct PumpUnit {
    rise: Rise,
    density: f64,
    efficiency: f64,
    motor_efficiency: f64,
}

impl UnitType for Pump {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "pump".into(),
            summary: "Centrifugal pump: pressure rise from a head, a pressure rise or an outlet pressure; shaft power and electricity from the efficiencies.".into(),
            ports: vec![PortSpec::inlet("in", "liquid or slurry to pump"), PortSpec::outlet("out", "pumped stream")],
            params: vec![
                ParamSpec::optional("head", ParamKind::quantity(Dimension::LENGTH, "m"), "Head in metres of the pumped fluid (give one of `head`, `pressure_rise`, `P`)"),
                ParamSpec::optional("pressure_rise", ParamKind::quantity(Dimension::PRESSURE, "kPa"), "Pressure rise across the pump (give one of `head`, `pressure_rise`, `P`)"),
                ParamSpec::optional("P", ParamKind::quantity(Dimension::PRESSURE, "kPa"), "Outlet pressure (give one of `head`, `pressure_rise`, `P`)"),
                ParamSpec::required("density", ParamKind::quantity(Dimension::DENSITY, "kg/m3"), "Density of the pumped liquid or slurry (sets the volumetric flow and, with `head`, the pressure rise)"),
                ParamSpec::required("efficiency", ParamKind::Fraction, "Pump efficiency: hydraulic power over shaft power"),
                ParamSpec::with_default(
                    "motor_efficiency",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Motor efficiency: shaft power over electricity drawn",
                    "1: electricity equals shaft power unless a motor efficiency is given (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        Ok(Box::new(PumpUnit {
            rise: rise(p)?,
            density: positive("density", p.number("density")?, "kg/m3")?,
            efficiency: efficiency("efficiency", p.number("efficiency")?)?,
            motor_efficiency: efficiency("motor_efficiency", p.number("motor_efficiency")?)?,
        }))
    }
}

/// Exactly one of `head`, `pressure_rise` and `P`; head and rise zero or more.
fn rise(p: &calx_core::Params) -> Result<Rise, UnitError> {
    let given =
        [("head", p.number_opt("head")?), ("pressure_rise", p.number_opt("pressure_rise")?), ("P", p.number_opt("P")?)];
    let set: Vec<(&str, f64)> = given.iter().filter_map(|(n, v)| v.map(|v| (*n, v))).collect();
    match set.as_slice() {
        [] => Err(UnitError::param("head", "or `pressure_rise` or `P` is required: a pump needs one of them")),
        [(name, v)] => {
            if !v.is_finite() || (*name != "P" && *v < 0.0) {
                let unit = if *name == "head" { "m" } else { "Pa" };
                return Err(UnitError::param(
                    name,
                    format!(
                        "must be zero or more, found {v} {unit}: a pump raises the pressure (a turbine or valve lowers it)"
                    ),
                ));
            }
            Ok(match *name {
                "head" => Rise::Head(*v),
                "pressure_rise" => Rise::Pressure(*v),
                _ => Rise::Outlet(positive("P", *v, "Pa")?),
            })
        }
        [(first, _), (second, _), ..] => Err(UnitError::param(
            first,
            format!("and `{second}` are both given; give one of `head`, `pressure_rise`, `P`"),
        )),
    }
}

impl UnitOperation for PumpUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        let dp = match self.rise {
            Rise::Head(h) => self.density * STANDARD_GRAVITY * h,
            Rise::Pressure(dp) => dp,
            Rise::Outlet(p) => p - feed.pressure,
        };
        if dp < 0.0 {
            return Err(UnitError::param(
                "P",
                format!(
                    "({} Pa) is below the inlet pressure {} Pa: a pump raises the pressure",
                    feed.pressure + dp,
                    feed.pressure
                ),
            ));
        }
        out.flows.copy_from_slice(&feed.flows);
        out.temperature = feed.temperature;
        out.pressure = feed.pressure + dp;
        let q = feed.total_mass() / self.density;
        let shaft = q * dp / self.efficiency;
        report.utility(Utility::Electricity, "pumping", shaft / self.motor_efficiency);
        report.size("volumetric_flow", q, Dimension::VOLUME_FLOW);
        report.size("head", dp / (self.density * STANDARD_GRAVITY), Dimension::LENGTH);
        report.size("shaft_power", shaft, Dimension::POWER);
        Ok(())
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "efficiency" => self.efficiency = efficiency(param, value)?,
            "motor_efficiency" => self.motor_efficiency = efficiency(param, value)?,
            "density" => self.density = positive(param, value, "kg/m3")?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
