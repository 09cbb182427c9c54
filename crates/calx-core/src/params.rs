//! Typed unit parameters: the schema a unit type declares and the values a unit receives.
//!
//! A unit type declares each parameter's kind (a quantity of some dimension, a fraction, a
//! per-component map, ...), its default and where that default comes from. The flowsheet
//! layer converts what the user wrote into [`ParamValue`]s in SI against this schema, so a
//! unit's `create` only ever sees checked, converted values. Values are plain data (serde),
//! so they can cross a plugin boundary as a message.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::component::ComponentSet;
use crate::dimension::Dimension;
use crate::unit::UnitError;

/// What kind of value a parameter takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A number with a unit of measure of this dimension, stored in SI.
    Quantity {
        /// Expected dimension.
        dimension: Dimension,
        /// Display unit used in docs and reports (e.g. "kWh/t").
        unit: String,
    },
    /// A fraction in [0, 1], written as `0.7` or `70 %`.
    Fraction,
    /// A dimensionless number.
    Number,
    /// A whole number.
    Integer,
    /// true / false.
    Bool,
    /// Free text.
    Text,
    /// One of the listed words.
    Choice {
        /// The allowed words.
        options: Vec<String>,
    },
    /// A value per component, keyed by component name.
    PerComponent {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A value per connected outlet stream, keyed by stream name.
    PerOutlet {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A value per free-form key (process names, utility names).
    Map {
        /// Kind of each value.
        value: Box<ParamKind>,
    },
    /// A list of values.
    List {
        /// Kind of each item.
        item: Box<ParamKind>,
    },
}

impl ParamKind {
    /// A quantity parameter.
    pub fn quantity(dimension: Dimension, unit: &str) -> ParamKind {
        ParamKind::Quantity { dimension, unit: unit.to_string() }
    }

    /// A per-component map of `value`.
    pub fn per_component(value: ParamKind) -> ParamKind {
        ParamKind::PerComponent { value: Box::new(value) }
    }

    /// A map with free-form keys.
    pub fn map(value: ParamKind) -> ParamKind {
        ParamKind::Map { value: Box::new(value) }
    }

    /// A choice among words.
    pub fn choice(options: &[&str]) -> ParamKind {
        ParamKind::Choice { options: options.iter().map(|s| s.to_string()).collect() }
    }

    /// Short human description for docs and errors ("mass flow (t/h)", "fraction 0-1").
    pub fn describe(&self) -> String {
        match self {
            ParamKind::Quantity { dimension, unit } => {
                let d = dimension.describe();
                let name = d.split(" [").next().unwrap_or(&d).to_string();
                format!("{name} (e.g. in {unit})")
            }
            ParamKind::Fraction => "fraction between 0 and 1 (or 0-100 %)".into(),
            ParamKind::Number => "number".into(),
            ParamKind::Integer => "whole number".into(),
            ParamKind::Bool => "true or false".into(),
            ParamKind::Text => "text".into(),
            ParamKind::Choice { options } => format!("one of {}", options.join(", ")),
            ParamKind::PerComponent { value } => format!("map of component -> {}", value.describe()),
            ParamKind::PerOutlet { value } => format!("map of outlet stream -> {}", value.describe()),
            ParamKind::Map { value } => format!("map of name -> {}", value.describe()),
            ParamKind::List { item } => format!("list of {}", item.describe()),
        }
    }
}

/// One declared parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Name as written in the flowsheet.
    pub name: String,
    /// Kind of value.
    pub kind: ParamKind,
    /// Default in SI, if any.
    pub default: Option<ParamValue>,
    /// Whether the parameter may be left out without a default (the unit then uses another
    /// way to get the figure, e.g. specific energy *or* Bond's law).
    pub optional: bool,
    /// What it means.
    pub doc: String,
    /// Where the default comes from (paper, handbook) or why it is an assumption.
    pub source: Option<String>,
}

impl ParamSpec {
    /// A required parameter (no default).
    pub fn required(name: &str, kind: ParamKind, doc: &str) -> ParamSpec {
        ParamSpec { name: name.into(), kind, default: None, optional: false, doc: doc.into(), source: None }
    }

