//! Material streams: component mass flows (kg/s), temperature (K) and pressure (Pa).

use serde::{Deserialize, Serialize};

use crate::component::ComponentSet;

/// Standard temperature used for new streams, K (25 degC).
pub const STANDARD_TEMPERATURE: f64 = 298.15;
/// Standard pressure used for new streams, Pa (1 atm).
pub const STANDARD_PRESSURE: f64 = 101_325.0;

/// A material stream. `flows` is indexed like the flowsheet's [`ComponentSet`].
/// `clone_from` reuses the flow vector's storage.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    /// Component mass flows, kg/s.
    pub flows: Vec<f64>,
    /// Temperature, K.
    pub temperature: f64,
    /// Pressure, Pa.
    pub pressure: f64,
}

impl Clone for Stream {
    fn clone(&self) -> Stream {
        Stream { flows: self.flows.clone(), temperature: self.temperature, pressure: self.pressure }
    }

    fn clone_from(&mut self, source: &Stream) {
        // Destructured, so that a new field cannot be forgotten here.
        let Stream { flows, temperature, pressure } = source;
        self.flows.clone_from(flows);
        self.temperature = *temperature;
        self.pressure = *pressure;
    }
}

impl Stream {
    /// An empty stream of `n` components at standard conditions.
    pub fn empty(n: usize) -> Stream {
        Stream { flows: vec![0.0; n], temperature: STANDARD_TEMPERATURE, pressure: STANDARD_PRESSURE }
    }

    /// Total mass flow, kg/s.
    pub fn total_mass(&self) -> f64 {
        self.flows.iter().sum()
    }

    /// Copy flows, temperature and pressure from `other` without reallocating.
    pub fn copy_from(&mut self, other: &Stream) {
        self.flows.clear();
        self.flows.extend_from_slice(&other.flows);
        self.temperature = other.temperature;
        self.pressure = other.pressure;
    }

    /// Set every flow to zero, keep T and P.
    pub fn clear_flows(&mut self) {
        self.flows.iter_mut().for_each(|w| *w = 0.0);
    }

    /// The first flow, T or P that is not finite or a flow below zero, described for an error.
    pub fn first_invalid(&self, set: &ComponentSet) -> Option<String> {
        // The usual case in one pass without branches: the total (the same sum as
        // `total_mass`, from -0.0 like `Iterator::sum`) and the smallest flow. A finite total
        // means every flow is finite (a NaN or an infinity makes the sum NaN or infinite), and
        // then the smallest flow says whether any is below the floor. A plain comparison (one
        // `minsd`) instead of `f64::min`, whose NaN rule only matters when the total is not
        // finite, and then the smallest flow is not read.
        let (total, smallest) =
            self.flows.iter().fold((-0.0, f64::INFINITY), |(t, m), &w| (t + w, if w < m { w } else { m }));
        // An overflowed total must not make every negative flow round-off.
        let floor = -1e-12 * (1.0 + total.abs());
        let floor = if floor.is_finite() { floor } else { 0.0 };
        let flows_valid = total.is_finite() && smallest >= floor;
        if flows_valid {
            return self.invalid_state();
        }
        // The name is looked up only for the message: this runs for every stream of every
        // sample of a study.
        let name = |i: usize| set.get(i).map_or("?", |c| c.name.as_str());
        for (i, &w) in self.flows.iter().enumerate() {
            if !w.is_finite() {
                return Some(format!("flow of {} is {w}", name(i)));
            }
            // Round-off from subtracting equal flows can leave -1e-20; that is zero, not an
            // error. Anything larger is a model fault.
            if w < floor {
                return Some(format!("flow of {} is negative ({w:e} kg/s)", name(i)));
            }
        }
        self.invalid_state()
    }

    /// A temperature or pressure that is not finite and above zero, described for an error.
    fn invalid_state(&self) -> Option<String> {
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Some(format!("temperature is {} K", self.temperature));
        }
        if !(self.pressure.is_finite() && self.pressure > 0.0) {
            return Some(format!("pressure is {} Pa", self.pressure));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_are_described() {
        let set = ComponentSet::new(vec![crate::Component::from_formula("CaO", "CaO", crate::Phase::Solid).unwrap()])
            .unwrap();
        let mut s = Stream::empty(1);
        assert_eq!(s.first_invalid(&set), None);
        s.flows[0] = -1.0;
        assert!(s.first_invalid(&set).unwrap().contains("negative"));
        s.flows[0] = f64::NAN;
        assert!(s.first_invalid(&set).unwrap().contains("NaN"));
        let mut big = Stream { flows: vec![f64::MAX, f64::MAX, -1.0], ..Stream::empty(3) };
        let set3 = ComponentSet::new(
            ["CaO", "MgO", "SiO2"]
                .iter()
                .map(|f| crate::Component::from_formula(f, f, crate::Phase::Solid).unwrap())
                .collect(),
        )
        .unwrap();
        assert!(big.first_invalid(&set3).unwrap().contains("flow of SiO2 is negative"), "an overflowed total hid it");
        big.flows[2] = 0.0;
        assert_eq!(big.first_invalid(&set3), None);
        s.flows[0] = 1.0;
        s.temperature = -3.0;
        assert!(s.first_invalid(&set).unwrap().contains("temperature"));
    }
}
