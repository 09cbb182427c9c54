//! Water on the saturation line: vapour pressure, boiling temperature, enthalpy of
//! vaporisation, and the water content of a gas saturated with vapour.
//!
//! Sources and ranges (docs/sources.md §Water thermodynamics):
//!
//! - **Saturation pressure and temperature**: IAPWS-IF97 region 4 (IAPWS R7-97(2012),
//!   "Revised Release on the IAPWS Industrial Formulation 1997", section 8). With
//!   θ = T/T* + n9/(T/T* − n10) and β = (p/p*)^(1/4), T* = 1 K, p* = 1 MPa, the saturation line
//!   is the quadratic (Eq. 29) β²θ² + n1 β²θ + n2 β² + n3 βθ² + n4 βθ + n5 β + n6 θ² + n7 θ + n8 = 0,
//!   solved explicitly for p (Eq. 30):
//!   p/p* = [2C / (−B + (B² − 4AC)^(1/2))]⁴, A = θ² + n1 θ + n2, B = n3 θ² + n4 θ + n5,
//!   C = n6 θ² + n7 θ + n8;
//!   and for T (Eq. 31): T/T* = [n10 + D − ((n10 + D)² − 4(n9 + n10 D))^(1/2)] / 2,
//!   D = 2G / (−F − (F² − 4EG)^(1/2)), E = β² + n3 β + n6, F = n1 β² + n4 β + n7,
//!   G = n2 β² + n5 β + n8. Coefficients n1..n10: Table 34. Valid from 273.15 K to the
//!   critical temperature 647.096 K (611.213 Pa to 22.064 MPa).
//! - **Enthalpy of vaporisation**: the auxiliary equations of the IAPWS Revised Supplementary
//!   Release on Saturation Properties of Ordinary Water Substance (IAPWS SR1-86(1992);
//!   Wagner and Pruss 1993, J. Phys. Chem. Ref. Data 22, 783; reprinted as Eqs. 2.5-2.7 of
//!   Wagner and Pruss 2002, J. Phys. Chem. Ref. Data 31, 387). With τ = 1 − T/Tc:
//!   ln(pσ/pc) = (Tc/T)(a1 τ + a2 τ^1.5 + a3 τ³ + a4 τ^3.5 + a5 τ⁴ + a6 τ^7.5) (Eq. 1),
//!   ρ'/ρc = 1 + b1 τ^(1/3) + b2 τ^(2/3) + b3 τ^(5/3) + b4 τ^(16/3) + b5 τ^(43/3) + b6 τ^(110/3)
//!   (Eq. 2), ln(ρ''/ρc) = c1 τ^(2/6) + c2 τ^(4/6) + c3 τ^(8/6) + c4 τ^(18/6) + c5 τ^(37/6) +
//!   c6 τ^(71/6) (Eq. 3). The release's h' = α + (T/ρ') dpσ/dT and h'' = α + (T/ρ'') dpσ/dT
//!   (Eqs. 6 and 7) share the auxiliary quantity α, so their difference is Clapeyron's
//!   Δh = T (dpσ/dT)(1/ρ'' − 1/ρ'), which is what is computed (α cancels). Valid from the
//!   triple point 273.16 K to 647.096 K.
//! - **Humid gas**: ideal mixing of vapour and gas (Dalton): a gas in equilibrium with liquid
//!   water at T and total pressure P holds the vapour mole fraction y = pσ(T)/P. The vapour
//!   pressure enhancement factor of real air (about 1.004 at 1 atm and 25 °C) is neglected.
//!
//! Everything is SI: K, Pa, J/kg, kg/mol.

