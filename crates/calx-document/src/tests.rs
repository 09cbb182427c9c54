//! Whole-document tests on solved flowsheets built from the generic unit types: a generated
//! 50-unit plant with ten recycle loops, missing and unreadable analyses, the Markdown
//! assets, the absence of URLs, determinism, and hand-made LCA, TEA and study results.

use calx_core::registry::Registry;
use calx_core::report::{
    Bar, Basis, Block as Block2, Chart, KeyFigure, Plot, ReportPart, SummaryFigures, Table, WaterfallStep,
};
use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisOutput, Metric};
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
    let input = Input { model: &model, result: &result, analyses: &[], registry: None, study: None };
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
    let input = Input { model: &model, result: &result, analyses: &[], registry: None, study: None };
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
    let registry = calx::builtin_registry();
    let input = Input { model: &model, result: &result, analyses: &[], registry: Some(&registry), study: None };
    let doc = crate::document(&input, &Options::default());
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

fn analysis(name: &str, type_name: &str, report: Option<ReportPart>) -> AnalysisOutput {
    AnalysisOutput {
        name: name.into(),
        type_name: type_name.into(),
        metrics: vec![Metric { name: "m".into(), value: 1.5, unit: "kg".into() }],
        text: String::new(),
        csv: Vec::new(),
        json: String::new(),
        report,
    }
}

fn bars(id: &str, caption: &str, n: usize) -> Chart {
    let bars = (0..n).map(|i| Bar { label: format!("item {i}"), value: 1.0 + i as f64, text: "x".into() }).collect();
    Chart {
        id: id.into(),
        caption: caption.into(),
        plot: Plot::Bars { title: caption.into(), bars, unit: "kg".into() },
    }
}

/// An LCA-like part: a chart with its table, a table alone, a functional unit.
fn lca_part() -> ReportPart {
    let fig = |label: &str, value: &str, unit: &str| KeyFigure::new(label, value.into(), unit, "LCA lca");
    ReportPart {
        section: "lca".into(),
        section_title: "Life-cycle assessment".into(),
        blocks: vec![
            Block2::Heading("lca: GWP100 per t product".into()),
            Block2::ChartWithTable(bars("lca-lca-by-unit", "Emissions by unit (lca)", 2), Table::default()),
            Block2::Table(Table::new("Emissions by flow (lca)", &["", "kg"], &[false, true])),
        ],
        summary: SummaryFigures {
            lead: vec![fig("Net CO2 reduction", "40.00", "kg CO2-eq/t product")],
            more: vec![fig("CO2 fixed", "70.00", "kg CO2/t product")],
            if_not_first: vec![fig("Net CO2 reduction (lca)", "40.00", "kg CO2-eq/t product")],
            replaces_plant_figures: false,
        },
        basis: Some(Basis {
            per: "t product".into(),
            description: "1000 kg of stream `product`".into(),
            seconds: 1200.0,
        }),
    }
}

/// A TEA-like part: bar charts, a cash-flow chart, economic lead figures.
fn tea_part() -> ReportPart {
    let fig = |label: &str, value: &str, unit: &str| KeyFigure::new(label, value.into(), unit, "TEA tea, USD at 7 %");
    let years: Vec<f64> = (0..=10).map(f64::from).collect();
    let cumulative: Vec<f64> = years.iter().map(|y| -100.0 + 20.0 * y).collect();
    let cash = Plot::CashFlow {
        title: "Cumulative cash flow".into(),
        years,
        discounted: cumulative.iter().map(|c| c * 0.9).collect(),
        undiscounted: cumulative,
        payback: Some(5.5),
        currency: "USD".into(),
    };
    ReportPart {
        section: "tea".into(),
        section_title: "Techno-economic analysis".into(),
        blocks: vec![
            Block2::ChartWithTable(bars("tea-tea-capex", "CAPEX breakdown (tea)", 3), Table::default()),
            Block2::ChartWithTable(bars("tea-tea-opex", "OPEX breakdown (tea)", 2), Table::default()),
            Block2::Chart(Chart { id: "tea-tea-cash-flow".into(), caption: "Cash flow (tea)".into(), plot: cash }),
            Block2::List(vec!["a note".into()]),
        ],
        summary: SummaryFigures {
            lead: vec![
                fig("Benefit/cost ratio", "1.2100", "B/C, discounted"),
                fig("IRR", "15.100 %", "internal rate of return"),
                fig("NPV", "40.47", "USD at 7 %"),
            ],
            more: vec![],
            if_not_first: vec![],
            replaces_plant_figures: true,
        },
        basis: None,
    }
}

