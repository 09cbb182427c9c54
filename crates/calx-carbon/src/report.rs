//! The ledger for people: the "Carbon credits" report section (key figures, a waterfall from
//! gross CO2 fixed to credited tonnes, the reduction/removal split with the profile's rule for
//! each origin, the figures in use with their sources, the uncertainty deduction, and what a
//! real claim still needs), the text table of `calx run`, the CSV and the JSON.

use calx_core::format::sig;
use calx_core::report::{Block, Chart, KeyFigure, Plot, ReportPart, SummaryFigures, Table, WaterfallStep};
use serde::Serialize;

use crate::config::{CarbonConfig, FigureInUse};
use crate::ledger::Ledger;
use crate::uncertainty::Uncertainty;

/// What Calx does not do, said in every ledger.
pub const NOT_CERTIFIED: &str = "Calx computes a ledger under a profile's rules as written in the profile file; it does not certify, validate or verify credits. A claim needs an approved methodology version, a validation and verification body, a monitoring plan and the registry's own procedures.";

/// One line of the ledger: label, kg CO2-eq per year, what it rests on.
fn lines(c: &CarbonConfig, l: &Ledger) -> Vec<(&'static str, f64, String)> {
    let nc = c.natural_carbonation.as_ref().map_or_else(
        || "none declared".to_string(),
        |n| {
            format!(
                "stream `{}`, {} kg/t over {} yr ({})",
                n.stream,
                sig(n.uptake * 1000.0, 4),
                n.horizon / calx_core::SECONDS_PER_YEAR,
                n.source
            )
        },
    );
    vec![
        ("gross CO2 fixed", l.gross_fixed, format!("carbon balance of solids (LCA `{}`)", l.lca)),
        ("not credited", -l.not_credited, "by origin, storage class and programme (see origins)".into()),
        ("project emissions", -l.project_emissions, format!("LCA `{}` emissions", l.lca)),
        ("baseline uptake", -l.baseline_uptake, format!("natural carbonation: {nc}")),
        (
            "baseline emissions avoided",
            l.baseline_emissions_credited,
            format!(
                "displaced products (LCA `{}` avoided burdens): {} t/yr, credited as reductions where the programme issues them",
                l.lca,
                sig(l.baseline_emissions / 1000.0, 6)
            ),
        ),
        ("leakage", -l.leakage, figure_text(&c.leakage, "%", 100.0)),
        ("net reductions", l.reductions_net, format!("share of deductions {}", sig(l.reduction_share, 4))),
        ("net removals", l.removals_net, format!("share of deductions {}", sig(1.0 - l.reduction_share, 4))),
        ("reversal buffer", -l.buffer, figure_text(&c.reversal_buffer, "%", 100.0)),
        ("credited", l.credited, format!("per year, for {} years of crediting", l.crediting_years)),
    ]
}

fn figure_text(f: &FigureInUse, unit: &str, scale: f64) -> String {
    format!("{} {unit}, given by the {} ({})", sig(f.value * scale, 4), f.given_by, f.source)
}

/// The text table `calx run` prints.
pub fn text(c: &CarbonConfig, l: &Ledger, u: Option<&Uncertainty>) -> String {
    let mut s = format!("Carbon credits under `{}` ({}), storage `{}`\n", c.profile.name, c.profile.title, c.storage);
    s.push_str(&format!("{:<28} {:>14} {:>14}  basis\n", "item", "t CO2-eq/yr", "kg CO2-eq/FU"));
    for (label, kg, basis) in lines(c, l) {
        s.push_str(&format!("{label:<28} {:>14} {:>14}  {basis}\n", sig(kg / 1000.0, 6), sig(kg / l.fu_per_year, 6)));
    }
    for o in &l.origins {
        s.push_str(&format!(
            "origin {}: {} t/yr fixed from {}: {} ({})\n",
            o.origin.word(),
            sig(o.fixed / 1000.0, 6),
            o.streams.join(", "),
            o.counts_as.word(),
            o.reason
        ));
    }
    s.push_str(&uncertainty_sentence(c, u));
    s.push('\n');
    for n in &l.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s
}

