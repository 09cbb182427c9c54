//! Chemical formulas: parsing ("Ca(OH)2", "CaSO4·2H2O"), atom counts and molar mass.
//!
//! Grammar (whitespace around the whole formula is trimmed):
//!
//! ```text
//! formula    := part (separator part)*
//! separator  := "·" | "*" | "." | "•" | "⋅"      (spaces allowed around it)
//! part       := [multiplier] item+               (multiplier only when there is a separator)
//! item       := symbol [count] | open item+ close [count]
//! symbol     := upper-case letter, optional lower-case letter ("Ca", "O")
//! open/close := "(" ")" | "[" "]" | "{" "}"
//! count      := digits ["." digits]              (must be > 0, "Fe0.95O" allowed)
//! ```
//!
//! The multiplier of a part applies to the whole part: "CaSO4·2H2O" is CaSO4 plus two H2O.
//! Every part may carry one, so cement notation such as "3CaO·SiO2" also works, but a
//! formula without a separator must not start with a number ("2H2O" is refused: a formula
//! describes one formula unit).
//!
//! The ASCII "." is both a decimal point and a hydrate separator. It is read as a decimal
//! point when it follows a count of "0" or "1" ("Fe0.95O", "Ca1.5Mg0.5(CO3)2"), because a
//! count of zero is invalid and an explicit count of one is only written in
//! non-stoichiometric formulas; after any other count it separates a hydrate
//! ("CaSO4.2H2O", "MgCl2.6H2O"). After a separator the multiplier may be a decimal
//! ("CaSO4·0.5H2O"). Write "·" or "*" to avoid the question altogether.
//!
//! Phase suffixes such as "(s)" or "(aq)" are not part of a formula; the phase is stated
//! separately on the component. Errors name the 1-based character position in the trimmed
//! text.

use std::collections::BTreeMap;
use std::fmt;

use crate::element::element;
use crate::error::{Error, Result};

/// Element symbol -> atoms per formula unit.
type Atoms = BTreeMap<&'static str, f64>;

/// A parsed chemical formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    text: String,
    atoms: Atoms,
}

impl Formula {
    /// Parse a formula such as "CaCO3", "Ca(OH)2", "K4[Fe(CN)6]" or "CaSO4·2H2O".
    ///
    /// Fails with [`Error::UnknownElement`] for a symbol that is not in
    /// [`crate::element::ELEMENTS`], and with [`Error::Formula`] (naming the position) for
    /// anything else that does not follow the grammar in the module documentation.
    pub fn parse(text: &str) -> Result<Formula> {
        let text = text.trim();
        let atoms = Parser::new(text).formula()?;
        Ok(Formula { text: text.to_owned(), atoms })
    }

