//! `conversion_reactor`: reactions with a key reactant and its fractional conversion, applied
//! in the order written (like Aspen's RStoic). Stoichiometry is checked for element balance
//! when the flowsheet is loaded.
//!
//! Energy: isothermal at the inlet temperature by default (the duty is reported), or at a set
//! outlet temperature, or with a set duty (the outlet temperature is computed).

use std::sync::Arc;

use calx_core::thermo::{enthalpy_flow, temperature_for_enthalpy};
use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, PortSpec, Reaction, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::{duty_param, fraction, temperature_param};
use crate::mixer::{inlet_enthalpy, inlet_temperature, mix_flows};

/// The `conversion_reactor` unit type.
pub struct ConversionReactor;

/// How the outlet temperature is found.
#[derive(Clone, Copy)]
pub(crate) enum Energy {
    Isothermal,
    Temperature(f64),
    Duty(f64),
}

struct ReactorUnit {
    set: Arc<ComponentSet>,
    /// (reaction, key component, conversion)
    reactions: Vec<(Reaction, usize, f64)>,
    energy: Energy,
}

impl UnitType for ConversionReactor {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "conversion_reactor".into(),
            summary: "Reactions with a key reactant and its conversion, applied in order.".into(),
            ports: vec![
                PortSpec::inlet("in", "feed streams (mixed)").many(),
                PortSpec::outlet("out", "reacted stream"),
            ],
            params: vec![
                ParamSpec::required(
                    "reactions",
                    ParamKind::List { item: Box::new(ParamKind::Text) },
                    "Reactions such as \"CaO + H2O -> Ca(OH)2\", applied in order",
                ),
                ParamSpec::required(
                    "conversion",
                    ParamKind::per_component(ParamKind::Fraction),
                    "Fractional conversion of each reaction's key reactant, keyed by that reactant",
                ),
                ParamSpec::optional(
                    "keys",
                    ParamKind::List { item: Box::new(ParamKind::Text) },
                    "Key reactant of each reaction; default: its first reactant",
                ),
                temperature_param("Outlet temperature; default: isothermal at the inlet temperature"),
                duty_param("Heat added (negative: removed); the outlet temperature is then computed"),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        let texts = p.text_list("reactions")?;
        if texts.is_empty() {
            return Err(UnitError::param("reactions", "must list at least one reaction"));
        }
        let keys = p.text_list("keys")?;
        if !keys.is_empty() && keys.len() != texts.len() {
            return Err(UnitError::param("keys", format!("gives {} keys for {} reactions", keys.len(), texts.len())));
        }
        let conversion = p.number_map("conversion")?;
        let mut reactions = Vec::new();
        let mut used = Vec::new();
        for (r, text) in texts.iter().enumerate() {
            let reaction = Reaction::parse(text, set).map_err(|e| UnitError::param("reactions", e.to_string()))?;
            let key = match keys.get(r) {
                Some(k) => {
                    let i = set.require(k).map_err(|e| UnitError::param("keys", e.to_string()))?;
                    if reaction.coefficient(i) >= 0.0 {
                        return Err(UnitError::param("keys", format!("`{k}` is not a reactant of \"{text}\"")));
                    }
                    i
                }
                None => reaction.terms.iter().find(|t| t.1 < 0.0).map(|t| t.0).unwrap_or(0),
            };
            let key_name = &set.get(key).map_or(String::new(), |c| c.name.clone());
            let x = *conversion.get(key_name.as_str()).ok_or_else(|| {
                UnitError::param(
                    "conversion",
                    format!("gives no conversion for `{key_name}`, the key reactant of \"{text}\""),
                )
            })?;
            used.push(key_name.clone());
            reactions.push((reaction, key, fraction("conversion", key_name, x)?));
        }
        if let Some(extra) = conversion.keys().find(|k| !used.iter().any(|u| u == *k)) {
            return Err(UnitError::param(
                "conversion",
                format!("names `{extra}`, which is not the key reactant of any reaction"),
            ));
        }
        Ok(Box::new(ReactorUnit { set: set.clone(), reactions, energy: energy_mode(p)? }))
    }
}

