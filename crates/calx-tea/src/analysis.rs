//! TEA as a Calx analysis: the `analyses: tea:` block of a flowsheet, declared as a parameter
//! schema and turned into a checked [`TeaConfig`] by [`TeaAnalysisType::create`] (through
//! [`crate::configure`]); the configured analysis's two entry points, figures and report.
//!
//! ```yaml
//! analyses:
//!   tea:
//!     currency: KRW
//!     discount_rate: 7 %
//!     lifetime: 30 yr
//!     total_capex: 330,429,847 KRW             # or equipment_cost / equipment_correlation + capex_method
//!     utility_prices: { electricity: 70 KRW/kWh, cooling: "excluded: closed loop" }
//!     feed_prices: { process_water: 1,200 KRW/t, raw_ash: 0 KRW/t }
//!     labor: 95,000,000 KRW/yr
//!     administration: 20 %                      # of labor
//!     product_price: 13,000 KRW/t
//!     carbon_price: 20,000 KRW/t
//!     carbon_credits: lca                       # or "800 t/yr", "lca:NAME", "carbon", "carbon:NAME", "co2_fixed"
//! ```
//!
//! Money is written as text with its currency code (`70 KRW/kWh`) and parsed by
//! [`crate::params`], so that a value in another currency is refused with the parameter's name
//! (the flowsheet layer's quantity conversion would drop the code). Every other problem that
//! can be seen without the flowsheet is reported there too, as [`UnitError::Parameter`]; what
//! needs the converged flowsheet (an unknown unit or stream, a size a unit does not report, an
//! unpriced utility) is a [`TeaError::Parameter`] of [`crate::assess()`], passed on here as
//! [`AnalysisError::Parameter`] naming the parameter; any other [`TeaError`] fails the
//! analysis ([`AnalysisError::Failed`]).

use calx_core::result::FlowsheetResult;
use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, Dimension, Metric, ParamKind, ParamSpec,
    ParamValue, Params, UnitError,
};

use crate::config::{CapexMethod, TeaConfig};
use crate::error::TeaError;
use crate::params::{check_discount_rate, configure, money_unit, money_value};

/// Seconds in the 365-day year of annual plant figures (the quantity parser's `yr`).
pub use calx_core::SECONDS_PER_YEAR;

/// CEPCI by year shipped as the default `cost_index` (docs/sources.md §Cost indices, from BioSTEAM
/// `biosteam/units/design_tools/cost_index.py`).
pub const CEPCI: [(i64, f64); 5] = [(2001, 394.0), (2010, 551.0), (2015, 542.0), (2016, 568.0), (2018, 603.0)];

/// The `tea` analysis type.
pub struct TeaAnalysisType;

/// A configured TEA.
struct TeaAnalysis {
    name: String,
    config: TeaConfig,
    /// The configuration as created, which `reset_number` restores from.
    created: TeaConfig,
    /// Unit expressions of the values set in place, parsed once (a study sets the same
    /// parameters in the same units for every sample).
    units: calx_core::ParsedUnits,
    /// Its number as a writer of metric layouts ([`calx_core::LayoutKey`]).
    writer: u64,
}

fn text_map(name: &str, doc: &str) -> ParamSpec {
    ParamSpec::optional(name, ParamKind::map(ParamKind::Text), doc)
}

fn fraction(name: &str, default: f64, doc: &str, source: &str) -> ParamSpec {
    ParamSpec::with_default(name, ParamKind::Fraction, ParamValue::Number(default), doc, source)
}

