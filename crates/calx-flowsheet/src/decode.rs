//! The decoder context: walks the node tree, converts quantities, and records a diagnostic
//! for every problem instead of stopping at the first. Helpers here are shared by the
//! section decoders (components, streams, units, solver, design specs).

use std::collections::BTreeMap;

use calx_core::quantity::FractionBasis;
use calx_core::suggest::nearest;
use calx_core::{Dimension, UnitTable};

use crate::diagnostic::Diagnostic;
use crate::node::{Key, Loc, Node, Value};

/// Where a name was written, for mapping engine errors back to the file.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceMap {
    pub at: BTreeMap<String, Loc>,
    /// Every place a stream name is written as a connection: (stream) -> [(path, loc)].
    pub stream_uses: BTreeMap<String, Vec<(String, Loc)>>,
}

impl SourceMap {
    pub fn put(&mut self, path: &str, loc: Loc) {
        self.at.entry(path.to_string()).or_insert(loc);
    }
    pub fn get(&self, path: &str) -> Loc {
        self.at.get(path).copied().unwrap_or(Loc { line: 1, column: 1 })
    }
}

/// Decoding state.
pub(crate) struct Decoder {
    pub diags: Vec<Diagnostic>,
    pub units: UnitTable,
    pub map: SourceMap,
}

