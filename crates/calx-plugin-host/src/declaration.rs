//! Checks of what a plugin declares in its manifest, before any of its types is used.
//!
//! The engine and the flowsheet format trust a unit type's descriptor: names are map keys
//! and YAML keys, defaults are used as they are. A built-in type is reviewed with the code;
//! a library is not, so the host refuses a manifest with
//!
//! - an empty unit type, port or parameter name, or one holding a control character
//!   (names are shown in messages on terminals, where an escape character could rewrite
//!   what is displayed);
//! - a unit type declared twice in the library, an inlet, an outlet or a parameter declared
//!   twice in one unit type (an inlet and an outlet may share a name: `gas` in, `gas` out);
//! - a parameter default that is not a value of the declared kind: a number where text is
//!   declared or the reverse, a fraction outside 0..=1, a whole number with a fraction
//!   part, a choice not among the options, a non-finite number, and the same inside the
//!   values of maps and lists.
//!
//! Every problem of the manifest is listed, each naming the unit type and what is wrong;
//! names are shown escaped (`escape_debug`), so a control character is visible, not obeyed.

use calx_core::AnalysisDescriptor;
use calx_core::params::{ParamKind, ParamSpec, ParamValue};
use calx_core::unit::{PortDirection, UnitDescriptor};

/// What a unit type names: an inlet port, an outlet port or a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// An inlet port.
    Inlet,
    /// An outlet port.
    Outlet,
    /// A parameter.
    Parameter,
    /// An analysis type an analysis reads (`reads:`).
    Read,
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Item::Inlet => "inlet",
            Item::Outlet => "outlet",
            Item::Parameter => "parameter",
            Item::Read => "read analysis type",
        })
    }
}

/// One thing wrong with a unit type's declaration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DeclarationError {
    /// The unit type's name is the empty string.
    #[error("the type name is empty")]
    EmptyTypeName,
    /// The unit type's name holds a control character.
    #[error("the type name contains the control character {}", code(*character))]
    TypeNameControl {
        /// The first control character in it.
        character: char,
    },
    /// Another unit type of the same library has this name.
    #[error("the type name is declared twice in this library")]
    DuplicateType,
    /// A port or parameter name is the empty string.
    #[error("{item} {index}: the name is empty")]
    EmptyName {
        /// Inlet, outlet or parameter.
        item: Item,
        /// Its position among the unit type's inlets, outlets or parameters (1 = first).
        index: usize,
    },
    /// A port or parameter name holds a control character.
    #[error("{item} `{}`: the name contains the control character {}", name.escape_debug(), code(*character))]
    ControlCharacter {
        /// Inlet, outlet or parameter.
        item: Item,
        /// The name.
        name: String,
        /// The first control character in it.
        character: char,
    },
    /// An inlet, outlet or parameter name is declared twice in one unit type.
    #[error("{item} `{}` is declared twice", name.escape_debug())]
    Duplicate {
        /// Inlet, outlet or parameter.
        item: Item,
        /// The name.
        name: String,
    },
    /// A parameter's default is not a value of its kind.
    #[error("parameter `{}`: default {at}{found} is not of the declared kind: {expected}", param.escape_debug())]
    DefaultKind {
        /// Parameter name.
        param: String,
        /// Where inside the default: empty for the value itself, "key `CaO`: ", "item 2: ".
        at: String,
        /// The value found, shown.
        found: String,
        /// The kind declared at that place, described.
        expected: String,
    },
}

/// Whether a declared type is a unit type or an analysis type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// A unit type.
    Unit,
    /// An analysis type (ABI 1.1).
    Analysis,
}

impl std::fmt::Display for TypeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TypeKind::Unit => "unit type",
            TypeKind::Analysis => "analysis type",
        })
    }
}

/// A declaration problem in one unit or analysis type of a manifest.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{kind} {}: {error}", shown_type(unit_type, *index))]
pub struct DeclarationProblem {
    /// Unit type or analysis type.
    pub kind: TypeKind,
    /// The type's name as declared.
    pub unit_type: String,
    /// Its position in the manifest (1 = first).
    pub index: usize,
    /// What is wrong.
    pub error: DeclarationError,
}

/// A unit type in a message: its escaped name, or its position when it has none.
fn shown_type(name: &str, index: usize) -> String {
    if name.is_empty() { format!("number {index} (no name)") } else { format!("`{}`", name.escape_debug()) }
}

