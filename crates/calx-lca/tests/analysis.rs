//! The `lca` analysis through the `Analysis` trait, as studies and reports call it: its two
//! entry points give the same metrics bit for bit, only the report carries a report part,
//! and a configuration that does not fit the flowsheet is an error naming the parameter of
//! the `analyses:` block.

use std::path::Path;

use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisError, Metric};

fn flowsheet_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets").join(name);
    std::fs::read_to_string(path).expect("the flowsheet reads")
}

fn project(text: &str) -> calx::Project {
    calx::Project::from_text(text, "test.yaml", Path::new("."), &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn solve(project: &calx::Project) -> FlowsheetResult {
    project.build().unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"))
}

fn bits(metrics: &[Metric]) -> Vec<(&str, u64, &str)> {
    metrics.iter().map(|m| (m.name.as_str(), m.value.to_bits(), m.unit.as_str())).collect()
}

#[test]
fn figures_and_report_give_the_same_metrics_and_only_the_report_a_part() {
    for file in ["kigam-cfbc-2022.yaml", "kigam-cfbc-recycle.yaml", "mine-backfill.yaml"] {
        let project = project(&flowsheet_text(file));
        let result = solve(&project);
        let mut lcas = 0;
        for a in project.model().analyses.iter().filter(|a| a.type_name == "lca") {
            let figures = a.analysis.figures(&result, &[]).unwrap_or_else(|e| panic!("{file}: {e}"));
            let report = a.analysis.report(&result, &[]).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(bits(&figures), bits(&report.metrics), "{file}: {}", a.name);
            assert!(figures.iter().any(|m| m.name.starts_with("emissions_by_unit.")), "{file}: {figures:?}");
            let part = report.report.unwrap_or_else(|| panic!("{file}: `{}` has no report part", a.name));
            assert_eq!(part.section, "lca");
            assert!(!report.text.is_empty() && !report.csv.is_empty() && !report.json.is_empty());
            lcas += 1;
        }
        assert!(lcas > 0, "{file} has no LCA");
    }
}

/// The error of the reference plant's first LCA with `from` replaced by `to` in its block.
fn error_with(from: &str, to: &str) -> AnalysisError {
    let text = flowsheet_text("kigam-cfbc-2022.yaml");
    let start = text.find("\n  lca:\n").expect("the reference plant has an `lca` block");
    let end = start + text[start..].find("\n  lca_official_grid:").expect("and a second one");
    assert!(text[start..end].contains(from), "{from:?} is not in the `lca` block");
    let text = format!("{}{}{}", &text[..start], text[start..end].replacen(from, to, 1), &text[end..]);
    let project = project(&text);
    let result = solve(&project);
    let lca = project.model().analyses.iter().find(|a| a.name == "lca").expect("the `lca` analysis");
    let figures = lca.analysis.figures(&result, &[]).expect_err("figures refuse");
    let report = lca.analysis.report(&result, &[]).expect_err("the report refuses");
    assert_eq!(figures.to_string(), report.to_string());
    figures
}

fn assert_parameter(e: &AnalysisError, expected: &str, needle: &str) {
    let AnalysisError::Parameter { param, message } = e else { panic!("not a parameter error: {e:?}") };
    assert_eq!(param, expected, "{e}");
    assert!(message.contains(needle), "{needle:?} is not in: {message}");
}

#[test]
fn an_unmapped_item_names_the_parameter_that_maps_it() {
    let e = error_with("      cooling: \"excluded: the paper counts electricity only\"\n", "");
    assert_parameter(&e, "utilities", "utility `cooling` of unit `hydration`");
    let e =
        error_with("      raw_ash: \"excluded: CFBC ash, a waste of the power plant, burden-free (cut-off)\"\n", "");
    assert_parameter(&e, "components", "feed `CaO` of unit `ash_pretreatment`");
}

#[test]
fn a_stream_that_is_not_there_names_the_parameter_that_names_it() {
    let e = error_with("functional_unit: 1 t of product", "functional_unit: 1 t of prodcut");
    assert_parameter(&e, "functional_unit", "stream `prodcut` is not in the flowsheet (did you mean \"product\"?)");
    let e = error_with("functional_unit: 1 t of product", "functional_unit: 1 t of flue_gas");
    assert_parameter(&e, "functional_unit", "is not a product stream");
    let e = error_with("      raw_ash:", "      raw_as:");
    assert_parameter(&e, "streams", "stream `raw_as` is not in the flowsheet");
    let e = error_with(
        "    streams:\n",
        "    avoided: { aggregate: cement_gnr_2011 }\n    sources: { cement_gnr_2011: test }\n    streams:\n",
    );
    assert_parameter(&e, "avoided", "stream `aggregate` is not in the flowsheet");
}

#[test]
fn a_mapping_to_a_process_of_another_unit_of_measure_names_its_parameter() {
    let e = error_with(
        "      process_water: \"excluded: the paper counts electricity only\"",
        "      process_water: electricity_kr_2023",
    );
    assert_parameter(&e, "streams", "is measured in mass [kg], but process `electricity_kr_2023`");
}

#[test]
fn a_functional_unit_the_flowsheet_cannot_make_names_the_functional_unit() {
    // Lime slaking fixes no CO2.
    let text = flowsheet_text("lime-slaking-recycle.yaml").replace(
        "\nsolver:",
        "\nanalyses:\n  lca:\n    functional_unit: 1 t of CO2 fixed\n    utilities: { cooling: \"excluded: test\" }\n    streams: { quicklime: \"excluded: test\" }\nsolver:",
    );
    let project = project(&text);
    let result = solve(&project);
    let e = project.model().analyses[0].analysis.figures(&result, &[]).expect_err("no CO2 is fixed");
    assert_parameter(&e, "functional_unit", "the flowsheet fixes no CO2 in solids");
    assert_eq!(e.to_string(), "`functional_unit`: the flowsheet fixes no CO2 in solids");
}
