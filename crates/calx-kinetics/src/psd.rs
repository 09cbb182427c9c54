//! Particle-size distributions as mass-fraction classes.
//!
//! A reactor's mean conversion over a distribution is the mass-weighted mean of each class's
//! conversion, `X̄ = sum_i w_i X(d_i)`, so a distribution is a list of sizes with mass
//! fractions summing to 1.
//!
//! **Rosin–Rammler** (Rosin and Rammler 1933; the usual fit to crushed and ground minerals):
//! the mass fraction finer than `d` is `F(d) = 1 - exp(-(d / d63)^n)`, `d63` the size 63.2 %
//! of the mass is finer than and `n` the spread (larger is narrower). It is discretised into
//! `m` classes of equal mass `1/m`, each represented by its median size
//! `d_i = d63 (-ln(1 - (i + 1/2)/m))^(1/n)` (the midpoint rule in mass fraction, which
//! converges as `1/m^2` for smooth integrands; the coarsest class's median stands for the
//! unbounded tail).

use crate::KineticsError;
use crate::error::check;

/// Particle sizes (m) with their mass fractions.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeClasses {
    sizes: Vec<f64>,
    fractions: Vec<f64>,
}

impl SizeClasses {
    /// One size, all the mass.
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] unless `size` is finite and positive.
    pub fn single(size: f64) -> Result<Self, KineticsError> {
        Self::discrete(&[size], &[1.0])
    }

    /// Given sizes (m; finite, positive) and mass fractions (finite, non-negative, summing to 1
    /// within `1e-9`), one per size.
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] naming `sizes` or `mass_fractions`.
    pub fn discrete(sizes: &[f64], mass_fractions: &[f64]) -> Result<Self, KineticsError> {
        check(!sizes.is_empty(), "sizes", 0.0, "at least one size")?;
        check(mass_fractions.len() == sizes.len(), "mass_fractions", mass_fractions.len() as f64, "one per size")?;
        for &d in sizes {
            check(d.is_finite() && d > 0.0, "sizes", d, "finite and positive")?;
        }
        for &w in mass_fractions {
            check(w.is_finite() && w >= 0.0, "mass_fractions", w, "finite and non-negative")?;
        }
        let total: f64 = mass_fractions.iter().sum();
        check((total - 1.0).abs() <= 1e-9, "mass_fractions", total, "summing to 1")?;
        Ok(SizeClasses { sizes: sizes.to_vec(), fractions: mass_fractions.to_vec() })
    }

    /// A Rosin–Rammler distribution of characteristic size `d63` (m) and spread `n` in
    /// `classes` classes of equal mass (see the module documentation).
    ///
    /// # Errors
    /// [`KineticsError::InvalidParameter`] unless `d63` and `spread` are finite and positive
    /// and `classes` is at least 1.
    pub fn rosin_rammler(d63: f64, spread: f64, classes: usize) -> Result<Self, KineticsError> {
        check(d63.is_finite() && d63 > 0.0, "d63", d63, "finite and positive")?;
        check(spread.is_finite() && spread > 0.0, "spread", spread, "finite and positive")?;
        check(classes >= 1, "classes", 0.0, "at least 1")?;
        let m = classes as f64;
        let sizes = (0..classes).map(|i| d63 * (-(-(i as f64 + 0.5) / m).ln_1p()).powf(1.0 / spread)).collect();
        Ok(SizeClasses { sizes, fractions: vec![1.0 / m; classes] })
    }

    /// The class sizes, m.
    pub fn sizes(&self) -> &[f64] {
        &self.sizes
    }

    /// The mass fraction of each class.
    pub fn mass_fractions(&self) -> &[f64] {
        &self.fractions
    }

    /// The number of classes.
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    /// Never true: every constructor makes at least one class.
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }
}
