//! Rendering a converged flowsheet in the snapshot format: one value per line, SI units named, rounded to
//! [`SIGNIFICANT_DIGITS`], in declaration order. Closures are shown as the decade they fall
//! in, because round-off noise (1e-16 vs 2e-16) must not make a snapshot flip.

use std::fmt::Write as _;

use calx_core::result::{EnergyBalance, FlowsheetResult};

use calx_core::format::{count, sig_plain as sig};

/// Significant digits of every number in a snapshot.
pub const SIGNIFICANT_DIGITS: usize = 6;

fn closure_class(rel: f64) -> &'static str {
    match rel {
        r if r <= 1e-12 => "closed (< 1e-12)",
        r if r <= 1e-9 => "closed (< 1e-9)",
        r if r <= 1e-6 => "within 1e-6",
        _ => "OPEN (> 1e-6)",
    }
}

/// A stream's aqueous properties: pH, ionic strength, dissolved totals, saturation indices.
fn aqueous(s: &mut String, a: &calx_core::aqueous::AqueousProperties) {
    let n = |x: f64| sig(x, SIGNIFICANT_DIGITS);
    let _ = writeln!(
        s,
        "    aqueous ({}): pH {}, ionic strength {} mol/kg, DIC {} mol/kg, alkalinity {} eq/kg",
        a.activity_model.name(),
        n(a.ph),
        n(a.ionic_strength),
        n(a.dissolved_inorganic_carbon),
        n(a.alkalinity)
    );
    for (e, m) in &a.dissolved {
        let _ = writeln!(s, "      dissolved {e}: {} mol/kg", n(*m));
    }
    for (mineral, si) in &a.saturation_indices {
        // Four decimals: an equilibrium mineral sits at 0 up to the solver's round-off, whose
        // sign and digits may differ between machines (`+ 0.0` turns -0.0000 into 0.0000).
        let _ = writeln!(s, "      SI {mineral}: {:.4}", (si * 1e4).round() / 1e4 + 0.0);
    }
    if let Some(w) = &a.warning {
        let _ = writeln!(s, "      warning: {w}");
    }
}

/// An energy closure in one line: its class, or why it was not checked.
fn energy_line(energy: &EnergyBalance) -> Option<String> {
    match energy {
        EnergyBalance::Checked(c) => Some(closure_class(c.relative_error).to_string()),
        EnergyBalance::NoData { component } => Some(format!("not checked ({component} has no thermodynamic data)")),
        EnergyBalance::NotApplicable => None,
    }
}

/// The optimum of an `optimize:` section: objective, variables, constraints.
fn optimum(s: &mut String, o: &calx_core::result::OptimizationReport) {
    let n = |x: f64| sig(x, SIGNIFICANT_DIGITS);
    let _ = writeln!(
        s,
        "  optimum {} {}: {}, {} evaluations",
        o.goal,
        o.objective.path,
        n(o.objective.value),
        o.evaluations
    );
    for v in &o.variables {
        let _ = writeln!(s, "    variable {}: {}", v.path, n(v.value));
    }
    for c in &o.constraints {
        let state = if c.active { "active" } else { "inactive" };
        let _ = writeln!(s, "    constraint {}: {} (bound {}, {state})", c.constraint, n(c.value.value), n(c.bound));
    }
}

