//! The TEA section: per TEA analysis, the indicators, CAPEX and OPEX breakdowns (charts and
//! tables), revenue, and the cumulative discounted cash flow by year with the payback point.

use super::Ctx;
use crate::charts::{self, Bar};
use crate::doc::{Block, Figure, KeyFigure, Section, Table};
use crate::format::{compact, group, money, percent, rate, sig, slug};
use crate::views::{Line, Tea};

fn fig(id: String, title: String, c: charts::Chart) -> Figure {
    Figure { id, title, svg: c.svg, width: c.width, height: c.height }
}

fn share(part: f64, total: f64) -> String {
    if total != 0.0 { percent(part / total, 1) } else { "-".into() }
}

fn breakdown(caption: &str, lines: &[&Line], total: (&str, f64), money_unit: &str) -> Table {
    let mut t = Table::new(caption, &["item", money_unit, "share", "how"], &[false, true, true, false]);
    for l in lines {
        t.row(vec![l.name.clone(), money(l.value), share(l.value, total.1), l.note.clone()]);
    }
    t.row(vec![total.0.into(), money(total.1), share(total.1, total.1), String::new()]);
    t
}

fn bars_of(lines: &[&Line], total: f64) -> Vec<Bar> {
    lines
        .iter()
        .map(|l| Bar {
            label: l.name.clone(),
            value: l.value,
            text: format!("{} ({})", compact(l.value), share(l.value, total)),
        })
        .collect()
}

