//! The TEA's two entry points on the shipped flowsheets and variants of the reference plant's
//! `tea:` block: `figures()` gives the very bits of `report()`'s metrics, only `report()`
//! carries the report part, and a parameter that does not fit the flowsheet comes back as
//! `AnalysisError::Parameter` naming it.

use std::path::{Path, PathBuf};

use calx_core::{AnalysisError, AnalysisOutput};

const REFERENCE: &str = "kigam-cfbc-2022.yaml";
const RECYCLE: &str = "kigam-cfbc-recycle.yaml";

fn flowsheets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets")
}

fn text(file: &str) -> String {
    std::fs::read_to_string(flowsheets().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// `file` with its `tea:` block replaced by `block`.
fn with_tea(file: &str, block: &str) -> String {
    let text = text(file);
    let start = text.find("\n  tea:\n").expect("a `tea:` block");
    let end = text.find("\ndisplay:").expect("`display:`");
    format!("{}\n{}\n{}", &text[..start], block.trim_end(), &text[end..])
}

/// Solve `text`, then run its analyses in full and for figures only.
fn run(text: &str) -> (Result<Vec<AnalysisOutput>, calx::AnalysisFailure>, Vec<AnalysisOutput>) {
    let project = calx::Project::from_text(text, REFERENCE, &flowsheets(), &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let result = project.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"));
    let full = project.analyse(&result);
    let quick = match project.figures(&result) {
        Ok(quick) => quick,
        Err(e) => {
            assert!(full.is_err(), "figures failed ({e}) but the report did not");
            Vec::new()
        }
    };
    (full, quick)
}

const BASE: &str = "  tea:
    currency: KRW
    discount_rate: 7 %
    lifetime: 30 yr
    labor: 95,000,000 KRW/yr
    utility_prices: { electricity: 70 KRW/kWh, cooling: \"excluded: closed loop\" }
    feed_prices: { process_water: \"1,200 KRW/t\", raw_ash: 0 KRW/t, flue_gas: \"excluded: free of charge\" }
";

/// Variants that take every path: factorial and Towler & Sinnott CAPEX, tax (so the minimum
/// selling price needs the root search), start-up output, a construction period, shares,
/// disposal, credits from the CO2 fixed and from a named LCA, a losing project (no IRR).
fn variants() -> Vec<String> {
    let blocks = [
        "    product_price: 30,000 KRW/t\n    base_year: 2018\n    capex_method: factorial\n    equipment_cost: { hydration: \"50,000,000 KRW\" }\n    equipment_correlation:\n      carbonation: \"cost: 100,000,000 KRW; at: 1 kg/s; size: throughput; exponent: 0.6; year: 2016\"\n    tax_rate: 20 %\n    construction_period: 2 yr\n    startup_output: 60 %\n    research: 2 % of revenue\n    maintenance: 3 %\n    insurance: 1 %\n    disposal_prices: { ash_reject: \"5,000 KRW/t\" }\n    carbon_price: 20,000 KRW/t\n    carbon_credits: co2_fixed\n",
        "    product_price: 25,000 KRW/t\n    capex_method: towler_sinnott\n    plant_type: fluids_solids\n    equipment_cost: { carbonation: \"100,000,000 KRW\", hydration: \"60,000,000 KRW\" }\n    tax_rate: 25 %\n    depreciation_period: 10 yr\n    research: 1 % of total_capex\n    operation_cost: 90,000,000 KRW/yr\n    annual_production: 17000 t/yr\n    carbon_price: 20,000 KRW/t\n    carbon_credits: lca:lca_official_grid\n",
        "    product_price: 1,000 KRW/t\n    total_capex: 330,429,847 KRW\n    research: 3 % of operation_cost\n",
    ];
    blocks.iter().map(|b| with_tea(REFERENCE, &format!("{BASE}{b}"))).collect()
}

#[test]
fn figures_are_the_reports_metrics_bit_for_bit() {
    let texts = [text(REFERENCE), text(RECYCLE)].into_iter().chain(variants());
    for (k, text) in texts.enumerate() {
        let (full, quick) = run(&text);
        let full = full.unwrap_or_else(|e| panic!("case {k}: {e}"));
        let (a, b) =
            (full.iter().find(|a| a.type_name == "tea").unwrap(), quick.iter().find(|a| a.type_name == "tea").unwrap());
        assert_eq!(a.metrics.len(), b.metrics.len(), "case {k}");
        for (x, y) in a.metrics.iter().zip(&b.metrics) {
            assert_eq!((&x.name, &x.unit), (&y.name, &y.unit), "case {k}");
            assert_eq!(x.value.to_bits(), y.value.to_bits(), "case {k}: {} {} vs {}", x.name, x.value, y.value);
        }
        let part = a.report.as_ref().unwrap_or_else(|| panic!("case {k}: the report has its part"));
        assert_eq!((part.section.as_str(), part.blocks.is_empty()), ("tea", false), "case {k}");
        assert!(b.report.is_none() && b.text.is_empty() && b.json.is_empty(), "case {k}: figures build no words");
        assert!(a.metric("minimum_selling_price").is_some(), "case {k}");
    }
}

/// The parameter and message of the TEA's failure on `text`.
fn parameter_error(text: &str) -> (String, String) {
    match run(text).0 {
        Err(calx::AnalysisFailure { analysis, source: AnalysisError::Parameter { param, message } }) => {
            assert_eq!(analysis, "tea");
            (param, message)
        }
        Err(e) => panic!("expected a parameter error, got {e:?}"),
        Ok(_) => panic!("expected a parameter error"),
    }
}

#[test]
fn parameters_that_do_not_fit_the_flowsheet_are_named() {
    let given = format!("{BASE}    product_price: 13,000 KRW/t\n    total_capex: 330,429,847 KRW\n");
    let (p, m) = parameter_error(&with_tea(REFERENCE, &given.replace(", flue_gas: \"excluded: free of charge\"", "")));
    assert_eq!(p, "feed_prices");
    assert!(m.contains("these have none") && m.contains("flue_gas"), "{m}");
    let (p, m) =
        parameter_error(&with_tea(REFERENCE, &given.replace("raw_ash: 0 KRW/t", "raw_ash: 0 KRW/t, slag: 0 KRW/t")));
    assert_eq!(p, "feed_prices");
    assert!(m.contains("`slag` is not a feed stream"), "{m}");
    let (p, m) = parameter_error(&text(RECYCLE).replace("      H2O: 1,200 KRW/t", "      CaO: 1,200 KRW/t"));
    assert_eq!(p, "material_prices");
    assert!(m.contains("H2O"), "{m}");
    let (p, m) = parameter_error(&with_tea(
        REFERENCE,
        &format!("{given}    carbon_price: 1 KRW/t\n    carbon_credits: lca:nonexistent\n"),
    ));
    assert_eq!(p, "carbon_credits");
    assert!(m.contains("nonexistent") && m.contains("lca_official_grid"), "{m}");
}
