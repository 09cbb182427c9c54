//! No silent wrong result, end to end from flowsheet text (issue 14): a recycle without a
//! steady state is an error with every method, the new solver options are read from the
//! file, and a flowsheet of 20,000 units parses, builds and reports its tear choice (the YAML
//! reader's default budget stopped files near 19,000 units). Values outside the sane ranges
//! are refused at load: see `tests/data/invalid/*-out-of-range.yaml`.

use std::fmt::Write;

use calx_core::result::TearSelection;
use calx_engine::Method;

fn parse(text: &str) -> calx_flowsheet::Model {
    calx_flowsheet::parse(text, "trust.yaml", &calx::builtin_registry()).unwrap_or_else(|d| panic!("{d}"))
}

/// Feed -> mixer -> splitter returning all of its inlet to the mixer: no steady state.
const RETURNS_EVERYTHING: &str = "\
schema_version: 1
components: { use: [CaO, H2O] }
streams:
  feed: { flows: { CaO: 1 t/h, H2O: 1 t/h } }
units:
  mixer: { type: mixer, in: { in: [feed, recycle] }, out: { out: mixed } }
  split:
    type: splitter
    in: { in: mixed }
    out: { out: [recycle, product] }
    params: { fractions: { recycle: 100 % } }
solver:
  method: METHOD
";

#[test]
fn a_recycle_without_steady_state_is_an_error_with_every_method() {
    // Broyden used to print this "converged", the recycle at 9e18 kg/h and the flowsheet's
    // mass closure 1.0, with exit status 0.
    for method in Method::ALL {
        let model = parse(&RETURNS_EVERYTHING.replace("METHOD", method.name()));
        let e = model.build().unwrap_or_else(|d| panic!("{d}")).solve().unwrap_err().to_string();
        assert!(
            e.contains("recycle loop through `mixer` -> `split` (tear streams: `recycle`) did not converge"),
            "{e}"
        );
    }
}

#[test]
fn the_new_solver_options_are_read_and_checked() {
    let text = RETURNS_EVERYTHING
        .replace("METHOD", "direct_substitution\n  scale_tolerance: 1e-4\n  flowsheet_balance_tolerance: 1e-3");
    let o = parse(&text).def.options;
    assert_eq!((o.recycle.scale_tol, o.flowsheet_balance_tolerance), (1e-4, 1e-3));
    let bad = RETURNS_EVERYTHING.replace("METHOD", "wegstein\n  scale_tolerance: 0\n  flowsheet_balance_tolerance: -1");
    let d = calx_flowsheet::parse(&bad, "trust.yaml", &calx::builtin_registry()).err().map(|d| d.to_string());
    let d = d.unwrap_or_default();
    assert!(d.contains("`solver.scale_tolerance` must be a number above 0"), "{d}");
    assert!(d.contains("`solver.flowsheet_balance_tolerance` must be a number above 0"), "{d}");
}

#[test]
fn twenty_thousand_units_of_overlapping_recycles_parse_build_and_report_a_heuristic_tear_choice() {
    // 10,000 mixer -> splitter trains; each splitter sends half on and half back to the
    // previous train's mixer: one recycle block of 20,000 units.
    let trains = 10_000;
    let mut text = String::from(
        "schema_version: 1\ncomponents: { use: [H2O] }\nstreams:\n  feed: { flows: { H2O: 1 t/h } }\nunits:\n",
    );
    for i in 0..trains {
        let upstream = if i == 0 { "feed".to_string() } else { format!("fwd{}", i - 1) };
        let inlets = if i + 1 < trains { format!("[{upstream}, back{}]", i + 1) } else { format!("[{upstream}]") };
        let _ = writeln!(text, "  m{i}: {{ type: mixer, in: {{ in: {inlets} }}, out: {{ out: x{i} }} }}");
        let (outlets, fraction) = match (i, i + 1 < trains) {
            (0, _) => (format!("[fwd{i}]"), format!("fwd{i}: 1")),
            (_, true) => (format!("[fwd{i}, back{i}]"), format!("fwd{i}: 0.5")),
            (_, false) => (format!("[product, back{i}]"), "product: 0.5".to_string()),
        };
        let _ = writeln!(
            text,
            "  s{i}: {{ type: splitter, in: {{ in: x{i} }}, out: {{ out: {outlets} }}, params: {{ fractions: {{ {fraction} }} }} }}"
        );
    }
    let model = parse(&text);
    assert_eq!(model.def.units.len(), 2 * trains + 1);
    let flowsheet = model.build().unwrap_or_else(|d| panic!("{d}"));
    let tears = flowsheet.tears();
    assert_eq!(tears.len(), 1, "one recycle block");
    assert_eq!(tears[0].0, TearSelection::Heuristic);
    assert_eq!(tears[0].1.len(), trains - 1, "one back stream per recycle");
}
