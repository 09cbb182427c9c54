//! `heat_exchanger`: a counter-current exchanger between a hot and a cold process stream,
//! sized by the log-mean temperature difference.
//!
//! Equations (docs/equipment.md §heat_exchanger; the LMTD method, e.g. Incropera et al.,
//! *Fundamentals of Heat and Mass Transfer*, §11.3):
//!
//! * the duty Q is given, or follows from one outlet temperature by the energy balance of
//!   that stream (formation enthalpies and heat capacities, `calx_core::thermo`); the other
//!   outlet temperature follows from the other stream's balance, so the exchanger conserves
//!   energy exactly and reports no utility;
//! * terminal differences ΔT1 = T_hot,in − T_cold,out and ΔT2 = T_hot,out − T_cold,in, both
//!   above zero (a temperature cross is refused) and at least `min_approach` when given;
//! * LMTD = (ΔT1 − ΔT2) / ln(ΔT1 / ΔT2) (the arithmetic mean when ΔT1 = ΔT2);
//! * area A = Q / (U · LMTD).
//!
//! Pressures pass through unchanged. Reports the sizes `area` (m2), `duty` (W) and `lmtd`
//! (K); the `seider_*` heat-exchanger cost correlations read `area`.

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::positive;

/// W/(m2 K): the dimension of a heat-transfer coefficient.
pub(crate) const HEAT_TRANSFER_COEFFICIENT: Dimension =
    Dimension { mass: 1, length: 0, time: -3, temperature: -1, amount: 0, money: 0 };

/// The `heat_exchanger` unit type.
pub struct HeatExchanger;

/// How the duty is set.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Spec {
    /// Hot outlet temperature, K.
    HotOut(f64),
    /// Cold outlet temperature, K.
    ColdOut(f64),
    /// Duty, W.
    Duty(f64),
}

impl Spec {
    fn param(self) -> &'static str {
        match self {
            Spec::HotOut(_) => "T_hot_out",
            Spec::ColdOut(_) => "T_cold_out",
            Spec::Duty(_) => "duty",
        }
    }
}

struct HeatExchangerUnit {
    set: Arc<ComponentSet>,
    spec: Spec,
    u: f64,
    min_approach: Option<f64>,
}

