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
use crate::report::ReportPart;
use crate::result::FlowsheetResult;
use crate::text;
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
    /// What the report's summary says when a flowsheet has no analysis of this type (`None`:
    /// nothing).
    pub when_absent: Option<String>,
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

/// Metrics written over a list in place: a name or unit equal to the one already in its slot
/// is kept, another is written into the slot's string (whose capacity is reused), so that a
/// study's samples allocate nothing for metrics once the first has run. Dropping the writer
/// cuts the list to what was written.
///
/// A writer made with [`MetricWriter::laid_out`] and told the [`LayoutKey`] of what it is
/// about to write ([`MetricWriter::layout`]) finds out whether the list already holds that
/// layout: then it writes the values alone and compares no name.
pub struct MetricWriter<'a> {
    out: &'a mut Vec<Metric>,
    len: usize,
    /// Where the list's layout is kept between samples, and what it held when the writer
    /// was made.
    layout: Option<(&'a mut MetricLayout, MetricLayout)>,
    /// The layout being written, once declared.
    key: Option<LayoutKey>,
    /// The list holds the declared layout already: names and units are those in the slots.
    same_layout: bool,
    /// While texts of a layout are declared: the end of those declared so far in the held
    /// layout's texts, and whether they are all the held ones.
    texts: (usize, bool),
}

/// Which layout a list of metrics was last written in (its names and units, in order),
/// kept beside the list by whoever keeps the list between samples (a study's worker).
/// Unknown by default, and while a writer that may change the list is at work.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricLayout {
    key: Option<LayoutKey>,
    /// The texts the layout's names are made from, as the writer gave them
    /// ([`MetricWriter::layout_text`]): each as its length (eight bytes) and its bytes.
    names: Vec<u8>,
    /// Numbers a writer keeps beside the list from one sample to the next, and whose they
    /// are ([`MetricLayout::take_kept`]).
    kept: (u64, Vec<f64>),
}

impl MetricLayout {
    /// The numbers writer `writer` kept beside the list ([`MetricLayout::keep`]), taken out
    /// (empty when it kept none, or another writer did): what a writer remembers of its last
    /// sample (the inputs and results of a pure computation it need not repeat).
    pub fn take_kept(&mut self, writer: u64) -> Vec<f64> {
        let (owner, mut numbers) = std::mem::take(&mut self.kept);
        if owner != writer {
            numbers.clear();
        }
        numbers
    }

    /// Keep `numbers` as writer `writer`'s, for its next sample.
    pub fn keep(&mut self, writer: u64, numbers: Vec<f64>) {
        self.kept = (writer, numbers);
    }
}

/// One layout of one compiled writer (an LCA plan): the writer's number, unique in the
/// process ([`LayoutKey::new_writer`]), and `variant`, the writer's own account of the
/// choices its list depends on (which categories it writes). The writer promises that the
/// same key always means the same names and units in the same order, or, declared with
/// texts ([`MetricWriter::layout_texts`]), the same key and the same texts do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutKey {
    writer: u64,
    variant: u64,
}

impl LayoutKey {
    /// The layout `variant` of writer `writer`.
    pub fn new(writer: u64, variant: u64) -> LayoutKey {
        LayoutKey { writer, variant }
    }

