//! Calculators (`calculate:`, issue 17): evaluated before the solve in dependency order,
//! inside it right before the unit they set, kept under a design specification, converged
//! like a recycle when they close a loop; cycles and dimension mismatches refused with their
//! positions.

use calx_core::Registry;
use calx_core::result::FlowsheetResult;
use calx_flowsheet::{Model, parse};

fn registry() -> Registry {
    let mut r = Registry::new();
    for t in calx_generic::unit_types() {
        r.register(calx_generic::PROVIDER, t).unwrap_or_else(|e| panic!("{e:?}"));
    }
    r
}

/// Quicklime and water mixed and slaked (60 % of the CaO), then diluted by a third feed.
fn flowsheet(extra: &str) -> String {
    format!(
        "schema_version: 1
name: slaking
components:
  use: [CaO, H2O, Ca(OH)2]
streams:
  diluent: {{ flows: {{ H2O: 1 t/h }} }}
  quicklime: {{ flows: {{ CaO: 1 t/h }} }}
  water: {{ flows: {{ H2O: 1 t/h }} }}
units:
  mixer:
    type: mixer
    in: {{ in: [quicklime, water] }}
    out: {{ out: slaker_feed }}
  slaker:
    type: conversion_reactor
    in: {{ in: slaker_feed }}
    out: {{ out: slaked }}
    params:
      reactions: [\"CaO + H2O -> Ca(OH)2\"]
      conversion: {{ CaO: 60 % }}
  dilution:
    type: mixer
    in: {{ in: [slaked, diluent] }}
    out: {{ out: product }}
{extra}"
    )
}

fn model(extra: &str) -> Result<Model, String> {
    parse(&flowsheet(extra), "slaking.yaml", &registry()).map_err(|d| d.to_string())
}

fn solve(extra: &str) -> FlowsheetResult {
    let m = model(extra).unwrap_or_else(|e| panic!("{e}"));
    let mut f = m.build().unwrap_or_else(|e| panic!("{e}"));
    f.solve().unwrap_or_else(|e| panic!("{e}"))
}

fn total(r: &FlowsheetResult, stream: &str) -> f64 {
    r.stream(stream).unwrap_or_else(|| panic!("no {stream}")).stream.total_mass()
}

fn refused(extra: &str) -> String {
    match model(extra) {
        Err(e) => e,
        Ok(m) => match m.build() {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted:\n{extra}"),
        },
    }
}

const TPH: f64 = 1000.0 / 3600.0;

#[test]
fn input_calculators_run_before_the_solve_in_dependency_order() {
    // Declared first, evaluated second: water = 2 x diluent, diluent = quicklime + 0.5 t/h.
    // By hand: diluent = 1 + 0.5 = 1.5 t/h, water = 2 x 1.5 = 3 t/h.
    let r = solve(
        "calculate:
  - set: streams.water.total
    to: 2 * streams.diluent.total
  - set: streams.diluent.total
    to: streams.quicklime.total + 0.5 t/h
",
    );
    assert!((total(&r, "diluent") - 1.5 * TPH).abs() < 1e-12, "{}", total(&r, "diluent"));
    assert!((total(&r, "water") - 3.0 * TPH).abs() < 1e-12, "{}", total(&r, "water"));
}

#[test]
fn a_calculator_reading_results_runs_inside_the_solve_before_the_unit_it_sets() {
    // The diluent feed is declared first, so it would be calculated first; reading the slaked
    // Ca(OH)2 it waits for the slaker. By hand: 60 % of 1 t/h CaO reacts, giving
    // 0.6 x M(Ca(OH)2)/M(CaO) t/h of Ca(OH)2, and the diluent is twice that.
    let r = solve(
        "calculate:
  - set: streams.diluent.total
    to: streams.slaked.flows.Ca(OH)2 * 2
",
    );
    let set = &r.components;
    let molar_mass = |c: &str| set.get(set.index_of(c).unwrap()).unwrap().molar_mass.unwrap();
    let expected = 2.0 * 0.6 * molar_mass("Ca(OH)2") / molar_mass("CaO") * TPH;
    assert!((total(&r, "diluent") - expected).abs() < 1e-12, "{} vs {expected}", total(&r, "diluent"));
    // The product holds everything: 1 + 1 t/h in, plus the diluent.
    assert!((total(&r, "product") - (2.0 * TPH + expected)).abs() < 1e-12);
}

#[test]
fn a_calculator_keeps_its_relation_while_a_design_specification_moves_its_input() {
    // Water follows the quicklime 3:1 while the quicklime is adjusted until the slaked stream
    // carries 1.5 t/h of Ca(OH)2. By hand: 60 % of the CaO reacts, so the quicklime is
    // 1.5 / 0.6 x M(CaO)/M(Ca(OH)2) t/h, and the water three times that.
    let r = solve(
        "calculate:
  - set: streams.water.total
    to: streams.quicklime.total * 3
design_specs:
  - adjust: streams.quicklime.total
    until: streams.slaked.flows.Ca(OH)2 = 1.5 t/h
    between: [0.5 t/h, 5 t/h]
    tolerance: 1e-12
",
    );
    let set = &r.components;
    let molar_mass = |c: &str| set.get(set.index_of(c).unwrap()).unwrap().molar_mass.unwrap();
    let quicklime = 1.5 / 0.6 * molar_mass("CaO") / molar_mass("Ca(OH)2") * TPH;
    assert!((total(&r, "quicklime") - quicklime).abs() < 1e-9 * quicklime, "{}", total(&r, "quicklime"));
    assert!((total(&r, "water") - 3.0 * total(&r, "quicklime")).abs() < 1e-12);
}

#[test]
fn a_cycle_between_calculators_is_refused_at_their_positions() {
    let e = refused(
        "calculate:
  - set: streams.water.total
    to: streams.diluent.total
  - set: streams.diluent.total
    to: streams.water.total * 2
",
    );
    assert!(e.contains("read each other's values in a cycle"), "{e}");
    assert!(e.contains("slaking.yaml:26:5") && e.contains("slaking.yaml:28:5"), "{e}");
}

#[test]
fn a_calculator_that_closes_a_loop_converges_like_a_recycle() {
    // The water feeds the slaker whose product it reads: water = 0.5 x slaked, and the slaked
    // stream carries everything fed (quicklime + water), so w = 0.5 (1 t/h + w): w = 1 t/h.
    let r = solve(
        "calculate:
  - set: streams.water.total
    to: streams.slaked.total * 0.5
",
    );
    assert!((total(&r, "water") - TPH).abs() < 1e-9, "{}", total(&r, "water") / TPH);
    assert!((total(&r, "slaked") - 2.0 * TPH).abs() < 1e-9);
    let lp = &r.solver.loops[0];
    assert_eq!(lp.tears, vec!["streams.water.total"]);
    assert_eq!(lp.units, vec!["water", "mixer", "slaker"]);
}

#[test]
fn dimension_mismatches_and_bad_paths_point_into_the_expression() {
    // Column of `+` in `to: streams.water.total + streams.slaked.T`: the value starts at
    // column 9 of line 27, the `+` is 20 bytes into it.
    let e = refused(
        "calculate:
  - set: streams.diluent.total
    to: streams.water.total + streams.slaked.T
",
    );
    assert!(e.contains("slaking.yaml:27:29") && e.contains("needs the same dimension"), "{e}");
    // The whole expression is a temperature, the parameter a mass flow.
    let e = refused(
        "calculate:
  - set: streams.diluent.total
    to: \"streams.slaked.T * 2\"
",
    );
    assert!(e.contains("slaking.yaml:27:10") && e.contains("the expression is a temperature"), "{e}");
    let e = refused(
        "calculate:
  - set: streams.diluent.total
    to: 2 * streams.slaked.flows.CaCO3
",
    );
    assert!(e.contains("slaking.yaml:27:13") && e.contains("no component `CaCO3`"), "{e}");
    let e = refused(
        "calculate:
  - set: streams.diluent.total
    to: analyses.tea.npv
",
    );
    assert!(e.contains("cannot read an analysis"), "{e}");
    let e = refused(
        "calculate:
  - set: streams.diluent.total
    to: 2 * (1 t/h
",
    );
    assert!(e.contains("slaking.yaml:27:19") && e.contains("expected `)`"), "{e}");
}

#[test]
fn a_division_by_zero_names_the_calculator() {
    let m = model(
        "calculate:
  - set: streams.diluent.total
    to: 1 t/h * streams.water.total / (streams.slaked.flows.H2O - streams.slaked.flows.H2O)
",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = m.build().unwrap_or_else(|e| panic!("{e}")).solve().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("calculator setting `streams.diluent.total`") && e.contains("division by zero"), "{e}");
}
