//! The unit and analysis types built into Calx: the generic, carbon-mineralization and
//! process-equipment unit families, LCA, TEA and the carbon-credit ledger. The `calx` command,
//! the test support and every benchmark use this one list, so tests exercise exactly what
//! users run.
//!
//! One mechanism: every provider — a built-in crate linked statically here, or a plugin
//! library loaded at run time (`crate::plugins`) — registers its unit types and analysis
//! types through [`register_provider`], i.e. `Registry::register` and
//! `Registry::register_analysis` with `Arc<dyn UnitType>` / `Arc<dyn AnalysisType>`. A
//! loaded library's types are host proxies implementing those same traits, so the flowsheet
//! layer, the engine, the analysis runner, studies and reports cannot tell them apart.

use std::sync::Arc;

use calx_core::registry::ProvidedTwice;
use calx_core::{AnalysisType, Registry, UnitType};

/// A registry of every built-in unit and analysis type.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    // Built-in names cannot collide; `builtins_register_without_conflicts` checks it.
    let _conflicts = register_builtins(&mut r);
    r
}

/// Register one provider's unit and analysis types: the one path of built-in crates and
/// loaded libraries alike. Returns the names already taken.
pub(crate) fn register_provider(
    r: &mut Registry,
    provider: &str,
    units: &[Arc<dyn UnitType>],
    analyses: &[Arc<dyn AnalysisType>],
) -> Vec<ProvidedTwice> {
    let mut conflicts = Vec::new();
    for t in units {
        conflicts.extend(r.register(provider, t.clone()).err());
    }
    for a in analyses {
        conflicts.extend(r.register_analysis(provider, a.clone()).err());
    }
    conflicts
}

/// A provider's name, unit types and analysis types.
type Provider = (&'static str, Vec<Arc<dyn UnitType>>, Vec<Arc<dyn AnalysisType>>);

/// Register every built-in unit and analysis type; returns the conflicts (none, by test).
fn register_builtins(r: &mut Registry) -> Vec<ProvidedTwice> {
    let lca: Arc<dyn AnalysisType> = Arc::new(calx_lca::LcaAnalysisType::default());
    let tea: Arc<dyn AnalysisType> = Arc::new(calx_tea::TeaAnalysisType);
    let carbon: Arc<dyn AnalysisType> = Arc::new(calx_carbon::CarbonAnalysisType::shipped());
    let providers: [Provider; 6] = [
        (calx_generic::PROVIDER, calx_generic::unit_types(), vec![]),
        (calx_mineralization::PROVIDER, calx_mineralization::unit_types(), vec![]),
        (calx_equipment::PROVIDER, calx_equipment::unit_types(), vec![]),
        ("calx-lca", vec![], vec![lca]),
        ("calx-tea", vec![], vec![tea]),
        ("calx-carbon", vec![], vec![carbon]),
    ];
    let mut conflicts = Vec::new();
    for (provider, units, analyses) in providers {
        conflicts.extend(register_provider(r, provider, &units, &analyses));
    }
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