    /// A writer number not given before in this process: what a compiled writer takes when
    /// it is made (never per sample).
    pub fn new_writer() -> u64 {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

impl<'a> MetricWriter<'a> {
    /// Write over `out` from its start.
    pub fn new(out: &'a mut Vec<Metric>) -> MetricWriter<'a> {
        MetricWriter { out, len: 0, layout: None, key: None, same_layout: false, texts: (0, false) }
    }

    /// Write over `out`, whose layout is kept in `layout`: unknown from now on, and the
    /// declared one again when the writer [finishes](MetricWriter::finish).
    pub fn laid_out(out: &'a mut Vec<Metric>, layout: &'a mut MetricLayout) -> MetricWriter<'a> {
        let held = std::mem::take(layout);
        MetricWriter { out, len: 0, layout: Some((layout, held)), key: None, same_layout: false, texts: (0, false) }
    }

    /// Declare the layout about to be written, before the first metric. When the list holds
    /// it already, the metrics that follow write their values alone.
    pub fn layout(&mut self, key: LayoutKey) {
        self.layout_texts(key);
        self.layout_texts_end();
    }

    /// Begin declaring the layout about to be written, before the first metric, as `key` and
    /// the texts its names and units are made from ([`MetricWriter::layout_text`], in the
    /// order the writer meets them; [`MetricWriter::layout_texts_end`] after the last). The
    /// list holds that layout when it was last written with the same key and the same texts,
    /// compared byte for byte: a writer whose names come from its input (names a flowsheet
    /// gives) tells its layouts apart exactly this way, its key saying how many texts each
    /// part of its list takes.
    pub fn layout_texts(&mut self, key: LayoutKey) {
        debug_assert_eq!(self.len, 0, "a layout is declared before the first metric");
        self.key = Some(key);
        self.same_layout = false;
        let Some((_, held)) = &mut self.layout else { return };
        let matching = held.key == Some(key);
        if !matching {
            // Another layout's texts: none of them is this one's.
            held.names.clear();
        }
        self.texts = (0, matching);
    }

    /// The next text of the layout being declared: compared with the one held in its place,
    /// and from the first that differs on, written over them.
    pub fn layout_text(&mut self, text: &str) {
        let Some((_, held)) = &mut self.layout else { return };
        let (at, matching) = &mut self.texts;
        let len = (text.len() as u64).to_le_bytes();
        let end = *at + len.len() + text.len();
        if *matching {
            let same = held
                .names
                .get(*at..end)
                .is_some_and(|b| b[..len.len()] == len && text::same_bytes(&b[len.len()..], text.as_bytes()));
            if !same {
                *matching = false;
                held.names.truncate(*at);
            }
        }
        if !*matching {
            held.names.extend_from_slice(&len);
            held.names.extend_from_slice(text.as_bytes());
        }
        *at = end;
    }

    /// Every text of the layout is declared: the list holds it when its key and every text
    /// were the held ones, and no more texts were held.
    pub fn layout_texts_end(&mut self) {
        let Some((_, held)) = &mut self.layout else { return };
        let (at, matching) = self.texts;
        self.same_layout = self.len == 0 && matching && held.names.len() == at;
        held.names.truncate(at);
    }

    /// The declared layout covers the metrics written so far; those that follow are compared
    /// by name (a short tail whose names come and go from sample to sample).
    pub fn end_layout(&mut self) {
        self.same_layout = false;
    }

    /// Every metric is written: record the declared layout (if any) as the list's.
    pub fn finish(mut self) {
        if let (Some((layout, held)), Some(key)) = (self.layout.take(), self.key) {
            debug_assert!(!self.same_layout || self.len == self.out.len(), "a layout wrote fewer metrics than before");
            *layout = MetricLayout { key: Some(key), names: held.names, kept: held.kept };
        }
    }

    /// The next slot, when the list holds the declared layout: it has this metric's name and
    /// unit (checked in debug builds, where every test runs).
    #[inline]
    fn laid_out_slot(
        &mut self,
        name: impl FnOnce(&str) -> bool,
        unit: impl FnOnce(&str) -> bool,
    ) -> Option<&mut Metric> {
        if !self.same_layout {
            return None;
        }
        let m = self.out.get_mut(self.len)?;
        debug_assert!(name(&m.name) && unit(&m.unit), "layout {:?}: slot {} holds `{}`", self.key, self.len, m.name);
        Some(m)
    }

    /// The next metric.
    #[inline]
    pub fn put(&mut self, name: &str, value: f64, unit: &str) {
        if let Some(m) = self.laid_out_slot(|n| n == name, |u| u == unit) {
            m.value = value;
            self.len += 1;
            return;
        }
        if let Some(m) = self.same_slot(name)
            && text::same(&m.unit, unit)
        {
            m.value = value;
            self.len += 1;
            return;
        }
        self.put_with(Name::Text(name), value, &[unit]);
    }

    /// The next slot, when it already holds the metric `name` (what every sample after a
    /// study's first finds): compared in one piece, ahead of the general path.
    #[inline]
    fn same_slot(&mut self, name: &str) -> Option<&mut Metric> {
        self.out.get_mut(self.len).filter(|m| text::same(&m.name, name))
    }

    /// The next metric, its name formatted (`equipment.{unit}`) straight into the slot.
    pub fn put_fmt(&mut self, name: std::fmt::Arguments<'_>, value: f64, unit: &str) {
        self.put_fmt_in(name, value, &[unit]);
    }

    /// The next metric, its unit written in parts (`KRW`, `/yr`) and joined in the slot: a
    /// unit made from a currency needs no string of its own per sample.
    #[inline]
    pub fn put_in(&mut self, name: &str, value: f64, unit: &[&str]) {
        if let Some(m) = self.laid_out_slot(|n| n == name, |u| joined_equal(u, unit)) {
            m.value = value;
            self.len += 1;
            return;
        }
        if let Some(m) = self.same_slot(name)
            && joined_equal(&m.unit, unit)
        {
            m.value = value;
            self.len += 1;
            return;
        }
        self.put_with(Name::Text(name), value, unit);
    }

    /// [`Self::put_fmt`] with its unit in parts, as [`Self::put_in`].
    pub fn put_fmt_in(&mut self, name: std::fmt::Arguments<'_>, value: f64, unit: &[&str]) {
        if let Some(m) = self.laid_out_slot(|n| formats_as(n, name), |u| joined_equal(u, unit)) {
            m.value = value;
            self.len += 1;
            return;
        }
        self.put_with(Name::Format(name), value, unit);
    }

    /// The next metric, its name and its unit written in parts (`category.`, the category's
    /// name, `.emissions_per_year`) and compared part by part with the slot's: no formatting,
    /// the cheapest way to name a metric whose name is built from others.
    #[inline]
    pub fn put_parts(&mut self, name: &[&str], value: f64, unit: &[&str]) {
        if let Some(m) = self.laid_out_slot(|n| joined_equal(n, name), |u| joined_equal(u, unit)) {
            m.value = value;
            self.len += 1;
            return;
        }
        if let Some(m) = self.out.get_mut(self.len)
            && joined_equal(&m.name, name)
            && joined_equal(&m.unit, unit)
        {
            m.value = value;
            self.len += 1;
            return;
        }
        self.put_with(Name::Parts(name), value, unit);
    }

    fn put_with(&mut self, name: Name<'_>, value: f64, unit: &[&str]) {
        // A slot the layout did not foresee (there is none): the list is not that layout.
        self.same_layout = false;
        if self.len == self.out.len() {
            let spare = SPARE_METRICS.with(|spare| spare.borrow_mut().pop());
            self.out.push(spare.unwrap_or_else(|| Metric { name: String::new(), value, unit: String::new() }));
        }
        let m = &mut self.out[self.len];
        match name {
            Name::Text(name) => {
                if !text::same(&m.name, name) {
                    m.name.clear();
                    m.name.push_str(name);
                }
            }
            Name::Format(args) => write_if_changed(&mut m.name, args),
            Name::Parts(parts) => join_if_changed(&mut m.name, parts),
        }
        join_if_changed(&mut m.unit, unit);
        m.value = value;
        self.len += 1;
    }
}

/// A metric's name: as it is, to be formatted, or in parts to be joined.
enum Name<'a> {
    Text(&'a str),
    Format(std::fmt::Arguments<'a>),
    Parts(&'a [&'a str]),
}

/// Write the concatenation of `parts` into `slot` unless it already holds it.
fn join_if_changed(slot: &mut String, parts: &[&str]) {
    if !joined_equal(slot, parts) {
        slot.clear();
        parts.iter().for_each(|part| slot.push_str(part));
    }
}

/// Write `args` into `slot` unless it already holds that text (compared as it is formatted,
/// without a string of its own).
fn write_if_changed(slot: &mut String, args: std::fmt::Arguments<'_>) {
    use std::fmt::Write;
    if !formats_as(slot, args) {
        slot.clear();
        _ = slot.write_fmt(args);
    }
}

/// Whether `args` formats as `text` (compared as it is formatted, without a string of its
/// own).
fn formats_as(text: &str, args: std::fmt::Arguments<'_>) -> bool {
    use std::fmt::Write;
    let mut same = SameText { rest: text, same: true };
    // `SameText` only compares: writing to it cannot fail.
    _ = same.write_fmt(args);
    same.same && same.rest.is_empty()
}

/// Whether `text` is the concatenation of `parts`.
fn joined_equal(whole: &str, parts: &[&str]) -> bool {
    let mut rest = whole.as_bytes();
    for part in parts {
        match rest.split_at_checked(part.len()) {
            Some((head, after)) if text::same_bytes(head, part.as_bytes()) => rest = after,
            _ => return false,
        }
    }
    rest.is_empty()
}

/// A `fmt::Write` that checks what is written against a text instead of storing it.
struct SameText<'a> {
    /// What is still to be matched.
    rest: &'a str,
    /// Everything written so far matched.
    same: bool,
}

impl std::fmt::Write for SameText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        match self.rest.strip_prefix(s) {
            Some(after) if self.same => self.rest = after,
            _ => self.same = false,
        }
        Ok(())
    }
}

