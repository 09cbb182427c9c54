//! Mass, element and energy closures of units and of the whole flowsheet.
//!
//! Energy: enthalpy flows (formation enthalpy plus sensible heat, `calx_core::thermo`) of
//! everything entering (inlets, make-up material at its temperature) plus heat supplied and
//! shaft work delivered to the streams (`UnitReport::work`), against everything leaving plus
//! heat removed and work taken from the streams. The relative error is taken against the sum
//! of the absolute values of every term, because enthalpies with formation enthalpies have
//! both signs and may sum to about zero on each side (a gas of N2 and O2 at 25 degC).

use calx_core::result::{Closure, EnergyBalance};
use calx_core::{Component, ComponentSet, Stream, UnitReport, Utility};

/// The element make-up of a component set, tabulated once per flowsheet so that balances
/// (checked after every solve) need no maps and no sorting.
#[derive(Clone, Debug)]
pub(crate) struct ElementTable {
    /// Elements in alphabetical order.
    names: Vec<&'static str>,
    /// Components with a known composition.
    rows: Vec<ElementRow>,
}

/// One component's element make-up.
#[derive(Clone, Debug)]
struct ElementRow {
    component: usize,
    molar_mass: f64,
    /// (element index, atoms per molecule).
    atoms: Vec<(usize, f64)>,
}

impl ElementTable {
    pub(crate) fn new(set: &ComponentSet) -> ElementTable {
        let names = set.elements();
        let rows = set
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match (&c.elements, c.molar_mass) {
                (Some(atoms), Some(m)) => Some(ElementRow {
                    component: i,
                    molar_mass: m,
                    atoms: atoms
                        .iter()
                        .filter_map(|(el, &n)| names.iter().position(|x| x == el).map(|k| (k, n)))
                        .collect(),
                }),
                _ => None,
            })
            .collect();
        ElementTable { names, rows }
    }

    /// Element flows (mol/s) summed over streams into `total` (one per element, zeroed here).
    fn sum<'a>(&self, streams: impl IntoIterator<Item = Side<'a>>, total: &mut [f64]) {
        total.fill(0.0);
        for s in streams {
            // A stream's flows are read straight from its vector (the make-up materials by
            // `Side::flow`): the same numbers, added in the same order.
            let flows = match s {
                Side::Stream(stream) => Some(stream.flows.as_slice()),
                Side::MakeUp { .. } => None,
            };
            for row in &self.rows {
                let w = match flows {
                    Some(flows) => flows.get(row.component).copied().unwrap_or(0.0),
                    None => s.flow(row.component),
                };
                // Most components are absent from most streams; adding their zeros changes no
                // sum (a NaN or an infinity is not zero, and is still added).
                if w == 0.0 {
                    continue;
                }
                for &(k, n) in &row.atoms {
                    total[k] += w / row.molar_mass * n;
                }
            }
        }
    }

    /// Closures of total mass and of every element present over `inlets` (with any make-up
    /// material) -> `outlets`, written over `out` (a result being reused).
    pub(crate) fn closures_into<'a, I, O>(&self, inlets: I, outlets: O, out: &mut Vec<Closure>)
    where
        I: IntoIterator<Item = Side<'a>> + Clone,
        O: IntoIterator<Item = Side<'a>> + Clone,
    {
        let mass_in: f64 = inlets.clone().into_iter().map(Side::total_mass).sum();
        let mass_out: f64 = outlets.clone().into_iter().map(Side::total_mass).sum();
        out.clear();
        out.push(Closure::of("mass", mass_in, mass_out));
        // Element sums on the stack for the usual handful of elements.
        let n = self.names.len();
        let (mut small, mut large) = ([0.0; 2 * SMALL_ELEMENTS], Vec::new());
        let buffer: &mut [f64] = if n <= SMALL_ELEMENTS {
            &mut small[..2 * n]
        } else {
            large.resize(2 * n, 0.0);
            &mut large
        };
        let (e_in, e_out) = buffer.split_at_mut(n);
        self.sum(inlets, e_in);
        self.sum(outlets, e_out);
        for (k, el) in self.names.iter().enumerate() {
            let (a, b) = (e_in[k], e_out[k]);
            if a != 0.0 || b != 0.0 {
                out.push(Closure::of(el, a, b));
            }
        }
    }
}

/// What enters or leaves one side of a balance: a stream, or the make-up materials a unit
/// draws, read as the stream they would make (each component's draws summed in order onto
/// zero) without building it.
#[derive(Clone, Copy)]
pub(crate) enum Side<'a> {
    Stream(&'a Stream),
    MakeUp { report: &'a UnitReport, components: usize },
}

impl Side<'_> {
    /// Component `c`'s mass flow, kg/s (0 for a component it does not have).
    fn flow(self, c: usize) -> f64 {
        match self {
            Side::Stream(s) => s.flows.get(c).copied().unwrap_or(0.0),
            Side::MakeUp { report, components } if c < components => {
                report.materials.iter().filter(|m| m.component == c).fold(0.0, |w, m| w + m.rate)
            }
            Side::MakeUp { .. } => 0.0,
        }
    }

    /// Total mass flow, kg/s: the same sum as [`Stream::total_mass`] of the stream it is.
    fn total_mass(self) -> f64 {
        match self {
            Side::Stream(s) => s.total_mass(),
            Side::MakeUp { components, .. } => (0..components).map(|c| self.flow(c)).sum(),
        }
    }

    /// The make-up materials of `report` as a side, if it draws any.
    pub(crate) fn make_up(report: &UnitReport, components: usize) -> Option<Side<'_>> {
        (!report.materials.is_empty()).then_some(Side::MakeUp { report, components })
    }
}

