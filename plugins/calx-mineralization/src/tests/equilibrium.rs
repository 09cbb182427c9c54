//! Aqueous equilibrium in units and streams: the carbonator's `mode: equilibrium`, the
//! `equilibrium_reactor` and stream properties (`crate::aqueous`).
//!
//! The references are independent of the unit code: the pH of saturated calcium hydroxide
//! (Bates, Bower and Smith 1956, the 25 °C pH standard 12.454), the IAPWS-IF97 saturation
//! pressure for the vent, and `calx-aqueous` called directly at a fixed CO2 partial pressure
//! for "the slurry leaves in equilibrium with the gas that leaves".

use calx_aqueous::{ActivityModel, GasCondition};
use calx_core::aqueous::AqueousSettings;

use super::*;
use crate::aqueous::{Inventory, equilibrate, mineral_map, stream_properties};
use crate::{Carbonator, EquilibriumReactor};

// Indices into `eq_set()`.
const LIME: usize = 0;
const PORTLANDITE: usize = 1;
const CALCITE: usize = 2;
const WATER: usize = 3;
const VAPOUR: usize = 4;
const CARBON_DIOXIDE: usize = 5;
const NITROGEN: usize = 6;

/// Components of the equilibrium tests (CRC formation enthalpies and Cp(298),
/// docs/sources.md §Formation enthalpies); `with_vapour` adds `H2O(g)`.
fn eq_set(with_vapour: bool) -> Arc<ComponentSet> {
    let mut components = vec![
        comp("CaO", Phase::Solid, -634.9, 42.0),
        comp("Ca(OH)2", Phase::Solid, -985.2, 87.5),
        comp("CaCO3", Phase::Solid, -1207.6, 83.5),
        comp("H2O", Phase::Liquid, -285.8, 75.3),
    ];
    if with_vapour {
        let mut vapour = Component::from_formula("H2O(g)", "H2O", Phase::Gas).unwrap();
        vapour.formation_enthalpy = Some(-241.8e3);
        vapour.heat_capacity = Some(HeatCapacity::Constant { cp: 33.6 });
        components.push(vapour);
    }
    components.push(comp("CO2", Phase::Gas, -393.5, 37.1));
    components.push(comp("N2", Phase::Gas, 0.0, 29.1));
    Arc::new(ComponentSet::new(components).unwrap())
}

/// The index of a component of `eq_set(false)`, which lacks `H2O(g)`.
fn dry(i: usize) -> usize {
    if i > VAPOUR { i - 1 } else { i }
}

fn molar(set: &ComponentSet, i: usize) -> f64 {
    set.get(i).unwrap().molar_mass.unwrap()
}

fn flows(set: &ComponentSet, moles: &[(usize, f64)], t: f64) -> Stream {
    let mut s = Stream::empty(set.len());
    for &(i, n) in moles {
        s.flows[i] = n * molar(set, i);
    }
    s.temperature = t;
    s
}

fn run_in(set: &ComponentSet, unit: &dyn UnitOperation, inlets: &[Stream], n_out: usize) -> (Vec<Stream>, UnitReport) {
    let mut out = vec![Stream::empty(set.len()); n_out];
    let mut report = UnitReport::default();
    unit.calculate(inlets, &mut out, &mut report).unwrap_or_else(|e| panic!("{e}"));
    (out, report)
}

/// Mass and every element conserved to 1e-10 relative (the speciation converges to 1e-11 of
/// each element's total).
fn conserved(set: &ComponentSet, inlets: &[Stream], outlets: &[Stream]) {
    let total = |s: &[Stream]| {
        let mut t: BTreeMap<String, f64> = BTreeMap::new();
        for st in s {
            for (el, n) in set.element_flows(&st.flows) {
                *t.entry(el.to_string()).or_insert(0.0) += n;
            }
            *t.entry("mass".into()).or_insert(0.0) += st.total_mass();
        }
        t
    };
    let (a, b) = (total(inlets), total(outlets));
    for (k, x) in &a {
        let y = b.get(k).copied().unwrap_or(0.0);
        assert!(close(*x, y, 1e-10), "{k}: in {x:e}, out {y:e}");
    }
}

fn carbonator_ports() -> Connections {
    ports(&[("slurry", &["s"]), ("gas", &["g"])], &[("slurry", &["cs"]), ("vent", &["v"])])
}

