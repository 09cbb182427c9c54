//! Design-specification targets and study metrics beyond stream flows (issue 17, "targets
//! anywhere"): a unit's size figure, mole fractions, molar flows and pressures, each checked
//! against a hand calculation from the flowsheet's own inputs; sizes a unit does not report,
//! sizes written in the wrong dimension, and the spec line of the text report in display units.

use calx_core::path::ResultPath;
use calx_engine::Variable;
use calx_study::{Study, StudyError};

fn molar_mass(formula: &str) -> f64 {
    calx_core::Formula::parse(formula).map(|f| f.molar_mass()).unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

fn project(text: &str) -> calx::Project {
    calx::Project::from_text(text, "targets.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn var(path: &str) -> Variable {
    let parsed = ResultPath::parse(path).unwrap_or_else(|e| panic!("{e}"));
    Variable::result(&parsed).unwrap_or_else(|| panic!("{path} is not an engine result"))
}

/// A 10 % lime slurry carbonated at a given conversion (80 % of the Ca(OH)2) with more CO2
/// than it needs, in a tank of 30 min residence time sized with a 10 % margin. `specs` is
/// appended as the flowsheet's `design_specs:`.
fn carbonation(specs: &str) -> String {
    format!(
        "schema_version: 1
components: {{ use: [Ca(OH)2, CaCO3, H2O, CO2, N2] }}
streams:
  lime_slurry: {{ flows: {{ Ca(OH)2: 1 t/h, H2O: 9 t/h }} }}
  flue_gas: {{ flows: {{ CO2: 2 t/h, N2: 6 t/h }} }}
units:
  carbonation:
    type: carbonator
    in: {{ slurry: lime_slurry, gas: flue_gas }}
    out: {{ slurry: carbonated_slurry, vent: vent }}
    params:
      conversion: {{ Ca(OH)2: 80 % }}
      T: 25 degC
      residence_time: 30 min
      power_per_volume: 0.5 kW/m3
      safety_margin: 10 %
      solids_density: 2500 kg/m3
      liquid_density: 1000 kg/m3
display: {{ flow: t/h, temperature: degC, pressure: kPa, power: kW }}
{specs}"
    )
}

/// The lime slurry (kg/s, 10 % Ca(OH)2) at which the carbonator fixes `co2` kg/s:
/// co2 = 0.8 x 0.1 F / M(Ca(OH)2) x M(CO2).
fn slurry_fixing(co2: f64) -> f64 {
    co2 * molar_mass("Ca(OH)2") / (0.8 * 0.1 * molar_mass("CO2"))
}

#[test]
fn a_spec_on_the_co2_a_carbonator_fixes_sets_the_lime_slurry_feed() {
    let spec = "design_specs:
  - adjust: streams.lime_slurry.total
    until: units.carbonation.sizes.co2_fixed = 0.5 t/h
    between: [1 t/h, 40 t/h]
    tolerance: 1e-12
";
    let project = project(&carbonation(spec));
    let solved = project.solve().unwrap_or_else(|e| panic!("{e}"));
    let report = &solved.result.solver.design_specs[0];
    let target = 500.0 / 3600.0;
    let expected = slurry_fixing(target);
    // 10.52 t/h of slurry; the CO2 fed (2 t/h) is four times what is fixed, so no limit.
    assert!((expected * 3.6 - 10.522).abs() < 1e-3, "{}", expected * 3.6);
    // Met to |f| <= 1e-9 kg/s (the default absolute tolerance): 7e-9 of the target.
    assert!(close(report.value, expected, 1e-8), "{} vs {expected}", report.value);
    assert!(close(report.achieved, target, 1e-8), "{} vs {target}", report.achieved);
    assert_eq!(
        (report.adjust_dimension, report.target_dimension),
        (calx_core::Dimension::MASS_FLOW, calx_core::Dimension::MASS_FLOW)
    );
    // The report's line is in the flowsheet's display units (t/h), not kg/s.
    let text = calx_document::text_table(project.model(), &solved.result);
    let line = text.lines().find(|l| l.contains("design spec:")).unwrap_or_default();
    assert!(
        line.contains(&format!("streams.lime_slurry.total = {} t/h", calx_core::format::sig_plain(expected * 3.6, 6)))
            && line.contains("units.carbonation.sizes.co2_fixed = 0.5 t/h (target 0.5 t/h,"),
        "{line}"
    );
}

#[test]
fn a_spec_on_a_size_written_in_the_wrong_dimension_or_not_reported_fails_at_the_first_solve() {
    let spec = |until: &str| {
        format!(
            "design_specs:\n  - adjust: streams.lime_slurry.total\n    until: {until}\n    between: [1 t/h, 40 t/h]\n"
        )
    };
    // A size the unit does not report: an error naming the unit, the size and what it reports.
    let project_missing = project(&carbonation(&spec("units.carbonation.sizes.co2_fixd = 0.5 t/h")));
    let error = project_missing.solve().err();
    assert!(error.as_ref().is_some_and(calx::Error::is_invalid_input), "an error of the file: {error:?}");
    let e = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("targets.yaml:22:12") && e.contains("design_specs[0].until"), "at the spec's until: {e}");
    for part in [
        "units.carbonation.sizes.co2_fixd",
        "unit `carbonation` (carbonator) reports no size `co2_fixd`",
        "; it reports: co2_utilisation, co2_limited, co2_fixed,",
    ] {
        assert!(e.contains(part), "{part:?} missing from: {e}");
    }
    assert!(!e.contains("tried"), "not blamed on the value tried: {e}");
    // co2_fixed is a mass flow; written as a volume, the spec names both dimensions.
    let e = project(&carbonation(&spec("units.carbonation.sizes.co2_fixed = 0.5 m3")))
        .solve()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    for part in [
        "design specification 1 (adjust `streams.lime_slurry.total` until `units.carbonation.sizes.co2_fixed`)",
        "volume [m^3]",
        "mass flow [kg s^-1]",
    ] {
        assert!(e.contains(part), "{part:?} missing from: {e}");
    }
}

/// N2 at 3 t/h and a CO2 feed mixed, then a heater with a pressure drop.
fn gas(specs: &str) -> String {
    format!(
        "schema_version: 1
components: {{ use: [CO2, N2] }}
streams:
  nitrogen: {{ flows: {{ N2: 3 t/h }} }}
  co2: {{ flows: {{ CO2: 1 t/h }} }}
units:
  mixer: {{ type: mixer, in: {{ in: [nitrogen, co2] }}, out: {{ out: gas }} }}
  heater: {{ type: heater, in: {{ in: gas }}, out: {{ out: hot }}, params: {{ T: 80 degC, pressure_drop: 5 kPa }} }}
{specs}"
    )
}

#[test]
fn specs_on_a_mole_fraction_a_molar_flow_and_a_pressure_meet_their_hand_values() {
    let n_n2 = 3000.0 / 3600.0 / molar_mass("N2");
    // 15 mol% CO2: n_CO2 = 0.15 / 0.85 n_N2.
    let specs = "design_specs:
  - adjust: streams.co2.total
    until: streams.hot.mole_fractions.CO2 = 15 mol%
    between: [0.1 t/h, 5 t/h]
    tolerance: 1e-12
  - adjust: units.heater.pressure_drop
    until: streams.hot.P = 90 kPa
    between: [0 kPa, 50 kPa]
    tolerance: 1e-12
";
    let mut f = project(&gas(specs)).build().unwrap_or_else(|e| panic!("{e}"));
    let result = f.solve().unwrap_or_else(|e| panic!("{e}"));
    let n_co2 = 0.15 / 0.85 * n_n2;
    let specs = &result.solver.design_specs;
    let (fraction, pressure) = (
        specs.iter().find(|s| s.adjust == "streams.co2.total").unwrap_or_else(|| panic!("no co2 spec")),
        specs.iter().find(|s| s.adjust == "units.heater.pressure_drop").unwrap_or_else(|| panic!("no dp spec")),
    );
    // Met to |f| <= 1e-9 (the default absolute tolerance on a fraction of 0.15): 7e-9 of it.
    assert!(close(fraction.value, n_co2 * molar_mass("CO2"), 2e-8), "{} kg/s", fraction.value);
    assert!(close(pressure.value, 101_325.0 - 90_000.0, 1e-9), "{} Pa", pressure.value);
    // Every other new reading of the solved state, by hand from the same flows.
    let (w_co2, w_n2) = (n_co2 * molar_mass("CO2"), 3000.0 / 3600.0);
    let read = |path: &str| f.read(&var(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(close(read("streams.hot.molar_total"), n_co2 + n_n2, 2e-8));
    assert!(close(read("streams.hot.molar_flows.N2"), n_n2, 1e-12));
    assert!(close(read("streams.hot.mass_fractions.CO2"), w_co2 / (w_co2 + w_n2), 2e-8));
    assert!(close(read("streams.hot.mole_fractions.CO2"), 0.15, 1e-8));
    assert!(close(read("streams.gas.P"), 101_325.0, 1e-12));

    // A molar-flow target: 10 kmol/h of CO2.
    let spec = "design_specs:
  - adjust: streams.co2.total
    until: streams.gas.molar_flows.CO2 = 10 kmol/h
    between: [0.1 t/h, 5 t/h]
    tolerance: 1e-12
";
    let result = project(&gas(spec)).solve().unwrap_or_else(|e| panic!("{e}")).result;
    let want = 10_000.0 / 3600.0 * molar_mass("CO2");
    assert!(close(result.solver.design_specs[0].value, want, 1e-9), "{}", result.solver.design_specs[0].value);
}

#[test]
fn a_fraction_of_a_stream_without_flow_is_an_error_naming_the_stream() {
    let text = gas("")
        .replace("co2: { flows: { CO2: 1 t/h } }", "co2: { flows: { CO2: 0 t/h } }")
        .replace("nitrogen: { flows: { N2: 3 t/h } }", "nitrogen: { flows: { N2: 0 t/h } }");
    let mut f = project(&text).build().unwrap_or_else(|e| panic!("{e}"));
    f.solve().unwrap_or_else(|e| panic!("{e}"));
    for path in ["streams.gas.mole_fractions.CO2", "streams.gas.mass_fractions.N2"] {
        let e = f.read(&var(path)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("stream `gas` has no flow"), "{path}: {e}");
    }
    assert_eq!(f.read(&var("streams.gas.molar_total")).ok(), Some(0.0));
}

#[test]
fn a_spec_whose_target_is_upstream_of_its_variable_is_refused_before_solving() {
    // The heater sits after the mixer: its pressure drop cannot move the mixer's outlet.
    let spec = "design_specs:
  - adjust: units.heater.pressure_drop
    until: streams.gas.P = 90 kPa
    between: [0 kPa, 50 kPa]
";
    let e = project(&gas(spec)).build().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("the target `streams.gas.P` is not downstream of the adjusted variable"), "{e}");
    assert!(e.contains("targets.yaml:10:5"), "positioned at the spec: {e}");
    // Downstream (the heater's own outlet, or the heater's own duty) is accepted.
    for until in ["streams.hot.P = 90 kPa", "units.heater.heating = 10 kW"] {
        let spec = spec.replace("streams.gas.P = 90 kPa", until);
        assert!(project(&gas(&spec)).build().is_ok(), "{until}");
    }
}

/// A study varying the carbonator's residence time and reading its size and stream results.
#[test]
fn sizes_fractions_molar_flows_and_pressures_are_study_metrics_in_si() {
    let text = carbonation("");
    let def = calx_study::parse_study(
        "study: t\nflowsheet: targets.yaml\nseed: 1\nsamples: 2\nparameters:\n  - path: units.carbonation.residence_time\n    unit: min\n    distribution: { type: uniform, low: 20, high: 40 }\nmetrics:\n  - units.carbonation.sizes.volume\n  - units.carbonation.sizes.co2_fixed\n  - streams.carbonated_slurry.mass_fractions.CaCO3\n  - streams.vent.mole_fractions.CO2\n  - streams.vent.molar_total\n  - streams.vent.P\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = calx::LoadOptions::default();
    let study = Study::prepare(def, &text, "targets.yaml", &options).unwrap_or_else(|e| panic!("{e}"));
    let got = study.evaluate(&[Some(45.0)]).unwrap_or_else(|e| panic!("{e}"));
    // By hand: 1 t/h Ca(OH)2, 80 % carbonated.
    let n = 0.8 * 1000.0 / 3600.0 / molar_mass("Ca(OH)2");
    let fixed = n * molar_mass("CO2");
    let slurry = 10_000.0 / 3600.0 + fixed;
    let solids = 0.2 * 1000.0 / 3600.0 + n * molar_mass("CaCO3");
    let w_s = solids / slurry;
    let density = 1.0 / (w_s / 2500.0 + (1.0 - w_s) / 1000.0);
    let volume = 45.0 * 60.0 * slurry / density * 1.1;
    let (n_co2, n_n2) = (2000.0 / 3600.0 / molar_mass("CO2") - n, 6000.0 / 3600.0 / molar_mass("N2"));
    let want = [volume, fixed, n * molar_mass("CaCO3") / slurry, n_co2 / (n_co2 + n_n2), n_co2 + n_n2, 101_325.0];
    for ((m, g), w) in study.def.metrics.iter().zip(&got).zip(want) {
        assert!(close(*g, w, 1e-9), "{m}: {g} vs {w}");
    }
    // About 8 m3 for 45 minutes (2.87 kg/s of a 1080 kg/m3 slurry, 10 % margin): a check on
    // the hand calculation's magnitude.
    assert!((volume - 8.0).abs() < 0.05, "{volume} m3");

    // A size the unit does not report is refused before any sample runs, with what it does report.
    let def = calx_study::parse_study(
        "study: t\nflowsheet: targets.yaml\nseed: 1\nsamples: 2\nparameters:\n  - path: units.carbonation.residence_time\n    unit: min\n    distribution: { type: uniform, low: 20, high: 40 }\nmetrics:\n  - units.carbonation.sizes.diameter\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    match Study::prepare(def, &text, "targets.yaml", &options) {
        Err(e @ StudyError::Path { .. }) => {
            let e = e.to_string();
            assert!(e.contains("units.carbonation.sizes.diameter") && e.contains("reports no size `diameter`"), "{e}");
            assert!(e.contains("volume"), "{e}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("accepted a size the unit does not report"),
    }
}

#[test]
fn an_unreachable_target_is_a_failed_design_at_its_until_in_the_display_units() {
    // The slurry leaving is the slurry fed and the CO2 it fixed: a little over 5 t/h at 5 t/h
    // of slurry, a little over 10 t/h at 10 t/h, never 30 t/h.
    let specs = "design_specs:
  - adjust: streams.lime_slurry.total
    until: streams.carbonated_slurry.total = 30 t/h
    between: [5 t/h, 10 t/h]
";
    let text = carbonation(specs);
    let e = project(&text).solve().expect_err("30 t/h is out of reach");
    assert!(matches!(e, calx::Error::Design(_)) && !e.is_invalid_input(), "{e}");
    let message = e.to_string();
    let line = text.lines().position(|l| l.contains("until: streams.carbonated_slurry.total")).unwrap_or(0) + 1;
    assert!(message.contains(&format!("targets.yaml:{line}:")), "{message}");
    assert!(message.contains("design specification 1"), "{message}");
    assert!(message.contains("the target 30 t/h cannot be reached"), "{message}");
    assert!(message.contains("between 5 t/h and 10 t/h") && message.contains(" t/h at the lower bound"), "{message}");
    assert!(!message.contains("(SI)"), "{message}");
}

#[test]
fn an_expression_target_that_cannot_be_evaluated_points_at_its_spec() {
    // No CO2 leaves with the slurry (it vents), so the ratio divides by zero at every value.
    let specs = "design_specs:
  - adjust: streams.lime_slurry.total
    until: streams.vent.flows.CO2 / streams.carbonated_slurry.flows.CO2 = 2
    between: [5 t/h, 10 t/h]
";
    let text = carbonation(specs);
    let e = project(&text).solve().expect_err("a division by zero");
    let message = e.to_string();
    let line = text.lines().position(|l| l.contains("until: streams.vent.flows.CO2")).unwrap_or(0) + 1;
    assert!(message.contains(&format!("targets.yaml:{line}:")), "{message}");
    assert!(message.contains("design specification 1") && message.contains("division by zero"), "{message}");
}
