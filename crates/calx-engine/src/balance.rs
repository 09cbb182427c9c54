//! Mass, element and energy closures of units and of the whole flowsheet.
//!
//! Energy: enthalpy flows (formation enthalpy plus sensible heat, `calx_core::thermo`) of
//! everything entering (inlets, make-up material at its temperature) plus heat supplied and
//! shaft work delivered to the streams (`UnitReport::work`), against everything leaving plus
//! heat removed and work taken from the streams. The relative error is taken against the sum
//! of the absolute values of every term, because enthalpies with formation enthalpies have
//! both signs and may sum to about zero on each side (a gas of N2 and O2 at 25 degC).
//!
//! Each stream value is read once ([`StreamBook`]): its mass, element flows and
//! enthalpy flow are summed on their own, and every balance it enters (as an outlet, an
//! inlet, a feed or a product) adds those sums. A balance's figures are thus summed per
//! stream and then over streams, and may differ in the last bits from one long sum.

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
    /// Its elements as bits (element `k` is bit `k`; every bit when the table has more than
    /// 64 elements).
    mask: u64,
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
                let mask = atoms[first..].iter().fold(0, |m, &(k, _)| m | element_bit(k));
                ElementRow { molar_mass, mask, first, end: atoms.len() }
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

/// Element `k` as a bit of an element mask: every bit beyond the 64th element, so that a mask
/// never leaves out an element it should hold.
fn element_bit(k: usize) -> u64 {
    if k < 64 { 1 << k } else { u64::MAX }
}

/// Which side of a balance a term goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// What enters (inlets, feeds, make-up material, heat supplied, work delivered).
    In = 0,
    /// What leaves (outlets, products, heat removed, work taken).
    Out = 1,
}

/// What one stream value brings to any balance it enters: its total mass, its enthalpy flow
/// (or the component that has none) and, kept alongside in [`StreamBook`], its element flows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamSums {
    /// Total mass flow, kg/s: every flow summed from -0.0 in order, the bits of
    /// [`Stream::total_mass`].
    pub(crate) mass: f64,
    /// The elements its element flows may hold (as [`ElementRow::mask`]): the others are
    /// exactly zero, so a balance need not add them.
    touched: u64,
    /// The enthalpy flows of its components (sum and sum of absolute values, components in
    /// order from zero), or the first component with a flow and no thermodynamic data.
    pub(crate) energy: Result<EnergySide, NoThermoData>,
}

/// The [`StreamSums`] of the stream values one fill balances, each taken once: a stream is
/// the outlet of one unit, the inlet of the next and perhaps at the plant's boundary, and
/// every balance it enters adds these sums instead of reading it again. Entries are numbered
/// in the order they were taken: every unit's outlets first, kept from one fill to the next
/// for the units not calculated in between ([`KeptSums`]), then the values a fill takes on
/// their own, dropped by the next. Kept by the flowsheet, so that its vectors are not
/// allocated again once they have reached a fill's size.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamBook {
    sums: Vec<StreamSums>,
    /// Element flows, mol/s: `width` (the table's elements) per entry, entry after entry.
    elements: Vec<f64>,
    width: usize,
}

impl StreamBook {
    /// Forget every entry; the next fill balances the elements of `table`.
    pub(crate) fn clear(&mut self, table: &ElementTable) {
        self.sums.clear();
        self.elements.clear();
        self.width = table.names.len();
    }

    /// Keep the first `n` entries for the next fill, when the book holds that many of a table
    /// as wide as `table`; `false` (nothing kept) otherwise.
    pub(crate) fn keep(&mut self, n: usize, table: &ElementTable) -> bool {
        if self.width != table.names.len() || self.sums.len() < n {
            return false;
        }
        self.sums.truncate(n);
        self.elements.truncate(n * self.width);
        true
    }

