//! Lab data for `calx fit`: a CSV file whose header names each column with its unit of
//! measure in brackets, grouped into experiments.
//!
//! ```text
//! # lines starting with '#' are comments (say where the numbers come from)
//! experiment,time [min],conversion [-],T [degC],pCO2 [bar],d50 [um],solid_liquid [g/L]
//! A30,5,0.21,30,1,10,100
//! ```
//!
//! Columns the model reads: `experiment` (text; one experiment if absent), `time`, the
//! measured one (`conversion` as a fraction, or `co2_uptake` per mass of solid), `T`,
//! `pCO2`, `d50` (each optional when the fit file's `model:` gives the condition) and `sigma`
//! (the standard deviation of the measured value, in its unit: weights 1/sigma^2). Other
//! columns are kept out of the model and listed as unused. Conditions must be the same on
//! every row of an experiment (the model is a batch at constant conditions). Every problem is
//! reported with the CSV's line and column.

use calx_core::{Dimension, UnitTable};
use calx_flowsheet::{Diagnostic, Diagnostics, FitModel, Loc, Measured};

/// One measured point.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Time since the start of the experiment, s.
    pub time: f64,
    /// Measured conversion (an uptake is divided by the capacity), 0..1.
    pub conversion: f64,
    /// Standard deviation of the conversion, if the data give one.
    pub sigma: Option<f64>,
    /// Line in the CSV file.
    pub line: u32,
}

/// One experiment: a batch at constant conditions.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// Its id as written.
    pub id: String,
    /// Temperature, K.
    pub temperature: f64,
    /// CO2 partial pressure, Pa.
    pub pco2: f64,
    /// Particle size (d50), m.
    pub particle_size: f64,
    /// Points in the order written.
    pub points: Vec<Point>,
}

/// The data of a fit.
#[derive(Clone, Debug, PartialEq)]
pub struct LabData {
    /// Experiments in the order first written.
    pub experiments: Vec<Experiment>,
    /// Columns the model does not read.
    pub unused: Vec<String>,
}

impl LabData {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.experiments.iter().map(|e| e.points.len()).sum()
    }
    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A column of the header: its name, unit and SI conversion.
struct Column {
    name: String,
    unit: String,
}

/// The columns the model reads, and their dimensions.
const KNOWN: [(&str, Dimension); 7] = [
    ("time", Dimension::TIME),
    ("conversion", Dimension::DIMENSIONLESS),
    ("co2_uptake", Dimension::DIMENSIONLESS),
    ("T", Dimension::TEMPERATURE),
    ("pCO2", Dimension::PRESSURE),
    ("d50", Dimension::LENGTH),
    ("sigma", Dimension::DIMENSIONLESS),
];

/// Read lab data from CSV text; `file` names it in messages.
pub fn parse_lab_data(text: &str, file: &str, measured: Measured, model: &FitModel) -> Result<LabData, Diagnostics> {
    let mut problems = Vec::new();
    let data = read(text, measured, model, &mut problems);
    match data {
        Some(d) if problems.is_empty() => Ok(d),
        _ => Err(Diagnostics::of(file, text, problems)),
    }
}

/// Data lines as (line number, text), skipping blank lines and comments.
fn lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// Split a line at commas, with the 1-based column where each cell starts.
fn cells(line: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices().chain(std::iter::once((line.len(), ','))) {
        if c == ',' {
            out.push((start as u32 + 1, line[start..i].trim()));
            start = i + 1;
        }
    }
    out
}

fn header(line: u32, text: &str, problems: &mut Vec<Diagnostic>) -> Vec<Column> {
    let mut columns = Vec::new();
    for (column, cell) in cells(text) {
        let (name, unit) = match cell.split_once('[') {
            Some((n, rest)) => (n.trim(), rest.trim_end_matches(']').trim()),
            None => (cell, ""),
        };
        let unit = if unit == "-" { "" } else { unit };
        if name.is_empty() || columns.iter().any(|c: &Column| c.name == name) {
            problems.push(
                Diagnostic::new(Loc { line, column }, "data.header", "every column needs a name of its own")
                    .found(cell.to_string()),
            );
        }
        columns.push(Column { name: name.to_string(), unit: unit.to_string() });
    }
    columns
}

