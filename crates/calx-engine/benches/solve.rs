//! Solve-time benchmarks of the sequential-modular engine (divan).
//!
//! Every benchmark times a COLD solve: the engine warm-starts recycle tears from the previous
//! solve, so each sample gets a freshly built [`Flowsheet`] from `with_inputs` (not timed) and
//! only `solve()` is measured. Every solve is unwrapped, so a flowsheet that stops converging
//! fails the benchmark loudly instead of timing an error path.
//!
//! Flowsheets are built directly in Rust (calx-engine must not depend on the flowsheet
//! crate), with parameters in SI and defaults filled in from each unit type's descriptor, as
//! the flowsheet layer does.
//!
//! Run: `cargo bench -p calx-engine`.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::thermo::HeatCapacity;
use calx_core::{Component, ComponentSet, ParamValue, Params, Phase, UnitType};
use calx_engine::{Flowsheet, FlowsheetDef, Method, SolveOptions, UnitDef};
use calx_generic::{ComponentSeparator, ConversionReactor, Feed, Heater, Mixer, Splitter};
use divan::Bencher;

fn main() {
    divan::main();
}

/// t/h -> kg/s.
const T_PER_H: f64 = 1000.0 / 3600.0;
/// degC -> K.
const fn deg_c(t: f64) -> f64 {
    t + 273.15
}

/// CaO, H2O, Ca(OH)2 with CRC formation enthalpies (kJ/mol) and constant Cp at 298 K
/// (J/(mol K)) (docs/sources.md §Formation enthalpies), as in `lime-slaking-recycle.yaml`.
fn components() -> Arc<ComponentSet> {
    let mk = |name: &str, phase, h_f: f64, cp: f64| {
        let mut c = Component::from_formula(name, name, phase).expect("valid formula");
        c.formation_enthalpy = Some(h_f * 1e3);
        c.heat_capacity = Some(HeatCapacity::Constant { cp });
        c
    };
    Arc::new(
        ComponentSet::new(vec![
            mk("CaO", Phase::Solid, -634.9, 42.0),
            mk("H2O", Phase::Liquid, -285.8, 75.3),
            mk("Ca(OH)2", Phase::Solid, -985.2, 87.5),
        ])
        .expect("distinct components"),
    )
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn map(pairs: &[(&str, f64)]) -> ParamValue {
    ParamValue::Map(pairs.iter().map(|(k, v)| (k.to_string(), num(*v))).collect())
}

fn texts(items: &[&str]) -> ParamValue {
    ParamValue::List(items.iter().map(|s| ParamValue::Text(s.to_string())).collect())
}

/// A unit definition; parameters not given get the unit type's defaults.
fn unit(
    name: &str,
    unit_type: Arc<dyn UnitType>,
    params: &[(&str, ParamValue)],
    inlets: &[(&str, &[&str])],
    outlets: &[(&str, &[&str])],
) -> UnitDef {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for spec in unit_type.descriptor().params {
        if let (Some(d), false) = (spec.default, values.contains_key(&spec.name)) {
            values.insert(spec.name, d);
        }
    }
    let ports = |l: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
        l.iter().map(|(p, s)| (p.to_string(), s.iter().map(|x| x.to_string()).collect())).collect()
    };
    UnitDef {
        name: name.into(),
        unit_type,
        params: Params::new(values),
        inlets: ports(inlets),
        outlets: ports(outlets),
    }
}

/// A feed unit named after its stream (as the flowsheet layer builds `streams:` entries).
fn feed(stream: &str, component: &str, t_per_h: f64, t: f64) -> UnitDef {
    unit(
        stream,
        Arc::new(Feed),
        &[("total", num(t_per_h * T_PER_H)), ("composition", map(&[(component, 1.0)])), ("T", num(t))],
        &[],
        &[("out", &[stream])],
    )
}

fn options(method: Method) -> SolveOptions {
    let mut o = SolveOptions::default();
    o.recycle.method = method;
    o.recycle.rel_tol = 1e-12;
    o
}

