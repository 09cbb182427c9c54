//! Unit tests of the mineralization units against hand calculations.
//!
//! The component set uses CRC formation enthalpies and constant Cp at 298 K
//! (docs/sources.md §Formation enthalpies), so reaction heats are the values of
//! docs/sources.md §Reaction enthalpies exactly and adiabatic temperatures follow by
//! hand. Every test that runs a unit checks mass and element conservation to 1e-12
//! relative, counting the make-up material the unit reports.

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::thermo::HeatCapacity;
use calx_core::unit::Connections;
use calx_core::{
    Component, ComponentSet, ParamValue, Params, Phase, Stream, UnitConfig, UnitError, UnitOperation, UnitReport,
    UnitType,
};

mod backfill;
mod carbonator;
mod dewatering;
mod equilibrium;
mod gas;
mod hydrator;
mod magnetic;
mod rate;

// Indices into `set()`.
pub(super) const CAO: usize = 0;
pub(super) const MGO: usize = 1;
pub(super) const H2O: usize = 2;
pub(super) const CAOH2: usize = 3;
pub(super) const MGOH2: usize = 4;
pub(super) const CACO3: usize = 5;
pub(super) const MGCO3: usize = 6;
pub(super) const CO2: usize = 7;
pub(super) const N2: usize = 8;
pub(super) const SIO2: usize = 9;
pub(super) const FE2O3: usize = 10;
pub(super) const CEMENT: usize = 11;
pub(super) const LIQUOR: usize = 12;

/// A component with CRC dHf (kJ/mol) and constant Cp(298) (J/(mol K)), docs/sources.md §Formation enthalpies.
pub(super) fn comp(name: &str, phase: Phase, h_f: f64, cp: f64) -> Component {
    let mut c = Component::from_formula(name, name, phase).unwrap();
    c.formation_enthalpy = Some(h_f * 1e3);
    c.heat_capacity = Some(HeatCapacity::Constant { cp });
    c
}

/// The test component set (indices above).
pub(super) fn set() -> Arc<ComponentSet> {
    let mut cement = Component::pseudo("cement", Phase::Solid, None).unwrap();
    cement.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 750.0 });
    let mut liquor = Component::pseudo("liquor", Phase::Liquid, None).unwrap();
    liquor.heat_capacity = Some(HeatCapacity::ConstantMass { cp: 4000.0 });
    Arc::new(
        ComponentSet::new(vec![
            comp("CaO", Phase::Solid, -634.9, 42.0),
            comp("MgO", Phase::Solid, -601.6, 37.2),
            comp("H2O", Phase::Liquid, -285.8, 75.3),
            comp("Ca(OH)2", Phase::Solid, -985.2, 87.5),
            comp("Mg(OH)2", Phase::Solid, -924.5, 77.0),
            comp("CaCO3", Phase::Solid, -1207.6, 83.5),
            comp("MgCO3", Phase::Solid, -1095.8, 75.5),
            comp("CO2", Phase::Gas, -393.5, 37.1),
            comp("N2", Phase::Gas, 0.0, 29.1),
            comp("SiO2", Phase::Solid, -910.7, 44.4),
            comp("Fe2O3", Phase::Solid, -824.2, 103.9),
            cement,
            liquor,
        ])
        .unwrap(),
    )
}

/// Molar mass of component `i` of `set()`, kg/mol.
pub(super) fn mm(i: usize) -> f64 {
    set().get(i).unwrap().molar_mass.unwrap()
}

/// Formation enthalpy of component `i` of `set()`, J/mol.
pub(super) fn hf(i: usize) -> f64 {
    set().get(i).unwrap().formation_enthalpy.unwrap()
}

pub(super) fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

pub(super) fn text(s: &str) -> ParamValue {
    ParamValue::Text(s.to_string())
}

pub(super) fn map(pairs: &[(&str, f64)]) -> ParamValue {
    ParamValue::Map(pairs.iter().map(|(k, v)| (k.to_string(), num(*v))).collect())
}

pub(super) fn ports(inlets: &[(&str, &[&str])], outlets: &[(&str, &[&str])]) -> Connections {
    let conv = |l: &[(&str, &[&str])]| {
        l.iter().map(|(p, s)| (p.to_string(), s.iter().map(|x| x.to_string()).collect())).collect()
    };
    Connections { inlets: conv(inlets), outlets: conv(outlets) }
}

