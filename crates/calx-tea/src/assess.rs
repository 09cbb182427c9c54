//! The computation: equipment costs from the sizes units report, CAPEX build-up, OPEX from
//! priced utilities and feeds (or given), revenue with carbon credits, the yearly cash-flow
//! table and the indicators.
//!
//! Time basis: flowsheet rates (kg/s, W) times `operating_hours` are annual amounts; costs
//! written per year (`KRW/yr`) are per 365-day year. Annualized figures (annual CAPEX = total
//! CAPEX x CRF, total annual cost, unit production cost) follow the KIGAM 2022 paper; NPV,
//! IRR, B/C and payback come from the cash-flow table (capital in years 0 .. C-1, operation
//! in years C .. C+n-1, end-of-year flows discounted to year 0).

use calx_core::format::{group, plain_percent as pct};
use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::{AnalysisOutput, Utility};
use serde::Serialize;

use crate::analysis::SECONDS_PER_YEAR;
use crate::config::{CapexMethod, Charge, Credits, EquipmentCost, Priced, ShareBasis, TeaConfig};
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
    fn plain(name: &str, value: f64, note: &str) -> Line {
        Line {
            name: name.into(),
            amount: None,
            unit: String::new(),
            price: None,
            price_unit: String::new(),
            value,
            note: note.into(),
        }
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
    /// Notes for the reader (empty from a metrics-only run).
    pub notes: Vec<String>,
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

/// Run the TEA over a converged flowsheet; `earlier` holds the outputs of analyses that ran
/// before (LCA results for carbon credits). Errors name the parameter at fault.
pub fn assess(f: &FlowsheetResult, earlier: &[AnalysisOutput], c: &TeaConfig) -> Result<TeaResult, String> {
    assess_with(f, earlier, c, true)
}

/// Report text (a line's price unit or basis, a note, an exclusion), written only for full
/// reports: a study needs the figures, not the words.
fn words(full: bool, text: impl FnOnce() -> String) -> String {
    if full { text() } else { String::new() }
}

/// [`assess`], with the report's words (`full`) or without them (the figures are the same).
pub fn assess_with(
    f: &FlowsheetResult,
    earlier: &[AnalysisOutput],
    c: &TeaConfig,
    full: bool,
) -> Result<TeaResult, String> {
    let cur = c.currency.as_str();
    let op = c.operating_time;
    let mut notes = Vec::new();

    // Production.
    let product = f.stream(&c.product).ok_or_else(|| {
        let names: Vec<&str> =
            f.streams.iter().filter(|s| s.role == StreamRole::Product).map(|s| s.name.as_str()).collect();
        format!(
            "parameter `product`: no stream `{}` in the flowsheet (leaving streams: {})",
            c.product,
            names.join(", ")
        )
    })?;
    let simulated = product.stream.flows.iter().sum::<f64>() * op / 1000.0;
    let production = c.annual_production.map_or(simulated, |a| a * SECONDS_PER_YEAR / 1000.0);
    if c.annual_production.is_some() && full {
        notes.push(format!(
            "product sold: {} t/yr as given (`annual_production`); the simulated stream `{}` is {} t/yr ({:+.3} %)",
            group(production, 0),
            c.product,
            group(simulated, 2),
            (simulated / production - 1.0) * 100.0
        ));
    }

    // Equipment.
    let unit_names = || f.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut equipment = Vec::new();
    for (unit, cost) in &c.equipment {
        let param = match cost {
            EquipmentCost::Given(_) => "equipment_cost",
            EquipmentCost::Correlation { .. } => "equipment_correlation",
        };
        let u = f.unit(unit).ok_or_else(|| {
            format!("parameter `{param}`: no unit `{unit}` in the flowsheet (units: {})", unit_names())
        })?;
        equipment.push(match cost {
            EquipmentCost::Given(v) => Line::plain(unit, *v, "given"),
            EquipmentCost::Correlation { c0, s0, dimension, exponent, size, year } => {
                let sizes: Vec<&str> = u.report.sizes.iter().map(|s| s.name.as_str()).collect();
                let s = u.report.sizes.iter().find(|s| &s.name == size).ok_or_else(|| {
                    format!(
                        "parameter `equipment_correlation`: {unit}: the unit reports no size `{size}` (it reports: {})",
                        if sizes.is_empty() { "none".into() } else { sizes.join(", ") }
                    )
                })?;
                if s.dimension != *dimension {
                    return Err(format!(
                        "parameter `equipment_correlation`: {unit}: size `{size}` is {}, but `at` is {}",
                        s.dimension.describe(),
                        dimension.describe()
                    ));
                }
                let ratio = index_ratio(c, *year);
                let v = c0 * (s.value / s0).powf(*exponent) * ratio;
                Line {
                    name: unit.clone(),
                    amount: Some(s.value / s0),
                    unit: format!("S/S0 ({size})"),
                    price: Some(ratio),
                    price_unit: "index ratio".into(),
                    value: v,
                    note: format!(
                        "C0 {} {cur} x (S/S0)^{exponent}{}",
                        group(*c0, 0),
                        year.map(|y| format!(", escalated from {y}")).unwrap_or_default()
                    ),
                }
            }
        });
    }
    let sum_equipment: f64 = equipment.iter().map(|l| l.value).sum();

    // CAPEX.
    let mut capex = Vec::new();
    let total_capex = match &c.capex {
        CapexMethod::Given(t) => {
            capex.push(Line::plain("total CAPEX", *t, "given"));
            *t
        }
        CapexMethod::Factorial { isbl_factor, de, x, y, os } => {
            let isbl = sum_equipment * isbl_factor;
            let osbl = isbl * os;
            let fie = isbl * (de + x);
            let nwc = fie * y;
            let total = fie + osbl + nwc;
            capex.push(Line::plain("equipment", sum_equipment, "sum of equipment costs"));
            capex.push(Line::plain("ISBL", isbl, &format!("equipment x ISBL factor {isbl_factor}")));
            capex.push(Line::plain("OSBL", osbl, &format!("ISBL x OS {os}")));
            capex.push(Line::plain("FIE", fie, &format!("ISBL x (DE {de} + X {x}), as printed in KIGAM 2022")));
            capex.push(Line::plain("NWC", nwc, &format!("FIE x Y {y}")));
            capex.push(Line::plain("total CAPEX", total, "FIE + OSBL + NWC (as printed: ISBL itself is not added)"));
            total
        }
        CapexMethod::TowlerSinnott { factors: t, fm, y, .. } => {
            let mult = (1.0 + t.fp) * fm + t.fer + t.fel + t.fi + t.fc + t.fs + t.fl;
            let isbl = sum_equipment * mult;
            let osbl = isbl * t.os;
            let fixed = (isbl + osbl) * (1.0 + t.de + t.x);
            let wc = fixed * y;
            capex.push(Line::plain("equipment", sum_equipment, "sum of purchased equipment costs"));
            capex.push(Line::plain(
                "ISBL",
                isbl,
                &format!(
                    "equipment x [(1 + fp {}) fm {fm} + fer {} + fel {} + fi {} + fc {} + fs {} + fl {}] = x {mult:.3}",
                    t.fp, t.fer, t.fel, t.fi, t.fc, t.fs, t.fl
                ),
            ));
            capex.push(Line::plain("OSBL", osbl, &format!("ISBL x OS {}", t.os)));
            capex.push(Line::plain(
                "design, engineering and contingency",
                fixed - isbl - osbl,
                &format!("(ISBL + OSBL) x (DE {} + X {})", t.de, t.x),
            ));
            capex.push(Line::plain("working capital", wc, &format!("fixed capital x {y}")));
            capex.push(Line::plain("total CAPEX", fixed + wc, "fixed capital + working capital"));
            fixed + wc
        }
    };
    let crf =
        finance::crf(c.discount_rate, f64::from(c.lifetime)).map_err(|e| format!("parameter `discount_rate`: {e}"))?;
    let annual_capex = total_capex * crf;

    // Operation cost rebuilt from prices.
    let rebuild = c.operation_cost.is_none()
        || !(c.utility_prices.is_empty()
            && c.feed_prices.is_empty()
            && c.material_prices.is_empty()
            && c.disposal_prices.is_empty());
    let mut variable_costs = Vec::new();
    let mut excluded = Vec::new();
    let mut missing = Vec::new();
    if rebuild {
        for u in Utility::ALL {
            let rate = f.utility_total(u);
            if rate <= 0.0 {
                continue;
            }
            let (amount, unit, per) = match u {
                Utility::Water => (rate * op / 1000.0, "t/yr", 1000.0),
                _ => (rate * op / 3.6e6, "kWh/yr", 3.6e6),
            };
            match c.utility_prices.get(&u) {
                Some(Priced::Price(p)) => variable_costs.push(Line {
                    name: u.name().into(),
                    amount: Some(amount),
                    unit: unit.into(),
                    price: Some(p * per),
                    price_unit: words(full, || format!("{cur}/{}", unit.trim_end_matches("/yr"))),
                    value: amount * p * per,
                    note: "simulated utility x price".into(),
                }),
                Some(Priced::Excluded(why)) if full => {
                    excluded.push(format!("utility {}: {} {unit}: {why}", u.name(), group(amount, 0)))
                }
                Some(Priced::Excluded(_)) => {}
                None => missing.push(format!("utility_prices: {} ({} {unit})", u.name(), group(amount, 0))),
            }
        }
        for s in f.streams.iter().filter(|s| s.role == StreamRole::Feed) {
            let t = s.stream.flows.iter().sum::<f64>() * op / 1000.0;
            match c.feed_prices.get(&s.name) {
                Some(Priced::Price(p)) => variable_costs.push(Line {
                    name: format!("feed {}", s.name),
                    amount: Some(t),
                    unit: "t/yr".into(),
                    price: Some(p * 1000.0),
                    price_unit: words(full, || format!("{cur}/t")),
                    value: t * p * 1000.0,
                    note: "simulated feed x price".into(),
                }),
                Some(Priced::Excluded(why)) if full => {
                    excluded.push(format!("feed {}: {} t/yr: {why}", s.name, group(t, 0)))
                }
                Some(Priced::Excluded(_)) => {}
                None => missing.push(format!("feed_prices: {} ({} t/yr)", s.name, group(t, 0))),
            }
        }
        let mut materials: Vec<(String, f64)> = Vec::new();
        for u in &f.units {
            for m in &u.report.materials {
                let name = f.components.names().nth(m.component).unwrap_or("?").to_string();
                match materials.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, r)) => *r += m.rate,
                    None => materials.push((name, m.rate)),
                }
            }
        }
        for (name, rate) in materials.into_iter().filter(|(_, r)| *r > 0.0) {
            let t = rate * op / 1000.0;
            match c.material_prices.get(&name) {
                Some(Priced::Price(p)) => variable_costs.push(Line {
                    name: format!("material {name}"),
                    amount: Some(t),
                    unit: "t/yr".into(),
                    price: Some(p * 1000.0),
                    price_unit: words(full, || format!("{cur}/t")),
                    value: t * p * 1000.0,
                    note: "make-up material x price".into(),
                }),
                Some(Priced::Excluded(why)) if full => {
                    excluded.push(format!("material {name}: {} t/yr: {why}", group(t, 0)))
                }
                Some(Priced::Excluded(_)) => {}
                None => missing.push(format!("material_prices: {name} ({} t/yr)", group(t, 0))),
            }
        }
        for (name, p) in &c.disposal_prices {
            let s = f.stream(name).filter(|s| s.role == StreamRole::Product).ok_or_else(|| {
                let names: Vec<&str> =
                    f.streams.iter().filter(|s| s.role == StreamRole::Product).map(|s| s.name.as_str()).collect();
                format!(
                    "parameter `disposal_prices`: `{name}` is not a stream leaving the flowsheet (leaving: {})",
                    names.join(", ")
                )
            })?;
            let t = s.stream.flows.iter().sum::<f64>() * op / 1000.0;
            variable_costs.push(Line {
                name: format!("disposal {name}"),
                amount: Some(t),
                unit: "t/yr".into(),
                price: Some(p * 1000.0),
                price_unit: words(full, || format!("{cur}/t")),
                value: t * p * 1000.0,
                note: "simulated stream x disposal cost".into(),
            });
        }
        for (param, keys) in [
            ("feed_prices", c.feed_prices.keys().collect::<Vec<_>>()),
            ("material_prices", c.material_prices.keys().collect()),
        ] {
            for k in keys {
                let known = match param {
                    "feed_prices" => f.stream(k).is_some_and(|s| s.role == StreamRole::Feed),
                    _ => f.components.index_of(k).is_some(),
                };
                if !known {
                    return Err(format!(
                        "parameter `{param}`: `{k}` is not a {} of the flowsheet",
                        if param == "feed_prices" { "feed stream" } else { "component" }
                    ));
                }
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "the operating cost is rebuilt from prices, and these have none (give a price or `excluded: REASON`): {}",
                missing.join("; ")
            ));
        }
    }
    let rebuilt = rebuild.then(|| variable_costs.iter().map(|l| l.value).sum::<f64>());
    let given = c.operation_cost.map(|v| v * SECONDS_PER_YEAR);
    let operation_cost = given.or(rebuilt).unwrap_or(0.0);
    if let (Some(g), Some(r), true) = (given, rebuilt, full) {
        notes.push(format!(
            "operation cost: the given {} {cur}/yr is used; rebuilt from prices and the simulated flowsheet it would be {} {cur}/yr ({:+.1} %)",
            group(g, 0), group(r, 0), (r / g - 1.0) * 100.0
        ));
    }

    // Revenue.
    let product_revenue = production * c.product_price * 1000.0;
    let lca_credit = |name: Option<&str>| -> Result<(String, f64), String> {
        let lcas: Vec<&AnalysisOutput> = earlier.iter().filter(|a| a.type_name == "lca").collect();
        let a = match name {
            Some(n) => lcas.iter().find(|a| a.name == n).copied(),
            None if lcas.len() == 1 => lcas.first().copied(),
            None => lcas.iter().find(|a| a.name == "lca").copied(),
        };
        let names: Vec<&str> = lcas.iter().map(|a| a.name.as_str()).collect();
        let a = a.ok_or_else(|| {
            format!(
                "parameter `carbon_credits`: no LCA analysis {} ran before this TEA (LCA analyses: {})",
                name.map(|n| format!("`{n}`")).unwrap_or_else(|| "to take the net reduction from".into()),
                if names.is_empty() { "none".into() } else { names.join(", ") }
            )
        })?;
        let m =
            a.metrics.iter().find(|m| m.name == "net_reduction_per_year").ok_or_else(|| {
                format!("parameter `carbon_credits`: LCA `{}` reports no net_reduction_per_year", a.name)
            })?;
        let to_t = if m.unit.starts_with("kg ") {
            1e-3
        } else if m.unit.starts_with("t ") {
            1.0
        } else {
            return Err(format!(
                "parameter `carbon_credits`: LCA `{}` reports its net reduction in `{}`, not kg or t per year",
                a.name, m.unit
            ));
        };
        Ok((a.name.clone(), m.value * to_t))
    };
    let (carbon_credits, carbon_credit_basis) = match &c.credits {
        None => (0.0, "none".to_string()),
        Some(Credits::Given(v)) => (v * SECONDS_PER_YEAR / 1000.0, "given".to_string()),
        Some(Credits::Lca(name)) => {
            let (n, t) = lca_credit(name.as_deref())?;
            (t.max(0.0), format!("net reduction of LCA `{n}`"))
        }
        Some(Credits::Co2Fixed) => {
            let i = f
                .components
                .index_of("CO2")
                .ok_or("parameter `carbon_credits`: `co2_fixed` needs a component CO2 in the flowsheet")?;
            let flow =
                |role: StreamRole| f.streams.iter().filter(|s| s.role == role).map(|s| s.stream.flows[i]).sum::<f64>();
            let fixed = (flow(StreamRole::Feed) - flow(StreamRole::Product)).max(0.0);
            (fixed * op / 1000.0, "CO2 fixed (CO2 in feeds minus CO2 in products)".to_string())
        }
    };
    let carbon_credit_revenue = carbon_credits * c.carbon_price * 1000.0;
    let total_revenue = product_revenue + carbon_credit_revenue;
    let credits_by_lca: Vec<(String, f64, f64)> = earlier
        .iter()
        .filter(|a| a.type_name == "lca")
        .filter_map(|a| lca_credit(Some(&a.name)).ok())
        .map(|(n, t)| (n, t, t.max(0.0) * c.carbon_price * 1000.0))
        .collect();

    // Fixed costs.
    let labor = c.labor * SECONDS_PER_YEAR;
    let research = match c.research {
        Charge::Given(v) => v * SECONDS_PER_YEAR,
        Charge::Share(s, b) => {
            s * match b {
                ShareBasis::Labor => labor,
                ShareBasis::Revenue => total_revenue,
                ShareBasis::Sales => product_revenue,
                ShareBasis::TotalCapex => total_capex,
                ShareBasis::OperationCost => operation_cost,
            }
        }
    };
    let research_note = match c.research {
        Charge::Given(_) => "given".to_string(),
        Charge::Share(s, b) => words(full, || format!("{} % of {}", pct(s), b.word())),
    };
    let share_of = |x: f64, of: &str| words(full, || format!("{} % of {of}", pct(x)));
    let fixed_costs = vec![
        Line::plain("labor", labor, "given"),
        Line::plain("administration", labor * c.administration, &share_of(c.administration, "labor")),
        Line::plain("overhead", labor * c.overhead, &share_of(c.overhead, "labor")),
        Line::plain("research", research, &research_note),
        Line::plain("maintenance", total_capex * c.maintenance, &share_of(c.maintenance, "total CAPEX")),
        Line::plain("insurance", total_capex * c.insurance, &share_of(c.insurance, "total CAPEX")),
    ];
    let fixed: f64 = fixed_costs.iter().map(|l| l.value).sum();
    let annual_opex = operation_cost + fixed;
    let total_annual_cost = annual_capex + annual_opex;

    // Cash flows.
    let credits_revenue = carbon_credit_revenue;
    let table = |price_per_t: f64| {
        cash_flows(c, total_capex, production * price_per_t + credits_revenue, operation_cost, fixed)
    };
    let cash = table(c.product_price * 1000.0);
    let nets: Vec<f64> = cash.iter().map(|y| y.net).collect();
    let npv = finance::npv(c.discount_rate, &nets)?;
    let benefits: Vec<f64> = cash.iter().map(|y| y.revenue).collect();
    let costs: Vec<f64> = cash.iter().map(|y| y.capex + y.opex + y.tax).collect();
    let benefit_cost_ratio = finance::benefit_cost(c.discount_rate, &benefits, &costs)?;
    let (irr, irr_note) = match finance::irr(&nets) {
        Ok(i) => (Some(i.rate), i.warning),
        Err(e) => (None, Some(e)),
    };
    let simple_payback = finance::payback(&nets);
    let npv_at = |price: f64| {
        let n: Vec<f64> = table(price).iter().map(|y| y.net).collect();
        finance::npv(c.discount_rate, &n).unwrap_or(f64::NAN)
    };
    let minimum_selling_price =
        if production > 0.0 { min_price(npv_at, total_annual_cost / production.max(1e-12)) } else { None };
    let (cost_per_t_co2, net_cost_per_t_co2) = if carbon_credits > 0.0 {
        (Some(total_annual_cost / carbon_credits), Some((total_annual_cost - product_revenue) / carbon_credits))
    } else {
        (None, None)
    };

    Ok(TeaResult {
        flowsheet: f.name.clone(),
        currency: c.currency.clone(),
        base_year: c.base_year,
        discount_rate: c.discount_rate,
        lifetime: c.lifetime,
        crf,
        operating_hours: op / 3600.0,
        annual_production: production,
        simulated_production: simulated,
        equipment,
        capex,
        total_capex,
        annual_capex,
        operation_cost,
        operation_cost_given: given,
        operation_cost_rebuilt: rebuilt,
        variable_costs,
        excluded,
        fixed_costs,
        annual_opex,
        total_annual_cost,
        product_revenue,
        carbon_credits,
        carbon_credit_basis,
        carbon_credit_revenue,
        total_revenue,
        credits_by_lca,
        cash_flows: cash,
        npv,
        benefit_cost_ratio,
        irr,
        irr_note,
        simple_payback,
        unit_production_cost: if production > 0.0 { total_annual_cost / production } else { f64::NAN },
        minimum_selling_price,
        cost_per_t_co2,
        net_cost_per_t_co2,
        notes,
    })
}

