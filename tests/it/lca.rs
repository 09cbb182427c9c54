//! User background data and impact categories of the LCA on the reference plant (KIGAM
//! 2022): a gas heater from a background file and a truck haul written inline change the
//! result by exactly the amount computed by hand from their published factors, and every
//! category's total is checked against the factors of its source.

use calx::{AnalysisOutput, LoadOptions, Project, Solved};
use calx_core::Utility;
use calx_tests::root;

const FLOWSHEET: &str = "flowsheets/kigam-cfbc-2022.yaml";

/// 1 Btu (International Table) = 1055.05585262 J (NIST SP 811, 2008, Appendix B.8).
const J_PER_MMBTU: f64 = 1e6 * 1055.05585262;
/// US EPA GHG Emission Factors Hub (2024), Table 1, natural gas per mmBtu (HHV): kg CO2,
/// kg CH4 (1.0 g), kg N2O (0.10 g).
const GAS: (f64, f64, f64) = (53.06, 1.0e-3, 0.10e-3);
/// Defra/DECC GHG Conversion Factors for Company Reporting (2012), Annex 7, Table 7e, diesel
/// HGV road freight, "ALL HGVs UK average" per tonne.km: kg CO2 0.12168; CH4 0.00008 and N2O
/// 0.00190 kg CO2-eq (already weighted by the publisher, so counted as `GHG (CO2-eq)`).
const HGV_CO2: f64 = 0.12168;
const HGV_OTHER_CO2EQ: f64 = 0.00008 + 0.00190;
/// The haul of the test: 20 km.
const KM: f64 = 20.0;
/// The shipped boundary's raw ash: a waste, burden-free.
const CUT_OFF: &str = "\"excluded: CFBC ash, a waste of the power plant, burden-free (cut-off)\"";
/// IPCC AR6 WG1 (2021) Table 7.15: GWP100 of CH4 (fossil) and N2O; GWP20 of the same.
const AR6_GWP100: (f64, f64) = (29.8, 273.0);
const AR6_GWP20: (f64, f64) = (82.5, 273.0);
/// IPCC AR5 WG1 (2013) Table 8.7: GWP100 of CH4 and N2O.
const AR5_GWP100: (f64, f64) = (28.0, 265.0);

/// The reference plant, with a water heater before hydration (heating to 40 degC) if
/// `heater`, and one `lca` block: the shipped one, plus `extra` lines after `utilities:`,
/// with the raw ash mapped to `raw_ash`.
fn plant(extra: &str, raw_ash: &str, heater: bool) -> String {
    let text = std::fs::read_to_string(root().join(FLOWSHEET)).expect("the reference flowsheet");
    let start = text.find("\nanalyses:\n").expect("an analyses section");
    let end = text.find("\ndisplay:").expect("a display section after it");
    let mut head = text[..start].to_string();
    if heater {
        head = head.replace("water: process_water }", "water: heated_water }");
        head.push_str(
            "\n  water_heater:\n    type: heater\n    in: { in: process_water }\n    out: { out: heated_water }\n    params: { T: 40 degC }\n",
        );
    }
    let lca = format!(
        "
analyses:
  lca:
    functional_unit: 1 t of product
    utilities:
      electricity: electricity_kigam_2022_implied
      cooling: \"excluded: the paper counts electricity only\"
{extra}
    streams:
      raw_ash: {raw_ash}
      flue_gas: \"excluded: flue gas, its CO2 is the power plant's emission\"
      process_water: \"excluded: the paper counts electricity only\"
"
    );
    format!("{head}{lca}{}", &text[end..])
}

