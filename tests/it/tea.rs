//! The TEA (`calx-tea`) of the KIGAM 2022 reference plant against the paper's Table 7, and the
//! TEA's refusals of bad input, each naming the parameter at fault.
//!
//! Paper: E. Jung and J. Kim, J. Korean Inst. Resources Recycling, 2022, restated in
//! `docs/sources.md` §KIGAM 2022 TEA assumptions, §KIGAM 2022 TEA result and §KIGAM 2022 derived figures.
//! Every assertion names the table and row, or the derivation, of the number it checks. What
//! does not reproduce, and why, is in `crates/calx-tea/README.md`.

use std::path::Path;

use calx_core::AnalysisOutput;
use calx_tests::root;

const REFERENCE: &str = "flowsheets/kigam-cfbc-2022.yaml";

/// Relative tolerance for figures the paper prints to the unit (KRW): rounding only.
const EXACT: f64 = 1e-6;

/// Parse flowsheet text as `calx run` does, solve it and run its analyses.
fn analyse_text(text: &str) -> Result<Vec<AnalysisOutput>, String> {
    let base = root().join("flowsheets");
    let project = calx::Project::from_text(text, REFERENCE, Path::new(&base), &calx::LoadOptions::default())
        .map_err(|e| e.to_string())?;
    project.solve().map(|solved| solved.analyses).map_err(|e| e.to_string())
}

fn reference_text() -> String {
    std::fs::read_to_string(root().join(REFERENCE)).unwrap_or_else(|e| panic!("{REFERENCE}: {e}"))
}

/// The reference flowsheet with its `tea:` block replaced by `block` (indented as in the file).
fn with_tea(block: &str) -> String {
    let text = reference_text();
    let start = text.find("\n  tea:\n").expect("the reference flowsheet has a `tea:` block");
    let end = text.find("\ndisplay:").expect("the reference flowsheet has `display:`");
    format!("{}\n{}\n{}", &text[..start], block.trim_end(), &text[end..])
}

fn tea(outputs: &[AnalysisOutput]) -> &AnalysisOutput {
    outputs.iter().find(|a| a.type_name == "tea").expect("a tea analysis ran")
}

fn metric(a: &AnalysisOutput, name: &str) -> f64 {
    a.metric(name).unwrap_or_else(|| {
        panic!("tea has no metric `{name}`; it has {:?}", a.metrics.iter().map(|m| &m.name).collect::<Vec<_>>())
    })
}

fn close(what: &str, model: f64, expected: f64, tol: f64) {
    let dev = (model - expected) / expected;
    assert!(
        dev.abs() <= tol,
        "{what}: model {model}, expected {expected}, deviation {:+.5} % > {} %",
        dev * 100.0,
        tol * 100.0
    );
}

fn reference() -> Vec<AnalysisOutput> {
    analyse_text(&reference_text()).unwrap_or_else(|e| panic!("{REFERENCE}:\n{e}"))
}

#[test]
fn the_reference_tea_reproduces_table_7() {
    let out = reference();
    let t = tea(&out);
    close("derived: CRF(7 %, 30 yr) = 0.080586", metric(t, "crf"), 0.080586, 1e-5);
    close("derived: total CAPEX = 26,628,153 / CRF", metric(t, "total_capex"), 330_429_847.0, EXACT);
    close("Table 7 annual CAPEX", metric(t, "annual_capex"), 26_628_153.0, 2e-6);
    close("Table 7 operation cost", metric(t, "operation_cost"), 81_608_890.0, EXACT);
    close("Table 7 labor", metric(t, "labor"), 95_000_000.0, EXACT);
    close("Table 7 administrative (20 % of labor)", metric(t, "administration"), 19_000_000.0, EXACT);
    close("Table 7 overhead (10 % of labor)", metric(t, "overhead"), 9_500_000.0, EXACT);
    close("Table 7 research", metric(t, "research"), 2_533_000.0, EXACT);
    close("Table 7 annual OPEX", metric(t, "annual_opex"), 207_641_890.0, EXACT);
    close("Table 7 total annual cost", metric(t, "total_annual_cost"), 234_270_043.0, EXACT);
    close("Table 7 revenue: 17,585 t x 13,000", metric(t, "product_revenue"), 228_605_000.0, EXACT);
    close("Table 7 revenue: 800 t CO2 x 20,000", metric(t, "carbon_credit_revenue"), 16_000_000.0, EXACT);
    close("Table 7 total annual revenue", metric(t, "total_revenue"), 244_605_000.0, EXACT);
    close(
        "derived: B/C = 244,605,000 / 234,270,043 = 1.0441 (text 1.04)",
        metric(t, "benefit_cost_ratio"),
        1.044_116,
        1e-5,
    );
    close("Table 7 IRR 10.65 % (derived 10.649 %)", metric(t, "irr"), 10.649, 1e-4);
    close("Table 7 unit production cost 13,322 KRW/t", metric(t, "unit_production_cost"), 13_322.0, 5e-5);
}

