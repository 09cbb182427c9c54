//! The process-equipment units (`plugins/calx-equipment`) through the whole pipeline: the
//! engine's mass, element and energy closures hold for each, a temperature cross found while
//! solving names the unit and the parameter, a published cost correlation refuses a size
//! outside its range by name, and docs/equipment.md documents every port and parameter of the
//! library (the built-in units and the loadable cyclone). The textbook examples are in the
//! crate's own unit tests.

use std::path::Path;

use calx_core::result::{EnergyBalance, FlowsheetResult};
use calx_tests::root;

/// Parse flowsheet text as `calx run` does and solve it with its analyses.
fn solve_text(text: &str) -> Result<calx::Solved, String> {
    let base = root().join("flowsheets");
    let project = calx::Project::from_text(text, "equipment.yaml", Path::new(&base), &calx::LoadOptions::default())
        .map_err(|e| e.to_string())?;
    project.solve().map_err(|e| e.to_string())
}

fn size(r: &FlowsheetResult, unit: &str, name: &str) -> f64 {
    let u = r.unit(unit).unwrap_or_else(|| panic!("no unit {unit}"));
    u.report.sizes.iter().find(|s| s.name == name).map(|s| s.value).unwrap_or_else(|| panic!("{unit}: no size {name}"))
}

/// A slurry ground, heated by steam, stored, cooled by cooling water, filtered of its solids and the
/// cake dried: every unit's energy closure is checked by the engine and recorded.
const TRAIN: &str = r#"
schema_version: 1
components: { use: [CaCO3, H2O, H2O(g)] }
streams:
  slurry: { flows: { CaCO3: 1 t/h, H2O: 9 t/h }, T: 20 degC }
units:
  grinder:
    type: mill
    in: { in: slurry }
    out: { out: milled }
    params: { work_index: 12 kWh/t, f80: 1 mm, p80: 100 um }
  heater:
    type: utility_exchanger
    in: { in: milled }
    out: { out: hot }
    params: { utility: steam, T: 80 degC, steam_pressure: 300 kPa, U: 1000 W/m2 K }
  tank:
    type: storage_tank
    in: { in: hot }
    out: { out: stored }
    params: { residence_time: 2 h, density: 1080 kg/m3 }
  cooler:
    type: utility_exchanger
    in: { in: stored }
    out: { out: cool }
    params: { utility: cooling_water, T: 40 degC, T_supply: 25 degC, T_return: 35 degC, U: 800 W/m2 K }
  press:
    type: filter
    in: { feed: cool }
    out: { cake: cake, filtrate: filtrate }
    params: { solids_recovery: 99 %, cake_moisture: 30 %, filtration_rate: 500 kg/m2/h }
  dryer:
    type: dryer
    in: { feed: cake }
    out: { product: product, vapour: vapour }
    params: { moisture: 1 %, T: 100 degC }
"#;

#[test]
fn every_equipment_unit_closes_its_balances_in_a_solved_plant() {
    let solved = solve_text(TRAIN).unwrap_or_else(|e| panic!("{e}"));
    let r = &solved.result;
    for u in &r.units {
        if matches!(u.type_name.as_str(), "feed" | "product") {
            continue;
        }
        let EnergyBalance::Checked(c) = &u.energy else { panic!("{}: energy not checked: {:?}", u.name, u.energy) };
        assert!(c.relative_error < 1e-9, "{}: energy closure {}", u.name, c.relative_error);
        assert!(u.balance.iter().all(|b| b.relative_error < 1e-12), "{}: {:?}", u.name, u.balance);
    }
    // 10 t/h at 1080 kg/m3 held 2 h: 18.52 m3.
    assert!((size(r, "tank", "volume") - 10_000.0 / 1080.0 * 2.0).abs() < 1e-9);
    // The cooling water takes the cooler's duty over 10 K at 4180 J/(kg K).
    let water = size(r, "cooler", "cooling_water_flow");
    assert!((water - size(r, "cooler", "duty") / (75.3 / 0.018_015 * 10.0)).abs() < 1e-9 * water);
    // Steam at 300 kPa condenses at 133.5 degC (IAPWS-IF97) and gives up its latent heat.
    let steam = size(r, "heater", "steam_flow");
    let t_sat = calx_core::water::saturation_temperature(300e3).unwrap();
    assert!((t_sat - 273.15 - 133.52).abs() < 0.01, "{t_sat}");
    let h_fg = calx_core::water::latent_heat(t_sat).unwrap();
    assert!((steam - size(r, "heater", "duty") / h_fg).abs() < 1e-9 * steam);
    // Bond's law on the 1 t/h of solids only: 10 x 12 x (1/sqrt(100) - 1/sqrt(1000)) kWh/t.
    let bond = 10.0 * 12.0 * (0.1 - 1.0 / 1000f64.sqrt()) * 3.6e6 / 1000.0;
    assert!((size(r, "grinder", "power") - bond * 1000.0 / 3600.0).abs() < 1e-9 * bond);
    // 10 t/h through 500 kg/(m2 h): 20 m2 of filter.
    assert!((size(r, "press", "area") - 20.0).abs() < 1e-9);
}

