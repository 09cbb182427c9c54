//! `calx.Result`: a solved flowsheet. Tables go to Python as columns (name and values) that
//! the Python side makes pyarrow tables of; the full result as the JSON serialisation of the
//! façade's `FlowsheetResult` (SI units, exact f64); the report through `calx-document`, the
//! renderer of `calx report`.

use std::sync::Arc;

use calx::{Project, Solved};
use pyo3::prelude::*;

use crate::errors::SolveError;

/// A column of a table: its name and its values (numbers, or text).
#[derive(IntoPyObject)]
pub enum Column {
    /// Numbers.
    Numbers(Vec<f64>),
    /// Text.
    Text(Vec<String>),
}

/// One analysis's output: name, type, metrics as (name, value, unit), its text report, its
/// JSON, and its CSV tables as (part, CSV text).
type AnalysisParts = (String, String, Vec<(String, f64, String)>, String, String, Vec<(String, String)>);

/// A solved flowsheet: the converged plant and its analyses (`calx.Result` in Python).
#[pyclass(module = "calx._native", name = "Solution", frozen)]
pub struct Solution {
    project: Arc<Project>,
    solved: Solved,
}

impl Solution {
    /// A result of `project`.
    pub fn new(project: Arc<Project>, solved: Solved) -> Solution {
        Solution { project, solved }
    }

    fn input(&self) -> calx_document::Input<'_> {
        calx_document::Input::new(&self.project, &self.solved)
    }
}

/// Refuse a result with a number that is not finite, naming where it is: a stream's
/// temperature, pressure or flow, or an analysis metric. (The engine checks its balances; this
/// is the guarantee that nothing not finite reaches a DataFrame silently.)
pub fn check_finite(solved: &Solved) -> PyResult<()> {
    let r = &solved.result;
    for s in &r.streams {
        let named = [("temperature", s.stream.temperature), ("pressure", s.stream.pressure)];
        let flows = r.components.iter().map(|c| c.name.as_str()).zip(s.stream.flows.iter().copied());
        if let Some((what, x)) = named.into_iter().chain(flows).find(|(_, x)| !x.is_finite()) {
            return Err(SolveError::new_err(format!("stream `{}`: {what} is {x}, not a finite number", s.name)));
        }
    }
    for a in &solved.analyses {
        if let Some(m) = a.metrics.iter().find(|m| !m.value.is_finite()) {
            return Err(SolveError::new_err(format!(
                "analysis `{}` ({}): metric `{}` is {}, not a finite number",
                a.name, a.type_name, m.name, m.value
            )));
        }
    }
    Ok(())
}

#[pymethods]
impl Solution {
    /// The stream table: one row per stream (name, role, from, to), then temperature,
    /// pressure, total and one column per component. With `si=False`, in the flowsheet's
    /// display units (its first flow unit), the unit in each column's name; with `si=True`,
    /// in K, Pa and kg/s, exactly the numbers of `calx run --format json`.
    #[pyo3(signature = (si = false))]
    fn stream_columns(&self, si: bool) -> PyResult<Vec<(String, Column)>> {
        let (model, r) = (self.project.model(), &self.solved.result);
        let d = &model.display;
        let table = model.display_units(r);
        let flow = d.flows.first().map_or("kg/h", String::as_str);
        let (t_unit, p_unit, f_unit) = if si { ("K", "Pa", "kg/s") } else { (&*d.temperature, &*d.pressure, flow) };
        // Each display unit is tried once here, so that a unit that does not convert is an
        // error rather than a column of NaN.
        for unit in [t_unit, p_unit, f_unit].into_iter().filter(|_| !si) {
            table.to_unit(1.0, unit).map_err(|e| {
                crate::errors::CalxError::new_err(format!("display unit `{unit}` does not convert: {e}"))
            })?;
        }
        let to = |x: f64, unit: &str| if si { x } else { table.to_unit(x, unit).unwrap_or(f64::NAN) };
        let text = |f: &dyn Fn(&calx::FlowsheetResult, usize) -> String| {
            Column::Text((0..r.streams.len()).map(|i| f(r, i)).collect())
        };
        let numbers = |f: &dyn Fn(usize) -> f64, unit: &str| {
            Column::Numbers((0..r.streams.len()).map(|i| to(f(i), unit)).collect())
        };
        let mut cols = vec![
            ("stream".to_string(), text(&|r, i| r.streams[i].name.clone())),
            ("role".to_string(), text(&|r, i| format!("{:?}", r.streams[i].role).to_lowercase())),
            ("from".to_string(), text(&|r, i| r.streams[i].source.as_ref().map_or(String::new(), |e| e.unit.clone()))),
            (
                "to".to_string(),
                text(&|r, i| r.streams[i].destination.as_ref().map_or(String::new(), |e| e.unit.clone())),
            ),
            (format!("T [{t_unit}]"), numbers(&|i| r.streams[i].stream.temperature, t_unit)),
            (format!("P [{p_unit}]"), numbers(&|i| r.streams[i].stream.pressure, p_unit)),
            (format!("total [{f_unit}]"), numbers(&|i| r.streams[i].stream.total_mass(), f_unit)),
        ];
        for (i, c) in r.components.iter().enumerate() {
            cols.push((format!("{} [{f_unit}]", c.name), numbers(&|k| r.streams[k].stream.flows[i], f_unit)));
        }
        Ok(cols)
    }

