//! The statistics files of a whole study, by name and text: what `calx study` writes beside
//! the samples (summary, Spearman, tornado, sweep, and the text and JSON of each analysis
//! that makes something of the study's samples). One function, so every caller that writes
//! a study's results (the command, the Python package) writes the same bytes.

use crate::output::Columns;
use crate::study::Study;
use crate::{StudyError, spearman_csv, summary_csv, sweep_csv, tornado_csv};

/// A whole study's statistics files, and why the analyses could not take its samples into
/// account, if they could not.
#[derive(Debug)]
pub struct ReportFiles {
    /// (file name, text), in the order `calx study` lists them.
    pub files: Vec<(String, String)>,
    /// The analyses' failure (their files are then not among `files`).
    pub analyses_failed: Option<calx::Error>,
}

/// The files written beside a whole study's samples, from the statistics columns of all
/// samples: `summary.csv`, `spearman.csv`, `tornado.csv` (runs the tornado's points),
/// `sweep.csv` when the study has a sweep (runs its grid), then `NAME.txt` and `NAME.json` of
/// each analysis the study's samples change (the carbon ledger's uncertainty deduction).
///
/// The analyses' files are best effort: when the analyses cannot take the samples into
/// account, the error comes back beside the statistics files (which are complete) instead of
/// failing them.
pub fn report_files(study: &Study, columns: &Columns) -> Result<ReportFiles, StudyError> {
    let def = &study.def;
    let tornado = study.tornado()?;
    let mut files = vec![
        ("summary.csv".to_string(), summary_csv(def, columns)),
        ("spearman.csv".to_string(), spearman_csv(def, columns)),
        ("tornado.csv".to_string(), tornado_csv(def, &tornado)),
    ];
    if def.sweep.is_some() {
        files.push(("sweep.csv".to_string(), sweep_csv(def, &study.sweep())));
    }
    let samples = calx::StudySamples {
        metrics: def.metrics.iter().cloned().zip(columns.metrics.iter().cloned()).collect(),
        failed: columns.failed,
    };
    match study.project().solve_with_study(&samples) {
        Ok((solved, changed)) => {
            files.extend(
                solved
                    .analyses
                    .into_iter()
                    .filter(|a| changed.contains(&a.name))
                    .flat_map(|a| [(format!("{}.txt", a.name), a.text), (format!("{}.json", a.name), a.json + "\n")]),
            );
            Ok(ReportFiles { files, analyses_failed: None })
        }
        Err(e) => Ok(ReportFiles { files, analyses_failed: Some(e) }),
    }
}
