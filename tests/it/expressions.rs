//! Design-specification targets and study metrics written as small expressions over results
//! (issue 17, item 1): a spec on the ratio of CO2 fixed to product checked against a hand
//! calculation from the reference plant's own figures, study metrics that are a ratio and a
//! sum checked against the separate metrics, and positioned errors for bad expressions; with
//! analysis metrics inside (a study metric per product, a spec on cost over revenue).

use calx::{LoadOptions, Project};
use calx_study::Study;
use calx_tests::root;

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";

fn kigam_text() -> String {
    std::fs::read_to_string(root().join(FLOWSHEET)).expect("the reference plant is shipped")
}

fn load(text: &str) -> Result<Project, calx::LoadError> {
    Project::from_text(text, "kigam.yaml", &root().join("flowsheets"), &LoadOptions::default())
}

fn with_specs(specs: &str) -> String {
    let text = kigam_text();
    let at = text.find("\ndisplay:").expect("the file has a display section");
    format!("{}\ndesign_specs:\n{specs}{}", &text[..at], &text[at..])
}

/// The line of the first `until:` in `text`: where a diagnostic about an appended spec points.
fn until_line(text: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with("until:")).expect("a spec") + 1
}

fn solve(text: &str) -> calx::Solved {
    load(text).unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"))
}

fn molar_mass(formula: &str) -> f64 {
    calx_core::Formula::parse(formula).map(|f| f.molar_mass()).unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

fn read(solved: &calx::Solved, path: &str) -> f64 {
    let p = calx_core::path::ResultPath::parse(path).unwrap_or_else(|e| panic!("{e}"));
    let v = calx_engine::Variable::result(&p).unwrap_or_else(|| panic!("{path}"));
    match v {
        calx_engine::Variable::StreamTotal(s) => {
            solved.result.streams.iter().find(|x| x.name == s).map_or(f64::NAN, |x| x.stream.total_mass())
        }
        calx_engine::Variable::UnitSize { unit, size } => solved
            .result
            .units
            .iter()
            .find(|u| u.name == unit)
            .and_then(|u| u.report.sizes.iter().find(|z| z.name == size))
            .map_or(f64::NAN, |z| z.value),
        _ => f64::NAN,
    }
}

#[test]
fn a_spec_on_the_ratio_of_co2_fixed_to_product_meets_the_hand_calculation() {
    let base = solve(&kigam_text());
    let (c0, p0) = (read(&base, "units.carbonation.sizes.co2_fixed"), read(&base, "streams.product.total"));
    // The reference plant fixes 76.76 kg CO2 per tonne of product (Table 5's 76.7 kg).
    assert!((c0 / p0 * 1000.0 - 76.76).abs() < 0.01, "{}", c0 / p0 * 1000.0);
    let spec = "  - adjust: units.carbonation.conversion.Ca(OH)2\n    until: units.carbonation.sizes.co2_fixed / streams.product.total = 0.08\n    between: [0.5, 0.95]\n    tolerance: 1e-12\n";
    let solved = solve(&with_specs(spec));
    // By hand, per second at the written rate (17,585 t/yr of product): the Ca(OH)2 reaching
    // the carbonator is the CaO kept by the magnetic separation (442.00 kg/t x (1 -
    // 0.12676...)) hydrated at 28.948 %, as Ca(OH)2. Carbonating a further d of it fixes
    // d F M(CO2)/M(Ca(OH)2) more CO2 and adds d F (M(CaCO3) - M(Ca(OH)2))/M(Ca(OH)2) to the dry
    // product (its water leaves with the filtrate), so (c0 + a d) / (p0 + b d) = 0.08.
    let per_t = 17_585_000.0 / (8760.0 * 3600.0) / 1000.0;
    let cao = 442.00 * (1.0 - 0.12676470588235) * 0.28947845687489 * per_t;
    let f = cao / molar_mass("CaO") * molar_mass("Ca(OH)2");
    let a = f * molar_mass("CO2") / molar_mass("Ca(OH)2");
    let b = f * (molar_mass("CaCO3") - molar_mass("Ca(OH)2")) / molar_mass("Ca(OH)2");
    let d = (0.08 * p0 - c0) / (a - 0.08 * b);
    let expected = 0.69993224932249 + d;
    let report = &solved.result.solver.design_specs[0];
    assert_eq!(report.target_variable, "units.carbonation.sizes.co2_fixed / streams.product.total");
    assert!(close(report.value, expected, 1e-8), "conversion {} vs {expected} by hand", report.value);
    assert!(close(report.achieved, 0.08, 1e-10), "{}", report.achieved);
    let ratio = read(&solved, "units.carbonation.sizes.co2_fixed") / read(&solved, "streams.product.total");
    assert!(close(ratio, 0.08, 1e-10), "{ratio}");
    // About 74 %: a check on the hand calculation's magnitude.
    assert!((expected - 0.7394).abs() < 1e-3, "{expected}");
}

#[test]
fn a_ratio_target_takes_its_value_in_the_expressions_dimension() {
    // Product per ash: dimensionless, so a percentage or a bare number, never a flow.
    let spec = |target: &str, value: &str| {
        format!(
            "  - adjust: units.carbonation.conversion.Ca(OH)2\n    until: {target} = {value}\n    between: [0.5, 0.95]\n"
        )
    };
    let ratio = "streams.product.total / streams.raw_ash.total";
    if let Err(e) = load(&with_specs(&spec(ratio, "50.2 %"))) {
        panic!("{e}");
    }
    let e = load(&with_specs(&spec(ratio, "3.8 t/h"))).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("is a dimensionless number [1], but the value is a mass flow"), "{e}");
    let line = until_line(&with_specs(&spec(ratio, "3.8 t/h")));
    assert!(e.contains(&format!("kigam.yaml:{line}:60")), "positioned at the value: {e}");
    // With a unit's size in it, the dimension is known once the unit reports: at the solve.
    let sized = "units.carbonation.sizes.co2_fixed / streams.product.total";
    let project = load(&with_specs(&spec(sized, "3.8 t/h"))).unwrap_or_else(|e| panic!("{e}"));
    let e = project.solve().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("the expression is a dimensionless number [1], but the target value is a mass flow"), "{e}");
}

