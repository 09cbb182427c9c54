//! Rendering a [`TeaResult`]: headline metrics (fixed order), a text report and CSV.

use std::fmt::Write;

use calx_core::Metric;

use calx_core::format::{group, plain_percent as pct};

use crate::assess::TeaResult;

fn m(name: &str, value: f64, unit: &str) -> Metric {
    Metric { name: name.into(), value, unit: unit.into() }
}

/// The metrics, in a fixed order; optional ones only when defined.
pub fn metrics(r: &TeaResult) -> Vec<Metric> {
    let c = r.currency.as_str();
    let yr = format!("{c}/yr");
    let mut out = vec![
        m("annual_production", r.annual_production, "t/yr"),
        m("simulated_production", r.simulated_production, "t/yr"),
        m("discount_rate", r.discount_rate * 100.0, "%"),
        m("crf", r.crf, "1"),
    ];
    for l in &r.equipment {
        out.push(m(&format!("equipment.{}", l.name), l.value, c));
    }
    for l in r.capex.iter().filter(|l| l.name != "total CAPEX") {
        out.push(m(&format!("capex.{}", l.name.replace(' ', "_").replace(',', "")), l.value, c));
    }
    out.push(m("total_capex", r.total_capex, c));
    out.push(m("annual_capex", r.annual_capex, &yr));
    out.push(m("operation_cost", r.operation_cost, &yr));
    if let Some(g) = r.operation_cost_given {
        out.push(m("operation_cost_given", g, &yr));
    }
    if let Some(b) = r.operation_cost_rebuilt {
        out.push(m("operation_cost_rebuilt", b, &yr));
        for l in &r.variable_costs {
            out.push(m(&format!("variable_cost.{}", l.name.replace(' ', "_")), l.value, &yr));
        }
    }
    for l in &r.fixed_costs {
        out.push(m(&l.name, l.value, &yr));
    }
    out.push(m("annual_opex", r.annual_opex, &yr));
    out.push(m("total_annual_cost", r.total_annual_cost, &yr));
    out.push(m("product_revenue", r.product_revenue, &yr));
    out.push(m("carbon_credits", r.carbon_credits, "t CO2/yr"));
    out.push(m("carbon_credit_revenue", r.carbon_credit_revenue, &yr));
    out.push(m("total_revenue", r.total_revenue, &yr));
    for (n, t, v) in &r.credits_by_lca {
        out.push(m(&format!("carbon_credits_if.{n}"), *t, "t CO2/yr"));
        out.push(m(&format!("carbon_credit_revenue_if.{n}"), *v, &yr));
    }
    out.push(m("benefit_cost_ratio", r.benefit_cost_ratio, "1"));
    out.push(m("npv", r.npv, c));
    if let Some(i) = r.irr {
        out.push(m("irr", i * 100.0, "%"));
    }
    if let Some(p) = r.simple_payback {
        out.push(m("simple_payback", p, "yr"));
    }
    out.push(m("unit_production_cost", r.unit_production_cost, &format!("{c}/t")));
    if let Some(p) = r.minimum_selling_price {
        out.push(m("minimum_selling_price", p, &format!("{c}/t")));
    }
    if let Some(x) = r.cost_per_t_co2 {
        out.push(m("cost_per_t_co2", x, &format!("{c}/t CO2")));
    }
    if let Some(x) = r.net_cost_per_t_co2 {
        out.push(m("net_cost_per_t_co2", x, &format!("{c}/t CO2")));
    }
    out
}

