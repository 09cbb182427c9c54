//! The checked configuration of a TEA, in SI and one currency: what the `analyses: tea:`
//! block says once [`crate::analysis`] has parsed and validated it.
//!
//! Money is in units of [`TeaConfig::currency`] (1 KRW = 1); prices per mass are per kg,
//! prices per energy per J, money flows per second of a 365-day year (as the quantity parser
//! reads `KRW/yr`), masses in kg, times in s.

use std::collections::BTreeMap;

use calx_core::{Dimension, Utility};
use serde::Serialize;

/// A priced item, or one deliberately left out of the operating cost with a reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priced {
    /// Price in SI (currency per kg, or per J for heat and electricity).
    Price(f64),
    /// Not charged, and why.
    Excluded(String),
}

/// How a unit's purchased equipment cost is found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EquipmentCost {
    /// Given directly, in the base year's money.
    Given(f64),
    /// `C = C0 (S / S0)^n x index(base year) / index(year)` from the size figure `size` the
    /// unit reports.
    Correlation {
        /// Reference cost C0.
        c0: f64,
        /// Reference size S0, SI.
        s0: f64,
        /// Dimension of S0 (must match the size figure's).
        dimension: Dimension,
        /// Scaling exponent n.
        exponent: f64,
        /// Name of the size figure (`volume`, `throughput`, `dry_solids`).
        size: String,
        /// Cost year of C0 (escalated to the base year with the cost index); `None`: C0 is
        /// already in base-year money.
        year: Option<i64>,
    },
    /// A published correlation ([`crate::correlations`]) by name, from the sizes the unit
    /// reports, escalated from the correlation's cost index to the base year's.
    Published {
        /// Name of the correlation.
        correlation: String,
    },
}

/// Plant type of the Towler & Sinnott installation factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantType {
    /// Fluids processing.
    Fluids,
    /// Mixed fluids and solids.
    FluidsSolids,
    /// Solids processing.
    Solids,
}

/// Towler & Sinnott factors (docs/sources.md §Towler and Sinnott factorial method, recalled, unverified \[U\]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TowlerSinnottFactors {
    /// Equipment erection.
    pub fer: f64,
    /// Piping.
    pub fp: f64,
    /// Instrumentation and control.
    pub fi: f64,
    /// Electrical.
    pub fel: f64,
    /// Civil.
    pub fc: f64,
    /// Structures and buildings.
    pub fs: f64,
    /// Lagging and paint.
    pub fl: f64,
    /// Offsites (OSBL) as a share of ISBL.
    pub os: f64,
    /// Design and engineering.
    pub de: f64,
    /// Contingency.
    pub x: f64,
}

impl PlantType {
    /// The factor table of docs/sources.md §Towler and Sinnott factorial method (fluids / fluids-solids /
    /// solids), recalled from Towler & Sinnott, *Chemical Engineering Design*, not checked against the book \[U\].
    pub fn factors(self) -> TowlerSinnottFactors {
        let (fer, fp, fi, fel, fc, fs, fl, os, de) = match self {
            PlantType::Fluids => (0.3, 0.8, 0.3, 0.2, 0.3, 0.2, 0.1, 0.3, 0.3),
            PlantType::FluidsSolids => (0.5, 0.6, 0.3, 0.2, 0.3, 0.2, 0.1, 0.4, 0.25),
            PlantType::Solids => (0.6, 0.2, 0.2, 0.15, 0.2, 0.1, 0.05, 0.4, 0.2),
        };
        TowlerSinnottFactors { fer, fp, fi, fel, fc, fs, fl, os, de, x: 0.1 }
    }
}

/// How the total capital is found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapexMethod {
    /// Total CAPEX given directly.
    Given(f64),
    /// The KIGAM 2022 factorial method, as printed: ISBL = sum(equipment) x `isbl_factor`,
    /// OSBL = ISBL x OS, FIE = ISBL x (DE + X), NWC = FIE x Y, total = FIE + OSBL + NWC.
    Factorial {
        /// ISBL factor (installed / purchased).
        isbl_factor: f64,
        /// Design and engineering, DE.
        de: f64,
        /// Contingency, X.
        x: f64,
        /// Working capital, Y (share of FIE).
        y: f64,
        /// Offsites, OS (share of ISBL).
        os: f64,
    },
    /// Towler & Sinnott: ISBL = sum Ce [(1 + fp) fm + fer + fel + fi + fc + fs + fl],
    /// fixed capital = ISBL (1 + OS)(1 + DE + X), working capital = Y x fixed capital.
    TowlerSinnott {
        /// Plant type of the factor table.
        plant_type: PlantType,
        /// Factors in use (table values unless overridden).
        factors: TowlerSinnottFactors,
        /// Material factor fm (1 for carbon steel).
        fm: f64,
        /// Working capital, Y (share of fixed capital).
        y: f64,
    },
}

