//! Renderings of an [`LcaResult`]: CSV for spreadsheets and a plain-text table for people.
//! (JSON is `serde_json::to_string(&result)`: every result type is `Serialize`.)

use std::fmt::Write;

use crate::result::{Amount, Contribution, LcaResult};

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// CSV, one row per figure: `section,unit,flow,process,amount,amount_unit,impact_per_fu,impact_per_year,share,note`.
/// Sections: `total`, `by_unit`, `by_flow`, `line`, `avoided`, `excluded`, `category`
/// (process = the category, for its rows `category_by_unit`, `category_by_flow` and
/// `category_not_characterised` and `category_not_inventoried`, whose note names the process
/// and why), `inventory`. Numbers are written with full precision (`{}` of f64 round-trips).
pub fn to_csv(r: &LcaResult) -> String {
    let mut out =
        String::from("section,unit,flow,process,amount,amount_unit,impact_per_fu,impact_per_year,share,note\n");
    let mut row = |section: &str,
                   unit: &str,
                   flow: &str,
                   process: &str,
                   amount: Option<(f64, &str)>,
                   impact: Option<Amount>,
                   share: Option<f64>,
                   note: &str| {
        let (a, au) = amount.map_or((String::new(), String::new()), |(a, u)| (a.to_string(), u.to_string()));
        let (i, y) = impact
            .map_or((String::new(), String::new()), |x| (x.per_functional_unit.to_string(), x.per_year.to_string()));
        let s = share.map_or(String::new(), |s| s.to_string());
        let fields = [section, unit, flow, process, &a, &au, &i, &y, &s, note];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    };
    let unit = r.impact_unit.as_str();
    row("total", "", "emissions", "", None, Some(r.emissions), None, unit);
    row("total", "", "co2_fixed", "", None, Some(r.co2_fixed), None, "kg CO2");
    row("total", "", "avoided", "", None, Some(r.avoided), None, unit);
    row("total", "", "net_reduction", "", None, Some(r.net_reduction), None, unit);
    for c in &r.by_unit {
        row("by_unit", &c.name, "", "", None, Some(c.impact), Some(c.share), "");
    }
    for c in &r.by_flow {
        row("by_flow", "", &c.name, "", None, Some(c.impact), Some(c.share), "");
    }
    for l in &r.lines {
        row(
            "line",
            &l.unit,
            &l.flow,
            &l.process,
            Some((l.amount, &l.amount_unit)),
            Some(l.impact),
            Some(l.share),
            &l.purpose,
        );
    }
    for a in &r.avoided_lines {
        row("avoided", "", &a.stream, &a.process, Some((a.amount, "")), Some(a.credit), None, &a.source);
    }
    for e in &r.excluded {
        row("excluded", &e.unit, &e.flow, "", Some((e.amount, &e.amount_unit)), None, None, &e.reason);
    }
    for c in &r.categories {
        row("category", "", &c.name, "", None, Some(c.emissions), None, &c.unit);
        for b in &c.by_unit {
            row("category_by_unit", &b.name, "", &c.name, None, Some(b.impact), Some(b.share), &c.unit);
        }
        for b in &c.by_flow {
            row("category_by_flow", "", &b.name, &c.name, None, Some(b.impact), Some(b.share), &c.unit);
        }
        for n in &c.not_characterised {
            row("category_not_characterised", "", &n.name, &c.name, None, Some(n.amount), None, "kg, no factor");
        }
        for u in &c.not_inventoried {
            row(
                "category_not_inventoried",
                "",
                &u.flow,
                &c.name,
                None,
                None,
                None,
                &format!("{}: {}", u.process, u.why),
            );
        }
    }
    for f in &r.inventory {
        row("inventory", "", &f.name, "", None, Some(f.amount), None, "kg");
    }
    out
}

