//! The study section (when `calx report --study DIR` is given): summary statistics, a tornado
//! chart per metric, histograms of the sampled metrics, Spearman rank correlations, and the
//! sweep as tables.

use super::Ctx;
use crate::charts::{self, Bar, Marks};
use crate::doc::{Block, Figure, Section, Table};
use crate::format::{compact, sig, slug};
use crate::study::{StudyResults, Sweep};

fn fig(id: String, title: String, c: charts::Chart) -> Figure {
    Figure { id, title, svg: c.svg, width: c.width, height: c.height }
}

/// A path without its section prefix, for labels (`tea.npv`).
fn short(path: &str) -> &str {
    ["analyses.", "units.", "streams."].iter().find_map(|p| path.strip_prefix(p)).unwrap_or(path)
}

/// A parameter's label in charts: without `analyses.NAME.` or `units.` / `streams.`
/// (`product_price`, `hydration.conversion.CaO`).
fn label(path: &str) -> String {
    match path.strip_prefix("analyses.").and_then(|rest| rest.split_once('.')) {
        Some((_, p)) => p.to_string(),
        None => short(path).to_string(),
    }
}

/// A parameter's range for a label: `8,400–33,600`, `298 M–353 M`.
fn range(low: f64, high: f64) -> String {
    if low.abs().max(high.abs()) >= 1e6 {
        format!("{}–{}", compact(low), compact(high))
    } else {
        format!("{}–{}", sig(low, 3), sig(high, 3))
    }
}

/// The unit of a metric path `analyses.NAME.METRIC`, from the analyses that ran (`1` for a
/// pure number is left out).
fn metric_unit(ctx: &Ctx<'_>, path: &str) -> String {
    let Some(rest) = path.strip_prefix("analyses.") else { return String::new() };
    let Some((name, metric)) = rest.split_once('.') else { return String::new() };
    ctx.analyses
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.metrics.iter().find(|m| m.name == metric))
        .map(|m| if m.unit == "1" { String::new() } else { m.unit.clone() })
        .unwrap_or_default()
}

fn sweep_tables(s: &Sweep) -> Vec<Block> {
    let mut out = Vec::new();
    if s.axes.len() == 2 {
        let mut xs: Vec<f64> = Vec::new();
        let mut ys: Vec<f64> = Vec::new();
        for (p, _) in &s.points {
            if let [x, y] = p.as_slice() {
                if !xs.contains(x) {
                    xs.push(*x);
                }
                if !ys.contains(y) {
                    ys.push(*y);
                }
            }
        }
        for (k, m) in s.metrics.iter().enumerate() {
            let mut header = vec![format!("{} \\ {}", short(&s.axes[0]), short(&s.axes[1]))];
            header.extend(ys.iter().map(|y| sig(*y, 4)));
            let mut t = Table {
                caption: format!("Sweep: {}", short(m)),
                header,
                numeric: std::iter::once(false).chain(ys.iter().map(|_| true)).collect(),
                ..Table::default()
            };
            for x in &xs {
                let mut row = vec![sig(*x, 4)];
                for y in &ys {
                    let v = s
                        .points
                        .iter()
                        .find(|(p, _)| p.as_slice() == [*x, *y])
                        .and_then(|(_, v)| v.get(k).copied().flatten());
                    row.push(v.map_or("failed".into(), |v| sig(v, 4)));
                }
                t.row(row);
            }
            out.push(Block::Table(t));
        }
    } else {
        let mut header: Vec<String> = s.axes.iter().map(|a| short(a).to_string()).collect();
        header.extend(s.metrics.iter().map(|m| short(m).to_string()));
        let mut t = Table { caption: "Sweep".into(), numeric: vec![true; header.len()], header, ..Table::default() };
        for (p, v) in &s.points {
            let mut row: Vec<String> = p.iter().map(|x| sig(*x, 4)).collect();
            row.extend(v.iter().map(|x| x.map_or("failed".into(), |x| sig(x, 4))));
            t.row(row);
        }
        out.push(Block::Table(t));
    }
    out
}

pub(super) fn section(ctx: &Ctx<'_>, s: &StudyResults) -> Section {
    let mut blocks = Vec::new();
    if let Some((total, failed)) = s.sample_count {
        blocks.push(sample_count(total, failed, s.parameters.len()));
    }
    blocks.push(summary(ctx, s));
    blocks.push(Block::Heading("Tornado: one parameter at a time".into()));
    blocks.extend(tornadoes(ctx, s));
    blocks.push(Block::Heading("Distributions of the metrics".into()));
    blocks.push(histograms(ctx, s));
    blocks.push(Block::Heading("Spearman rank correlation of parameters and metrics".into()));
    blocks.extend(spearman(s));
    if let Some(sweep) = &s.sweep {
        blocks.push(Block::Heading("Sweep".into()));
        blocks.extend(sweep_tables(sweep));
    }
    Section { id: "study".into(), title: "Parameter study".into(), blocks }
}

/// How many samples ran over how many parameters, and how many failed.
fn sample_count(total: usize, failed: usize, parameters: usize) -> Block {
    let failures = if failed == 0 {
        "none failed".to_string()
    } else {
        format!("{failed} failed (their reasons are in samples.csv)")
    };
    Block::Paragraph(format!("{total} samples over {parameters} parameters; {failures}."))
}