/// Critical temperature, K: IAPWS R7-97(2012) Eq. 2 (the IAPWS R2-83(1992) critical point).
pub const T_CRITICAL: f64 = 647.096;
/// Critical pressure, Pa: IAPWS R7-97(2012) Eq. 3.
pub const P_CRITICAL: f64 = 22.064e6;
/// Critical density, kg/m³: IAPWS R7-97(2012) Eq. 4, the ρc of IAPWS SR1-86(1992) Eqs. 2-3.
const RHO_CRITICAL: f64 = 322.0;
/// Lowest temperature of IF97 region 4, K: IAPWS R7-97(2012) section 8.1.
pub const T_MIN_IF97: f64 = 273.15;
/// Triple-point temperature, K, the low end of IAPWS SR1-86(1992).
pub const T_TRIPLE: f64 = 273.16;
/// Molar mass of water, kg/mol: IAPWS R6-95(2018) (IAPWS-95, Wagner and Pruss 2002), 18.015 268 g/mol.
pub const MOLAR_MASS: f64 = 0.018_015_268;

/// n1..n10 of IAPWS R7-97(2012) Table 34 (index 0 is n1).
const N: [f64; 10] = [
    0.116_705_214_527_67e4,
    -0.724_213_167_032_06e6,
    -0.170_738_469_400_92e2,
    0.120_208_247_024_70e5,
    -0.323_255_503_223_33e7,
    0.149_151_086_135_30e2,
    -0.482_326_573_615_91e4,
    0.405_113_405_420_57e6,
    -0.238_555_575_678_49,
    0.650_175_348_447_98e3,
];

/// a1..a6 of IAPWS SR1-86(1992) Eq. 1 (Wagner and Pruss 2002 Eq. 2.5).
const A_SR1: [f64; 6] = [-7.859_517_83, 1.844_082_59, -11.786_649_7, 22.680_741_1, -15.961_871_9, 1.801_225_02];
/// Exponents of τ in SR1-86 Eq. 1.
const A_EXP: [f64; 6] = [1.0, 1.5, 3.0, 3.5, 4.0, 7.5];
/// b1..b6 of IAPWS SR1-86(1992) Eq. 2 (Wagner and Pruss 2002 Eq. 2.6).
const B_SR1: [f64; 6] = [1.992_740_64, 1.099_653_42, -0.510_839_303, -1.754_934_79, -45.517_035_2, -6.746_944_50e5];
/// Exponents of τ in SR1-86 Eq. 2.
const B_EXP: [f64; 6] = [1.0 / 3.0, 2.0 / 3.0, 5.0 / 3.0, 16.0 / 3.0, 43.0 / 3.0, 110.0 / 3.0];
/// c1..c6 of IAPWS SR1-86(1992) Eq. 3 (Wagner and Pruss 2002 Eq. 2.7).
const C_SR1: [f64; 6] = [-2.031_502_40, -2.683_029_40, -5.386_264_92, -17.299_160_5, -44.758_658_1, -63.920_106_3];
/// Exponents of τ in SR1-86 Eq. 3.
const C_EXP: [f64; 6] = [2.0 / 6.0, 4.0 / 6.0, 8.0 / 6.0, 18.0 / 6.0, 37.0 / 6.0, 71.0 / 6.0];

/// What the water functions refuse. Messages name the value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WaterError {
    /// An argument outside the range of the equation used.
    #[error("{quantity} {value} {unit} is outside the range of {equation}, {min} {unit} to {max} {unit}")]
    OutOfRange {
        /// What the argument is ("temperature", "pressure").
        quantity: &'static str,
        /// The value given.
        value: f64,
        /// Its unit.
        unit: &'static str,
        /// The equation and its release.
        equation: &'static str,
        /// Lowest allowed value.
        min: f64,
        /// Highest allowed value.
        max: f64,
    },
    /// The total pressure is at or below the vapour pressure: liquid water would boil, so no
    /// gas saturated with vapour exists there.
    #[error(
        "water boils at {t_kelvin} K and {p_total} Pa: its vapour pressure {p_sat} Pa is not below the total pressure"
    )]
    Boiling {
        /// Temperature, K.
        t_kelvin: f64,
        /// Total pressure, Pa.
        p_total: f64,
        /// Saturation pressure at `t_kelvin`, Pa.
        p_sat: f64,
    },
    /// A pressure or molar mass that is not a positive finite number.
    #[error("{quantity} must be a positive finite number, found {value}")]
    NotPositive {
        /// What the argument is.
        quantity: &'static str,
        /// The value given.
        value: f64,
    },
}

