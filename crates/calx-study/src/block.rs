//! A batch of evaluated samples held column-free in flat rows, reused from batch to batch.
//!
//! [`SampleBlock`] keeps a batch's parameter values (n × p numbers) and metrics (n × m
//! numbers) in two flat vectors, and a failure's reason only for the samples that failed (an
//! index list; a successful sample has no text). Workers write each sample's row in place
//! (`Study::run_into`), so results are in index order and the same bits for any thread count;
//! a block filled again with a batch no larger than one it held before allocates nothing per
//! sample, which is what lets the sample path run without the heap in steady state. Consumers
//! (the CSV and Parquet writers, the statistics columns) read it through [`SampleRow`].

use crate::output::Sample;

/// A batch of evaluated samples: flat rows of parameter values and metrics, and the failures.
/// (Compare blocks through their rows: a failed row's metrics are NaN.)
#[derive(Clone, Debug, Default)]
pub struct SampleBlock {
    /// Index of the first sample.
    start: usize,
    /// Number of samples.
    len: usize,
    /// Parameter values per sample (p).
    n_values: usize,
    /// Metrics per sample (m).
    n_metrics: usize,
    /// Row k's values at `k * p .. (k + 1) * p`, in the study's units.
    values: Vec<f64>,
    /// Row k's metrics at `k * m .. (k + 1) * m`; NaN for a failed sample (never read as such).
    metrics: Vec<f64>,
    /// Per row, why it failed (`None` for a success): each worker writes its own rows' slots.
    reasons: Vec<Option<String>>,
    /// Rows (0-based within the block) that failed, ascending.
    failed: Vec<usize>,
}

/// One sample of a block (or of a [`Sample`]), borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleRow<'a> {
    /// Index 0..N in the study.
    pub index: usize,
    /// Parameter values, in the study's units.
    pub values: &'a [f64],
    /// Metric values, or why the sample failed.
    pub outcome: Result<&'a [f64], &'a str>,
}

impl<'a> From<&'a Sample> for SampleRow<'a> {
    fn from(s: &'a Sample) -> SampleRow<'a> {
        SampleRow { index: s.index, values: &s.values, outcome: s.outcome.as_deref().map_err(String::as_str) }
    }
}

impl SampleRow<'_> {
    /// The row as an owned sample.
    pub fn to_sample(&self) -> Sample {
        Sample {
            index: self.index,
            values: self.values.to_vec(),
            outcome: self.outcome.map(<[f64]>::to_vec).map_err(str::to_string),
        }
    }
}

/// The rows of a block being filled, handed to the workers in chunks.
pub(crate) struct Rows<'b> {
    pub(crate) values: &'b mut [f64],
    pub(crate) metrics: &'b mut [f64],
    pub(crate) reasons: &'b mut [Option<String>],
}

impl SampleBlock {
    /// An empty block (it grows to the first batch it holds, and keeps that room).
    pub fn new() -> SampleBlock {
        SampleBlock::default()
    }

    /// Make room for samples `range` with `n_values` values and `n_metrics` metrics each,
    /// forgetting what the block held; returns the rows to fill. Allocates only when the
    /// block never held as many numbers before.
    pub(crate) fn reset(&mut self, range: std::ops::Range<usize>, n_values: usize, n_metrics: usize) -> Rows<'_> {
        let n = range.len();
        self.start = range.start;
        self.len = n;
        self.n_values = n_values;
        self.n_metrics = n_metrics;
        self.values.clear();
        self.values.resize(n * n_values, 0.0);
        self.metrics.clear();
        self.metrics.resize(n * n_metrics, f64::NAN);
        // Dropping last batch's reasons frees their text; the slots themselves are kept.
        self.reasons.clear();
        self.reasons.resize_with(n, || None);
        self.failed.clear();
        Rows { values: &mut self.values, metrics: &mut self.metrics, reasons: &mut self.reasons }
    }

    /// Record which rows failed, once the workers are done (their reasons are in the slots).
    pub(crate) fn index_failures(&mut self) {
        self.failed.extend(self.reasons.iter().enumerate().filter(|(_, r)| r.is_some()).map(|(k, _)| k));
    }

    /// The sample indices the block holds.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the block holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of samples that failed.
    pub fn failed(&self) -> usize {
        self.failed.len()
    }

    /// The failed samples: (sample index, why), in index order.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.failed.iter().map(|&k| (self.start + k, self.reasons[k].as_deref().unwrap_or_default()))
    }

    /// Row `k` of the block (0-based within it, not the sample index).
    pub fn row(&self, k: usize) -> SampleRow<'_> {
        let values = &self.values[k * self.n_values..(k + 1) * self.n_values];
        let outcome = match &self.reasons[k] {
            None => Ok(&self.metrics[k * self.n_metrics..(k + 1) * self.n_metrics]),
            Some(why) => Err(why.as_str()),
        };
        SampleRow { index: self.start + k, values, outcome }
    }

    /// Every sample, in index order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = SampleRow<'_>> + '_ {
        (0..self.len).map(|k| self.row(k))
    }

    /// The samples as owned records (what `Study::run` returns).
    pub fn to_samples(&self) -> Vec<Sample> {
        self.rows().map(|r| r.to_sample()).collect()
    }
}
