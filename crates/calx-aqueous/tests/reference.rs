//! Published reference values (issue 15, "How it is checked"), each test naming its source;
//! the figures are listed in docs/sources.md §Aqueous chemistry (calx-aqueous). Agreement: pH
//! within 0.03, concentrations within 3 %.

use calx_aqueous::{
    ActivityModel, AqueousError, Database, Element, Equilibrium, GasCondition, Input, PASCAL_PER_ATM, System,
    SystemSpec,
};

fn system(elements: &[Element], minerals: &[&str]) -> System {
    System::new(Database::builtin(), &SystemSpec::new(elements).with_minerals(minerals)).expect("system builds")
}

fn solve(sys: &System, input: &Input) -> Equilibrium {
    sys.solve(&mut sys.workspace(), input).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_close(what: &str, value: f64, reference: f64, relative: f64) {
    assert!((value - reference).abs() <= relative * reference.abs(), "{what}: {value} against {reference}");
}

const ATMOSPHERIC_CO2_PA: f64 = 3.162_277_660_168_379_5e-4 * PASCAL_PER_ATM; // 10^-3.5 atm

/// Pure water at 25 °C: pH 7.00, from Kw = 10^-14 (phreeqc.dat, H2O = OH- + H+, log_k -14;
/// its analytic expression, which PHREEQC uses, gives 13.995).
#[test]
fn pure_water_at_25_c() {
    let sys = system(&[], &[]);
    let eq = solve(&sys, &Input::new(298.15, 1.0));
    assert!((eq.ph - 7.00).abs() < 0.03, "pH {}", eq.ph);
    let log_kw = Database::builtin().water_dissociation_log_k(298.15).unwrap();
    assert!((eq.ph + 0.5 * log_kw).abs() < 1e-4, "pH {} against -log Kw / 2", eq.ph);
    assert!(eq.charge_balance_error.abs() < 1e-12);
}

/// Water at equilibrium with atmospheric CO2 (10^-3.5 atm) at 25 °C: pH 5.65 (Stumm and Morgan
/// 1996, Aquatic Chemistry, 3rd ed., chapter 4, rain water in equilibrium with the
/// atmosphere).
#[test]
fn water_under_atmospheric_co2() {
    let sys = system(&[Element::C], &[]);
    let eq = solve(&sys, &Input::new(298.15, 1.0).with_gas(GasCondition::FixedCo2 { pressure: ATMOSPHERIC_CO2_PA }));
    assert!((eq.ph - 5.65).abs() < 0.03, "pH {}", eq.ph);
    assert_close("CO2 taken up", eq.co2_from_gas, eq.dic, 1e-12);
}

/// Calcite with atmospheric CO2 at 25 °C: pH 8.3, Ca 0.5 mmol/kg (Stumm and Morgan 1996,
/// chapter 7, calcite in an open system at pCO2 = 10^-3.5 atm; the calcite constants are
/// Plummer and Busenberg's 1982 via phreeqc.dat).
#[test]
fn calcite_under_atmospheric_co2() {
    let sys = system(&[Element::Ca, Element::C], &["Calcite"]);
    let mut input = Input::new(298.15, 1.0)
        .with_total(Element::Ca, 0.01)
        .with_total(Element::C, 0.01)
        .with_gas(GasCondition::FixedCo2 { pressure: ATMOSPHERIC_CO2_PA });
    input.minerals = vec![0.01];
    let eq = solve(&sys, &input);
    assert!((eq.ph - 8.3).abs() < 0.03, "pH {}", eq.ph);
    assert_close("Ca", eq.total(Element::Ca), 0.5e-3, 0.03);
    assert!(eq.saturation_index("Calcite").unwrap().abs() < 1e-9);
    // Calcite dissolved and took CO2 from the gas with it: Ca + C(aq) = calcite lost + CO2 in.
    let dissolved = -eq.mineral_change("Calcite").unwrap();
    assert_close("Ca from calcite", eq.total(Element::Ca), dissolved, 1e-9);
    assert_close("C balance", eq.dic, dissolved + eq.co2_from_gas, 1e-9);
}

/// Portlandite-saturated water at 25 °C: pH 12.454 (Bates, Bower and Smith 1956, J. Res. Natl.
/// Bur. Stand. 56, 305: the saturated calcium hydroxide pH standard, pH(S) = 12.454 at 25 °C)
/// and about 20.3 mmol/kg Ca (the same paper's 0.0203 mol/kg at 25 °C).
#[test]
fn portlandite_saturated_water() {
    let sys = system(&[Element::Ca], &["Portlandite"]);
    let mut input = Input::new(298.15, 1.0).with_total(Element::Ca, 0.1);
    input.minerals = vec![0.1];
    let eq = solve(&sys, &input);
    assert!((eq.ph - 12.454).abs() < 0.03, "pH {}", eq.ph);
    assert_close("Ca", eq.total(Element::Ca), 0.0203, 0.03);
}

/// CO2 solubility in pure water at a CO2 partial pressure of 100 kPa: mole fraction of CO2 in
/// the liquid 0.950e-3 at 10 °C, 0.614e-3 at 25 °C, 0.354e-3 at 50 °C, 0.232e-3 at 80 °C
/// (CRC Handbook of Chemistry and Physics, "Solubility of carbon dioxide in water at various
/// temperatures and pressures", from Carroll, Slupsky and Mather 1991, J. Phys. Chem. Ref.
/// Data 20, 1201). Water is 55.508 mol/kg (1000 / 18.015).
#[test]
fn co2_solubility_versus_temperature() {
    let sys = system(&[Element::C], &[]);
    for (t_c, x) in [(10.0, 0.950e-3), (25.0, 0.614e-3), (50.0, 0.354e-3), (80.0, 0.232e-3)] {
        let eq = solve(&sys, &Input::new(273.15 + t_c, 1.0).with_gas(GasCondition::FixedCo2 { pressure: 100e3 }));
        let x_calx = eq.dic / (eq.dic + 1000.0 / 18.015);
        assert_close(&format!("x(CO2) at {t_c} °C"), x_calx, x, 0.03);
    }
}

/// Gypsum in pure water at 25 °C: about 15 mmol/kg (issue 15); published measurements range
/// from 14.7 to 18.2 mmol/L (Lebedev and Kosorukov 2017, Geochem. Int. 55, 205, abstract).
#[test]
fn gypsum_solubility() {
    let sys = system(&[Element::Ca, Element::S], &["Gypsum"]);
    let mut input = Input::new(298.15, 1.0).with_total(Element::Ca, 0.1).with_total(Element::S, 0.1);
    input.minerals = vec![0.1];
    let eq = solve(&sys, &input);
    let ca = eq.total(Element::Ca);
    assert_close("Ca", ca, 15.0e-3, 0.03);
    assert!((14.7e-3..=18.2e-3).contains(&ca), "{ca}");
    assert_close("S", eq.total(Element::S), ca, 1e-9);
}

/// A closed gas volume: the CO2 left in the gas is at p = n R T / V, and carbon is conserved
/// between gas, solution and calcite.
#[test]
fn closed_gas_volume_conserves_carbon() {
    let sys = system(&[Element::Ca, Element::C], &["Calcite"]);
    let mut input = Input::new(313.15, 1.0)
        .with_total(Element::Ca, 0.05)
        .with_total(Element::C, 0.05)
        .with_gas(GasCondition::ClosedCo2 { volume: 1e-3, moles: 0.02 });
    input.minerals = vec![0.05];
    let eq = solve(&sys, &input);
    let n_gas = 0.02 - eq.co2_from_gas;
    // R = 0.0820597 L atm/(K mol) as in PHREEQC (global_structures.h).
    assert_close("p = nRT/V", eq.co2_pressure, n_gas * 0.0820597 * 313.15 / 1.0 * PASCAL_PER_ATM, 1e-12);
    let carbon = eq.dic * 1.0 + eq.mineral_amount("Calcite").unwrap() + n_gas;
    assert_close("carbon", carbon, 0.05 + 0.02, 1e-10);
    assert_close("calcium", eq.total(Element::Ca) + eq.mineral_amount("Calcite").unwrap(), 0.05, 1e-10);
}

/// Davies is chosen per system, and its range is flagged: a 1 molal NaCl solution is beyond
/// 0.5 mol/kg (Stumm and Morgan 1996, table 3.3, Davies to I ≈ 0.5).
#[test]
fn davies_model_and_its_range_warning() {
    let spec = SystemSpec::new(&[Element::Na, Element::Cl]).with_activity_model(ActivityModel::Davies);
    let sys = System::new(Database::builtin(), &spec).unwrap();
    let dilute = solve(&sys, &Input::new(298.15, 1.0).with_total(Element::Na, 0.01).with_total(Element::Cl, 0.01));
    assert!(dilute.activity_model_warning().is_none());
    let brine = solve(&sys, &Input::new(298.15, 1.0).with_total(Element::Na, 1.0).with_total(Element::Cl, 1.0));
    let w = brine.activity_model_warning().expect("warning");
    assert_eq!((w.model, w.limit), (ActivityModel::Davies, 0.5));
}

/// Bad inputs are typed errors, never NaN.
#[test]
fn bad_inputs_are_typed_errors() {
    let sys = system(&[Element::Ca], &["Portlandite"]);
    for input in [
        Input::new(f64::NAN, 1.0),
        Input::new(298.15, 0.0),
        Input::new(298.15, 1.0).with_total(Element::Ca, -1.0),
        Input::new(298.15, 1.0).with_total(Element::Na, 1.0),
        Input { minerals: vec![1.0], ..Input::new(298.15, 1.0) },
        Input::new(298.15, 1.0).with_gas(GasCondition::FixedCo2 { pressure: 1e5 }),
        Input::new(298.15, 1.0).with_gas(GasCondition::FixedCo2 { pressure: -1.0 }),
    ] {
        assert!(matches!(sys.solve(&mut sys.workspace(), &input), Err(AqueousError::InvalidInput(_))), "{input:?}");
    }
    let unknown = System::new(Database::builtin(), &SystemSpec::new(&[Element::Ca]).with_minerals(&["Unobtainium"]));
    assert!(matches!(unknown, Err(AqueousError::Mineral { .. })));
}
