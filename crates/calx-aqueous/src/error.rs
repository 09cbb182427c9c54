//! The errors of calx-aqueous: a database that does not read, a system that cannot be built
//! from its specification, an input out of range, and a solve that does not converge.

/// Everything that can go wrong in calx-aqueous.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AqueousError {
    /// A database line that does not read.
    #[error("database line {line}: {message}")]
    Database {
        /// 1-based line number in the database text.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A mineral name that the database does not have, or whose elements the system lacks.
    #[error("mineral `{name}`: {reason}")]
    Mineral {
        /// The mineral named.
        name: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// An input value out of range (non-finite, negative, temperature outside 0-150 °C).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The Newton iteration did not converge.
    #[error(
        "no convergence after {iterations} iterations: worst residual {residual:.3e} in {equation} \
         (most abundant species {species}, log10 molality {log_molality:.3})"
    )]
    NoConvergence {
        /// Newton iterations done (summed over the mineral active-set rounds).
        iterations: usize,
        /// The equation with the largest scaled residual (e.g. `mass balance of C`).
        equation: String,
        /// Its scaled residual (relative for balances, log units for saturation).
        residual: f64,
        /// The species with the largest molality at the last iterate.
        species: String,
        /// Its log10 molality.
        log_molality: f64,
    },
    /// The solution would hold more than the activity coefficients are ever evaluated at:
    /// everything soluble dissolved into too little water (8.5 mol of brucite in 0.5 kg under
    /// CO2 makes 17 mol/kg of Mg(HCO3)2).
    #[error(
        "the solution would reach an ionic strength of {ionic_strength:.1} mol/kg (most abundant species \
         {species}, log10 molality {log_molality:.3}), above {limit} mol/kg, beyond any activity model: \
         give the solids more water or less CO2"
    )]
    BeyondIonicStrength {
        /// Ionic strength of the molalities at the last iterate, mol/kg.
        ionic_strength: f64,
        /// The largest ionic strength activity coefficients are evaluated at, mol/kg.
        limit: f64,
        /// The species with the largest molality at the last iterate.
        species: String,
        /// Its log10 molality.
        log_molality: f64,
    },
    /// The Newton matrix was singular (a degenerate set of equilibrium phases or an element
    /// whose species all vanished).
    #[error("singular Newton matrix after {iterations} iterations at the unknown of {unknown}")]
    Singular {
        /// Newton iterations done.
        iterations: usize,
        /// The unknown whose pivot vanished.
        unknown: String,
    },
    /// The mineral active set did not settle (minerals kept entering and leaving).
    #[error("the set of equilibrium minerals did not settle after {rounds} rounds ({last})")]
    ActiveSet {
        /// Rounds done.
        rounds: usize,
        /// The mineral changed last.
        last: String,
    },
}
