//! The computation: equipment costs from the sizes units report, CAPEX build-up, OPEX from
//! priced utilities and feeds (or given), revenue with carbon credits, the yearly cash-flow
//! table and the indicators.
//!
//! Two entry points: [`figures`] computes the numbers and the metrics only (what studies call
//! for every sample), [`assess`] the full [`TeaResult`] with the report's words. Both run the
//! same stages (`compute`) over one context, so their metrics are the same bits; the words
//! are added afterwards by `describe`, from what the stages leave in a `Trail`.
//!
//! Time basis: flowsheet rates (kg/s, W) times `operating_hours` are annual amounts; costs
//! written per year (`KRW/yr`) are per 365-day year. Annualized figures (annual CAPEX = total
//! CAPEX x CRF, total annual cost, unit production cost) follow the KIGAM 2022 paper; NPV,
//! IRR, B/C and payback come from the cash-flow table (capital in years 0 .. C-1, operation
//! in years C .. C+n-1, end-of-year flows discounted to year 0). Credits from a carbon ledger
//! with a crediting period of N years are earned in operating years 1 .. N only; the annual
//! figures count them in full.

use calx_core::format::group;
use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::{AnalysisOutput, Metric, Utility};
use serde::Serialize;

use crate::analysis::SECONDS_PER_YEAR;
use crate::config::{CapexMethod, Charge, Credits, EquipmentCost, Priced, ShareBasis, TeaConfig};
use crate::error::TeaError;
use crate::finance;

/// One line of a cost or revenue breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// What it is (`electricity`, `feed process_water`, `ISBL`).
    pub name: String,
    /// Amount (annual quantity in `unit`, or a base sum), when the line is a price x amount.
    pub amount: Option<f64>,
    /// Unit of `amount` (`kWh/yr`, `t/yr`).
    pub unit: String,
    /// Price or factor applied, in `price_unit`.
    pub price: Option<f64>,
    /// Unit of `price`.
    pub price_unit: String,
    /// Money (per year for cost lines, a sum for capital lines).
    pub value: f64,
    /// How it was found.
    pub note: String,
}

impl Line {
    /// A line with its name and money only; the report's words come later ([`crate::describe`]).
    pub(crate) fn figure(name: impl Into<String>, value: f64) -> Line {
        Line {
            name: name.into(),
            amount: None,
            unit: String::new(),
            price: None,
            price_unit: String::new(),
            value,
            note: String::new(),
        }
    }

    /// A line that is an amount times a price.
    fn priced(name: impl Into<String>, amount: f64, price: f64, value: f64) -> Line {
        Line { amount: Some(amount), price: Some(price), ..Line::figure(name, value) }
    }
}

/// One year of the cash-flow table (money of the base year, undiscounted unless named so).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CashFlowYear {
    /// Year, 0 = start of construction.
    pub year: u32,
    /// Capital spent.
    pub capex: f64,
    /// Sales and credits.
    pub revenue: f64,
    /// Operating cost (variable and fixed).
    pub opex: f64,
    /// Straight-line depreciation.
    pub depreciation: f64,
    /// Income tax.
    pub tax: f64,
    /// revenue - opex - tax - capex.
    pub net: f64,
    /// net / (1 + r)^year.
    pub discounted: f64,
    /// Running sum of `net`.
    pub cumulative: f64,
}

/// The CO2 credited in one operating year, and what it earns: the vintage of those credits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreditVintage {
    /// Operating year, 1 = the first year of operation (at `startup_output`).
    pub operating_year: u32,
    /// Year of the cash-flow table (0 = start of construction).
    pub year: u32,
    /// CO2 credited that year, t.
    pub tonnes: f64,
    /// Credit revenue that year.
    pub revenue: f64,
}

/// Everything a TEA computes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TeaResult {
    /// Flowsheet name.
    pub flowsheet: String,
    /// Currency code.
    pub currency: String,
    /// Base year, if stated.
    pub base_year: Option<i64>,
    /// Discount rate (fraction).
    pub discount_rate: f64,
    /// Operating life, years.
    pub lifetime: u32,
    /// Capital recovery factor.
    pub crf: f64,
    /// Operating hours per year.
    pub operating_hours: f64,
    /// Product sold, t/yr.
    pub annual_production: f64,
    /// The simulated product stream, t/yr.
    pub simulated_production: f64,
    /// Purchased equipment cost per unit.
    pub equipment: Vec<Line>,
    /// CAPEX build-up, ending with the total.
    pub capex: Vec<Line>,
    /// Total CAPEX.
    pub total_capex: f64,
    /// Total CAPEX x CRF.
    pub annual_capex: f64,
    /// Operation cost used (given, or rebuilt).
    pub operation_cost: f64,
    /// The operation cost given directly, if any.
    pub operation_cost_given: Option<f64>,
    /// The operation cost rebuilt from prices and the simulated flowsheet, if prices are given.
    pub operation_cost_rebuilt: Option<f64>,
    /// Lines of the rebuilt operation cost (per year).
    pub variable_costs: Vec<Line>,
    /// Items left out of the rebuilt operation cost, with reasons.
    pub excluded: Vec<String>,
    /// Fixed costs (per year).
    pub fixed_costs: Vec<Line>,
    /// Operation cost + fixed costs, per year.
    pub annual_opex: f64,
    /// Annual CAPEX + annual OPEX.
    pub total_annual_cost: f64,
    /// Product sales per year.
    pub product_revenue: f64,
    /// CO2 credited, t/yr.
    pub carbon_credits: f64,
    /// Where the credits come from.
    pub carbon_credit_basis: String,
    /// Credit revenue per year.
    pub carbon_credit_revenue: f64,
    /// Sales + credits per year.
    pub total_revenue: f64,
    /// What each LCA analysis that ran before would credit (name, t CO2/yr, money/yr).
    pub credits_by_lca: Vec<(String, f64, f64)>,
    /// The credits year by year, when there are any: every operating year, or the years of the
    /// crediting period of a carbon ledger that reports one.
    pub credit_vintages: Vec<CreditVintage>,
    /// Cash-flow table.
    pub cash_flows: Vec<CashFlowYear>,
    /// NPV at the discount rate.
    pub npv: f64,
    /// Discounted benefits / discounted costs.
    pub benefit_cost_ratio: f64,
    /// IRR (fraction), if defined.
    pub irr: Option<f64>,
    /// Why the IRR is undefined, or a warning about several roots.
    pub irr_note: Option<String>,
    /// Simple payback from year 0, years.
    pub simple_payback: Option<f64>,
    /// Total annual cost / annual production, per t.
    pub unit_production_cost: f64,
    /// Product price per t at which NPV = 0.
    pub minimum_selling_price: Option<f64>,
    /// Total annual cost / t CO2 credited.
    pub cost_per_t_co2: Option<f64>,
    /// (Total annual cost - product sales) / t CO2 credited.
    pub net_cost_per_t_co2: Option<f64>,
    /// Notes for the reader (empty from a figures-only run, as are every line's words).
    pub notes: Vec<String>,
}

/// Run the TEA over a converged flowsheet, with the report's words; `earlier` holds the
/// outputs of analyses that ran before (LCA and carbon-ledger results for carbon credits). Errors name the
/// parameter at fault.
pub fn assess(f: &FlowsheetResult, earlier: &[AnalysisOutput], c: &TeaConfig) -> Result<TeaResult, TeaError> {
    let x = Ctx { f, earlier, c };
    let (mut r, trail) = compute(&x)?;
    crate::describe::describe(&mut r, trail, c, &f.name);
    Ok(r)
}

/// The metrics of [`assess`], the very same bits, without the words of the report.
pub fn figures(f: &FlowsheetResult, earlier: &[AnalysisOutput], c: &TeaConfig) -> Result<Vec<Metric>, TeaError> {
    let mut out = Vec::new();
    figures_into(f, earlier, c, &mut out)?;
    Ok(out)
}

/// [`figures`] written over a list in place (a study's samples): straight from the stages'
/// numbers, with no lines, names or tables ([`crate::figures`]), so that a sample allocates
/// nothing once its metric names are written. Where that path stops (a missing price, a
/// name that fits nothing, a cash-flow table longer than it holds), the full computation
/// runs instead and gives the error, or the metrics, with the same bits.
pub fn figures_into(
    f: &FlowsheetResult,
    earlier: &[AnalysisOutput],
    c: &TeaConfig,
    out: &mut Vec<Metric>,
) -> Result<(), TeaError> {
    figures_laid_out(&Ctx { f, earlier, c }, None, out, &mut calx_core::MetricLayout::default())
}