/// The value of a cell in SI, or a diagnostic in `problems`.
fn value(cell: &str, col: &Column, dimension: Dimension, at: Loc, problems: &mut Vec<Diagnostic>) -> Option<f64> {
    let text = if col.unit.is_empty() { cell.to_string() } else { format!("{cell} {}", col.unit) };
    let field = format!("data.{}", col.name);
    let mut bad = |why: String| {
        problems.push(Diagnostic::new(at, &field, why).found(cell.to_string()).allowed(format!(
            "a number in `{}` ({})",
            if col.unit.is_empty() { "-" } else { &col.unit },
            dimension.describe()
        )));
        None
    };
    if cell.parse::<f64>().is_err() {
        return bad(format!("`{}` needs a number", col.name));
    }
    match UnitTable::builtin().parse(&text) {
        Ok(q) if q.dimension == dimension && q.value.is_finite() => Some(q.value),
        Ok(q) => bad(format!("the unit of `{}` is a {}", col.name, q.dimension.describe())),
        Err(e) => bad(format!("`{}`: {e}", col.name)),
    }
}

/// Where a condition comes from: a column, or the fit file's value.
enum Condition<'a> {
    Column(usize, &'a Column),
    Given(f64),
}

fn condition<'a>(
    columns: &'a [Column],
    name: &str,
    given: Option<f64>,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<Condition<'a>> {
    match (columns.iter().position(|c| c.name == name), given) {
        (Some(i), _) => Some(Condition::Column(i, &columns[i])),
        (None, Some(v)) => Some(Condition::Given(v)),
        (None, None) => {
            problems.push(
                Diagnostic::new(Loc { line: 1, column: 1 }, &format!("data.{name}"), format!("no `{name}` column"))
                    .allowed(format!("a `{name} [unit]` column, or `model.{what}` in the fit file")),
            );
            None
        }
    }
}

fn read(text: &str, measured: Measured, model: &FitModel, problems: &mut Vec<Diagnostic>) -> Option<LabData> {
    let mut rows = lines(text);
    let Some((header_line, header_text)) = rows.next() else {
        problems.push(Diagnostic::new(Loc { line: 1, column: 1 }, "data", "the file has no header and no data"));
        return None;
    };
    let columns = header(header_line, header_text, problems);
    let find = |name: &str| columns.iter().position(|c| c.name == name);
    let measured_name = match measured {
        Measured::Conversion => "conversion",
        Measured::Co2Uptake { .. } => "co2_uptake",
    };
    let at_header = Loc { line: header_line, column: 1 };
    let required = |name: &str, problems: &mut Vec<Diagnostic>| {
        let i = find(name);
        if i.is_none() {
            problems.push(
                Diagnostic::new(at_header, &format!("data.{name}"), format!("no `{name}` column"))
                    .found(columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "))
                    .allowed(format!("a `{name} [unit]` column")),
            );
        }
        i
    };
    let time = required("time", problems);
    let y = required(measured_name, problems);
    let conditions = [
        condition(&columns, "T", model.temperature, "temperature", problems),
        condition(&columns, "pCO2", model.pco2, "pco2", problems),
        condition(&columns, "d50", model.particle_size, "particle_size", problems),
    ];
    let (time, y) = (time?, y?);
    let [Some(t_c), Some(p_c), Some(d_c)] = conditions else { return None };
    let unused = columns
        .iter()
        .filter(|c| c.name != "experiment" && !KNOWN.iter().any(|(k, _)| *k == c.name))
        .map(|c| c.name.clone())
        .collect();
    let cols = Columns { all: &columns, time, y, experiment: find("experiment"), sigma: find("sigma") };
    let experiments = rows_to_experiments(rows, &cols, [&t_c, &p_c, &d_c], measured, problems);
    Some(LabData { experiments, unused })
}

/// Column indices of the model's columns.
struct Columns<'a> {
    all: &'a [Column],
    time: usize,
    y: usize,
    experiment: Option<usize>,
    sigma: Option<usize>,
}

