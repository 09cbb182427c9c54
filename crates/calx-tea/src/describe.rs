//! The words of a full TEA result: how each line was found, price units, exclusions, where
//! the credits come from, the IRR's note and the notes for the reader.
//!
//! [`crate::assess()`] adds them to the numbers the stages computed; [`crate::assess::figures`]
//! never builds them, which is what keeps a study's samples cheap. Nothing here changes a
//! number or a name, so the metrics do not depend on it.

use calx_core::format::{group, plain_percent as pct};

use crate::assess::{CreditSource, Left, Line, TeaResult, Trail, towler_sinnott_multiplier};
use crate::config::{CapexMethod, Charge, EquipmentCost, TeaConfig};

/// Fill in the words of `r`, computed for `c` over the flowsheet named `flowsheet`.
pub(crate) fn describe(r: &mut TeaResult, trail: Trail<'_>, c: &TeaConfig, flowsheet: &str) {
    r.flowsheet = flowsheet.to_string();
    equipment(&mut r.equipment, c);
    for (line, note) in r.capex.iter_mut().zip(capex_notes(&c.capex)) {
        line.note = note;
    }
    for (line, kind) in r.variable_costs.iter_mut().zip(&trail.kinds) {
        line.unit = kind.unit().to_string();
        line.price_unit = format!("{}/{}", c.currency, kind.unit().trim_end_matches("/yr"));
        line.note = kind.note().to_string();
    }
    r.excluded = trail.excluded.iter().map(excluded).collect();
    for (line, note) in r.fixed_costs.iter_mut().zip(fixed_notes(c)) {
        line.note = note;
    }
    r.carbon_credit_basis = match trail.credits {
        CreditSource::None => "none".to_string(),
        CreditSource::Given => "given".to_string(),
        CreditSource::Lca(n) => format!("net reduction of LCA `{n}`"),
        CreditSource::Carbon(n, metric) => match trail.crediting_period {
            Some(p) => format!("{metric} of carbon ledger `{n}`, crediting period {p} yr"),
            None => format!("{metric} of carbon ledger `{n}`"),
        },
        CreditSource::Co2Fixed => "CO2 fixed (CO2 in feeds minus CO2 in products)".to_string(),
    };
    r.irr_note = match trail.irr {
        Ok(i) => i.warning,
        Err(e) => Some(e.to_string()),
    };
    r.notes = notes(r, c);
    if let Some(note) = crediting_note(r, c, trail.crediting_period) {
        r.notes.push(note);
    }
}

/// Equipment lines: given, or the correlation with its size ratio and cost-index ratio.
fn equipment(lines: &mut [Line], c: &TeaConfig) {
    for (line, cost) in lines.iter_mut().zip(c.equipment.values()) {
        match cost {
            EquipmentCost::Given(_) => line.note = "given".to_string(),
            EquipmentCost::Published { correlation } => {
                line.unit = format!("{} at CEPCI", c.currency);
                line.price_unit = "index ratio".to_string();
                let c = crate::correlations::find(correlation);
                line.note = match c {
                    Some(c) => format!("{correlation} ({}), CEPCI {} escalated to the base year", c.what, c.cost_index),
                    None => correlation.clone(),
                };
            }
            EquipmentCost::Correlation { c0, exponent, size, year, .. } => {
                line.unit = format!("S/S0 ({size})");
                line.price_unit = "index ratio".to_string();
                line.note = format!(
                    "C0 {} {} x (S/S0)^{exponent}{}",
                    group(*c0, 0),
                    c.currency,
                    year.map(|y| format!(", escalated from {y}")).unwrap_or_default()
                );
            }
        }
    }
}

/// How each line of the CAPEX build-up is found, in the order of the lines.
fn capex_notes(method: &CapexMethod) -> Vec<String> {
    match method {
        CapexMethod::Given(_) => vec!["given".to_string()],
        CapexMethod::Factorial { isbl_factor, de, x, y, os } => vec![
            "sum of equipment costs".to_string(),
            format!("equipment x ISBL factor {isbl_factor}"),
            format!("ISBL x OS {os}"),
            format!("ISBL x (DE {de} + X {x}), as printed in KIGAM 2022"),
            format!("FIE x Y {y}"),
            "FIE + OSBL + NWC (as printed: ISBL itself is not added)".to_string(),
        ],
        CapexMethod::TowlerSinnott { factors: t, fm, y, .. } => vec![
            "sum of purchased equipment costs".to_string(),
            format!(
                "equipment x [(1 + fp {}) fm {fm} + fer {} + fel {} + fi {} + fc {} + fs {} + fl {}] = x {:.3}",
                t.fp,
                t.fer,
                t.fel,
                t.fi,
                t.fc,
                t.fs,
                t.fl,
                towler_sinnott_multiplier(t, *fm)
            ),
            format!("ISBL x OS {}", t.os),
            format!("(ISBL + OSBL) x (DE {} + X {})", t.de, t.x),
            format!("fixed capital x {y}"),
            "fixed capital + working capital".to_string(),
        ],
    }
}

