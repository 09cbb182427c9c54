//! Helpers shared by the mineralization units: parameter checks, inlet checks and mixing.
//!
//! Every check returns a [`UnitError`] that names the parameter or port at fault, so the
//! flowsheet layer can point at the line the user wrote.

use calx_core::unit::Connections;
use calx_core::{ComponentSet, Params, Phase, Reaction, Stream, UnitError};

/// Molar gas constant, J/(mol K) (CODATA 2018, exact).
pub(crate) const R: f64 = 8.314_462_618;

/// A fraction in [0, 1].
pub(crate) fn fraction(name: &str, key: &str, x: f64) -> Result<f64, UnitError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        let what = if key.is_empty() { String::new() } else { format!("{key}: ") };
        Err(UnitError::param(name, format!("{what}must be a fraction between 0 and 1 (0-100 %), found {x}")))
    }
}

/// Take a new `conversion` of reactant `key` in place among `reactions` (reaction, reactant
/// index, conversion; only conversions above zero are listed): `Ok(true)` when `key` is
/// listed and the new conversion is above zero too, after the check `create` makes; otherwise
/// `Ok(false)`, and the unit is created again (which adds or drops the reaction).
pub(crate) fn set_conversion(
    reactions: &mut [(Reaction, usize, f64)],
    set: &ComponentSet,
    (param, key, value): (&str, Option<&str>, f64),
) -> Result<bool, UnitError> {
    let (true, Some(key)) = (param == "conversion", key) else { return Ok(false) };
    // The reaction whose reactant is named `key`: its few names compared, no look-up by name
    // in the whole set (a study sets a conversion every sample).
    let Some(entry) = reactions.iter_mut().find(|r| set.get(r.1).is_some_and(|c| c.name == key)) else {
        return Ok(false);
    };
    let x = fraction("conversion", key, value)?;
    if x == 0.0 {
        return Ok(false);
    }
    entry.2 = x;
    Ok(true)
}

/// `mode: rate`'s new rate constant of the reaction whose reactant is `key`, in place
/// ([`RateModel::set_rate_constant`]); `Ok(false)` for any other parameter or reactant.
pub(crate) fn set_rate_constant(
    rate: &mut crate::rate::RateModel,
    reactions: &[(Reaction, usize, f64)],
    set: &ComponentSet,
    (param, key, value): (&str, Option<&str>, f64),
) -> Result<bool, UnitError> {
    let (true, Some(key)) = (param == "rate_constant", key) else { return Ok(false) };
    let Some(i) = reactions.iter().position(|r| set.get(r.1).is_some_and(|c| c.name == key)) else {
        return Ok(false);
    };
    rate.set_rate_constant(i, key, value)
}

/// A fraction strictly between 0 and 1 (a target composition: 0 % and 100 % cannot be made).
pub(crate) fn open_fraction(name: &str, x: f64) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must lie strictly between 0 and 1 (0 % and 100 % exclusive), found {x}")))
    }
}

/// A number of zero or more; `unit` names the SI unit for the message.
pub(crate) fn non_negative(name: &str, x: f64, unit: &str) -> Result<f64, UnitError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be zero or more, found {x} {unit}")))
    }
}

/// A number above zero.
pub(crate) fn positive(name: &str, x: f64, unit: &str) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be above zero, found {x} {unit}")))
    }
}

/// An optional parameter of zero or more.
pub(crate) fn opt_non_negative(p: &Params, name: &str, unit: &str) -> Result<Option<f64>, UnitError> {
    p.number_opt(name)?.map(|x| non_negative(name, x, unit)).transpose()
}

/// A parameter the unit cannot work without. The flowsheet layer enforces required
/// parameters too, but a unit built directly from Rust must not panic or guess.
pub(crate) fn require(p: &Params, name: &str) -> Result<(), UnitError> {
    if p.has(name) { Ok(()) } else { Err(UnitError::param(name, "is required")) }
}

/// The port name of every inlet slot, in the flattened order `calculate` receives them.
pub(crate) fn inlet_ports(c: &Connections) -> Vec<String> {
    c.inlets.iter().flat_map(|(port, streams)| streams.iter().map(move |_| port.clone())).collect()
}

/// Refuse inlets with the wrong length, a non-finite or negative flow, or a non-positive
/// T or P, naming the port: a unit must never turn bad input into plausible output.
pub(crate) fn check_inlets(set: &ComponentSet, inlets: &[Stream], ports: &[String]) -> Result<(), UnitError> {
    if inlets.len() != ports.len() {
        return Err(UnitError::Calculation(format!(
            "received {} inlet streams, but {} are connected",
            inlets.len(),
            ports.len()
        )));
    }
    for (s, port) in inlets.iter().zip(ports) {
        if s.flows.len() != set.len() {
            return Err(UnitError::port(
                port,
                format!("stream has {} component flows, the flowsheet has {} components", s.flows.len(), set.len()),
            ));
        }
        if let Some(problem) = s.first_invalid(set) {
            return Err(UnitError::port(port, problem));
        }
    }
    Ok(())
}

/// Check the number of outlet buffers before writing to them (never index blindly).
pub(crate) fn check_outlets(outlets: &[Stream], expected: usize, n: usize) -> Result<(), UnitError> {
    if outlets.len() != expected || outlets.iter().any(|s| s.flows.len() != n) {
        return Err(UnitError::Calculation(format!(
            "expected {expected} outlet streams of {n} components, received {}",
            outlets.len()
        )));
    }
    Ok(())
}

/// Sum of the inlet flows. Flows that passed [`check_inlets`] may still be round-off
/// negatives (-1e-20 from an upstream subtraction); they are taken as zero so no extent or
/// split starts from a negative amount.
pub(crate) fn mix(inlets: &[Stream], n: usize) -> crate::scratch::Scratch {
    let mut flows = crate::scratch::Scratch::zeros(n);
    for s in inlets {
        for (o, w) in flows.iter_mut().zip(&s.flows) {
            *o += w.max(0.0);
        }
    }
    flows
}

/// Lowest pressure among inlets that carry material (a vessel runs at the pressure of its
/// weakest feed), or the first inlet's pressure if none flows.
pub(crate) fn lowest_pressure(inlets: &[Stream]) -> f64 {
    let p = inlets.iter().filter(|s| s.total_mass() > 0.0).map(|s| s.pressure).fold(f64::INFINITY, f64::min);
    if p.is_finite() { p } else { inlets.first().map_or(calx_core::stream::STANDARD_PRESSURE, |s| s.pressure) }
}

/// Mass flow of the components in `phase`.
pub(crate) fn phase_mass(set: &ComponentSet, flows: &[f64], phase: Phase) -> f64 {
    set.iter().zip(flows).filter(|(c, _)| c.phase == phase).map(|(_, w)| w).sum()
}

/// Molar mass of component `i`, or a calculation error naming it.
pub(crate) fn molar_mass(set: &ComponentSet, i: usize) -> Result<f64, UnitError> {
    let c = set.get(i).ok_or_else(|| UnitError::Calculation(format!("no component with index {i}")))?;
    c.molar_mass
        .filter(|m| m.is_finite() && *m > 0.0)
        .ok_or_else(|| UnitError::Calculation(format!("component `{}` has no molar mass", c.name)))
}

/// Inlet slot `k`, or an error naming the port if the unit was built without it.
pub(crate) fn inlet<'a>(inlets: &'a [Stream], k: usize, port: &str) -> Result<&'a Stream, UnitError> {
    inlets.get(k).ok_or_else(|| UnitError::port(port, "is not connected"))
}
