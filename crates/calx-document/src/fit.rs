//! The result of `calx fit` as text (terminal) and as a [`Document`] (the HTML page): the
//! estimates with standard errors, 95 % intervals and identifiability, goodness of fit, the
//! correlation matrix, the measured points against the model curves, parity and residual
//! plots, the residual table, and the blocks to paste into a flowsheet and a study.

use calx::fit::{FitOutcome, FittedParameter, Identifiability, ParameterStatus, Unidentifiable};
use calx_core::format::sig;

use crate::charts::{Series, xy};
use crate::doc::{Block, Document, Figure, Section, Table};

/// Hours per second, for time axes: lab kinetics are read in hours.
const PER_HOUR: f64 = 1.0 / 3600.0;

fn shown(p: &FittedParameter, si: f64) -> String {
    sig(si / p.unit_factor, 4)
}

/// What the estimate's status says, in words.
fn verdict(p: &FittedParameter) -> String {
    let warned = |text: &str| {
        if p.estimate.warnings.is_empty() {
            return text.to_string();
        }
        let why: Vec<String> = p.estimate.warnings.iter().map(reason).collect();
        format!("{text}; warning: {}", why.join("; "))
    };
    match (&p.estimate.status, &p.estimate.identifiability) {
        (ParameterStatus::Fixed, _) => "fixed".into(),
        (ParameterStatus::AtLowerBound, _) => "ended at its lower bound (held there, not estimated)".into(),
        (ParameterStatus::AtUpperBound, _) => "ended at its upper bound (held there, not estimated)".into(),
        (_, Identifiability::Identifiable) => warned("identifiable"),
        (_, Identifiability::NotAssessed) => "not assessed".into(),
        (_, Identifiability::Unidentifiable(reasons)) => {
            let why: Vec<String> = reasons.iter().map(reason).collect();
            format!("NOT IDENTIFIABLE: {}", why.join("; "))
        }
    }
}

fn reason(r: &Unidentifiable) -> String {
    match r {
        Unidentifiable::RankDeficient { null_space, .. } if null_space.len() == 1 => {
            format!("the data do not change with {}", null_space[0])
        }
        Unidentifiable::RankDeficient { null_space, .. } => {
            format!("the data do not change when {} move together", null_space.join(" and "))
        }
        Unidentifiable::LargeUncertainty { relative_standard_error } => {
            format!("standard error {:.0} % of the value", relative_standard_error * 100.0)
        }
        Unidentifiable::Correlated { with, correlation } => format!("correlation {correlation:.3} with {with}"),
    }
}

/// The estimates table.
fn estimates(o: &FitOutcome) -> Table {
    let mut t = Table::new(
        "Estimates (95 % intervals from the Jacobian, Student t)",
        &["parameter", "value", "standard error", "95 % interval", "unit", "status"],
        &[false, true, true, false, false, false],
    );
    for p in &o.parameters {
        let se = p.estimate.standard_error.map_or("–".into(), |s| shown(p, s));
        let ci =
            p.estimate.confidence_interval.map_or("–".into(), |(a, b)| format!("{} … {}", shown(p, a), shown(p, b)));
        t.row(vec![p.name.clone(), shown(p, p.estimate.value), se, ci, p.unit.clone(), verdict(p)]);
    }
    t
}

/// The goodness-of-fit table.
fn goodness(o: &FitOutcome) -> Table {
    let f = &o.fit;
    let mut t = Table::new("Goodness of fit", &["measure", "value"], &[false, true]);
    for (name, value) in [
        ("points", f.residuals.len().to_string()),
        ("degrees of freedom", f.degrees_of_freedom.to_string()),
        ("R² (unweighted)", format!("{:.5}", f.r_squared)),
        ("R² (weighted)", format!("{:.5}", f.weighted_r_squared)),
        ("RMSE (conversion)", sig(f.rmse, 4)),
        ("residual standard error", sig(f.residual_standard_error, 4)),
        ("weighted sum of squares", sig(f.cost, 4)),
        ("iterations (best start)", f.report.iterations.to_string()),
        ("termination", format!("{} ({})", o.termination, if o.converged { "converged" } else { "NOT converged" })),
        ("reference temperature", format!("{:.2} degC", o.reference_temperature - 273.15)),
        ("starts", f.report.starts.len().to_string()),
    ] {
        t.row(vec![name.into(), value]);
    }
    t
}

