//! The plain-text report `calx run` prints, in the flowsheet's display units: stream tables,
//! utilities per unit, balance closure and solver summary. Numbers are plain (no thousands
//! separators), so the text can be compared and read back.

use std::fmt::Write as _;

use calx_core::result::{EnergyBalance, FlowsheetResult};
use calx_core::{Dimension, UnitTable, Utility};
use calx_flowsheet::Model;

use calx_core::format::{count, sig_plain as sig};

/// Streams per block of the stream table, so lines stay readable.
const STREAMS_PER_BLOCK: usize = 6;

fn convert(units: &UnitTable, x: f64, unit: &str) -> f64 {
    units.to_unit(x, unit).unwrap_or(f64::NAN)
}

fn grid(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                // Padded by hand: `format!` widths stop at 65,535 and panic beyond (a stream
                // name may be longer).
                let pad = " ".repeat(widths[i] - cell.chars().count());
                if i == 0 { format!("{cell}{pad}") } else { format!("{pad}{cell}") }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    out
}

/// A [`Table`] as text: its caption, then the header and rows as [`grid`].
pub(crate) fn plain_table(table: &crate::Table) -> String {
    let mut rows = vec![table.header.clone()];
    rows.extend(table.rows.iter().cloned());
    format!("{}\n{}", table.caption, grid(&rows))
}

/// Render the report: title, stream tables, units, balance closure, solver summary.
pub fn text_table(model: &Model, result: &FlowsheetResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", result.name);
    if let Some(desc) = &model.description {
        let _ = writeln!(s, "{}", desc.trim());
    }
    streams(&mut s, model, result);
    units(&mut s, model, result);
    closure(&mut s, result);
    solver(&mut s, model, result);
    s
}

/// One table per display flow unit and per block of streams.
fn streams(s: &mut String, model: &Model, result: &FlowsheetResult) {
    let (uom, d) = (&*model.display_units(result), &model.display);
    for flow_unit in &d.flows {
        for block in result.streams.chunks(STREAMS_PER_BLOCK) {
            let _ = writeln!(s, "\nStreams ({flow_unit})");
            let mut rows =
                vec![std::iter::once(String::new()).chain(block.iter().map(|x| x.name.clone())).collect::<Vec<_>>()];
            let row = |label: &str, f: &dyn Fn(&calx_core::result::StreamResult) -> String| {
                std::iter::once(label.to_string()).chain(block.iter().map(f)).collect::<Vec<_>>()
            };
            rows.push(row("from", &|x| x.source.as_ref().map_or("-".into(), |e| e.unit.clone())));
            rows.push(row("to", &|x| x.destination.as_ref().map_or("-".into(), |e| e.unit.clone())));
            rows.push(row(&format!("T [{}]", d.temperature), &|x| {
                sig(convert(uom, x.stream.temperature, &d.temperature), 5)
            }));
            rows.push(row(&format!("P [{}]", d.pressure), &|x| sig(convert(uom, x.stream.pressure, &d.pressure), 5)));
            rows.push(row("total", &|x| sig(convert(uom, x.stream.total_mass(), flow_unit), 6)));
            for (i, c) in result.components.iter().enumerate() {
                if block.iter().all(|x| x.stream.flows[i] == 0.0) {
                    continue;
                }
                rows.push(row(&format!("  {}", c.name), &|x| {
                    let w = x.stream.flows[i];
                    if w == 0.0 { "-".into() } else { sig(convert(uom, w, flow_unit), 6) }
                }));
            }
            for (label, cells) in crate::aqueous::rows(block) {
                rows.push(std::iter::once(label).chain(cells).collect());
            }
            s.push_str(&grid(&rows));
        }
    }
}

