//! Build-time benchmarks of the flowsheet graph (divan): connections, strongly connected
//! components, calculation order and tear selection on generated flowsheets of 10,000 units
//! of different shapes. Target: under 1 s each, whatever the shape.
//!
//! Only `Flowsheet::build` is timed (the definition is cloned outside the timing); nothing is
//! solved, since the shapes are chosen for their graphs, not their chemistry. Each benchmark
//! first builds once and checks the tear selection it expects, so a change of algorithm that
//! silently changes the answer fails here instead of being timed.
//!
//! Run: `cargo bench -p calx-engine --bench topology`.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::result::TearSelection;
use calx_core::{Component, ComponentSet, ParamValue, Params, Phase, UnitType};
use calx_engine::{Flowsheet, FlowsheetDef, SolveOptions, UnitDef};
use calx_generic::{Feed, Mixer, Splitter};
use divan::Bencher;

fn main() {
    divan::main();
}

/// Units in every generated flowsheet.
const UNITS: usize = 10_000;

fn components() -> Arc<ComponentSet> {
    let water = Component::from_formula("H2O", "H2O", Phase::Liquid).expect("valid formula");
    Arc::new(ComponentSet::new(vec![water]).expect("one component"))
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn names(items: &[String]) -> Vec<String> {
    items.to_vec()
}

fn unit(name: String, unit_type: Arc<dyn UnitType>, params: Params, inlets: &[String], outlets: &[String]) -> UnitDef {
    UnitDef {
        name,
        unit_type,
        params,
        inlets: vec![("in".into(), names(inlets))],
        outlets: vec![("out".into(), names(outlets))],
    }
}

/// 1 kg/s of water at 25 degC and 1 atm, on stream `feed`.
fn feed() -> UnitDef {
    let params = Params::new(BTreeMap::from([
        ("total".to_string(), num(1.0)),
        ("composition".to_string(), ParamValue::Map(BTreeMap::from([("H2O".to_string(), num(1.0))]))),
        ("T".to_string(), num(298.15)),
        ("P".to_string(), num(101_325.0)),
    ]));
    UnitDef {
        name: "feed".into(),
        unit_type: Arc::new(Feed),
        params,
        inlets: vec![],
        outlets: vec![("out".into(), vec!["feed".into()])],
    }
}

/// A splitter sharing its inlet equally among its outlets.
fn splitter(name: String, inlet: &str, outlets: &[String]) -> UnitDef {
    let share = 1.0 / outlets.len() as f64;
    // Every outlet but the last is given; the last takes the rest.
    let fractions: BTreeMap<String, ParamValue> =
        outlets[..outlets.len() - 1].iter().map(|o| (o.clone(), num(share))).collect();
    let params = Params::new(BTreeMap::from([("fractions".to_string(), ParamValue::Map(fractions))]));
    unit(name, Arc::new(Splitter), params, &[inlet.to_string()], outlets)
}

fn mixer(name: String, inlets: &[String], outlet: &str) -> UnitDef {
    unit(name, Arc::new(Mixer), Params::default(), inlets, &[outlet.to_string()])
}

fn def(name: &str, units: Vec<UnitDef>) -> FlowsheetDef {
    assert_eq!(units.len(), UNITS, "{name}");
    FlowsheetDef {
        name: name.into(),
        components: components(),
        units,
        options: SolveOptions::default(),
        design_specs: Vec::new(),
        calculators: Vec::new(),
    }
}

/// feed -> mixer_1 -> ... -> mixer_9999: no recycle at all.
fn chain() -> FlowsheetDef {
    let mut units = vec![feed()];
    for i in 1..UNITS {
        let inlet = if i == 1 { "feed".to_string() } else { format!("s{}", i - 1) };
        units.push(mixer(format!("mixer_{i}"), &[inlet], &format!("s{i}")));
    }
    def("chain", units)
}

/// The chain closed into one loop of 9,999 units: the last unit, a splitter, returns half of
/// its inlet to the first mixer.
fn one_loop() -> FlowsheetDef {
    let mut units = vec![feed(), mixer("mixer_1".into(), &["feed".into(), "back".into()], "s1")];
    for i in 2..UNITS - 1 {
        units.push(mixer(format!("mixer_{i}"), &[format!("s{}", i - 1)], &format!("s{i}")));
    }
    units.push(splitter("splitter".into(), &format!("s{}", UNITS - 2), &["back".into(), "product".into()]));
    def("one loop", units)
}

/// 3,333 trains of mixer -> pipe (a one-inlet mixer) -> splitter; each splitter sends half
/// forward to the next train's mixer and half back to the previous train's mixer. Every two
/// neighbouring trains form a recycle and neighbouring recycles share streams: one block of
/// 9,999 units whose fewest tears (every other train's pipe stream, about 1,667) the
/// depth-first walk's back edges (3,332) do not find.
fn overlapping_recycles() -> FlowsheetDef {
    let trains = (UNITS - 1) / 3;
    let mut units = vec![feed()];
    for i in 0..trains {
        let mut inlets = vec![if i == 0 { "feed".to_string() } else { format!("fwd_{}", i - 1) }];
        if i + 1 < trains {
            inlets.push(format!("back_{}", i + 1));
        }
        units.push(mixer(format!("mixer_{i}"), &inlets, &format!("mixed_{i}")));
        units.push(mixer(format!("pipe_{i}"), &[format!("mixed_{i}")], &format!("piped_{i}")));
        let forward = if i + 1 < trains { format!("fwd_{i}") } else { "product".to_string() };
        let mut outlets = vec![forward];
        if i > 0 {
            outlets.push(format!("back_{i}"));
        }
        units.push(splitter(format!("splitter_{i}"), &format!("piped_{i}"), &outlets));
    }
    def("overlapping recycles", units)
}

/// 4,999 mixer -> splitter pairs; each splitter feeds the next pair and two pairs drawn at
/// random (a fixed-seed linear congruential generator), so the flowsheet is one block of
/// 9,998 units and about 20,000 streams with cycles of every length; a collector takes the
/// product.
fn random_recycles() -> FlowsheetDef {
    let pairs = (UNITS - 1) / 2;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // Knuth's MMIX constants.
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % pairs
    };
    let mut into: Vec<Vec<String>> = vec![Vec::new(); pairs];
    let mut out: Vec<Vec<String>> = vec![Vec::new(); pairs];
    into[0].push("feed".into());
    for i in 0..pairs {
        let forward = if i + 1 < pairs { format!("s{i}_next") } else { "product".to_string() };
        if i + 1 < pairs {
            into[i + 1].push(forward.clone());
        }
        out[i].push(forward);
        for k in 0..2 {
            let s = format!("s{i}_r{k}");
            into[next()].push(s.clone());
            out[i].push(s);
        }
    }
    let mut units = vec![feed()];
    for (i, (inlets, outlets)) in into.iter().zip(&out).enumerate() {
        units.push(mixer(format!("mixer_{i}"), inlets, &format!("m{i}")));
        units.push(splitter(format!("splitter_{i}"), &format!("m{i}"), outlets));
    }
    units.push(mixer("collector".into(), &["product".into()], "collected"));
    def("random recycles", units)
}

