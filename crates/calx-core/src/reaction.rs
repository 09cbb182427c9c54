//! Reactions written the way engineers write them: `CaO + H2O -> Ca(OH)2`.
//!
//! A reaction is parsed against the flowsheet's component set, checked for element balance
//! when it is loaded (an unbalanced reaction is a configuration error, never a silent mass
//! leak), and applied to mass flows by an extent in mol/s.

use crate::component::ComponentSet;
use crate::error::{Error, Result};

/// A parsed, balanced reaction over a component set.
#[derive(Clone, Debug, PartialEq)]
pub struct Reaction {
    /// The text as written.
    pub text: String,
    /// (component index, stoichiometric coefficient): negative for reactants.
    pub terms: Vec<(usize, f64)>,
}

impl Reaction {
    /// Parse `a A + b B -> c C`; coefficients are optional numbers before the name, names
    /// are component names of `set`. `=` and `=>` are accepted for `->`.
    pub fn parse(text: &str, set: &ComponentSet) -> Result<Reaction> {
        let bad = |reason: String| Error::Formula { formula: text.to_string(), reason };
        let arrow = ["->", "=>", "="].iter().find_map(|a| text.split_once(a));
        let (lhs, rhs) = arrow.ok_or_else(|| bad("no arrow: write reactants -> products".into()))?;
        let mut terms: Vec<(usize, f64)> = Vec::new();
        for (side, sign) in [(lhs, -1.0), (rhs, 1.0)] {
            let mut any = false;
            for term in split_terms(side) {
                let term = term.trim();
                if term.is_empty() {
                    return Err(bad("empty term".into()));
                }
                let (coef, name) = split_coefficient(term);
                let coef = coef.map_or(Ok(1.0), |c| {
                    c.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x > 0.0)
                        .ok_or_else(|| bad(format!("bad coefficient {c:?}")))
                })?;
                let i = set.require(name)?;
                match terms.iter_mut().find(|(j, _)| *j == i) {
                    Some(t) => t.1 += sign * coef,
                    None => terms.push((i, sign * coef)),
                }
                any = true;
            }
            if !any {
                return Err(bad("a side of the reaction is empty".into()));
            }
        }
        let r = Reaction { text: text.trim().to_string(), terms };
        r.check_balance(set)?;
        Ok(r)
    }

    fn check_balance(&self, set: &ComponentSet) -> Result<()> {
        let mut net: std::collections::BTreeMap<&str, f64> = Default::default();
        let mut mass = 0.0;
        for &(i, nu) in &self.terms {
            let c =
                set.get(i).ok_or_else(|| Error::Formula { formula: self.text.clone(), reason: "bad index".into() })?;
            let atoms = c.elements.as_ref().ok_or_else(|| Error::Formula {
                formula: self.text.clone(),
                reason: format!("{} has no formula, so the reaction cannot be checked for element balance", c.name),
            })?;
            for (el, n) in atoms {
                *net.entry(el).or_insert(0.0) += nu * n;
            }
            mass += nu * c.molar_mass.unwrap_or(0.0);
        }
        let unbalanced: Vec<String> = net
            .iter()
            .filter(|(_, n)| n.abs() > 1e-9)
            .map(|(el, n)| format!("{el} {}{}", if *n > 0.0 { "+" } else { "" }, fmt_num(*n)))
            .collect();
        if !unbalanced.is_empty() {
            return Err(Error::Formula {
                formula: self.text.clone(),
                reason: format!(
                    "not balanced: net atoms per reaction (products - reactants): {}",
                    unbalanced.join(", ")
                ),
            });
        }
        debug_assert!(mass.abs() < 1e-9);
        Ok(())
    }

    /// Coefficient of component `i` (0 if it does not take part).
    pub fn coefficient(&self, i: usize) -> f64 {
        self.terms.iter().find(|(j, _)| *j == i).map_or(0.0, |t| t.1)
    }

    /// The largest extent (mol/s) the reactants in `flows` (kg/s) allow, and which reactant
    /// limits it.
    pub fn max_extent(&self, set: &ComponentSet, flows: &[f64]) -> (f64, Option<usize>) {
        let mut best = (f64::INFINITY, None);
        for &(i, nu) in &self.terms {
            if nu < 0.0 {
                let m = set.get(i).and_then(|c| c.molar_mass).unwrap_or(f64::INFINITY);
                let x = flows[i].max(0.0) / m / -nu;
                if x < best.0 {
                    best = (x, Some(i));
                }
            }
        }
        best
    }

    /// Apply an extent (mol/s) to mass flows (kg/s). Reactant flows that round-off would push
    /// below zero are clamped to zero.
    pub fn apply(&self, set: &ComponentSet, flows: &mut [f64], extent: f64) {
        for &(i, nu) in &self.terms {
            let m = set.get(i).and_then(|c| c.molar_mass).unwrap_or(0.0);
            let w = flows[i] + nu * extent * m;
            flows[i] = if w < 0.0 && w > -1e-12 * (1.0 + flows[i].abs()) { 0.0 } else { w };
        }
    }

    /// Standard reaction enthalpy at 298.15 K in J per mol of extent, from formation
    /// enthalpies; `None` if a component lacks one.
    pub fn standard_enthalpy(&self, set: &ComponentSet) -> Option<f64> {
        self.terms.iter().map(|&(i, nu)| set.get(i)?.formation_enthalpy.map(|h| nu * h)).sum()
    }
}

