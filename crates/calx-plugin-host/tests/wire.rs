//! ABI v1's JSON messages through the SDK's and the host's conversions, against the golden
//! files captured from the encoding released as ABI v1 (serde of the calx-core types; plugin
//! libraries built then send and expect these bytes): a descriptor using every port shape,
//! parameter kind and value variant, a unit configuration, the unit errors, and the
//! manifests of the shipped plugins (the 13 built-in unit types and calx-cyclone) exactly as
//! the SDK sends them. Each message is checked as its sender writes it and as its receiver
//! reads it back into calx-core. `calx-plugin-abi`'s `tests/wire_format.rs` pins the same
//! files on the wire types alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::dimension::Dimension;
use calx_core::thermo::{HeatCapacity, ShomateRange};
use calx_core::unit::{Connections, UnitConfig};
use calx_core::{
    Component, ComponentSet, ParamKind, ParamSpec, ParamValue, Params, Phase, PortSpec, UnitDescriptor, UnitError,
    UnitType,
};
use calx_plugin_host::Manifest;
use calx_plugin_host::abi::wire;
use calx_plugin_host::convert::{
    component_to_wire, params_to_wire, unit_config_to_wire, unit_error_from_wire, utility_from_code,
};
use calx_plugin_sdk::convert::{
    component_from_wire, component_set_from_wire, connections_from_wire, descriptor_to_wire, params_from_wire,
    unit_error_to_wire, utility_code,
};
use serde::de::DeserializeOwned;