fn uncertainty_sentence(c: &CarbonConfig, u: Option<&Uncertainty>) -> String {
    match u {
        None => "No uncertainty deduction was made: run with a study (`calx report --study DIR`, the study recording `credited_per_year`) to apply the profile's rule.".into(),
        Some(u) => format!(
            "Study of {} samples ({} failed, counted as zero credits): credited P5 {}, P50 {}, P95 {} t CO2-eq/yr; {}; deduction {} t/yr, credited after it {} t/yr.",
            u.samples + u.failed,
            u.failed,
            sig(u.p5, 6),
            sig(u.p50, 6),
            sig(u.p95, 6),
            match (&c.uncertainty_percentile, u.at_percentile) {
                (Some(p), Some(v)) => format!("the profile credits P{} = {} ({})", p.value, sig(v, 6), p.source),
                _ => format!("profile `{}` requires no deduction", c.profile.name),
            },
            sig(u.deduction, 6),
            sig(u.credited, 6)
        ),
    }
}

/// The main CSV table: one row per ledger line.
pub fn csv(c: &CarbonConfig, l: &Ledger) -> String {
    let mut s = String::from("item,t CO2-eq/yr,kg CO2-eq/FU,basis\n");
    for (label, kg, basis) in lines(c, l) {
        s.push_str(&format!("{label},{},{},\"{}\"\n", kg / 1000.0, kg / l.fu_per_year, basis.replace('"', "'")));
    }
    s
}

#[derive(Serialize)]
struct Json<'a> {
    profile: &'a str,
    profile_file: &'a str,
    reference: &'a str,
    config: &'a CarbonConfig,
    ledger: &'a Ledger,
    uncertainty: Option<&'a Uncertainty>,
    not_certified: &'a str,
}

/// The full result as JSON.
pub fn json(c: &CarbonConfig, l: &Ledger, u: Option<&Uncertainty>) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&Json {
        profile: &c.profile.name,
        profile_file: &c.profile.file,
        reference: &c.profile.reference,
        config: c,
        ledger: l,
        uncertainty: u,
        not_certified: NOT_CERTIFIED,
    })
}

/// The "Carbon credits" section.
pub fn part(name: &str, c: &CarbonConfig, l: &Ledger, u: Option<&Uncertainty>) -> ReportPart {
    let t = |kg: f64| sig(kg / 1000.0, 4);
    let credited = u.map_or(l.credited / 1000.0, |u| u.credited);
    let lead = KeyFigure::new(
        "Credited",
        sig(credited, 4),
        "t CO2-eq/yr",
        format!("ledger `{name}`, profile `{}`", c.profile.name),
    );
    let mut blocks = vec![
        Block::Heading(format!("{name}: {} ({})", c.profile.title, c.profile.name)),
        Block::Paragraph(format!("{} {}", c.profile.reference, c.profile.status)),
        Block::KeyFigures(vec![
            KeyFigure::new("Gross CO2 fixed", t(l.gross_fixed), "t CO2/yr", "carbon balance"),
            KeyFigure::new("Reductions credited", t(l.reductions_credited), "t CO2-eq/yr", "before the buffer"),
            KeyFigure::new("Removals credited", t(l.removals_credited), "t CO2-eq/yr", "before the buffer"),
            lead.clone(),
        ]),
        waterfall(name, l, u),
        ledger_table(c, l),
        origins_table(l),
        figures_table(c),
        Block::Paragraph(uncertainty_sentence(c, u)),
    ];
    blocks.extend(l.notes.iter().map(|n| Block::Note(n.clone())));
    blocks.push(Block::Heading("What a real claim still needs".into()));
    blocks.push(Block::List(c.profile.claim_requires.clone()));
    blocks.push(Block::Note(NOT_CERTIFIED.into()));
    ReportPart {
        section: "carbon".into(),
        section_title: "Carbon credits".into(),
        blocks,
        summary: SummaryFigures { lead: vec![lead], ..SummaryFigures::default() },
        basis: None,
    }
}

