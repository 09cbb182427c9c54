//! Unit tests of the generic units against hand calculations.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::thermo::HeatCapacity;
use calx_core::unit::Connections;
use calx_core::{
    Component, ComponentSet, ParamValue, Params, Phase, Stream, UnitConfig, UnitError, UnitOperation, UnitReport,
    UnitType, Utility,
};

use crate::*;

/// CaO, H2O, Ca(OH)2 with CRC formation enthalpies (docs/sources.md §Formation enthalpies) and constant Cp at
/// 298 K (same table), so hand calculations are exact.
fn set() -> Arc<ComponentSet> {
    let mk = |name: &str, phase, h_f: f64, cp: f64| {
        let mut c = Component::from_formula(name, name, phase).unwrap();
        c.formation_enthalpy = Some(h_f * 1e3);
        c.heat_capacity = Some(HeatCapacity::Constant { cp });
        c
    };
    Arc::new(
        ComponentSet::new(vec![
            mk("CaO", Phase::Solid, -634.9, 42.0),
            mk("H2O", Phase::Liquid, -285.8, 75.3),
            mk("Ca(OH)2", Phase::Solid, -985.2, 87.5),
        ])
        .unwrap(),
    )
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn map(pairs: &[(&str, f64)]) -> ParamValue {
    ParamValue::Map(pairs.iter().map(|(k, v)| (k.to_string(), num(*v))).collect())
}

fn texts(items: &[&str]) -> ParamValue {
    ParamValue::List(items.iter().map(|s| ParamValue::Text(s.to_string())).collect())
}

fn ports(inlets: &[(&str, &[&str])], outlets: &[(&str, &[&str])]) -> Connections {
    let conv = |l: &[(&str, &[&str])]| {
        l.iter().map(|(p, s)| (p.to_string(), s.iter().map(|x| x.to_string()).collect())).collect()
    };
    Connections { inlets: conv(inlets), outlets: conv(outlets) }
}

fn create(
    t: &dyn UnitType,
    params: &[(&str, ParamValue)],
    c: &Connections,
) -> Result<Box<dyn UnitOperation>, UnitError> {
    let set = set();
    let values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    // Defaults as the flowsheet layer would fill them.
    let mut values = values;
    for spec in t.descriptor().params {
        if let (Some(d), false) = (spec.default, values.contains_key(&spec.name)) {
            values.insert(spec.name, d);
        }
    }
    let params = Params::new(values);
    t.create(&UnitConfig { name: "u", components: &set, params: &params, connections: c })
}

fn stream(flows: [f64; 3], t: f64) -> Stream {
    Stream { flows: flows.to_vec(), temperature: t, pressure: 101_325.0 }
}

fn run(unit: &dyn UnitOperation, inlets: &[Stream], n_out: usize) -> (Vec<Stream>, UnitReport) {
    let mut out = vec![Stream::empty(3); n_out];
    let mut report = UnitReport::default();
    unit.calculate(inlets, &mut out, &mut report).unwrap();
    (out, report)
}

#[test]
fn mixer_sums_flows_and_finds_the_adiabatic_temperature() {
    let c = ports(&[("in", &["a", "b"])], &[("out", &["m"])]);
    let u = create(&Mixer, &[], &c).unwrap();
    // Equal water flows at 300 K and 340 K with constant Cp mix to 320 K.
    let (out, _) = run(&*u, &[stream([0.0, 1.0, 0.0], 300.0), stream([0.0, 1.0, 0.0], 340.0)], 1);
    assert_eq!(out[0].flows, vec![0.0, 2.0, 0.0]);
    assert!((out[0].temperature - 320.0).abs() < 1e-9);
}

#[test]
fn splitter_gives_the_rest_to_the_unnamed_outlet_and_checks_fractions() {
    let c = ports(&[("in", &["f"])], &[("out", &["recycle", "purge"])]);
    let u = create(&Splitter, &[("fractions", map(&[("recycle", 0.8)]))], &c).unwrap();
    let (out, _) = run(&*u, &[stream([1.0, 2.0, 0.0], 300.0)], 2);
    assert!((out[0].flows[1] - 1.6).abs() < 1e-15);
    assert!((out[1].flows[1] - 0.4).abs() < 1e-15);
    let err = create(&Splitter, &[("fractions", map(&[("recycle", 0.8), ("purge", 0.3)]))], &c).err().unwrap();
    assert!(err.to_string().contains("sum to 1"), "{err}");
    let err = create(&Splitter, &[("fractions", map(&[("recycel", 0.8)]))], &c).err().unwrap();
    assert!(err.to_string().contains("recycel"), "{err}");
}

#[test]
fn separator_splits_each_component() {
    let c = ports(&[("in", &["f"])], &[("separated", &["s"]), ("remainder", &["r"])]);
    let u = create(&ComponentSeparator, &[("split", map(&[("CaO", 0.25)]))], &c).unwrap();
    let (out, _) = run(&*u, &[stream([4.0, 2.0, 0.0], 300.0)], 2);
    assert_eq!(out[0].flows, vec![1.0, 0.0, 0.0]);
    assert_eq!(out[1].flows, vec![3.0, 2.0, 0.0]);
    assert!(create(&ComponentSeparator, &[("split", map(&[("CaO", 1.5)]))], &c).is_err());
}

#[test]
fn reactor_converts_the_key_reactant_and_reports_the_reaction_heat() {
    let c = ports(&[("in", &["f"])], &[("out", &["p"])]);
    let params = [("reactions", texts(&["CaO + H2O -> Ca(OH)2"])), ("conversion", map(&[("CaO", 0.5)]))];
    let u = create(&ConversionReactor, &params, &c).unwrap();
    let set = set();
    let m_cao = set.get(0).unwrap().molar_mass.unwrap();
    let (out, report) = run(&*u, &[stream([m_cao, 1.0, 0.0], 298.15)], 1);
    // 0.5 mol/s reacts; dH = -985.2 + 634.9 + 285.8 = -64.5 kJ/mol (docs/sources.md §Reaction enthalpies).
    assert!((out[0].flows[0] - 0.5 * m_cao).abs() < 1e-15);
    let duty = report.total(Utility::Cooling);
    assert!((duty - 0.5 * 64.5e3).abs() < 1e-6, "{duty}");
    let mass_in = m_cao + 1.0;
    assert!((out[0].total_mass() - mass_in).abs() < 1e-14);
}

#[test]
fn reactor_caps_the_extent_when_a_coreactant_runs_out() {
    let c = ports(&[("in", &["f"])], &[("out", &["p"])]);
    let params = [("reactions", texts(&["CaO + H2O -> Ca(OH)2"])), ("conversion", map(&[("CaO", 1.0)]))];
    let u = create(&ConversionReactor, &params, &c).unwrap();
    let (out, report) = run(&*u, &[stream([1.0, 0.01, 0.0], 298.15)], 1);
    assert!(out[0].flows[1].abs() < 1e-15, "water used up, not negative");
    assert!(report.notes[0].contains("H2O runs out"), "{:?}", report.notes);
}

#[test]
fn reactor_refuses_unbalanced_reactions_and_missing_conversions() {
    let c = ports(&[("in", &["f"])], &[("out", &["p"])]);
    let err = create(
        &ConversionReactor,
        &[("reactions", texts(&["CaO -> Ca(OH)2"])), ("conversion", map(&[("CaO", 0.5)]))],
        &c,
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("not balanced"), "{err}");
    let err = create(
        &ConversionReactor,
        &[("reactions", texts(&["CaO + H2O -> Ca(OH)2"])), ("conversion", map(&[("H2O", 0.5)]))],
        &c,
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("key reactant"), "{err}");
}

#[test]
fn heater_duty_is_the_sensible_heat() {
    let c = ports(&[("in", &["f"])], &[("out", &["p"])]);
    let u = create(&Heater, &[("T", num(348.15))], &c).unwrap();
    let set = set();
    let m = set.get(1).unwrap().molar_mass.unwrap();
    let (out, report) = run(&*u, &[stream([0.0, 1.0, 0.0], 298.15)], 1);
    assert_eq!(out[0].temperature, 348.15);
    let expected = 1.0 / m * 75.3 * 50.0;
    assert!((report.total(Utility::Heating) - expected).abs() < 1e-6 * expected);
    // And a duty gives back the temperature.
    let u = create(&Heater, &[("duty", num(expected))], &c).unwrap();
    let (out, _) = run(&*u, &[stream([0.0, 1.0, 0.0], 298.15)], 1);
    assert!((out[0].temperature - 348.15).abs() < 1e-8);
    assert!(create(&Heater, &[], &c).is_err());
}

#[test]
fn feed_composition_must_sum_to_one() {
    let c = ports(&[], &[("out", &["f"])]);
    let ok = create(&Feed, &[("total", num(2.0)), ("composition", map(&[("CaO", 0.25), ("H2O", 0.75)]))], &c).unwrap();
    let (out, _) = run(&*ok, &[], 1);
    assert_eq!(out[0].flows, vec![0.5, 1.5, 0.0]);
    let err = create(&Feed, &[("total", num(2.0)), ("composition", map(&[("CaO", 0.25)]))], &c).err().unwrap();
    assert!(err.to_string().contains("sum to 1"), "{err}");
    let err = create(&Feed, &[("total", num(-2.0)), ("composition", map(&[("CaO", 1.0)]))], &c).err().unwrap();
    assert!(err.to_string().contains("zero or more"), "{err}");
}