/// A golden file of `calx-plugin-abi` (the format pin shares them).
fn abi_golden(name: &str) -> String {
    let path = format!("{}/../calx-plugin-abi/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A golden file of this crate.
fn host_golden(name: &str) -> String {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Pretty JSON with a final newline, as the golden files are written.
fn pretty<T: serde::Serialize>(value: &T) -> String {
    format!("{}\n", serde_json::to_string_pretty(value).expect("serializes"))
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn text(s: &str) -> ParamValue {
    ParamValue::Text(s.into())
}

fn map(items: &[(&str, ParamValue)]) -> ParamValue {
    ParamValue::Map(items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// A unit descriptor with every port shape, every parameter kind (nested too) and every
/// value variant as a default.
fn sample_descriptor() -> UnitDescriptor {
    let quantity = ParamKind::quantity;
    UnitDescriptor {
        type_name: "wire_sample".into(),
        summary: "Every port shape, parameter kind and value ABI v1 carries.".into(),
        ports: vec![
            PortSpec::inlet("feed", "one stream in"),
            PortSpec::inlet("recycle", "any number of streams, or none").many().optional(),
            PortSpec::outlet("product", "one stream out"),
            PortSpec::outlet("splits", "one or more streams out").many(),
            PortSpec::outlet("vent", "may stay unconnected").optional(),
        ],
        params: vec![
            ParamSpec::with_default(
                "throughput",
                quantity(Dimension::MASS_FLOW, "t/h"),
                num(4.444444444444445),
                "Feed mass flow.",
                "Design basis, table 2.",
            ),
            ParamSpec::required("price", quantity(Dimension::PRICE_PER_MASS, "USD/t"), "Product price."),
            ParamSpec::with_default("recovery", ParamKind::Fraction, num(0.30000000000000004), "Recovery.", "Assumed."),
            ParamSpec::optional("work_index", ParamKind::Number, "Bond work index; without it, specific energy."),
            ParamSpec::with_default("stages", ParamKind::Integer, num(3.0), "Number of stages.", "Typical."),
            ParamSpec::with_default("insulated", ParamKind::Bool, ParamValue::Bool(true), "Insulated.", "Assumed."),
            ParamSpec::required("label", ParamKind::Text, "Free text."),
            ParamSpec::with_default(
                "model",
                ParamKind::choice(&["lapple", "barth"]),
                text("lapple"),
                "Efficiency model.",
                "Cooper & Alley, ch. 6.",
            ),
            ParamSpec::with_default(
                "split",
                ParamKind::per_component(ParamKind::Fraction),
                map(&[("CaO", num(0.9)), ("H2O", num(0.0)), ("ash_other", num(1e-300))]),
                "Fraction of each component to `product`.",
                "Plant data.",
            ),
            ParamSpec::required(
                "outlet_share",
                ParamKind::PerOutlet { value: Box::new(ParamKind::Number) },
                "Share of each outlet stream.",
            ),
            ParamSpec::with_default(
                "utilities",
                ParamKind::map(ParamKind::Text),
                map(&[("grinding", text("electricity")), ("drying", text("heating"))]),
                "Utility per process.",
                "Assumed.",
            ),
            ParamSpec::with_default(
                "reactions",
                ParamKind::List { item: Box::new(ParamKind::Text) },
                ParamValue::List(vec![text("CaO + H2O -> Ca(OH)2"), text("Ca(OH)2 + CO2 -> CaCO3 + H2O")]),
                "Reactions in order.",
                "Stoichiometry.",
            ),
            ParamSpec::with_default(
                "profiles",
                ParamKind::map(ParamKind::List { item: Box::new(quantity(Dimension::TEMPERATURE, "degC")) }),
                map(&[
                    ("summer", ParamValue::List(vec![num(298.15), num(-0.0), num(6.02214076e23)])),
                    ("empty", ParamValue::List(vec![])),
                ]),
                "Temperature profiles by season.",
                "Site data.",
            ),
            ParamSpec::with_default(
                "flags",
                ParamKind::List { item: Box::new(ParamKind::Bool) },
                ParamValue::List(vec![ParamValue::Bool(false), ParamValue::Bool(true)]),
                "Flags.",
                "Assumed.",
            ),
            ParamSpec::with_default(
                "nested",
                ParamKind::per_component(ParamKind::map(ParamKind::Number)),
                map(&[("CaO", map(&[])), ("H2O", map(&[("a", num(1.0)), ("b", num(-2.5e-7))]))]),
                "Nested maps.",
                "Assumed.",
            ),
        ],
    }
}

/// Parameter values of every variant, nested.
fn sample_params() -> Params {
    let values: BTreeMap<String, ParamValue> = [
        ("throughput", num(1.2345678901234567)),
        ("insulated", ParamValue::Bool(false)),
        ("model", text("barth")),
        ("reactions", ParamValue::List(vec![text("CaO + H2O -> Ca(OH)2")])),
        ("split", map(&[("CaO", num(0.5)), ("H2O", num(1.0))])),
        (
            "mixed",
            ParamValue::List(vec![
                num(1.0),
                ParamValue::Bool(true),
                text("x"),
                map(&[("k", ParamValue::List(vec![]))]),
            ]),
        ),
        ("empty", map(&[])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Params::new(values)
}

/// Components of every phase and heat-capacity model, with and without formula and elements.
fn sample_components() -> Vec<Component> {
    let mut cao = Component::from_formula("CaO", "CaO", Phase::Solid).unwrap();
    cao.formation_enthalpy = Some(-635_090.0);
    cao.heat_capacity = Some(HeatCapacity::Shomate {
        ranges: vec![
            ShomateRange {
                t_min: 298.0,
                t_max: 1000.0,
                coefficients: [49.95403, 4.887916, -0.352056, 0.046187, -0.825097],
            },
            ShomateRange {
                t_min: 1000.0,
                t_max: 3200.0,
                coefficients: [58.7916, -1.14666, 0.288613, -0.019436, -2.64848],
            },
        ],
    });
    cao.sources.insert("formation_enthalpy".into(), "NIST WebBook".into());
    cao.sources.insert("heat_capacity".into(), "NIST Shomate".into());
    let mut water = Component::from_formula("H2O", "H2O", Phase::Liquid).unwrap();
    water.formation_enthalpy = Some(-285_830.0 + 0.1);
    water.heat_capacity = Some(HeatCapacity::Constant { cp: 75.38 });
    let co2 = Component::from_formula("CO2", "CO2", Phase::Gas).unwrap();
    let mut ash = Component::pseudo("ash_other", Phase::Solid, None).unwrap();
    ash.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 840.0 });
    ash.note = Some("inert ash oxides".into());
    let slag = Component::pseudo("slag", Phase::Liquid, Some(0.06)).unwrap();
    vec![cao, water, co2, ash, slag]
}

fn sample_connections() -> Connections {
    let port = |p: &str, streams: &[&str]| (p.to_string(), streams.iter().map(|s| s.to_string()).collect());
    Connections {
        inlets: vec![port("feed", &["s1"]), port("recycle", &["r1", "r2"])],
        outlets: vec![port("product", &["p"]), port("splits", &["a", "b", "c"]), port("vent", &[])],
    }
}

fn sample_errors() -> Vec<UnitError> {
    vec![
        UnitError::param("recovery", "must be between 0 and 1, found 1.2"),
        UnitError::port("feed", "carries no solids"),
        UnitError::Calculation("did not converge: \"quoted\" \\ and\nnewline".into()),
    ]
}

/// Fail unless `actual` is the golden text, naming the first line that differs.
fn same_text(actual: &str, golden: &str, what: &str) {
    if actual == golden {
        return;
    }
    let (a, g): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), golden.lines().collect());
    let first = a.iter().zip(&g).position(|(a, g)| a != g).unwrap_or(a.len().min(g.len()));
    let differing = a.iter().zip(&g).filter(|(a, g)| a != g).count() + a.len().abs_diff(g.len());
    panic!(
        "{what}\n  first difference at line {}:\n    golden: {}\n    now:    {}\n  (differing lines: {differing})",
        first + 1,
        g.get(first).unwrap_or(&"(end of file)"),
        a.get(first).unwrap_or(&"(end of file)"),
    );
}

/// A golden file, read as the wire type it holds.
fn read<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).expect("the golden file reads as its wire type")
}

type UnitTypes = fn() -> Vec<Arc<dyn UnitType>>;

/// The shipped plugins: provider and unit types.
fn shipped() -> [(&'static str, UnitTypes); 3] {
    [
        (calx_generic::PROVIDER, calx_generic::unit_types),
        (calx_mineralization::PROVIDER, calx_mineralization::unit_types),
        (calx_cyclone::PROVIDER, calx_cyclone::unit_types),
    ]
}

/// A shipped plugin's manifest as its library sends it (the SDK's `manifest` entry point
/// serializes exactly this), versions blanked.
fn shipped_manifest(provider: &'static str, make: UnitTypes) -> wire::Manifest {
    let plugin = Box::leak(Box::new(calx_plugin_sdk::Plugin::new(provider, "(version)", make)));
    let mut m = plugin.manifest();
    m.sdk_version = "(version)".into();
    m
}

#[test]
fn the_sdk_sends_the_golden_manifests_and_errors() {
    let manifest = wire::Manifest {
        provider: "calx-wire-sample".into(),
        plugin_version: "1.2.3".into(),
        sdk_version: "0.1.0".into(),
        units: vec![descriptor_to_wire(&sample_descriptor())],
        analyses: vec![],
    };
    same_text(&pretty(&manifest), &abi_golden("manifest.json"), "manifest.json");
    let errors: Vec<wire::UnitError> = sample_errors().iter().map(unit_error_to_wire).collect();
    same_text(&pretty(&errors), &abi_golden("unit_errors.json"), "unit_errors.json");
    for (provider, make) in shipped() {
        let name = format!("manifest_{provider}.json");
        let actual = pretty(&shipped_manifest(provider, make));
        // The shipped plugins' manifests change with their units (a new default, a source
        // cited anew); `CALX_BLESS_GOLDEN=1` rewrites these three files after such a change.
        // The format pins (the abi crate's golden files) are never rewritten.
        if std::env::var_os("CALX_BLESS_GOLDEN").is_some() {
            let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        same_text(&actual, &host_golden(&name), &name);
    }
}

#[test]
fn the_host_reads_the_golden_manifests_and_errors_back() {
    let m = Manifest::from_wire(read(&abi_golden("manifest.json")));
    assert_eq!(m.units, vec![sample_descriptor()]);
    assert_eq!(
        (m.provider.as_str(), m.plugin_version.as_str(), m.sdk_version.as_str()),
        ("calx-wire-sample", "1.2.3", "0.1.0")
    );
    let errors: Vec<wire::UnitError> = read(&abi_golden("unit_errors.json"));
    assert_eq!(errors.into_iter().map(unit_error_from_wire).collect::<Vec<_>>(), sample_errors());
    for (provider, make) in shipped() {
        let m = Manifest::from_wire(read(&host_golden(&format!("manifest_{provider}.json"))));
        let descriptors: Vec<UnitDescriptor> = make().iter().map(|t| t.descriptor()).collect();
        assert_eq!(m.units, descriptors, "{provider}");
        assert_eq!(m.provider, provider);
    }
}

#[test]
fn the_host_sends_the_golden_configuration() {
    same_text(&pretty(&params_to_wire(&sample_params())), &abi_golden("params.json"), "params.json");
    let components = Arc::new(ComponentSet::new(sample_components()).unwrap());
    let (params, connections) = (sample_params(), sample_connections());
    let config = UnitConfig { name: "sample 1", components: &components, params: &params, connections: &connections };
    same_text(
        &pretty(&unit_config_to_wire("wire_sample", &config)),
        &abi_golden("unit_config.json"),
        "unit_config.json",
    );
}

#[test]
fn the_sdk_reads_the_golden_configuration_back() {
    assert_eq!(params_from_wire(&read(&abi_golden("params.json"))), sample_params());
    let msg: wire::UnitConfigMessage = read(&abi_golden("unit_config.json"));
    assert_eq!(msg.type_name, "wire_sample");
    assert_eq!(msg.name, "sample 1");
    assert_eq!(component_set_from_wire(&msg.components).unwrap(), ComponentSet::new(sample_components()).unwrap());
    assert_eq!(params_from_wire(&msg.params), sample_params());
    assert_eq!(connections_from_wire(&msg.connections), sample_connections());
}

#[test]
fn components_round_trip_exactly() {
    let mut c = Component::from_formula("Ca(OH)2", "Ca(OH)2", Phase::Solid).unwrap();
    c.formation_enthalpy = Some(-985.2e3 + 0.1);
    c.heat_capacity = Some(HeatCapacity::Constant { cp: 87.5 });
    let p = Component::pseudo("ash_etc", Phase::Solid, None).unwrap();
    for c in [c, p] {
        let json = serde_json::to_string(&component_to_wire(&c)).unwrap();
        let back: wire::ComponentData = serde_json::from_str(&json).unwrap();
        assert_eq!(component_from_wire(&back).unwrap(), c);
    }
}

#[test]
fn a_component_that_cannot_be_rebuilt_names_itself() {
    let mut c = component_to_wire(&Component::from_formula("CaO", "CaO", Phase::Solid).unwrap());
    c.elements = Some(BTreeMap::from([("Xx".to_string(), 1.0)]));
    let e = component_from_wire(&c).unwrap_err().to_string();
    assert_eq!(e, "component CaO: unknown element `Xx`");
    c.formula = Some("Ca((".into());
    let e = component_from_wire(&c).unwrap_err().to_string();
    assert!(e.starts_with("component CaO: "), "{e}");
    let twice = vec![component_to_wire(&Component::pseudo("ash", Phase::Solid, None).unwrap()); 2];
    let e = component_set_from_wire(&twice).unwrap_err().to_string();
    assert!(e.contains("ash") && e.contains("declared twice"), "{e}");
}

#[test]
fn utility_codes_round_trip() {
    for u in calx_core::Utility::ALL {
        assert_eq!(utility_from_code(utility_code(u)), Some(u));
    }
    assert_eq!(utility_from_code(4), None);
}

/// The report part of ABI 1.1 crosses through its serde form: calx-core's report types
/// must read the golden report part (every block and chart) and write it back byte for byte,
/// through the host's conversion and the SDK's.
#[test]
fn the_report_part_golden_reads_into_calx_core_and_back_unchanged() {
    let text = abi_golden("report_part.json");
    let part: wire::ReportPart = read(&text);
    let core = calx_plugin_host::convert::analysis::report_part_from_wire(&part).unwrap_or_else(|e| panic!("{e}"));
    let back = calx_plugin_sdk::convert::analysis::report_part_to_wire(&core).unwrap_or_else(|e| panic!("{e}"));
    same_text(&pretty(&back), &text, "calx-core's report part drifted from ABI 1.1's");
    // And calx-core's own serde form is the wire form.
    same_text(&pretty(&core), &text, "calx-core's report part serializes differently from the wire's");
}

/// The host's view of a converged flowsheet, rebuilt by the SDK as a calx-core result, gives
/// the same view again: nothing the view carries is lost on the way, to the last bit.
#[test]
fn the_flowsheet_view_round_trips_through_the_sdk() {
    use calx_plugin_host::convert::analysis::flowsheet_view;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for file in ["flowsheets/lime-slaking-recycle.yaml", "flowsheets/kigam-cfbc-2022.yaml"] {
        let project = calx::Project::load(&root.join(file), &calx::LoadOptions::default()).expect("loads");
        let solved = project.solve().expect("solves");
        let view = flowsheet_view(&solved.result, &solved.analyses);
        let components = Arc::new(component_set_from_wire(&components_of(&solved.result)).expect("components"));
        let (result, earlier) = calx_plugin_sdk::convert::analysis::view_from_wire(&view, &components);
        let again = flowsheet_view(&result, &earlier);
        // Compared as JSON text, which writes every float exactly.
        assert_eq!(pretty(&again), pretty(&view), "{file}");
        assert_eq!(*result.components, *solved.result.components, "{file}");
    }
}

fn components_of(result: &calx_core::result::FlowsheetResult) -> Vec<wire::ComponentData> {
    result.components.iter().map(component_to_wire).collect()
}

/// The flat figures path: the host writes a flowsheet's numbers in the order the ABI defines
/// (`FlowsheetView::numbers`), and the SDK, writing them over a result rebuilt from the same
/// layout, gets that flowsheet back to the last bit; a layout compares equal to its own
/// flowsheet and unequal to another.
#[test]
fn the_flat_path_writes_and_reads_the_numbers_in_the_abis_order() {
    use calx_plugin_host::convert::analysis::{flowsheet_view, same_layout, write_numbers};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let solved = |file: &str| {
        let project = calx::Project::load(&root.join(file), &calx::LoadOptions::default()).expect("loads");
        project.solve().expect("solves")
    };
    let (lime, kigam) = (solved("flowsheets/lime-slaking-recycle.yaml"), solved("flowsheets/kigam-cfbc-2022.yaml"));
    for s in [&lime, &kigam] {
        let view = flowsheet_view(&s.result, &s.analyses);
        let mut numbers = Vec::new();
        write_numbers(&s.result, &s.analyses, &mut numbers);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&numbers), bits(&view.numbers()));
        assert!(same_layout(&view, &s.result, &s.analyses));
        // Rebuilt from a layout whose numbers are all zero, then given the numbers.
        let mut zeroed = view.clone();
        zeroed.streams.iter_mut().for_each(|x| x.flows.iter_mut().for_each(|f| *f = 0.0));
        let components = Arc::new(component_set_from_wire(&components_of(&s.result)).expect("components"));
        let (mut result, mut earlier) = calx_plugin_sdk::convert::analysis::view_from_wire(&zeroed, &components);
        calx_plugin_sdk::convert::analysis::read_numbers(&mut result, &mut earlier, &numbers).expect("fits");
        assert_eq!(pretty(&flowsheet_view(&result, &earlier)), pretty(&view));
        assert_eq!(
            calx_plugin_sdk::convert::analysis::read_numbers(&mut result, &mut earlier, &numbers[1..]),
            Err(numbers.len())
        );
    }
    let lime_view = flowsheet_view(&lime.result, &lime.analyses);
    assert!(!same_layout(&lime_view, &kigam.result, &kigam.analyses));
    assert!(!same_layout(&lime_view, &lime.result, &kigam.analyses[..1]));
}