/// The correlation matrix of the estimated parameters.
fn correlation(o: &FitOutcome) -> Table {
    let names: Vec<&str> = o.parameters.iter().map(|p| p.name.as_str()).collect();
    let mut header = vec![""];
    header.extend(&names);
    let numeric: Vec<bool> = (0..header.len()).map(|i| i > 0).collect();
    let mut t = Table::new("Correlation of the estimates (– : fixed or not identifiable)", &header, &numeric);
    for (i, name) in names.iter().enumerate() {
        let mut row = vec![name.to_string()];
        for j in 0..names.len() {
            let c = o.fit.correlation.get(i).and_then(|r| r.get(j)).copied().flatten();
            row.push(c.map_or("–".into(), |c| format!("{c:.3}")));
        }
        t.row(row);
    }
    t
}

fn residual_table(o: &FitOutcome) -> Table {
    let mut t = Table::new(
        "Residuals (observed − predicted), in data-file order",
        &["experiment", "line", "time (h)", "observed", "predicted", "residual"],
        &[false, true, true, true, true, true],
    );
    for p in &o.points {
        t.row(vec![
            p.experiment.clone(),
            p.line.to_string(),
            sig(p.time * PER_HOUR, 4),
            format!("{:.4}", p.observed),
            format!("{:.4}", p.predicted),
            format!("{:+.4}", p.observed - p.predicted),
        ]);
    }
    t
}

/// Plain text for the terminal.
pub fn fit_text(o: &FitOutcome) -> String {
    let mut out = format!("Fit `{}`: rate law {}\n\n", o.name, o.rate_law);
    for table in [estimates(o), goodness(o), correlation(o)] {
        out.push_str(&crate::text::plain_table(&table));
        out.push('\n');
    }
    if !o.unused_columns.is_empty() {
        out.push_str(&format!("Columns the model does not read: {}\n\n", o.unused_columns.join(", ")));
    }
    out.push_str("Flowsheet block (a carbonator's or hydrator's params):\n");
    out.push_str(&o.flowsheet_block);
    match &o.study_block {
        Ok(b) => {
            out.push_str("\nStudy block (the fitted uncertainty for `calx study`):\n");
            out.push_str(b);
        }
        Err(why) => out.push_str(&format!("\nNo study block: {why}.\n")),
    }
    out
}

fn figure(id: &str, title: &str, chart: crate::charts::Chart) -> Figure {
    Figure { id: id.into(), title: title.into(), svg: chart.svg, width: chart.width, height: chart.height }
}

/// Measured points against the model curve, per experiment (one colour each).
fn curves_chart(o: &FitOutcome) -> Figure {
    let mut series = Vec::new();
    for (i, c) in o.curves.iter().enumerate() {
        let measured =
            o.points.iter().filter(|p| p.experiment == c.experiment).map(|p| (p.time * PER_HOUR, p.observed));
        series.push(Series {
            label: c.experiment.clone(),
            points: c.times.iter().zip(&c.conversions).map(|(t, x)| (t * PER_HOUR, *x)).collect(),
            markers: false,
            line: true,
            colour: i,
        });
        series.push(Series { label: String::new(), points: measured.collect(), markers: true, line: false, colour: i });
    }
    let chart = xy("Conversion against time", &series, "time (h)", "conversion");
    figure("fit-curves", "Measured conversion (points) and the fitted model (lines)", chart)
}

