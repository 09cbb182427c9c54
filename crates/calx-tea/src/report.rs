//! The TEA's part of the report people read, as data ([`calx_core::report`]): per TEA
//! analysis, the indicators, the CAPEX and OPEX breakdowns (charts with their tables), the
//! operation cost rebuilt from prices, revenue, the credits by year (credit vintages, when
//! there are credits), and the cumulative discounted cash flow by year
//! with the payback point; and the figures the report's summary leads with (B/C, IRR, NPV,
//! unit production cost).
//!
//! Every number is written by [`calx_core::format`]. Section `tea`, "Techno-economic
//! analysis"; chart ids `tea-{slug of the analysis name}-capex`, `-opex` and `-cash-flow`.

use calx_core::format::{compact, group, money, percent, rate, sig, slug};
use calx_core::report::{Bar, Block, Chart, KeyFigure, Plot, ReportPart, SummaryFigures, Table};

use crate::assess::{Line, TeaResult};

/// Id of the report section TEA analyses share.
pub const SECTION: &str = "tea";

/// Heading of that section.
pub const SECTION_TITLE: &str = "Techno-economic analysis";

impl TeaResult {
    /// Years at which the cumulative discounted cash flow first turns from negative to zero
    /// or above, interpolated linearly within the year; `None` if it never does.
    pub fn discounted_payback(&self) -> Option<f64> {
        let mut cumulative = 0.0;
        let mut previous: Option<(f64, f64)> = None;
        for y in &self.cash_flows {
            let next = cumulative + y.discounted;
            if let Some((year, before)) = previous
                && before < 0.0
                && next >= 0.0
            {
                return Some(year + (-before) / (next - before) * (f64::from(y.year) - year));
            }
            cumulative = next;
            previous = Some((f64::from(y.year), cumulative));
        }
        None
    }

    /// Cumulative discounted cash flow, year by year.
    pub fn cumulative_discounted(&self) -> Vec<f64> {
        let mut sum = 0.0;
        self.cash_flows
            .iter()
            .map(|y| {
                sum += y.discounted;
                sum
            })
            .collect()
    }
}

/// The report part of the TEA analysis `name` with result `t`.
pub fn part(name: &str, t: &TeaResult) -> ReportPart {
    ReportPart {
        section: SECTION.into(),
        section_title: SECTION_TITLE.into(),
        blocks: blocks(name, t),
        summary: summary(name, t),
        basis: None,
    }
}

/// The figures for the report's summary.
pub fn summary(name: &str, t: &TeaResult) -> SummaryFigures {
    let c = t.currency.as_str();
    let source = format!("TEA {name}, {c} at {}", rate(t.discount_rate));
    let fig = |label: &str, value: String, unit: String| KeyFigure::new(label, value, unit, source.clone());
    let lead = vec![
        fig("Benefit/cost ratio", format!("{:.4}", t.benefit_cost_ratio), "B/C, discounted".into()),
        fig("IRR", irr(t), "internal rate of return".into()),
        fig("NPV", money(t.npv), format!("{c} at {}", rate(t.discount_rate))),
        fig("Unit production cost", money(t.unit_production_cost), format!("{c}/t")),
    ];
    let more = vec![
        fig("Total CAPEX", money(t.total_capex), c.into()),
        fig("Product sold", group(t.annual_production, 0), "t/yr".into()),
    ];
    let if_not_first = lead.iter().map(|k| KeyFigure { label: format!("{} ({name})", k.label), ..k.clone() }).collect();
    SummaryFigures { lead, more, if_not_first, replaces_plant_figures: true }
}

/// The IRR as a percentage, or `undefined`.
fn irr(t: &TeaResult) -> String {
    t.irr.map_or_else(|| "undefined".into(), |i| percent(i, 3))
}

/// The blocks of one TEA analysis, in reading order.
pub fn blocks(name: &str, t: &TeaResult) -> Vec<Block> {
    let c = t.currency.as_str();
    let mut blocks = vec![
        Block::Heading(format!(
            "{name}: {c}{}, {} discount rate, {} years",
            t.base_year.map(|y| format!(" of {y}")).unwrap_or_default(),
            rate(t.discount_rate),
            t.lifetime
        )),
        Block::KeyFigures(key_figures(t)),
    ];
    capex(name, t, &mut blocks);
    opex(name, t, &mut blocks);
    blocks.push(Block::Table(revenue(name, t)));
    if !t.credit_vintages.is_empty() {
        blocks.push(Block::Table(credit_vintages(name, t)));
    }
    cash_flow(name, t, &mut blocks);
    if !t.notes.is_empty() {
        blocks.push(Block::List(t.notes.clone()));
    }
    blocks
}

