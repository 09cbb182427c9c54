//! Unit tests of the equipment units against textbook worked examples and hand calculations.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::thermo::{HeatCapacity, enthalpy_flow};
use calx_core::unit::Connections;
use calx_core::{
    Component, ComponentSet, ParamValue, Params, Phase, Stream, UnitConfig, UnitError, UnitOperation, UnitReport,
    UnitType, Utility,
};

use crate::heat_exchanger::lmtd;
use crate::*;

/// British thermal unit (IT), J; pound, kg; foot, m; degree Fahrenheit interval, K. Exact.
const BTU: f64 = 1_055.055_852_62;
const POUND: f64 = 0.453_592_37;
const FOOT: f64 = 0.3048;
const RANKINE: f64 = 5.0 / 9.0;

fn fahrenheit(t: f64) -> f64 {
    (t - 32.0) * RANKINE + 273.15
}

/// An oil and water as inert pseudo-components with the constant specific heats of the
/// worked examples (J/(kg K)).
fn set(cp_oil: f64, cp_water: f64) -> Arc<ComponentSet> {
    let mk = |name: &str, cp: f64| {
        let mut c = Component::pseudo(name, Phase::Liquid, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp });
        c
    };
    Arc::new(ComponentSet::new(vec![mk("oil", cp_oil), mk("water", cp_water)]).unwrap())
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn create(
    t: &dyn UnitType,
    set: &Arc<ComponentSet>,
    params: &[(&str, f64)],
    c: &Connections,
) -> Result<Box<dyn UnitOperation>, UnitError> {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), num(*v))).collect();
    // Defaults as the flowsheet layer would fill them.
    for spec in t.descriptor().params {
        if let (Some(d), false) = (spec.default, values.contains_key(&spec.name)) {
            values.insert(spec.name, d);
        }
    }
    let params = Params::new(values);
    t.create(&UnitConfig { name: "u", components: set, params: &params, connections: c })
}

fn stream(oil: f64, water: f64, t: f64, p: f64) -> Stream {
    Stream { flows: vec![oil, water], temperature: t, pressure: p }
}

fn run(unit: &dyn UnitOperation, inlets: &[Stream], n_out: usize) -> Result<(Vec<Stream>, UnitReport), UnitError> {
    let mut out = vec![Stream::empty(2); n_out];
    let mut report = UnitReport::default();
    unit.calculate(inlets, &mut out, &mut report)?;
    Ok((out, report))
}

fn size(report: &UnitReport, name: &str) -> f64 {
    report.sizes.iter().find(|s| s.name == name).map(|s| s.value).unwrap_or(f64::NAN)
}

/// Çengel & Cimbala, *Fluid Mechanics*, Example 5-12 "Pumping Power and Frictional Heating
/// in a Pump": 50 L/s of water (1000 kg/m3) from 100 to 300 kPa; a motor of 90 % efficiency
/// draws 15 kW, so the shaft gets 13.5 kW and the pump efficiency is 10 kW / 13.5 kW = 74.1 %.
/// Run forward with the book's efficiencies, the pump draws the book's 15 kW.
#[test]
fn pump_reproduces_cengel_cimbala_example_5_12() {
    let water = set(2000.0, 4180.0);
    let c = Connections::default();
    let feed = stream(0.0, 50.0, 298.15, 100e3);
    for rise in [("pressure_rise", 200e3), ("P", 300e3), ("head", 200e3 / (1000.0 * 9.806_65))] {
        let params = [rise, ("density", 1000.0), ("efficiency", 0.741), ("motor_efficiency", 0.9)];
        let u = create(&Pump, &water, &params, &c).unwrap();
        let (out, report) = run(&*u, std::slice::from_ref(&feed), 1).unwrap();
        assert!((out[0].pressure - 300e3).abs() < 1e-6, "{rise:?}: {}", out[0].pressure);
        assert_eq!(out[0].flows, feed.flows);
        assert_eq!(out[0].temperature, feed.temperature);
        let electricity = report.total(Utility::Electricity);
        // 10 kW / 0.741 / 0.9 = 14.995 kW: the book's 15 kW to its three figures.
        assert!((electricity - 15e3).abs() < 0.001 * 15e3, "{rise:?}: {electricity} W");
        assert!((size(&report, "shaft_power") - 13.5e3).abs() < 0.001 * 13.5e3);
        assert!((size(&report, "volumetric_flow") - 0.05).abs() < 1e-12);
        assert!((size(&report, "head") - 20.394).abs() < 1e-3, "{}", size(&report, "head"));
    }
}

#[test]
fn pump_refuses_bad_parameters_by_name() {
    let water = set(2000.0, 4180.0);
    let c = Connections::default();
    let refused =
        |params: &[(&str, f64)]| create(&Pump, &water, params, &c).err().map(|e| e.to_string()).unwrap_or_default();
    let base = [("density", 1000.0), ("efficiency", 0.7)];
    let e = refused(&[base[0], base[1], ("head", -5.0)]);
    assert!(e.contains("`head`") && e.contains("zero or more"), "{e}");
    let e = refused(&[base[0], ("efficiency", 1.2), ("head", 5.0)]);
    assert!(e.contains("`efficiency`") && e.contains("at most 1"), "{e}");
    let e = refused(&[base[0], ("efficiency", 0.0), ("head", 5.0)]);
    assert!(e.contains("`efficiency`"), "{e}");
    let e = refused(&[base[0], base[1]]);
    assert!(e.contains("required"), "{e}");
    let e = refused(&[base[0], base[1], ("head", 5.0), ("P", 3e5)]);
    assert!(e.contains("both given"), "{e}");
    let e = refused(&[("density", f64::NAN), base[1], ("head", 5.0)]);
    assert!(e.contains("`density`"), "{e}");
    // An outlet pressure below the inlet's is refused when the inlet is known.
    let u = create(&Pump, &water, &[base[0], base[1], ("P", 50e3)], &c).unwrap();
    let e = run(&*u, &[stream(0.0, 1.0, 298.15, 100e3)], 1).err().unwrap().to_string();
    assert!(e.contains("`P`") && e.contains("below the inlet pressure"), "{e}");
}

/// Chapter 11 "Heat Transfer", Problem 11.24 (p. 601) of the textbook worked in the FOSSEE
/// Scilab Textbook Companion no. 2417 (`2417/CH11/EX11.24/Ex11_24.sce`): a counterflow
/// exchanger cools 400 lb/min of oil (cp 0.85 Btu/(lb F)) from 215 F to 125 F with water
/// heated from 60 F to 90 F; U = 40 Btu/(h ft2 F). Then ΔT1 = 125 F, ΔT2 = 65 F,
/// LMTD = 60 / ln(125/65) = 91.75 F, Q = 24,000 lb/h x 0.85 x 90 = 1,836,000 Btu/h and
/// A = Q / (U LMTD) = 500.3 ft2. The water flow (1020 lb/min at cp 1 Btu/(lb F)) is the one
/// the stated temperatures imply.
#[test]
fn heat_exchanger_reproduces_the_counterflow_oil_cooler_problem_11_24() {
    let cp_unit = BTU / (POUND * RANKINE);
    let s = set(0.85 * cp_unit, 1.0 * cp_unit);
    let c = Connections::default();
    let u_si = 40.0 * BTU / (3600.0 * FOOT * FOOT * RANKINE);
    let u = create(&HeatExchanger, &s, &[("T_hot_out", fahrenheit(125.0)), ("U", u_si)], &c).unwrap();
    let oil = stream(400.0 * POUND / 60.0, 0.0, fahrenheit(215.0), 101_325.0);
    let water = stream(0.0, 1020.0 * POUND / 60.0, fahrenheit(60.0), 101_325.0);
    let (out, report) = run(&*u, &[oil.clone(), water.clone()], 2).unwrap();
    assert!((out[1].temperature - fahrenheit(90.0)).abs() < 1e-9, "{}", out[1].temperature);
    let q_btu_h = size(&report, "duty") * 3600.0 / BTU;
    assert!((q_btu_h - 1_836_000.0).abs() < 1e-6 * 1_836_000.0, "{q_btu_h}");
    let lmtd_f = size(&report, "lmtd") / RANKINE;
    let expected_lmtd = 60.0 / (125.0f64 / 65.0).ln();
    assert!((lmtd_f - expected_lmtd).abs() < 1e-9, "{lmtd_f}");
    assert!((expected_lmtd - 91.75).abs() < 0.01);
    let area_ft2 = size(&report, "area") / (FOOT * FOOT);
    assert!((area_ft2 - 1_836_000.0 / (40.0 * expected_lmtd)).abs() < 1e-6 * area_ft2, "{area_ft2}");
    assert!((area_ft2 - 500.3).abs() < 0.1, "{area_ft2}");
    // Energy closes exactly: no utility, enthalpy in = enthalpy out.
    assert!(report.utilities.is_empty());
    let h = |st: &Stream| enthalpy_flow(&s, &st.flows, st.temperature).unwrap();
    let (inn, outn) = (h(&oil) + h(&water), h(&out[0]) + h(&out[1]));
    assert!((inn - outn).abs() < 1e-9 * (h(&oil).abs() + h(&water).abs()), "{inn} against {outn}");
}

