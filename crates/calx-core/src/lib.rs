//! Calx core model: chemical components, material streams, quantities with units of measure,
//! the unit-operation contract that every unit plugin implements, and the read-only converged
//! flowsheet that post-processors consume.
//!
//! Invariant: this crate does no I/O. Everything inside is SI (kg/s, K, Pa, W, J, mol);
//! conversion to and from the units people write happens at the edges (see [`quantity`]).

pub mod analysis;
pub mod aqueous;
pub mod comminution;
pub mod component;
pub mod dimension;
pub mod element;
pub mod error;
pub mod expr;
pub mod format;
pub mod formula;
pub mod limits;
pub mod params;
pub mod path;
pub mod quantity;
pub mod reaction;
pub mod registry;
pub mod report;
pub mod result;
pub mod stats;
pub mod stream;
pub mod suggest;
pub mod text;
pub mod thermo;
pub mod unit;
pub mod water;

pub use analysis::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, CsvTable, LayoutKey, Metric,
    MetricLayout, MetricWriter, StudySamples,
};
pub use component::{Component, ComponentSet, Phase};
pub use dimension::Dimension;
pub use error::{Error, Result};
pub use formula::Formula;
pub use params::{ParamKind, ParamSpec, ParamValue, Params};
pub use quantity::{ParsedUnits, Quantity, SECONDS_PER_YEAR, UnitExpr, UnitTable};
pub use reaction::Reaction;
pub use registry::Registry;
pub use stream::Stream;
pub use unit::{
    MaterialUse, PortDirection, PortSpec, SizeFigure, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport,
    UnitType, Utility, UtilityUse, WorkUse,
};
