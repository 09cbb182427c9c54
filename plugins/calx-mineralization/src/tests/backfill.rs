//! `backfill_mixer`.

use super::*;
use crate::BackfillMixer;

fn c() -> Connections {
    ports(&[("cake", &["cake"])], &[("paste", &["paste"])])
}

#[test]
fn binder_and_water_are_drawn_to_the_defaults() {
    let u = create(&BackfillMixer, &[], &c()).unwrap();
    let cake = stream(&[(CACO3, 0.8), (H2O, 0.2)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&cake), 1).unwrap();
    // 6 % binder of all solids, 75 % solids in the paste (docs/sources.md §Mine backfill).
    let binder = 0.06 / 0.94 * 0.8;
    let solids = 0.8 + binder;
    let water = solids / 0.75 - solids - 0.2;
    let p = &out[0];
    assert!(close(p.flows[CEMENT], binder, 1e-15));
    assert!(close(p.flows[H2O], 0.2 + water, 1e-14));
    assert!(close(p.flows[CEMENT] / (p.flows[CEMENT] + p.flows[CACO3]), 0.06, 1e-14));
    assert!(close((p.flows[CEMENT] + p.flows[CACO3]) / p.total_mass(), 0.75, 1e-14));
    let by = |what: &str| report.materials.iter().find(|m| m.purpose == what).unwrap().clone();
    assert_eq!((by("binder").component, by("mix water").component), (CEMENT, H2O));
    assert!(close(by("binder").rate, binder, 1e-15) && close(by("mix water").rate, water, 1e-14));
    assert!(close(size(&report, "binder_used"), binder, 1e-15));
    assert!(close(size(&report, "water_added"), water, 1e-14));
    assert_eq!(power(&report, "mixing"), 0.0);
    assert!(report.notes.iter().any(|n| n.contains("mixing electricity")), "{:?}", report.notes);
    assert_conserved(&[cake], &report, &out);
}

#[test]
fn a_cake_from_default_dewatering_makes_paste_with_default_settings() {
    // The defaults must chain: a 25 % moisture cake plus 6 % binder is 76 % solids, drier
    // than the 75 % paste target, so the mixer only adds water.
    let dewatering = create(
        &crate::Dewatering,
        &[],
        &ports(&[("feed", &["slurry"])], &[("cake", &["cake"]), ("filtrate", &["water"])]),
    )
    .unwrap();
    let (cake, _) = run(&*dewatering, &[stream(&[(CACO3, 1.0), (H2O, 8.0)], 298.15)], 2).unwrap();
    let mixer = create(&BackfillMixer, &[], &c()).unwrap();
    let (paste, report) = run(&*mixer, &cake[..1], 1).unwrap();
    assert!(size(&report, "water_added") > 0.0);
    assert!(close((paste[0].flows[CACO3] + paste[0].flows[CEMENT]) / paste[0].total_mass(), 0.75, 1e-14));
    assert_conserved(&cake[..1], &report, &paste);
}

#[test]
fn a_cake_wetter_than_the_paste_is_an_error() {
    let u = create(&BackfillMixer, &[("solids_content", num(0.8))], &c()).unwrap();
    let err = run(&*u, &[stream(&[(CACO3, 0.5), (H2O, 0.5)], 298.15)], 1).err().unwrap();
    assert_eq!(port_of(&err), Some("cake"), "{err}");
    assert!(err.to_string().contains("cannot remove water"), "{err}");
    assert!(err.to_string().contains("dewater"), "{err}");
}

#[test]
fn bad_parameters_are_refused() {
    let err = create(&BackfillMixer, &[("binder", text("grout"))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("binder"), "{err}");
    let err = create(&BackfillMixer, &[("binder", text("H2O"))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("binder"), "{err}");
    for x in [0.0, 1.0] {
        let err = create(&BackfillMixer, &[("solids_content", num(x))], &c()).err().unwrap();
        assert_eq!(param_of(&err), Some("solids_content"), "{err}");
    }
    let err = create(&BackfillMixer, &[("binder_dosage", num(1.0))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("binder_dosage"), "{err}");
    let err = create(&BackfillMixer, &[("specific_energy", num(-1.0))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("specific_energy"), "{err}");
}