impl AnalysisType for TeaAnalysisType {
    fn descriptor(&self) -> AnalysisDescriptor {
        let cepci = CEPCI.iter().map(|(y, i)| (y.to_string(), ParamValue::Number(*i))).collect();
        AnalysisDescriptor {
            type_name: "tea".into(),
            summary: "Techno-economic analysis: CAPEX (given, factorial or Towler & Sinnott from unit sizes), OPEX, revenue with carbon credits, CRF, NPV, IRR, B/C, payback, minimum selling price and a yearly cash-flow table.".into(),
            params: vec![
                ParamSpec::required("currency", ParamKind::Text, "Currency code every money value is written in (KRW, USD, EUR, JPY, CNY, GBP); no exchange rates are applied"),
                ParamSpec::optional("base_year", ParamKind::Integer, "Year of the money; equipment correlations with another cost year are escalated to it with `cost_index`"),
                ParamSpec::with_default("cost_index", ParamKind::map(ParamKind::Number), ParamValue::Map(cepci),
                    "Cost index by year (CEPCI), for escalating correlation costs to the base year",
                    "CEPCI 2001 394, 2010 551, 2015 542, 2016 568, 2018 603 (docs/sources.md §Cost indices, from BioSTEAM cost_index.py [S]; later years not retrieved)"),
                ParamSpec::optional("capex_method", ParamKind::choice(&["given", "factorial", "towler_sinnott"]),
                    "How total CAPEX is found: `given` (total_capex), `factorial` (the KIGAM 2022 build-up, as printed) or `towler_sinnott` (installation factors) from the equipment costs"),
                ParamSpec::optional("total_capex", ParamKind::Text, "Total capital given directly, e.g. `330,429,847 KRW`"),
                text_map("equipment_cost", "Unit -> purchased (installed, for `factorial`) equipment cost in base-year money, e.g. `120,000,000 KRW`"),
                text_map("equipment_correlation", "Unit -> `cost: C0; at: S0; size: NAME; exponent: n[; year: Y]`: C = C0 (S/S0)^n x index(base_year)/index(Y), S the size figure NAME the unit reports (e.g. `cost: 150,000,000 KRW; at: 100 m3; size: volume; exponent: 0.6; year: 2016`)"),
                text_map("equipment_published", "Unit -> name of a published cost correlation costed from the sizes the unit reports and escalated to `base_year` with `cost_index` (CEPCI): seider_centrifugal_pump, seider_floating_head_exchanger, seider_double_pipe_exchanger, seider_rotary_vacuum_filter, seider_cone_roof_tank, seider_centrifugal_compressor, seider_reciprocating_compressor, seider_screw_compressor, seider_vertical_vessel, biosteam_belt_conveyor, biosteam_screw_feeder, biosteam_hammer_mill, prommis_ball_mill, coury_cyclone, biosteam_spray_dryer, biosteam_drum_dryer (USD; docs/equipment.md)"),
                ParamSpec::optional("isbl_factor", ParamKind::Number, "Factorial method: ISBL = sum(equipment) x this (default 2.9, KIGAM 2022 Table 6)"),
                ParamSpec::optional("design_engineering", ParamKind::Number, "Design and engineering DE (factorial: default 0.3, KIGAM 2022 Table 6; towler_sinnott: table value)"),
                ParamSpec::optional("contingency", ParamKind::Number, "Contingency X (factorial: default 0.1, KIGAM 2022 Table 6; towler_sinnott: 0.1)"),
                ParamSpec::optional("working_capital", ParamKind::Number, "Working capital Y: factorial, share of FIE (default 0.05, KIGAM 2022 Table 6); towler_sinnott, share of fixed capital (default 0.05, Sinnott's worked example, docs/sources.md §Indirect costs)"),
                ParamSpec::optional("offsite", ParamKind::Number, "Offsites OS, share of ISBL (factorial: default 0.3, KIGAM 2022 Table 6; towler_sinnott: table value)"),
                ParamSpec::with_default("plant_type", ParamKind::choice(&["fluids", "fluids_solids", "solids"]), ParamValue::Text("solids".into()),
                    "Towler & Sinnott factor column", "a mineralization plant handles mainly solids and slurries; factor table recalled, not verified [U] (docs/sources.md §Towler and Sinnott factorial method)"),
                ParamSpec::with_default("material_factor", ParamKind::Number, ParamValue::Number(1.0),
                    "Towler & Sinnott material factor fm", "1 = carbon steel (Towler & Sinnott, via docs/sources.md §Towler and Sinnott factorial method)"),
                ParamSpec::required("discount_rate", ParamKind::Number, "Discount rate r, e.g. `7 %` (above -100 %)"),
                ParamSpec::required("lifetime", ParamKind::quantity(Dimension::TIME, "yr"), "Operating life n, whole years, e.g. `30 yr`"),
                ParamSpec::with_default("construction_period", ParamKind::quantity(Dimension::TIME, "yr"), ParamValue::Number(SECONDS_PER_YEAR),
                    "Whole years of construction: capital is spent in equal parts in years 0 .. C-1 and operation runs in years C .. C+n-1",
                    "1 yr: all capital at year 0, operation from year 1, the schedule that reproduces KIGAM 2022's IRR (derived)"),
                fraction("startup_output", 1.0, "Share of design output (sales, credits and operation cost) in the first operating year", "100 %: no start-up derating (KIGAM 2022 assumes full output from year 1)"),
                ParamSpec::optional("depreciation_period", ParamKind::quantity(Dimension::TIME, "yr"), "Straight-line depreciation of total CAPEX over this many whole years (default: the lifetime); matters only with a tax rate"),
                fraction("tax_rate", 0.0, "Income tax on positive taxable income (revenue - OPEX - depreciation); no loss carry-forward", "0 %: KIGAM 2022 states no tax"),
                ParamSpec::with_default("operating_hours", ParamKind::quantity(Dimension::TIME, "h"), ParamValue::Number(8760.0 * 3600.0),
                    "Operating time per year: flowsheet rates (kg/s, W) times this are annual amounts",
                    "8760 h = 365 d, continuous operation, the 365-day year of annual plant figures [U]"),
                text_map("utility_prices", "Utility (electricity, heating, cooling, water) -> price (`70 KRW/kWh`, `1,200 KRW/t`) or `excluded: REASON`"),
                text_map("feed_prices", "Feed stream -> price per mass (`1,200 KRW/t`, `0 KRW/t`) or `excluded: REASON`"),
                text_map("material_prices", "Component of make-up material units draw -> price per mass or `excluded: REASON`"),
                text_map("disposal_prices", "Leaving stream -> disposal cost per mass"),
                ParamSpec::optional("operation_cost", ParamKind::Text, "Operation (variable) cost given directly, e.g. `81,608,890 KRW/yr`; the figure rebuilt from prices is still reported beside it when prices are given"),
                ParamSpec::optional("labor", ParamKind::Text, "Labor cost per year, e.g. `95,000,000 KRW/yr` (none if left out)"),
                fraction("administration", 0.0, "Administration, share of labor", "0 %: none unless stated (KIGAM 2022: 20 %)"),
                fraction("overhead", 0.0, "Overhead, share of labor", "0 %: none unless stated (KIGAM 2022: 10 %)"),
                ParamSpec::optional("research", ParamKind::Text, "Research: per year (`2,533,000 KRW/yr`) or `P % of BASIS`, BASIS one of labor, revenue, sales, total_capex, operation_cost"),
                fraction("maintenance", 0.0, "Maintenance per year, share of total CAPEX", "0 %: none unless stated (KIGAM 2022 charges none; Sinnott's worked example: 5 % of fixed capital)"),
                fraction("insurance", 0.0, "Insurance per year, share of total CAPEX", "0 %: none unless stated (KIGAM 2022 charges none)"),
                ParamSpec::with_default("product", ParamKind::Text, ParamValue::Text("product".into()), "Product stream sold", "the stream named `product`"),
                ParamSpec::optional("product_price", ParamKind::Text, "Product price per mass, e.g. `13,000 KRW/t`"),
                ParamSpec::optional("annual_production", ParamKind::quantity(Dimension::MASS_FLOW, "t/yr"), "Amount sold per year when it is not the simulated product stream (e.g. a paper's nameplate figure)"),
                ParamSpec::optional("carbon_price", ParamKind::Text, "Carbon credit price per mass of CO2, e.g. `20,000 KRW/t`"),
                ParamSpec::optional("carbon_credits", ParamKind::Text, "CO2 credited: `lca` (net_reduction_per_year of the LCA), `lca:NAME`, `carbon` (credited_per_year of the carbon ledger, after its deductions; credits only in the ledger's crediting_period, if it reports one), `carbon:NAME`, `co2_fixed` (CO2 in feeds minus CO2 in products) or an amount such as `800 t/yr`"),
            ],
            reads: vec!["lca".into(), "carbon".into()],
            when_absent: Some("No techno-economic analysis: the flowsheet has no `tea` analysis.".into()),
        }
    }

