//! Heat capacities, enthalpies and the temperature that matches an enthalpy.
//!
//! Enthalpy reference: elements in their standard state at 298.15 K, so that a component's
//! enthalpy is its formation enthalpy plus sensible heat, and reaction heats follow from
//! formation enthalpies without separate data. Heat capacities are NIST Shomate polynomials
//! (Cp = A + B t + C t^2 + D t^3 + E / t^2, t = T/1000 K, J/(mol K)) or constants.
//! Outside a Shomate range the nearest range is extrapolated: process temperatures here
//! (280-400 K) sit at the edge of several 298 K lower limits, and the error is far below the
//! data's own uncertainty.

use serde::{Deserialize, Serialize};

use crate::component::ComponentSet;
use crate::error::{Error, Result};

/// Reference temperature of formation enthalpies, K.
pub const T_REF: f64 = 298.15;

/// One temperature range of a Shomate fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShomateRange {
    /// Lower bound of validity, K.
    pub t_min: f64,
    /// Upper bound of validity, K.
    pub t_max: f64,
    /// Coefficients A..E as printed by NIST (J/(mol K) with t = T/1000).
    pub coefficients: [f64; 5],
}

impl ShomateRange {
    fn cp(&self, t_kelvin: f64) -> f64 {
        let t = t_kelvin / 1000.0;
        let [a, b, c, d, e] = self.coefficients;
        a + b * t + c * t * t + d * t * t * t + e / (t * t)
    }

    /// Antiderivative of Cp in J/mol (NIST's H - H298 without F - H, which cancel).
    fn h(&self, t_kelvin: f64) -> f64 {
        let t = t_kelvin / 1000.0;
        let [a, b, c, d, e] = self.coefficients;
        1000.0 * (a * t + b * t * t / 2.0 + c * t.powi(3) / 3.0 + d * t.powi(4) / 4.0 - e / t)
    }
}

/// A heat-capacity model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HeatCapacity {
    /// Constant molar heat capacity, J/(mol K).
    Constant {
        /// Cp in J/(mol K).
        cp: f64,
    },
    /// Constant specific heat capacity, J/(kg K) (pseudo-components without a molar mass).
    ConstantMass {
        /// cp in J/(kg K).
        cp: f64,
    },
    /// NIST Shomate ranges, sorted by temperature, contiguous.
    Shomate {
        /// The ranges.
        ranges: Vec<ShomateRange>,
    },
}

impl HeatCapacity {
    /// Heat capacity at `t` (J/(mol K), or J/(kg K) for [`HeatCapacity::ConstantMass`]).
    pub fn cp(&self, t: f64) -> f64 {
        match self {
            HeatCapacity::Constant { cp } | HeatCapacity::ConstantMass { cp } => *cp,
            HeatCapacity::Shomate { ranges } => range_at(ranges, t).map_or(0.0, |r| r.cp(t)),
        }
    }

    /// Sensible heat from [`T_REF`] to `t` (J/mol, or J/kg for `ConstantMass`).
    pub fn sensible_heat(&self, t: f64) -> f64 {
        match self {
            HeatCapacity::Constant { cp } | HeatCapacity::ConstantMass { cp } => cp * (t - T_REF),
            // At the reference temperature there is nothing to integrate: the loop below adds
            // no range and gives +0.0, which is returned without visiting the ranges (most
            // feeds enter at 25 degC, exactly T_REF).
            HeatCapacity::Shomate { .. } if t == T_REF => 0.0,
            HeatCapacity::Shomate { ranges } => {
                // Integrate piecewise over the ranges between T_REF and t.
                let (lo, hi, sign) = if t >= T_REF { (T_REF, t, 1.0) } else { (t, T_REF, -1.0) };
                let mut total = 0.0;
                for (i, r) in ranges.iter().enumerate() {
                    let a = if i == 0 { f64::NEG_INFINITY } else { r.t_min };
                    let b = if i + 1 == ranges.len() { f64::INFINITY } else { r.t_max };
                    let (x0, x1) = (lo.max(a), hi.min(b));
                    if x1 > x0 {
                        total += r.h(x1) - r.h(x0);
                    }
                }
                sign * total
            }
        }
    }
}

fn range_at(ranges: &[ShomateRange], t: f64) -> Option<&ShomateRange> {
    ranges.iter().find(|r| t <= r.t_max).or_else(|| ranges.last())
}