/// [`figures_into`] over a list last written in `layout`: as the layout of writer `writer`
/// when it has one (a study's TEA; `None`: no layout is declared).
pub(crate) fn figures_laid_out(
    x: &Ctx<'_>,
    writer: Option<u64>,
    out: &mut Vec<Metric>,
    layout: &mut calx_core::MetricLayout,
) -> Result<(), TeaError> {
    // The writer's numbers from its last sample, taken out while the layout is lent.
    let mut kept = writer.map(|n| layout.take_kept(n));
    let mut w = calx_core::MetricWriter::laid_out(out, layout);
    let laid = writer.zip(kept.as_mut());
    let written = crate::figures::write(x, laid, &mut w).is_some();
    if written {
        w.finish();
    } else {
        drop(w);
    }
    if let (Some(n), Some(kept)) = (writer, kept) {
        layout.keep(n, kept);
    }
    if written {
        return Ok(());
    }
    let (r, _) = compute(x)?;
    crate::render::metrics_into(&r, &mut calx_core::MetricWriter::new(out));
    Ok(())
}

/// What every stage reads: the converged flowsheet, the outputs of the analyses before, the
/// configuration.
pub(crate) struct Ctx<'a> {
    pub f: &'a FlowsheetResult,
    pub earlier: &'a [AnalysisOutput],
    pub c: &'a TeaConfig,
}

/// What the report's words are made from beyond the numbers of a [`TeaResult`]: the kind of
/// every operating-cost line, the items left out, where the credits come from, and the IRR's
/// warning or the reason it is undefined.
pub(crate) struct Trail<'a> {
    /// Per line of [`TeaResult::variable_costs`].
    pub kinds: Vec<Kind>,
    /// Items priced `excluded: REASON`.
    pub excluded: Vec<Left<'a>>,
    /// Where the credited CO2 comes from.
    pub credits: CreditSource<'a>,
    /// The IRR, or why there is none.
    pub irr: Result<finance::Irr, TeaError>,
    /// Operating years credits are earned in, when the carbon ledger sets a crediting period.
    pub crediting_period: Option<u32>,
}

/// What an operating-cost line or exclusion is about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A utility the units use.
    Utility(Utility),
    /// A feed stream.
    Feed,
    /// A make-up material units draw.
    Material,
    /// A stream leaving for disposal.
    Disposal,
}

impl Kind {
    /// Annual amount per flowsheet amount times operating seconds (kg or J), and its unit.
    fn per(self) -> (f64, &'static str) {
        match self {
            Kind::Utility(Utility::Water) | Kind::Feed | Kind::Material | Kind::Disposal => (1000.0, "t/yr"),
            Kind::Utility(_) => (3.6e6, "kWh/yr"),
        }
    }

    /// The unit of the line's amount.
    pub fn unit(self) -> &'static str {
        self.per().1
    }

    /// The price per line unit and the money of `amount` (in the line's unit) at `p` per SI
    /// unit.
    pub(crate) fn priced(self, amount: f64, p: f64) -> (f64, f64) {
        let per = self.per().0;
        (p * per, amount * p * per)
    }

    /// Annual amount, in the line's unit, of `rate` (kg/s or W) over `operating_time` s.
    pub(crate) fn amount(self, rate: f64, operating_time: f64) -> f64 {
        rate * operating_time / self.per().0
    }

    /// The word before the item's name.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Utility(_) => "utility",
            Kind::Feed => "feed",
            Kind::Material => "material",
            Kind::Disposal => "disposal",
        }
    }

    /// How the line is found.
    pub fn note(self) -> &'static str {
        match self {
            Kind::Utility(_) => "simulated utility x price",
            Kind::Feed => "simulated feed x price",
            Kind::Material => "make-up material x price",
            Kind::Disposal => "simulated stream x disposal cost",
        }
    }

    /// The parameter that prices it.
    fn param(self) -> &'static str {
        match self {
            Kind::Utility(_) => "utility_prices",
            Kind::Feed => "feed_prices",
            Kind::Material => "material_prices",
            Kind::Disposal => "disposal_prices",
        }
    }
}

/// An item priced `excluded: REASON`.
pub(crate) struct Left<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its name.
    pub name: &'a str,
    /// Annual amount, in `kind.unit()`.
    pub amount: f64,
    /// The reason.
    pub why: &'a str,
}

/// Where the credited CO2 comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CreditSource<'a> {
    /// No credits.
    None,
    /// A given amount.
    Given,
    /// The net reduction of the named LCA.
    Lca(&'a str),
    /// The credited amount of the named carbon ledger, and the metric it was read from
    /// (`credited_per_year`, or `credited_after_uncertainty_per_year` after a study).
    Carbon(&'a str, &'a str),
    /// CO2 in feeds minus CO2 in products.
    Co2Fixed,
}

/// Every stage, in order: the numbers and names of the result (no words) and its trail.
fn compute<'a>(x: &Ctx<'a>) -> Result<(TeaResult, Trail<'a>), TeaError> {
    let (simulated, production) = production(x)?;
    let capital = capital_cost(x)?;
    let operation = operation(x)?;
    let revenue = revenue(x, production)?;
    let opex = opex(x.c, &capital, operation.as_ref(), &revenue);
    let costs = YearlyCosts { total_capex: capital.total, operation: opex.operation_cost, fixed: opex.fixed };
    let credits = (revenue.credit_revenue, revenue.period);
    let (cash_flows, indicators) = indicators(x.c, &costs, production, credits, opex.total_annual_cost)?;
    let revenue = Revenue { by_lca: credits_by_lca(x), ..revenue };
    Ok(assemble(x.c, Stages { simulated, production, capital, operation, opex, revenue, cash_flows, indicators }))
}

/// What the stages compute, before it is laid out as a [`TeaResult`].
struct Stages<'a> {
    /// The simulated product stream, t/yr.
    simulated: f64,
    /// Product sold, t/yr.
    production: f64,
    capital: Capital,
    operation: Option<Operation<'a>>,
    opex: Opex,
    revenue: Revenue<'a>,
    cash_flows: Vec<CashFlowYear>,
    indicators: Indicators,
}

/// The result without words, and the trail the words are made from.
fn assemble<'a>(c: &TeaConfig, s: Stages<'a>) -> (TeaResult, Trail<'a>) {
    let Stages { simulated, production, capital, operation, opex, revenue, cash_flows, indicators: ind } = s;
    let (variable_costs, kinds, excluded) = operation.map(|o| (o.lines, o.kinds, o.excluded)).unwrap_or_default();
    let total_annual_cost = opex.total_annual_cost;
    let per_t_co2 = |cost: f64| (revenue.credits > 0.0).then(|| cost / revenue.credits);
    let credit_vintages = vintages(c, &revenue);
    let r = TeaResult {
        flowsheet: String::new(),
        currency: c.currency.clone(),
        base_year: c.base_year,
        discount_rate: c.discount_rate,
        lifetime: c.lifetime,
        crf: capital.crf,
        operating_hours: c.operating_time / 3600.0,
        annual_production: production,
        simulated_production: simulated,
        equipment: capital.equipment,
        capex: capital.capex,
        total_capex: capital.total,
        annual_capex: capital.annual,
        operation_cost: opex.operation_cost,
        operation_cost_given: opex.given,
        operation_cost_rebuilt: opex.rebuilt,
        variable_costs,
        excluded: Vec::new(),
        fixed_costs: opex.fixed_costs,
        annual_opex: opex.annual,
        total_annual_cost,
        product_revenue: revenue.product,
        carbon_credits: revenue.credits,
        carbon_credit_basis: String::new(),
        carbon_credit_revenue: revenue.credit_revenue,
        total_revenue: revenue.total,
        credits_by_lca: revenue.by_lca,
        credit_vintages,
        cash_flows,
        npv: ind.npv,
        benefit_cost_ratio: ind.benefit_cost_ratio,
        irr: ind.irr.as_ref().ok().map(|i| i.rate),
        irr_note: None,
        simple_payback: ind.simple_payback,
        unit_production_cost: if production > 0.0 { total_annual_cost / production } else { f64::NAN },
        minimum_selling_price: ind.minimum_selling_price,
        cost_per_t_co2: per_t_co2(total_annual_cost),
        net_cost_per_t_co2: per_t_co2(total_annual_cost - revenue.product),
        notes: Vec::new(),
    };
    let trail = Trail { kinds, excluded, credits: revenue.source, irr: ind.irr, crediting_period: revenue.period };
    (r, trail)
}

/// The simulated product stream and the amount sold (given, or the simulated one), t/yr.
pub(crate) fn production(x: &Ctx<'_>) -> Result<(f64, f64), TeaError> {
    let (f, c) = (x.f, x.c);
    let product = f.stream(&c.product).ok_or_else(|| {
        TeaError::parameter(
            "product",
            format!("no stream `{}` in the flowsheet (leaving streams: {})", c.product, leaving(f).join(", ")),
        )
    })?;
    let simulated = product.stream.flows.iter().sum::<f64>() * c.operating_time / 1000.0;
    Ok((simulated, c.annual_production.map_or(simulated, |a| a * SECONDS_PER_YEAR / 1000.0)))
}

/// Names of the streams leaving the flowsheet.
fn leaving(f: &FlowsheetResult) -> Vec<&str> {
    f.streams.iter().filter(|s| s.role == StreamRole::Product).map(|s| s.name.as_str()).collect()
}

