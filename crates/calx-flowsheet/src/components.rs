//! The `components:` section and the built-in component library (`data/components.yaml`).
//!
//! ```yaml
//! components:
//!   use: [CaO, MgO, H2O, CO2]                 # from the library
//!   define:                                   # the flowsheet's own
//!     ash_other: { phase: solid, elements: excluded, note: "'etc' line of Table 4" }
//!   override:                                 # replace library numbers
//!     MgCO3: { formation_enthalpy: -1111.69 kJ/mol, sources: { formation_enthalpy: "CRC 1971" } }
//! ```
//! A defined component gives a formula, or says `elements: excluded` to stay out of element
//! balances (it still counts in mass balances).

use std::collections::BTreeMap;

use calx_core::suggest::nearest;
use calx_core::thermo::{HeatCapacity, ShomateRange};
use calx_core::{Component, ComponentSet, Dimension, Formula, Phase};

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::{Key, Node, Value, parse};

/// The library file shipped with Calx.
pub const LIBRARY: &str = include_str!("../data/components.yaml");

const FIELDS: &[&str] =
    &["formula", "phase", "elements", "molar_mass", "formation_enthalpy", "heat_capacity", "sources", "note"];

/// The library's components by name, decoded. Problems in the library are reported as
/// diagnostics against `field` (they are bugs in Calx, and a test keeps them out).
pub(crate) fn library(dec: &mut Decoder) -> BTreeMap<String, Component> {
    let mut out = BTreeMap::new();
    let root = match parse(LIBRARY) {
        Ok(r) => r,
        Err(e) => {
            dec.error(Diagnostic::new(
                e.loc,
                "component library",
                format!("built-in component library: {}", e.message),
            ));
            return out;
        }
    };
    let Value::Map(entries) = &root.value else { return out };
    for (k, v) in entries {
        if let Some(c) = component(dec, &k.name, v, &format!("library.{}", k.name), None) {
            out.insert(k.name.clone(), c);
        }
    }
    out
}

/// Decode the `components:` section into the flowsheet's component set.
pub(crate) fn decode(dec: &mut Decoder, node: &Node) -> Option<ComponentSet> {
    let lib = library(dec);
    let diagnostics_before = dec.diags.len();
    let entries = dec.mapping(node, "components")?;
    dec.only(entries, &["use", "define", "override"], "components");
    let mut list: Vec<Component> = Vec::new();
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    let mut duplicate = |dec: &mut Decoder, name: &str, loc, field: &str| {
        if seen.insert(name.to_string(), ()).is_some() {
            dec.error(Diagnostic::new(loc, field, format!("component `{name}` is listed twice")));
            true
        } else {
            false
        }
    };
    if let Some(used) = get(entries, "use") {
        for item in dec.list(used, "components.use").unwrap_or_default() {
            let Some(name) = dec.text(item, "components.use") else { continue };
            match lib.get(name) {
                Some(c) => {
                    if !duplicate(dec, name, item.loc, "components.use") {
                        dec.map.put(&format!("components.{name}"), item.loc);
                        list.push(c.clone());
                    }
                }
                None => dec.error(
                    Diagnostic::new(item.loc, "components.use", format!("`{name}` is not in the component library"))
                        .found(name.to_string())
                        .allowed(format!(
                            "{} (or define it under `components.define`)",
                            lib.keys().cloned().collect::<Vec<_>>().join(", ")
                        ))
                        .suggest(nearest(name, lib.keys().map(String::as_str))),
                ),
            }
        }
    }
    if let Some(defined) = get(entries, "define") {
        for (k, v) in dec.mapping(defined, "components.define").unwrap_or_default() {
            let field = format!("components.define.{}", k.name);
            if lib.contains_key(&k.name) {
                dec.error(Diagnostic::new(
                    k.loc,
                    &field,
                    format!(
                        "`{}` is already in the component library: add it to `use` and change numbers with `override`",
                        k.name
                    ),
                ));
                continue;
            }
            if duplicate(dec, &k.name, k.loc, &field) {
                continue;
            }
            if let Some(c) = decoded(dec, &k.name, v, &field, None) {
                dec.map.put(&format!("components.{}", k.name), k.loc);
                list.push(c);
            }
        }
    }
    if let Some(over) = get(entries, "override") {
        for (k, v) in dec.mapping(over, "components.override").unwrap_or_default() {
            let field = format!("components.override.{}", k.name);
            match list.iter().position(|c| c.name == k.name) {
                Some(i) => {
                    let base = list[i].clone();
                    if let Some(c) = decoded(dec, &k.name, v, &field, Some(base)) {
                        list[i] = c;
                    }
                }
                None => dec.error(
                    Diagnostic::new(k.loc, &field, format!("`{}` is not a component of this flowsheet", k.name))
                        .suggest(nearest(&k.name, list.iter().map(|c| c.name.as_str()))),
                ),
            }
        }
    }
    if dec.diags.len() > diagnostics_before {
        // A component that did not decode would make every use of it an "unknown component":
        // stop here, with the problems of the components section only.
        return None;
    }
    if list.is_empty() {
        dec.error(Diagnostic::new(
            node.loc,
            "components",
            "the flowsheet uses no components: list them under `components.use`",
        ));
        return None;
    }
    match ComponentSet::new(list) {
        Ok(set) => Some(set),
        Err(e) => {
            dec.error(Diagnostic::new(node.loc, "components", e.to_string()));
            None
        }
    }
}