    /// What each unit reports, one row per item (SI units): utilities (electricity and heat in
    /// W, water in kg/s), make-up materials (kg/s), shaft work delivered to the streams (W) and sizes (in the SI unit of their
    /// dimension), as columns unit, type, kind, name, purpose, value, unit_of_measure.
    fn unit_columns(&self) -> Vec<(String, Column)> {
        let r = &self.solved.result;
        let mut rows: Vec<[String; 6]> = Vec::new();
        let mut values = Vec::new();
        for u in &r.units {
            let mut push = |kind: &str, name: String, purpose: String, value: f64, uom: String| {
                rows.push([u.name.clone(), u.type_name.clone(), kind.to_string(), name, purpose, uom]);
                values.push(value);
            };
            for x in &u.report.utilities {
                let uom = if x.utility.name() == "water" { "kg/s" } else { "W" };
                push("utility", x.utility.name().to_string(), x.purpose.to_string(), x.rate, uom.to_string());
            }
            for m in &u.report.materials {
                let c = r.components.get(m.component).map_or("?", |c| c.name.as_str());
                push("material", c.to_string(), m.purpose.to_string(), m.rate, "kg/s".to_string());
            }
            for w in &u.report.work {
                push("work", "shaft work".to_string(), w.purpose.to_string(), w.power, "W".to_string());
            }
            for z in &u.report.sizes {
                push("size", z.name.to_string(), String::new(), z.value, z.dimension.to_string());
            }
        }
        let text = |k: usize| Column::Text(rows.iter().map(|r| r[k].clone()).collect());
        vec![
            ("unit".to_string(), text(0)),
            ("type".to_string(), text(1)),
            ("kind".to_string(), text(2)),
            ("name".to_string(), text(3)),
            ("purpose".to_string(), text(4)),
            ("value".to_string(), Column::Numbers(values)),
            ("unit_of_measure".to_string(), text(5)),
        ]
    }

    /// The converged flowsheet as JSON (SI units; what `calx run --format json` gives under
    /// `flowsheet`, with flows as lists in the order of `components`).
    fn flowsheet_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.solved.result)
            .map_err(|e| SolveError::new_err(format!("the result cannot be serialised: {e}")))
    }

    /// Each analysis in run order as (name, type, metrics, text, JSON, CSV tables).
    fn analyses(&self) -> Vec<AnalysisParts> {
        self.solved
            .analyses
            .iter()
            .map(|a| {
                let metrics = a.metrics.iter().map(|m| (m.name.clone(), m.value, m.unit.clone())).collect();
                let tables = a.csv.iter().map(|t| (t.part.clone(), t.text.clone())).collect();
                (a.name.clone(), a.type_name.clone(), metrics, a.text.clone(), a.json.clone(), tables)
            })
            .collect()
    }

    /// The text `calx run` prints: stream tables, units, closure and solver summary in
    /// display units, then each analysis's text.
    fn text(&self) -> String {
        let mut text = calx_document::text_table(self.project.model(), &self.solved.result);
        for a in &self.solved.analyses {
            text.push_str(&format!("\nAnalysis `{}` ({})\n{}", a.name, a.type_name, a.text));
        }
        text
    }

    /// The full report as one self-contained HTML page (what `calx report` writes: no
    /// scripts, nothing fetched). The GIL is released while it renders.
    fn html(&self, py: Python<'_>) -> String {
        py.detach(|| calx_document::html(&calx_document::document(&self.input(), &Default::default())))
    }

    /// The report as Markdown, with its figures as (file name, SVG text) to write into
    /// `asset_dir` beside it.
    fn markdown(&self, py: Python<'_>, asset_dir: &str) -> (String, Vec<(String, String)>) {
        py.detach(|| {
            let md = calx_document::markdown(&calx_document::document(&self.input(), &Default::default()), asset_dir);
            (md.text, md.assets.into_iter().map(|a| (a.name, a.text)).collect())
        })
    }
}
