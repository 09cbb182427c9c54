//! No silent wrong result (issue 14): a recycle without a steady state is not converged by any
//! method, an open flowsheet balance is an error, overflowing or NaN balances are refused,
//! out-of-range outlet temperatures and pressures are errors naming the unit, and huge recycle
//! blocks report that their tears were chosen heuristically; a unit that breaks the energy
//! balance is refused by name (issue 15).

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::thermo::{HeatCapacity, ShomateRange};
use calx_core::{Component, ComponentSet, ParamValue, Params, Phase, UnitType};
use calx_engine::{EngineError, Flowsheet, FlowsheetDef, Method, SolveOptions, TearSelection, UnitDef};
use calx_generic::{Feed, Heater, Mixer, Splitter};

/// CaO and H2O with constant heat capacities (docs/sources.md §Formation enthalpies, as in the
/// engine's benchmark).
fn components() -> Arc<ComponentSet> {
    let mk = |name: &str, phase, h_f: f64, cp: f64| {
        let mut c = Component::from_formula(name, name, phase).unwrap();
        c.formation_enthalpy = Some(h_f * 1e3);
        c.heat_capacity = Some(HeatCapacity::Constant { cp });
        c
    };
    Arc::new(
        ComponentSet::new(vec![mk("CaO", Phase::Solid, -634.9, 42.0), mk("H2O", Phase::Liquid, -285.8, 75.3)]).unwrap(),
    )
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn unit(
    name: &str,
    unit_type: Arc<dyn UnitType>,
    params: &[(&str, ParamValue)],
    inlets: &[&str],
    outlets: &[&str],
) -> UnitDef {
    UnitDef {
        name: name.into(),
        unit_type,
        params: Params::new(params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
        inlets: if inlets.is_empty() { vec![] } else { vec![("in".into(), strings(inlets))] },
        outlets: vec![("out".into(), strings(outlets))],
    }
}

/// A feed of `total` kg/s, half CaO and half water, at `t` K and 1 atm.
fn feed(name: &str, total: f64, t: f64) -> UnitDef {
    feed_at(name, total, t, 101_325.0)
}

/// A feed of `total` kg/s, half CaO and half water, at `t` K and `p` Pa.
fn feed_at(name: &str, total: f64, t: f64, p: f64) -> UnitDef {
    let composition = BTreeMap::from([("CaO".to_string(), num(0.5)), ("H2O".to_string(), num(0.5))]);
    unit(
        name,
        Arc::new(Feed),
        &[("total", num(total)), ("composition", ParamValue::Map(composition)), ("T", num(t)), ("P", num(p))],
        &[],
        &[name],
    )
}

fn def(units: Vec<UnitDef>, options: SolveOptions) -> FlowsheetDef {
    FlowsheetDef {
        name: "trust".into(),
        components: components(),
        units,
        options,
        design_specs: vec![],
        calculators: vec![],
    }
}

/// feed (2 t/h) -> mixer -> splitter returning `returned` of its inlet to the mixer.
fn recycle(returned: f64, options: SolveOptions) -> FlowsheetDef {
    let fractions = ParamValue::Map(BTreeMap::from([("recycle".to_string(), num(returned))]));
    def(
        vec![
            feed("feed", 2000.0 / 3600.0, 298.15),
            unit("mixer", Arc::new(Mixer), &[], &["feed", "recycle"], &["mixed"]),
            unit("split", Arc::new(Splitter), &[("fractions", fractions)], &["mixed"], &["recycle", "product"]),
        ],
        options,
    )
}

fn solve(def: FlowsheetDef) -> Result<calx_core::result::FlowsheetResult, EngineError> {
    Flowsheet::build(def).unwrap_or_else(|e| panic!("builds: {e}")).solve()
}

fn with_method(method: Method) -> SolveOptions {
    let mut o = SolveOptions::default();
    o.recycle.method = method;
    o
}

#[test]
fn a_recycle_returning_everything_is_not_converged_by_any_method() {
    // Broyden used to report this converged with the recycle at 9e18 kg/h, once the relative
    // test 1e-10 |x| exceeded the feed the loop gains per pass.
    for method in Method::ALL {
        let e = solve(recycle(1.0, with_method(method))).unwrap_err();
        assert!(matches!(&e, EngineError::NotConverged { tears, .. } if tears == &["recycle"]), "{method}: {e}");
    }
    // The same loop returning 90 % converges with every method, to recycle = 9 x feed.
    for method in Method::ALL {
        let r = solve(recycle(0.9, with_method(method))).unwrap_or_else(|e| panic!("{method}: {e}"));
        let total = r.stream("recycle").unwrap().stream.total_mass();
        assert!((total - 9.0 * 2000.0 / 3600.0).abs() < 1e-8, "{method}: {total}");
        assert_eq!(r.solver.loops[0].tear_selection, TearSelection::Minimum);
    }
}

#[test]
fn an_open_flowsheet_balance_is_an_error_naming_quantity_in_out_and_relative_error() {
    // A tolerance so loose that the runaway loop "converges" after one pass: everything the
    // feed brings in stays in the loop, nothing leaves. Every unit conserves, so only the
    // flowsheet balance can tell.
    let mut o = with_method(Method::DirectSubstitution);
    o.recycle.rel_tol = 1.0;
    o.recycle.scale_tol = 1e300;
    let e = solve(recycle(1.0, o.clone())).unwrap_err();
    let EngineError::FlowsheetBalance { quantity, inflow, outflow, relative_error, tolerance } = &e else {
        panic!("{e}")
    };
    assert_eq!((quantity.as_str(), *outflow, *relative_error, *tolerance), ("mass", 0.0, 1.0, 1e-6), "{e}");
    assert!((inflow - 2000.0 / 3600.0).abs() < 1e-12, "{e}");
    let text = e.to_string();
    assert!(text.contains("the flowsheet does not conserve mass") && text.contains("relative error 1.00e0"), "{text}");
    // Allowed when the user says so; the enthalpy the material carries is missing too, so the
    // energy closure is the next error, and it is also the user's to loosen.
    o.flowsheet_balance_tolerance = 1.5;
    let e = solve(recycle(1.0, o.clone())).unwrap_err();
    assert!(
        matches!(&e, EngineError::FlowsheetEnergy { outflow, relative_error, .. } if *outflow == 0.0 && *relative_error == 1.0),
        "{e}"
    );
    o.energy_balance_tolerance = 1.5;
    assert!(solve(recycle(1.0, o)).is_ok());
}

#[test]
fn a_balance_that_overflows_is_refused_not_printed() {
    // Two feeds of 1.7e308 kg/s: every flow is finite, but the mixer's throughput overflows to
    // infinity, and its closure (inf - inf) / inf used to be NaN, which passed `NaN > tol`.
    let big = 1.7e308;
    let units = vec![
        feed("a", big, 298.15),
        feed("b", big, 298.15),
        unit("mixer", Arc::new(Mixer), &[], &["a", "b"], &["product"]),
    ];
    let e = solve(def(units, SolveOptions::default())).unwrap_err();
    assert!(matches!(&e, EngineError::Balance { unit, quantity, .. } if unit == "mixer" && quantity == "mass"), "{e}");
}

#[test]
fn outlet_temperatures_and_pressures_outside_the_sane_ranges_are_errors_naming_the_unit() {
    let heated = |p: f64, t: f64| {
        let units = vec![
            feed_at("feed", 1.0, 298.15, p),
            unit("heater", Arc::new(Heater), &[("T", num(t)), ("pressure_drop", num(0.0))], &["feed"], &["product"]),
        ];
        solve(def(units, SolveOptions::default()))
    };
    assert!(heated(101_325.0, 5000.0).is_ok());
    for (p, t, culprit, what) in [
        (101_325.0, 7000.0, "heater", "temperature 7000 K is outside the sane range"),
        (2e9, 400.0, "feed", "pressure 2e9 Pa is outside the sane range"),
    ] {
        let e = heated(p, t).unwrap_err();
        assert!(matches!(&e, EngineError::InvalidOutlet { unit, .. } if unit == culprit), "{e}");
        assert!(e.to_string().contains(what), "{e}");
    }
}

/// CO2 and N2 with the NIST Shomate ranges of the component library (`components.yaml`, see
/// docs/sources.md §Heat capacities), extrapolated beyond them as the engine does.
fn co2_n2() -> Arc<ComponentSet> {
    let shomate = |ranges: &[(f64, f64, [f64; 5])]| HeatCapacity::Shomate {
        ranges: ranges
            .iter()
            .map(|&(t_min, t_max, coefficients)| ShomateRange { t_min, t_max, coefficients })
            .collect(),
    };
    let mk = |name: &str, h_f: f64, cp: HeatCapacity| {
        let mut c = Component::from_formula(name, name, Phase::Gas).unwrap();
        c.formation_enthalpy = Some(h_f);
        c.heat_capacity = Some(cp);
        c
    };
    let co2 = shomate(&[(298.0, 1200.0, [24.99735, 55.18696, -33.69137, 7.948387, -0.136638])]);
    let n2 = shomate(&[
        (100.0, 500.0, [28.98641, 1.853978, -9.647459, 16.63537, 0.000117]),
        (500.0, 2000.0, [19.50583, 19.88705, -8.598535, 1.369784, 0.527601]),
    ]);
    Arc::new(ComponentSet::new(vec![mk("CO2", -393.5e3, co2), mk("N2", 0.0, n2)]).unwrap())
}

#[test]
fn a_feed_hotter_than_any_data_is_an_error_not_a_mixer_at_its_search_bound() {
    // At 1e200 K the Shomate enthalpy is NaN, and the mixer used to return its 3000 K search
    // bound as the mixed temperature, with exit status 0.
    let gas = |name: &str, component: &str, t: f64| {
        let composition = ParamValue::Map(BTreeMap::from([(component.to_string(), num(1.0))]));
        let params = [("total", num(1.0)), ("composition", composition), ("T", num(t)), ("P", num(101_325.0))];
        unit(name, Arc::new(Feed), &params, &[], &[name])
    };
    let units = vec![
        gas("hot", "CO2", 1e200),
        gas("cold", "N2", 298.15),
        unit("mixer", Arc::new(Mixer), &[], &["hot", "cold"], &["product"]),
    ];
    let def = FlowsheetDef { components: co2_n2(), ..def(units, SolveOptions::default()) };
    let e = solve(def).unwrap_err().to_string();
    assert!(e.contains("`hot`") && e.contains("temperature 1e200 K is outside the sane range"), "{e}");
}

/// `trains` of mixer -> splitter, each splitter returning half to the previous train's
/// mixer: one block of overlapping recycles.
fn overlapping(trains: usize) -> FlowsheetDef {
    let mut units = vec![feed("feed", 1.0, 298.15)];
    for i in 0..trains {
        let (fwd, back, mixed) = (format!("fwd_{i}"), format!("back_{i}"), format!("mixed_{i}"));
        let upstream = if i == 0 { "feed".to_string() } else { format!("fwd_{}", i - 1) };
        let returned = format!("back_{}", i + 1);
        let mut inlets = vec![upstream.as_str()];
        if i + 1 < trains {
            inlets.push(&returned);
        }
        units.push(unit(&format!("mixer_{i}"), Arc::new(Mixer), &[], &inlets, &[&mixed]));
        let forward = if i + 1 < trains { fwd.as_str() } else { "product" };
        let mut outlets = vec![forward];
        if i > 0 {
            outlets.push(&back);
        }
        let share = if outlets.len() == 1 { 1.0 } else { 0.5 };
        let fractions = ParamValue::Map(BTreeMap::from([(forward.to_string(), num(share))]));
        units.push(unit(
            &format!("splitter_{i}"),
            Arc::new(Splitter),
            &[("fractions", fractions)],
            &[&mixed],
            &outlets,
        ));
    }
    def(units, SolveOptions::default())
}

#[test]
fn tear_selection_reports_minimum_or_heuristic() {
    // Small: the exhaustive search proves the fewest tears.
    let small = Flowsheet::build(overlapping(4)).unwrap();
    // Back edges first (back_1, back_2, back_3), then the other streams in order: the first
    // pair that breaks all three recycles.
    assert_eq!(small.tears(), vec![(TearSelection::Minimum, strings(&["back_1", "mixed_2"]))]);
    let r = Flowsheet::build(overlapping(4)).unwrap().solve().unwrap();
    assert_eq!(r.solver.loops[0].tear_selection, TearSelection::Minimum);
    // 1,000 overlapping recycles in one block: beyond the search's work bound, so the back
    // edges of the depth-first walk, one per recycle, reported as a heuristic choice.
    let large = Flowsheet::build(overlapping(1000)).unwrap();
    let tears = large.tears();
    assert_eq!(tears.len(), 1);
    assert_eq!(tears[0].0, TearSelection::Heuristic);
    assert_eq!(tears[0].1.len(), 999);
    assert!(tears[0].1.iter().all(|t| t.starts_with("back_")), "{:?}", &tears[0].1[..5]);
}

/// A unit that warms its stream by 10 K and reports no heat: it conserves mass and every
/// element, so only the energy closure can catch it.
struct WarmsForFree;

struct WarmsForFreeUnit;

impl UnitType for WarmsForFree {
    fn descriptor(&self) -> calx_core::UnitDescriptor {
        calx_core::UnitDescriptor {
            type_name: "warms_for_free".into(),
            summary: "test fixture: heats without a duty".into(),
            ports: vec![calx_core::PortSpec::inlet("in", "feed"), calx_core::PortSpec::outlet("out", "warmer")],
            params: vec![],
        }
    }

    fn create(&self, _: &calx_core::UnitConfig<'_>) -> Result<Box<dyn calx_core::UnitOperation>, calx_core::UnitError> {
        Ok(Box::new(WarmsForFreeUnit))
    }
}

impl calx_core::UnitOperation for WarmsForFreeUnit {
    fn calculate(
        &self,
        inlets: &[calx_core::Stream],
        outlets: &mut [calx_core::Stream],
        _: &mut calx_core::UnitReport,
    ) -> Result<(), calx_core::UnitError> {
        outlets[0].copy_from(&inlets[0]);
        outlets[0].temperature = inlets[0].temperature + 10.0;
        Ok(())
    }
}

#[test]
fn a_unit_that_breaks_the_energy_balance_is_refused_by_name() {
    let units = vec![feed("feed", 1.0, 298.15), unit("warm", Arc::new(WarmsForFree), &[], &["feed"], &["product"])];
    let e = solve(def(units, SolveOptions::default())).unwrap_err();
    let EngineError::Energy { unit, type_name, inflow, outflow, relative_error, tolerance } = &e else { panic!("{e}") };
    assert_eq!((unit.as_str(), type_name.as_str(), *tolerance), ("warm", "warms_for_free", 1e-6));
    // 10 K of sensible heat on 0.5 kg/s each of CaO (42.0 J/(mol K), 56.077 g/mol) and
    // water (75.3 J/(mol K), 18.015 g/mol), the fixture's constant heat capacities.
    let sensible = 10.0 * (0.5 * 42.0 / 0.056077 + 0.5 * 75.3 / 0.018015);
    assert!((outflow - inflow - sensible).abs() < 1e-6 * sensible, "{e}");
    assert!(*relative_error > 1e-4, "{e}");
    assert!(e.to_string().contains("unit `warm` (warms_for_free) does not conserve energy"), "{e}");
}

#[test]
fn a_heater_closes_its_energy_balance_and_so_does_the_flowsheet() {
    let heater =
        unit("heat", Arc::new(Heater), &[("T", num(350.0)), ("pressure_drop", num(0.0))], &["feed"], &["product"]);
    let r = solve(def(vec![feed("feed", 1.0, 298.15), heater], SolveOptions::default())).unwrap();
    let unit = r.unit("heat").unwrap().energy.closure().cloned().unwrap();
    let plant = r.energy.closure().cloned().unwrap();
    for c in [&unit, &plant] {
        assert!(c.relative_error < 1e-12, "{c:?}");
    }
    // The duty the heater reports is what the closure counts: out - in of the enthalpy alone.
    let duty = r.unit("heat").unwrap().report.total(calx_core::Utility::Heating);
    assert!(duty > 0.0 && (unit.inflow - unit.outflow).abs() < 1e-9 * duty.max(1.0));
}

/// A machine that changes its stream's temperature by `dt` K and declares the enthalpy change
/// as shaft work (`UnitReport::shaft_work`): a compressor when `dt` > 0, an expander when
/// `dt` < 0. Mass and elements are conserved; only the work term closes the energy balance.
struct Machine {
    dt: f64,
}

struct MachineUnit {
    dt: f64,
    set: Arc<ComponentSet>,
}

impl UnitType for Machine {
    fn descriptor(&self) -> calx_core::UnitDescriptor {
        calx_core::UnitDescriptor {
            type_name: "machine".into(),
            summary: "test fixture: warms or cools by declared shaft work".into(),
            ports: vec![calx_core::PortSpec::inlet("in", "feed"), calx_core::PortSpec::outlet("out", "worked")],
            params: vec![],
        }
    }

    fn create(&self, c: &calx_core::UnitConfig<'_>) -> Result<Box<dyn calx_core::UnitOperation>, calx_core::UnitError> {
        Ok(Box::new(MachineUnit { dt: self.dt, set: c.components.clone() }))
    }
}

impl calx_core::UnitOperation for MachineUnit {
    fn calculate(
        &self,
        inlets: &[calx_core::Stream],
        outlets: &mut [calx_core::Stream],
        report: &mut calx_core::UnitReport,
    ) -> Result<(), calx_core::UnitError> {
        outlets[0].copy_from(&inlets[0]);
        outlets[0].temperature = inlets[0].temperature + self.dt;
        let h = |s: &calx_core::Stream| calx_core::thermo::enthalpy_flow(&self.set, &s.flows, s.temperature);
        report.shaft_work("test work", h(&outlets[0])? - h(&inlets[0])?);
        Ok(())
    }
}

#[test]
fn shaft_work_a_unit_declares_closes_its_energy_balance_and_the_flowsheet_s() {
    // The same 10 K warming as `warms_for_free`, now declared as work done on the stream.
    let sensible = 10.0 * (0.5 * 42.0 / 0.056077 + 0.5 * 75.3 / 0.018015);
    for (dt, work) in [(10.0, sensible), (-10.0, -sensible)] {
        let units = vec![feed("feed", 1.0, 320.0), unit("m", Arc::new(Machine { dt }), &[], &["feed"], &["product"])];
        let r = solve(def(units, SolveOptions::default())).unwrap();
        let m = r.unit("m").unwrap();
        assert!((m.report.total_work() - work).abs() < 1e-6 * sensible, "{:?}", m.report.work);
        let unit = m.energy.closure().cloned().unwrap();
        let plant = r.energy.closure().cloned().unwrap();
        for c in [&unit, &plant] {
            assert!(c.relative_error < 1e-12, "{c:?}");
        }
        // Work done on the stream counts on the inflow side, work taken from it on the
        // outflow side, as heat supplied and removed do.
        let (product, feed) = (r.stream("product").unwrap(), r.stream("feed").unwrap());
        let enthalpy = |s: &calx_core::result::StreamResult| {
            calx_core::thermo::enthalpy_flow(&r.components, &s.stream.flows, s.stream.temperature).unwrap()
        };
        let (h_in, h_out) = (enthalpy(feed), enthalpy(product));
        let (inflow, outflow) = if work > 0.0 { (h_in + work, h_out) } else { (h_in, h_out - work) };
        assert!((unit.inflow - inflow).abs() < 1e-9 * sensible && (unit.outflow - outflow).abs() < 1e-9 * sensible);
        // The plant-wide result serializes the work (and units without work serialize none).
        let json = serde_json::to_string(&m.report).unwrap();
        assert!(json.contains("\"work\":[{\"purpose\":\"test work\""), "{json}");
    }
    let units = vec![feed("feed", 1.0, 298.15), unit("warm", Arc::new(WarmsForFree), &[], &["feed"], &["product"])];
    let e = solve(def(units, SolveOptions::default())).unwrap_err();
    assert!(matches!(e, EngineError::Energy { .. }), "undeclared work must fail: {e}");
}
