//! The `aqueous:` section: aqueous chemistry of the flowsheet's water.
//!
//! ```yaml
//! aqueous:
//!   activity_model: extended_debye_huckel   # or davies (default: extended_debye_huckel)
//!   minerals: { CaSO4: Gypsum }             # component -> database mineral, beyond the built-in pairs
//! ```
//!
//! With the section, every stream that carries liquid water shows its pH, ionic strength,
//! dissolved carbon and saturation indices, and every unit with an `activity_model`
//! parameter that does not set one uses the flowsheet's.

use calx_core::aqueous::{ActivityModel, AqueousSettings};
use calx_core::{ComponentSet, ParamValue, Phase};
use calx_engine::UnitDef;

use crate::decode::{Decoder, get};
use crate::diagnostic::Diagnostic;
use crate::node::Node;

pub(crate) const FIELDS: &[&str] = &["activity_model", "minerals"];

/// Decode `aqueous:`.
pub(crate) fn decode(dec: &mut Decoder, node: &Node, set: &ComponentSet) -> AqueousSettings {
    let mut settings = AqueousSettings::default();
    let Some(entries) = dec.mapping(node, "aqueous") else { return settings };
    dec.only(entries, FIELDS, "aqueous");
    if let Some(n) = get(entries, "activity_model") {
        let names: Vec<&str> = ActivityModel::ALL.iter().map(|m| m.name()).collect();
        if let Some(m) = dec.choice(n, "aqueous.activity_model", &names).and_then(ActivityModel::from_name) {
            settings.activity_model = m;
        }
    }
    if let Some(n) = get(entries, "minerals") {
        settings.minerals = minerals(dec, n, set);
    }
    settings
}

/// `aqueous.minerals`: solid components of this flowsheet mapped to database minerals.
fn minerals(dec: &mut Decoder, node: &Node, set: &ComponentSet) -> Vec<(String, String)> {
    let Some(entries) = dec.mapping(node, "aqueous.minerals") else { return Vec::new() };
    let db = calx_aqueous::Database::builtin();
    let known: Vec<&str> = db.minerals.iter().map(|m| m.name.as_str()).collect();
    let mut pairs = Vec::new();
    for (k, v) in entries {
        let field = format!("aqueous.minerals.{}", k.name);
        match set.index_of(&k.name).and_then(|i| set.get(i)) {
            None => dec.error(
                Diagnostic::new(k.loc, &field, format!("`{}` is not a component of this flowsheet", k.name))
                    .found(k.name.clone())
                    .allowed(set.names().collect::<Vec<_>>().join(", ")),
            ),
            Some(c) if c.phase != Phase::Solid => dec.error(Diagnostic::new(
                k.loc,
                &field,
                format!("`{}` is not a solid: only solids are minerals", k.name),
            )),
            Some(_) => {
                if let Some(mineral) = dec.choice(v, &field, &known) {
                    pairs.push((k.name.clone(), mineral.to_string()));
                }
            }
        }
    }
    pairs
}

/// Units with an `activity_model` parameter they do not set take the flowsheet's.
pub(crate) fn default_unit_models(settings: &AqueousSettings, units: &mut [UnitDef]) {
    for u in units {
        let takes_it = u.unit_type.descriptor().params.iter().any(|p| p.name == "activity_model");
        if takes_it && !u.params.has("activity_model") {
            u.params.set("activity_model", ParamValue::Text(settings.activity_model.name().to_string()));
        }
    }
}
