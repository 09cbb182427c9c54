//! Physically sane ranges of the quantities a flowsheet carries (temperature, pressure, mass
//! flow), in SI.
//!
//! A value outside its range is not a plant: it is a typo (`1e200 degC`), a unit slip, or an
//! overflow in the making (a `1e307 kg/s` feed makes the next mixer's outlet infinite). The
//! flowsheet layer refuses such input where it is written, and the engine refuses a unit that
//! returns a temperature or pressure outside these ranges. The ranges are generous: no real
//! process comes near a bound, and every bound is far enough from `f64` overflow that sums,
//! balances and enthalpy flows over a whole flowsheet stay finite.
//!
//! `docs/flowsheet-format.md` (section "Sane ranges") lists the same figures for users.

use crate::dimension::Dimension;

/// Highest temperature, K. The NIST Chemistry WebBook's Shomate fits, the widest
/// heat-capacity data Calx reads, end at 6000 K; beyond it no component has data.
pub const TEMPERATURE_MAX: f64 = 6000.0;

/// Highest pressure, Pa (1 GPa = 10,000 bar): above the highest pressures of industrial
/// practice (high-pressure polyethylene reactors run at about 300 MPa, waterjet cutting at
/// about 600 MPa). The same bound limits pressure differences (drops, rises) in magnitude.
pub const PRESSURE_MAX: f64 = 1e9;

/// Largest mass flow, kg/s (about 31,500 Gt/yr): some thousand times humanity's yearly CO2
/// emissions (about 37 Gt/yr), so whole-sector models fit; and even at 1.5e8 J/kg (hydrogen's
/// heating value, the highest specific enthalpy of any fuel) a stream this large carries
/// 1.5e17 W, so sums over millions of streams stay finite.
pub const MASS_FLOW_MAX: f64 = 1e9;

/// The sane range of one kind of quantity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// What the range applies to (`temperature`, `pressure`, `mass flow`).
    pub what: &'static str,
    /// Whether the value must be above zero (absolute temperature); otherwise only its
    /// magnitude is bounded (a pressure drop or a flow bound may be written with any sign,
    /// and where a sign is impossible the field itself says so).
    pub above_zero: bool,
    /// Largest value (magnitude), SI.
    pub max: f64,
    /// The bound in words, with its SI unit (`6000 K`).
    pub max_text: &'static str,
    /// The SI unit of the quantity (`K`).
    pub unit: &'static str,
}

impl Range {
    /// Whether `value` lies in the range; NaN and infinities never do.
    pub fn contains(&self, value: f64) -> bool {
        if self.above_zero { value > 0.0 && value <= self.max } else { value.abs() <= self.max }
    }

    /// The range in words: `above 0 K and at most 6000 K`.
    pub fn describe(&self) -> String {
        if self.above_zero {
            format!("above 0 K and at most {}", self.max_text)
        } else {
            format!("at most {} in magnitude", self.max_text)
        }
    }
}

/// Absolute temperature: above 0 K, at most [`TEMPERATURE_MAX`].
pub const TEMPERATURE: Range =
    Range { what: "temperature", above_zero: true, max: TEMPERATURE_MAX, max_text: "6000 K (5726.85 degC)", unit: "K" };

/// Pressure (absolute, or a difference): at most [`PRESSURE_MAX`] in magnitude.
pub const PRESSURE: Range =
    Range { what: "pressure", above_zero: false, max: PRESSURE_MAX, max_text: "1e9 Pa (1 GPa)", unit: "Pa" };

/// Mass flow: at most [`MASS_FLOW_MAX`] in magnitude.
pub const MASS_FLOW: Range = Range {
    what: "mass flow",
    above_zero: false,
    max: MASS_FLOW_MAX,
    max_text: "1e9 kg/s (3.15e13 t/yr)",
    unit: "kg/s",
};

/// The sane range of quantities of `dimension`, if it has one.
pub fn range(dimension: Dimension) -> Option<Range> {
    match dimension {
        d if d == Dimension::TEMPERATURE => Some(TEMPERATURE),
        d if d == Dimension::PRESSURE => Some(PRESSURE),
        d if d == Dimension::MASS_FLOW => Some(MASS_FLOW),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_refuse_non_finite_values_and_values_beyond_their_bounds() {
        for r in [TEMPERATURE, PRESSURE, MASS_FLOW] {
            assert!(r.contains(r.max), "{}", r.what);
            assert!(!r.contains(r.max * (1.0 + 1e-15)), "{}", r.what);
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(!r.contains(v), "{} accepts {v}", r.what);
            }
        }
        assert!(!TEMPERATURE.contains(0.0) && TEMPERATURE.contains(1e-3));
        assert!(PRESSURE.contains(-1e5) && MASS_FLOW.contains(0.0));
        assert_eq!(range(Dimension::TEMPERATURE), Some(TEMPERATURE));
        assert_eq!(range(Dimension::POWER), None);
        assert_eq!(TEMPERATURE.describe(), "above 0 K and at most 6000 K (5726.85 degC)");
    }
}