/// A fraction as written: its value and basis (`wt%` -> mass, `mol%` -> mole, plain -> none).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fraction {
    pub value: f64,
    pub basis: Option<FractionBasis>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder { diags: Vec::new(), units: UnitTable::builtin(), map: SourceMap::default() }
    }

    pub fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The entries of a mapping, or a diagnostic.
    pub fn mapping<'a>(&mut self, node: &'a Node, field: &str) -> Option<&'a [(Key, Node)]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            Value::Null => Some(&[]),
            _ => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a mapping (`name: value` lines)"))
                        .found(node.show()),
                );
                None
            }
        }
    }

    /// Reject keys not in `allowed`, suggesting the nearest.
    pub fn only(&mut self, entries: &[(Key, Node)], allowed: &[&str], field: &str) {
        for (k, _) in entries {
            if !allowed.contains(&k.name.as_str()) {
                let suggestion = nearest(&k.name, allowed.iter().copied());
                self.error(
                    Diagnostic::new(k.loc, &join(field, &k.name), format!("unknown field `{}` in `{field}`", k.name))
                        .found(k.name.clone())
                        .allowed(allowed.join(", "))
                        .suggest(suggestion),
                );
            }
        }
    }

    /// A required field.
    pub fn required<'a>(&mut self, entries: &'a [(Key, Node)], name: &str, field: &str, at: Loc) -> Option<&'a Node> {
        let found = get(entries, name);
        if found.is_none() {
            self.error(Diagnostic::new(at, &join(field, name), format!("`{field}` needs a `{name}` field")));
        }
        found
    }

    /// A scalar as text.
    pub fn text<'a>(&mut self, node: &'a Node, field: &str) -> Option<&'a str> {
        match &node.value {
            Value::Scalar(s) => Some(s),
            _ => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a single value")).found(node.show()),
                );
                None
            }
        }
    }

    /// A list, or a single value taken as a list of one.
    pub fn list<'a>(&mut self, node: &'a Node, field: &str) -> Option<Vec<&'a Node>> {
        match &node.value {
            Value::Seq(items) => Some(items.iter().collect()),
            Value::Scalar(_) => Some(vec![node]),
            _ => {
                self.error(Diagnostic::new(node.loc, field, format!("`{field}` must be a list")).found(node.show()));
                None
            }
        }
    }

    /// A quantity of `dimension` in SI, inside the dimension's sane range
    /// ([`calx_core::limits`]); `example` is a unit to show in messages.
    pub fn quantity(&mut self, node: &Node, field: &str, dimension: Dimension, example: &str) -> Option<f64> {
        let text = self.text(node, field)?;
        match self.units.parse(text) {
            Ok(q) if q.dimension == dimension => self.sane(node, field, text, dimension, q.value),
            Ok(q)
                if q.dimension == Dimension::DIMENSIONLESS
                    && q.basis.is_none()
                    && dimension != Dimension::DIMENSIONLESS =>
            {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` needs a unit of measure"))
                        .found(text.to_string())
                        .allowed(format!("a {} such as \"{} {example}\"", short(dimension), text.trim())),
                );
                None
            }
            Ok(q) => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` has the wrong kind of unit"))
                        .found(format!("{text:?}, a {}", short(q.dimension)))
                        .allowed(format!("a {} (e.g. in {example})", short(dimension))),
                );
                None
            }
            Err(calx_core::Error::UnknownUnit { unit, suggestion }) => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}`: unknown unit of measure `{unit}`"))
                        .found(text.to_string())
                        .allowed(format!(
                            "a {} such as \"{example}\"; `calx units-of-measure` lists them",
                            short(dimension)
                        ))
                        .suggest(suggestion.as_deref()),
                );
                None
            }
            Err(e) => {
                self.error(Diagnostic::new(node.loc, field, format!("`{field}`: {e}")).found(text.to_string()));
                None
            }
        }
    }

    /// `value` (SI, of `dimension`, written as `text`) if it lies in the dimension's sane
    /// range, or a diagnostic naming the range.
    pub fn sane(&mut self, node: &Node, field: &str, text: &str, dimension: Dimension, value: f64) -> Option<f64> {
        match calx_core::limits::range(dimension) {
            Some(range) if !range.contains(value) => {
                self.error(
                    Diagnostic::new(
                        node.loc,
                        field,
                        format!("`{field}` is outside the sane range of a {}", range.what),
                    )
                    .found(match format!("{value:e} {}", range.unit) {
                        si if si == text.trim() => si,
                        si => format!("{} ({si})", text.trim()),
                    })
                    .allowed(format!("{} (docs/flowsheet-format.md, \"Sane ranges\")", range.describe())),
                );
                None
            }
            _ => Some(value),
        }
    }

    /// A fraction in [0, 1], written `0.7`, `70 %`, `70 wt%` or `14 mol%`.
    pub fn fraction(&mut self, node: &Node, field: &str) -> Option<Fraction> {
        let text = self.text(node, field)?;
        let q = match self.units.parse(text) {
            Ok(q) if q.dimension == Dimension::DIMENSIONLESS => q,
            Ok(q) => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a fraction"))
                        .found(format!("{text:?}, a {}", short(q.dimension)))
                        .allowed("a number from 0 to 1, or a percentage such as \"70 %\", \"22.1 wt%\""),
                );
                return None;
            }
            Err(e) => {
                self.error(Diagnostic::new(node.loc, field, format!("`{field}`: {e}")).found(text.to_string()));
                return None;
            }
        };
        if !(0.0..=1.0).contains(&q.value) {
            self.error(
                Diagnostic::new(node.loc, field, format!("`{field}` must be between 0 and 1 (0-100 %)"))
                    .found(text.to_string())
                    .allowed("0 to 1, or 0 % to 100 %"),
            );
            return None;
        }
        Some(Fraction { value: q.value, basis: q.basis })
    }

    /// A positive whole number.
    pub fn count(&mut self, node: &Node, field: &str) -> Option<usize> {
        let text = self.text(node, field)?;
        match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a whole number above 0"))
                        .found(text.to_string()),
                );
                None
            }
        }
    }

    /// A plain positive number (tolerances).
    pub fn positive(&mut self, node: &Node, field: &str) -> Option<f64> {
        let text = self.text(node, field)?;
        match self.units.parse(text) {
            Ok(q) if q.dimension == Dimension::DIMENSIONLESS && q.value > 0.0 => Some(q.value),
            _ => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` must be a number above 0"))
                        .found(text.to_string()),
                );
                None
            }
        }
    }

    /// One of `options`, suggesting the nearest.
    pub fn choice<'a>(&mut self, node: &Node, field: &str, options: &[&'a str]) -> Option<&'a str> {
        let text = self.text(node, field)?;
        match options.iter().find(|o| **o == text) {
            Some(o) => Some(o),
            None => {
                self.error(
                    Diagnostic::new(node.loc, field, format!("`{field}` has an unknown value"))
                        .found(text.to_string())
                        .allowed(options.join(", "))
                        .suggest(nearest(text, options.iter().copied())),
                );
                None
            }
        }
    }
}

/// Value of a key in a mapping.
pub(crate) fn get<'a>(entries: &'a [(Key, Node)], name: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v)
}

/// `a.b`
pub(crate) fn join(field: &str, name: &str) -> String {
    if field.is_empty() { name.to_string() } else { format!("{field}.{name}") }
}

/// "mass flow" from "mass flow [kg s^-1]".
pub(crate) fn short(d: Dimension) -> String {
    let s = d.describe();
    s.split(" [").next().unwrap_or(&s).to_string()
}
