//! Whole-document tests on solved flowsheets built from the generic unit types: a generated
//! 50-unit plant with ten recycle loops, missing and unreadable analyses, the Markdown
//! assets, the absence of URLs, determinism, and hand-made LCA, TEA and study results.

use calx_core::AnalysisOutput;
use calx_core::registry::Registry;
use calx_core::result::FlowsheetResult;
use calx_flowsheet::Model;

use crate::diagram::NodeKind;
use crate::{Block, Input, Options, SankeyBasis, StudyFiles, StudyResults, sankey};

/// Deterministic pseudo-random numbers below `m` (xorshift64) for the randomized tests.
pub(crate) fn random(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m.max(1) as u64) as usize
    }
}

fn registry() -> Registry {
    let mut r = Registry::new();
    for t in calx_generic::unit_types() {
        r.register(calx_generic::PROVIDER, t).unwrap_or_else(|e| panic!("{e}"));
    }
    r
}

fn solve(text: &str) -> (Model, FlowsheetResult) {
    let model = calx_flowsheet::parse(text, "test.yaml", &registry()).unwrap_or_else(|d| panic!("{d}"));
    let result = model.build().unwrap_or_else(|d| panic!("{d}")).solve().unwrap_or_else(|e| panic!("{e}"));
    (model, result)
}

/// A plant of `sections` x 5 units: mixer, heater, slaker, classifier (its CaO returns to
/// the mixer: one recycle per section) and thickener (a side product per section).
fn generated(sections: usize) -> String {
    let mut t = String::from(
        "schema_version: 1\nname: generated\ncomponents:\n  use: [CaO, H2O, Ca(OH)2]\nstreams:\n  quicklime: { flows: { CaO: 1 t/h } }\n",
    );
    for k in (0..sections).step_by(2) {
        t.push_str(&format!("  water_{k}: {{ flows: {{ H2O: 2 t/h }} }}\n"));
    }
    t.push_str("units:\n");
    for k in 0..sections {
        let inlet = if k == 0 { "quicklime".to_string() } else { format!("next_{}", k - 1) };
        let water = if k % 2 == 0 { format!(", water_{k}") } else { String::new() };
        t.push_str(&format!(
            "  mixer_{k}:\n    type: mixer\n    in: {{ in: [{inlet}{water}, return_{k}] }}\n    out: {{ out: mixed_{k} }}\n\
             \x20 heater_{k}:\n    type: heater\n    in: {{ in: mixed_{k} }}\n    out: {{ out: warm_{k} }}\n    params: {{ T: 40 degC }}\n\
             \x20 slaker_{k}:\n    type: conversion_reactor\n    in: {{ in: warm_{k} }}\n    out: {{ out: slaked_{k} }}\n    params: {{ reactions: [\"CaO + H2O -> Ca(OH)2\"], conversion: {{ CaO: 30 % }} }}\n\
             \x20 classifier_{k}:\n    type: component_separator\n    in: {{ in: slaked_{k} }}\n    out: {{ separated: return_{k}, remainder: under_{k} }}\n    params: {{ split: {{ CaO: 50 % }} }}\n\
             \x20 thickener_{k}:\n    type: component_separator\n    in: {{ in: under_{k} }}\n    out: {{ separated: side_{k}, remainder: next_{k} }}\n    params: {{ split: {{ H2O: 20 % }} }}\n"
        ));
    }
    t.push_str("solver: { method: wegstein }\ndisplay: { flow: t/h }\n");
    t
}

const RECYCLE: &str = r#"
schema_version: 1
name: Lime slaking with unreacted-lime recycle
components:
  use: [CaO, H2O, Ca(OH)2]
streams:
  quicklime: { flows: { CaO: 1 t/h }, T: 25 degC }
  water:     { flows: { H2O: 2 t/h } }
units:
  mixer:
    type: mixer
    in:  { in: [quicklime, water, recycle] }
    out: { out: slaker_feed }
  slaker:
    type: conversion_reactor
    in:  { in: slaker_feed }
    out: { out: slaked }
    params:
      reactions: ["CaO + H2O -> Ca(OH)2"]
      conversion: { CaO: 60 % }
  classifier:
    type: component_separator
    in:  { in: slaked }
    out: { separated: recycle, remainder: product }
    params: { split: { CaO: 90 % } }