/// The summary statistics of every sampled metric, or a note that there are none.
fn summary(ctx: &Ctx<'_>, s: &StudyResults) -> Block {
    if s.summary.is_empty() {
        return Block::Note("No summary.csv in the study directory.".into());
    }
    let mut t = Table::new(
        "Summary of the sampled metrics",
        &["metric", "unit", "ok", "failed", "mean", "sd", "p5", "p50", "p95"],
        &[false, false, true, true, true, true, true, true, true],
    );
    for r in &s.summary {
        t.row(vec![
            short(&r.metric).into(),
            metric_unit(ctx, &r.metric),
            r.n_ok.to_string(),
            r.n_failed.to_string(),
            sig(r.mean, 4),
            sig(r.sd, 3),
            sig(r.p5, 4),
            sig(r.p50, 4),
            sig(r.p95, 4),
        ]);
    }
    Block::Table(t)
}

/// A tornado chart per metric, then the tornado runs that failed (in one note, so that one
/// failing parameter does not hide the other charts).
fn tornadoes(ctx: &Ctx<'_>, s: &StudyResults) -> Vec<Block> {
    if s.tornado.is_empty() {
        return vec![Block::Note("No tornado.csv in the study directory.".into())];
    }
    let mut failures = Vec::new();
    let figures = s.metrics.iter().filter_map(|m| tornado(ctx, s, m, &mut failures)).collect();
    let mut blocks = vec![Block::Grid(figures)];
    if !failures.is_empty() {
        blocks.push(Block::Note(format!("Tornado runs that failed: {}", failures.join("; "))));
    }
    blocks
}

/// The tornado chart of one metric (`None` if the tornado has no row for it). Parameters
/// that do not move the metric are named in the title instead of drawn as empty rows; runs
/// that failed are added to `failures`.
fn tornado(ctx: &Ctx<'_>, s: &StudyResults, m: &str, failures: &mut Vec<String>) -> Option<Figure> {
    let rows: Vec<&crate::study::TornadoRow> = s.tornado.iter().filter(|r| r.metric == m).collect();
    let base = rows.first()?.base;
    let mut no_effect = Vec::new();
    let chart_rows: Vec<charts::TornadoRow> = rows
        .iter()
        .filter_map(|r| match (r.at_low, r.at_high) {
            (Some(lo), Some(hi)) if lo == base && hi == base => {
                no_effect.push(label(&r.parameter));
                None
            }
            (Some(lo), Some(hi)) => Some(charts::TornadoRow {
                label: format!("{} ({} {})", label(&r.parameter), range(r.low, r.high), r.unit).replace(" )", ")"),
                at_low: lo,
                at_high: hi,
            }),
            _ => {
                failures.push(format!("{} at {} or {}: {}", r.parameter, sig(r.low, 4), sig(r.high, 4), r.error));
                None
            }
        })
        .collect();
    let unit = metric_unit(ctx, m);
    let chart = charts::tornado(&format!("Tornado of {}", short(m)), base, &chart_rows, &unit);
    let mut title = format!("Tornado: {}", short(m));
    if !no_effect.is_empty() {
        title.push_str(&format!(" (no effect: {})", no_effect.join(", ")));
    }
    Some(fig(format!("study-tornado-{}", slug(m)), title, chart))
}

/// A histogram per sampled metric, marked at p5, p50 and p95 where the summary has them.
fn histograms(ctx: &Ctx<'_>, s: &StudyResults) -> Block {
    if s.samples.is_empty() {
        return Block::Note("No samples.csv in the study directory, so no histograms.".into());
    }
    let figures = s
        .metrics
        .iter()
        .zip(&s.samples)
        .map(|(m, values)| {
            let marks = s.summary.iter().find(|r| &r.metric == m).map(|r| Marks { p5: r.p5, p50: r.p50, p95: r.p95 });
            let unit = metric_unit(ctx, m);
            let chart = charts::histogram(&format!("Histogram of {}", short(m)), values, &unit, marks);
            fig(format!("study-histogram-{}", slug(m)), format!("Distribution: {}", short(m)), chart)
        })
        .collect();
    Block::Grid(figures)
}

/// A bar chart per metric of its Spearman rank correlation with every parameter; undefined
/// correlations are left out, with a note saying why.
fn spearman(s: &StudyResults) -> Vec<Block> {
    if s.spearman.is_empty() {
        return vec![Block::Note("No spearman.csv in the study directory.".into())];
    }
    let figures = s
        .metrics
        .iter()
        .map(|m| {
            let bars: Vec<Bar> = s
                .spearman
                .iter()
                .filter(|(_, metric, rho)| metric == m && rho.is_finite())
                .map(|(p, _, rho)| Bar { label: label(p), value: *rho, text: format!("{rho:+.2}") })
                .collect();
            let chart = charts::bars_over(
                &format!("Spearman correlation with {}", short(m)),
                &bars,
                "Spearman rank correlation",
                (-1.0, 1.0),
            );
            fig(format!("study-spearman-{}", slug(m)), format!("Spearman: {}", short(m)), chart)
        })
        .collect();
    let mut blocks = vec![Block::Grid(figures)];
    if s.spearman.iter().any(|(_, _, rho)| !rho.is_finite()) {
        blocks.push(Block::Note(
            "Correlations that are undefined (a metric or parameter that did not vary) are left out.".into(),
        ));
    }
    blocks
}