/// 1 mol/s Ca(OH)2 in 9 kg/s water meets 1.5 mol/s CO2 in 6 mol/s N2 at 25 °C: CO2 in
/// excess, so the portlandite is used up and the gas's CO2 partial pressure sets the slurry's
/// state (with portlandite left over, portlandite, calcite and the gas would fix p_CO2 and
/// leave the uptake undetermined by it).
fn lime_and_flue_gas(set: &ComponentSet, water: usize, co2: usize, n2: usize) -> [Stream; 2] {
    let mut slurry = flows(set, &[(PORTLANDITE, 1.0)], 298.15);
    slurry.flows[water] = 9.0;
    [slurry, flows(set, &[(co2, 1.5), (n2, 6.0)], 298.15)]
}

fn equilibrium_carbonator(set: &Arc<ComponentSet>, extra: &[(&str, ParamValue)]) -> Box<dyn UnitOperation> {
    let minerals = ParamValue::List(vec![text("Calcite"), text("Portlandite")]);
    let mut params = vec![("mode", text("equilibrium")), ("minerals", minerals), ("specific_energy", num(0.0))];
    params.push(("T", num(298.15)));
    params.extend(extra.iter().cloned());
    create_in(set, &Carbonator, &params, &carbonator_ports()).unwrap_or_else(|e| panic!("{e}"))
}

/// A lime slurry read as a stream sits at portlandite saturation: the 25 °C pH standard of
/// saturated calcium hydroxide, 12.454 (Bates, Bower and Smith 1956), within the 0.03 the
/// crate's own reference test allows.
#[test]
fn a_lime_slurry_reads_at_the_calcium_hydroxide_ph_standard() {
    let set = eq_set(true);
    let mut s = flows(&set, &[(PORTLANDITE, 0.1)], 298.15);
    s.flows[WATER] = 1.0;
    let props = stream_properties(&set, &s, &AqueousSettings::default()).unwrap().expect("wet");
    assert!((props.ph - 12.454).abs() < 0.03, "pH {}", props.ph);
    assert!(props.saturation_index("Portlandite").unwrap().abs() < 1e-8);
    // CaO counts as portlandite of the same amount: the same solution.
    let mut q = flows(&set, &[(LIME, 0.1)], 298.15);
    q.flows[WATER] = 1.0;
    let lime = stream_properties(&set, &q, &AqueousSettings::default()).unwrap().expect("wet");
    assert!((lime.ph - props.ph).abs() < 1e-9, "{} vs {}", lime.ph, props.ph);
    // A dry stream has no aqueous properties.
    let gas = flows(&set, &[(CARBON_DIOXIDE, 1.0)], 298.15);
    assert_eq!(stream_properties(&set, &gas, &AqueousSettings::default()).unwrap(), None);
}

