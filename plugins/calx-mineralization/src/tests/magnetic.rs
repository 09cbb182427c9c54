//! `magnetic_separation`.

use super::*;
use crate::MagneticSeparation;

fn c() -> Connections {
    ports(&[("feed", &["ash"])], &[("product", &["clean"]), ("magnetics", &["iron"])])
}

fn split() -> (&'static str, ParamValue) {
    ("to_magnetics", map(&[("Fe2O3", 0.9), ("SiO2", 0.1)]))
}

#[test]
fn components_split_by_their_recovery_and_specific_energy_is_per_kg_feed() {
    let u = create(&MagneticSeparation, &[split(), ("specific_energy", num(36e3))], &c()).unwrap();
    let feed = stream(&[(FE2O3, 1.0), (SIO2, 2.0), (CAO, 0.5)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    assert!(close(out[1].flows[FE2O3], 0.9, 1e-15));
    assert!(close(out[0].flows[FE2O3], 0.1, 1e-14));
    assert!(close(out[1].flows[SIO2], 0.2, 1e-15));
    assert!(close(out[0].flows[SIO2], 1.8, 1e-15));
    assert_eq!(out[0].flows[CAO], 0.5);
    assert_eq!(out[1].flows[CAO], 0.0);
    // 10 kWh/t = 36 kJ/kg on 3.5 kg/s of feed.
    assert!(close(power(&report, "grinding and separation"), 36e3 * 3.5, 1e-15));
    assert!(close(size(&report, "throughput"), 3.5, 1e-15));
    assert_conserved(&[feed], &report, &out);
}

#[test]
fn bonds_law_gives_the_grinding_energy() {
    // Wi 12 kWh/t, F80 100 um, P80 25 um: W = 10 * 12 * (1/5 - 1/10) = 12 kWh/t = 43.2 kJ/kg.
    let params = [
        split(),
        ("work_index", num(12.0 * 3.6e3)),
        ("f80", num(100e-6)),
        ("p80", num(25e-6)),
        ("separation_energy", num(3.6e3)),
    ];
    let u = create(&MagneticSeparation, &params, &c()).unwrap();
    let feed = stream(&[(FE2O3, 1.0), (SIO2, 1.0)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    assert!(close(power(&report, "grinding"), 43.2e3 * 2.0, 1e-12));
    assert!(close(power(&report, "separation"), 3.6e3 * 2.0, 1e-15));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_conserved(&[feed], &report, &out);

    // Without separation_energy the separator counts 0 and a note says why.
    let u = create(&MagneticSeparation, &params[..4], &c()).unwrap();
    let (_, report) = run(&*u, &[stream(&[(FE2O3, 1.0)], 298.15)], 2).unwrap();
    assert_eq!(power(&report, "separation"), 0.0);
    assert!(report.notes[0].contains("separation_energy"), "{:?}", report.notes);
}

#[test]
fn the_energy_must_be_given_one_way_exactly() {
    let bond = [("work_index", num(43.2e3)), ("f80", num(100e-6)), ("p80", num(25e-6))];
    // Neither.
    let err = create(&MagneticSeparation, &[split()], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("specific_energy"), "{err}");
    assert!(err.to_string().contains("work_index"), "{err}");
    // Both.
    let mut both = vec![split(), ("specific_energy", num(1.0))];
    both.extend(bond.iter().cloned());
    let err = create(&MagneticSeparation, &both, &c()).err().unwrap();
    assert!(err.to_string().contains("both given"), "{err}");
    // Bond's law half given names what is missing.
    let err = create(&MagneticSeparation, &[split(), bond[0].clone(), bond[1].clone()], &c()).err().unwrap();
    assert!(err.to_string().contains("`p80`"), "{err}");
    // Separation energy only goes with Bond's law.
    let params = [split(), ("specific_energy", num(1.0)), ("separation_energy", num(1.0))];
    let err = create(&MagneticSeparation, &params, &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("separation_energy"), "{err}");
    // Grinding must make particles smaller.
    let params = [split(), bond[0].clone(), ("f80", num(20e-6)), bond[2].clone()];
    let err = create(&MagneticSeparation, &params, &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("f80"), "{err}");
}

#[test]
fn bad_fractions_and_missing_split_are_refused() {
    let e = ("specific_energy", num(1.0));
    let err = create(&MagneticSeparation, &[("to_magnetics", map(&[("Fe2O3", 1.2)])), e.clone()], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("to_magnetics"), "{err}");
    let err = create(&MagneticSeparation, std::slice::from_ref(&e), &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("to_magnetics"), "{err}");
    let err = create(&MagneticSeparation, &[split(), ("specific_energy", num(-5.0))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("specific_energy"), "{err}");
}
