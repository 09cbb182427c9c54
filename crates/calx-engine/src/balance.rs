//! Mass, element and energy closures of units and of the whole flowsheet.
//!
//! Energy: enthalpy flows (formation enthalpy plus sensible heat, `calx_core::thermo`) of
//! everything entering (inlets, make-up material at its temperature) plus heat supplied and
//! shaft work delivered to the streams (`UnitReport::work`), against everything leaving plus
//! heat removed and work taken from the streams. The relative error is taken against the sum
//! of the absolute values of every term, because enthalpies with formation enthalpies have
//! both signs and may sum to about zero on each side (a gas of N2 and O2 at 25 degC).

use calx_core::result::{Closure, EnergyBalance};
use calx_core::{ComponentSet, Stream, UnitReport, Utility};

/// The element make-up of a component set, tabulated once per flowsheet so that balances
/// (checked after every solve) need no maps and no sorting.
#[derive(Clone, Debug)]
pub(crate) struct ElementTable {
    /// Elements in alphabetical order.
    names: Vec<&'static str>,
    /// One row per component of the set, in its order (a component without a known
    /// composition has no atoms), so that a stream's flows are read alongside without lookups.
    rows: Vec<ElementRow>,
    /// Every row's (element index, atoms per molecule), row after row.
    atoms: Vec<(usize, f64)>,
}

/// One component's element make-up.
#[derive(Clone, Copy, Debug)]
struct ElementRow {
    molar_mass: f64,
    /// Its atoms: `ElementTable::atoms[first..end]`.
    first: usize,
    end: usize,
}

impl ElementTable {
    pub(crate) fn new(set: &ComponentSet) -> ElementTable {
        let names = set.elements();
        let mut atoms = Vec::new();
        let rows = set
            .iter()
            .map(|c| {
                let first = atoms.len();
                let molar_mass = match (&c.elements, c.molar_mass) {
                    (Some(made_of), Some(m)) => {
                        let indexed =
                            made_of.iter().filter_map(|(el, &n)| names.iter().position(|x| x == el).map(|k| (k, n)));
                        atoms.extend(indexed);
                        m
                    }
                    _ => f64::NAN,
                };
                ElementRow { molar_mass, first, end: atoms.len() }
            })
            .collect();
        ElementTable { names, rows, atoms }
    }

    /// Add component `c`'s `w` kg/s to the element flows `total` (mol/s, one per element).
    /// `w / M * n` is `(w / M) * n`: the quotient is taken once for all its atoms.
    fn add_component(&self, row: &ElementRow, w: f64, total: &mut [f64]) {
        let moles = w / row.molar_mass;
        for &(k, n) in &self.atoms[row.first..row.end] {
            total[k] += moles * n;
        }
    }
}

/// Which side of a balance a term goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// What enters (inlets, feeds, make-up material, heat supplied, work delivered).
    In = 0,
    /// What leaves (outlets, products, heat removed, work taken).
    Out = 1,
}

/// The sums of one balance being taken: total mass, element flows and enthalpy flows of what
/// enters and of what leaves. Each stream is read in one pass for all three, and every sum
/// receives its terms in the order of separate passes (sides in turn, components in order
/// within a stream), so the figures are the bits those passes gave. Kept by the flowsheet and
/// reset for every balance, so that its vector is not allocated again.
#[derive(Clone, Debug, Default)]
pub(crate) struct BalanceSums {
    /// Mass flows in and out, kg/s, summed from -0.0 as `Iterator::sum` does.
    mass: [f64; 2],
    /// Element flows in (the first half) and out, mol/s.
    elements: Vec<f64>,
    /// Energy terms in and out.
    energy: [EnergySide; 2],
    /// The first component met without thermodynamic data: the energy balance cannot be
    /// checked, and no further energy terms are taken.
    missing: Option<NoThermoData>,
}

impl BalanceSums {
    /// Start a balance over the elements of `table`.
    pub(crate) fn reset(&mut self, table: &ElementTable) {
        self.mass = [-0.0; 2];
        self.elements.clear();
        self.elements.resize(2 * table.names.len(), 0.0);
        self.energy = [EnergySide::default(); 2];
        self.missing = None;
    }

