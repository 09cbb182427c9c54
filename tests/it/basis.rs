//! A production basis that follows the plant (issue 17, item 5): with `follows:`, the
//! per-product displays (text report, HTML report tables, Sankey) use the product stream as
//! solved after a design specification; with a fixed basis they keep the written rate and
//! the reports say so.

use calx::{LoadOptions, Project};
use calx_document::{Block, Input, Options};

/// 1 t/h of lime (written as 1000 kg/t_product at 1 t/h) and 1 t/h of water, mixed into the
/// product; a specification doubles the product by adjusting the lime.
fn plant(basis: &str) -> String {
    format!(
        "schema_version: 1
basis: {{ t_product: {basis} }}
components: {{ use: [CaO, H2O] }}
streams:
  lime: {{ flows: {{ CaO: 500 kg/t_product }}, T: 25 degC }}
  water: {{ flows: {{ H2O: 1 t/h }}, T: 25 degC }}
units:
  mixer: {{ type: mixer, in: {{ in: [lime, water] }}, out: {{ out: product }} }}
design_specs:
  - adjust: streams.lime.total
    until: streams.product.total = 4 t/h
    between: [0.5 t/h, 10 t/h]
    tolerance: 1e-12
display: {{ flow: [kg/t_product, t/h], temperature: degC, pressure: kPa, power: kW }}
"
    )
}

fn solve(text: &str) -> (Project, calx::Solved) {
    let project = Project::from_text(text, "basis.yaml", std::path::Path::new("."), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let solved = project.solve().unwrap_or_else(|e| panic!("{e}"));
    (project, solved)
}

/// The `total [kg/t_product]` row of the report's stream table, by stream.
fn totals(project: &Project, solved: &calx::Solved) -> Vec<(String, String)> {
    let input = Input::new(project, solved);
    let doc = calx_document::document(&input, &Options::default());
    let streams = doc.sections.iter().find(|s| s.id == "streams").expect("a streams section");
    for b in &streams.blocks {
        if let Block::Table(t) = b
            && let Some(row) = t.rows.iter().find(|r| r[0] == "total [kg/t_product]")
        {
            return t.header.iter().skip(1).cloned().zip(row.iter().skip(1).cloned()).collect();
        }
    }
    panic!("no per-product stream table")
}

fn notes(project: &Project, solved: &calx::Solved) -> Vec<String> {
    let doc = calx_document::document(&Input::new(project, solved), &Options::default());
    let solver = doc.sections.iter().find(|s| s.id == "solver").expect("a solver section");
    solver.blocks.iter().filter_map(|b| if let Block::Note(n) = b { Some(n.clone()) } else { None }).collect()
}

#[test]
fn a_basis_that_follows_the_product_shows_per_product_figures_at_the_solved_rate() {
    // Written at 1 t/h: 500 kg/t_product of lime is 0.5 t/h, the product 1.5 t/h. The
    // specification makes 4 t/h of product (3 t/h of lime), so one t_product is now 15 min:
    // lime 750 kg/t_product, water 250, product 1000.
    let (project, solved) = solve(&plant("{ rate: 1 t/h, follows: streams.product.total }"));
    let lime = solved.result.streams.iter().find(|s| s.name == "lime").map(|s| s.stream.total_mass());
    assert!((lime.unwrap_or(f64::NAN) - 3000.0 / 3600.0).abs() < 1e-12, "{lime:?}");
    let shown = totals(&project, &solved);
    let want = [("lime", "750"), ("water", "250"), ("product", "1,000")];
    for (stream, value) in want {
        let got = shown.iter().find(|(s, _)| s == stream).map(|(_, v)| v.as_str());
        assert_eq!(got, Some(value), "{stream}: {shown:?}");
    }
    let text = calx_document::text_table(project.model(), &solved.result);
    assert!(text.contains("basis: per-product figures (`t_product`) use the solved rate of `product`: 35040 t/yr; inputs written in `t_product` were read at 8760 t/yr"), "{text}");
    // The design spec line too: 4 t/h is 1000 kg/t_product.
    assert!(text.contains("so that streams.product.total = 1000 kg/t_product (target 1000 kg/t_product"), "{text}");
    assert_eq!(notes(&project, &solved).len(), 1);
}

#[test]
fn a_fixed_basis_keeps_the_written_rate_and_says_so_after_a_spec() {
    let (project, solved) = solve(&plant("1 t/h"));
    let shown = totals(&project, &solved);
    // At the written 1 t/h: the product is 4 t/h = 4000 kg/t_product.
    let product = shown.iter().find(|(s, _)| s == "product").map(|(_, v)| v.as_str());
    assert_eq!(product, Some("4,000"), "{shown:?}");
    let text = calx_document::text_table(project.model(), &solved.result);
    assert!(
        text.contains("basis: per-product figures (`t_product`) use the written rate 8760 t/yr (`basis:`), but design specifications (or `optimize:`) resized the plant"),
        "{text}"
    );
    let notes = notes(&project, &solved);
    assert!(notes.len() == 1 && notes[0].contains("follows: streams.PRODUCT.total"), "{notes:?}");
    // Without a specification: no note.
    let no_spec = plant("1 t/h");
    let no_spec = &no_spec[..no_spec.find("design_specs:").unwrap_or(no_spec.len())];
    let (project, solved) = solve(&format!("{no_spec}display: {{ flow: [kg/t_product] }}\n"));
    assert!(!calx_document::text_table(project.model(), &solved.result).contains("basis:"));
}

#[test]
fn a_basis_known_only_after_the_solve_cannot_be_an_input_unit() {
    // Without `rate:`, `kg/t_product` in a feed has no meaning before the solve.
    let text = plant("streams.product.total");
    let e = Project::from_text(&text, "basis.yaml", std::path::Path::new("."), &LoadOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("t_product"), "{e}");
    // Written in t/h, the same plant shows the solved rate.
    let (project, solved) = solve(&text.replace("CaO: 500 kg/t_product", "CaO: 0.5 t/h"));
    let shown = totals(&project, &solved);
    assert!(shown.iter().any(|(s, v)| s == "lime" && v == "750"), "{shown:?}");
    // A basis that follows a stream the flowsheet does not have.
    let e = Project::from_text(
        &plant("streams.nowhere.total"),
        "basis.yaml",
        std::path::Path::new("."),
        &LoadOptions::default(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(e.contains("no stream `nowhere`"), "{e}");
}
