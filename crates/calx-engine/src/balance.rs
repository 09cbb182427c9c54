//! Mass and element closures of units and of the whole flowsheet.

use calx_core::result::Closure;
use calx_core::{ComponentSet, Stream};

/// Closures of total mass and of every element over `inlets` -> `outlets`.
pub(crate) fn closures(set: &ComponentSet, inlets: &[Stream], outlets: &[Stream]) -> Vec<Closure> {
    let mass_in: f64 = inlets.iter().map(Stream::total_mass).sum();
    let mass_out: f64 = outlets.iter().map(Stream::total_mass).sum();
    let mut out = vec![Closure::new("mass", mass_in, mass_out)];
    let sum = |streams: &[Stream]| {
        let mut total = std::collections::BTreeMap::new();
        for s in streams {
            for (el, n) in set.element_flows(&s.flows) {
                *total.entry(el).or_insert(0.0) += n;
            }
        }
        total
    };
    let (e_in, e_out) = (sum(inlets), sum(outlets));
    for el in set.elements() {
        let (a, b) = (e_in.get(el).copied().unwrap_or(0.0), e_out.get(el).copied().unwrap_or(0.0));
        if a != 0.0 || b != 0.0 {
            out.push(Closure::new(el, a, b));
        }
    }
    out
}

/// The first closure that breaks conservation beyond `tolerance` (relative), ignoring
/// imbalances below a round-off floor relative to the unit's whole throughput of that kind
/// (an element present in traces must not fail on 1e-30 mol/s of noise).
pub(crate) fn first_violation(closures: &[Closure], tolerance: f64) -> Option<&Closure> {
    let element_scale: f64 = closures.iter().skip(1).map(|c| c.inflow.max(c.outflow)).sum();
    closures.iter().enumerate().find(|(i, c)| {
        let floor = if *i == 0 { 0.0 } else { 1e-14 * element_scale };
        let diff = (c.inflow - c.outflow).abs();
        c.relative_error > tolerance && diff > floor
    }).map(|(_, c)| c)
}