    fn create(&self, name: &str, p: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let config = configure(p)?;
        Ok(Box::new(TeaAnalysis {
            name: name.to_string(),
            created: config.clone(),
            config,
            units: calx_core::ParsedUnits::default(),
            writer: calx_core::LayoutKey::new_writer(),
        }))
    }
}

impl Analysis for TeaAnalysis {
    fn report(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        let r = crate::assess(flowsheet, earlier, &self.config).map_err(analysis_error)?;
        Ok(AnalysisOutput {
            name: self.name.clone(),
            type_name: "tea".into(),
            metrics: crate::render::metrics(&r),
            text: crate::render::to_table(&r),
            csv: crate::render::to_csv(&r),
            json: serde_json::to_string_pretty(&r).map_err(AnalysisError::failed)?,
            report: Some(crate::report::part(&self.name, &r)),
        })
    }

    fn figures(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        crate::assess::figures(flowsheet, earlier, &self.config).map_err(analysis_error)
    }

    fn figures_into(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        crate::assess::figures_into(flowsheet, earlier, &self.config, out).map_err(analysis_error)
    }

    fn figures_laid_out(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
        layout: &mut calx_core::MetricLayout,
    ) -> Result<(), AnalysisError> {
        let x = crate::assess::Ctx { f: flowsheet, earlier, c: &self.config };
        crate::assess::figures_laid_out(&x, Some(self.writer), out, layout).map_err(analysis_error)
    }

