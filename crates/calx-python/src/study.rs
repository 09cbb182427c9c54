//! `calx.study`'s engine: a study prepared against its flowsheet (`calx_study::Study`), its
//! samples run in batches with the GIL released (a progress callback between batches), its
//! shards merged, and its files made by the same functions as `calx study` writes them with,
//! so the bytes are the same.

use calx_study::{Columns, Sample, SampleBlock, Study};
use pyo3::prelude::*;

use crate::errors::{StudyError, study_error};

/// A study checked against its flowsheet, its base case solved (`calx._native.Study`).
#[pyclass(module = "calx._native", name = "Study", frozen)]
pub struct PyStudy {
    study: Study,
}

/// Evaluated samples, in index order (`calx._native.Samples`).
#[pyclass(module = "calx._native", name = "Samples", frozen)]
pub struct Samples {
    samples: Vec<Sample>,
    n_metrics: usize,
}

/// A whole study's statistics files as (name, text), and the analyses' error, if any.
type StudyFiles = (Vec<(String, String)>, Option<String>);

/// Samples per batch between two progress calls: about a hundredth of the run, so the bar
/// moves smoothly, but at least 64 (each batch is one parallel map) and at most 4096 (the
/// batch of `calx study`). Batches do not change results: each sample depends on its index only.
fn batch_size(n: usize) -> usize {
    (n / 100).clamp(64, 4096)
}

/// A rayon pool of `threads` workers, or none for the global pool (one per core).
fn pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    threads
        .map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start worker threads: {e}")))
        })
        .transpose()
}

/// Run `f` on the pool (or the global one).
fn on<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// A study file's definition; `name` names it in the error.
fn parse(text: &str, name: &str) -> PyResult<calx_study::StudyDef> {
    calx_study::parse_study(text).map_err(|e| StudyError::new_err(format!("{name}: {e}")))
}

#[pymethods]
impl PyStudy {
    /// Check the study (text of a study file) against its flowsheet (text, and its path as
    /// given: relative plugin entries start from its directory) and solve the base case.
    /// `samples` and `seed` override the file's.
    #[new]
    #[pyo3(signature = (study_text, study_name, flowsheet_text, flowsheet_path, samples = None, seed = None, plugins = Vec::new()))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per option.
    fn new(
        py: Python<'_>,
        study_text: &str,
        study_name: &str,
        flowsheet_text: &str,
        flowsheet_path: &str,
        samples: Option<usize>,
        seed: Option<u64>,
        plugins: Vec<std::path::PathBuf>,
    ) -> PyResult<PyStudy> {
        let mut def = parse(study_text, study_name)?;
        if let Some(n) = samples {
            def.samples = n;
        }
        if let Some(s) = seed {
            def.seed = s;
        }
        let options = crate::flowsheet::options(plugins);
        let study = py.detach(|| Study::prepare(def, flowsheet_text, flowsheet_path, &options)).map_err(study_error)?;
        Ok(PyStudy { study })
    }

    /// The flowsheet file a study file (text) names, relative to the study file.
    #[staticmethod]
    fn flowsheet_of(study_text: &str, study_name: &str) -> PyResult<String> {
        Ok(parse(study_text, study_name)?.flowsheet)
    }

    /// The flowsheet file the study names, relative to the study file.
    #[getter]
    fn flowsheet(&self) -> String {
        self.study.def.flowsheet.clone()
    }

    /// The number of samples.
    #[getter]
    fn samples(&self) -> usize {
        self.study.def.samples
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.study.def.seed
    }

    /// The parameter paths, in the order of the samples' columns.
    #[getter]
    fn parameters(&self) -> Vec<String> {
        self.study.def.parameters.iter().map(|p| p.path.clone()).collect()
    }

    /// The metric paths, in the order of the samples' columns.
    #[getter]
    fn metrics(&self) -> Vec<String> {
        self.study.def.metrics.clone()
    }