/// A temperature cross can only be seen with the inlet temperatures: the solve fails with
/// the unit, its type, the parameter and both streams' temperatures.
#[test]
fn a_temperature_cross_fails_the_solve_by_unit_and_parameter() {
    let text = r#"
schema_version: 1
components: { use: [H2O] }
streams:
  hot: { flows: { H2O: 10 t/h }, T: 80 degC }
  cold: { flows: { H2O: 10 t/h }, T: 20 degC }
units:
  recuperator:
    type: heat_exchanger
    in: { hot_in: hot, cold_in: cold }
    out: { hot_out: cooled, cold_out: warmed }
    params: { T_cold_out: 90 degC, U: 850 W/m2 K }
"#;
    let e = solve_text(text).expect_err("a cross is refused");
    assert!(e.contains("recuperator") && e.contains("heat_exchanger"), "{e}");
    assert!(e.contains("`T_cold_out`") && e.contains("temperature cross") && e.contains("80.00"), "{e}");
}

/// A pump too small for Seider's correlation: the TEA refuses it with the unit and the range
/// instead of extrapolating.
#[test]
fn a_size_outside_a_published_correlation_is_refused_by_name() {
    let text = r#"
schema_version: 1
components: { use: [H2O] }
streams:
  water: { flows: { H2O: 1 t/h }, T: 25 degC }
units:
  dosing_pump:
    type: pump
    in: { in: water }
    out: { out: product }
    params: { head: 5 m, density: 997 kg/m3, efficiency: 40 % }
analyses:
  tea:
    currency: USD
    base_year: 2018
    discount_rate: 7 %
    lifetime: 20 yr
    capex_method: towler_sinnott
    equipment_published: { dosing_pump: seider_centrifugal_pump }
    utility_prices: { electricity: "excluded: not the point of this test" }
    feed_prices: { water: "excluded: not the point of this test" }
"#;
    let e = solve_text(text).expect_err("out of range");
    assert!(e.contains("equipment_published") && e.contains("dosing_pump") && e.contains("S >= 400"), "{e}");
}

/// CO2 compressed in three intercooled stages: the compressor's shaft work enters the
/// engine's energy balance (`UnitReport::work`), so the unit and the plant close; without it
/// the hotter outlet would be an open balance. The work and the intercooler duty are shown
/// with the utilities.
#[test]
fn a_compressor_closes_the_energy_balance_with_its_shaft_work() {
    let text = r#"
schema_version: 1
components: { use: [CO2] }
streams:
  co2: { flows: { CO2: 10 t/h }, T: 40 degC, P: 1 bar }
units:
  co2_compressor:
    type: compressor
    in: { in: co2 }
    out: { out: compressed }
    params: { P: 30 bar, efficiency: 80 %, stages: 3, intercooler_T: 40 degC, motor_efficiency: 95 % }
"#;
    let solved = solve_text(text).unwrap_or_else(|e| panic!("{e}"));
    let r = &solved.result;
    let u = r.unit("co2_compressor").unwrap();
    let EnergyBalance::Checked(c) = &u.energy else { panic!("{:?}", u.energy) };
    assert!(c.relative_error < 1e-9, "{c:?}");
    let EnergyBalance::Checked(plant) = &r.energy else { panic!("{:?}", r.energy) };
    assert!(plant.relative_error < 1e-9, "{plant:?}");
    let work = u.report.total_work();
    assert!(work > 0.0 && size(r, "co2_compressor", "shaft_power") == work);
    let electricity = u.report.total(calx_core::Utility::Electricity);
    assert!((electricity - work / 0.95).abs() < 1e-9 * work);
    // Two intercoolers back to 40 degC; the gas leaves the third stage hot.
    let out = r.stream("compressed").unwrap();
    assert!(out.stream.temperature > 313.15 + 50.0 && out.stream.pressure == 30e5, "{:?}", out.stream);
    assert!(u.report.total(calx_core::Utility::Cooling) > 0.0);
    // The work is serialized with the unit's report.
    let json = serde_json::to_string(&u.report).unwrap();
    assert!(json.contains("\"work\":[{\"purpose\":\"compression\""), "{json}");
}