    /// The formula as written (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Atoms per formula unit by element symbol, ordered by symbol so that iteration is
    /// deterministic.
    pub fn atoms(&self) -> &BTreeMap<&'static str, f64> {
        &self.atoms
    }

    /// Molar mass in kg/mol (SI), e.g. 0.056077 for CaO.
    pub fn molar_mass(&self) -> f64 {
        let grams: f64 = self
            .atoms
            .iter()
            // Every key came from the element table, so the lookup cannot miss.
            .map(|(symbol, n)| element(symbol).map_or(0.0, |e| e.atomic_weight) * n)
            .sum();
        grams / 1000.0
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `dst += k * src`.
fn add_scaled(dst: &mut Atoms, src: &Atoms, k: f64) {
    for (symbol, n) in src {
        *dst.entry(symbol).or_insert(0.0) += n * k;
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '·' | '*' | '.' | '•' | '⋅')
}

fn closing_bracket(open: char) -> Option<char> {
    match open {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    }
}

const PHASE_SUFFIXES: [&str; 5] = ["(s)", "(l)", "(g)", "(aq)", "(cr)"];

/// A hand-written scanner. Brackets are tracked with an explicit stack rather than recursion,
/// so deeply nested input cannot overflow the call stack.
struct Parser<'t> {
    text: &'t str,
    chars: Vec<char>,
    pos: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        Parser { text, chars: text.chars().collect(), pos: 0 }
    }

    fn err(&self, reason: String) -> Error {
        Error::Formula { formula: self.text.to_owned(), reason }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn digit_at(&self, i: usize) -> bool {
        self.chars.get(i).is_some_and(char::is_ascii_digit)
    }

    fn formula(&mut self) -> Result<Atoms> {
        if self.chars.is_empty() {
            return Err(self.err("the formula is empty".into()));
        }
        if let Some(suffix) = PHASE_SUFFIXES.iter().find(|s| self.text.ends_with(*s)) {
            return Err(
                self.err(format!("phase suffix {suffix:?} is not part of a formula; state the phase separately"))
            );
        }
        let mut total = Atoms::new();
        let mut parts = 0;
        let mut leading_number = false;
        loop {
            let multiplier = if self.digit_at(self.pos) {
                leading_number |= parts == 0;
                self.number(true, "multiplier")?
            } else {
                1.0
            };
            let part = self.part()?;
            add_scaled(&mut total, &part, multiplier);
            parts += 1;
            if !self.separator()? {
                break;
            }
        }
        if parts == 1 && leading_number {
            return Err(self.err(
                "a formula cannot start with a number at position 1; a multiplier is only \
                 allowed after a hydrate separator, e.g. \"CaSO4·2H2O\""
                    .into(),
            ));
        }
        if total.values().any(|n| !n.is_finite()) {
            return Err(self.err("the atom counts are too large".into()));
        }
        Ok(total)
    }

    /// Items up to the next separator or the end.
    fn part(&mut self) -> Result<Atoms> {
        let start = self.pos;
        let mut current = Atoms::new();
        // Enclosing groups: their atoms so far, the opening bracket and its position.
        let mut open: Vec<(Atoms, char, usize)> = Vec::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_uppercase() {
                let end =
                    self.pos + 1 + usize::from(self.chars.get(self.pos + 1).is_some_and(char::is_ascii_lowercase));
                let symbol: String = self.chars[self.pos..end].iter().collect();
                let Some(e) = element(&symbol) else {
                    return Err(Error::UnknownElement { symbol, formula: self.text.to_owned() });
                };
                self.pos = end;
                let n = self.count()?;
                *current.entry(e.symbol).or_insert(0.0) += n;
            } else if closing_bracket(c).is_some() {
                open.push((std::mem::take(&mut current), c, self.pos));
                self.pos += 1;
            } else if matches!(c, ')' | ']' | '}') {
                let Some((outer, opener, opened_at)) = open.pop() else {
                    return Err(self.err(format!("{c:?} at position {} has no matching opening bracket", self.pos + 1)));
                };
                if closing_bracket(opener) != Some(c) {
                    return Err(self.err(format!(
                        "{opener:?} at position {} is closed by {c:?} at position {}",
                        opened_at + 1,
                        self.pos + 1
                    )));
                }
                if current.is_empty() {
                    return Err(self.err(format!("empty brackets at position {}", opened_at + 1)));
                }
                self.pos += 1;
                let n = self.count()?;
                let inner = std::mem::replace(&mut current, outer);
                add_scaled(&mut current, &inner, n);
            } else if c.is_ascii_digit() {
                return Err(self.err(format!(
                    "unexpected number at position {}; a count follows an element symbol or a \
                     closing bracket",
                    self.pos + 1
                )));
            } else if is_separator(c) {
                break;
            } else if c.is_whitespace() {
                // Spaces are only allowed around a separator ("CaSO4 · 2H2O").
                let mut next = self.pos;
                while self.chars.get(next).is_some_and(|c| c.is_whitespace()) {
                    next += 1;
                }
                if !self.chars.get(next).is_some_and(|&c| is_separator(c)) {
                    return Err(self.err(format!("unexpected space at position {}", self.pos + 1)));
                }
                self.pos = next;
                break;
            } else if c.is_lowercase() {
                return Err(self.err(format!(
                    "unexpected {c:?} at position {}; element symbols start with a capital letter",
                    self.pos + 1
                )));
            } else {
                return Err(self.err(format!("unexpected {c:?} at position {}", self.pos + 1)));
            }
        }
        if let Some((_, opener, opened_at)) = open.last() {
            return Err(self.err(format!("{opener:?} at position {} is never closed", opened_at + 1)));
        }
        if current.is_empty() {
            return Err(self.err(format!("expected an element symbol at position {}", start + 1)));
        }
        Ok(current)
    }

    /// Consume a separator and the spaces after it; `false` at the end of the text.
    fn separator(&mut self) -> Result<bool> {
        let Some(c) = self.peek() else {
            return Ok(false);
        };
        let at = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return Err(self.err(format!("nothing follows {c:?} at position {}", at + 1)));
        }
        Ok(true)
    }

    /// An optional count after a symbol or closing bracket; 1 when absent.
    fn count(&mut self) -> Result<f64> {
        if !self.digit_at(self.pos) {
            return Ok(1.0);
        }
        self.number(false, "count")
    }

    /// Digits, then a decimal part when `always_decimal` or the integer part is "0" or "1"
    /// (see the module documentation for why).
    fn number(&mut self, always_decimal: bool, what: &str) -> Result<f64> {
        let start = self.pos;
        while self.digit_at(self.pos) {
            self.pos += 1;
        }
        let integer: String = self.chars[start..self.pos].iter().collect();
        if self.peek() == Some('.')
            && self.digit_at(self.pos + 1)
            && (always_decimal || integer == "0" || integer == "1")
        {
            self.pos += 1;
            while self.digit_at(self.pos) {
                self.pos += 1;
            }
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        let value: f64 =
            digits.parse().map_err(|_| self.err(format!("invalid {what} {digits:?} at position {}", start + 1)))?;
        if value == 0.0 {
            return Err(self.err(format!("{what} of zero at position {}", start + 1)));
        }
        if !value.is_finite() {
            return Err(self.err(format!("{what} at position {} is too large", start + 1)));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(text: &str) -> Vec<(&'static str, f64)> {
        let f = Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        f.atoms().iter().map(|(s, n)| (*s, *n)).collect()
    }

    fn reason(text: &str) -> String {
        match Formula::parse(text) {
            Err(Error::Formula { formula, reason }) => {
                assert_eq!(formula, text.trim());
                reason
            }
            other => panic!("{text}: expected a formula error, got {other:?}"),
        }
    }

    #[test]
    fn molar_masses_match_reference_table() {
        // Reference values: `docs/sources.md §Molar masses` (derived from the atomic weights of
        // CalebBell/chemicals `Element data.csv`), in g/mol.
        let table = [
            ("CaO", 56.077),
            ("MgO", 40.304),
            ("Ca(OH)2", 74.092),
            ("Mg(OH)2", 58.319),
            ("CaCO3", 100.086),
            ("MgCO3", 84.313),
            ("H2O", 18.015),
            ("CO2", 44.009),
            ("Fe2O3", 159.687),
            ("Al2O3", 101.961),
            ("SiO2", 60.084),
            ("SO2", 64.065),
            ("CaSO4", 136.141),
        ];
        for (text, grams) in table {
            let m = Formula::parse(text).unwrap().molar_mass();
            assert!((m * 1000.0 - grams).abs() < 1e-3, "{text}: {} g/mol", m * 1000.0);
        }
    }

    #[test]
    fn molar_mass_is_si() {
        let m = Formula::parse("CaO").unwrap().molar_mass();
        assert!((m - 0.056077).abs() < 1e-9);
    }

    #[test]
    fn groups_and_hydrates() {
        assert_eq!(atoms("Ca(OH)2"), [("Ca", 1.0), ("H", 2.0), ("O", 2.0)]);
        let gypsum = [("Ca", 1.0), ("H", 4.0), ("O", 6.0), ("S", 1.0)];
        assert_eq!(atoms("CaSO4·2H2O"), gypsum);
        assert_eq!(atoms("CaSO4*2H2O"), gypsum);
        assert_eq!(atoms("CaSO4.2H2O"), gypsum);
        assert_eq!(atoms(" CaSO4 · 2H2O "), gypsum);
        assert_eq!(atoms("Ca3(PO4)2"), [("Ca", 3.0), ("O", 8.0), ("P", 2.0)]);
        assert_eq!(atoms("K4[Fe(CN)6]"), [("C", 6.0), ("Fe", 1.0), ("K", 4.0), ("N", 6.0)]);
        assert_eq!(atoms("{[(H)2]3}2"), [("H", 12.0)]);
        assert_eq!(atoms("CaSO4·0.5H2O"), [("Ca", 1.0), ("H", 1.0), ("O", 4.5), ("S", 1.0)]);
        // Cement notation: tricalcium silicate.
        assert_eq!(atoms("3CaO·SiO2"), [("Ca", 3.0), ("O", 5.0), ("Si", 1.0)]);
    }

    #[test]
    fn decimal_counts() {
        assert_eq!(atoms("Fe0.95O"), [("Fe", 0.95), ("O", 1.0)]);
        assert_eq!(atoms("Ca1.5Mg0.5(CO3)2"), [("C", 2.0), ("Ca", 1.5), ("Mg", 0.5), ("O", 6.0)]);
    }

    #[test]
    fn display_and_text_are_the_trimmed_input() {
        let f = Formula::parse("  Ca(OH)2\n").unwrap();
        assert_eq!(f.text(), "Ca(OH)2");
        assert_eq!(f.to_string(), "Ca(OH)2");
    }

    #[test]
    fn unknown_element() {
        assert_eq!(Formula::parse("XxO"), Err(Error::UnknownElement { symbol: "Xx".into(), formula: "XxO".into() }));
    }

    #[test]
    fn errors_name_the_problem_and_position() {
        assert!(reason("").contains("empty"));
        assert!(reason("   ").contains("empty"));
        assert!(reason("Ca(OH2").contains("'(' at position 3 is never closed"));
        assert!(reason("CaOH)2").contains("')' at position 5 has no matching"));
        assert!(reason("Ca(OH]2").contains("closed by ']'"));
        assert!(reason("Ca()2").contains("empty brackets at position 3"));
        assert!(reason("Fe0O").contains("count of zero at position 3"));
        assert!(reason("Ca(OH)0").contains("count of zero"));
        assert!(reason("CaSO4·0H2O").contains("multiplier of zero"));
        assert!(reason("2H2O").contains("cannot start with a number"));
        assert!(reason("CaO!").contains("unexpected '!' at position 4"));
        assert!(reason("CaO 2").contains("unexpected space at position 4"));
        assert!(reason("co2").contains("capital letter"));
        assert!(reason("Ca(2OH)").contains("unexpected number at position 4"));
        assert!(reason("CaSO4·").contains("nothing follows"));
        assert!(reason("CaSO4··H2O").contains("expected an element symbol at position 7"));
        assert!(reason("CaCO3(s)").contains("phase suffix"));
        assert!(reason(&format!("C{}", "9".repeat(400))).contains("too large"));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let deep = format!("{}H{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(atoms(&deep), [("H", 1.0)]);
        assert!(reason(&"(".repeat(100_000)).contains("never closed"));
    }
}