#[test]
fn the_reference_npv_is_reported_at_7_percent_not_as_printed() {
    let out = reference();
    let t = tea(&out);
    // derived: Total CAPEX at year 0, then 30 years of 244,605,000 - 207,641,890 = 36,963,110.
    close("derived: NPV at 7 % = 128,246,907", metric(t, "npv"), 128_246_907.0, 1e-6);
    // Table 7 prints 24,713,465: that is the NPV of the same flows at about 9.77 % (derived).
    let flows: Vec<f64> = std::iter::once(-330_429_847.0).chain(std::iter::repeat_n(36_963_110.0, 30)).collect();
    let printed: f64 = flows.iter().enumerate().map(|(t, x)| x / 1.0977f64.powi(t as i32)).sum();
    close("derived: the printed 24,713,465 is the NPV at about 9.77 %", printed, 24_713_465.0, 0.01);
    // The same schedule: simple payback 330,429,847 / 36,963,110 = 8.94 years (derived here).
    close(
        "derived: payback = CAPEX / (revenue - OPEX)",
        metric(t, "simple_payback"),
        330_429_847.0 / 36_963_110.0,
        1e-9,
    );
}

#[test]
fn the_operation_cost_is_shown_as_given_and_as_rebuilt_from_the_stated_prices() {
    let out = reference();
    let t = tea(&out);
    let given = metric(t, "operation_cost_given");
    let rebuilt = metric(t, "operation_cost_rebuilt");
    close("Table 7 operation cost, given", given, 81_608_890.0, EXACT);
    // Simulated electricity 81.42 kWh/t (Table 4) x 17,583 t/yr at 70 KRW/kWh (text).
    let electricity = metric(t, "variable_cost.electricity");
    close("Table 4 electricity x 70 KRW/kWh", electricity, 81.42 * 17_583.13 * 70.0, 1e-3);
    // Process water 130,785 t/yr (Table 2) at 1,200 KRW/t (text).
    close("Table 2 water x 1,200 KRW/t", metric(t, "variable_cost.feed_process_water"), 130_785.0 * 1200.0, 1e-3);
    assert!(electricity > given, "electricity alone ({electricity}) exceeds the printed operation cost ({given})");
    assert!(1_341_156.0 * 70.0 > given, "Table 2 electricity x 70 KRW/kWh exceeds the printed operation cost");
    close("rebuilt = electricity + water", rebuilt, electricity + metric(t, "variable_cost.feed_process_water"), 1e-12);
    assert!(t.text.contains("81,608,890") && t.text.contains("rebuilt"), "the report shows both:\n{}", t.text);
}

#[test]
fn the_credits_the_lca_would_give_are_reported_beside_the_papers_800_t() {
    let out = reference();
    let t = tea(&out);
    close("Table 7: 800 t CO2 credited", metric(t, "carbon_credits"), 800.0, EXACT);
    // LCA result: 45.8 kg/t x 17,585 t = 805.3 t/yr (the model: 45.86 kg/t x 17,583 t).
    close("LCA result: 805.3 t/yr net reduction", metric(t, "carbon_credits_if.lca"), 805.3, 0.002);
    let lca = out.iter().find(|a| a.name == "lca").unwrap();
    close(
        "credit = LCA net_reduction_per_year",
        metric(t, "carbon_credits_if.lca"),
        lca.metric("net_reduction_per_year").unwrap() / 1000.0,
        1e-12,
    );
    assert!(metric(t, "carbon_credits_if.lca_official_grid") < metric(t, "carbon_credits_if.lca"));
    // With `carbon_credits: lca` the credit revenue follows the LCA.
    let text = reference_text().replace("carbon_credits: 800 t/yr", "carbon_credits: lca");
    let t2 = analyse_text(&text).unwrap();
    close("credits from the LCA", metric(tea(&t2), "carbon_credits"), metric(t, "carbon_credits_if.lca"), 1e-12);
}