/// Utilities, make-up materials, sizes and notes per unit, and the plant's electricity.
fn units(s: &mut String, model: &Model, result: &FlowsheetResult) {
    let (uom, d) = (&*model.display_units(result), &model.display);
    let _ = writeln!(s, "\nUnits");
    let mut rows = vec![vec!["unit".to_string(), "type".into(), "what".into(), "amount".into()]];
    let main_flow = d.flows.first().map(String::as_str).unwrap_or("kg/h");
    let main_power = d.power.first().map(String::as_str).unwrap_or("kW");
    // Sizes in display units where the flowsheet names one for their dimension.
    let size = |value: f64, dim: calx_core::Dimension| match dim {
        x if x == calx_core::Dimension::MASS_FLOW => format!("{} {main_flow}", sig(convert(uom, value, main_flow), 5)),
        x if x == calx_core::Dimension::POWER => format!("{} {main_power}", sig(convert(uom, value, main_power), 5)),
        x if x == calx_core::Dimension::DIMENSIONLESS => sig(value, 5),
        x if x == calx_core::Dimension::MOLALITY => format!("{} mol/kg", sig(value, 5)),
        _ => format!("{} [{dim}]", sig(value, 5)),
    };
    for u in &result.units {
        let mut first = true;
        let mut push = |what: String, amount: String| {
            let (a, b) = if first { (u.name.clone(), u.type_name.clone()) } else { (String::new(), String::new()) };
            first = false;
            rows.push(vec![a, b, what, amount]);
        };
        for x in &u.report.utilities {
            let amount = match x.utility {
                Utility::Water => format!("{} {main_flow}", sig(convert(uom, x.rate, main_flow), 5)),
                _ => format!("{} {main_power}", sig(convert(uom, x.rate, main_power), 5)),
            };
            push(format!("{} ({})", x.utility.name(), x.purpose), amount);
        }
        for m in &u.report.materials {
            let c = result.components.get(m.component).map_or("?", |c| c.name.as_str());
            push(
                format!("{c} drawn ({})", m.purpose),
                format!("{} {main_flow}", sig(convert(uom, m.rate, main_flow), 5)),
            );
        }
        for w in &u.report.work {
            push(
                format!("shaft work ({})", w.purpose),
                format!("{} {main_power}", sig(convert(uom, w.power, main_power), 5)),
            );
        }
        for z in &u.report.sizes {
            push(format!("size: {}", z.name), size(z.value, z.dimension));
        }
        for note in &u.report.notes {
            push(format!("note: {note}"), String::new());
        }
    }
    if rows.len() > 1 {
        s.push_str(&grid(&rows));
    }
    let total_power = result.utility_total(Utility::Electricity);
    let in_each: Vec<String> =
        d.power.iter().map(|p| format!("{} {p}", sig(convert(uom, total_power, p), 5))).collect();
    let _ = writeln!(s, "  electricity, all units: {}", in_each.join(" = "));
}

/// The worst unit's closure and the plant's.
fn closure(s: &mut String, result: &FlowsheetResult) {
    let _ = writeln!(s, "\nBalance closure (relative)");
    let worst_unit = result
        .units
        .iter()
        .flat_map(|u| u.balance.iter().map(move |c| (u, c)))
        .max_by(|a, b| a.1.relative_error.total_cmp(&b.1.relative_error));
    if let Some((u, c)) = worst_unit {
        let _ = writeln!(s, "  worst unit: {} ({}) {:.1e}", u.name, c.quantity, c.relative_error);
    }
    let overall: Vec<String> =
        result.balance.iter().map(|c| format!("{} {:.1e}", c.quantity, c.relative_error)).collect();
    let _ = writeln!(s, "  flowsheet (feeds + make-up -> products): {}", overall.join(", "));
    let _ = writeln!(s, "  energy (enthalpy + heat duties): {}", energy_summary(result));
}

/// The worst unit energy closure and the plant's, or what kept them from being checked.
fn energy_summary(result: &FlowsheetResult) -> String {
    let worst = result
        .units
        .iter()
        .filter_map(|u| u.energy.closure().map(|c| (u, c)))
        .max_by(|a, b| a.1.relative_error.total_cmp(&b.1.relative_error));
    let mut parts: Vec<String> =
        worst.map(|(u, c)| format!("worst unit {} {:.1e}", u.name, c.relative_error)).into_iter().collect();
    parts.push(match &result.energy {
        EnergyBalance::Checked(c) => format!("flowsheet {:.1e}", c.relative_error),
        EnergyBalance::NoData { component } => format!("flowsheet not checked ({component} has no thermodynamic data)"),
        EnergyBalance::NotApplicable => "flowsheet -".into(),
    });
    parts.join(", ")
}

/// An SI value of `dimension` as the flowsheet displays it: mass flow in the first
/// `display.flow` unit, temperature, pressure and power (the first `display.power` unit) in
/// theirs; a pure number bare; anything else in SI with its unit written out (`4.557 m3`).
pub(crate) fn display_value(model: &Model, uom: &UnitTable, value: f64, dimension: Dimension, digits: usize) -> String {
    let d = &model.display;
    let unit = match dimension {
        x if x == Dimension::MASS_FLOW => d.flows.first().cloned().unwrap_or_else(|| "kg/h".into()),
        x if x == Dimension::TEMPERATURE => d.temperature.clone(),
        x if x == Dimension::PRESSURE => d.pressure.clone(),
        x if x == Dimension::POWER => d.power.first().cloned().unwrap_or_else(|| "kW".into()),
        x if x == Dimension::DIMENSIONLESS => return sig(value, digits),
        _ => return format!("{} {}", sig(value, digits), dimension.si_unit()),
    };
    format!("{} {unit}", sig(convert(uom, value, &unit), digits))
}