/// What research and development is charged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareBasis {
    /// Labor cost.
    Labor,
    /// Total revenue (sales and credits).
    Revenue,
    /// Product sales only.
    Sales,
    /// Total CAPEX.
    TotalCapex,
    /// Operation cost (the variable part).
    OperationCost,
}

impl ShareBasis {
    /// Words accepted after `% of`.
    pub const WORDS: [(&'static str, ShareBasis); 5] = [
        ("labor", ShareBasis::Labor),
        ("revenue", ShareBasis::Revenue),
        ("sales", ShareBasis::Sales),
        ("total_capex", ShareBasis::TotalCapex),
        ("operation_cost", ShareBasis::OperationCost),
    ];
    /// The word.
    pub fn word(self) -> &'static str {
        ShareBasis::WORDS.iter().find(|(_, b)| *b == self).map_or("", |(w, _)| w)
    }
}

/// A cost given directly or as a share of something.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Charge {
    /// Currency per second (of a 365-day year).
    Given(f64),
    /// Fraction of a basis.
    Share(f64, ShareBasis),
}

/// Where the tonnes of CO2 credited come from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Credits {
    /// A given amount, kg/s.
    Given(f64),
    /// The `net_reduction_per_year` of an LCA analysis (by name; `None`: the only one, or the
    /// one named `lca`).
    Lca(Option<String>),
    /// The `credited_per_year` of a carbon-ledger analysis, after its deductions (by name;
    /// `None`: the only one, or the one named `carbon`), earned in the first
    /// `crediting_period` operating years when the ledger reports one.
    Carbon(Option<String>),
    /// CO2 consumed by the flowsheet: CO2 in feeds minus CO2 in products.
    Co2Fixed,
}

/// A configured TEA.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TeaConfig {
    /// Currency code every money value is written in.
    pub currency: String,
    /// Year of the money (cost-index escalation target).
    pub base_year: Option<i64>,
    /// Cost index by year.
    pub cost_index: BTreeMap<i64, f64>,
    /// Purchased equipment cost per unit.
    pub equipment: BTreeMap<String, EquipmentCost>,
    /// How the total capital is found.
    pub capex: CapexMethod,
    /// Discount rate (fraction).
    pub discount_rate: f64,
    /// Operating life, years.
    pub lifetime: u32,
    /// Construction period, years (capital spent in equal parts in years 0..C-1).
    pub construction_years: u32,
    /// Share of design output in the first operating year.
    pub startup_output: f64,
    /// Straight-line depreciation period, years.
    pub depreciation_years: u32,
    /// Income tax rate (fraction of positive taxable income).
    pub tax_rate: f64,
    /// Operating time per year, s: flowsheet rates are multiplied by it.
    pub operating_time: f64,
    /// Utility prices.
    pub utility_prices: BTreeMap<Utility, Priced>,
    /// Feed-stream prices (per kg).
    pub feed_prices: BTreeMap<String, Priced>,
    /// Make-up material prices by component (per kg).
    pub material_prices: BTreeMap<String, Priced>,
    /// Disposal cost of leaving streams (per kg).
    pub disposal_prices: BTreeMap<String, f64>,
    /// Operation (variable) cost given directly, per s.
    pub operation_cost: Option<f64>,
    /// Labor, per s.
    pub labor: f64,
    /// Administration, share of labor.
    pub administration: f64,
    /// Overhead, share of labor.
    pub overhead: f64,
    /// Research.
    pub research: Charge,
    /// Maintenance, share of total CAPEX per year.
    pub maintenance: f64,
    /// Insurance, share of total CAPEX per year.
    pub insurance: f64,
    /// Product stream sold.
    pub product: String,
    /// Product price, per kg.
    pub product_price: f64,
    /// Amount sold per second when given instead of the simulated stream.
    pub annual_production: Option<f64>,
    /// Carbon credit price, per kg CO2.
    pub carbon_price: f64,
    /// Where credited CO2 comes from.
    pub credits: Option<Credits>,
}