fn code(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Every problem with the unit types a manifest declares, in manifest order.
pub fn check_units(units: &[UnitDescriptor]) -> Vec<DeclarationProblem> {
    let mut problems = Vec::new();
    for (i, d) in units.iter().enumerate() {
        let name = &d.type_name;
        let mut errors = type_name_errors(name, units[..i].iter().map(|e| e.type_name.as_str()));
        for (item, direction) in [(Item::Inlet, PortDirection::In), (Item::Outlet, PortDirection::Out)] {
            let ports: Vec<&str> =
                d.ports.iter().filter(|p| p.direction == direction).map(|p| p.name.as_str()).collect();
            name_errors(&mut errors, item, &ports);
        }
        param_errors(&mut errors, &d.params);
        problems.extend(errors.into_iter().map(|error| DeclarationProblem {
            kind: TypeKind::Unit,
            unit_type: name.clone(),
            index: i + 1,
            error,
        }));
    }
    problems
}

/// Every problem with the analysis types a manifest declares, in manifest order: the same
/// checks of names and defaults as for unit types, and the analysis types each one reads
/// named once each, without control characters. Whether a read type exists is known only
/// once every library is loaded (the `calx` crate checks it against the registry).
pub fn check_analyses(analyses: &[AnalysisDescriptor]) -> Vec<DeclarationProblem> {
    let mut problems = Vec::new();
    for (i, d) in analyses.iter().enumerate() {
        let name = &d.type_name;
        let mut errors = type_name_errors(name, analyses[..i].iter().map(|e| e.type_name.as_str()));
        param_errors(&mut errors, &d.params);
        let reads: Vec<&str> = d.reads.iter().map(String::as_str).collect();
        name_errors(&mut errors, Item::Read, &reads);
        problems.extend(errors.into_iter().map(|error| DeclarationProblem {
            kind: TypeKind::Analysis,
            unit_type: name.clone(),
            index: i + 1,
            error,
        }));
    }
    problems
}

/// Problems of a declared type's name: empty, control characters, or the name of a type
/// declared `earlier` in the same manifest.
fn type_name_errors<'a>(name: &str, mut earlier: impl Iterator<Item = &'a str>) -> Vec<DeclarationError> {
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(DeclarationError::EmptyTypeName);
    } else if let Some(character) = name.chars().find(|c| c.is_control()) {
        errors.push(DeclarationError::TypeNameControl { character });
    }
    if !name.is_empty() && earlier.any(|e| e == name) {
        errors.push(DeclarationError::DuplicateType);
    }
    errors
}

/// Problems of a declared type's parameters: their names, and defaults not of their kind.
fn param_errors(errors: &mut Vec<DeclarationError>, params: &[ParamSpec]) {
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    name_errors(errors, Item::Parameter, &names);
    for p in params {
        if let Some(default) = &p.default
            && let Err(Misfit { at, found, expected }) = check_value(&p.kind, default, String::new())
        {
            errors.push(DeclarationError::DefaultKind { param: p.name.clone(), at, found, expected });
        }
    }
}

/// Problems of the inlet, outlet or parameter names of one unit type: empty, control characters,
/// repeats (each repeat once, at its second occurrence).
fn name_errors(errors: &mut Vec<DeclarationError>, item: Item, names: &[&str]) {
    for (j, name) in names.iter().enumerate() {
        if name.is_empty() {
            errors.push(DeclarationError::EmptyName { item, index: j + 1 });
            continue;
        }
        if let Some(character) = name.chars().find(|c| c.is_control()) {
            errors.push(DeclarationError::ControlCharacter { item, name: name.to_string(), character });
        }
        if names[..j].contains(name) {
            errors.push(DeclarationError::Duplicate { item, name: name.to_string() });
        }
    }
}

/// A value that is not of its kind: where (inside maps and lists), what, and the kind there.
struct Misfit {
    at: String,
    found: String,
    expected: String,
}