/// The yearly table: capital in equal parts in years 0 .. C-1, operation in years C .. C+n-1.
fn cash_flows(c: &TeaConfig, total_capex: f64, revenue: f64, operation: f64, fixed: f64) -> Vec<CashFlowYear> {
    let cy = c.construction_years;
    let mut out = Vec::new();
    let mut cumulative = 0.0;
    for year in 0..cy + c.lifetime {
        let capex = if year < cy { total_capex / f64::from(cy) } else { 0.0 };
        let (rev, opex, dep) = if year >= cy {
            let k = year - cy + 1;
            let s = if k == 1 { c.startup_output } else { 1.0 };
            let dep = if k <= c.depreciation_years { total_capex / f64::from(c.depreciation_years) } else { 0.0 };
            (revenue * s, operation * s + fixed, dep)
        } else {
            (0.0, 0.0, 0.0)
        };
        let tax = (rev - opex - dep).max(0.0) * c.tax_rate;
        let net = rev - opex - tax - capex;
        cumulative += net;
        out.push(CashFlowYear {
            year,
            capex,
            revenue: rev,
            opex,
            depreciation: dep,
            tax,
            net,
            discounted: net / (1.0 + c.discount_rate).powi(year as i32),
            cumulative,
        });
    }
    out
}

/// The product price (per t) at which NPV = 0; NPV rises with the price. `guess` sets the
/// scale of the bracket.
fn min_price(npv_at: impl Fn(f64) -> f64, guess: f64) -> Option<f64> {
    let scale = guess.abs().max(1.0);
    // Without income tax (or where the tax does not switch on or off) the NPV is affine in
    // the price: two evaluations give the root, and a third confirms it. Otherwise, bisect.
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
    let flo = npv_at(lo);
    if !(flo < 0.0 && npv_at(hi) > 0.0) {
        return None;
    }
    finance::bisect(npv_at, lo, hi, flo).ok()
}
