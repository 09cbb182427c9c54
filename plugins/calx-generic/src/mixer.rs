//! `mixer`: several streams into one. Outlet pressure is the lowest inlet pressure; outlet
//! temperature comes from an adiabatic enthalpy balance, or is set (the heat duty to reach it
//! is then reported).

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::temperature_param;

/// The `mixer` unit type.
pub struct Mixer;

struct MixerUnit {
    set: Arc<ComponentSet>,
    t: Option<f64>,
}

impl UnitType for Mixer {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "mixer".into(),
            summary: "Mixes streams; adiabatic unless an outlet temperature is set.".into(),
            ports: vec![PortSpec::inlet("in", "streams to mix").many(), PortSpec::outlet("out", "mixed stream")],
            params: vec![temperature_param(
                "Outlet temperature; if set, the heat duty to reach it is reported. Default: adiabatic mixing",
            )],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let t = config.params.number_opt("T")?;
        if let Some(t) = t
            && !(t.is_finite() && t > 0.0)
        {
            return Err(UnitError::param("T", format!("must be an absolute temperature above 0 K, found {t} K")));
        }
        Ok(Box::new(MixerUnit { set: config.components.clone(), t }))
    }
}

/// Mix `inlets` into `out` and return the inlet enthalpy flow if it was needed.
pub(crate) fn mix_flows(inlets: &[Stream], out: &mut Stream) {
    out.clear_flows();
    for s in inlets {
        for (o, w) in out.flows.iter_mut().zip(&s.flows) {
            *o += w;
        }
    }
    out.pressure = inlets.iter().filter(|s| s.total_mass() > 0.0).map(|s| s.pressure).fold(f64::INFINITY, f64::min);
    if !out.pressure.is_finite() {
        out.pressure = inlets.first().map_or(calx_core::stream::STANDARD_PRESSURE, |s| s.pressure);
    }
}

impl UnitOperation for MixerUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let out = &mut outlets[0];
        mix_flows(inlets, out);
        match self.t {
            Some(t) => {
                out.temperature = t;
                let duty = enthalpy_flow(&self.set, &out.flows, t)? - inlet_enthalpy(&self.set, inlets)?;
                report.heat_duty("mixing", duty);
            }
            None => out.temperature = inlet_temperature(&self.set, inlets, &out.flows)?,
        }
        Ok(())
    }
}

/// Enthalpy flow (W) of every inlet that carries material.
pub(crate) fn inlet_enthalpy(set: &ComponentSet, inlets: &[Stream]) -> Result<f64, UnitError> {
    inlets
        .iter()
        .filter(|s| s.total_mass() > 0.0)
        .map(|s| enthalpy_flow(set, &s.flows, s.temperature).map_err(UnitError::from))
        .sum()
}

/// Temperature of the mixed inlets (flows `mixed`): the common temperature when all flowing
/// inlets share it (no thermodynamic data needed: enthalpy is additive), otherwise the
/// adiabatic mixing temperature.
pub(crate) fn inlet_temperature(set: &ComponentSet, inlets: &[Stream], mixed: &[f64]) -> Result<f64, UnitError> {
    let flowing: Vec<&Stream> = inlets.iter().filter(|s| s.total_mass() > 0.0).collect();
    let t0 = flowing.first().map_or(inlets.first().map_or(298.15, |s| s.temperature), |s| s.temperature);
    if flowing.iter().all(|s| s.temperature == t0) {
        return Ok(t0);
    }
    Ok(temperature_for_enthalpy(set, mixed, inlet_enthalpy(set, inlets)?, t0)?)
}