/// The same exchanger specified by its cold outlet or its duty gives the same answer.
#[test]
fn heat_exchanger_specs_agree() {
    let s = set(2000.0, 4000.0);
    let c = Connections::default();
    let oil = stream(1.0, 0.0, 400.0, 101_325.0);
    let water = stream(0.0, 1.0, 300.0, 101_325.0);
    let by = |spec: (&str, f64)| {
        let u = create(&HeatExchanger, &s, &[spec, ("U", 500.0)], &c).unwrap();
        run(&*u, &[oil.clone(), water.clone()], 2).unwrap()
    };
    let (a, ra) = by(("T_hot_out", 350.0));
    let (b, rb) = by(("T_cold_out", 325.0));
    let (d, rd) = by(("duty", 100e3));
    for (x, r) in [(&b, &rb), (&d, &rd)] {
        assert!((x[0].temperature - a[0].temperature).abs() < 1e-6);
        assert!((x[1].temperature - a[1].temperature).abs() < 1e-6);
        assert!((size(r, "area") - size(&ra, "area")).abs() < 1e-6 * size(&ra, "area"));
    }
    // Equal terminal differences (75 K and 50 K are not; 50 and 50 are): the limit.
    assert!((lmtd(50.0, 50.0) - 50.0).abs() < 1e-12);
    assert!((lmtd(75.0, 50.0) - 25.0 / 1.5f64.ln()).abs() < 1e-12);
}

#[test]
fn heat_exchanger_refuses_a_temperature_cross_and_bad_parameters() {
    let s = set(2000.0, 4000.0);
    let c = Connections::default();
    let oil = stream(1.0, 0.0, 400.0, 101_325.0);
    let water = stream(0.0, 1.0, 300.0, 101_325.0);
    // Water leaving at 405 K, above the oil's 400 K inlet: a cross at the hot end.
    let u = create(&HeatExchanger, &s, &[("T_cold_out", 405.0), ("U", 500.0)], &c).unwrap();
    let e = run(&*u, &[oil.clone(), water.clone()], 2).err().unwrap().to_string();
    assert!(e.contains("temperature cross") && e.contains("`T_cold_out`"), "{e}");
    // 190 kW takes the oil to 305 K and the water to 347.5 K: 5 K at the cold end.
    let u = create(&HeatExchanger, &s, &[("duty", 190e3), ("U", 500.0), ("min_approach", 10.0)], &c).unwrap();
    let e = run(&*u, &[oil.clone(), water.clone()], 2).err().unwrap().to_string();
    assert!(e.contains("min_approach"), "{e}");
    let u = create(&HeatExchanger, &s, &[("T_hot_out", 410.0), ("U", 500.0)], &c).unwrap();
    let e = run(&*u, &[oil.clone(), water.clone()], 2).err().unwrap().to_string();
    assert!(e.contains("from the cold to the hot"), "{e}");
    let u = create(&HeatExchanger, &s, &[("duty", 10e3), ("U", 500.0)], &c).unwrap();
    let e = run(&*u, &[water.clone(), oil.clone()], 2).err().unwrap().to_string();
    assert!(e.contains("`hot_in`"), "{e}");
    let refused = |params: &[(&str, f64)]| {
        create(&HeatExchanger, &s, params, &c).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(refused(&[("U", 500.0)]).contains("required"));
    assert!(refused(&[("duty", 1.0), ("T_hot_out", 300.0), ("U", 500.0)]).contains("both given"));
    assert!(refused(&[("duty", -1.0), ("U", 500.0)]).contains("`duty`"));
    assert!(refused(&[("duty", 1.0), ("U", 0.0)]).contains("`U`"));
    assert!(refused(&[("duty", 1.0), ("U", f64::NAN)]).contains("`U`"));
}

fn create_text(
    t: &dyn UnitType,
    set: &Arc<ComponentSet>,
    utility: &str,
    params: &[(&str, f64)],
) -> Result<Box<dyn UnitOperation>, UnitError> {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), num(*v))).collect();
    values.insert("utility".into(), ParamValue::Text(utility.into()));
    let params = Params::new(values);
    t.create(&UnitConfig { name: "u", components: set, params: &params, connections: &Connections::default() })
}

/// Textbook companion no. 32 (FOSSEE Scilab, `32/CH6/EX6.23/6_23.sce`), Example 6.23: hot
/// water at 0.8 kg/s cooled from 95 to 50 degC by cooling water warmed from 15 to 45 degC
/// needs m_C = 0.8 x (95 - 50) / (45 - 15) = 1.2 kg/s of it. End differences 50 K and 35 K.
#[test]
fn cooling_water_flow_reproduces_example_6_23() {
    let cp = 75.3 / 0.018_015;
    let s = set(2000.0, cp);
    let c = |t: f64| t + 273.15;
    let params = [("T", c(50.0)), ("T_supply", c(15.0)), ("T_return", c(45.0)), ("U", 1000.0)];
    let u = create_text(&UtilityExchanger, &s, "cooling_water", &params).unwrap();
    let (out, report) = run(&*u, &[stream(0.0, 0.8, c(95.0), 101_325.0)], 1).unwrap();
    assert!((out[0].temperature - c(50.0)).abs() < 1e-12);
    assert!((size(&report, "cooling_water_flow") - 1.2).abs() < 1e-12, "{}", size(&report, "cooling_water_flow"));
    let q = 0.8 * cp * 45.0;
    assert!((report.total(Utility::Cooling) - q).abs() < 1e-9 * q);
    let lmtd_expected = 15.0 / (50.0f64 / 35.0).ln();
    assert!((size(&report, "lmtd") - lmtd_expected).abs() < 1e-9);
    assert!((size(&report, "area") - q / (1000.0 * lmtd_expected)).abs() < 1e-9);
}

/// Steam at 101.42 kPa, the saturation pressure at 100 degC, heats 1 kg/s of water from 20
/// to 80 degC: steam flow = Q / h_fg with h_fg(100 degC) = 2256.4 kJ/kg (IAPWS-95, the
/// steam-table value of docs/sources.md §Steam-table reference values), held to 0.1 %;
/// LMTD = (80 - 20) / ln(80 / 20) = 43.28 K.
#[test]
fn steam_heater_follows_the_steam_tables() {
    let cp = 75.3 / 0.018_015;
    let s = set(2000.0, cp);
    let u = create_text(&UtilityExchanger, &s, "steam", &[("T", 353.15), ("steam_pressure", 101.42e3), ("U", 2000.0)])
        .unwrap();
    let (_, report) = run(&*u, &[stream(0.0, 1.0, 293.15, 101_325.0)], 1).unwrap();
    let q = cp * 60.0;
    assert!((report.total(Utility::Heating) - q).abs() < 1e-9 * q);
    let steam = size(&report, "steam_flow");
    assert!((steam - q / 2256.4e3).abs() < 1e-3 * steam, "{steam} kg/s");
    assert!((size(&report, "lmtd") - 43.28).abs() < 0.01, "{}", size(&report, "lmtd"));
}