/// Read `T` / `duty` (at most one).
pub(crate) fn energy_mode(p: &calx_core::Params) -> Result<Energy, UnitError> {
    match (p.number_opt("T")?, p.number_opt("duty")?) {
        (Some(_), Some(_)) => Err(UnitError::param("T", "and `duty` are both given; give one of them")),
        (Some(t), None) if !(t.is_finite() && t > 0.0) => {
            Err(UnitError::param("T", format!("must be an absolute temperature above 0 K, found {t} K")))
        }
        (Some(t), None) => Ok(Energy::Temperature(t)),
        (None, Some(q)) if !q.is_finite() => Err(UnitError::param("duty", "must be finite")),
        (None, Some(q)) => Ok(Energy::Duty(q)),
        (None, None) => Ok(Energy::Isothermal),
    }
}

impl UnitOperation for ReactorUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let out = &mut outlets[0];
        mix_flows(inlets, out);
        let t_in = inlet_temperature(&self.set, inlets, &out.flows)?;
        let mut extents = Vec::with_capacity(self.reactions.len());
        for (reaction, key, conversion) in &self.reactions {
            let m_key = self.set.get(*key).and_then(|c| c.molar_mass).unwrap_or(f64::INFINITY);
            let wanted = conversion * out.flows[*key] / m_key / -reaction.coefficient(*key);
            let (limit, limiting) = reaction.max_extent(&self.set, &out.flows);
            let extent = if wanted > limit {
                let name = limiting.and_then(|i| self.set.get(i)).map_or("?", |c| c.name.as_str());
                report.note(format!(
                    "\"{}\": {name} runs out; extent capped at {:.4} of the requested conversion",
                    reaction.text,
                    limit / wanted
                ));
                limit
            } else {
                wanted
            };
            reaction.apply(&self.set, &mut out.flows, extent);
            extents.push(extent);
        }
        let throughput: f64 = out.flows.iter().sum();
        report.size("throughput", throughput, Dimension::MASS_FLOW);
        apply_energy(&self.set, self.energy, inlets, t_in, out, report, &self.reactions, &extents)
    }
}

/// Set the outlet temperature and report the duty for the chosen energy mode.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_energy(
    set: &ComponentSet,
    energy: Energy,
    inlets: &[Stream],
    t_in: f64,
    out: &mut Stream,
    report: &mut UnitReport,
    reactions: &[(Reaction, usize, f64)],
    extents: &[f64],
) -> Result<(), UnitError> {
    let h_in = || inlet_enthalpy(set, inlets);
    match energy {
        Energy::Isothermal => {
            // Only the reacting components need data: sum of extent x reaction enthalpy at T.
            out.temperature = t_in;
            let mut duty = 0.0;
            for ((reaction, _, _), &extent) in reactions.iter().zip(extents) {
                if extent == 0.0 {
                    continue;
                }
                let mut dh = 0.0;
                for &(i, nu) in &reaction.terms {
                    let c = &set.get(i).ok_or_else(|| UnitError::Calculation("bad component".into()))?;
                    let m = c.molar_mass.unwrap_or(0.0);
                    dh += nu * c.specific_enthalpy(t_in)? * m;
                }
                duty += extent * dh;
            }
            report.heat_duty("reaction", duty);
        }
        Energy::Temperature(t) => {
            out.temperature = t;
            let duty = enthalpy_flow(set, &out.flows, t)? - h_in()?;
            report.heat_duty("reaction", duty);
        }
        Energy::Duty(q) => {
            let h_out = h_in()? + q;
            out.temperature = temperature_for_enthalpy(set, &out.flows, h_out, t_in)?;
            report.heat_duty("reaction", q);
        }
    }
    Ok(())
}
