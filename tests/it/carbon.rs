//! The carbon-credit ledger on the reference plant (KIGAM 2022) under every shipped profile,
//! with each expected number derived in the test from the converged streams and the paper's
//! figures: gross CO2 fixed from the carbonates leaving, project emissions from the units'
//! electricity, the origin of the flue gas deciding reduction or removal; a study's P5
//! recomputed from its samples; a profile missing a figure; a user profile file.

use calx::{LoadOptions, Project, Solved};
use calx_core::AnalysisOutput;
use calx_core::result::StreamRole;
use calx_tests::root;

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";

/// The reference flowsheet with its `carbon:` block replaced by `block` (indented 2).
fn with_carbon(block: &str) -> String {
    let text = std::fs::read_to_string(root().join(FLOWSHEET)).expect("the reference flowsheet");
    let start = text.find("\n  carbon:\n").expect("the reference flowsheet has a carbon block");
    let end = text.find("\ndisplay:").expect("and a display section after it");
    // Keep the comment lines above the block out of the way: cut from the block's first line.
    format!("{}\n{block}{}", &text[..start], &text[end..])
}

fn load(text: &str) -> Result<Project, calx::LoadError> {
    Project::from_text(text, FLOWSHEET, &root().join("flowsheets"), &LoadOptions::default())
}

fn solve(text: &str) -> Solved {
    load(text).unwrap_or_else(|e| panic!("{e}")).solve().unwrap_or_else(|e| panic!("{e}"))
}

fn output<'a>(s: &'a Solved, name: &str) -> &'a AnalysisOutput {
    s.analyses.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no analysis {name}"))
}

fn metric(s: &Solved, analysis: &str, name: &str) -> f64 {
    output(s, analysis).metric(name).unwrap_or_else(|| panic!("{analysis} has no {name}"))
}

/// A carbon block reading the paper's LCA (`lca`, 0.3795 kg CO2-eq/kWh).
fn block(profile: &str, origin: &str, storage: &str, buffer: &str) -> String {
    format!(
        "  carbon:\n    profile: {profile}\n    lca: lca\n    storage: {storage}\n    co2_origin: {{ flue_gas: {origin} }}\n\
         \x20   natural_carbonation_stream: raw_ash\n    natural_carbonation_uptake: 0 kg/t\n\
         \x20   natural_carbonation_horizon: 100 yr\n    natural_carbonation_source: test\n    figures:\n\
         \x20     crediting_period: \"10 yr; source: test\"\n      leakage: \"0 %; source: test\"\n\
         \x20     reversal_buffer: \"{buffer}; source: test\"\n      uncertainty_percentile: \"5; source: test\"\n"
    )
}

/// Per tonne of product, by hand from the converged plant: CO2 bound in the carbonates
/// leaving (M(CO2) 44.009, M(CaCO3) 100.086, M(MgCO3) 84.313 g/mol, from IUPAC atomic
/// weights) and the paper's emissions (electricity of every unit x 0.3795 kg CO2-eq/kWh, the
/// factor 30.9 / 81.42 implied by KIGAM 2022's LCA result and Table 4, rounded as the
/// background database `electricity_kigam_2022_implied` holds it), per tonne of product.
fn by_hand(s: &Solved) -> (f64, f64) {
    let r = &s.result;
    let product = r.stream("product").expect("a product stream").stream.total_mass();
    let i = |c: &str| r.components.index_of(c).expect(c);
    let (ca, mg) = (i("CaCO3"), i("MgCO3"));
    let fixed: f64 = r
        .streams
        .iter()
        .filter(|st| st.role == StreamRole::Product)
        .map(|st| st.stream.flows[ca] * 44.009 / 100.086 + st.stream.flows[mg] * 44.009 / 84.313)
        .sum();
    let electricity: f64 = r.units.iter().map(|u| u.report.total(calx_core::Utility::Electricity)).sum();
    let kwh_per_t = electricity / product * 1000.0 / 3.6e6;
    (fixed / product * 1000.0, kwh_per_t * 0.3795)
}

