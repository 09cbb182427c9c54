//! The LCA section: per LCA analysis, the impact per functional unit and per year, and the
//! contributions by unit and by flow as charts and tables, with what was left out and the
//! background data used.

use super::Ctx;
use crate::charts::{self, Bar};
use crate::doc::{Block, Figure, KeyFigure, Section, Table};
use crate::format::{percent, sig, slug};
use crate::views::{Contribution, Lca};

fn contributions(id: &str, title: &str, list: &[Contribution], unit: &str) -> Vec<Block> {
    if list.is_empty() {
        return vec![Block::Note(format!("{title}: nothing contributes (no emissions in the boundary)."))];
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
    // One bar says nothing the table does not.
    if list.len() < 2 {
        return vec![Block::Table(t)];
    }
    let bars: Vec<Bar> = list
        .iter()
        .map(|c| Bar {
            label: c.name.clone(),
            value: c.impact.per_functional_unit,
            text: format!("{} ({})", sig(c.impact.per_functional_unit, 4), percent(c.share, 1)),
        })
        .collect();
    let chart = charts::bars(title, &bars, unit);
    vec![Block::Split(
        Figure { id: id.into(), title: title.into(), svg: chart.svg, width: chart.width, height: chart.height },
        t,
    )]
}

fn one(name: &str, l: &Lca, blocks: &mut Vec<Block>) {
    let per = l.per();
    let unit = format!("{}/{per}", l.impact_unit);
    blocks.push(Block::Heading(format!("{name}: {} per {per}", l.category)));
    let year = |x: f64| format!("{} t/yr", sig(x / 1000.0, 4));
    blocks.push(Block::KeyFigures(vec![
        KeyFigure {
            label: "Emissions".into(),
            value: sig(l.emissions.per_functional_unit, 4),
            unit: unit.clone(),
            source: year(l.emissions.per_year),
        },
        KeyFigure {
            label: "CO2 fixed".into(),
            value: sig(l.co2_fixed.per_functional_unit, 4),
            unit: format!("kg CO2/{per}"),
            source: year(l.co2_fixed.per_year),
        },
        KeyFigure {
            label: "Avoided burdens".into(),
            value: sig(l.avoided.per_functional_unit, 4),
            unit: unit.clone(),
            source: year(l.avoided.per_year),
        },
        KeyFigure {
            label: "Net CO2 reduction".into(),
            value: sig(l.net_reduction.per_functional_unit, 4),
            unit: unit.clone(),
            source: year(l.net_reduction.per_year),
        },
    ]));
    if !l.reference_year.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "Net reduction = CO2 fixed + avoided burdens - emissions. Reference year {}.",
            l.reference_year
        )));
    }
    let s = slug(name);
    blocks.extend(contributions(
        &format!("lca-{s}-by-unit"),
        &format!("Emissions by unit ({name})"),
        &l.by_unit,
        &unit,
    ));
    blocks.extend(contributions(
        &format!("lca-{s}-by-flow"),
        &format!("Emissions by flow ({name})"),
        &l.by_flow,
        &unit,
    ));
    if !l.excluded.is_empty() {
        let mut t = Table::new(
            &format!("Left out of the boundary ({name})"),
            &["unit", "flow", "amount per FU", "why"],
            &[false, false, true, false],
        );
        for e in &l.excluded {
            let amount = match e.amount_unit.as_str() {
                "J" => format!("{} kWh", sig(e.amount / 3.6e6, 4)),
                "kg" => format!("{} kg", sig(e.amount, 4)),
                other => format!("{} {other}", sig(e.amount, 4)),
            };
            t.row(vec![e.unit.clone(), e.flow.clone(), amount, e.reason.clone()]);
        }
        blocks.push(Block::Table(t));
    }
    if !l.processes.is_empty() {
        let mut t = Table::new(&format!("Background data ({name})"), &["process", "source"], &[false, false]);
        for p in &l.processes {
            t.row(vec![p.name.clone(), p.source.clone()]);
        }
        blocks.push(Block::Table(t));
    }
}

pub(super) fn section(ctx: &Ctx<'_>) -> Section {
    Section {
        id: "lca".into(),
        title: "Life-cycle assessment".into(),
        blocks: super::per_analysis(&ctx.lcas, "LCA", one),
    }
}