/// Enthalpy flow in W of component mass flows `flows` (kg/s) at temperature `t`.
/// Components with zero flow need no data.
///
/// # Errors
/// A component without the data, or a result that is not finite (a temperature or flow far
/// outside any data, which would otherwise travel on as NaN).
pub fn enthalpy_flow(set: &ComponentSet, flows: &[f64], t: f64) -> Result<f64> {
    let mut h = 0.0;
    for (c, &w) in set.iter().zip(flows) {
        if w != 0.0 {
            h += w * c.specific_enthalpy(t)?;
        }
    }
    finite(h, "enthalpy flow", "W", t)
}

/// Heat-capacity flow in W/K at `t`.
///
/// # Errors
/// As [`enthalpy_flow`].
pub fn heat_capacity_flow(set: &ComponentSet, flows: &[f64], t: f64) -> Result<f64> {
    let mut cp = 0.0;
    for (c, &w) in set.iter().zip(flows) {
        if w != 0.0 {
            cp += w * c.specific_heat_capacity(t)?;
        }
    }
    finite(cp, "heat-capacity flow", "W/K", t)
}

fn finite(value: f64, what: &str, unit: &str, t: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::EnergyBalance { reason: format!("the {what} at {t} K is {value} {unit}") })
    }
}

/// The temperature at which `flows` carry the enthalpy flow `h_target` (W), found by Newton
/// steps safeguarded by bisection in [`T_MIN`, `T_MAX`].
///
/// An answer is only ever a root: the bracket's ends must enclose `h_target` (compared so
/// that NaN fails), and a search that runs out of steps is an error, never its last point.
///
/// # Errors
/// [`Error::EnergyBalance`] for a non-finite target or guess, an enthalpy outside the bracket,
/// or no convergence; errors of [`enthalpy_flow`].
pub fn temperature_for_enthalpy(set: &ComponentSet, flows: &[f64], h_target: f64, t_guess: f64) -> Result<f64> {
    let fail = |reason: String| Err(Error::EnergyBalance { reason });
    if !(h_target.is_finite() && t_guess.is_finite()) {
        return fail(format!("cannot solve for the temperature of an enthalpy flow of {h_target} W from {t_guess} K"));
    }
    if flows.iter().all(|&w| w == 0.0) {
        return Ok(t_guess);
    }
    let (mut lo, mut hi) = (T_MIN, T_MAX);
    let f = |t: f64| enthalpy_flow(set, flows, t).map(|h| h - h_target);
    let (f_lo, f_hi) = (f(lo)?, f(hi)?);
    // Written so that NaN fails: the root must lie in the bracket.
    if !(f_lo <= 0.0 && f_hi >= 0.0) {
        return fail(format!(
            "no temperature between {T_MIN} K and {T_MAX} K matches the enthalpy flow {h_target:.6e} W"
        ));
    }
    let mut t = t_guess.clamp(lo, hi);
    for _ in 0..MAX_STEPS {
        let r = f(t)?;
        let scale = heat_capacity_flow(set, flows, t)?.abs().max(1e-300);
        if r.abs() <= 1e-12 * (h_target.abs() + scale * t) {
            return Ok(t);
        }
        if r > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        let newton = t - r / scale;
        t = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        // The bracket still encloses the root (its ends keep their signs), so a bracket this
        // narrow pins it to 1e-10 K.
        if hi - lo < 1e-10 {
            return Ok(t);
        }
    }
    fail(format!(
        "the temperature for the enthalpy flow {h_target:.6e} W did not converge in {MAX_STEPS} steps (last bracket \
         [{lo} K, {hi} K])"
    ))
}

/// Most Newton/bisection steps of [`temperature_for_enthalpy`]: bisection alone narrows the
/// 2850 K bracket to 1e-10 K in 45 steps, so 100 is only exhausted by a broken function.
const MAX_STEPS: usize = 100;

