//! Fugacity coefficient of a pure gas from the Peng-Robinson equation of state, as PHREEQC's
//! `calc_PR` (prep.cpp of usgs-coupled/phreeqc3) applies it to a gas held at a fixed partial
//! pressure (EQUILIBRIUM_PHASES): the gas alone at that pressure. Peng and Robinson (1976),
//! Ind. Eng. Chem. Fundam. 15, 59; constants 0.457235, 0.077796, κ = 0.37464 + 1.54226 ω -
//! 0.26992 ω² as in PHREEQC.

/// Gas constant, L atm/(K mol), PHREEQC's `R_LITER_ATM`.
const R_L_ATM: f64 = 0.0820597;

/// log10 of the fugacity coefficient of a pure gas at `t` K and `p_atm`, from its critical
/// temperature `t_c` (K), pressure `p_c` (atm) and acentric factor `omega`.
pub fn peng_robinson_log_fugacity_coefficient(t: f64, p_atm: f64, t_c: f64, p_c: f64, omega: f64) -> f64 {
    let p = p_atm.max(1e-10);
    let rt = R_L_ATM * t;
    let a = 0.457235 * R_L_ATM * R_L_ATM * t_c * t_c / p_c;
    let b = 0.077796 * R_L_ATM * t_c / p_c;
    let kk = 0.37464 + omega * (1.54226 - 0.26992 * omega);
    let alpha = (1.0 + kk * (1.0 - (t / t_c).sqrt())).powi(2);
    let big_a = a * alpha * p / (rt * rt);
    let big_b = b * p / rt;
    // Z³ - (1 - B) Z² + (A - 3B² - 2B) Z - (AB - B² - B³) = 0; the vapour root by Newton from
    // the ideal gas.
    let f = |z: f64| {
        let v = z * z * z - (1.0 - big_b) * z * z + (big_a - 3.0 * big_b * big_b - 2.0 * big_b) * z
            - (big_a * big_b - big_b * big_b - big_b * big_b * big_b);
        let d = 3.0 * z * z - 2.0 * (1.0 - big_b) * z + (big_a - 3.0 * big_b * big_b - 2.0 * big_b);
        (v, d)
    };
    let mut z = 1.0;
    for _ in 0..50 {
        let (v, d) = f(z);
        let step = v / d;
        z -= step;
        if step.abs() < 1e-14 {
            break;
        }
    }
    if z <= big_b || !z.is_finite() {
        return -4.6 / std::f64::consts::LN_10;
    }
    let s2 = std::f64::consts::SQRT_2;
    let ln_phi = (z - 1.0)
        - (z - big_b).ln()
        - big_a / (2.0 * s2 * big_b) * ((z + (1.0 + s2) * big_b) / (z + (1.0 - s2) * big_b)).ln();
    ln_phi.clamp(-4.6, 4.44) / std::f64::consts::LN_10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CO2 at 25 °C: the fugacity coefficient is 0.995 at 1 atm and about 0.95 at 10 atm
    /// (Span and Wagner 1996, J. Phys. Chem. Ref. Data 25, 1509, table 35, from which ln φ =
    /// ∫(Z-1)/p dp gives φ = 0.9950 at 0.1013 MPa and 0.951 at 1.013 MPa).
    #[test]
    fn co2_fugacity_coefficient() {
        let phi = |p| 10f64.powf(peng_robinson_log_fugacity_coefficient(298.15, p, 304.2, 72.86, 0.225));
        assert!((phi(1.0) - 0.995).abs() < 0.002, "{}", phi(1.0));
        assert!((phi(10.0) - 0.951).abs() < 0.01, "{}", phi(10.0));
    }
}
