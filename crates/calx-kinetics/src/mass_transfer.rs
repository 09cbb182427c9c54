//! The gas–liquid mass-transfer cap on CO2 uptake in a slurry.
//!
//! CO2 reaches dissolved reactants through the liquid film at the rate (two-film theory,
//! liquid side controlling, as for a sparingly soluble gas):
//! `N = kLa (C* - C) V` (mol/s), with `kLa` the volumetric mass-transfer coefficient (1/s),
//! `C*` the dissolved concentration in equilibrium with the gas (mol/m3, Henry's law),
//! `C` the bulk dissolved concentration (mol/m3) and `V` the liquid volume (m3).
//!
//! At steady state the solids consume what the film delivers: with a demand `R(C)` (mol/s)
//! that increases with `C`, the bulk concentration settles where `R(C) = kLa (C* - C) V`. The
//! left side increases and the right decreases, so there is one such `C` in `[0, C*]`
//! (found by Brent's method); if the demand exceeds the film's capacity even at `C = 0`, the
//! uptake is transfer-limited at `kLa C* V` with `C = 0`.

use calx_solver::{ScalarOptions, solve_bracketed};

use crate::KineticsError;
use crate::error::check;

/// The most CO2 the liquid film delivers, mol/s: `kLa (C* - C) V`. Negative when `C > C*`
/// (the liquid is supersaturated and CO2 desorbs).
///
/// # Errors
/// [`KineticsError::InvalidParameter`] unless `kla`, `c_sat` and `volume` are finite and
/// non-negative and `c` is finite and non-negative.
pub fn transfer_capacity(kla: f64, c_sat: f64, c: f64, volume: f64) -> Result<f64, KineticsError> {
    check_transfer(kla, c_sat, volume)?;
    check(c.is_finite() && c >= 0.0, "c", c, "finite and non-negative")?;
    Ok(kla * (c_sat - c) * volume)
}

/// The steady state of film transfer against a demand: uptake and bulk concentration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransferBalance {
    /// CO2 transferred and consumed, mol/s.
    pub uptake: f64,
    /// Bulk dissolved CO2, mol/m3.
    pub concentration: f64,
}

/// Finds the bulk concentration `C` in `[0, C*]` where the demand `demand(C)` (mol/s,
/// non-decreasing in `C`, non-negative) equals the film transfer `kLa (C* - C) V`, and returns
/// it with the uptake (see the module documentation). Converged to `1e-10` of `kLa C* V`.
///
/// # Errors
/// [`KineticsError::InvalidParameter`] for invalid transfer parameters or a demand that is
/// negative at `C*`; [`KineticsError::RootSearch`] if the demand is not finite or not
/// monotone enough to bracket the balance.
pub fn transfer_limited_uptake<D>(
    kla: f64,
    c_sat: f64,
    volume: f64,
    mut demand: D,
) -> Result<TransferBalance, KineticsError>
where
    D: FnMut(f64) -> f64,
{
    check_transfer(kla, c_sat, volume)?;
    let capacity = kla * c_sat * volume;
    if capacity == 0.0 {
        // Nothing is delivered, so the solids use up what is dissolved.
        return Ok(TransferBalance { uptake: 0.0, concentration: 0.0 });
    }
    let at_saturation = demand(c_sat);
    check(at_saturation >= 0.0, "demand", at_saturation, "non-negative at saturation")?;
    let balance = |c: f64| Ok::<f64, KineticsError>(demand(c) - kla * (c_sat - c) * volume);
    let options = ScalarOptions { abs_tol: 1e-10 * capacity, rel_tol: 0.0, ..ScalarOptions::default() };
    let mut balance = balance;
    let at_zero = balance(0.0)?;
    if at_zero >= 0.0 {
        return Ok(TransferBalance { uptake: capacity, concentration: 0.0 });
    }
    let report = solve_bracketed(&mut balance, 0.0, c_sat, capacity, &options).map_err(KineticsError::from_solver)?;
    Ok(TransferBalance { uptake: kla * (c_sat - report.x) * volume, concentration: report.x })
}

fn check_transfer(kla: f64, c_sat: f64, volume: f64) -> Result<(), KineticsError> {
    check(kla.is_finite() && kla >= 0.0, "kla", kla, "finite and non-negative")?;
    check(c_sat.is_finite() && c_sat >= 0.0, "c_sat", c_sat, "finite and non-negative")?;
    check(volume.is_finite() && volume >= 0.0, "volume", volume, "finite and non-negative")
}
