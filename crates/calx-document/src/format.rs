//! The escaping that HTML, SVG and Markdown need, `code` spans, and SVG coordinates.
//! Numbers are formatted by `calx_core::format` (re-exported here for the sections).

pub use calx_core::format::{compact, group, sig, sig_short, slug};

/// Escape text for HTML and SVG content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for a Markdown table cell or paragraph: pipes, backslashes, emphasis
/// markers, brackets and HTML-significant characters; line breaks become spaces. An
/// underscore inside a word (`raw_ash`) is left alone: it cannot start emphasis there.
pub fn md(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let word = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| c.is_alphanumeric());
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '_' if word(i.checked_sub(1)) && word(Some(i + 1)) => out.push(c),
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text with `code` spans: the parts between backticks, as (is code, text) pairs. An
/// unmatched backtick is text.
pub fn spans(text: &str) -> Vec<(bool, &str)> {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return vec![(false, text)];
    }
    parts.into_iter().enumerate().filter(|(_, p)| !p.is_empty()).map(|(i, p)| (i % 2 == 1, p)).collect()
}

/// Text for HTML with `code` spans as `<code>`.
pub fn html_text(text: &str) -> String {
    spans(text).into_iter().map(|(code, p)| if code { format!("<code>{}</code>", esc(p)) } else { esc(p) }).collect()
}

/// Text for Markdown with `code` spans kept as code.
pub fn md_text(text: &str) -> String {
    spans(text).into_iter().map(|(code, p)| if code { format!("`{p}`") } else { md(p) }).collect()
}

/// A coordinate for SVG: one decimal, no `-0.0`.
pub fn px(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 || !r.is_finite() {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(md("raw_ash | x"), "raw_ash \\| x");
        assert_eq!(md("_x_ a*b"), "\\_x\\_ a\\*b");
        assert_eq!(html_text("the `lca` analysis"), "the <code>lca</code> analysis");
        assert_eq!(md_text("per `kg/t_product` <x>"), "per `kg/t_product` \\<x\\>");
        assert_eq!(html_text("odd ` tick"), "odd ` tick");
        assert_eq!(px(-0.04), "0");
        assert_eq!(px(12.25), "12.3");
        assert_eq!(px(3.0), "3");
    }
}
