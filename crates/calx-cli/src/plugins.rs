//! `calx plugins [FILE]`: the built-in plugins and, given a flowsheet, the libraries it lists,
//! each with its unit types (ports, parameters), its analysis types (parameters, the types
//! they read) and ABI version. Each built-in provider is
//! listed once, providers by name and their types by type name (the registry's order), so
//! the listing is the same on every run.

use std::collections::BTreeMap;
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

fn analysis_lines(s: &mut String, d: &calx_core::AnalysisDescriptor) {
    let _ = writeln!(s, "    analysis {}: {}", d.type_name, d.summary);
    if !d.reads.is_empty() {
        let _ = writeln!(s, "      reads: {}", d.reads.join(", "));
    }
    if !d.params.is_empty() {
        let params: Vec<String> = d.params.iter().map(|p| format!("{} ({})", p.name, p.kind.describe())).collect();
        let _ = writeln!(s, "      params: {}", params.join("; "));
    }
}

/// The listing.
pub(crate) fn list(builtin: &Registry, loaded: &[LoadedPlugin]) -> String {
    let mut s = String::new();
    // The registry iterates types by name, so one provider's types are not adjacent.
    let mut providers: BTreeMap<&str, Vec<&UnitDescriptor>> = BTreeMap::new();
    for r in builtin.iter() {
        providers.entry(r.provider.as_str()).or_default().push(&r.descriptor);
    }
    for (provider, types) in providers {
        let _ = writeln!(s, "{provider} (built in, version {})", env!("CARGO_PKG_VERSION"));
        for d in types {
            unit_lines(&mut s, d);
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
        for d in &m.analyses {
            analysis_lines(&mut s, d);
        }
    }
    let (major, minor) = calx_plugin_host::HOST_ABI;
    let _ = write!(s, "host plugin ABI {major}.{minor}");
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[test]
    fn each_built_in_provider_is_listed_once_with_all_its_types() {
        let registry = calx::builtin_registry();
        let text = super::list(&registry, &[]);
        // Read the listing back: provider headers in order, the types under each.
        let mut listed: Vec<(String, Vec<String>)> = Vec::new();
        for line in text.lines() {
            if let Some((provider, _)) = line.split_once(" (built in,") {
                listed.push((provider.to_string(), Vec::new()));
            } else if let Some(t) = line.strip_prefix("    ").filter(|l| !l.starts_with(' '))
                && let (Some((name, _)), Some((_, types))) = (t.split_once(':'), listed.last_mut())
            {
                types.push(name.to_string());
            }
        }
        let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in registry.iter() {
            expected.entry(r.provider.clone()).or_default().push(r.descriptor.type_name.clone());
        }
        let expected: Vec<(String, Vec<String>)> = expected.into_iter().collect();
        assert_eq!(listed, expected, "{text}");
        assert_eq!(listed.len(), 3, "{text}");
    }
}
