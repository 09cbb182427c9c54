//! What an analysis contributes to the report people read, as plain data.
//!
//! An analysis (LCA, TEA, one from a plugin library) describes its part of the report with
//! these types — headings, paragraphs, key figures, tables and charts given by their data —
//! and `calx-document` lays them out and draws the charts. So a new analysis gets a report
//! section without any change to the report crate, and the report never re-reads an
//! analysis's results from text. Everything here is serde data, so the same part can cross
//! the plugin boundary.

use serde::{Deserialize, Serialize};

/// An analysis's part of the report: the blocks of its section and its figures for the
/// summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportPart {
    /// Id of the section the blocks go in (`lca`): analyses that give the same id share one
    /// section, in the order they ran.
    pub section: String,
    /// Heading of that section (`Life-cycle assessment`).
    pub section_title: String,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
    /// Figures for the report's summary.
    pub summary: SummaryFigures,
    /// The functional unit the analysis reports per, if it has one: reports per unit of
    /// production fall back to it when the flowsheet has no `basis:`.
    pub basis: Option<Basis>,
}

/// An analysis's figures for the report's summary, which shows the figures a reader looks
/// for first leading, then what they rest on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryFigures {
    /// Shown first (net CO2 reduction; B/C, IRR, NPV, unit cost).
    pub lead: Vec<KeyFigure>,
    /// Shown after every analysis's lead figures.
    pub more: Vec<KeyFigure>,
    /// Shown instead of `lead` and `more`, after the lead figures, when an analysis of the
    /// same type came first (a second LCA on another grid factor): its headline, named.
    pub if_not_first: Vec<KeyFigure>,
    /// The figures say what the plant makes and costs, so the summary leaves out the plain
    /// plant figures (fed, recycle loops, products) it shows without such an analysis.
    pub replaces_plant_figures: bool,
}

/// What an analysis reports per.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// Short form for units of measure (`t product`, `kg CO2 fixed`).
    pub per: String,
    /// As written in full (`1000 kg of stream `product``).
    pub description: String,
    /// Seconds of plant operation per functional unit.
    pub seconds: f64,
}

/// A piece of content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A sub-heading.
    Heading(String),
    /// A paragraph of plain text (`code` spans between backticks).
    Paragraph(String),
    /// A remark set apart (missing data, caveats).
    Note(String),
    /// Headline numbers shown as tiles.
    KeyFigures(Vec<KeyFigure>),
    /// A table.
    Table(Table),
    /// A bulleted list.
    List(Vec<String>),
    /// A chart.
    Chart(Chart),
    /// A chart with the table of its numbers beside it.
    ChartWithTable(Chart, Table),
    /// A drawing the analysis made itself, as SVG (a plugin's own figure); plugin-host
    /// refuses one with active or outside content ([`Drawing::unsafe_content`]).
    Drawing(Drawing),
}

/// A figure given as SVG text, drawn by the analysis, not by the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    /// Unique id in the report (a file name stem in the Markdown report).
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The SVG document, `<svg ...>...</svg>`.
    pub svg: String,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
}

/// What an SVG drawing may not hold: scripts, embedded documents, and anything fetched from
/// outside the report (the report opens offline and must run nothing it did not write).
const REFUSED_IN_SVG: &[(&str, &str)] = &[
    ("<script", "a script"),
    ("<foreignobject", "embedded HTML (foreignObject)"),
    ("<iframe", "an embedded document"),
    ("<object", "an embedded object"),
    ("<embed", "an embedded object"),
    ("<!entity", "an XML entity"),
    ("javascript:", "a javascript: address"),
    ("@import", "a style sheet import"),
];

impl Drawing {
    /// Why this drawing cannot go into a report, if it cannot: not an `<svg>` element, a
    /// refused element ([`REFUSED_IN_SVG`]), an event handler attribute (`onload=`), a link
    /// or `url(...)` to anything but an id in the drawing itself (`#id`), or a size that is not
    /// a positive number.
    pub fn unsafe_content(&self) -> Option<String> {
        if !(self.width.is_finite() && self.width > 0.0 && self.height.is_finite() && self.height > 0.0) {
            return Some(format!("its size {} x {} px is not positive", self.width, self.height));
        }
        let svg = self.svg.to_ascii_lowercase();
        if !svg.trim_start().starts_with("<svg") {
            return Some("it is not an <svg> element".into());
        }
        if let Some((_, what)) = REFUSED_IN_SVG.iter().find(|(text, _)| svg.contains(text)) {
            return Some(format!("it holds {what}"));
        }
        if let Some(handler) = event_handler(&svg) {
            return Some(format!("it holds an event handler (`{handler}=`)"));
        }
        outside_reference(&svg).map(|r| format!("it refers to something outside the drawing (`{r}`)"))
    }
}

/// The first `on...=` attribute of lower-cased SVG text (`onload`, `onclick`).
fn event_handler(svg: &str) -> Option<&str> {
    let bytes = svg.as_bytes();
    svg.match_indices("on").find_map(|(i, _)| {
        let after_space = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let name_end = i + 2 + svg[i + 2..].bytes().take_while(u8::is_ascii_alphabetic).count();
        let equals = svg[name_end..].trim_start().starts_with('=');
        (after_space && name_end > i + 2 && equals).then(|| &svg[i..name_end])
    })
}

/// The first `href=` value or `url(...)` argument of lower-cased SVG text that is not an id
/// in the same drawing (`#clip`).
fn outside_reference(svg: &str) -> Option<&str> {
    let value_after = |at: usize| -> &str {
        let rest = svg[at..].trim_start_matches([' ', '=', '"', '\'', '(']);
        let end = rest.find(['"', '\'', ')', ' ', '>']).unwrap_or(rest.len());
        &rest[..end]
    };
    let hrefs = svg.match_indices("href").map(|(i, _)| i + 4).filter(|&at| svg[at..].trim_start().starts_with('='));
    let urls = svg.match_indices("url(").map(|(i, _)| i + 3);
    hrefs.chain(urls).map(value_after).find(|v| !v.starts_with('#'))
}

