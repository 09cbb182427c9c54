//! Activity models, as PHREEQC applies them (`gammas` in model.cpp, defaults in `read_species`
//! in read.cpp of usgs-coupled/phreeqc3; Parkhurst and Appelo 2013, USGS TM 6-A43, eqs. 18-19):
//!
//! - [`ActivityModel::Davies`]: every ion log γ = -A z² (√I/(1+√I) - 0.3 I);
//! - [`ActivityModel::ExtendedDebyeHuckel`]: the WATEQ Debye-Hückel form log γ = -A z² √I /
//!   (1 + B å √I) + b I for species with `-gamma å b` in the database (neutral species with
//!   `-gamma 0 b` get b I), Davies for ions without;
//! - neutral species without `-gamma`: log γ = 0.1 I in both (PHREEQC's default `dhb = 0.1`);
//! - water: a_w = 1 - 0.017 Σ m (PHREEQC's `AH2O_FACTOR`, model.cpp residual of the water
//!   activity unknown), kept above 0.05.

/// The activity model, chosen per system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityModel {
    /// Davies for every ion; fine below an ionic strength of about 0.5 mol/kg.
    Davies,
    /// WATEQ extended Debye-Hückel ("B-dot" form with per-species b) where the database gives
    /// `-gamma`, Davies otherwise; PHREEQC's model with phreeqc.dat.
    ExtendedDebyeHuckel,
}

impl ActivityModel {
    /// The ionic strength (mol/kg) above which the model is not trusted: 0.5 for Davies (Stumm
    /// and Morgan 1996, Aquatic Chemistry, table 3.3: Davies to I ≈ 0.5), 1.0 for the WATEQ
    /// form (Truesdell and Jones 1974 fitted å and b to about 1-2 mol/kg; PHREEQC manual:
    /// ion-association models are reliable to seawater ionic strength, 0.7).
    pub fn ionic_strength_limit(self) -> f64 {
        match self {
            ActivityModel::Davies => 0.5,
            ActivityModel::ExtendedDebyeHuckel => 1.0,
        }
    }

    /// log10 γ of a species of charge `z` with database `gamma` parameters, given Debye-Hückel
    /// `a` and `b` and the ionic strength `i`, and its derivative with respect to `i`. Only the
    /// tests call it: the solver takes the root once per evaluation (`log_gamma_at`).
    #[cfg(test)]
    pub(crate) fn log_gamma(self, z: f64, gamma: Option<(f64, f64)>, a: f64, b: f64, i: f64) -> (f64, f64) {
        let i = i.max(1e-12);
        self.log_gamma_at(z, gamma, a, b, i, i.sqrt())
    }

    /// As `log_gamma` at an ionic strength `i` already floored at 1e-12, with
    /// `s` = √i: a solve evaluates every species at the same `i`, so one root serves them all.
    pub(crate) fn log_gamma_at(self, z: f64, gamma: Option<(f64, f64)>, a: f64, b: f64, i: f64, s: f64) -> (f64, f64) {
        match (self, gamma) {
            (ActivityModel::ExtendedDebyeHuckel, Some((size, bdot))) => {
                let d = 1.0 + size * b * s;
                (-a * z * z * s / d + bdot * i, -a * z * z / (2.0 * s * d * d) + bdot)
            }
            _ if z == 0.0 => (0.1 * i, 0.1),
            _ => (-a * z * z * (s / (1.0 + s) - 0.3 * i), -a * z * z * (1.0 / (2.0 * s * (1.0 + s) * (1.0 + s)) - 0.3)),
        }
    }
}

/// Water activity from the sum of solute molalities: 1 - 0.017 Σ m, at least 0.05.
pub(crate) fn water_activity(sum_molality: f64) -> f64 {
    (1.0 - 0.017 * sum_molality).max(0.05)
}

/// An equilibrium whose ionic strength lies beyond what its activity model is trusted for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityRangeWarning {
    /// The model used.
    pub model: ActivityModel,
    /// The ionic strength reached, mol/kg.
    pub ionic_strength: f64,
    /// The model's limit, mol/kg ([`ActivityModel::ionic_strength_limit`]).
    pub limit: f64,
}

impl std::fmt::Display for ActivityRangeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ionic strength {:.3} mol/kg is above {:.1} mol/kg, the limit of the {:?} activity model",
            self.ionic_strength, self.limit, self.model
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Davies at I = 0.1, z = 1, A = 0.5114: log γ = -0.5114 (0.3162/1.3162 - 0.03) = -0.1075
    /// (formula of Davies 1962, Ion Association, as in Stumm and Morgan 1996, table 3.3).
    #[test]
    fn davies_at_i_0_1() {
        let (lg, _) = ActivityModel::Davies.log_gamma(1.0, Some((4.0, 0.075)), 0.5114, 0.3288, 0.1);
        assert!((lg + 0.1075).abs() < 1e-3, "{lg}");
    }

    /// Neutral species: 0.1 I by default, b I with `-gamma 0 b` in the WATEQ model.
    #[test]
    fn neutral_species() {
        assert_eq!(ActivityModel::Davies.log_gamma(0.0, None, 0.5, 0.33, 0.2).0, 0.1 * 0.2);
        assert_eq!(
            ActivityModel::ExtendedDebyeHuckel.log_gamma(0.0, Some((0.0, 0.066)), 0.5, 0.33, 0.2).0,
            0.066 * 0.2
        );
    }

    /// The derivative with respect to I matches a central difference.
    #[test]
    fn derivative_matches_a_difference() {
        for (model, gamma) in [(ActivityModel::Davies, None), (ActivityModel::ExtendedDebyeHuckel, Some((5.0, 0.165)))]
        {
            let f = |i| model.log_gamma(2.0, gamma, 0.51, 0.33, i).0;
            let (_, d) = model.log_gamma(2.0, gamma, 0.51, 0.33, 0.3);
            let h = 1e-6;
            assert!((d - (f(0.3 + h) - f(0.3 - h)) / (2.0 * h)).abs() < 1e-6);
        }
    }
}