/// The purchased cost of every costed unit.
fn equipment(x: &Ctx<'_>) -> Result<Vec<Line>, TeaError> {
    x.c.equipment.iter().map(|(unit, cost)| equipment_line(x, unit, cost)).collect()
}

/// One unit's purchased cost: given, or from the correlation and the size the unit reports
/// (`amount` S/S0, `price` the cost-index ratio).
fn equipment_line(x: &Ctx<'_>, unit: &str, cost: &EquipmentCost) -> Result<Line, TeaError> {
    Ok(match equipment_cost(x, unit, cost)? {
        (Some((amount, price)), value) => Line::priced(unit, amount, price, value),
        (None, value) => Line::figure(unit, value),
    })
}

/// One unit's purchased cost, with the amount and price of [`equipment_line`] when it is
/// found from a correlation.
pub(crate) fn equipment_cost(
    x: &Ctx<'_>,
    unit: &str,
    cost: &EquipmentCost,
) -> Result<(Option<(f64, f64)>, f64), TeaError> {
    let f = x.f;
    let param = match cost {
        EquipmentCost::Given(_) => "equipment_cost",
        EquipmentCost::Correlation { .. } => "equipment_correlation",
        EquipmentCost::Published { .. } => "equipment_published",
    };
    let Some(u) = f.unit(unit) else {
        let units = f.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ");
        return Err(TeaError::parameter(param, format!("no unit `{unit}` in the flowsheet (units: {units})")));
    };
    let (c0, s0, dimension, exponent, size, year) = match cost {
        EquipmentCost::Given(v) => return Ok((None, *v)),
        EquipmentCost::Published { correlation } => return published_cost(x, unit, &u.report.sizes, correlation),
        EquipmentCost::Correlation { c0, s0, dimension, exponent, size, year } => {
            (c0, s0, dimension, exponent, size, year)
        }
    };
    let Some(s) = u.report.sizes.iter().find(|s| &s.name == size) else {
        let sizes: Vec<&str> = u.report.sizes.iter().map(|s| s.name.as_ref()).collect();
        let sizes = if sizes.is_empty() { "none".into() } else { sizes.join(", ") };
        return Err(TeaError::parameter(
            param,
            format!("{unit}: the unit reports no size `{size}` (it reports: {sizes})"),
        ));
    };
    if s.dimension != *dimension {
        return Err(TeaError::parameter(
            param,
            format!("{unit}: size `{size}` is {}, but `at` is {}", s.dimension.describe(), dimension.describe()),
        ));
    }
    let ratio = index_ratio(x.c, *year);
    Ok((Some((s.value / s0, ratio)), c0 * (s.value / s0).powf(*exponent) * ratio))
}

/// A unit costed by a published correlation: its cost at the correlation's index, times
/// index(base year) / the correlation's index (`price`); `amount` is the cost before
/// escalation.
fn published_cost(
    x: &Ctx<'_>,
    unit: &str,
    sizes: &[calx_core::SizeFigure],
    name: &str,
) -> Result<(Option<(f64, f64)>, f64), TeaError> {
    let param = "equipment_published";
    let c = crate::correlations::find(name)
        .ok_or_else(|| TeaError::parameter(param, format!("{unit}: no published correlation `{name}`")))?;
    let cost = c.cost(sizes).map_err(|e| TeaError::parameter(param, format!("{unit}: {e}")))?;
    let base = x.c.base_year.and_then(|b| x.c.cost_index.get(&b)).copied().ok_or_else(|| {
        TeaError::parameter(param, format!("{unit}: `{name}` needs `base_year` and its `cost_index` to escalate to"))
    })?;
    let ratio = base / c.cost_index;
    Ok((Some((cost, ratio)), cost * ratio))
}

fn index_ratio(c: &TeaConfig, year: Option<i64>) -> f64 {
    match (year, c.base_year) {
        (Some(y), Some(b)) => match (c.cost_index.get(&b), c.cost_index.get(&y)) {
            (Some(ib), Some(iy)) => ib / iy,
            _ => 1.0,
        },
        _ => 1.0,
    }
}

/// Equipment, the CAPEX build-up and its annualization.
struct Capital {
    /// Purchased cost per unit.
    equipment: Vec<Line>,
    /// The build-up, ending with the total.
    capex: Vec<Line>,
    /// Total CAPEX.
    total: f64,
    /// Capital recovery factor.
    crf: f64,
    /// Total CAPEX x CRF.
    annual: f64,
}

/// The capital: equipment costs, total CAPEX, and its annual charge.
fn capital_cost(x: &Ctx<'_>) -> Result<Capital, TeaError> {
    let c = x.c;
    let equipment = equipment(x)?;
    let (capex, total) = capex_lines(&c.capex, equipment.iter().map(|l| l.value).sum());
    let crf = finance::crf(c.discount_rate, f64::from(c.lifetime))
        .map_err(|e| TeaError::parameter("discount_rate", e.to_string()))?;
    Ok(Capital { equipment, capex, total, crf, annual: total * crf })
}

/// The CAPEX build-up, ending with the total, and the total. The lines' notes are
/// [`crate::describe`]'s.
fn capex_lines(method: &CapexMethod, equipment: f64) -> (Vec<Line>, f64) {
    let build_up = BuildUp::of(method, equipment);
    let lines = build_up.lines().iter().map(|&(name, v)| Line::figure(name, v)).collect();
    (lines, build_up.total())
}

/// The CAPEX build-up as names and money, ending with the total: one line for a given
/// CAPEX, six for a factorial method.
pub(crate) struct BuildUp {
    lines: [(&'static str, f64); 6],
    len: usize,
}

impl BuildUp {
    pub(crate) fn of(method: &CapexMethod, equipment: f64) -> BuildUp {
        let lines = match method {
            CapexMethod::Given(t) => return BuildUp { lines: [("total CAPEX", *t); 6], len: 1 },
            CapexMethod::Factorial { isbl_factor, de, x, y, os } => {
                let isbl = equipment * isbl_factor;
                let osbl = isbl * os;
                let fie = isbl * (de + x);
                let nwc = fie * y;
                let total = fie + osbl + nwc;
                [
                    ("equipment", equipment),
                    ("ISBL", isbl),
                    ("OSBL", osbl),
                    ("FIE", fie),
                    ("NWC", nwc),
                    ("total CAPEX", total),
                ]
            }
            CapexMethod::TowlerSinnott { factors: t, fm, y, .. } => {
                let isbl = equipment * towler_sinnott_multiplier(t, *fm);
                let osbl = isbl * t.os;
                let fixed = (isbl + osbl) * (1.0 + t.de + t.x);
                let wc = fixed * y;
                [
                    ("equipment", equipment),
                    ("ISBL", isbl),
                    ("OSBL", osbl),
                    ("design, engineering and contingency", fixed - isbl - osbl),
                    ("working capital", wc),
                    ("total CAPEX", fixed + wc),
                ]
            }
        };
        BuildUp { lines, len: 6 }
    }

    /// The lines, the total last.
    pub(crate) fn lines(&self) -> &[(&'static str, f64)] {
        &self.lines[..self.len]
    }

    /// Total CAPEX.
    pub(crate) fn total(&self) -> f64 {
        self.lines().last().map_or(0.0, |l| l.1)
    }
}

/// Towler & Sinnott's ISBL / purchased cost: `(1 + fp) fm + fer + fel + fi + fc + fs + fl`.
pub(crate) fn towler_sinnott_multiplier(t: &crate::config::TowlerSinnottFactors, fm: f64) -> f64 {
    (1.0 + t.fp) * fm + t.fer + t.fel + t.fi + t.fc + t.fs + t.fl
}

/// The operation cost rebuilt from prices: its lines, their kinds, and what was left out.
struct Operation<'a> {
    lines: Vec<Line>,
    kinds: Vec<Kind>,
    excluded: Vec<Left<'a>>,
    /// Items without a price: (parameter, text).
    missing: Vec<(&'static str, String)>,
}

impl<'a> Operation<'a> {
    /// Price an item: a line, an exclusion, or a missing price. `rate` is kg/s or W.
    fn add(&mut self, kind: Kind, name: &'a str, rate: f64, op: f64, priced: Option<&'a Priced>) {
        let unit = kind.unit();
        let amount = kind.amount(rate, op);
        match priced {
            Some(Priced::Price(p)) => {
                let label = match kind {
                    Kind::Utility(_) => name.to_string(),
                    _ => format!("{} {name}", kind.word()),
                };
                let (price, value) = kind.priced(amount, *p);
                self.lines.push(Line::priced(label, amount, price, value));
                self.kinds.push(kind);
            }
            Some(Priced::Excluded(why)) => self.excluded.push(Left { kind, name, amount, why }),
            None => {
                self.missing.push((kind.param(), format!("{}: {name} ({} {unit})", kind.param(), group(amount, 0))))
            }
        }
    }
}

/// The operation cost rebuilt from prices, when it is (no `operation_cost` given, or prices
/// given beside it): every utility, feed and make-up material priced or excluded, and the
/// disposal of leaving streams.
fn operation<'a>(x: &Ctx<'a>) -> Result<Option<Operation<'a>>, TeaError> {
    let (f, c) = (x.f, x.c);
    if !rebuilds_operation(c) {
        return Ok(None);
    }
    let op = c.operating_time;
    let mut o = Operation { lines: Vec::new(), kinds: Vec::new(), excluded: Vec::new(), missing: Vec::new() };
    for u in Utility::ALL {
        let rate = f.utility_total(u);
        if rate <= 0.0 {
            continue;
        }
        o.add(Kind::Utility(u), u.name(), rate, op, c.utility_prices.get(&u));
    }
    for s in f.streams.iter().filter(|s| s.role == StreamRole::Feed) {
        o.add(Kind::Feed, &s.name, s.stream.flows.iter().sum::<f64>(), op, c.feed_prices.get(&s.name));
    }
    for (name, rate) in materials(f).into_iter().filter(|(_, r)| *r > 0.0) {
        o.add(Kind::Material, name, rate, op, c.material_prices.get(name));
    }
    disposal(x, &mut o)?;
    check_price_keys(x)?;
    if let Some((param, _)) = o.missing.first() {
        let list: Vec<&str> = o.missing.iter().map(|(_, m)| m.as_str()).collect();
        return Err(TeaError::parameter(
            param,
            format!(
                "the operating cost is rebuilt from prices, and these have none (give a price or `excluded: REASON`): {}",
                list.join("; ")
            ),
        ));
    }
    Ok(Some(o))
}

/// Whether the operation cost is rebuilt from prices: no `operation_cost` given, or prices
/// given beside it.
pub(crate) fn rebuilds_operation(c: &TeaConfig) -> bool {
    c.operation_cost.is_none()
        || !(c.utility_prices.is_empty()
            && c.feed_prices.is_empty()
            && c.material_prices.is_empty()
            && c.disposal_prices.is_empty())
}

/// Make-up materials the units draw, by component in order of first use, kg/s.
fn materials(f: &FlowsheetResult) -> Vec<(&str, f64)> {
    let mut materials = Vec::new();
    each_material(f, |name, rate| materials.push((name, rate)));
    materials
}

/// [`materials`] one by one, without a list: each component's draws summed in unit order,
/// visited where it is first drawn.
pub(crate) fn each_material<'f>(f: &'f FlowsheetResult, mut visit: impl FnMut(&'f str, f64)) {
    let name = |m: &calx_core::MaterialUse| f.components.names().nth(m.component).unwrap_or("?");
    let draws = || f.units.iter().flat_map(|u| &u.report.materials);
    for (k, m) in draws().enumerate() {
        let first = name(m);
        if draws().take(k).any(|earlier| name(earlier) == first) {
            continue;
        }
        let mut rate = m.rate;
        for later in draws().skip(k + 1).filter(|later| name(later) == first) {
            rate += later.rate;
        }
        visit(first, rate);
    }
}

/// The disposal lines: each priced stream must leave the flowsheet.
fn disposal<'a>(x: &Ctx<'a>, o: &mut Operation<'a>) -> Result<(), TeaError> {
    for (name, p) in &x.c.disposal_prices {
        let s = x.f.stream(name).filter(|s| s.role == StreamRole::Product).ok_or_else(|| {
            TeaError::parameter(
                "disposal_prices",
                format!("`{name}` is not a stream leaving the flowsheet (leaving: {})", leaving(x.f).join(", ")),
            )
        })?;
        let (t, value) = disposal_cost(x.c, s, *p);
        o.lines.push(Line::priced(format!("disposal {name}"), t, p * 1000.0, value));
        o.kinds.push(Kind::Disposal);
    }
    Ok(())
}