    /// The sample indices of shard `i` of `n` (0-based), as (start, end).
    fn shard_range(&self, i: usize, n: usize) -> PyResult<(usize, usize)> {
        if n == 0 || i >= n {
            return Err(StudyError::new_err(format!("shard ({i}, {n}): need 0 <= i < n")));
        }
        let r = self.study.shard_range(i, n);
        Ok((r.start, r.end))
    }

    /// Refuse a study too large to run (`whole`: statistics columns are kept for all samples).
    fn check_size(&self, whole: bool) -> PyResult<()> {
        self.study.def.check_size(whole).map_err(study_error)
    }

    /// Run samples `start..end` in parallel with the GIL released, in batches; `progress`
    /// (if given) is called with the number of samples done after each batch. Ctrl-C (or any
    /// signal handler that raises) stops between batches. The workers write each batch into
    /// one reused block (no allocation per sample on the sample path); the samples' records
    /// are made from it on this thread.
    #[pyo3(signature = (start, end, progress = None, threads = None))]
    fn run(
        &self,
        py: Python<'_>,
        start: usize,
        end: usize,
        progress: Option<Py<PyAny>>,
        threads: Option<usize>,
    ) -> PyResult<Samples> {
        let pool = pool(threads)?;
        let n = end.saturating_sub(start);
        let mut samples = Vec::with_capacity(n);
        let mut block = SampleBlock::new();
        for from in (start..end).step_by(batch_size(n)) {
            let to = (from + batch_size(n)).min(end);
            py.detach(|| on(&pool, || self.study.run_into(from..to, &mut block, &|_| {})));
            samples.extend(block.rows().map(|row| row.to_sample()));
            py.check_signals()?;
            if let Some(p) = &progress {
                p.call1(py, (samples.len(),))?;
            }
        }
        Ok(Samples { samples, n_metrics: self.study.def.metrics.len() })
    }

    /// Samples from the text of a `samples.csv` (of a shard, or of `calx study`).
    fn parse(&self, csv: &str) -> PyResult<Samples> {
        let samples = calx_study::parse_samples(&self.study.def, csv).map_err(study_error)?;
        Ok(Samples { samples, n_metrics: self.study.def.metrics.len() })
    }

    /// Merge shards' samples into the whole study's, checking that every index is there once
    /// and that each sample's values are those this study draws for it (bit for bit).
    fn merge(&self, py: Python<'_>, parts: Vec<PyRef<'_, Samples>>) -> PyResult<Samples> {
        let parts: Vec<Vec<Sample>> = parts.iter().map(|p| p.samples.clone()).collect();
        let def = &self.study.def;
        let all = py.detach(|| calx_study::merge(def, parts)).map_err(study_error)?;
        py.detach(|| self.study.verify_values(&all)).map_err(study_error)?;
        Ok(Samples { samples: all, n_metrics: def.metrics.len() })
    }

    /// The files `calx study` writes beside the samples of a whole study (summary, Spearman,
    /// tornado, sweep, and the analyses the samples change), as (name, text), with the
    /// analyses' error when they could not take the samples into account.
    #[pyo3(signature = (samples, threads = None))]
    fn reports(&self, py: Python<'_>, samples: &Samples, threads: Option<usize>) -> PyResult<StudyFiles> {
        let pool = pool(threads)?;
        let columns = Columns::of(&self.study.def, &samples.samples);
        let r = py.detach(|| on(&pool, || calx_study::report_files(&self.study, &columns))).map_err(study_error)?;
        Ok((r.files, r.analyses_failed.map(|e| e.to_string())))
    }

    /// The header line of `samples.csv`.
    fn header(&self) -> String {
        calx_study::samples_header(&self.study.def)
    }
}

#[pymethods]
impl Samples {
    /// The samples as the rows of `samples.csv` (without its header): Rust's shortest
    /// round-trip numbers, so the text reads back bit for bit.
    fn csv(&self) -> String {
        calx_study::samples_csv(&self.samples, self.n_metrics)
    }

    /// How many samples.
    fn __len__(&self) -> usize {
        self.samples.len()
    }

    /// How many failed.
    #[getter]
    fn failed(&self) -> usize {
        self.samples.iter().filter(|s| s.outcome.is_err()).count()
    }
}