#[test]
fn analysis_parts_become_sections_with_charts_and_study_results_too() {
    let (model, result) = solve(RECYCLE);
    let analyses = [
        analysis("lca", "lca", Some(lca_part())),
        analysis("tea", "tea", Some(tea_part())),
        analysis("water", "water_footprint", None),
    ];
    let study = StudyResults::parse(&StudyFiles {
        samples: Some("sample,status,p,m,error\n0,ok,1,10,\n1,ok,2,12,\n2,ok,3,11,\n3,failed,4,,why\n".into()),
        summary: Some("metric,n_ok,n_failed,mean,sd,p5,p50,p95\nm,3,1,11,1,10,11,12\n".into()),
        spearman: Some("parameter,metric,spearman\np,m,0.5\n".into()),
        tornado: Some("metric,parameter,unit,low,high,base_metric,metric_at_low,metric_at_high,swing,error\nm,p,kg,1,3,11,10,12,2,\n".into()),
        sweep: Some("p,status,m,error\n1,ok,10,\n2,failed,,x\n".into()),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let input = Input { model: &model, result: &result, analyses: &analyses, registry: None, study: Some(&study) };
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
    assert!(!html.contains("lca-lca-by-flow\""), "a table alone draws no chart");
    // Per-unit Sankey falls back to the functional unit an analysis reports when there is no basis.
    assert!(crate::mass_flows(&input, SankeyBasis::PerUnit).svg.contains("kg/t product"));
    let summary = crate::html(&crate::Document { sections: vec![doc.sections[0].clone()], ..doc.clone() });
    for figure in ["40.00", "kg CO2-eq/t product", "1.2100", "15.100 %", "40.47", "USD at 7 %"] {
        assert!(summary.contains(figure), "summary lacks {figure}");
    }
    // Lead figures first (LCA, then TEA), then what they rest on; the TEA replaces the plain
    // plant figures.
    let Block::KeyFigures(figures) = &doc.sections[0].blocks[0] else { panic!("no key figures first") };
    let labels: Vec<&str> = figures.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(&labels[..5], ["Net CO2 reduction", "Benefit/cost ratio", "IRR", "NPV", "CO2 fixed"]);
    assert!(!labels.contains(&"Fed"), "{labels:?}");
}

#[test]
fn a_second_analysis_of_a_type_adds_its_named_headline_to_the_same_section() {
    let (model, result) = solve(RECYCLE);
    let analyses = [analysis("lca", "lca", Some(lca_part())), analysis("lca2", "lca", Some(lca_part()))];
    let input = Input { model: &model, result: &result, analyses: &analyses, registry: None, study: None };
    let doc = crate::document(&input, &Options::default());
    assert_eq!(ids(&doc).iter().filter(|id| **id == "lca").count(), 1, "one LCA section");
    let Block::KeyFigures(figures) = &doc.sections[0].blocks[0] else { panic!("no key figures first") };
    let labels: Vec<&str> = figures.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(&labels[..3], ["Net CO2 reduction", "CO2 fixed", "Net CO2 reduction (lca)"]);
    // No economic analysis: the plant figures are there.
    assert!(labels.contains(&"Fed"), "{labels:?}");
}

#[test]
fn html_is_self_contained_and_reproducible() {
    let (model, result) = solve(RECYCLE);
    let input = Input { model: &model, result: &result, analyses: &[], registry: None, study: None };
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
        &Input {
            model: &model,
            result: &result,
            analyses: &[analysis("tea", "tea", Some(tea_part()))],
            registry: None,
            study: None,
        },
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
    let g = crate::sections::graph_of(&Input {
        model: &model,
        result: &result,
        analyses: &[],
        registry: None,
        study: None,
    });
    let kinds = |k: NodeKind| g.nodes.iter().filter(|n| n.kind == k).map(|n| n.name.as_str()).collect::<Vec<_>>();
    assert_eq!(kinds(NodeKind::Feed), ["quicklime", "water"]);
    assert_eq!(kinds(NodeKind::Product), ["product"]);
    assert_eq!(g.edges.iter().filter(|e| e.tear).map(|e| e.name.as_str()).collect::<Vec<_>>(), ["recycle"]);
    assert_eq!(g.unit, "kg/h");
}

/// A carbon-credit-like part: a waterfall with its table, and one with no steps.
fn credits_part() -> ReportPart {
    let step = |label: &str, value: f64, total: bool| WaterfallStep {
        label: label.into(),
        value,
        total,
        text: format!("{value:.1}"),
    };
    let steps = vec![
        step("Gross CO2 fixed", 50.0, true),
        step("Project emissions", -20.0, false),
        step("Baseline uptake", -40.0, false),
        step("Credited", -10.0, true),
    ];
    let chart = |id: &str, steps: Vec<WaterfallStep>| Chart {
        id: id.into(),
        caption: format!("Credits ({id})"),
        plot: Plot::Waterfall { title: "Credits".into(), unit: "t CO2/yr".into(), steps },
    };
    ReportPart {
        section: "carbon".into(),
        section_title: "Carbon credits".into(),
        blocks: vec![
            Block2::ChartWithTable(chart("carbon-waterfall", steps), Table::new("Credits", &["", "t"], &[false, true])),
            Block2::Chart(chart("carbon-empty", Vec::new())),
        ],
        ..ReportPart::default()
    }
}

#[test]
fn a_waterfall_part_is_drawn_in_html_and_shipped_as_svg_in_markdown() {
    let (model, result) = solve(RECYCLE);
    let analyses = [analysis("carbon", "carbon", Some(credits_part()))];
    let input = Input { model: &model, result: &result, analyses: &analyses, registry: None, study: None };
    let doc = crate::document(&input, &Options::default());
    let section = doc.sections.iter().find(|s| s.id == "carbon").unwrap_or_else(|| panic!("{:?}", ids(&doc)));
    let Block::Split(figure, table) = &section.blocks[0] else { panic!("{:?}", section.blocks[0]) };
    assert_eq!(table.caption, "Credits");
    for text in ["50.0", "-20.0", "-40.0", "-10.0", "Gross CO2", "Baseline", "t CO2/yr"] {
        assert!(figure.svg.contains(text), "{text} missing from the waterfall");
    }
    let Block::Figure(empty) = &section.blocks[1] else { panic!("{:?}", section.blocks[1]) };
    assert!(empty.svg.contains("has no steps"), "{}", empty.svg);
    let html = crate::html(&doc);
    assert!(html.contains("<figure id=\"carbon-waterfall\"") && html.contains("<figure id=\"carbon-empty\""));
    assert!(!html.contains("NaN"));
    let md = crate::markdown(&doc, "files");
    assert!(md.text.contains("](files/carbon-waterfall.svg)"), "{}", md.text);
    let shipped = md.assets.iter().find(|a| a.name == "carbon-waterfall.svg").map(|a| a.text.as_str());
    assert_eq!(shipped, Some(figure.svg.as_str()));
}
