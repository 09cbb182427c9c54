//! `calx units`: the available unit types, their ports and parameters (with defaults and
//! where each default comes from).

use std::fmt::Write as _;

use calx_core::format::{plain_percent, sig_plain};
use calx_core::unit::PortDirection;
use calx_core::{ParamKind, ParamValue, Registry, UnitTable};

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
                (Some(v), _) => format!(" [default {}]", show(&p.kind, v)),
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

/// A default in the parameter's display unit (`25 kWh/t`, not `90000` in SI), a fraction as
/// a percentage; a number of a kind without a unit as it is.
fn show(kind: &ParamKind, v: &ParamValue) -> String {
    let inner = match kind {
        ParamKind::PerComponent { value } | ParamKind::PerOutlet { value } | ParamKind::Map { value } => Some(&**value),
        ParamKind::List { item } => Some(&**item),
        _ => None,
    };
    match v {
        ParamValue::Number(x) => match kind {
            ParamKind::Quantity { unit, .. } => UnitTable::builtin()
                .to_unit(*x, unit)
                .map_or_else(|_| format!("{x} (SI)"), |shown| format!("{} {unit}", sig_plain(shown, 9))),
            ParamKind::Fraction => format!("{} %", plain_percent(*x)),
            _ => sig_plain(*x, 9),
        },
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Text(t) => t.clone(),
        ParamValue::List(l) => {
            format!("[{}]", l.iter().map(|x| show(inner.unwrap_or(kind), x)).collect::<Vec<_>>().join(", "))
        }
        ParamValue::Map(m) => format!(
            "{{{}}}",
            m.iter().map(|(k, x)| format!("{k}: {}", show(inner.unwrap_or(kind), x))).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use calx_core::{Dimension, ParamKind, ParamValue, UnitTable};

    /// The issue's own case: a specific energy of 90000 J/kg shows as 25 kWh/t.
    #[test]
    fn defaults_show_in_their_display_units() {
        let energy = ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "kWh/t");
        assert_eq!(super::show(&energy, &ParamValue::Number(90_000.0)), "25 kWh/t");
        let t = ParamKind::quantity(Dimension::TEMPERATURE, "degC");
        assert_eq!(super::show(&t, &ParamValue::Number(298.15)), "25 degC");
        assert_eq!(super::show(&ParamKind::Fraction, &ParamValue::Number(0.25)), "25 %");
        let per = ParamKind::per_component(ParamKind::Fraction);
        let m = ParamValue::Map([("CaO".to_string(), ParamValue::Number(0.5))].into_iter().collect());
        assert_eq!(super::show(&per, &m), "{CaO: 50 %}");
    }

    /// Issue 22 part 3 on every built-in unit type: each default quantity is shown in its
    /// parameter's display unit, and reading the text back gives the SI default (to the
    /// nine significant figures shown); each default fraction is a percentage.
    #[test]
    fn every_built_in_default_reads_back_from_its_display_unit() {
        let table = UnitTable::builtin();
        let registry = calx::builtin_registry();
        let (mut quantities, mut fractions) = (0, 0);
        for r in registry.iter() {
            for p in &r.descriptor.params {
                let Some(ParamValue::Number(si)) = &p.default else { continue };
                let shown = super::show(&p.kind, &ParamValue::Number(*si));
                let at = format!("{}.{} [default {shown}]", r.descriptor.type_name, p.name);
                assert!(!shown.contains("(SI)"), "{at}");
                let read = match &p.kind {
                    ParamKind::Quantity { dimension, unit } => {
                        assert!(shown.ends_with(&format!(" {unit}")), "{at}");
                        quantities += 1;
                        table.parse_as(&shown, *dimension).unwrap_or_else(|e| panic!("{at}: {e}"))
                    }
                    ParamKind::Fraction => {
                        fractions += 1;
                        let percent = shown.strip_suffix(" %").unwrap_or_else(|| panic!("{at}"));
                        percent.parse::<f64>().unwrap_or_else(|e| panic!("{at}: {e}")) / 100.0
                    }
                    _ => continue,
                };
                assert!((read - si).abs() <= 1e-8 * si.abs().max(1e-300), "{at}: reads back as {read}, default {si}");
            }
        }
        // The library's defaults with units today: mill energy, temperatures, sizes, densities...
        assert!(quantities >= 15 && fractions >= 10, "{quantities} quantities, {fractions} fractions checked");
    }
}
