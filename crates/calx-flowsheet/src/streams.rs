//! The `streams:` section: feed streams, written as component flows or as a total with a
//! composition, plus temperature and pressure. Each feed becomes a `feed` unit of the same
//! name (so `streams.raw_ash.total` can be adjusted by a design specification).
//!
//! ```yaml
//! streams:
//!   raw_ash:
//!     total: 35170 t/yr
//!     composition: { SiO2: 32.35 wt%, CaO: 22.1 wt%, ash_other: rest }
//!     T: 25 degC
//!   flue_gas:
//!     flows: { CO2: 379.10 kg/t_product, N2: 1361.71 kg/t_product }
//! ```

use std::collections::BTreeMap;

use calx_core::quantity::FractionBasis;
use calx_core::stream::{STANDARD_PRESSURE, STANDARD_TEMPERATURE};
use calx_core::suggest::nearest;
use calx_core::{ComponentSet, Dimension, ParamValue, Stream};

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::{Node, Value};

/// Fields of a stream specification.
pub(crate) const FIELDS: &[&str] = &["total", "composition", "flows", "T", "P", "note"];

/// A decoded stream specification.
pub(crate) struct StreamSpec {
    pub stream: Stream,
}

impl StreamSpec {
    /// Parameters of the `feed` unit type for this stream.
    pub fn feed_params(&self, set: &ComponentSet) -> BTreeMap<String, ParamValue> {
        let total: f64 = self.stream.flows.iter().sum();
        let mut composition = BTreeMap::new();
        for (c, &w) in set.iter().zip(&self.stream.flows) {
            if w > 0.0 {
                composition.insert(c.name.clone(), ParamValue::Number(w / total));
            }
        }
        if composition.is_empty() {
            // A zero feed still needs a composition that sums to one.
            if let Some(c) = set.get(0) {
                composition.insert(c.name.clone(), ParamValue::Number(1.0));
            }
        }
        BTreeMap::from([
            ("total".to_string(), ParamValue::Number(total)),
            ("composition".to_string(), ParamValue::Map(composition)),
            ("T".to_string(), ParamValue::Number(self.stream.temperature)),
            ("P".to_string(), ParamValue::Number(self.stream.pressure)),
        ])
    }
}

/// Decode one stream specification.
pub(crate) fn stream_spec(dec: &mut Decoder, node: &Node, field: &str, set: &ComponentSet) -> Option<StreamSpec> {
    let entries = dec.mapping(node, field)?;
    dec.only(entries, FIELDS, field);
    let mut stream = Stream::empty(set.len());
    let mut ok = true;
    if let Some(t) = get(entries, "T") {
        match dec.quantity(t, &join(field, "T"), Dimension::TEMPERATURE, "degC") {
            Some(v) => stream.temperature = v,
            None => ok = false,
        }
    } else {
        stream.temperature = STANDARD_TEMPERATURE;
    }
    if let Some(p) = get(entries, "P") {
        match dec.quantity(p, &join(field, "P"), Dimension::PRESSURE, "atm") {
            Some(v) if v > 0.0 => stream.pressure = v,
            Some(v) => {
                dec.error(
                    Diagnostic::new(p.loc, &join(field, "P"), "pressure must be above zero (absolute)")
                        .found(format!("{v} Pa")),
                );
                ok = false;
            }
            None => ok = false,
        }
    } else {
        stream.pressure = STANDARD_PRESSURE;
    }
    match (get(entries, "flows"), get(entries, "total"), get(entries, "composition")) {
        (Some(flows), None, None) => ok &= decode_flows(dec, flows, &join(field, "flows"), set, &mut stream.flows),
        (None, Some(total), Some(comp)) => {
            let total = dec.quantity(total, &join(field, "total"), Dimension::MASS_FLOW, "t/h");
            let fractions = composition(dec, comp, &join(field, "composition"), set);
            match (total, fractions) {
                (Some(t), Some(x)) if t >= 0.0 => stream.flows.iter_mut().zip(&x).for_each(|(w, x)| *w = x * t),
                (Some(t), Some(_)) => {
                    dec.error(
                        Diagnostic::new(node.loc, &join(field, "total"), "a flow cannot be negative")
                            .found(format!("{t} kg/s")),
                    );
                    ok = false;
                }
                _ => ok = false,
            }
        }
        _ => {
            dec.error(
                Diagnostic::new(
                    node.loc,
                    field,
                    format!("stream `{field}` needs either `flows`, or `total` with `composition`"),
                )
                .allowed("flows: { CO2: 14 kg/h }  |  total: 16000 t/yr + composition: { CaO: 22.1 wt%, ... }"),
            );
            ok = false;
        }
    }
    ok.then_some(StreamSpec { stream })
}

fn component_index(dec: &mut Decoder, key: &crate::node::Key, field: &str, set: &ComponentSet) -> Option<usize> {
    match set.index_of(&key.name) {
        Some(i) => Some(i),
        None => {
            dec.error(
                Diagnostic::new(key.loc, &join(field, &key.name), format!("unknown component `{}`", key.name))
                    .found(key.name.clone())
                    .allowed(set.names().collect::<Vec<_>>().join(", "))
                    .suggest(nearest(&key.name, set.names())),
            );
            None
        }
    }
}

