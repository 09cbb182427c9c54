//! A YAML document as a tree of nodes that remember where they were written.
//!
//! We deserialize into this tree (through serde-saphyr's `Spanned`) instead of into typed
//! structs, so that the decoder can report every problem in a file at once, each with line
//! and column, and suggest the nearest valid name — serde derive stops at the first error.
//! YAML 1.2 booleans only (`yes`, `no`, `on` and `off` stay text: `NO` is nitric oxide).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A position in the source, 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

/// A value with its position.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub loc: Loc,
    pub value: Value,
}

/// A map key with its position.
#[derive(Clone, Debug)]
pub(crate) struct Key {
    pub loc: Loc,
    pub name: String,
}

#[derive(Clone, Debug)]
pub(crate) enum Value {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// A short rendering of the value for "found ..." messages.
    pub fn show(&self) -> String {
        match &self.value {
            Value::Null => "nothing".into(),
            Value::Scalar(s) => format!("{s:?}"),
            Value::Seq(items) => format!("a list of {}", items.len()),
            Value::Map(entries) => format!(
                "a mapping with {}",
                entries.iter().map(|(k, _)| k.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Set the value at a dotted key path to the scalar `value`, adding missing keys (at the
/// position of the mapping they are added to). The path must end at a value, not a section.
pub(crate) fn set(root: &mut Node, path: &str, value: &str) -> Result<(), crate::SetError> {
    let node = node_at(root, path)?;
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
        return Err(crate::SetError {
            path: path.to_string(),
            message: format!("`{path}` is a section in the flowsheet, not a value"),
        });
    }
    node.value = Value::Scalar(value.to_string());
    Ok(())
}

/// Replace whatever is at a dotted key path by a mapping of scalar `entries`, in their order,
/// adding missing keys as [`set`] does. Every new key and value is placed where the replaced
/// node was written, so that a diagnostic about one of them points there.
pub(crate) fn set_mapping(root: &mut Node, path: &str, entries: &[(&str, String)]) -> Result<(), crate::SetError> {
    let node = node_at(root, path)?;
    let at = node.loc;
    let map = entries
        .iter()
        .map(|(k, v)| (Key { loc: at, name: (*k).to_string() }, Node { loc: at, value: Value::Scalar(v.clone()) }))
        .collect();
    node.value = Value::Map(map);
    Ok(())
}

/// The node at a dotted key path, adding missing keys (empty, at the position of the mapping
/// they are added to); every key before the last must name a section (or nothing yet).
fn node_at<'a>(root: &'a mut Node, path: &str) -> Result<&'a mut Node, crate::SetError> {
    let fail = |message: String| crate::SetError { path: path.to_string(), message };
    let keys: Vec<&str> = path.split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(fail("a dotted path of keys has no empty parts".into()));
    }
    let mut node = root;
    for (depth, key) in keys.iter().enumerate() {
        if matches!(node.value, Value::Null) {
            node.value = Value::Map(Vec::new());
        }
        let at = node.loc;
        let Value::Map(entries) = &mut node.value else {
            return Err(fail(format!("`{}` is not a section, so it has no `{key}`", keys[..depth].join("."))));
        };
        let i = match entries.iter().position(|(k, _)| k.name == *key) {
            Some(i) => i,
            None => {
                let empty = Node { loc: at, value: Value::Null };
                entries.push((Key { loc: at, name: key.to_string() }, empty));
                entries.len() - 1
            }
        };
        node = &mut entries[i].1;
    }
    Ok(node)
}

/// A syntax error from the YAML parser.
#[derive(Clone, Debug)]
pub(crate) struct SyntaxError {
    pub loc: Loc,
    pub message: String,
}

/// Most YAML nodes (every key, value, list and mapping counts one) a file may have. The
/// parser's default budget, 250,000, stopped flowsheets near 19,000 units; 2,000,000 allows
/// about 150,000 units written like the generated test flowsheets (13 nodes a unit), while
/// keeping a hostile file's memory bounded (our tree holds under 100 bytes a node).
pub(crate) const MAX_NODES: usize = 2_000_000;

/// Parser events allowed per node (events are the nodes plus the end of every list and
/// mapping, documents and aliases, so fewer than two a node): the node limit is the one a
/// large flowsheet meets.
const EVENTS_PER_NODE: usize = 2;

/// Parse a YAML document.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    parse_limited(text, MAX_NODES)
}

/// [`parse`] with at most `max_nodes` YAML nodes.
fn parse_limited(text: &str, max_nodes: usize) -> Result<Node, SyntaxError> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.with_snippet = false;
    let mut budget = options.budget.take().unwrap_or_default();
    budget.max_nodes = max_nodes;
    budget.max_events = EVENTS_PER_NODE * max_nodes;
    options.budget = Some(budget);
    match serde_saphyr::from_str_with_options::<Spanned<Tree>>(text, options) {
        Ok(tree) => Ok(convert(tree)),
        Err(e) => {
            let loc = e
                .location()
                .map_or(Loc { line: 1, column: 1 }, |l| Loc { line: l.line() as u32, column: l.column() as u32 });
            if let serde_saphyr::Error::Budget { breach, .. } = &e {
                return Err(SyntaxError { loc, message: budget_message(breach, max_nodes) });
            }
            let raw = e.to_string();
            // The parser prefixes "error: line N column M: "; we print positions ourselves.
            let message = raw
                .trim_start_matches("error: ")
                .split_once(": ")
                .filter(|(head, _)| head.starts_with("line "))
                .map_or(raw.clone(), |(_, rest)| rest.to_string());
            let mut message = message.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
            // ... and may suffix " at line N, column M".
            if let Some(i) = message.rfind(" at line ") {
                message.truncate(i);
            }
            Err(SyntaxError { loc, message })
        }
    }
}