    /// Take the sums of `stream` as a new entry, and return its number. Element flows sum
    /// `w / M * n` (as `(w / M) * n`) onto zero per element; the enthalpy flow sums `w * h`
    /// (specific enthalpies at the stream's temperature, from `memo`) until a component
    /// without data is met. Absent components add nothing (a NaN or an infinity is not
    /// absent, and is added).
    pub(crate) fn take(&mut self, stream: &Stream, tables: (&ElementTable, &ComponentSet, &mut EnthalpyMemo)) -> usize {
        let i = self.sums.len();
        self.elements.resize((i + 1) * self.width, 0.0);
        let sums = read(stream, tables, &mut self.elements[i * self.width..]);
        self.sums.push(sums);
        i
    }

    /// Make entry `i` the sums of `stream`: taken again in place when the book holds it, as
    /// a new entry when `i` is the next one.
    pub(crate) fn put(&mut self, i: usize, stream: &Stream, tables: (&ElementTable, &ComponentSet, &mut EnthalpyMemo)) {
        if i == self.sums.len() {
            self.take(stream, tables);
            return;
        }
        let elements = &mut self.elements[i * self.width..(i + 1) * self.width];
        elements.fill(0.0);
        self.sums[i] = read(stream, tables, elements);
    }

    /// Entry `i`: its sums and its element flows (one per element of the table).
    pub(crate) fn get(&self, i: usize) -> (&StreamSums, &[f64]) {
        (&self.sums[i], &self.elements[i * self.width..(i + 1) * self.width])
    }

    /// How many entries it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sums.len()
    }
}

/// The sums of `stream` ([`StreamBook::take`]), its element flows added onto `elements`
/// (zero, one per element of `table`).
fn read(
    stream: &Stream,
    (table, set, memo): (&ElementTable, &ComponentSet, &mut EnthalpyMemo),
    elements: &mut [f64],
) -> StreamSums {
    let t = stream.temperature;
    let enthalpies = memo.row(t, set.len());
    let mut energy = Ok(EnergySide::default());
    let known = stream.flows.len().min(table.rows.len()).min(set.len());
    let (tabulated, beyond) = stream.flows.split_at(known);
    // Sliced to one length, so that one index runs the loop without bounds checks.
    let rows = &table.rows[..known];
    let (mut mass, mut touched) = (-0.0, 0);
    for c in 0..known {
        let w = tabulated[c];
        mass += w;
        if w == 0.0 {
            continue;
        }
        touched |= rows[c].mask;
        table.add_component(&rows[c], w, elements);
        let Ok(side) = &mut energy else { continue };
        match enthalpies.known(c) {
            Some(h) => side.add(w * h),
            None => match enthalpies.compute(set, c, t) {
                Ok(h) => side.add(w * h),
                Err(missing) => energy = Err(missing),
            },
        }
    }
    for &w in beyond {
        mass += w;
    }
    StreamSums { mass, touched, energy }
}

/// Whether `a` and `b` are the same stream value, bit for bit (flows, temperature, pressure):
/// then they have the same sums. Compared as bits, not as numbers, so that -0.0 and 0.0 are
/// different values and a NaN is the same NaN only.
pub(crate) fn same_bits(a: &Stream, b: &Stream) -> bool {
    // The flows' differing bits gathered without an early exit, which the compiler turns into
    // a few wide operations: the streams compared are nearly always the same.
    let differ = a.flows.iter().zip(&b.flows).fold(0, |d, (x, y)| d | (x.to_bits() ^ y.to_bits()));
    a.temperature.to_bits() == b.temperature.to_bits()
        && a.pressure.to_bits() == b.pressure.to_bits()
        && a.flows.len() == b.flows.len()
        && differ == 0
}

