//! Calculators (issue 17, item 3) on the reference plant: a design specification "CO2 fixed =
//! 2,000 t/yr" adjusting the ash feed, with calculators keeping the flue gas and the process
//! water proportional to the ash (flowsheets/kigam-cfbc-2022-co2-target.yaml), checked against
//! the hand result from the reference plant's own per-tonne figures.

use calx_core::SECONDS_PER_YEAR;
use calx_tests::solve;

fn total(r: &calx_core::result::FlowsheetResult, stream: &str) -> f64 {
    r.stream(stream).unwrap_or_else(|| panic!("no stream {stream}")).stream.total_mass()
}

fn co2_fixed(r: &calx_core::result::FlowsheetResult) -> f64 {
    let unit = r.units.iter().find(|u| u.name == "carbonation").unwrap_or_else(|| panic!("no carbonation"));
    unit.report.sizes.iter().find(|s| s.name == "co2_fixed").map(|s| s.value).unwrap_or(f64::NAN)
}

#[test]
fn co2_fixed_target_with_proportional_flue_gas_matches_the_hand_result() {
    let (_, base) = solve("flowsheets/kigam-cfbc-2022.yaml").unwrap_or_else(|e| panic!("{e}"));
    let (_, sized) = solve("flowsheets/kigam-cfbc-2022-co2-target.yaml").unwrap_or_else(|e| panic!("{e}"));
    // Reference plant (Table 4 per t of product, Table 2's 17,585 t/yr): 2,000 kg ash/t, so
    // base_ash = 35,170 t/yr; the carbonator fixes base_co2 (76.76 kg/t, Table 5's 76.7 kg/t).
    let t_per_yr = 1000.0 / SECONDS_PER_YEAR;
    let base_ash = 2000.0 / 1000.0 * 17585.0 * t_per_yr;
    assert!((total(&base, "raw_ash") - base_ash).abs() < 1e-12 * base_ash);
    let base_co2 = co2_fixed(&base);
    assert!((base_co2 / t_per_yr / 17585.0 * 1000.0 - 76.7).abs() < 0.1, "{base_co2}");
    // Every feed follows the ash and every unit is linear in its feed (fixed conversions and
    // splits), so CO2 fixed is proportional to the ash: ash = base_ash x X / base_co2.
    // By hand: 35,170 t/yr x 2,000 / 1,349.71 = 52,114.8 t/yr.
    let x = 2000.0 * t_per_yr;
    let ash = base_ash * x / base_co2;
    assert!((ash / t_per_yr - 52_114.8).abs() < 0.1, "{}", ash / t_per_yr);
    assert!((total(&sized, "raw_ash") - ash).abs() < 1e-9 * ash, "{} vs {ash}", total(&sized, "raw_ash"));
    assert!((co2_fixed(&sized) - x).abs() < 1e-9 * x);
    // The calculators held their ratios (Table 4: 1878.60 kg flue gas, 7437.53 kg water per
    // 2,000 kg ash) at the adjusted ash feed.
    let ash_now = total(&sized, "raw_ash");
    assert!((total(&sized, "flue_gas") - ash_now * 1878.60 / 2000.0).abs() < 1e-12 * ash_now);
    assert!((total(&sized, "process_water") - ash_now * 7437.53 / 2000.0).abs() < 1e-12 * ash_now);
    assert_eq!(sized.solver.design_specs.len(), 1);
}