    /// Add `stream` to side `to`: its total mass (the sum [`Stream::total_mass`] takes), its
    /// element flows and, while every component met so far had data, its enthalpy flow at
    /// its temperature (specific enthalpies from `memo`). Absent components add nothing (a
    /// NaN or an infinity is not absent, and is added).
    pub(crate) fn add_stream(
        &mut self,
        to: Direction,
        stream: &Stream,
        (table, set, memo): (&ElementTable, &ComponentSet, &mut EnthalpyMemo),
    ) {
        let side = to as usize;
        let n = table.names.len();
        let elements = &mut self.elements[side * n..(side + 1) * n];
        let t = stream.temperature;
        let mut enthalpies = if self.missing.is_none() { Some(memo.row(t, set.len())) } else { None };
        // Summed here and added to the side's sums once (the same additions in the same order).
        let mut energy = self.energy[side];
        let known = stream.flows.len().min(table.rows.len()).min(set.len());
        let (tabulated, beyond) = stream.flows.split_at(known);
        // Sliced to one length, so that one index runs the loop without bounds checks.
        let rows = &table.rows[..known];
        let mut mass = -0.0;
        for c in 0..known {
            let w = tabulated[c];
            mass += w;
            if w == 0.0 {
                continue;
            }
            table.add_component(&rows[c], w, elements);
            let Some(h) = &mut enthalpies else { continue };
            match h.known(c) {
                Some(h) => energy.add(w * h),
                None => match h.compute(set, c, t) {
                    Ok(h) => energy.add(w * h),
                    Err(missing) => {
                        self.missing = Some(missing);
                        enthalpies = None;
                    }
                },
            }
        }
        for &w in beyond {
            mass += w;
        }
        self.energy[side] = energy;
        self.mass[side] += mass;
    }

    /// Add the make-up materials `report` draws to what enters: their mass and elements (read
    /// as the stream they would make, each component's draws summed in order onto zero) if it
    /// draws any, and their enthalpy flows at their own temperatures.
    pub(crate) fn add_make_up(
        &mut self,
        report: &UnitReport,
        (table, set, memo): (&ElementTable, &ComponentSet, &mut EnthalpyMemo),
    ) {
        if !report.materials.is_empty() {
            let n = table.names.len();
            let drawn = |c: usize| report.materials.iter().filter(|m| m.component == c).fold(0.0, |w, m| w + m.rate);
            for (c, row) in table.rows.iter().enumerate() {
                if row.first == row.end {
                    continue;
                }
                let w = drawn(c);
                if w != 0.0 {
                    table.add_component(row, w, &mut self.elements[..n]);
                }
            }
            self.mass[0] += (0..set.len()).map(drawn).sum::<f64>();
        }
        if self.missing.is_none()
            && let Err(missing) = self.energy[0].add_materials(memo, set, report)
        {
            self.missing = Some(missing);
        }
    }

    /// Add a unit's heat duties and shaft work: heat supplied and work done on the streams
    /// in, heat removed and work taken from them out.
    pub(crate) fn add_duties_and_work(&mut self, report: &UnitReport) {
        let [inn, out] = &mut self.energy;
        add_duties_and_work(report, inn, out);
    }

    /// The closures of total mass and of every element present, written over `out` (a result
    /// being reused: its closures are overwritten in place, not dropped and pushed again).
    pub(crate) fn closures_into(&self, table: &ElementTable, out: &mut Vec<Closure>) {
        let (e_in, e_out) = self.elements.split_at(table.names.len());
        let mut written = 0;
        put_closure(out, &mut written, Closure::of("mass", self.mass[0], self.mass[1]));
        for ((el, &a), &b) in table.names.iter().zip(e_in).zip(e_out) {
            if a != 0.0 || b != 0.0 {
                put_closure(out, &mut written, Closure::of(el, a, b));
            }
        }
        out.truncate(written);
    }

    /// The energy balance: its closure, or the component whose data are missing.
    pub(crate) fn energy(&self) -> EnergyBalance {
        match &self.missing {
            None => EnergyBalance::Checked(energy_closure(self.energy[0], self.energy[1])),
            Some(NoThermoData { component }) => EnergyBalance::NoData { component: component.clone() },
        }
    }
}

/// Write `closure` as the `written`th of `out`, over the one there if any.
fn put_closure(out: &mut Vec<Closure>, written: &mut usize, closure: Closure) {
    match out.get_mut(*written) {
        Some(slot) => *slot = closure,
        None => out.push(closure),
    }
    *written += 1;
}

