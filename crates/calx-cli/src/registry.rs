//! The unit types built into the `calx` binary.

use calx_core::Registry;

/// Registry of every built-in plugin.
pub(crate) fn builtin() -> Registry {
    let mut r = Registry::new();
    for t in calx_generic::unit_types() {
        // Built-in plugins cannot collide: a test checks that every type registers.
        let _ = r.register(calx_generic::PROVIDER, t);
    }
    r
}