/// Elements whose sums fit on the stack (more take a vector).
const SMALL_ELEMENTS: usize = 24;

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

/// The components' specific enthalpies at the temperatures one solve's energy balances meet,
/// each computed once: a stream is balanced as an outlet of one unit, an inlet of the next and
/// perhaps at the plant's boundary, and most streams of a plant share a few temperatures. Each
/// value is exactly what [`calx_core::Component::specific_enthalpy`] returns, so the balances'
/// sums are the same bits. Cleared before each solve's balances; its vectors are kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct EnthalpyMemo {
    /// The temperatures (their bits) of the slots in use, in the order first met.
    temperatures: Vec<u64>,
    /// Per slot: the specific enthalpies (J/kg), valid where `known`.
    values: Vec<EnthalpyRow>,
}

/// The specific enthalpies of every component at one temperature, computed as first asked for.
#[derive(Clone, Debug, Default)]
struct EnthalpyRow {
    h: Vec<f64>,
    known: Vec<bool>,
}

impl EnthalpyMemo {
    /// Forget every temperature (the vectors stay allocated for the next solve).
    pub(crate) fn clear(&mut self) {
        self.temperatures.clear();
    }

    /// The row of temperature `t`, opened when first met.
    fn row(&mut self, t: f64, components: usize) -> &mut EnthalpyRow {
        let bits = t.to_bits();
        let i = match self.temperatures.iter().position(|&b| b == bits) {
            Some(i) => i,
            None => {
                let i = self.temperatures.len();
                self.temperatures.push(bits);
                if self.values.len() == i {
                    self.values.push(EnthalpyRow::default());
                }
                let row = &mut self.values[i];
                row.h.clear();
                row.h.resize(components, 0.0);
                row.known.clear();
                row.known.resize(components, false);
                i
            }
        };
        &mut self.values[i]
    }
}

impl EnthalpyRow {
    /// Component `c` (`component`)'s specific enthalpy at `t` (this row's temperature).
    fn enthalpy(&mut self, component: &Component, c: usize, t: f64) -> Result<f64, NoThermoData> {
        if !self.known[c] {
            self.h[c] =
                component.specific_enthalpy(t).map_err(|_| NoThermoData { component: component.name.clone() })?;
            self.known[c] = true;
        }
        Ok(self.h[c])
    }
}

/// A component met in an energy balance has no thermodynamic data, so the balance cannot be
/// checked (`EnergyBalance::NoData` names it).
#[derive(Debug)]
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

    /// Add the enthalpy flow (W) of `flows` (kg/s) at `t`; a flowing component without
    /// thermodynamic data is the error. The specific enthalpies come from `memo`.
    pub(crate) fn add_flows(
        &mut self,
        memo: &mut EnthalpyMemo,
        set: &ComponentSet,
        flows: &[f64],
        t: f64,
    ) -> Result<(), NoThermoData> {
        let row = memo.row(t, set.len());
        for (i, (c, &w)) in set.iter().zip(flows).enumerate() {
            if w != 0.0 {
                self.add(w * row.enthalpy(c, i, t)?);
            }
        }
        Ok(())
    }

    /// Add the make-up materials of `report` (specific enthalpies from `memo`).
    pub(crate) fn add_materials(
        &mut self,
        memo: &mut EnthalpyMemo,
        set: &ComponentSet,
        report: &UnitReport,
    ) -> Result<(), NoThermoData> {
        for m in &report.materials {
            let Some(c) = set.get(m.component) else { continue };
            let h = memo.row(m.temperature, set.len()).enthalpy(c, m.component, m.temperature)?;
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

/// The energy balance of one unit: inlets, make-up, heat supplied and shaft work delivered in;
/// outlets, heat removed and work taken out.
/// Specific enthalpies come from `memo`.
pub(crate) fn unit_energy(
    memo: &mut EnthalpyMemo,
    set: &ComponentSet,
    (inlets, report, outlets): (&[Stream], &UnitReport, &[Stream]),
) -> EnergyBalance {
    let mut sides = || -> Result<(EnergySide, EnergySide), NoThermoData> {
        let (mut inn, mut out) = (EnergySide::default(), EnergySide::default());
        for s in inlets {
            inn.add_flows(memo, set, &s.flows, s.temperature)?;
        }
        inn.add_materials(memo, set, report)?;
        for s in outlets {
            out.add_flows(memo, set, &s.flows, s.temperature)?;
        }
        add_duties_and_work(report, &mut inn, &mut out);
        Ok((inn, out))
    };
    match sides() {
        Ok((inn, out)) => EnergyBalance::Checked(energy_closure(inn, out)),
        Err(NoThermoData { component }) => EnergyBalance::NoData { component },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