/// Create a unit over `set`, filling defaults from the descriptor as the flowsheet layer does.
pub(super) fn create_in(
    set: &Arc<ComponentSet>,
    t: &dyn UnitType,
    params: &[(&str, ParamValue)],
    c: &Connections,
) -> Result<Box<dyn UnitOperation>, UnitError> {
    let mut values: BTreeMap<String, ParamValue> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for spec in t.descriptor().params {
        if let (Some(d), false) = (spec.default, values.contains_key(&spec.name)) {
            values.insert(spec.name, d);
        }
    }
    let params = Params::new(values);
    t.create(&UnitConfig { name: "u", components: set, params: &params, connections: c })
}

pub(super) fn create(
    t: &dyn UnitType,
    params: &[(&str, ParamValue)],
    c: &Connections,
) -> Result<Box<dyn UnitOperation>, UnitError> {
    create_in(&set(), t, params, c)
}

/// A stream of `set()` with the given (index, kg/s) flows.
pub(super) fn stream(flows: &[(usize, f64)], t: f64) -> Stream {
    let mut s = Stream::empty(set().len());
    for &(i, w) in flows {
        s.flows[i] = w;
    }
    s.temperature = t;
    s
}

pub(super) fn run(
    unit: &dyn UnitOperation,
    inlets: &[Stream],
    n_out: usize,
) -> Result<(Vec<Stream>, UnitReport), UnitError> {
    let mut out = vec![Stream::empty(set().len()); n_out];
    let mut report = UnitReport::default();
    unit.calculate(inlets, &mut out, &mut report)?;
    Ok((out, report))
}

/// Relative closeness.
pub(super) fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

/// A size figure by name (panics in the test if missing).
pub(super) fn size(report: &UnitReport, name: &str) -> f64 {
    report.sizes.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no size {name}: {:?}", report.sizes)).value
}

/// An electricity use by purpose.
pub(super) fn power(report: &UnitReport, purpose: &str) -> f64 {
    report
        .utilities
        .iter()
        .find(|u| u.purpose == purpose && u.utility == calx_core::Utility::Electricity)
        .unwrap_or_else(|| panic!("no electricity {purpose}: {:?}", report.utilities))
        .rate
}

/// The parameter an error names, if it is a parameter error.
pub(super) fn param_of(e: &UnitError) -> Option<&str> {
    match e {
        UnitError::Parameter { param, .. } => Some(param),
        _ => None,
    }
}

/// The port an error names, if it is a port error.
pub(super) fn port_of(e: &UnitError) -> Option<&str> {
    match e {
        UnitError::Port { port, .. } => Some(port),
        _ => None,
    }
}

/// Mass and every element conserved to 1e-12 relative, make-up materials counted as inflow.
pub(super) fn assert_conserved(inlets: &[Stream], report: &UnitReport, outlets: &[Stream]) {
    let set = set();
    let mut inflow = inlets.to_vec();
    let mut made_up = Stream::empty(set.len());
    for m in &report.materials {
        made_up.flows[m.component] += m.rate;
    }
    inflow.push(made_up);
    let mass = |s: &[Stream]| s.iter().map(Stream::total_mass).sum::<f64>();
    let (a, b) = (mass(&inflow), mass(outlets));
    assert!(close(a, b, 1e-12), "mass: in {a:e}, out {b:e}");
    let elements = |s: &[Stream]| {
        let mut total: BTreeMap<&str, f64> = BTreeMap::new();
        for st in s {
            for (el, n) in set.element_flows(&st.flows) {
                *total.entry(el).or_insert(0.0) += n;
            }
        }
        total
    };
    let (ei, eo) = (elements(&inflow), elements(outlets));
    for el in set.elements() {
        let (a, b) = (ei.get(el).copied().unwrap_or(0.0), eo.get(el).copied().unwrap_or(0.0));
        assert!(close(a, b, 1e-12) || (a - b).abs() < 1e-300, "{el}: in {a:e}, out {b:e} mol/s");
    }
}