/// The first closure that breaks conservation beyond `tolerance` (relative), ignoring
/// imbalances below a round-off floor relative to the unit's whole throughput of that kind
/// (an element present in traces must not fail on 1e-30 mol/s of noise). A closure with a
/// non-finite figure always breaks conservation.
pub(crate) fn first_violation(closures: &[Closure], tolerance: f64) -> Option<&Closure> {
    let element_scale: f64 = closures.iter().skip(1).map(|c| c.inflow.max(c.outflow)).sum();
    // An overflowed throughput must not become an infinite floor that hides everything.
    let element_floor = if element_scale.is_finite() { 1e-14 * element_scale } else { 0.0 };
    closures
        .iter()
        .enumerate()
        .find(|(i, c)| {
            let floor = if *i == 0 { 0.0 } else { element_floor };
            let diff = (c.inflow - c.outflow).abs();
            // Written so that NaN counts as a violation (`NaN > tolerance` is false).
            let within = c.relative_error <= tolerance || diff <= floor;
            !within
        })
        .map(|(_, c)| c)
}

/// The components' specific enthalpies at the temperatures energy balances meet, each
/// computed once: a stream is balanced as an outlet of one unit, an inlet of the next and
/// perhaps at the plant's boundary, most streams of a plant share a few temperatures, and a
/// study's samples meet the same temperatures again. Each value is exactly what
/// [`calx_core::Component::specific_enthalpy`] returns for the flowsheet's component set (which
/// never changes: it is shared, immutable), so the balances' sums are the same bits. Kept
/// between solves; at [`MEMO_TEMPERATURES`] temperatures it starts over (its vectors are kept).
#[derive(Clone, Debug, Default)]
pub(crate) struct EnthalpyMemo {
    /// The temperatures (their bits) of the slots in use, in the order first met.
    temperatures: Vec<u64>,
    /// Per slot: the specific enthalpies (J/kg), `None` where not yet asked for.
    values: Vec<EnthalpyRow>,
}

/// Temperatures an [`EnthalpyMemo`] holds before it starts over: more than a plant's streams
/// usually have, few enough that finding one is a short scan.
pub(crate) const MEMO_TEMPERATURES: usize = 32;

/// The specific enthalpies of every component at one temperature, computed as first asked for.
#[derive(Clone, Debug, Default)]
struct EnthalpyRow {
    h: Vec<Option<f64>>,
}

impl EnthalpyMemo {
    /// The row of temperature `t`, opened when first met.
    fn row(&mut self, t: f64, components: usize) -> &mut EnthalpyRow {
        let bits = t.to_bits();
        let i = match self.temperatures.iter().position(|&b| b == bits) {
            Some(i) => i,
            None => self.open(bits, components),
        };
        &mut self.values[i]
    }

    /// A new slot for the temperature of `bits`, with nothing known yet.
    #[cold]
    fn open(&mut self, bits: u64, components: usize) -> usize {
        if self.temperatures.len() == MEMO_TEMPERATURES {
            self.temperatures.clear();
        }
        let i = self.temperatures.len();
        self.temperatures.push(bits);
        if self.values.len() == i {
            self.values.push(EnthalpyRow::default());
        }
        let row = &mut self.values[i];
        row.h.clear();
        row.h.resize(components, None);
        i
    }

    /// How many temperatures it holds (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.temperatures.len()
    }
}

impl EnthalpyRow {
    /// Component `c` of `set`'s specific enthalpy at `t` (this row's temperature).
    fn enthalpy(&mut self, set: &ComponentSet, c: usize, t: f64) -> Result<f64, NoThermoData> {
        match self.known(c) {
            Some(h) => Ok(h),
            None => self.compute(set, c, t),
        }
    }

    /// Component `c`'s specific enthalpy if already computed.
    #[inline]
    fn known(&self, c: usize) -> Option<f64> {
        self.h[c]
    }

    /// [`EnthalpyRow::enthalpy`] the first time it is asked for.
    #[cold]
    #[inline(never)]
    fn compute(&mut self, set: &ComponentSet, c: usize, t: f64) -> Result<f64, NoThermoData> {
        let component = &set.iter().as_slice()[c];
        let h = component.specific_enthalpy(t).map_err(|_| NoThermoData { component: component.name.clone() })?;
        self.h[c] = Some(h);
        Ok(h)
    }
}

/// A component met in an energy balance has no thermodynamic data, so the balance cannot be
/// checked (`EnergyBalance::NoData` names it).
#[derive(Clone, Debug)]
pub(crate) struct NoThermoData {
    /// The component's name.
    pub(crate) component: String,
}