/// The tiles at the top of the analysis's part.
fn key_figures(t: &TeaResult) -> Vec<KeyFigure> {
    let c = t.currency.as_str();
    vec![
        KeyFigure::new("B/C", format!("{:.4}", t.benefit_cost_ratio), "discounted benefits / costs", ""),
        KeyFigure::new("IRR", irr(t), "internal rate of return", t.irr_note.clone().unwrap_or_default()),
        KeyFigure::new("NPV", money(t.npv), c, format!("at {}", rate(t.discount_rate))),
        KeyFigure::new(
            "Unit production cost",
            money(t.unit_production_cost),
            format!("{c}/t"),
            "total annual cost / product sold",
        ),
    ]
}

/// `part` as a share of `total`, or `-` when the total is zero.
fn share(part: f64, total: f64) -> String {
    if total != 0.0 { percent(part / total, 1) } else { "-".into() }
}

/// A breakdown table: item, money, share of the total, how it was found; the total last.
fn breakdown(caption: &str, lines: &[&Line], total: (&str, f64), money_unit: &str) -> Table {
    let mut t = Table::new(caption, &["item", money_unit, "share", "how"], &[false, true, true, false]);
    for l in lines {
        t.row(vec![l.name.clone(), money(l.value), share(l.value, total.1), l.note.clone()]);
    }
    t.row(vec![total.0.into(), money(total.1), share(total.1, total.1), String::new()]);
    t
}

/// One bar per line, labelled with its short amount and share of `total`.
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

/// A bar chart.
fn bars(id: String, caption: String, title: &str, bars: Vec<Bar>, unit: &str) -> Chart {
    Chart { id, caption, plot: Plot::Bars { title: title.into(), bars, unit: unit.into() } }
}

/// Capital cost: the equipment and build-up lines charted beside their table, or, for a
/// given total, a note and the table.
fn capex(name: &str, t: &TeaResult, blocks: &mut Vec<Block>) {
    let c = t.currency.as_str();
    let lines: Vec<&Line> = t.equipment.iter().chain(t.capex.iter().filter(|l| l.name != "total CAPEX")).collect();
    blocks.push(Block::Heading(format!("Capital cost ({name})")));
    let mut table = breakdown(&format!("CAPEX ({name})"), &lines, ("total CAPEX", t.total_capex), c);
    table.row(vec![
        format!("annual CAPEX (x CRF {:.6})", t.crf),
        money(t.annual_capex),
        String::new(),
        "per year".into(),
    ]);
    if lines.len() >= 2 {
        let id = format!("tea-{}-capex", slug(name));
        let chart = bars(id, format!("CAPEX breakdown ({name})"), "CAPEX breakdown", bars_of(&lines, t.total_capex), c);
        blocks.push(Block::ChartWithTable(chart, table));
    } else {
        blocks.push(Block::Note(format!(
            "CAPEX is given as a total ({} {c}), so there is no breakdown to chart.",
            money(t.total_capex)
        )));
        blocks.push(Block::Table(table));
    }
}

/// Operating cost: the operation cost (given or rebuilt) and the fixed costs, zero lines left
/// out, charted beside their table; then the operation cost rebuilt from prices.
fn opex(name: &str, t: &TeaResult, blocks: &mut Vec<Block>) {
    let per_year = format!("{}/yr", t.currency);
    blocks.push(Block::Heading(format!("Operating cost ({name})")));
    let how = if t.operation_cost_given.is_some() { "given" } else { "rebuilt from prices" };
    let operation = Line { note: how.into(), ..Line::figure("operation cost", t.operation_cost) };
    let lines: Vec<&Line> =
        std::iter::once(&operation).chain(t.fixed_costs.iter()).filter(|l| l.value != 0.0).collect();
    let id = format!("tea-{}-opex", slug(name));
    let caption = format!("Annual OPEX breakdown ({name})");
    let chart = bars(id, caption, "OPEX breakdown", bars_of(&lines, t.annual_opex), &per_year);
    let mut table = breakdown(&format!("Annual OPEX ({name})"), &lines, ("annual OPEX", t.annual_opex), &per_year);
    table.row(vec![
        "total annual cost (+ annual CAPEX)".into(),
        money(t.total_annual_cost),
        String::new(),
        String::new(),
    ]);
    blocks.push(Block::ChartWithTable(chart, table));
    if !t.variable_costs.is_empty() {
        blocks.push(Block::Table(variable_costs(name, t)));
        if !t.excluded.is_empty() {
            blocks.push(Block::List(t.excluded.iter().map(|e| format!("excluded: {e}")).collect()));
        }
    }
}

