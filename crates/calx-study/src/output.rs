//! Study outputs: samples as CSV rows (written as they come, read back for merging), the
//! per-column store statistics are computed from, and the summary, Spearman, tornado and
//! sweep tables. Numbers are written with Rust's shortest round-trip formatting, so a merged
//! study reproduces a single run bit for bit.

use std::fmt::Write as _;

use crate::StudyError;
use crate::block::{SampleBlock, SampleRow};
use crate::def::StudyDef;
use crate::stats;

/// One evaluated sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Index 0..N.
    pub index: usize,
    /// Parameter values, in the study's units.
    pub values: Vec<f64>,
    /// Metric values, or why the sample failed.
    pub outcome: Result<Vec<f64>, String>,
}

/// What statistics need of the samples, column by column: 8 bytes per number and nothing
/// else (no text, no per-sample allocation). Exact percentiles and rank correlations need
/// every value, so this is the part of a study's memory that grows with N; the samples
/// themselves are streamed to disk.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Per parameter, the values of the successful samples.
    pub parameters: Vec<Vec<f64>>,
    /// Per metric, the values of the successful samples.
    pub metrics: Vec<Vec<f64>>,
    /// Samples that failed.
    pub failed: usize,
}

impl Columns {
    /// Empty columns for a study.
    pub fn new(def: &StudyDef) -> Columns {
        Columns::with_capacity(def, 0)
    }

    /// Empty columns with room for `n` samples (no growth by doubling: 8 bytes per number).
    pub fn with_capacity(def: &StudyDef, n: usize) -> Columns {
        let col = || Vec::with_capacity(n);
        Columns {
            parameters: def.parameters.iter().map(|_| col()).collect(),
            metrics: def.metrics.iter().map(|_| col()).collect(),
            failed: 0,
        }
    }

    /// Add samples (in index order).
    pub fn extend<'a>(&mut self, samples: impl IntoIterator<Item = &'a Sample>) {
        self.extend_rows(samples.into_iter().map(SampleRow::from));
    }

    /// Add the samples of a block (in index order).
    pub fn extend_block(&mut self, block: &SampleBlock) {
        self.extend_rows(block.rows());
    }

    /// Add rows (in index order).
    pub fn extend_rows<'a>(&mut self, rows: impl IntoIterator<Item = SampleRow<'a>>) {
        for s in rows {
            match s.outcome {
                Ok(m) => {
                    for (c, v) in self.parameters.iter_mut().zip(s.values) {
                        c.push(*v);
                    }
                    for (c, v) in self.metrics.iter_mut().zip(m) {
                        c.push(*v);
                    }
                }
                Err(_) => self.failed += 1,
            }
        }
    }

    /// Columns of a set of samples.
    pub fn of(def: &StudyDef, samples: &[Sample]) -> Columns {
        let mut c = Columns::new(def);
        c.extend(samples);
        c
    }
}

/// Metrics of one evaluation, or why it failed.
pub type Outcome = Result<Vec<f64>, String>;

/// Tornado results: the base metrics and, per parameter, the metrics at low and at high.
#[derive(Clone, Debug)]
pub struct Tornado {
    /// Base-case metrics.
    pub base: Vec<f64>,
    /// Per parameter: (at low, at high).
    pub rows: Vec<(Outcome, Outcome)>,
}

pub(crate) fn csv_field(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Split one line of the CSV files written here into its fields (the inverse of the quoting
/// they use: a field with `,` or `"` is quoted, `"` doubled). Readers of study outputs (the
/// report) use this too, so the two sides cannot drift apart.
pub fn csv_split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut quoted, mut chars) = (String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Header of the samples CSV.
pub fn samples_header(def: &StudyDef) -> String {
    let mut h = vec!["sample".to_string(), "status".to_string()];
    h.extend(def.parameters.iter().map(|p| csv_field(&p.path)));
    h.extend(def.metrics.iter().map(|m| csv_field(m)));
    h.push("error".into());
    h.join(",") + "\n"
}

/// Samples as CSV rows (no header); values round-trip exactly.
pub fn samples_csv(samples: &[Sample], n_metrics: usize) -> String {
    let mut out = String::new();
    write_samples_csv(&mut out, samples.iter().map(SampleRow::from), n_metrics);
    out
}

/// [`samples_csv`] of rows (a [`SampleBlock`]'s), appended to `out`: a caller that clears and
/// reuses `out` writes batch after batch without allocating once it has grown.
pub fn write_samples_csv<'a>(out: &mut String, rows: impl IntoIterator<Item = SampleRow<'a>>, n_metrics: usize) {
    for s in rows {
        let _ = write!(out, "{},{}", s.index, if s.outcome.is_ok() { "ok" } else { "failed" });
        for v in s.values {
            let _ = write!(out, ",{v}");
        }
        match s.outcome {
            Ok(m) => {
                for v in m {
                    let _ = write!(out, ",{v}");
                }
                out.push_str(",\n");
            }
            Err(e) => {
                out.extend(std::iter::repeat_n(',', n_metrics));
                let _ = writeln!(out, ",{}", csv_field(e));
            }
        }
    }
}

/// Read samples CSV text (with its header) written by [`samples_header`] + [`samples_csv`].
pub fn parse_samples(def: &StudyDef, text: &str) -> Result<Vec<Sample>, StudyError> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if format!("{header}\n") != samples_header(def) {
        return Err(StudyError::Merge(
            "the samples file's columns do not match the study (another study, or an edited study file?)".into(),
        ));
    }
    let (np, nm) = (def.parameters.len(), def.metrics.len());
    let bad = |no: usize, m: &str| StudyError::Merge(format!("samples line {}: {m}", no + 2));
    let mut out = Vec::new();
    for (no, line) in lines.enumerate() {
        let f = csv_split(line);
        if f.len() != 3 + np + nm {
            return Err(bad(no, "wrong number of fields"));
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad(no, &format!("`{s}` is not a number")));
        let index = f[0].parse::<usize>().map_err(|_| bad(no, "bad sample index"))?;
        let values = f[2..2 + np].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?;
        let outcome = match f[1].as_str() {
            "ok" => Ok(f[2 + np..2 + np + nm].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?),
            "failed" => Err(f[2 + np + nm].clone()),
            other => return Err(bad(no, &format!("unknown status `{other}`"))),
        };
        out.push(Sample { index, values, outcome });
    }
    Ok(out)
}

