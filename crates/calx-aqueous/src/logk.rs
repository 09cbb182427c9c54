//! log10 K as a function of temperature, as PHREEQC computes it (`k_calc` in prep.cpp of
//! usgs-coupled/phreeqc3): an analytical expression a1 + a2 T + a3/T + a4 log10 T + a5/T² +
//! a6 T² if the database gives one, else van 't Hoff from log K and ΔH at 25 °C. At 1 atm
//! PHREEQC adds no pressure term, and neither does this crate.

/// Gas constant in kJ/(mol K), PHREEQC's `R_KJ_DEG_MOL` (global_structures.h).
pub const R_KJ: f64 = 0.008_314_70;
/// Reference temperature, K.
pub const T_REF: f64 = 298.15;

/// The temperature function of a log10 K. Coefficients of several reactions add when a
/// reaction is rewritten in terms of master species (PHREEQC does the same).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LogK {
    /// log10 K at 25 °C, used with `delta_h` (zero when the analytical expression is used).
    pub log_k: f64,
    /// Reaction enthalpy at 25 °C, kJ/mol (zero when the analytical expression is used).
    pub delta_h: f64,
    /// Analytical expression a1..a6 (all zero when van 't Hoff is used).
    pub analytic: [f64; 6],
}

impl LogK {
    /// PHREEQC's rule (`select_log_k_expression`, tidy.cpp): the analytical expression if it
    /// has a non-zero coefficient, else log K and ΔH (kJ/mol).
    pub fn select(log_k: f64, delta_h: f64, analytic: Option<[f64; 6]>) -> Self {
        match analytic {
            Some(a) if a.iter().any(|c| *c != 0.0) => LogK { log_k: 0.0, delta_h: 0.0, analytic: a },
            _ => LogK { log_k, delta_h, analytic: [0.0; 6] },
        }
    }

    /// log10 K at `t` kelvin.
    pub fn at(&self, t: f64) -> f64 {
        let a = &self.analytic;
        self.log_k - self.delta_h * (T_REF - t) / (std::f64::consts::LN_10 * R_KJ * t * T_REF)
            + a[0]
            + a[1] * t
            + a[2] / t
            + a[3] * t.log10()
            + a[4] / (t * t)
            + a[5] * t * t
    }

    /// Adds `c` times `other` (for reactions written in terms of other species).
    pub fn add_scaled(&mut self, other: &LogK, c: f64) {
        self.log_k += c * other.log_k;
        self.delta_h += c * other.delta_h;
        for (a, b) in self.analytic.iter_mut().zip(other.analytic.iter()) {
            *a += c * b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// phreeqc.dat, H2O = OH- + H+: -analytic 293.29227 0.1360833 -10576.913 -123.73158 0
    /// -6.996455e-5, stated log_k -14 at 25 °C.
    #[test]
    fn water_dissociation_at_25_c_is_minus_14() {
        let k = LogK::select(-14.0, 56.4, Some([293.29227, 0.1360833, -10576.913, -123.73158, 0.0, -6.996455e-5]));
        assert!((k.at(298.15) + 14.0).abs() < 0.01, "{}", k.at(298.15));
    }

    /// van 't Hoff: with ΔH > 0, K grows with temperature; log K at 25 °C is the stated value.
    #[test]
    fn van_t_hoff_reproduces_log_k_at_25_c() {
        let k = LogK::select(-11.44, 15.952 * 4.184, None);
        assert!((k.at(298.15) + 11.44).abs() < 1e-12);
        assert!(k.at(323.15) > k.at(298.15));
    }
}