fn one(name: &str, t: &Tea, blocks: &mut Vec<Block>) {
    let c = t.currency.as_str();
    let s = slug(name);
    let discounted_payback = t.discounted_payback();
    blocks.push(Block::Heading(format!(
        "{name}: {c}{}, {} discount rate, {} years",
        t.base_year.map(|y| format!(" of {y}")).unwrap_or_default(),
        rate(t.discount_rate),
        t.lifetime
    )));
    blocks.push(Block::KeyFigures(vec![
        KeyFigure {
            label: "B/C".into(),
            value: format!("{:.4}", t.benefit_cost_ratio),
            unit: "discounted benefits / costs".into(),
            source: String::new(),
        },
        KeyFigure {
            label: "IRR".into(),
            value: t.irr.map_or_else(|| "undefined".into(), |i| percent(i, 3)),
            unit: "internal rate of return".into(),
            source: t.irr_note.clone().unwrap_or_default(),
        },
        KeyFigure {
            label: "NPV".into(),
            value: money(t.npv),
            unit: c.into(),
            source: format!("at {}", rate(t.discount_rate)),
        },
        KeyFigure {
            label: "Unit production cost".into(),
            value: money(t.unit_production_cost),
            unit: format!("{c}/t"),
            source: "total annual cost / product sold".into(),
        },
    ]));

    // CAPEX.
    let capex_lines: Vec<&Line> =
        t.equipment.iter().chain(t.capex.iter().filter(|l| l.name != "total CAPEX")).collect();
    blocks.push(Block::Heading(format!("Capital cost ({name})")));
    let mut capex = breakdown(&format!("CAPEX ({name})"), &capex_lines, ("total CAPEX", t.total_capex), c);
    capex.row(vec![
        format!("annual CAPEX (x CRF {:.6})", t.crf),
        money(t.annual_capex),
        String::new(),
        "per year".into(),
    ]);
    if capex_lines.len() >= 2 {
        let chart = charts::bars("CAPEX breakdown", &bars_of(&capex_lines, t.total_capex), c);
        blocks.push(Block::Split(fig(format!("tea-{s}-capex"), format!("CAPEX breakdown ({name})"), chart), capex));
    } else {
        blocks.push(Block::Note(format!(
            "CAPEX is given as a total ({} {c}), so there is no breakdown to chart.",
            money(t.total_capex)
        )));
        blocks.push(Block::Table(capex));
    }

    // OPEX: operation cost (given or rebuilt) and the fixed costs; zero lines left out.
    blocks.push(Block::Heading(format!("Operating cost ({name})")));
    let operation = Line {
        name: "operation cost".into(),
        amount: None,
        unit: String::new(),
        price: None,
        price_unit: String::new(),
        value: t.operation_cost,
        note: if t.operation_cost_given.is_some() { "given".into() } else { "rebuilt from prices".into() },
    };
    let opex_lines: Vec<&Line> =
        std::iter::once(&operation).chain(t.fixed_costs.iter()).filter(|l| l.value != 0.0).collect();
    let chart = charts::bars("OPEX breakdown", &bars_of(&opex_lines, t.annual_opex), &format!("{c}/yr"));
    let mut opex =
        breakdown(&format!("Annual OPEX ({name})"), &opex_lines, ("annual OPEX", t.annual_opex), &format!("{c}/yr"));
    opex.row(vec![
        "total annual cost (+ annual CAPEX)".into(),
        money(t.total_annual_cost),
        String::new(),
        String::new(),
    ]);
    blocks.push(Block::Split(fig(format!("tea-{s}-opex"), format!("Annual OPEX breakdown ({name})"), chart), opex));
    if !t.variable_costs.is_empty() {
        let used = t.operation_cost_given.is_none();
        let caption = if used {
            format!("Operation cost from prices ({name})")
        } else {
            format!("Operation cost rebuilt from prices, for comparison with the given figure ({name})")
        };
        let mut v = Table::new(&caption, &["item", "amount", "price", &format!("{c}/yr")], &[false, true, true, true]);
        for l in &t.variable_costs {
            let amount = l.amount.map_or(String::new(), |a| format!("{} {}", sig(a, 5), l.unit));
            let price = l.price.map_or(String::new(), |p| format!("{} {}", sig(p, 4), l.price_unit));
            v.row(vec![l.name.clone(), amount, price, money(l.value)]);
        }
        if let Some(b) = t.operation_cost_rebuilt {
            v.row(vec!["operation cost (rebuilt)".into(), String::new(), String::new(), money(b)]);
        }
        blocks.push(Block::Table(v));
        if !t.excluded.is_empty() {
            blocks.push(Block::List(t.excluded.iter().map(|e| format!("excluded: {e}")).collect()));
        }
    }

    // Revenue.
    let mut rev =
        Table::new(&format!("Revenue ({name})"), &["item", &format!("{c}/yr"), "basis"], &[false, true, false]);
    rev.row(vec!["product sales".into(), money(t.product_revenue), format!("{} t/yr", group(t.annual_production, 0))]);
    rev.row(vec![
        "carbon credits".into(),
        money(t.carbon_credit_revenue),
        format!("{} t CO2/yr, {}", sig(t.carbon_credits, 4), t.carbon_credit_basis),
    ]);
    rev.row(vec!["total revenue".into(), money(t.total_revenue), String::new()]);
    blocks.push(Block::Table(rev));

    // Indicators, beside the cash flow they come from.
    let mut ind = Table::new(&format!("Indicators ({name})"), &["indicator", "value", "note"], &[false, true, false]);
    let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or_else(|| "-".into(), f);
    ind.row(vec![
        "benefit/cost ratio".into(),
        format!("{:.4}", t.benefit_cost_ratio),
        "discounted benefits / discounted costs".into(),
    ]);
    ind.row(vec!["NPV".into(), format!("{} {c}", money(t.npv)), format!("at {}", rate(t.discount_rate))]);
    ind.row(vec!["IRR".into(), opt(t.irr, &|i| percent(i, 3)), t.irr_note.clone().unwrap_or_default()]);
    ind.row(vec![
        "simple payback".into(),
        opt(t.simple_payback, &|p| format!("{} yr", sig(p, 3))),
        "from year 0, undiscounted".into(),
    ]);
    ind.row(vec![
        "discounted payback".into(),
        opt(discounted_payback, &|p| format!("{} yr", sig(p, 3))),
        "from year 0".into(),
    ]);
    ind.row(vec![
        "unit production cost".into(),
        format!("{} {c}/t", money(t.unit_production_cost)),
        "total annual cost / product sold".into(),
    ]);
    ind.row(vec![
        "minimum selling price".into(),
        opt(t.minimum_selling_price, &|p| format!("{} {c}/t", money(p))),
        "product price at NPV = 0".into(),
    ]);
    ind.row(vec![
        "cost per t CO2".into(),
        opt(t.cost_per_t_co2, &|p| format!("{} {c}/t", money(p))),
        "total annual cost / t CO2 credited".into(),
    ]);
    ind.row(vec![
        "net cost per t CO2".into(),
        opt(t.net_cost_per_t_co2, &|p| format!("{} {c}/t", money(p))),
        "(total annual cost - sales) / t CO2".into(),
    ]);
    ind.row(vec![
        "capital recovery factor".into(),
        format!("{:.6}", t.crf),
        format!("{} years at {}", t.lifetime, rate(t.discount_rate)),
    ]);
    blocks.push(Block::Heading(format!("Cash flow and indicators ({name})")));
    if t.cash_flows.is_empty() {
        blocks.push(Block::Note("The TEA reports no yearly cash flows.".into()));
        blocks.push(Block::Table(ind));
    } else {
        let years: Vec<f64> = t.cash_flows.iter().map(|y| f64::from(y.year)).collect();
        let undiscounted: Vec<f64> = t.cash_flows.iter().map(|y| y.cumulative).collect();
        let chart = charts::cash_flow(
            "Cumulative cash flow",
            &years,
            &t.cumulative_discounted(),
            &undiscounted,
            discounted_payback,
            c,
        );
        blocks.push(Block::Split(
            fig(format!("tea-{s}-cash-flow"), format!("Cumulative discounted cash flow by year ({name})"), chart),
            ind,
        ));
        blocks.push(Block::Paragraph(match discounted_payback {
            Some(p) => format!("The cumulative discounted cash flow turns positive after {} years (discounted payback, marked); the NPV is its value in the last year.", sig(p, 3)),
            None => format!("The cumulative discounted cash flow does not turn positive within {} years at {}.", t.lifetime, rate(t.discount_rate)),
        }));
    }
    if !t.notes.is_empty() {
        blocks.push(Block::List(t.notes.clone()));
    }
}

pub(super) fn section(ctx: &Ctx<'_>) -> Section {
    Section {
        id: "tea".into(),
        title: "Techno-economic analysis".into(),
        blocks: super::per_analysis(&ctx.teas, "TEA", one),
    }
}