/// The operation cost rebuilt from prices, line by line.
fn variable_costs(name: &str, t: &TeaResult) -> Table {
    let c = t.currency.as_str();
    let caption = if t.operation_cost_given.is_none() {
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
    v
}

/// Product sales, carbon credits and their total.
fn revenue(name: &str, t: &TeaResult) -> Table {
    let c = t.currency.as_str();
    let mut rev =
        Table::new(&format!("Revenue ({name})"), &["item", &format!("{c}/yr"), "basis"], &[false, true, false]);
    rev.row(vec!["product sales".into(), money(t.product_revenue), format!("{} t/yr", group(t.annual_production, 0))]);
    rev.row(vec![
        "carbon credits".into(),
        money(t.carbon_credit_revenue),
        format!("{} t CO2/yr, {}", sig(t.carbon_credits, 4), t.carbon_credit_basis),
    ]);
    rev.row(vec!["total revenue".into(), money(t.total_revenue), String::new()]);
    rev
}

/// The credits by operating year, runs of equal years on one row (`2–10`), and their total.
fn credit_vintages(name: &str, t: &TeaResult) -> Table {
    let c = t.currency.as_str();
    let caption = format!(
        "Credit vintages ({name}): CO2 credited and credit revenue per operating year{}",
        t.credit_vintages
            .first()
            .map(|v| format!(", operating year 1 being year {} of the cash flow", v.year))
            .unwrap_or_default()
    );
    let mut table = Table::new(&caption, &["years", "t CO2", &format!("revenue ({c})")], &[false, true, true]);
    let mut rows: Vec<(u32, u32, f64, f64)> = Vec::new();
    for v in &t.credit_vintages {
        match rows.last_mut() {
            Some((_, last, tonnes, revenue))
                if *tonnes == v.tonnes && *revenue == v.revenue && *last + 1 == v.operating_year =>
            {
                *last = v.operating_year;
            }
            _ => rows.push((v.operating_year, v.operating_year, v.tonnes, v.revenue)),
        }
    }
    for (first, last, tonnes, revenue) in rows {
        let years = if first == last { first.to_string() } else { format!("{first}–{last}") };
        let per_year = if first == last { "" } else { " per year" };
        table.row(vec![years, format!("{}{per_year}", sig(tonnes, 4)), format!("{}{per_year}", money(revenue))]);
    }
    let tonnes: f64 = t.credit_vintages.iter().map(|v| v.tonnes).sum();
    let revenue: f64 = t.credit_vintages.iter().map(|v| v.revenue).sum();
    table.row(vec!["total".into(), sig(tonnes, 4), money(revenue)]);
    table
}

/// The indicators, with how each is found.
fn indicators(name: &str, t: &TeaResult, discounted_payback: Option<f64>) -> Table {
    let c = t.currency.as_str();
    let at = format!("at {}", rate(t.discount_rate));
    let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or_else(|| "-".into(), f);
    let years = |p: f64| format!("{} yr", sig(p, 3));
    let per_t = |p: f64| format!("{} {c}/t", money(p));
    let rows: [[String; 3]; 10] = [
        row("benefit/cost ratio", format!("{:.4}", t.benefit_cost_ratio), "discounted benefits / discounted costs"),
        row("NPV", format!("{} {c}", money(t.npv)), &at),
        row("IRR", opt(t.irr, &|i| percent(i, 3)), t.irr_note.as_deref().unwrap_or_default()),
        row("simple payback", opt(t.simple_payback, &years), "from year 0, undiscounted"),
        row("discounted payback", opt(discounted_payback, &years), "from year 0"),
        row("unit production cost", per_t(t.unit_production_cost), "total annual cost / product sold"),
        row("minimum selling price", opt(t.minimum_selling_price, &per_t), "product price at NPV = 0"),
        row("cost per t CO2", opt(t.cost_per_t_co2, &per_t), "total annual cost / t CO2 credited"),
        row("net cost per t CO2", opt(t.net_cost_per_t_co2, &per_t), "(total annual cost - sales) / t CO2"),
        row(
            "capital recovery factor",
            format!("{:.6}", t.crf),
            &format!("{} years at {}", t.lifetime, rate(t.discount_rate)),
        ),
    ];
    let mut ind = Table::new(&format!("Indicators ({name})"), &["indicator", "value", "note"], &[false, true, false]);
    for r in rows {
        ind.row(r.into());
    }
    ind
}

/// A row of three cells.
fn row(label: &str, value: String, note: &str) -> [String; 3] {
    [label.into(), value, note.into()]
}

/// The cumulative cash flow charted beside the indicators, and what the chart shows.
fn cash_flow(name: &str, t: &TeaResult, blocks: &mut Vec<Block>) {
    let discounted_payback = t.discounted_payback();
    let ind = indicators(name, t, discounted_payback);
    blocks.push(Block::Heading(format!("Cash flow and indicators ({name})")));
    if t.cash_flows.is_empty() {
        blocks.push(Block::Note("The TEA reports no yearly cash flows.".into()));
        blocks.push(Block::Table(ind));
        return;
    }
    let chart = Chart {
        id: format!("tea-{}-cash-flow", slug(name)),
        caption: format!("Cumulative discounted cash flow by year ({name})"),
        plot: Plot::CashFlow {
            title: "Cumulative cash flow".into(),
            years: t.cash_flows.iter().map(|y| f64::from(y.year)).collect(),
            discounted: t.cumulative_discounted(),
            undiscounted: t.cash_flows.iter().map(|y| y.cumulative).collect(),
            payback: discounted_payback,
            currency: t.currency.clone(),
        },
    };
    blocks.push(Block::ChartWithTable(chart, ind));
    blocks.push(Block::Paragraph(match discounted_payback {
        Some(p) => format!(
            "The cumulative discounted cash flow turns positive after {} years (discounted payback, marked); the NPV is its value in the last year.",
            sig(p, 3)
        ),
        None => format!(
            "The cumulative discounted cash flow does not turn positive within {} years at {}.",
            t.lifetime,
            rate(t.discount_rate)
        ),
    }));
}

#[cfg(test)]
mod tests {
    use calx_core::report::{Block, Plot};

    use super::*;
    use crate::assess::CashFlowYear;

    fn line(name: &str, value: f64, note: &str) -> Line {
        Line { note: note.into(), ..Line::figure(name, value) }
    }

    fn year(year: u32, net: f64, discounted: f64, cumulative: f64) -> CashFlowYear {
        CashFlowYear {
            year,
            capex: 0.0,
            revenue: 0.0,
            opex: 0.0,
            depreciation: 0.0,
            tax: 0.0,
            net,
            discounted,
            cumulative,
        }
    }

    /// A small plant: 1,000 KRW of capital, then three years of 500 net at 10 %.
    fn result() -> TeaResult {
        TeaResult {
            flowsheet: "plant".into(),
            currency: "KRW".into(),
            base_year: Some(2021),
            discount_rate: 0.1,
            lifetime: 3,
            crf: 0.402_114_803_625_377_6,
            operating_hours: 8760.0,
            annual_production: 1234.6,
            simulated_production: 1234.6,
            equipment: vec![line("reactor", 600.0, "given"), line("filter", 400.0, "given")],
            capex: vec![line("ISBL", 2900.0, "equipment x ISBL factor 2.9"), line("total CAPEX", 5000.0, "FIE + OSBL")],
            total_capex: 5000.0,
            annual_capex: 2_010.574_018_126_888,
            operation_cost: 1500.0,
            operation_cost_given: None,
            operation_cost_rebuilt: Some(1500.0),
            variable_costs: vec![Line {
                amount: Some(20_000.0),
                unit: "kWh/yr".into(),
                price: Some(0.075),
                price_unit: "KRW/kWh".into(),
                note: "simulated utility x price".into(),
                ..Line::figure("electricity", 1500.0)
            }],
            excluded: vec!["utility cooling: 12 kWh/yr: closed loop".into()],
            fixed_costs: vec![line("labor", 500.0, "given"), line("insurance", 0.0, "0 % of total CAPEX")],
            annual_opex: 2000.0,
            total_annual_cost: 4_010.574_018_126_888,
            product_revenue: 4500.0,
            carbon_credits: 12.0,
            carbon_credit_basis: "given".into(),
            carbon_credit_revenue: 240.0,
            total_revenue: 4740.0,
            credits_by_lca: Vec::new(),
            credit_vintages: Vec::new(),
            cash_flows: vec![
                year(0, -1000.0, -1000.0, -1000.0),
                year(1, 500.0, 500.0 / 1.1, -500.0),
                year(2, 500.0, 500.0 / 1.21, 0.0),
                year(3, 500.0, 500.0 / 1.331, 500.0),
            ],
            npv: 243.425_995_492_111_2,
            benefit_cost_ratio: 1.181_818,
            irr: Some(0.233_751_928_528_848_7),
            irr_note: None,
            simple_payback: Some(2.0),
            unit_production_cost: 3_248.743_639_633_0,
            minimum_selling_price: Some(3050.0),
            cost_per_t_co2: Some(334.214_501_510_574),
            net_cost_per_t_co2: None,
            notes: vec!["a note".into()],
        }
    }

    fn table(b: &Block) -> &Table {
        match b {
            Block::Table(t) | Block::ChartWithTable(_, t) => t,
            other => panic!("expected a table, found {other:?}"),
        }
    }

    fn chart(b: &Block) -> &Chart {
        match b {
            Block::ChartWithTable(c, _) => c,
            other => panic!("expected a chart with its table, found {other:?}"),
        }
    }

    fn kind(b: &Block) -> &'static str {
        match b {
            Block::Heading(_) => "heading",
            Block::Paragraph(_) => "paragraph",
            Block::Note(_) => "note",
            Block::KeyFigures(_) => "figures",
            Block::Table(_) => "table",
            Block::List(_) => "list",
            Block::Chart(_) => "chart",
            Block::ChartWithTable(..) => "chart+table",
            Block::Drawing(_) => "drawing",
        }
    }

    #[test]
    fn the_part_is_the_tea_section_block_for_block() {
        let t = result();
        let p = part("Plant A", &t);
        assert_eq!((p.section.as_str(), p.section_title.as_str()), ("tea", "Techno-economic analysis"));
        assert_eq!(p.basis, None);
        let b = &p.blocks;
        let kinds: Vec<&str> = b.iter().map(kind).collect();
        let expected = ["heading", "figures", "heading", "chart+table", "heading", "chart+table", "table", "list"];
        assert_eq!(kinds[..8], expected);
        assert_eq!(kinds[8..], ["table", "heading", "chart+table", "paragraph", "list"]);
        assert_eq!(b[0], Block::Heading("Plant A: KRW of 2021, 10 % discount rate, 3 years".into()));
        let Block::KeyFigures(k) = &b[1] else { unreachable!() };
        let tiles: Vec<(&str, &str, &str)> =
            k.iter().map(|k| (k.label.as_str(), k.value.as_str(), k.unit.as_str())).collect();
        assert_eq!(
            tiles,
            [
                ("B/C", "1.1818", "discounted benefits / costs"),
                ("IRR", "23.375 %", "internal rate of return"),
                ("NPV", "243.43", "KRW"),
                ("Unit production cost", "3,249", "KRW/t")
            ]
        );
    }

    #[test]
    fn the_capex_is_charted_beside_its_table() {
        let b = blocks("Plant A", &result());
        assert_eq!(b[2], Block::Heading("Capital cost (Plant A)".into()));
        let capex = chart(&b[3]);
        assert_eq!((capex.id.as_str(), capex.caption.as_str()), ("tea-plant-a-capex", "CAPEX breakdown (Plant A)"));
        let Plot::Bars { title, bars, unit } = &capex.plot else { panic!("{:?}", capex.plot) };
        assert_eq!((title.as_str(), unit.as_str()), ("CAPEX breakdown", "KRW"));
        let bars: Vec<(&str, f64, &str)> = bars.iter().map(|b| (b.label.as_str(), b.value, b.text.as_str())).collect();
        assert_eq!(
            bars,
            [("reactor", 600.0, "600 (12.0 %)"), ("filter", 400.0, "400 (8.0 %)"), ("ISBL", 2900.0, "2,900 (58.0 %)")]
        );
        let t3 = table(&b[3]);
        assert_eq!(t3.caption, "CAPEX (Plant A)");
        assert_eq!(t3.header, ["item", "KRW", "share", "how"]);
        assert_eq!(t3.rows[2], ["ISBL", "2,900", "58.0 %", "equipment x ISBL factor 2.9"]);
        assert_eq!(t3.rows[3], ["total CAPEX", "5,000", "100.0 %", ""]);
        assert_eq!(t3.rows[4], ["annual CAPEX (x CRF 0.402115)", "2,011", "", "per year"]);
    }

    #[test]
    fn operating_cost_revenue_and_cash_flow_blocks() {
        let t = result();
        let b = blocks("Plant A", &t);
        assert_eq!(b[4], Block::Heading("Operating cost (Plant A)".into()));
        let opex = chart(&b[5]);
        assert_eq!((opex.id.as_str(), opex.caption.as_str()), ("tea-plant-a-opex", "Annual OPEX breakdown (Plant A)"));
        let o = table(&b[5]);
        assert_eq!(o.caption, "Annual OPEX (Plant A)");
        // The zero insurance line is left out.
        let items: Vec<&str> = o.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(items, ["operation cost", "labor", "annual OPEX", "total annual cost (+ annual CAPEX)"]);
        assert_eq!(o.rows[0], ["operation cost", "1,500", "75.0 %", "rebuilt from prices"]);
        let v = table(&b[6]);
        assert_eq!(v.caption, "Operation cost from prices (Plant A)");
        assert_eq!(v.rows[0], ["electricity", "20,000 kWh/yr", "0.07500 KRW/kWh", "1,500"]);
        assert_eq!(v.rows[1], ["operation cost (rebuilt)", "", "", "1,500"]);
        assert_eq!(b[7], Block::List(vec!["excluded: utility cooling: 12 kWh/yr: closed loop".into()]));
        let r = table(&b[8]);
        assert_eq!(r.caption, "Revenue (Plant A)");
        assert_eq!(r.rows[0], ["product sales", "4,500", "1,235 t/yr"]);
        assert_eq!(r.rows[1], ["carbon credits", "240.00", "12.00 t CO2/yr, given"]);
        assert_eq!(b[9], Block::Heading("Cash flow and indicators (Plant A)".into()));
        let cf = chart(&b[10]);
        assert_eq!(cf.id, "tea-plant-a-cash-flow");
        assert_eq!(cf.caption, "Cumulative discounted cash flow by year (Plant A)");
        let Plot::CashFlow { title, years, discounted, undiscounted, payback, currency } = &cf.plot else {
            panic!("{:?}", cf.plot)
        };
        assert_eq!((title.as_str(), currency.as_str()), ("Cumulative cash flow", "KRW"));
        assert_eq!(years, &[0.0, 1.0, 2.0, 3.0]);
        assert_eq!(undiscounted, &[-1000.0, -500.0, 0.0, 500.0]);
        assert_eq!(discounted, &t.cumulative_discounted());
        assert_eq!(*payback, t.discounted_payback());
        let ind = table(&b[10]);
        assert_eq!(ind.caption, "Indicators (Plant A)");
        let row = |label: &str| ind.rows.iter().find(|r| r[0] == label).unwrap_or_else(|| panic!("{label}")).clone();
        assert_eq!(row("NPV"), ["NPV", "243.43 KRW", "at 10 %"]);
        assert_eq!(row("IRR"), ["IRR", "23.375 %", ""]);
        assert_eq!(row("simple payback"), ["simple payback", "2.00 yr", "from year 0, undiscounted"]);
        assert_eq!(row("net cost per t CO2"), ["net cost per t CO2", "-", "(total annual cost - sales) / t CO2"]);
        assert_eq!(row("capital recovery factor"), ["capital recovery factor", "0.402115", "3 years at 10 %"]);
        let p = t.discounted_payback().unwrap();
        assert_eq!(
            b[11],
            Block::Paragraph(format!(
                "The cumulative discounted cash flow turns positive after {} years (discounted payback, marked); the NPV is its value in the last year.",
                sig(p, 3)
            ))
        );
        assert_eq!(b[12], Block::List(vec!["a note".into()]));
    }

    #[test]
    fn a_given_capex_gets_a_note_instead_of_a_chart() {
        let mut t = result();
        t.equipment.clear();
        t.capex = vec![line("total CAPEX", 5000.0, "given")];
        t.cash_flows.clear();
        let b = blocks("tea", &t);
        assert_eq!(
            b[3],
            Block::Note("CAPEX is given as a total (5,000 KRW), so there is no breakdown to chart.".into())
        );
        assert_eq!(
            table(&b[4]).rows,
            [["total CAPEX", "5,000", "100.0 %", ""], ["annual CAPEX (x CRF 0.402115)", "2,011", "", "per year"]]
        );
        let n = b.len();
        assert_eq!(b[n - 3], Block::Note("The TEA reports no yearly cash flows.".into()));
        assert_eq!(table(&b[n - 2]).caption, "Indicators (tea)");
    }

    #[test]
    fn the_summary_leads_with_the_indicators() {
        let t = result();
        let s = summary("tea", &t);
        let source = "TEA tea, KRW at 10 %";
        assert_eq!(
            s.lead,
            [
                KeyFigure::new("Benefit/cost ratio", "1.1818".into(), "B/C, discounted", source),
                KeyFigure::new("IRR", "23.375 %".into(), "internal rate of return", source),
                KeyFigure::new("NPV", "243.43".into(), "KRW at 10 %", source),
                KeyFigure::new("Unit production cost", "3,249".into(), "KRW/t", source),
            ]
        );
        assert_eq!(
            s.more,
            [
                KeyFigure::new("Total CAPEX", "5,000".into(), "KRW", source),
                KeyFigure::new("Product sold", "1,235".into(), "t/yr", source),
            ]
        );
        let labels: Vec<&str> = s.if_not_first.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["Benefit/cost ratio (tea)", "IRR (tea)", "NPV (tea)", "Unit production cost (tea)"]);
        assert_eq!(s.if_not_first[3].value, "3,249");
        assert!(s.replaces_plant_figures);
        let mut t = t;
        t.irr = None;
        assert_eq!(summary("tea", &t).lead[1].value, "undefined");
    }

    #[test]
    fn credit_vintages_are_a_table_after_the_revenue() {
        use crate::assess::CreditVintage;
        let mut t = result();
        let vintage = |k: u32, share: f64| CreditVintage {
            operating_year: k,
            year: k,
            tonnes: 12.0 * share,
            revenue: 240.0 * share,
        };
        t.credit_vintages = vec![vintage(1, 0.5), vintage(2, 1.0), vintage(3, 1.0)];
        let b = blocks("Plant A", &t);
        assert_eq!(table(&b[8]).caption, "Revenue (Plant A)");
        let v = table(&b[9]);
        assert_eq!(
            v.caption,
            "Credit vintages (Plant A): CO2 credited and credit revenue per operating year, operating year 1 being year 1 of the cash flow"
        );
        assert_eq!(v.header, ["years", "t CO2", "revenue (KRW)"]);
        // Equal years share a row; the total is the sum of every year.
        assert_eq!(
            v.rows,
            [
                vec!["1".to_string(), sig(6.0, 4), money(120.0)],
                vec!["2–3".to_string(), format!("{} per year", sig(12.0, 4)), format!("{} per year", money(240.0))],
                vec!["total".to_string(), sig(30.0, 4), money(600.0)],
            ]
        );
        assert_eq!(b[10], Block::Heading("Cash flow and indicators (Plant A)".into()));
        let csv = crate::render::to_csv(&t);
        let part = csv.iter().find(|c| c.part == "credit-vintages").expect("a credit-vintages CSV part");
        assert_eq!(part.text, "operating_year,year,t_co2,revenue\n1,1,6,120\n2,2,12,240\n3,3,12,240\n");
        let text = crate::render::to_table(&t);
        assert!(text.contains("credit vintages (KRW;"), "{text}");
        // Without vintages, neither the table nor the CSV part.
        t.credit_vintages.clear();
        assert!(crate::render::to_csv(&t).iter().all(|c| c.part != "credit-vintages"));
        assert!(!crate::render::to_table(&t).contains("credit vintages"));
        assert_eq!(blocks("Plant A", &t)[9], Block::Heading("Cash flow and indicators (Plant A)".into()));
    }

    #[test]
    fn discounted_payback_is_interpolated() {
        let mut t = result();
        t.cash_flows = [-10.0, 4.0, 4.0, 4.0].iter().enumerate().map(|(i, d)| year(i as u32, 0.0, *d, 0.0)).collect();
        assert_eq!(t.discounted_payback(), Some(2.5));
        assert_eq!(t.cumulative_discounted(), vec![-10.0, -6.0, -2.0, 2.0]);
        t.cash_flows.truncate(2);
        assert_eq!(t.discounted_payback(), None);
    }
}
