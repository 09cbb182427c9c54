//! Rendering a [`TeaResult`]: headline metrics (fixed order), a text report and CSV.

use std::fmt::Write;

use calx_core::{CsvTable, Metric, MetricWriter};

use calx_core::format::{group, plain_percent as pct};

use crate::assess::TeaResult;

/// A line name as a metric key: spaces become `_` (`variable_cost.feed_raw_ash`).
pub(crate) struct Key<'a>(pub &'a str);

/// A CAPEX line's name as a metric key: spaces become `_`, commas go
/// (`capex.design_and_engineering`).
pub(crate) struct CapexKey<'a>(pub &'a str);

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.chars().try_for_each(|c| f.write_char(if c == ' ' { '_' } else { c }))
    }
}

impl std::fmt::Display for CapexKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.chars().filter(|&c| c != ',').try_for_each(|c| f.write_char(if c == ' ' { '_' } else { c }))
    }
}

/// The metrics, in a fixed order; optional ones only when defined.
pub fn metrics(r: &TeaResult) -> Vec<Metric> {
    let mut out = Vec::new();
    metrics_into(r, &mut MetricWriter::new(&mut out));
    out
}

/// [`metrics`] written over a list in place (a study's samples).
pub fn metrics_into(r: &TeaResult, w: &mut MetricWriter<'_>) {
    let c = r.currency.as_str();
    let yr = format!("{c}/yr");
    w.put("annual_production", r.annual_production, "t/yr");
    w.put("simulated_production", r.simulated_production, "t/yr");
    w.put("discount_rate", r.discount_rate * 100.0, "%");
    w.put("crf", r.crf, "1");
    for l in &r.equipment {
        w.put_fmt(format_args!("equipment.{}", l.name), l.value, c);
    }
    for l in r.capex.iter().filter(|l| l.name != "total CAPEX") {
        w.put_fmt(format_args!("capex.{}", CapexKey(&l.name)), l.value, c);
    }
    w.put("total_capex", r.total_capex, c);
    w.put("annual_capex", r.annual_capex, &yr);
    w.put("operation_cost", r.operation_cost, &yr);
    if let Some(g) = r.operation_cost_given {
        w.put("operation_cost_given", g, &yr);
    }
    if let Some(b) = r.operation_cost_rebuilt {
        w.put("operation_cost_rebuilt", b, &yr);
        for l in &r.variable_costs {
            w.put_fmt(format_args!("variable_cost.{}", Key(&l.name)), l.value, &yr);
        }
    }
    for l in &r.fixed_costs {
        w.put(&l.name, l.value, &yr);
    }
    w.put("annual_opex", r.annual_opex, &yr);
    w.put("total_annual_cost", r.total_annual_cost, &yr);
    w.put("product_revenue", r.product_revenue, &yr);
    w.put("carbon_credits", r.carbon_credits, "t CO2/yr");
    w.put("carbon_credit_revenue", r.carbon_credit_revenue, &yr);
    w.put("total_revenue", r.total_revenue, &yr);
    for (n, t, v) in &r.credits_by_lca {
        w.put_fmt(format_args!("carbon_credits_if.{n}"), *t, "t CO2/yr");
        w.put_fmt(format_args!("carbon_credit_revenue_if.{n}"), *v, &yr);
    }
    indicators_into(r, w);
}

/// The indicators' metrics.
fn indicators_into(r: &TeaResult, w: &mut MetricWriter<'_>) {
    let c = r.currency.as_str();
    w.put("benefit_cost_ratio", r.benefit_cost_ratio, "1");
    w.put("npv", r.npv, c);
    if let Some(i) = r.irr {
        w.put("irr", i * 100.0, "%");
    }
    if let Some(p) = r.simple_payback {
        w.put("simple_payback", p, "yr");
    }
    let per_t = format!("{c}/t");
    w.put("unit_production_cost", r.unit_production_cost, &per_t);
    if let Some(p) = r.minimum_selling_price {
        w.put("minimum_selling_price", p, &per_t);
    }
    if let Some(x) = r.cost_per_t_co2 {
        w.put("cost_per_t_co2", x, &format!("{c}/t CO2"));
    }
    if let Some(x) = r.net_cost_per_t_co2 {
        w.put("net_cost_per_t_co2", x, &format!("{c}/t CO2"));
    }
}

/// Human-readable report.
pub fn to_table(r: &TeaResult) -> String {
    let mut s = String::new();
    header(&mut s, r);
    capital(&mut s, r);
    operating(&mut s, r);
    revenue(&mut s, r);
    indicators(&mut s, r);
    cash_flow(&mut s, r);
    credit_vintages(&mut s, r);
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\n  notes");
        for n in &r.notes {
            let _ = writeln!(s, "    {n}");
        }
    }
    s
}