/// Energy terms of one side of a balance: their sum and the sum of their absolute values.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EnergySide {
    sum: f64,
    magnitude: f64,
}

impl EnergySide {
    pub(crate) fn add(&mut self, w: f64) {
        self.sum += w;
        self.magnitude += w.abs();
    }

    /// Add the make-up materials of `report` (specific enthalpies from `memo`).
    pub(crate) fn add_materials(
        &mut self,
        memo: &mut EnthalpyMemo,
        set: &ComponentSet,
        report: &UnitReport,
    ) -> Result<(), NoThermoData> {
        for m in &report.materials {
            if m.component >= set.len() {
                continue;
            }
            let h = memo.row(m.temperature, set.len()).enthalpy(set, m.component, m.temperature)?;
            self.add(m.rate * h);
        }
        Ok(())
    }
}

/// The heat a unit reports: (supplied, removed), W.
pub(crate) fn heat_duties(report: &UnitReport) -> (f64, f64) {
    (report.total(Utility::Heating), report.total(Utility::Cooling))
}

/// The shaft work a unit reports: (delivered to its streams, taken from them), W.
pub(crate) fn shaft_work(report: &UnitReport) -> (f64, f64) {
    report
        .work
        .iter()
        .fold((0.0, 0.0), |(on, by), w| if w.power >= 0.0 { (on + w.power, by) } else { (on, by - w.power) })
}

/// Add a unit's heat duties and shaft work to the sides of an energy balance: heat supplied
/// and work done on the streams in, heat removed and work taken from them out.
pub(crate) fn add_duties_and_work(report: &UnitReport, inn: &mut EnergySide, out: &mut EnergySide) {
    let (heating, cooling) = heat_duties(report);
    let (delivered, taken) = shaft_work(report);
    inn.add(heating);
    inn.add(delivered);
    out.add(cooling);
    out.add(taken);
}

/// The energy closure of `inn` (everything entering plus heat supplied) against `out`.
pub(crate) fn energy_closure(inn: EnergySide, out: EnergySide) -> Closure {
    let scale = inn.magnitude + out.magnitude;
    let relative_error = if !(inn.sum.is_finite() && out.sum.is_finite() && scale.is_finite()) {
        f64::INFINITY
    } else if scale > 0.0 {
        (inn.sum - out.sum).abs() / scale
    } else {
        0.0
    };
    Closure { quantity: "energy".into(), inflow: inn.sum, outflow: out.sum, relative_error }
}

/// Whether a closure is open beyond `tolerance`; NaN counts as open.
pub(crate) fn is_open(c: &Closure, tolerance: f64) -> bool {
    c.relative_error.is_nan() || c.relative_error > tolerance
}

#[cfg(test)]
mod tests {
    use super::*;
    use calx_core::{Component, MaterialUse, Phase};

    /// What enters or leaves in the reference sums: a stream, or a unit's make-up materials.
    enum Reference<'a> {
        Stream(&'a Stream),
        MakeUp(&'a UnitReport),
    }

    impl Reference<'_> {
        fn flow(&self, c: usize) -> f64 {
            match self {
                Reference::Stream(s) => s.flows.get(c).copied().unwrap_or(0.0),
                Reference::MakeUp(r) => r.materials.iter().filter(|m| m.component == c).fold(0.0, |w, m| w + m.rate),
            }
        }
    }

