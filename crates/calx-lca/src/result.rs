//! What an assessment gives: the full [`LcaResult`] (for reports: every inventory line,
//! exclusion, process, category and elementary flow), and the [`LcaFigures`] behind the
//! metrics (totals and contributions only), which a study asks for every sample.
//!
//! Every figure of [`LcaFigures`] is computed once, by the same code, whichever is asked for:
//! the full result is built from the figures, and [`LcaResult::figures`] reads them back, so
//! the two agree bit for bit.

use std::borrow::Cow;

use serde::Serialize;

use crate::sparse::SolveReport;

/// A figure per functional unit and per year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Amount {
    /// Per functional unit.
    pub per_functional_unit: f64,
    /// Per year of operation.
    pub per_year: f64,
}

/// One aggregated contribution (a unit, or a flow such as electricity).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    /// Unit name, or flow label.
    pub name: String,
    /// Impact in the headline category.
    pub impact: Amount,
    /// Fraction of the total emissions (0..1; 0 when emissions are zero).
    pub share: f64,
}

/// One line of the foreground inventory that counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InventoryLine {
    /// Unit that causes it.
    pub unit: String,
    /// Flow label: `electricity`, `cooling`, a component name, a stream name, `direct CO2`.
    pub flow: String,
    /// What for (utility purpose, stream, material purpose).
    pub purpose: String,
    /// Background process, or elementary flow for a direct emission.
    pub process: String,
    /// Amount per FU in SI (J or kg).
    pub amount: f64,
    /// SI unit of `amount` (`J` or `kg`).
    pub amount_unit: String,
    /// Impact in the headline category.
    pub impact: Amount,
    /// Fraction of total emissions.
    pub share: f64,
}

/// An inventory item left outside the boundary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exclusion {
    /// Unit concerned.
    pub unit: String,
    /// Flow label.
    pub flow: String,
    /// What for.
    pub purpose: String,
    /// Amount per FU in SI.
    pub amount: f64,
    /// SI unit of `amount`.
    pub amount_unit: String,
    /// Why it is excluded.
    pub reason: String,
}

/// A credited avoided burden.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AvoidedLine {
    /// Product stream.
    pub stream: String,
    /// Displaced process.
    pub process: String,
    /// Displaced amount per FU (SI).
    pub amount: f64,
    /// Credit in the headline category (positive = avoided emissions).
    pub credit: Amount,
    /// Source of the substitution.
    pub source: String,
}

/// A background process used, with its data source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessUse {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Source (or `override: ...`).
    pub source: String,
    /// Cradle-to-gate impact per SI unit of its product (headline category).
    pub impact_per_si_unit: f64,
    /// Amount demanded per FU (SI), excluding avoided burdens.
    pub amount: f64,
}

/// Total of one impact category, with its contributions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryTotal {
    /// Category name.
    pub name: String,
    /// Indicator unit.
    pub unit: String,
    /// Emissions (background and direct, without credits).
    pub emissions: Amount,
    /// Emissions by unit (flowsheet order).
    pub by_unit: Vec<Contribution>,
    /// Emissions by flow.
    pub by_flow: Vec<Contribution>,
    /// Elementary flows of the inventory this category gives no factor for, with their
    /// amounts (kg): not counted in `emissions`, so the total is incomplete when this is not
    /// empty (a GWP100-weighted `GHG (CO2-eq)` flow in GWP20).
    pub not_characterised: Vec<FlowTotal>,
    /// Amounts this category weighs that a process of the supply chain does not give (no
    /// sourced figure, an `unknown` record): the total is incomplete when this is not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_inventoried: Vec<UnknownAmount>,
}

/// An amount of an elementary flow that a background process does not give.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnknownAmount {
    /// The process.
    pub process: String,
    /// The flow.
    pub flow: String,
    /// Why it is not known.
    pub why: String,
}

/// One elementary flow of the life-cycle inventory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowTotal {
    /// Flow name.
    pub name: String,
    /// kg.
    pub amount: Amount,
}

