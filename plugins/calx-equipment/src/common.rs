//! Checks shared by the equipment units: numbers that must be positive, efficiencies.

use calx_core::UnitError;

/// Standard acceleration of gravity, m/s2: a defined value (3rd CGPM, 1901; docs/sources.md
/// §Process equipment).
pub(crate) const STANDARD_GRAVITY: f64 = 9.806_65;

/// An efficiency in (0, 1]: zero would make the power infinite, and above 1 is no machine.
pub(crate) fn efficiency(name: &str, x: f64) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be above 0 and at most 1 (100 %), found {x}")))
    }
}

/// A finite number above zero, shown with its SI unit when refused.
pub(crate) fn positive(name: &str, x: f64, unit: &str) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be above zero, found {x} {unit}")))
    }
}
