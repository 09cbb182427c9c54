//! `calx units`: the available unit types, their ports and parameters (with defaults and
//! where each default comes from).

use std::fmt::Write as _;

use calx_core::unit::PortDirection;
use calx_core::{ParamValue, Registry};

/// List every unit type, or one.
pub(crate) fn list(registry: &Registry, only: Option<&str>) -> Result<String, crate::Failure> {
    if let Some(name) = only
        && registry.get(name).is_none()
    {
        let hint = registry.suggest(name).map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        return Err(crate::Failure::invalid(format!(
            "error: unknown unit type `{name}`{hint}; `calx units` lists them all"
        )));
    }
    let mut s = String::new();
    for r in registry.iter().filter(|r| only.is_none_or(|n| n == r.descriptor.type_name)) {
        let d = &r.descriptor;
        let _ = writeln!(s, "{} ({})\n  {}", d.type_name, r.provider, d.summary);
        for p in &d.ports {
            let dir = if p.direction == PortDirection::In { "in " } else { "out" };
            let many = if p.multiple { ", one or more" } else { "" };
            let opt = if p.optional { ", optional" } else { "" };
            let _ = writeln!(s, "  {dir} {}{many}{opt}: {}", p.name, p.doc);
        }
        for p in &d.params {
            let default = match (&p.default, p.optional) {
                (Some(v), _) => format!(" [default {}]", show(v)),
                (None, true) => " [optional]".into(),
                (None, false) => " [required]".into(),
            };
            let _ = writeln!(s, "  param {}: {}{default}\n      {}", p.name, p.kind.describe(), p.doc);
            if let Some(src) = &p.source {
                let _ = writeln!(s, "      default from: {src}");
            }
        }
        s.push('\n');
    }
    Ok(s.trim_end().to_string())
}

/// Every unit-of-measure symbol, grouped by dimension.
pub(crate) fn units_of_measure() -> String {
    let table = calx_core::UnitTable::builtin();
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for sym in table.symbols() {
        if let Ok(u) = table.unit(sym) {
            let what = match u.basis {
                Some(b) => format!("fraction ({b:?} basis)"),
                None => u.dimension.describe(),
            };
            groups.entry(what).or_default().push(sym.to_string());
        }
    }
    let mut s =
        String::from("Units of measure (combine with / and *, powers as m3 or m^3; e.g. t/yr, kWh/t, J/mol/K)\n");
    for (what, syms) in groups {
        let _ = writeln!(s, "  {what}: {}", syms.join(" "));
    }
    s.push_str("  A flowsheet's `basis:` adds its own, e.g. `basis: { t_product: 17585 t/yr }` makes kg/t_product a mass flow.");
    s
}

fn show(v: &ParamValue) -> String {
    match v {
        ParamValue::Number(x) => format!("{x} (SI)"),
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Text(t) => t.clone(),
        ParamValue::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(", ")),
        ParamValue::Map(m) => {
            format!("{{{}}}", m.iter().map(|(k, v)| format!("{k}: {}", show(v))).collect::<Vec<_>>().join(", "))
        }
    }
}
