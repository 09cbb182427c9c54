//! Published purchased-cost correlations, named, for units that report the size figures they
//! read: a TEA lists `equipment_published: { P1: seider_centrifugal_pump }` and the unit's
//! cost follows from its converged sizes, escalated from the correlation's cost index to the
//! TEA's base year.
//!
//! Every constant is from Seider, Lewin, Seader, Widagdo, Gani & Ng, *Product and Process
//! Design Principles*, 4th ed. (Wiley 2017), ch. 16 "Cost Accounting and Capital Cost
//! Estimation", as implemented in BioSTEAM (`biosteam/units/_pump.py`,
//! `design_tools/mechanical.py`, `heat_exchange.py`, `solids_separation.py`,
//! `design_tools/tank_design.py`; BioSTEAMDevelopmentGroup/biosteam, commit a508fdb9), in US
//! dollars at CEPCI 567 (docs/sources.md §Published cost correlations). They give the
//! free-on-board purchase cost of the base design (cast-iron pump, carbon-steel exchanger with
//! 20 ft tubes near 100 psig, carbon-steel tank): material, pressure and installation factors
//! are left to the CAPEX method. Where BioSTEAM splits a large size into parallel units
//! (filter drums, tanks), so do these; where it would clamp a small size to its lower bound,
//! these refuse it.

use calx_core::{Dimension, SizeFigure};

/// US gallon, m3 (exact: 231 cubic inches).
const GALLON: f64 = 3.785_411_784e-3;
/// International foot, m (exact).
const FOOT: f64 = 0.3048;
/// Mechanical horsepower, W (550 ft lbf/s with g = 9.80665 m/s2).
const HORSEPOWER: f64 = 550.0 * FOOT * 0.453_592_37 * 9.806_65;

/// Why a published correlation gives no cost for a unit's sizes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorrelationError {
    /// The unit does not report a size the correlation reads.
    #[error("`{correlation}` needs the size `{size}`, which the unit does not report (it reports: {reported})")]
    MissingSize {
        /// The correlation.
        correlation: &'static str,
        /// The size it reads.
        size: &'static str,
        /// The sizes the unit reports.
        reported: String,
    },
    /// A size in another dimension, or not finite.
    #[error("`{correlation}` needs `{size}` as {expected}, found {found}")]
    WrongSize {
        /// The correlation.
        correlation: &'static str,
        /// The size it reads.
        size: &'static str,
        /// What it must measure.
        expected: String,
        /// The value and what it measures.
        found: String,
    },
    /// A size outside the range the correlation holds over (which it says).
    #[error("{0}")]
    OutOfRange(String),
}

/// A named published correlation.
#[derive(Debug)]
pub struct Published {
    /// Name as written in a flowsheet.
    pub name: &'static str,
    /// What it costs, for the TEA's notes.
    pub what: &'static str,
    /// Where the constants come from.
    pub source: &'static str,
    /// Currency of the cost.
    pub currency: &'static str,
    /// Cost index (CEPCI) of the cost.
    pub cost_index: f64,
    /// The size figures it reads, with their dimensions.
    pub sizes: &'static [(&'static str, Dimension)],
    /// Cost from the sizes (SI, in the order of `sizes`), or why the sizes are outside the
    /// correlation's range.
    cost: fn(&[f64]) -> Result<f64, CorrelationError>,
}

impl Published {
    /// Purchased cost in `currency` at `cost_index`, from the unit's reported sizes.
    ///
    /// # Errors
    /// A size the unit does not report (or reports in another dimension), or a size outside
    /// the range the correlation holds over: the text says which.
    pub fn cost(&self, reported: &[SizeFigure]) -> Result<f64, CorrelationError> {
        let mut values = Vec::with_capacity(self.sizes.len());
        for (name, dimension) in self.sizes {
            let s = reported.iter().find(|s| s.name == *name).ok_or_else(|| {
                let names: Vec<&str> = reported.iter().map(|s| s.name.as_ref()).collect();
                CorrelationError::MissingSize {
                    correlation: self.name,
                    size: name,
                    reported: if names.is_empty() { "none".into() } else { names.join(", ") },
                }
            })?;
            if s.dimension != *dimension || !s.value.is_finite() {
                return Err(CorrelationError::WrongSize {
                    correlation: self.name,
                    size: name,
                    expected: dimension.describe(),
                    found: format!("{} {}", s.value, s.dimension.describe()),
                });
            }
            values.push(s.value);
        }
        (self.cost)(&values)
    }
}