/// `flowsheets/lime-slaking-recycle.yaml`: quicklime (1 t/h CaO) and water (2 t/h H2O) at
/// 25 degC -> mixer -> slaker (CaO + H2O -> Ca(OH)2, 60 % conversion of CaO, held at 25 degC)
/// -> classifier (90 % of CaO to `recycle`, the rest to `product`); `recycle` -> mixer.
fn lime_slaking(method: Method) -> FlowsheetDef {
    let mixer = Arc::new(Mixer);
    FlowsheetDef {
        name: "Lime slaking with unreacted-lime recycle".into(),
        components: components(),
        units: vec![
            feed("quicklime", "CaO", 1.0, deg_c(25.0)),
            feed("water", "H2O", 2.0, deg_c(25.0)),
            unit("mixer", mixer, &[], &[("in", &["quicklime", "water", "recycle"])], &[("out", &["slaker_feed"])]),
            unit(
                "slaker",
                Arc::new(ConversionReactor),
                &[
                    ("reactions", texts(&["CaO + H2O -> Ca(OH)2"])),
                    ("conversion", map(&[("CaO", 0.6)])),
                    ("T", num(deg_c(25.0))),
                ],
                &[("in", &["slaker_feed"])],
                &[("out", &["slaked"])],
            ),
            unit(
                "classifier",
                Arc::new(ComponentSeparator),
                &[("split", map(&[("CaO", 0.9)]))],
                &[("in", &["slaked"])],
                &[("separated", &["recycle"]), ("remainder", &["product"])],
            ),
        ],
        options: options(method),
        design_specs: Vec::new(),
        calculators: Vec::new(),
    }
}

/// Units per train of [`lime_plant`].
const TRAIN_UNITS: usize = 10;
/// Trains benchmarked: 100 x 10 = 1,000 units.
const TRAINS: usize = 100;

/// A generated plant of `trains` lime-slaking trains in series, each of exactly 10 units and
/// one recycle loop (so 100 trains = 1,000 units, 100 loops, 100 tears):
///
/// ```text
/// lime_i (feed, 1 t/h CaO) ─┐
/// water_i (feed, 2 t/h H2O) ┼─> mixer_i ─> slaker_i ─> cooler_i ─> classifier_i ─fines─> collector_i ─> thickener_i ─paste─> (product)
/// overflow_{i-1} ───────────┘      ^       adiabatic    to 60 degC   │ grit              ^                │ overflow
///                                  │       60 % CaO                  v                   │ purge          v
///                                  └── return_line_i <── splitter_i (95 % return) ───────┘            mixer_{i+1}
///                                      (-5 kW heat loss)
/// ```
///
/// The loop (mixer, slaker, cooler, classifier, splitter, return line) is torn on `recycle_i`;
/// the thickener's water overflow feeds the next train's mixer, so the loops are solved in
/// series and exercise the energy balances too: adiabatic mixing of inlets at different
/// temperatures, an adiabatic reactor (`duty: 0`), a heater to a set temperature and one with
/// a set duty (each of which solves for a temperature on every pass).
fn lime_plant(trains: usize, method: Method) -> FlowsheetDef {
    let mixer: Arc<dyn UnitType> = Arc::new(Mixer);
    let reactor: Arc<dyn UnitType> = Arc::new(ConversionReactor);
    let heater: Arc<dyn UnitType> = Arc::new(Heater);
    let separator: Arc<dyn UnitType> = Arc::new(ComponentSeparator);
    let splitter: Arc<dyn UnitType> = Arc::new(Splitter);
    let mut units = Vec::with_capacity(trains * TRAIN_UNITS);
    for i in 0..trains {
        let s = |name: &str| format!("{name}_{i}");
        let (lime, water, recycle) = (s("lime"), s("water"), s("recycle"));
        let (slaker_feed, slaked, cooled, grit, fines) =
            (s("slaker_feed"), s("slaked"), s("cooled"), s("grit"), s("fines"));
        let (ret, purge, slurry, paste, overflow) = (s("return"), s("purge"), s("slurry"), s("paste"), s("overflow"));
        let upstream = (i > 0).then(|| format!("overflow_{}", i - 1));
        let mut mixed: Vec<&str> = vec![&lime, &water, &recycle];
        mixed.extend(upstream.as_deref());
        units.push(feed(&lime, "CaO", 1.0, deg_c(25.0)));
        units.push(feed(&water, "H2O", 2.0, deg_c(25.0)));
        units.push(unit(&s("mixer"), mixer.clone(), &[], &[("in", &mixed)], &[("out", &[&slaker_feed])]));
        units.push(unit(
            &s("slaker"),
            reactor.clone(),
            &[
                ("reactions", texts(&["CaO + H2O -> Ca(OH)2"])),
                ("conversion", map(&[("CaO", 0.6)])),
                ("duty", num(0.0)),
            ],
            &[("in", &[&slaker_feed])],
            &[("out", &[&slaked])],
        ));
        units.push(unit(
            &s("cooler"),
            heater.clone(),
            &[("T", num(deg_c(60.0)))],
            &[("in", &[&slaked])],
            &[("out", &[&cooled])],
        ));
        units.push(unit(
            &s("classifier"),
            separator.clone(),
            &[("split", map(&[("CaO", 0.9), ("Ca(OH)2", 0.05), ("H2O", 0.1)]))],
            &[("in", &[&cooled])],
            &[("separated", &[&grit]), ("remainder", &[&fines])],
        ));
        units.push(unit(
            &s("splitter"),
            splitter.clone(),
            &[("fractions", map(&[(&ret, 0.95)]))],
            &[("in", &[&grit])],
            &[("out", &[&ret, &purge])],
        ));
        units.push(unit(
            &s("return_line"),
            heater.clone(),
            &[("duty", num(-5e3))],
            &[("in", &[&ret])],
            &[("out", &[&recycle])],
        ));
        units.push(unit(&s("collector"), mixer.clone(), &[], &[("in", &[&fines, &purge])], &[("out", &[&slurry])]));
        units.push(unit(
            &s("thickener"),
            separator.clone(),
            &[("split", map(&[("CaO", 0.98), ("Ca(OH)2", 0.98), ("H2O", 0.5)]))],
            &[("in", &[&slurry])],
            &[("separated", &[&paste]), ("remainder", &[&overflow])],
        ));
    }
    FlowsheetDef {
        name: format!("{trains} lime-slaking trains in series"),
        components: components(),
        units,
        options: options(method),
        design_specs: Vec::new(),
        calculators: Vec::new(),
    }
}