fn split_terms(side: &str) -> impl Iterator<Item = &str> {
    // " + " separates terms; a '+' without spaces may belong to a name such as "Ca+2".
    side.split(" + ")
}

fn split_coefficient(term: &str) -> (Option<&str>, &str) {
    match term.split_once(char::is_whitespace) {
        Some((c, rest)) if c.parse::<f64>().is_ok() => (Some(c), rest.trim()),
        _ => (None, term),
    }
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 { format!("{}", x.round()) } else { format!("{x:.3}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{Component, Phase};

    fn set() -> ComponentSet {
        let mk = |n: &str, p| Component::from_formula(n, n, p).unwrap();
        ComponentSet::new(vec![
            mk("CaO", Phase::Solid),
            mk("H2O", Phase::Liquid),
            mk("Ca(OH)2", Phase::Solid),
            mk("CO2", Phase::Gas),
            mk("CaCO3", Phase::Solid),
        ])
        .unwrap()
    }

    #[test]
    fn parses_and_applies_a_balanced_reaction() {
        let s = set();
        let r = Reaction::parse("CaO + H2O -> Ca(OH)2", &s).unwrap();
        assert_eq!(r.terms, vec![(0, -1.0), (1, -1.0), (2, 1.0)]);
        let mut flows = vec![0.056077, 1.0, 0.0, 0.0, 0.0];
        let before: f64 = flows.iter().sum();
        let (x, lim) = r.max_extent(&s, &flows);
        assert_eq!(lim, Some(0));
        r.apply(&s, &mut flows, x);
        assert!(flows[0].abs() < 1e-15);
        assert!((flows.iter().sum::<f64>() - before).abs() < 1e-15);
    }

    #[test]
    fn coefficients_and_alternative_arrows() {
        let s = set();
        let r = Reaction::parse("2 CaO + 2 H2O => 2 Ca(OH)2", &s).unwrap();
        assert_eq!(r.coefficient(2), 2.0);
    }

    #[test]
    fn an_unbalanced_reaction_is_refused_with_the_net_atoms() {
        let err = Reaction::parse("CaO + CO2 -> Ca(OH)2", &set()).unwrap_err().to_string();
        assert!(err.contains("not balanced"), "{err}");
        assert!(err.contains("C -1"), "{err}");
        assert!(err.contains("H +2"), "{err}");
    }

    #[test]
    fn unknown_components_and_missing_arrows_are_errors() {
        assert!(Reaction::parse("CaO + H2O", &set()).unwrap_err().to_string().contains("arrow"));
        assert!(Reaction::parse("CaO + H2O -> Ca(OH)3", &set()).is_err());
    }
}
