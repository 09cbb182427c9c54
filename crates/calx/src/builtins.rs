//! The unit and analysis types built into Calx: the generic, carbon-mineralization and
//! process-equipment unit families, LCA, TEA and the carbon-credit ledger. The `calx` command, the test support and every benchmark use this
//! one list, so tests exercise exactly what users run.

use std::sync::Arc;

use calx_core::Registry;

/// A registry of every built-in unit and analysis type.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    // Built-in names cannot collide; `builtins_register_without_conflicts` checks it.
    let _conflicts = register_builtins(&mut r);
    r
}

/// Register every built-in unit and analysis type; returns the conflicts (none, by test).
fn register_builtins(r: &mut Registry) -> Vec<calx_core::registry::ProvidedTwice> {
    let plugins: [(&str, Vec<Arc<dyn calx_core::UnitType>>); 3] = [
        (calx_generic::PROVIDER, calx_generic::unit_types()),
        (calx_mineralization::PROVIDER, calx_mineralization::unit_types()),
        (calx_equipment::PROVIDER, calx_equipment::unit_types()),
    ];
    let mut conflicts = Vec::new();
    for (provider, types) in plugins {
        for t in types {
            conflicts.extend(r.register(provider, t).err());
        }
    }
    conflicts.extend(r.register_analysis("calx-lca", Arc::new(calx_lca::LcaAnalysisType::default())).err());
    conflicts.extend(r.register_analysis("calx-tea", Arc::new(calx_tea::TeaAnalysisType)).err());
    conflicts.extend(r.register_analysis("calx-carbon", Arc::new(calx_carbon::CarbonAnalysisType::shipped())).err());
    conflicts
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtins_register_without_conflicts() {
        let mut r = calx_core::Registry::new();
        assert_eq!(super::register_builtins(&mut r), Vec::new());
        // Every unit type of the three built-in families, each once.
        let families = calx_generic::unit_types().len()
            + calx_mineralization::unit_types().len()
            + calx_equipment::unit_types().len();
        assert_eq!(r.names().count(), families);
        assert!(r.analysis("lca").is_some());
        let carbon = r.analysis("carbon").expect("the ledger is built in");
        // Every shipped profile decodes, so the built-in ledger knows all of them.
        let profiles = calx_carbon::shipped_profiles().unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(profiles.len(), calx_carbon::SHIPPED.len());
        assert!(carbon.descriptor.params[0].doc.contains("k-ets-offset"), "{}", carbon.descriptor.params[0].doc);
    }
}
