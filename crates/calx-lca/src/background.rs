//! One LCA configuration compiled against its background database, once, for any number of
//! assessments (a parameter study assesses thousands of flowsheets against the same one).

use std::sync::OnceLock;

use crate::config::LcaConfig;
use crate::database::{Database, GHG_CO2_EQ, Matrices};
use crate::error::Result;
use crate::plan::Plan;

/// One LCA configuration with its background database, ready for many assessments: factor
/// overrides applied, the matrices compiled once, the headline category's factor of every
/// elementary flow looked up once, and each process's impact per SI unit of its product
/// remembered after its first solve.
#[derive(Debug)]
pub struct Background {
    pub(crate) config: LcaConfig,
    pub(crate) db: Database,
    pub(crate) matrices: Matrices,
    /// The configuration's impact category.
    pub(crate) category: usize,
    /// Per category, per elementary flow, its characterisation factor.
    flow_factors: Vec<Vec<f64>>,
    /// Per process, its impact in every category per SI unit, once solved. A `OnceLock`
    /// per process: threads read without contending and may at worst solve one twice.
    unit_impacts: Vec<OnceLock<UnitImpacts>>,
    /// Per elementary flow, its factor in every category and whether the category has one
    /// (a direct emission's impacts per kg), laid out once like a process's.
    flow_impacts: Vec<UnitImpacts>,
    /// The units of the metrics per functional unit and per year (`kg CO2-eq/FU`,
    /// `kg CO2-eq/yr`), written once instead of for every sample.
    pub(crate) metric_units: (String, String),
    /// The compiled assessment of the first inventory shape a study's figures met
    /// ([`crate::plan`]), set once.
    pub(crate) plan: OnceLock<Plan>,
}

impl Background {
    /// Apply the configuration's factor overrides to `database` and compile it.
    pub fn new(mut database: Database, config: LcaConfig) -> Result<Background> {
        for o in &config.overrides {
            database.override_process(&o.process, o.value, &o.source)?;
        }
        let matrices = database.matrices();
        let category = database.require_category(&config.characterization)?;
        let flows = database.flows().len();
        let flow_factors: Vec<Vec<f64>> =
            (0..database.categories().len()).map(|c| (0..flows).map(|f| database.factor(c, f)).collect()).collect();
        let unit_impacts = database.processes().iter().map(|_| OnceLock::new()).collect();
        let categories = database.categories().len();
        let flow_impacts = (0..flows)
            .map(|f| UnitImpacts {
                impacts: (0..categories).map(|c| flow_factors[c][f]).collect(),
                complete: (0..categories).map(|c| database.factor_of(c, f).is_some()).collect(),
            })
            .collect();
        let metric_units = metric_units(&database.categories()[category].unit);
        Ok(Background {
            config,
            db: database,
            matrices,
            category,
            flow_factors,
            unit_impacts,
            flow_impacts,
            metric_units,
            plan: OnceLock::new(),
        })
    }

    /// The configuration, with its factor overrides.
    pub fn config(&self) -> &LcaConfig {
        &self.config
    }

    /// The database, with the user data and the factor overrides applied.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Give override `k` of the configuration (a replaced process's factor) the value
    /// `value`, in place: the database's entry and the emission matrix's are changed, and
    /// every process's impacts are solved again when next asked for. What
    /// [`Background::new`] would compile with that value, bit for bit: the technosphere and
    /// the factors do not depend on it, and the emission matrix holds it as its one triplet.
    /// `false` (nothing changed) when that cannot be done (a zero value, which the matrix
    /// would not store).
    pub(crate) fn set_override(&mut self, k: usize, value: f64) -> bool {
        let Some(o) = self.config.overrides.get(k) else { return false };
        let what = "a factor override";
        let (Ok(p), Ok(f)) = (self.db.require_process(&o.process, what), self.db.require_flow(GHG_CO2_EQ, what)) else {
            return false;
        };
        // Checked before anything changes, so that a refusal leaves the background whole.
        if value == 0.0 || self.matrices.b.get(f, p) == 0.0 || self.db.set_override_value(p, value).is_none() {
            return false;
        }
        let set = self.matrices.b.set_stored(f, p, value);
        debug_assert!(set, "a stored entry of the emission matrix takes a non-zero value");
        self.config.overrides[k].value = value;
        self.unit_impacts.iter_mut().for_each(|cell| _ = cell.take());
        true
    }

