//! Properties of pure water that the activity models need, as PHREEQC 3 computes them
//! (`calc_rho_0` and `calc_dielectrics` in utilities.cpp of usgs-coupled/phreeqc3):
//!
//! - density along the saturation line from Wagner and Pruss (2002), J. Phys. Chem. Ref. Data
//!   31, 387, eq. 2.6, plus PHREEQC's polynomial in pressure above the saturation pressure;
//! - relative dielectric constant from Bradley and Pitzer (1979), J. Phys. Chem. 83, 1599;
//! - Debye-Hückel A (kg^0.5 mol^-0.5) and B (Å^-1 kg^0.5 mol^-0.5) from both, with PHREEQC's
//!   constants (electron charge²/k_B = 1.671008e-3 esu² K/erg, Avogadro 6.02252e23).
//!
//! Valid 0-350 °C (PHREEQC's fitting range); calx-aqueous uses them at 1 atm or the saturation
//! pressure, whichever is higher.

use std::f64::consts::{LN_10, PI};

/// Avogadro's number as PHREEQC has it (`AVOGADRO`, global_structures.h).
const AVOGADRO: f64 = 6.02252e23;

/// Saturation pressure of water (atm) in PHREEQC's `calc_rho_0`: exp(11.6702 - 3816.44/(T -
/// 46.13)), an Antoine fit used only to place the density's pressure polynomial.
fn p_sat_atm(t: f64) -> f64 {
    (11.6702 - 3816.44 / (t - 46.13)).exp()
}

/// Density of pure water, g/cm3, at `t` K and `p_atm` (raised to the saturation pressure when
/// below it): Wagner and Pruss (2002) eq. 2.6 and PHREEQC's pressure polynomial.
pub fn water_density(t: f64, p_atm: f64) -> f64 {
    let tc = (t - 273.15).min(350.0);
    let t = tc + 273.15;
    let th = 1.0 - t / 647.096;
    let b = [1.99274064, 1.09965342, -0.510839303, -1.75493479, -45.5170352, -6.7469445e5];
    let e = [1.0 / 3.0, 2.0 / 3.0, 5.0 / 3.0, 16.0 / 3.0, 43.0 / 3.0, 110.0 / 3.0];
    let rho_sat = 322.0 * (1.0 + b.iter().zip(e.iter()).map(|(b, e)| b * th.powf(*e)).sum::<f64>());
    let poly = |c: [f64; 5]| c[0] + tc * (c[1] + tc * (c[2] + tc * (c[3] + tc * c[4])));
    let p0 = poly([5.1880000E-02, -4.1885519E-04, 6.6780748E-06, -3.6648699E-08, 8.3501912E-11]);
    let p1 = poly([-6.0251348E-06, 3.6696407E-07, -9.2056269E-09, 6.7024182E-11, -1.5947241E-13]);
    let p2 = poly([-2.2983596E-09, -4.0133819E-10, 1.2619821E-11, -9.8952363E-14, 2.3363281E-16]);
    let p3 = poly([7.0517647E-11, 6.8566831E-12, -2.2829750E-13, 1.8113313E-15, -4.2475324E-18]);
    let ps = p_sat_atm(t);
    let pa = p_atm.max(ps) - (ps - 1e-6);
    let rho = rho_sat + pa * (p0 + pa * (p1 + pa * (p2 + pa.sqrt() * p3)));
    rho.max(0.01) / 1e3
}

/// Relative dielectric constant of water at `t` K and `p_atm`: Bradley and Pitzer (1979).
pub fn dielectric_constant(t: f64, p_atm: f64) -> f64 {
    let t = t.min(350.0 + 273.15);
    let u = [3.4279e2, -5.0866e-3, 9.469e-7, -2.0525, 3.1159e3, -1.8289e2, -8.0325e3, 4.2142e6, 2.1417];
    let d1000 = u[0] * (t * (u[1] + t * u[2])).exp();
    let c = u[3] + u[4] / (u[5] + t);
    let b = u[6] + u[7] / t + u[8] * t;
    let pb = p_atm * 1.01325;
    let eps = d1000 + c * ((b + pb) / (b + 1e3)).ln();
    if eps <= 0.0 { 10.0 } else { eps }
}

/// Debye-Hückel A and B at `t` K and 1 atm, as PHREEQC computes them (`calc_dielectrics`).
pub fn debye_huckel_a_b(t: f64) -> (f64, f64) {
    let p_atm = 1.0;
    let rho = water_density(t, p_atm);
    let t = t.min(350.0 + 273.15);
    let e2_dkt = 1.671008e-3 / (dielectric_constant(t, p_atm) * t);
    let b_cm = (8.0 * PI * AVOGADRO * e2_dkt * rho / 1e3).sqrt();
    let a = b_cm * e2_dkt / (2.0 * LN_10);
    (a, b_cm / 1e8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pure water at 25 °C, 1 atm: density 0.997047 g/cm3 (IAPWS-95, Wagner and Pruss 2002,
    /// table 13.2 gives 997.05 kg/m3 at 1 bar), relative permittivity 78.41 (Fernandez et al.
    /// 1997, J. Phys. Chem. Ref. Data 26, 1125, their 78.408 at 25 °C, 0.1 MPa); Debye-Hückel
    /// A = 0.5114 and B = 0.3288 (Truesdell and Jones 1974 / Helgeson and Kirkham 1974 table
    /// values at 25 °C quoted in the PHREEQC manual, Parkhurst and Appelo 2013).
    #[test]
    fn values_at_25_c() {
        assert!((water_density(298.15, 1.0) - 0.99705).abs() < 2e-4, "{}", water_density(298.15, 1.0));
        assert!((dielectric_constant(298.15, 1.0) - 78.41).abs() < 0.3);
        let (a, b) = debye_huckel_a_b(298.15);
        assert!((a - 0.5114).abs() < 0.002, "A = {a}");
        assert!((b - 0.3288).abs() < 0.001, "B = {b}");
    }

    /// Density at 80 °C, 1 atm: 971.8 kg/m3 (IAPWS-95, Wagner and Pruss 2002, table 13.2).
    #[test]
    fn density_at_80_c() {
        assert!((water_density(353.15, 1.0) - 0.9718).abs() < 5e-4, "{}", water_density(353.15, 1.0));
    }
}