/// A leaving stream's tonnes per year and their disposal cost at `p` per kg.
pub(crate) fn disposal_cost(c: &TeaConfig, s: &calx_core::result::StreamResult, p: f64) -> (f64, f64) {
    let t = s.stream.flows.iter().sum::<f64>() * c.operating_time / 1000.0;
    (t, t * p * 1000.0)
}

/// Every priced feed is a feed stream and every priced material a component.
pub(crate) fn check_price_keys(x: &Ctx<'_>) -> Result<(), TeaError> {
    let f = x.f;
    if let Some(k) = x.c.feed_prices.keys().find(|k| !f.stream(k).is_some_and(|s| s.role == StreamRole::Feed)) {
        return Err(TeaError::parameter("feed_prices", format!("`{k}` is not a feed stream of the flowsheet")));
    }
    if let Some(k) = x.c.material_prices.keys().find(|k| f.components.index_of(k).is_none()) {
        return Err(TeaError::parameter("material_prices", format!("`{k}` is not a component of the flowsheet")));
    }
    Ok(())
}

/// Sales and carbon credits per year.
pub(crate) struct Revenue<'a> {
    /// Product sales.
    pub(crate) product: f64,
    /// CO2 credited, t/yr.
    pub(crate) credits: f64,
    /// Where the credits come from.
    pub(crate) source: CreditSource<'a>,
    /// Credit revenue.
    pub(crate) credit_revenue: f64,
    /// Operating years credits are earned in (a carbon ledger's crediting period); `None`: every year.
    pub(crate) period: Option<u32>,
    /// Sales + credits.
    pub(crate) total: f64,
    /// What each LCA that ran before would credit (name, t CO2/yr, money/yr).
    pub(crate) by_lca: Vec<(String, f64, f64)>,
}

/// Product sales and carbon credits (without [`Revenue::by_lca`], which is
/// [`credits_by_lca`]).
pub(crate) fn revenue<'a>(x: &Ctx<'a>, production: f64) -> Result<Revenue<'a>, TeaError> {
    let c = x.c;
    let product = production * c.product_price * 1000.0;
    let (credits, source, period) = match &c.credits {
        None => (0.0, CreditSource::None, None),
        Some(Credits::Given(v)) => (v * SECONDS_PER_YEAR / 1000.0, CreditSource::Given, None),
        Some(Credits::Lca(name)) => {
            let (n, t) = lca_credit(x, name.as_deref())?;
            (t.max(0.0), CreditSource::Lca(n), None)
        }
        Some(Credits::Carbon(name)) => {
            let (n, metric, t, period) = carbon_credit(x, name.as_deref())?;
            (t.max(0.0), CreditSource::Carbon(n, metric), period)
        }
        Some(Credits::Co2Fixed) => (co2_fixed(x)?, CreditSource::Co2Fixed, None),
    };
    let credit_revenue = credits * c.carbon_price * 1000.0;
    let total = product + credit_revenue;
    Ok(Revenue { product, credits, source, credit_revenue, period, total, by_lca: Vec::new() })
}

/// What each LCA that ran before would credit: (name, t CO2/yr, money/yr).
fn credits_by_lca(x: &Ctx<'_>) -> Vec<(String, f64, f64)> {
    let mut by_lca = Vec::new();
    each_lca_credit(x, |n, t, money| by_lca.push((n.to_string(), t, money)));
    by_lca
}

/// [`credits_by_lca`] one by one, without a list.
pub(crate) fn each_lca_credit<'a>(x: &Ctx<'a>, mut visit: impl FnMut(&'a str, f64, f64)) {
    // Each LCA's own output: the one `lca_credit` would find by its name (names are unique).
    let lcas = x.earlier.iter().filter(|a| a.type_name == "lca");
    for (n, t) in lcas.filter_map(|a| credit_of(a).ok()) {
        visit(n, t, t.max(0.0) * x.c.carbon_price * 1000.0);
    }
}

/// The net CO2 reduction of an LCA that ran before (by name; `None`: the only one, or the
/// one named `lca`), t/yr, with the LCA's name.
fn lca_credit<'a>(x: &Ctx<'a>, name: Option<&str>) -> Result<(&'a str, f64), TeaError> {
    let a = AnalysisOutput::earlier(x.earlier, "lca", name).map_err(|names| {
        TeaError::parameter(
            "carbon_credits",
            format!(
                "no LCA analysis {} ran before this TEA (LCA analyses: {})",
                name.map(|n| format!("`{n}`")).unwrap_or_else(|| "to take the net reduction from".into()),
                if names.is_empty() { "none".into() } else { names.join(", ") }
            ),
        )
    })?;
    credit_of(a)
}

/// The net CO2 reduction of the LCA whose output is `a`, t/yr, with its name.
fn credit_of(a: &AnalysisOutput) -> Result<(&str, f64), TeaError> {
    let m = a.metrics.iter().find(|m| m.name == "net_reduction_per_year").ok_or_else(|| {
        TeaError::parameter("carbon_credits", format!("LCA `{}` reports no net_reduction_per_year", a.name))
    })?;
    let to_t = tonnes_per(&m.unit).ok_or_else(|| {
        TeaError::parameter(
            "carbon_credits",
            format!("LCA `{}` reports its net reduction in `{}`, not kg or t per year", a.name, m.unit),
        )
    })?;
    Ok((a.name.as_str(), m.value * to_t))
}