fn rows_to_experiments<'a>(
    rows: impl Iterator<Item = (u32, &'a str)>,
    cols: &Columns<'_>,
    conditions: [&Condition<'_>; 3],
    measured: Measured,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Experiment> {
    let scale = match measured {
        Measured::Conversion => 1.0,
        Measured::Co2Uptake { capacity } => 1.0 / capacity,
    };
    let mut experiments: Vec<Experiment> = Vec::new();
    for (line, text) in rows {
        let cells = cells(text);
        if cells.len() != cols.all.len() {
            problems.push(
                Diagnostic::new(Loc { line, column: 1 }, "data", "a row needs one value for every column")
                    .found(format!("{} values", cells.len()))
                    .allowed(format!("{} values, as in the header", cols.all.len())),
            );
            continue;
        }
        let mut number = |i: usize, dimension: Dimension| {
            let (column, cell) = cells[i];
            value(cell, &cols.all[i], dimension, Loc { line, column }, problems)
        };
        let time = number(cols.time, Dimension::TIME);
        let y = number(cols.y, Dimension::DIMENSIONLESS);
        let sigma = cols.sigma.map(|i| number(i, Dimension::DIMENSIONLESS));
        let raw = conditions.map(|c| match c {
            Condition::Given(v) => Some(*v),
            Condition::Column(i, col) => number(*i, dimension_of(&col.name)),
        });
        let [t, p, d] = in_range(raw, conditions, &cells, line, problems);
        let (Some(time), Some(y), Some(t), Some(p), Some(d)) = (time, y, t, p, d) else { continue };
        let sigma = match sigma {
            Some(None) => continue,
            Some(Some(s)) => Some(s * scale),
            None => None,
        };
        let id = cols.experiment.map_or_else(|| "1".to_string(), |i| cells[i].1.to_string());
        let point = Point { time, conversion: y * scale, sigma, line };
        if let Some(problem) = check_point(&point, cols, &cells) {
            problems.push(problem);
            continue;
        }
        match experiments.iter_mut().find(|e| e.id == id) {
            Some(e) if (e.temperature, e.pco2, e.particle_size) != (t, p, d) => problems.push(
                Diagnostic::new(Loc { line, column: 1 }, "data", format!("experiment `{id}` changes its conditions"))
                    .found(format!("T {t} K, pCO2 {p} Pa, d50 {d} m on this row"))
                    .allowed(format!(
                        "the conditions of its first row: T {} K, pCO2 {} Pa, d50 {} m; give each set of conditions its own experiment id",
                        e.temperature, e.pco2, e.particle_size
                    )),
            ),
            Some(e) => e.points.push(point),
            None => experiments.push(Experiment { id, temperature: t, pco2: p, particle_size: d, points: vec![point] }),
        }
    }
    experiments
}

/// The conditions of a row where the rate law can take them — a temperature above 0 K, a CO2
/// pressure not negative, a particle size above 0 — or a diagnostic at the cell (a value the
/// fit file gives was checked there).
fn in_range(
    values: [Option<f64>; 3],
    conditions: [&Condition<'_>; 3],
    cells: &[(u32, &str)],
    line: u32,
    problems: &mut Vec<Diagnostic>,
) -> [Option<f64>; 3] {
    let mut out = values;
    for (k, what) in ["above 0 K", "0 or more", "above 0"].iter().enumerate() {
        let (Some(v), Condition::Column(i, col)) = (values[k], conditions[k]) else { continue };
        let ok = if k == 1 { v >= 0.0 } else { v > 0.0 };
        if !ok {
            let at = Loc { line, column: cells[*i].0 };
            problems.push(
                Diagnostic::new(at, &format!("data.{}", col.name), format!("`{}` must be {what}", col.name))
                    .found(cells[*i].1.to_string()),
            );
            out[k] = None;
        }
    }
    out
}

fn dimension_of(name: &str) -> Dimension {
    KNOWN.iter().find(|(k, _)| *k == name).map_or(Dimension::DIMENSIONLESS, |(_, d)| *d)
}

/// A point's own ranges: time not negative, conversion within 0..1 (a little noise above 1
/// is allowed: 1.05), sigma above 0.
fn check_point(p: &Point, cols: &Columns<'_>, cells: &[(u32, &str)]) -> Option<Diagnostic> {
    let at = |i: usize| Loc { line: p.line, column: cells[i].0 };
    let name = |i: usize| format!("data.{}", cols.all[i].name);
    if p.time < 0.0 {
        return Some(
            Diagnostic::new(at(cols.time), &name(cols.time), "a time cannot be negative").found(cells[cols.time].1),
        );
    }
    if !(-0.05..=1.05).contains(&p.conversion) {
        return Some(
            Diagnostic::new(at(cols.y), &name(cols.y), "the measured conversion lies outside 0..1 (beyond 5 % noise)")
                .found(format!("{} (conversion {:.4})", cells[cols.y].1, p.conversion))
                .allowed("a conversion from 0 to 1; for `co2_uptake`, check `capacity`"),
        );
    }
    match (p.sigma, cols.sigma) {
        (Some(s), Some(i)) if s <= 0.0 => {
            Some(Diagnostic::new(at(i), &name(i), "a standard deviation must be above 0").found(cells[i].1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> FitModel {
        FitModel {
            rate_law: "avrami",
            reference_temperature: Some(298.15),
            reference_pco2: 1e5,
            reference_particle_size: 1e-5,
            temperature: None,
            pco2: Some(1e5),
            particle_size: Some(1e-5),
        }
    }

    #[test]
    fn reads_experiments_in_si() {
        let text = "# source\nexperiment,time [min],conversion [%],T [degC],solid_liquid [g/L]\nA,0,0,30,100\nA,10,42,30,100\n\nB,1, 5 ,60,100\n";
        let d = parse_lab_data(text, "d.csv", Measured::Conversion, &model()).unwrap();
        assert_eq!(d.experiments.len(), 2);
        let a = &d.experiments[0];
        assert_eq!((a.id.as_str(), a.points.len(), a.temperature), ("A", 2, 303.15));
        assert!((a.points[1].time - 600.0).abs() < 1e-12 && (a.points[1].conversion - 0.42).abs() < 1e-12);
        assert_eq!(a.points[1].line, 4);
        assert_eq!(d.experiments[1].pco2, 1e5);
        assert_eq!(d.unused, vec!["solid_liquid".to_string()]);
    }

    #[test]
    fn an_uptake_is_divided_by_the_capacity() {
        let text = "time [h],co2_uptake [g/kg]\n1,297\n";
        let d = parse_lab_data(
            text,
            "d.csv",
            Measured::Co2Uptake { capacity: 0.594 },
            &FitModel { temperature: Some(300.0), ..model() },
        )
        .unwrap();
        assert!((d.experiments[0].points[0].conversion - 0.5).abs() < 1e-12);
    }

    #[test]
    fn every_bad_cell_is_reported_at_its_line_and_column() {
        let text =
            "experiment,time [min],conversion [-],T [degC]\nA,1,0.1,30\nA,x,0.1,30\nA,5,1.7,30\nA,6,0.2,40\nA,7\n";
        let d = parse_lab_data(text, "d.csv", Measured::Conversion, &model()).unwrap_err();
        let at: Vec<(u32, u32, &str)> = d.items.iter().map(|i| (i.loc.line, i.loc.column, i.field.as_str())).collect();
        assert_eq!(at, vec![(3, 3, "data.time"), (4, 5, "data.conversion"), (5, 1, "data"), (6, 1, "data")], "{d}");
    }

    #[test]
    fn conditions_the_rate_law_cannot_take_are_reported_at_their_cell() {
        let text =
            "time [min],conversion [-],T [K],pCO2 [bar],d50 [um]\n1,0.1,0,1,10\n2,0.2,300,-1,10\n3,0.3,300,1,0\n";
        let d = parse_lab_data(text, "d.csv", Measured::Conversion, &model()).unwrap_err();
        let at: Vec<(u32, u32, &str)> = d.items.iter().map(|i| (i.loc.line, i.loc.column, i.field.as_str())).collect();
        assert_eq!(at, vec![(2, 7, "data.T"), (3, 11, "data.pCO2"), (4, 13, "data.d50")], "{d}");
    }

    #[test]
    fn a_missing_condition_column_names_both_ways_to_give_it() {
        let text = "time [min],conversion [-]\n1,0.1\n";
        let d = parse_lab_data(text, "d.csv", Measured::Conversion, &model()).unwrap_err();
        assert!(
            d.items.iter().any(|i| i.field == "data.T" && i.allowed.as_deref().unwrap().contains("model.temperature"))
        );
    }
}