fn check_range(
    quantity: &'static str,
    value: f64,
    unit: &'static str,
    equation: &'static str,
    (min, max): (f64, f64),
) -> Result<(), WaterError> {
    // `contains` is false for NaN, so a NaN argument is refused too.
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(WaterError::OutOfRange { quantity, value, unit, equation, min, max })
    }
}

fn positive(quantity: &'static str, value: f64) -> Result<f64, WaterError> {
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(WaterError::NotPositive { quantity, value }) }
}

/// IF97 Eq. 30 without a range check, in Pa.
fn if97_pressure(t_kelvin: f64) -> f64 {
    let theta = t_kelvin + N[8] / (t_kelvin - N[9]);
    let a = theta * theta + N[0] * theta + N[1];
    let b = N[2] * theta * theta + N[3] * theta + N[4];
    let c = N[5] * theta * theta + N[6] * theta + N[7];
    let root = 2.0 * c / (-b + (b * b - 4.0 * a * c).sqrt());
    root.powi(4) * 1e6
}

/// Saturation (vapour) pressure of water in Pa at `t_kelvin`, IAPWS-IF97 Eq. 30.
///
/// # Errors
/// [`WaterError::OutOfRange`] outside 273.15 K to 647.096 K.
pub fn saturation_pressure(t_kelvin: f64) -> Result<f64, WaterError> {
    check_range("temperature", t_kelvin, "K", "IAPWS-IF97 region 4", (T_MIN_IF97, T_CRITICAL))?;
    Ok(if97_pressure(t_kelvin))
}

/// Saturation (boiling) temperature of water in K at `p_pa`, IAPWS-IF97 Eq. 31.
///
/// # Errors
/// [`WaterError::OutOfRange`] outside pσ(273.15 K) = 611.213 Pa to 22.064 MPa.
pub fn saturation_temperature(p_pa: f64) -> Result<f64, WaterError> {
    // The low end is Eq. 30 at 273.15 K itself, so the two functions share one range exactly.
    check_range("pressure", p_pa, "Pa", "IAPWS-IF97 region 4", (if97_pressure(T_MIN_IF97), P_CRITICAL))?;
    let beta = (p_pa / 1e6).powf(0.25);
    let e = beta * beta + N[2] * beta + N[5];
    let f = N[0] * beta * beta + N[3] * beta + N[6];
    let g = N[1] * beta * beta + N[4] * beta + N[7];
    let d = 2.0 * g / (-f - (f * f - 4.0 * e * g).sqrt());
    let sum = N[9] + d;
    Ok((sum - (sum * sum - 4.0 * (N[8] + N[9] * d)).sqrt()) / 2.0)
}

/// Σ coefficient·τ^exponent.
fn series(coefficients: &[f64; 6], exponents: &[f64; 6], tau: f64) -> f64 {
    coefficients.iter().zip(exponents).map(|(c, e)| c * tau.powf(*e)).sum()
}

/// dpσ/dT in Pa/K from SR1-86 Eq. 1 differentiated: d ln pσ/dT = −(ln(pσ/pc) + f'(τ))/T,
/// where f(τ) is the bracket of Eq. 1.
fn sr1_slope(t_kelvin: f64) -> f64 {
    let tau = 1.0 - t_kelvin / T_CRITICAL;
    let ln_ratio = T_CRITICAL / t_kelvin * series(&A_SR1, &A_EXP, tau);
    let derivative: f64 = A_SR1.iter().zip(A_EXP).map(|(a, e)| a * e * tau.powf(e - 1.0)).sum();
    -P_CRITICAL * ln_ratio.exp() / t_kelvin * (ln_ratio + derivative)
}