#[test]
fn utility_exchanger_refuses_crosses_and_misplaced_parameters() {
    let s = set(2000.0, 4180.0);
    let hot = stream(0.0, 1.0, 353.15, 101_325.0);
    // Steam at 1 atm (100 degC) cannot heat to 120 degC.
    let u = create_text(&UtilityExchanger, &s, "steam", &[("T", 393.15), ("steam_pressure", 101_325.0), ("U", 2000.0)])
        .unwrap();
    let e = run(&*u, &[stream(0.0, 1.0, 293.15, 101_325.0)], 1).err().unwrap().to_string();
    assert!(e.contains("temperature cross") && e.contains("`T`"), "{e}");
    // Water returning at 85 degC cannot cool a stream entering at 80 degC.
    let params = [("T", 313.15), ("T_supply", 303.15), ("T_return", 358.15), ("U", 800.0)];
    let u = create_text(&UtilityExchanger, &s, "cooling_water", &params).unwrap();
    let e = run(&*u, std::slice::from_ref(&hot), 1).err().unwrap().to_string();
    assert!(e.contains("temperature cross"), "{e}");
    let params = [("T", 373.15), ("T_supply", 303.15), ("T_return", 313.15), ("U", 800.0)];
    let u = create_text(&UtilityExchanger, &s, "cooling_water", &params).unwrap();
    let e = run(&*u, std::slice::from_ref(&hot), 1).err().unwrap().to_string();
    assert!(e.contains("can only cool"), "{e}");
    let refused = |utility: &str, params: &[(&str, f64)]| {
        create_text(&UtilityExchanger, &s, utility, params).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(refused("steam", &[("T", 350.0), ("U", 1.0)]).contains("`steam_pressure` is required"));
    assert!(
        refused("steam", &[("T", 350.0), ("U", 1.0), ("steam_pressure", 1e5), ("T_supply", 300.0)])
            .contains("does not apply")
    );
    assert!(refused("steam", &[("T", 350.0), ("U", 1.0), ("steam_pressure", 30e6)]).contains("`steam_pressure`"));
    assert!(
        refused("cooling_water", &[("T", 350.0), ("U", 1.0), ("T_supply", 300.0), ("T_return", 295.0)])
            .contains("above `T_supply`")
    );
    assert!(
        refused("cooling_water", &[("T", 350.0), ("U", 1.0), ("T_supply", 300.0)]).contains("`T_return` is required")
    );
    assert!(refused("brine", &[("T", 350.0), ("U", 1.0)]).contains("`utility`"));
}

/// A calcite slurry (1 kg/s CaCO3, 4 kg/s water): 98 % of the solids to a cake of 25 %
/// moisture holds 0.98 x 0.25/0.75 = 0.32667 kg/s of water; at 500 kg/(m2 h) the 5 kg/s feed
/// needs 5 x 3600 / 500 = 36 m2. Hand calculation.
#[test]
fn filter_splits_to_a_cake_of_set_moisture_and_sizes_the_area() {
    let mk = |name: &str, phase, cp: f64| {
        let mut c = Component::pseudo(name, phase, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp });
        c
    };
    let s = Arc::new(
        ComponentSet::new(vec![mk("calcite", Phase::Solid, 820.0), mk("water", Phase::Liquid, 4180.0)]).unwrap(),
    );
    let params = [("solids_recovery", 0.98), ("cake_moisture", 0.25), ("filtration_rate", 500.0 / 3600.0)];
    let u = create(&Filter, &s, &params, &Connections::default()).unwrap();
    let feed = stream(1.0, 4.0, 320.0, 101_325.0);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    let held = 0.98 * 0.25 / 0.75;
    assert!((out[0].flows[0] - 0.98).abs() < 1e-12 && (out[0].flows[1] - held).abs() < 1e-12, "{:?}", out[0].flows);
    assert!((out[1].flows[0] - 0.02).abs() < 1e-12 && (out[1].flows[1] - (4.0 - held)).abs() < 1e-12);
    let moisture = out[0].flows[1] / (out[0].flows[0] + out[0].flows[1]);
    assert!((moisture - 0.25).abs() < 1e-12);
    assert!((size(&report, "area") - 36.0).abs() < 1e-9, "{}", size(&report, "area"));
    assert!(out.iter().all(|o| o.temperature == feed.temperature && o.pressure == feed.pressure));
    // A cake wetter than the feed can supply is refused by name.
    let wet = [("solids_recovery", 1.0), ("cake_moisture", 0.9), ("filtration_rate", 0.1)];
    let u = create(&Filter, &s, &wet, &Connections::default()).unwrap();
    let e = run(&*u, &[feed], 2).err().unwrap().to_string();
    assert!(e.contains("`cake_moisture`") && e.contains("cannot add liquid"), "{e}");
    let refused = |params: &[(&str, f64)]| {
        create(&Filter, &s, params, &Connections::default()).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(
        refused(&[("solids_recovery", 0.9), ("cake_moisture", 1.0), ("filtration_rate", 0.1)])
            .contains("`cake_moisture`")
    );
    assert!(
        refused(&[("solids_recovery", 0.9), ("cake_moisture", 0.2), ("filtration_rate", 0.0)])
            .contains("`filtration_rate`")
    );
    assert!(
        refused(&[("solids_recovery", f64::NAN), ("cake_moisture", 0.2), ("filtration_rate", 0.1)])
            .contains("`solids_recovery`")
    );
}

/// Calcite, water and a dissolved salt (a liquid pseudo-component), constant specific heats.
fn brine_slurry_set() -> Arc<ComponentSet> {
    let mk = |name: &str, phase, cp: f64| {
        let mut c = Component::pseudo(name, phase, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp });
        c
    };
    Arc::new(
        ComponentSet::new(vec![
            mk("calcite", Phase::Solid, 820.0),
            mk("water", Phase::Liquid, 4180.0),
            mk("salt", Phase::Liquid, 3000.0),
        ])
        .unwrap(),
    )
}

fn connections(inlets: &[&str], outlets: &[&str]) -> Connections {
    let ports = |names: &[&str]| names.iter().map(|n| (n.to_string(), vec![format!("{n}_stream")])).collect();
    Connections { inlets: ports(inlets), outlets: ports(outlets) }
}

fn washed_filter(efficiency: f64, c: &Connections) -> Result<Box<dyn UnitOperation>, UnitError> {
    let params = [
        ("solids_recovery", 1.0),
        ("cake_moisture", 0.2),
        ("filtration_rate", 0.1),
        ("displacement_efficiency", efficiency),
    ];
    create(&Filter, &brine_slurry_set(), &params, c)
}

fn run3(unit: &dyn UnitOperation, inlets: &[Stream], n_out: usize) -> Result<(Vec<Stream>, UnitReport), UnitError> {
    let mut out = vec![Stream::empty(3); n_out];
    let mut report = UnitReport::default();
    unit.calculate(inlets, &mut out, &mut report)?;
    Ok((out, report))
}

