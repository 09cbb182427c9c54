//! Analysis parameters set in place (`Analysis::set_number`, what a study's workers do for
//! every sample) against analyses created from the same values written as text: the same
//! figures bit for bit, the same refusals, and `reset_number` back to the created analysis.

use calx_core::{Analysis, ParamValue, Params};
use calx_tests::root;

/// The reference plant, solved, with its project.
fn reference() -> (calx::Project, calx::FlowsheetResult) {
    let project = calx::Project::load(&root().join("flowsheets/kigam-cfbc-2022.yaml"), &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let result = project.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"));
    (project, result)
}

/// Analysis `name` of the project created from `params`.
fn create(project: &calx::Project, name: &str, params: &Params) -> Result<Box<dyn Analysis>, calx_core::UnitError> {
    let a = project.model().analyses.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no `{name}`"));
    project.registry().analysis(&a.type_name).expect("registered").analysis_type.create(name, params)
}

/// The figures of every analysis of the project, `name` replaced by `analysis`, as bits.
fn figures(
    project: &calx::Project,
    result: &calx::FlowsheetResult,
    name: &str,
    analysis: Box<dyn Analysis>,
) -> Vec<(String, u64)> {
    let mut analyses = project.model().analyses.clone();
    let k = analyses.iter().position(|a| a.name == name).unwrap_or(0);
    analyses[k].analysis = analysis.into();
    let out = calx::run_figures(&analyses, result).unwrap_or_else(|e| panic!("{e}"));
    out.iter().flat_map(|o| o.metrics.iter().map(|m| (format!("{}.{}", o.name, m.name), m.value.to_bits()))).collect()
}

fn params_of(project: &calx::Project, name: &str) -> Params {
    project.model().analyses.iter().find(|a| a.name == name).map(|a| a.params.clone()).unwrap_or_default()
}

#[test]
fn tea_prices_set_in_place_equal_the_tea_created_with_them() {
    let (project, result) = reference();
    let base = params_of(&project, "tea");
    let cases: [(&str, f64, &str); 4] = [
        ("product_price", 15_123.456_789, "KRW/t"),
        ("carbon_price", 31_000.5, "KRW/t"),
        ("total_capex", 298_765_432.1, "KRW"),
        ("discount_rate", 0.0825, ""),
    ];
    for (param, value, unit) in cases {
        let mut set = create(&project, "tea", &base).unwrap_or_else(|e| panic!("{e}"));
        assert!(set.set_number(param, None, value, unit).unwrap_or_else(|e| panic!("{e}")), "{param} taken");
        let mut text = base.clone();
        let v = if unit.is_empty() { ParamValue::Number(value) } else { ParamValue::Text(format!("{value} {unit}")) };
        text.set(param, v);
        let created = create(&project, "tea", &text).unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (figures(&project, &result, "tea", set), figures(&project, &result, "tea", created));
        assert_eq!(a, b, "{param}");
        let original =
            figures(&project, &result, "tea", create(&project, "tea", &base).unwrap_or_else(|e| panic!("{e}")));
        assert_ne!(a, original, "{param} moves some figure");
        let mut reset = create(&project, "tea", &base).unwrap_or_else(|e| panic!("{e}"));
        assert!(reset.set_number(param, None, value, unit).is_ok_and(|t| t));
        assert!(reset.reset_number(param, None).is_ok_and(|t| t));
        assert_eq!(figures(&project, &result, "tea", reset), original, "{param} reset");
    }
}

#[test]
fn values_create_refuses_are_refused_in_place_with_its_words() {
    let (project, _) = reference();
    let base = params_of(&project, "tea");
    let mut tea = create(&project, "tea", &base).unwrap_or_else(|e| panic!("{e}"));
    for (param, value, unit) in
        [("product_price", -5.0, "KRW/t"), ("product_price", 5.0, "USD/t"), ("discount_rate", 3.0, "")]
    {
        let in_place = tea.set_number(param, None, value, unit).err().map(|e| e.to_string()).unwrap_or_default();
        let mut text = base.clone();
        let v = if unit.is_empty() { ParamValue::Number(value) } else { ParamValue::Text(format!("{value} {unit}")) };
        text.set(param, v);
        let created = create(&project, "tea", &text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!in_place.is_empty() && !created.is_empty(), "{param} {value} {unit}: both refuse");
        // `create` says "parameter `p` ...", the analysis error "`p`: ...": the same words after it.
        let tail = |s: &str| {
            s.split_once(['`'])
                .map(|(_, t)| t.split_once('`').map_or("", |x| x.1).trim_start_matches(':').trim().to_string())
        };
        assert_eq!(tail(&in_place), tail(&created), "{in_place} / {created}");
    }
    // What changes the TEA's shape is not set in place: the study creates it again.
    assert!(matches!(tea.set_number("lifetime", None, 1e9, ""), Ok(false)));
    assert!(matches!(tea.set_number("utility_prices", Some("electricity"), 80.0, "KRW/kWh"), Ok(false)));
}

#[test]
fn an_lca_factor_set_in_place_equals_the_lca_created_with_it() {
    let (project, result) = reference();
    let mut base = params_of(&project, "lca");
    let process = "electricity_kigam_2022_implied";
    let mut sources = match base.get("sources") {
        Some(ParamValue::Map(m)) => m.clone(),
        _ => Default::default(),
    };
    sources.insert(process.into(), ParamValue::Text("a test's replacement factor".into()));
    base.set("sources", ParamValue::Map(sources));
    let mut set = create(&project, "lca", &base).unwrap_or_else(|e| panic!("{e}"));
    assert!(set.set_number("factors", Some(process), 0.43127, "kgCO2eq/kWh").is_ok_and(|t| t));
    let mut text = base.clone();
    text.set_entry("factors", Some(process), ParamValue::Text("0.43127 kgCO2eq/kWh".into()));
    let created = create(&project, "lca", &text).unwrap_or_else(|e| panic!("{e}"));
    let original = figures(&project, &result, "lca", create(&project, "lca", &base).unwrap_or_else(|e| panic!("{e}")));
    let a = figures(&project, &result, "lca", set);
    assert_eq!(a, figures(&project, &result, "lca", created));
    assert_ne!(a, original);
    let mut reset = create(&project, "lca", &base).unwrap_or_else(|e| panic!("{e}"));
    assert!(reset.set_number("factors", Some(process), 0.43127, "kgCO2eq/kWh").is_ok_and(|t| t));
    assert!(reset.reset_number("factors", Some(process)).is_ok_and(|t| t));
    assert_eq!(figures(&project, &result, "lca", reset), original);
    // A factor per kWh written per tonne is refused, as `create` refuses it.
    let mut bad = create(&project, "lca", &base).unwrap_or_else(|e| panic!("{e}"));
    assert!(bad.set_number("factors", Some(process), 1.0, "kgCO2eq/t").is_err());
    // Set again and again (a study's samples), in units parsed once each: the value set last
    // is the one created with, whichever unit it came in; a unit that is no unit is refused
    // every time.
    let mut again = create(&project, "lca", &base).unwrap_or_else(|e| panic!("{e}"));
    for (value, unit) in [(0.5, "kgCO2eq/kWh"), (431.27, "gCO2eq/kWh"), (0.43127, "kgCO2eq/kWh")] {
        assert!(again.set_number("factors", Some(process), value, unit).is_ok_and(|t| t), "{value} {unit}");
    }
    for _ in 0..2 {
        assert!(again.set_number("factors", Some(process), 1.0, "kgCO2eq/furlong").is_err());
    }
    assert_eq!(figures(&project, &result, "lca", again), a);
}