/// Whether `a` and `b` hold the same numbers, bit for bit (a unit's start state).
pub(crate) fn same_numbers(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// The buffers a flowsheet keeps for its balances between solves: the specific enthalpies
/// met, the per-stream sums of the last fill and the sums of the balance being taken.
#[derive(Clone, Debug, Default)]
pub(crate) struct BalanceScratch {
    pub(crate) memo: EnthalpyMemo,
    pub(crate) streams: StreamBook,
    pub(crate) sums: BalanceSums,
    /// What the last fill found for each unit and still holds for a unit not calculated
    /// since.
    pub(crate) kept: KeptSums,
}

/// Per unit, what the last fill found for it: kept while the unit is not calculated again
/// (its inlets, outlets and report stay the same values), so that a study's sample reads
/// and balances again only the units its parameters reached.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeptSums {
    /// Whether the [`StreamBook`] entries of its outlets hold its present outlets' sums.
    outlets: Vec<bool>,
    /// Its closures and energy balance, and whether they hold.
    balances: Vec<(bool, Vec<Closure>, EnergyBalance)>,
}

impl KeptSums {
    /// Unit `u`'s streams or report are about to change.
    pub(crate) fn forget(&mut self, u: usize) {
        if let Some(taken) = self.outlets.get_mut(u) {
            *taken = false;
        }
        if let Some(balance) = self.balances.get_mut(u) {
            balance.0 = false;
        }
    }

    /// Forget everything, for `units` units.
    pub(crate) fn forget_all(&mut self, units: usize) {
        self.outlets.clear();
        self.outlets.resize(units, false);
        self.balances.iter_mut().for_each(|b| b.0 = false);
        self.balances.resize_with(units, || (false, Vec::new(), EnergyBalance::NotApplicable));
    }

    pub(crate) fn outlets_taken(&self, u: usize) -> bool {
        self.outlets.get(u).copied().unwrap_or(false)
    }

    pub(crate) fn take_outlets(&mut self, u: usize) {
        if let Some(taken) = self.outlets.get_mut(u) {
            *taken = true;
        }
    }

    /// Unit `u`'s closures and energy balance from the last fill, if they hold.
    pub(crate) fn balance(&self, u: usize) -> Option<(&[Closure], &EnergyBalance)> {
        self.balances.get(u).filter(|b| b.0).map(|(_, c, e)| (c.as_slice(), e))
    }

    /// Keep unit `u`'s closures and energy balance.
    pub(crate) fn keep_balance(&mut self, u: usize, closures: &[Closure], energy: &EnergyBalance) {
        if let Some((holds, kept, kept_energy)) = self.balances.get_mut(u) {
            kept.clear();
            kept.extend(closures.iter().cloned());
            kept_energy.clone_from(energy);
            *holds = true;
        }
    }
}