fn build(def: &FlowsheetDef) -> Flowsheet {
    Flowsheet::build(def.clone()).expect("benchmark flowsheet builds")
}

/// Solve once and check the answer, so a broken flowsheet fails before anything is timed.
fn check_lime_slaking(method: Method) {
    let r = build(&lime_slaking(method)).solve().expect("lime slaking converges");
    let product = r.streams.iter().find(|s| s.name == "product").expect("product stream");
    // Overall conversion 0.6 / (1 - 0.9 x 0.4) = 93.75 %: 0.0625 t/h of CaO leaves.
    let cao = product.stream.flows[0] / T_PER_H;
    assert!((cao - 0.0625).abs() < 1e-9, "product CaO {cao} t/h, expected 0.0625 t/h");
    assert_eq!(r.solver.loops.len(), 1);
}

/// The lime-slaking recycle flowsheet as written (Wegstein). Target: under 50 us.
#[divan::bench]
fn recycle_flowsheet(bencher: Bencher) {
    recycle_flowsheet_with(bencher, Method::Wegstein);
}

/// The same flowsheet with each recycle method.
#[divan::bench(args = [Method::DirectSubstitution, Method::Wegstein, Method::Broyden])]
fn recycle_flowsheet_by_method(bencher: Bencher, method: Method) {
    recycle_flowsheet_with(bencher, method);
}

fn recycle_flowsheet_with(bencher: Bencher, method: Method) {
    check_lime_slaking(method);
    let def = lime_slaking(method);
    bencher.with_inputs(|| build(&def)).bench_local_refs(|f| f.solve().expect("lime slaking converges"));
}

/// 1,000 units in 100 recycle loops (Wegstein). Target: under 50 ms.
#[divan::bench(sample_count = 30)]
fn thousand_units_hundred_loops(bencher: Bencher) {
    let def = lime_plant(TRAINS, Method::Wegstein);
    assert_eq!(def.units.len(), TRAINS * TRAIN_UNITS);
    assert_eq!(def.units.len(), 1_000);
    let r = build(&def).solve().expect("1,000-unit plant converges");
    assert_eq!(r.solver.loops.len(), 100, "one recycle loop per train");
    assert!(r.solver.loops.iter().all(|l| l.tears.len() == 1 && l.tears[0].starts_with("recycle_")));
    bencher.with_inputs(|| build(&def)).bench_local_refs(|f| f.solve().expect("1,000-unit plant converges"));
}