/// [`component`], with the guarantee that a definition that does not decode is reported: a
/// component must never disappear silently (its uses would then say "unknown component", or
/// an override would be ignored and the base values used).
fn decoded(dec: &mut Decoder, name: &str, node: &Node, field: &str, base: Option<Component>) -> Option<Component> {
    let before = dec.diags.len();
    let c = component(dec, name, node, field, base);
    if c.is_none() && dec.diags.len() == before {
        dec.error(Diagnostic::new(node.loc, field, format!("the definition of component `{name}` could not be read")));
    }
    c
}

/// Decode one component definition; with `base`, only the given fields change.
fn component(dec: &mut Decoder, name: &str, node: &Node, field: &str, base: Option<Component>) -> Option<Component> {
    let entries: &[(Key, Node)] = dec.mapping(node, field)?;
    dec.only(entries, FIELDS, field);
    let overriding = base.is_some();
    let formula = match get(entries, "formula") {
        Some(n) => {
            let text = dec.text(n, &join(field, "formula"))?;
            match Formula::parse(text) {
                Ok(f) => Some(f),
                Err(e) => {
                    dec.error(Diagnostic::new(n.loc, &join(field, "formula"), e.to_string()).found(text.to_string()));
                    return None;
                }
            }
        }
        None => None,
    };
    let phase = match get(entries, "phase") {
        Some(n) => Some(match dec.choice(n, &join(field, "phase"), &["solid", "liquid", "gas"])? {
            "solid" => Phase::Solid,
            "liquid" => Phase::Liquid,
            _ => Phase::Gas,
        }),
        None if overriding => None,
        None => {
            dec.required(entries, "phase", field, node.loc);
            return None;
        }
    };
    let excluded = match get(entries, "elements") {
        Some(n) => {
            dec.choice(n, &join(field, "elements"), &["excluded"])?;
            true
        }
        None => false,
    };
    let molar_mass = match get(entries, "molar_mass") {
        Some(n) => Some(positive_molar_mass(dec, n, &join(field, "molar_mass"))?),
        None => None,
    };
    let mut c = match (base, formula) {
        (Some(mut b), Some(f)) => {
            b.molar_mass = Some(f.molar_mass());
            b.elements = Some(f.atoms().clone());
            b.formula = Some(f);
            b
        }
        (Some(b), None) => b,
        (None, Some(f)) => match Component::from_formula(name, f.text(), phase.unwrap_or(Phase::Solid)) {
            Ok(c) => c,
            Err(e) => {
                dec.error(Diagnostic::new(node.loc, &join(field, "formula"), e.to_string()));
                return None;
            }
        },
        (None, None) if excluded => match Component::pseudo(name, phase.unwrap_or(Phase::Solid), molar_mass) {
            Ok(c) => c,
            Err(e) => {
                dec.error(Diagnostic::new(node.loc, field, e.to_string()));
                return None;
            }
        },
        (None, None) => {
            dec.error(
                Diagnostic::new(node.loc, field, format!("component `{name}` needs a `formula`, or `elements: excluded` to leave it out of element balances"))
                    .allowed("formula: CaCO3  |  elements: excluded"),
            );
            return None;
        }
    };
    if let Some(p) = phase {
        c.phase = p;
    }
    if excluded {
        c.elements = None;
    }
    if let Some(m) = molar_mass {
        if c.formula.is_some() {
            dec.error(Diagnostic::new(
                node.loc,
                &join(field, "molar_mass"),
                "give `molar_mass` only for components without a formula (it is computed from the formula)",
            ));
        }
        c.molar_mass = Some(m);
    }
    if let Some(n) = get(entries, "formation_enthalpy") {
        c.formation_enthalpy =
            Some(dec.quantity(n, &join(field, "formation_enthalpy"), Dimension::MOLAR_ENERGY, "kJ/mol")?);
    }
    if let Some(n) = get(entries, "heat_capacity") {
        c.heat_capacity = Some(heat_capacity(dec, n, &join(field, "heat_capacity"))?);
    }
    if let Some(n) = get(entries, "sources") {
        for (k, v) in dec.mapping(n, &join(field, "sources")).unwrap_or_default() {
            if let Some(t) = dec.text(v, &join(field, &format!("sources.{}", k.name))) {
                c.sources.insert(k.name.clone(), t.to_string());
            }
        }
    }
    if let Some(n) = get(entries, "note") {
        c.note = dec.text(n, &join(field, "note")).map(str::to_string);
    }
    Some(c)
}

