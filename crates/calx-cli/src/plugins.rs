//! `calx plugins [FILE]`: the built-in plugins and, given a flowsheet, the libraries it lists,
//! each with its unit types, ports, parameters and ABI version.

use std::fmt::Write as _;

use calx_core::unit::PortDirection;
use calx_core::{Registry, UnitDescriptor};
use calx_plugin_host::LoadedPlugin;

fn unit_lines(s: &mut String, d: &UnitDescriptor) {
    let _ = writeln!(s, "    {}: {}", d.type_name, d.summary);
    let ports = |dir: PortDirection| -> String {
        d.ports.iter().filter(|p| p.direction == dir).map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    };
    let _ = writeln!(s, "      in: {}  out: {}", ports(PortDirection::In), ports(PortDirection::Out));
    if !d.params.is_empty() {
        let params: Vec<String> = d.params.iter().map(|p| format!("{} ({})", p.name, p.kind.describe())).collect();
        let _ = writeln!(s, "      params: {}", params.join("; "));
    }
}

/// The listing.
pub(crate) fn list(builtin: &Registry, loaded: &[LoadedPlugin]) -> String {
    let mut s = String::new();
    let mut providers: Vec<&str> = builtin.iter().map(|r| r.provider.as_str()).collect();
    providers.dedup();
    for provider in providers {
        let _ = writeln!(s, "{provider} (built in, version {})", env!("CARGO_PKG_VERSION"));
        for r in builtin.iter().filter(|r| r.provider == provider) {
            unit_lines(&mut s, &r.descriptor);
        }
    }
    for p in loaded {
        let m = &p.manifest;
        let _ = writeln!(
            s,
            "{} {} ({}, ABI {}.{}, SDK {})",
            m.provider,
            m.plugin_version,
            p.path.display(),
            p.abi.0,
            p.abi.1,
            m.sdk_version
        );
        for d in &m.units {
            unit_lines(&mut s, d);
        }
    }
    let (major, minor) = calx_plugin_host::HOST_ABI;
    let _ = write!(s, "host plugin ABI {major}.{minor}");
    s
}
