//! Calx documents: reports people would rather look at.
//!
//! From a solved model (the decoded flowsheet, its converged result, the analyses' outputs
//! and, optionally, a parameter study's output files) this crate builds one [`Document`] —
//! sections of key figures, tables and SVG figures — and renders it as
//!
//! * [`html()`]: one self-contained HTML file. Styles and SVG are inline, there is no script,
//!   no web font and no external reference of any kind, and a Content-Security-Policy meta
//!   tag makes the browser refuse any fetch, so the report opens offline and leaks nothing;
//! * [`markdown()`]: Markdown with the tables, and the figures as SVG files for a directory
//!   beside it, for pasting into other documents.
//!
//! Figures: the flowsheet diagram is laid out by `layout-rs` ([`diagram`]); charts are drawn
//! by `plotters` ([`charts`]); the Sankey diagram of mass flows is our own layout
//! ([`sankey`]), because no maintained crate does it.
//!
//! **Invariants:** no file I/O and no printing (the `calx` command reads and writes files);
//! output depends only on the input (no clock, no hash order), so the same model gives the
//! same bytes; nothing here panics on user data — what is missing becomes a note.
//!
//! ```no_run
//! # fn demo(project: &calx::Project, solved: &calx::Solved) {
//! use calx_document::{Input, Options};
//! let input = Input::new(project, solved);
//! let doc = calx_document::document(&input, &Options::default());
//! let page: String = calx_document::html(&doc);
//! let md = calx_document::markdown(&doc, "report-files");
//! # let _ = (page, md);
//! # }
//! ```

mod aqueous;
mod charts;
mod diagram;
mod doc;
mod fit;
mod format;
mod graph;
mod html;
mod markdown;
mod sankey;
mod sections;
mod structure;
mod study;
mod svg;
mod text;

use calx_core::AnalysisOutput;
use calx_core::result::FlowsheetResult;
use calx_flowsheet::Model;

pub use doc::{Block, Document, Figure, KeyFigure, Section, Table};
pub use fit::{fit_document, fit_text};
pub use html::html;
pub use markdown::{Asset, Markdown, markdown};
pub use structure::structure_svg;
pub use study::{StudyFileError, StudyFiles, StudyResults};
pub use text::text_table;

/// What a report is made from.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    /// The decoded flowsheet (display units, description, units of measure).
    pub model: &'a Model,
    /// Its converged result.
    pub result: &'a FlowsheetResult,
    /// The analyses' outputs, in the order they ran.
    pub analyses: &'a [AnalysisOutput],
    /// The unit and analysis types the flowsheet was decoded against: the summary notes the
    /// analysis types it does not use (`None`: no such notes).
    pub registry: Option<&'a calx_core::Registry>,
    /// A parameter study's results, if one is to be shown.
    pub study: Option<&'a StudyResults>,
}

impl<'a> Input<'a> {
    /// The report of a solved project, without a study.
    pub fn new(project: &'a calx::Project, solved: &'a calx::Solved) -> Input<'a> {
        Input {
            model: project.model(),
            result: &solved.result,
            analyses: &solved.analyses,
            registry: Some(project.registry()),
            study: None,
        }
    }
}

/// The basis of the Sankey diagram's numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SankeyBasis {
    /// Per unit of production: the flowsheet's `basis:` (as its display units use it, e.g.
    /// `kg/t_product`), else the first LCA's functional unit, else per hour.
    #[default]
    PerUnit,
    /// Per year of operation (t/yr, 8,760 h).
    PerYear,
}

/// Report options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// Basis of the Sankey diagram.
    pub sankey: SankeyBasis,
}

/// Build the report's content.
pub fn document(input: &Input<'_>, options: &Options) -> Document {
    sections::build(input, options)
}

/// The flowsheet diagram alone, with its layout (node boxes), as the report draws it.
#[cfg(test)]
pub(crate) fn flowsheet_diagram(input: &Input<'_>) -> diagram::Diagram {
    sections::diagram(input)
}

/// The Sankey diagram alone, with its layout (node flows and positions), as the report
/// draws it.
#[cfg(test)]
pub(crate) fn mass_flows(input: &Input<'_>, basis: SankeyBasis) -> sankey::Sankey {
    sections::mass_flows(input, basis)
}

#[cfg(test)]
mod tests;
