//! Calx techno-economic analysis (TEA) of a converged flowsheet.
//!
//! Configured as an `analyses: tea:` block (see [`analysis`] for the parameters and
//! `README.md` for the methods, defaults and their sources), a TEA
//!
//! * costs the equipment of named units, given directly or by the correlation
//!   `C = C0 (S/S0)^n x index(base year)/index(cost year)` from a size figure the unit reports,
//!   or by a published correlation ([`correlations`]) from the sizes the unit reports;
//! * builds total CAPEX by the KIGAM 2022 factorial method (as printed), by Towler & Sinnott's
//!   installation factors, or takes it as given; annualizes it with the capital recovery factor;
//! * prices the simulated utilities, feeds and make-up materials (every one priced or
//!   explicitly excluded) into an operation cost, or takes the operation cost as given and
//!   reports the rebuilt figure beside it; adds labor, administration, overhead, research,
//!   maintenance and insurance;
//! * adds revenue from product sales and carbon credits (a given amount, an LCA's net
//!   reduction, a carbon ledger's credited amount within its crediting period, or the CO2 the
//!   flowsheet fixes), with the credits year by year (credit vintages);
//! * builds a yearly cash-flow table (construction period, start-up output, straight-line
//!   depreciation, optional tax) and reports B/C, NPV, IRR, simple payback, unit production
//!   cost, minimum selling price and cost per t CO2.
//!
//! The parameters are decoded by [`params`], the formulas are in [`finance`] (IRR and minimum
//! selling price found by `calx_solver`'s Brent search), everything is computed by
//! [`assess()`] (or, metrics only, by [`figures`]), rendered by [`render`] and laid out for
//! the report people read by [`report`]. Run-time refusals are [`TeaError`]s.

pub mod analysis;
pub mod assess;
pub mod config;
pub mod correlations;
mod describe;
pub mod error;
mod figures;
pub mod finance;
pub mod params;
pub mod render;
pub mod report;

pub use analysis::TeaAnalysisType;
pub use assess::{CashFlowYear, Line, TeaResult, assess, figures};
pub use config::TeaConfig;
pub use error::TeaError;
pub use params::configure;
pub use render::{metrics, to_csv, to_table};
