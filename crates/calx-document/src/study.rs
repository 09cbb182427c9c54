//! Study results as `calx study` writes them (`samples.csv`, `summary.csv`, `spearman.csv`,
//! `tornado.csv`, optionally `sweep.csv`; formats defined in `calx-study`), read from their
//! text: the caller reads the files, this module only parses.
//!
//! Any file may be missing (its charts then give way to a note); a file that is present but
//! malformed is an error naming the file, the line and what is wrong.

/// The texts of a study's output files (`None`: the file does not exist).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudyFiles {
    /// `samples.csv`.
    pub samples: Option<String>,
    /// `summary.csv`.
    pub summary: Option<String>,
    /// `spearman.csv`.
    pub spearman: Option<String>,
    /// `tornado.csv`.
    pub tornado: Option<String>,
    /// `sweep.csv`.
    pub sweep: Option<String>,
}

/// One metric's summary statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Metric path (`analyses.tea.npv`).
    pub metric: String,
    /// Successful samples.
    pub n_ok: usize,
    /// Failed samples.
    pub n_failed: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One tornado row.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoRow {
    /// Metric.
    pub metric: String,
    /// Parameter.
    pub parameter: String,
    /// Unit of the parameter's values.
    pub unit: String,
    /// Parameter's low value.
    pub low: f64,
    /// Parameter's high value.
    pub high: f64,
    /// Metric in the base case.
    pub base: f64,
    /// Metric at the low value (`None`: that run failed).
    pub at_low: Option<f64>,
    /// Metric at the high value.
    pub at_high: Option<f64>,
    /// Why a run failed.
    pub error: String,
}

/// A sweep over one or two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Swept parameters.
    pub axes: Vec<String>,
    /// Metrics.
    pub metrics: Vec<String>,
    /// Points: axis values, metric values (`None`: failed).
    pub points: Vec<(Vec<f64>, Vec<Option<f64>>)>,
}

/// Everything read from a study directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudyResults {
    /// Metrics, in study order.
    pub metrics: Vec<String>,
    /// Parameters, in study order.
    pub parameters: Vec<String>,
    /// Summary rows.
    pub summary: Vec<Summary>,
    /// Successful samples' metric values, per metric (same order as `metrics`).
    pub samples: Vec<Vec<f64>>,
    /// Samples run, and how many failed (`None`: no samples file).
    pub sample_count: Option<(usize, usize)>,
    /// (parameter, metric, Spearman rho).
    pub spearman: Vec<(String, String, f64)>,
    /// Tornado rows, in file order (widest swing first per metric).
    pub tornado: Vec<TornadoRow>,
    /// The sweep, if one ran.
    pub sweep: Option<Sweep>,
}

impl StudyResults {
    /// Each metric's path with its values over the successful samples, for
    /// `calx::Project::solve_with_study`.
    pub fn metric_columns(&self) -> Vec<(String, Vec<f64>)> {
        self.metrics.iter().cloned().zip(self.samples.iter().cloned()).collect()
    }
}

/// A study output file that cannot be read: which file, which line, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StudyFileError(pub String);

/// Lines of a CSV text with their 1-based numbers, without empty lines.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<String>)> + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, calx_study::csv_split(l.trim_end_matches('\r'))))
}

fn number(file: &str, line: usize, field: &str, what: &str) -> Result<f64, StudyFileError> {
    field
        .trim()
        .parse::<f64>()
        .map_err(|_| StudyFileError(format!("{file} line {line}: {what} `{field}` is not a number")))
}

fn optional(file: &str, line: usize, field: &str, what: &str) -> Result<Option<f64>, StudyFileError> {
    if field.trim().is_empty() { Ok(None) } else { number(file, line, field, what).map(Some) }
}

fn header(file: &str, text: &str, expected: &[&str]) -> Result<(), StudyFileError> {
    let first = rows(text).next().map(|(_, h)| h).unwrap_or_default();
    if first.iter().map(String::as_str).ne(expected.iter().copied()) {
        return Err(StudyFileError(format!(
            "{file}: the first line must be `{}` (a file written by `calx study`), found `{}`",
            expected.join(","),
            first.join(",")
        )));
    }
    Ok(())
}

fn parse_summary(text: &str) -> Result<Vec<Summary>, StudyFileError> {
    const F: &str = "summary.csv";
    header(F, text, &["metric", "n_ok", "n_failed", "mean", "sd", "p5", "p50", "p95"])?;
    let mut out = Vec::new();
    for (line, f) in rows(text).skip(1) {
        if f.len() != 8 {
            return Err(StudyFileError(format!("{F} line {line}: expected 8 fields, found {}", f.len())));
        }
        let count = |s: &str, what: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| StudyFileError(format!("{F} line {line}: {what} `{s}` is not a count")))
        };
        out.push(Summary {
            metric: f[0].clone(),
            n_ok: count(&f[1], "n_ok")?,
            n_failed: count(&f[2], "n_failed")?,
            mean: number(F, line, &f[3], "mean")?,
            sd: number(F, line, &f[4], "sd")?,
            p5: number(F, line, &f[5], "p5")?,
            p50: number(F, line, &f[6], "p50")?,
            p95: number(F, line, &f[7], "p95")?,
        });
    }
    Ok(out)
}

