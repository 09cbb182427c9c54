//! The pieces of the `calx` command that tests reuse: the registry of built-in unit types,
//! and loading a flowsheet with the plugin libraries it lists ([`loading`]).

pub mod loading;

use calx_core::Registry;

/// Registry of every unit type built into the `calx` binary.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    let plugins: [(&str, Vec<std::sync::Arc<dyn calx_core::UnitType>>); 2] = [
        (calx_generic::PROVIDER, calx_generic::unit_types()),
        (calx_mineralization::PROVIDER, calx_mineralization::unit_types()),
    ];
    for (provider, types) in plugins {
        for t in types {
            // Built-in plugins cannot collide: a test registers them all and checks.
            let _ = r.register(provider, t);
        }
    }
    r
}

/// The plugin loader the binary uses (re-exported so tests load libraries exactly as `calx` does).
pub use calx_plugin_host as plugin_host;