/// The result of an assessment. Impacts are in the headline category's unit (kg CO2-eq for
/// the shipped sets).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LcaResult {
    /// Flowsheet name.
    pub flowsheet: String,
    /// The functional unit, as text.
    pub functional_unit: String,
    /// Seconds of operation that make one FU.
    pub seconds_per_functional_unit: f64,
    /// FUs per year of operation.
    pub functional_units_per_year: f64,
    /// Reference year (from the configuration).
    pub reference_year: String,
    /// Headline category.
    pub category: String,
    /// Its unit.
    pub impact_unit: String,
    /// Emissions, background and direct.
    pub emissions: Amount,
    /// CO2 fixed in solids, kg CO2.
    pub co2_fixed: Amount,
    /// Credits from avoided burdens.
    pub avoided: Amount,
    /// CO2 fixed (characterised) + avoided - emissions.
    pub net_reduction: Amount,
    /// Emissions by unit (flowsheet order).
    pub by_unit: Vec<Contribution>,
    /// Emissions by flow (electricity, water, a material, direct CO2, ...).
    pub by_flow: Vec<Contribution>,
    /// Every counted inventory line.
    pub lines: Vec<InventoryLine>,
    /// Every excluded item, with its reason.
    pub excluded: Vec<Exclusion>,
    /// Avoided burdens.
    pub avoided_lines: Vec<AvoidedLine>,
    /// Background processes used.
    pub processes: Vec<ProcessUse>,
    /// Every category of the database (emissions only).
    pub categories: Vec<CategoryTotal>,
    /// Life-cycle inventory of elementary flows (emissions only, non-zero).
    pub inventory: Vec<FlowTotal>,
    /// How the background system was solved (the total-demand solve).
    pub solver: SolveReport,
}

/// The figures behind an assessment's metrics: totals and contributions per functional unit,
/// without the words of a report. Names are borrowed from the flowsheet result where they
/// can be.
#[derive(Clone, Debug, PartialEq)]
pub struct LcaFigures<'a> {
    /// Unit of the headline category (`kg CO2-eq`).
    pub impact_unit: &'a str,
    /// Emissions, background and direct.
    pub emissions: Amount,
    /// CO2 fixed in solids, kg CO2.
    pub co2_fixed: Amount,
    /// Credits from avoided burdens.
    pub avoided: Amount,
    /// CO2 fixed (characterised) + avoided - emissions.
    pub net_reduction: Amount,
    /// Emissions by unit (flowsheet order).
    pub by_unit: Vec<Part<'a>>,
    /// Emissions by flow (in the order the flows first appear in the inventory).
    pub by_flow: Vec<Part<'a>>,
    /// Every other impact category of the background data (database order).
    pub categories: Vec<CategoryFigures<'a>>,
}

/// The emissions of one impact category other than the headline one, with contributions.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryFigures<'a> {
    /// Category name (`GWP20 (IPCC AR6)`).
    pub name: &'a str,
    /// Its indicator unit.
    pub unit: &'a str,
    /// The category gives a factor for every elementary flow of the inventory; if not,
    /// `emissions` leaves those flows out (the full result lists them) and no metrics are
    /// written for it.
    pub complete: bool,
    /// Emissions, background and direct, in `unit`.
    pub emissions: Amount,
    /// By unit (flowsheet order).
    pub by_unit: Vec<Part<'a>>,
    /// By flow.
    pub by_flow: Vec<Part<'a>>,
}

/// One contribution (a unit, or a flow) to the emissions, per functional unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Part<'a> {
    /// Unit name, or flow label.
    pub name: Cow<'a, str>,
    /// Impact per functional unit, in the headline category.
    pub per_functional_unit: f64,
}

impl LcaResult {
    /// The figures behind the metrics, read from this result.
    pub fn figures(&self) -> LcaFigures<'_> {
        fn parts(list: &[Contribution]) -> Vec<Part<'_>> {
            list.iter()
                .map(|c| Part {
                    name: Cow::Borrowed(c.name.as_str()),
                    per_functional_unit: c.impact.per_functional_unit,
                })
                .collect()
        }
        LcaFigures {
            impact_unit: &self.impact_unit,
            emissions: self.emissions,
            co2_fixed: self.co2_fixed,
            avoided: self.avoided,
            net_reduction: self.net_reduction,
            by_unit: parts(&self.by_unit),
            by_flow: parts(&self.by_flow),
            categories: self
                .categories
                .iter()
                .filter(|c| c.name != self.category)
                .map(|c| CategoryFigures {
                    complete: c.not_characterised.is_empty() && c.not_inventoried.is_empty(),
                    name: &c.name,
                    unit: &c.unit,
                    emissions: c.emissions,
                    by_unit: parts(&c.by_unit),
                    by_flow: parts(&c.by_flow),
                })
                .collect(),
        }
    }
}
