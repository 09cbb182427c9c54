//! Equality of short names without a call into the C library: what a study's sample does a
//! few hundred times (a metric's name against the one in its slot, an LCA plan's unit and
//! flow names against a sample's, a result's stream names against the flowsheet's).
//!
//! `==` on `str` compares lengths and then calls `memcmp`, whose call and dispatch cost more
//! than the comparison of a name of a dozen bytes. [`same`] reads such a name as two (up to
//! 16 bytes) or four (up to 32) overlapping machine words instead, and leaves longer ones to
//! `==`. The answer is always `==`'s (tested against it on every length up to 40 and on
//! non-ASCII text).

/// Whether `a` and `b` hold the same text (`a == b`).
#[inline]
pub fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// Whether `a` and `b` hold the same bytes (`a == b`).
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        // First and last eight bytes: together they cover every byte.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        // The first sixteen and the last sixteen, likewise (metric names such as
        // `co2_fixed_per_year` are of this length).
        17..=32 => {
            (word(a, 0) ^ word(b, 0))
                | (word(a, 8) ^ word(b, 8))
                | (word(a, n - 16) ^ word(b, n - 16))
                | (word(a, n - 8) ^ word(b, n - 8))
                == 0
        }
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// The eight bytes of `s` from `at` as one word.
#[inline]
fn word(s: &[u8], at: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_ne_bytes(w)
}

/// The four bytes of `s` from `at` as one word.
#[inline]
fn half(s: &[u8], at: usize) -> u32 {
    let mut w = [0; 4];
    w.copy_from_slice(&s[at..at + 4]);
    u32::from_ne_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of every length up to 40, and each with one byte changed at every position.
    fn cases() -> Vec<(String, String)> {
        let base = "category.GWP100 (IPCC AR5).emissions_per_year";
        let mut pairs = Vec::new();
        for n in 0..=40 {
            let a = &base[..n];
            pairs.push((a.to_string(), a.to_string()));
            for k in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[k] = if b[k] == b'x' { b'y' } else { b'x' };
                pairs.push((a.to_string(), String::from_utf8(b).unwrap()));
            }
            pairs.push((a.to_string(), base[..n.saturating_sub(1)].to_string()));
        }
        pairs.push(("CO₂ fixed".into(), "CO₂ fixed".into()));
        pairs.push(("CO₂ fixed".into(), "CO₃ fixed".into()));
        pairs.push(("Ca(OH)₂".into(), "Ca(OH)2".into()));
        pairs
    }

    #[test]
    fn same_is_equality_on_every_length_and_every_changed_byte() {
        let pairs = cases();
        assert!(pairs.iter().filter(|(a, b)| a != b).count() > 800, "most pairs differ");
        for (a, b) in &pairs {
            assert_eq!(same(a, b), a == b, "{a:?} vs {b:?}");
            assert_eq!(same(b, a), a == b, "{b:?} vs {a:?}");
        }
    }
}
