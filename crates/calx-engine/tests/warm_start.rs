//! A unit's inner state travels with the warm start: a flowsheet given another's warm start
//! calculates each unit from the state that unit reported there (`calculate_from`), and
//! without one every unit starts its own way (`calculate`).

use std::sync::Arc;

use calx_core::{
    Dimension, Params, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};
use calx_engine::{Flowsheet, FlowsheetDef, SolveOptions, UnitDef};

mod support;

/// A pass-through unit whose "inner iteration" counts: it reports the start it was given
/// (-1 for none) and, as its state, one more than that start.
struct Counting;
struct CountingUnit;

impl UnitType for Counting {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "counting".into(),
            summary: "reports the start it was given".into(),
            ports: vec![PortSpec::inlet("in", ""), PortSpec::outlet("out", "")],
            params: vec![],
        }
    }
    fn create(&self, _: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        Ok(Box::new(CountingUnit))
    }
}

impl CountingUnit {
    fn pass(start: Option<f64>, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) {
        outlets[0].copy_from(&inlets[0]);
        report.size("started_from", start.unwrap_or(-1.0), Dimension::DIMENSIONLESS);
        report.state.push(start.unwrap_or(0.0) + 1.0);
    }
}

impl UnitOperation for CountingUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        CountingUnit::pass(None, inlets, outlets, report);
        Ok(())
    }
    fn calculate_from(
        &self,
        start: &[f64],
        inlets: &[Stream],
        outlets: &mut [Stream],
        report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        CountingUnit::pass(start.first().copied(), inlets, outlets, report);
        Ok(())
    }
}

fn flowsheet(counting_units: usize) -> Flowsheet {
    let mut units = vec![support::lime_feed("s0")];
    for k in 0..counting_units {
        units.push(UnitDef {
            name: format!("count{k}"),
            unit_type: Arc::new(Counting),
            params: Params::default(),
            inlets: vec![("in".into(), vec![format!("s{k}")])],
            outlets: vec![("out".into(), vec![format!("s{}", k + 1)])],
        });
    }
    let def = FlowsheetDef {
        name: "warm".into(),
        components: support::quicklime(),
        units,
        options: SolveOptions::default(),
        design_specs: vec![],
        calculators: vec![],
    };
    Flowsheet::build(def).unwrap()
}

/// The `started_from` figure `unit` reported in the last solve of `f`.
fn started_from(f: &mut Flowsheet, unit: &str) -> f64 {
    let r = f.solve().unwrap();
    let u = r.units.iter().find(|u| u.name == unit).unwrap();
    u.report.sizes.iter().find(|s| s.name == "started_from").unwrap().value
}

#[test]
fn a_unit_starts_from_the_state_it_reported_in_the_warm_start() {
    let mut base = flowsheet(1);
    assert_eq!(started_from(&mut base, "count0"), -1.0, "no warm start set: the unit's own start");
    // Solving again does not hand a unit its own last state: only `set_warm_start` does.
    assert_eq!(started_from(&mut base, "count0"), -1.0);
    let warm = base.warm_start();
    let mut other = flowsheet(1);
    other.set_warm_start(&warm).unwrap();
    assert_eq!(started_from(&mut other, "count0"), 1.0, "the base's state: 0 + 1");
    // Restored, not accumulated: the same start on every solve.
    assert_eq!(started_from(&mut other, "count0"), 1.0);
    other.set_warm_start(&other.warm_start()).unwrap();
    assert_eq!(started_from(&mut other, "count0"), 2.0);
}

#[test]
fn a_warm_start_of_another_shape_is_refused() {
    let mut base = flowsheet(1);
    base.solve().unwrap();
    let e = flowsheet(2).set_warm_start(&base.warm_start()).unwrap_err().to_string();
    assert!(e.contains("2 units") && e.contains("3"), "{e}");
}
