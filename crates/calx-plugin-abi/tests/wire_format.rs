//! The pin of ABI v1's JSON format: values of the [`wire`] types, built here field by field,
//! must serialize to the golden files in `tests/golden/` byte for byte, and the golden files
//! must deserialize to the same values and serialize back unchanged.
//!
//! The golden files were captured from the encoding released as ABI v1 (serde of the
//! calx-core types, before the ABI had types of its own), so renaming a wire field or
//! variant, or changing a serde attribute, fails here. `calx-plugin-host`'s `tests/wire.rs`
//! checks the same files through the SDK's and the host's conversions from and to
//! calx-core.
//!
//! The samples cover every port shape (in/out, single/multiple, required/optional), every
//! parameter kind (nested too), every value variant (as defaults and as parameters),
//! every phase and heat-capacity model, and every unit error. The analysis messages of ABI
//! 1.1 have golden files of their own, written when they were introduced: a manifest with an
//! analysis type (and a 1.0 manifest, without the field, read as one without analyses), an
//! analysis configuration, a request with every part of the flowsheet view, a result whose
//! report part uses every block and chart, and every analysis error.

use std::collections::BTreeMap;

use calx_plugin_abi::wire::{
    self, ComponentData, Connections, Dimension, HeatCapacity, Manifest, ParamKind, ParamSpec, ParamValue, Params,
    Phase, PortDirection, PortSpec, ShomateRange, UnitConfigMessage, UnitDescriptor, UnitError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The golden file `name` (text).
fn golden(name: &str) -> String {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Pretty JSON with a final newline, as the golden files are written.
fn pretty<T: Serialize>(value: &T) -> String {
    format!("{}\n", serde_json::to_string_pretty(value).expect("serializes"))
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

/// Check `value` against golden file `name` both ways: it serializes to the golden text,
/// and the golden text deserializes to it and serializes back to itself; also through
/// the compact form the ABI actually sends.
fn pin<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T, name: &str) {
    let text = golden(name);
    same_text(&pretty(value), &text, &format!("{name}: the wire format changed"));
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: golden does not deserialize: {e}"));
    assert_eq!(&back, value, "{name}: golden deserializes to another value");
    same_text(&pretty(&back), &text, &format!("{name}: golden does not round-trip"));
    let compact = serde_json::to_string(value).expect("serializes");
    let again: T = serde_json::from_str(&compact).expect("compact form deserializes");
    assert_eq!(&again, value, "{name}: compact form does not round-trip");
}

fn dim(mass: i8, length: i8, time: i8, temperature: i8, amount: i8, money: i8) -> Dimension {
    Dimension { mass, length, time, temperature, amount, money }
}

fn quantity(dimension: Dimension, unit: &str) -> ParamKind {
    ParamKind::Quantity { dimension, unit: unit.into() }
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

fn port(name: &str, direction: PortDirection, multiple: bool, optional: bool, doc: &str) -> PortSpec {
    PortSpec { name: name.into(), direction, multiple, optional, doc: doc.into() }
}

fn param(name: &str, kind: ParamKind, default: Option<ParamValue>, optional: bool, doc: &str) -> ParamSpec {
    ParamSpec { name: name.into(), kind, default, optional, doc: doc.into(), source: None }
}

fn sourced(name: &str, kind: ParamKind, default: ParamValue, doc: &str, source: &str) -> ParamSpec {
    ParamSpec { source: Some(source.into()), ..param(name, kind, Some(default), false, doc) }
}

fn sample_descriptor() -> UnitDescriptor {
    use PortDirection::{In, Out};
    UnitDescriptor {
        type_name: "wire_sample".into(),
        summary: "Every port shape, parameter kind and value ABI v1 carries.".into(),
        ports: vec![
            port("feed", In, false, false, "one stream in"),
            port("recycle", In, true, true, "any number of streams, or none"),
            port("product", Out, false, false, "one stream out"),
            port("splits", Out, true, false, "one or more streams out"),
            port("vent", Out, false, true, "may stay unconnected"),
        ],
        params: vec![
            sourced(
                "throughput",
                quantity(dim(1, 0, -1, 0, 0, 0), "t/h"),
                num(4.444444444444445),
                "Feed mass flow.",
                "Design basis, table 2.",
            ),
            param("price", quantity(dim(-1, 0, 0, 0, 0, 1), "USD/t"), None, false, "Product price."),
            sourced("recovery", ParamKind::Fraction, num(0.30000000000000004), "Recovery.", "Assumed."),
            param("work_index", ParamKind::Number, None, true, "Bond work index; without it, specific energy."),
            sourced("stages", ParamKind::Integer, num(3.0), "Number of stages.", "Typical."),
            sourced("insulated", ParamKind::Bool, ParamValue::Bool(true), "Insulated.", "Assumed."),
            param("label", ParamKind::Text, None, false, "Free text."),
            sourced(
                "model",
                ParamKind::Choice { options: vec!["lapple".into(), "barth".into()] },
                text("lapple"),
                "Efficiency model.",
                "Cooper & Alley, ch. 6.",
            ),
            sourced(
                "split",
                ParamKind::PerComponent { value: Box::new(ParamKind::Fraction) },
                map(&[("CaO", num(0.9)), ("H2O", num(0.0)), ("ash_other", num(1e-300))]),
                "Fraction of each component to `product`.",
                "Plant data.",
            ),
            param(
                "outlet_share",
                ParamKind::PerOutlet { value: Box::new(ParamKind::Number) },
                None,
                false,
                "Share of each outlet stream.",
            ),
            sourced(
                "utilities",
                ParamKind::Map { value: Box::new(ParamKind::Text) },
                map(&[("grinding", text("electricity")), ("drying", text("heating"))]),
                "Utility per process.",
                "Assumed.",
            ),
            sourced(
                "reactions",
                ParamKind::List { item: Box::new(ParamKind::Text) },
                ParamValue::List(vec![text("CaO + H2O -> Ca(OH)2"), text("Ca(OH)2 + CO2 -> CaCO3 + H2O")]),
                "Reactions in order.",
                "Stoichiometry.",
            ),
            sourced(
                "profiles",
                ParamKind::Map {
                    value: Box::new(ParamKind::List { item: Box::new(quantity(dim(0, 0, 0, 1, 0, 0), "degC")) }),
                },
                map(&[
                    ("summer", ParamValue::List(vec![num(298.15), num(-0.0), num(6.02214076e23)])),
                    ("empty", ParamValue::List(vec![])),
                ]),
                "Temperature profiles by season.",
                "Site data.",
            ),
            sourced(
                "flags",
                ParamKind::List { item: Box::new(ParamKind::Bool) },
                ParamValue::List(vec![ParamValue::Bool(false), ParamValue::Bool(true)]),
                "Flags.",
                "Assumed.",
            ),
            sourced(
                "nested",
                ParamKind::PerComponent { value: Box::new(ParamKind::Map { value: Box::new(ParamKind::Number) }) },
                map(&[("CaO", map(&[])), ("H2O", map(&[("a", num(1.0)), ("b", num(-2.5e-7))]))]),
                "Nested maps.",
                "Assumed.",
            ),
        ],
    }
}

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
    Params { values }
}

fn component(name: &str, formula: Option<&str>, phase: Phase, molar_mass: Option<f64>) -> ComponentData {
    ComponentData {
        name: name.into(),
        formula: formula.map(Into::into),
        phase,
        molar_mass,
        elements: None,
        formation_enthalpy: None,
        heat_capacity: None,
        sources: BTreeMap::new(),
        note: None,
    }
}

fn atoms(items: &[(&str, f64)]) -> Option<BTreeMap<String, f64>> {
    Some(items.iter().map(|(k, v)| (k.to_string(), *v)).collect())
}

fn sample_config() -> UnitConfigMessage {
    let cao = ComponentData {
        elements: atoms(&[("Ca", 1.0), ("O", 1.0)]),
        formation_enthalpy: Some(-635_090.0),
        heat_capacity: Some(HeatCapacity::Shomate {
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
        }),
        sources: [("formation_enthalpy", "NIST WebBook"), ("heat_capacity", "NIST Shomate")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..component("CaO", Some("CaO"), Phase::Solid, Some(0.056077))
    };
    let water = ComponentData {
        elements: atoms(&[("H", 2.0), ("O", 1.0)]),
        formation_enthalpy: Some(-285_829.9),
        heat_capacity: Some(HeatCapacity::Constant { cp: 75.38 }),
        ..component("H2O", Some("H2O"), Phase::Liquid, Some(0.018015))
    };
    let co2 = ComponentData {
        elements: atoms(&[("C", 1.0), ("O", 2.0)]),
        ..component("CO2", Some("CO2"), Phase::Gas, Some(0.044009))
    };
    let ash = ComponentData {
        heat_capacity: Some(HeatCapacity::ConstantMass { cp: 840.0 }),
        note: Some("inert ash oxides".into()),
        ..component("ash_other", None, Phase::Solid, None)
    };
    let slag = component("slag", None, Phase::Liquid, Some(0.06));
    let port = |p: &str, streams: &[&str]| (p.to_string(), streams.iter().map(|s| s.to_string()).collect());
    UnitConfigMessage {
        type_name: "wire_sample".into(),
        name: "sample 1".into(),
        components: vec![cao, water, co2, ash, slag],
        params: sample_params(),
        connections: Connections {
            inlets: vec![port("feed", &["s1"]), port("recycle", &["r1", "r2"])],
            outlets: vec![port("product", &["p"]), port("splits", &["a", "b", "c"]), port("vent", &[])],
        },
    }
}

#[test]
fn the_manifest_is_pinned() {
    let manifest = Manifest {
        provider: "calx-wire-sample".into(),
        plugin_version: "1.2.3".into(),
        sdk_version: "0.1.0".into(),
        units: vec![sample_descriptor()],
        analyses: vec![],
    };
    pin(&manifest, "manifest.json");
}

#[test]
fn the_parameters_are_pinned() {
    pin(&sample_params(), "params.json");
}

#[test]
fn the_unit_configuration_is_pinned() {
    pin(&sample_config(), "unit_config.json");
}

#[test]
fn the_unit_errors_are_pinned() {
    let errors = vec![
        UnitError::Parameter { param: "recovery".into(), message: "must be between 0 and 1, found 1.2".into() },
        UnitError::Port { port: "feed".into(), message: "carries no solids".into() },
        UnitError::Calculation("did not converge: \"quoted\" \\ and\nnewline".into()),
    ];
    pin(&errors, "unit_errors.json");
}

/// A value sent as a whole JSON number (as a hand-written plugin might) still reads as a
/// number, and every float keeps its last bit.
#[test]
fn numbers_read_exactly() {
    let p: Params = serde_json::from_str(r#"{"values": {"n": 3, "x": 0.1, "y": 1.2345678901234567e-300}}"#).unwrap();
    assert_eq!(p.values["n"], num(3.0));
    assert_eq!(p.values["x"], num(0.1));
    assert_eq!(p.values["y"], num(1.2345678901234567e-300));
}

fn sample_analysis_descriptor() -> wire::AnalysisDescriptor {
    wire::AnalysisDescriptor {
        type_name: "water_footprint".into(),
        summary: "Water withdrawal and consumption.".into(),
        params: vec![
            param("product", ParamKind::Text, None, false, "The product stream."),
            sourced("cycles", ParamKind::Number, num(5.0), "Cycles of concentration.", "Assumed."),
        ],
        reads: vec!["lca".into()],
        when_absent: Some("No water footprint.".into()),
    }
}

#[test]
fn a_manifest_with_analyses_is_pinned_and_a_1_0_manifest_reads_without() {
    let manifest = Manifest {
        provider: "calx-wire-sample".into(),
        plugin_version: "1.2.3".into(),
        sdk_version: "0.1.0".into(),
        units: vec![],
        analyses: vec![sample_analysis_descriptor()],
    };
    pin(&manifest, "manifest_analyses.json");
    // The 1.0 manifest (no `analyses` field) is one without analyses.
    let old: Manifest = serde_json::from_str(&golden("manifest.json")).expect("a 1.0 manifest reads");
    assert!(old.analyses.is_empty());
}

#[test]
fn the_analysis_configuration_is_pinned() {
    let config = wire::AnalysisConfigMessage {
        type_name: "water_footprint".into(),
        name: "water".into(),
        params: sample_params(),
    };
    pin(&config, "analysis_config.json");
}

fn closure(quantity: &str, inflow: f64, outflow: f64) -> wire::ClosureView {
    let relative_error = (inflow - outflow).abs() / inflow.max(outflow);
    wire::ClosureView { quantity: quantity.into(), inflow, outflow, relative_error }
}

fn endpoint(unit: &str, port: &str) -> Option<wire::Endpoint> {
    Some(wire::Endpoint { unit: unit.into(), port: port.into() })
}

fn sample_view() -> wire::FlowsheetView {
    let stream = |name: &str, role, source, destination, flows: Vec<f64>| wire::StreamView {
        name: name.into(),
        role,
        source,
        destination,
        flows,
        temperature: 298.15,
        pressure: 101_325.0,
    };
    let utility = |utility, purpose: &str, rate| wire::UtilityView { utility, purpose: purpose.into(), rate };
    wire::FlowsheetView {
        name: "sample".into(),
        components: vec!["CaO".into(), "H2O".into()],
        streams: vec![
            stream("feed", wire::StreamRole::Feed, endpoint("feed", "out"), endpoint("slaker", "in"), vec![1.0, 2.0]),
            stream(
                "mid",
                wire::StreamRole::Internal,
                endpoint("slaker", "out"),
                endpoint("filter", "in"),
                vec![0.1, 1.7],
            ),
            stream(
                "product",
                wire::StreamRole::Product,
                endpoint("filter", "cake"),
                None,
                vec![0.1, 0.30000000000000004],
            ),
        ],
        units: vec![wire::UnitView {
            name: "slaker".into(),
            type_name: "conversion_reactor".into(),
            utilities: vec![
                utility(wire::Utility::Electricity, "agitation", 1500.0),
                utility(wire::Utility::Heating, "steam", 0.0),
                utility(wire::Utility::Cooling, "jacket", 2.995323e5),
                utility(wire::Utility::Water, "washing", 0.25),
            ],
            materials: vec![wire::MaterialView { purpose: "make-up water".into(), component: 1, rate: 0.05 }],
            sizes: vec![wire::SizeView { name: "volume".into(), value: 12.5, dimension: dim(0, 3, 0, 0, 0, 0) }],
            notes: vec!["conversion capped".into()],
            balance: vec![closure("mass", 3.0, 3.0), closure("Ca", 17.8, 17.8)],
            energy: Some(closure("energy", -1.0e7, -1.0e7)),
        }],
        balance: vec![closure("mass", 3.0, 2.9999999999999996)],
        energy: None,
        earlier: vec![wire::EarlierAnalysis {
            name: "lca".into(),
            type_name: "lca".into(),
            metrics: vec![wire::Metric {
                name: "net_reduction_per_year".into(),
                value: 806_350.0,
                unit: "kg CO2-eq/yr".into(),
            }],
        }],
    }
}

#[test]
fn the_analysis_request_is_pinned() {
    let water = ComponentData {
        formation_enthalpy: Some(-285_829.9),
        heat_capacity: Some(HeatCapacity::Constant { cp: 75.38 }),
        ..component("H2O", Some("H2O"), Phase::Liquid, Some(0.018015))
    };
    let first = wire::AnalysisRequest {
        mode: wire::RunMode::Report,
        components: Some(vec![component("CaO", Some("CaO"), Phase::Solid, Some(0.056077)), water]),
        view: sample_view(),
    };
    pin(&first, "analysis_request.json");
    let later =
        wire::AnalysisRequest { mode: wire::RunMode::Figures, components: None, view: wire::FlowsheetView::default() };
    pin(&later, "analysis_request_figures.json");
}

fn figure(label: &str) -> wire::KeyFigure {
    wire::KeyFigure { label: label.into(), value: "7.589".into(), unit: "m3/t".into(), source: "water".into() }
}

fn sample_table() -> wire::Table {
    wire::Table {
        caption: "Water balance".into(),
        header: vec!["".into(), "m3/t".into()],
        rows: vec![vec!["Withdrawal".into(), "7.589".into()]],
        numeric: vec![false, true],
        sticky_first: true,
    }
}

fn sample_report_part() -> wire::ReportPart {
    use wire::{Bar, Block, Chart, Plot, WaterfallStep};
    let chart = |id: &str, plot| Chart { id: id.into(), caption: format!("{id} chart"), plot };
    let bars = Plot::Bars {
        title: "Withdrawal".into(),
        bars: vec![Bar { label: "Feeds".into(), value: 7.438, text: "7.438".into() }],
        unit: "m3/t".into(),
    };
    let cash = Plot::CashFlow {
        title: "Cash".into(),
        years: vec![0.0, 1.0],
        discounted: vec![-10.0, -4.5],
        undiscounted: vec![-10.0, -4.0],
        payback: None,
        currency: "KRW".into(),
    };
    let steps = vec![
        WaterfallStep { label: "Gross".into(), value: 10.0, total: true, text: "10".into() },
        WaterfallStep { label: "Deduction".into(), value: -2.5, total: false, text: "-2.5".into() },
    ];
    let waterfall = Plot::Waterfall { title: "Credits".into(), unit: "t".into(), steps };
    wire::ReportPart {
        section: "water_footprint".into(),
        section_title: "Water footprint".into(),
        blocks: vec![
            Block::Heading("Inventory".into()),
            Block::Paragraph("Per t of `product`.".into()),
            Block::Note("Volumes at 1000 kg/m3.".into()),
            Block::KeyFigures(vec![figure("Withdrawal")]),
            Block::Table(sample_table()),
            Block::List(vec!["one".into(), "two".into()]),
            Block::Chart(chart("cash", cash)),
            Block::ChartWithTable(chart("bars", bars), sample_table()),
            Block::Chart(chart("waterfall", waterfall)),
            Block::Drawing(wire::Drawing {
                id: "site".into(),
                caption: "Water on site".into(),
                svg: r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10"/></svg>"#
                    .into(),
                width: 200.0,
                height: 100.0,
            }),
        ],
        summary: wire::SummaryFigures {
            lead: vec![figure("Withdrawal")],
            more: vec![figure("Consumption")],
            if_not_first: vec![],
            replaces_plant_figures: false,
        },
        basis: Some(wire::Basis {
            per: "t product".into(),
            description: "1000 kg of stream `product`".into(),
            seconds: 3600.0,
        }),
    }
}

#[test]
fn the_report_part_is_pinned() {
    pin(&sample_report_part(), "report_part.json");
}

#[test]
fn the_analysis_result_and_errors_are_pinned() {
    let result = wire::AnalysisResult {
        metrics: vec![wire::Metric {
            name: "withdrawal".into(),
            value: 7.588730000000001,
            unit: "m3/t product".into(),
        }],
        text: "Withdrawal: 7.589 m3/t\n".into(),
        csv: vec![wire::CsvTable { part: String::new(), text: "item,m3_per_t\nWithdrawal,7.58873\n".into() }],
        json: "{\"withdrawal\": 7.58873}".into(),
        report: Some(sample_report_part()),
    };
    pin(&result, "analysis_result.json");
    let errors = vec![
        wire::AnalysisError::Parameter { param: "product".into(), message: "no stream `x`".into() },
        wire::AnalysisError::Missing("no LCA ran".into()),
        wire::AnalysisError::Failed("metric `m` is NaN".into()),
    ];
    pin(&errors, "analysis_errors.json");
}

#[test]
fn the_set_number_messages_are_pinned() {
    let messages = vec![
        wire::SetNumberMessage { param: "cycles".into(), key: None, value: Some(4.5), unit: String::new() },
        wire::SetNumberMessage {
            param: "prices".into(),
            key: Some("water".into()),
            value: Some(1200.0),
            unit: "KRW/t".into(),
        },
        wire::SetNumberMessage { param: "cycles".into(), key: None, value: None, unit: String::new() },
    ];
    pin(&messages, "set_number.json");
}
