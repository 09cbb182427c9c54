//! Running a flowsheet's analyses over its converged result: in declaration order, except
//! that an analysis runs after the analyses whose types it reads (TEA after LCA). A project
//! puts its analyses in that order when it is loaded, where a circle of reads is an error
//! with the file position; the runners keep the order for any list they are given.

use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisError, AnalysisOutput, MetricLayout, StudySamples, text};
use calx_flowsheet::ConfiguredAnalysis;

/// An analysis that failed, with its name.
#[derive(Debug, thiserror::Error)]
#[error("analysis `{analysis}`: {source}")]
pub struct AnalysisFailure {
    /// The analysis's name in the flowsheet.
    pub analysis: String,
    /// Why it failed.
    #[source]
    pub source: AnalysisError,
}

/// Indices of `analyses` in the order they must run, or the names of those that read each
/// other's results in a circle.
pub(crate) fn run_order(analyses: &[ConfiguredAnalysis]) -> Result<Vec<usize>, Vec<String>> {
    let mut pending: Vec<usize> = (0..analyses.len()).collect();
    let mut order = Vec::with_capacity(analyses.len());
    while !pending.is_empty() {
        let reads_pending = |a: &ConfiguredAnalysis| {
            a.reads.iter().any(|t| pending.iter().any(|&p| &analyses[p].type_name == t && analyses[p].name != a.name))
        };
        let Some(i) = pending.iter().position(|&p| !reads_pending(&analyses[p])) else {
            return Err(pending.iter().map(|&p| analyses[p].name.clone()).collect());
        };
        order.push(pending.remove(i));
    }
    Ok(order)
}

/// Run every analysis in full (metrics, text, CSV, JSON, report part), each after the
/// analyses it reads.
pub fn run_reports(
    analyses: &[ConfiguredAnalysis],
    result: &FlowsheetResult,
) -> Result<Vec<AnalysisOutput>, AnalysisFailure> {
    let mut done: Vec<AnalysisOutput> = Vec::with_capacity(analyses.len());
    for a in ordered(analyses)? {
        let output = a.analysis.report(result, &done).map_err(|source| failure(a, source))?;
        finite(&output.metrics).map_err(|source| failure(a, source))?;
        done.push(output);
    }
    Ok(done)
}

/// Run every analysis in full, giving each what a study found about its own metrics
/// (`study.metrics` keyed by path `analyses.NAME.METRIC`); an analysis that makes something
/// of them ([`calx_core::Analysis::with_study`], the carbon ledger's uncertainty deduction)
/// reports with them, and every analysis after it runs on its new figures. Also returns the
/// names of the analyses the study changed.
pub fn run_reports_with_study(
    analyses: &[ConfiguredAnalysis],
    result: &FlowsheetResult,
    study: &StudySamples,
) -> Result<(Vec<AnalysisOutput>, Vec<String>), AnalysisFailure> {
    let mut done: Vec<AnalysisOutput> = Vec::with_capacity(analyses.len());
    let mut changed = Vec::new();
    for a in ordered(analyses)? {
        let prefix = format!("analyses.{}.", a.name);
        let mine = StudySamples {
            metrics: study
                .metrics
                .iter()
                .filter_map(|(path, values)| Some((path.strip_prefix(&prefix)?.to_string(), values.clone())))
                .collect(),
            failed: study.failed,
        };
        let with_study = if mine.metrics.is_empty() {
            None
        } else {
            a.analysis.with_study(result, &done, &mine).map_err(|e| failure(a, e))?
        };
        if with_study.is_some() {
            changed.push(a.name.clone());
        }
        let output = match with_study {
            Some(output) => output,
            None => a.analysis.report(result, &done).map_err(|source| failure(a, source))?,
        };
        finite(&output.metrics).map_err(|source| failure(a, source))?;
        done.push(output);
    }
    Ok((done, changed))
}