/// Tonnes per unit of a mass metric written `t ...` (`t CO2/yr`) or `kg ...`; `None` for
/// any other unit.
fn tonnes_per(unit: &str) -> Option<f64> {
    if unit.starts_with("kg ") {
        Some(1e-3)
    } else if unit.starts_with("t ") {
        Some(1.0)
    } else {
        None
    }
}

/// The credited tonnes of a carbon ledger that ran before (by name; `None`: the only one, or
/// the one named `carbon`), t/yr: `credited_after_uncertainty_per_year` when a study gave the
/// ledger its deduction, else `credited_per_year`; with the ledger's name, the metric read and
/// the crediting period.
fn carbon_credit<'a>(x: &Ctx<'a>, name: Option<&str>) -> Result<(&'a str, &'a str, f64, Option<u32>), TeaError> {
    let a = AnalysisOutput::earlier(x.earlier, "carbon", name).map_err(|names| {
        let ran: Vec<String> = x.earlier.iter().map(|a| format!("{} ({})", a.name, a.type_name)).collect();
        TeaError::parameter(
            "carbon_credits",
            format!(
                "no carbon analysis {} ran before this TEA (carbon analyses: {}; analyses that ran before: {})",
                name.map(|n| format!("`{n}`")).unwrap_or_else(|| "to take the credited amount from".into()),
                if names.is_empty() { "none".into() } else { names.join(", ") },
                if ran.is_empty() { "none".into() } else { ran.join(", ") }
            ),
        )
    })?;
    // After a study, the ledger also reports what it credits after its uncertainty deduction:
    // that is what a conservative revenue counts.
    let after_study = a.metrics.iter().find(|m| m.name == "credited_after_uncertainty_per_year");
    let m = after_study.or_else(|| a.metrics.iter().find(|m| m.name == "credited_per_year")).ok_or_else(|| {
        TeaError::parameter("carbon_credits", format!("carbon analysis `{}` reports no credited_per_year", a.name))
    })?;
    let to_t = tonnes_per(&m.unit).ok_or_else(|| {
        TeaError::parameter(
            "carbon_credits",
            format!("carbon analysis `{}` reports its credited amount in `{}`, not kg or t per year", a.name, m.unit),
        )
    })?;
    Ok((a.name.as_str(), m.name.as_str(), m.value * to_t, crediting_period(a)?))
}

/// The crediting period a carbon ledger reports (metric `crediting_period`, whole years of at
/// least one); `None` when it reports none: credits for the whole operating life.
fn crediting_period(a: &AnalysisOutput) -> Result<Option<u32>, TeaError> {
    let Some(m) = a.metrics.iter().find(|m| m.name == "crediting_period") else {
        return Ok(None);
    };
    let whole = m.value.is_finite() && m.value >= 1.0 && m.value.fract() == 0.0 && m.value <= f64::from(u32::MAX);
    if m.unit.trim() != "yr" || !whole {
        return Err(TeaError::parameter(
            "carbon_credits",
            format!(
                "carbon analysis `{}` reports a crediting period of {} {}, not a whole number of years (yr), at least 1",
                a.name, m.value, m.unit
            ),
        ));
    }
    Ok(Some(m.value as u32))
}

/// CO2 in feeds minus CO2 in products, t/yr (zero at least).
fn co2_fixed(x: &Ctx<'_>) -> Result<f64, TeaError> {
    let f = x.f;
    let i = f
        .components
        .index_of("CO2")
        .ok_or_else(|| TeaError::parameter("carbon_credits", "`co2_fixed` needs a component CO2 in the flowsheet"))?;
    let flow = |role: StreamRole| f.streams.iter().filter(|s| s.role == role).map(|s| s.stream.flows[i]).sum::<f64>();
    let fixed = (flow(StreamRole::Feed) - flow(StreamRole::Product)).max(0.0);
    Ok(fixed * x.c.operating_time / 1000.0)
}

/// The operating cost per year.
struct Opex {
    /// The operation cost given directly.
    given: Option<f64>,
    /// The operation cost rebuilt from prices.
    rebuilt: Option<f64>,
    /// The operation cost used: given, else rebuilt.
    operation_cost: f64,
    /// Labor, administration, overhead, research, maintenance, insurance.
    fixed_costs: Vec<Line>,
    /// Their sum.
    fixed: f64,
    /// Operation cost + fixed costs.
    annual: f64,
    /// Annual CAPEX + annual OPEX.
    total_annual_cost: f64,
}

/// The operation cost used (given, else rebuilt), the fixed costs and the totals.
fn opex(c: &TeaConfig, capital: &Capital, operation: Option<&Operation<'_>>, revenue: &Revenue<'_>) -> Opex {
    let rebuilt = operation.map(|o| o.lines.iter().map(|l| l.value).sum::<f64>());
    let given = c.operation_cost.map(|v| v * SECONDS_PER_YEAR);
    let operation_cost = given.or(rebuilt).unwrap_or(0.0);
    let fixed_costs = fixed_costs(c, capital.total, revenue, operation_cost);
    let fixed: f64 = fixed_costs.iter().map(|l| l.value).sum();
    let annual = operation_cost + fixed;
    Opex { given, rebuilt, operation_cost, fixed_costs, fixed, annual, total_annual_cost: capital.annual + annual }
}

/// Labor, administration, overhead, research, maintenance and insurance, per year; their
/// notes are [`crate::describe`]'s.
fn fixed_costs(c: &TeaConfig, total_capex: f64, revenue: &Revenue<'_>, operation_cost: f64) -> Vec<Line> {
    fixed_cost_figures(c, total_capex, revenue, operation_cost).map(|(name, v)| Line::figure(name, v)).into()
}

/// [`fixed_costs`] as names and money.
pub(crate) fn fixed_cost_figures(
    c: &TeaConfig,
    total_capex: f64,
    revenue: &Revenue<'_>,
    operation_cost: f64,
) -> [(&'static str, f64); 6] {
    let labor = c.labor * SECONDS_PER_YEAR;
    let research = match c.research {
        Charge::Given(v) => v * SECONDS_PER_YEAR,
        Charge::Share(s, b) => {
            s * match b {
                ShareBasis::Labor => labor,
                ShareBasis::Revenue => revenue.total,
                ShareBasis::Sales => revenue.product,
                ShareBasis::TotalCapex => total_capex,
                ShareBasis::OperationCost => operation_cost,
            }
        }
    };
    [
        ("labor", labor),
        ("administration", labor * c.administration),
        ("overhead", labor * c.overhead),
        ("research", research),
        ("maintenance", total_capex * c.maintenance),
        ("insurance", total_capex * c.insurance),
    ]
}

/// The costs the cash-flow table is built from.
pub(crate) struct YearlyCosts {
    /// Total CAPEX.
    pub total_capex: f64,
    /// Operation (variable) cost per year at full output.
    pub operation: f64,
    /// Fixed costs per year.
    pub fixed: f64,
}

/// The indicators of the cash-flow table.
pub(crate) struct Indicators {
    pub npv: f64,
    pub benefit_cost_ratio: f64,
    pub irr: Result<finance::Irr, TeaError>,
    pub simple_payback: Option<f64>,
    pub minimum_selling_price: Option<f64>,
}

/// Per year of the cash-flow table: the net flow, the benefits (revenue) and the outlays
/// (capital, operating cost and tax), what the indicators are computed from.
pub(crate) struct YearColumns<'b> {
    pub nets: &'b mut [f64],
    pub benefits: &'b mut [f64],
    pub outlays: &'b mut [f64],
}

/// The cash-flow table at the product price, and its indicators; `credits` is the credit
/// revenue per year at full output and the operating years it is earned in (`None`: all).
fn indicators(
    c: &TeaConfig,
    costs: &YearlyCosts,
    production: f64,
    credits: (f64, Option<u32>),
    total_annual_cost: f64,
) -> Result<(Vec<CashFlowYear>, Indicators), TeaError> {
    let cash = cash_flows(c, costs, Income::at(production, c.product_price * 1000.0, credits));
    let years = cash.len();
    let (mut nets, mut benefits, mut outlays) = (vec![0.0; years], vec![0.0; years], vec![0.0; years]);
    let columns = YearColumns { nets: &mut nets, benefits: &mut benefits, outlays: &mut outlays };
    let ind = indicators_of(c, costs, production, credits, total_annual_cost, columns)?;
    Ok((cash, ind))
}

/// How many numbers [`indicator_inputs`] gives.
pub(crate) const INDICATOR_INPUTS: usize = 14;

/// Every number [`indicators_of`] reads, as `f64`s (a count exactly, a crediting period as
/// -1 when every year is credited): two calls with these the same, bit for bit, give the same
/// indicators. A change to `indicators_of` that reads another number must add it here (debug
/// builds check every reuse against a computation afresh).
pub(crate) fn indicator_inputs(
    c: &TeaConfig,
    costs: &YearlyCosts,
    production: f64,
    (credit_revenue, period): (f64, Option<u32>),
    total_annual_cost: f64,
) -> [f64; INDICATOR_INPUTS] {
    [
        c.discount_rate,
        c.tax_rate,
        f64::from(c.construction_years),
        f64::from(c.lifetime),
        f64::from(c.depreciation_years),
        c.startup_output,
        c.product_price,
        costs.total_capex,
        costs.operation,
        costs.fixed,
        production,
        credit_revenue,
        period.map_or(-1.0, f64::from),
        total_annual_cost,
    ]
}

