//! The `analyses:` section: post-processors configured by name, each block checked against
//! its analysis type's parameter schema exactly like unit parameters.
//!
//! ```yaml
//! analyses:
//!   lca:                                  # the key is the type name ...
//!     functional_unit: 1 t of product
//!   lca_official_grid:                    # ... unless `type:` says otherwise
//!     type: lca
//!     utilities: { electricity: electricity_kr_2014_16 }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::registry::Registry;
use calx_core::suggest::nearest;
use calx_core::{Analysis, ComponentSet, Params, UnitError};

use crate::decode::{Decoder, get, join};
use crate::diagnostic::Diagnostic;
use crate::node::Node;
use crate::units::value;

/// One configured analysis.
#[derive(Clone)]
pub struct ConfiguredAnalysis {
    /// Its name in the flowsheet.
    pub name: String,
    /// Its type.
    pub type_name: String,
    /// Types whose results it reads.
    pub reads: Vec<String>,
    /// The checked parameters it was created from (defaults filled in, SI units): studies
    /// change one and create the analysis again.
    pub params: Params,
    /// The analysis.
    pub analysis: Arc<dyn Analysis>,
}

pub(crate) fn decode(
    dec: &mut Decoder,
    node: &Node,
    registry: &Registry,
    set: &ComponentSet,
) -> Vec<ConfiguredAnalysis> {
    let mut out = Vec::new();
    let Some(entries) = dec.mapping(node, "analyses") else { return out };
    for (k, v) in entries {
        let field = format!("analyses.{}", k.name);
        dec.map.put(&field, k.loc);
        let Some(block) = dec.mapping(v, &field) else { continue };
        let type_name = match get(block, "type") {
            Some(t) => match dec.text(t, &join(&field, "type")) {
                Some(t) => t.to_string(),
                None => continue,
            },
            None => k.name.clone(),
        };
        let Some(registered) = registry.analysis(&type_name) else {
            let names: Vec<&str> = registry.analyses().map(|a| a.descriptor.type_name.as_str()).collect();
            dec.error(
                Diagnostic::new(k.loc, &field, format!("unknown analysis type `{type_name}`"))
                    .found(type_name.clone())
                    .allowed(format!("{} (or give `type:` for a second analysis of one type)", names.join(", ")))
                    .suggest(nearest(&type_name, names.iter().copied())),
            );
            continue;
        };
        let d = &registered.descriptor;
        let mut values = BTreeMap::new();
        let mut ok = true;
        for (pk, pv) in block.iter().filter(|(pk, _)| pk.name != "type") {
            let pf = join(&field, &pk.name);
            dec.map.put(&pf, pk.loc);
            match d.params.iter().find(|p| p.name == pk.name) {
                Some(spec) => match value(dec, pv, &spec.kind, &pf, set, &[]) {
                    Some(x) => {
                        values.insert(pk.name.clone(), x);
                    }
                    None => ok = false,
                },
                None => {
                    let names: Vec<&str> = d.params.iter().map(|p| p.name.as_str()).chain(["type"]).collect();
                    dec.error(
                        Diagnostic::new(pk.loc, &pf, format!("analysis `{type_name}` has no parameter `{}`", pk.name))
                            .found(pk.name.clone())
                            .allowed(names.join(", "))
                            .suggest(nearest(&pk.name, names.iter().copied())),
                    );
                    ok = false;
                }
            }
        }
        for spec in &d.params {
            // A parameter written with a bad value already has its diagnostic.
            if values.contains_key(&spec.name) || block.iter().any(|(pk, _)| pk.name == spec.name) {
                continue;
            }
            match (&spec.default, spec.optional) {
                (Some(x), _) => {
                    values.insert(spec.name.clone(), x.clone());
                }
                (None, true) => {}
                (None, false) => {
                    dec.error(
                        Diagnostic::new(
                            k.loc,
                            &join(&field, &spec.name),
                            format!("analysis `{}` needs `{}`: {}", k.name, spec.name, spec.doc),
                        )
                        .allowed(spec.kind.describe()),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let params = Params::new(values);
        match registered.analysis_type.create(&k.name, &params) {
            Ok(analysis) => out.push(ConfiguredAnalysis {
                name: k.name.clone(),
                type_name: type_name.clone(),
                reads: d.reads.clone(),
                params,
                analysis: Arc::from(analysis),
            }),
            Err(e) => {
                let at = match &e {
                    UnitError::Parameter { param, .. } => dec.map.get(&join(&field, param)),
                    _ => k.loc,
                };
                dec.error(Diagnostic::new(at, &field, format!("analysis `{}`: {e}", k.name)));
            }
        }
    }
    out
}
