//! Random numbers and distributions: a SplitMix64 generator seeded per sample (so a sample's
//! values depend only on the study seed and its index, never on threads or shards), Latin
//! hypercube strata, and inverse cumulative distribution functions with optional truncation.

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast and statistically sound for this use.
#[derive(Clone, Debug)]
pub struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for stream `stream` of study seed `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed ^ mix(stream.wrapping_add(0x9e37_79b9_7f4a_7c15))))
    }
    /// Next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Uniform integer in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

/// For each of `dims` dimensions, a permutation of 0..n (Latin hypercube strata), fixed by
/// the seed alone.
pub fn lhs_strata(seed: u64, dims: usize, n: usize) -> Vec<Vec<u32>> {
    (0..dims)
        .map(|d| {
            let mut rng = Rng::new(seed, u64::MAX - d as u64);
            let mut p: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                p.swap(i, rng.below(i + 1));
            }
            p
        })
        .collect()
}

/// A distribution of one parameter, in the parameter's study unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform on [low, high].
    Uniform {
        /// Low end.
        low: f64,
        /// High end.
        high: f64,
    },
    /// Triangular.
    Triangular {
        /// Low end.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// High end.
        high: f64,
    },
    /// PERT (beta with shape 4 between low and high).
    Pert {
        /// Low end.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// High end.
        high: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal: the logarithm is normal with `mu`, `sigma`; given as median and geometric
    /// standard deviation in files.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

/// A distribution with optional truncation to [min, max].
#[derive(Clone, Debug, PartialEq)]
pub struct Truncated {
    /// The distribution.
    pub dist: Distribution,
    /// Lower truncation.
    pub min: Option<f64>,
    /// Upper truncation.
    pub max: Option<f64>,
}

impl Distribution {
    /// Inverse CDF.
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => low + u * (high - low),
            Distribution::Triangular { low, mode, high } => {
                let f = (mode - low) / (high - low);
                if u < f {
                    low + (u * (high - low) * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
                }
            }
            Distribution::Pert { low, mode, high } => {
                let (a, b) = pert_shape(low, mode, high);
                low + (high - low) * beta_quantile(u, a, b)
            }
            Distribution::Normal { mean, sd } => mean + sd * normal_quantile(u),
            Distribution::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(u)).exp(),
        }
    }
    /// CDF.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Distribution::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
            Distribution::Pert { low, mode, high } => {
                let (a, b) = pert_shape(low, mode, high);
                beta_cdf(((x - low) / (high - low)).clamp(0.0, 1.0), a, b)
            }
            Distribution::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Distribution::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
        }
    }
    /// Smallest and largest values it can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::Pert { low, high, .. } => (low, high),
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
        }
    }
}

impl Truncated {
    /// Inverse CDF of the truncated distribution.
    pub fn quantile(&self, u: f64) -> f64 {
        let lo = self.min.map_or(0.0, |m| self.dist.cdf(m));
        let hi = self.max.map_or(1.0, |m| self.dist.cdf(m));
        let x = self.dist.quantile(lo + u * (hi - lo));
        let (a, b) = self.support();
        x.clamp(a, b)
    }
    /// Smallest and largest values it can produce.
    pub fn support(&self) -> (f64, f64) {
        let (a, b) = self.dist.support();
        (self.min.map_or(a, |m| m.max(a)), self.max.map_or(b, |m| m.min(b)))
    }
}

/// A multivariate normal distribution of a group of parameters (each in its study unit):
/// its mean vector, its covariance matrix and the lower-triangular Cholesky factor `L` of the
/// covariance (`L Lᵀ = Σ`), computed once. A standard normal vector `z` maps to `mean + L z`.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiNormal {
    /// Mean of each parameter.
    pub mean: Vec<f64>,
    /// Covariance matrix (symmetric, positive definite), in the parameters' units.
    pub covariance: Vec<Vec<f64>>,
    /// Lower Cholesky factor of the covariance (row `i` holds `L[i][0..=i]`, zeros above).
    pub cholesky: Vec<Vec<f64>>,
    /// Per parameter: whether its mean and covariance are of its natural logarithm (`scale:
    /// log`), so its value is `exp` of the normal draw (a lognormal marginal, always positive:
    /// a fitted rate constant).
    pub log: Vec<bool>,
}

