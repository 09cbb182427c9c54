//! `calx fit`: a rate law fitted to lab data, printed or written as a set of files.

use std::path::Path;

use calx::fit::{FitJob, FitOutcome};

use crate::{Failure, files, print};

/// Run `calx fit FILE [-o DIR]`.
pub(crate) fn command(file: &Path, output: Option<&Path>) -> Result<(), Failure> {
    let job = FitJob::load(file)?;
    let outcome = job.run().map_err(|e| {
        if e.is_invalid_input() {
            Failure::invalid(format!("error: {}: {e}", file.display()))
        } else {
            Failure::solve(e)
        }
    })?;
    let Some(dir) = output else { return print(calx_document::fit_text(&outcome).trim_end()) };
    let inputs = vec![file.to_path_buf(), job.data_path.clone()];
    let mut set = files::OutputSet::new(dir, inputs).map_err(Failure::output)?;
    for (name, text) in outputs(&outcome, file) {
        set.text(&name, &text).map_err(Failure::output)?;
    }
    let wrote = set.commit().map_err(Failure::output)?;
    print(&format!("wrote {}", wrote.join(", ")))
}

/// The files of a fit: the text summary, the HTML page, residuals and estimates as CSV, and
/// the two YAML blocks.
fn outputs(o: &FitOutcome, file: &Path) -> Vec<(String, String)> {
    let source = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut files = vec![
        ("fit.txt".to_string(), calx_document::fit_text(o)),
        ("fit.html".to_string(), calx_document::html(&calx_document::fit_document(o, &source))),
        ("residuals.csv".to_string(), residuals_csv(o)),
        ("estimates.csv".to_string(), estimates_csv(o)),
        ("flowsheet-params.yaml".to_string(), o.flowsheet_block.clone()),
    ];
    if let Ok(b) = &o.study_block {
        files.push(("study-correlated.yaml".to_string(), b.clone()));
    }
    files
}

fn residuals_csv(o: &FitOutcome) -> String {
    let mut s = String::from("experiment,line,time [s],observed [-],predicted [-],residual [-]\n");
    for p in &o.points {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            p.experiment,
            p.line,
            p.time,
            p.observed,
            p.predicted,
            p.observed - p.predicted
        ));
    }
    s
}

fn estimates_csv(o: &FitOutcome) -> String {
    let mut s = String::from("parameter,unit,value,standard_error,ci_low,ci_high,fitted\n");
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    for p in &o.parameters {
        let f = p.unit_factor;
        let (lo, hi) = p.estimate.confidence_interval.map_or((None, None), |(a, b)| (Some(a / f), Some(b / f)));
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            p.name,
            p.unit,
            p.value,
            opt(p.estimate.standard_error.map(|e| e / f)),
            opt(lo),
            opt(hi),
            p.free
        ));
    }
    s
}