#[test]
fn a_calculator_that_fails_while_solving_points_at_its_line() {
    // The dewatering energy set from a ratio that divides by the CO2 in the carbonated slurry,
    // which is none (CO2 leaves in the vent): a division by zero while the plant solves,
    // reported at the calculator's line (exit 2, like any error of the file).
    let text = std::fs::read_to_string(calx_tests::root().join("flowsheets/kigam-cfbc-2022.yaml")).unwrap_or_default();
    let text = format!(
        "{text}\ncalculate:\n  - set: units.post_treatment.specific_energy\n    to: streams.raw_ash.total / streams.carbonated_slurry.flows.CO2 * 1 kWh/t\n"
    );
    let project = calx::Project::from_text(
        &text,
        "plant.yaml",
        &calx_tests::root().join("flowsheets"),
        &calx::LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let Err(e) = project.solve() else { panic!("a division by zero must fail the solve") };
    assert!(e.is_invalid_input(), "{e}");
    let message = e.to_string();
    assert!(message.contains("calculate[0]") && message.contains("division by zero"), "{message}");
    let line = text.lines().position(|l| l.starts_with("  - set: units.post_treatment.specific_energy")).unwrap() + 1;
    assert!(message.contains(&format!("plant.yaml:{line}:")), "{message}");
}

#[test]
fn a_target_that_a_calculator_ties_to_the_adjusted_feed_is_downstream_of_it() {
    // Feed `b` is set from feed `a` by a calculator and flows to `b_out` through its own
    // mixer: no stream joins `a` to `b_out`, but the calculator does. b_out = 2 a, so
    // b_out = 6 t/h needs a = 3 t/h.
    let text = "schema_version: 1
components: { use: [H2O, N2] }
streams:
  a: { flows: { H2O: 1 t/h } }
  b: { flows: { N2: 1 t/h } }
units:
  pass_a: { type: mixer, in: { in: [a] }, out: { out: a_out } }
  pass_b: { type: mixer, in: { in: [b] }, out: { out: b_out } }
calculate:
  - set: streams.b.total
    to: streams.a.total * 2
design_specs:
  - adjust: streams.a.total
    until: streams.b_out.total = 6 t/h
    between: [1 t/h, 5 t/h]
";
    let project = calx::Project::from_text(text, "tied.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let result = project.solve().unwrap_or_else(|e| panic!("{e}")).result;
    let t_per_h = 1000.0 / 3600.0;
    assert!((total(&result, "a") - 3.0 * t_per_h).abs() < 1e-8 * t_per_h, "{}", total(&result, "a") / t_per_h);
    assert!((total(&result, "b_out") - 6.0 * t_per_h).abs() < 1e-8 * t_per_h);
}

/// A flowsheet whose calculator closes a loop: feed `x` is set from the mixed stream it
/// joins (`x = gain x mixed`, `mixed = a + x`), solved with `method`. With `recycle`, half of
/// `mixed` also comes back to the mixer through a splitter (a stream tear in the same loop).
fn closing(method: &str, gain: f64, recycle: bool) -> Result<calx_core::result::FlowsheetResult, calx::Error> {
    let (mixer_in, split) = if recycle {
        (
            "[a, x, back]",
            "  split: { type: splitter, in: { in: mixed }, out: { out: [back, product] }, params: { fractions: { back: 0.5 } } }\n",
        )
    } else {
        ("[a, x]", "")
    };
    let text = format!(
        "schema_version: 1
components: {{ use: [H2O] }}
streams:
  a: {{ flows: {{ H2O: 1 kg/s }} }}
  x: {{ flows: {{ H2O: 1 kg/s }} }}
units:
  mix: {{ type: mixer, in: {{ in: {mixer_in} }}, out: {{ out: mixed }} }}
{split}calculate:
  - set: streams.x.total
    to: streams.mixed.total * {gain}
solver:
  method: {method}
  tolerance: 1e-12
"
    );
    let project =
        calx::Project::from_text(&text, "closing.yaml", std::path::Path::new("."), &calx::LoadOptions::default())?;
    Ok(project.solve()?.result)
}

#[test]
fn a_calculator_closing_a_loop_converges_like_a_recycle_with_every_method() {
    for method in calx_engine::Method::ALL.map(|m| m.name()) {
        // x = 0.75 (a + x): x = 3 a = 3 kg/s, mixed = 4 kg/s.
        let r = closing(method, 0.75, false).unwrap_or_else(|e| panic!("{method}: {e}"));
        assert!((total(&r, "x") - 3.0).abs() < 1e-9, "{method}: {}", total(&r, "x"));
        assert!((total(&r, "mixed") - 4.0).abs() < 1e-9, "{method}: {}", total(&r, "mixed"));
        assert_eq!(r.solver.loops.len(), 1, "{method}");
        let lp = &r.solver.loops[0];
        assert_eq!(lp.tears, vec!["streams.x.total"], "{method}");
        assert_eq!(lp.units, vec!["x", "mix"], "{method}");
        assert_eq!(lp.method, method);
        assert!(lp.max_scaled_residual <= 1.0, "{method}");
        // Inside a stream recycle: mixed = a + x + mixed / 2 and x = mixed / 4, so x = a and
        // mixed = 4 a; the loop tears the recycle stream and the calculated parameter.
        let r = closing(method, 0.25, true).unwrap_or_else(|e| panic!("{method}: {e}"));
        assert!((total(&r, "x") - 1.0).abs() < 1e-9, "{method}: {}", total(&r, "x"));
        assert!((total(&r, "mixed") - 4.0).abs() < 1e-9, "{method}: {}", total(&r, "mixed"));
        assert!((total(&r, "product") - 2.0).abs() < 1e-9, "{method}: {}", total(&r, "product"));
        assert_eq!(r.solver.loops.len(), 1, "{method}");
        assert_eq!(r.solver.loops[0].tears, vec!["back", "streams.x.total"], "{method}");
    }
}

#[test]
fn a_calculator_closing_a_loop_without_a_fixed_point_does_not_converge() {
    // x = a + x (and x = mixed / 2 around a recycle that returns half of it) has no solution.
    for (gain, recycle) in [(1.0, false), (0.5, true)] {
        for method in calx_engine::Method::ALL.map(|m| m.name()) {
            let Err(e) = closing(method, gain, recycle) else { panic!("{method}: x = a + x cannot converge") };
            let message = e.to_string();
            assert!(message.contains("did not converge"), "{method}: {message}");
            assert!(message.contains("calculated parameters: `streams.x.total`"), "{method}: {message}");
            assert!(message.contains("`mix`"), "{method}: {message}");
        }
    }
}
