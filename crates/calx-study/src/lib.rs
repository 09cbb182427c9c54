//! Parameter studies: Monte Carlo or Latin hypercube uncertainty over unit, feed and analysis
//! parameters (independent, or drawn jointly from a multivariate normal), with summary
//! statistics, Spearman rank correlations and a one-at-a-time tornado; run in parallel (rayon)
//! and bit-identical for any thread count or shard split, because each sample's random numbers
//! depend only on the study seed and its index and each sample starts from the base case
//! (recycle tears warm-started from its converged values).
//!
//! A study file names a flowsheet; every path is checked against that flowsheet, and every
//! distribution against what the model accepts, before any sample runs. Unit and feed
//! parameters are changed through the engine's `Flowsheet::set`; analysis parameters by
//! creating the analysis again from its checked parameters with the one value changed.
//!
//! Code map: [`def`] reads study files, [`study`] resolves paths and evaluates samples into
//! [`block`]s (flat rows, reused from batch to batch, so a sample allocates nothing for its record),
//! [`output`] writes and reads the tables, [`dist`] and [`stats`] are the numerics.
//! This crate does no file I/O: the `calx` command reads and writes the files.

pub mod block;
pub mod def;
pub mod dist;
mod files;
pub mod output;
mod resolve;
pub mod stats;
pub mod study;
mod yaml;

pub use block::{SampleBlock, SampleRow};
pub use def::{Correlated, Parameter, Sampling, StudyDef, Sweep, parse_study};
pub use files::{ReportFiles, report_files};
pub use output::{
    Columns, Outcome, Sample, Tornado, csv_split, merge, parse_samples, samples_csv, samples_header, spearman_csv,
    summary_csv, sweep_csv, tornado_csv, write_samples_csv,
};
pub use resolve::{ResolveError, renormalise};
pub use study::Study;

/// Why a study cannot run or be merged.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The study file is not valid YAML of the supported subset.
    #[error("study file line {line}: {message}")]
    Syntax {
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A field of the study is missing or wrong.
    #[error("study field `{field}`: {message}")]
    Field {
        /// Field path.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A parameter or metric path does not fit the flowsheet.
    #[error("`{path}`: {source}")]
    Path {
        /// The path as written.
        path: String,
        /// What is wrong.
        #[source]
        source: ResolveError,
    },
    /// A fixed `set:` change does not fit the flowsheet file.
    #[error("set: {0}")]
    Set(#[from] calx_flowsheet::SetError),
    /// The flowsheet (with the study's fixed settings) does not load.
    #[error("flowsheet: {0}")]
    Flowsheet(#[source] Box<calx::LoadError>),
    /// The base case does not solve, or its analyses fail.
    #[error("flowsheet: the base case does not solve: {0}")]
    BaseCase(#[source] Box<calx::Error>),
    /// The tornado's base point failed.
    #[error("tornado: the base point failed: {0}")]
    Tornado(String),
    /// Shard outputs do not combine.
    #[error("merge: {0}")]
    Merge(String),
}

impl From<calx::LoadError> for StudyError {
    fn from(e: calx::LoadError) -> StudyError {
        StudyError::Flowsheet(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::lhs_strata;
    use crate::stats;

    #[test]
    fn spearman_matches_a_hand_computed_case() {
        // x ranks 1..5; y ranks 2,1,4,3,5: d^2 = 1+1+1+1+0 = 4, rho = 1 - 6*4/(5*24) = 0.8.
        let rho = stats::spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[20.0, 10.0, 40.0, 30.0, 50.0]);
        assert!((rho - 0.8).abs() < 1e-12, "{rho}");
        assert_eq!(stats::ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn percentiles_interpolate() {
        let s = stats::summary(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((s.mean, s.p50), (3.0, 3.0));
        assert!((s.p5 - 1.2).abs() < 1e-12 && (s.p95 - 4.8).abs() < 1e-12);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn latin_hypercube_uses_each_stratum_once() {
        let strata = lhs_strata(7, 3, 50);
        for p in strata {
            let mut q = p.clone();
            q.sort();
            assert_eq!(q, (0..50).collect::<Vec<u32>>());
        }
    }
}
