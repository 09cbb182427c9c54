//! Diagnostics: what is wrong, where (file, line, column, field), what was found, what is
//! allowed, and the nearest valid name. Rendered like a compiler message with the source
//! line underneath, deterministically (sorted by position) so that messages can be
//! snapshot-tested.

use std::fmt;

use crate::node::Loc;

/// One problem in a flowsheet file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub loc: Loc,
    /// Dotted path of the field (`units.carbonator.params.conversion`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What was written, if relevant.
    pub found: Option<String>,
    /// What is allowed.
    pub allowed: Option<String>,
    /// "did you mean ...?"
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with only a message.
    pub fn new(loc: Loc, field: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            loc,
            field: field.to_string(),
            message: message.into(),
            found: None,
            allowed: None,
            suggestion: None,
        }
    }
    /// Add what was found.
    pub fn found(mut self, found: impl Into<String>) -> Diagnostic {
        self.found = Some(found.into());
        self
    }
    /// Add what is allowed.
    pub fn allowed(mut self, allowed: impl Into<String>) -> Diagnostic {
        self.allowed = Some(allowed.into());
        self
    }
    /// The problem on one line: `field: message (found `x`); allowed: y`.
    pub fn one_line(&self) -> String {
        let mut m = format!("{}: {}", self.field, self.message);
        if let Some(f) = &self.found {
            m.push_str(&format!(" (found `{f}`)"));
        }
        if let Some(a) = &self.allowed {
            m.push_str(&format!("; allowed: {a}"));
        }
        m
    }

    /// Add a suggestion: the nearest valid name.
    pub fn suggest(mut self, suggestion: Option<&str>) -> Diagnostic {
        self.suggestion = suggestion.map(str::to_string);
        self
    }
}

/// Every problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics {
    /// File name as given.
    pub file: String,
    /// The source text, for rendering.
    pub text: String,
    /// Problems, sorted by position.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The problems of one file, sorted by position.
    pub fn of(file: &str, text: &str, items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics { file: file.to_string(), text: text.to_string(), items }.sorted()
    }

    /// Sort items by position and field so output is stable.
    pub(crate) fn sorted(mut self) -> Diagnostics {
        self.items.sort_by(|a, b| (a.loc, &a.field, &a.message).cmp(&(b.loc, &b.field, &b.message)));
        self.items.dedup();
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            render(f, &self.file, &self.text, d)?;
        }
        let n = self.items.len();
        write!(f, "\n{} problem{} in {}", n, if n == 1 { "" } else { "s" }, self.file)
    }
}

fn render(f: &mut fmt::Formatter<'_>, file: &str, source: &str, d: &Diagnostic) -> fmt::Result {
    writeln!(f, "error: {}", d.message)?;
    writeln!(f, "  --> {file}:{}:{}", d.loc.line, d.loc.column)?;
    if let Some(text) = source.lines().nth(d.loc.line.saturating_sub(1) as usize) {
        let no = d.loc.line.to_string();
        let pad = " ".repeat(no.len());
        let col = d.loc.column.saturating_sub(1) as usize;
        // Underline the written token: up to the end of the scalar or key at that column.
        let rest: String = text.chars().skip(col).collect();
        let width = token_width(&rest).max(1);
        writeln!(f, "{pad} |")?;
        writeln!(f, "{no} | {text}")?;
        writeln!(f, "{pad} | {}{}", " ".repeat(col), "^".repeat(width))?;
    }
    writeln!(f, "   = field: {}", d.field)?;
    if let Some(found) = &d.found {
        writeln!(f, "   = found: {found}")?;
    }
    if let Some(allowed) = &d.allowed {
        writeln!(f, "   = allowed: {allowed}")?;
    }
    if let Some(s) = &d.suggestion {
        writeln!(f, "   = help: did you mean `{s}`?")?;
    }
    Ok(())
}

/// Width of the token starting a line remainder: a quoted string, or text up to `:`/`,`/`}`/`]`/`#`.
fn token_width(rest: &str) -> usize {
    let mut chars = rest.chars();
    match chars.next() {
        Some(q @ ('"' | '\'')) => chars.position(|c| c == q).map_or(rest.chars().count(), |p| p + 2),
        Some(_) => {
            let end = rest
                .char_indices()
                .find(|&(i, c)| {
                    matches!(c, ',' | '}' | ']' | '#')
                        || (c == ':' && rest[i + 1..].starts_with([' ', '\0']))
                        || (c == ':' && i + 1 == rest.len())
                })
                .map_or(rest.len(), |(i, _)| i);
            rest[..end].trim_end().chars().count()
        }
        None => 1,
    }
}
