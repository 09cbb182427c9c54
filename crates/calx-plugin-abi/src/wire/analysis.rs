//! The JSON messages of plugin analyses (ABI 1.1): what an analysis type declares, how one is
//! created, the read-only view of the converged flowsheet it is handed, and what it returns.
//!
//! - [`AnalysisDescriptor`], in the [`Manifest`](super::Manifest)'s `analyses` (absent in a
//!   1.0 manifest, read as none);
//! - [`AnalysisConfigMessage`], sent once per configured analysis;
//! - [`AnalysisRequest`], sent per run: [`RunMode`] and the [`FlowsheetView`] (streams with
//!   component flows, T and P; units with utilities, materials, sizes and closures; the
//!   flowsheet's closures; earlier analyses' metrics by name);
//! - [`AnalysisResult`], returned per run: named [`Metric`]s with units and, for a report
//!   run, text, CSV tables, JSON and a [`ReportPart`] the report renders without knowing
//!   the analysis;
//! - [`AnalysisError`], returned with [`Status::ANALYSIS_ERROR`](crate::Status::ANALYSIS_ERROR).
//!
//! The rules of [`wire`](super) apply. [`ReportPart`] and the types under it mirror
//! `calx_core::report` field for field and serialize exactly as they do (pinned by
//! `tests/golden/report_part.json`).

use serde::{Deserialize, Serialize};

use super::{Dimension, ParamSpec, Params};

/// An analysis type's manifest (`calx_core::AnalysisDescriptor`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisDescriptor {
    /// Type name used in flowsheets (`water_footprint`).
    pub type_name: String,
    /// One line on what it does.
    pub summary: String,
    /// Parameters of its `analyses:` block.
    pub params: Vec<ParamSpec>,
    /// Analysis types whose results it reads (they run first when the flowsheet has them).
    pub reads: Vec<String>,
    /// What the report's summary says when a flowsheet has no analysis of this type.
    pub when_absent: Option<String>,
}

/// Everything needed to create one analysis, sent once per analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfigMessage {
    /// Analysis type name.
    pub type_name: String,
    /// The analysis's name in the flowsheet.
    pub name: String,
    /// Checked parameters in SI.
    pub params: Params,
}

/// A new value of one numeric parameter of an analysis, set in place
/// (`calx_core::Analysis::set_number`), or, with `value` null, the parameter given back its
/// value at creation (`reset_number`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetNumberMessage {
    /// The parameter.
    pub param: String,
    /// One entry of a map parameter, if it is one.
    pub key: Option<String>,
    /// The value in `unit`; `null`: back to the value at creation.
    pub value: Option<f64>,
    /// The unit the value is in; empty: a plain number in SI.
    pub unit: String,
}

/// What a run asks for: `"figures"` (metrics only, every sample of a study) or `"report"`
/// (metrics, text, tables, report part).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// Metrics only.
    Figures,
    /// Everything.
    Report,
}

/// One run of an analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRequest {
    /// Figures or report.
    pub mode: RunMode,
    /// The flowsheet's components in full: sent with the first run of an analysis (and
    /// whenever they change), `null` when the plugin has them from an earlier run.
    pub components: Option<Vec<super::ComponentData>>,
    /// The converged flowsheet and the analyses that ran before.
    pub view: FlowsheetView,
}

/// A read-only view of a converged flowsheet, in SI and declaration order. What it leaves
/// out (aqueous properties, shaft work, the solver's report, why an energy balance was not
/// checked) a plugin analysis cannot read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowsheetView {
    /// Flowsheet name.
    pub name: String,
    /// Component names, in the order of every flow vector.
    pub components: Vec<String>,
    /// Streams.
    pub streams: Vec<StreamView>,
    /// Units.
    pub units: Vec<UnitView>,
    /// Closures over the whole flowsheet (mass, elements).
    pub balance: Vec<ClosureView>,
    /// The flowsheet's energy closure, when it was checked.
    pub energy: Option<ClosureView>,
    /// The analyses that ran before this one and are of a type it `reads`, in run order.
    pub earlier: Vec<EarlierAnalysis>,
}

/// Whether a stream crosses the flowsheet boundary: `"feed"`, `"internal"` or `"product"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamRole {
    /// Enters the flowsheet.
    Feed,
    /// Runs between two units.
    Internal,
    /// Leaves the flowsheet.
    Product,
}

/// One converged stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamView {
    /// Name.
    pub name: String,
    /// Boundary role.
    pub role: StreamRole,
    /// Producing unit and port (feeds: the implicit feed unit of the same name).
    pub source: Option<Endpoint>,
    /// Consuming unit and port (`null` for a product).
    pub destination: Option<Endpoint>,
    /// Component mass flows, kg/s, in component order.
    pub flows: Vec<f64>,
    /// Temperature, K.
    pub temperature: f64,
    /// Pressure, Pa.
    pub pressure: f64,
}