#[test]
fn the_reference_plant_under_every_profile_splits_fossil_co2_into_reductions() {
    let cases = [
        ("iso-14064-2", "mine_backfill", true),
        ("k-ets-offset", "mine_backfill", true),
        ("verra-vm0043", "construction_material", true),
        // VM0043 is for concrete: a mine backfill is outside it.
        ("verra-vm0043", "mine_backfill", false),
        // Isometric issues removals of atmospheric CO2 only.
        ("isometric-mineralization", "mine_backfill", false),
    ];
    for (profile, storage, credited) in cases {
        let s = solve(&with_carbon(&block(profile, "fossil", storage, "10 %")));
        let (fixed, emissions) = by_hand(&s);
        // KIGAM 2022: 76.7 kg CO2 fixed (Table 5; 76.76 from Table 4's flows) and 30.9 kg
        // CO2-eq emitted per t of product (LCA result).
        assert!((fixed - 76.76).abs() < 0.01, "{fixed}");
        assert!((emissions - 30.90).abs() < 0.01, "{emissions}");
        let per_fu = |m: &str| metric(&s, "carbon", m);
        assert!((per_fu("gross_fixed_per_functional_unit") - fixed).abs() < 1e-6 * fixed, "{profile}");
        let fu_per_year = metric(&s, "carbon", "gross_fixed_per_year") * 1000.0 / fixed;
        let project = metric(&s, "carbon", "project_emissions_per_year") * 1000.0 / fu_per_year;
        assert!((project - emissions).abs() < 1e-6 * emissions, "{profile}: {project} vs {emissions}");
        // Fossil CO2 is never a removal: net removals are zero, or (where the programme issues
        // removals only) the project's emissions, all charged to them.
        let removals = metric(&s, "carbon", "removals_per_year") * 1000.0 / fu_per_year;
        let charged = if profile == "isometric-mineralization" { -emissions } else { 0.0 };
        assert!((removals - charged).abs() < 1e-6 * fixed, "{profile}: {removals}");
        let expected = if credited { (fixed - emissions) * 0.9 } else { 0.0 };
        let got = per_fu("credited_per_functional_unit");
        assert!((got - expected).abs() < 1e-6 * fixed, "{profile} {storage}: {got} vs {expected}");
        if credited {
            let reductions = metric(&s, "carbon", "reductions_per_year") * 1000.0 / fu_per_year;
            assert!((reductions - (fixed - emissions)).abs() < 1e-6 * fixed, "{profile}");
        } else {
            assert!(
                (metric(&s, "carbon", "not_credited_per_year") * 1000.0 / fu_per_year - fixed).abs() < 1e-6 * fixed
            );
        }
    }
}

#[test]
fn biogenic_or_atmospheric_co2_is_a_removal_where_the_profile_allows_it() {
    for origin in ["biogenic", "atmospheric"] {
        for profile in ["iso-14064-2", "isometric-mineralization", "k-ets-offset"] {
            let s = solve(&with_carbon(&block(profile, origin, "mine_backfill", "20 %")));
            let (fixed, emissions) = by_hand(&s);
            let fu_per_year = metric(&s, "carbon", "gross_fixed_per_year") * 1000.0 / fixed;
            let removals = metric(&s, "carbon", "removals_per_year") * 1000.0 / fu_per_year;
            assert!((removals - (fixed - emissions)).abs() < 1e-6 * fixed, "{origin} {profile}: {removals}");
            assert_eq!(metric(&s, "carbon", "reductions_per_year"), 0.0, "{origin} {profile}");
            let credited = metric(&s, "carbon", "credited_per_functional_unit");
            assert!((credited - (fixed - emissions) * 0.8).abs() < 1e-6 * fixed, "{origin} {profile}: {credited}");
        }
    }
}