/// Run every analysis for its figures only (what studies and design loops need): outputs
/// with metrics and nothing else, each after the analyses it reads.
pub fn run_figures(
    analyses: &[ConfiguredAnalysis],
    result: &FlowsheetResult,
) -> Result<Vec<AnalysisOutput>, AnalysisFailure> {
    let mut done: Vec<AnalysisOutput> = Vec::with_capacity(analyses.len());
    for a in ordered(analyses)? {
        let metrics = a.analysis.figures(result, &done).map_err(|source| failure(a, source))?;
        finite(&metrics).map_err(|source| failure(a, source))?;
        done.push(AnalysisOutput::figures_only(&a.name, &a.type_name, metrics));
    }
    Ok(done)
}

/// [`run_figures`] written over `outputs`, the list the previous sample left (what a study's
/// worker keeps), so that a sample allocates nothing for the outputs' names and metrics once
/// the first has run. `layouts` keeps, beside `outputs`, the layout each output's metrics were
/// written in (one per output, grown as needed; see [`calx_core::MetricLayout`]), so that an
/// analysis with a compiled writer finds its names in place and writes values alone.
pub fn run_figures_into(
    analyses: &[ConfiguredAnalysis],
    result: &FlowsheetResult,
    outputs: &mut Vec<AnalysisOutput>,
    layouts: &mut Vec<MetricLayout>,
) -> Result<(), AnalysisFailure> {
    let mut done = 0;
    for a in ordered(analyses)? {
        if outputs.len() == done {
            outputs.push(AnalysisOutput::figures_only(&a.name, &a.type_name, Vec::new()));
        }
        if layouts.len() <= done {
            layouts.resize(done + 1, MetricLayout::default());
        }
        let (earlier, rest) = outputs.split_at_mut(done);
        let out = &mut rest[0];
        if !text::same(&out.name, &a.name) || !text::same(&out.type_name, &a.type_name) {
            out.name.clone_from(&a.name);
            out.type_name.clone_from(&a.type_name);
            layouts[done] = MetricLayout::default();
        }
        // A figures-only output: nothing of a full report (from a list `run_reports` made)
        // may stay beside this sample's metrics.
        out.text.clear();
        out.csv.clear();
        out.json.clear();
        out.report = None;
        let layout = &mut layouts[done];
        a.analysis.figures_laid_out(result, earlier, &mut out.metrics, layout).map_err(|source| failure(a, source))?;
        finite(&out.metrics).map_err(|source| failure(a, source))?;
        done += 1;
    }
    outputs.truncate(done);
    layouts.truncate(done);
    Ok(())
}

/// The analyses in run order. A project's are in that order already (checked at load), so
/// this finds no circle there; a list put together by hand may have one.
fn ordered(analyses: &[ConfiguredAnalysis]) -> Result<Ordered<'_>, AnalysisFailure> {
    // A project's list is in run order already (`Project` sorts it when loaded): checked
    // without allocating, since a study runs its analyses for every sample.
    if in_run_order(analyses) {
        return Ok(Ordered::AsGiven(analyses.iter()));
    }
    let order = run_order(analyses).map_err(|names| AnalysisFailure {
        analysis: names.join(", "),
        source: AnalysisError::Missing("these analyses read each other's results in a circle".into()),
    })?;
    Ok(Ordered::Sorted(analyses, order.into_iter()))
}

/// Whether no analysis reads the type of one listed at or after it (other than itself): the
/// order [`run_order`] would give is then the list's own.
fn in_run_order(analyses: &[ConfiguredAnalysis]) -> bool {
    analyses.iter().enumerate().all(|(i, a)| {
        !a.reads
            .iter()
            .any(|t| analyses[i..].iter().any(|p| text::same(&p.type_name, t) && !text::same(&p.name, &a.name)))
    })
}

/// Analyses in run order: the list itself, or its indices sorted by [`run_order`].
enum Ordered<'a> {
    AsGiven(std::slice::Iter<'a, ConfiguredAnalysis>),
    Sorted(&'a [ConfiguredAnalysis], std::vec::IntoIter<usize>),
}

impl<'a> Iterator for Ordered<'a> {
    type Item = &'a ConfiguredAnalysis;

    fn next(&mut self) -> Option<&'a ConfiguredAnalysis> {
        match self {
            Ordered::AsGiven(it) => it.next(),
            Ordered::Sorted(analyses, order) => order.next().map(|i| &analyses[i]),
        }
    }
}