    /// In place: `discount_rate` (a number), and the money a study varies: `product_price`,
    /// `carbon_price` (with `carbon_credits` given), `operation_cost` (when given) and
    /// `total_capex` (when CAPEX is given). Anything else is created again.
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64, unit: &str) -> Result<bool, AnalysisError> {
        let Some(field) = InPlace::of(param, key, &self.created) else { return Ok(false) };
        let si = match field {
            InPlace::DiscountRate if unit.is_empty() => check_discount_rate(value).map_err(in_place_error)?,
            InPlace::DiscountRate => return Ok(false),
            _ if unit.is_empty() => return Ok(false),
            _ => {
                let expr = self.units.get_or_parse(unit, |u| money_unit(param, u)).map_err(in_place_error)?;
                money_value(&self.config.currency, param, (value, unit, expr), field.dimension())
                    .map_err(in_place_error)?
            }
        };
        field.write(&mut self.config, si);
        Ok(true)
    }

    fn reset_number(&mut self, param: &str, key: Option<&str>) -> Result<bool, AnalysisError> {
        let Some(field) = InPlace::of(param, key, &self.created) else { return Ok(false) };
        field.write(&mut self.config, field.read(&self.created));
        Ok(true)
    }
}

/// A field of [`TeaConfig`] a study can set in place.
#[derive(Clone, Copy)]
enum InPlace {
    DiscountRate,
    ProductPrice,
    CarbonPrice,
    OperationCost,
    TotalCapex,
}

impl InPlace {
    /// The field `param` sets, if it can be set in place in a TEA configured as `created`
    /// (a parameter whose presence changes how the TEA is configured cannot).
    fn of(param: &str, key: Option<&str>, created: &TeaConfig) -> Option<InPlace> {
        if key.is_some() {
            return None;
        }
        match param {
            "discount_rate" => Some(InPlace::DiscountRate),
            "product_price" => Some(InPlace::ProductPrice),
            "carbon_price" if created.credits.is_some() => Some(InPlace::CarbonPrice),
            "operation_cost" if created.operation_cost.is_some() => Some(InPlace::OperationCost),
            "total_capex" if matches!(created.capex, CapexMethod::Given(_)) => Some(InPlace::TotalCapex),
            _ => None,
        }
    }

    /// What a money value of the field measures.
    fn dimension(self) -> Dimension {
        match self {
            InPlace::DiscountRate => Dimension::DIMENSIONLESS,
            InPlace::ProductPrice | InPlace::CarbonPrice => Dimension::PRICE_PER_MASS,
            InPlace::OperationCost => Dimension::MONEY_FLOW,
            InPlace::TotalCapex => Dimension::MONEY,
        }
    }

    fn read(self, c: &TeaConfig) -> f64 {
        match self {
            InPlace::DiscountRate => c.discount_rate,
            InPlace::ProductPrice => c.product_price,
            InPlace::CarbonPrice => c.carbon_price,
            InPlace::OperationCost => c.operation_cost.unwrap_or(f64::NAN),
            InPlace::TotalCapex => match c.capex {
                CapexMethod::Given(t) => t,
                _ => f64::NAN,
            },
        }
    }

    fn write(self, c: &mut TeaConfig, value: f64) {
        match self {
            InPlace::DiscountRate => c.discount_rate = value,
            InPlace::ProductPrice => c.product_price = value,
            InPlace::CarbonPrice => c.carbon_price = value,
            InPlace::OperationCost => c.operation_cost = Some(value),
            InPlace::TotalCapex => c.capex = CapexMethod::Given(value),
        }
    }
}

/// A value set in place that `create` would refuse: the same words, as a parameter error.
fn in_place_error(e: UnitError) -> AnalysisError {
    match e {
        UnitError::Parameter { param, message } => AnalysisError::Parameter { param, message },
        other => AnalysisError::failed(other),
    }
}

/// A parameter that does not fit the flowsheet names the parameter; anything else fails the
/// analysis with the TEA's own error as the source.
fn analysis_error(e: TeaError) -> AnalysisError {
    match e {
        TeaError::Parameter { param, message } => AnalysisError::Parameter { param: param.to_string(), message },
        other => AnalysisError::failed(other),
    }
}
