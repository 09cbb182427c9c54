//! Property tests (proptest): random plants built from the generic units — chains of mixers,
//! heaters, conversion reactors, component separators and splitters, with random feeds and
//! recycles — conserve mass and every element to 1e-9 or fail with an error that names where
//! (never a non-finite number); a study's results do not depend on the thread count or on the
//! order samples are run in; snapshots read back to what was written.

use std::fmt::Write as _;

use proptest::prelude::*;

use calx_core::result::FlowsheetResult;

const COMPONENTS: [&str; 5] = ["CaO", "H2O", "Ca(OH)2", "CO2", "N2"];

/// One step of a random plant; each takes the oldest open stream(s) and opens its outlets.
#[derive(Clone, Debug)]
enum Step {
    /// Mixes the two oldest open streams.
    Mixer,
    /// Heats or cools to a temperature, degC.
    Heater(f64),
    /// `CaO + H2O -> Ca(OH)2` at a conversion.
    Reactor(f64),
    /// Sends fractions of CaO and H2O to `separated`.
    Separator(f64, f64),
    /// Splits by a fraction; with `recycle`, the first outlet returns to the latest mixer.
    Splitter { fraction: f64, recycle: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Mixer),
        (5.0..95.0f64).prop_map(Step::Heater),
        (0.0..1.0f64).prop_map(Step::Reactor),
        (0.0..1.0f64, 0.0..1.0f64).prop_map(|(a, b)| Step::Separator(a, b)),
        (0.05..0.9f64, any::<bool>()).prop_map(|(fraction, recycle)| Step::Splitter { fraction, recycle }),
    ]
}

/// A feed: t/h of each component (zero allowed) and a temperature.
fn feed() -> impl Strategy<Value = ([f64; 5], f64)> {
    let flow = prop_oneof![Just(0.0), 0.001..50.0f64];
    ([flow.clone(), flow.clone(), flow.clone(), flow.clone(), flow], 5.0..90.0f64)
}

/// A unit of the plant being written.
struct Unit {
    name: String,
    kind: &'static str,
    inlets: Vec<String>,
    outlets: Vec<(String, Vec<String>)>,
    params: String,
}

/// The plant as flowsheet text.
fn plant(feeds: &[([f64; 5], f64)], steps: &[Step]) -> String {
    let mut text =
        String::from("schema_version: 1\nname: random\ncomponents: { use: [CaO, H2O, Ca(OH)2, CO2, N2] }\nstreams:\n");
    let mut open: Vec<String> = Vec::new();
    for (i, (flows, t)) in feeds.iter().enumerate() {
        let mut list: Vec<String> =
            COMPONENTS.iter().zip(flows).filter(|(_, f)| **f > 0.0).map(|(c, f)| format!("{c}: {f} t/h")).collect();
        if list.is_empty() {
            list.push("N2: 1 t/h".into());
        }
        let _ = writeln!(text, "  feed{i}: {{ flows: {{ {} }}, T: {t} degC }}", list.join(", "));
        open.push(format!("feed{i}"));
    }
    let mut units: Vec<Unit> = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        let name = format!("u{k}");
        let take = |open: &mut Vec<String>| if open.is_empty() { None } else { Some(open.remove(0)) };
        let Some(first) = take(&mut open) else { break };
        let out =
            |port: &str, n: usize| (port.to_string(), (0..n).map(|j| format!("{name}_{port}{j}")).collect::<Vec<_>>());
        let unit = match s {
            Step::Mixer => {
                let mut inlets = vec![first];
                inlets.extend(take(&mut open));
                Unit { name: name.clone(), kind: "mixer", inlets, outlets: vec![out("out", 1)], params: String::new() }
            }
            Step::Heater(t) => Unit {
                name: name.clone(),
                kind: "heater",
                inlets: vec![first],
                outlets: vec![out("out", 1)],
                params: format!("T: {t} degC"),
            },
            Step::Reactor(x) => Unit {
                name: name.clone(),
                kind: "conversion_reactor",
                inlets: vec![first],
                outlets: vec![out("out", 1)],
                params: format!("reactions: [\"CaO + H2O -> Ca(OH)2\"], conversion: {{ CaO: {x} }}"),
            },
            Step::Separator(a, b) => Unit {
                name: name.clone(),
                kind: "component_separator",
                inlets: vec![first],
                outlets: vec![out("separated", 1), out("remainder", 1)],
                params: format!("split: {{ CaO: {a}, H2O: {b} }}"),
            },
            Step::Splitter { fraction, .. } => {
                let (_, names) = out("out", 2);
                let params = format!("fractions: {{ {}: {fraction} }}", names[0]);
                Unit {
                    name: name.clone(),
                    kind: "splitter",
                    inlets: vec![first],
                    outlets: vec![("out".into(), names)],
                    params,
                }
            }
        };
        let mut outlets: Vec<String> = unit.outlets.iter().flat_map(|(_, s)| s.iter().cloned()).collect();
        // A recycling splitter returns its first outlet to the latest mixer upstream.
        if let Step::Splitter { recycle: true, .. } = s
            && let Some(mixer) = units.iter_mut().rev().find(|u| u.kind == "mixer")
        {
            mixer.inlets.push(outlets.remove(0));
        }
        open.extend(outlets);
        units.push(unit);
    }
    // A feed must enter a unit: one the steps left untouched leaves through a product unit.
    for (k, feed) in open.iter().filter(|s| s.starts_with("feed")).enumerate() {
        let inlets = vec![feed.clone()];
        units.push(Unit {
            name: format!("sink{k}"),
            kind: "product",
            inlets,
            outlets: Vec::new(),
            params: String::new(),
        });
    }
    text.push_str("units:\n");
    for u in &units {
        let outlets: Vec<String> = u.outlets.iter().map(|(p, s)| format!("{p}: [{}]", s.join(", "))).collect();
        let outlets = if outlets.is_empty() { String::new() } else { format!(", out: {{ {} }}", outlets.join(", ")) };
        let inlet = if u.kind == "product" { u.inlets.join(", ") } else { format!("[{}]", u.inlets.join(", ")) };
        let _ = writeln!(
            text,
            "  {}: {{ type: {}, in: {{ in: {inlet} }}{outlets}{} }}",
            u.name,
            u.kind,
            if u.params.is_empty() { String::new() } else { format!(", params: {{ {} }}", u.params) }
        );
    }
    text
}

