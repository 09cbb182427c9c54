//! Bond's third law of comminution, shared by every unit that grinds (`mill`,
//! `magnetic_separation`).
//!
//! W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80)), with W and Wi in the same energy per mass and P80,
//! F80 (80 % passing sizes) in micrometres (Bond 1961; docs/sources.md §Grinding). Wi is per
//! the mass unit it is given in: Bond's tables are per short ton, and the function takes it
//! in SI (J/kg) like every other parameter, so the conversion is the caller's unit system's.

use crate::unit::UnitError;

/// Grinding energy per mass of solids, J/kg, from the work index `work_index` (J/kg) and the
/// 80 % passing sizes `f80` of the feed and `p80` of the product (m). Errors name `p80` (not
/// above zero) or `f80` (not larger than `p80`); non-finite inputs are refused by name.
pub fn bond_specific_energy(work_index: f64, f80: f64, p80: f64) -> Result<f64, UnitError> {
    if !(work_index.is_finite() && work_index >= 0.0) {
        return Err(UnitError::param("work_index", format!("must be zero or more, found {work_index} J/kg")));
    }
    // Bond's law takes sizes in micrometres.
    let (f, p) = (f80 * 1e6, p80 * 1e6);
    if !(p.is_finite() && p > 0.0) {
        return Err(UnitError::param("p80", format!("must be above zero, found {p} um")));
    }
    if !(f.is_finite() && f > p) {
        return Err(UnitError::param(
            "f80",
            format!("({f} um) must be larger than `p80` ({p} um): grinding makes particles smaller"),
        ));
    }
    Ok(10.0 * work_index * (1.0 / p.sqrt() - 1.0 / f.sqrt()))
}
