//! Analyses: post-processors (LCA, TEA, third-party) that run after convergence over the
//! read-only [`FlowsheetResult`].
//!
//! An [`AnalysisType`] declares its parameters with the same schema as unit types, so the
//! flowsheet format converts and checks an `analyses:` block exactly like unit parameters.
//! Analyses run in declaration order, except that one reading another's results (TEA reading
//! LCA's net CO2 reduction for carbon credits) runs after it. An analysis never re-solves or
//! changes the flowsheet: it gets a shared reference to the converged result and the outputs of
//! the analyses before it.

use serde::Serialize;

use crate::params::{ParamSpec, Params};
use crate::result::FlowsheetResult;
use crate::unit::UnitError;

/// What an analysis type declares about itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalysisDescriptor {
    /// Type name used in flowsheets (`lca`).
    pub type_name: String,
    /// One line on what it does.
    pub summary: String,
    /// Parameters of its `analyses:` block.
    pub params: Vec<ParamSpec>,
    /// Analysis types whose results it reads (they run first).
    pub reads: Vec<String>,
}

/// One named figure of an analysis, for later analyses, studies and snapshots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    /// Name (`net_reduction_per_year`).
    pub name: String,
    /// Value in the unit named next to it.
    pub value: f64,
    /// Unit of measure as text (`kg CO2-eq/yr`).
    pub unit: String,
}

/// What an analysis produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalysisOutput {
    /// Name of this analysis in the flowsheet (`lca`, `lca_official_grid`).
    pub name: String,
    /// Its type.
    pub type_name: String,
    /// Headline figures, in a fixed order.
    pub metrics: Vec<Metric>,
    /// Human-readable report.
    #[serde(skip)]
    pub text: String,
    /// CSV rendering.
    #[serde(skip)]
    pub csv: String,
    /// Full result as JSON text.
    #[serde(skip)]
    pub json: String,
}

impl AnalysisOutput {
    /// A metric by name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.iter().find(|m| m.name == name).map(|m| m.value)
    }
}

/// A type of analysis: its manifest and a factory.
pub trait AnalysisType: Send + Sync {
    /// The manifest.
    fn descriptor(&self) -> AnalysisDescriptor;
    /// Check the parameters and build a configured analysis; parameter problems are
    /// [`UnitError::Parameter`] so the flowsheet layer can point at them.
    fn create(&self, name: &str, params: &Params) -> Result<Box<dyn Analysis>, UnitError>;
}

/// A configured analysis.
pub trait Analysis: Send + Sync {
    /// Run over the converged flowsheet; `earlier` holds the outputs of the analyses that ran
    /// before this one. Errors are complete messages (what is missing, what is allowed).
    fn run(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, String>;

    /// Like [`Analysis::run`], but only `metrics` need be filled (`text`, `csv` and `json` may
    /// be empty): what parameter studies call for every sample. The default runs
    /// [`Analysis::run`]; analyses whose reports cost more than their figures override it.
    fn run_metrics(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, String> {
        self.run(flowsheet, earlier)
    }
}