/// Enthalpy of vaporisation of water in J/kg at `t_kelvin` on the saturation line,
/// h'' − h' of IAPWS SR1-86(1992) Eqs. 6 and 7 (Clapeyron with the release's pσ, ρ', ρ'').
/// Zero at the critical point.
///
/// # Errors
/// [`WaterError::OutOfRange`] outside 273.16 K to 647.096 K.
pub fn latent_heat(t_kelvin: f64) -> Result<f64, WaterError> {
    check_range("temperature", t_kelvin, "K", "IAPWS SR1-86(1992)", (T_TRIPLE, T_CRITICAL))?;
    let tau = 1.0 - t_kelvin / T_CRITICAL;
    let rho_liquid = RHO_CRITICAL * (1.0 + series(&B_SR1, &B_EXP, tau));
    let rho_vapour = RHO_CRITICAL * series(&C_SR1, &C_EXP, tau).exp();
    Ok(t_kelvin * sr1_slope(t_kelvin) * (1.0 / rho_vapour - 1.0 / rho_liquid))
}

/// Mole fraction of water vapour in a gas saturated with it at `t_kelvin` and total pressure
/// `p_total` (Pa): pσ(T)/P.
///
/// # Errors
/// [`WaterError::OutOfRange`] for a temperature outside IF97 region 4,
/// [`WaterError::NotPositive`] for a pressure that is not positive, and
/// [`WaterError::Boiling`] when pσ(T) ≥ P.
pub fn saturated_vapour_mole_fraction(t_kelvin: f64, p_total: f64) -> Result<f64, WaterError> {
    let p_total = positive("total pressure", p_total)?;
    let p_sat = saturation_pressure(t_kelvin)?;
    if p_sat >= p_total {
        return Err(WaterError::Boiling { t_kelvin, p_total, p_sat });
    }
    Ok(p_sat / p_total)
}

