//! The `units:` section: each unit's type, connections and parameters, converted to SI
//! against the parameter schema its type declares.
//!
//! ```yaml
//! units:
//!   hydrator:
//!     type: hydrator
//!     in:  { solids: treated_ash, water: process_water }
//!     out: { slurry: hydrated_slurry }
//!     params: { conversion: { CaO: 28.95 %, MgO: 29.14 % }, T: 40 degC }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::registry::Registry;
use calx_core::suggest::nearest;
use calx_core::unit::PortDirection;
use calx_core::{ComponentSet, Dimension, ParamKind, ParamValue, Params, UnitDescriptor};
use calx_engine::UnitDef;

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::{Key, Node, Value};

/// Fields of a unit.
pub(crate) const FIELDS: &[&str] = &["type", "in", "out", "params", "note"];

/// Decode every unit.
pub(crate) fn decode(
    dec: &mut Decoder,
    node: &Node,
    registry: &Registry,
    set: &Arc<ComponentSet>,
    units: &mut Vec<UnitDef>,
) {
    let Some(entries) = dec.mapping(node, "units") else { return };
    for (k, v) in entries {
        if let Some(u) = unit(dec, k, v, registry, set) {
            units.push(u);
        }
    }
}

fn unit(dec: &mut Decoder, key: &Key, node: &Node, registry: &Registry, set: &Arc<ComponentSet>) -> Option<UnitDef> {
    let name = &key.name;
    let field = format!("units.{name}");
    dec.map.put(&field, key.loc);
    let entries = dec.mapping(node, &field)?;
    dec.only(entries, FIELDS, &field);
    let type_node = dec.required(entries, "type", &field, key.loc)?;
    let type_name = dec.text(type_node, &join(&field, "type"))?;
    dec.map.put(&join(&field, "type"), type_node.loc);
    let Some(registered) = registry.get(type_name) else {
        dec.error(
            Diagnostic::new(type_node.loc, &join(&field, "type"), format!("unknown unit type `{type_name}`"))
                .found(type_name.to_string())
                .allowed(registry.names().collect::<Vec<_>>().join(", "))
                .suggest(registry.suggest(type_name)),
        );
        return None;
    };
    let d = &registered.descriptor;
    let inlets = ports(dec, entries, "in", PortDirection::In, d, &field);
    let outlets = ports(dec, entries, "out", PortDirection::Out, d, &field);
    let outlet_names: Vec<String> = outlets.iter().flat_map(|(_, s)| s.iter().cloned()).collect();
    let params = params(dec, get(entries, "params"), d, &field, set, &outlet_names, key);
    Some(UnitDef { name: name.clone(), unit_type: registered.unit_type.clone(), params: params?, inlets, outlets })
}

