//! `dewatering`.

use super::*;
use crate::Dewatering;

fn c() -> Connections {
    ports(&[("feed", &["slurry"])], &[("cake", &["cake"]), ("filtrate", &["water"])])
}

#[test]
fn the_cake_keeps_its_moisture_from_every_liquid_in_proportion() {
    let u = create(&Dewatering, &[("solids_recovery", num(0.98)), ("cake_moisture", num(0.25))], &c()).unwrap();
    let feed = stream(&[(CACO3, 1.0), (SIO2, 1.0), (H2O, 6.0), (LIQUOR, 2.0), (CO2, 0.01)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    let (cake, filtrate) = (&out[0], &out[1]);
    let dry = 1.96;
    let moisture = 0.25 / 0.75 * dry;
    assert!(close(cake.flows[CACO3], 0.98, 1e-15) && close(filtrate.flows[SIO2], 0.02, 1e-13));
    // Liquids 6 : 2 keep that ratio in the cake.
    assert!(close(cake.flows[H2O], moisture * 0.75, 1e-14));
    assert!(close(cake.flows[LIQUOR], moisture * 0.25, 1e-14));
    assert!(close((cake.flows[H2O] + cake.flows[LIQUOR]) / cake.total_mass(), 0.25, 1e-14));
    assert_eq!((cake.flows[CO2], filtrate.flows[CO2]), (0.0, 0.01), "gas goes to the filtrate");
    // Default 25 kWh/t of dry solids (docs/sources.md §Dewatering).
    assert!(close(power(&report, "dewatering"), 25.0 * 3.6e3 * dry, 1e-14));
    assert!(close(size(&report, "dry_solids"), dry, 1e-15));
    assert!(close(size(&report, "throughput"), 10.01, 1e-15));
    assert_conserved(&[feed], &report, &out);
}

#[test]
fn zero_moisture_gives_a_dry_product() {
    let u = create(&Dewatering, &[("cake_moisture", num(0.0)), ("specific_energy", num(9900.0))], &c()).unwrap();
    let feed = stream(&[(CACO3, 1.0), (H2O, 6.0)], 330.0);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    assert_eq!(out[0].flows[CACO3], 1.0);
    assert_eq!(out[0].flows[H2O], 0.0);
    assert_eq!(out[1].flows[H2O], 6.0);
    assert_eq!((out[0].temperature, out[1].temperature), (330.0, 330.0));
    assert!(close(power(&report, "dewatering"), 9900.0, 1e-15));
    assert_conserved(&[feed], &report, &out);
}

#[test]
fn bad_parameters_and_a_feed_drier_than_the_cake_are_refused() {
    let err = create(&Dewatering, &[("solids_recovery", num(1.2))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("solids_recovery"), "{err}");
    let err = create(&Dewatering, &[("cake_moisture", num(1.0))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("cake_moisture"), "{err}");
    let err = create(&Dewatering, &[("specific_energy", num(-1.0))], &c()).err().unwrap();
    assert_eq!(param_of(&err), Some("specific_energy"), "{err}");

    let u = create(&Dewatering, &[("cake_moisture", num(0.5))], &c()).unwrap();
    // 1 kg/s solids at 50 % moisture needs 1 kg/s liquid; the feed has 0.4.
    let err = run(&*u, &[stream(&[(CACO3, 1.0), (H2O, 0.4)], 298.15)], 2).err().unwrap();
    assert_eq!(param_of(&err), Some("cake_moisture"), "{err}");
    assert!(err.to_string().contains("drier than the cake"), "{err}");
}