/// Hand calculation of the displacement wash: 1 kg/s calcite in 3.6 kg/s water and 0.4 kg/s
/// salt, all solids to a cake of 20 % moisture, which holds L = 0.25 kg/s of liquor (0.225
/// water, 0.025 salt). 0.5 kg/s of wash water (R = 2) at E = 0.8 displaces f = 0.8 of it:
/// 0.005 kg/s salt stays, the cake's water is 0.045 + 0.2 = 0.245 kg/s, and the wash filtrate
/// carries 0.5 − 0.2 + 0.18 = 0.48 kg/s water and 0.02 kg/s salt. 0.1 kg/s of wash (R = 0.4)
/// at E = 0.5 displaces f = 0.2: 0.02 kg/s salt stays, the wash filtrate carries
/// 0.1 − 0.05 + 0.045 = 0.095 kg/s water and 0.005 kg/s salt.
#[test]
fn filter_wash_displaces_the_cake_liquor_by_hand() {
    let feed = Stream { flows: vec![1.0, 3.6, 0.4], temperature: 320.0, pressure: 101_325.0 };
    let separate = connections(&["feed", "wash"], &["cake", "filtrate", "wash_filtrate"]);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let cases = [(0.5, 0.8, [0.245, 0.005], [0.48, 0.02], 2.0), (0.1, 0.5, [0.23, 0.02], [0.095, 0.005], 0.4)];
    for (wash_water, efficiency, cake, wash_filtrate, ratio) in cases {
        let wash = Stream { flows: vec![0.0, wash_water, 0.0], ..feed.clone() };
        let u = washed_filter(efficiency, &separate).unwrap();
        let (out, report) = run3(&*u, &[feed.clone(), wash.clone()], 3).unwrap();
        assert!(close(out[0].flows[0], 1.0) && close(out[0].flows[1], cake[0]) && close(out[0].flows[2], cake[1]));
        assert!(close(out[2].flows[1], wash_filtrate[0]) && close(out[2].flows[2], wash_filtrate[1]), "{out:?}");
        // The filtrate is the unwashed one, the cake keeps its moisture, the area its feed basis.
        assert!(close(out[1].flows[1], 3.6 - 0.225) && close(out[1].flows[2], 0.4 - 0.025));
        assert!(close((out[0].flows[1] + out[0].flows[2]) / out[0].total_mass(), 0.2));
        assert!(close(size(&report, "area"), 5.0 / 0.1) && close(size(&report, "wash_ratio"), ratio));
        for i in 0..3 {
            let inn = feed.flows[i] + wash.flows[i];
            assert!((inn - out.iter().map(|o| o.flows[i]).sum::<f64>()).abs() < 1e-15);
        }
        assert!(out.iter().all(|o| o.temperature == 320.0 && o.pressure == feed.pressure));
        // Without its own outlet, the wash filtrate joins the filtrate.
        let mixed = washed_filter(efficiency, &connections(&["feed", "wash"], &["cake", "filtrate"])).unwrap();
        let (joined, _) = run3(&*mixed, &[feed.clone(), wash], 2).unwrap();
        assert_eq!(joined[0].flows, out[0].flows);
        assert!((0..3).all(|i| close(joined[1].flows[i], out[1].flows[i] + out[2].flows[i])));
    }
}

/// A cold wash (280 K) on a 320 K slurry: with constant specific heats the mix temperature
/// is the heat-capacity-weighted mean, by hand; energy closes.
#[test]
fn filter_wash_leaves_at_the_mix_temperature() {
    let s = brine_slurry_set();
    let feed = Stream { flows: vec![1.0, 3.6, 0.4], temperature: 320.0, pressure: 101_325.0 };
    let wash = Stream { flows: vec![0.0, 0.5, 0.0], temperature: 280.0, pressure: 101_325.0 };
    let u = washed_filter(1.0, &connections(&["feed", "wash"], &["cake", "filtrate", "wash_filtrate"])).unwrap();
    let (out, _) = run3(&*u, &[feed.clone(), wash.clone()], 3).unwrap();
    let (c_feed, c_wash) = (820.0 + 3.6 * 4180.0 + 0.4 * 3000.0, 0.5 * 4180.0);
    let by_hand = (c_feed * 320.0 + c_wash * 280.0) / (c_feed + c_wash);
    assert!(out.iter().all(|o| (o.temperature - by_hand).abs() < 1e-6), "{} K against {by_hand} K", out[0].temperature);
    let h = |st: &Stream| enthalpy_flow(&s, &st.flows, st.temperature).unwrap();
    let (h_in, h_out) = (h(&feed) + h(&wash), out.iter().map(h).sum::<f64>());
    assert!((h_in - h_out).abs() < 1e-9 * h_in.abs().max(1.0), "{h_in} W in, {h_out} W out");
}

/// Every misuse of the wash is refused by name.
#[test]
fn filter_wash_refuses_bad_parameters_and_streams() {
    let washed = connections(&["feed", "wash"], &["cake", "filtrate"]);
    let refused = |r: Result<Box<dyn UnitOperation>, UnitError>| r.err().map(|e| e.to_string()).unwrap_or_default();
    for e in [1.2, -0.1, f64::NAN] {
        assert!(refused(washed_filter(e, &washed)).contains("between 0 and 1"));
    }
    let s = brine_slurry_set();
    let plain = [("solids_recovery", 1.0), ("cake_moisture", 0.2), ("filtration_rate", 0.1)];
    assert!(refused(create(&Filter, &s, &plain, &washed)).contains("is required when the `wash` inlet"));
    let unwashed = connections(&["feed"], &["cake", "filtrate"]);
    assert!(refused(washed_filter(0.9, &unwashed)).contains("`wash` inlet is not connected"));
    let orphan = connections(&["feed"], &["cake", "filtrate", "wash_filtrate"]);
    assert!(refused(create(&Filter, &s, &plain, &orphan)).contains("`wash_filtrate`"));
    let u = washed_filter(0.9, &washed).unwrap();
    let feed = Stream { flows: vec![1.0, 3.6, 0.4], temperature: 320.0, pressure: 101_325.0 };
    for (flows, text) in [(vec![0.1, 0.5, 0.0], "solid `calcite`"), (vec![0.0, 0.0, 0.0], "carries no liquid")] {
        let wash = Stream { flows, ..feed.clone() };
        let e = run3(&*u, &[feed.clone(), wash], 2).err().unwrap().to_string();
        assert!(e.contains("`wash`") && e.contains(text), "{e}");
    }
}

/// Coulson & Richardson's *Chemical Engineering* Vol. 2, Example 16.5 (rotary dryer), as
/// worked in the FOSSEE Scilab Textbook Companion no. 542 (`542/CH16/EX16.5`): 0.35 kg/s of
/// solids (cp 2.18 kJ/(kg K)) dried from 0.15 to 0.005 kg water per kg dry solids, fed at
/// 300 K, leaving at 325 K, the vapour at 331.5 K; water cp 4.187, vapour cp 1.88 kJ/(kg K),
/// latent heat 2410 kJ/kg at the 312 K wet-bulb temperature. The book's duty: 146 kW. The
/// water components are given these data, with the vapour's reference enthalpy set so that
/// h_vapour - h_liquid = 2410 kJ/kg at 312 K.
#[test]
fn dryer_reproduces_coulson_richardson_example_16_5() {
    let mk = |name: &str, phase, cp: f64, h_f: f64| {
        let mut c = Component::pseudo(name, phase, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp });
        c.formation_enthalpy = Some(h_f);
        c
    };
    let t_ref = calx_core::thermo::T_REF;
    let h_vap = 2410e3 + (4187.0 - 1880.0) * (312.0 - t_ref);
    let s = Arc::new(
        ComponentSet::new(vec![
            mk("solids", Phase::Solid, 2180.0, 0.0),
            mk("water", Phase::Liquid, 4187.0, 0.0),
            mk("steam", Phase::Gas, 1880.0, h_vap),
        ])
        .unwrap(),
    );
    let mut values: BTreeMap<String, ParamValue> = BTreeMap::new();
    values.insert("moisture".into(), num(0.005 / 1.005));
    values.insert("T".into(), num(325.0));
    values.insert("T_vapour".into(), num(331.5));
    values.insert("liquid".into(), ParamValue::Text("water".into()));
    values.insert("vapour".into(), ParamValue::Text("steam".into()));
    let params = Params::new(values.clone());
    let none = Connections::default();
    let config = |p| UnitConfig { name: "u", components: &s, params: p, connections: &none };
    let u = Dryer.create(&config(&params)).unwrap();
    let feed = Stream { flows: vec![0.35, 0.35 * 0.15, 0.0], temperature: 300.0, pressure: 101_325.0 };
    let mut out = vec![Stream::empty(3); 2];
    let mut report = UnitReport::default();
    u.calculate(std::slice::from_ref(&feed), &mut out, &mut report).unwrap();
    assert!((size(&report, "evaporation_rate") - 0.35 * 0.145).abs() < 1e-12);
    assert!((out[0].flows[1] - 0.35 * 0.005).abs() < 1e-12, "{:?}", out[0].flows);
    // The book's terms per kg of solids, kJ: solids, water to the wet bulb, evaporation,
    // remaining water to 325 K, vapour to 331.5 K.
    let per_kg = 2.18 * 25.0 + 0.15 * 4.187 * 12.0 + 2410.0 * 0.145 + 0.005 * 4.187 * 13.0 + 0.145 * 1.88 * 19.5;
    let duty = report.total(Utility::Heating);
    assert!((duty - per_kg * 0.35 * 1e3).abs() < 1e-6 * duty, "{duty} W");
    assert!((duty - 146e3).abs() < 0.001 * 146e3, "{duty} W against the book's 146 kW");
    // Energy closes: enthalpy in + heat = enthalpy out.
    let h = |st: &Stream| enthalpy_flow(&s, &st.flows, st.temperature).unwrap();
    assert!((h(&feed) + duty - h(&out[0]) - h(&out[1])).abs() < 1e-9 * duty);
    // A product wetter than the feed is refused by name.
    values.insert("moisture".into(), num(0.5));
    let wet = Params::new(values.clone());
    let u = Dryer.create(&config(&wet)).unwrap();
    let e = u.calculate(&[feed], &mut out, &mut report).err().unwrap().to_string();
    assert!(e.contains("`moisture`") && e.contains("cannot wet"), "{e}");
    values.insert("vapour".into(), ParamValue::Text("solids".into()));
    let misnamed = Params::new(values);
    let e = Dryer.create(&config(&misnamed)).err().unwrap().to_string();
    assert!(e.contains("`vapour`") && e.contains("gas"), "{e}");
}