fn ports(
    dec: &mut Decoder,
    entries: &[(Key, Node)],
    which: &str,
    direction: PortDirection,
    d: &UnitDescriptor,
    field: &str,
) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let Some(node) = get(entries, which) else { return out };
    let f = join(field, which);
    let Some(list) = dec.mapping(node, &f) else { return out };
    for (k, v) in list {
        let pf = join(&f, &k.name);
        dec.map.put(&pf, k.loc);
        let same_name = || d.ports.iter().filter(|p| p.name == k.name);
        match (same_name().find(|p| p.direction == direction), same_name().next()) {
            (Some(_), _) => {}
            (None, Some(_)) => {
                let other = if which == "in" { "out" } else { "in" };
                dec.error(Diagnostic::new(
                    k.loc,
                    &pf,
                    format!(
                        "`{}` is an {} port of `{}`: put it under `{other}`",
                        k.name,
                        if which == "in" { "outlet" } else { "inlet" },
                        d.type_name
                    ),
                ));
                continue;
            }
            (None, None) => {
                let allowed: Vec<&str> =
                    d.ports.iter().filter(|p| p.direction == direction).map(|p| p.name.as_str()).collect();
                dec.error(
                    Diagnostic::new(
                        k.loc,
                        &pf,
                        format!(
                            "`{}` has no {} port `{}`",
                            d.type_name,
                            if which == "in" { "inlet" } else { "outlet" },
                            k.name
                        ),
                    )
                    .found(k.name.clone())
                    .allowed(if allowed.is_empty() { "(none)".to_string() } else { allowed.join(", ") })
                    .suggest(nearest(&k.name, allowed.iter().copied())),
                );
                continue;
            }
        }
        let mut streams = Vec::new();
        for item in dec.list(v, &pf).unwrap_or_default() {
            if let Some(s) = dec.text(item, &pf) {
                dec.map.stream_uses.entry(s.to_string()).or_default().push((format!("{pf}:{which}"), item.loc));
                streams.push(s.to_string());
            }
        }
        out.push((k.name.clone(), streams));
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn params(
    dec: &mut Decoder,
    node: Option<&Node>,
    d: &UnitDescriptor,
    field: &str,
    set: &ComponentSet,
    outlets: &[String],
    key: &Key,
) -> Option<Params> {
    let f = join(field, "params");
    let given: &[(Key, Node)] = match node {
        Some(n) => dec.mapping(n, &f)?,
        None => &[],
    };
    let mut values = BTreeMap::new();
    let mut ok = true;
    for (k, v) in given {
        let pf = join(&f, &k.name);
        dec.map.put(&pf, k.loc);
        let Some(spec) = d.param(&k.name) else {
            dec.error(
                Diagnostic::new(k.loc, &pf, format!("`{}` has no parameter `{}`", d.type_name, k.name))
                    .found(k.name.clone())
                    .allowed(d.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "))
                    .suggest(nearest(&k.name, d.params.iter().map(|p| p.name.as_str()))),
            );
            ok = false;
            continue;
        };
        match value(dec, v, &spec.kind, &pf, set, outlets) {
            Some(x) => {
                values.insert(k.name.clone(), x);
            }
            None => ok = false,
        }
    }
    for spec in &d.params {
        // A parameter written with a bad value already has its diagnostic; saying it is
        // missing too would be wrong.
        if values.contains_key(&spec.name) || given.iter().any(|(k, _)| k.name == spec.name) {
            continue;
        }
        match &spec.default {
            Some(default) => {
                values.insert(spec.name.clone(), default.clone());
            }
            None if spec.optional => {}
            None => {
                dec.error(
                    Diagnostic::new(
                        key.loc,
                        &join(&f, &spec.name),
                        format!("unit `{}` ({}) needs parameter `{}`: {}", key.name, d.type_name, spec.name, spec.doc),
                    )
                    .allowed(spec.kind.describe()),
                );
                ok = false;
            }
        }
    }
    ok.then(|| Params::new(values))
}

/// Convert one written value to SI against its declared kind.
pub(crate) fn value(
    dec: &mut Decoder,
    node: &Node,
    kind: &ParamKind,
    field: &str,
    set: &ComponentSet,
    outlets: &[String],
) -> Option<ParamValue> {
    match kind {
        ParamKind::Quantity { dimension, unit } => dec.quantity(node, field, *dimension, unit).map(ParamValue::Number),
        ParamKind::Fraction => dec.fraction(node, field).map(|f| ParamValue::Number(f.value)),
        ParamKind::Number => dec.quantity(node, field, Dimension::DIMENSIONLESS, "").map(ParamValue::Number),
        ParamKind::Integer => dec.count(node, field).map(|n| ParamValue::Number(n as f64)),
        ParamKind::Bool => dec.choice(node, field, &["true", "false"]).map(|b| ParamValue::Bool(b == "true")),
        ParamKind::Text => dec.text(node, field).map(|s| ParamValue::Text(s.to_string())),
        ParamKind::Choice { options } => {
            let opts: Vec<&str> = options.iter().map(String::as_str).collect();
            dec.choice(node, field, &opts).map(|s| ParamValue::Text(s.to_string()))
        }
        ParamKind::List { item } => {
            let items = dec.list(node, field)?;
            let mut out = Vec::new();
            for (i, n) in items.into_iter().enumerate() {
                out.push(value(dec, n, item, &format!("{field}[{i}]"), set, outlets)?);
            }
            Some(ParamValue::List(out))
        }
        ParamKind::PerComponent { value: inner } => {
            let names: Vec<&str> = set.names().collect();
            keyed(dec, node, inner, field, set, outlets, &names, "component")
        }
        ParamKind::Map { value: inner } => {
            let entries = match &node.value {
                Value::Map(_) => dec.mapping(node, field)?,
                _ => {
                    dec.error(
                        Diagnostic::new(node.loc, field, format!("`{field}` must be a mapping of names to values"))
                            .found(node.show()),
                    );
                    return None;
                }
            };
            let mut map = BTreeMap::new();
            let mut ok = true;
            for (k, v) in entries {
                dec.map.put(&join(field, &k.name), k.loc);
                match value(dec, v, inner, &join(field, &k.name), set, outlets) {
                    Some(x) => {
                        map.insert(k.name.clone(), x);
                    }
                    None => ok = false,
                }
            }
            ok.then_some(ParamValue::Map(map))
        }
        ParamKind::PerOutlet { value: inner } => {
            let names: Vec<&str> = outlets.iter().map(String::as_str).collect();
            keyed(dec, node, inner, field, set, outlets, &names, "outlet stream")
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn keyed(
    dec: &mut Decoder,
    node: &Node,
    inner: &ParamKind,
    field: &str,
    set: &ComponentSet,
    outlets: &[String],
    names: &[&str],
    what: &str,
) -> Option<ParamValue> {
    if !matches!(node.value, Value::Map(_)) {
        dec.error(
            Diagnostic::new(node.loc, field, format!("`{field}` must map each {what} to a value"))
                .found(node.show())
                .allowed(format!("{{ {}: ... }}", names.first().copied().unwrap_or("name"))),
        );
        return None;
    }
    let entries = dec.mapping(node, field)?;
    let mut map = BTreeMap::new();
    let mut ok = true;
    for (k, v) in entries {
        let f = join(field, &k.name);
        if !names.contains(&k.name.as_str()) {
            dec.error(
                Diagnostic::new(k.loc, &f, format!("unknown {what} `{}`", k.name))
                    .found(k.name.clone())
                    .allowed(names.join(", "))
                    .suggest(nearest(&k.name, names.iter().copied())),
            );
            ok = false;
            continue;
        }
        match value(dec, v, inner, &f, set, outlets) {
            Some(x) => {
                map.insert(k.name.clone(), x);
            }
            None => ok = false,
        }
    }
    ok.then_some(ParamValue::Map(map))
}
