//! Study files as a tree (parsed by `calx-flowsheet`, the one crate that reads YAML), and a
//! line-level editor that sets one value of a flowsheet's text by its dotted path (a study's
//! fixed `set:` changes, applied once before the flowsheet is read; sampled values never go
//! through text).

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

/// The line without a trailing `#` comment (a `#` inside quotes, or not after a space, is kept).
fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &s[..i],
            None => {}
        }
        prev = c;
    }
    s
}

/// `key: value` (or `key:`) split at the first `:` outside quotes that ends the text or is
/// followed by a space; the key without quotes.
fn key_value(text: &str) -> Option<(String, String)> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ':' && text[i + 1..].chars().next().is_none_or(|n| n == ' ') => {
                let key = text[..i].trim().trim_matches(|q| q == '"' || q == '\'').to_string();
                return (!key.is_empty()).then(|| (key, text[i + 1..].trim().to_string()));
            }
            None => {}
        }
    }
    None
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

/// Set the value at a dotted path of block-style YAML text (`analyses.tea.carbon_price`) to
/// `value`, keeping everything else. Missing keys are added to the deepest mapping written
/// in block style. Errors name the path.
pub fn set_path(text: &str, path: &str, value: &str) -> Result<String, String> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let is_content = |l: &str| !strip_comment(l).trim().is_empty();
    // The range of lines [start, end) that is the body of the current mapping, at `indent`.
    let (mut start, mut end, mut indent) = (0usize, lines.len(), None::<usize>);
    for (d, seg) in segs.iter().enumerate() {
        let body_indent = indent.or_else(|| lines[start..end].iter().find(|l| is_content(l)).map(|l| indent_of(l)));
        let found = lines[start..end].iter().position(|l| {
            is_content(l)
                && Some(indent_of(l)) == body_indent
                && key_value(strip_comment(l).trim()).is_some_and(|(k, _)| k == *seg)
        });
        let Some(at) = found.map(|p| p + start) else {
            // Add the rest of the path at the end of this mapping.
            let ind = body_indent.unwrap_or(if d == 0 { 0 } else { 2 * d });
            let mut insert_at = end;
            while insert_at > start && !is_content(&lines[insert_at - 1]) {
                insert_at -= 1;
            }
            let mut new = Vec::new();
            for (k, s) in segs[d..].iter().enumerate() {
                let pad = " ".repeat(ind + 2 * k);
                if d + k + 1 == segs.len() {
                    new.push(format!("{pad}{s}: {value}"));
                } else {
                    new.push(format!("{pad}{s}:"));
                }
            }
            lines.splice(insert_at..insert_at, new);
            return Ok(lines.join("\n") + "\n");
        };
        let line = lines[at].clone();
        let key_indent = indent_of(&line);
        let (_, written) = key_value(strip_comment(&line).trim()).unwrap_or_default();
        if d + 1 == segs.len() {
            if written.is_empty() {
                return Err(format!("`{path}` is a section in the flowsheet, not a value"));
            }
            let comment = &line[strip_comment(&line).len()..];
            let colon = line.find(':').unwrap_or(line.len());
            lines[at] = format!("{}: {value}{}{comment}", &line[..colon], if comment.is_empty() { "" } else { " " });
            return Ok(lines.join("\n") + "\n");
        }
        if !written.is_empty() {
            return Err(format!(
                "`{}` is written on one line (`{written}`); write it as an indented block so `{path}` can be varied",
                segs[..=d].join(".")
            ));
        }
        let mut stop = at + 1;
        while stop < end && (!is_content(&lines[stop]) || indent_of(&lines[stop]) > key_indent) {
            stop += 1;
        }
        start = at + 1;
        end = stop;
        indent = lines[start..end].iter().find(|l| is_content(l)).map(|l| indent_of(l)).or(Some(key_indent + 2));
    }
    Err(format!("`{path}` is empty"))
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

    #[test]
    fn sets_and_adds_paths() {
        let text = "a:\n  b: 1 x   # note\n  c:\n    d: 2\ne: 3\n";
        assert_eq!(set_path(text, "a.b", "5 y").unwrap(), "a:\n  b: 5 y # note\n  c:\n    d: 2\ne: 3\n");
        assert_eq!(set_path(text, "a.c.d", "7").unwrap(), "a:\n  b: 1 x   # note\n  c:\n    d: 7\ne: 3\n");
        assert_eq!(
            set_path(text, "a.f.g", "8").unwrap(),
            "a:\n  b: 1 x   # note\n  c:\n    d: 2\n  f:\n    g: 8\ne: 3\n"
        );
        assert!(set_path(text, "a.c", "1").is_err());
    }
}
