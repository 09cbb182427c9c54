//! Deterministic multi-start points: SplitMix64 draws mapped into each free parameter's range.
//!
//! SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators") is
//! a few lines, passes BigCrush, and gives the same sequence on every platform, which is all a
//! handful of start points needs.

use crate::{Parameter, Transform};

/// The SplitMix64 generator.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, from the top 53 bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The internal range `[lo, hi]` starts are drawn from for one parameter (see
/// [`crate::FitOptions::starts`]).
fn draw_range(p: &Parameter) -> (f64, f64) {
    let (lower, upper) = p.internal_bounds();
    let z0 = p.to_internal(p.start);
    let half = match p.transform {
        Transform::Linear => 10.0 * p.start.abs().max(1.0),
        Transform::Log => 2.0 * std::f64::consts::LN_10,
    };
    let lo = if lower.is_finite() { lower } else { (z0 - half).min(upper) };
    let hi = if upper.is_finite() { upper } else { (z0 + half).max(lower) };
    (lo.max(lower), hi.min(upper))
}

/// `count` start points (internal coordinates of the free parameters `free`), drawn from
/// `seed`.
pub(crate) fn draw(parameters: &[Parameter], free: &[usize], count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SplitMix64::new(seed);
    let ranges: Vec<(f64, f64)> = free.iter().map(|&i| draw_range(&parameters[i])).collect();
    (0..count)
        .map(|_| ranges.iter().map(|&(lo, hi)| (lo + rng.next_f64() * (hi - lo)).clamp(lo, hi)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs for seed 1234567 of the reference C implementation (Vigna's
        // splitmix64.c), as listed on Rosetta Code, "Pseudo-random numbers/Splitmix64".
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn draws_stay_inside_the_bounds_and_are_log_uniform_for_log_parameters() {
        let params =
            vec![Parameter::new("a", 1.0).bounded(-2.0, 3.0), Parameter::new("k", 1.0).log().bounded(1e-4, 1e2)];
        let starts = draw(&params, &[0, 1], 2000, 7);
        assert!(starts.iter().all(|s| (-2.0..=3.0).contains(&s[0])));
        assert!(starts.iter().all(|s| s[1] >= 1e-4f64.ln() && s[1] <= 1e2f64.ln()));
        // Log-uniform over six decades: about half the draws below the geometric middle, 0.1.
        let below = starts.iter().filter(|s| s[1] < 0.1f64.ln()).count();
        assert!((900..1100).contains(&below), "{below}");
    }
}
