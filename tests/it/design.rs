//! Design specifications on analysis metrics and analysis parameters, solved by the façade
//! around the engine's solve and the analyses' figures (issue 17).

use calx::{Error, LoadOptions, Project, Source};
use std::path::Path;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kigam_text() -> String {
    std::fs::read_to_string(root().join("flowsheets/kigam-cfbc-2022.yaml")).expect("the reference plant is shipped")
}

fn load(text: &str) -> Project {
    Project::from_text(text, "kigam.yaml", &root().join("flowsheets"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn with_specs(specs: &str) -> String {
    let text = kigam_text();
    let at = text.find("\ndisplay:").expect("the file has a display section");
    format!("{}\ndesign_specs:\n{specs}{}", &text[..at], &text[at..])
}

fn metric(solved: &calx::Solved, analysis: &str, name: &str) -> f64 {
    solved
        .analyses
        .iter()
        .find(|a| a.name == analysis)
        .and_then(|a| a.metric(name))
        .unwrap_or_else(|| panic!("{analysis}.{name}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn the_price_that_gives_an_irr_of_10_percent_is_the_teas_own_minimum_selling_price_at_10_percent() {
    // The TEA's minimum selling price is the price at which the NPV at the discount rate is
    // zero, so at a 10 % discount rate it is the price whose IRR is 10 %: an independent path
    // (the TEA's own root finding on the NPV) to the number the spec finds on the IRR.
    let mut source = Source::parse(&kigam_text(), "kigam.yaml").unwrap_or_else(|d| panic!("{d}"));
    source.set("analyses.tea.discount_rate", "10 %").unwrap_or_else(|e| panic!("{e}"));
    let at_10 = Project::from_source(&source, &root().join("flowsheets"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let msp = metric(&at_10.solve().unwrap_or_else(|e| panic!("{e}")), "tea", "minimum_selling_price");

    let spec = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.irr = 10 %\n    between: [12500 KRW/t, 20000 KRW/t]\n    tolerance: 1e-12\n";
    let solved = load(&with_specs(spec)).solve().unwrap_or_else(|e| panic!("{e}"));
    let report = solved.result.solver.design_specs.last().expect("the spec is reported");
    assert_eq!(report.adjust, "analyses.tea.product_price");
    assert_eq!(report.adjust_unit.as_deref(), Some("KRW/t"));
    assert_eq!(report.target_unit.as_deref(), Some("%"));
    assert!((report.achieved - 10.0).abs() < 1e-9, "IRR achieved {}", report.achieved);
    assert!(close(report.value, msp, 1e-6), "spec price {} vs MSP at 10 % {msp}", report.value);
    // The analyses reported are configured at the solution.
    assert!((metric(&solved, "tea", "irr") - 10.0).abs() < 1e-9);
}

#[test]
fn a_feed_adjusted_until_an_lca_metric_is_met_matches_the_interpolation_of_plain_solves() {
    // Two plain solves at raw_ash totals a and b give the net reduction per year n(a), n(b);
    // a third at the midpoint shows n is linear in the feed over [a, b] (to 1e-9), so the
    // feed that gives a target n* is a + (n* - n(a)) (b - a) / (n(b) - n(a)).
    let base = load(&kigam_text());
    let feed = calx_engine::Variable::UnitParam { unit: "raw_ash".into(), param: "total".into(), key: None };
    let mut f = base.build().unwrap_or_else(|d| panic!("{d}"));
    let t0 = f.read(&feed).unwrap_or_else(|e| panic!("{e}"));
    let mut net_at = |t: f64| -> f64 {
        f.set(&feed, t).unwrap_or_else(|e| panic!("{e}"));
        let result = f.solve().unwrap_or_else(|e| panic!("{e}"));
        let out = base.figures(&result).unwrap_or_else(|e| panic!("{e}"));
        out.iter().find(|a| a.name == "lca").and_then(|a| a.metric("net_reduction_per_year")).expect("the metric")
    };
    let (a, b) = (0.9 * t0, 1.1 * t0);
    let (na, nb, nm) = (net_at(a), net_at(b), net_at(0.5 * (a + b)));
    assert!(close(nm, 0.5 * (na + nb), 1e-9), "linear in the feed: {na} {nm} {nb}");
    let target = na + 0.3 * (nb - na);
    let expected = a + 0.3 * (b - a);
    let unit = base
        .solve()
        .map(|s| {
            s.analyses
                .iter()
                .find(|a| a.name == "lca")
                .and_then(|a| a.metrics.iter().find(|m| m.name == "net_reduction_per_year").map(|m| m.unit.clone()))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("the metric");
    let spec = format!(
        "  - adjust: streams.raw_ash.total\n    until: analyses.lca.net_reduction_per_year = {target} {unit}\n    between: [{a} kg/s, {b} kg/s]\n"
    );
    let solved = load(&with_specs(&spec)).solve().unwrap_or_else(|e| panic!("{e}"));
    let report = solved.result.solver.design_specs.last().expect("the spec is reported");
    assert!(close(report.value, expected, 1e-6), "feed {} vs interpolated {expected}", report.value);
    assert!(close(metric(&solved, "lca", "net_reduction_per_year"), target, 1e-8));
    assert!(report.iterations >= 1);
    let project = load(&with_specs(&spec));
    let table = calx_document::text_table(project.model(), &solved.result);
    assert!(table.contains("so that analyses.lca.net_reduction_per_year = ") && table.contains(&unit), "{table}");
}

#[test]
fn an_unreachable_metric_target_names_the_spec_the_bracket_and_the_values_at_its_ends() {
    let spec = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.irr = 10 %\n    between: [13500 KRW/t, 20000 KRW/t]\n";
    let e = load(&with_specs(spec))
        .solve()
        .expect_err("every price from 13,500 KRW/t up gives more than 10 % (13,000 gives 10.65 %)");
    let Error::Design(d) = &e else { panic!("{e}") };
    let text = d.to_string();
    assert!(text.contains("kigam.yaml:"), "{text}");
    assert!(text.contains("design specification 1") && text.contains("between 13500 and 20000"), "{text}");
    assert!(text.contains("at the lower bound") && text.contains("at the upper bound"), "{text}");
    assert!(!e.is_invalid_input());
}

#[test]
fn an_unknown_metric_is_an_error_at_the_spec_with_the_metrics_on_offer() {
    let spec = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.irrr = 10 %\n    between: [5000 KRW/t, 60000 KRW/t]\n";
    let e = load(&with_specs(spec)).solve().expect_err("no such metric");
    let Error::Build(d) = &e else { panic!("{e}") };
    let text = d.to_string();
    assert!(text.contains("gives no metric `irrr`") && text.contains("irr"), "{text}");
    assert!(text.contains("kigam.yaml:"), "{text}");
}

#[test]
fn the_price_at_which_the_npv_is_zero_is_the_teas_own_minimum_selling_price() {
    // A target of zero has no magnitude of its own: the search scales the residual by the
    // NPV at the ends of the bracket. The TEA's minimum selling price is its own root of the
    // NPV at the same discount rate.
    let msp = metric(&load(&kigam_text()).solve().unwrap_or_else(|e| panic!("{e}")), "tea", "minimum_selling_price");
    let spec = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.npv = 0 KRW\n    between: [5000 KRW/t, 60000 KRW/t]\n";
    let solved = load(&with_specs(spec)).solve().unwrap_or_else(|e| panic!("{e}"));
    let report = solved.result.solver.design_specs.last().expect("the spec is reported");
    assert!(close(report.value, msp, 1e-6), "spec price {} vs MSP {msp}", report.value);
}

#[test]
fn a_bare_number_for_a_metric_in_percent_is_refused_at_the_spec() {
    // `irr = 0.1` would mean 0.1 %, where a fraction target of the engine reads 0.1 as 10 %.
    let spec = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.irr = 0.1\n    between: [12500 KRW/t, 20000 KRW/t]\n";
    let text = with_specs(spec);
    let e = load(&text).solve().expect_err("a bare number for a metric in %");
    assert!(matches!(e, Error::Build(_)) && e.is_invalid_input(), "{e}");
    let message = e.to_string();
    let line = text.lines().position(|l| l.contains("until: analyses.tea.irr = 0.1")).unwrap_or(0) + 1;
    assert!(message.contains(&format!("kigam.yaml:{line}:")), "{message}");
    assert!(message.contains("bare number") && message.contains("`10 %`"), "{message}");
}

#[test]
fn an_analysis_spec_on_a_calculated_or_adjusted_parameter_is_refused_at_its_adjust() {
    let refused = |text: &str| -> String {
        match Project::from_text(text, "kigam.yaml", &root().join("flowsheets"), &LoadOptions::default()) {
            Ok(_) => panic!("the file must be refused"),
            Err(e) => e.to_string(),
        }
    };
    let on_feed =
        "  - adjust: streams.flue_gas.total\n    until: analyses.tea.irr = 10 %\n    between: [0.01 kg/s, 1 kg/s]\n";
    let text = format!(
        "{}\ncalculate:\n  - set: streams.flue_gas.total\n    to: streams.raw_ash.total * 2\n",
        with_specs(on_feed)
    );
    let message = refused(&text);
    let line = text.lines().position(|l| l.contains("adjust: streams.flue_gas.total")).unwrap_or(0) + 1;
    assert!(message.contains(&format!("kigam.yaml:{line}:")), "{message}");
    assert!(message.contains("calculator 1 sets it"), "{message}");
    let engine = "  - adjust: streams.flue_gas.total\n    until: streams.flue_gas.total = 0.1 kg/s\n    between: [0.01 kg/s, 1 kg/s]\n";
    let message = refused(&with_specs(&format!("{engine}{on_feed}")));
    assert!(message.contains("design specification 1 adjusts it already"), "{message}");
}

#[test]
fn an_engine_spec_after_an_analysis_spec_is_reported_under_its_own_number_and_line() {
    // The engine holds only the second specification; its error still says 2 and points at it.
    let analysis = "  - adjust: analyses.tea.product_price\n    until: analyses.tea.irr = 10 %\n    between: [12500 KRW/t, 20000 KRW/t]\n";
    let upstream = "  - adjust: streams.process_water.total\n    until: streams.raw_ash.total = 1 kg/s\n    between: [0.01 kg/s, 1 kg/s]\n";
    let text = with_specs(&format!("{analysis}{upstream}"));
    let Err(d) = load(&text).build() else { panic!("the target is upstream of the adjusted feed") };
    let message = d.to_string();
    let line = text.lines().position(|l| l.contains("adjust: streams.process_water.total")).unwrap_or(0) + 1;
    assert!(message.contains("design specification 2") && message.contains("not downstream"), "{message}");
    assert!(message.contains(&format!("kigam.yaml:{line}:")) && message.contains("design_specs[1]"), "{message}");
}

/// Water `a` and nitrogen `b` mixed: the mixture's total is `a + b` and its water mass
/// fraction `a / (a + b)`, both exact through the mixer.
fn mixing(optimize: &str) -> Project {
    let text = format!(
        "schema_version: 1\ncomponents: {{ use: [H2O, N2] }}\nstreams:\n  a: {{ flows: {{ H2O: 3 kg/s }}, T: 25 degC }}\n  b: {{ flows: {{ N2: 3 kg/s }}, T: 25 degC }}\nunits:\n  mix: {{ type: mixer, in: {{ in: [a, b] }}, out: {{ out: mixed }} }}\n  sink: {{ type: product, in: {{ in: mixed }} }}\noptimize:\n{optimize}"
    );
    Project::from_text(&text, "mixing.yaml", Path::new("."), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

const VARIABLES: &str = "  variables:\n    - { path: streams.a.total, between: [1 kg/s, 5 kg/s] }\n    - { path: streams.b.total, between: [1 kg/s, 5 kg/s] }\n";

#[test]
fn the_smallest_mixture_with_enough_water_sits_on_its_active_constraint() {
    // min a + b subject to a / (a + b) >= 0.6, 1 <= a, b <= 5 (kg/s): the objective grows
    // with b and the constraint loosens as b falls, so b = 1; then a / (a + 1) = 0.6 gives
    // a = 1.5 and the total 2.5 kg/s, with the constraint active.
    let text = format!(
        "  minimize: streams.mixed.total\n{VARIABLES}  constraints:\n    - streams.mixed.mass_fractions.H2O >= 0.6\n"
    );
    let solved = mixing(&text).solve().unwrap_or_else(|e| panic!("{e}"));
    let o = solved.result.solver.optimization.as_ref().expect("the optimum is reported");
    assert!(
        (o.variables[0].value - 1.5).abs() < 1e-6 && (o.variables[1].value - 1.0).abs() < 1e-6,
        "{:?}",
        o.variables
    );
    assert!((o.objective.value - 2.5).abs() < 1e-6, "{}", o.objective.value);
    assert!(o.constraints[0].active && (o.constraints[0].value.value - 0.6).abs() < 1e-6);
    assert!(!o.path.is_empty() && o.evaluations > o.path.len());
    let project = mixing(&text);
    let table = calx_document::text_table(project.model(), &solved.result);
    assert!(table.contains("optimum: minimize streams.mixed.total = 9000 kg/h"), "{table}");
    assert!(table.contains("constraint streams.mixed.mass_fractions.H2O >= 0.6: 0.6 (bound 0.6, active)"), "{table}");
    // The result is the plant at the optimum.
    let mixed = solved.result.stream("mixed").expect("the mixture");
    assert!((mixed.stream.total_mass() - 2.5).abs() < 1e-6);
}

#[test]
fn a_maximum_on_the_bounds_is_found_with_an_inactive_constraint() {
    // max of the mixture's water flow (= a) with its water fraction at most 0.9: a = 5 at
    // the bound; a / (a + b) <= 5 / 6 < 0.9 everywhere, so the constraint is inactive.
    let text = format!(
        "  maximize: streams.mixed.flows.H2O\n{VARIABLES}  constraints:\n    - streams.mixed.mass_fractions.H2O <= 0.9\n"
    );
    let solved = mixing(&text).solve().unwrap_or_else(|e| panic!("{e}"));
    let o = solved.result.solver.optimization.as_ref().expect("the optimum is reported");
    assert!((o.variables[0].value - 5.0).abs() < 1e-6, "{:?}", o.variables);
    assert!((o.objective.value - 5.0).abs() < 1e-6);
    assert!(!o.constraints[0].active);
}

#[test]
fn an_infeasible_optimisation_is_an_error_with_the_least_violation() {
    // a / (a + b) is at most 5 / 6 = 0.833 in the box, so >= 0.9 cannot hold.
    let text = format!(
        "  minimize: streams.mixed.total\n{VARIABLES}  constraints:\n    - streams.mixed.mass_fractions.H2O >= 0.9\n"
    );
    let e = mixing(&text).solve().expect_err("infeasible");
    let Error::Design(d) = &e else { panic!("{e}") };
    let text = d.to_string();
    assert!(text.contains("infeasible") && text.contains("least violation") && text.contains("mixing.yaml:"), "{text}");
    // The least violation is where the fraction is largest, a = 5 and b = 1 (kg/s): the
    // fraction is 5 / 6, short of 0.9 by 0.9 - 5/6 = 1/15, which relative to the bound is
    // (1/15) / 0.9 = 0.0741; the point is given in the display unit (5 kg/s = 18000 kg/h).
    assert!(text.contains("least violation found is 7.407e-2 of the bound"), "{text}");
    assert!(text.contains("streams.a.total = 18000 kg/h, streams.b.total = 3600 kg/h"), "{text}");
    assert!(text.contains("misses by 0.0666667"), "{text}");
}

#[test]
fn a_feasible_optimisation_out_of_evaluations_is_not_called_infeasible() {
    // The problem of the active-constraint test, with too few evaluations to converge.
    let text = format!(
        "  minimize: streams.mixed.total\n{VARIABLES}  constraints:\n    - streams.mixed.mass_fractions.H2O >= 0.6\n  max_evaluations: 40\n"
    );
    let e = mixing(&text).solve().expect_err("out of evaluations");
    let Error::Design(d) = &e else { panic!("{e}") };
    let text = d.to_string();
    assert!(!text.contains("infeasible"), "{text}");
    assert!(text.contains("did not converge within 40 evaluations") && text.contains("best feasible point"), "{text}");
}

/// The optimum of `min a + b` under `constraint`, and the number of evaluations.
fn optimum_under(constraint: &str) -> (f64, f64, usize) {
    let text = format!("  minimize: streams.mixed.total\n{VARIABLES}  constraints:\n    - {constraint}\n");
    let solved = mixing(&text).solve().unwrap_or_else(|e| panic!("{constraint}: {e}"));
    let o = solved.result.solver.optimization.expect("the optimum is reported");
    assert!(o.constraints[0].active, "{constraint}");
    (o.variables[0].value, o.variables[1].value, o.evaluations)
}

#[test]
fn a_bound_gives_the_same_optimum_in_whichever_unit_it_is_written() {
    // Water at least 3.5 kg/s (12.6 t/h): a = 3.5, b = 1. Each constraint is scaled by its
    // bound in SI, so the unit it is written in changes nothing, and the search hardly (the
    // bounds in SI differ in their last bits: 12600000 g/h is not exactly 12.6 t/h).
    let runs: Vec<(f64, f64, usize)> = ["12.6 t/h", "12600 kg/h", "12600000 g/h"]
        .iter()
        .map(|bound| optimum_under(&format!("streams.mixed.flows.H2O >= {bound}")))
        .collect();
    for (a, b, _) in &runs {
        assert!((a - 3.5).abs() < 1e-6 && (b - 1.0).abs() < 1e-6, "{runs:?}");
    }
    assert!(runs.iter().all(|r| r.2.abs_diff(runs[0].2) * 10 <= runs[0].2), "{runs:?}");
    // A fraction in % is the same constraint as the number: a / (a + 1) = 0.6, a = 1.5.
    let percent = optimum_under("streams.mixed.mass_fractions.H2O >= 60 %");
    let number = optimum_under("streams.mixed.mass_fractions.H2O >= 0.6");
    assert!((percent.0 - 1.5).abs() < 1e-6 && (percent.1 - 1.0).abs() < 1e-6, "{percent:?}");
    assert_eq!(percent, number);
}

#[test]
fn an_expression_can_be_the_objective_and_a_constraint() {
    // The water fraction written as a quotient: the optimum of the active-constraint test.
    let (a, b, _) = optimum_under("streams.mixed.flows.H2O / streams.mixed.total >= 0.6");
    assert!((a - 1.5).abs() < 1e-6 && (b - 1.0).abs() < 1e-6, "{a} {b}");
    // Maximise a - b (kg/s) with a + b at most 4 kg/s: a = 3, b = 1.
    let text = format!(
        "  maximize: streams.mixed.flows.H2O - streams.mixed.flows.N2\n{VARIABLES}  constraints:\n    - streams.mixed.total <= 4 kg/s\n"
    );
    let solved = mixing(&text).solve().unwrap_or_else(|e| panic!("{e}"));
    let o = solved.result.solver.optimization.expect("the optimum is reported");
    assert!((o.objective.value - 2.0).abs() < 1e-6, "{:?}", o.objective);
    assert_eq!(o.objective.dimension, calx_core::Dimension::MASS_FLOW);
    // An expression whose dimension is not the bound's is refused at load.
    let text = format!(
        "  minimize: streams.mixed.total\n{VARIABLES}  constraints:\n    - streams.mixed.flows.H2O / streams.mixed.total >= 1 kg/s\n"
    );
    let full = format!(
        "schema_version: 1\ncomponents: {{ use: [H2O, N2] }}\nstreams:\n  a: {{ flows: {{ H2O: 3 kg/s }}, T: 25 degC }}\n  b: {{ flows: {{ N2: 3 kg/s }}, T: 25 degC }}\nunits:\n  mix: {{ type: mixer, in: {{ in: [a, b] }}, out: {{ out: mixed }} }}\n  sink: {{ type: product, in: {{ in: mixed }} }}\noptimize:\n{text}"
    );
    let e = Project::from_text(&full, "mixing.yaml", Path::new("."), &LoadOptions::default()).err().expect("refused");
    assert!(e.to_string().contains("the bound does not fit"), "{e}");
}

#[test]
fn a_variable_a_calculator_sets_is_refused_at_its_place() {
    let text = format!(
        "  minimize: streams.mixed.total\n{VARIABLES}calculate:\n  - set: streams.b.total\n    to: streams.a.total * 2\n"
    );
    let e = mixing(&text).solve().expect_err("overwritten");
    let Error::Build(d) = &e else { panic!("{e}") };
    let text = d.to_string();
    assert!(
        text.contains("`streams.b.total` is also set by the calculator") && text.contains("mixing.yaml:13"),
        "{text}"
    );
}

#[test]
fn a_bound_on_a_size_is_checked_against_the_dimension_the_unit_reports() {
    // The carbonation unit reports `co2_fixed` as a mass flow: a bound in m3 does not fit,
    // which only the first solve can tell (an error naming the constraint, not a number).
    let text = kigam_text();
    let at = text.find("\ndisplay:").expect("the file has a display section");
    let optimize = "\noptimize:\n  minimize: streams.product.total\n  variables:\n    - { path: streams.raw_ash.total, between: [0.9 kg/s, 1.3 kg/s] }\n  constraints:\n    - units.carbonation.sizes.co2_fixed >= 1 m3\n";
    let e = load(&format!("{}{optimize}{}", &text[..at], &text[at..])).solve().expect_err("the bound does not fit");
    let Error::Build(d) = &e else { panic!("{e}") };
    let message = d.to_string();
    assert!(message.contains("`units.carbonation.sizes.co2_fixed` is a mass flow"), "{message}");
    assert!(
        message.contains("the bound `1 m3` is a volume") && message.contains("optimize.constraints[0]"),
        "{message}"
    );
}