impl UnitType for HeatExchanger {
    fn descriptor(&self) -> UnitDescriptor {
        let t =
            |name: &str, doc: &str| ParamSpec::optional(name, ParamKind::quantity(Dimension::TEMPERATURE, "degC"), doc);
        UnitDescriptor {
            type_name: "heat_exchanger".into(),
            summary: "Counter-current heat exchanger between two process streams: duty, outlet temperatures, LMTD and area from an overall coefficient U; refuses a temperature cross.".into(),
            ports: vec![
                PortSpec::inlet("hot_in", "stream to cool"),
                PortSpec::inlet("cold_in", "stream to heat"),
                PortSpec::outlet("hot_out", "cooled stream"),
                PortSpec::outlet("cold_out", "heated stream"),
            ],
            params: vec![
                t("T_hot_out", "Hot-side outlet temperature (give one of `T_hot_out`, `T_cold_out`, `duty`)"),
                t("T_cold_out", "Cold-side outlet temperature (give one of `T_hot_out`, `T_cold_out`, `duty`)"),
                ParamSpec::optional("duty", ParamKind::quantity(Dimension::POWER, "kW"), "Heat passed from the hot to the cold stream (give one of `T_hot_out`, `T_cold_out`, `duty`)"),
                ParamSpec::required("U", ParamKind::quantity(HEAT_TRANSFER_COEFFICIENT, "W/m2 K"), "Overall heat-transfer coefficient, on the area the unit reports"),
                ParamSpec::optional("min_approach", ParamKind::quantity(Dimension::TEMPERATURE, "K"), "Smallest temperature difference allowed at either end, in K (a difference, so write `10 K`, not degC)"),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let given = [
            p.number_opt("T_hot_out")?.map(Spec::HotOut),
            p.number_opt("T_cold_out")?.map(Spec::ColdOut),
            p.number_opt("duty")?.map(Spec::Duty),
        ];
        let given: Vec<Spec> = given.into_iter().flatten().collect();
        let spec = match given.as_slice() {
            [] => {
                return Err(UnitError::param(
                    "T_hot_out",
                    "or `T_cold_out` or `duty` is required: it sets the exchanger's duty",
                ));
            }
            [one] => *one,
            [a, b, ..] => {
                return Err(UnitError::param(
                    a.param(),
                    format!("and `{}` are both given; give one of `T_hot_out`, `T_cold_out`, `duty`", b.param()),
                ));
            }
        };
        match spec {
            Spec::HotOut(t) | Spec::ColdOut(t) => {
                positive(spec.param(), t, "K")?;
            }
            Spec::Duty(q) if !(q.is_finite() && q >= 0.0) => {
                return Err(UnitError::param(
                    "duty",
                    format!(
                        "must be zero or more, found {q} W: heat flows from `hot_in` to `cold_in`; swap the streams to cool the other one"
                    ),
                ));
            }
            Spec::Duty(_) => {}
        }
        let min_approach = p.number_opt("min_approach")?.map(|x| positive("min_approach", x, "K")).transpose()?;
        Ok(Box::new(HeatExchangerUnit {
            set: config.components.clone(),
            spec,
            u: positive("U", p.number("U")?, "W/(m2 K)")?,
            min_approach,
        }))
    }
}

/// The log-mean of two positive temperature differences (their common value when equal:
/// the limit of the formula, which would divide zero by zero).
pub(crate) fn lmtd(dt1: f64, dt2: f64) -> f64 {
    if (dt1 - dt2).abs() <= 1e-9 * dt1.max(dt2) { 0.5 * (dt1 + dt2) } else { (dt1 - dt2) / (dt1 / dt2).ln() }
}

impl HeatExchangerUnit {
    /// The duty from the spec, W.
    fn duty(&self, hot: &Stream, cold: &Stream, h_hot: f64, h_cold: f64) -> Result<f64, UnitError> {
        let q = match self.spec {
            Spec::Duty(q) => q,
            Spec::HotOut(t) => h_hot - enthalpy_flow(&self.set, &hot.flows, t)?,
            Spec::ColdOut(t) => enthalpy_flow(&self.set, &cold.flows, t)? - h_cold,
        };
        if q < 0.0 {
            return Err(UnitError::param(
                self.spec.param(),
                format!(
                    "would pass {:.6} kW from the cold to the hot stream: the hot side must be cooled and the cold side heated",
                    -q / 1e3
                ),
            ));
        }
        Ok(q)
    }

    /// Both terminal differences above zero and at least `min_approach`.
    fn check_ends(&self, dt1: f64, dt2: f64, ends: [f64; 4]) -> Result<(), UnitError> {
        let [thi, tho, tci, tco] = ends.map(|t| t - 273.15);
        let describe = format!(
            "hot {thi:.2} -> {tho:.2} degC against cold {tci:.2} -> {tco:.2} degC (differences {dt1:.3} K at the hot end, {dt2:.3} K at the cold end)"
        );
        if dt1 <= 0.0 || dt2 <= 0.0 {
            return Err(UnitError::param(
                self.spec.param(),
                format!(
                    "gives a temperature cross: {describe}; a counter-current exchanger needs the hot stream hotter at both ends"
                ),
            ));
        }
        if let Some(min) = self.min_approach
            && dt1.min(dt2) < min
        {
            return Err(UnitError::param(
                self.spec.param(),
                format!("gives an approach below `min_approach` ({min} K): {describe}"),
            ));
        }
        Ok(())
    }
}

impl UnitOperation for HeatExchangerUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (hot, cold) = (&inlets[0], &inlets[1]);
        if hot.temperature <= cold.temperature {
            return Err(UnitError::port(
                "hot_in",
                format!(
                    "enters at {:.2} degC, not above `cold_in` at {:.2} degC: connect the hotter stream to `hot_in`",
                    hot.temperature - 273.15,
                    cold.temperature - 273.15
                ),
            ));
        }
        let h_hot = enthalpy_flow(&self.set, &hot.flows, hot.temperature)?;
        let h_cold = enthalpy_flow(&self.set, &cold.flows, cold.temperature)?;
        let q = self.duty(hot, cold, h_hot, h_cold)?;
        let (hot_out, cold_out) = outlets.split_at_mut(1);
        let (hot_out, cold_out) = (&mut hot_out[0], &mut cold_out[0]);
        for (out, feed) in [(&mut *hot_out, hot), (&mut *cold_out, cold)] {
            out.flows.copy_from_slice(&feed.flows);
            out.pressure = feed.pressure;
        }
        // The specified outlet is set exactly; the other follows from its own balance.
        hot_out.temperature = match self.spec {
            Spec::HotOut(t) => t,
            _ => temperature_for_enthalpy(&self.set, &hot.flows, h_hot - q, hot.temperature)?,
        };
        cold_out.temperature = match self.spec {
            Spec::ColdOut(t) => t,
            _ => temperature_for_enthalpy(&self.set, &cold.flows, h_cold + q, cold.temperature)?,
        };
        let dt1 = hot.temperature - cold_out.temperature;
        let dt2 = hot_out.temperature - cold.temperature;
        self.check_ends(dt1, dt2, [hot.temperature, hot_out.temperature, cold.temperature, cold_out.temperature])?;
        let lmtd = lmtd(dt1, dt2);
        report.size("area", q / (self.u * lmtd), Dimension::LENGTH.powi(2));
        report.size("duty", q, Dimension::POWER);
        report.size("lmtd", lmtd, Dimension::TEMPERATURE);
        Ok(())
    }
}