    /// Take over `earlier`'s compiled plan: `self` is `earlier` with other factor overrides
    /// (values, never names), so the plan's items, indices and names still hold, and it reads
    /// every impact from the background it is used with.
    pub(crate) fn keep_plan(&mut self, earlier: &mut Background) {
        if let Some(plan) = earlier.plan.take() {
            self.plan = OnceLock::from(plan);
        }
    }

    /// Characterisation factor of elementary flow `f` in the configuration's category.
    pub(crate) fn flow_factor(&self, f: usize) -> f64 {
        self.flow_factors[self.category][f]
    }

    /// Impact in the configuration's category per SI unit of process `p`'s reference product.
    pub(crate) fn unit_impact(&self, p: usize) -> Result<f64> {
        Ok(self.unit_impacts_of(p)?.impacts[self.category])
    }

    /// Elementary flow `f`'s factor in every category (database order), and whether each
    /// category has one.
    pub(crate) fn flow_impacts_of(&self, f: usize) -> &UnitImpacts {
        &self.flow_impacts[f]
    }

    /// Impact in every category (database order) per SI unit of process `p`'s product, and
    /// whether each category characterises every flow of its cradle-to-gate inventory.
    pub(crate) fn unit_impacts_of(&self, p: usize) -> Result<&UnitImpacts> {
        if let Some(x) = self.unit_impacts[p].get() {
            return Ok(x);
        }
        let solved = self.db.solve(&self.matrices, &[(p, 1.0)], &self.config.solver)?;
        let complete = (0..self.db.categories().len())
            .map(|c| {
                solved.inventory.iter().enumerate().all(|(f, g)| *g == 0.0 || self.db.factor_of(c, f).is_some())
                    && self.db.unknown_in(c, &solved.scaling).next().is_none()
            })
            .collect();
        let x = UnitImpacts { impacts: solved.impacts, complete };
        // The solve is deterministic: whichever thread sets the cell sets the same value.
        Ok(self.unit_impacts[p].get_or_init(|| x))
    }
}

/// A process's impacts per SI unit of its product, per category (database order).
#[derive(Debug)]
pub(crate) struct UnitImpacts {
    pub(crate) impacts: Vec<f64>,
    /// The category has a factor for every elementary flow the process's inventory holds,
    /// and no process of its supply chain leaves an amount the category weighs unknown.
    pub(crate) complete: Vec<bool>,
}

/// The units of the metrics per functional unit and per year of an impact in `unit`.
pub(crate) fn metric_units(unit: &str) -> (String, String) {
    (format!("{unit}/FU"), format!("{unit}/yr"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FactorOverride;

    /// The shipped data with the grid factor replaced by `value`.
    fn with_grid_factor(value: f64) -> Background {
        let mut config = LcaConfig::default();
        let source = "test".to_string();
        config.overrides.push(FactorOverride { process: "electricity_kr_2014_16".into(), value, source });
        Background::new(Database::builtin(), config).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every process's impacts in every category, as bits.
    fn impacts(b: &Background) -> Vec<Vec<u64>> {
        let n = b.db.processes().len();
        (0..n).map(|p| b.unit_impacts_of(p).unwrap().impacts.iter().map(|x| x.to_bits()).collect()).collect()
    }

    #[test]
    fn a_factor_set_in_place_is_the_background_compiled_with_it() {
        let mut b = with_grid_factor(0.4173);
        let before = impacts(&b);
        assert!(b.set_override(0, 0.3795));
        let fresh = with_grid_factor(0.3795);
        assert_eq!(b.config, fresh.config);
        assert_eq!(b.matrices.b, fresh.matrices.b);
        assert_eq!(b.matrices.a, fresh.matrices.a);
        assert_eq!(impacts(&b), impacts(&fresh));
        assert_ne!(impacts(&b), before, "the impacts were solved again");
        // A zero, which the emission matrix would not store, and a non-finite value are not
        // set in place (the background is compiled again, or refuses), and nothing changes.
        for value in [0.0, f64::NAN] {
            assert!(!b.set_override(0, value));
            assert_eq!(b.matrices.b, fresh.matrices.b);
            assert_eq!(b.config, fresh.config);
        }
        assert!(!b.set_override(1, 0.5), "there is no second override");
    }
}