impl Drop for MetricWriter<'_> {
    fn drop(&mut self) {
        if self.len < self.out.len() {
            SPARE_METRICS.with(|spare| {
                let mut spare = spare.borrow_mut();
                let room = MAX_SPARE_METRICS.saturating_sub(spare.len());
                let keep = (self.out.len() - self.len).min(room);
                spare.extend(self.out.drain(self.len..self.len + keep));
            });
            self.out.truncate(self.len);
        }
    }
}

thread_local! {
    /// Metrics cut from the end of a list, kept with their strings' capacity for the next
    /// list that grows on this thread: an analysis whose metrics come and go from sample to
    /// sample (an IRR the cash flows do not always have) then allocates nothing for them in a
    /// study's steady state. Only memory is reused; every name, unit and value is written
    /// anew by [`MetricWriter::put_with`].
    static SPARE_METRICS: std::cell::RefCell<Vec<Metric>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Metrics a thread keeps spare at most (more are dropped).
const MAX_SPARE_METRICS: usize = 64;

/// What an analysis produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalysisOutput {
    /// Name of this analysis in the flowsheet (`lca`, `lca_official_grid`).
    pub name: String,
    /// Its type.
    pub type_name: String,
    /// Headline figures, in a fixed order.
    pub metrics: Vec<Metric>,
    /// Human-readable report (empty for figures-only runs).
    #[serde(skip)]
    pub text: String,
    /// CSV tables, one table per file (empty for figures-only runs).
    #[serde(skip)]
    pub csv: Vec<CsvTable>,
    /// Full result as JSON text, for `calx run --format json` (empty for figures-only runs).
    #[serde(skip)]
    pub json: String,
    /// Its part of the report people read (`None` for figures-only runs).
    #[serde(skip)]
    pub report: Option<ReportPart>,
}