/// Render a converged flowsheet and the headline figures of its analyses for a snapshot.
pub fn render(result: &FlowsheetResult, analyses: &[calx_core::AnalysisOutput]) -> String {
    let n = |x: f64| sig(x, SIGNIFICANT_DIGITS);
    let mut s = String::new();
    let _ = writeln!(s, "flowsheet: {}", result.name);
    let _ = writeln!(s, "streams:");
    for st in &result.streams {
        let from = st.source.as_ref().map_or("-".into(), |e| format!("{}.{}", e.unit, e.port));
        let to = st.destination.as_ref().map_or("-".into(), |e| format!("{}.{}", e.unit, e.port));
        let _ = writeln!(s, "  {} ({:?}: {from} -> {to}):", st.name, st.role);
        let _ = writeln!(s, "    T: {} K", n(st.stream.temperature));
        let _ = writeln!(s, "    P: {} Pa", n(st.stream.pressure));
        let _ = writeln!(s, "    total: {} kg/s", n(st.stream.total_mass()));
        for (c, w) in result.components.iter().zip(&st.stream.flows) {
            if *w != 0.0 {
                let _ = writeln!(s, "    {}: {} kg/s", c.name, n(*w));
            }
        }
        if let Some(a) = &st.aqueous {
            aqueous(&mut s, a);
        }
    }
    let _ = writeln!(s, "units:");
    for u in &result.units {
        let _ = writeln!(s, "  {} ({}):", u.name, u.type_name);
        for x in &u.report.utilities {
            let uom = if x.utility == calx_core::Utility::Water { "kg/s" } else { "W" };
            let _ = writeln!(s, "    {} ({}): {} {uom}", x.utility.name(), x.purpose, n(x.rate));
        }
        for m in &u.report.materials {
            let c = result.components.get(m.component).map_or("?", |c| c.name.as_str());
            let _ = writeln!(s, "    material {c} ({}): {} kg/s at {} K", m.purpose, n(m.rate), n(m.temperature));
        }
        for w in &u.report.work {
            let _ = writeln!(s, "    shaft work ({}): {} W", w.purpose, n(w.power));
        }
        for z in &u.report.sizes {
            let _ = writeln!(s, "    size {}: {} [{}]", z.name, n(z.value), z.dimension);
        }
        for note in &u.report.notes {
            let _ = writeln!(s, "    note: {note}");
        }
        if let Some(worst) = u.balance.iter().map(|c| c.relative_error).reduce(f64::max) {
            let _ = writeln!(
                s,
                "    balance: {} over {}",
                closure_class(worst),
                u.balance.iter().map(|c| c.quantity.as_ref()).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(energy) = energy_line(&u.energy) {
            let _ = writeln!(s, "    energy: {energy}");
        }
    }
    let _ = writeln!(s, "flowsheet balance:");
    for c in &result.balance {
        let uom = if c.quantity == "mass" { "kg/s" } else { "mol/s" };
        let _ = writeln!(
            s,
            "  {}: in {} {uom}, out {} {uom}, {}",
            c.quantity,
            n(c.inflow),
            n(c.outflow),
            closure_class(c.relative_error)
        );
    }
    if let Some(c) = result.energy.closure() {
        let _ =
            writeln!(s, "  energy: in {} W, out {} W, {}", n(c.inflow), n(c.outflow), closure_class(c.relative_error));
    } else if let Some(energy) = energy_line(&result.energy) {
        let _ = writeln!(s, "  energy: {energy}");
    }
    let _ = writeln!(s, "solver:");
    let _ = writeln!(s, "  order: {}", result.solver.calculation_order.join(", "));
    for l in &result.solver.loops {
        let _ = writeln!(
            s,
            "  loop {} (tears {}): {}, {}",
            l.units.join(" -> "),
            l.tears.join(", "),
            count(l.iterations, "iteration"),
            l.method
        );
    }
    for d in &result.solver.design_specs {
        let _ = writeln!(
            s,
            "  design spec {} -> {}: value {} (target {}, achieved {}), {}",
            d.adjust,
            d.target_variable,
            n(d.value),
            n(d.target),
            n(d.achieved),
            count(d.iterations, "iteration")
        );
    }
    if let Some(o) = &result.solver.optimization {
        optimum(&mut s, o);
    }
    if !analyses.is_empty() {
        let _ = writeln!(s, "analyses:");
        for a in analyses {
            let _ = writeln!(s, "  {} ({}):", a.name, a.type_name);
            for m in &a.metrics {
                let _ = writeln!(s, "    {}: {} {}", m.name, n(m.value), m.unit);
            }
        }
    }
    s
}