fn solve(text: &str) -> Solved {
    Project::from_text(text, FLOWSHEET, &root().join("flowsheets"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .solve()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn lca(s: &Solved) -> &AnalysisOutput {
    s.analyses.iter().find(|a| a.name == "lca").expect("the lca analysis")
}

fn metric(s: &Solved, name: &str) -> f64 {
    lca(s).metric(name).unwrap_or_else(|| panic!("lca has no metric {name}"))
}

/// The user data of the check: the heater from a file, the haul inline.
const USER: &str = "      heating: gas_heater_epa_2024
    background: [../tests/data/lca/epa-2024-gas-heater.txt]
    records:
      - \"process | ash_truck_20km | 1 t | raw ash hauled 20 km by diesel HGV | [D] 20 km x Defra 2012 Annex 7 Table 7e, ALL HGVs UK average\"
      - \"emission | ash_truck_20km | CO2, fossil | 2.4336 kg | [D] 20 x 0.12168\"
      - \"emission | ash_truck_20km | GHG (CO2-eq) | 0.0396 kg | [D] 20 x (0.00008 + 0.00190)\"";

/// Seconds of operation per functional unit (1 t of the `product` stream), the heater's duty
/// (J/FU) and the raw ash (t/FU), from the solved plant (not from the LCA).
fn plant_figures(s: &Solved) -> (f64, f64) {
    let r = &s.result;
    let product = r.stream("product").expect("product").stream.total_mass();
    let seconds = 1000.0 / product;
    let heat = r.units.iter().find(|u| u.name == "water_heater").expect("heater").report.total(Utility::Heating);
    let ash = r.stream("raw_ash").expect("raw ash").stream.total_mass();
    (heat * seconds, ash * seconds / 1000.0)
}

#[test]
fn a_user_gas_heater_and_truck_haul_change_the_reference_plant_by_the_hand_computed_amount() {
    let before = solve(&plant("      heating: \"excluded: not in this boundary\"", CUT_OFF, true));
    let after = solve(&plant(USER, "ash_truck_20km", true));
    let (heat_j, ash_t) = plant_figures(&after);
    assert!(heat_j > 1e8 && ash_t > 1.9, "a real duty and ash flow: {heat_j} J, {ash_t} t");
    let fuel = heat_j / J_PER_MMBTU;
    // GWP100 (IPCC AR6), the headline: EPA Hub 2024 Table 1 gases x AR6 Table 7.15; the haul's
    // Defra 2012 Table 7e CO2 and CO2-eq per tonne.km x 20 km.
    let heater_ar6 = fuel * (GAS.0 + GAS.1 * AR6_GWP100.0 + GAS.2 * AR6_GWP100.1);
    let truck = ash_t * KM * (HGV_CO2 + HGV_OTHER_CO2EQ);
    let delta = metric(&after, "emissions_per_functional_unit") - metric(&before, "emissions_per_functional_unit");
    let expected = heater_ar6 + truck;
    assert!((delta - expected).abs() <= 1e-9 * expected, "AR6 GWP100: {delta} against {expected} by hand");
    // The contributions name the new flows.
    let heating = metric(&after, "emissions_by_flow.heating");
    assert!((heating - heater_ar6).abs() <= 1e-9 * heater_ar6, "{heating} against {heater_ar6}");
    // GWP100 (IPCC AR5), another complete category, under `category.NAME.`: AR5 Table 8.7.
    let ar5 = "category.GWP100 (IPCC AR5).emissions_per_functional_unit";
    let heater_ar5 = fuel * (GAS.0 + GAS.1 * AR5_GWP100.0 + GAS.2 * AR5_GWP100.1);
    let d5 = metric(&after, ar5) - metric(&before, ar5);
    assert!((d5 - (heater_ar5 + truck)).abs() <= 1e-9 * (heater_ar5 + truck), "AR5: {d5}");
}

#[test]
fn gwp20_counts_the_separate_gases_and_lists_what_it_cannot_characterise() {
    let after = solve(&plant(USER, "ash_truck_20km", true));
    let (heat_j, ash_t) = plant_figures(&after);
    // Grid electricity and the haul's CH4 + N2O are published as GWP100 CO2-eq only: GWP20
    // cannot weigh them, so it has no metric and its full result lists them.
    assert!(lca(&after).metric("category.GWP20 (IPCC AR6).emissions_per_functional_unit").is_none());
    let json: serde_json::Value = serde_json::from_str(&lca(&after).json).expect("json");
    let gwp20 = json["categories"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "GWP20 (IPCC AR6)"))
        .expect("a GWP20 category")
        .clone();
    // AR6 Table 7.15 GWP20 of the EPA Hub 2024 Table 1 gases; the haul's CO2 at 1.
    let expected = heat_j / J_PER_MMBTU * (GAS.0 + GAS.1 * AR6_GWP20.0 + GAS.2 * AR6_GWP20.1) + ash_t * KM * HGV_CO2;
    let got = gwp20["emissions"]["per_functional_unit"].as_f64().expect("a number");
    assert!((got - expected).abs() <= 1e-9 * expected, "GWP20 {got} against {expected} by hand");
    let missing = gwp20["not_characterised"].as_array().expect("a list");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["name"], "GHG (CO2-eq)");
    // What it leaves out: the electricity's CO2-eq (0.3795 kg/kWh, the shipped derived factor)
    // and the haul's CH4 + N2O.
    let kwh = after.result.utility_total(Utility::Electricity) * 1000.0
        / after.result.stream("product").expect("product").stream.total_mass()
        / 3.6e6;
    let left_out = kwh * 0.3795 + ash_t * KM * HGV_OTHER_CO2EQ;
    let got = missing[0]["amount"]["per_functional_unit"].as_f64().expect("a number");
    assert!((got - left_out).abs() <= 1e-9 * left_out, "{got} against {left_out}");
    assert!(
        lca(&after).text.contains("not characterised (no factor, not counted): GHG (CO2-eq)"),
        "{}",
        lca(&after).text
    );
}

#[test]
fn a_shipped_process_can_be_overridden_and_listed_with_its_origin() {
    let records = "    records:
      - \"override process | electricity_kigam_2022_implied | 1 kWh | a cleaner grid | [S] a utility's disclosure, 2024\"
      - \"emission | electricity_kigam_2022_implied | GHG (CO2-eq) | 0.1 kg\"";
    let text = plant(records, CUT_OFF, false);
    let s = solve(&text);
    let kwh = s.result.utility_total(Utility::Electricity) * 1000.0
        / s.result.stream("product").expect("product").stream.total_mass()
        / 3.6e6;
    let e = metric(&s, "emissions_per_functional_unit");
    assert!((e - 0.1 * kwh).abs() <= 1e-9 * e, "{e} against 0.1 kg/kWh x {kwh} kWh");
    // `calx lca list` shows the override's source and where it came from.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("f.yaml");
    std::fs::write(&path, &text).expect("written");
    let listing = calx::lca_listing(&calx::lca_database(Some(&path)).unwrap_or_else(|e| panic!("{e}")));
    assert!(
        listing.contains("electricity_kigam_2022_implied [J] | a cleaner grid | [S] a utility's disclosure, 2024 | flowsheet (overrides shipped)"),
        "{listing}"
    );
    assert!(
        listing.contains("GWP20 (IPCC AR6) [kg CO2-eq] | IPCC AR6 WG1 (2021) Chapter 7, Table 7.15 (GWP-20) | shipped")
    );
}

/// The electricity of the solved plant, kWh per functional unit (1 t of `product`).
fn kwh_per_fu(s: &Solved) -> f64 {
    s.result.utility_total(Utility::Electricity) * 1000.0
        / s.result.stream("product").expect("product").stream.total_mass()
        / 3.6e6
}

#[test]
fn a_user_characterisation_factor_from_a_csv_table_changes_gwp20_by_the_hand_computed_amount() {
    let before = solve(&plant("", CUT_OFF, false));
    let gwp20 = "category.GWP20 (IPCC AR6).emissions_per_functional_unit";
    // The grid's GHG (CO2-eq) has no GWP20 factor: no metric (an incomplete total).
    assert!(lca(&before).metric(gwp20).is_none());
    let after = solve(&plant("    background: [../tests/data/lca/grid-co2eq-in-gwp20.csv]", CUT_OFF, false));
    // The table's factor 1 x the grid's 0.3795 kg CO2-eq/kWh (shipped, [D] 30.9 / 81.42, Jung
    // and Kim 2022) x the plant's kWh per t of product.
    let expected = kwh_per_fu(&after) * 0.3795 * 1.0;
    let got = metric(&after, gwp20);
    assert!((got - expected).abs() <= 1e-12 * expected, "GWP20 {got} against {expected} by hand");
    // The headline (GWP100) is not touched.
    let headline = "emissions_per_functional_unit";
    assert_eq!(metric(&after, headline), metric(&before, headline));
}

#[test]
fn a_process_table_changes_the_plant_exactly_as_the_same_records() {
    let records = solve(&plant(USER, "ash_truck_20km", true));
    let table = "      heating: gas_heater_epa_2024
    background: [../tests/data/lca/epa-2024-gas-heater.txt, ../tests/data/lca/hgv-haul-20km.csv]";
    let from_table = solve(&plant(table, "ash_truck_20km", true));
    for name in ["emissions_per_functional_unit", "category.GWP100 (IPCC AR5).emissions_per_functional_unit"] {
        let (a, b) = (metric(&records, name), metric(&from_table, name));
        assert!((a - b).abs() <= 1e-12 * a, "{name}: records {a}, table {b}");
    }
}

#[test]
fn a_bad_cell_of_a_csv_table_is_reported_in_the_table_with_field_found_and_allowed() {
    let text = plant("    background: [../tests/data/lca/bad-factor-table.csv]", CUT_OFF, false);
    let err = Project::from_text(&text, FLOWSHEET, &root().join("flowsheets"), &LoadOptions::default())
        .err()
        .expect("the table is refused")
        .to_string();
    assert!(err.contains("bad-factor-table.csv:2:31"), "{err}");
    assert!(err.contains("factor [kg CO2-eq/kg]") && err.contains("one") && err.contains("a finite number"), "{err}");
}
