//! The accounting conventions on a hand-built flowsheet result (a lime kiln): CO2 uptake is
//! floored at zero when solids lose carbon, gases generated in the process are direct
//! emissions (gases only passing through are not), make-up materials count as inputs, and a
//! generated gas without a mapping is reported like any other unmapped item.

use std::sync::Arc;

use calx_core::result::{Endpoint, EnergyBalance, FlowsheetResult, SolverReport, StreamResult, StreamRole, UnitResult};
use calx_core::{Component, ComponentSet, Phase, Stream, UnitReport, Utility};
use calx_lca::{Database, FunctionalUnit, LcaConfig, LcaError, Mapping, assess};

fn kiln(with_co: bool) -> FlowsheetResult {
    let mut comps = vec![
        Component::from_formula("CaCO3", "CaCO3", Phase::Solid).unwrap(),
        Component::from_formula("CaO", "CaO", Phase::Solid).unwrap(),
        Component::from_formula("CO2", "CO2", Phase::Gas).unwrap(),
        Component::from_formula("CH4", "CH4", Phase::Gas).unwrap(),
        Component::from_formula("N2", "N2", Phase::Gas).unwrap(),
        Component::pseudo("binder", Phase::Solid, None).unwrap(),
    ];
    if with_co {
        comps.push(Component::from_formula("CO", "CO", Phase::Gas).unwrap());
    }
    let n = comps.len();
    let set = Arc::new(ComponentSet::new(comps).unwrap());
    let stream = |flows: &[(usize, f64)]| {
        let mut s = Stream::empty(n);
        for &(i, w) in flows {
            s.flows[i] = w;
        }
        s
    };
    let end = |unit: &str, port: &str| Some(Endpoint { unit: unit.into(), port: port.into() });
    let mut gas = vec![(2, 0.4397), (3, 0.001), (4, 1.0)];
    if with_co {
        gas.push((6, 0.002));
    }
    let mut report = UnitReport::default();
    report.utility(Utility::Electricity, "drive", 1e5);
    report.utility(Utility::Heating, "unused", 0.0);
    report.material("binder", 5, 0.1);
    FlowsheetResult {
        name: "kiln".into(),
        components: set,
        streams: vec![
            StreamResult {
                name: "limestone".into(),
                role: StreamRole::Feed,
                source: end("limestone", "out"),
                destination: end("kiln", "feed"),
                stream: stream(&[(0, 1.0)]),
                aqueous: None,
            },
            StreamResult {
                name: "air".into(),
                role: StreamRole::Feed,
                source: end("air", "out"),
                destination: end("kiln", "air"),
                stream: stream(&[(4, 1.0)]),
                aqueous: None,
            },
            StreamResult {
                name: "lime".into(),
                role: StreamRole::Product,
                source: end("kiln", "solids"),
                destination: None,
                stream: stream(&[(1, 0.5603), (5, 0.1)]),
                aqueous: None,
            },
            StreamResult {
                name: "kiln_gas".into(),
                role: StreamRole::Product,
                source: end("kiln", "gas"),
                destination: None,
                stream: stream(&gas),
                aqueous: None,
            },
        ],
        units: vec![UnitResult {
            name: "kiln".into(),
            type_name: "test".into(),
            report,
            balance: vec![],
            energy: EnergyBalance::NotApplicable,
        }],
        balance: vec![],
        energy: EnergyBalance::NotApplicable,
        solver: SolverReport::default(),
    }
}

fn config() -> LcaConfig {
    let mut c = LcaConfig::new(FunctionalUnit::tonne_of("lime"));
    c.streams.insert("limestone".into(), Mapping::excluded("quarried on site: outside this test's boundary"));
    c.streams.insert("air".into(), Mapping::excluded("ambient air"));
    c.components.insert("binder".into(), Mapping::to("cement_gnr_2011"));
    c
}