/// Every published correlation, by name.
pub const PUBLISHED: [Published; 5] = [
    Published {
        name: "seider_centrifugal_pump",
        what: "single-stage vertical split-case centrifugal pump, 3600 rpm, cast iron, with its electric motor",
        source: "Seider et al. 2017, ch. 16: pump C_B = exp(12.1656 - 1.1448 ln S + 0.0862 ln^2 S), S = Q[gpm] H[ft]^0.5, S >= 400; motor C_B = exp(5.9332 + 0.16829 ln P - 0.110056 ln^2 P + 0.071413 ln^3 P - 0.0063788 ln^4 P), P[hp] (via BioSTEAM _pump.py)",
        currency: "USD",
        cost_index: 567.0,
        sizes: &[
            ("volumetric_flow", Dimension::VOLUME_FLOW),
            ("head", Dimension::LENGTH),
            ("shaft_power", Dimension::POWER),
        ],
        cost: centrifugal_pump,
    },
    Published {
        name: "seider_floating_head_exchanger",
        what: "shell-and-tube exchanger, floating head, carbon steel, 20 ft tubes",
        source: "Seider et al. 2017, ch. 16: C_B = exp(12.0310 - 0.8709 ln A + 0.09005 ln^2 A), A[ft2] >= 150 (via BioSTEAM heat_exchange.py)",
        currency: "USD",
        cost_index: 567.0,
        sizes: &[("area", AREA)],
        cost: floating_head_exchanger,
    },
    Published {
        name: "seider_double_pipe_exchanger",
        what: "double-pipe exchanger",
        source: "Seider et al. 2017, ch. 16: C_B = exp(7.2718 + 0.16 ln A), 2.1718 <= A[ft2] < 150 (via BioSTEAM heat_exchange.py)",
        currency: "USD",
        cost_index: 567.0,
        sizes: &[("area", AREA)],
        cost: double_pipe_exchanger,
    },
    Published {
        name: "seider_rotary_vacuum_filter",
        what: "rotary vacuum drum filter, without its vacuum system",
        source: "Seider et al. 2017, ch. 16: C_B = exp(11.796 - 0.1905 ln A + 0.0554 ln^2 A) per drum, A[ft2] 10-800 per drum, ceil(A/800) drums in parallel (via BioSTEAM solids_separation.py)",
        currency: "USD",
        cost_index: 567.0,
        sizes: &[("area", AREA)],
        cost: rotary_vacuum_filter,
    },
    Published {
        name: "seider_cone_roof_tank",
        what: "cone-roof storage tank, carbon steel",
        source: "Seider et al. 2017, ch. 16: C_B = 265 V^0.513 per tank, V[gal] 1e4-1e6 per tank, ceil(V/1e6) tanks in parallel (via BioSTEAM design_tools/tank_design.py)",
        currency: "USD",
        cost_index: 567.0,
        sizes: &[("volume", Dimension::VOLUME)],
        cost: cone_roof_tank,
    },
];

/// m2.
const AREA: Dimension = Dimension { mass: 0, length: 2, time: 0, temperature: 0, amount: 0, money: 0 };

/// A published correlation by name.
pub fn find(name: &str) -> Option<&'static Published> {
    PUBLISHED.iter().find(|p| p.name == name)
}

/// Names of the published correlations, for messages.
pub fn names() -> Vec<&'static str> {
    PUBLISHED.iter().map(|p| p.name).collect()
}