/// BioSTEAM's `DrumDryer` docstring example (biosteam/units/drying.py at commit a508fdb9):
/// 2.09e4 kg/h evaporated at 20 kg/(m3 h) with a length 25 times the diameter gives a drum
/// of 1.05e3 m3, 3.76 m by 94 m, with 1.11e3 m2 of peripheral area (printed to three
/// figures, from an evaporation itself rounded to three). Without the rate no drum is sized.
#[test]
fn dryer_sizes_a_drum_as_biosteams_drum_dryer_example() {
    let mk = |name: &str, phase| {
        let mut c = Component::pseudo(name, phase, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 1000.0 });
        c
    };
    let s = Arc::new(
        ComponentSet::new(vec![mk("grains", Phase::Solid), mk("water", Phase::Liquid), mk("steam", Phase::Gas)])
            .unwrap(),
    );
    let mut values: BTreeMap<String, ParamValue> = BTreeMap::new();
    values.insert("moisture".into(), num(0.1));
    values.insert("T".into(), num(343.15));
    values.insert("liquid".into(), ParamValue::Text("water".into()));
    values.insert("vapour".into(), ParamValue::Text("steam".into()));
    values.insert("length_to_diameter".into(), num(25.0));
    let none = Connections::default();
    let dryer = |values: &BTreeMap<String, ParamValue>| {
        Dryer.create(&UnitConfig {
            name: "u",
            components: &s,
            params: &Params::new(values.clone()),
            connections: &none,
        })
    };
    let evaporated = 2.09e4 / 3600.0;
    let dry = 1.0;
    let feed = Stream { flows: vec![dry, evaporated + dry / 9.0, 0.0], temperature: 343.15, pressure: 101_325.0 };
    let run_dryer = |values: &BTreeMap<String, ParamValue>| {
        let u = dryer(values).map_err(|e| e.to_string())?;
        let mut out = vec![Stream::empty(3); 2];
        let mut report = UnitReport::default();
        u.calculate(std::slice::from_ref(&feed), &mut out, &mut report).map_err(|e| e.to_string())?;
        Ok::<UnitReport, String>(report)
    };
    let report = run_dryer(&values).unwrap();
    assert!((size(&report, "evaporation_rate") - evaporated).abs() < 1e-12);
    assert!(size(&report, "peripheral_drum_area").is_nan(), "no drum without a specific evaporation rate");
    values.insert("specific_evaporation_rate".into(), num(20.0 / 3600.0));
    let report = run_dryer(&values).unwrap();
    let near = |name: &str, printed: f64| {
        let x = size(&report, name);
        assert!((x - printed).abs() < 0.005 * printed, "{name}: {x} against BioSTEAM's {printed}");
    };
    near("drum_volume", 1.05e3);
    near("drum_diameter", 3.76);
    near("drum_length", 94.0);
    near("peripheral_drum_area", 1.11e3);
    values.insert("specific_evaporation_rate".into(), num(0.0));
    let e = dryer(&values).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("`specific_evaporation_rate`"), "{e}");
}

/// 2 kg/s of a 1000 kg/m3 liquid held 10 h in a tank filled to 80 %: 2/1000 x 36,000 / 0.8 =
/// 90 m3. Hand calculation.
#[test]
fn storage_tank_volume_from_residence_time() {
    let s = set(2000.0, 4180.0);
    let params = [("residence_time", 36_000.0), ("density", 1000.0), ("fill_fraction", 0.8)];
    let u = create(&StorageTank, &s, &params, &Connections::default()).unwrap();
    let feed = stream(0.5, 1.5, 300.0, 2e5);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 1).unwrap();
    assert_eq!(out[0], feed);
    assert!((size(&report, "volume") - 90.0).abs() < 1e-9, "{}", size(&report, "volume"));
    let refused = |params: &[(&str, f64)]| {
        create(&StorageTank, &s, params, &Connections::default()).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(refused(&[("residence_time", -1.0), ("density", 1000.0)]).contains("`residence_time`"));
    assert!(refused(&[("residence_time", 1.0), ("density", 0.0)]).contains("`density`"));
    assert!(refused(&[("residence_time", 1.0), ("density", 1.0), ("fill_fraction", 0.0)]).contains("`fill_fraction`"));
}

/// Air as an ideal gas with the constant heat capacities of Çengel & Boles' examples: k = 1.4,
/// so Cp = 3.5 R per mole, and M = 28.97 g/mol (R = 0.287 kJ/(kg K), cp = 1.005 kJ/(kg K)).
fn air() -> Arc<ComponentSet> {
    let mut c = Component::pseudo("air", Phase::Gas, Some(0.028_97)).unwrap();
    c.formation_enthalpy = Some(0.0);
    c.heat_capacity = Some(HeatCapacity::Constant { cp: 3.5 * 8.314_462_618 });
    Arc::new(ComponentSet::new(vec![c]).unwrap())
}

fn compressor(params: &[(&str, ParamValue)]) -> Result<Box<dyn UnitOperation>, UnitError> {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for spec in Compressor.descriptor().params {
        if let (Some(d), false) = (spec.default, values.contains_key(&spec.name)) {
            values.insert(spec.name, d);
        }
    }
    let params = Params::new(values);
    Compressor.create(&UnitConfig {
        name: "c",
        components: &air(),
        params: &params,
        connections: &Connections::default(),
    })
}

fn compress(unit: &dyn UnitOperation, t: f64, p: f64) -> Result<(Stream, UnitReport), UnitError> {
    let feed = Stream { flows: vec![1.0], temperature: t, pressure: p };
    let mut out = vec![Stream::empty(1)];
    let mut report = UnitReport::default();
    unit.calculate(std::slice::from_ref(&feed), &mut out, &mut report)?;
    let (h_in, h_out) = (
        enthalpy_flow(&air(), &feed.flows, t).unwrap(),
        enthalpy_flow(&air(), &out[0].flows, out[0].temperature).unwrap(),
    );
    // Energy closure: enthalpy in + shaft work = enthalpy out + intercooler heat.
    let closure = h_in + report.total_work() - h_out - report.total(Utility::Cooling);
    assert!(closure.abs() < 1e-9 * report.total_work(), "{closure}");
    Ok((out.remove(0), report))
}

