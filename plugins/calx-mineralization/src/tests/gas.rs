//! `gas_pretreatment`.

use super::*;
use crate::GasPretreatment;
use crate::common::R;

fn both() -> Connections {
    ports(&[("gas", &["flue"])], &[("gas", &["treated"]), ("removed", &["dust"])])
}

#[test]
fn removal_splits_and_the_blower_follows_the_fan_equation() {
    let u = create(&GasPretreatment, &[("removal", map(&[("SiO2", 1.0), ("CO2", 0.1)]))], &both()).unwrap();
    let feed = stream(&[(N2, 1.0), (CO2, 0.2), (SIO2, 0.01)], 323.15);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    let (gas, removed) = (&out[0], &out[1]);
    assert_eq!(gas.flows[N2], 1.0);
    assert!(close(gas.flows[CO2], 0.18, 1e-15));
    assert_eq!(gas.flows[SIO2], 0.0);
    assert!(close(removed.flows[CO2], 0.02, 1e-15));
    assert_eq!(removed.flows[SIO2], 0.01);
    // Outlet pressure: inlet + the default 10 kPa rise; removed stays at inlet pressure.
    assert_eq!(gas.pressure, 101_325.0 + 10e3);
    assert_eq!(removed.pressure, 101_325.0);
    assert_eq!(gas.temperature, 323.15);
    // q = n R T / P over the gas phase only (SiO2 dust is solid); P = dp q / eta.
    let q = (1.0 / mm(N2) + 0.2 / mm(CO2)) * R * 323.15 / 101_325.0;
    assert!(close(size(&report, "gas_flow"), q, 1e-14));
    assert!(close(power(&report, "blower"), 10e3 * q / 0.6, 1e-14));
    assert!(close(size(&report, "throughput"), 1.21, 1e-15));
    assert_conserved(&[feed], &report, &out);
}

#[test]
fn specific_energy_replaces_the_fan_equation() {
    let params = [("specific_energy", num(1000.0)), ("pressure_rise", num(0.0))];
    let u = create(&GasPretreatment, &params, &both()).unwrap();
    let feed = stream(&[(N2, 1.0), (CO2, 0.2)], 298.15);
    let (out, report) = run(&*u, std::slice::from_ref(&feed), 2).unwrap();
    assert!(close(power(&report, "blower"), 1000.0 * 1.2, 1e-15));
    assert_eq!(out[0].pressure, 101_325.0);
    assert_eq!(out[0].flows, feed.flows);
    assert!(out[1].flows.iter().all(|w| *w == 0.0));
    assert_conserved(&[feed], &report, &out);
}

#[test]
fn the_removed_outlet_may_be_left_off_only_when_nothing_is_removed() {
    let only_gas = ports(&[("gas", &["flue"])], &[("gas", &["treated"])]);
    let u = create(&GasPretreatment, &[], &only_gas).unwrap();
    let feed = stream(&[(N2, 1.0), (CO2, 0.2)], 298.15);
    let (out, _) = run(&*u, &[feed], 1).unwrap();
    assert_eq!(out[0].flows[CO2], 0.2);
    let err = create(&GasPretreatment, &[("removal", map(&[("CO2", 0.5)]))], &only_gas).err().unwrap();
    assert_eq!(param_of(&err), Some("removal"), "{err}");
    assert!(err.to_string().contains("not connected"), "{err}");
}

#[test]
fn bad_parameters_and_inlets_are_refused() {
    let c = both();
    let err = create(&GasPretreatment, &[("removal", map(&[("CO2", 1.5)]))], &c).err().unwrap();
    assert_eq!(param_of(&err), Some("removal"), "{err}");
    let err = create(&GasPretreatment, &[("efficiency", num(0.0))], &c).err().unwrap();
    assert_eq!(param_of(&err), Some("efficiency"), "{err}");
    let err = create(&GasPretreatment, &[("pressure_rise", num(-1.0))], &c).err().unwrap();
    assert_eq!(param_of(&err), Some("pressure_rise"), "{err}");
    let err = create(&GasPretreatment, &[("specific_energy", num(-1.0))], &c).err().unwrap();
    assert_eq!(param_of(&err), Some("specific_energy"), "{err}");
    let err = create(&GasPretreatment, &[("removal", map(&[("CO3", 0.5)]))], &c).err().unwrap();
    assert!(err.to_string().contains("CO2"), "suggests the nearest name: {err}");

    let u = create(&GasPretreatment, &[], &c).unwrap();
    let err = run(&*u, &[stream(&[(N2, 1.0), (CO2, -0.1)], 298.15)], 2).err().unwrap();
    assert_eq!(port_of(&err), Some("gas"), "{err}");
    assert!(err.to_string().contains("negative"), "{err}");
    let err = run(&*u, &[stream(&[(N2, f64::NAN)], 298.15)], 2).err().unwrap();
    assert_eq!(port_of(&err), Some("gas"), "{err}");
}