fn decode_flows(dec: &mut Decoder, node: &Node, field: &str, set: &ComponentSet, flows: &mut [f64]) -> bool {
    let Some(entries) = dec.mapping(node, field) else { return false };
    let mut ok = true;
    for (k, v) in entries {
        let f = join(field, &k.name);
        let Some(i) = component_index(dec, k, field, set) else {
            ok = false;
            continue;
        };
        let Some(text) = dec.text(v, &f) else {
            ok = false;
            continue;
        };
        let w = match dec.units.parse(text) {
            Ok(q) if q.dimension == Dimension::MASS_FLOW => dec.sane(v, &f, text, Dimension::MASS_FLOW, q.value),
            Ok(q) if q.dimension == Dimension::MOLAR_FLOW => match set.get(i).and_then(|c| c.molar_mass) {
                Some(m) => dec.sane(v, &f, text, Dimension::MASS_FLOW, q.value * m),
                None => {
                    dec.error(
                        Diagnostic::new(
                            v.loc,
                            &f,
                            format!("a molar flow needs a molar mass, and `{}` has none", k.name),
                        )
                        .found(text.to_string())
                        .allowed("a mass flow, or a `molar_mass` for the component"),
                    );
                    None
                }
            },
            _ => dec.quantity(v, &f, Dimension::MASS_FLOW, "kg/h"),
        };
        match w {
            Some(w) if w >= 0.0 => flows[i] = w,
            Some(w) => {
                dec.error(
                    Diagnostic::new(v.loc, &f, "a flow cannot be negative")
                        .found(text.to_string())
                        .allowed(format!("0 or more (found {w} kg/s)")),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    ok
}

/// Mass fractions per component from a composition (wt% or mol%, one `rest`).
fn composition(dec: &mut Decoder, node: &Node, field: &str, set: &ComponentSet) -> Option<Vec<f64>> {
    let entries = dec.mapping(node, field)?;
    let mut x = vec![0.0; set.len()];
    let mut rest = None;
    let mut basis: Option<(FractionBasis, &str)> = None;
    let mut ok = true;
    for (k, v) in entries {
        let f = join(field, &k.name);
        let Some(i) = component_index(dec, k, field, set) else {
            ok = false;
            continue;
        };
        if matches!(&v.value, Value::Scalar(s) if s == "rest") {
            if rest.is_some() {
                dec.error(Diagnostic::new(v.loc, &f, "only one component can take the `rest`"));
                ok = false;
            }
            rest = Some(i);
            continue;
        }
        let Some(frac) = dec.fraction(v, &f) else {
            ok = false;
            continue;
        };
        let b = frac.basis.unwrap_or(FractionBasis::Mass);
        match basis {
            None => basis = Some((b, &k.name)),
            Some((b0, first)) if b0 != b => {
                dec.error(
                    Diagnostic::new(
                        v.loc,
                        &f,
                        format!("mixes fraction bases: `{first}` is on a {b0:?} basis, `{}` on a {b:?} basis", k.name),
                    )
                    .allowed("all wt% (or plain fractions) or all mol%"),
                );
                ok = false;
            }
            _ => {}
        }
        x[i] = frac.value;
    }
    if !ok {
        return None;
    }
    let sum: f64 = x.iter().sum();
    match rest {
        Some(i) if sum <= 1.0 + 1e-9 => x[i] = (1.0 - sum).max(0.0),
        Some(_) => {
            dec.error(Diagnostic::new(
                node.loc,
                field,
                format!("fractions add up to {:.4} %, more than 100 %, before the `rest`", sum * 100.0),
            ));
            return None;
        }
        None if (sum - 1.0).abs() > 1e-6 => {
            dec.error(
                Diagnostic::new(node.loc, field, format!("fractions add up to {:.4} %, not 100 %", sum * 100.0))
                    .allowed("fractions that sum to 100 %, or one component with `rest`"),
            );
            return None;
        }
        None => {}
    }
    match basis.map(|b| b.0) {
        Some(FractionBasis::Mole) => {
            // x_i M_i / sum(x_j M_j)
            let mut mass = vec![0.0; x.len()];
            for (i, xi) in x.iter().enumerate() {
                if *xi > 0.0 {
                    match set.get(i).and_then(|c| c.molar_mass) {
                        Some(m) => mass[i] = xi * m,
                        None => {
                            dec.error(Diagnostic::new(
                                node.loc,
                                field,
                                format!(
                                    "mol% needs a molar mass, and `{}` has none",
                                    set.get(i).map_or("?", |c| &c.name)
                                ),
                            ));
                            return None;
                        }
                    }
                }
            }
            let total: f64 = mass.iter().sum();
            Some(mass.iter().map(|m| m / total).collect())
        }
        Some(FractionBasis::Volume) => {
            dec.error(Diagnostic::new(node.loc, field, "vol% compositions need densities; write wt% or mol%"));
            None
        }
        _ => Some(x),
    }
}
