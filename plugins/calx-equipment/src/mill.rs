//! `mill`: grinding (a ball or rod mill, a crusher) by Bond's third law.
//!
//! Equations (docs/equipment.md §mill; McCabe, Smith & Harriott, *Unit Operations of Chemical
//! Engineering*, 7th ed., eq. 29.10 and Example 29.1; Bond's law shared with
//! `magnetic_separation` through `calx_core::comminution`):
//!
//! * specific energy W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80)), sizes in micrometres, W and Wi
//!   in energy per mass of solids;
//! * power = W x solids mass flow (every component of solid phase; the water of a wet mill is
//!   not ground); electricity = power / motor efficiency.
//!
//! The material leaves at the inlet's flows and temperature: the grinding energy ends as heat
//! that the mill's shell and the slurry carry to the surroundings, which the energy balance
//! (enthalpy a function of temperature only) leaves out, as for the `pump`.
//!
//! Reports electricity "grinding" and the sizes `power` (W), `solids_throughput` (kg/s) and
//! `specific_energy` (J/kg). `power` is Bond's power, before the motor's losses: the power
//! draw that the TEA's `prommis_ball_mill` costs a ball mill by (`biosteam_hammer_mill`
//! reads `solids_throughput`).

use std::sync::Arc;

use calx_core::comminution::bond_specific_energy;
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Phase, PortSpec, Stream, UnitConfig, UnitDescriptor,
    UnitError, UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::efficiency;

/// The `mill` unit type.
pub struct Mill;

struct MillUnit {
    set: Arc<ComponentSet>,
    work_index: f64,
    f80: f64,
    p80: f64,
    specific_energy: f64,
    motor_efficiency: f64,
}

impl UnitType for Mill {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "mill".into(),
            summary:
                "Grinding by Bond's law: electricity from the work index and the feed and product 80 % passing sizes."
                    .into(),
            ports: vec![PortSpec::inlet("in", "solids or slurry to grind"), PortSpec::outlet("out", "ground material")],
            params: vec![
                ParamSpec::required(
                    "work_index",
                    ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"),
                    "Bond work index Wi per metric tonne of solids (Bond's tables are per short ton: multiply those by 1.102)",
                ),
                ParamSpec::required(
                    "f80",
                    ParamKind::quantity(Dimension::LENGTH, "um"),
                    "80 % passing size of the feed",
                ),
                ParamSpec::required(
                    "p80",
                    ParamKind::quantity(Dimension::LENGTH, "um"),
                    "80 % passing size of the product",
                ),
                ParamSpec::with_default(
                    "motor_efficiency",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Motor efficiency: Bond's power over electricity drawn",
                    "1: electricity equals Bond's power (Bond's Wi is referred to the mill pinion) unless a motor efficiency is given (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let (work_index, f80, p80) = (p.number("work_index")?, p.number("f80")?, p.number("p80")?);
        Ok(Box::new(MillUnit {
            set: config.components.clone(),
            work_index,
            f80,
            p80,
            specific_energy: bond_specific_energy(work_index, f80, p80)?,
            motor_efficiency: efficiency("motor_efficiency", p.number("motor_efficiency")?)?,
        }))
    }
}

impl UnitOperation for MillUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        out.copy_from(feed);
        let solids: f64 =
            self.set.iter().zip(&feed.flows).filter(|(c, _)| c.phase == Phase::Solid).map(|(_, &w)| w).sum();
        if solids == 0.0 && feed.total_mass() > 0.0 {
            return Err(UnitError::port("in", "carries no solid component: a mill grinds solids"));
        }
        let power = self.specific_energy * solids;
        report.utility(Utility::Electricity, "grinding", power / self.motor_efficiency);
        report.size("power", power, Dimension::POWER);
        report.size("solids_throughput", solids, Dimension::MASS_FLOW);
        report.size("specific_energy", self.specific_energy, Dimension::SPECIFIC_ENERGY);
        Ok(())
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "motor_efficiency" => self.motor_efficiency = efficiency(param, value)?,
            "work_index" | "f80" | "p80" => {
                let (mut wi, mut f, mut p) = (self.work_index, self.f80, self.p80);
                match param {
                    "work_index" => wi = value,
                    "f80" => f = value,
                    _ => p = value,
                }
                self.specific_energy = bond_specific_energy(wi, f, p)?;
                (self.work_index, self.f80, self.p80) = (wi, f, p);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