fn parity_chart(o: &FitOutcome) -> Figure {
    let pts: Vec<(f64, f64)> = o.points.iter().map(|p| (p.observed, p.predicted)).collect();
    let hi = pts.iter().flat_map(|(a, b)| [*a, *b]).fold(0.0, f64::max).max(0.01);
    let series = [
        Series { label: "y = x".into(), points: vec![(0.0, 0.0), (hi, hi)], markers: false, line: true, colour: 9 },
        Series { label: "points".into(), points: pts, markers: true, line: false, colour: 0 },
    ];
    figure(
        "fit-parity",
        "Parity: predicted against observed",
        xy("Parity", &series, "observed conversion", "predicted conversion"),
    )
}

fn residual_chart(o: &FitOutcome) -> Figure {
    let pts: Vec<(f64, f64)> = o.points.iter().map(|p| (p.time * PER_HOUR, p.observed - p.predicted)).collect();
    let hi = pts.iter().map(|p| p.0).fold(0.0, f64::max).max(1e-9);
    let series = [
        Series { label: "zero".into(), points: vec![(0.0, 0.0), (hi, 0.0)], markers: false, line: true, colour: 9 },
        Series { label: "residuals".into(), points: pts, markers: true, line: false, colour: 0 },
    ];
    figure("fit-residuals", "Residuals against time", xy("Residuals", &series, "time (h)", "observed − predicted"))
}

/// The HTML page's content; `source` names the fit file.
pub fn fit_document(o: &FitOutcome, source: &str) -> Document {
    let mut summary = vec![Block::Table(estimates(o)), Block::Table(goodness(o))];
    if !o.converged {
        summary.insert(
            0,
            Block::Note(format!(
                "The fit did not converge ({}): the estimates are where it stopped; try other starts or bounds.",
                o.termination
            )),
        );
    }
    if o.parameters.iter().any(|p| matches!(p.estimate.identifiability, Identifiability::Unidentifiable(_))) {
        summary.insert(
            0,
            Block::Note("A parameter is not identifiable from these data: fix it, or add experiments that vary what it describes (temperature for an activation energy, CO2 pressure for an order, particle size for a size exponent). No interval is given for it, it is commented out of the flowsheet block, and no study block is given.".into()),
        );
    }
    let mut blocks_yaml = vec![
        Block::Paragraph("Paste into a carbonator's or hydrator's `params:`:".into()),
        Block::Code(o.flowsheet_block.clone()),
    ];
    match &o.study_block {
        Ok(b) => {
            blocks_yaml.push(Block::Paragraph("The fitted uncertainty for a study file (`calx study`):".into()));
            blocks_yaml.push(Block::Code(b.clone()));
        }
        Err(why) => blocks_yaml.push(Block::Note(format!("No study block: {why}."))),
    }
    Document {
        title: format!("Fit: {}", o.name),
        subtitle: vec![format!("rate law {}, {} points, from {source}", o.rate_law, o.points.len())],
        sections: vec![
            Section { id: "estimates".into(), title: "Estimates".into(), blocks: summary },
            Section {
                id: "plots".into(),
                title: "Data and model".into(),
                blocks: vec![Block::Figure(curves_chart(o)), Block::Grid(vec![parity_chart(o), residual_chart(o)])],
            },
            Section {
                id: "correlation".into(),
                title: "Correlation".into(),
                blocks: vec![Block::Table(correlation(o))],
            },
            Section { id: "blocks".into(), title: "For the flowsheet and a study".into(), blocks: blocks_yaml },
            Section {
                id: "residuals".into(),
                title: "Residuals".into(),
                blocks: vec![Block::Collapsed {
                    summary: format!("{} points", o.points.len()),
                    blocks: vec![Block::Table(residual_table(o))],
                }],
            },
        ],
        footer: format!("Made by Calx {} from {source}.", env!("CARGO_PKG_VERSION")),
    }
}