/// Every metric finite: an analysis (built in or from a plugin) never hands on, or shows, a
/// NaN or an infinity.
fn finite(metrics: &[calx_core::Metric]) -> Result<(), AnalysisError> {
    match metrics.iter().find(|m| !m.value.is_finite()) {
        Some(m) => Err(AnalysisError::NotFinite { metric: m.name.clone(), value: m.value }),
        None => Ok(()),
    }
}

fn failure(a: &ConfiguredAnalysis, source: AnalysisError) -> AnalysisFailure {
    AnalysisFailure { analysis: a.name.clone(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calx_core::{Analysis, Metric, Params};
    use std::sync::Arc;

    /// An analysis that reports one metric of the value it was given.
    struct Reports(f64);

    impl Analysis for Reports {
        fn figures(&self, _: &FlowsheetResult, _: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
            Ok(vec![Metric { name: "m".into(), value: self.0, unit: "kg".into() }])
        }
        fn report(&self, f: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
            Ok(AnalysisOutput::figures_only("a", "reports", self.figures(f, earlier)?))
        }
    }

    fn configured(value: f64) -> ConfiguredAnalysis {
        ConfiguredAnalysis {
            name: "a".into(),
            type_name: "reports".into(),
            reads: Vec::new(),
            params: Params::new(Default::default()),
            analysis: Arc::new(Reports(value)),
        }
    }

    fn lime_plant() -> FlowsheetResult {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let file = root.join("flowsheets/lime-slaking-recycle.yaml");
        let project = crate::Project::load(&file, &crate::LoadOptions::default()).expect("the shipped flowsheet loads");
        project.solve().expect("and solves").result
    }

    /// An analysis named `name` of type `type_name` that reads the types `reads`.
    fn reading(name: &str, type_name: &str, reads: &[&str]) -> ConfiguredAnalysis {
        let mut a = configured(1.0);
        (a.name, a.type_name) = (name.into(), type_name.into());
        a.reads = reads.iter().map(|r| r.to_string()).collect();
        a
    }

    #[test]
    fn analyses_run_after_those_they_read_whatever_the_list_order() {
        let names = |list: &[ConfiguredAnalysis]| -> Vec<String> {
            ordered(list).map(|o| o.map(|a| a.name.clone()).collect()).unwrap_or_default()
        };
        let tea = reading("tea", "tea", &["lca", "carbon"]);
        let (lca, carbon) = (reading("lca", "lca", &[]), reading("carbon", "carbon", &["lca"]));
        // In run order already: as given.
        let given = [lca.clone(), carbon.clone(), tea.clone()];
        assert!(in_run_order(&given));
        assert_eq!(names(&given), ["lca", "carbon", "tea"]);
        // Out of order: sorted, each after what it reads.
        let list = [tea.clone(), carbon.clone(), lca.clone()];
        assert!(!in_run_order(&list));
        assert_eq!(names(&list), ["lca", "carbon", "tea"]);
        // A circle of reads is an error naming both.
        let circle = [reading("x", "x", &["y"]), reading("y", "y", &["x"])];
        let e = ordered(&circle).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("x, y") && e.contains("circle"), "{e}");
    }

    #[test]
    fn a_metric_that_is_not_finite_fails_the_analysis_that_gave_it() {
        let result = lime_plant();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let failure = run_figures(&[configured(bad)], &result).expect_err("figures refuse it");
            assert!(
                matches!(failure.source, AnalysisError::NotFinite { ref metric, .. } if metric == "m"),
                "{failure}"
            );
            assert_eq!(failure.analysis, "a");
            let failure = run_reports(&[configured(bad)], &result).expect_err("reports refuse it");
            assert!(failure.to_string().contains("metric `m` is"), "{failure}");
        }
        let fine = run_reports(&[configured(1.5)], &result).expect("a finite metric passes");
        assert_eq!(fine[0].metrics[0].value, 1.5);
    }
}