/// The sums of one balance being taken: total mass, element flows and enthalpy flows of what
/// enters and of what leaves. A stream's terms arrive as its [`StreamSums`], summed per
/// stream and then over the streams of a side (in the order they are added); make-up
/// material and duties are added term by term. Kept by the flowsheet and reset for every
/// balance, so that its vector is not allocated again.
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

    /// Add entry `i` of `book` (a stream's sums) to side `to`: its mass, its element flows
    /// and, while every stream and material met so far had data, its enthalpy flow.
    pub(crate) fn add_stream(&mut self, to: Direction, book: &StreamBook, i: usize) {
        let (sums, elements) = book.get(i);
        let n = elements.len();
        let side = to as usize;
        let totals = &mut self.elements[side * n..][..n];
        if n <= 64 {
            // Only the elements the stream holds: adding an untouched element's exact zero
            // would leave the total as it is (a total is never -0.0: it starts at 0.0).
            let mut touched = sums.touched;
            while touched != 0 {
                let k = touched.trailing_zeros() as usize;
                totals[k] += elements[k];
                touched &= touched - 1;
            }
        } else {
            for k in 0..n {
                totals[k] += elements[k];
            }
        }
        self.mass[side] += sums.mass;
        if self.missing.is_none() {
            match sums.energy {
                Ok(e) => self.energy[side].add_side(e),
                Err(missing) => self.missing = Some(missing),
            }
        }
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

    /// The energy balance: its closure, or the component of `set` whose data are missing.
    pub(crate) fn energy(&self, set: &ComponentSet) -> EnergyBalance {
        match self.missing {
            None => EnergyBalance::Checked(energy_closure(self.energy[0], self.energy[1])),
            Some(NoThermoData { component }) => {
                EnergyBalance::NoData { component: set.get(component).map_or_else(String::new, |c| c.name.clone()) }
            }
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
        let h = component.specific_enthalpy(t).map_err(|_| NoThermoData { component: c })?;
        self.h[c] = Some(h);
        Ok(h)
    }
}

/// A component met in an energy balance has no thermodynamic data, so the balance cannot be
/// checked (`EnergyBalance::NoData` names it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NoThermoData {
    /// The component's index in the flowsheet's component set.
    pub(crate) component: usize,
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

    /// Add the terms of `other` (summed on their own): its sum and its magnitude.
    fn add_side(&mut self, other: EnergySide) {
        self.sum += other.sum;
        self.magnitude += other.magnitude;
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

    /// Add the element flows of `s` to `total` (one per element of `set`): per component in
    /// order, `w / M * n`.
    fn add_elements(set: &ComponentSet, s: &Reference<'_>, total: &mut [f64]) {
        let names = set.elements();
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

    /// Add the enthalpy flows of `s` to `side`, per component in order; the first component
    /// with a flow and no data is the error.
    fn add_enthalpies(set: &ComponentSet, side: &mut EnergySide, s: &Stream) -> Result<(), NoThermoData> {
        for (c, (comp, &w)) in set.iter().zip(&s.flows).enumerate() {
            if w != 0.0 {
                let h = comp.specific_enthalpy(s.temperature).map_err(|_| NoThermoData { component: c })?;
                side.add(w * h);
            }
        }
        Ok(())
    }

    /// A stream's element flows, summed apart from everything else onto a zeroed total.
    fn stream_elements(set: &ComponentSet, s: &Reference<'_>) -> Vec<f64> {
        let mut total = vec![0.0; set.elements().len()];
        add_elements(set, s, &mut total);
        total
    }

    /// A stream's enthalpy flow, summed apart from everything else from zero.
    fn stream_energy(set: &ComponentSet, s: &Stream) -> Result<EnergySide, NoThermoData> {
        let mut side = EnergySide::default();
        add_enthalpies(set, &mut side, s)?;
        Ok(side)
    }

    /// The closures as one long sum per side computes them (mass by `Iterator::sum` over the
    /// sides' totals; elements per side and per component onto a zeroed total; energy per
    /// side term by term, then make-up, then duties): the sums taken per stream must come
    /// within a few ulps of these.
    fn reference(
        set: &ComponentSet,
        inlets: &[Reference<'_>],
        outlets: &[Reference<'_>],
        report: &UnitReport,
    ) -> (Vec<Closure>, EnergyBalance) {
        let names = set.elements();
        let sum = |sides: &[Reference<'_>]| {
            let mut total = vec![0.0; names.len()];
            sides.iter().for_each(|s| add_elements(set, s, &mut total));
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
        let flows = |side: &mut EnergySide, s: &Stream| add_enthalpies(set, side, s);
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
            Err(NoThermoData { component }) => {
                EnergyBalance::NoData { component: set.get(component).unwrap().name.clone() }
            }
        };
        (closures, energy)
    }

    fn thermo(formula: &str, phase: Phase, formation_enthalpy: f64, cp: f64) -> Component {
        let mut c = Component::from_formula(formula, formula, phase).unwrap();
        c.formation_enthalpy = Some(formation_enthalpy);
        c.heat_capacity = Some(calx_core::thermo::HeatCapacity::Constant { cp });
        c
    }

    /// Formation enthalpies (J/mol) and heat capacities (J/(mol K)) of round size (only the
    /// sums are under test, not the data), a pseudo-component without elements or data
    /// (third) and N2 without data (last).
    fn components() -> ComponentSet {
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
        ComponentSet::new(components).unwrap()
    }

    /// Flows with zeros of both signs, round-off negatives and magnitudes far apart (an
    /// order-dependent sum shows), from a fixed linear congruential sequence.
    fn flows(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
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
        }
    }

    /// Four streams of sample `i`; most without the components that have no data, as in a
    /// plant (every fifth sample has them).
    fn streams(set: &ComponentSet, i: usize, next: &mut impl FnMut() -> f64) -> Vec<Stream> {
        (0..4)
            .map(|k| {
                let mut flows: Vec<f64> = (0..set.len()).map(|_| next()).collect();
                if !i.is_multiple_of(5) {
                    flows[2] = 0.0;
                    flows[set.len() - 1] = 0.0;
                }
                Stream { flows, temperature: 290.0 + (i % 7 + k) as f64, ..Stream::empty(set.len()) }
            })
            .collect()
    }

    fn report() -> UnitReport {
        let mut report = UnitReport::default();
        report.materials.push(MaterialUse { purpose: "lime".into(), component: 1, rate: 0.25, temperature: 300.0 });
        report.materials.push(MaterialUse { purpose: "more".into(), component: 1, rate: 1e-9, temperature: 310.0 });
        report.heat_duty("heater", 1234.5);
        report
    }

    /// A unit's balance of streams 0 and 1 in and 2 and 3 out (their sums taken into a
    /// cleared `book` in that order), with `report`'s make-up and duties.
    fn unit_balance(
        streams: &[Stream],
        report: &UnitReport,
        (table, set, memo): (&ElementTable, &ComponentSet, &mut EnthalpyMemo),
        (book, sums): (&mut StreamBook, &mut BalanceSums),
    ) -> (Vec<Closure>, EnergyBalance) {
        book.clear(table);
        for s in streams {
            book.take(s, (table, set, memo));
        }
        sums.reset(table);
        sums.add_stream(Direction::In, book, 0);
        sums.add_stream(Direction::In, book, 1);
        sums.add_make_up(report, (table, set, memo));
        sums.add_stream(Direction::Out, book, 2);
        sums.add_stream(Direction::Out, book, 3);
        sums.add_duties_and_work(report);
        let mut out = Vec::new();
        sums.closures_into(table, &mut out);
        (out, sums.energy(set))
    }

    #[test]
    fn stream_sums_are_the_streams_own_bit_for_bit() {
        let set = components();
        let table = ElementTable::new(&set);
        let (mut book, mut memo) = (StreamBook::default(), EnthalpyMemo::default());
        let mut next = flows(12345);
        for i in 0..300 {
            let streams = streams(&set, i, &mut next);
            book.clear(&table);
            for (k, s) in streams.iter().enumerate() {
                assert_eq!(book.take(s, (&table, &set, &mut memo)), k);
                let (sums, elements) = book.get(k);
                assert_eq!(sums.mass.to_bits(), s.total_mass().to_bits(), "sample {i}, stream {k}");
                let expected = stream_elements(&set, &Reference::Stream(s));
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(elements), bits(&expected), "sample {i}, stream {k}");
                let energy = |e: Result<EnergySide, NoThermoData>| e.map(|e| (e.sum.to_bits(), e.magnitude.to_bits()));
                assert_eq!(energy(sums.energy), energy(stream_energy(&set, s)), "sample {i}, stream {k}");
            }
            assert_eq!(book.len(), streams.len());
        }
        // A stream of zeros only: its mass keeps the sign of `Iterator::sum`'s zero.
        let zeros = Stream { flows: vec![-0.0; set.len()], ..Stream::empty(set.len()) };
        book.clear(&table);
        book.take(&zeros, (&table, &set, &mut memo));
        assert_eq!(book.get(0).0.mass.to_bits(), (-0.0_f64).to_bits());
    }

    /// Whether `a` and `b` agree within relative 1e-15 of the larger (a few ulps), or are
    /// the same non-finite value.
    fn near(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a - b).abs() <= 1e-15 * a.abs().max(b.abs())
    }

    fn assert_near(got: &[Closure], expected: &[Closure], what: &str) {
        assert_eq!(got.len(), expected.len(), "{what}: {got:?} against {expected:?}");
        for (g, e) in got.iter().zip(expected) {
            let same = g.quantity == e.quantity
                && near(g.inflow, e.inflow)
                && near(g.outflow, e.outflow)
                && (g.relative_error - e.relative_error).abs() <= 1e-15;
            assert!(same, "{what}: {g:?} against {e:?}");
        }
    }

    #[test]
    fn unit_closures_are_the_long_sums_within_a_few_ulps() {
        let set = components();
        let table = ElementTable::new(&set);
        let (mut book, mut sums, mut memo) = (StreamBook::default(), BalanceSums::default(), EnthalpyMemo::default());
        let report = report();
        let mut next = flows(12345);
        let mut checked = 0;
        for i in 0..300 {
            let streams = streams(&set, i, &mut next);
            let (closures, energy) = unit_balance(&streams, &report, (&table, &set, &mut memo), (&mut book, &mut sums));
            let inlets = [Reference::Stream(&streams[0]), Reference::Stream(&streams[1]), Reference::MakeUp(&report)];
            let outlets = [Reference::Stream(&streams[2]), Reference::Stream(&streams[3])];
            let (expected, expected_energy) = reference(&set, &inlets, &outlets, &report);
            // Mass is summed per stream then over streams either way: the same bits.
            assert_eq!(closures[0].inflow.to_bits(), expected[0].inflow.to_bits(), "sample {i}");
            assert_eq!(closures[0].outflow.to_bits(), expected[0].outflow.to_bits(), "sample {i}");
            assert_near(&closures, &expected, &format!("sample {i}"));
            match (&energy, &expected_energy) {
                (EnergyBalance::Checked(g), EnergyBalance::Checked(e)) => {
                    assert_near(std::slice::from_ref(g), std::slice::from_ref(e), &format!("sample {i} energy"));
                    checked += 1;
                }
                (g, e) => assert_eq!(g, e, "sample {i}"),
            }
        }
        assert!(checked > 200, "{checked} energy balances checked");
    }

    #[test]
    fn a_nan_flow_breaks_the_balance_as_before() {
        let set = components();
        let table = ElementTable::new(&set);
        let (mut book, mut sums, mut memo) = (StreamBook::default(), BalanceSums::default(), EnthalpyMemo::default());
        let report = report();
        let mut streams = streams(&set, 1, &mut flows(7));
        streams[1].flows[0] = f64::NAN;
        let (closures, energy) = unit_balance(&streams, &report, (&table, &set, &mut memo), (&mut book, &mut sums));
        let inlets = [Reference::Stream(&streams[0]), Reference::Stream(&streams[1]), Reference::MakeUp(&report)];
        let outlets = [Reference::Stream(&streams[2]), Reference::Stream(&streams[3])];
        let (expected, expected_energy) = reference(&set, &inlets, &outlets, &report);
        let violation = first_violation(&closures, 1e-9).map(|c| c.quantity.to_string());
        assert_eq!(violation.as_deref(), Some("mass"));
        assert_eq!(violation, first_violation(&expected, 1e-9).map(|c| c.quantity.to_string()));
        assert!(closures[0].inflow.is_nan());
        let open = |e: &EnergyBalance| e.closure().is_some_and(|c| is_open(c, 1e-9));
        assert!(open(&energy) && open(&expected_energy), "{energy:?}");
    }

    #[test]
    fn a_component_without_data_is_named_the_first_met() {
        let set = components();
        let table = ElementTable::new(&set);
        let (mut book, mut sums, mut memo) = (StreamBook::default(), BalanceSums::default(), EnthalpyMemo::default());
        let n = set.len();
        let stream = |with: &[(usize, f64)]| {
            let mut s = Stream { flows: vec![0.0; n], temperature: 300.0, ..Stream::empty(n) };
            for &(c, w) in with {
                s.flows[c] = w;
            }
            s
        };
        let (ash, n2) = (2, n - 1);
        let no_data = |component: &str| EnergyBalance::NoData { component: component.into() };
        // N2 in an outlet only; then ash in the second inlet before it; with no duties.
        let report = UnitReport::default();
        let mut streams =
            vec![stream(&[(0, 1.0)]), stream(&[(3, 2.0)]), stream(&[(0, 1.0)]), stream(&[(3, 1.0), (n2, 1.0)])];
        for expected in ["N2", "ash"] {
            let (_, energy) = unit_balance(&streams, &report, (&table, &set, &mut memo), (&mut book, &mut sums));
            assert_eq!(energy, no_data(expected));
            let inlets = [Reference::Stream(&streams[0]), Reference::Stream(&streams[1])];
            let outlets = [Reference::Stream(&streams[2]), Reference::Stream(&streams[3])];
            assert_eq!(reference(&set, &inlets, &outlets, &report).1, no_data(expected));
            streams[1].flows[ash] = 0.5;
        }
        // The stream's own sums name it too, and its mass and elements are still taken.
        let (sums, elements) = book.get(3);
        assert_eq!(sums.energy.map(|_| ()), Err(NoThermoData { component: n2 }));
        assert_eq!(sums.mass, 2.0);
        assert!(elements.iter().any(|&x| x > 0.0));
    }

    #[test]
    fn same_bits_tells_signed_zeros_and_nans_apart() {
        let a = Stream { flows: vec![0.0, 1.0], temperature: 300.0, ..Stream::empty(2) };
        assert!(same_bits(&a, &a.clone()));
        let mut b = a.clone();
        b.flows[0] = -0.0;
        assert!(!same_bits(&a, &b), "-0.0 is not 0.0");
        let mut c = a.clone();
        c.flows[1] = f64::NAN;
        assert!(same_bits(&c, &c.clone()), "the same NaN is the same value");
        let mut d = c.clone();
        d.flows[1] = -f64::NAN;
        assert!(!same_bits(&c, &d));
        let mut e = a.clone();
        e.pressure = f64::from_bits(a.pressure.to_bits() + 1);
        assert!(!same_bits(&a, &e));
        let f = Stream { temperature: f64::from_bits(a.temperature.to_bits() + 1), ..a.clone() };
        assert!(!same_bits(&a, &f));
    }

    #[test]
    fn remembered_enthalpies_are_the_components_own() {
        let water = thermo("H2O", Phase::Liquid, -285_830.0, 75.3);
        let set = ComponentSet::new(vec![water.clone()]).unwrap();
        let table = ElementTable::new(&set);
        let (mut book, mut memo) = (StreamBook::default(), EnthalpyMemo::default());
        // More temperatures than the memo holds, twice over: it starts over and still answers
        // each with the component's own value.
        for round in 0..2 {
            for i in 0..(MEMO_TEMPERATURES + 5) {
                let t = 280.0 + i as f64 * 0.7;
                book.clear(&table);
                let stream = Stream { flows: vec![2.0], temperature: t, ..Stream::empty(1) };
                let k = book.take(&stream, (&table, &set, &mut memo));
                let expected = 2.0 * water.specific_enthalpy(t).unwrap();
                let sum = book.get(k).0.energy.unwrap().sum;
                assert_eq!(sum.to_bits(), expected.to_bits(), "round {round}, {t} K");
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
