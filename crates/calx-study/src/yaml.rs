//! Study files as a tree, parsed by `calx-flowsheet` (the one crate that reads YAML).

use crate::StudyError;

/// A value of the subset.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar, unquoted.
    Scalar(String),
    /// A mapping in written order.
    Map(Vec<(String, Node)>),
    /// A list.
    List(Vec<Node>),
}

impl Node {
    /// A key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The text of a scalar.
    pub fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// Parse study text with the flowsheet format's YAML parser (`calx_flowsheet::parse_yaml`):
/// only `calx-flowsheet` reads YAML.
pub fn parse(text: &str) -> Result<Node, StudyError> {
    fn convert(v: calx_flowsheet::YamlValue) -> Node {
        match v {
            calx_flowsheet::YamlValue::Null => Node::Scalar(String::new()),
            calx_flowsheet::YamlValue::Scalar(s) => Node::Scalar(s),
            calx_flowsheet::YamlValue::List(items) => Node::List(items.into_iter().map(convert).collect()),
            calx_flowsheet::YamlValue::Map(entries) => {
                Node::Map(entries.into_iter().map(|(k, v)| (k, convert(v))).collect())
            }
        }
    }
    match calx_flowsheet::parse_yaml(text) {
        Ok(calx_flowsheet::YamlValue::Null) => Ok(Node::Map(Vec::new())),
        Ok(v) => Ok(convert(v)),
        Err((loc, message)) => {
            Err(StudyError::Syntax { line: loc.line as usize, message: format!("column {}: {message}", loc.column) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_subset() {
        let n = parse("a: 1 # c\nb:\n  - x: 1\n    y: [1, 2]\n  - { x: 2 }\nc:\n  d: 'q # r'\n").unwrap();
        assert_eq!(n.get("a").and_then(Node::text), Some("1"));
        let Some(Node::List(items)) = n.get("b") else { panic!("not a list") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("y"), Some(&Node::List(vec![Node::Scalar("1".into()), Node::Scalar("2".into())])));
        assert_eq!(items[1].get("x").and_then(Node::text), Some("2"));
        assert_eq!(n.get("c").and_then(|c| c.get("d")).and_then(Node::text), Some("q # r"));
    }
}