/// A plain-text report: headline figures, contributions by unit and by flow, exclusions and
/// the data used. Impacts per FU and per year (tonnes).
pub fn to_table(r: &LcaResult) -> String {
    let mut s = String::new();
    let u = &r.impact_unit;
    // Writing to a String cannot fail.
    let _ = writeln!(s, "Life-cycle assessment: {}", r.flowsheet);
    let _ = writeln!(
        s,
        "  functional unit: {} ({:.2} per year); category: {}; reference year: {}",
        r.functional_unit, r.functional_units_per_year, r.category, r.reference_year
    );
    let _ = writeln!(s, "\n  {:<28} {:>16} {:>16}", "", format!("{u}/FU"), "t/yr");
    let mut total = |name: &str, a: &Amount| {
        let _ = writeln!(s, "  {:<28} {:>16.4} {:>16.4}", name, a.per_functional_unit, a.per_year / 1000.0);
    };
    total("emissions", &r.emissions);
    total("CO2 fixed (kg CO2)", &r.co2_fixed);
    total("avoided burdens", &r.avoided);
    total("net CO2 reduction", &r.net_reduction);
    let mut block = |title: &str, rows: &[Contribution]| {
        let _ = writeln!(s, "\n  {title:<28} {:>16} {:>16} {:>8}", format!("{u}/FU"), "t/yr", "share");
        for c in rows {
            let _ = writeln!(
                s,
                "  {:<28} {:>16.4} {:>16.4} {:>7.1}%",
                c.name,
                c.impact.per_functional_unit,
                c.impact.per_year / 1000.0,
                100.0 * c.share
            );
        }
    };
    block("emissions by unit", &r.by_unit);
    block("emissions by flow", &r.by_flow);
    boundary_and_data(&mut s, r);
    s
}

/// The avoided burdens, what was left out, the background data used and every category.
fn boundary_and_data(s: &mut String, r: &LcaResult) {
    let u = &r.impact_unit;
    if !r.avoided_lines.is_empty() {
        let _ = writeln!(s, "\n  avoided burdens");
        for a in &r.avoided_lines {
            let _ = writeln!(
                s,
                "    {} displaces {} ({:.4e} per FU): credit {:.4} {u}/FU; {}",
                a.stream, a.process, a.amount, a.credit.per_functional_unit, a.source
            );
        }
    }
    if !r.excluded.is_empty() {
        let _ = writeln!(s, "\n  excluded from the boundary");
        for e in &r.excluded {
            let _ = writeln!(
                s,
                "    {}: {} ({}), {:.4e} {}/FU: {}",
                e.unit, e.flow, e.purpose, e.amount, e.amount_unit, e.reason
            );
        }
    }
    let _ = writeln!(s, "\n  background data");
    for p in &r.processes {
        let _ = writeln!(s, "    {}: {}; source: {}", p.name, p.description, p.source);
    }
    let _ = writeln!(s, "\n  all categories (emissions)");
    for c in &r.categories {
        let _ = writeln!(s, "    {:<26} {:>16.4} {}/FU", c.name, c.emissions.per_functional_unit, c.unit);
        for n in &c.not_characterised {
            let _ = writeln!(
                s,
                "      not characterised (no factor, not counted): {} {:.4} kg/FU",
                n.name, n.amount.per_functional_unit
            );
        }
        for u in &c.not_inventoried {
            let _ =
                writeln!(s, "      not inventoried (no amount, not counted): {} of {}: {}", u.flow, u.process, u.why);
        }
    }
}

/// The processes, elementary flows and impact categories of a background database, each
/// with its source and origin (`shipped`, or the user file or `flowsheet` that defined it):
/// what `calx lca list` prints.
pub fn listing(db: &crate::Database) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "processes ({}): NAME [per SI unit] | DESCRIPTION | SOURCE | ORIGIN", db.processes().len());
    for (i, p) in db.processes().iter().enumerate() {
        let per = if p.dimension == calx_core::Dimension::ENERGY { "J" } else { "kg" };
        let _ = writeln!(s, "  {} [{per}] | {} | {} | {}", p.name, p.description, p.source, p.origin);
        for (f, why) in db.unknown_of(i) {
            let _ = writeln!(s, "      unknown amount: {} ({why})", db.flows()[f].name);
        }
    }
    let _ = writeln!(s, "\nelementary flows ({}): NAME | DESCRIPTION | ORIGIN", db.flows().len());
    for f in db.flows() {
        let _ = writeln!(s, "  {} | {} | {}", f.name, f.description, f.origin);
    }
    let _ = writeln!(s, "\nimpact categories ({}): NAME [UNIT] | SOURCE | ORIGIN", db.categories().len());
    for (i, c) in db.categories().iter().enumerate() {
        let _ = writeln!(s, "  {} [{}] | {} | {}", c.name, c.unit, c.source, c.origin);
        for (f, flow) in db.flows().iter().enumerate() {
            if let Some(v) = db.factor_of(i, f) {
                let _ = writeln!(s, "      {} = {v}", flow.name);
            }
        }
    }
    s
}