fn build(def: &FlowsheetDef) -> Flowsheet {
    Flowsheet::build(def.clone()).unwrap_or_else(|e| panic!("{}: {e}", def.name))
}

/// How each recycle block's tears were chosen, and how many, from the built flowsheet.
fn selections(def: &FlowsheetDef) -> Vec<(TearSelection, usize)> {
    build(def).tears().into_iter().map(|(selection, tears)| (selection, tears.len())).collect()
}

fn bench_build(bencher: Bencher, def: &FlowsheetDef) {
    bencher.with_inputs(|| def.clone()).bench_local_values(|d| Flowsheet::build(d).expect("builds"));
}

/// No recycle: 10,000 single units.
#[divan::bench(sample_count = 10)]
fn chain_of_10000(bencher: Bencher) {
    let def = chain();
    assert!(selections(&def).is_empty());
    bench_build(bencher, &def);
}

/// One recycle through 9,999 units: one back edge, which is then proved the minimum.
#[divan::bench(sample_count = 10)]
fn one_loop_of_9999(bencher: Bencher) {
    let def = one_loop();
    assert_eq!(selections(&def), vec![(TearSelection::Minimum, 1)]);
    bench_build(bencher, &def);
}

/// 3,332 overlapping recycles in one block: too large for the exhaustive search.
#[divan::bench(sample_count = 10)]
fn overlapping_recycles_9999(bencher: Bencher) {
    let def = overlapping_recycles();
    assert_eq!(selections(&def), vec![(TearSelection::Heuristic, 3332)]);
    bench_build(bencher, &def);
}

/// Random recycles: one block of 9,998 units and ~20,000 streams.
#[divan::bench(sample_count = 10)]
fn random_recycles_9998(bencher: Bencher) {
    let def = random_recycles();
    let blocks = selections(&def);
    assert!(blocks.iter().any(|&(s, _)| s == TearSelection::Heuristic), "{blocks:?}");
    bench_build(bencher, &def);
}
