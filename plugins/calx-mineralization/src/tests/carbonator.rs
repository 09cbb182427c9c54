//! `carbonator`.

use super::*;
use crate::Carbonator;
use calx_core::Utility;

fn c() -> Connections {
    ports(&[("slurry", &["hs"]), ("gas", &["fg"])], &[("slurry", &["cs"]), ("vent", &["v"])])
}

fn duty(r: &UnitReport) -> f64 {
    r.total(Utility::Heating) - r.total(Utility::Cooling)
}

fn dh(reactant: usize, product: usize, water: bool) -> f64 {
    hf(product) + if water { hf(H2O) } else { 0.0 } - hf(reactant) - hf(CO2)
}

fn slurry() -> Stream {
    stream(&[(CAOH2, mm(CAOH2)), (MGOH2, 0.5 * mm(MGOH2)), (CAO, 0.2 * mm(CAO)), (H2O, 5.0), (SIO2, 0.1)], 298.15)
}

#[test]
fn carbonates_the_requested_fractions_with_excess_co2() {
    let params = [("conversion", map(&[("Ca(OH)2", 0.8), ("Mg(OH)2", 0.5)])), ("specific_energy", num(500.0))];
    let u = create(&Carbonator, &params, &c()).unwrap();
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 298.15);
    let inlets = [slurry(), gas];
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    let (s, v) = (&out[0], &out[1]);
    // 0.8 + 0.25 = 1.05 mol/s CO2 fixed; CaO is not listed, so it is not converted.
    assert!(close(s.flows[CAOH2], 0.2 * mm(CAOH2), 1e-13));
    assert!(close(s.flows[MGOH2], 0.25 * mm(MGOH2), 1e-13));
    assert!(close(s.flows[CACO3], 0.8 * mm(CACO3), 1e-14));
    assert!(close(s.flows[MGCO3], 0.25 * mm(MGCO3), 1e-14));
    assert_eq!(s.flows[CAO], 0.2 * mm(CAO));
    assert!(close(s.flows[H2O], 5.0 + 1.05 * mm(H2O), 1e-14));
    assert!(close(v.flows[CO2], 8.95 * mm(CO2), 1e-14));
    assert_eq!(v.flows[N2], 1.0);
    assert_eq!((s.flows[CO2], s.flows[N2], v.flows[H2O], v.flows[SIO2]), (0.0, 0.0, 0.0, 0.0), "routed by phase");
    assert!(close(size(&report, "co2_utilisation"), 0.105, 1e-14));
    assert_eq!(size(&report, "co2_limited"), 0.0);
    assert!(close(size(&report, "co2_fixed"), 1.05 * mm(CO2), 1e-14));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // docs/sources.md §Reaction enthalpies: -114.7 and -63.6 kJ/mol.
    assert!(close(dh(CAOH2, CACO3, true), -114.7e3, 1e-9) && close(dh(MGOH2, MGCO3, true), -63.6e3, 1e-9));
    let expected = 0.8 * dh(CAOH2, CACO3, true) + 0.25 * dh(MGOH2, MGCO3, true);
    assert!(close(duty(&report), expected, 1e-9), "{} vs {expected}", duty(&report));
    assert!(close(power(&report, "agitation"), 500.0 * s.total_mass(), 1e-15));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn short_co2_scales_every_conversion_and_is_reported() {
    let params = [("conversion", map(&[("Ca(OH)2", 1.0), ("CaO", 1.0)])), ("specific_energy", num(0.0))];
    let u = create(&Carbonator, &params, &c()).unwrap();
    // Demand 1.2 mol/s (1 Ca(OH)2 + 0.2 CaO), supply 0.3 mol/s: scaled to 0.25.
    let gas = stream(&[(CO2, 0.3 * mm(CO2)), (N2, 1.0)], 298.15);
    let inlets = [slurry(), gas];
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    assert!(
        report.notes.iter().any(|n| n == "CO2-limited: conversions scaled to 0.2500 of requested"),
        "{:?}",
        report.notes
    );
    assert_eq!(size(&report, "co2_limited"), 1.0);
    assert!(close(size(&report, "co2_utilisation"), 1.0, 1e-14));
    assert!(out[1].flows[CO2].abs() < 1e-15, "CO2 used up, not negative: {}", out[1].flows[CO2]);
    assert!(close(out[0].flows[CACO3], 0.3 * mm(CACO3), 1e-14));
    assert!(close(out[0].flows[CAO], 0.15 * mm(CAO), 1e-14));
    // Direct carbonation of CaO: -179.2 kJ/mol (docs/sources.md §Reaction enthalpies).
    assert!(close(dh(CAO, CACO3, false), -179.2e3, 1e-9));
    let expected = 0.25 * dh(CAOH2, CACO3, true) + 0.05 * dh(CAO, CACO3, false);
    assert!(close(duty(&report), expected, 1e-9), "{} vs {expected}", duty(&report));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn adiabatic_carbonation_heats_everything_leaving() {
    let params = [
        ("conversion", map(&[("Ca(OH)2", 1.0)])),
        ("adiabatic", ParamValue::Bool(true)),
        ("specific_energy", num(0.0)),
    ];
    let u = create(&Carbonator, &params, &c()).unwrap();
    let inlets =
        [stream(&[(CAOH2, mm(CAOH2)), (H2O, 2.0)], 298.15), stream(&[(CO2, 2.0 * mm(CO2)), (N2, 0.5)], 298.15)];
    let (out, report) = run(&*u, &inlets, 2).unwrap();
    // Constant Cp: the products (slurry and vent) share -dH.
    let cp = 83.5 + (2.0 / mm(H2O) + 1.0) * 75.3 + 1.0 * 37.1 + 0.5 / mm(N2) * 29.1;
    let expected = 298.15 - dh(CAOH2, CACO3, true) / cp;
    assert!(close(out[0].temperature, expected, 1e-10), "{} vs {expected}", out[0].temperature);
    assert_eq!(out[1].temperature, out[0].temperature);
    assert_eq!(duty(&report), 0.0);
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn gas_without_co2_is_an_error_naming_the_gas_port() {
    let params = [("conversion", map(&[("Ca(OH)2", 0.5)])), ("specific_energy", num(0.0))];
    let u = create(&Carbonator, &params, &c()).unwrap();
    let err = run(&*u, &[slurry(), stream(&[(N2, 1.0)], 298.15)], 2).err().unwrap();
    assert_eq!(port_of(&err), Some("gas"), "{err}");
    assert!(err.to_string().contains("no CO2"), "{err}");
    let err = run(&*u, &[slurry(), stream(&[], 298.15)], 2).err().unwrap();
    assert_eq!(port_of(&err), Some("gas"), "{err}");
    let mut bad = slurry();
    bad.flows[H2O] = -1.0;
    let err = run(&*u, &[bad, stream(&[(CO2, 1.0)], 298.15)], 2).err().unwrap();
    assert_eq!(port_of(&err), Some("slurry"), "{err}");
}

#[test]
fn bad_conversions_and_sets_without_co2_are_refused() {
    let e = ("specific_energy", num(0.0));
    for (conv, what) in [(map(&[("Ca(OH)2", 1.5)]), "fraction"), (map(&[("CaCO3", 0.5)]), "CaCO3")] {
        let err = create(&Carbonator, &[("conversion", conv), e.clone()], &c()).err().unwrap();
        assert_eq!(param_of(&err), Some("conversion"), "{err}");
        assert!(err.to_string().contains(what), "{err}");
    }
    let no_co2 = Arc::new(
        ComponentSet::new(vec![
            comp("Ca(OH)2", Phase::Solid, -985.2, 87.5),
            comp("H2O", Phase::Liquid, -285.8, 75.3),
            comp("N2", Phase::Gas, 0.0, 29.1),
        ])
        .unwrap(),
    );
    let err =
        create_in(&no_co2, &Carbonator, &[("conversion", map(&[("Ca(OH)2", 0.5)])), e.clone()], &c()).err().unwrap();
    assert_eq!(port_of(&err), Some("gas"), "{err}");
    // Mg(OH)2 to convert but no MgCO3 to make.
    let no_mgco3 = Arc::new(
        ComponentSet::new(vec![
            comp("Mg(OH)2", Phase::Solid, -924.5, 77.0),
            comp("H2O", Phase::Liquid, -285.8, 75.3),
            comp("CO2", Phase::Gas, -393.5, 37.1),
        ])
        .unwrap(),
    );
    let err = create_in(&no_mgco3, &Carbonator, &[("conversion", map(&[("Mg(OH)2", 0.5)])), e], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("conversion"), "{err}");
    assert!(err.to_string().contains("MgCO3"), "{err}");
}

#[test]
fn a_conversion_set_in_place_calculates_exactly_as_a_unit_created_with_it() {
    let with = |x: f64| [("conversion", map(&[("Ca(OH)2", x), ("Mg(OH)2", 0.5)])), ("specific_energy", num(500.0))];
    let gas = stream(&[(CO2, 10.0 * mm(CO2)), (N2, 1.0)], 298.15);
    let inlets = [slurry(), gas];
    let mut u = create(&Carbonator, &with(0.8), &c()).unwrap();
    assert_eq!(u.set_number("conversion", Some("Ca(OH)2"), 0.37), Ok(true));
    let fresh = create(&Carbonator, &with(0.37), &c()).unwrap();
    assert_eq!(run(&*u, &inlets, 2).unwrap(), run(&*fresh, &inlets, 2).unwrap(), "bit for bit");
    // Refused like `create` refuses it, and the unit keeps its conversion.
    let err = u.set_number("conversion", Some("Ca(OH)2"), 1.5).expect_err("above 1");
    assert!(err.to_string().contains("between 0 and 1"), "{err}");
    assert_eq!(run(&*u, &inlets, 2).unwrap(), run(&*fresh, &inlets, 2).unwrap());
    // What changes the reactions themselves is left to `create`: a zero conversion (the
    // reaction is dropped), a reactant not listed (CaO), another parameter.
    assert_eq!(u.set_number("conversion", Some("Ca(OH)2"), 0.0), Ok(false));
    assert_eq!(u.set_number("conversion", Some("CaO"), 0.5), Ok(false));
    assert_eq!(u.set_number("conversion", Some("Ca(OH)3"), 0.5), Ok(false), "no such component");
    assert_eq!(u.set_number("specific_energy", None, 10.0), Ok(false));
}
