//! Calx life-cycle assessment (LCA) of a converged flowsheet.
//!
//! The matrix method (Heijungs and Suh 2002): a background [`Database`] compiles into a
//! technosphere matrix `A` (processes x processes), interventions `B` (elementary flows x
//! processes) and characterisation `C` (impact categories x flows); for a final demand `f`,
//! `A s = f`, `g = B s`, `h = C g`. `A` and `B` are sparse (CSR) and `A s = f` is solved by
//! Gauss-Seidel with a dense LU fallback (see [`sparse`]), so a background of thousands of
//! processes costs milliseconds.
//!
//! [`assess()`] reads a [`calx_core::result::FlowsheetResult`] — units' utilities and make-up
//! materials, feed streams by component, gases generated in the process — maps each
//! inventory item to a background process as [`LcaConfig`] says (anything neither mapped nor
//! explicitly excluded is an error listing every such item), computes the CO2 fixed from the
//! carbon balance, and reports impacts per functional unit and per year, with contributions
//! by unit and by flow. Everything inside is SI (kg, J, kg/s, W); impacts are in the
//! category's unit (kg CO2-eq for the shipped GWP100 sets).
//!
//! Two entry points, over a [`Background`] compiled once per configuration: [`figures`],
//! the totals and contributions behind the metrics and nothing else (what the `lca`
//! analysis's `figures` gives a study for every sample), and [`assess_with`], the full
//! [`LcaResult`], built from the same figures, which [`report_part`] turns into the LCA's part
//! of the report people read.
//!
//! Conventions (also on [`assess`](mod@assess)): CO2 uptake = carbon in solids of product streams minus
//! carbon in solids of feeds and make-up, as CO2; flue-gas CO2 that leaves the vent unfixed is
//! the power plant's emission, not this system's: direct emissions are only gas species
//! *generated* in the process (vent minus gas fed, per species, when positive).
//!
//! ```
//! use calx_lca::{Database, FunctionalUnit, LcaConfig};
//! let db = Database::builtin();
//! let config = LcaConfig::new(FunctionalUnit::tonne_of("product"));
//! assert_eq!(config.characterization, "GWP100 (IPCC AR6)");
//! assert!(db.require_process("electricity_kr_2014_16", "example").is_ok());
//! // let result = calx_lca::assess(&flowsheet_result, &db, &config)?;
//! ```

pub mod analysis;
pub mod assess;
pub mod background;
pub mod config;
pub mod database;
pub mod error;
pub mod export;
pub mod import;
mod inventory;
mod plan;
pub mod render;
pub mod report;
pub mod result;
pub mod sparse;
mod zip;

pub use analysis::LcaAnalysisType;
pub use assess::{SECONDS_PER_YEAR, assess, assess_with, figures};
pub use background::Background;
pub use config::{AvoidedBurden, FactorOverride, FunctionalUnit, LcaConfig, Mapping};
pub use database::{Database, GHG_CO2_EQ, Matrices, Solution};
pub use error::{CellProblem, LcaError, Result};
pub use export::{ExportInfo, brightway_bw2package, brightway_package, olca_zip};
pub use render::{listing, to_csv, to_table};
pub use report::{per, report_part};
pub use result::{
    Amount, AvoidedLine, CategoryTotal, Contribution, Exclusion, FlowTotal, InventoryLine, LcaFigures, LcaResult, Part,
    ProcessUse, UnknownAmount,
};
pub use sparse::{CsrMatrix, SolveReport, SolverChoice, SolverOptions};
