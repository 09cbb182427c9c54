//! What an assessment counts and how: the functional unit, the characterisation set, factor
//! overrides, and the mapping from the flowsheet's inventory to background processes.
//!
//! Nothing is counted as zero silently: every inventory item (a utility, a component of a
//! feed stream, a make-up material, a greenhouse gas generated in the process) must either map
//! to a background process (or elementary flow) or be excluded with a reason, and the
//! exclusions are listed in the result.

use std::collections::BTreeMap;

use calx_core::Utility;
use serde::Serialize;

use crate::sparse::SolverOptions;

/// What one functional unit (FU) is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionalUnit {
    /// `amount` kg of a named product stream (1000 for "per tonne of product").
    Product {
        /// Product stream name.
        stream: String,
        /// Mass in kg.
        amount: f64,
    },
    /// `amount` kg of CO2 fixed in solids (1000 for "per tonne of CO2 fixed").
    Co2Fixed {
        /// Mass of CO2 in kg.
        amount: f64,
    },
}

impl FunctionalUnit {
    /// One tonne of a product stream.
    pub fn tonne_of(stream: &str) -> FunctionalUnit {
        FunctionalUnit::Product { stream: stream.into(), amount: 1000.0 }
    }
    /// Text for reports ("1000 kg of stream `product`").
    pub fn describe(&self) -> String {
        match self {
            FunctionalUnit::Product { stream, amount } => {
                format!("{amount} kg of stream `{stream}`")
            }
            FunctionalUnit::Co2Fixed { amount } => format!("{amount} kg of CO2 fixed"),
        }
    }
}

/// Where an inventory item goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mapping {
    /// To this background process (utilities, feeds, materials) or elementary flow (direct
    /// emissions), by name.
    To(String),
    /// Left out of the system boundary, for this reason (reported with the result).
    Excluded {
        /// Why ("the paper counts electricity only").
        reason: String,
    },
}

impl Mapping {
    /// To a process or flow.
    pub fn to(name: &str) -> Mapping {
        Mapping::To(name.into())
    }
    /// Excluded with a reason.
    pub fn excluded(reason: &str) -> Mapping {
        Mapping::Excluded { reason: reason.into() }
    }
}

/// Replace a background process's data by one sourced value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactorOverride {
    /// Process name.
    pub process: String,
    /// kg CO2-eq per SI unit of the process's product (per J or per kg); e.g. a grid factor
    /// of 0.5 kg/kWh is 0.5 / 3.6e6.
    pub value: f64,
    /// Where the value comes from (required: it is reported).
    pub source: String,
}

/// A product that displaces another product (an avoided burden, credited).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AvoidedBurden {
    /// Product stream.
    pub stream: String,
    /// Displaced background process.
    pub process: String,
    /// SI units of the displaced product per kg of the stream (kg/kg, or J/kg).
    pub amount: f64,
    /// Why and from where (substitution ratio source).
    pub source: String,
}

/// Configuration of one assessment. Start from [`LcaConfig::new`] (documented defaults) and
/// change fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LcaConfig {
    /// The functional unit.
    pub functional_unit: FunctionalUnit,
    /// Reference year of the data, free text for reports (default `2014-2016`, the year of
    /// the default grid factor).
    pub reference_year: String,
    /// Impact category used for the headline figures (default `GWP100 (IPCC AR6)`; also
    /// shipped: `GWP100 (IPCC AR5)`). Every category of the database is reported too.
    pub characterization: String,
    /// Factor overrides, applied before solving.
    pub overrides: Vec<FactorOverride>,
    /// Utility -> process. Default: electricity -> `electricity_kr_2014_16` (the official
    /// K-ETS factor), water -> `tap_water_kr`; heating and cooling have no default.
    pub utilities: BTreeMap<Utility, Mapping>,
    /// Whole feed streams -> process, by stream name (takes precedence over `components`),
    /// e.g. a waste feed excluded as burden-free. Default: none.
    pub streams: BTreeMap<String, Mapping>,
    /// Components of feed streams and make-up materials -> process, by component name.
    /// Default: `H2O` -> `tap_water_kr`. Names not in a flowsheet are ignored.
    pub components: BTreeMap<String, Mapping>,
    /// Gas-phase components generated in the process (vented) -> elementary flow. Default:
    /// `CO2` -> `CO2, fossil`, `CH4` -> `CH4, fossil`, `N2O` -> `N2O`; `N2`, `O2`, `H2O`, `Ar`
    /// excluded as not greenhouse gases.
    pub direct_emissions: BTreeMap<String, Mapping>,
    /// Avoided burdens (credits). Default: none.
    pub avoided: Vec<AvoidedBurden>,
    /// Linear solver options.
    pub solver: SolverOptions,
}

impl LcaConfig {
    /// The defaults listed on each field, for the given functional unit.
    pub fn new(functional_unit: FunctionalUnit) -> LcaConfig {
        let not_ghg = "not a greenhouse gas";
        LcaConfig {
            functional_unit,
            reference_year: "2014-2016".into(),
            characterization: "GWP100 (IPCC AR6)".into(),
            overrides: Vec::new(),
            utilities: BTreeMap::from([
                (Utility::Electricity, Mapping::to("electricity_kr_2014_16")),
                (Utility::Water, Mapping::to("tap_water_kr")),
            ]),
            streams: BTreeMap::new(),
            components: BTreeMap::from([("H2O".to_string(), Mapping::to("tap_water_kr"))]),
            direct_emissions: BTreeMap::from([
                ("CO2".to_string(), Mapping::to("CO2, fossil")),
                ("CH4".to_string(), Mapping::to("CH4, fossil")),
                ("N2O".to_string(), Mapping::to("N2O")),
                ("N2".to_string(), Mapping::excluded(not_ghg)),
                ("O2".to_string(), Mapping::excluded(not_ghg)),
                ("H2O".to_string(), Mapping::excluded(not_ghg)),
                ("Ar".to_string(), Mapping::excluded(not_ghg)),
            ]),
            avoided: Vec::new(),
            solver: SolverOptions::default(),
        }
    }
}

impl Default for LcaConfig {
    /// [`LcaConfig::new`] with one tonne of the stream `product` as functional unit.
    fn default() -> Self {
        LcaConfig::new(FunctionalUnit::tonne_of("product"))
    }
}