/// Every stream finite and non-negative; every unit closes to 1e-9 (round-off: the engine
/// refuses more) and the whole plant to 1e-8 (a recycle converges to 1e-10 of its own flow,
/// which is up to ten times the feed at the recycle ratios drawn here).
fn conserved(result: &FlowsheetResult) -> Result<(), String> {
    for s in &result.streams {
        let x = &s.stream;
        if !x.flows.iter().chain([&x.temperature, &x.pressure]).all(|v| v.is_finite() && *v >= 0.0) {
            return Err(format!("stream {} has a value that is not finite and non-negative: {x:?}", s.name));
        }
    }
    let scopes = result.units.iter().map(|u| (u.name.as_str(), &u.balance)).chain([("(flowsheet)", &result.balance)]);
    for (scope, closures) in scopes {
        let tolerance = if scope == "(flowsheet)" { 1e-8 } else { 1e-9 };
        for c in closures {
            // A relative error is meaningless for a quantity that does not flow at all.
            let flows = c.inflow.abs().max(c.outflow.abs()) > 1e-300;
            let within = c.relative_error.is_finite() && c.relative_error <= tolerance;
            if flows && !within {
                return Err(format!(
                    "{scope}: {} closes to {:e} (in {:e}, out {:e})",
                    c.quantity, c.relative_error, c.inflow, c.outflow
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_plants_conserve_mass_and_elements_or_fail_with_a_named_error(
        feeds in prop::collection::vec(feed(), 1..4),
        steps in prop::collection::vec(step(), 1..14),
    ) {
        let text = plant(&feeds, &steps);
        let project = calx::Project::from_text(&text, "random.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
            .map_err(|e| TestCaseError::fail(format!("a generated plant must load:\n{e}\n{text}")))?;
        let mut flowsheet = project.build().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        match flowsheet.solve() {
            Ok(result) => conserved(&result).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?,
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.contains('`'), "an error must name its unit, loop or stream: {message}\n{text}");
                prop_assert!(!message.contains("NaN") && !message.contains("inf"), "{message}\n{text}");
            }
        }
    }

    #[test]
    fn snapshots_read_back_to_what_was_written(
        feeds in prop::collection::vec(feed(), 1..3),
        steps in prop::collection::vec(step(), 1..8),
    ) {
        let text = plant(&feeds, &steps);
        let project = calx::Project::from_text(&text, "random.yaml", std::path::Path::new("."), &calx::LoadOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(solved) = project.solve() {
            // The file keeps no trailing blank lines: the body as a file holds it.
            let body = calx_snapshot::render(&solved.result, &solved.analyses).trim_end().to_string();
            let file = calx_snapshot::SnapshotFile { source: "tests/it/properties.rs".into(), body };
            let back = calx_snapshot::SnapshotFile::parse(&file.to_text());
            prop_assert_eq!(&back, &file);
            prop_assert!(calx_snapshot::compare(&back.body, &file.body, &calx_snapshot::Tolerances::default()).is_empty());
        }
    }
}

/// The reference study's samples, in any order and on any number of threads, are the same
/// bits as one run in index order.
#[test]
fn study_results_do_not_depend_on_threads_or_sample_order() {
    let root = calx_tests::root();
    let text = std::fs::read_to_string(root.join("flowsheets/kigam-cfbc-2022-uncertainty.yaml")).unwrap_or_default();
    let mut def = calx_study::parse_study(&text).unwrap_or_else(|e| panic!("{e}"));
    def.samples = 24;
    let flowsheet = "flowsheets/kigam-cfbc-2022.yaml";
    let flowsheet_text = std::fs::read_to_string(root.join(flowsheet)).unwrap_or_default();
    let study = calx_study::Study::prepare(def, &flowsheet_text, flowsheet, &calx::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let pool = |n: usize| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool");
    let in_order = pool(1).install(|| study.run(0..24));
    let values = study.sample_values(0..24);
    let extra = study.def.sweep.as_ref().map_or(0, |s| s.axes.len());
    proptest!(ProptestConfig { cases: 8, ..ProptestConfig::default() }, |(order in Just((0..24usize).collect::<Vec<_>>()).prop_shuffle(), threads in 1..3usize)| {
        let outcomes: Vec<_> = pool(threads).install(|| {
            order
                .iter()
                .map(|&i| {
                    let point: Vec<Option<f64>> =
                        values[i].iter().copied().map(Some).chain(std::iter::repeat_n(None, extra)).collect();
                    (i, study.evaluate(&point))
                })
                .collect()
        });
        for (i, outcome) in outcomes {
            let bits = |o: &Result<Vec<f64>, String>| o.as_ref().map(|m| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>()).ok();
            prop_assert_eq!(bits(&outcome), bits(&in_order[i].outcome), "sample {} run out of order", i);
        }
    });
}