/// Human-readable report.
pub fn to_table(r: &TeaResult) -> String {
    let c = r.currency.as_str();
    let mut s = String::new();
    let _ = writeln!(s, "Techno-economic analysis: {}", r.flowsheet);
    let _ = writeln!(
        s,
        "  currency {c}{}; discount rate {} %; lifetime {} yr; CRF {:.6}; {} h/yr; product sold {} t/yr",
        r.base_year.map(|y| format!(" ({y})")).unwrap_or_default(),
        pct(r.discount_rate),
        r.lifetime,
        r.crf,
        group(r.operating_hours, 0),
        group(r.annual_production, 0)
    );
    if !r.equipment.is_empty() {
        let _ = writeln!(s, "\n  equipment ({c})");
        for l in &r.equipment {
            let _ = writeln!(s, "    {:<34} {:>18}   {}", l.name, group(l.value, 0), l.note);
        }
    }
    let _ = writeln!(s, "\n  capital ({c})");
    for l in &r.capex {
        let _ = writeln!(s, "    {:<34} {:>18}   {}", l.name, group(l.value, 0), l.note);
    }
    let _ = writeln!(s, "    {:<34} {:>18}   total CAPEX x CRF, per year", "annual CAPEX", group(r.annual_capex, 0));

    let _ = writeln!(s, "\n  operating cost ({c}/yr)");
    match (r.operation_cost_given, r.operation_cost_rebuilt) {
        (Some(g), Some(b)) => {
            let _ = writeln!(s, "    {:<34} {:>18}   given, used", "operation cost", group(g, 0));
            let _ = writeln!(
                s,
                "    {:<34} {:>18}   rebuilt from prices, for comparison ({:+.1} %)",
                "operation cost (rebuilt)",
                group(b, 0),
                (b / g - 1.0) * 100.0
            );
        }
        (Some(g), None) => {
            let _ = writeln!(s, "    {:<34} {:>18}   given", "operation cost", group(g, 0));
        }
        (None, _) => {
            let _ =
                writeln!(s, "    {:<34} {:>18}   rebuilt from prices", "operation cost", group(r.operation_cost, 0));
        }
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
        let _ = writeln!(s, "    {:<34} {:>18}   {}", l.name, group(l.value, 0), l.note);
    }
    let _ = writeln!(s, "    {:<34} {:>18}", "annual OPEX", group(r.annual_opex, 0));
    let _ = writeln!(
        s,
        "    {:<34} {:>18}   annual CAPEX + annual OPEX",
        "total annual cost",
        group(r.total_annual_cost, 0)
    );

    let _ = writeln!(s, "\n  revenue ({c}/yr)");
    let _ = writeln!(s, "    {:<34} {:>18}", "product sales", group(r.product_revenue, 0));
    let _ = writeln!(
        s,
        "    {:<34} {:>18}   {} t CO2/yr, {}",
        "carbon credits",
        group(r.carbon_credit_revenue, 0),
        group(r.carbon_credits, 1),
        r.carbon_credit_basis
    );
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

    let _ = writeln!(s, "\n  indicators");
    let _ = writeln!(s, "    {:<34} {:>18}", "B/C", format!("{:.4}", r.benefit_cost_ratio));
    let _ = writeln!(s, "    {:<34} {:>18}   at {} %", format!("NPV ({c})"), group(r.npv, 0), pct(r.discount_rate));
    let irr = r.irr.map(|i| format!("{:.3} %", i * 100.0)).unwrap_or_else(|| "undefined".into());
    let _ = writeln!(s, "    {:<34} {:>18}", "IRR", irr);
    let pb = r.simple_payback.map(|p| format!("{p:.2} yr")).unwrap_or_else(|| "never".into());
    let _ = writeln!(s, "    {:<34} {:>18}   from year 0", "simple payback", pb);
    let _ = writeln!(
        s,
        "    {:<34} {:>18}   total annual cost / product sold",
        format!("unit production cost ({c}/t)"),
        group(r.unit_production_cost, 0)
    );
    if let Some(p) = r.minimum_selling_price {
        let _ = writeln!(
            s,
            "    {:<34} {:>18}   product price at NPV = 0",
            format!("minimum selling price ({c}/t)"),
            group(p, 0)
        );
    }
    if let Some(x) = r.cost_per_t_co2 {
        let _ = writeln!(
            s,
            "    {:<34} {:>18}   total annual cost / t CO2 credited",
            format!("cost per t CO2 ({c}/t)"),
            group(x, 0)
        );
    }
    if let Some(x) = r.net_cost_per_t_co2 {
        let _ = writeln!(
            s,
            "    {:<34} {:>18}   (total annual cost - sales) / t CO2",
            format!("net cost per t CO2 ({c}/t)"),
            group(x, 0)
        );
    }
    if let Some(n) = &r.irr_note {
        let _ = writeln!(s, "    IRR: {n}");
    }

    let _ = writeln!(s, "\n  cash flow ({c}; capital in years 0 .. C-1, operation after; end-of-year flows)");
    let _ = writeln!(
        s,
        "    {:>4} {:>16} {:>16} {:>16} {:>14} {:>16} {:>16}",
        "year", "capex", "revenue", "opex", "tax", "net", "cumulative"
    );
    let n = r.cash_flows.len();
    for (i, y) in r.cash_flows.iter().enumerate() {
        if n > 8 && i >= 4 && i + 2 < n {
            if i == 4 {
                let _ = writeln!(s, "    {:>4}", "...");
            }
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
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\n  notes");
        for n in &r.notes {
            let _ = writeln!(s, "    {n}");
        }
    }
    s
}

/// CSV: the metrics (`section,name,value,unit`) and then the full cash-flow table.
pub fn to_csv(r: &TeaResult) -> String {
    let mut s = String::from("section,name,value,unit\n");
    for x in metrics(r) {
        let _ = writeln!(s, "metric,{},{},{}", x.name, x.value, x.unit);
    }
    let _ = writeln!(s, "\nyear,capex,revenue,opex,depreciation,tax,net,discounted,cumulative");
    for y in &r.cash_flows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{}",
            y.year, y.capex, y.revenue, y.opex, y.depreciation, y.tax, y.net, y.discounted, y.cumulative
        );
    }
    s
}
