//! A vertical two-phase drum sized for its vapour and liquid flows, and the weight of its
//! carbon-steel shell: the figures the `seider_vertical_vessel` cost correlation reads.
//!
//! The procedure is Svrcek & Monnery, "Design Two-Phase Separators Within the Right Limits",
//! *Chemical Engineering Progress*, Oct. 1993, as BioSTEAM implements it for its `Flash`
//! (`biosteam/units/_flash.py`, `_vertical_vessel_pressure_diameter_and_length`, and
//! `design_tools/flash_vessel_design.py`, commit a508fdb9; listed in
//! docs/sources.md §Process equipment), in that procedure's US units (ft, in, lb, psia,
//! minutes), without a mist eliminator:
//!
//! * Souders–Brown velocity U_t = K √((ρ_L − ρ_V)/ρ_V), K from the York demister equation
//!   halved (no mist eliminator), vapour velocity U_v = 0.75 U_t, diameter
//!   D_vd = √(4 Q_V / (π U_v)), rounded up to half a foot;
//! * height = low liquid level (1.25 ft below 300 psia, else 0.5 ft) + hold-up height
//!   (at least 1 ft) + surge height (at least 0.5 ft) + inlet nozzle zone (1 ft + d_N) +
//!   vapour disengagement (min(D_vd/2, 3 ft + d_N/2)), rounded up to half a foot; the nozzle
//!   d_N = √(4 Q_m / (π 60/√ρ_m)) of the mixed flow, rounded up to half a foot;
//! * wall thickness from the ASME pressure-vessel formulas at the design pressure
//!   max(P_g + 30 psi, 1.1 P_g), stress 15,000 psi, joint efficiency 0.85, corrosion
//!   allowance 1/8 in, with its minimum for rigidity by diameter; weight of shell and two
//!   heads at 490 lb/ft3 (carbon steel).
//!
//! BioSTEAM rounds "up" to half a foot with a function that sends 2.7 to 2.5; these round up.

use calx_core::UnitError;

/// International foot, m (exact).
pub(crate) const FOOT: f64 = 0.3048;
/// Avoirdupois pound, kg (exact).
pub(crate) const POUND: f64 = 0.453_592_37;
/// Pound-force per square inch, Pa.
const PSI: f64 = 6_894.757_293_168;
/// lb/ft3 in kg/m3.
const LB_PER_FT3: f64 = POUND / (FOOT * FOOT * FOOT);
/// Density of carbon steel, lb/ft3 (BioSTEAM `material_densities_lb_per_ft3`).
const CARBON_STEEL: f64 = 490.0;

/// Flows and properties a drum is sized for, in SI.
pub(crate) struct DrumService {
    /// Vapour volumetric flow, m3/s (above zero).
    pub vapour_flow: f64,
    /// Liquid volumetric flow, m3/s.
    pub liquid_flow: f64,
    /// Vapour density, kg/m3.
    pub vapour_density: f64,
    /// Liquid density, kg/m3.
    pub liquid_density: f64,
    /// Drum pressure, Pa.
    pub pressure: f64,
    /// Time for the liquid to rise from the low level to the normal level, s.
    pub holdup_time: f64,
    /// Time for the liquid to rise from the normal level to the high level, s.
    pub surge_time: f64,
}

/// A sized drum, SI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Drum {
    /// Inside diameter, m.
    pub diameter: f64,
    /// Tangent-to-tangent length, m.
    pub length: f64,
    /// Wall thickness, m.
    pub wall_thickness: f64,
    /// Weight of shell and heads, kg.
    pub weight: f64,
}

/// `x` rounded up to the next half unit.
fn ceil_half(x: f64) -> f64 {
    (2.0 * x).ceil() / 2.0
}

/// Why a drum cannot be sized.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DrumRefusal {
    /// The pressure (psia) is outside the York demister equation's range.
    Pressure(f64),
    /// The liquid (kg/m3) is not denser than the vapour (kg/m3).
    Densities { liquid: f64, vapour: f64 },
}

impl std::fmt::Display for DrumRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrumRefusal::Pressure(p) => {
                write!(
                    f,
                    "the drum pressure {p:.4} psia is outside the York demister equation's range (0 to 5500 psia)"
                )
            }
            DrumRefusal::Densities { liquid, vapour } => {
                write!(f, "the liquid density ({liquid} kg/m3) must be above the vapour's ({vapour:.4} kg/m3)")
            }
        }
    }
}