display: { flow: [kg/h, t/yr] }
"#;

fn ids(doc: &crate::Document) -> Vec<&str> {
    doc.sections.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn a_fifty_unit_plant_is_laid_out_without_overlapping_boxes() {
    let (model, result) = solve(&generated(10));
    assert_eq!(result.units.iter().filter(|u| u.type_name != "feed").count(), 50);
    let input = Input { model: &model, result: &result, analyses: &[], study: None };
    let d = crate::flowsheet_diagram(&input);
    let feeds = result.units.iter().filter(|u| u.type_name == "feed").count();
    let products = result.streams.iter().filter(|s| s.destination.is_none()).count();
    assert_eq!(d.boxes.len(), 50 + feeds + products);
    assert_eq!(d.svg.matches(r#"class="node unit""#).count(), 50);
    assert_eq!(d.svg.matches(r#"class="edge""#).count(), result.streams.len());
    assert_eq!(d.recycles, 10, "one recycle per section");
    for (i, a) in d.boxes.iter().enumerate() {
        for b in &d.boxes[i + 1..] {
            assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
        }
    }
    // Readable: no box is squeezed, and the picture stays within a sensible size.
    assert!(d.boxes.iter().all(|b| b.w >= 60.0 && b.h >= 26.0));
    assert!(d.width < 20_000.0 && d.height < 20_000.0, "{} x {}", d.width, d.height);
    // The Sankey of the same plant conserves mass at all 50 units.
    let s = crate::mass_flows(&input, SankeyBasis::PerUnit);
    let units: Vec<&sankey::PlacedNode> = s.nodes.iter().filter(|n| n.kind == sankey::Kind::Unit).collect();
    assert_eq!(units.len(), 50);
    for n in units {
        assert!((n.inflow - n.outflow).abs() <= 1e-9 * n.inflow.max(1.0), "{n:?}");
    }
}

#[test]
fn the_sankey_conserves_mass_and_uses_the_basis_asked_for() {
    let (model, result) = solve(RECYCLE);
    let input = Input { model: &model, result: &result, analyses: &[], study: None };
    let per_unit = crate::mass_flows(&input, SankeyBasis::PerUnit);
    let per_year = crate::mass_flows(&input, SankeyBasis::PerYear);
    // No `basis:` and no LCA: per hour.
    assert!(per_unit.svg.contains("kg/h"), "{}", per_unit.svg);
    assert!(per_year.svg.contains("t/yr"));
    for s in [&per_unit, &per_year] {
        for n in s.nodes.iter().filter(|n| n.kind == sankey::Kind::Unit) {
            assert!((n.inflow - n.outflow).abs() <= 1e-9 * n.inflow, "{n:?}");
        }
        let recycled: Vec<&str> =
            s.links.iter().zip(&s.recycle).filter(|(_, r)| **r).map(|(l, _)| l.name.as_str()).collect();
        assert_eq!(recycled, ["recycle"], "the recycle is drawn as one");
    }
    // 3 t/h in: the feeds' sum in t/yr is 3 x 8760.
    let fed: f64 = per_year.nodes.iter().filter(|n| n.kind == sankey::Kind::Source).map(|n| n.outflow).sum();
    assert!((fed - 3.0 * 8760.0).abs() < 1e-6, "{fed}");
}

#[test]
fn without_analyses_only_plant_sections_appear_with_notes() {
    let (model, result) = solve(RECYCLE);
    let doc =
        crate::document(&Input { model: &model, result: &result, analyses: &[], study: None }, &Options::default());
    assert_eq!(ids(&doc), ["summary", "flowsheet", "sankey", "streams", "balance", "solver"]);
    let notes: Vec<&String> =
        doc.sections[0].blocks.iter().filter_map(|b| if let Block::Note(n) = b { Some(n) } else { None }).collect();
    assert!(notes.iter().any(|n| n.contains("No life-cycle assessment")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("No techno-economic analysis")), "{notes:?}");
    // The solver section names the loop and its tear.
    let html = crate::html(&doc);
    assert!(html.contains("recycle"), "tear stream named");
    assert!(html.contains("Streams in t/yr"), "the second display unit is there, collapsed");
}

fn analysis(name: &str, type_name: &str, json: serde_json::Value) -> AnalysisOutput {
    AnalysisOutput {
        name: name.into(),
        type_name: type_name.into(),
        metrics: Vec::new(),
        text: String::new(),
        csv: String::new(),
        json: json.to_string(),
        report: None,
    }
}

fn lca_json() -> serde_json::Value {
    let amount = |x: f64| serde_json::json!({ "per_functional_unit": x, "per_year": x * 8760.0 });
    serde_json::json!({
        "functional_unit": "1000 kg of stream `product`", "seconds_per_functional_unit": 1200.0, "reference_year": "2024",
        "category": "GWP100 (IPCC AR6)", "impact_unit": "kg CO2-eq",
        "emissions": amount(30.0), "co2_fixed": amount(70.0), "avoided": amount(0.0), "net_reduction": amount(40.0),
        "by_unit": [ { "name": "mixer", "impact": amount(10.0), "share": 0.3333 }, { "name": "slaker", "impact": amount(20.0), "share": 0.6667 } ],
        "by_flow": [ { "name": "electricity", "impact": amount(30.0), "share": 1.0 } ],
        "excluded": [], "processes": [], "some_future_field": true
    })
}

fn tea_json() -> serde_json::Value {
    let line = |name: &str, value: f64| serde_json::json!({ "name": name, "amount": null, "unit": "", "price": null, "price_unit": "", "value": value, "note": "given" });
    let years: Vec<serde_json::Value> = (0..=10).map(|y| {
        let net = if y == 0 { -100.0 } else { 20.0 };
        serde_json::json!({ "year": y, "net": net, "discounted": net / 1.07f64.powi(y), "cumulative": -100.0 + 20.0 * f64::from(y) })
    }).collect();
    serde_json::json!({
        "currency": "USD", "base_year": 2024, "discount_rate": 0.07, "lifetime": 10, "crf": 0.142378, "annual_production": 1000.0,
        "equipment": [line("mixer", 20.0), line("slaker", 30.0)], "capex": [line("ISBL", 145.0), line("OSBL", 43.5), line("total CAPEX", 100.0)],
        "total_capex": 100.0, "annual_capex": 14.2, "operation_cost": 5.0, "operation_cost_given": null, "operation_cost_rebuilt": 5.0,
        "variable_costs": [line("electricity", 5.0)], "excluded": [], "fixed_costs": [line("labor", 10.0), line("maintenance", 0.0)],
        "annual_opex": 15.0, "total_annual_cost": 29.2, "product_revenue": 35.0, "carbon_credits": 0.0, "carbon_credit_basis": "none",
        "carbon_credit_revenue": 0.0, "total_revenue": 35.0, "cash_flows": years, "npv": 40.47, "benefit_cost_ratio": 1.21,
        "irr": 0.1510, "irr_note": null, "simple_payback": 5.0, "unit_production_cost": 29.2, "minimum_selling_price": 0.021,
        "cost_per_t_co2": null, "net_cost_per_t_co2": null, "notes": ["a note"]
    })
}

#[test]
fn lca_tea_and_study_results_become_sections_with_charts() {
    let (model, result) = solve(RECYCLE);
    let analyses = [
        analysis("lca", "lca", lca_json()),
        analysis("tea", "tea", tea_json()),
        analysis("water", "water_footprint", serde_json::json!({})),
    ];
    let study = StudyResults::parse(&StudyFiles {
        samples: Some("sample,status,p,m,error\n0,ok,1,10,\n1,ok,2,12,\n2,ok,3,11,\n3,failed,4,,why\n".into()),
        summary: Some("metric,n_ok,n_failed,mean,sd,p5,p50,p95\nm,3,1,11,1,10,11,12\n".into()),
        spearman: Some("parameter,metric,spearman\np,m,0.5\n".into()),
        tornado: Some("metric,parameter,unit,low,high,base_metric,metric_at_low,metric_at_high,swing,error\nm,p,kg,1,3,11,10,12,2,\n".into()),
        sweep: Some("p,status,m,error\n1,ok,10,\n2,failed,,x\n".into()),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let input = Input { model: &model, result: &result, analyses: &analyses, study: Some(&study) };
    let doc = crate::document(&input, &Options::default());
    assert_eq!(
        ids(&doc),
        ["summary", "flowsheet", "sankey", "streams", "balance", "solver", "lca", "tea", "analysis-water", "study"]
    );
    let html = crate::html(&doc);
    for id in [
        "lca-lca-by-unit",
        "tea-tea-capex",
        "tea-tea-opex",
        "tea-tea-cash-flow",
        "study-tornado-m",
        "study-histogram-m",
        "study-spearman-m",
    ] {
        assert!(html.contains(&format!("<figure id=\"{id}\"")), "figure {id} missing");
    }
    assert!(!html.contains("lca-lca-by-flow\""), "a single contribution is a table, not a chart");
    // Per-unit Sankey falls back to the LCA's functional unit when there is no basis.
    assert!(crate::mass_flows(&input, SankeyBasis::PerUnit).svg.contains("kg/t product"));
    let summary = crate::html(&crate::Document { sections: vec![doc.sections[0].clone()], ..doc.clone() });
    for figure in ["40.00", "kg CO2-eq/t product", "1.2100", "15.100 %", "40.47", "USD at 7 %"] {
        assert!(summary.contains(figure), "summary lacks {figure}");
    }
}

#[test]
fn unreadable_analysis_output_is_a_note_not_a_panic() {
    let (model, result) = solve(RECYCLE);
    let analyses = [
        analysis("lca", "lca", serde_json::json!({ "functional_unit": 3 })),
        analysis("tea", "tea", serde_json::json!([])),
    ];
    let doc = crate::document(
        &Input { model: &model, result: &result, analyses: &analyses, study: None },
        &Options::default(),
    );
    let html = crate::html(&doc);
    assert!(html.contains("The output of LCA lca could not be read"), "{html}");
    assert!(html.contains("The output of TEA tea could not be read"));
}

#[test]
fn html_is_self_contained_and_reproducible() {
    let (model, result) = solve(RECYCLE);
    let input = Input { model: &model, result: &result, analyses: &[], study: None };
    let a = crate::html(&crate::document(&input, &Options::default()));
    let b = crate::html(&crate::document(&input, &Options::default()));
    assert_eq!(a, b, "byte-identical");
    assert!(a.contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none';"#));
    for banned in ["http:", "https:", " src=", "<script", "<link", "@import", "@font-face"] {
        assert!(!a.contains(banned), "the page must not refer outside itself: found {banned}");
    }
    assert_eq!(a.matches("url(").count(), a.matches("url(#").count(), "only references inside the page (SVG markers)");
}

#[test]
fn markdown_links_every_figure_it_ships_and_ships_every_figure_it_links() {
    let (model, result) = solve(RECYCLE);
    let doc = crate::document(
        &Input { model: &model, result: &result, analyses: &[analysis("tea", "tea", tea_json())], study: None },
        &Options::default(),
    );
    let md = crate::markdown(&doc, "plant-files/");
    let linked: Vec<&str> = md
        .text
        .match_indices("](plant-files/")
        .map(|(i, _)| {
            let rest = &md.text[i + "](plant-files/".len()..];
            &rest[..rest.find(')').unwrap_or(0)]
        })
        .collect();
    let shipped: Vec<&str> = md.assets.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(linked, shipped);
    assert!(
        shipped.contains(&"flowsheet-diagram.svg")
            && shipped.contains(&"sankey.svg")
            && shipped.contains(&"tea-tea-cash-flow.svg"),
        "{shipped:?}"
    );
    let mut unique = shipped.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), shipped.len(), "file names are unique");
    assert!(
        md.assets.iter().all(|a| a.text.starts_with("<svg") && a.text.contains("xmlns=\"http://www.w3.org/2000/svg\"")),
        "standalone SVG files"
    );
    assert!(md.text.contains("| Summary |") || md.text.contains("## Summary"));
}

#[test]
fn diagram_terminals_are_feeds_and_products() {
    let (model, result) = solve(RECYCLE);
    let g = crate::sections::graph_of(&Input { model: &model, result: &result, analyses: &[], study: None });
    let kinds = |k: NodeKind| g.nodes.iter().filter(|n| n.kind == k).map(|n| n.name.as_str()).collect::<Vec<_>>();
    assert_eq!(kinds(NodeKind::Feed), ["quicklime", "water"]);
    assert_eq!(kinds(NodeKind::Product), ["product"]);
    assert_eq!(g.edges.iter().filter(|e| e.tear).map(|e| e.name.as_str()).collect::<Vec<_>>(), ["recycle"]);
    assert_eq!(g.unit, "kg/h");
}