/// A line of a breakdown: name, grouped money, and a remark.
fn item(s: &mut String, name: &str, value: f64, remark: &str) {
    let _ = writeln!(s, "    {:<34} {:>18}   {remark}", name, group(value, 0));
}

/// The title and the basis: currency, discount rate, lifetime, CRF, hours, product sold.
fn header(s: &mut String, r: &TeaResult) {
    let _ = writeln!(s, "Techno-economic analysis: {}", r.flowsheet);
    let _ = writeln!(
        s,
        "  currency {}{}; discount rate {} %; lifetime {} yr; CRF {:.6}; {} h/yr; product sold {} t/yr",
        r.currency,
        r.base_year.map(|y| format!(" ({y})")).unwrap_or_default(),
        pct(r.discount_rate),
        r.lifetime,
        r.crf,
        group(r.operating_hours, 0),
        group(r.annual_production, 0)
    );
}

/// Equipment costs and the CAPEX build-up.
fn capital(s: &mut String, r: &TeaResult) {
    let c = r.currency.as_str();
    if !r.equipment.is_empty() {
        let _ = writeln!(s, "\n  equipment ({c})");
        for l in &r.equipment {
            item(s, &l.name, l.value, &l.note);
        }
    }
    let _ = writeln!(s, "\n  capital ({c})");
    for l in &r.capex {
        item(s, &l.name, l.value, &l.note);
    }
    item(s, "annual CAPEX", r.annual_capex, "total CAPEX x CRF, per year");
}

/// The operation cost (given, rebuilt, or both), its lines and exclusions, the fixed costs and
/// the totals.
fn operating(s: &mut String, r: &TeaResult) {
    let _ = writeln!(s, "\n  operating cost ({}/yr)", r.currency);
    match (r.operation_cost_given, r.operation_cost_rebuilt) {
        (Some(g), Some(b)) => {
            item(s, "operation cost", g, "given, used");
            let remark = format!("rebuilt from prices, for comparison ({})", crate::describe::change(b, g, 1));
            item(s, "operation cost (rebuilt)", b, &remark);
        }
        (Some(g), None) => item(s, "operation cost", g, "given"),
        (None, _) => item(s, "operation cost", r.operation_cost, "rebuilt from prices"),
    }
    for l in &r.variable_costs {
        let _ = writeln!(
            s,
            "      {:<32} {:>18}   {} {} x {} {}",
            l.name,
            group(l.value, 0),
            group(l.amount.unwrap_or(0.0), 1),
            l.unit,
            group(l.price.unwrap_or(0.0), 2),
            l.price_unit
        );
    }
    for e in &r.excluded {
        let _ = writeln!(s, "      excluded: {e}");
    }
    for l in &r.fixed_costs {
        item(s, &l.name, l.value, &l.note);
    }
    let _ = writeln!(s, "    {:<34} {:>18}", "annual OPEX", group(r.annual_opex, 0));
    item(s, "total annual cost", r.total_annual_cost, "annual CAPEX + annual OPEX");
}

/// Sales, credits (and what each LCA would credit) and the total.
fn revenue(s: &mut String, r: &TeaResult) {
    let _ = writeln!(s, "\n  revenue ({}/yr)", r.currency);
    let _ = writeln!(s, "    {:<34} {:>18}", "product sales", group(r.product_revenue, 0));
    let credits = format!("{} t CO2/yr, {}", group(r.carbon_credits, 1), r.carbon_credit_basis);
    item(s, "carbon credits", r.carbon_credit_revenue, &credits);
    for (n, t, v) in &r.credits_by_lca {
        let _ = writeln!(
            s,
            "      {:<32} {:>18}   {} t CO2/yr (not used)",
            format!("if from LCA `{n}`"),
            group(*v, 0),
            group(*t, 1)
        );
    }
    let _ = writeln!(s, "    {:<34} {:>18}", "total revenue", group(r.total_revenue, 0));
}

