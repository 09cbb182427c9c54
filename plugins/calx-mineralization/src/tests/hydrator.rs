//! `hydrator`.

use super::*;
use crate::Hydrator;
use calx_core::Utility;

fn both() -> Connections {
    ports(&[("solids", &["ash"]), ("water", &["w"])], &[("slurry", &["s"])])
}

fn solids_only() -> Connections {
    ports(&[("solids", &["ash"])], &[("slurry", &["s"])])
}

/// Net heat (W): heating minus cooling.
fn duty(r: &UnitReport) -> f64 {
    r.total(Utility::Heating) - r.total(Utility::Cooling)
}

fn dh_ca() -> f64 {
    hf(CAOH2) - hf(CAO) - hf(H2O)
}

fn dh_mg() -> f64 {
    hf(MGOH2) - hf(MGO) - hf(H2O)
}

#[test]
fn hydrates_the_requested_fractions_and_reports_the_reaction_heat() {
    let params = [("conversion", map(&[("CaO", 0.5), ("MgO", 0.4)])), ("specific_energy", num(1000.0))];
    let u = create(&Hydrator, &params, &both()).unwrap();
    let ash = stream(&[(CAO, mm(CAO)), (MGO, 0.5 * mm(MGO)), (SIO2, 0.1)], 298.15);
    let water = stream(&[(H2O, 1.0)], 298.15);
    let inlets = [ash, water];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    let s = &out[0];
    // 0.5 mol/s of CaO and 0.2 mol/s of MgO react, taking 0.7 mol/s of water.
    assert!(close(s.flows[CAO], 0.5 * mm(CAO), 1e-14));
    assert!(close(s.flows[MGO], 0.3 * mm(MGO), 1e-14));
    assert!(close(s.flows[CAOH2], 0.5 * mm(CAOH2), 1e-14));
    assert!(close(s.flows[MGOH2], 0.2 * mm(MGOH2), 1e-14));
    assert!(close(s.flows[H2O], 1.0 - 0.7 * mm(H2O), 1e-14));
    assert_eq!(s.flows[SIO2], 0.1);
    assert_eq!(s.temperature, 298.15);
    // docs/sources.md §Reaction enthalpies: -64.5 and -37.1 kJ/mol.
    assert!(close(dh_ca(), -64.5e3, 1e-9) && close(dh_mg(), -37.1e3, 1e-9));
    let expected = 0.5 * dh_ca() + 0.2 * dh_mg();
    assert!(close(duty(&report), expected, 1e-9), "{} vs {expected}", duty(&report));
    assert!(report.total(Utility::Cooling) > 0.0);
    let total = s.total_mass();
    assert!(close(power(&report, "agitation"), 1000.0 * total, 1e-15));
    let solids = total - s.flows[H2O];
    assert!(close(size(&report, "solids_fraction"), solids / total, 1e-14));
    assert!(report.materials.is_empty());
    assert!(!report.sizes.iter().any(|s| s.name == "volume"), "no residence_time, no volume");
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn a_solids_fraction_target_draws_make_up_water_at_its_own_temperature() {
    let params = [
        ("conversion", map(&[("CaO", 1.0)])),
        ("solids_fraction", num(0.2)),
        ("solids_basis", ParamValue::Text("leaving".into())),
        ("water_temperature", num(288.15)),
        ("T", num(298.15)),
        ("specific_energy", num(0.0)),
    ];
    let u = create(&Hydrator, &params, &solids_only()).unwrap();
    let ash = stream(&[(CAO, mm(CAO)), (SIO2, 0.2)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&ash), 1).unwrap();
    // Solids after reaction: SiO2 + 1 mol/s Ca(OH)2; slurry = solids / 0.2.
    let s_out = 0.2 + mm(CAOH2);
    let makeup = s_out / 0.2 - (mm(CAO) + 0.2);
    assert_eq!(report.materials.len(), 1);
    assert_eq!(report.materials[0].purpose, "make-up water");
    assert_eq!(report.materials[0].component, H2O);
    assert!(close(report.materials[0].rate, makeup, 1e-14));
    assert!(close(size(&report, "solids_fraction"), 0.2, 1e-14));
    assert!(close(out[0].flows[H2O], makeup - mm(H2O), 1e-14));
    // Reaction heat at 25 degC plus heating the make-up water from 15 to 25 degC.
    let expected = dh_ca() + makeup / mm(H2O) * 75.3 * 10.0;
    assert!(close(duty(&report), expected, 1e-9), "{} vs {expected}", duty(&report));
    assert_conserved(&[ash], &report, &out);
}

#[test]
fn by_default_the_solids_fraction_counts_the_solids_fed_as_the_paper_does() {
    // KIGAM 2022: 909.69 kg ash in 8347.22 kg slurry (Table 4) is the "10.9 wt%" of Table 3.
    let params = [("conversion", map(&[("CaO", 0.5)])), ("solids_fraction", num(0.25)), ("specific_energy", num(0.0))];
    let u = create(&Hydrator, &params, &solids_only()).unwrap();
    let ash = stream(&[(CAO, mm(CAO)), (SIO2, 0.2)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&ash), 1).unwrap();
    let fed = mm(CAO) + 0.2;
    let makeup = fed / 0.25 - fed;
    assert!(close(report.materials[0].rate, makeup, 1e-14));
    assert!(close(out[0].total_mass(), fed / 0.25, 1e-14));
    assert_conserved(&[ash], &report, &out);
}

#[test]
fn too_much_water_for_the_target_draws_none_and_says_so() {
    let params = [("conversion", map(&[("CaO", 1.0)])), ("solids_fraction", num(0.3)), ("specific_energy", num(0.0))];
    let u = create(&Hydrator, &params, &both()).unwrap();
    let inlets = [stream(&[(CAO, mm(CAO))], 298.15), stream(&[(H2O, 10.0)], 298.15)];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    assert_eq!(report.materials[0].rate, 0.0);
    assert!(report.notes.iter().any(|n| n.contains("no make-up water")), "{:?}", report.notes);
    assert!(close(size(&report, "solids_fraction"), mm(CAOH2) / (mm(CAO) + 10.0), 1e-14));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn adiabatic_operation_heats_the_slurry_by_the_reaction_heat() {
    let params =
        [("conversion", map(&[("CaO", 1.0)])), ("adiabatic", ParamValue::Bool(true)), ("specific_energy", num(0.0))];
    let u = create(&Hydrator, &params, &both()).unwrap();
    let inlets = [stream(&[(CAO, mm(CAO))], 298.15), stream(&[(H2O, 1.0)], 298.15)];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    // Constant Cp: T = 298.15 + (-dH) / sum(n cp) over the products.
    let n_water = (1.0 - mm(H2O)) / mm(H2O);
    let expected = 298.15 - dh_ca() / (87.5 + n_water * 75.3);
    assert!(close(out[0].temperature, expected, 1e-10), "{} vs {expected}", out[0].temperature);
    assert_eq!(duty(&report), 0.0);
    assert!(report.utilities.iter().any(|u| u.purpose == "hydration"), "the duty line is kept");
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn power_per_volume_uses_the_tank_volume_with_its_safety_margin() {
    let params =
        [("conversion", map(&[("CaO", 0.5)])), ("power_per_volume", num(200.0)), ("residence_time", num(1800.0))];
    let u = create(&Hydrator, &params, &both()).unwrap();
    let inlets = [stream(&[(CAO, mm(CAO)), (SIO2, 0.3)], 298.15), stream(&[(H2O, 2.0)], 298.15)];
    let (out, report) = run(&*u, &inlets, 1).unwrap();
    let total = out[0].total_mass();
    let w_s = (total - out[0].flows[H2O]) / total;
    let rho = 1.0 / (w_s / 2700.0 + (1.0 - w_s) / 997.0);
    let volume = 1800.0 * total / rho * 1.15;
    assert!(close(size(&report, "slurry_density"), rho, 1e-14));
    assert!(close(size(&report, "volume"), volume, 1e-14));
    assert!(close(power(&report, "agitation"), 200.0 * volume, 1e-14));
    assert_conserved(&inlets, &report, &out);
}

#[test]
fn too_little_water_scales_both_conversions_alike() {
    let params = [("conversion", map(&[("CaO", 1.0), ("MgO", 1.0)])), ("specific_energy", num(0.0))];
    let u = create(&Hydrator, &params, &solids_only()).unwrap();
    // 1 mol/s CaO and 1 mol/s MgO but only 0.5 mol/s water: a quarter of the request.
    let ash = stream(&[(CAO, mm(CAO)), (MGO, mm(MGO)), (H2O, 0.5 * mm(H2O))], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&ash), 1).unwrap();
    assert!(
        report.notes.iter().any(|n| n == "water-limited: conversions scaled to 0.2500 of requested"),
        "{:?}",
        report.notes
    );
    assert!(out[0].flows[H2O].abs() < 1e-15, "water used up, not negative: {}", out[0].flows[H2O]);
    assert!(close(out[0].flows[CAOH2], 0.25 * mm(CAOH2), 1e-14));
    assert!(close(out[0].flows[MGOH2], 0.25 * mm(MGOH2), 1e-14));
    assert_conserved(&[ash], &report, &out);
}

#[test]
fn bad_parameters_are_refused_naming_the_parameter() {
    let e = ("specific_energy", num(0.0));
    let cases: Vec<(Vec<(&str, ParamValue)>, &str)> = vec![
        (vec![("conversion", map(&[("CaO", 1.2)])), e.clone()], "conversion"),
        (vec![("conversion", map(&[("CaO", -0.1)])), e.clone()], "conversion"),
        (vec![("conversion", map(&[("SiO2", 0.5)])), e.clone()], "conversion"),
        (vec![e.clone()], "conversion"),
        (vec![("conversion", map(&[("CaO", 0.5)])), ("solids_fraction", num(0.0)), e.clone()], "solids_fraction"),
        (vec![("conversion", map(&[("CaO", 0.5)])), ("solids_fraction", num(1.0)), e.clone()], "solids_fraction"),
        (vec![("conversion", map(&[("CaO", 0.5)])), ("specific_energy", num(-1.0))], "specific_energy"),
        (vec![("conversion", map(&[("CaO", 0.5)])), ("residence_time", num(-60.0)), e.clone()], "residence_time"),
        (vec![("conversion", map(&[("CaO", 0.5)]))], "specific_energy"),
        (vec![("conversion", map(&[("CaO", 0.5)])), e.clone(), ("power_per_volume", num(1.0))], "specific_energy"),
        (vec![("conversion", map(&[("CaO", 0.5)])), ("power_per_volume", num(1.0))], "residence_time"),
        (
            vec![
                ("conversion", map(&[("CaO", 0.5)])),
                e.clone(),
                ("T", num(300.0)),
                ("adiabatic", ParamValue::Bool(true)),
            ],
            "T",
        ),
        (vec![("conversion", map(&[("CaO", 0.5)])), e.clone(), ("safety_margin", num(1.5))], "safety_margin"),
    ];
    for (params, name) in cases {
        let err = create(&Hydrator, &params, &both()).err().unwrap_or_else(|| panic!("accepted {params:?}"));
        assert_eq!(param_of(&err), Some(name), "{err}");
    }
}

#[test]
fn component_sets_without_what_a_hydrator_needs_are_refused() {
    let e = ("specific_energy", num(0.0));
    // Neither CaO nor MgO.
    let bare = Arc::new(
        ComponentSet::new(vec![comp("H2O", Phase::Liquid, -285.8, 75.3), comp("SiO2", Phase::Solid, -910.7, 44.4)])
            .unwrap(),
    );
    let err = create_in(&bare, &Hydrator, &[("conversion", map(&[])), e.clone()], &both()).err().unwrap();
    assert_eq!(port_of(&err), Some("solids"), "{err}");
    // CaO to convert, but no Ca(OH)2 to make.
    let no_hydroxide = Arc::new(
        ComponentSet::new(vec![comp("H2O", Phase::Liquid, -285.8, 75.3), comp("CaO", Phase::Solid, -634.9, 42.0)])
            .unwrap(),
    );
    let err =
        create_in(&no_hydroxide, &Hydrator, &[("conversion", map(&[("CaO", 0.5)])), e.clone()], &both()).err().unwrap();
    assert_eq!(param_of(&err), Some("conversion"), "{err}");
    assert!(err.to_string().contains("Ca(OH)2"), "{err}");
}

#[test]
fn a_feed_without_cao_or_mgo_and_negative_flows_are_port_errors() {
    let params = [("conversion", map(&[("CaO", 0.5)])), ("specific_energy", num(0.0))];
    let u = create(&Hydrator, &params, &both()).unwrap();
    let err = run(&*u, &[stream(&[(SIO2, 1.0)], 298.15), stream(&[(H2O, 1.0)], 298.15)], 1).err().unwrap();
    assert_eq!(port_of(&err), Some("solids"), "{err}");
    assert!(err.to_string().contains("a hydrator fed no CaO or MgO"), "{err}");
    let err = run(&*u, &[stream(&[(CAO, 1.0)], 298.15), stream(&[(H2O, -1.0)], 298.15)], 1).err().unwrap();
    assert_eq!(port_of(&err), Some("water"), "{err}");
    assert!(err.to_string().contains("negative"), "{err}");
}

#[test]
fn a_conversion_set_in_place_calculates_exactly_as_a_unit_created_with_it() {
    let with = |x: f64| [("conversion", map(&[("CaO", x), ("MgO", 0.4)])), ("specific_energy", num(1000.0))];
    let ash = stream(&[(CAO, mm(CAO)), (MGO, 0.5 * mm(MGO)), (SIO2, 0.1)], 298.15);
    let inlets = [ash, stream(&[(H2O, 1.0)], 298.15)];
    let mut u = create(&Hydrator, &with(0.5), &both()).unwrap();
    assert_eq!(u.set_number("conversion", Some("CaO"), 0.29), Ok(true));
    let fresh = create(&Hydrator, &with(0.29), &both()).unwrap();
    assert_eq!(run(&*u, &inlets, 1).unwrap(), run(&*fresh, &inlets, 1).unwrap(), "bit for bit");
    assert!(u.set_number("conversion", Some("CaO"), -0.1).is_err());
    assert_eq!(u.set_number("conversion", Some("CaO"), 0.0), Ok(false));
    assert_eq!(u.set_number("water_temperature", None, 300.0), Ok(false));
}