/// Pump (size factor S = Q H^0.5 in gpm ft^0.5) plus its electric motor at the shaft power.
fn centrifugal_pump(v: &[f64]) -> Result<f64, CorrelationError> {
    let (q, h, power) = (v[0] / GALLON * 60.0, v[1] / FOOT, v[2] / HORSEPOWER);
    let s = q * h.sqrt();
    // Below S = 400 the fit does not hold (BioSTEAM costs such a pump at S = 400 instead).
    if s < 400.0 {
        return Err(CorrelationError::OutOfRange(format!(
            "size factor S = Q H^0.5 = {s:.4} gpm ft^0.5 ({q:.4} gpm, {h:.4} ft) is below the correlation's range (S >= 400)"
        )));
    }
    if power <= 0.0 {
        return Err(CorrelationError::OutOfRange(format!(
            "the shaft power must be above zero for the motor's cost, found {power} hp"
        )));
    }
    let ls = s.ln();
    let pump = (12.1656 - 1.1448 * ls + 0.0862 * ls * ls).exp();
    let lp = power.ln();
    let motor = (5.9332 + 0.16829 * lp - 0.110056 * lp.powi(2) + 0.071413 * lp.powi(3) - 0.0063788 * lp.powi(4)).exp();
    Ok(pump + motor)
}

fn floating_head_exchanger(v: &[f64]) -> Result<f64, CorrelationError> {
    let a = v[0] / (FOOT * FOOT);
    if a < 150.0 {
        return Err(CorrelationError::OutOfRange(format!(
            "area {a:.4} ft2 is below the shell-and-tube range (A >= 150 ft2); use `seider_double_pipe_exchanger`"
        )));
    }
    let la = a.ln();
    Ok((12.0310 - 0.8709 * la + 0.09005 * la * la).exp())
}

fn double_pipe_exchanger(v: &[f64]) -> Result<f64, CorrelationError> {
    let a = v[0] / (FOOT * FOOT);
    if !(2.1718..150.0).contains(&a) {
        return Err(CorrelationError::OutOfRange(format!(
            "area {a:.4} ft2 is outside the double-pipe range (2.1718 <= A < 150 ft2); above it use `seider_floating_head_exchanger`"
        )));
    }
    Ok((7.2718 + 0.16 * a.ln()).exp())
}

/// Drums of at most 800 ft2 in parallel, each costed at its share of the area.
fn rotary_vacuum_filter(v: &[f64]) -> Result<f64, CorrelationError> {
    let a = v[0] / (FOOT * FOOT);
    if a < 10.0 {
        return Err(CorrelationError::OutOfRange(format!(
            "area {a:.4} ft2 is below the rotary vacuum filter's range (10 to 800 ft2 per drum)"
        )));
    }
    let drums = (a / 800.0).ceil();
    let la = (a / drums).ln();
    Ok(drums * (11.796 - 0.1905 * la + 0.0554 * la * la).exp())
}

/// Tanks of at most 1e6 gal in parallel, each costed at its share of the volume.
fn cone_roof_tank(v: &[f64]) -> Result<f64, CorrelationError> {
    let gal = v[0] / GALLON;
    if gal < 1e4 {
        return Err(CorrelationError::OutOfRange(format!(
            "volume {gal:.4} gal is below the cone-roof tank's range (1e4 to 1e6 gal per tank)"
        )));
    }
    let tanks = (gal / 1e6).ceil();
    Ok(tanks * 265.0 * (gal / tanks).powf(0.513))
}

#[cfg(test)]
mod tests {
    use calx_core::{Dimension, SizeFigure};

    use super::*;

    fn size(name: &'static str, value: f64, dimension: Dimension) -> SizeFigure {
        SizeFigure { name: name.into(), value, dimension }
    }

    /// BioSTEAM's `Pump` docstring example (biosteam/units/_pump.py at commit a508fdb9):
    /// 16.3 gpm of water raised to 2 bar, 96.3 ft of head, costed at its 50-gpm floor, with
    /// 0.386 hp of shaft power; pump 4.37e3 USD and motor 273 USD at BioSTEAM's default
    /// CEPCI 567.5.
    #[test]
    fn the_pump_correlation_reproduces_biosteams_pump_example() {
        let p = find("seider_centrifugal_pump").unwrap();
        let q = 50.0 * GALLON / 60.0;
        let h = 96.3 * FOOT;
        let motor_hp = 0.386;
        let sizes = [
            size("volumetric_flow", q, Dimension::VOLUME_FLOW),
            size("head", h, Dimension::LENGTH),
            size("shaft_power", motor_hp * HORSEPOWER, Dimension::POWER),
        ];
        let total = p.cost(&sizes).unwrap() * 567.5 / p.cost_index;
        let expected = 4.37e3 + 273.0;
        assert!((total - expected).abs() / expected < 0.005, "{total} USD against {expected} USD");
    }