fn parse_spearman(text: &str) -> Result<Vec<(String, String, f64)>, StudyFileError> {
    const F: &str = "spearman.csv";
    header(F, text, &["parameter", "metric", "spearman"])?;
    let mut out = Vec::new();
    for (line, f) in rows(text).skip(1) {
        if f.len() != 3 {
            return Err(StudyFileError(format!("{F} line {line}: expected 3 fields, found {}", f.len())));
        }
        out.push((f[0].clone(), f[1].clone(), number(F, line, &f[2], "spearman")?));
    }
    Ok(out)
}

fn parse_tornado(text: &str) -> Result<Vec<TornadoRow>, StudyFileError> {
    const F: &str = "tornado.csv";
    header(
        F,
        text,
        &[
            "metric",
            "parameter",
            "unit",
            "low",
            "high",
            "base_metric",
            "metric_at_low",
            "metric_at_high",
            "swing",
            "error",
        ],
    )?;
    let mut out = Vec::new();
    for (line, f) in rows(text).skip(1) {
        if f.len() != 10 {
            return Err(StudyFileError(format!("{F} line {line}: expected 10 fields, found {}", f.len())));
        }
        out.push(TornadoRow {
            metric: f[0].clone(),
            parameter: f[1].clone(),
            unit: f[2].clone(),
            low: number(F, line, &f[3], "low")?,
            high: number(F, line, &f[4], "high")?,
            base: number(F, line, &f[5], "base_metric")?,
            at_low: optional(F, line, &f[6], "metric_at_low")?,
            at_high: optional(F, line, &f[7], "metric_at_high")?,
            error: f[9].clone(),
        });
    }
    Ok(out)
}

/// What `samples.csv` holds.
struct Samples {
    parameters: Vec<String>,
    /// Successful samples' values, per metric.
    values: Vec<Vec<f64>>,
    total: usize,
    failed: usize,
}

/// Samples: the metric columns are the last `metrics.len()` before `error`.
fn parse_samples(text: &str, metrics: &[String]) -> Result<Samples, StudyFileError> {
    const F: &str = "samples.csv";
    let mut it = rows(text);
    let (_, head) = it.next().ok_or_else(|| StudyFileError(format!("{F}: the file is empty")))?;
    if head.len() < 3 || head[0] != "sample" || head[1] != "status" || head.last().map(String::as_str) != Some("error")
    {
        return Err(StudyFileError(format!(
            "{F}: the first line must be `sample,status,PARAMETERS...,METRICS...,error` (a file written by `calx study`)"
        )));
    }
    let names = &head[2..head.len() - 1];
    let m = if metrics.is_empty() { names.len() } else { metrics.len() };
    if m > names.len() || (!metrics.is_empty() && names[names.len() - m..] != *metrics) {
        return Err(StudyFileError(format!(
            "{F}: its metric columns do not match summary.csv ({})",
            metrics.join(", ")
        )));
    }
    let parameters = names[..names.len() - m].to_vec();
    let mut values = vec![Vec::new(); m];
    let (mut total, mut failed) = (0, 0);
    for (line, f) in it {
        if f.len() != head.len() {
            return Err(StudyFileError(format!("{F} line {line}: expected {} fields, found {}", head.len(), f.len())));
        }
        total += 1;
        if f[1] != "ok" {
            failed += 1;
            continue;
        }
        for (k, v) in f[2 + parameters.len()..f.len() - 1].iter().enumerate() {
            values[k].push(number(F, line, v, "metric value")?);
        }
    }
    Ok(Samples { parameters, values, total, failed })
}

fn parse_sweep(text: &str, metrics: &[String]) -> Result<Sweep, StudyFileError> {
    const F: &str = "sweep.csv";
    let mut it = rows(text);
    let (_, head) = it.next().ok_or_else(|| StudyFileError(format!("{F}: the file is empty")))?;
    let status = head
        .iter()
        .position(|h| h == "status")
        .ok_or_else(|| StudyFileError(format!("{F}: the first line has no `status` column")))?;
    if head.last().map(String::as_str) != Some("error") {
        return Err(StudyFileError(format!("{F}: the first line must end with `error`")));
    }
    let axes = head[..status].to_vec();
    let names = head[status + 1..head.len() - 1].to_vec();
    if !metrics.is_empty() && names != metrics {
        return Err(StudyFileError(format!("{F}: its metric columns do not match summary.csv")));
    }
    let mut points = Vec::new();
    for (line, f) in it {
        if f.len() != head.len() {
            return Err(StudyFileError(format!("{F} line {line}: expected {} fields, found {}", head.len(), f.len())));
        }
        let x = f[..status].iter().map(|v| number(F, line, v, "axis value")).collect::<Result<Vec<_>, _>>()?;
        let y = f[status + 1..f.len() - 1]
            .iter()
            .map(|v| optional(F, line, v, "metric value"))
            .collect::<Result<Vec<_>, _>>()?;
        points.push((x, y));
    }
    Ok(Sweep { axes, metrics: names, points })
}

