//! The pieces of the `calx` command that tests reuse: the registry of built-in unit types,
//! and loading a flowsheet with the plugin libraries it lists ([`loading`]).

pub mod loading;

use calx_core::Registry;

/// Registry of every unit type built into the `calx` binary.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    // Built-in names cannot collide; `builtins_register_without_conflicts` checks it.
    let _conflicts = register_builtins(&mut r);
    r
}

/// Register every built-in unit and analysis type; returns the conflicts (none, by test).
fn register_builtins(r: &mut Registry) -> Vec<String> {
    let plugins: [(&str, Vec<std::sync::Arc<dyn calx_core::UnitType>>); 2] = [
        (calx_generic::PROVIDER, calx_generic::unit_types()),
        (calx_mineralization::PROVIDER, calx_mineralization::unit_types()),
    ];
    let mut conflicts = Vec::new();
    for (provider, types) in plugins {
        for t in types {
            conflicts.extend(r.register(provider, t).err());
        }
    }
    conflicts.extend(r.register_analysis("calx-lca", std::sync::Arc::new(calx_lca::LcaAnalysisType)).err());
    conflicts.extend(r.register_analysis("calx-tea", std::sync::Arc::new(calx_tea::TeaAnalysisType)).err());
    conflicts
}

/// The plugin loader the binary uses (re-exported so tests load libraries exactly as `calx` does).
pub use calx_plugin_host as plugin_host;

#[cfg(test)]
mod tests {
    #[test]
    fn builtins_register_without_conflicts() {
        let mut r = calx_core::Registry::new();
        assert_eq!(super::register_builtins(&mut r), Vec::<String>::new());
        assert_eq!(r.names().count(), 13);
        assert!(r.analysis("lca").is_some());
    }
}
