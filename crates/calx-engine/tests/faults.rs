//! Units that misbehave are contained and named: NaN, negative flows, a unit that loses
//! mass, an impossible utility, a calculation error, and every build problem reported at once.

use std::sync::Arc;

use calx_core::{
    Params, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType, Utility,
};
use calx_engine::{EngineError, Flowsheet, FlowsheetDef, SolveOptions, UnitDef};

mod support;

#[derive(Clone, Copy)]
enum Fault {
    Nan,
    Negative,
    LosesMass,
    BadUtility,
    Fails,
}

struct Faulty(Fault);
struct FaultyUnit(Fault);

impl UnitType for Faulty {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "faulty".into(),
            summary: "misbehaves on purpose".into(),
            ports: vec![PortSpec::inlet("in", ""), PortSpec::outlet("out", "")],
            params: vec![],
        }
    }
    fn create(&self, _: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        Ok(Box::new(FaultyUnit(self.0)))
    }
}

impl UnitOperation for FaultyUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        outlets[0].copy_from(&inlets[0]);
        match self.0 {
            Fault::Nan => outlets[0].flows[0] = f64::NAN,
            Fault::Negative => outlets[0].flows[0] = -1.0,
            Fault::LosesMass => outlets[0].flows[0] *= 0.5,
            Fault::BadUtility => report.utility(Utility::Electricity, "motor", f64::INFINITY),
            Fault::Fails => return Err(UnitError::Calculation("the model has no data for this feed".into())),
        }
        Ok(())
    }
}

fn solve_with(fault: Fault) -> EngineError {
    let bad = UnitDef {
        name: "bad".into(),
        unit_type: Arc::new(Faulty(fault)),
        params: Params::default(),
        inlets: vec![("in".into(), vec!["lime".into()])],
        outlets: vec![("out".into(), vec!["out".into()])],
    };
    let def = FlowsheetDef {
        name: "faults".into(),
        components: support::quicklime(),
        units: vec![support::lime_feed("lime"), bad],
        options: SolveOptions::default(),
        design_specs: vec![],
        calculators: vec![],
    };
    Flowsheet::build(def).unwrap().solve().unwrap_err()
}

#[test]
fn nan_and_negative_outlets_are_refused_naming_the_unit() {
    let e = solve_with(Fault::Nan).to_string();
    assert!(e.contains("unit `bad` (faulty) produced an invalid outlet `out`") && e.contains("NaN"), "{e}");
    let e = solve_with(Fault::Negative).to_string();
    assert!(e.contains("negative"), "{e}");
}

#[test]
fn a_unit_that_loses_mass_is_an_error() {
    let e = solve_with(Fault::LosesMass);
    assert!(matches!(&e, EngineError::Balance { unit, quantity, .. } if unit == "bad" && quantity == "mass"), "{e}");
}

#[test]
fn impossible_reports_and_calculation_errors_are_named() {
    let e = solve_with(Fault::BadUtility).to_string();
    assert!(e.contains("unit `bad` (faulty) reported electricity (motor) of inf"), "{e}");
    let e = solve_with(Fault::Fails).to_string();
    assert!(e.contains("unit `bad` (faulty) failed: the model has no data"), "{e}");
}

#[test]
fn every_build_problem_is_reported_at_once() {
    let orphan = UnitDef {
        name: "bad".into(),
        unit_type: Arc::new(Faulty(Fault::Nan)),
        params: Params::default(),
        inlets: vec![("in".into(), vec!["nowhere".into()]), ("feed".into(), vec!["lime".into()])],
        outlets: vec![],
    };
    let def = FlowsheetDef {
        name: "broken".into(),
        components: support::quicklime(),
        units: vec![support::lime_feed("lime"), orphan],
        options: SolveOptions { tears: vec!["ghost".into()], ..SolveOptions::default() },
        design_specs: vec![],
        calculators: vec![],
    };
    let Err(EngineError::Build(errors)) = Flowsheet::build(def) else { panic!("expected build errors") };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 4, "{text:#?}");
    assert!(text.iter().any(|t| t.contains("stream `nowhere` enters unit `bad` but no unit produces it")));
    assert!(text.iter().any(|t| t.contains("no port `feed`")));
    assert!(text.iter().any(|t| t.contains("port `out` is not connected")));
    assert!(text.iter().any(|t| t.contains("tear stream `ghost`: no such stream")));
}