fn heat_capacity(dec: &mut Decoder, node: &Node, field: &str) -> Option<HeatCapacity> {
    if let Value::Scalar(text) = &node.value {
        return match dec.units.parse(text) {
            Ok(q) if q.dimension == Dimension::MOLAR_HEAT_CAPACITY => Some(HeatCapacity::Constant { cp: q.value }),
            Ok(q) if q.dimension == Dimension::SPECIFIC_HEAT_CAPACITY => {
                Some(HeatCapacity::ConstantMass { cp: q.value })
            }
            _ => {
                dec.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a heat capacity"))
                        .found(text.clone())
                        .allowed("\"83.5 J/mol/K\", \"0.9 kJ/kg/K\", or `shomate:` ranges"),
                );
                None
            }
        };
    }
    let entries = dec.mapping(node, field)?;
    dec.only(entries, &["shomate"], field);
    let shomate = dec_required(dec, entries, "shomate", field, node)?;
    let list = dec.list(shomate, &join(field, "shomate"))?;
    let mut ranges = Vec::new();
    for (i, r) in list.into_iter().enumerate() {
        let f = format!("{field}.shomate[{i}]");
        let e = dec.mapping(r, &f)?;
        dec.only(e, &["T", "A", "B", "C", "D", "E"], &f);
        let t_node = dec_required(dec, e, "T", &f, r)?;
        let t = dec.list(t_node, &join(&f, "T"))?;
        if t.len() != 2 {
            dec.error(Diagnostic::new(r.loc, &join(&f, "T"), "`T` must be [lowest K, highest K]"));
            return None;
        }
        let (t_min, t_max) = (shomate_number(dec, t[0], &join(&f, "T"))?, shomate_number(dec, t[1], &join(&f, "T"))?);
        if !(t_min > 0.0 && t_min < t_max) {
            dec.error(
                Diagnostic::new(
                    t_node.loc,
                    &join(&f, "T"),
                    "the range must be [lowest K, highest K], above 0 K and lowest first",
                )
                .found(format!("[{t_min}, {t_max}]")),
            );
            return None;
        }
        let mut coefficients = [0.0; 5];
        for (j, name) in ["A", "B", "C", "D", "E"].iter().enumerate() {
            let n = dec_required(dec, e, name, &f, r)?;
            coefficients[j] = shomate_number(dec, n, &join(&f, name))?;
        }
        ranges.push(ShomateRange { t_min, t_max, coefficients });
    }
    Some(HeatCapacity::Shomate { ranges })
}

/// A Shomate coefficient or temperature: a plain finite number in the NIST WebBook's form
/// (K and J/mol/K implied), never one written with a unit.
fn shomate_number(dec: &mut Decoder, node: &Node, field: &str) -> Option<f64> {
    let text = dec.text(node, field)?;
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            dec.error(
                Diagnostic::new(node.loc, field, "Shomate numbers are plain numbers in the NIST WebBook's form")
                    .found(text.to_string())
                    .allowed(
                        "a finite number without a unit: T in K, A..E as NIST gives them (Cp in J/mol/K, t = T/1000)",
                    ),
            );
            None
        }
    }
}

/// A molar mass, which must be above zero.
fn positive_molar_mass(dec: &mut Decoder, node: &Node, field: &str) -> Option<f64> {
    let m = dec.quantity(node, field, Dimension::MOLAR_MASS, "g/mol")?;
    if m > 0.0 {
        return Some(m);
    }
    dec.error(
        Diagnostic::new(node.loc, field, "a molar mass must be above zero").found(format!("{} g/mol", m * 1000.0)),
    );
    None
}

fn dec_required<'a>(
    dec: &mut Decoder,
    entries: &'a [(Key, Node)],
    name: &str,
    field: &str,
    node: &Node,
) -> Option<&'a Node> {
    dec.required(entries, name, field, node.loc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_decodes_without_problems() {
        let mut dec = Decoder::new();
        let lib = library(&mut dec);
        assert!(dec.diags.is_empty(), "{:?}", dec.diags);
        assert!(lib.len() >= 20);
        // Every component with a formation enthalpy also has a heat capacity and sources.
        for c in lib.values() {
            if c.formation_enthalpy.is_some() {
                assert!(c.heat_capacity.is_some(), "{}", c.name);
                assert!(c.sources.contains_key("formation_enthalpy"), "{}", c.name);
                assert!(c.sources.contains_key("heat_capacity"), "{}", c.name);
            }
        }
    }

    #[test]
    fn library_heat_capacities_match_the_tabulated_values_at_298k() {
        // docs/sources.md §Heat capacities, sanity checks: Cp(298.15 K) from the coefficients vs CRC.
        let mut dec = Decoder::new();
        let lib = library(&mut dec);
        for (name, cp) in
            [("CaO", 42.10), ("MgO", 37.02), ("Ca(OH)2", 87.48), ("H2O", 75.37), ("CO2", 37.13), ("N2", 29.12)]
        {
            let got = lib[name].heat_capacity.as_ref().unwrap().cp(298.15);
            assert!((got - cp).abs() < 0.02, "{name}: {got} vs {cp}");
        }
    }
}