/// The York demister constant K, ft/s, at `p` psia (Svrcek & Monnery 1993).
pub(crate) fn york_demister_k(p: f64) -> Result<f64, DrumRefusal> {
    match p {
        p if p > 0.0 && p <= 15.0 => Ok(0.1821 + 0.0029 * p + 0.046 * p.ln()),
        p if p > 15.0 && p <= 40.0 => Ok(0.35),
        p if p > 40.0 && p <= 5500.0 => Ok(0.43 - 0.023 * p.ln()),
        p => Err(DrumRefusal::Pressure(p)),
    }
}

/// Diameter and length (ft) of a vertical drum without mist eliminator.
fn vertical_drum_ft(s: &DrumService) -> Result<(f64, f64), DrumRefusal> {
    let p = s.pressure / PSI;
    let (rho_v, rho_l) = (s.vapour_density / LB_PER_FT3, s.liquid_density / LB_PER_FT3);
    if rho_l <= rho_v {
        return Err(DrumRefusal::Densities { liquid: s.liquid_density, vapour: s.vapour_density });
    }
    let qv = s.vapour_flow / FOOT.powi(3);
    let qll = s.liquid_flow / FOOT.powi(3) * 60.0;
    let k = york_demister_k(p)? / 2.0;
    let uv = 0.75 * k * ((rho_l - rho_v) / rho_v).sqrt();
    let dvd = (4.0 * qv / (std::f64::consts::PI * uv)).sqrt();
    let section = std::f64::consts::PI / 4.0 * dvd * dvd;
    let low_level = if p < 300.0 { 1.25 } else { 0.5 };
    let holdup = (s.holdup_time / 60.0 * qll / section).max(1.0);
    let surge = (s.surge_time / 60.0 * qll / section).max(0.5);
    let qm = qll / 60.0 + qv;
    let liquid_share = qll / 60.0 / qm;
    let rho_m = rho_l * liquid_share + rho_v * (1.0 - liquid_share);
    let nozzle = ceil_half((4.0 * qm / (std::f64::consts::PI * 60.0 / rho_m.sqrt())).sqrt());
    let disengagement = (0.5 * dvd).min(3.0 + nozzle / 2.0);
    let height = low_level + holdup + surge + (1.0 + nozzle) + disengagement;
    Ok((ceil_half(dvd), ceil_half(height)))
}

/// Weight (lb) and wall thickness (in) of a carbon-steel vessel of inside diameter `d` and
/// length `l` (ft) at `p` psia, with density `rho_metal` lb/ft3.
pub(crate) fn vessel_weight_and_wall(p: f64, d: f64, l: f64, rho_metal: f64) -> (f64, f64) {
    const STRESS: f64 = 15_000.0;
    const JOINT: f64 = 0.85;
    const CORROSION: f64 = 1.0 / 8.0;
    let gauge = (p - 14.7).abs();
    let pt = (gauge + 30.0).max(1.1 * gauge);
    let shell = pt * d * 12.0 / (2.0 * STRESS * JOINT - 1.2 * pt) + CORROSION;
    let (head, head_area) = if d < 15.0 && pt > 100.0 - 14.7 {
        (pt * d * 12.0 / (2.0 * STRESS * JOINT - 0.2 * pt) + CORROSION, 1.09 * d * d)
    } else if d > 15.0 {
        (pt * d * 12.0 / (4.0 * STRESS * JOINT - 0.4 * pt) + CORROSION, 1.571 * d * d)
    } else {
        (0.885 * pt * d * 12.0 / (STRESS * JOINT - 0.1 * pt) + CORROSION, 0.842 * d * d)
    };
    let minimum = match d {
        d if d < 4.0 => 0.25,
        d if d < 6.0 => 5.0 / 16.0,
        d if d < 8.0 => 3.0 / 8.0,
        d if d < 10.0 => 7.0 / 16.0,
        d if d < 12.0 => 0.5,
        _ => 0.0,
    };
    let ts = shell.max(head).max(minimum);
    let weight = rho_metal * ts / 12.0 * (std::f64::consts::PI * d * l + 2.0 * head_area);
    (weight, ts)
}