/// One headline number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyFigure {
    /// What it is (`Net CO2 reduction`).
    pub label: String,
    /// The formatted number (`45.86`).
    pub value: String,
    /// Its unit (`kg CO2-eq/t product`).
    pub unit: String,
    /// Where it comes from (`LCA lca, GWP100 (IPCC AR6)`).
    pub source: String,
}

impl KeyFigure {
    /// A key figure from its four texts.
    pub fn new(label: impl Into<String>, value: String, unit: impl Into<String>, source: impl Into<String>) -> Self {
        KeyFigure { label: label.into(), value, unit: unit.into(), source: source.into() }
    }
}

/// A table of text cells; numeric columns are right-aligned.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// Caption (may be empty).
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells, as many as headings.
    pub rows: Vec<Vec<String>>,
    /// Per column: right-align (numbers).
    pub numeric: Vec<bool>,
    /// The first column stays in view when the table scrolls sideways (wide stream tables).
    pub sticky_first: bool,
}

impl Table {
    /// A table with a caption and headings; `numeric` marks right-aligned columns.
    pub fn new(caption: &str, header: &[&str], numeric: &[bool]) -> Table {
        Table {
            caption: caption.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            numeric: numeric.to_vec(),
            sticky_first: false,
        }
    }

    /// Add a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// A chart given by its data; the report draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Unique id in the report: the HTML id and the file stem of the SVG in Markdown.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// What to draw.
    pub plot: Plot,
}

/// The kinds of chart an analysis can ask for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Plot {
    /// Horizontal bars, one per item.
    Bars {
        /// Title drawn in the chart.
        title: String,
        /// The bars, top to bottom.
        bars: Vec<Bar>,
        /// Unit of the values.
        unit: String,
    },
    /// Cumulative cash flow by year: discounted (solid) and undiscounted (dashed), the zero
    /// line, and the discounted payback point marked.
    CashFlow {
        /// Title drawn in the chart.
        title: String,
        /// Years (0 = start of construction).
        years: Vec<f64>,
        /// Cumulative discounted cash flow per year.
        discounted: Vec<f64>,
        /// Cumulative undiscounted cash flow per year.
        undiscounted: Vec<f64>,
        /// Discounted payback, years.
        payback: Option<f64>,
        /// Currency of the values.
        currency: String,
    },
    /// A waterfall: vertical bars, left to right, that walk from a starting figure through
    /// its additions and deductions to a result (gross CO2 fixed, minus project emissions,
    /// ..., credited). Increases, decreases and totals have colours of their own, each bar
    /// has its label under it and its text on it, and the zero line is drawn; levels may go
    /// below zero. Without steps, or with a value that is not finite, the report shows a note
    /// in place of the chart.
    Waterfall {
        /// Title drawn in the chart.
        title: String,
        /// Unit of the values.
        unit: String,
        /// The steps, left to right.
        steps: Vec<WaterfallStep>,
    },
}

/// One bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Label beside the bar.
    pub label: String,
    /// Length.
    pub value: f64,
    /// Text at the end of the bar.
    pub text: String,
}

/// One bar of a waterfall.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    /// Label under the bar (`Project emissions`).
    pub label: String,
    /// A total: the level it ends at. A change: the amount added (negative for a deduction).
    pub value: f64,
    /// `true`: a total (a subtotal or the final figure), drawn from zero to `value`, and the
    /// running level becomes `value`. `false`: a change, drawn floating from the running level
    /// to the running level + `value`, which becomes the new running level. The first step is
    /// usually a total; a change first starts from zero.
    pub total: bool,
    /// The value as shown on the bar, formatted by the analysis (`-12.5`, `−12.5 t`).
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::Drawing;

    fn drawing(svg: &str) -> Drawing {
        Drawing { id: "d".into(), caption: String::new(), svg: svg.into(), width: 100.0, height: 50.0 }
    }

    #[test]
    fn shapes_text_and_links_inside_the_drawing_pass() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><defs><clipPath id="c"><rect width="10" height="10"/></clipPath></defs><polygon points="0,0 1,1" clip-path="url(#c)"/><use href="#c"/><text font-family="sans-serif">Water on site</text></svg>"##;
        assert_eq!(drawing(svg).unsafe_content(), None);
    }

    #[test]
    fn active_or_outside_content_is_refused_saying_what() {
        let refused = |svg: &str| drawing(svg).unsafe_content().unwrap_or_default();
        assert_eq!(refused("<svg><script>alert(1)</script></svg>"), "it holds a script");
        assert_eq!(refused("<svg><rect onload = \"x()\"/></svg>"), "it holds an event handler (`onload=`)");
        assert_eq!(
            refused("<svg><image href=\"http://example.org/a.png\"/></svg>"),
            "it refers to something outside the drawing (`http://example.org/a.png`)"
        );
        assert_eq!(
            refused("<svg><rect style=\"fill:url(http://x/y)\"/></svg>"),
            "it refers to something outside the drawing (`http://x/y`)"
        );
        assert_eq!(refused("<svg><foreignObject/></svg>"), "it holds embedded HTML (foreignObject)");
        assert_eq!(refused("<div/>"), "it is not an <svg> element");
        let mut flat = drawing("<svg/>");
        flat.height = 0.0;
        assert_eq!(flat.unsafe_content().as_deref(), Some("its size 100 x 0 px is not positive"));
    }
}
