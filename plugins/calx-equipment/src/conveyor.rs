//! `conveyor`: a belt conveyor or a screw conveyor carrying solids (or a wet cake) over a
//! length, the belt also up a lift.
//!
//! Equations (docs/equipment.md §conveyor; the power correlations of BioSTEAM's
//! `ConveyingBelt` and `ScrewFeeder`, `biosteam/units/_conveying_belt.py` and
//! `_screw_feeder.py` at commit a508fdb9, docs/sources.md §Process equipment), with ṁ in lb/s
//! and lengths in ft, power in hp:
//!
//! * belt: P = 0.00058 ṁ^0.82 L + 0.00182 ṁ H; the lift term is ṁ g H itself (1 ft lbf/s
//!   is 1/550 hp = 0.001818 hp), so the belt lifts without loss and the rest is the belt's
//!   running power over its length;
//! * screw: P = 0.0146 ṁ^0.85 L, horizontal (the correlation has no lift);
//! * electricity = P / motor efficiency.
//!
//! The material leaves at the inlet's flows and temperature: the lift's potential energy and
//! the running power's heat are outside the enthalpy balance, as for the `pump`. Reports
//! electricity "conveying" and the sizes `power` (W), `throughput` (kg/s), `volumetric_flow`
//! (m3/s at the bulk density; the `biosteam_belt_conveyor` and `biosteam_screw_feeder` cost
//! correlations read it) and `length` (m).

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{efficiency, positive};

/// Avoirdupois pound, kg (exact).
const POUND: f64 = 0.453_592_37;
/// International foot, m (exact).
const FOOT: f64 = 0.3048;
/// Mechanical horsepower, W (550 ft lbf/s with standard gravity).
const HORSEPOWER: f64 = 550.0 * FOOT * POUND * crate::common::STANDARD_GRAVITY;

/// The `conveyor` unit type.
pub struct Conveyor;

/// Which machine, and the figures only it has.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Belt conveyor raising the material by `lift` (m).
    Belt { lift: f64 },
    /// Horizontal screw conveyor.
    Screw,
}

struct ConveyorUnit {
    set: Arc<ComponentSet>,
    kind: Kind,
    length: f64,
    bulk_density: f64,
    motor_efficiency: f64,
}

impl UnitType for Conveyor {
    fn descriptor(&self) -> UnitDescriptor {
        let length =
            |name: &str, doc: &str| ParamSpec::required(name, ParamKind::quantity(Dimension::LENGTH, "m"), doc);
        UnitDescriptor {
            type_name: "conveyor".into(),
            summary: "Belt or screw conveyor for solids: electricity from the mass flow, the length and the belt's lift; volumetric flow for its cost.".into(),
            ports: vec![PortSpec::inlet("in", "solids or wet cake to convey"), PortSpec::outlet("out", "conveyed material")],
            params: vec![
                ParamSpec::required("kind", ParamKind::choice(&["belt", "screw"]), "The machine: a `belt` conveyor (with `lift`) or a horizontal `screw` conveyor"),
                length("length", "Conveying length"),
                ParamSpec::optional("lift", ParamKind::quantity(Dimension::LENGTH, "m"), "Height the belt raises the material (belt only; default 0 m, level)"),
                ParamSpec::required("bulk_density", ParamKind::quantity(Dimension::DENSITY, "kg/m3"), "Bulk density of the conveyed material, for the volumetric flow its cost reads"),
                ParamSpec::with_default(
                    "motor_efficiency",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Motor efficiency: the correlation's power over electricity drawn",
                    "1: electricity equals the correlation's power unless a motor efficiency is given (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let lift = p.number_opt("lift")?;
        let kind = match p.text_opt("kind")? {
            Some("belt") => Kind::Belt { lift: lift.map(non_negative_lift).transpose()?.unwrap_or(0.0) },
            Some("screw") => {
                if lift.is_some() {
                    return Err(UnitError::param(
                        "lift",
                        "does not apply to `kind: screw` (a horizontal screw); leave it out or use `kind: belt`",
                    ));
                }
                Kind::Screw
            }
            other => return Err(UnitError::param("kind", format!("must be `belt` or `screw`, found {other:?}"))),
        };
        Ok(Box::new(ConveyorUnit {
            set: config.components.clone(),
            kind,
            length: positive("length", p.number("length")?, "m")?,
            bulk_density: positive("bulk_density", p.number("bulk_density")?, "kg/m3")?,
            motor_efficiency: efficiency("motor_efficiency", p.number("motor_efficiency")?)?,
        }))
    }
}

/// A lift of zero or more metres (a belt running downhill is not modelled).
fn non_negative_lift(h: f64) -> Result<f64, UnitError> {
    if h.is_finite() && h >= 0.0 {
        Ok(h)
    } else {
        Err(UnitError::param(
            "lift",
            format!("must be zero or more, found {h} m (a belt running downhill is not modelled)"),
        ))
    }
}

/// Power in W of a belt conveyor carrying `mass_flow` kg/s over `length` m up `lift` m.
pub(crate) fn belt_power(mass_flow: f64, length: f64, lift: f64) -> f64 {
    let (m, l, h) = (mass_flow / POUND, length / FOOT, lift / FOOT);
    (0.00058 * m.powf(0.82) * l + 0.00182 * m * h) * HORSEPOWER
}

/// Power in W of a horizontal screw conveyor carrying `mass_flow` kg/s over `length` m.
pub(crate) fn screw_power(mass_flow: f64, length: f64) -> f64 {
    let (m, l) = (mass_flow / POUND, length / FOOT);
    0.0146 * m.powf(0.85) * l * HORSEPOWER
}

impl UnitOperation for ConveyorUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        if let Some((c, _)) = self.set.iter().zip(&feed.flows).find(|(c, w)| c.phase == Phase::Gas && **w > 0.0) {
            return Err(UnitError::port(
                "in",
                format!("carries the gas {}: a conveyor carries solids or a wet cake", c.name),
            ));
        }
        out.copy_from(feed);
        let throughput = feed.total_mass();
        let power = match self.kind {
            Kind::Belt { lift } => belt_power(throughput, self.length, lift),
            Kind::Screw => screw_power(throughput, self.length),
        };
        report.utility(Utility::Electricity, "conveying", power / self.motor_efficiency);
        report.size("power", power, Dimension::POWER);
        report.size("throughput", throughput, Dimension::MASS_FLOW);
        report.size("volumetric_flow", throughput / self.bulk_density, Dimension::VOLUME_FLOW);
        report.size("length", self.length, Dimension::LENGTH);
        Ok(())
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "length" => self.length = positive(param, value, "m")?,
            "bulk_density" => self.bulk_density = positive(param, value, "kg/m3")?,
            "motor_efficiency" => self.motor_efficiency = efficiency(param, value)?,
            "lift" => match &mut self.kind {
                Kind::Belt { lift } => *lift = non_negative_lift(value)?,
                Kind::Screw => return Err(UnitError::param("lift", "does not apply to `kind: screw`")),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}