/// An item left out of the operation cost: `feed raw_ash: 35,170 t/yr: REASON`.
fn excluded(l: &Left<'_>) -> String {
    format!("{} {}: {} {}: {}", l.kind.word(), l.name, group(l.amount, 0), l.kind.unit(), l.why)
}

/// How each fixed cost is found, in the order of the lines.
fn fixed_notes(c: &TeaConfig) -> [String; 6] {
    let share_of = |x: f64, of: &str| format!("{} % of {of}", pct(x));
    let research = match c.research {
        Charge::Given(_) => "given".to_string(),
        Charge::Share(s, b) => share_of(s, b.word()),
    };
    [
        "given".to_string(),
        share_of(c.administration, "labor"),
        share_of(c.overhead, "labor"),
        research,
        share_of(c.maintenance, "total CAPEX"),
        share_of(c.insurance, "total CAPEX"),
    ]
}

/// `value` relative to `base` as a signed percentage (`+3.2 %`); against a base of zero there
/// is no percentage to give (found by fuzzing: a given operation cost of 0 printed `+inf %`).
pub(crate) fn change(value: f64, base: f64, decimals: usize) -> String {
    let relative = (value / base - 1.0) * 100.0;
    if base != 0.0 && relative.is_finite() {
        format!("{relative:+.decimals$} %")
    } else {
        "no percentage: the figure compared with is zero".into()
    }
}

/// Notes for the reader: a product amount given instead of the simulated one, and the
/// operation cost given beside the one rebuilt from prices.
fn notes(r: &TeaResult, c: &TeaConfig) -> Vec<String> {
    let mut notes = Vec::new();
    let (production, simulated) = (r.annual_production, r.simulated_production);
    if c.annual_production.is_some() {
        notes.push(format!(
            "product sold: {} t/yr as given (`annual_production`); the simulated stream `{}` is {} t/yr ({})",
            group(production, 0),
            c.product,
            group(simulated, 2),
            change(simulated, production, 3)
        ));
    }
    if let (Some(g), Some(b)) = (r.operation_cost_given, r.operation_cost_rebuilt) {
        let cur = &c.currency;
        notes.push(format!(
            "operation cost: the given {} {cur}/yr is used; rebuilt from prices and the simulated flowsheet it would be {} {cur}/yr ({})",
            group(g, 0),
            group(b, 0),
            change(b, g, 1)
        ));
    }
    notes
}

/// The note for a crediting period shorter than the operating life: when credits stop, and
/// that the annual figures still count them in full.
fn crediting_note(r: &TeaResult, c: &TeaConfig, period: Option<u32>) -> Option<String> {
    let n = period.filter(|&n| n < c.lifetime && r.carbon_credits != 0.0)?;
    Some(format!(
        "carbon credits stop after operating year {n} (year {} of the cash flow), the end of the carbon ledger's crediting period: the cash flow, NPV, IRR, B/C, payback and minimum selling price count them in operating years 1 to {n} only; the annual figures (credit and total revenue, cost per t CO2{}) assume full credits every year",
        c.construction_years + n - 1,
        if matches!(c.research, Charge::Share(_, crate::config::ShareBasis::Revenue)) {
            ", research charged on revenue, and the unit production cost through it"
        } else {
            ""
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::change;

    #[test]
    fn a_change_against_zero_is_said_in_words_not_as_an_infinite_percentage() {
        assert_eq!(change(103.2, 100.0, 1), "+3.2 %");
        assert_eq!(change(90.0, 100.0, 3), "-10.000 %");
        for base in [0.0, -0.0] {
            assert_eq!(change(5.0, base, 1), "no percentage: the figure compared with is zero");
        }
    }
}