    /// The size factor's lower bound is refused, not extrapolated.
    #[test]
    fn a_pump_below_the_range_is_refused() {
        let p = find("seider_centrifugal_pump").unwrap();
        let sizes = [
            size("volumetric_flow", 1e-4, Dimension::VOLUME_FLOW),
            size("head", 10.0, Dimension::LENGTH),
            size("shaft_power", 100.0, Dimension::POWER),
        ];
        let e = p.cost(&sizes).unwrap_err();
        assert!(matches!(&e, CorrelationError::OutOfRange(m) if m.contains("below the correlation's range")), "{e}");
        let e = p.cost(&sizes[..2]).unwrap_err();
        assert!(matches!(e, CorrelationError::MissingSize { size: "shaft_power", .. }), "{e}");
    }

    /// The exchanger correlations at the boundary between them, hand-evaluated from the
    /// printed constants: at A = 150 ft2 the floating head costs exp(12.0310 - 0.8709 ln 150
    /// + 0.09005 ln^2 150).
    #[test]
    fn exchanger_correlations_follow_their_constants_and_ranges() {
        let fh = find("seider_floating_head_exchanger").unwrap();
        let a = 150.0 * FOOT * FOOT;
        let l: f64 = 150f64.ln();
        let c = fh.cost(&[size("area", a, AREA)]).unwrap();
        assert!((c - (12.0310 - 0.8709 * l + 0.09005 * l * l).exp()).abs() < 1e-6 * c);
        assert!(fh.cost(&[size("area", 0.9 * a, AREA)]).unwrap_err().to_string().contains("double_pipe"));
        let dp = find("seider_double_pipe_exchanger").unwrap();
        assert!(dp.cost(&[size("area", a, AREA)]).unwrap_err().to_string().contains("floating_head"));
        let c = dp.cost(&[size("area", 100.0 * FOOT * FOOT, AREA)]).unwrap();
        assert!((c - (7.2718 + 0.16 * 100f64.ln()).exp()).abs() < 1e-6 * c);
    }

    /// The drum filter at 500 ft2, and 1000 ft2 as two drums of 500 ft2 (BioSTEAM's split
    /// into drums of at most 800 ft2).
    #[test]
    fn the_drum_filter_follows_its_constants_and_splits_large_areas() {
        let f = find("seider_rotary_vacuum_filter").unwrap();
        let l: f64 = 500f64.ln();
        let one = (11.796 - 0.1905 * l + 0.0554 * l * l).exp();
        let c = f.cost(&[size("area", 500.0 * FOOT * FOOT, AREA)]).unwrap();
        assert!((c - one).abs() < 1e-6 * one);
        let c = f.cost(&[size("area", 1000.0 * FOOT * FOOT, AREA)]).unwrap();
        assert!((c - 2.0 * one).abs() < 1e-6 * one);
        assert!(f.cost(&[size("area", 5.0 * FOOT * FOOT, AREA)]).unwrap_err().to_string().contains("below"));
    }

    /// The cone-roof tank at 1e5 gal, and 3e6 gal as three tanks of 1e6 gal.
    #[test]
    fn the_tank_follows_its_constants_and_splits_large_volumes() {
        let t = find("seider_cone_roof_tank").unwrap();
        let c = t.cost(&[size("volume", 1e5 * GALLON, Dimension::VOLUME)]).unwrap();
        assert!((c - 265.0 * 1e5f64.powf(0.513)).abs() < 1e-6 * c);
        let c = t.cost(&[size("volume", 3e6 * GALLON, Dimension::VOLUME)]).unwrap();
        assert!((c - 3.0 * 265.0 * 1e6f64.powf(0.513)).abs() < 1e-6 * c);
        assert!(t.cost(&[size("volume", 10.0, Dimension::VOLUME)]).unwrap_err().to_string().contains("below"));
    }
}