impl AnalysisOutput {
    /// The output of a figures-only run ([`Analysis::figures`]): metrics and nothing else.
    pub fn figures_only(name: &str, type_name: &str, metrics: Vec<Metric>) -> AnalysisOutput {
        AnalysisOutput {
            name: name.to_string(),
            type_name: type_name.to_string(),
            metrics,
            text: String::new(),
            csv: Vec::new(),
            json: String::new(),
            report: None,
        }
    }

    /// The analysis of type `type_name` among `earlier` (the outputs an analysis is given):
    /// the one called `name`; without a name, the only one of that type, or the one named like
    /// its type. When there is none, the names of those of that type that ran, for the error.
    pub fn earlier<'a>(
        earlier: &'a [AnalysisOutput],
        type_name: &str,
        name: Option<&str>,
    ) -> Result<&'a AnalysisOutput, Vec<&'a str>> {
        let mut of_type = earlier.iter().filter(|a| text::same(&a.type_name, type_name));
        let found = match name {
            Some(n) => of_type.clone().find(|a| text::same(&a.name, n)),
            None if of_type.clone().count() == 1 => of_type.next(),
            None => of_type.clone().find(|a| text::same(&a.name, type_name)),
        };
        found.ok_or_else(|| earlier.iter().filter(|a| a.type_name == type_name).map(|a| a.name.as_str()).collect())
    }

    /// A metric by name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.iter().find(|m| text::same(&m.name, name)).map(|m| m.value)
    }
}