/// Wet CO2 cooled in a flash drum to 40 degC: the gas leaves saturated (IAPWS-IF97 vapour
/// pressure), the rest of the water condenses, and the engine's energy closure holds with the
/// flash's cooling duty.
#[test]
fn a_flash_knocks_out_water_and_closes_its_balances() {
    let text = r#"
schema_version: 1
components: { use: [CO2, H2O, H2O(g)] }
streams:
  wet_gas: { flows: { CO2: 1 t/h, "H2O(g)": 100 kg/h }, T: 90 degC }
units:
  knockout:
    type: flash
    in: { in: wet_gas }
    out: { vapour: dried_gas, liquid: condensate }
    params: { T: 40 degC }
"#;
    let solved = solve_text(text).unwrap_or_else(|e| panic!("{e}"));
    let r = &solved.result;
    let u = r.unit("knockout").unwrap();
    let EnergyBalance::Checked(c) = &u.energy else { panic!("{:?}", u.energy) };
    assert!(c.relative_error < 1e-9, "{c:?}");
    assert!(u.balance.iter().all(|b| b.relative_error < 1e-12), "{:?}", u.balance);
    // y = psat(40 degC)/P: the vapour's water over its CO2, by moles.
    let y = calx_core::water::saturation_pressure(313.15).unwrap() / 101_325.0;
    let gas = &r.stream("dried_gas").unwrap().stream;
    let (i_co2, i_w) = (r.components.index_of("CO2").unwrap(), r.components.index_of("H2O(g)").unwrap());
    let ratio = (gas.flows[i_w] / 0.018_015) / (gas.flows[i_co2] / 0.044_01);
    assert!((ratio - y / (1.0 - y)).abs() < 1e-3 * ratio, "{ratio}");
    assert!(u.report.total(calx_core::Utility::Cooling) > 0.0);
}