/// B/C, NPV, IRR, payback, unit cost, minimum selling price, cost per t CO2, and the IRR's
/// note.
fn indicators(s: &mut String, r: &TeaResult) {
    let c = r.currency.as_str();
    let line = |s: &mut String, name: &str, value: String, remark: &str| {
        let _ = writeln!(s, "    {:<34} {:>18}{remark}", name, value);
    };
    let _ = writeln!(s, "\n  indicators");
    line(s, "B/C", format!("{:.4}", r.benefit_cost_ratio), "");
    line(s, &format!("NPV ({c})"), group(r.npv, 0), &format!("   at {} %", pct(r.discount_rate)));
    line(s, "IRR", r.irr.map(|i| format!("{:.3} %", i * 100.0)).unwrap_or_else(|| "undefined".into()), "");
    let pb = r.simple_payback.map(|p| format!("{p:.2} yr")).unwrap_or_else(|| "never".into());
    line(s, "simple payback", pb, "   from year 0");
    let per_t = [
        ("unit production cost", Some(r.unit_production_cost), "total annual cost / product sold"),
        ("minimum selling price", r.minimum_selling_price, "product price at NPV = 0"),
        ("cost per t CO2", r.cost_per_t_co2, "total annual cost / t CO2 credited"),
        ("net cost per t CO2", r.net_cost_per_t_co2, "(total annual cost - sales) / t CO2"),
    ];
    for (name, value, remark) in per_t {
        if let Some(x) = value {
            item(s, &format!("{name} ({c}/t)"), x, remark);
        }
    }
    if let Some(n) = &r.irr_note {
        let _ = writeln!(s, "    IRR: {n}");
    }
}

/// The yearly cash flow: the first four and the last two years when there are more than
/// eight.
fn cash_flow(s: &mut String, r: &TeaResult) {
    let _ =
        writeln!(s, "\n  cash flow ({}; capital in years 0 .. C-1, operation after; end-of-year flows)", r.currency);
    let _ = writeln!(
        s,
        "    {:>4} {:>16} {:>16} {:>16} {:>14} {:>16} {:>16}",
        "year", "capex", "revenue", "opex", "tax", "net", "cumulative"
    );
    let n = r.cash_flows.len();
    for (i, y) in r.cash_flows.iter().enumerate() {
        if elided(s, i, n) {
            continue;
        }
        let _ = writeln!(
            s,
            "    {:>4} {:>16} {:>16} {:>16} {:>14} {:>16} {:>16}",
            y.year,
            group(y.capex, 0),
            group(y.revenue, 0),
            group(y.opex, 0),
            group(y.tax, 0),
            group(y.net, 0),
            group(y.cumulative, 0)
        );
    }
}

/// Whether row `i` of `n` is left out of a long table (more than eight rows: the first four
/// and the last two are shown), writing `...` in place of the first row left out.
fn elided(s: &mut String, i: usize, n: usize) -> bool {
    let out = n > 8 && i >= 4 && i + 2 < n;
    if out && i == 4 {
        let _ = writeln!(s, "    {:>4}", "...");
    }
    out
}

/// The credits year by year (when there are any), shortened like the cash flow.
fn credit_vintages(s: &mut String, r: &TeaResult) {
    if r.credit_vintages.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n  credit vintages ({}; CO2 credited and credit revenue per operating year)", r.currency);
    let _ = writeln!(s, "    {:>4} {:>9} {:>14} {:>16}", "year", "operating", "t CO2", "revenue");
    let n = r.credit_vintages.len();
    for (i, v) in r.credit_vintages.iter().enumerate() {
        if elided(s, i, n) {
            continue;
        }
        let _ = writeln!(
            s,
            "    {:>4} {:>9} {:>14} {:>16}",
            v.year,
            v.operating_year,
            group(v.tonnes, 1),
            group(v.revenue, 0)
        );
    }
}

/// CSV, one table per file: the metrics (`section,name,value,unit`), the cash-flow table by
/// year (`cash-flow`), and, when there are credits, the credits by year (`credit-vintages`).
pub fn to_csv(r: &TeaResult) -> Vec<CsvTable> {
    let mut s = String::from("section,name,value,unit\n");
    for x in metrics(r) {
        let _ = writeln!(s, "metric,{},{},{}", x.name, x.value, x.unit);
    }
    let mut flows = String::from("year,capex,revenue,opex,depreciation,tax,net,discounted,cumulative\n");
    for y in &r.cash_flows {
        let _ = writeln!(
            flows,
            "{},{},{},{},{},{},{},{},{}",
            y.year, y.capex, y.revenue, y.opex, y.depreciation, y.tax, y.net, y.discounted, y.cumulative
        );
    }
    let mut tables = vec![CsvTable::main(s), CsvTable { part: "cash-flow".into(), text: flows }];
    if !r.credit_vintages.is_empty() {
        let mut vintages = String::from("operating_year,year,t_co2,revenue\n");
        for v in &r.credit_vintages {
            let _ = writeln!(vintages, "{},{},{},{}", v.operating_year, v.year, v.tonnes, v.revenue);
        }
        tables.push(CsvTable { part: "credit-vintages".into(), text: vintages });
    }
    tables
}