/// Combine shards' samples into the full, ordered set; every index exactly once.
pub fn merge(def: &StudyDef, shards: Vec<Vec<Sample>>) -> Result<Vec<Sample>, StudyError> {
    let mut all: Vec<Sample> = shards.into_iter().flatten().collect();
    all.sort_by_key(|s| s.index);
    for (k, s) in all.iter().enumerate() {
        if s.index != k {
            return Err(StudyError::Merge(if s.index < k {
                format!("sample {} appears twice", s.index)
            } else {
                format!("sample {k} is missing")
            }));
        }
    }
    if all.len() != def.samples {
        return Err(StudyError::Merge(format!("{} samples of {}", all.len(), def.samples)));
    }
    Ok(all)
}

/// `summary.csv`: per metric n ok, n failed, mean, sd, p5, p50, p95.
pub fn summary_csv(def: &StudyDef, columns: &Columns) -> String {
    let mut out = String::from("metric,n_ok,n_failed,mean,sd,p5,p50,p95\n");
    for (m, col) in def.metrics.iter().zip(&columns.metrics) {
        let s = stats::summary(col);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(m),
            s.n,
            columns.failed,
            s.mean,
            s.sd,
            s.p5,
            s.p50,
            s.p95
        );
    }
    out
}

/// `spearman.csv`: rank correlation of each parameter with each metric over successful samples.
pub fn spearman_csv(def: &StudyDef, columns: &Columns) -> String {
    let mut out = String::from("parameter,metric,spearman\n");
    for (p, x) in def.parameters.iter().zip(&columns.parameters) {
        for (m, y) in def.metrics.iter().zip(&columns.metrics) {
            let _ = writeln!(out, "{},{},{}", csv_field(&p.path), csv_field(m), stats::spearman(x, y));
        }
    }
    out
}

/// `tornado.csv`: per metric, parameters by decreasing swing |high - low|.
pub fn tornado_csv(def: &StudyDef, t: &Tornado) -> String {
    let mut out = String::from("metric,parameter,unit,low,high,base_metric,metric_at_low,metric_at_high,swing,error\n");
    for (k, m) in def.metrics.iter().enumerate() {
        let mut rows: Vec<(f64, String)> = Vec::new();
        for (p, (lo, hi)) in def.parameters.iter().zip(&t.rows) {
            let pick = |r: &Result<Vec<f64>, String>| r.as_ref().map(|v| v[k]).map_err(Clone::clone);
            let (l, h) = (pick(lo), pick(hi));
            let head = format!(
                "{},{},{},{},{},{}",
                csv_field(m),
                csv_field(&p.path),
                csv_field(&p.unit),
                p.tornado.0,
                p.tornado.1,
                t.base[k]
            );
            match (l, h) {
                (Ok(l), Ok(h)) => rows.push(((h - l).abs(), format!("{head},{l},{h},{},", h - l))),
                (l, h) => {
                    let e = [l.err(), h.err()].into_iter().flatten().collect::<Vec<_>>().join("; ");
                    rows.push((f64::INFINITY, format!("{head},,,,{}", csv_field(&e))));
                }
            }
        }
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, r) in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out
}

/// `sweep.csv`.
pub fn sweep_csv(def: &StudyDef, points: &[(Vec<f64>, Outcome)]) -> String {
    let Some(s) = &def.sweep else { return String::new() };
    let mut h: Vec<String> = s.axes.iter().map(|(p, _, _)| csv_field(p)).collect();
    h.push("status".into());
    h.extend(def.metrics.iter().map(|m| csv_field(m)));
    h.push("error".into());
    let mut out = h.join(",") + "\n";
    for (p, r) in points {
        for x in p {
            let _ = write!(out, "{x},");
        }
        match r {
            Ok(m) => {
                out.push_str("ok");
                for v in m {
                    let _ = write!(out, ",{v}");
                }
                out.push_str(",\n");
            }
            Err(e) => {
                out.push_str("failed");
                out.push_str(&",".repeat(def.metrics.len()));
                let _ = writeln!(out, ",{}", csv_field(e));
            }
        }
    }
    out
}