/// The carbonator at equilibrium: slurry and vent leave in equilibrium with each other (the
/// slurry at the vent's CO2 partial pressure takes up nothing more), the vent is saturated
/// with water vapour at p_sat(25 °C) / P, calcite is at saturation, elements are conserved,
/// and the slurry read back as a stream gives the unit's pH.
#[test]
fn the_equilibrium_carbonator_leaves_slurry_and_vent_in_equilibrium() {
    let set = eq_set(true);
    let unit = equilibrium_carbonator(&set, &[]);
    let inlets = lime_and_flue_gas(&set, WATER, CARBON_DIOXIDE, NITROGEN);
    let (out, report) = run_in(&set, &*unit, &inlets, 2);
    let (slurry, vent) = (&out[0], &out[1]);
    conserved(&set, &inlets, &out);
    let mol = |s: &Stream, i: usize| s.flows[i] / molar(&set, i);
    let vent_moles: f64 = (0..set.len()).map(|i| mol(vent, i)).sum();
    let p = vent.pressure;
    // Water vapour: IAPWS-IF97 region 4.
    let p_sat = calx_core::water::saturation_pressure(298.15).unwrap();
    assert!(close(mol(vent, VAPOUR) / vent_moles, p_sat / p, 1e-9), "vapour {}", mol(vent, VAPOUR) / vent_moles);
    // All the lime is carbonated, and a little more CO2 dissolves; the CO2 fixed is what
    // left the gas.
    let fixed = 1.5 - mol(vent, CARBON_DIOXIDE);
    assert!(fixed > 1.0 && fixed < 1.1, "CO2 fixed {fixed} mol/s");
    // Calcite takes nearly all the calcium; at a CO2 partial pressure near 0.2 atm a few
    // mmol/kg stay dissolved as bicarbonate (about 0.03 of the 1 mol/s in 9 kg/s of water).
    let calcite = slurry.flows[CALCITE] / molar(&set, CALCITE);
    assert!(calcite > 0.95 && calcite < 1.0, "calcite {calcite} mol/s");
    assert!(close(size(&report, "co2_fixed"), fixed * molar(&set, CARBON_DIOXIDE), 1e-9));
    // The slurry at the vent's CO2 partial pressure (calx-aqueous directly, fixed pressure):
    // in equilibrium already, so it takes up (or releases) nothing beyond the difference
    // between the fixed-pressure fugacity (Peng-Robinson) and the closed volume's ideal gas.
    let p_co2 = mol(vent, CARBON_DIOXIDE) / vent_moles * p;
    let inv = Inventory::read(&set, &slurry.flows, &mineral_map(&AqueousSettings::default()));
    let minerals = ["Calcite".to_string(), "Portlandite".to_string()];
    let again = equilibrate(
        &inv,
        &minerals,
        298.15,
        ActivityModel::ExtendedDebyeHuckel,
        GasCondition::FixedCo2 { pressure: p_co2 },
    )
    .unwrap();
    assert!(again.co2_from_gas.abs() < 1e-3 * fixed, "takes up {} mol/s more", again.co2_from_gas);
    assert!(again.saturation_index("Calcite").unwrap().abs() < 1e-8);
    // Read back as a stream: the unit's pH.
    let props = stream_properties(&set, slurry, &AqueousSettings::default()).unwrap().expect("wet");
    assert!((props.ph - size(&report, "pH")).abs() < 1e-6, "stream pH {} unit pH {}", props.ph, size(&report, "pH"));
    assert!(props.saturation_index("Portlandite").unwrap() < 0.0, "portlandite used up");
}

/// `approach` takes the unit part of the way: half way, about half the calcite of full
/// equilibrium (the water the vent takes shifts it slightly), every element still conserved.
#[test]
fn approach_takes_the_unit_part_of_the_way() {
    let set = eq_set(true);
    let inlets = lime_and_flue_gas(&set, WATER, CARBON_DIOXIDE, NITROGEN);
    let full = run_in(&set, &*equilibrium_carbonator(&set, &[]), &inlets, 2).0;
    let half = run_in(&set, &*equilibrium_carbonator(&set, &[("approach", num(0.5))]), &inlets, 2).0;
    conserved(&set, &inlets, &half);
    let (a, b) = (full[0].flows[CALCITE], half[0].flows[CALCITE]);
    assert!(close(b, 0.5 * a, 1e-3), "calcite {b} against half of {a}");
}

/// The saturated vent needs `H2O(g)`; `vent: dry` does without it and leaves no vapour.
#[test]
fn a_saturated_vent_needs_the_vapour_component() {
    let set = eq_set(false);
    let e = create_in(
        &set,
        &Carbonator,
        &[
            ("mode", text("equilibrium")),
            ("minerals", ParamValue::List(vec![text("Calcite")])),
            ("specific_energy", num(0.0)),
        ],
        &carbonator_ports(),
    )
    .err()
    .expect("refused");
    assert_eq!(param_of(&e), Some("vent"), "{e}");
    assert!(e.to_string().contains("H2O(g)"), "{e}");
    let unit = equilibrium_carbonator(&set, &[("vent", text("dry"))]);
    let inlets = lime_and_flue_gas(&set, dry(WATER), dry(CARBON_DIOXIDE), dry(NITROGEN));
    let (out, _) = run_in(&set, &*unit, &inlets, 2);
    conserved(&set, &inlets, &out);
    assert_eq!(out[1].flows[dry(WATER)], 0.0, "no liquid in the vent");
}

