//! A solution saved from one workspace starts another's solve (what a study does for every
//! sample): the carbonated ash slurry of the reference plant (portlandite and brucite under a
//! closed CO2 gas, calcite forming) reaches the same equilibrium from the saved start as from
//! a cold one, in fewer iterations; a state of another system is not taken.

use calx_aqueous::{Database, Element, Equilibrium, GasCondition, Input, System, SystemSpec};

fn system(minerals: &[&str]) -> System {
    let elements = [Element::Ca, Element::Mg, Element::C];
    System::new(Database::builtin(), &SystemSpec::new(&elements).with_minerals(minerals)).expect("system builds")
}

/// `portlandite` and 0.5 mol brucite in 4 kg water at 60 °C under 1 mol CO2 in 25 L of gas.
fn slurry(sys: &System, portlandite: f64) -> Input {
    let mut input = Input::new(333.15, 4.0).with_gas(GasCondition::ClosedCo2 { volume: 0.025, moles: 1.0 });
    input.totals[Element::Ca.index()] = portlandite;
    input.totals[Element::Mg.index()] = 0.5;
    input.minerals = sys
        .equilibrium_minerals()
        .iter()
        .map(|m| match *m {
            "Portlandite" => portlandite,
            "Brucite" => 0.5,
            _ => 0.0,
        })
        .collect();
    input
}

/// Largest difference of the log molalities and mineral amounts of two equilibria.
fn difference(a: &Equilibrium, b: &Equilibrium) -> f64 {
    let logs = a.molalities.iter().zip(&b.molalities).filter(|(x, y)| **x > 1e-30 && **y > 1e-30);
    let amounts = a.mineral_amounts.iter().zip(&b.mineral_amounts);
    logs.map(|(x, y)| (x.log10() - y.log10()).abs()).chain(amounts.map(|(x, y)| (x - y).abs())).fold(0.0, f64::max)
}

#[test]
fn a_saved_start_reaches_the_cold_equilibrium_in_fewer_iterations() {
    let sys = system(&["Portlandite", "Brucite", "Calcite"]);
    let mut base = sys.workspace();
    let mut saved = Vec::new();
    base.save_start(&mut saved);
    assert!(saved.is_empty(), "nothing solved yet: nothing to save");
    let base_eq = sys.solve(&mut base, &slurry(&sys, 0.8)).expect("base converges");
    assert!(base_eq.mineral_amount("Calcite").unwrap_or(0.0) > 0.0, "calcite forms: the test covers a set change");
    base.save_start(&mut saved);
    assert!(!saved.is_empty());
    for portlandite in [0.7, 0.8, 0.85, 0.95] {
        let input = slurry(&sys, portlandite);
        let cold = sys.solve(&mut sys.workspace(), &input).expect("cold converges");
        let mut ws = sys.workspace();
        assert!(ws.start_from(&saved));
        let warm = sys.solve(&mut ws, &input).expect("warm converges");
        assert!(difference(&cold, &warm) < 1e-9, "{portlandite}: differ by {}", difference(&cold, &warm));
        assert!(
            warm.iterations < cold.iterations,
            "{portlandite}: {} iterations from the saved start, {} cold",
            warm.iterations,
            cold.iterations
        );
    }
}

#[test]
fn a_state_of_another_system_is_not_taken() {
    let three = system(&["Portlandite", "Brucite", "Calcite"]);
    let mut ws = three.workspace();
    three.solve(&mut ws, &slurry(&three, 0.8)).expect("converges");
    let mut saved = Vec::new();
    ws.save_start(&mut saved);
    let two = system(&["Portlandite", "Brucite"]);
    let mut other = two.workspace();
    assert!(!other.start_from(&saved), "another system's state is refused");
    assert!(!other.start_from(&[]), "an empty state is refused");
    // Refused starts leave the workspace cold: it still solves.
    two.solve(&mut other, &slurry(&two, 0.8)).expect("converges cold");
}
