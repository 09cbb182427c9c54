//! The analyses' sections, built from the parts they report ([`calx_core::report`]): the
//! report knows no analysis by name. Parts with the same section id (two LCAs) share one
//! section, in run order; an analysis without a part gets a table of its metrics.

use calx_core::AnalysisOutput;
use calx_core::report::{self, Chart, Plot};

use super::Ctx;
use crate::charts;
use crate::doc::{Block, Figure, Section, Table};
use crate::format::{sig, slug};

/// Every analysis section: the reported parts' sections in the order they first appear,
/// then one per analysis without a part.
pub(super) fn sections(ctx: &Ctx<'_>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for a in ctx.analyses {
        let Some(part) = &a.report else { continue };
        let blocks = part.blocks.iter().map(block).collect::<Vec<_>>();
        match out.iter_mut().find(|s| s.id == part.section) {
            Some(s) => s.blocks.extend(blocks),
            None => out.push(Section { id: part.section.clone(), title: part.section_title.clone(), blocks }),
        }
    }
    out.extend(ctx.analyses.iter().filter(|a| a.report.is_none()).map(metrics_only));
    out
}

/// A reported block as the document shows it: charts drawn.
fn block(b: &report::Block) -> Block {
    match b {
        report::Block::Heading(t) => Block::Heading(t.clone()),
        report::Block::Paragraph(t) => Block::Paragraph(t.clone()),
        report::Block::Note(t) => Block::Note(t.clone()),
        report::Block::KeyFigures(k) => Block::KeyFigures(k.clone()),
        report::Block::Table(t) => Block::Table(t.clone()),
        report::Block::List(items) => Block::List(items.clone()),
        report::Block::Chart(c) => Block::Figure(figure(c)),
        report::Block::ChartWithTable(c, t) => Block::Split(figure(c), t.clone()),
        report::Block::Drawing(d) => Block::Figure(Figure {
            id: d.id.clone(),
            title: d.caption.clone(),
            svg: d.svg.clone(),
            width: d.width,
            height: d.height,
        }),
    }
}

/// Draw a chart.
fn figure(c: &Chart) -> Figure {
    let drawn = match &c.plot {
        Plot::Bars { title, bars, unit } => charts::bars(title, bars, unit),
        Plot::CashFlow { title, years, discounted, undiscounted, payback, currency } => {
            charts::cash_flow(title, years, discounted, undiscounted, *payback, currency)
        }
        Plot::Waterfall { title, unit, steps } => charts::waterfall(title, steps, unit),
    };
    Figure { id: c.id.clone(), title: c.caption.clone(), svg: drawn.svg, width: drawn.width, height: drawn.height }
}

/// An analysis that reports no part of its own: its metrics.
fn metrics_only(a: &AnalysisOutput) -> Section {
    let mut t = Table::new(
        &format!("Metrics of `{}` ({})", a.name, a.type_name),
        &["metric", "value", "unit"],
        &[false, true, false],
    );
    for m in &a.metrics {
        t.row(vec![m.name.clone(), sig(m.value, 6), m.unit.clone()]);
    }
    let blocks = if a.metrics.is_empty() {
        vec![Block::Note(format!("The analysis `{}` reported no metrics.", a.name))]
    } else {
        vec![Block::Table(t)]
    };
    Section {
        id: format!("analysis-{}", slug(&a.name)),
        title: format!("Analysis {} ({})", a.name, a.type_name),
        blocks,
    }
}
