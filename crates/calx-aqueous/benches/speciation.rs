//! Speciation benchmarks (divan): one equilibrium solve of a Ca-Mg-Na-Cl-C slurry water with
//! calcite at equilibrium and a fixed CO2 partial pressure, with a reused [`System`] and
//! [`Workspace`] (issue 15 target: under 20 µs per solve).
//!
//! - `warm_changing_pco2`: every solve a different CO2 pressure (cycling through eight values
//!   from 0.01 to 1 atm), warm-started from the previous solution, as a flowsheet iteration or
//!   a study sample would call it;
//! - `cold`: every solve from a fresh workspace (built outside the timing), no warm start.
//!
//! Run: `cargo bench -p calx-aqueous`.

use calx_aqueous::{
    Database, Element, Equilibrium, GasCondition, Input, PASCAL_PER_ATM, System, SystemSpec, Workspace,
};
use divan::Bencher;

fn main() {
    divan::main();
}

/// The system: Ca, Mg, Na, Cl, C with calcite at equilibrium, WATEQ Debye-Hückel.
fn system() -> System {
    let spec =
        SystemSpec::new(&[Element::Ca, Element::Mg, Element::Na, Element::Cl, Element::C]).with_minerals(&["Calcite"]);
    System::new(Database::builtin(), &spec).expect("system builds")
}

/// A slurry water at 40 °C: 20 mmol Ca, 10 mmol Mg, 50 mmol Na, 100 mmol Cl per kg, 0.1 mol
/// calcite present, in contact with CO2 at `p_atm`.
fn input(p_atm: f64) -> Input {
    let mut input = Input::new(313.15, 1.0)
        .with_total(Element::Ca, 0.12)
        .with_total(Element::Mg, 0.01)
        .with_total(Element::Na, 0.05)
        .with_total(Element::Cl, 0.10)
        .with_total(Element::C, 0.10)
        .with_gas(GasCondition::FixedCo2 { pressure: p_atm * PASCAL_PER_ATM });
    input.minerals = vec![0.1];
    input
}

#[divan::bench]
fn warm_changing_pco2(bencher: Bencher) {
    let sys = system();
    let mut ws: Workspace = sys.workspace();
    let inputs: Vec<Input> = (0..8).map(|k| input(0.01 * 10f64.powf(k as f64 * 2.0 / 7.0))).collect();
    let mut out: Equilibrium = sys.solve(&mut ws, &inputs[0]).expect("converges");
    let mut k = 0;
    bencher.bench_local(|| {
        k = (k + 1) % inputs.len();
        sys.solve_into(&mut ws, &inputs[k], &mut out).expect("converges");
        out.ph
    });
}

#[divan::bench]
fn cold(bencher: Bencher) {
    let sys = system();
    let input = input(0.15);
    let mut out = sys.solve(&mut sys.workspace(), &input).expect("converges");
    bencher.with_inputs(|| sys.workspace()).bench_local_values(|mut ws| {
        sys.solve_into(&mut ws, &input, &mut out).expect("converges");
        out.ph
    });
}