    /// An optional parameter without a default.
    pub fn optional(name: &str, kind: ParamKind, doc: &str) -> ParamSpec {
        ParamSpec { optional: true, ..ParamSpec::required(name, kind, doc) }
    }

    /// A parameter with a default value (in SI) and the default's source.
    pub fn with_default(name: &str, kind: ParamKind, default: ParamValue, doc: &str, source: &str) -> ParamSpec {
        ParamSpec { default: Some(default), source: Some(source.into()), ..ParamSpec::required(name, kind, doc) }
    }
}

/// A parameter value in SI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Quantities, fractions, numbers, integers.
    Number(f64),
    /// Booleans.
    Bool(bool),
    /// Text and choices.
    Text(String),
    /// Lists.
    List(Vec<ParamValue>),
    /// Per-component and per-outlet maps.
    Map(BTreeMap<String, ParamValue>),
}

/// The checked parameter values a unit receives, with typed accessors whose errors name the
/// parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Wrap values (already checked against the schema).
    pub fn new(values: BTreeMap<String, ParamValue>) -> Params {
        Params { values }
    }

    /// Set one value (used by design specifications and studies).
    pub fn set(&mut self, name: &str, value: ParamValue) {
        self.values.insert(name.to_string(), value);
    }

    /// Set entries of the map parameter `name` that it already has to numbers, the map found
    /// once (a study's renormalised feed composition, every sample); an entry it lacks is
    /// added as [`Params::set_entry`] adds it.
    pub fn set_numbers<'k>(&mut self, name: &str, entries: impl Iterator<Item = (&'k str, f64)>) {
        let Some(ParamValue::Map(map)) = self.values.get_mut(name) else {
            entries.for_each(|(k, x)| self.set_entry(name, Some(k), ParamValue::Number(x)));
            return;
        };
        let mut missing = Vec::new();
        for (k, x) in entries {
            match map.get_mut(k) {
                Some(slot) => *slot = ParamValue::Number(x),
                None => missing.push((k, x)),
            }
        }
        for (k, x) in missing {
            self.set_entry(name, Some(k), ParamValue::Number(x));
        }
    }

    /// Set parameter `name`, or with `key` one entry of the map parameter `name` (created when
    /// missing, other entries kept): what design specifications and studies change.
    pub fn set_entry(&mut self, name: &str, key: Option<&str>, value: ParamValue) {
        // An entry already there is replaced in place: no key or map is allocated.
        if let Some(slot) = self.values.get_mut(name) {
            match (key, slot) {
                (None, slot) => {
                    *slot = value;
                    return;
                }
                (Some(k), ParamValue::Map(m)) if m.contains_key(k) => {
                    if let Some(v) = m.get_mut(k) {
                        *v = value;
                    }
                    return;
                }
                _ => {}
            }
        }
        match key {
            None => self.set(name, value),
            Some(k) => {
                let mut map = match self.get(name) {
                    Some(ParamValue::Map(m)) => m.clone(),
                    _ => BTreeMap::new(),
                };
                map.insert(k.to_string(), value);
                self.set(name, ParamValue::Map(map));
            }
        }
    }

    /// The value of parameter `name`, or with `key` its entry of the map `name`, to read and
    /// change in place (`None` when there is none, or `name` is not a map): one look-up where
    /// a study compares the value it sets with the current one and then writes it.
    pub fn entry_mut(&mut self, name: &str, key: Option<&str>) -> Option<&mut ParamValue> {
        let slot = self.values.get_mut(name)?;
        match (key, slot) {
            (None, slot) => Some(slot),
            (Some(k), ParamValue::Map(m)) => m.get_mut(k),
            (Some(_), _) => None,
        }
    }

    /// The raw value, if given or defaulted.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// All values in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &ParamValue)> {
        self.values.iter()
    }

    /// Whether a value is present.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// A number, if present.
    pub fn number_opt(&self, name: &str) -> Result<Option<f64>, UnitError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(ParamValue::Number(x)) => Ok(Some(*x)),
            Some(other) => Err(UnitError::param(name, format!("expected a number, found {other:?}"))),
        }
    }

    /// A number that must be present.
    pub fn number(&self, name: &str) -> Result<f64, UnitError> {
        self.number_opt(name)?.ok_or_else(|| UnitError::param(name, "is required"))
    }

    /// Text, if present.
    pub fn text_opt(&self, name: &str) -> Result<Option<&str>, UnitError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(ParamValue::Text(s)) => Ok(Some(s)),
            Some(other) => Err(UnitError::param(name, format!("expected text, found {other:?}"))),
        }
    }

    /// A boolean, if present.
    pub fn bool_opt(&self, name: &str) -> Result<Option<bool>, UnitError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(ParamValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(UnitError::param(name, format!("expected true/false, found {other:?}"))),
        }
    }

    /// A list of text items (e.g. reactions), empty if absent.
    pub fn text_list(&self, name: &str) -> Result<Vec<&str>, UnitError> {
        match self.values.get(name) {
            None => Ok(Vec::new()),
            Some(ParamValue::List(items)) => items
                .iter()
                .map(|v| match v {
                    ParamValue::Text(s) => Ok(s.as_str()),
                    other => Err(UnitError::param(name, format!("expected text items, found {other:?}"))),
                })
                .collect(),
            Some(other) => Err(UnitError::param(name, format!("expected a list, found {other:?}"))),
        }
    }

    /// A map of numbers keyed by name (per-component or per-outlet), empty if absent.
    pub fn number_map(&self, name: &str) -> Result<BTreeMap<&str, f64>, UnitError> {
        match self.values.get(name) {
            None => Ok(BTreeMap::new()),
            Some(ParamValue::Map(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    ParamValue::Number(x) => Ok((k.as_str(), *x)),
                    other => Err(UnitError::param(name, format!("{k}: expected a number, found {other:?}"))),
                })
                .collect(),
            Some(other) => Err(UnitError::param(name, format!("expected a map, found {other:?}"))),
        }
    }

    /// A map of text values (free-form keys), empty if absent.
    pub fn text_map(&self, name: &str) -> Result<BTreeMap<&str, &str>, UnitError> {
        match self.values.get(name) {
            None => Ok(BTreeMap::new()),
            Some(ParamValue::Map(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    ParamValue::Text(t) => Ok((k.as_str(), t.as_str())),
                    other => Err(UnitError::param(name, format!("{k}: expected text, found {other:?}"))),
                })
                .collect(),
            Some(other) => Err(UnitError::param(name, format!("expected a map, found {other:?}"))),
        }
    }

    /// A per-component map as a vector indexed like `set`, `fill` where not given.
    pub fn component_vector(&self, name: &str, set: &ComponentSet, fill: f64) -> Result<Vec<f64>, UnitError> {
        let mut out = vec![fill; set.len()];
        for (k, x) in self.number_map(name)? {
            let i = set.require(k).map_err(|e| UnitError::param(name, e.to_string()))?;
            out[i] = x;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        let mut conversion = BTreeMap::new();
        conversion.insert("CaO".to_string(), ParamValue::Number(0.3));
        let mut values = BTreeMap::new();
        values.insert("conversion".to_string(), ParamValue::Map(conversion));
        values.insert("T".to_string(), ParamValue::Number(300.0));
        Params::new(values)
    }

    #[test]
    fn an_entry_found_once_is_read_and_written_in_place() {
        let mut p = params();
        assert_eq!(p.entry_mut("T", None), Some(&mut ParamValue::Number(300.0)));
        let slot = p.entry_mut("conversion", Some("CaO")).expect("the map's entry");
        assert_eq!(*slot, ParamValue::Number(0.3));
        *slot = ParamValue::Number(0.4);
        assert_eq!(p.number_map("conversion").unwrap()["CaO"], 0.4);
        // A whole map without a key, as `set_entry` replaces it.
        assert!(matches!(p.entry_mut("conversion", None), Some(ParamValue::Map(_))));
    }

    #[test]
    fn no_entry_where_set_entry_would_add_one() {
        let mut p = params();
        assert_eq!(p.entry_mut("conversion", Some("MgO")), None);
        assert_eq!(p.entry_mut("T", Some("CaO")), None, "not a map");
        assert_eq!(p.entry_mut("pressure", None), None);
        assert_eq!(p, params(), "looking changes nothing");
    }
}
