//! Chemical components and the ordered component set of a flowsheet.
//!
//! A component has a fixed phase, a molar mass and element counts computed from its formula,
//! and optional thermochemical data (formation enthalpy, heat capacity) with the source of
//! every number. Pseudo-components ("other ash oxides") either give a formula or are
//! explicitly excluded from element balances; they still count in mass balances.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::formula::Formula;
use crate::suggest::nearest;
use crate::thermo::HeatCapacity;

/// The phase a component is always in. Calx does not do phase equilibrium: water vapour and
/// liquid water are different components if a flowsheet needs both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Solid (ash oxides, hydroxides, carbonates).
    Solid,
    /// Liquid (water).
    Liquid,
    /// Gas (CO2, N2, O2, SO2).
    Gas,
}

impl Phase {
    /// Lower-case name as written in flowsheets.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Solid => "solid",
            Phase::Liquid => "liquid",
            Phase::Gas => "gas",
        }
    }
}

/// One chemical species or pseudo-component.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// Name used in flowsheets and reports (`CaO`, `Ca(OH)2`, `ash_other`).
    pub name: String,
    /// Chemical formula; `None` for a pseudo-component without one.
    pub formula: Option<Formula>,
    /// Phase.
    pub phase: Phase,
    /// Molar mass in kg/mol: from the formula, or given for a pseudo-component (may be
    /// unknown, then only mass-basis quantities are available for it).
    pub molar_mass: Option<f64>,
    /// Atoms per molecule by element symbol; `None` means excluded from element balances.
    pub elements: Option<BTreeMap<&'static str, f64>>,
    /// Standard formation enthalpy at 298.15 K in J/mol (0 for elements in their standard
    /// state); `None` if unknown, which makes energy balances over this component an error.
    pub formation_enthalpy: Option<f64>,
    /// Heat capacity, `None` if unknown.
    pub heat_capacity: Option<HeatCapacity>,
    /// Where each number comes from, by property name (`formation_enthalpy`, `heat_capacity`).
    pub sources: BTreeMap<String, String>,
    /// Free text for reports (what a pseudo-component stands for).
    pub note: Option<String>,
}

impl Component {
    /// A component from its formula: molar mass and element counts are computed.
    pub fn from_formula(name: &str, formula: &str, phase: Phase) -> Result<Component> {
        let formula = Formula::parse(formula)?;
        Ok(Component {
            name: name.to_string(),
            molar_mass: Some(formula.molar_mass()),
            elements: Some(formula.atoms().clone()),
            formula: Some(formula),
            phase,
            formation_enthalpy: None,
            heat_capacity: None,
            sources: BTreeMap::new(),
            note: None,
        })
    }

    /// A pseudo-component excluded from element balances.
    pub fn pseudo(name: &str, phase: Phase, molar_mass: Option<f64>) -> Result<Component> {
        if let Some(m) = molar_mass
            && !(m.is_finite() && m > 0.0)
        {
            return Err(Error::Component {
                component: name.to_string(),
                reason: format!("molar mass must be positive, found {m} kg/mol"),
            });
        }
        Ok(Component {
            name: name.to_string(),
            formula: None,
            phase,
            molar_mass,
            elements: None,
            formation_enthalpy: None,
            heat_capacity: None,
            sources: BTreeMap::new(),
            note: None,
        })
    }

    /// Whether the component takes part in element balances.
    pub fn in_element_balance(&self) -> bool {
        self.elements.is_some()
    }

    /// Specific enthalpy in J/kg at temperature `t` (K): formation enthalpy at 298.15 K plus
    /// the sensible heat from 298.15 K to `t`. Errors name the missing datum.
    pub fn specific_enthalpy(&self, t: f64) -> Result<f64> {
        let missing = |what: &str| Error::MissingThermo { component: self.name.clone(), what: what.into() };
        let cp = self.heat_capacity.as_ref().ok_or_else(|| missing("heat capacity"))?;
        match cp {
            HeatCapacity::ConstantMass { .. } => {
                // Mass-based data belongs to pseudo-components; they are inert (no formation
                // enthalpy enters any reaction), so the reference is the sensible heat alone.
                let h_f = self.formation_enthalpy.unwrap_or(0.0);
                let m = self.molar_mass.unwrap_or(1.0);
                Ok(h_f / m + cp.sensible_heat(t))
            }
            _ => {
                let m = self.molar_mass.ok_or_else(|| missing("molar mass"))?;
                let h_f = self.formation_enthalpy.ok_or_else(|| missing("formation enthalpy"))?;
                Ok((h_f + cp.sensible_heat(t)) / m)
            }
        }
    }