/// Lowest temperature the energy-balance solver searches, K.
pub const T_MIN: f64 = 150.0;
/// Highest temperature the energy-balance solver searches, K.
pub const T_MAX: f64 = 3000.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Component, Phase};

    /// NIST Shomate coefficients for CO2(g), 298-1200 K (docs/sources.md §Heat capacities).
    fn co2_cp() -> HeatCapacity {
        HeatCapacity::Shomate {
            ranges: vec![ShomateRange {
                t_min: 298.0,
                t_max: 1200.0,
                coefficients: [24.99735, 55.18696, -33.69137, 7.948387, -0.136638],
            }],
        }
    }

    #[test]
    fn shomate_cp_matches_the_tabulated_value_at_298k() {
        // docs/sources.md §Heat capacities, sanity checks: Cp(CO2, 298.15 K) = 37.13 J/(mol K).
        assert!((co2_cp().cp(298.15) - 37.13).abs() < 0.01);
    }

    #[test]
    fn sensible_heat_is_the_integral_of_cp() {
        let cp = co2_cp();
        let (a, b) = (298.15, 400.0);
        let n = 10_000;
        let dx = (b - a) / n as f64;
        let trapezoid: f64 =
            (0..n).map(|i| 0.5 * (cp.cp(a + i as f64 * dx) + cp.cp(a + (i + 1) as f64 * dx)) * dx).sum();
        assert!((cp.sensible_heat(b) - trapezoid).abs() < 1e-6 * trapezoid);
        assert!((cp.sensible_heat(250.0) + (cp.sensible_heat(298.15) - cp.sensible_heat(250.0))).abs() < 1e-9);
    }

    #[test]
    fn no_sensible_heat_at_the_reference_temperature_whatever_the_ranges() {
        // Ranges on both sides of T_REF, and a single range starting above it: the integral
        // from T_REF to T_REF is +0.0 (the sum of no range), the value the short cut returns.
        let mut split = co2_cp();
        if let HeatCapacity::Shomate { ranges } = &mut split {
            let mut low = ranges[0].clone();
            low.t_max = 298.15;
            ranges[0].t_min = 298.15;
            ranges.insert(0, ShomateRange { t_min: 200.0, ..low });
        }
        for cp in [co2_cp(), split] {
            assert_eq!(cp.sensible_heat(T_REF).to_bits(), 0.0_f64.to_bits());
            // Just either side, the ranges are integrated: no short cut there.
            assert!(cp.sensible_heat(T_REF + 1e-9) > 0.0 && cp.sensible_heat(T_REF - 1e-9) < 0.0);
        }
    }

    #[test]
    fn temperature_inverts_enthalpy() {
        let mut c = Component::from_formula("CO2", "CO2", Phase::Gas).unwrap();
        c.formation_enthalpy = Some(-393.5e3);
        c.heat_capacity = Some(co2_cp());
        let set = ComponentSet::new(vec![c]).unwrap();
        let h = enthalpy_flow(&set, &[2.0], 353.15).unwrap();
        let t = temperature_for_enthalpy(&set, &[2.0], h, 300.0).unwrap();
        assert!((t - 353.15).abs() < 1e-8, "{t}");
    }

    fn co2() -> ComponentSet {
        let mut c = Component::from_formula("CO2", "CO2", Phase::Gas).unwrap();
        c.formation_enthalpy = Some(-393.5e3);
        c.heat_capacity = Some(co2_cp());
        ComponentSet::new(vec![c]).unwrap()
    }

    #[test]
    fn a_non_finite_enthalpy_is_an_error_not_the_end_of_the_bracket() {
        // A feed at 1e200 degC: the Shomate polynomial overflows (inf - inf = NaN). The search
        // used to pass NaN through its bracket test and return its 3000 K upper bound.
        let set = co2();
        let e = enthalpy_flow(&set, &[1.0], 1e200).unwrap_err();
        assert!(matches!(e, Error::EnergyBalance { .. }), "{e}");
        assert!(temperature_for_enthalpy(&set, &[1.0], f64::NAN, 300.0).is_err());
        assert!(temperature_for_enthalpy(&set, &[1.0], f64::INFINITY, 300.0).is_err());
        assert!(temperature_for_enthalpy(&set, &[f64::NAN], -1e7, 300.0).is_err());
        assert!(temperature_for_enthalpy(&set, &[0.0], 0.0, f64::NAN).is_err());
    }

    #[test]
    fn an_enthalpy_beyond_either_end_of_the_bracket_is_an_error() {
        let set = co2();
        let hot = enthalpy_flow(&set, &[1.0], 2.0 * T_MAX).unwrap();
        let e = temperature_for_enthalpy(&set, &[1.0], hot, 300.0).unwrap_err().to_string();
        assert!(e.contains("no temperature between 150 K and 3000 K"), "{e}");
        let cold = enthalpy_flow(&set, &[1.0], 0.5 * T_MIN).unwrap();
        assert!(temperature_for_enthalpy(&set, &[1.0], cold, 300.0).is_err());
    }

    #[test]
    fn missing_data_is_an_error_only_when_the_component_flows() {
        let a = Component::from_formula("CO2", "CO2", Phase::Gas).unwrap();
        let set = ComponentSet::new(vec![a]).unwrap();
        assert_eq!(enthalpy_flow(&set, &[0.0], 300.0).unwrap(), 0.0);
        assert!(enthalpy_flow(&set, &[1.0], 300.0).is_err());
    }
}