    /// The closures as they were computed before one pass took mass, elements and energy
    /// together (mass by `Iterator::sum` over the sides' totals, then per side and per
    /// component with a composition `w / M * n` onto a zeroed total; energy per side, then
    /// make-up, then duties), the reference the single pass must match bit for bit.
    fn reference(
        set: &ComponentSet,
        inlets: &[Reference<'_>],
        outlets: &[Reference<'_>],
        report: &UnitReport,
    ) -> (Vec<Closure>, EnergyBalance) {
        let names = set.elements();
        let sum = |sides: &[Reference<'_>]| {
            let mut total = vec![0.0; names.len()];
            for s in sides {
                for (c, comp) in set.iter().enumerate() {
                    let (Some(atoms), Some(m)) = (&comp.elements, comp.molar_mass) else { continue };
                    let w = s.flow(c);
                    if w == 0.0 {
                        continue;
                    }
                    for (el, &n) in atoms {
                        let k = names.iter().position(|x| x == el).unwrap();
                        total[k] += w / m * n;
                    }
                }
            }
            total
        };
        let total = |s: &Reference<'_>| match s {
            Reference::Stream(s) => s.total_mass(),
            Reference::MakeUp(_) => (0..set.len()).map(|c| s.flow(c)).sum(),
        };
        let mass = |sides: &[Reference<'_>]| sides.iter().map(total).sum::<f64>();
        let mut closures = vec![Closure::of("mass", mass(inlets), mass(outlets))];
        let (e_in, e_out) = (sum(inlets), sum(outlets));
        for (k, el) in names.iter().enumerate() {
            if e_in[k] != 0.0 || e_out[k] != 0.0 {
                closures.push(Closure::of(el, e_in[k], e_out[k]));
            }
        }
        let flows = |side: &mut EnergySide, s: &Stream| -> Result<(), NoThermoData> {
            for (c, &w) in set.iter().zip(&s.flows) {
                if w != 0.0 {
                    let h =
                        c.specific_enthalpy(s.temperature).map_err(|_| NoThermoData { component: c.name.clone() })?;
                    side.add(w * h);
                }
            }
            Ok(())
        };
        let sides = || -> Result<(EnergySide, EnergySide), NoThermoData> {
            let (mut inn, mut out) = (EnergySide::default(), EnergySide::default());
            for s in inlets {
                if let Reference::Stream(s) = s {
                    flows(&mut inn, s)?;
                }
            }
            inn.add_materials(&mut EnthalpyMemo::default(), set, report)?;
            for s in outlets {
                if let Reference::Stream(s) = s {
                    flows(&mut out, s)?;
                }
            }
            add_duties_and_work(report, &mut inn, &mut out);
            Ok((inn, out))
        };
        let energy = match sides() {
            Ok((inn, out)) => EnergyBalance::Checked(energy_closure(inn, out)),
            Err(NoThermoData { component }) => EnergyBalance::NoData { component },
        };
        (closures, energy)
    }

    fn bits(closures: &[Closure]) -> Vec<(String, u64, u64, u64)> {
        closures
            .iter()
            .map(|c| (c.quantity.to_string(), c.inflow.to_bits(), c.outflow.to_bits(), c.relative_error.to_bits()))
            .collect()
    }

    fn energy_bits(e: &EnergyBalance) -> String {
        match e {
            EnergyBalance::Checked(c) => format!("{:?}", bits(std::slice::from_ref(c))),
            other => format!("{other:?}"),
        }
    }

    fn thermo(formula: &str, phase: Phase, formation_enthalpy: f64, cp: f64) -> Component {
        let mut c = Component::from_formula(formula, formula, phase).unwrap();
        c.formation_enthalpy = Some(formation_enthalpy);
        c.heat_capacity = Some(calx_core::thermo::HeatCapacity::Constant { cp });
        c
    }

    #[test]
    fn one_pass_sums_are_the_separate_passes_bit_for_bit() {
        // Formation enthalpies (J/mol) and heat capacities (J/(mol K)) of round size: only
        // the order of the sums is under test, not the data.
        let mut components = vec![
            thermo("CaO", Phase::Solid, -635_000.0, 42.0),
            thermo("Ca(OH)2", Phase::Solid, -986_000.0, 87.0),
            thermo("H2O", Phase::Liquid, -286_000.0, 75.0),
            thermo("CaCO3", Phase::Solid, -1_207_000.0, 83.0),
            thermo("CO2", Phase::Gas, -393_500.0, 37.0),
        ];
        components.insert(2, Component::pseudo("ash", Phase::Solid, None).unwrap());
        let mut no_data = Component::from_formula("N2", "N2", Phase::Gas).unwrap();
        no_data.heat_capacity = None;
        components.push(no_data);
        let set = ComponentSet::new(components).unwrap();
        let table = ElementTable::new(&set);
        // Flows with zeros of both signs, round-off negatives and magnitudes far apart (an
        // order-dependent sum shows), from a fixed linear congruential sequence.
        let mut state = 12345_u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let pick = (state >> 33) % 8;
            let x = (state >> 11) as f64 / (1u64 << 53) as f64;
            match pick {
                0..=2 => 0.0,
                3 => -0.0,
                4 => -1e-18 * x,
                5 => 1e6 * x,
                _ => x,
            }
        };
        let mut report = UnitReport::default();
        report.materials.push(MaterialUse { purpose: "lime".into(), component: 1, rate: 0.25, temperature: 300.0 });
        report.materials.push(MaterialUse { purpose: "more".into(), component: 1, rate: 1e-9, temperature: 310.0 });
        report.heat_duty("heater", 1234.5);
        let (mut sums, mut memo) = (BalanceSums::default(), EnthalpyMemo::default());
        let mut out = Vec::new();
        for i in 0..300 {
            let streams: Vec<Stream> = (0..4)
                .map(|k| {
                    let mut flows: Vec<f64> = (0..set.len()).map(|_| next()).collect();
                    // Most samples without the component that has no data, as in a plant.
                    if i % 5 != 0 {
                        flows[set.len() - 1] = 0.0;
                    }
                    Stream { flows, temperature: 290.0 + (i % 7 + k) as f64, ..Stream::empty(set.len()) }
                })
                .collect();
            sums.reset(&table);
            sums.add_stream(Direction::In, &streams[0], (&table, &set, &mut memo));
            sums.add_stream(Direction::In, &streams[1], (&table, &set, &mut memo));
            sums.add_make_up(&report, (&table, &set, &mut memo));
            sums.add_stream(Direction::Out, &streams[2], (&table, &set, &mut memo));
            sums.add_stream(Direction::Out, &streams[3], (&table, &set, &mut memo));
            sums.add_duties_and_work(&report);
            sums.closures_into(&table, &mut out);
            let inlets = [Reference::Stream(&streams[0]), Reference::Stream(&streams[1]), Reference::MakeUp(&report)];
            let outlets = [Reference::Stream(&streams[2]), Reference::Stream(&streams[3])];
            let (closures, energy) = reference(&set, &inlets, &outlets, &report);
            assert_eq!(bits(&out), bits(&closures), "sample {i}");
            assert_eq!(energy_bits(&sums.energy()), energy_bits(&energy), "sample {i}");
        }
        // A stream of zeros only: the mass sums keep the sign of `Iterator::sum`'s zero.
        let zeros = Stream { flows: vec![-0.0; set.len()], ..Stream::empty(set.len()) };
        sums.reset(&table);
        sums.add_stream(Direction::In, &zeros, (&table, &set, &mut memo));
        sums.closures_into(&table, &mut out);
        let (closures, _) = reference(&set, &[Reference::Stream(&zeros)], &[], &UnitReport::default());
        assert_eq!(bits(&out), bits(&closures));
    }

    #[test]
    fn remembered_enthalpies_are_the_components_own() {
        let water = thermo("H2O", Phase::Liquid, -285_830.0, 75.3);
        let set = ComponentSet::new(vec![water.clone()]).unwrap();
        let table = ElementTable::new(&set);
        let (mut sums, mut memo) = (BalanceSums::default(), EnthalpyMemo::default());
        // More temperatures than the memo holds, twice over: it starts over and still answers
        // each with the component's own value.
        for round in 0..2 {
            for i in 0..(MEMO_TEMPERATURES + 5) {
                let t = 280.0 + i as f64 * 0.7;
                sums.reset(&table);
                let stream = Stream { flows: vec![2.0], temperature: t, ..Stream::empty(1) };
                sums.add_stream(Direction::In, &stream, (&table, &set, &mut memo));
                let expected = 2.0 * water.specific_enthalpy(t).unwrap();
                assert_eq!(sums.energy[0].sum.to_bits(), expected.to_bits(), "round {round}, {t} K");
                assert!(memo.len() <= MEMO_TEMPERATURES);
            }
        }
    }

    fn closure(quantity: &'static str, inflow: f64, outflow: f64, relative_error: f64) -> Closure {
        Closure { quantity: quantity.into(), inflow, outflow, relative_error }
    }

    #[test]
    fn non_finite_closures_are_violations() {
        // A NaN relative error used to pass (`NaN > tolerance` is false), and so did any
        // closure next to an element whose throughput overflowed (an infinite floor).
        let nan = [closure("mass", 1.0, f64::NAN, f64::NAN)];
        assert_eq!(first_violation(&nan, 1e-9).map(|c| c.quantity.as_ref()), Some("mass"));
        let overflowed = [
            closure("mass", 1.0, 1.0, 0.0),
            closure("C", 1.0, 2.0, 0.5),
            closure("O", f64::INFINITY, f64::INFINITY, f64::NAN),
        ];
        assert_eq!(first_violation(&overflowed, 1e-9).map(|c| c.quantity.as_ref()), Some("C"));
        let fine = [closure("mass", 1.0, 1.0, 0.0), closure("C", 1.0, 1.0 + 1e-20, 1e-20)];
        assert!(first_violation(&fine, 1e-9).is_none());
    }
}