    /// Specific heat capacity in J/(kg K) at `t`.
    pub fn specific_heat_capacity(&self, t: f64) -> Result<f64> {
        let cp = self
            .heat_capacity
            .as_ref()
            .ok_or_else(|| Error::MissingThermo { component: self.name.clone(), what: "heat capacity".into() })?;
        match cp {
            HeatCapacity::ConstantMass { .. } => Ok(cp.cp(t)),
            _ => {
                let m = self.molar_mass.ok_or_else(|| Error::Component {
                    component: self.name.clone(),
                    reason: "has no molar mass".into(),
                })?;
                Ok(cp.cp(t) / m)
            }
        }
    }
}

/// The ordered set of components a flowsheet uses. Stream flow vectors are indexed in this
/// order; the order is the flowsheet's declaration order, so reports follow it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComponentSet {
    components: Vec<Component>,
    index: BTreeMap<String, usize>,
}

impl ComponentSet {
    /// Build a set; duplicate names are an error.
    pub fn new(components: Vec<Component>) -> Result<ComponentSet> {
        let mut index = BTreeMap::new();
        for (i, c) in components.iter().enumerate() {
            if index.insert(c.name.clone(), i).is_some() {
                return Err(Error::Component { component: c.name.clone(), reason: "is declared twice".into() });
            }
        }
        Ok(ComponentSet { components, index })
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.components.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// The component at index `i`.
    pub fn get(&self, i: usize) -> Option<&Component> {
        self.components.get(i)
    }

    /// Components in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Component> {
        self.components.iter()
    }

    /// Component names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.components.iter().map(|c| c.name.as_str())
    }

    /// Index of a component by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Index of a component by name, or an error that suggests the nearest name.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.index_of(name).ok_or_else(|| Error::UnknownComponent {
            name: name.to_string(),
            suggestion: nearest(name, self.names()).map(str::to_string),
        })
    }

    /// Every element that occurs in a balanced component, sorted by symbol.
    pub fn elements(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> =
            self.components.iter().filter_map(|c| c.elements.as_ref()).flat_map(|e| e.keys().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Element flows in mol/s for component mass flows in kg/s, over balanced components.
    pub fn element_flows(&self, flows: &[f64]) -> BTreeMap<&'static str, f64> {
        let mut out = BTreeMap::new();
        for (c, &w) in self.components.iter().zip(flows) {
            if let (Some(atoms), Some(m)) = (&c.elements, c.molar_mass) {
                for (&el, &n) in atoms {
                    *out.entry(el).or_insert(0.0) += w / m * n;
                }
            }
        }
        out
    }
}

impl<'a> IntoIterator for &'a ComponentSet {
    type Item = &'a Component;
    type IntoIter = std::slice::Iter<'a, Component>;
    fn into_iter(self) -> Self::IntoIter {
        self.components.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> ComponentSet {
        ComponentSet::new(vec![
            Component::from_formula("CaO", "CaO", Phase::Solid).unwrap(),
            Component::from_formula("Ca(OH)2", "Ca(OH)2", Phase::Solid).unwrap(),
            Component::pseudo("ash_other", Phase::Solid, None).unwrap(),
        ])
        .unwrap()
    }

    #[test]
    fn molar_mass_and_elements_come_from_the_formula() {
        let s = set();
        let cao = s.get(0).unwrap();
        assert!((cao.molar_mass.unwrap() - (40.078 + 15.999) / 1000.0).abs() < 1e-12);
        assert_eq!(cao.elements.as_ref().unwrap()["Ca"], 1.0);
        assert!(!s.get(2).unwrap().in_element_balance());
    }

    #[test]
    fn duplicate_and_unknown_names_are_errors() {
        let c = Component::from_formula("CaO", "CaO", Phase::Solid).unwrap();
        assert!(ComponentSet::new(vec![c.clone(), c]).is_err());
        let err = set().require("Ca(OH)3").unwrap_err();
        assert!(err.to_string().contains("Ca(OH)2"), "{err}");
    }

    #[test]
    fn element_flows_skip_pseudo_components() {
        let s = set();
        // 1 kg/s of Ca(OH)2 carries 1/M mol/s of Ca and 2/M of O and H.
        let m = s.get(1).unwrap().molar_mass.unwrap();
        let e = s.element_flows(&[0.0, 1.0, 5.0]);
        assert!((e["Ca"] - 1.0 / m).abs() < 1e-12);
        assert!((e["H"] - 2.0 / m).abs() < 1e-12);
        assert_eq!(s.elements(), vec!["Ca", "H", "O"]);
    }
}