/// The indicators of the cash-flow table at the product price, with `columns` (as long as
/// the table) to hold its years.
pub(crate) fn indicators_of(
    c: &TeaConfig,
    costs: &YearlyCosts,
    production: f64,
    credits: (f64, Option<u32>),
    total_annual_cost: f64,
    columns: YearColumns<'_>,
) -> Result<Indicators, TeaError> {
    let revenue_at = |price_per_t: f64| Income::at(production, price_per_t, credits);
    let YearColumns { nets, benefits, outlays } = columns;
    let income = revenue_at(c.product_price * 1000.0);
    // Each year's costs once, for the table and every trial price of the minimum selling
    // price (on the stack up to `HELD_YEARS`; a longer table computes them per price).
    let mut held = [YearCosts::default(); HELD_YEARS];
    let year_costs = |year: u32| YearCosts::of(c, costs, credits.1, year);
    let years = nets.iter_mut().zip(benefits.iter_mut()).zip(outlays.iter_mut());
    for (year, ((net, benefit), outlay)) in (0..).zip(years) {
        let costs_of_year = year_costs(year);
        if let Some(slot) = held.get_mut(year as usize) {
            *slot = costs_of_year;
        }
        let y = costs_of_year.flows(income, c.tax_rate);
        (*net, *benefit, *outlay) = (y.net, y.revenue, y.capex + y.opex + y.tax);
    }
    let npv = finance::npv(c.discount_rate, nets)?;
    let benefit_cost_ratio = finance::benefit_cost(c.discount_rate, benefits, outlays)?;
    // The minimum selling price needs only the NPV at trial prices: the same nets, summed as
    // `finance::npv` sums them, without building the table.
    let n_years = c.construction_years + c.lifetime;
    let held = held.get(..n_years as usize);
    let npv_at = |price: f64| {
        let revenue = revenue_at(price);
        let net = |y: YearCosts| y.flows(revenue, c.tax_rate).net;
        match held {
            Some(held) => finance::npv_of(held.iter().map(|&y| net(y)), c.discount_rate),
            None => finance::npv_of((0..n_years).map(|y| net(year_costs(y))), c.discount_rate),
        }
    };
    let minimum_selling_price =
        if production > 0.0 { min_price(npv_at, total_annual_cost / production.max(1e-12)) } else { None };
    Ok(Indicators {
        npv,
        benefit_cost_ratio,
        irr: finance::irr(nets),
        simple_payback: finance::payback(nets),
        minimum_selling_price,
    })
}

/// Revenue per operating year at full output.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Income {
    /// Sales + credits.
    total: f64,
    /// Sales alone: the revenue of the years after the crediting period.
    sales: f64,
    /// Operating years 1 ..= N that earn credits (a carbon ledger's crediting period);
    /// `None`: every year.
    credited_years: Option<u32>,
}

impl Income {
    /// `production` t/yr sold at `price_per_t`, and `credits`: the credit revenue per year at
    /// full output and the operating years it is earned in (`None`: all).
    fn at(production: f64, price_per_t: f64, credits: (f64, Option<u32>)) -> Income {
        let (credit_revenue, credited_years) = credits;
        let sales = production * price_per_t;
        Income { total: sales + credit_revenue, sales, credited_years }
    }
}

/// The yearly table: capital in equal parts in years 0 .. C-1, operation in years C .. C+n-1.
fn cash_flows(c: &TeaConfig, costs: &YearlyCosts, revenue: Income) -> Vec<CashFlowYear> {
    let mut cumulative = 0.0;
    (0..c.construction_years + c.lifetime)
        .map(|year| {
            let y = year_flows(c, costs, revenue, year);
            cumulative += y.net;
            CashFlowYear {
                year,
                capex: y.capex,
                revenue: y.revenue,
                opex: y.opex,
                depreciation: y.depreciation,
                tax: y.tax,
                net: y.net,
                discounted: y.net / (1.0 + c.discount_rate).powi(year as i32),
                cumulative,
            }
        })
        .collect()
}

/// The flows of one year of the cash-flow table.
struct YearFlows {
    capex: f64,
    revenue: f64,
    opex: f64,
    depreciation: f64,
    tax: f64,
    net: f64,
}

/// Year `year` of the table with `revenue` per year at full output: capital in equal parts in
/// years 0 .. C-1, operation in years C .. C+n-1 (the first at `startup_output`), credits only
/// in the operating years of the crediting period.
fn year_flows(c: &TeaConfig, costs: &YearlyCosts, revenue: Income, year: u32) -> YearFlows {
    YearCosts::of(c, costs, revenue.credited_years, year).flows(revenue, c.tax_rate)
}

/// Years whose costs the minimum selling price's search holds on the stack: more than a
/// plant's construction and life, few enough that clearing them costs little per sample.
const HELD_YEARS: usize = 64;

/// What a year of the table is made of apart from the revenue, which the minimum selling
/// price's trial prices change: computed once for them all.
#[derive(Clone, Copy, Debug, Default)]
struct YearCosts {
    capex: f64,
    /// Share of design output (0 in the construction years).
    share: f64,
    opex: f64,
    depreciation: f64,
    /// An operating year (it earns revenue).
    operating: bool,
    /// An operating year in the crediting period (it earns credits).
    credited: bool,
}

impl YearCosts {
    fn of(c: &TeaConfig, costs: &YearlyCosts, credited_years: Option<u32>, year: u32) -> YearCosts {
        let (cy, total_capex) = (c.construction_years, costs.total_capex);
        if year < cy {
            return YearCosts { capex: total_capex / f64::from(cy), ..YearCosts::default() };
        }
        let k = year - cy + 1;
        let share = output_share(c, k);
        let depreciation = if k <= c.depreciation_years { total_capex / f64::from(c.depreciation_years) } else { 0.0 };
        let credited = credited_years.is_none_or(|n| k <= n);
        let opex = costs.operation * share + costs.fixed;
        YearCosts { capex: 0.0, share, opex, depreciation, operating: true, credited }
    }

    /// The year's flows with `revenue` per year at full output, taxed at `tax_rate`.
    fn flows(self, revenue: Income, tax_rate: f64) -> YearFlows {
        let YearCosts { capex, share: s, opex, depreciation: dep, .. } = self;
        let rev = match (self.operating, self.credited) {
            (false, _) => 0.0,
            (true, true) => revenue.total * s,
            (true, false) => revenue.sales * s,
        };
        let tax = (rev - opex - dep).max(0.0) * tax_rate;
        YearFlows { capex, revenue: rev, opex, depreciation: dep, tax, net: rev - opex - tax - capex }
    }
}

/// Share of design output in operating year `k` (1 = the first): `startup_output`, then all.
fn output_share(c: &TeaConfig, k: u32) -> f64 {
    if k == 1 { c.startup_output } else { 1.0 }
}

/// The credits of every operating year that earns them (all, or those of the crediting
/// period), at the start-up share in the first; none when nothing is credited.
fn vintages(c: &TeaConfig, revenue: &Revenue<'_>) -> Vec<CreditVintage> {
    if revenue.credits == 0.0 {
        return Vec::new();
    }
    let last = revenue.period.map_or(c.lifetime, |n| n.min(c.lifetime));
    (1..=last)
        .map(|k| {
            let s = output_share(c, k);
            CreditVintage {
                operating_year: k,
                year: c.construction_years + k - 1,
                tonnes: revenue.credits * s,
                revenue: revenue.credit_revenue * s,
            }
        })
        .collect()
}

