//! The uncertainty deduction: a study's samples of the credited tonnes, their spread, and the
//! profile's conservativeness rule applied to them. Without a study there is no deduction,
//! and the ledger says so.
//!
//! Percentiles are by linear interpolation between order statistics (position `(n - 1) p`,
//! `calx_core::stats::percentile`), the definition `calx study` uses for its summary, so the
//! ledger's P5 is the summary's P5 when no sample failed. A sample that failed (a plant that did not solve)
//! earns nothing: it enters the spread as zero credited tonnes, so that failures clustered
//! where credits are low cannot raise the percentile credited.

use calx_core::stats::percentile;
use serde::Serialize;

use crate::config::FigureInUse;

/// The spread of the credited tonnes over a study, and the deduction made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertainty {
    /// Successful samples.
    pub samples: usize,
    /// Failed samples, counted as zero credited tonnes.
    pub failed: usize,
    /// 5th percentile, t CO2/yr.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean.
    pub mean: f64,
    /// Coefficient of variation (standard deviation over mean; `None` with a mean of zero or
    /// one sample).
    pub cv: Option<f64>,
    /// The percentile the profile credits (`None`: its rule is `none`).
    pub percentile: Option<f64>,
    /// Its value.
    pub at_percentile: Option<f64>,
    /// Tonnes deducted from the central figure.
    pub deduction: f64,
    /// Credited after the deduction, t CO2/yr.
    pub credited: f64,
}

/// Why no deduction could be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum UncertaintyError {
    /// The study has no successful sample of the credited tonnes.
    #[error("the study has no successful sample of `credited_per_year`")]
    NoSamples,
    /// A sample is not finite.
    #[error("sample {index} of `credited_per_year` is {value}")]
    NotFinite {
        /// Its index among the successful samples.
        index: usize,
        /// Its value.
        value: f64,
    },
}

/// The deduction from `central` (t CO2/yr, the base case) given a study's successful `samples`
/// of the same figure, the number of samples that `failed`, and the profile's percentile rule
/// (`None`: no deduction required).
pub fn deduct(
    central: f64,
    samples: &[f64],
    failed: usize,
    rule: Option<&FigureInUse>,
) -> Result<Uncertainty, UncertaintyError> {
    if samples.is_empty() {
        return Err(UncertaintyError::NoSamples);
    }
    if let Some((index, &value)) = samples.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(UncertaintyError::NotFinite { index, value });
    }
    let mut sorted: Vec<f64> = samples.iter().copied().chain(std::iter::repeat_n(0.0, failed)).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let sd = (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let cv = (sorted.len() > 1 && mean != 0.0).then(|| sd / mean.abs());
    let percentile_rule = rule.map(|r| r.value);
    let at_percentile = percentile_rule.map(|p| percentile(&sorted, p / 100.0));
    // The rule credits the percentile when it is below the base case, never more.
    let credited = at_percentile.map_or(central, |v| v.min(central).max(0.0));
    Ok(Uncertainty {
        samples: samples.len(),
        failed,
        p5: percentile(&sorted, 0.05),
        p50: percentile(&sorted, 0.5),
        p95: percentile(&sorted, 0.95),
        mean,
        cv,
        percentile: percentile_rule,
        at_percentile,
        deduction: central - credited,
        credited,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(p: f64) -> FigureInUse {
        FigureInUse { value: p, source: "test".into(), given_by: "flowsheet" }
    }

    #[test]
    fn the_percentile_is_credited_when_below_the_base_case() {
        // 0, 1, ..., 100: the p-th percentile is p itself.
        let samples: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let u = deduct(60.0, &samples, 0, Some(&rule(5.0))).expect("samples");
        assert_eq!((u.p5, u.p50, u.p95), (5.0, 50.0, 95.0));
        assert_eq!(u.at_percentile, Some(5.0));
        assert_eq!((u.credited, u.deduction), (5.0, 55.0));
        // A base case below the percentile is not raised.
        let u = deduct(3.0, &samples, 0, Some(&rule(5.0))).expect("samples");
        assert_eq!((u.credited, u.deduction), (3.0, 0.0));
        // No rule: the spread is reported, nothing deducted.
        let u = deduct(60.0, &samples, 0, None).expect("samples");
        assert_eq!((u.credited, u.deduction, u.at_percentile), (60.0, 0.0, None));
    }

    #[test]
    fn interpolation_between_order_statistics() {
        // Four samples: position 3 x 0.05 = 0.15 between the first two.
        let u = deduct(10.0, &[4.0, 1.0, 3.0, 2.0], 0, Some(&rule(5.0))).expect("samples");
        assert!((u.p5 - 1.15).abs() < 1e-15, "{}", u.p5);
        assert!((u.p50 - 2.5).abs() < 1e-15);
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((u.cv.expect("cv") - sd / 2.5).abs() < 1e-15);
    }

    #[test]
    fn failed_samples_count_as_zero_credits() {
        // 19 successes of 10 t and one failure: the P5 of 20 values is 0.95 of the way from
        // the failure's 0 to 10, where a study that forgot the failure would credit 10.
        let u = deduct(10.0, &[10.0; 19], 1, Some(&rule(5.0))).expect("samples");
        assert_eq!((u.samples, u.failed), (19, 1));
        assert!((u.credited - 9.5).abs() < 1e-12, "{}", u.credited);
        assert_eq!(deduct(10.0, &[10.0; 19], 0, Some(&rule(5.0))).expect("samples").credited, 10.0);
    }

    #[test]
    fn no_or_bad_samples_are_errors() {
        assert_eq!(deduct(1.0, &[], 0, None), Err(UncertaintyError::NoSamples));
        let err = deduct(1.0, &[1.0, f64::NAN], 0, None).expect_err("a NaN sample is refused");
        assert!(matches!(err, UncertaintyError::NotFinite { index: 1, .. }), "{err}");
    }
}
