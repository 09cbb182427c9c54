//! `mode: rate` of the carbonator and the hydrator, against closed forms: a first-order
//! (power-law order 1) rate in a stirred tank converts k tau / (1 + k tau) (Levenspiel 1999,
//! ch. 5, mixed-flow reactor), and tau = working volume / slurry volume flow.

use super::*;
use crate::{Carbonator, Hydrator};

fn c() -> Connections {
    ports(&[("slurry", &["hs"]), ("gas", &["fg"])], &[("slurry", &["cs"]), ("vent", &["v"])])
}

/// 1 mol/s Ca(OH)2 and 0.5 mol/s Mg(OH)2 in 5 kg/s water.
fn slurry() -> Stream {
    stream(&[(CAOH2, mm(CAOH2)), (MGOH2, 0.5 * mm(MGOH2)), (H2O, 5.0)], 333.15)
}

/// Slurry volume flow by hand: solids at 2700 kg/m3, water at 997 kg/m3 (the defaults).
fn volume_flow(s: &Stream) -> f64 {
    let solids = s.flows[CAOH2] + s.flows[MGOH2] + s.flows[CACO3] + s.flows[MGCO3] + s.flows[CAO];
    solids / 2700.0 + s.flows[H2O] / 997.0
}

/// A first-order carbonator with k = 2 1/h for Ca(OH)2 and 0.5 1/h for Mg(OH)2 at 60 degC.
fn first_order(extra: &[(&str, ParamValue)]) -> Vec<(&'static str, ParamValue)> {
    let mut p = vec![
        ("mode", text("rate")),
        ("rate_law", text("power_law")),
        ("rate_constant", map(&[("Ca(OH)2", 2.0 / 3600.0), ("Mg(OH)2", 0.5 / 3600.0)])),
        ("T", num(333.15)),
        ("power_per_volume", num(100.0)),
    ];
    for (k, v) in extra {
        let k: &'static str = Box::leak(k.to_string().into_boxed_str());
        p.retain(|(n, _)| *n != k);
        p.push((k, v.clone()));
    }
    p
}

#[test]
fn a_stirred_tank_converts_k_tau_over_one_plus_k_tau() {
    let u = create(&Carbonator, &first_order(&[("residence_time", num(3600.0))]), &c()).unwrap();
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 333.15);
    let inlets = [slurry(), gas];
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    let (x_ca, x_mg) = (2.0 / 3.0, 0.5 / 1.5);
    assert!(close(size(&report, "conversion Ca(OH)2"), x_ca, 1e-8), "{}", size(&report, "conversion Ca(OH)2"));
    assert!(close(size(&report, "conversion Mg(OH)2"), x_mg, 1e-8));
    assert!(close(out[0].flows[CACO3], x_ca * mm(CACO3), 1e-8));
    assert!(close(size(&report, "co2_fixed"), (x_ca + 0.5 * x_mg) * mm(CO2), 1e-8));
    // Working volume tau Q, vessel 15 % larger; agitation 100 W/m3 of vessel.
    let vessel = 3600.0 * volume_flow(&inlets[0]) * 1.15;
    assert!(close(size(&report, "volume"), vessel, 1e-12), "{} vs {vessel}", size(&report, "volume"));
    assert!(close(size(&report, "residence_time"), 3600.0, 1e-12));
    assert!(close(power(&report, "agitation"), 100.0 * vessel, 1e-12));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn a_volume_gives_the_residence_time_and_the_same_conversion() {
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 333.15);
    let inlets = [slurry(), gas];
    let by_time = create(&Carbonator, &first_order(&[("residence_time", num(5400.0))]), &c()).unwrap();
    let (_, a) = run(&*by_time, &inlets, 2).unwrap();
    let by_volume = create(&Carbonator, &first_order(&[("volume", num(size(&a, "volume")))]), &c()).unwrap();
    let (_, b) = run(&*by_volume, &inlets, 2).unwrap();
    assert!(close(size(&b, "residence_time"), 5400.0, 1e-12));
    assert!(close(size(&b, "conversion Ca(OH)2"), size(&a, "conversion Ca(OH)2"), 1e-12));
    // A larger vessel converts more, and costs more (its volume is the TEA's size figure).
    let bigger = create(&Carbonator, &first_order(&[("volume", num(2.0 * size(&a, "volume")))]), &c()).unwrap();
    let (_, big) = run(&*bigger, &inlets, 2).unwrap();
    assert!(size(&big, "conversion Ca(OH)2") > size(&a, "conversion Ca(OH)2"));
}