/// Whether `value` is a value of `kind`; else the first place where it is not.
fn check_value(kind: &ParamKind, value: &ParamValue, at: String) -> Result<(), Misfit> {
    // Defaults are in SI: a fraction's default is never a percentage.
    let expected = match kind {
        ParamKind::Fraction => "fraction between 0 and 1".to_string(),
        k => k.describe(),
    };
    let bad = |at: String| Err(Misfit { at, found: shown(value), expected });
    match (kind, value) {
        (ParamKind::Quantity { .. } | ParamKind::Number, ParamValue::Number(x)) if x.is_finite() => Ok(()),
        (ParamKind::Fraction, ParamValue::Number(x)) if (0.0..=1.0).contains(x) => Ok(()),
        (ParamKind::Integer, ParamValue::Number(x)) if x.is_finite() && x.fract() == 0.0 => Ok(()),
        (ParamKind::Bool, ParamValue::Bool(_)) | (ParamKind::Text, ParamValue::Text(_)) => Ok(()),
        (ParamKind::Choice { options }, ParamValue::Text(s)) if options.contains(s) => Ok(()),
        (
            ParamKind::PerComponent { value: inner }
            | ParamKind::PerOutlet { value: inner }
            | ParamKind::Map { value: inner },
            ParamValue::Map(map),
        ) => map.iter().try_for_each(|(k, v)| check_value(inner, v, format!("{at}key `{}`: ", k.escape_debug()))),
        (ParamKind::List { item }, ParamValue::List(items)) => {
            items.iter().enumerate().try_for_each(|(n, v)| check_value(item, v, format!("{at}item {}: ", n + 1)))
        }
        _ => bad(at),
    }
}

/// A default value as shown in a message.
fn shown(value: &ParamValue) -> String {
    match value {
        ParamValue::Number(x) => format!("{x}"),
        ParamValue::Bool(b) => format!("{b}"),
        ParamValue::Text(s) => format!("\"{}\"", s.escape_debug()),
        ParamValue::List(items) => format!("a list of {}", items.len()),
        ParamValue::Map(m) => format!("a map of {}", m.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calx_core::unit::PortSpec;

    fn unit(name: &str, ports: Vec<PortSpec>, params: Vec<ParamSpec>) -> UnitDescriptor {
        UnitDescriptor { type_name: name.into(), summary: String::new(), ports, params }
    }

    fn messages(units: &[UnitDescriptor]) -> Vec<String> {
        check_units(units).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_sound_manifest_passes() {
        let p = vec![
            ParamSpec::with_default("f", ParamKind::Fraction, ParamValue::Number(1.0), "", ""),
            ParamSpec::with_default("n", ParamKind::Integer, ParamValue::Number(3.0), "", ""),
            ParamSpec::with_default("c", ParamKind::choice(&["a", "b"]), ParamValue::Text("b".into()), "", ""),
        ];
        // An inlet and an outlet may share a name.
        let u = unit("ok", vec![PortSpec::inlet("gas", ""), PortSpec::outlet("gas", "")], p);
        assert_eq!(messages(&[u]), Vec::<String>::new());
    }

    #[test]
    fn the_shipped_plugins_declare_nothing_the_host_refuses() {
        let types = [calx_generic::unit_types(), calx_mineralization::unit_types(), calx_cyclone::unit_types()];
        for t in types {
            let units: Vec<UnitDescriptor> = t.iter().map(|t| t.descriptor()).collect();
            assert_eq!(messages(&units), Vec::<String>::new());
        }
    }

    #[test]
    fn nested_defaults_name_the_key_or_item() {
        let kind = ParamKind::per_component(ParamKind::Fraction);
        let default = ParamValue::Map([("CaO".to_string(), ParamValue::Number(2.0))].into());
        let list = ParamKind::List { item: Box::new(ParamKind::Text) };
        let items = ParamValue::List(vec![ParamValue::Text("a".into()), ParamValue::Bool(true)]);
        let p = vec![
            ParamSpec::with_default("split", kind, default, "", ""),
            ParamSpec::with_default("names", list, items, "", ""),
        ];
        let m = messages(&[unit("u", vec![], p)]);
        assert_eq!(
            m,
            vec![
                "unit type `u`: parameter `split`: default key `CaO`: 2 is not of the declared kind: fraction between 0 and 1",
                "unit type `u`: parameter `names`: default item 2: true is not of the declared kind: text",
            ]
        );
    }

    #[test]
    fn unnamed_types_are_reported_by_their_position() {
        let m = messages(&[unit("a", vec![], vec![]), unit("", vec![], vec![])]);
        assert_eq!(m, vec!["unit type number 2 (no name): the type name is empty"]);
    }
}