/// Çengel & Boles, *Thermodynamics: An Engineering Approach*, 7th ed., Example 7-14 "Work
/// Input for Various Compression Processes", part (a): air from 100 kPa and 300 K to 900 kPa
/// by a reversible adiabatic (isentropic) compressor with k = 1.4 takes 263.2 kJ/kg. With an
/// isentropic efficiency of 80 % the same compression takes 263.2 / 0.8 = 329.0 kJ/kg, the
/// definition of that efficiency (their eq. 7-61).
#[test]
fn compressor_reproduces_cengel_boles_example_7_14_a() {
    let book = 263.2e3;
    for (eta, expected) in [(1.0, book), (0.8, book / 0.8)] {
        let u = compressor(&[("P", num(900e3)), ("efficiency", num(eta))]).unwrap();
        let (out, report) = compress(&*u, 300.0, 100e3).unwrap();
        let w = report.total_work();
        assert!((w - expected).abs() < 0.05e3 / eta, "eta {eta}: {w} J/kg");
        assert_eq!(out.pressure, 900e3);
        // Adiabatic: the work is the gas's enthalpy rise at cp = 1.0045 kJ/(kg K).
        let cp = 3.5 * 8.314_462_618 / 0.028_97;
        assert!((out.temperature - (300.0 + w / cp)).abs() < 1e-6, "{}", out.temperature);
        assert_eq!(report.total(Utility::Electricity), w);
        assert_eq!(size(&report, "shaft_power"), w);
    }
}

/// Two isentropic stages with intercooling back to 300 K over the same 100 -> 900 kPa: each
/// stage compresses by sqrt(9) = 3, the ratio of minimum work (Çengel & Boles, 7th ed.,
/// section 7-10, eq. 7-58 for the intermediate pressure), and takes k R T1/(k-1)
/// (3^((k-1)/k) - 1) = 1.4 x 0.287 x 300 / 0.4 x (3^(2/7) - 1) = 111.1 kJ/kg: 222.2 kJ/kg in
/// all, against 263.2 kJ/kg in one stage (their Example 7-14). The intercooler removes what
/// the first stage added, 111.1 kJ/kg. Hand calculation from the book's equations.
#[test]
fn compressor_two_stages_with_intercooling_follow_cengel_boles_section_7_10() {
    let u = compressor(&[("P", num(900e3)), ("efficiency", num(1.0)), ("stages", num(2.0))]).unwrap();
    let (out, report) = compress(&*u, 300.0, 100e3).unwrap();
    let stage = 1.4 * 287.0 * 300.0 / 0.4 * (3f64.powf(2.0 / 7.0) - 1.0);
    assert!((stage - 111.1e3).abs() < 0.05e3, "{stage}");
    assert!((report.total_work() - 2.0 * stage).abs() < 0.1e3, "{}", report.total_work());
    assert!((report.total(Utility::Cooling) - stage).abs() < 0.05e3, "{}", report.total(Utility::Cooling));
    assert!((out.temperature - 300.0 * 3f64.powf(2.0 / 7.0)).abs() < 0.05, "{}", out.temperature);
    // Intercooling to 320 K instead: the second stage starts warmer and ends at 320 x 3^(2/7).
    let warm =
        compressor(&[("P", num(900e3)), ("efficiency", num(1.0)), ("stages", num(2.0)), ("intercooler_T", num(320.0))])
            .unwrap();
    let (out, _) = compress(&*warm, 300.0, 100e3).unwrap();
    assert!((out.temperature - 320.0 * 3f64.powf(2.0 / 7.0)).abs() < 0.05, "{}", out.temperature);
}

/// Polytropic efficiency η_p with constant Cp: T2 = T1 r^((k-1)/(k η_p)) (derived from the
/// efficiency's definition in docs/sources.md §Process equipment; Çengel & Boles'
/// isentropic relation when η_p = 1). Air 300 K, 100 -> 900 kPa, η_p = 0.8:
/// T2 = 300 x 9^(1/2.8) = 657.5 K. Hand calculation.
#[test]
fn compressor_polytropic_outlet_follows_the_polytropic_relation() {
    let u = compressor(&[
        ("P", num(900e3)),
        ("efficiency", num(0.8)),
        ("efficiency_basis", ParamValue::Text("polytropic".into())),
    ])
    .unwrap();
    let (out, _) = compress(&*u, 300.0, 100e3).unwrap();
    assert!((out.temperature - 300.0 * 9f64.powf(1.0 / 2.8)).abs() < 1e-4, "{}", out.temperature);
    assert!((out.temperature - 657.5).abs() < 0.05);
}

#[test]
fn compressor_refuses_bad_parameters_by_name() {
    let param = |e: UnitError| match e {
        UnitError::Parameter { param, .. } => param,
        e => panic!("{e}"),
    };
    let e = compressor(&[("P", num(900e3)), ("efficiency", num(1.2))]).err().unwrap();
    assert_eq!(param(e), "efficiency");
    let e = compressor(&[("P", num(900e3)), ("efficiency", num(0.8)), ("stages", num(0.0))]).err().unwrap();
    assert_eq!(param(e), "stages");
    let e = compressor(&[("P", num(900e3)), ("efficiency", num(0.8)), ("intercooler_T", num(300.0))]).err().unwrap();
    assert_eq!(param(e), "intercooler_T");
    let u = compressor(&[("P", num(50e3)), ("efficiency", num(0.8))]).unwrap();
    assert_eq!(param(compress(&*u, 300.0, 100e3).unwrap_err()), "P");
    // Intercooling above a stage's outlet would heat the gas.
    let hot = [("P", num(200e3)), ("efficiency", num(0.8)), ("stages", num(2.0)), ("intercooler_T", num(900.0))];
    let u = compressor(&hot).unwrap();
    assert_eq!(param(compress(&*u, 300.0, 100e3).unwrap_err()), "intercooler_T");
}

/// McCabe, Smith & Harriott, *Unit Operations of Chemical Engineering*, 7th ed., Example 29.1
/// (as worked in a FOSSEE Scilab Textbook Companion, `CH29/EX29.1`): crushing 100 ton/h of
/// limestone (Wi = 12.74 kWh/ton, their Table 29.1) from 80 % passing 2 in to 80 % passing
/// 1/8 in takes P = 100 x 0.3162 x 12.74 x (1/sqrt(3.175) - 1/sqrt(50.8)) = 169.6 kW (their
/// eq. 29.10, sizes in mm; ton = short ton, 907.18474 kg).
#[test]
fn mill_reproduces_mccabe_smith_harriott_example_29_1() {
    let ton = 907.184_74;
    let mk = |name: &str, phase| {
        let mut c = Component::pseudo(name, phase, None).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 1000.0 });
        c
    };
    let s = Arc::new(ComponentSet::new(vec![mk("limestone", Phase::Solid), mk("water", Phase::Liquid)]).unwrap());
    let wi = 12.74 * 3.6e6 / ton; // J per kg
    let params = [("work_index", wi), ("f80", 2.0 * 0.0254), ("p80", 0.125 * 0.0254)];
    let u = create(&Mill, &s, &params, &Connections::default()).unwrap();
    // 100 short ton/h of limestone; the water of a wet mill is not ground.
    let feed = stream(100.0 * ton / 3600.0, 5.0, 300.0, 101_325.0);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 1).unwrap();
    let power = report.total(Utility::Electricity);
    assert!((power - 169.6e3).abs() < 0.1e3, "{power} W");
    assert_eq!(size(&report, "power"), power);
    assert_eq!(out[0], feed);
    // Bad sizes are refused by name.
    let param = |p: &[(&str, f64)]| match create(&Mill, &s, p, &Connections::default()) {
        Err(UnitError::Parameter { param, .. }) => param,
        other => panic!("{:?}", other.map(|_| ())),
    };
    assert_eq!(param(&[("work_index", wi), ("f80", 1e-3), ("p80", 2e-3)]), "f80");
    assert_eq!(param(&[("work_index", wi), ("f80", 1e-3), ("p80", 0.0)]), "p80");
    assert_eq!(param(&[("work_index", -1.0), ("f80", 1e-3), ("p80", 1e-4)]), "work_index");
    assert_eq!(
        param(&[("work_index", wi), ("f80", 1e-3), ("p80", 1e-4), ("motor_efficiency", 1.5)]),
        "motor_efficiency"
    );
}