fn metric_study(metrics: &str) -> String {
    format!(
        "study: t\nflowsheet: ../{FLOWSHEET}\nseed: 7\nsamples: 2\nsampling: random\nparameters:\n  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: {{ type: uniform, low: 0.6, high: 0.8 }}\nmetrics:\n{metrics}"
    )
}

#[test]
fn study_metrics_may_be_ratios_and_sums_of_results() {
    let def = calx_study::parse_study(&metric_study(
        "  - units.carbonation.sizes.co2_fixed\n  - streams.product.total\n  - units.carbonation.electricity\n  - units.hydration.electricity\n  - units.carbonation.sizes.co2_fixed / streams.product.total\n  - units.carbonation.electricity + units.hydration.electricity\n  - (units.carbonation.electricity + units.hydration.electricity) * 1 h / streams.product.total / 1 h\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let text = kigam_text();
    let study = Study::prepare(def, &text, FLOWSHEET, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    for x in [0.65, 0.75] {
        let m = study.evaluate(&[Some(x)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(close(m[4], m[0] / m[1], 1e-14), "ratio {} vs {}", m[4], m[0] / m[1]);
        assert!(close(m[5], m[2] + m[3], 1e-14), "sum {} vs {}", m[5], m[2] + m[3]);
        // J per kg: the electricity of both units per kilogram of product.
        assert!(close(m[6], (m[2] + m[3]) / m[1], 1e-12), "{} vs {}", m[6], (m[2] + m[3]) / m[1]);
    }
}

#[test]
fn bad_expression_metrics_are_refused_before_anything_runs_with_their_column() {
    let text = kigam_text();
    for (metric, words) in [
        ("streams.product.total + streams.product.T", "column 23"),
        ("analyses.lcb.net_reduction_per_year / streams.product.total", "no analysis `lcb`"),
        ("streams.product.total / streams.nowhere.total", "no stream `nowhere`"),
        ("streams.product.total * ", "column 24"),
    ] {
        let def =
            calx_study::parse_study(&metric_study(&format!("  - \"{metric}\"\n"))).unwrap_or_else(|e| panic!("{e}"));
        let e = Study::prepare(def, &text, FLOWSHEET, &LoadOptions::default()).err().map(|e| e.to_string());
        let e = e.unwrap_or_else(|| panic!("{metric} accepted"));
        assert!(e.contains(words), "{metric}: {e}");
    }
}

/// A metric's value in SI as the façade reads it inside an expression: `"{value} {unit}"`
/// through the flowsheet's unit table.
fn metric_si(project: &Project, value: f64, unit: &str) -> f64 {
    project.model().units_of_measure.parse(&format!("{value} {unit}")).map(|q| q.value).unwrap_or(f64::NAN)
}

#[test]
fn a_study_metric_may_combine_an_analysis_metric_with_a_result() {
    let def = calx_study::parse_study(&metric_study(
        "  - analyses.lca.net_reduction_per_year\n  - streams.product.total\n  - analyses.lca.net_reduction_per_year / streams.product.total\n  - analyses.tea.total_annual_cost / analyses.tea.total_revenue\n  - analyses.tea.total_annual_cost\n  - analyses.tea.total_revenue\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let text = kigam_text();
    let project = load(&text).unwrap_or_else(|e| panic!("{e}"));
    let study = Study::prepare(def, &text, FLOWSHEET, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    // The net reduction is given in kg CO2-eq/yr: in SI, kg/s, divided by the product in kg/s.
    let per_year = metric_si(&project, 1.0, "kg/yr");
    assert!(close(per_year, 1.0 / (365.0 * 86_400.0), 1e-12), "{per_year}");
    for x in [0.65, 0.75] {
        let m = study.evaluate(&[Some(x)]).unwrap_or_else(|e| panic!("{e}"));
        let want = m[0] * per_year / m[1];
        assert!(close(m[2], want, 1e-12), "net per product {} vs {want}", m[2]);
        // Cost over revenue: both KRW/yr, so the ratio is the metrics' own ratio.
        assert!(close(m[3], m[4] / m[5], 1e-12), "cost/revenue {} vs {}", m[3], m[4] / m[5]);
    }
}

fn analysis_spec(until: &str) -> String {
    with_specs(&format!(
        "  - adjust: analyses.tea.product_price\n    until: {until}\n    between: [5000 KRW/t, 60000 KRW/t]\n    tolerance: 1e-12\n"
    ))
}

#[test]
fn a_spec_on_a_ratio_of_analysis_metrics_is_met_at_the_solution() {
    let solved = solve(&analysis_spec("analyses.tea.total_annual_cost / analyses.tea.total_revenue = 0.9"));
    let tea = solved.analyses.iter().find(|a| a.name == "tea").expect("the TEA ran");
    let (cost, revenue) = (tea.metric("total_annual_cost"), tea.metric("total_revenue"));
    let (cost, revenue) = (cost.unwrap_or(f64::NAN), revenue.unwrap_or(f64::NAN));
    assert!(close(cost / revenue, 0.9, 1e-9), "cost/revenue {} at the solution", cost / revenue);
    let report = solved.result.solver.design_specs.last().expect("the spec is reported");
    assert_eq!(report.target_variable, "analyses.tea.total_annual_cost / analyses.tea.total_revenue");
    assert!(close(report.achieved, 0.9, 1e-9), "{}", report.achieved);
    // By hand: the cost does not depend on the price, and the revenue is the product's
    // (17,585 t/yr at the price) plus the carbon credits', so the price is (cost / 0.9 -
    // credits) / product.
    let credits = tea.metric("carbon_credit_revenue").unwrap_or(f64::NAN);
    let price = (cost / 0.9 - credits) / 17_585.0;
    assert!(close(report.value, price, 1e-6), "price {} vs {price} by hand", report.value);
}

#[test]
fn a_metric_expression_of_the_wrong_dimension_for_its_target_is_refused_at_the_spec() {
    // A ratio of two KRW/yr figures is a number, not a flow: known once the metrics are read.
    let project = load(&analysis_spec("analyses.tea.total_annual_cost / analyses.tea.total_revenue = 3 t/h"))
        .unwrap_or_else(|e| panic!("{e}"));
    let e = project.solve().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("is a dimensionless number [1], but the target value is a mass flow"), "{e}");
    let line = until_line(&analysis_spec("x"));
    assert!(e.contains(&format!("kigam.yaml:{line}:")), "positioned at the spec: {e}");
    // A path that is no result is refused at load, at its column.
    let e = load(&analysis_spec("analyses.tea.total_annual_cost / streams.nowhere.total = 3"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let line = until_line(&analysis_spec("x"));
    assert!(e.contains("no stream `nowhere`") && e.contains(&format!("kigam.yaml:{line}:")), "{e}");
}
