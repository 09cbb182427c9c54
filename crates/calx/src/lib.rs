//! Calx as a library: the one pipeline from a flowsheet file to results.
//!
//! ```no_run
//! use calx::{LoadOptions, Project};
//!
//! # fn main() -> Result<(), calx::Error> {
//! let project = Project::load("flowsheets/kigam-cfbc-2022.yaml".as_ref(), &LoadOptions::from_env())?;
//! let solved = project.solve()?;
//! let net = solved.analyses.iter().find(|a| a.name == "lca").and_then(|a| a.metric("net_reduction_per_year"));
//! assert!(net.is_some_and(f64::is_finite));
//! # Ok(())
//! # }
//! ```
//!
//! [`Project::load`] reads the file once into a tree that keeps positions, decodes its
//! `plugins:` list, loads those libraries (and only those), then decodes the rest against the
//! built-in and plugin types; [`Project::build`], [`Project::solve`], [`Project::analyse`]
//! and [`Project::figures`] are the steps after it, each with a typed error that keeps the
//! file's positions where there are any. The `calx` command, `calx-testing`, snapshots,
//! studies, reports and benchmarks all go through here.
//!
//! This crate reads the flowsheet file it is given, the carbon-methodology profile files it
//! names and loads the plugin libraries it lists; it does no other I/O and prints nothing.

mod analyses;
mod builtins;
mod carbon;
mod design;
mod error;
pub mod fit;
mod lca;
mod optimize;
mod plugins;
mod project;
mod warm;

pub use analyses::{AnalysisFailure, run_figures, run_figures_into, run_reports, run_reports_with_study};
pub use builtins::builtin_registry;
pub use calx_lca::{Database as LcaDatabase, listing as lca_listing};
pub use error::{Error, LoadError};
pub use lca::{LcaExportError, LcaExportFormat, lca_database, lca_export};
pub use plugins::{PluginProblem, ResolveError, library_file_name, load_plugins, resolve, search_path_from_env};
pub use project::{LoadOptions, Project, Solved};

// The types a caller of the pipeline meets, under one roof.
pub use calx_core::result::FlowsheetResult;
pub use calx_core::{AnalysisOutput, Registry, StudySamples};
pub use calx_engine::{EngineError, Flowsheet, WarmStart};
pub use calx_flowsheet::{ConfiguredAnalysis, Diagnostic, Diagnostics, Loc, Model, Source};
pub use calx_plugin_host::LoadedPlugin;
