//! Numbers for people: thousands separators, significant digits, fixed decimals, and the
//! escaping that HTML, SVG and Markdown need. Every function is deterministic (no locale).

/// `x` with `decimals` decimals and comma thousands separators: `group(128246907.0, 0)` is
/// `128,246,907`. Non-finite values are written as `n/a`.
pub fn group(x: f64, decimals: usize) -> String {
    if x.is_finite() { calx_core::quantity::group(x, decimals) } else { "n/a".into() }
}

/// `x` with `digits` significant digits (at least), grouped: `sig(7437.53, 5)` is `7,437.5`,
/// `sig(0.012345, 3)` is `0.0123`, `sig(128246907.0, 4)` is `128,246,907` (integers are
/// never cut). Magnitudes below 1e-4 use scientific notation.
pub fn sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if a < 1e-4 {
        return format!("{:.*e}", digits.saturating_sub(1), x);
    }
    let magnitude = a.log10().floor() as i64;
    let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
    group(x, decimals)
}

/// A percentage from a fraction: `percent(0.10649, 3)` is `10.649 %`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    format!("{} %", group(fraction * 100.0, decimals))
}

/// [`sig`] without trailing zeros after the decimal point: `sig_short(25.0, 4)` is `25`,
/// `sig_short(3.6, 5)` is `3.6` (for tables of measured values, where `25.00` would claim
/// a precision nobody asked for).
pub fn sig_short(x: f64, digits: usize) -> String {
    let s = sig(x, digits);
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A rate without needless decimals: `rate(0.07)` is `7 %`, `rate(0.1065)` is `10.65 %`.
pub fn rate(fraction: f64) -> String {
    let s = group(fraction * 100.0, 2);
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s} %")
}

/// A large number in short form for chart labels: `81.6 M`, `2.53 M`, `950 k`, `12.4`.
pub fn compact(x: f64) -> String {
    let a = x.abs();
    let (div, suffix) = match a {
        _ if a >= 1e9 => (1e9, " bn"),
        _ if a >= 1e6 => (1e6, " M"),
        _ if a >= 1e4 => (1e3, " k"),
        _ => (1.0, ""),
    };
    format!("{}{suffix}", sig(x / div, 3))
}

/// Money: no decimals from 1,000 up, two below.
pub fn money(x: f64) -> String {
    if x.abs() >= 1000.0 { group(x, 0) } else { group(x, 2) }
}

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

/// A name usable as an HTML id and a file stem: lower-case ASCII letters, digits and `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() { "x".into() } else { trimmed.to_string() }
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
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(group(128_246_907.4, 0), "128,246,907");
        assert_eq!(group(-1234.5, 1), "-1,234.5");
        assert_eq!(group(-0.001, 2), "0.00");
        assert_eq!(group(999.0, 0), "999");
        assert_eq!(sig(7437.53, 5), "7,437.5");
        assert_eq!(sig(45.85928, 4), "45.86");
        assert_eq!(sig(0.012345, 3), "0.0123");
        assert_eq!(sig(128_246_907.0, 4), "128,246,907");
        assert_eq!(sig(0.0, 4), "0");
        assert_eq!(sig(2.5e-7, 3), "2.50e-7");
        assert_eq!(sig(f64::NAN, 3), "n/a");
        assert_eq!(percent(0.106_49, 3), "10.649 %");
        assert_eq!(money(13_322.4), "13,322");
        assert_eq!(money(69.999_999), "70.00");
        assert_eq!(sig_short(25.0, 4), "25");
        assert_eq!(sig_short(3.6, 5), "3.6");
        assert_eq!(sig_short(7437.53, 5), "7,437.5");
        assert_eq!(sig_short(1500.0, 4), "1,500");
        assert_eq!(rate(0.07), "7 %");
        assert_eq!(rate(0.106_49), "10.65 %");
        assert_eq!(compact(81_608_890.0), "81.6 M");
        assert_eq!(compact(-2_533_000.0), "-2.53 M");
        assert_eq!(compact(950_000.0), "950 k");
        assert_eq!(compact(12.4), "12.4");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(md("raw_ash | x"), "raw_ash \\| x");
        assert_eq!(md("_x_ a*b"), "\\_x\\_ a\\*b");
        assert_eq!(html_text("the `lca` analysis"), "the <code>lca</code> analysis");
        assert_eq!(md_text("per `kg/t_product` <x>"), "per `kg/t_product` \\<x\\>");
        assert_eq!(html_text("odd ` tick"), "odd ` tick");
        assert_eq!(slug("Ca(OH)2 to carbonation"), "ca-oh-2-to-carbonation");
        assert_eq!(slug("__"), "x");
        assert_eq!(px(-0.04), "0");
        assert_eq!(px(12.25), "12.3");
        assert_eq!(px(3.0), "3");
    }
}