/// Relative asymmetry a covariance matrix may have (rounding in the program that wrote it):
/// `|Σij - Σji|` at most this times `sqrt(Σii Σjj)`.
pub const SYMMETRY_TOLERANCE: f64 = 1e-9;

/// Why a mean and covariance do not make a multivariate normal distribution.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MultiNormalError {
    /// The covariance is not a k×k matrix for k means.
    #[error("{0}")]
    Shape(String),
    /// An entry is not a finite number.
    #[error("entry [{0}][{1}] is not a finite number")]
    NotFinite(usize, usize),
    /// A variance is not positive.
    #[error("the variance [{0}][{0}] must be positive, found {1}")]
    Variance(usize, f64),
    /// `Σij` and `Σji` differ.
    #[error("the matrix is not symmetric: [{0}][{1}] = {2} but [{1}][{0}] = {3}")]
    Asymmetric(usize, usize, f64, f64),
    /// The Cholesky factorisation fails at row `0`.
    #[error(
        "the matrix is not positive definite (the Cholesky factorisation fails at row {0}): no distribution has \
         these variances and covariances; a correlation of ±1, or entries rounded or taken from different fits, \
         do this"
    )]
    NotPositiveDefinite(usize),
}

impl MultiNormal {
    /// Check a mean vector and covariance matrix and factorise the covariance. The matrix
    /// must be square, of the means' size, finite, symmetric (to [`SYMMETRY_TOLERANCE`]; the
    /// mean of the two entries is used) and positive definite.
    pub fn new(mean: Vec<f64>, covariance: Vec<Vec<f64>>) -> Result<MultiNormal, MultiNormalError> {
        let k = mean.len();
        if k == 0 {
            return Err(MultiNormalError::Shape("give at least one parameter".into()));
        }
        if covariance.len() != k || covariance.iter().any(|row| row.len() != k) {
            let rows: Vec<String> = covariance.iter().map(|r| r.len().to_string()).collect();
            return Err(MultiNormalError::Shape(format!(
                "the covariance must be a {k}×{k} matrix ({k} parameters and means), found {} rows of {} entries",
                covariance.len(),
                rows.join(", ")
            )));
        }
        for (i, row) in covariance.iter().enumerate() {
            if let Some(j) = row.iter().position(|x| !x.is_finite()) {
                return Err(MultiNormalError::NotFinite(i, j));
            }
            if covariance[i][i] <= 0.0 {
                return Err(MultiNormalError::Variance(i, covariance[i][i]));
            }
        }
        let mut sym = covariance.clone();
        for i in 0..k {
            for j in 0..i {
                let (a, b) = (covariance[i][j], covariance[j][i]);
                if (a - b).abs() > SYMMETRY_TOLERANCE * (covariance[i][i] * covariance[j][j]).sqrt() {
                    return Err(MultiNormalError::Asymmetric(i, j, a, b));
                }
                sym[i][j] = 0.5 * (a + b);
                sym[j][i] = sym[i][j];
            }
        }
        let cholesky = cholesky(&sym).map_err(MultiNormalError::NotPositiveDefinite)?;
        let log = vec![false; k];
        Ok(MultiNormal { mean, covariance: sym, cholesky, log })
    }
    /// The same distribution with the parameters flagged in `log` on a log scale (see
    /// [`MultiNormal::log`]); `log` has one flag per parameter.
    pub fn with_log_scale(mut self, log: Vec<bool>) -> MultiNormal {
        debug_assert_eq!(log.len(), self.mean.len());
        self.log = log;
        self
    }
    /// Parameter `i`'s value `sds` standard deviations from the mean of its normal (its
    /// median on a log scale at 0).
    pub fn value_at(&self, i: usize, sds: f64) -> f64 {
        let x = self.mean[i] + sds * self.sd(i);
        if self.log[i] { x.exp() } else { x }
    }
    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.mean.len()
    }
    /// Whether it has no parameters (never, for one built by [`MultiNormal::new`]).
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }
    /// Standard deviation of parameter `i`.
    pub fn sd(&self, i: usize) -> f64 {
        self.covariance[i][i].sqrt()
    }
    /// The marginal distribution of parameter `i`: normal with its mean and standard
    /// deviation, or lognormal on a log scale.
    pub fn marginal(&self, i: usize) -> Distribution {
        if self.log[i] {
            Distribution::LogNormal { mu: self.mean[i], sigma: self.sd(i) }
        } else {
            Distribution::Normal { mean: self.mean[i], sd: self.sd(i) }
        }
    }
    /// `mean + L z` for a vector `z` of standard normal values (then `exp` for the
    /// parameters on a log scale).
    pub fn transform(&self, z: &[f64]) -> Vec<f64> {
        let mut x = vec![0.0; self.mean.len()];
        self.transform_into(z, &mut x);
        x
    }
    /// [`MultiNormal::transform`] written over `out`.
    pub fn transform_into(&self, z: &[f64], out: &mut [f64]) {
        for (x, ((m, row), &log)) in out.iter_mut().zip(self.mean.iter().zip(&self.cholesky).zip(&self.log)) {
            let sum = m + row.iter().zip(z).map(|(l, z)| l * z).sum::<f64>();
            *x = if log { sum.exp() } else { sum };
        }
    }
    /// The values for uniform numbers `u` in (0, 1), one per parameter: each mapped to a
    /// standard normal by [`normal_quantile`], then [`MultiNormal::transform`]ed. Stratified
    /// or low-discrepancy `u` keep their structure in `z`.
    pub fn sample(&self, u: &[f64]) -> Vec<f64> {
        let mut z = u.to_vec();
        let mut x = vec![0.0; self.mean.len()];
        self.sample_into(&mut z, &mut x);
        x
    }
    /// [`MultiNormal::sample`] written over `out`, with `u` turned into the standard normals
    /// in place (no allocation, for the sample path).
    pub fn sample_into(&self, u: &mut [f64], out: &mut [f64]) {
        for u in u.iter_mut() {
            *u = normal_quantile(*u);
        }
        self.transform_into(u, out);
    }
}

