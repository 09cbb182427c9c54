//! The engine against analytical steady states: a recycle converged by every method, two
//! nested recycles, a design specification, and the errors for loops that do not converge
//! and targets that cannot be reached.

use calx_engine::Method;
use calx_tests::{load, solve};

const RECYCLE: &str = "flowsheets/lime-slaking-recycle.yaml";

fn molar_mass(formula: &str) -> f64 {
    calx_core::Formula::parse(formula).map(|f| f.molar_mass()).unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

/// CaO balance of mixer -> reactor (conversion c) -> separator (returns r of the unreacted
/// CaO): recycle R = F r (1-c) / (1 - r (1-c)); unreacted CaO leaving = F (1-c)(1-r) / (1 - r(1-c)).
fn lime_recycle(f: f64, c: f64, r: f64) -> (f64, f64) {
    let k = r * (1.0 - c);
    (f * k / (1.0 - k), f * (1.0 - c) * (1.0 - r) / (1.0 - k))
}

#[test]
fn the_recycle_converges_to_the_analytical_steady_state_with_every_method() {
    let f = 1000.0 / 3600.0; // 1 t/h of CaO, in kg/s
    let (recycle, unreacted) = lime_recycle(f, 0.6, 0.9);
    for method in Method::ALL {
        let mut model = load(RECYCLE).unwrap();
        model.def.options.recycle.method = method;
        let mut flowsheet = model.build().unwrap();
        let result = flowsheet.solve().unwrap_or_else(|e| panic!("{method}: {e}"));
        let cao = result.components.index_of("CaO").unwrap();
        let got_r = result.stream("recycle").unwrap().stream.flows[cao];
        let got_p = result.stream("product").unwrap().stream.flows[cao];
        assert!(close(got_r, recycle, 1e-9), "{method}: recycle {got_r} vs {recycle}");
        assert!(close(got_p, unreacted, 1e-9), "{method}: product CaO {got_p} vs {unreacted}");
        assert_eq!(result.solver.loops[0].tears, vec!["recycle"], "{method}");
        assert_eq!(result.solver.loops[0].method, method.name());
    }
}

#[test]
fn two_nested_recycles_converge_to_their_steady_state() {
    let (_, result) = solve("flowsheets/nested-recycles.yaml").unwrap();
    let (cao, h2o) = (result.components.index_of("CaO").unwrap(), result.components.index_of("H2O").unwrap());
    let f = 1000.0 / 3600.0;
    let w = 2000.0 / 3600.0;
    let (lime_return, unreacted) = lime_recycle(f, 0.6, 0.9);
    // Water consumed by the CaO that reacts; the thickener returns half of what is left, so
    // at steady state the water return equals fresh water minus water consumed.
    let consumed = (f - unreacted) / molar_mass("CaO") * molar_mass("H2O");
    let flow = |s: &str, i: usize| result.stream(s).unwrap().stream.flows[i];
    assert!(close(flow("lime_return", cao), lime_return, 1e-9));
    assert!(close(flow("water_return", h2o), w - consumed, 1e-9), "{} vs {}", flow("water_return", h2o), w - consumed);
    assert_eq!(result.solver.loops.len(), 1, "both loops share the slaker, so they form one recycle block");
}

#[test]
fn a_design_specification_meets_its_target() {
    let (_, result) = solve("flowsheets/lime-slaking-design-spec.yaml").unwrap();
    let spec = &result.solver.design_specs[0];
    let target = 1500.0 / 3600.0;
    assert!(close(spec.achieved, target, 1e-9), "{} vs {target}", spec.achieved);
    // Overall conversion c / (1 - r (1 - c)) = 0.9375, so F = P M(CaO) / (0.9375 M(Ca(OH)2)).
    let expected = target * molar_mass("CaO") / (0.9375 * molar_mass("Ca(OH)2"));
    assert!(close(spec.value, expected, 1e-8), "{} vs {expected}", spec.value);
}

#[test]
fn a_loop_that_does_not_converge_is_an_error_naming_loop_tears_iterations_and_residuals() {
    let mut model = load(RECYCLE).unwrap();
    model.def.options.recycle.method = Method::DirectSubstitution;
    model.def.options.recycle.max_iterations = 3;
    let err = model.build().unwrap().solve().unwrap_err().to_string();
    for part in ["`mixer` -> `slaker` -> `classifier`", "tear streams: `recycle`", "after 3 iterations", "recycle.CaO"]
    {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
}

#[test]
fn an_unreachable_target_is_an_error_with_the_values_at_both_bounds() {
    let mut model = load("flowsheets/lime-slaking-design-spec.yaml").unwrap();
    model.def.design_specs[0].value = 100.0; // 360 t/h of Ca(OH)2 from at most 3 t/h of lime
    let err = model.build().unwrap().solve().unwrap_err().to_string();
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(err.contains("lower bound") && err.contains("upper bound"), "{err}");
}

#[test]
fn results_are_identical_across_repeated_solves() {
    let (_, a) = solve(RECYCLE).unwrap();
    let (_, b) = solve(RECYCLE).unwrap();
    assert_eq!(calx_snapshot::render(&a, &[]), calx_snapshot::render(&b, &[]));
    assert_eq!(a.streams, b.streams);
}

#[test]
fn a_feed_straight_into_a_product_unit_is_fed_and_leaves() {
    // Regression (found by tests/it/properties.rs): such a stream counted as fed only, so the
    // flowsheet's mass balance printed a relative error of 0.5.
    let text = "schema_version: 1\ncomponents: { use: [N2] }\nstreams:\n  a: { flows: { N2: 1 t/h } }\n  b: { flows: { N2: 1 t/h } }\nunits:\n  heat: { type: heater, in: { in: a }, out: { out: hot }, params: { T: 50 degC } }\n  pass: { type: product, in: { in: b } }\n";
    let project =
        calx::Project::from_text(text, "bypass.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
    let result = project.solve().unwrap_or_else(|e| panic!("{e}")).result;
    let mass = result.balance.iter().find(|c| c.quantity == "mass").unwrap_or_else(|| panic!("no mass closure"));
    assert!(mass.relative_error < 1e-12, "{mass:?}");
    assert!((mass.inflow - 2.0 / 3.6).abs() < 1e-12 && (mass.outflow - mass.inflow).abs() < 1e-15, "{mass:?}");
}

/// The lime-slaking recycle with two design specifications that both depend on both feeds:
/// the product's total (quicklime + water at steady state) and its Ca(OH)2 mass fraction
/// (k quicklime / (quicklime + water), k = 0.9375 M(Ca(OH)2) / M(CaO)).
fn two_specs(method: &str, specs: &str) -> calx_flowsheet::Model {
    let text = std::fs::read_to_string(calx_tests::root().join("flowsheets/lime-slaking-design-spec.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let at = text.find("design_specs:").unwrap_or_else(|| panic!("no design_specs"));
    let end = text.find("solver:").unwrap_or_else(|| panic!("no solver"));
    let text = format!(
        "{}design_specs:\n{specs}\nsolver:\n  design_specs: {method}\n{}",
        &text[..at],
        &text[end + "solver:\n".len()..]
    );
    calx::Project::from_text(
        &text,
        "two-specs.yaml",
        &calx_tests::root().join("flowsheets"),
        &calx::LoadOptions::default(),
    )
    .map(calx::Project::into_model)
    .unwrap_or_else(|e| panic!("{e}"))
}

// Nested, the outer specification moves the water and the inner one the quicklime, whose
// target (the total) every water flow in the bracket can meet.
const COUPLED: &str = "  - adjust: streams.water.total
    until: streams.product.mass_fractions.Ca(OH)2 = 30 %
    between: [1.5 t/h, 3.5 t/h]
    tolerance: 1e-12
  - adjust: streams.quicklime.total
    until: streams.product.total = 4 t/h
    between: [0.2 t/h, 3 t/h]
    tolerance: 1e-12
";

#[test]
fn two_coupled_specs_solved_together_match_the_nested_solution_with_fewer_unit_calculations() {
    let solve = |method: &str| {
        two_specs(method, COUPLED).build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"))
    };
    let (together, nested) = (solve("simultaneous"), solve("nested"));
    let (t, n) = (&together.solver.design_specs, &nested.solver.design_specs);
    assert_eq!((t.len(), n.len()), (2, 2));
    // Analytic: P = 4 t/h, w = 0.3, quicklime = w P / k, water = P - quicklime.
    let k = 0.9375 * molar_mass("Ca(OH)2") / molar_mass("CaO");
    let total = 4.0 / 3.6;
    let lime = 0.3 * total / k;
    for (i, expected) in [total - lime, lime].into_iter().enumerate() {
        assert_eq!(t[i].method, calx_core::result::SpecMethod::Simultaneous);
        assert_eq!(n[i].method, calx_core::result::SpecMethod::Nested);
        assert!(t[i].fallback.is_none() && n[i].fallback.is_none());
        assert_eq!((&t[i].adjust, &t[i].target_variable), (&n[i].adjust, &n[i].target_variable), "spec order");
        assert!(close(t[i].value, n[i].value, 1e-8), "spec {i}: together {} vs nested {}", t[i].value, n[i].value);
        assert!(close(t[i].value, expected, 1e-8), "spec {i}: {} vs analytic {expected}", t[i].value);
        assert!(close(t[i].achieved, t[i].target, 1e-11), "{:?}", t[i]);
    }
    let (ct, cn) = (together.solver.unit_calculations, nested.solver.unit_calculations);
    assert!(ct < cn, "simultaneous {ct} unit calculations, nested {cn}");
    let model = two_specs("simultaneous", COUPLED);
    let table = calx_document::text_table(&model, &together);
    assert!(table.contains("simultaneous (Broyden)"), "{table}");
}

#[test]
fn two_specs_whose_targets_ignore_one_variable_fall_back_and_then_fail_clearly() {
    // Both targets are the product's Ca(OH)2, which the water (in excess) does not change.
    let specs = "  - adjust: streams.quicklime.total
    until: streams.product.flows.Ca(OH)2 = 1.5 t/h
    between: [0.2 t/h, 3 t/h]
  - adjust: streams.water.total
    until: streams.product.molar_flows.Ca(OH)2 = 20 kmol/h
    between: [2 t/h, 6 t/h]
";
    let e = two_specs("simultaneous", specs).build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, calx_engine::EngineError::DesignSpecsFallback { .. }), "{text}");
    assert!(text.contains("could not be solved together") && text.contains("nor one inside another"), "{text}");
    assert!(text.contains("the Jacobian is singular") && text.contains("cannot be reached"), "{text}");
}

#[test]
fn one_spec_keeps_brent_and_the_method_is_a_solver_option() {
    let (_, result) = solve("flowsheets/lime-slaking-design-spec.yaml").unwrap();
    assert_eq!(result.solver.design_specs[0].method, calx_core::result::SpecMethod::Nested);
    let bad = "schema_version: 1\ncomponents: { use: [N2] }\nstreams:\n  a: { flows: { N2: 1 t/h } }\nunits:\n  heat: { type: heater, in: { in: a }, out: { out: hot }, params: { T: 50 degC } }\nsolver:\n  design_specs: togther\n";
    let e = calx::Project::from_text(bad, "bad.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("bad.yaml:8:") && e.contains("solver.design_specs") && e.contains("simultaneous, nested"),
        "{e}"
    );
}

#[test]
fn a_simultaneous_solve_that_fails_falls_back_to_nested_and_says_so() {
    // From 5 t/h of quicklime and 1 t/h of water the slaker runs out of water: the product
    // carries none whatever either feed does nearby, so the Jacobian has a zero row. Nested,
    // the inner search on the quicklime brackets the water-limited region at its upper end
    // and finds the root all the same: water 0.5 t/h + 0.30117 quicklime, quicklime 1.5 t/h / k.
    let specs = "  - adjust: streams.water.total
    until: streams.product.flows.Ca(OH)2 = 1.5 t/h
    between: [0.7 t/h, 1.2 t/h]
  - adjust: streams.quicklime.total
    until: streams.product.flows.H2O = 0.5 t/h
    between: [0.2 t/h, 6 t/h]
";
    let mut model = two_specs("simultaneous", specs);
    for (feed, value) in [("quicklime", 5.0 / 3.6), ("water", 1.0 / 3.6)] {
        let unit = model.def.units.iter_mut().find(|u| u.name == feed).unwrap_or_else(|| panic!("{feed}"));
        unit.params.set("total", calx_core::ParamValue::Number(value));
    }
    let result = model.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"));
    let specs = &result.solver.design_specs;
    let reason = specs[0].fallback.clone().unwrap_or_else(|| panic!("no fallback: {specs:?}"));
    assert!(
        specs.iter().all(|s| s.method == calx_core::result::SpecMethod::Nested && s.fallback.as_ref() == Some(&reason))
    );
    let k = 0.9375 * molar_mass("Ca(OH)2") / molar_mass("CaO");
    let lime = 1.5 / 3.6 / k;
    assert!(close(specs[1].value, lime, 1e-7), "quicklime {} vs {lime}", specs[1].value);
    let table = calx_document::text_table(&model, &result);
    assert!(table.contains("solved nested because the simultaneous solve failed: "), "{table}");
}