/// The product price (per t) at which NPV = 0; NPV rises with the price. `guess` sets the
/// scale of the bracket.
fn min_price(npv_at: impl Fn(f64) -> f64, guess: f64) -> Option<f64> {
    let scale = guess.abs().max(1.0);
    // Without income tax (or where the tax does not switch on or off) the NPV is affine in
    // the price: two evaluations give the root, and a third confirms it. Otherwise, search
    // the bracket found by doubling.
    let (f0, f1) = (npv_at(0.0), npv_at(scale));
    if f1 > f0 {
        let root = -f0 * scale / (f1 - f0);
        if root.is_finite() && npv_at(root).abs() <= 1e-9 * f0.abs().max(f1.abs()).max(1.0) {
            return Some(root);
        }
    }
    let (mut lo, mut hi) = (-scale, scale);
    for _ in 0..60 {
        if npv_at(lo) < 0.0 {
            break;
        }
        lo *= 2.0;
    }
    for _ in 0..60 {
        if npv_at(hi) > 0.0 {
            break;
        }
        hi *= 2.0;
    }
    let (flo, fhi) = (npv_at(lo), npv_at(hi));
    if !(flo < 0.0 && fhi > 0.0) {
        return None;
    }
    finance::root(npv_at, lo, hi, flo.abs().max(fhi.abs())).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use calx_core::result::{EnergyBalance, FlowsheetResult, SolverReport, StreamResult, StreamRole};
    use calx_core::{AnalysisOutput, Component, ComponentSet, Metric, ParamValue, Params, Phase, Stream};

    use super::{Ctx, TeaResult, assess, figures};
    use crate::analysis::SECONDS_PER_YEAR;
    use crate::config::{Credits, TeaConfig};
    use crate::error::TeaError;

    /// Product sold at 1 kg/s for 8760 h: 31,536 t/yr.
    const PRODUCTION: f64 = 31_536.0;

    /// A plant that turns 1 kg/s of feed into 1 kg/s of product, and nothing else.
    fn plant() -> FlowsheetResult {
        let set = Arc::new(ComponentSet::new(vec![Component::pseudo("ash", Phase::Solid, None).unwrap()]).unwrap());
        let stream = |name: &str, role: StreamRole| {
            let mut s = Stream::empty(1);
            s.flows[0] = 1.0;
            StreamResult { name: name.into(), role, source: None, destination: None, stream: s, aqueous: None }
        };
        FlowsheetResult {
            name: "plant".into(),
            components: set,
            streams: vec![stream("feed", StreamRole::Feed), stream("product", StreamRole::Product)],
            units: Vec::new(),
            balance: Vec::new(),
            energy: EnergyBalance::NotApplicable,
            solver: SolverReport::default(),
        }
    }

    /// 1,000,000 KRW of capital in year 0, 30 years at 7 %, the first at half output; sales at
    /// 10 KRW/t, credits at 20 KRW/t, an operation cost of 100 KRW/yr, no tax.
    fn config(credits: &str) -> TeaConfig {
        let mut m: BTreeMap<String, ParamValue> = BTreeMap::new();
        m.insert("discount_rate".into(), ParamValue::Number(0.07));
        m.insert("lifetime".into(), ParamValue::Number(30.0 * SECONDS_PER_YEAR));
        m.insert("startup_output".into(), ParamValue::Number(0.5));
        let text = [
            ("currency", "KRW"),
            ("total_capex", "1,000,000 KRW"),
            ("operation_cost", "100 KRW/yr"),
            ("product_price", "10 KRW/t"),
            ("carbon_price", "20 KRW/t"),
            ("carbon_credits", credits),
        ];
        for (k, v) in text {
            m.insert(k.into(), ParamValue::Text(v.into()));
        }
        crate::configure(&Params::new(m)).unwrap()
    }

    /// A carbon ledger's figures: `credited` t CO2/yr and, if given, its crediting period.
    fn ledger(name: &str, credited: f64, period: Option<f64>) -> AnalysisOutput {
        let mut metrics = vec![
            Metric { name: "gross_removal_per_year".into(), value: 2.0 * credited, unit: "t CO2/yr".into() },
            Metric { name: "credited_per_year".into(), value: credited, unit: "t CO2/yr".into() },
        ];
        if let Some(p) = period {
            metrics.push(Metric { name: "crediting_period".into(), value: p, unit: "yr".into() });
        }
        AnalysisOutput::figures_only(name, "carbon", metrics)
    }

    fn lca(name: &str, net: f64) -> AnalysisOutput {
        let m = Metric { name: "net_reduction_per_year".into(), value: net, unit: "t CO2/yr".into() };
        AnalysisOutput::figures_only(name, "lca", vec![m])
    }

    fn run(earlier: &[AnalysisOutput], c: &TeaConfig) -> TeaResult {
        assess(&plant(), earlier, c).unwrap_or_else(|e| panic!("{e}"))
    }

    fn refused(earlier: &[AnalysisOutput], c: &TeaConfig) -> (&'static str, String) {
        match assess(&plant(), earlier, c) {
            Err(TeaError::Parameter { param, message }) => (param, message),
            Err(e) => panic!("expected a parameter error, got {e}"),
            Ok(_) => panic!("expected a parameter error"),
        }
    }

    #[test]
    fn the_numbers_only_path_serves_and_gives_the_full_metrics_bit_for_bit() {
        // Credits from an LCA, from a ledger with a crediting period, and a missing ledger
        // (refused: the numbers-only path gives up, and the full computation names why).
        let bits =
            |m: &[Metric]| m.iter().map(|m| (m.name.clone(), m.unit.clone(), m.value.to_bits())).collect::<Vec<_>>();
        let cases = [("lca", vec![lca("lca", 5000.0)]), ("carbon", vec![ledger("carbon", 800.0, Some(7.0))])];
        for (credits, earlier) in cases {
            let c = config(credits);
            let f = plant();
            let mut out = Vec::new();
            let x = Ctx { f: &f, earlier: &earlier, c: &c };
            assert!(
                crate::figures::write(&x, None, &mut calx_core::MetricWriter::new(&mut out)).is_some(),
                "{credits}"
            );
            assert_eq!(bits(&out), bits(&crate::render::metrics(&run(&earlier, &c))), "{credits}");
            // Written over a list that holds them already: the same again.
            assert!(
                crate::figures::write(&x, None, &mut calx_core::MetricWriter::new(&mut out)).is_some(),
                "{credits}"
            );
            assert_eq!(bits(&out), bits(&crate::render::metrics(&run(&earlier, &c))), "{credits}");
        }
        let c = config("carbon");
        let f = plant();
        let x = Ctx { f: &f, earlier: &[], c: &c };
        assert!(crate::figures::write(&x, None, &mut calx_core::MetricWriter::new(&mut Vec::new())).is_none());
        assert!(matches!(figures(&f, &[], &c), Err(TeaError::Parameter { param: "carbon_credits", .. })));
    }

    #[test]
    fn a_laid_out_list_is_written_anew_when_an_lca_comes_goes_or_is_renamed() {
        // One list and its layout through samples whose LCAs differ (how many, their names)
        // and whose carbon credits come and go: each time the metrics of a full run, bit for
        // bit (and, in debug builds, every slot the layout skipped is checked).
        let bits =
            |m: &[Metric]| m.iter().map(|m| (m.name.clone(), m.unit.clone(), m.value.to_bits())).collect::<Vec<_>>();
        let (c, f) = (config("lca:one"), plant());
        let writer = calx_core::LayoutKey::new_writer();
        let (mut out, mut layout) = (Vec::new(), calx_core::MetricLayout::default());
        let samples = [
            vec![lca("one", 5000.0)],
            vec![lca("one", 6000.0)],
            vec![lca("one", 6000.0), lca("two", 10.0)],
            vec![lca("one", -5.0), lca("owt", 10.0)],
            vec![lca("one", 7000.0)],
        ];
        for earlier in &samples {
            let x = Ctx { f: &f, earlier, c: &c };
            super::figures_laid_out(&x, Some(writer), &mut out, &mut layout).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(bits(&out), bits(&crate::render::metrics(&run(earlier, &c))), "{earlier:?}");
        }
    }

    #[test]
    fn indicators_kept_from_a_sample_are_not_reused_for_other_prices_or_rates() {
        // One list and its layout through samples whose product price, discount rate or
        // credits differ, and back: each time the metrics of a full run, bit for bit.
        let bits =
            |m: &[Metric]| m.iter().map(|m| (m.name.clone(), m.unit.clone(), m.value.to_bits())).collect::<Vec<_>>();
        let f = plant();
        let writer = calx_core::LayoutKey::new_writer();
        let (mut out, mut layout) = (Vec::new(), calx_core::MetricLayout::default());
        let base = config("lca");
        let mut dearer = base.clone();
        dearer.product_price *= 1.5;
        let mut later = base.clone();
        later.discount_rate = 0.1;
        let (few, many) = (vec![lca("lca", 5000.0)], vec![lca("lca", 9000.0)]);
        for (c, earlier) in
            [(&base, &few), (&base, &few), (&dearer, &few), (&later, &few), (&base, &many), (&base, &few)]
        {
            let x = Ctx { f: &f, earlier, c };
            super::figures_laid_out(&x, Some(writer), &mut out, &mut layout).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(bits(&out), bits(&crate::render::metrics(&run(earlier, c))));
        }
    }

    #[test]
    fn carbon_takes_the_ledgers_credited_amount() {
        let c = config("carbon");
        assert_eq!(c.credits, Some(Credits::Carbon(None)));
        let r = run(&[lca("lca", 5000.0), ledger("carbon", 800.0, None)], &c);
        assert_eq!(r.carbon_credits, 800.0, "credited_per_year, not the gross removal or the LCA");
        assert!((r.carbon_credit_revenue - 800.0 * 20.0).abs() <= 1e-9, "{}", r.carbon_credit_revenue);
        assert_eq!(r.carbon_credit_basis, "credited_per_year of carbon ledger `carbon`");
        // The only carbon ledger is taken whatever its name; kg are converted to t.
        let kg = AnalysisOutput::figures_only(
            "ledger",
            "carbon",
            vec![Metric { name: "credited_per_year".into(), value: 250_000.0, unit: "kg CO2/yr".into() }],
        );
        assert_eq!(run(&[kg], &c).carbon_credits, 250.0);
        // What each LCA would credit is listed as before, and nothing for the ledger.
        let names: Vec<&str> = r.credits_by_lca.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["lca"]);
        assert!(r.notes.is_empty(), "no crediting period, no note: {:?}", r.notes);
    }

    #[test]
    fn after_a_study_the_ledgers_credit_after_its_uncertainty_deduction_is_taken() {
        let mut after = ledger("carbon", 800.0, None);
        after.metrics.push(Metric {
            name: "credited_after_uncertainty_per_year".into(),
            value: 650.0,
            unit: "t CO2-eq/yr".into(),
        });
        let r = run(&[after], &config("carbon"));
        assert_eq!(r.carbon_credits, 650.0);
        assert_eq!(r.carbon_credit_basis, "credited_after_uncertainty_per_year of carbon ledger `carbon`");
    }

    #[test]
    fn carbon_name_chooses_among_ledgers() {
        let earlier = [ledger("strict", 500.0, None), ledger("lenient", 900.0, Some(10.0))];
        let c = config("carbon:lenient");
        assert_eq!(c.credits, Some(Credits::Carbon(Some("lenient".into()))));
        let r = run(&earlier, &c);
        assert_eq!((r.carbon_credits, r.credit_vintages.len()), (900.0, 10));
        assert_eq!(run(&earlier, &config("carbon: strict")).carbon_credits, 500.0);
        // Two ledgers and neither named `carbon`: the TEA cannot choose.
        let (param, message) = refused(&earlier, &config("carbon"));
        assert_eq!(param, "carbon_credits");
        assert!(message.contains("carbon analyses: strict, lenient"), "{message}");
        let mut named = earlier.to_vec();
        named.push(ledger("carbon", 700.0, None));
        assert_eq!(run(&named, &config("carbon")).carbon_credits, 700.0);
    }

    #[test]
    fn a_missing_or_unreadable_ledger_names_carbon_credits() {
        let (param, message) = refused(&[lca("lca", 800.0)], &config("carbon"));
        assert_eq!(param, "carbon_credits");
        assert!(message.contains("no carbon analysis"), "{message}");
        assert!(message.contains("carbon analyses: none") && message.contains("lca (lca)"), "{message}");
        let (param, message) = refused(&[ledger("a", 1.0, None)], &config("carbon:b"));
        assert_eq!(param, "carbon_credits");
        assert!(message.contains("`b`") && message.contains("carbon analyses: a") && message.contains("a (carbon)"));
        let (_, message) = refused(&[], &config("carbon"));
        assert!(message.contains("analyses that ran before: none"), "{message}");
        let bad_unit = AnalysisOutput::figures_only(
            "carbon",
            "carbon",
            vec![Metric { name: "credited_per_year".into(), value: 1.0, unit: "Mt CO2/yr".into() }],
        );
        let (param, message) = refused(&[bad_unit], &config("carbon"));
        assert_eq!(param, "carbon_credits");
        assert!(message.contains("Mt CO2/yr"), "{message}");
        for period in [2.5, -1.0, 0.0, f64::NAN] {
            let (param, message) = refused(&[ledger("carbon", 1.0, Some(period))], &config("carbon"));
            assert_eq!(param, "carbon_credits");
            assert!(message.contains("whole number of years"), "{message}");
        }
    }

    #[test]
    fn credits_stop_after_the_crediting_period() {
        let c = config("carbon");
        let r = run(&[ledger("carbon", 800.0, Some(10.0))], &c);
        let (sales, credits, cost, capex) = (PRODUCTION * 10.0, 800.0 * 20.0, 100.0, 1_000_000.0);
        let share = |k: u32| if k == 1 { 0.5 } else { 1.0 };
        let credited = |k: u32| if k <= 10 { credits } else { 0.0 };
        assert_eq!(r.cash_flows.len(), 31);
        for y in &r.cash_flows[1..] {
            let k = y.year;
            let expected = (sales + credited(k)) * share(k);
            assert!((y.revenue - expected).abs() <= 1e-12 * expected, "year {k}: {} vs {expected}", y.revenue);
        }
        // NPV by hand: year 0 the capital, then (sales + credits in years 1 to 10 - cost) at the
        // start-up share in year 1, discounted at 7 %.
        let npv: f64 =
            -capex + (1..=30u32).map(|k| (sales + credited(k) - cost) * share(k) / 1.07f64.powi(k as i32)).sum::<f64>();
        assert!((r.npv - npv).abs() <= 1e-9 * npv.abs(), "{} vs {npv}", r.npv);
        // The NPV is affine in the product price p (per t): zero at
        // p = (capex - sum d_k s_k (credits_k - cost)) / (production x sum d_k s_k).
        let d = |k: u32| share(k) / 1.07f64.powi(k as i32);
        let weights: f64 = (1..=30).map(d).sum();
        let others: f64 = (1..=30).map(|k| d(k) * (credited(k) - cost)).sum();
        let price = (capex - others) / (PRODUCTION * weights);
        let msp = r.minimum_selling_price.unwrap();
        assert!((msp - price).abs() <= 1e-9 * price, "{msp} vs {price}");
        // The vintages: operating years 1 to 10 (years 1 to 10 of the table), half in year 1.
        assert_eq!(r.credit_vintages.len(), 10);
        for (i, v) in r.credit_vintages.iter().enumerate() {
            let k = i as u32 + 1;
            assert_eq!((v.operating_year, v.year), (k, k));
            assert_eq!((v.tonnes, v.revenue), (800.0 * share(k), r.carbon_credit_revenue * share(k)));
            assert!((v.revenue - credits * share(k)).abs() <= 1e-9, "{}", v.revenue);
        }
        // The annual figures still count full credits, and a note says so.
        assert_eq!(r.total_revenue, r.product_revenue + r.carbon_credit_revenue);
        assert!(r.carbon_credit_basis.ends_with("crediting period 10 yr"), "{}", r.carbon_credit_basis);
        let note = r.notes.iter().find(|n| n.contains("credits stop")).expect("a crediting-period note");
        assert!(note.contains("after operating year 10") && note.contains("assume full credits"), "{note}");
    }

    #[test]
    fn a_table_longer_than_the_held_years_gets_the_hand_worked_minimum_selling_price() {
        // The search's year costs are held for tables up to HELD_YEARS and computed per trial
        // price beyond: both give the price that zeroes the NPV, which (without tax) is
        // (capex + sum d_k s_k cost) / (production x sum d_k s_k), d_k = 1.07^-k, s_1 = 0.5.
        for years in [30, super::HELD_YEARS as u32 + 36] {
            let mut c = config("0 t/yr");
            c.lifetime = years;
            assert_eq!(c.tax_rate, 0.0, "the hand formula holds without income tax");
            let r = run(&[], &c);
            assert_eq!(r.cash_flows.len(), years as usize + 1);
            let d = |k: u32| (if k == 1 { 0.5 } else { 1.0 }) / 1.07f64.powi(k as i32);
            let weights: f64 = (1..=years).map(d).sum();
            let price = (1_000_000.0 + 100.0 * weights) / (PRODUCTION * weights);
            let msp = r.minimum_selling_price.unwrap();
            assert!((msp - price).abs() <= 1e-9 * price, "{years} years: {msp} vs {price}");
        }
    }

    #[test]
    fn without_a_crediting_period_the_cash_flows_are_the_given_credits_bits() {
        let given = config("800 t/yr");
        let base = run(&[], &given);
        // Today's revenue of an operating year: (sales + credits) x start-up share, bit for bit.
        let at_full = base.annual_production * (given.product_price * 1000.0) + base.carbon_credit_revenue;
        assert_eq!(base.cash_flows[1].revenue.to_bits(), (at_full * 0.5).to_bits());
        assert_eq!(base.cash_flows[2].revenue.to_bits(), at_full.to_bits());
        assert_eq!(base.credit_vintages.len(), 30, "given credits are credited every year");
        // The ledger credits the very tonnes the given amount comes to.
        let tonnes = base.carbon_credits;
        let carbon = config("carbon");
        for period in [None, Some(30.0), Some(45.0)] {
            let r = run(&[ledger("carbon", tonnes, period)], &carbon);
            assert_eq!(r.cash_flows, base.cash_flows, "crediting period {period:?}");
            for (a, b) in r.cash_flows.iter().zip(&base.cash_flows) {
                let bits = |y: &super::CashFlowYear| [y.revenue, y.net, y.discounted, y.cumulative].map(f64::to_bits);
                assert_eq!(bits(a), bits(b), "year {}", a.year);
            }
            let indicators = |r: &TeaResult| {
                [r.npv, r.benefit_cost_ratio, r.irr.unwrap(), r.minimum_selling_price.unwrap()].map(f64::to_bits)
            };
            assert_eq!(indicators(&r), indicators(&base));
            assert_eq!(r.credit_vintages, base.credit_vintages);
            assert!(!r.notes.iter().any(|n| n.contains("credits stop")), "{:?}", r.notes);
        }
        // No credits, no vintages.
        assert!(run(&[], &config("0 t/yr")).credit_vintages.is_empty());
    }
}