const BASE: &str = "  tea:
    currency: KRW
    discount_rate: 7 %
    lifetime: 30 yr
    labor: 95,000,000 KRW/yr
    product_price: 13,000 KRW/t
    utility_prices: { electricity: 70 KRW/kWh, cooling: \"excluded: closed loop\" }
    feed_prices: { process_water: \"1,200 KRW/t\", raw_ash: 0 KRW/t, flue_gas: 0 KRW/t }
";

#[test]
fn equipment_costs_from_unit_sizes_build_capex_by_the_factorial_method() {
    let block = format!(
        "{BASE}    base_year: 2018
    capex_method: factorial
    equipment_cost: {{ hydration: \"50,000,000 KRW\" }}
    equipment_correlation:
      carbonation: \"cost: 100,000,000 KRW; at: 1 kg/s; size: throughput; exponent: 0.6; year: 2016\"
"
    );
    let out = analyse_text(&with_tea(&block)).unwrap();
    let t = tea(&out);
    // carbonation throughput 4.69735 kg/s (flowsheet snapshot); CEPCI 2018/2016 = 603/568 (docs/sources.md §Cost indices).
    let throughput: f64 = 4.697_35;
    let carbonation = 1e8 * throughput.powf(0.6) * 603.0 / 568.0;
    close("C0 (S/S0)^n x index ratio", metric(t, "equipment.carbonation"), carbonation, 1e-5);
    let isbl = (carbonation + 5e7) * 2.9;
    // KIGAM 2022 as printed: FIE = ISBL (DE + X), OSBL = ISBL OS, NWC = FIE Y, total = FIE + OSBL + NWC.
    let fie = isbl * 0.4;
    close("factorial total", metric(t, "total_capex"), fie + isbl * 0.3 + fie * 0.05, 1e-5);
    // Without `operation_cost` the rebuilt figure is the one used.
    close("operation cost rebuilt and used", metric(t, "operation_cost"), metric(t, "operation_cost_rebuilt"), 1e-12);
}

#[test]
fn towler_sinnott_uses_the_installation_factors() {
    let block = format!(
        "{BASE}    capex_method: towler_sinnott\n    plant_type: solids\n    equipment_cost: {{ carbonation: \"100,000,000 KRW\" }}\n"
    );
    let out = analyse_text(&with_tea(&block)).unwrap();
    // docs/sources.md §Towler and Sinnott factorial method, solids [U]: ISBL = Ce [(1 + 0.2) + 0.6 + 0.15 + 0.2 + 0.2 + 0.1 + 0.05] = 2.5 Ce;
    // fixed = ISBL (1 + 0.4)(1 + 0.2 + 0.1); working capital 5 %.
    let fixed = 1e8 * 2.5 * 1.4 * 1.3;
    close("Towler & Sinnott total", metric(tea(&out), "total_capex"), fixed * 1.05, 1e-9);
}

/// The error a variant of the reference TEA block gives (at load or at run time).
fn error_of(block: &str) -> String {
    match analyse_text(&with_tea(block)) {
        Ok(_) => panic!("expected an error for\n{block}"),
        Err(e) => e,
    }
}

#[test]
fn bad_tea_input_is_refused_with_the_parameter_named() {
    let given = format!("{BASE}    total_capex: 330,429,847 KRW\n");
    let cases: [(String, &[&str]); 9] = [
        (
            format!("{BASE}    capex_method: factorial\n    equipment_cost: {{ carbonator: \"1,000 KRW\" }}\n"),
            &["equipment_cost", "no unit `carbonator`", "carbonation"],
        ),
        (
            given.replace("product_price: 13,000 KRW/t", "product_price: 10 USD/t"),
            &["product_price", "USD", "KRW", "exchange"],
        ),
        (given.replace("product_price: 13,000 KRW/t", "product_price: -13,000 KRW/t"), &["product_price", "negative"]),
        (given.replace("    currency: KRW\n", ""), &["currency"]),
        (given.replace("cooling: \"excluded: closed loop\"", "heating: 1 KRW/kWh"), &["utility_prices", "cooling"]),
        (given.replace("flue_gas: 0 KRW/t", "flue_gas: 0 KRW/kWh"), &["feed_prices", "flue_gas", "price per mass"]),
        (
            format!(
                "{BASE}    capex_method: factorial\n    equipment_correlation: {{ carbonation: \"cost: 1 KRW; at: 1 m3; size: volume; exponent: 0.6\" }}\n"
            ),
            &["equipment_correlation", "no size `volume`", "throughput"],
        ),
        (given.replace("discount_rate: 7 %", "discount_rate: -150 %"), &["discount_rate", "-100 %"]),
        (
            format!("{given}    carbon_price: 20,000 KRW/t\n    carbon_credits: lca:nonexistent\n"),
            &["carbon_credits", "nonexistent", "lca_official_grid"],
        ),
    ];
    for (block, expected) in cases {
        let e = error_of(&block);
        for x in expected {
            assert!(e.contains(x), "error for\n{block}\nshould contain `{x}`:\n{e}");
        }
    }
}

#[test]
fn the_minimum_selling_price_makes_the_npv_zero() {
    // Hand-worked for the reference schedule (all capital at year 0, equal flows in years
    // 1..n): NPV = -CAPEX + (P Q + credits - OPEX) / CRF = 0  =>  P = (CAPEX CRF + OPEX - credits) / Q.
    let out = reference();
    let a = tea(&out);
    let expected = (metric(a, "total_capex") * metric(a, "crf") + metric(a, "annual_opex")
        - metric(a, "carbon_credit_revenue"))
        / metric(a, "annual_production");
    close(
        "minimum selling price (KRW/t), hand-worked from Table 7 figures",
        metric(a, "minimum_selling_price"),
        expected,
        1e-6,
    );
    assert!(
        metric(a, "minimum_selling_price") < 13_000.0,
        "the paper's 13,000 KRW/t price is above break-even (B/C > 1)"
    );
}