/// One CSV table of an analysis: `calx run --format csv` writes it as `NAME.csv` for the
/// analysis's main table (`part` empty) and `NAME-PART.csv` for the others, one table per
/// file so that every CSV reader takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvTable {
    /// Empty for the main table, else what the table holds (`cash-flow`).
    pub part: String,
    /// The CSV text, with its header line.
    pub text: String,
}

impl CsvTable {
    /// The main table.
    pub fn main(text: String) -> CsvTable {
        CsvTable { part: String::new(), text }
    }

    /// The file name for an analysis called `analysis`: `lca.csv`, `tea-cash-flow.csv`.
    pub fn file_name(&self, analysis: &str) -> String {
        if self.part.is_empty() { format!("{analysis}.csv") } else { format!("{analysis}-{}.csv", self.part) }
    }
}

/// Why an analysis could not produce its result. Configuration problems the analysis can
/// see without the flowsheet are found earlier, by [`AnalysisType::create`], as
/// [`UnitError::Parameter`].
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A parameter does not fit this flowsheet (a price for a feed that is not there, no
    /// price for one that is).
    #[error("`{param}`: {message}")]
    Parameter {
        /// The parameter of the `analyses:` block.
        param: String,
        /// What is wrong, and what is allowed.
        message: String,
    },
    /// Something the analysis reads is not in the converged flowsheet or in the outputs of
    /// the analyses before it.
    #[error("{0}")]
    Missing(String),
    /// A metric came out NaN or infinite: a number no one should read (an input beyond what
    /// the analysis's arithmetic holds, such as a price near the largest f64).
    #[error("metric `{metric}` is {value}: an input is beyond what this analysis can compute with")]
    NotFinite {
        /// The metric.
        metric: String,
        /// Its value.
        value: f64,
    },
    /// The analysis failed; the source says why (each analysis crate has its own error type).
    #[error(transparent)]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl AnalysisError {
    /// Wrap an analysis crate's own error.
    pub fn failed(source: impl std::error::Error + Send + Sync + 'static) -> AnalysisError {
        AnalysisError::Failed(Box::new(source))
    }

    /// A parameter problem found with the flowsheet.
    pub fn parameter(param: &str, message: impl Into<String>) -> AnalysisError {
        AnalysisError::Parameter { param: param.to_string(), message: message.into() }
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

/// A configured analysis, with two entry points: figures for machines (studies, design
/// specifications: every sample, so no words), and the report for people.
pub trait Analysis: Send + Sync {
    /// The metrics only, as cheaply as the analysis can: what parameter studies call for every
    /// sample. `earlier` holds the outputs of the analyses that ran before this one (their
    /// metrics at least). The metrics equal those of [`Analysis::report`], bit for bit.
    fn figures(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError>;

    /// Everything: metrics, text, CSV, JSON and the analysis's part of the report.
    fn report(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError>;

    /// [`Analysis::figures`] written over `out`, the list the previous sample left (what a
    /// study's worker keeps): an analysis that writes through a [`MetricWriter`] allocates
    /// nothing once its names are written. The default replaces the list.
    fn figures_into(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        *out = self.figures(flowsheet, earlier)?;
        Ok(())
    }

    /// [`Analysis::figures_into`] over a list whose layout is kept in `layout` (a study's
    /// worker keeps both between samples): an analysis with a compiled writer declares the
    /// layout it writes ([`MetricWriter::laid_out`]), and finds the list already in it from
    /// the second sample on. The default forgets the layout and calls `figures_into`.
    fn figures_laid_out(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
        layout: &mut MetricLayout,
    ) -> Result<(), AnalysisError> {
        *layout = MetricLayout::default();
        self.figures_into(flowsheet, earlier, out)
    }

    /// The report again, with what a parameter study says about this analysis's own figures
    /// (`study.metrics` keyed by this analysis's metric names). A carbon ledger turns the
    /// spread of its credited tonnes into the uncertainty deduction its methodology requires.
    /// `None` (the default): the analysis has nothing to add.
    fn with_study(
        &self,
        _flowsheet: &FlowsheetResult,
        _earlier: &[AnalysisOutput],
        _study: &StudySamples,
    ) -> Result<Option<AnalysisOutput>, AnalysisError> {
        Ok(None)
    }

    /// Take a new value of one numeric parameter (`key`: one entry of a map parameter, such
    /// as one process's factor) in place, instead of being created again: what a study does
    /// for every sample. `value` is in `unit` (the unit the study's path gives), so that the
    /// analysis converts it exactly as [`AnalysisType::create`] converts the text
    /// `"{value} {unit}"`; an empty `unit` means a plain number, in SI. `Ok(true)`: taken,
    /// after the checks `create` makes of that value, and the analysis now gives exactly the
    /// figures of one created with it. `Ok(false)` (the default): it cannot, and the study
    /// creates it again.
    fn set_number(
        &mut self,
        _param: &str,
        _key: Option<&str>,
        _value: f64,
        _unit: &str,
    ) -> Result<bool, AnalysisError> {
        Ok(false)
    }

    /// Give one parameter back the value the analysis was created with (a study's sample
    /// that does not vary it), exactly. `Ok(false)` (the default): it cannot.
    fn reset_number(&mut self, _param: &str, _key: Option<&str>) -> Result<bool, AnalysisError> {
        Ok(false)
    }
}

/// What a finished parameter study found: per metric, its values over the successful samples,
/// and how many samples failed (they have no values, and a conservative analysis must not
/// forget them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudySamples {
    /// Metric (a path `analyses.NAME.METRIC` for the façade, the metric's name for an
    /// analysis) and its values over the successful samples.
    pub metrics: Vec<(String, Vec<f64>)>,
    /// Samples that failed.
    pub failed: usize,
}

impl StudySamples {
    /// The values of one metric, if the study recorded it.
    pub fn metric(&self, name: &str) -> Option<&[f64]> {
        self.metrics.iter().find(|(m, _)| m == name).map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(out: &[Metric]) -> Vec<(&str, f64, &str)> {
        out.iter().map(|m| (m.name.as_str(), m.value, m.unit.as_str())).collect()
    }

    #[test]
    fn a_list_cut_short_and_grown_again_holds_only_what_was_written() {
        // The metrics cut from one list wait on this thread for the next list that grows
        // (another list here, as another analysis would be): nothing of theirs shows.
        let (mut long, mut other) = (Vec::new(), Vec::new());
        {
            let mut w = MetricWriter::new(&mut long);
            w.put("irr", 0.12, "1");
            w.put("payback", 7.5, "yr");
            w.put("npv", 3.0, "KRW");
        }
        MetricWriter::new(&mut long).put("irr", 0.1, "1");
        assert_eq!(names(&long), [("irr", 0.1, "1")]);
        {
            let mut w = MetricWriter::new(&mut other);
            w.put_in("total_capex", 4.0, &["USD"]);
            w.put_parts(&["category.", "GWP100", ".emissions_per_year"], 5.0, &["kg", "/yr"]);
            w.put_fmt(format_args!("equipment.{}", "mill"), 6.0, "USD");
        }
        let expected = [
            ("total_capex", 4.0, "USD"),
            ("category.GWP100.emissions_per_year", 5.0, "kg/yr"),
            ("equipment.mill", 6.0, "USD"),
        ];
        assert_eq!(names(&other), expected);
    }

    /// The layout of a list last written as `key`, with no texts.
    fn laid(key: LayoutKey) -> MetricLayout {
        MetricLayout { key: Some(key), names: Vec::new(), kept: (0, Vec::new()) }
    }

    /// Write `names` (each with its value, unit `u`) as layout `key` over `out`, finished.
    fn write_laid_out(out: &mut Vec<Metric>, layout: &mut MetricLayout, key: LayoutKey, names: &[(&str, f64)]) {
        let mut w = MetricWriter::laid_out(out, layout);
        w.layout(key);
        for &(name, value) in names {
            w.put_in(name, value, &["u"]);
        }
        w.finish();
    }

    #[test]
    fn a_declared_layout_is_the_lists_once_the_writer_finishes_and_only_then() {
        let (mut out, mut layout) = (Vec::new(), MetricLayout::default());
        let key = LayoutKey::new(LayoutKey::new_writer(), 0b101);
        write_laid_out(&mut out, &mut layout, key, &[("a", 1.0), ("b", 2.0)]);
        assert_eq!(layout, laid(key));
        // Found in place: the values change, the names stay.
        write_laid_out(&mut out, &mut layout, key, &[("a", 3.0), ("b", 4.0)]);
        assert_eq!(names(&out), [("a", 3.0, "u"), ("b", 4.0, "u")]);
        assert_eq!(layout, laid(key));
        // A writer that stops half-way (an analysis that failed) leaves the layout unknown.
        {
            let mut w = MetricWriter::laid_out(&mut out, &mut layout);
            w.layout(key);
            w.put_in("a", 5.0, &["u"]);
        }
        assert_eq!(layout, MetricLayout::default());
        assert_eq!(names(&out), [("a", 5.0, "u")]);
        // So the next writer of that key compares names: the cut list is grown again.
        write_laid_out(&mut out, &mut layout, key, &[("a", 6.0), ("b", 7.0)]);
        assert_eq!(names(&out), [("a", 6.0, "u"), ("b", 7.0, "u")]);
    }

    #[test]
    fn another_layout_or_writer_compares_names_as_an_undeclared_one_does() {
        let (mut out, mut layout) = (Vec::new(), MetricLayout::default());
        let (one, two) = (LayoutKey::new_writer(), LayoutKey::new_writer());
        assert_ne!(one, two, "writer numbers are never given twice");
        write_laid_out(&mut out, &mut layout, LayoutKey::new(one, 0), &[("a", 1.0), ("b", 2.0)]);
        // Another variant of the same writer, then another writer with the same variant.
        write_laid_out(&mut out, &mut layout, LayoutKey::new(one, 1), &[("c", 3.0)]);
        assert_eq!(names(&out), [("c", 3.0, "u")]);
        write_laid_out(&mut out, &mut layout, LayoutKey::new(two, 1), &[("d", 4.0), ("e", 5.0)]);
        assert_eq!(names(&out), [("d", 4.0, "u"), ("e", 5.0, "u")]);
        assert_eq!(layout, laid(LayoutKey::new(two, 1)));
        // A laid-out writer that declares no layout records none.
        let mut w = MetricWriter::laid_out(&mut out, &mut layout);
        w.put("f", 6.0, "u");
        w.finish();
        assert_eq!(layout, MetricLayout::default(), "nothing declared, nothing recorded");
    }

    /// Write `x.{text}` for each of `texts` as layout `key` named by those texts, then
    /// `tail` after the layout's end.
    fn write_named(out: &mut Vec<Metric>, layout: &mut MetricLayout, key: LayoutKey, texts: &[&str], tail: &str) {
        let mut w = MetricWriter::laid_out(out, layout);
        w.layout_texts(key);
        texts.iter().for_each(|t| w.layout_text(t));
        w.layout_texts_end();
        for (i, text) in texts.iter().enumerate() {
            w.put_parts(&["x.", text], i as f64, &["u"]);
        }
        w.end_layout();
        w.put(tail, -1.0, "u");
        w.finish();
    }

    #[test]
    fn a_named_layout_is_the_lists_only_with_the_same_texts() {
        let (mut out, mut layout) = (Vec::new(), MetricLayout::default());
        let key = LayoutKey::new(LayoutKey::new_writer(), 2);
        write_named(&mut out, &mut layout, key, &["ab", "c"], "t");
        assert_eq!(names(&out), [("x.ab", 0.0, "u"), ("x.c", 1.0, "u"), ("t", -1.0, "u")]);
        // The same key over other texts (the same bytes in other pieces, then another text):
        // names are compared and written, not assumed.
        write_named(&mut out, &mut layout, key, &["a", "bc"], "t");
        assert_eq!(names(&out), [("x.a", 0.0, "u"), ("x.bc", 1.0, "u"), ("t", -1.0, "u")]);
        write_named(&mut out, &mut layout, key, &["a", "bd"], "t");
        assert_eq!(names(&out)[1], ("x.bd", 1.0, "u"));
        // The same texts again: the layout holds, and the tail after its end is still
        // compared by name.
        write_named(&mut out, &mut layout, key, &["a", "bd"], "s");
        assert_eq!(names(&out), [("x.a", 0.0, "u"), ("x.bd", 1.0, "u"), ("s", -1.0, "u")]);
        assert_eq!(layout.key, Some(key));
        // Another key: the texts held under the first are forgotten, not taken for its own.
        write_named(&mut out, &mut layout, key, &["ab", "cd"], "t");
        let other = LayoutKey::new(LayoutKey::new_writer(), 2);
        write_named(&mut out, &mut layout, other, &["ef", "gh"], "t");
        write_named(&mut out, &mut layout, other, &["ab", "cd"], "t");
        assert_eq!(names(&out), [("x.ab", 0.0, "u"), ("x.cd", 1.0, "u"), ("t", -1.0, "u")]);
    }

    /// Debug builds (every test run) check each slot a declared layout skips comparing: a
    /// writer whose key does not tell its names apart is caught.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "slot 0 holds `a`")]
    fn a_layout_key_that_names_two_layouts_is_caught_in_debug_builds() {
        let (mut out, mut layout) = (Vec::new(), MetricLayout::default());
        let key = LayoutKey::new(LayoutKey::new_writer(), 0);
        write_laid_out(&mut out, &mut layout, key, &[("a", 1.0)]);
        write_laid_out(&mut out, &mut layout, key, &[("z", 1.0)]);
    }

    #[test]
    fn metrics_written_over_a_list_are_what_was_written_last() {
        let mut out = Vec::new();
        let first = |out: &mut Vec<Metric>, unit: &str| {
            let mut w = MetricWriter::new(out);
            w.put("npv", 1.0, "KRW");
            w.put_fmt(format_args!("equipment.{}", "hydration"), 2.0, "KRW");
            w.put_parts(&["category.", "GWP20 (IPCC AR6)", ".emissions_per_year"], 3.0, &[unit, "/yr"]);
            w.put_in("total_capex", 4.0, &["KRW"]);
        };
        first(&mut out, "kg CO2-eq");
        let expected = [
            ("npv", 1.0, "KRW"),
            ("equipment.hydration", 2.0, "KRW"),
            ("category.GWP20 (IPCC AR6).emissions_per_year", 3.0, "kg CO2-eq/yr"),
            ("total_capex", 4.0, "KRW"),
        ];
        assert_eq!(names(&out), expected);
        // The same again, then another unit in one slot: only that slot changes.
        first(&mut out, "kg CO2-eq");
        assert_eq!(names(&out), expected);
        first(&mut out, "t CO2-eq");
        assert_eq!(names(&out)[2].2, "t CO2-eq/yr");
        // The same names with other units, through each way of writing: the units change.
        {
            let mut w = MetricWriter::new(&mut out);
            w.put("npv", 1.5, "USD");
            w.put_fmt(format_args!("equipment.{}", "hydration"), 2.5, "USD");
            w.put_parts(&["category.", "GWP20 (IPCC AR6)", ".emissions_per_year"], 3.5, &["t CO2-eq", "/d"]);
            w.put_in("total_capex", 4.5, &["US", "D"]);
        }
        assert_eq!(
            names(&out),
            [
                ("npv", 1.5, "USD"),
                ("equipment.hydration", 2.5, "USD"),
                ("category.GWP20 (IPCC AR6).emissions_per_year", 3.5, "t CO2-eq/d"),
                ("total_capex", 4.5, "USD"),
            ]
        );
        // Fewer metrics, with other names (one a prefix of the old, one longer): the list is
        // cut to what was written.
        {
            let mut w = MetricWriter::new(&mut out);
            w.put("np", 5.0, "KRW");
            w.put_parts(&["equipment.", "hydration_and_more"], 6.0, &["KRW"]);
        }
        assert_eq!(names(&out), [("np", 5.0, "KRW"), ("equipment.hydration_and_more", 6.0, "KRW")]);
    }

    #[test]
    fn units_in_parts_equal_their_concatenation_only() {
        assert!(joined_equal("kg CO2-eq/yr", &["kg CO2-eq", "/yr"]));
        assert!(!joined_equal("kg CO2-eq/yr", &["kg CO2-eq", "/y"]));
        assert!(!joined_equal("kg CO2-eq/y", &["kg CO2-eq", "/yr"]));
    }
}