impl StudyResults {
    /// Parse whatever files exist; at least one must.
    pub fn parse(files: &StudyFiles) -> Result<StudyResults, StudyFileError> {
        let present = [&files.samples, &files.summary, &files.spearman, &files.tornado, &files.sweep];
        if present.iter().all(|f| f.is_none()) {
            return Err(StudyFileError(
                "no study results: expected samples.csv, summary.csv, spearman.csv, tornado.csv (and maybe sweep.csv), the files `calx study -o DIR` writes".into(),
            ));
        }
        let mut r = StudyResults::default();
        if let Some(t) = &files.summary {
            r.summary = parse_summary(t)?;
            r.metrics = r.summary.iter().map(|s| s.metric.clone()).collect();
        }
        if let Some(t) = &files.spearman {
            r.spearman = parse_spearman(t)?;
        }
        if let Some(t) = &files.tornado {
            r.tornado = parse_tornado(t)?;
        }
        // Without a summary, metrics and parameters come from the other files, in order.
        let push = |list: &mut Vec<String>, name: &str| {
            if !list.iter().any(|x| x == name) {
                list.push(name.to_string());
            }
        };
        for (p, m, _) in &r.spearman {
            push(&mut r.parameters, p);
            if files.summary.is_none() {
                push(&mut r.metrics, m);
            }
        }
        for t in &r.tornado {
            push(&mut r.parameters, &t.parameter);
            if files.summary.is_none() {
                push(&mut r.metrics, &t.metric);
            }
        }
        if let Some(t) = &files.samples {
            let s = parse_samples(t, &r.metrics)?;
            if r.metrics.is_empty() {
                r.metrics = (0..s.values.len()).map(|k| format!("metric {}", k + 1)).collect();
            }
            r.parameters = s.parameters;
            r.samples = s.values;
            r.sample_count = Some((s.total, s.failed));
        }
        if let Some(t) = &files.sweep {
            r.sweep = Some(parse_sweep(t, &r.metrics)?);
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> StudyFiles {
        StudyFiles {
            samples: Some("sample,status,p,\"a,b\",m1,m2,error\n0,ok,1,2,10,20,\n1,failed,1,2,,,\"boom, twice\"\n2,ok,3,4,11,NaN,\n".into()),
            summary: Some("metric,n_ok,n_failed,mean,sd,p5,p50,p95\nm1,2,1,10.5,0.7,10,10.5,11\nm2,2,1,NaN,NaN,NaN,NaN,NaN\n".into()),
            spearman: Some("parameter,metric,spearman\np,m1,1\n\"a,b\",m1,-0.5\n".into()),
            tornado: Some("metric,parameter,unit,low,high,base_metric,metric_at_low,metric_at_high,swing,error\nm1,p,KRW/t,1,3,10,9,12,3,\nm1,\"a,b\",,0,1,10,,,,\"failed: x\"\n".into()),
            sweep: Some("p,status,m1,m2,error\n1,ok,10,20,\n2,failed,,,why\n".into()),
        }
    }

    #[test]
    fn the_files_calx_study_writes_are_read() {
        let r = StudyResults::parse(&files()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.metrics, vec!["m1", "m2"]);
        assert_eq!(r.parameters, vec!["p", "a,b"]);
        assert_eq!(r.sample_count, Some((3, 1)));
        assert_eq!(r.samples[0], vec![10.0, 11.0]);
        assert!(r.samples[1][1].is_nan());
        assert_eq!(r.tornado[1].at_low, None);
        assert_eq!(r.tornado[1].error, "failed: x");
        assert_eq!(r.spearman[1], ("a,b".to_string(), "m1".to_string(), -0.5));
        let s = r.sweep.unwrap_or_else(|| panic!("sweep"));
        assert_eq!(s.points[1], (vec![2.0], vec![None, None]));
    }

    #[test]
    fn malformed_files_are_errors_naming_file_and_line() {
        let mut f = files();
        f.summary = Some("metric,n_ok,n_failed,mean,sd,p5,p50,p95\nm1,2,1,ten,0.7,10,10.5,11\n".into());
        let e = StudyResults::parse(&f).unwrap_err().to_string();
        assert!(e.contains("summary.csv line 2") && e.contains("`ten`"), "{e}");
        let mut f = files();
        f.tornado = Some("what,is,this\n".into());
        assert!(StudyResults::parse(&f).unwrap_err().to_string().contains("tornado.csv: the first line"));
        let mut f = files();
        f.samples = Some("sample,status,p,a,m1,error\n".into());
        assert!(StudyResults::parse(&f).unwrap_err().to_string().contains("do not match summary.csv"));
        assert!(StudyResults::parse(&StudyFiles::default()).unwrap_err().to_string().contains("no study results"));
    }

    #[test]
    fn any_file_may_be_missing() {
        let f = StudyFiles { tornado: files().tornado, ..StudyFiles::default() };
        let r = StudyResults::parse(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.metrics, vec!["m1"]);
        assert_eq!(r.sample_count, None);
    }
}
