//! The report as data: sections of headings, paragraphs, key figures, tables and SVG figures.
//!
//! [`crate::sections`] builds one [`Document`] from a solved model; [`crate::html`] and
//! [`crate::markdown`] only render it. So both outputs always hold the same numbers, and a
//! test can inspect the content without parsing HTML.

/// A whole report.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Title (the flowsheet's name).
    pub title: String,
    /// Lines under the title (description, file, basis).
    pub subtitle: Vec<String>,
    /// Sections in reading order.
    pub sections: Vec<Section>,
    /// Footer line (generator and version; no timestamp, so output is reproducible).
    pub footer: String,
}

/// One `<section id="...">`.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Stable id (`summary`, `flowsheet`, `sankey`, `streams`, `balance`, `solver`, `lca`,
    /// `tea`, `study`, ...): the HTML id and the Markdown anchor.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph of plain text.
    Paragraph(String),
    /// A remark set apart (missing data, caveats).
    Note(String),
    /// Headline numbers shown as tiles.
    KeyFigures(Vec<KeyFigure>),
    /// A table.
    Table(Table),
    /// A chart or diagram.
    Figure(Figure),
    /// Figures side by side (HTML) or one after another (Markdown).
    Grid(Vec<Figure>),
    /// A bulleted list.
    List(Vec<String>),
    /// Text shown exactly as written, in a fixed-width font (YAML to copy).
    Code(String),
    /// A chart with its table beside it (HTML) or below it (Markdown).
    Split(Figure, Table),
    /// Content shown on request (`<details>` in HTML; shown in full in Markdown).
    Collapsed {
        /// The line shown when collapsed.
        summary: String,
        /// The content.
        blocks: Vec<Block>,
    },
}

pub use calx_core::report::{KeyFigure, Table};

/// An SVG figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Unique id: the HTML id and the SVG file stem in Markdown output.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Standalone SVG markup (with `xmlns`).
    pub svg: String,
    /// Natural width in px.
    pub width: f64,
    /// Natural height in px.
    pub height: f64,
}