/// The vertical drum for `service`, in SI. A refusal names `pressure_param` when the pressure
/// is outside the York equation's range, else `density_param`.
pub(crate) fn vertical_drum(
    service: &DrumService,
    pressure_param: &str,
    density_param: &str,
) -> Result<Drum, UnitError> {
    let (d, l) = vertical_drum_ft(service).map_err(|e| {
        let param = match e {
            DrumRefusal::Pressure(_) => pressure_param,
            DrumRefusal::Densities { .. } => density_param,
        };
        UnitError::param(param, e.to_string())
    })?;
    let (weight, ts) = vessel_weight_and_wall(service.pressure / PSI, d, l, CARBON_STEEL);
    Ok(Drum { diameter: d * FOOT, length: l * FOOT, wall_thickness: ts * FOOT / 12.0, weight: weight * POUND })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BioSTEAM's docstring examples (design_tools/flash_vessel_design.py, commit a508fdb9):
    /// `compute_vessel_weight_and_wall_thickness(14.7, 3, 10, 490)` is (1116.83 lb, 0.25 in)
    /// and `compute_Stokes_law_York_Demister_K_value` at 14, 20 and 125 psia is 0.34409663,
    /// 0.35 and 0.31894878 ft/s.
    #[test]
    fn weight_wall_and_demister_constant_reproduce_biosteams_examples() {
        let (w, ts) = vessel_weight_and_wall(14.7, 3.0, 10.0, 490.0);
        assert!((w - 1116.83).abs() < 0.005, "{w}");
        assert_eq!(ts, 0.25);
        for (p, k) in [(14.0, 0.344_096_63), (20.0, 0.35), (125.0, 0.318_948_78)] {
            assert!((york_demister_k(p).unwrap() - k).abs() < 1e-8, "{p} psia");
        }
        assert!(york_demister_k(6000.0).unwrap_err().to_string().contains("5500 psia"));
    }

    /// A drum by hand: 1 ft3/s of vapour at 0.075 lb/ft3 over 62.3 lb/ft3 liquid at
    /// 14.7 psia, 0.5 ft3/min of liquid, 15 and 7.5 minutes.
    /// K = (0.1821 + 0.0029·14.7 + 0.046 ln 14.7)/2 = 0.17419 ft/s; U_v = 0.75 K √((62.3 −
    /// 0.075)/0.075) = 3.7629 ft/s; D_vd = √(4/(π U_v)) = 0.58169 ft → D = 1 ft. Section
    /// 0.26575 ft2: hold-up 7.5/0.26575 = 28.222 ft, surge 14.111 ft; Q_m = 1.008333 ft3/s,
    /// liquid share 0.0082645, ρ_m = 0.58926 lb/ft3, d_N = √(4 Q_m/(π 60/√ρ_m)) = 0.12816
    /// → 0.5 ft; inlet zone 1.5 ft; disengagement min(0.29085, 3.25) = 0.29085 ft; height
    /// 1.25 + 28.222 + 14.111 + 1.5 + 0.29085 = 45.374 → 45.5 ft.
    #[test]
    fn a_vertical_drum_by_hand() {
        let service = DrumService {
            vapour_flow: FOOT.powi(3),
            liquid_flow: 0.5 * FOOT.powi(3) / 60.0,
            vapour_density: 0.075 * LB_PER_FT3,
            liquid_density: 62.3 * LB_PER_FT3,
            pressure: 14.7 * PSI,
            holdup_time: 15.0 * 60.0,
            surge_time: 7.5 * 60.0,
        };
        let (d, l) = vertical_drum_ft(&service).unwrap();
        assert_eq!((d, l), (1.0, 45.5));
        let drum = vertical_drum(&service, "P", "liquid_density").unwrap();
        assert!((drum.diameter - FOOT).abs() < 1e-12 && (drum.length - 45.5 * FOOT).abs() < 1e-12);
        let heavier = DrumService { liquid_density: 0.05 * LB_PER_FT3, ..service };
        assert!(vertical_drum_ft(&heavier).unwrap_err().to_string().contains("must be above the vapour's"));
    }
}