/// docs/equipment.md names every port and parameter of every unit of the library in the
/// unit's own section, so the reference page cannot drift from `calx units`: the built-in
/// `calx-equipment` types and the library's cyclone, the loadable plugin `calx-cyclone`.
#[test]
fn the_reference_page_names_every_port_and_parameter() {
    let page = std::fs::read_to_string(root().join("docs/equipment.md")).unwrap();
    let registry = calx::builtin_registry();
    let mut descriptors: Vec<_> =
        registry.iter().filter(|r| r.provider == "calx-equipment").map(|r| r.descriptor.clone()).collect();
    assert!(descriptors.len() >= 10, "{} equipment types", descriptors.len());
    let path = calx_tests::plugin_dir().join(calx::library_file_name("calx_cyclone"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cyclone = calx_plugin_host::load(&calx_plugin_host::check(&path, file).unwrap()).unwrap();
    descriptors.extend(cyclone.manifest.units.iter().cloned());
    for d in descriptors {
        let start =
            page.find(&format!("\n## {}\n", d.type_name)).unwrap_or_else(|| panic!("no section for {}", d.type_name));
        let rest = &page[start + 4..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let names = d.ports.iter().map(|p| &p.name).chain(d.params.iter().map(|p| &p.name));
        for name in names {
            assert!(
                section.contains(&format!("| `{name}` |")),
                "docs/equipment.md, section {}: no row for `{name}`",
                d.type_name
            );
        }
    }
}

fn metric(solved: &calx::Solved, analysis: &str, name: &str) -> f64 {
    let a = solved.analyses.iter().find(|a| a.name == analysis).unwrap_or_else(|| panic!("no analysis {analysis}"));
    a.metrics.iter().find(|m| m.name == name).map(|m| m.value).unwrap_or_else(|| panic!("{analysis}: no {name}"))
}

/// Water heated electrically, cooled by chilled water, then by an electric refrigerator, and
/// the warm solids carried up a belt: the engine's energy closure holds for each (the
/// heater's heat declared as work), and the electricity of heater, chiller, refrigerator and
/// belt is what the hand relations give.
#[test]
fn the_electric_and_chilled_water_utilities_and_the_conveyor_close_their_balances() {
    let text = r#"
schema_version: 1
components: { use: [CaCO3, H2O] }
streams:
  water: { flows: { H2O: 10 t/h }, T: 20 degC }
  solids: { flows: { CaCO3: 36 t/h }, T: 20 degC }
units:
  heater:
    type: utility_exchanger
    in: { in: water }
    out: { out: hot }
    params: { utility: electric, T: 60 degC, heater_efficiency: 98 % }
  chiller_cooler:
    type: utility_exchanger
    in: { in: hot }
    out: { out: cool }
    params: { utility: chilled_water, T: 15 degC, T_supply: 7 degC, T_return: 12 degC, U: 600 W/m2 K, cop: 5 }
  fridge:
    type: utility_exchanger
    in: { in: cool }
    out: { out: cold }
    params: { utility: electric, T: 5 degC, cop: 3 }
  belt:
    type: conveyor
    in: { in: solids }
    out: { out: lifted }
    params: { kind: belt, length: 30 m, lift: 10 m, bulk_density: 1500 kg/m3 }
"#;
    let solved = solve_text(text).unwrap_or_else(|e| panic!("{e}"));
    let r = &solved.result;
    for name in ["heater", "chiller_cooler", "fridge", "belt"] {
        let u = r.unit(name).unwrap();
        let EnergyBalance::Checked(c) = &u.energy else { panic!("{name}: {:?}", u.energy) };
        assert!(c.relative_error < 1e-9, "{name}: {c:?}");
    }
    let electricity = |name: &str| r.unit(name).unwrap().report.total(calx_core::Utility::Electricity);
    let heater = r.unit("heater").unwrap();
    assert!((electricity("heater") - heater.report.total_work() / 0.98).abs() < 1e-6);
    assert!((electricity("chiller_cooler") - size(r, "chiller_cooler", "duty") / 5.0).abs() < 1e-6);
    assert!((electricity("fridge") - size(r, "fridge", "duty") / 3.0).abs() < 1e-6);
    // 36 t/h = 10 kg/s up 10 m: the belt's lift is m g H within 0.1 % (the unit test works
    // the whole power out by hand).
    assert!(electricity("belt") > 10.0 * 9.806_65 * 10.0);
    assert!((size(r, "belt", "volumetric_flow") - 10.0 / 1500.0).abs() < 1e-12);
}

/// CO2 compressed in three stages and a big wet-gas knock-out drum, costed by Seider's
/// correlations through the TEA: the compressor at exp(9.1553 + 0.63 ln P) with P its driver
/// power in hp, escalated from CEPCI 567 to 603 (2018, docs/sources.md §Cost indices); the
/// drum by its shell weight and its platforms and ladders.
#[test]
fn compressor_and_flash_drum_are_costed_from_their_sizes() {
    let text = r#"
schema_version: 1
components: { use: [CO2, H2O, H2O(g)] }
streams:
  co2: { flows: { CO2: 10 t/h }, T: 40 degC, P: 1 bar }
  wet_gas: { flows: { CO2: 100 t/h, H2O: 10 t/h }, T: 40 degC }
units:
  co2_compressor:
    type: compressor
    in: { in: co2 }
    out: { out: compressed }
    params: { P: 30 bar, efficiency: 80 %, stages: 3, intercooler_T: 40 degC, motor_efficiency: 95 % }
  knockout:
    type: flash
    in: { in: wet_gas }
    out: { vapour: dried_gas, liquid: condensate }
    params: { T: 40 degC }
analyses:
  tea:
    currency: USD
    base_year: 2018
    discount_rate: 7 %
    lifetime: 20 yr
    capex_method: towler_sinnott
    equipment_published: { co2_compressor: seider_centrifugal_compressor, knockout: seider_vertical_vessel }
    utility_prices:
      electricity: "excluded: not the point of this test"
      cooling: "excluded: not the point of this test"
      heating: "excluded: not the point of this test"
    feed_prices:
      co2: "excluded: not the point of this test"
      wet_gas: "excluded: not the point of this test"
    product: dried_gas
"#;
    let solved = solve_text(text).unwrap_or_else(|e| panic!("{e}"));
    let r = &solved.result;
    let driver = size(r, "co2_compressor", "driver_power");
    assert!((driver - size(r, "co2_compressor", "shaft_power") / 0.95).abs() < 1e-9 * driver);
    let hp = driver / 745.699_871_582_270_2;
    let expected = (9.1553 + 0.63 * hp.ln()).exp() * 603.0 / 567.0;
    let costed = metric(&solved, "tea", "equipment.co2_compressor");
    assert!((costed - expected).abs() < 1e-6 * expected, "{costed} USD against {expected} USD ({hp} hp)");
    let weight = size(r, "knockout", "vessel_weight");
    assert!(weight / 0.453_592_37 > 4200.0, "{weight} kg");
    assert!(metric(&solved, "tea", "equipment.knockout") > 0.0);
}
