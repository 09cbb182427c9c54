//! The LCA's part of the report people read, as data ([`calx_core::report`]): per LCA, its
//! headline figures per functional unit and per year, the contributions by unit and by flow
//! as charts with their tables, what was left out of the boundary and the background data
//! used; the figures the report's summary leads with; and the functional unit as the basis
//! of figures per unit of production.

use calx_core::format::{percent, sig, slug};
use calx_core::report::{Bar, Basis, Block, Chart, KeyFigure, Plot, ReportPart, SummaryFigures, Table};

use crate::result::{Amount, Contribution, LcaResult};

/// The part of the report of the LCA called `name` with result `r`: blocks of the section
/// `lca` (every LCA of a flowsheet shares it), summary figures and basis.
pub fn report_part(name: &str, r: &LcaResult) -> ReportPart {
    let per = per(&r.functional_unit);
    ReportPart {
        section: "lca".into(),
        section_title: "Life-cycle assessment".into(),
        blocks: blocks(name, r, &per),
        summary: summary(name, r, &per),
        basis: Some(Basis { per, description: r.functional_unit.clone(), seconds: r.seconds_per_functional_unit }),
    }
}

/// The functional unit in short (`t product`, `t CO2 fixed`) for units such as
/// `kg CO2-eq/t product`, from its description (`1000 kg of stream `product``).
pub fn per(functional_unit: &str) -> String {
    let text = functional_unit.trim();
    let Some((amount, what)) = text.split_once(" kg of ") else { return format!("FU ({text})") };
    let what = what.trim().strip_prefix("stream ").unwrap_or(what).trim_matches('`');
    let kg = amount.trim().parse::<f64>().unwrap_or(f64::NAN);
    if kg == 1000.0 {
        format!("t {what}")
    } else if kg == 1.0 {
        format!("kg {what}")
    } else if kg > 0.0 && (kg / 1000.0).fract() == 0.0 {
        format!("({} t {what})", kg / 1000.0)
    } else {
        format!("({} kg {what})", amount.trim())
    }
}

/// The section's blocks for one LCA.
fn blocks(name: &str, r: &LcaResult, per: &str) -> Vec<Block> {
    let unit = format!("{}/{per}", r.impact_unit);
    let mut blocks = vec![Block::Heading(format!("{name}: {} per {per}", r.category)), key_figures(r, per, &unit)];
    if !r.reference_year.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "Net reduction = CO2 fixed + avoided burdens - emissions. Reference year {}.",
            r.reference_year
        )));
    }
    let s = slug(name);
    blocks.push(contributions(&format!("lca-{s}-by-unit"), &format!("Emissions by unit ({name})"), &r.by_unit, &unit));
    blocks.push(contributions(&format!("lca-{s}-by-flow"), &format!("Emissions by flow ({name})"), &r.by_flow, &unit));
    blocks.extend(categories(name, r, per));
    blocks.extend(exclusions(name, r));
    blocks.extend(background_data(name, r));
    blocks
}

/// Every impact category of the background data: its total per functional unit and per
/// year, its largest unit and what it leaves uncharacterised (flows it has no factor for),
/// then the contributions by unit of each category other than the headline one.
fn categories(name: &str, r: &LcaResult, per: &str) -> Vec<Block> {
    if r.categories.len() < 2 {
        return Vec::new();
    }
    let mut t = Table::new(
        &format!("Impact categories ({name})"),
        &["category", "per FU", "per year", "not characterised or not inventoried (not counted)"],
        &[false, true, true, false],
    );
    for c in &r.categories {
        let missing: Vec<String> = c
            .not_characterised
            .iter()
            .map(|n| format!("{} {} kg/{per}", n.name, sig(n.amount.per_functional_unit, 4)))
            .chain(c.not_inventoried.iter().map(|u| format!("{} of {}: not inventoried", u.flow, u.process)))
            .collect();
        t.row(vec![
            c.name.clone(),
            format!("{} {}/{per}", sig(c.emissions.per_functional_unit, 4), c.unit),
            format!("{} {}/yr", sig(c.emissions.per_year, 4), c.unit),
            if missing.is_empty() { "-".into() } else { missing.join("; ") },
        ]);
    }
    let mut blocks = vec![Block::Table(t)];
    let s = slug(name);
    for c in r.categories.iter().filter(|c| c.name != r.category) {
        let unit = format!("{}/{per}", c.unit);
        let title = format!("Emissions by unit, {} ({name})", c.name);
        blocks.push(contributions(&format!("lca-{s}-{}-by-unit", slug(&c.name)), &title, &c.by_unit, &unit));
    }
    blocks
}