#[test]
fn the_plugin_offers_seven_types_and_every_default_names_its_source() {
    let names: Vec<String> = crate::unit_types().iter().map(|t| t.descriptor().type_name).collect();
    assert_eq!(
        names,
        [
            "gas_pretreatment",
            "magnetic_separation",
            "hydrator",
            "carbonator",
            "dewatering",
            "backfill_mixer",
            "equilibrium_reactor"
        ]
    );
    for t in crate::unit_types() {
        let d = t.descriptor();
        for p in &d.params {
            assert!(!p.doc.is_empty(), "{}.{} has no doc", d.type_name, p.name);
            if p.default.is_some() {
                let source = p.source.as_deref().unwrap_or("");
                assert!(source.len() > 10, "{}.{}: default without a source", d.type_name, p.name);
                let tagged = ["[S]", "[U]", "[R]"].iter().any(|tag| source.contains(tag));
                assert!(tagged, "{}.{}: source not tagged [S]/[U]/[R]: {source}", d.type_name, p.name);
            }
        }
    }
    assert_eq!(crate::PROVIDER, "calx-mineralization");
}

#[test]
fn no_unit_panics_on_empty_mismatched_or_extreme_inputs() {
    let n = set().len();
    let e = ("specific_energy", num(1.0));
    let units: Vec<(Box<dyn UnitOperation>, usize, usize)> = vec![
        (
            create(&crate::GasPretreatment, &[], &ports(&[("gas", &["a"])], &[("gas", &["b"]), ("removed", &["c"])]))
                .unwrap(),
            1,
            2,
        ),
        (
            create(
                &crate::MagneticSeparation,
                &[("to_magnetics", map(&[("Fe2O3", 1.0)])), e.clone()],
                &ports(&[("feed", &["a"])], &[("product", &["b"]), ("magnetics", &["c"])]),
            )
            .unwrap(),
            1,
            2,
        ),
        (
            create(
                &crate::Hydrator,
                &[("conversion", map(&[("CaO", 1.0)])), ("solids_fraction", num(0.3)), e.clone()],
                &ports(&[("solids", &["a"]), ("water", &["w"])], &[("slurry", &["b"])]),
            )
            .unwrap(),
            2,
            1,
        ),
        (
            create(
                &crate::Carbonator,
                &[("conversion", map(&[("Ca(OH)2", 1.0), ("CaO", 1.0)])), e.clone()],
                &ports(&[("slurry", &["a"]), ("gas", &["g"])], &[("slurry", &["b"]), ("vent", &["v"])]),
            )
            .unwrap(),
            2,
            2,
        ),
        (
            create(&crate::Dewatering, &[], &ports(&[("feed", &["a"])], &[("cake", &["b"]), ("filtrate", &["c"])]))
                .unwrap(),
            1,
            2,
        ),
        (create(&crate::BackfillMixer, &[], &ports(&[("cake", &["a"])], &[("paste", &["b"])])).unwrap(), 1, 1),
    ];
    let full = |w: f64, t: f64| {
        let mut s = Stream::empty(n);
        s.flows.iter_mut().for_each(|x| *x = w);
        s.temperature = t;
        s
    };
    for (u, n_in, n_out) in &units {
        let cases: Vec<(Vec<Stream>, usize)> = vec![
            (vec![], *n_out),
            (vec![Stream::empty(n); *n_in], *n_out),
            (vec![Stream::empty(n); *n_in], n_out + 1),
            (vec![Stream::empty(n); *n_in], 0),
            (vec![Stream::empty(n - 1); *n_in], *n_out),
            (vec![full(1e300, 298.15); *n_in], *n_out),
            (vec![full(1.0, 1e6); *n_in], *n_out),
            (vec![full(1.0, f64::INFINITY); *n_in], *n_out),
            (vec![full(1e-300, 298.15); *n_in], *n_out),
        ];
        for (inlets, k) in cases {
            let mut out = vec![Stream::empty(n); k];
            let mut report = UnitReport::default();
            // Ok or Err, never a panic; and a success never leaves a non-finite flow.
            if u.calculate(&inlets, &mut out, &mut report).is_ok() {
                assert!(out.iter().all(|s| s.flows.iter().all(|w| w.is_finite() && *w >= -1e-12)), "{out:?}");
            }
        }
    }
}
