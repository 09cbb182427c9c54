//! A solve calculates again only what changed: a unit whose parameters and start state are
//! unchanged and whose inlets are, bit for bit, those of its last calculation keeps its
//! outlets and report (calculations are pure), and the result is the same as a fresh
//! flowsheet's. `SolverReport::unit_calculations` counts the calculations made.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::{
    ParamValue, Params, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};
use calx_engine::{Flowsheet, FlowsheetDef, SolveOptions, UnitDef, Variable};

mod support;

/// A unit that sends its `factor` of its inlet to `out` and the rest to `rest` (the factor
/// taken in place by `set`), and fails on a factor above 1.
struct Scale;
struct ScaleUnit(f64);

impl UnitType for Scale {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "scale".into(),
            summary: "splits its inlet".into(),
            ports: vec![PortSpec::inlet("in", ""), PortSpec::outlet("out", ""), PortSpec::outlet("rest", "")],
            params: vec![],
        }
    }
    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        Ok(Box::new(ScaleUnit(config.params.number("factor")?)))
    }
}

impl UnitOperation for ScaleUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], _: &mut UnitReport) -> Result<(), UnitError> {
        if self.0 > 1.0 {
            return Err(UnitError::Calculation(format!("factor {} above 1", self.0)));
        }
        for (outlet, share) in outlets.iter_mut().zip([self.0, 1.0 - self.0]) {
            outlet.copy_from(&inlets[0]);
            outlet.flows.iter_mut().for_each(|w| *w *= share);
        }
        Ok(())
    }
    fn set_number(&mut self, param: &str, _: Option<&str>, value: f64) -> Result<bool, UnitError> {
        self.0 = value;
        Ok(param == "factor")
    }
}

/// A feed of 1 kg/s, then `first` (factor 0.5), then `second` (factor 0.25).
fn flowsheet() -> Flowsheet {
    let scale = |name: &str, factor: f64, from: &str, to: &str| UnitDef {
        name: name.into(),
        unit_type: Arc::new(Scale),
        params: Params::new(BTreeMap::from([("factor".to_string(), ParamValue::Number(factor))])),
        inlets: vec![("in".into(), vec![from.into()])],
        outlets: vec![("out".into(), vec![to.into()]), ("rest".into(), vec![format!("{name}_rest")])],
    };
    let units = vec![support::lime_feed("s0"), scale("first", 0.5, "s0", "s1"), scale("second", 0.25, "s1", "s2")];
    let def = FlowsheetDef {
        name: "reuse".into(),
        components: support::quicklime(),
        units,
        options: SolveOptions::default(),
        design_specs: vec![],
        calculators: vec![],
    };
    Flowsheet::build(def).unwrap()
}

fn factor(unit: &str) -> Variable {
    Variable::UnitParam { unit: unit.into(), param: "factor".into(), key: None }
}

/// The product's flow and the unit calculations of one solve.
fn solve(f: &mut Flowsheet) -> (f64, usize) {
    let r = f.solve().unwrap_or_else(|e| panic!("{e}"));
    (r.stream("s2").unwrap().stream.flows[0], r.solver.unit_calculations)
}

#[test]
fn only_the_units_a_change_reaches_are_calculated_again() {
    let mut f = flowsheet();
    assert_eq!(solve(&mut f), (0.125, 3), "the first solve calculates every unit");
    assert_eq!(solve(&mut f), (0.125, 0), "nothing changed: nothing to calculate");
    f.set(&factor("second"), 0.5).unwrap();
    assert_eq!(solve(&mut f), (0.25, 1), "the last unit alone");
    f.set(&factor("first"), 0.25).unwrap();
    assert_eq!(solve(&mut f), (0.125, 2), "the first unit, and the second, whose inlet changed");
    // The same value, bit for bit, is no change.
    f.set(&factor("first"), 0.25).unwrap();
    assert_eq!(solve(&mut f), (0.125, 0));
    // Changed and put back: the unit calculates again, the one upstream does not.
    f.set(&factor("second"), 0.75).unwrap();
    f.set(&factor("second"), 0.5).unwrap();
    assert_eq!(solve(&mut f), (0.125, 1), "the second unit's parameter was touched; its inlet was not");
}

#[test]
fn a_unit_whose_calculation_failed_is_calculated_again() {
    let mut f = flowsheet();
    solve(&mut f);
    f.set(&factor("second"), 1.5).unwrap();
    for _ in 0..2 {
        let e = f.solve().unwrap_err().to_string();
        assert!(e.contains("second") && e.contains("above 1"), "{e}");
    }
    f.set(&factor("second"), 0.25).unwrap();
    assert_eq!(solve(&mut f), (0.125, 1));
}

#[test]
fn a_flowsheet_solved_again_gives_a_fresh_flowsheets_result() {
    let mut reused = flowsheet();
    reused.solve().unwrap();
    reused.set(&factor("second"), 0.75).unwrap();
    let again = reused.solve().unwrap();
    let mut fresh = flowsheet();
    fresh.set(&factor("second"), 0.75).unwrap();
    let mut new = fresh.solve().unwrap();
    assert_eq!((again.solver.unit_calculations, new.solver.unit_calculations), (1, 3));
    new.solver.unit_calculations = again.solver.unit_calculations;
    let json = |r: &calx_core::result::FlowsheetResult| serde_json::to_string(r).unwrap();
    assert_eq!(json(&again), json(&new), "balances, reports and streams alike");
}
