//! Statistics more than one crate must compute the same way: the percentile of study
//! summaries (`calx-study`) is the one the carbon ledger credits (`calx-carbon`), so that a
//! ledger's P5 is the summary's P5.

/// Percentile `p` (0..1) of sorted values, linear between order statistics (Hyndman-Fan 7,
/// position `(n - 1) p`); NaN for no values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}