/// Emissions, CO2 fixed, avoided burdens and net reduction per functional unit, each with its
/// value per year.
fn key_figures(r: &LcaResult, per: &str, unit: &str) -> Block {
    let figure = |label: &str, a: Amount, unit: &str| {
        KeyFigure::new(label, sig(a.per_functional_unit, 4), unit, format!("{} t/yr", sig(a.per_year / 1000.0, 4)))
    };
    Block::KeyFigures(vec![
        figure("Emissions", r.emissions, unit),
        figure("CO2 fixed", r.co2_fixed, &format!("kg CO2/{per}")),
        figure("Avoided burdens", r.avoided, unit),
        figure("Net CO2 reduction", r.net_reduction, unit),
    ])
}

/// Contributions as a bar chart with their table; one contribution is a table only (one bar
/// says nothing the table does not), none is a note.
fn contributions(id: &str, title: &str, list: &[Contribution], unit: &str) -> Block {
    if list.is_empty() {
        return Block::Note(format!("{title}: nothing contributes (no emissions in the boundary)."));
    }
    let per_year = format!("t {}/yr", unit.split('/').next().unwrap_or(unit).trim_start_matches("kg ").trim());
    let mut t = Table::new(title, &["", unit, &per_year, "share"], &[false, true, true, true]);
    for c in list {
        t.row(vec![
            c.name.clone(),
            sig(c.impact.per_functional_unit, 4),
            sig(c.impact.per_year / 1000.0, 4),
            percent(c.share, 1),
        ]);
    }
    if list.len() < 2 {
        return Block::Table(t);
    }
    let bars = list
        .iter()
        .map(|c| Bar {
            label: c.name.clone(),
            value: c.impact.per_functional_unit,
            text: format!("{} ({})", sig(c.impact.per_functional_unit, 4), percent(c.share, 1)),
        })
        .collect();
    let plot = Plot::Bars { title: title.into(), bars, unit: unit.into() };
    Block::ChartWithTable(Chart { id: id.into(), caption: title.into(), plot }, t)
}

/// What was left out of the boundary, with amounts per functional unit and reasons.
fn exclusions(name: &str, r: &LcaResult) -> Option<Block> {
    if r.excluded.is_empty() {
        return None;
    }
    let mut t = Table::new(
        &format!("Left out of the boundary ({name})"),
        &["unit", "flow", "amount per FU", "why"],
        &[false, false, true, false],
    );
    for e in &r.excluded {
        let amount = match e.amount_unit.as_str() {
            "J" => format!("{} kWh", sig(e.amount / 3.6e6, 4)),
            "kg" => format!("{} kg", sig(e.amount, 4)),
            other => format!("{} {other}", sig(e.amount, 4)),
        };
        t.row(vec![e.unit.clone(), e.flow.clone(), amount, e.reason.clone()]);
    }
    Some(Block::Table(t))
}

/// The background processes used, with their sources.
fn background_data(name: &str, r: &LcaResult) -> Option<Block> {
    if r.processes.is_empty() {
        return None;
    }
    let mut t = Table::new(&format!("Background data ({name})"), &["process", "source"], &[false, false]);
    for p in &r.processes {
        t.row(vec![p.name.clone(), p.source.clone()]);
    }
    Some(Block::Table(t))
}