/// Air (M = 28.97 g/mol, as Çengel & Boles), liquid water and water vapour with constant
/// heat capacities and the formation enthalpies of docs/sources.md §Formation enthalpies.
fn humid_air() -> Arc<ComponentSet> {
    let mut air = Component::pseudo("air", Phase::Gas, Some(0.028_97)).unwrap();
    air.formation_enthalpy = Some(0.0);
    air.heat_capacity = Some(HeatCapacity::Constant { cp: 29.1 });
    let water = |name: &str, phase, h_f: f64, cp: f64| {
        let mut c = Component::from_formula(name, "H2O", phase).unwrap();
        c.formation_enthalpy = Some(h_f);
        c.heat_capacity = Some(HeatCapacity::Constant { cp });
        c
    };
    Arc::new(
        ComponentSet::new(vec![
            air,
            water("H2O", Phase::Liquid, -285_830.0, 75.3),
            water("H2O(g)", Phase::Gas, -241_826.0, 33.6),
        ])
        .unwrap(),
    )
}

fn flash(params: &[(&str, f64)]) -> Result<Box<dyn UnitOperation>, UnitError> {
    create(&Flash, &humid_air(), params, &Connections::default())
}

/// 1 kg/s of dry air with 0.1 kg/s of liquid water at 40 degC and 100 kPa through the flash
/// `u` (most of the water stays liquid): the feed, the outlets and the report.
fn flash_wet_air(u: &dyn UnitOperation) -> (Stream, Vec<Stream>, UnitReport) {
    let feed = Stream { flows: vec![1.0, 0.1, 0.0], temperature: 313.15, pressure: 100e3 };
    let mut out = vec![Stream::empty(3), Stream::empty(3)];
    let mut report = UnitReport::default();
    u.calculate(std::slice::from_ref(&feed), &mut out, &mut report).unwrap();
    (feed, out, report)
}

/// Çengel & Boles, *Thermodynamics: An Engineering Approach*, 7th ed., chapter 14: at 25 degC
/// the saturation pressure of water is 3.1698 kPa (their Table A-4, used in Example 14-1),
/// and the humidity ratio of air saturated at 100 kPa is ω = 0.622 Pv/(P − Pv) (their eq.
/// 14-11) = 0.622 × 3.1698/96.8302 = 0.02036 kg/kg. Hand calculation from the book's data.
#[test]
fn flash_saturates_air_as_cengel_boles_chapter_14() {
    let u = flash(&[("T", 298.15), ("P", 100e3)]).unwrap();
    let (feed, mut out, mut report) = flash_wet_air(&*u);
    let omega = out[0].flows[2] / out[0].flows[0];
    assert!((omega - 0.02036).abs() < 0.00002, "{omega}");
    assert!((size(&report, "humidity_ratio") - omega).abs() < 1e-15);
    assert_eq!((out[0].flows[1], out[1].flows[0], out[1].flows[2]), (0.0, 0.0, 0.0));
    assert!((out[1].flows[1] + out[0].flows[2] - 0.1).abs() < 1e-15);
    // Energy: the duty closes the balance (formation enthalpies carry the latent heat).
    let set = humid_air();
    let h = |s: &Stream| enthalpy_flow(&set, &s.flows, s.temperature).unwrap();
    let duty = report.total(Utility::Heating) - report.total(Utility::Cooling);
    assert!((h(&feed) + duty - h(&out[0]) - h(&out[1])).abs() < 1e-6);
    // A feed too dry to saturate its gas leaves all its water as vapour.
    let dry = Stream { flows: vec![1.0, 0.005, 0.0], ..feed.clone() };
    u.calculate(std::slice::from_ref(&dry), &mut out, &mut report).unwrap();
    assert_eq!((out[0].flows[2], out[1].flows[1]), (0.005, 0.0));
    // Water boils at 110 degC and 1 atm: not a flash this unit models, refused naming `T`.
    let boiling = flash(&[("T", 383.15), ("P", 101_325.0)]).unwrap();
    match boiling.calculate(std::slice::from_ref(&feed), &mut out, &mut report) {
        Err(UnitError::Parameter { param, .. }) => assert_eq!(param, "T"),
        other => panic!("{other:?}"),
    }
}

/// Limestone and water as a solid and a liquid pseudo-component, and a gas.
fn solids_set() -> Arc<ComponentSet> {
    let mk = |name: &str, phase, molar_mass| {
        let mut c = Component::pseudo(name, phase, molar_mass).unwrap();
        c.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 1000.0 });
        c
    };
    Arc::new(
        ComponentSet::new(vec![
            mk("limestone", Phase::Solid, None),
            mk("water", Phase::Liquid, None),
            mk("air", Phase::Gas, Some(0.028_97)),
        ])
        .unwrap(),
    )
}

fn conveyor(kind: &str, params: &[(&str, f64)]) -> Result<Box<dyn UnitOperation>, UnitError> {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), num(*v))).collect();
    values.insert("kind".into(), ParamValue::Text(kind.into()));
    values.entry("motor_efficiency".into()).or_insert(num(1.0));
    let params = Params::new(values);
    Conveyor.create(&UnitConfig {
        name: "u",
        components: &solids_set(),
        params: &params,
        connections: &Connections::default(),
    })
}

fn convey(unit: &dyn UnitOperation, feed: &Stream) -> Result<(Stream, UnitReport), UnitError> {
    let mut out = vec![Stream::empty(3)];
    let mut report = UnitReport::default();
    unit.calculate(std::slice::from_ref(feed), &mut out, &mut report)?;
    Ok((out.remove(0), report))
}

/// No textbook example of these correlations was retrieved; this is a hand calculation.
/// 10 kg/s (22.046 lb/s) on a 30 m (98.425 ft) belt up 10 m (32.808 ft):
/// 0.00058 x 22.046^0.82 x 98.425 hp = 537.81 W of running power and 0.00182 x 22.046 x
/// 32.808 hp = 981.65 W of lift, 1519.46 W in all (1 hp = 745.70 W). The lift term is the
/// potential energy m g H = 10 x 9.80665 x 10 = 980.665 W within 0.1 % (1 ft lbf/s = 1/550
/// hp = 0.001818 hp): the belt lifts without loss. A screw over 10 m carrying 2 kg/s (4.4092
/// lb/s) takes 0.0146 x 4.4092^0.85 x 32.808 hp = 1260.70 W.
#[test]
fn conveyor_power_by_hand_and_the_lift_is_m_g_h() {
    let feed = Stream { flows: vec![8.0, 2.0, 0.0], temperature: 300.0, pressure: 101_325.0 };
    let belt =
        conveyor("belt", &[("length", 30.0), ("lift", 10.0), ("bulk_density", 1500.0), ("motor_efficiency", 0.9)])
            .unwrap();
    let (out, report) = convey(&*belt, &feed).unwrap();
    assert_eq!(out, feed);
    let power = size(&report, "power");
    assert!((power - 1519.46).abs() < 0.01, "{power} W");
    assert!((report.total(Utility::Electricity) - power / 0.9).abs() < 1e-9);
    let lift = power - crate::conveyor::belt_power(10.0, 30.0, 0.0);
    assert!((lift / (10.0 * 9.806_65 * 10.0) - 1.0).abs() < 1.1e-3, "{lift} W");
    assert!((size(&report, "volumetric_flow") - 10.0 / 1500.0).abs() < 1e-15);
    let screw = conveyor("screw", &[("length", 10.0), ("bulk_density", 1500.0)]).unwrap();
    let small = Stream { flows: vec![2.0, 0.0, 0.0], ..feed.clone() };
    let (_, report) = convey(&*screw, &small).unwrap();
    assert!((size(&report, "power") - 1260.70).abs() < 0.01, "{}", size(&report, "power"));
}