/// Equilibrium mode decides the conversion itself and cannot be adiabatic; conversion mode
/// still needs its conversions.
#[test]
fn the_carbonator_modes_refuse_what_does_not_belong() {
    let set = eq_set(true);
    let conversion = ("conversion", map(&[("Ca(OH)2", 0.5)]));
    for (extra, param) in
        [(vec![conversion.clone()], "conversion"), (vec![("adiabatic", ParamValue::Bool(true))], "adiabatic")]
    {
        let minerals = ParamValue::List(vec![text("Calcite")]);
        let mut params = vec![("mode", text("equilibrium")), ("minerals", minerals), ("specific_energy", num(0.0))];
        params.extend(extra);
        let e = create_in(&set, &Carbonator, &params, &carbonator_ports()).err().expect("refused");
        assert_eq!(param_of(&e), Some(param), "{e}");
    }
    let e = create_in(&set, &Carbonator, &[("specific_energy", num(0.0))], &carbonator_ports()).err().expect("refused");
    assert_eq!(param_of(&e), Some("conversion"), "{e}");
}

/// The equilibrium reactor with no gas: quicklime in water slakes to portlandite at
/// saturation (the pH standard again); the water used by the slaking leaves the liquid.
#[test]
fn the_equilibrium_reactor_slakes_lime_without_a_gas() {
    let set = eq_set(true);
    let minerals = ParamValue::List(vec![text("Portlandite")]);
    let c = ports(&[("in", &["feed"])], &[("slurry", &["out"])]);
    let unit = create_in(&set, &EquilibriumReactor, &[("minerals", minerals), ("T", num(298.15))], &c)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut feed = flows(&set, &[(LIME, 0.5)], 298.15);
    feed.flows[WATER] = 5.0;
    let inlets = [feed];
    let (out, report) = run_in(&set, &*unit, &inlets, 1);
    conserved(&set, &inlets, &out);
    assert_eq!(out[0].flows[LIME], 0.0, "the lime is used up");
    assert!((size(&report, "pH") - 12.454).abs() < 0.03, "pH {}", size(&report, "pH"));
    // All the calcium leaves as Ca(OH)2 (solid or, lumped, dissolved): 0.5 mol/s.
    assert!(close(out[0].flows[PORTLANDITE] / molar(&set, PORTLANDITE), 0.5, 1e-12));
    assert_eq!(size(&report, "co2_taken_up"), 0.0);
    // Slaking is exothermic (CRC: -65.5 kJ/mol with liquid water): held at 25 °C it is cooled.
    assert!(report.total(calx_core::Utility::Cooling) > 0.0);
}

/// The hydrator reports its slurry's pH and dissolved calcium only with an activity model:
/// quicklime slaked in water sits at the calcium hydroxide pH standard (12.454 at 25 °C,
/// Bates, Bower and Smith 1956) with about 20.3 mmol/kg Ca (the same paper), and without a
/// model nothing is speciated.
#[test]
fn the_hydrator_reports_ph_and_dissolved_calcium_with_an_activity_model() {
    let set = eq_set(true);
    let c = ports(&[("solids", &["ash"]), ("water", &["w"])], &[("slurry", &["out"])]);
    let params = |model: Option<&str>| {
        let mut p = vec![("conversion", map(&[("CaO", 1.0)])), ("specific_energy", num(0.0)), ("T", num(298.15))];
        p.extend(model.map(|m| ("activity_model", text(m))));
        p
    };
    let mut water = Stream::empty(set.len());
    water.flows[WATER] = 5.0;
    water.temperature = 298.15;
    let inlets = [flows(&set, &[(LIME, 0.5)], 298.15), water];
    let with = create_in(&set, &crate::Hydrator, &params(Some("extended_debye_huckel")), &c).unwrap();
    let (out, report) = run_in(&set, &*with, &inlets, 1);
    conserved(&set, &inlets, &out);
    assert!((size(&report, "pH") - 12.454).abs() < 0.03, "pH {}", size(&report, "pH"));
    assert!(close(size(&report, "dissolved_ca"), 0.0203, 0.03), "Ca {}", size(&report, "dissolved_ca"));
    assert_eq!(size(&report, "dissolved_mg"), 0.0);
    let without = create_in(&set, &crate::Hydrator, &params(None), &c).unwrap();
    let (same, plain) = run_in(&set, &*without, &inlets, 1);
    assert_eq!(same[0].flows, out[0].flows, "speciation reports, it changes nothing");
    assert!(plain.sizes.iter().all(|z| z.name != "pH"), "no pH without a model");
}