/// The summary's figures: the net CO2 reduction leads; per year, CO2 fixed and emissions
/// follow; a second LCA shows its net reduction only, named.
fn summary(name: &str, r: &LcaResult, per: &str) -> SummaryFigures {
    let source = format!("LCA {name}, {}", r.category);
    let unit = format!("{}/{per}", r.impact_unit);
    let net = sig(r.net_reduction.per_functional_unit, 4);
    SummaryFigures {
        lead: vec![KeyFigure::new("Net CO2 reduction", net.clone(), &unit, &source)],
        more: vec![
            KeyFigure::new(
                "Net CO2 reduction per year",
                sig(r.net_reduction.per_year / 1000.0, 4),
                format!("t {}/yr", r.impact_unit.trim_start_matches("kg ")),
                &source,
            ),
            KeyFigure::new("CO2 fixed", sig(r.co2_fixed.per_functional_unit, 4), format!("kg CO2/{per}"), &source),
            KeyFigure::new("Emissions", sig(r.emissions.per_functional_unit, 4), &unit, &source),
        ],
        if_not_first: vec![KeyFigure::new(format!("Net CO2 reduction ({name})"), net, unit, source)],
        replaces_plant_figures: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Exclusion, ProcessUse};
    use crate::sparse::SolveReport;

    fn amount(x: f64) -> Amount {
        Amount { per_functional_unit: x, per_year: x * 8760.0 }
    }

    fn contribution(name: &str, x: f64, share: f64) -> Contribution {
        Contribution { name: name.into(), impact: amount(x), share }
    }

    /// Two units, one flow, one exclusion of each unit of measure, one process.
    fn result() -> LcaResult {
        let exclusion = |flow: &str, amount: f64, unit: &str| Exclusion {
            unit: "slaker".into(),
            flow: flow.into(),
            purpose: String::new(),
            amount,
            amount_unit: unit.into(),
            reason: "outside".into(),
        };
        LcaResult {
            flowsheet: "test".into(),
            functional_unit: "1000 kg of stream `product`".into(),
            seconds_per_functional_unit: 1200.0,
            functional_units_per_year: 26_280.0,
            reference_year: "2024".into(),
            category: "GWP100 (IPCC AR6)".into(),
            impact_unit: "kg CO2-eq".into(),
            emissions: amount(30.0),
            co2_fixed: amount(70.0),
            avoided: amount(0.0),
            net_reduction: amount(40.0),
            by_unit: vec![contribution("mixer", 10.0, 1.0 / 3.0), contribution("slaker", 20.0, 2.0 / 3.0)],
            by_flow: vec![contribution("electricity", 30.0, 1.0)],
            lines: Vec::new(),
            excluded: vec![exclusion("cooling", 7.2e6, "J"), exclusion("CaO", 12.5, "kg")],
            avoided_lines: Vec::new(),
            processes: vec![ProcessUse {
                name: "grid".into(),
                description: String::new(),
                source: "[S] somewhere".into(),
                impact_per_si_unit: 1e-7,
                amount: 1.0,
            }],
            categories: Vec::new(),
            inventory: Vec::new(),
            solver: SolveReport { method: "gauss-seidel".into(), iterations: 1, relative_residual: 0.0 },
        }
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn the_functional_unit_is_shortened_for_units() {
        assert_eq!(per("1000 kg of stream `product`"), "t product");
        assert_eq!(per("1000 kg of CO2 fixed"), "t CO2 fixed");
        assert_eq!(per("1 kg of stream `x`"), "kg x");
        assert_eq!(per("2000 kg of stream `x`"), "(2 t x)");
        assert_eq!(per("2500 kg of stream `x`"), "(2500 kg x)");
        assert_eq!(per("odd"), "FU (odd)");
    }

    #[test]
    fn the_section_holds_headline_contributions_exclusions_and_data() {
        let part = report_part("lca", &result());
        assert_eq!((part.section.as_str(), part.section_title.as_str()), ("lca", "Life-cycle assessment"));
        let [heading, figures, paragraph, by_unit, by_flow, excluded, data] = part.blocks.as_slice() else {
            panic!("{:#?}", part.blocks)
        };
        assert_eq!(heading, &Block::Heading("lca: GWP100 (IPCC AR6) per t product".into()));
        let Block::KeyFigures(figures) = figures else { panic!("{figures:?}") };
        let net = &figures[3];
        assert_eq!(figures.len(), 4);
        assert_eq!((net.label.as_str(), net.value.as_str()), ("Net CO2 reduction", "40.00"));
        assert_eq!((net.unit.as_str(), net.source.as_str()), ("kg CO2-eq/t product", "350.4 t/yr"));
        assert_eq!((figures[1].label.as_str(), figures[1].unit.as_str()), ("CO2 fixed", "kg CO2/t product"));
        assert_eq!(
            paragraph,
            &Block::Paragraph("Net reduction = CO2 fixed + avoided burdens - emissions. Reference year 2024.".into())
        );

        let Block::ChartWithTable(chart, table) = by_unit else { panic!("{by_unit:?}") };
        assert_eq!((chart.id.as_str(), chart.caption.as_str()), ("lca-lca-by-unit", "Emissions by unit (lca)"));
        let Plot::Bars { title, bars, unit } = &chart.plot else { panic!("{chart:?}") };
        assert_eq!((title.as_str(), unit.as_str()), ("Emissions by unit (lca)", "kg CO2-eq/t product"));
        assert_eq!(bars[1], Bar { label: "slaker".into(), value: 20.0, text: "20.00 (66.7 %)".into() });
        assert_eq!(table.caption, "Emissions by unit (lca)");
        assert_eq!(table.header, strings(&["", "kg CO2-eq/t product", "t CO2-eq/yr", "share"]));
        assert_eq!(table.rows[0], strings(&["mixer", "10.00", "87.60", "33.3 %"]));
        assert_eq!(table.numeric, [false, true, true, true]);

        // One contribution: the table alone.
        let Block::Table(table) = by_flow else { panic!("{by_flow:?}") };
        assert_eq!(table.caption, "Emissions by flow (lca)");
        assert_eq!(table.rows, [strings(&["electricity", "30.00", "262.8", "100.0 %"])]);

        let Block::Table(excluded) = excluded else { panic!("{excluded:?}") };
        assert_eq!(excluded.caption, "Left out of the boundary (lca)");
        assert_eq!(excluded.rows[0], strings(&["slaker", "cooling", "2.000 kWh", "outside"]));
        assert_eq!(excluded.rows[1], strings(&["slaker", "CaO", "12.50 kg", "outside"]));
        let Block::Table(data) = data else { panic!("{data:?}") };
        assert_eq!(data.caption, "Background data (lca)");
        assert_eq!(data.rows, [strings(&["grid", "[S] somewhere"])]);
    }

    #[test]
    fn no_contribution_is_a_note_and_empty_lists_leave_no_table() {
        let mut r = result();
        r.by_flow.clear();
        r.excluded.clear();
        r.processes.clear();
        r.reference_year.clear();
        let part = report_part("LCA two (b)", &r);
        assert_eq!(part.blocks.len(), 4, "{:#?}", part.blocks);
        let Block::ChartWithTable(chart, _) = &part.blocks[2] else { panic!("{:?}", part.blocks[2]) };
        assert_eq!(chart.id, "lca-lca-two-b-by-unit");
        assert_eq!(
            part.blocks[3],
            Block::Note("Emissions by flow (LCA two (b)): nothing contributes (no emissions in the boundary).".into())
        );
    }

    #[test]
    fn summary_figures_lead_with_the_net_reduction() {
        let mut r = result();
        r.functional_unit = "1000 kg of CO2 fixed".into();
        let part = report_part("grid", &r);
        let source = "LCA grid, GWP100 (IPCC AR6)";
        let figure = |label: &str, value: &str, unit: &str| KeyFigure::new(label, value.to_string(), unit, source);
        let s = &part.summary;
        assert_eq!(s.lead, [figure("Net CO2 reduction", "40.00", "kg CO2-eq/t CO2 fixed")]);
        assert_eq!(
            s.more,
            [
                figure("Net CO2 reduction per year", "350.4", "t CO2-eq/yr"),
                figure("CO2 fixed", "70.00", "kg CO2/t CO2 fixed"),
                figure("Emissions", "30.00", "kg CO2-eq/t CO2 fixed"),
            ]
        );
        assert_eq!(s.if_not_first, [figure("Net CO2 reduction (grid)", "40.00", "kg CO2-eq/t CO2 fixed")]);
        assert!(!s.replaces_plant_figures);
        assert_eq!(
            part.basis,
            Some(Basis { per: "t CO2 fixed".into(), description: "1000 kg of CO2 fixed".into(), seconds: 1200.0 })
        );
    }
}