#[test]
fn tanks_in_series_approach_plug_flow() {
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 333.15);
    let inlets = [slurry(), gas];
    let x = |extra: &[(&str, ParamValue)]| {
        let mut p = vec![("residence_time", num(3600.0))];
        p.extend_from_slice(extra);
        let (_, r) = run(&*create(&Carbonator, &first_order(&p), &c()).unwrap(), &inlets, 2).unwrap();
        size(&r, "conversion Ca(OH)2")
    };
    // k tau = 2: N tanks 1 - (1 + 2/N)^-N; plug flow 1 - exp(-2).
    let three = x(&[("reactor", text("cstr_in_series")), ("tanks", num(3.0))]);
    assert!(close(three, 1.0 - (1.0f64 + 2.0 / 3.0).powi(-3), 1e-8), "{three}");
    assert!(close(x(&[("reactor", text("pfr"))]), 1.0 - (-2.0f64).exp(), 1e-8));
    assert!(close(x(&[("reactor", text("batch"))]), 1.0 - (-2.0f64).exp(), 1e-8));
}

#[test]
fn with_a_co2_order_the_solids_see_the_gas_leaving() {
    let extra = [("residence_time", num(3600.0)), ("co2_order", num(1.0)), ("reference_pco2", num(1e5))];
    let u = create(&Carbonator, &first_order(&extra), &c()).unwrap();
    // 1.2 mol/s CO2 in 1.2 + 1/0.028 mol/s of gas at 1 atm.
    let gas = stream(&[(CO2, 1.2 * mm(CO2)), (N2, 1.0)], 333.15);
    let mut inlets = [slurry(), gas];
    inlets.iter_mut().for_each(|s| s.pressure = 101_325.0);
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    let n_n2 = 1.0 / mm(N2);
    let uptake = size(&report, "co2_fixed") / mm(CO2);
    // The gas leaves saturated with water vapour at 60 degC: the dry gas has P - p_sat.
    let p_dry = 101_325.0 - calx_core::water::saturation_pressure(333.15).unwrap();
    let p_out = p_dry * (1.2 - uptake) / (1.2 - uptake + n_n2);
    assert!(close(size(&report, "pco2_out"), p_out, 1e-9));
    // Each conversion is the closed form at the rate constant of that pressure.
    for (name, k_h) in [("conversion Ca(OH)2", 2.0), ("conversion Mg(OH)2", 0.5)] {
        let kt = k_h * p_out / 1e5;
        assert!(close(size(&report, name), kt / (1.0 + kt), 1e-8), "{name}");
    }
    assert!(close(uptake, size(&report, "conversion Ca(OH)2") + 0.5 * size(&report, "conversion Mg(OH)2"), 1e-8));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn a_small_kla_caps_the_uptake_at_the_transfer_rate() {
    let extra = [("residence_time", num(3600.0)), ("kla", num(1e-4)), ("T", num(298.15))];
    let u = create(&Carbonator, &first_order(&extra), &c()).unwrap();
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 298.15);
    let mut inlets = [slurry(), gas];
    inlets.iter_mut().for_each(|s| s.pressure = 101_325.0);
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    // Henry's law at 25 degC: phreeqc.dat CO2(g) log_k -1.468 mol/(kg atm); the uptake is
    // far below the CO2 fed and the rate laws' demand.
    let uptake = size(&report, "co2_fixed") / mm(CO2);
    assert!(uptake < 0.01 * 10.0, "the transfer limit acts far below the CO2 fed");
    let p_atm = size(&report, "pco2_out") / 101_325.0;
    let v_water = size(&report, "volume") / 1.15 * (5.0 / 997.0) / volume_flow(&inlets[0]);
    let cap = 1e-4 * 10f64.powf(-1.468) * p_atm * 997.0 * v_water;
    assert!(close(uptake, cap, 2e-3), "uptake {uptake} vs kLa C* V {cap}");
    assert!(uptake < 2.0 / 3.0, "the transfer limit acts below the kinetic demand");
    assert_eq!((size(&report, "mass_transfer_limited"), size(&report, "co2_limited")), (1.0, 0.0));
    assert!(report.notes.iter().any(|n| n.contains("mass transfer")), "{:?}", report.notes);
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn rate_mode_refuses_what_it_cannot_use() {
    let cases: [(&[(&str, ParamValue)], &str); 5] = [
        (&[("residence_time", num(60.0)), ("conversion", map(&[("Ca(OH)2", 0.5)]))], "conversion"),
        (&[], "residence_time"),
        (&[("residence_time", num(60.0)), ("tanks", num(3.0))], "tanks"),
        (&[("residence_time", num(60.0)), ("rate_constant", map(&[("CaCO3", 1.0)]))], "rate_constant"),
        (&[("residence_time", num(60.0)), ("avrami_exponent", num(2.0))], "avrami_exponent"),
    ];
    for (extra, field) in cases {
        let e = create(&Carbonator, &first_order(extra), &c()).err().unwrap_or_else(|| panic!("{field} accepted"));
        assert_eq!(param_of(&e), Some(field), "{e}");
    }
    let mut adiabatic = first_order(&[("residence_time", num(60.0))]);
    adiabatic.retain(|(k, _)| *k != "T");
    adiabatic.push(("adiabatic", ParamValue::Bool(true)));
    assert_eq!(param_of(&create(&Carbonator, &adiabatic, &c()).err().unwrap()), Some("adiabatic"));
}

#[test]
fn the_hydrator_at_rate_hydrates_k_tau_over_one_plus_k_tau() {
    let params = [
        ("mode", text("rate")),
        ("rate_law", text("power_law")),
        ("rate_constant", map(&[("CaO", 4.0 / 3600.0)])),
        ("residence_time", num(1800.0)),
        ("T", num(323.15)),
        ("specific_energy", num(0.0)),
    ];
    let conn = ports(&[("solids", &["ash"]), ("water", &["w"])], &[("slurry", &["s"])]);
    let u = create(&Hydrator, &params, &conn).unwrap();
    let inlets = [stream(&[(CAO, mm(CAO)), (SIO2, 1.0)], 298.15), stream(&[(H2O, 8.0)], 298.15)];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    // k tau = 2: 2/3 of the CaO hydrated.
    assert_eq!(report.notes.len(), 0, "{:?}", report.notes);
    assert!(close(size(&report, "conversion CaO"), 2.0 / 3.0, 1e-8));
    assert!(close(out[0].flows[CAOH2], 2.0 / 3.0 * mm(CAOH2), 1e-8));
    let q = mm(CAO) / 2700.0 + 1.0 / 2700.0 + 8.0 / 997.0;
    assert!(close(size(&report, "volume"), 1800.0 * q * 1.15, 1e-12));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn short_co2_scales_the_rate_laws_conversions_and_says_so() {
    let u = create(&Carbonator, &first_order(&[("residence_time", num(3600.0))]), &c()).unwrap();
    // The rate laws ask for 2/3 + 0.5/3 = 0.833 mol/s; 0.2 mol/s CO2 is fed.
    let gas = stream(&[(CO2, 0.2 * mm(CO2)), (N2, 1.0)], 333.15);
    let inlets = [slurry(), gas];
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    assert!(close(size(&report, "co2_fixed"), 0.2 * mm(CO2), 1e-12));
    let f = 0.2 / (2.0 / 3.0 + 0.5 / 3.0);
    assert!(close(size(&report, "conversion Ca(OH)2"), f * 2.0 / 3.0, 1e-8));
    assert_eq!((size(&report, "co2_limited"), size(&report, "mass_transfer_limited")), (1.0, 0.0));
    assert!(report.notes.iter().any(|n| n.contains("the CO2 fed")), "{:?}", report.notes);
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn with_a_co2_order_and_ample_gas_nothing_is_reported_limited() {
    // A small tank converts little; the CO2 is in excess, so neither limit acts even though the
    // uptake is found by bisection.
    let extra = [("volume", num(0.05)), ("co2_order", num(1.0))];
    let u = create(&Carbonator, &first_order(&extra), &c()).unwrap();
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 333.15);
    let (_, report) = run(&*u, &[slurry(), gas], 2).unwrap();
    assert!(size(&report, "conversion Ca(OH)2") < 0.1);
    assert_eq!((size(&report, "co2_limited"), size(&report, "mass_transfer_limited")), (0.0, 0.0));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn a_water_limited_hydrator_reports_the_conversion_reached() {
    let params = [
        ("mode", text("rate")),
        ("rate_law", text("power_law")),
        ("rate_constant", map(&[("CaO", 40.0 / 3600.0)])),
        ("residence_time", num(1800.0)),
        ("T", num(323.15)),
        ("specific_energy", num(0.0)),
    ];
    let conn = ports(&[("solids", &["ash"]), ("water", &["w"])], &[("slurry", &["s"])]);
    let u = create(&Hydrator, &params, &conn).unwrap();
    // 1 mol/s CaO, 0.5 mol/s water: at most half the CaO hydrates.
    let inlets = [stream(&[(CAO, mm(CAO))], 298.15), stream(&[(H2O, 0.5 * mm(H2O))], 298.15)];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    let reached = 1.0 - out[0].flows[CAO] / mm(CAO);
    assert!(close(reached, 0.5, 1e-9), "{reached}");
    assert!(close(size(&report, "conversion CaO"), reached, 1e-9), "{}", size(&report, "conversion CaO"));
}

#[test]
fn rate_parameters_outside_rate_mode_and_bad_law_values_name_their_parameter() {
    let conversion = [("conversion", map(&[("Ca(OH)2", 0.5)])), ("specific_energy", num(0.0)), ("volume", num(3.0))];
    assert_eq!(param_of(&create(&Carbonator, &conversion, &c()).err().unwrap()), Some("volume"));
    let cases: [(&[(&str, ParamValue)], &str); 3] = [
        (&[("residence_time", num(60.0)), ("co2_order", num(-0.5))], "co2_order"),
        (&[("residence_time", num(60.0)), ("ultimate_conversion", map(&[("Ca(OH)2", 0.0)]))], "ultimate_conversion"),
        (&[("residence_time", num(60.0)), ("volume", num(2.0))], "volume"),
    ];
    for (extra, field) in cases {
        let e = create(&Carbonator, &first_order(extra), &c()).err().unwrap_or_else(|| panic!("{field} accepted"));
        assert_eq!(param_of(&e), Some(field), "{e}");
    }
}

#[test]
fn a_rate_constant_set_in_place_calculates_as_a_unit_created_with_it() {
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 333.15);
    let inlets = [slurry(), gas];
    let with_k = |k: f64| {
        first_order(&[
            ("residence_time", num(3600.0)),
            ("rate_constant", map(&[("Ca(OH)2", k), ("Mg(OH)2", 0.5 / 3600.0)])),
        ])
    };
    let mut u = create(&Carbonator, &with_k(2.0 / 3600.0), &c()).unwrap();
    assert!(u.set_number("rate_constant", Some("Ca(OH)2"), 3.0 / 3600.0).unwrap(), "taken in place");
    let fresh = create(&Carbonator, &with_k(3.0 / 3600.0), &c()).unwrap();
    let (a, b) = (run(&*u, &inlets, 2).unwrap(), run(&*fresh, &inlets, 2).unwrap());
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "outlets and report, every digit");
    // The check creating makes, with its words; a reactant without a rate constant, or any
    // other parameter, is left to creating the unit again.
    let refused = u.set_number("rate_constant", Some("Ca(OH)2"), -1.0).unwrap_err().to_string();
    let created = create(&Carbonator, &with_k(-1.0), &c()).err().map(|e| e.to_string());
    assert_eq!(Some(refused), created);
    assert!(!u.set_number("rate_constant", Some("CaO"), 1.0).unwrap());
    assert!(!u.set_number("residence_time", None, 60.0).unwrap());
    assert!(!u.set_number("conversion", Some("Ca(OH)2"), 0.5).unwrap(), "rate mode has no conversion to set");
    // The hydrator likewise.
    let hydrator = |k: f64| {
        [
            ("mode", text("rate")),
            ("rate_law", text("power_law")),
            ("rate_constant", map(&[("CaO", k)])),
            ("residence_time", num(1800.0)),
            ("T", num(323.15)),
            ("specific_energy", num(0.0)),
        ]
    };
    let conn = ports(&[("solids", &["ash"]), ("water", &["w"])], &[("slurry", &["s"])]);
    let mut h = create(&Hydrator, &hydrator(4.0 / 3600.0), &conn).unwrap();
    assert!(h.set_number("rate_constant", Some("CaO"), 1.0 / 3600.0).unwrap());
    let inlets = [stream(&[(CAO, mm(CAO)), (SIO2, 1.0)], 298.15), stream(&[(H2O, 8.0)], 298.15)];
    let fresh = create(&Hydrator, &hydrator(1.0 / 3600.0), &conn).unwrap();
    let (a, b) = (run(&*h, &inlets, 1).unwrap(), run(&*fresh, &inlets, 1).unwrap());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}
