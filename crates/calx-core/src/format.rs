//! Numbers for people: the one home of number formatting in Calx.
//!
//! Two families, named for what they are for:
//! - *grouped* ([`group`], [`sig`], [`sig_short`], [`money`], [`percent`], [`rate`],
//!   [`compact`]): comma thousands separators, for reports, tables of money and key figures;
//!   non-finite values are written `n/a`;
//! - *plain* ([`sig_plain`], [`round_sig`], [`plain_percent`]): no separators, for text that
//!   is compared or parsed again (`calx run`'s tables, snapshots, CSV-like notes).
//!
//! Every function is deterministic: no locale, no clock.

/// `x` with `decimals` decimals and comma thousands separators, without locale:
/// `group(128246907.0, 0)` is `128,246,907`; `-0` after rounding is `0`; non-finite values
/// are written `n/a`.
pub fn group(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// `x` with `digits` significant digits (at least), grouped: `sig(7437.53, 5)` is `7,437.5`,
/// `sig(0.012345, 3)` is `0.0123`, `sig(128246907.0, 4)` is `128,246,907` (integers are
/// never cut). Magnitudes below 1e-4 use scientific notation; non-finite values are `n/a`.
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

/// [`sig`] without trailing zeros after the decimal point: `sig_short(25.0, 4)` is `25`,
/// `sig_short(3.6, 5)` is `3.6` (for tables of measured values, where `25.00` would claim
/// a precision nobody asked for).
pub fn sig_short(x: f64, digits: usize) -> String {
    let s = sig(x, digits);
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A percentage from a fraction: `percent(0.10649, 3)` is `10.649 %`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    format!("{} %", group(fraction * 100.0, decimals))
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

/// `x` rounded to `digits` significant digits (0 stays 0; -0 becomes 0; non-finite values
/// are returned as they are).
pub fn round_sig(x: f64, digits: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { 0.0 } else { x };
    }
    let text = format!("{:.*e}", digits.saturating_sub(1), x);
    text.parse::<f64>().unwrap_or(x)
}

/// `x` with `digits` significant digits and no separators: plain notation for ordinary
/// magnitudes (`123500`, `0.1235`), scientific outside 1e-4 ..= 1e9 (`1.50e-12`).
/// Non-finite values are written as Rust writes them (`NaN`, `inf`).
pub fn sig_plain(x: f64, digits: usize) -> String {
    let r = round_sig(x, digits);
    if r == 0.0 {
        return "0".into();
    }
    let a = r.abs();
    if (1e-4..1e9).contains(&a) { format!("{r}") } else { format!("{:.*e}", digits.saturating_sub(1), r) }
}

/// A fraction as a plain percentage number without float noise: `plain_percent(0.07)` is
/// `7`, `plain_percent(0.1065)` is `10.65` (six decimals at most).
pub fn plain_percent(fraction: f64) -> String {
    let s = format!("{:.6}", fraction * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `n` with a noun in singular or plural: "1 iteration", "3 iterations".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers_are_rounded_and_separated() {
        assert_eq!(group(128_246_907.4, 0), "128,246,907");
        assert_eq!(group(330_429_847.0, 0), "330,429,847");
        assert_eq!(group(-1234.5, 1), "-1,234.5");
        assert_eq!(group(-1234.5678, 2), "-1,234.57");
        assert_eq!(group(-0.001, 2), "0.00");
        assert_eq!(group(-0.0001, 2), "0.00");
        assert_eq!(group(999.0, 0), "999");
        assert_eq!(group(f64::NAN, 0), "n/a");
        assert_eq!(group(f64::INFINITY, 2), "n/a");
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
    fn plain_numbers_keep_significant_digits_without_separators() {
        assert_eq!(sig_plain(0.123456789, 4), "0.1235");
        assert_eq!(sig_plain(123456.789, 4), "123500");
        assert_eq!(sig_plain(-0.0, 4), "0");
        assert_eq!(sig_plain(1.5e-12, 3), "1.50e-12");
        assert_eq!(sig_plain(f64::INFINITY, 3), "inf");
        assert_eq!(round_sig(2.0 / 3.0, 6), 0.666667);
        assert_eq!(plain_percent(0.07), "7");
        assert_eq!(plain_percent(0.1065), "10.65");
        assert_eq!(count(1, "iteration"), "1 iteration");
        assert_eq!(count(3, "iteration"), "3 iterations");
    }

    #[test]
    fn slugs_are_ids() {
        assert_eq!(slug("Ca(OH)2 to carbonation"), "ca-oh-2-to-carbonation");
        assert_eq!(slug("__"), "x");
    }
}
