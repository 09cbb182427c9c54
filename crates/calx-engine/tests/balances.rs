//! The balances a flowsheet checks after each solve do not depend on what it solved before:
//! the specific enthalpies it remembers between solves (per temperature met) and the sums it
//! keeps for reuse give, after any number of other solves, the bits a newly built flowsheet
//! gives.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::result::FlowsheetResult;
use calx_core::thermo::HeatCapacity;
use calx_core::{Component, ComponentSet, ParamValue, Params, Phase};
use calx_engine::{Flowsheet, FlowsheetDef, SolveOptions, UnitDef, Variable};

/// A component with round thermodynamic data (J/mol, J/(mol K)): only the bits matter here.
fn component(formula: &str, phase: Phase, formation_enthalpy: f64, cp: f64) -> Component {
    let mut c = Component::from_formula(formula, formula, phase).unwrap();
    c.formation_enthalpy = Some(formation_enthalpy);
    c.heat_capacity = Some(HeatCapacity::Constant { cp });
    c
}

fn number(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

/// A feed of lime and water at `feed_t` into a heater to `heater_t`, out as the product.
fn flowsheet(feed_t: f64, heater_t: f64) -> Flowsheet {
    let components = Arc::new(
        ComponentSet::new(vec![
            component("CaO", Phase::Solid, -635_090.0, 42.8),
            component("H2O", Phase::Liquid, -285_830.0, 75.3),
            component("CO2", Phase::Gas, -393_510.0, 37.1),
        ])
        .unwrap(),
    );
    let composition = BTreeMap::from([("CaO".to_string(), number(0.3)), ("H2O".to_string(), number(0.7))]);
    let feed = Params::new(BTreeMap::from([
        ("total".to_string(), number(2.5)),
        ("composition".to_string(), ParamValue::Map(composition)),
        ("T".to_string(), number(feed_t)),
        ("P".to_string(), number(101_325.0)),
    ]));
    let heater =
        Params::new(BTreeMap::from([("T".to_string(), number(heater_t)), ("pressure_drop".to_string(), number(0.0))]));
    let def = FlowsheetDef {
        name: "balances".into(),
        components,
        units: vec![
            UnitDef {
                name: "slurry".into(),
                unit_type: Arc::new(calx_generic::Feed),
                params: feed,
                inlets: vec![],
                outlets: vec![("out".into(), vec!["cold".into()])],
            },
            UnitDef {
                name: "heater".into(),
                unit_type: Arc::new(calx_generic::Heater),
                params: heater,
                inlets: vec![("in".into(), vec!["cold".into()])],
                outlets: vec![("out".into(), vec!["hot".into()])],
            },
        ],
        options: SolveOptions::default(),
        design_specs: vec![],
        calculators: vec![],
    };
    Flowsheet::build(def).unwrap()
}

/// Every figure of every closure, as bits (with its name), the plant's and each unit's.
fn closure_bits(r: &FlowsheetResult) -> Vec<(String, [u64; 3])> {
    let bits = |c: &calx_core::result::Closure| [c.inflow.to_bits(), c.outflow.to_bits(), c.relative_error.to_bits()];
    let mut all: Vec<(String, [u64; 3])> =
        r.balance.iter().map(|c| (format!("plant {}", c.quantity), bits(c))).collect();
    all.extend(r.energy.closure().map(|c| ("plant energy".to_string(), bits(c))));
    for u in &r.units {
        all.extend(u.balance.iter().map(|c| (format!("{} {}", u.name, c.quantity), bits(c))));
        all.extend(u.energy.closure().map(|c| (format!("{} energy", u.name), bits(c))));
    }
    all
}

fn set(f: &mut Flowsheet, unit: &str, value: f64) {
    let v = Variable::UnitParam { unit: unit.into(), param: "T".into(), key: None };
    f.set(&v, value).unwrap();
}

#[test]
fn balances_after_other_solves_are_those_of_a_new_flowsheet() {
    let mut reused = flowsheet(298.15, 330.0);
    let mut previous = None;
    // More temperatures than the enthalpy memo holds, then the first ones again: a value
    // remembered from an earlier solve, or left over after the memo started over, shows.
    let temperatures: Vec<(f64, f64)> =
        (0..45).map(|i| (290.0 + (i % 40) as f64 * 0.37, 320.0 + (i % 40) as f64 * 1.3)).collect();
    for &(feed_t, heater_t) in &temperatures {
        set(&mut reused, "slurry", feed_t);
        set(&mut reused, "heater", heater_t);
        let r = reused.solve_reusing(previous.take()).unwrap();
        let fresh = flowsheet(feed_t, heater_t).solve().unwrap();
        let bits = closure_bits(&r);
        assert!(bits.iter().any(|(name, _)| name == "heater energy"), "{bits:?}");
        assert_eq!(bits, closure_bits(&fresh), "feed at {feed_t} K, heater to {heater_t} K");
        previous = Some(r);
    }
}