/// Lower Cholesky factor of a symmetric matrix, or the row at which it is found not to be
/// positive definite (a pivot not above 1e-12 of its diagonal entry: a singular matrix
/// rounded to a tiny positive pivot is refused too).
pub fn cholesky(a: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, usize> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d.is_nan() || d <= 1e-12 * a[i][i] {
                    return Err(i);
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Ok(l)
}

fn pert_shape(low: f64, mode: f64, high: f64) -> (f64, f64) {
    (1.0 + 4.0 * (mode - low) / (high - low), 1.0 + 4.0 * (high - mode) / (high - low))
}

/// Standard normal CDF, through erfc (Numerical Recipes' Chebyshev fit, relative error below
/// 1.2e-7, enough for truncation bounds).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal quantile (Acklam's rational approximation, relative error 1.15e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

fn ln_gamma(x: f64) -> f64 {
    // Lanczos (g = 7, n = 9).
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.5203681218851,
        -1259.1392167224028,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507343278686905,
        -0.13857109526572012,
        9.984_369_578_019_572e-6,
        1.5056327351493116e-7,
    ];
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized incomplete beta function (continued fraction, Numerical Recipes `betai`).
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) { front * beta_cf(x, a, b) / a } else { 1.0 - front * beta_cf(1.0 - x, b, a) / b }
}

fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Inverse of [`beta_cdf`] by bisection (to about 1e-15 in x).
pub fn beta_quantile(u: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if beta_cdf(mid, a, b) < u { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_invert_cdfs() {
        let dists = [
            Distribution::Uniform { low: 1.0, high: 3.0 },
            Distribution::Triangular { low: 0.0, mode: 1.0, high: 4.0 },
            Distribution::Pert { low: 0.0, mode: 1.0, high: 4.0 },
            Distribution::Normal { mean: 2.0, sd: 0.5 },
            Distribution::LogNormal { mu: 0.3, sigma: 0.2 },
        ];
        for d in dists {
            for u in [0.01, 0.2, 0.5, 0.9, 0.99] {
                let x = d.quantile(u);
                assert!((d.cdf(x) - u).abs() < 1e-6, "{d:?} at {u}: {}", d.cdf(x));
            }
        }
        assert!((normal_quantile(0.975) - 1.959963985).abs() < 1e-8);
    }

    #[test]
    fn truncation_stays_inside() {
        let t = Truncated { dist: Distribution::Normal { mean: 0.9, sd: 0.2 }, min: None, max: Some(1.0) };
        assert_eq!(t.support(), (f64::NEG_INFINITY, 1.0));
        for u in [0.0001, 0.5, 0.9999] {
            assert!(t.quantile(u) <= 1.0);
        }
    }
    #[test]
    fn the_cholesky_factor_rebuilds_the_covariance() {
        let cov = vec![vec![4.0, 1.2, -0.6], vec![1.2, 1.0, 0.3], vec![-0.6, 0.3, 2.25]];
        let m = MultiNormal::new(vec![1.0, 2.0, 3.0], cov.clone()).unwrap_or_else(|e| panic!("{e}"));
        // A hand-computed entry: L = [[2], [0.6, 0.8], ...].
        assert!((m.cholesky[1][0] - 0.6).abs() < 1e-15 && (m.cholesky[1][1] - 0.8).abs() < 1e-15);
        for (i, row) in cov.iter().enumerate() {
            assert!(m.cholesky[i][i + 1..].iter().all(|x| *x == 0.0), "{:?}", m.cholesky);
            for (j, c) in row.iter().enumerate() {
                let llt: f64 = m.cholesky[i].iter().zip(&m.cholesky[j]).map(|(a, b)| a * b).sum();
                assert!((llt - c).abs() < 1e-14, "[{i}][{j}]: {llt}");
            }
        }
        // u = 1/2 is the mean; z = e1 moves along the first column of L.
        assert_eq!(m.sample(&[0.5, 0.5, 0.5]), vec![1.0, 2.0, 3.0]);
        let x = m.transform(&[1.0, 0.0, 0.0]);
        assert!(x.iter().zip([3.0, 2.6, 2.7]).all(|(a, b)| (a - b).abs() < 1e-14), "{x:?}");
        assert_eq!(m.marginal(2), Distribution::Normal { mean: 3.0, sd: 1.5 });
    }

    #[test]
    fn bad_covariances_are_refused() {
        let new = |c: Vec<Vec<f64>>| MultiNormal::new(vec![0.0, 0.0], c);
        assert!(matches!(new(vec![vec![1.0, 0.5], vec![0.4, 1.0]]), Err(MultiNormalError::Asymmetric(1, 0, ..))));
        // Asymmetric by rounding only: accepted, and made symmetric.
        let m = new(vec![vec![1.0, 0.5], vec![0.5 + 1e-12, 1.0]]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.covariance[0][1], m.covariance[1][0]);
        // Correlation above 1, and exactly 1.
        assert_eq!(new(vec![vec![1.0, 1.1], vec![1.1, 1.0]]), Err(MultiNormalError::NotPositiveDefinite(1)));
        assert_eq!(new(vec![vec![4.0, 2.0], vec![2.0, 1.0]]), Err(MultiNormalError::NotPositiveDefinite(1)));
        assert!(matches!(new(vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]), Err(MultiNormalError::Shape(_))));
        assert!(matches!(new(vec![vec![1.0], vec![0.0, 1.0]]), Err(MultiNormalError::Shape(_))));
        assert_eq!(new(vec![vec![0.0, 0.0], vec![0.0, 1.0]]), Err(MultiNormalError::Variance(0, 0.0)));
        assert_eq!(new(vec![vec![1.0, f64::NAN], vec![0.0, 1.0]]), Err(MultiNormalError::NotFinite(0, 1)));
        let e = new(vec![vec![1.0, 2.0], vec![2.0, 1.0]]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not positive definite"), "{e}");
    }
}