/// A value SI in `dimension` (shown in the display units), or a number in `unit`.
pub(crate) fn shown_value(
    model: &Model,
    uom: &UnitTable,
    value: f64,
    dimension: Dimension,
    unit: Option<&str>,
) -> String {
    match unit {
        Some(u) if !u.is_empty() && u != "1" => format!("{} {u}", sig(value, 6)),
        Some(_) => sig(value, 6),
        None => display_value(model, uom, value, dimension, 6),
    }
}

/// The optimum of an `optimize:` section: objective, variables, constraints (active or not).
fn optimum(s: &mut String, model: &Model, uom: &UnitTable, o: &calx_core::result::OptimizationReport) {
    let v = |r: &calx_core::result::ReportedValue| shown_value(model, uom, r.value, r.dimension, r.unit.as_deref());
    let _ = writeln!(
        s,
        "  optimum: {} {} = {} ({}, {})",
        o.goal,
        o.objective.path,
        v(&o.objective),
        count(o.evaluations, "evaluation"),
        count(o.path.len(), "outer iteration")
    );
    for x in &o.variables {
        let _ = writeln!(s, "    variable {} = {}", x.path, v(x));
    }
    for c in &o.constraints {
        let bound = calx_core::result::ReportedValue { value: c.bound, ..c.value.clone() };
        let state = if c.active { "active" } else { "inactive" };
        let _ = writeln!(s, "    constraint {}: {} (bound {}, {state})", c.constraint, v(&c.value), v(&bound));
    }
}

/// Calculation order, recycle loops, design specifications.
fn solver(s: &mut String, model: &Model, result: &FlowsheetResult) {
    let uom = &*model.display_units(result);
    let _ = writeln!(s, "\nSolver");
    let _ = writeln!(s, "  calculation order: {}", result.solver.calculation_order.join(" -> "));
    for l in &result.solver.loops {
        let _ = writeln!(
            s,
            "  recycle {} | tears: {} ({}) | {} ({}) | residual {:.1e} of tolerance",
            l.units.join(" -> "),
            l.tears.join(", "),
            l.tear_selection,
            count(l.iterations, "iteration"),
            l.method,
            l.max_scaled_residual
        );
    }
    for sp in &result.solver.design_specs {
        let _ = writeln!(
            s,
            "  design spec: {} = {} so that {} = {} (target {}, {}, {})",
            sp.adjust,
            shown_value(model, uom, sp.value, sp.adjust_dimension, sp.adjust_unit.as_deref()),
            sp.target_variable,
            shown_value(model, uom, sp.achieved, sp.target_dimension, sp.target_unit.as_deref()),
            shown_value(model, uom, sp.target, sp.target_dimension, sp.target_unit.as_deref()),
            count(sp.iterations, "iteration"),
            sp.method
        );
    }
    // Every specification of a fallback carries the same reason: say it once.
    if let Some(reason) = result.solver.design_specs.iter().find_map(|sp| sp.fallback.as_deref()) {
        let _ = writeln!(s, "  design specs: solved nested because the simultaneous solve failed: {reason}");
    }
    if let Some(o) = &result.solver.optimization {
        optimum(s, model, uom, o);
    }
    let _ = writeln!(s, "  unit calculations: {}", result.solver.unit_calculations);
    for note in model.basis_notes(result) {
        let _ = writeln!(s, "  basis: {note}");
    }
}

#[cfg(test)]
mod tests {
    use super::grid;

    #[test]
    fn cells_of_any_width_are_padded_without_panicking() {
        // Regression: a 70,000-character cell made `format!("{cell:>w$}")` panic
        // ("Formatting argument out of range").
        let long = "x".repeat(70_000);
        let text = grid(&[vec!["name".into(), long.clone()], vec!["a".into(), "1".into()]]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1].chars().count(), lines[0].chars().count(), "right-aligned to the widest cell");
        assert!(lines[1].ends_with(" 1") && lines[0].ends_with(&long));
    }
}
