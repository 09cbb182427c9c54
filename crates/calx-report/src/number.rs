//! Number formatting with a fixed number of significant digits.

/// `x` rounded to `digits` significant digits (0 stays 0; -0 becomes 0).
pub fn round_sig(x: f64, digits: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { 0.0 } else { x };
    }
    let text = format!("{:.*e}", digits.saturating_sub(1), x);
    text.parse::<f64>().unwrap_or(x)
}

/// `x` with `digits` significant digits, plain notation for ordinary magnitudes and
/// scientific notation outside 1e-4 ..= 1e9.
pub fn sig(x: f64, digits: usize) -> String {
    let r = round_sig(x, digits);
    if r == 0.0 {
        return "0".into();
    }
    let a = r.abs();
    if (1e-4..1e9).contains(&a) { format!("{r}") } else { format!("{:.*e}", digits.saturating_sub(1), r) }
}

/// `n` with a noun in singular or plural: "1 iteration", "3 iterations".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_significant_digits() {
        assert_eq!(sig(0.123456789, 4), "0.1235");
        assert_eq!(sig(123456.789, 4), "123500");
        assert_eq!(sig(-0.0, 4), "0");
        assert_eq!(sig(1.5e-12, 3), "1.50e-12");
        assert_eq!(round_sig(2.0 / 3.0, 6), 0.666667);
    }
}