/// Where a stream starts or ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Unit name.
    pub unit: String,
    /// Port name.
    pub port: String,
}

/// A utility: `"electricity"` (W), `"heating"` (W), `"cooling"` (W) or `"water"` (kg/s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Utility {
    /// Electric power, W.
    Electricity,
    /// Heat supplied to the process, W.
    Heating,
    /// Heat removed from the process, W.
    Cooling,
    /// Water consumed outside the modelled streams, kg/s.
    Water,
}

/// One utility use of a unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UtilityView {
    /// Which utility.
    pub utility: Utility,
    /// What it is for.
    pub purpose: String,
    /// Rate, W or kg/s.
    pub rate: f64,
}

/// Material a unit draws from outside the flowsheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialView {
    /// What it is for.
    pub purpose: String,
    /// Component index.
    pub component: usize,
    /// kg/s.
    pub rate: f64,
}

/// A size figure of a unit, SI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeView {
    /// Name.
    pub name: String,
    /// Value in SI.
    pub value: f64,
    /// Its dimension.
    pub dimension: Dimension,
}

/// Closure of one conserved quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClosureView {
    /// `mass`, `energy` or an element symbol.
    pub quantity: String,
    /// What enters.
    pub inflow: f64,
    /// What leaves.
    pub outflow: f64,
    /// |in - out| / max(in, out).
    pub relative_error: f64,
}

/// One converged unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitView {
    /// Name.
    pub name: String,
    /// Unit type.
    pub type_name: String,
    /// Utilities consumed.
    pub utilities: Vec<UtilityView>,
    /// Material drawn from outside the flowsheet.
    pub materials: Vec<MaterialView>,
    /// Size figures.
    pub sizes: Vec<SizeView>,
    /// Notes for the user.
    pub notes: Vec<String>,
    /// Mass and element closures.
    pub balance: Vec<ClosureView>,
    /// Energy closure, when it was checked.
    pub energy: Option<ClosureView>,
}

/// An analysis that ran before, by name, with its metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlierAnalysis {
    /// Its name in the flowsheet.
    pub name: String,
    /// Its type.
    pub type_name: String,
    /// Its metrics.
    pub metrics: Vec<Metric>,
}

/// One named figure (`calx_core::Metric`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Name.
    pub name: String,
    /// Value in `unit`.
    pub value: f64,
    /// Unit of measure as text; never empty (`1` for a plain number).
    pub unit: String,
}

/// One CSV table (`calx_core::CsvTable`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvTable {
    /// Empty for the main table, else what it holds.
    pub part: String,
    /// The CSV text with its header line.
    pub text: String,
}

/// What one run returns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisResult {
    /// Metrics, in a fixed order.
    pub metrics: Vec<Metric>,
    /// Human-readable text (empty for figures).
    pub text: String,
    /// CSV tables (empty for figures).
    pub csv: Vec<CsvTable>,
    /// Full result as JSON text (empty for figures).
    pub json: String,
    /// The analysis's part of the report (`null` for figures).
    pub report: Option<ReportPart>,
}

/// Why an analysis could not be created or run (`calx_core::AnalysisError`, with the
/// analysis's own error as text): externally tagged, `{"Missing": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AnalysisError {
    /// A parameter does not fit this flowsheet.
    Parameter {
        /// The parameter.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// Something the analysis reads is not there.
    Missing(String),
    /// The analysis failed.
    Failed(String),
}

/// An analysis's part of the report (`calx_core::report::ReportPart`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportPart {
    /// Section id.
    pub section: String,
    /// Section heading.
    pub section_title: String,
    /// Content in reading order.
    pub blocks: Vec<Block>,
    /// Figures for the report's summary.
    pub summary: SummaryFigures,
    /// The functional unit it reports per, if any.
    pub basis: Option<Basis>,
}

/// Figures for the report's summary (`calx_core::report::SummaryFigures`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryFigures {
    /// Shown first.
    pub lead: Vec<KeyFigure>,
    /// Shown after every analysis's lead figures.
    pub more: Vec<KeyFigure>,
    /// Shown instead when an analysis of the same type came first.
    pub if_not_first: Vec<KeyFigure>,
    /// Whether the summary leaves out the plain plant figures.
    pub replaces_plant_figures: bool,
}

/// What an analysis reports per (`calx_core::report::Basis`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// Short form for units.
    pub per: String,
    /// In full.
    pub description: String,
    /// Seconds of plant operation per functional unit.
    pub seconds: f64,
}

