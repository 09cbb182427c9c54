//! `magnetic_separation`: grinding plus (wet-drum) magnetic separation of ash.
//!
//! * Split: a fraction `to_magnetics_i` of each component goes to the magnetic concentrate
//!   `magnetics`, the rest to the non-magnetic `product`. Both leave at feed conditions.
//!   The fractions are inputs: docs/sources.md §Magnetic separation gives 70-80 % of the iron of bituminous
//!   fly ash in a magnetic fraction of about 20 wt % of the ash (Iowa Acad. Sci. 1978), but no
//!   general model.
//! * Electricity, one of:
//!   - `specific_energy` e (J per kg of feed) for grinding and separation together:
//!     P = e * m_feed, reported as "grinding and separation";
//!   - Bond's third law (`calx_core::comminution`, shared with `mill`; docs/sources.md
//!     §Grinding, Metals 2021 11:1114; Rowland 1976):
//!     W = 10 Wi (1 / sqrt(P80) - 1 / sqrt(F80)) with P80, F80 in micrometres and W in the
//!     unit of the work index Wi (kWh per metric tonne here; a short-ton Wi must be
//!     multiplied by 1.102 first). Reported as "grinding" = W * m_feed and "separation" =
//!     `separation_energy` * m_feed (0 with a note if not given: no specific energy of
//!     magnetic separation was found, docs/sources.md §Magnetic separation).
//!
//! Reports: electricity as above, size "throughput" (kg/s of feed).

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType, Utility,
};

use crate::common::{check_inlets, check_outlets, fraction, inlet, inlet_ports, opt_non_negative, require};

/// The `magnetic_separation` unit type.
pub struct MagneticSeparation;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Energy {
    /// J per kg of feed, grinding and separation together.
    Specific(f64),
    /// Bond's law grinding energy and separation energy, J per kg of feed.
    Bond { grinding: f64, separation: Option<f64> },
}

struct MagneticSeparationUnit {
    set: Arc<ComponentSet>,
    to_magnetics: Vec<f64>,
    energy: Energy,
    ports: Vec<String>,
}

impl UnitType for MagneticSeparation {
    fn descriptor(&self) -> UnitDescriptor {
        let energy = |name: &str, doc: &str| {
            ParamSpec::optional(name, ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t"), doc)
        };
        let size = |name: &str, doc: &str| ParamSpec::optional(name, ParamKind::quantity(Dimension::LENGTH, "um"), doc);
        UnitDescriptor {
            type_name: "magnetic_separation".into(),
            summary: "Grinding and magnetic separation of ash: per-component recovery to a magnetic concentrate."
                .into(),
            ports: vec![
                PortSpec::inlet("feed", "ash to grind and separate"),
                PortSpec::outlet("product", "non-magnetic product"),
                PortSpec::outlet("magnetics", "magnetic concentrate (and whatever else the step rejects)"),
            ],
            params: vec![
                ParamSpec::required(
                    "to_magnetics",
                    ParamKind::per_component(ParamKind::Fraction),
                    "Fraction of each component's feed recovered to `magnetics`; components not listed stay in `product`",
                ),
                energy(
                    "specific_energy",
                    "Electricity per kg of feed for grinding and separation together (give this or Bond's law)",
                ),
                energy("work_index", "Bond work index Wi per metric tonne (Bond's law, with `f80` and `p80`)"),
                size("f80", "80 % passing size of the feed (Bond's law)"),
                size("p80", "80 % passing size of the product (Bond's law)"),
                energy(
                    "separation_energy",
                    "Electricity of the separator per kg of feed, added to Bond's grinding energy",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let set = config.components;
        let p = config.params;
        require(p, "to_magnetics")?;
        let to_magnetics = p.component_vector("to_magnetics", set, 0.0)?;
        for (c, &x) in set.iter().zip(&to_magnetics) {
            fraction("to_magnetics", &c.name, x)?;
        }
        Ok(Box::new(MagneticSeparationUnit {
            set: set.clone(),
            to_magnetics,
            energy: energy_mode(p)?,
            ports: inlet_ports(config.connections),
        }))
    }
}

/// `specific_energy` or Bond's law (`work_index`, `f80`, `p80`), never both, never neither.
fn energy_mode(p: &calx_core::Params) -> Result<Energy, UnitError> {
    let specific = opt_non_negative(p, "specific_energy", "J/kg")?;
    let wi = opt_non_negative(p, "work_index", "J/kg")?;
    let f80 = opt_non_negative(p, "f80", "m")?;
    let p80 = opt_non_negative(p, "p80", "m")?;
    let separation = opt_non_negative(p, "separation_energy", "J/kg")?;
    let bond_given: Vec<&str> =
        [("work_index", wi), ("f80", f80), ("p80", p80)].iter().filter(|(_, v)| v.is_some()).map(|(n, _)| *n).collect();
    match (specific, wi, f80, p80) {
        (Some(_), ..) if !bond_given.is_empty() => Err(UnitError::param(
            "specific_energy",
            format!(
                "and Bond's law ({}) are both given; give `specific_energy` or `work_index`, `f80` and `p80`",
                bond_given.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        )),
        (Some(_), ..) if separation.is_some() => Err(UnitError::param(
            "separation_energy",
            "is only used with Bond's law: `specific_energy` already covers grinding and separation",
        )),
        (Some(e), ..) => Ok(Energy::Specific(e)),
        (None, Some(wi), Some(f80), Some(p80)) => {
            // Bond's law, shared with the `mill` (calx_core::comminution).
            Ok(Energy::Bond { grinding: calx_core::comminution::bond_specific_energy(wi, f80, p80)?, separation })
        }
        (None, None, None, None) => Err(UnitError::param(
            "specific_energy",
            "or Bond's law (`work_index`, `f80` and `p80`) is required for the grinding and separation electricity",
        )),
        _ => {
            let missing: Vec<String> = [("work_index", wi), ("f80", f80), ("p80", p80)]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| format!("`{n}`"))
                .collect();
            Err(UnitError::param(
                bond_given.first().copied().unwrap_or("work_index"),
                format!("is given, so Bond's law is used, but {} is missing", missing.join(" and ")),
            ))
        }
    }
}

impl UnitOperation for MagneticSeparationUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        check_inlets(&self.set, inlets, &self.ports)?;
        check_outlets(outlets, 2, self.set.len())?;
        let feed = inlet(inlets, 0, "feed")?;
        let (product, magnetics) = outlets.split_at_mut(1);
        let (product, magnetics) = (&mut product[0], &mut magnetics[0]);
        for (i, &w) in feed.flows.iter().enumerate() {
            let w = w.max(0.0);
            let m = w * self.to_magnetics[i];
            magnetics.flows[i] = m;
            product.flows[i] = w - m;
        }
        for out in [&mut *product, &mut *magnetics] {
            out.temperature = feed.temperature;
            out.pressure = feed.pressure;
        }
        let mass = feed.total_mass();
        match self.energy {
            Energy::Specific(e) => report.utility(Utility::Electricity, "grinding and separation", e * mass),
            Energy::Bond { grinding, separation } => {
                report.utility(Utility::Electricity, "grinding", grinding * mass);
                if separation.is_none() {
                    report.note("no `separation_energy` given: the magnetic separator's electricity is taken as 0 (no data, docs/sources.md §Magnetic separation)");
                }
                report.utility(Utility::Electricity, "separation", separation.unwrap_or(0.0) * mass);
            }
        }
        report.size("throughput", mass, Dimension::MASS_FLOW);
        Ok(())
    }
}