fn waterfall(name: &str, l: &Ledger, u: Option<&Uncertainty>) -> Block {
    let step = |label: &str, kg: f64, total: bool| WaterfallStep {
        label: label.into(),
        value: kg / 1000.0,
        total,
        text: sig(kg / 1000.0, 4),
    };
    let mut steps = vec![step("gross fixed", l.gross_fixed, true)];
    let changes = [
        ("not credited", -l.not_credited),
        ("project emissions", -l.project_emissions),
        ("baseline uptake", -l.baseline_uptake),
        ("displaced products", l.baseline_emissions_credited),
        ("leakage", -l.leakage),
    ];
    let mut level = l.gross_fixed;
    for (label, kg) in changes.into_iter().filter(|(_, kg)| *kg != 0.0) {
        steps.push(step(label, kg, false));
        level += kg;
    }
    let before_buffer = l.reductions_credited + l.removals_credited;
    if (before_buffer - level).abs() > 1e-9 * l.gross_fixed.abs().max(1.0) {
        steps.push(step("not issued / floored at 0", before_buffer - level, false));
    }
    if l.buffer != 0.0 {
        steps.push(step("reversal buffer", -l.buffer, false));
    }
    steps.push(step("credited", l.credited, true));
    if let Some(u) = u.filter(|u| u.deduction != 0.0) {
        steps.push(step("uncertainty", -u.deduction * 1000.0, false));
        steps.push(step("credited after", u.credited * 1000.0, true));
    }
    Block::Chart(Chart {
        id: format!("carbon-{}-waterfall", calx_core::format::slug(name)),
        caption: format!("From gross CO2 fixed to credited tonnes ({name}), t CO2-eq/yr"),
        plot: Plot::Waterfall { title: "Carbon ledger".into(), unit: "t CO2-eq/yr".into(), steps },
    })
}

fn ledger_table(c: &CarbonConfig, l: &Ledger) -> Block {
    let mut t = Table::new("Ledger", &["item", "t CO2-eq/yr", "kg CO2-eq/FU", "basis"], &[false, true, true, false]);
    for (label, kg, basis) in lines(c, l) {
        t.row(vec![label.into(), sig(kg / 1000.0, 5), sig(kg / l.fu_per_year, 5), basis]);
    }
    Block::Table(t)
}

fn origins_table(l: &Ledger) -> Block {
    let mut t = Table::new(
        "CO2 by origin: reduction or removal, and why",
        &["origin", "streams", "CO2 fed t/yr", "CO2 fixed t/yr", "counts as", "rule"],
        &[false, false, true, true, false, false],
    );
    for o in &l.origins {
        t.row(vec![
            o.origin.word().into(),
            o.streams.join(", "),
            sig(o.fed / 1000.0, 5),
            sig(o.fixed / 1000.0, 5),
            o.counts_as.word().into(),
            o.reason.clone(),
        ]);
    }
    Block::Table(t)
}

fn figures_table(c: &CarbonConfig) -> Block {
    let mut t = Table::new("Figures in use", &["figure", "value", "given by", "source"], &[false, true, false, false]);
    let mut row = |name: &str, f: &FigureInUse, value: String| {
        t.row(vec![name.into(), value, f.given_by.into(), f.source.clone()]);
    };
    row("crediting period", &c.crediting_period, format!("{} yr", c.crediting_years()));
    row("leakage", &c.leakage, format!("{} %", sig(c.leakage.value * 100.0, 4)));
    row("reversal buffer", &c.reversal_buffer, format!("{} %", sig(c.reversal_buffer.value * 100.0, 4)));
    if let Some(p) = &c.uncertainty_percentile {
        row("uncertainty: percentile credited", p, format!("P{}", p.value));
    }
    Block::Table(t)
}