#[test]
fn with_a_study_the_profile_credits_the_p5_of_the_samples() {
    let study = "study: ledger\nflowsheet: kigam-cfbc-2022.yaml\nseed: 11\nsamples: 60\nsampling: random\n\
        parameters:\n  - path: units.carbonation.conversion.Ca(OH)2\n    distribution: { type: uniform, low: 0.5, high: 0.9 }\n    source: test\n\
        metrics:\n  - analyses.carbon.credited_per_year\n  - units.carbonation.sizes.co2_fixed\n  - analyses.lca.emissions_per_year\n";
    let def = calx_study::parse_study(study).unwrap_or_else(|e| panic!("{e}"));
    let text = with_carbon(&block("k-ets-offset", "fossil", "mine_backfill", "10 %"));
    let study =
        calx_study::Study::prepare(def, &text, FLOWSHEET, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let samples = study.run(0..60);
    let rows: Vec<Vec<f64>> = samples.iter().map(|s| s.outcome.clone().unwrap_or_else(|e| panic!("{e}"))).collect();
    // Each sample's credited tonnes, by hand from the carbonator's CO2 fixed (kg/s over a
    // 365-day year) and the LCA's emissions (kg/yr): (fixed - emissions) x (1 - 10 % buffer).
    // The carbonator counts CO2 with the formula's molar mass, the LCA's carbon balance with
    // 44.009 g/mol: they agree to 1e-5.
    let mut credited: Vec<f64> =
        rows.iter().map(|r| (r[1] * calx_core::SECONDS_PER_YEAR - r[2]) / 1000.0 * 0.9).collect();
    for (r, c) in rows.iter().zip(&credited) {
        assert!((r[0] - c).abs() < 1e-4 * c.abs().max(1.0), "{} vs {c}", r[0]);
    }
    credited.sort_by(f64::total_cmp);
    // P5 by linear interpolation at (n - 1) x 0.05.
    let p5 = |sorted: &[f64]| {
        let h = (sorted.len() - 1) as f64 * 0.05;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    };
    let study_of = |failed: usize| calx::StudySamples {
        metrics: vec![("analyses.carbon.credited_per_year".to_string(), rows.iter().map(|r| r[0]).collect())],
        failed,
    };
    let (solved, changed) =
        load(&text).expect("loads").solve_with_study(&study_of(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, ["carbon"]);
    let central = metric(&solved, "carbon", "credited_per_year");
    let after = metric(&solved, "carbon", "credited_after_uncertainty_per_year");
    let expected = p5(&credited).min(central);
    assert!((after - expected).abs() < 1e-4 * expected, "{after} vs P5 {expected}, central {central}");
    assert!((metric(&solved, "carbon", "uncertainty_deduction_per_year") - (central - after)).abs() < 1e-9 * central);
    assert!(
        output(&solved, "carbon").text.contains("Study of 60 samples (0 failed"),
        "{}",
        output(&solved, "carbon").text
    );
    // Six failed samples count as zero credits, and lower the P5.
    let (with_failures, _) =
        load(&text).expect("loads").solve_with_study(&study_of(6)).unwrap_or_else(|e| panic!("{e}"));
    let mut with_zeros = [vec![0.0; 6], rows.iter().map(|r| r[0]).collect()].concat();
    with_zeros.sort_by(f64::total_cmp);
    let after = metric(&with_failures, "carbon", "credited_after_uncertainty_per_year");
    assert!((after - p5(&with_zeros).min(central)).abs() < 1e-9 * central, "{after}");
    // Without a study, the ledger says that no deduction was made.
    let plain = solve(&text);
    assert!(output(&plain, "carbon").text.contains("No uncertainty deduction was made"));
    assert!(output(&plain, "carbon").metric("credited_after_uncertainty_per_year").is_none());
}

#[test]
fn displaced_products_are_reductions_only_where_the_programme_issues_them_and_the_storage_is_eligible() {
    // The paper's LCA with a displaced product: 1 kg of Portland cement per kg of product (a
    // test figure, far above any real displacement; the factor is the database's
    // `cement_opc_rule_of_thumb`).
    let text = with_carbon(&block("iso-14064-2", "fossil", "mine_backfill", "0 %"))
        .replacen("    method: GWP100 (IPCC AR6)\n", "    method: GWP100 (IPCC AR6)\n    avoided: { product: cement_opc_rule_of_thumb }\n    sources: { cement_opc_rule_of_thumb: test }\n", 1);
    assert!(text.contains("avoided: { product"), "the LCA block moved: update this test");
    let s = solve(&text);
    let avoided = metric(&s, "lca", "avoided_per_year") / 1000.0;
    assert!(avoided > 0.0);
    let (fixed, emissions) = by_hand(&s);
    let fu_per_year = metric(&s, "carbon", "gross_fixed_per_year") * 1000.0 / fixed;
    let expected = (fixed - emissions) * fu_per_year / 1000.0 + avoided;
    let credited = metric(&s, "carbon", "credited_per_year");
    assert!((credited - expected).abs() < 1e-6 * expected, "{credited} vs {expected}");
    // Not eligible (VM0043 and a mine backfill): nothing is credited, displaced products neither.
    let ineligible = text.replace("profile: iso-14064-2", "profile: verra-vm0043");
    let s = solve(&ineligible);
    assert_eq!(metric(&s, "carbon", "credited_per_year"), 0.0);
    assert!(output(&s, "carbon").text.contains("not eligible"), "{}", output(&s, "carbon").text);
    // A programme that issues no reductions (Isometric): no reductions line, nothing credited.
    let removals_only = text.replace("profile: iso-14064-2", "profile: isometric-mineralization");
    let s = solve(&removals_only);
    assert_eq!(metric(&s, "carbon", "reductions_per_year"), 0.0);
    assert_eq!(metric(&s, "carbon", "credited_per_year"), 0.0);
    assert!(output(&s, "carbon").text.contains("the programme issues no reductions"));
}

#[test]
fn figures_out_of_their_range_are_refused_at_load() {
    let base = block("k-ets-offset", "fossil", "mine_backfill", "0 %");
    let cases = [
        (base.replace("uptake: 0 kg/t", "uptake: -50 kg/t"), "cannot be negative"),
        (base.replace("horizon: 100 yr", "horizon: -1 yr"), "natural_carbonation_horizon"),
        (base.replace("\"5; source: test\"", "\"5 %; source: test\""), "`5` for P5"),
        (base.replace("\"10 yr; source: test\"", "\"10.4 yr; source: test\""), "whole number of years"),
        (base.replace("\"0 %; source: test\"\n      reversal", "\"0 %\"\n      reversal"), "VALUE; source:"),
    ];
    for (block, expected) in cases {
        let err = load(&with_carbon(&block)).err().expect("refused").to_string();
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn a_figure_the_profile_leaves_to_the_user_is_required_with_its_place_in_the_profile() {
    let without = block("k-ets-offset", "fossil", "mine_backfill", "0 %")
        .replace("      crediting_period: \"10 yr; source: test\"\n", "");
    let err = load(&with_carbon(&without)).err().expect("a missing crediting period is refused").to_string();
    let profile = "crates/calx-carbon/profiles/k-ets-offset.yaml";
    let text = std::fs::read_to_string(root().join(profile)).expect("the shipped profile");
    // The figure's mapping starts after `crediting_period: ` on its line.
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("crediting_period: ").map(|c| (i + 1, c + "crediting_period: ".len() + 1)))
        .expect("the profile declares the crediting period");
    assert!(err.contains(&format!("{profile}:{line}:{column}")), "{err}");
    assert!(err.contains("crediting_period") && err.contains("analyses.carbon"), "{err}");
}

#[test]
fn a_user_profile_file_is_read_beside_the_flowsheet_and_checked_with_positions() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let shipped =
        std::fs::read_to_string(root().join("crates/calx-carbon/profiles/iso-14064-2.yaml")).expect("shipped");
    let mine = shipped.replace("profile: iso-14064-2", "profile: mine").replace(
        "  crediting_period: { user: \"ISO 14064-2:2019 leaves the crediting period to the GHG programme\" }",
        "  crediting_period: { value: 7 yr, source: \"our programme\" }",
    );
    std::fs::write(dir.path().join("mine.yaml"), &mine).expect("write");
    let flowsheet = with_carbon(&block("mine.yaml", "fossil", "mine_backfill", "0 %"))
        .replace("      crediting_period: \"10 yr; source: test\"\n", "");
    let project =
        Project::from_text(&flowsheet, "f.yaml", dir.path(), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let s = project.solve().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(metric(&s, "carbon", "crediting_period"), 7.0);
    // A typo in the profile: reported in the profile file, with the nearest field.
    std::fs::write(dir.path().join("mine.yaml"), mine.replace("claim_requires:", "claim_require:")).expect("write");
    let err = Project::from_text(&flowsheet, "f.yaml", dir.path(), &LoadOptions::default())
        .err()
        .expect("refused")
        .to_string();
    let line = mine.lines().position(|l| l.starts_with("claim_requires:")).expect("field") + 1;
    assert!(err.contains(&format!("mine.yaml:{line}:1")), "{err}");
    assert!(err.contains("claim_requires"), "{err}");
    // A profile file that is not there: the flowsheet's field, with its position.
    let missing = flowsheet.replace("profile: mine.yaml", "profile: other.yaml");
    let err =
        Project::from_text(&missing, "f.yaml", dir.path(), &LoadOptions::default()).err().expect("refused").to_string();
    assert!(err.contains("cannot read the profile file") && err.contains("f.yaml:"), "{err}");
}

#[test]
fn a_feed_carrying_co2_without_an_origin_is_an_error_not_a_guess() {
    let untagged =
        block("iso-14064-2", "fossil", "mine_backfill", "0 %").replace("    co2_origin: { flue_gas: fossil }\n", "");
    let err = load(&with_carbon(&untagged)).expect("loads").solve().expect_err("refused").to_string();
    assert!(err.contains("co2_origin") && err.contains("flue_gas"), "{err}");
    let wrong = block("iso-14064-2", "fossil", "mine_backfill", "0 %").replace("flue_gas: fossil", "product: fossil");
    let err = load(&with_carbon(&wrong)).expect("loads").solve().expect_err("refused").to_string();
    assert!(err.contains("`product` is not a feed stream"), "{err}");
}

#[test]
fn the_tea_takes_the_ledgers_credits_for_its_crediting_period_only() {
    let text = with_carbon(&block("k-ets-offset", "fossil", "mine_backfill", "10 %"))
        .replace("    carbon_credits: 800 t/yr", "    carbon_credits: carbon");
    let vintages = |s: &Solved| -> Vec<f64> {
        let json: serde_json::Value = serde_json::from_str(&output(s, "tea").json).expect("TEA JSON");
        let rows = json["credit_vintages"].as_array().expect("credit vintages").clone();
        rows.iter().map(|v| v["tonnes"].as_f64().expect("tonnes")).collect()
    };
    let s = solve(&text);
    let credited = metric(&s, "carbon", "credited_per_year");
    assert_eq!(metric(&s, "tea", "carbon_credits"), credited);
    // Ten vintages at the full rate (no start-up derating in this flowsheet), none after.
    let v = vintages(&s);
    assert_eq!(v.len(), 10, "{v:?}");
    assert!(v.iter().all(|t| (t - credited).abs() < 1e-9 * credited), "{v:?}");
    // With a study's deduction, the TEA counts the tonnes after it.
    let low = credited * 0.5;
    let samples = calx::StudySamples {
        metrics: vec![("analyses.carbon.credited_per_year".to_string(), vec![low; 20])],
        failed: 0,
    };
    let (with_study, _) = load(&text).expect("loads").solve_with_study(&samples).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(metric(&with_study, "carbon", "credited_after_uncertainty_per_year"), low);
    assert_eq!(metric(&with_study, "tea", "carbon_credits"), low);
    assert!((vintages(&with_study)[0] - low).abs() < 1e-9 * low);
}
