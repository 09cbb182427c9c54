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
    for part in ["mixer -> slaker -> classifier", "tear streams: recycle", "after 3 iterations", "recycle.CaO"] {
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