/// What a breached parser budget means for a flowsheet file, naming the limit.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach, max_nodes: usize) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match breach {
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => format!(
            "the file is too large for the YAML reader: it may hold at most {max_nodes} YAML nodes (every key, \
             value, list and mapping counts one; a unit written on one line takes about 13, so about {} units); \
             split the plant into several flowsheets",
            max_nodes / 13
        ),
        other => format!("the file exceeds a limit of the YAML reader ({other:?})"),
    }
}

fn loc_of<T>(s: &Spanned<T>) -> Loc {
    Loc { line: s.referenced.line() as u32, column: s.referenced.column() as u32 }
}

fn convert(tree: Spanned<Tree>) -> Node {
    let loc = loc_of(&tree);
    let value = match tree.value {
        Tree::Null => Value::Null,
        Tree::Scalar(s) => Value::Scalar(s),
        Tree::Seq(items) => Value::Seq(items.into_iter().map(convert).collect()),
        Tree::Map(entries) => {
            Value::Map(entries.into_iter().map(|(k, v)| (Key { loc: loc_of(&k), name: k.value }, convert(v))).collect())
        }
    };
    Node { loc, value }
}

/// The raw deserialized tree (positions still inside `Spanned`).
enum Tree {
    Null,
    Scalar(String),
    Seq(Vec<Spanned<Tree>>),
    Map(Vec<(Spanned<String>, Spanned<Tree>)>),
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Scalar(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Scalar(format!("{v}")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Tree>>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Tree>>()?;
            entries.push((key, value));
        }
        Ok(Tree::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_strict_booleans() {
        let n = parse("a: 1\nb:\n  c: 16000 t/yr\n  d: [NO, yes, true]\n").unwrap();
        let Value::Map(top) = &n.value else { panic!() };
        let Value::Map(b) = &top[1].1.value else { panic!() };
        assert_eq!(b[0].1.loc, Loc { line: 3, column: 6 });
        let Value::Seq(d) = &b[1].1.value else { panic!() };
        let texts: Vec<_> = d.iter().map(|n| n.show()).collect();
        assert_eq!(texts, vec!["\"NO\"", "\"yes\"", "\"true\""]);
    }

    #[test]
    fn a_mapping_replaces_a_section_or_a_value_and_keeps_its_position() {
        let mut n = parse("streams:\n  ash:\n    composition: { CaO: 22 wt%, SiO2: rest }\n").unwrap();
        let entries = [("CaO", "0.3".to_string()), ("SiO2", "0.7".to_string())];
        set_mapping(&mut n, "streams.ash.composition", &entries).unwrap();
        let Value::Map(top) = &n.value else { panic!() };
        let Value::Map(streams) = &top[0].1.value else { panic!() };
        let Value::Map(ash) = &streams[0].1.value else { panic!() };
        let composition = &ash[0].1;
        assert_eq!(composition.loc, Loc { line: 3, column: 18 });
        assert_eq!(composition.show(), "a mapping with CaO, SiO2");
        let Value::Map(fractions) = &composition.value else { panic!() };
        let texts: Vec<_> = fractions.iter().map(|(k, v)| format!("{}={}", k.name, v.show())).collect();
        assert_eq!(texts, ["CaO=\"0.3\"", "SiO2=\"0.7\""]);
        assert!(fractions.iter().all(|(k, v)| k.loc == composition.loc && v.loc == composition.loc));
        // A path through a value is refused, as for a scalar.
        let e = set_mapping(&mut n, "streams.ash.composition.CaO.x", &entries).unwrap_err();
        assert!(e.message.contains("`streams.ash.composition.CaO` is not a section"), "{}", e.message);
    }

    /// `count` units of 13 YAML nodes each (a mixer-like unit with flow-style ports).
    fn units(count: usize) -> String {
        let mut text = String::from("units:\n");
        for i in 0..count {
            text.push_str(&format!("  u{i}: {{ type: mixer, in: {{ in: [s{i}] }}, out: {{ out: s{} }} }}\n", i + 1));
        }
        text
    }

    #[test]
    fn twenty_thousand_units_parse_and_the_node_limit_is_named() {
        // The parser's default budget (250,000 nodes) refused this near 19,000 units with
        // "budget breached: Nodes { nodes: 250001 }".
        let n = parse(&units(20_000)).unwrap_or_else(|e| panic!("{}", e.message));
        let Value::Map(top) = &n.value else { panic!() };
        let Value::Map(u) = &top[0].1.value else { panic!() };
        assert_eq!(u.len(), 20_000);
        // Past the limit the message names it (shown with a small limit: the real one takes
        // 150,000 units to reach).
        assert!(parse_limited(&units(76), 1000).is_ok());
        let e = parse_limited(&units(77), 1000).err().map(|e| e.message).unwrap_or_default();
        assert!(e.contains("at most 1000 YAML nodes") && e.contains("about 76 units"), "{e}");
        assert!(
            budget_message(&serde_saphyr::budget::BudgetBreach::Nodes { nodes: 1 }, MAX_NODES)
                .contains("at most 2000000 YAML nodes")
        );
    }

    #[test]
    fn syntax_errors_have_positions_and_clean_messages() {
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.loc, Loc { line: 2, column: 1 });
        assert_eq!(e.message, "duplicate mapping key: a");
    }
}
