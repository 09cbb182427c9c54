//! YAML documents of other Calx formats (carbon-methodology profiles) as a tree that keeps
//! every value's position, parsed with the flowsheet's own parser and rules (YAML 1.2
//! booleans, duplicate keys refused), so that their decoders report problems with line and
//! column exactly like flowsheets do.

use crate::node::{self, Loc, Node, Value};

/// A value with the position it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    /// Where the value starts.
    pub loc: Loc,
    /// The value.
    pub value: LocatedValue,
}

/// A located YAML value: scalars stay text (numbers and booleans too).
#[derive(Clone, Debug, PartialEq)]
pub enum LocatedValue {
    /// Empty value.
    Null,
    /// A scalar as written.
    Scalar(String),
    /// A sequence.
    List(Vec<Located>),
    /// A mapping in written order: key, key position, value.
    Map(Vec<(String, Loc, Located)>),
}

impl Located {
    /// The scalar text, if this is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            LocatedValue::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn entries(&self) -> Option<&[(String, Loc, Located)]> {
        match &self.value {
            LocatedValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A short rendering for "found ..." messages.
    pub fn show(&self) -> String {
        match &self.value {
            LocatedValue::Null => "nothing".into(),
            LocatedValue::Scalar(s) => format!("{s:?}"),
            LocatedValue::List(items) => format!("a list of {}", items.len()),
            LocatedValue::Map(entries) => {
                format!("a mapping with {}", entries.iter().map(|(k, _, _)| k.as_str()).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

fn located(n: Node) -> Located {
    let value = match n.value {
        Value::Null => LocatedValue::Null,
        Value::Scalar(s) => LocatedValue::Scalar(s),
        Value::Seq(items) => LocatedValue::List(items.into_iter().map(located).collect()),
        Value::Map(entries) => {
            LocatedValue::Map(entries.into_iter().map(|(k, v)| (k.name, k.loc, located(v))).collect())
        }
    };
    Located { loc: n.loc, value }
}

/// Parse YAML text into a located tree; a syntax error comes back with its position.
pub fn parse_located(text: &str) -> Result<Located, (Loc, String)> {
    node::parse(text).map(located).map_err(|e| (e.loc, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_kept_for_keys_and_values() {
        let doc = parse_located("a: 1\nb:\n  c: [x, y]\n").expect("valid YAML");
        let entries = doc.entries().expect("a mapping");
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[0].2.scalar(), Some("1"));
        assert_eq!(entries[1].1, Loc { line: 2, column: 1 });
        let inner = entries[1].2.entries().expect("b is a mapping");
        assert_eq!(inner[0].1, Loc { line: 3, column: 3 });
        assert!(matches!(inner[0].2.value, LocatedValue::List(ref l) if l.len() == 2));
        let (loc, message) = parse_located("a: 1\na: 2\n").expect_err("duplicate keys are refused");
        assert_eq!(loc.line, 2, "{message}");
    }
}