/// A piece of content (`calx_core::report::Block`): externally tagged with the variant's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph.
    Paragraph(String),
    /// A remark set apart.
    Note(String),
    /// Headline numbers.
    KeyFigures(Vec<KeyFigure>),
    /// A table.
    Table(Table),
    /// A bulleted list.
    List(Vec<String>),
    /// A chart the report draws (as SVG).
    Chart(Chart),
    /// A chart with its table beside it.
    ChartWithTable(Chart, Table),
    /// The analysis's own drawing, as SVG: shapes and text only (the host refuses scripts,
    /// event handlers and references outside the drawing).
    Drawing(Drawing),
}

/// A figure given as SVG text (`calx_core::report::Drawing`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    /// Unique id in the report.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
}

/// One headline number (`calx_core::report::KeyFigure`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyFigure {
    /// What it is.
    pub label: String,
    /// The formatted number.
    pub value: String,
    /// Its unit.
    pub unit: String,
    /// Where it comes from.
    pub source: String,
}

/// A table of text cells (`calx_core::report::Table`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Caption.
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Per column: right-align.
    pub numeric: Vec<bool>,
    /// The first column stays in view.
    pub sticky_first: bool,
}

/// A chart given by its data (`calx_core::report::Chart`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Unique id in the report.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// What to draw.
    pub plot: Plot,
}

/// The kinds of chart (`calx_core::report::Plot`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Plot {
    /// Horizontal bars.
    Bars {
        /// Title.
        title: String,
        /// The bars.
        bars: Vec<Bar>,
        /// Unit of the values.
        unit: String,
    },
    /// Cumulative cash flow by year.
    CashFlow {
        /// Title.
        title: String,
        /// Years.
        years: Vec<f64>,
        /// Cumulative discounted cash flow.
        discounted: Vec<f64>,
        /// Cumulative undiscounted cash flow.
        undiscounted: Vec<f64>,
        /// Discounted payback, years.
        payback: Option<f64>,
        /// Currency.
        currency: String,
    },
    /// A waterfall.
    Waterfall {
        /// Title.
        title: String,
        /// Unit of the values.
        unit: String,
        /// The steps.
        steps: Vec<WaterfallStep>,
    },
}

/// One bar (`calx_core::report::Bar`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Label.
    pub label: String,
    /// Length.
    pub value: f64,
    /// Text at its end.
    pub text: String,
}

/// One waterfall bar (`calx_core::report::WaterfallStep`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    /// Label.
    pub label: String,
    /// A total's level, or a change.
    pub value: f64,
    /// Whether it is a total.
    pub total: bool,
    /// The value as shown.
    pub text: String,
}

impl FlowsheetView {
    /// Every number of the view, in the order the flat path of ABI 1.1
    /// ([`FiguresCall`](crate::FiguresCall)) passes them: per stream its flows, T, P; per
    /// unit its utility rates, material rates, size values, then per closure (balance, then
    /// energy if checked) inflow, outflow, relative error; the flowsheet's closures likewise;
    /// per earlier analysis its metric values. Both sides of the boundary implement this
    /// order over their own types; tests hold them to this function.
    pub fn numbers(&self) -> Vec<f64> {
        let mut out = Vec::new();
        let closure = |out: &mut Vec<f64>, c: &ClosureView| out.extend([c.inflow, c.outflow, c.relative_error]);
        for s in &self.streams {
            out.extend(&s.flows);
            out.extend([s.temperature, s.pressure]);
        }
        for u in &self.units {
            out.extend(u.utilities.iter().map(|x| x.rate));
            out.extend(u.materials.iter().map(|x| x.rate));
            out.extend(u.sizes.iter().map(|x| x.value));
            u.balance.iter().chain(&u.energy).for_each(|c| closure(&mut out, c));
        }
        self.balance.iter().chain(&self.energy).for_each(|c| closure(&mut out, c));
        for a in &self.earlier {
            out.extend(a.metrics.iter().map(|m| m.value));
        }
        out
    }

    /// A stream by name.
    pub fn stream(&self, name: &str) -> Option<&StreamView> {
        self.streams.iter().find(|s| s.name == name)
    }

    /// A component's index by name.
    pub fn component(&self, name: &str) -> Option<usize> {
        self.components.iter().position(|c| c == name)
    }

    /// An earlier analysis's metric: of the analysis named `analysis`, or else of the only
    /// (or the type-named) analysis of type `analysis`.
    pub fn earlier_metric(&self, analysis: &str, metric: &str) -> Option<&Metric> {
        let by_name = self.earlier.iter().find(|a| a.name == analysis);
        let by_type = || {
            let mut of_type = self.earlier.iter().filter(|a| a.type_name == analysis);
            let first = of_type.next();
            if of_type.next().is_none() { first } else { None }
        };
        by_name.or_else(by_type)?.metrics.iter().find(|m| m.name == metric)
    }
}