/// Humidity ratio of a saturated gas: kg of water vapour per kg of dry gas at `t_kelvin` and
/// total pressure `p_total` (Pa), for a dry gas of molar mass `dry_molar_mass` (kg/mol):
/// W = (M_w/M_dry) y/(1 − y) with y from [`saturated_vapour_mole_fraction`].
///
/// # Errors
/// Those of [`saturated_vapour_mole_fraction`], and [`WaterError::NotPositive`] for a molar
/// mass that is not positive.
pub fn humidity_ratio(t_kelvin: f64, p_total: f64, dry_molar_mass: f64) -> Result<f64, WaterError> {
    let dry_molar_mass = positive("dry-gas molar mass", dry_molar_mass)?;
    let y = saturated_vapour_mole_fraction(t_kelvin, p_total)?;
    Ok(MOLAR_MASS / dry_molar_mass * y / (1.0 - y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Component, Phase};
    use crate::thermo::{HeatCapacity, ShomateRange};

    fn assert_relative(found: f64, expected: f64, tolerance: f64, what: &str) {
        let error = (found / expected - 1.0).abs();
        assert!(error <= tolerance, "{what}: found {found}, expected {expected}, relative error {error:e}");
    }

    #[test]
    fn saturation_pressure_matches_if97_table_35() {
        // IAPWS R7-97(2012) Table 35, computer-program verification values of Eq. 30 (MPa).
        for (t, p_mpa) in [(300.0, 0.353_658_941e-2), (500.0, 0.263_889_776e1), (600.0, 0.123_443_146e2)] {
            assert_relative(saturation_pressure(t).unwrap(), p_mpa * 1e6, 1e-8, &format!("p_s({t} K)"));
        }
    }

    #[test]
    fn saturation_temperature_matches_if97_table_36() {
        // IAPWS R7-97(2012) Table 36, computer-program verification values of Eq. 31 (K).
        for (p_mpa, t) in [(0.1, 0.372_755_919e3), (1.0, 0.453_035_632e3), (10.0, 0.584_149_488e3)] {
            assert_relative(saturation_temperature(p_mpa * 1e6).unwrap(), t, 1e-8, &format!("T_s({p_mpa} MPa)"));
        }
    }

    #[test]
    fn equations_30_and_31_invert_each_other() {
        // IAPWS R7-97(2012) section 8.1: Eqs. 30 and 31 are both exact solutions of Eq. 29.
        for t in [T_MIN_IF97, 298.15, 373.15, 450.0, 600.0, 647.0] {
            let back = saturation_temperature(saturation_pressure(t).unwrap()).unwrap();
            assert_relative(back, t, 1e-12, &format!("T_s(p_s({t} K))"));
        }
    }

    #[test]
    fn saturation_pressure_matches_iapws95_steam_tables() {
        // Wagner and Pruss 2002, J. Phys. Chem. Ref. Data 31, 387, Table 13.1 (IAPWS-95
        // saturation table), kPa at 25, 50, 80 and 100 °C.
        for (t_c, p_kpa) in [(25.0, 3.1699), (50.0, 12.352), (80.0, 47.414), (100.0, 101.42)] {
            let p = saturation_pressure(t_c + 273.15).unwrap();
            assert_relative(p, p_kpa * 1e3, 1e-4, &format!("p_s({t_c} °C)"));
        }
    }

    #[test]
    fn the_critical_point_ends_the_saturation_line() {
        // IAPWS R7-97(2012) section 8.1: region 4 ends at Tc = 647.096 K, pc = 22.064 MPa.
        assert_relative(saturation_pressure(T_CRITICAL).unwrap(), P_CRITICAL, 1e-5, "p_s(Tc)");
        // SR1-86: ρ' = ρ'' = ρc at Tc, so no latent heat.
        assert!(latent_heat(T_CRITICAL).unwrap().abs() < 1e-9);
    }

    #[test]
    fn latent_heat_matches_iapws95_steam_tables() {
        // Wagner and Pruss 2002 Table 13.1 (IAPWS-95), h'' − h' in kJ/kg at 25, 50, 80, 100 °C;
        // the same figures (2441.7, 2382.0, 2308.0) in the IAPWS-95-based hfg column of the
        // Ohio University saturated-steam table (docs/sources.md §Water thermodynamics).
        for (t_c, dh_kj) in [(25.0, 2441.7), (50.0, 2381.9), (80.0, 2308.0), (100.0, 2256.4)] {
            let dh = latent_heat(t_c + 273.15).unwrap();
            assert_relative(dh, dh_kj * 1e3, 1e-3, &format!("Δh_v({t_c} °C)"));
        }
    }

    #[test]
    fn out_of_range_arguments_are_refused_with_the_value_and_range() {
        let e = saturation_pressure(700.0).unwrap_err().to_string();
        assert!(e.contains("700 K") && e.contains("273.15 K") && e.contains("647.096 K"), "{e}");
        let e = saturation_temperature(30e6).unwrap_err().to_string();
        assert!(e.contains("30000000 Pa") && e.contains("22064000 Pa"), "{e}");
        assert!(saturation_temperature(500.0).is_err());
        assert!(saturation_pressure(f64::NAN).is_err());
        let e = latent_heat(273.15).unwrap_err().to_string();
        assert!(e.contains("SR1-86") && e.contains("273.16 K"), "{e}");
    }

    #[test]
    fn saturated_gas_holds_the_vapour_pressure_over_the_total_pressure() {
        // Dalton: y = p_s/P; at the normal boiling point (Wagner and Pruss 2002 Table 13.1,
        // 101.42 kPa at 100 °C) a gas at 2 atm holds about half vapour.
        let y = saturated_vapour_mole_fraction(373.15, 2.0 * 101_325.0).unwrap();
        assert_relative(y, 101.42e3 / (2.0 * 101_325.0), 1e-4, "y(100 °C, 2 atm)");
    }

    #[test]
    fn a_gas_below_the_vapour_pressure_is_refused_as_boiling() {
        // 101.42 kPa at 100 °C (Wagner and Pruss 2002 Table 13.1) exceeds one atmosphere.
        let e = saturated_vapour_mole_fraction(373.15, 101_325.0).unwrap_err();
        assert!(matches!(e, WaterError::Boiling { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("373.15 K") && text.contains("101325 Pa"), "{text}");
        assert!(saturated_vapour_mole_fraction(298.15, 0.0).is_err());
        assert!(humidity_ratio(298.15, 101_325.0, -1.0).is_err());
    }

    #[test]
    fn humidity_ratio_follows_the_psychrometric_definition() {
        // ASHRAE Handbook Fundamentals (2017) ch. 1 Eq. 22 for saturated moist air:
        // W_s = 0.621945 p_ws/(p − p_ws), 0.621945 = M_w/M_da with M_da = 28.966 g/mol.
        let p = 101_325.0;
        let p_ws = saturation_pressure(298.15).unwrap();
        let w = humidity_ratio(298.15, p, 0.028_966).unwrap();
        assert_relative(w, 0.621_945 * p_ws / (p - p_ws), 1e-6, "W_s(25 °C, 1 atm)");
    }

    /// One Shomate line of the component library: `- { T: [lo, hi], A: .., B: .., C: .., D: .., E: .. }`.
    fn shomate_line(line: &str) -> Option<ShomateRange> {
        let rest = line.trim().strip_prefix("- { T: [")?;
        let (t, coefficients) = rest.split_once(']')?;
        let (t_min, t_max) = t.split_once(',')?;
        let values: Vec<f64> = coefficients
            .trim_end_matches('}')
            .split(',')
            .filter_map(|p| p.split_once(':')?.1.trim().parse().ok())
            .collect();
        Some(ShomateRange {
            t_min: t_min.trim().parse().ok()?,
            t_max: t_max.trim().parse().ok()?,
            coefficients: values.try_into().ok()?,
        })
    }

    /// A component as the shipped library gives it (formation enthalpy and Shomate ranges),
    /// read from the data file so that this test fails when the library's numbers are wrong.
    fn library_component(name: &str, phase: Phase) -> Component {
        let library = include_str!("../../calx-flowsheet/data/components.yaml");
        let header = format!("{name}:");
        let block: Vec<&str> =
            library.lines().skip_while(|l| *l != header).skip(1).take_while(|l| l.starts_with(' ')).collect();
        let h_f = block
            .iter()
            .find_map(|l| {
                l.trim().strip_prefix("formation_enthalpy:")?.trim().strip_suffix("kJ/mol")?.trim().parse().ok()
            })
            .map(|h: f64| h * 1e3);
        let ranges: Vec<ShomateRange> = block.iter().filter_map(|l| shomate_line(l)).collect();
        assert!(h_f.is_some() && !ranges.is_empty(), "library entry {name} not found or incomplete");
        let mut c = Component::from_formula(name, "H2O", phase).unwrap();
        c.formation_enthalpy = h_f;
        c.heat_capacity = Some(HeatCapacity::Shomate { ranges });
        c
    }

    #[test]
    fn library_formation_enthalpies_and_heat_capacities_reproduce_the_latent_heat() {
        // ΔfH(H2O, g) − ΔfH(H2O, l) + ∫(Cp_g − Cp_l) dT from 298.15 K, with the library's
        // CODATA/JANAF and NIST Shomate numbers, against IAPWS SR1-86 (itself checked against
        // Wagner and Pruss 2002 Table 13.1 above), within 1 %.
        let liquid = library_component("H2O", Phase::Liquid);
        let gas = library_component("H2O(g)", Phase::Gas);
        for t in [298.15, 353.15] {
            let from_library = gas.specific_enthalpy(t).unwrap() - liquid.specific_enthalpy(t).unwrap();
            assert_relative(from_library, latent_heat(t).unwrap(), 1e-2, &format!("Δh_v({t} K) from the library"));
        }
    }
}