#[test]
fn conveyor_refuses_bad_parameters_and_gas_by_name() {
    let param = |kind: &str, p: &[(&str, f64)]| match conveyor(kind, p) {
        Err(UnitError::Parameter { param, .. }) => param,
        other => panic!("{:?}", other.map(|_| ())),
    };
    assert_eq!(param("screw", &[("length", 10.0), ("lift", 2.0), ("bulk_density", 1500.0)]), "lift");
    assert_eq!(param("belt", &[("length", 10.0), ("lift", -2.0), ("bulk_density", 1500.0)]), "lift");
    assert_eq!(param("belt", &[("length", 0.0), ("bulk_density", 1500.0)]), "length");
    assert_eq!(param("belt", &[("length", 10.0), ("bulk_density", -1.0)]), "bulk_density");
    assert_eq!(
        param("belt", &[("length", 10.0), ("bulk_density", 1.0), ("motor_efficiency", 1.2)]),
        "motor_efficiency"
    );
    assert_eq!(param("bucket", &[("length", 10.0), ("bulk_density", 1.0)]), "kind");
    let belt = conveyor("belt", &[("length", 10.0), ("bulk_density", 1500.0)]).unwrap();
    let gas = Stream { flows: vec![1.0, 0.0, 0.1], temperature: 300.0, pressure: 101_325.0 };
    let e = convey(&*belt, &gas).unwrap_err();
    assert!(matches!(&e, UnitError::Port { port, .. } if port == "in"), "{e}");
}

/// The flash drum's sizes are the vertical drum (`crate::vessel`, tested against BioSTEAM's
/// examples and by hand) of the flash's own vapour, by ideal gas, and liquid: 1 kg/s of air
/// saturated at 25 degC and 100 kPa (ω = 0.02036 kg/kg, `flash_saturates_air_...`) carries
/// 1/0.02897 + ω/0.018015 mol/s, V = n R T / P.
#[test]
fn flash_sizes_its_drum_from_its_vapour_and_liquid() {
    let u = flash(&[("T", 298.15), ("P", 100e3)]).unwrap();
    let (feed, mut out, mut report) = flash_wet_air(&*u);
    let water = out[0].flows[2];
    let moles = 1.0 / 0.028_97 + water / 0.018_015;
    let volume = moles * 8.314_462_618 * 298.15 / 100e3;
    let service = crate::vessel::DrumService {
        vapour_flow: volume,
        liquid_flow: out[1].flows[1] / 997.0,
        vapour_density: (1.0 + water) / volume,
        liquid_density: 997.0,
        pressure: 100e3,
        holdup_time: 900.0,
        surge_time: 450.0,
    };
    let drum = crate::vessel::vertical_drum(&service, "P", "liquid_density").unwrap();
    assert!((size(&report, "diameter") - drum.diameter).abs() < 1e-12 && drum.diameter > 0.0);
    assert!((size(&report, "length") - drum.length).abs() < 1e-12);
    assert!((size(&report, "vessel_weight") - drum.weight).abs() < 1e-9);
    assert!((size(&report, "wall_thickness") - drum.wall_thickness).abs() < 1e-15);
    // A drum whose liquid is lighter than its vapour is refused naming the density.
    let light = flash(&[("T", 298.15), ("P", 100e3), ("liquid_density", 0.5)]).unwrap();
    match light.calculate(std::slice::from_ref(&feed), &mut out, &mut report) {
        Err(UnitError::Parameter { param, .. }) => assert_eq!(param, "liquid_density"),
        other => panic!("{other:?}"),
    }
}

/// Hand calculation: 1 kg/s of water (c = 4180 J/(kg K)) cooled from 30 to 15 degC by
/// chilled water warmed from 7 to 12 degC, chiller COP 5: Q = 4180 x 15 = 62.7 kW; chilled
/// water 62.7 kW / (4180 x 5) = 3 kg/s; chiller electricity 62.7/5 = 12.54 kW; end
/// differences 30 − 12 = 18 K and 15 − 7 = 8 K, LMTD 10/ln(18/8) = 12.332 K.
#[test]
fn chilled_water_flow_and_chiller_electricity_by_hand() {
    let cp = 75.3 / 0.018_015;
    let s = set(2000.0, cp);
    let c = |t: f64| t + 273.15;
    let params = [("T", c(15.0)), ("T_supply", c(7.0)), ("T_return", c(12.0)), ("U", 500.0), ("cop", 5.0)];
    let u = create_text(&UtilityExchanger, &s, "chilled_water", &params).unwrap();
    let (_, report) = run(&*u, &[stream(0.0, 1.0, c(30.0), 101_325.0)], 1).unwrap();
    let q = cp * 15.0;
    assert!((report.total(Utility::Cooling) - q).abs() < 1e-9 * q);
    assert!((size(&report, "chilled_water_flow") - 3.0).abs() < 1e-12);
    assert!((report.total(Utility::Electricity) - q / 5.0).abs() < 1e-9 * q);
    let lmtd_expected = 10.0 / (18.0f64 / 8.0).ln();
    assert!((size(&report, "lmtd") - lmtd_expected).abs() < 1e-9);
    let refused = |params: &[(&str, f64)]| {
        create_text(&UtilityExchanger, &s, "chilled_water", params).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(refused(&params[..4]).contains("`cop` is required"));
    assert!(
        refused(&[("T", 300.0), ("T_supply", 280.0), ("T_return", 285.0), ("U", 1.0), ("cop", 0.0)]).contains("`cop`")
    );
}

/// Hand calculation: 1 kg/s of water heated from 20 to 80 degC by a resistance heater of
/// 95 % efficiency takes Q = 4180 x 60 = 250.8 kW, declared as work so the energy balance
/// closes, and 250.8/0.95 kW of electricity; cooled back by a refrigerator of COP 3, it
/// draws Q/3 and reports Q as cooling. Without a COP it cannot cool.
#[test]
fn electric_heating_and_refrigeration_by_hand() {
    let cp = 75.3 / 0.018_015;
    let s = set(2000.0, cp);
    let heater = create_text(&UtilityExchanger, &s, "electric", &[("T", 353.15), ("heater_efficiency", 0.95)]).unwrap();
    let feed = stream(0.0, 1.0, 293.15, 101_325.0);
    let (out, report) = run(&*heater, std::slice::from_ref(&feed), 1).unwrap();
    let q = cp * 60.0;
    assert!((report.total_work() - q).abs() < 1e-9 * q);
    assert!((report.total(Utility::Electricity) - q / 0.95).abs() < 1e-9 * q);
    assert_eq!(report.total(Utility::Heating), 0.0);
    let h = |st: &Stream| enthalpy_flow(&s, &st.flows, st.temperature).unwrap();
    assert!((h(&feed) + report.total_work() - h(&out[0])).abs() < 1e-6);
    let fridge = create_text(&UtilityExchanger, &s, "electric", &[("T", 293.15), ("cop", 3.0)]).unwrap();
    let (_, report) = run(&*fridge, std::slice::from_ref(&out[0]), 1).unwrap();
    assert!((report.total(Utility::Cooling) - q).abs() < 1e-9 * q);
    assert!((report.total(Utility::Electricity) - q / 3.0).abs() < 1e-9 * q);
    assert!((size(&report, "electric_power") - q / 3.0).abs() < 1e-9 * q);
    let no_cop = create_text(&UtilityExchanger, &s, "electric", &[("T", 293.15)]).unwrap();
    match run(&*no_cop, std::slice::from_ref(&out[0]), 1) {
        Err(UnitError::Parameter { param, .. }) => assert_eq!(param, "cop"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    let refused = |params: &[(&str, f64)]| {
        create_text(&UtilityExchanger, &s, "electric", params).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(refused(&[("T", 300.0), ("U", 100.0)]).contains("does not apply"));
    assert!(refused(&[("T", 300.0), ("heater_efficiency", 1.5)]).contains("`heater_efficiency`"));
    assert!(
        create_text(&UtilityExchanger, &s, "steam", &[("T", 350.0), ("steam_pressure", 2e5)])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("`U` is required")
    );
}