#[test]
fn calcination_counts_as_direct_emission_and_never_as_negative_uptake() {
    let r = assess(&kiln(false), &Database::builtin(), &config()).unwrap();
    assert_eq!(r.co2_fixed.per_functional_unit, 0.0);
    let seconds = 1000.0 / 0.6603;
    // Electricity 1e5 W at 0.45941 kg/kWh, binder 0.1 kg/s at 0.629 kg/kg (WBCSD GNR 2011),
    // CO2 0.4397 kg/s x 1, CH4 0.001 kg/s x 29.8 (AR6); N2 passes through: not an emission.
    let expected = seconds * (1e5 * 0.45941 / 3.6e6 + 0.1 * 0.629 + 0.4397 + 0.001 * 29.8);
    assert!(
        (r.emissions.per_functional_unit - expected).abs() < 1e-9 * expected,
        "{} vs {expected}",
        r.emissions.per_functional_unit
    );
    assert!((r.net_reduction.per_functional_unit + expected).abs() < 1e-9 * expected);
    let flows: Vec<&str> = r.by_flow.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(flows, ["electricity", "binder", "direct CO2", "direct CH4"]);
    assert!(r.inventory.iter().any(|f| f.name == "CH4, fossil"));
    // AR5 changes the methane term only: 28 instead of 29.8.
    let mut c5 = config();
    c5.characterization = "GWP100 (IPCC AR5)".into();
    let r5 = assess(&kiln(false), &Database::builtin(), &c5).unwrap();
    let diff = r.emissions.per_functional_unit - r5.emissions.per_functional_unit;
    assert!((diff - seconds * 0.001 * 1.8).abs() < 1e-9 * expected, "{diff}");
}

#[test]
fn a_generated_gas_without_a_mapping_is_listed_with_the_other_missing_items() {
    let mut c = config();
    c.components.remove("binder");
    let err = assess(&kiln(true), &Database::builtin(), &c).unwrap_err();
    let LcaError::Unmapped { items } = &err else { panic!("{err}") };
    assert_eq!(items.len(), 2, "{err}");
    assert!(items[0].contains("make-up material `binder` of unit `kiln`"), "{err}");
    assert!(items[1].contains("direct emission `direct CO` of unit `kiln`"), "{err}");
    c.components.insert("binder".into(), Mapping::to("cement_gnr_2011"));
    c.direct_emissions.insert("CO".into(), Mapping::excluded("indirect greenhouse gas, no GWP100 in the chosen set"));
    let r = assess(&kiln(true), &Database::builtin(), &c).unwrap();
    assert!(r.excluded.iter().any(|e| e.flow == "direct CO"));
}

#[test]
fn the_figures_alone_are_the_full_results_bit_for_bit() {
    // With generated gases, a make-up material and exclusions: the metrics-only path gives
    // the very figures the full result carries.
    let mut c = config();
    c.direct_emissions.insert("CO".into(), Mapping::excluded("indirect greenhouse gas"));
    let background = calx_lca::Background::new(Database::builtin(), c).unwrap();
    let flowsheet = kiln(true);
    let full = calx_lca::assess_with(&flowsheet, &background).unwrap();
    let quick = calx_lca::figures(&flowsheet, &background).unwrap();
    let bits = |f: &calx_lca::LcaFigures<'_>| {
        let totals = [f.emissions, f.co2_fixed, f.avoided, f.net_reduction];
        let parts = f.by_unit.iter().chain(&f.by_flow);
        let mut v: Vec<(String, u64)> = totals
            .iter()
            .flat_map(|a| [a.per_functional_unit, a.per_year])
            .map(|x| (String::new(), x.to_bits()))
            .collect();
        v.extend(parts.map(|p| (p.name.to_string(), p.per_functional_unit.to_bits())));
        v
    };
    assert_eq!(bits(&quick), bits(&full.figures()));
    assert_eq!(quick.by_flow.len(), 4, "{quick:?}");
}
