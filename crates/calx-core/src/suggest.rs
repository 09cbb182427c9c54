//! "Did you mean ...?" suggestions for misspelt names (units, components, unit types).
//!
//! The measure is the optimal-string-alignment (restricted Damerau-Levenshtein) distance,
//! which counts an adjacent transposition ("mxier") as one edit, like a typing slip. The
//! comparison ignores case because case slips ("degc", "CaCo3") are the most common ones,
//! but among equally near candidates the one that also matches the case wins.

/// The candidate nearest to `needle`, or `None` when none is close enough to be a plausible
/// typo.
///
/// A candidate is accepted when its case-insensitive distance is at most
/// `max(1, needle length / 3)` characters (a case-insensitive equal has distance 0 and is
/// always accepted). The nearest candidate wins; among equals the one whose case-sensitive
/// distance is smaller, then the one that comes first in `candidates`, so the answer is
/// deterministic for a given candidate order. An empty `needle` has no suggestion.
pub fn nearest<'a, I: IntoIterator<Item = &'a str>>(needle: &str, candidates: I) -> Option<&'a str> {
    let exact: Vec<char> = needle.chars().collect();
    let folded: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if folded.is_empty() {
        return None;
    }
    // A third of the length: short symbols tolerate one slip, long names a few more.
    let limit = (folded.len() / 3).max(1);
    let mut best: Option<(usize, usize, &'a str)> = None;
    for candidate in candidates {
        let cand_folded: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
        // The distance is at least the length difference: skip hopeless candidates cheaply.
        if cand_folded.len().abs_diff(folded.len()) > limit {
            continue;
        }
        let distance = osa_distance(&folded, &cand_folded);
        if distance > limit {
            continue;
        }
        let cand_exact: Vec<char> = candidate.chars().collect();
        let case_distance = osa_distance(&exact, &cand_exact);
        // Strictly better only, so that earlier candidates win ties.
        if best.is_none_or(|(d, c, _)| (distance, case_distance) < (d, c)) {
            best = Some((distance, case_distance, candidate));
        }
    }
    best.map(|(_, _, candidate)| candidate)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters, each costing one, no substring edited twice.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    // Three rolling rows (i-2, i-1, i) are enough for the transposition look-back.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT_TYPES: [&str; 5] = ["mixer", "splitter", "carbonator", "filter", "dryer"];

    #[test]
    fn suggests_near_misses() {
        assert_eq!(nearest("carbonater", UNIT_TYPES), Some("carbonator"));
        assert_eq!(nearest("mixr", UNIT_TYPES), Some("mixer"));
        assert_eq!(nearest("CaCo3", ["CaO", "CaCO3", "MgCO3"]), Some("CaCO3"));
    }

    #[test]
    fn rejects_far_candidates() {
        assert_eq!(nearest("zzz", UNIT_TYPES), None);
        assert_eq!(nearest("", UNIT_TYPES), None);
        assert_eq!(nearest("mixer", std::iter::empty()), None);
    }

    #[test]
    fn case_insensitive_equal_is_accepted_even_when_long() {
        assert_eq!(nearest("CARBONATOR", UNIT_TYPES), Some("carbonator"));
        assert_eq!(nearest("degc", ["degF", "degC"]), Some("degC"));
    }

    #[test]
    fn transposition_counts_as_one_edit() {
        assert_eq!(osa_distance(&['a', 'b'], &['b', 'a']), 1);
        assert_eq!(nearest("mxier", UNIT_TYPES), Some("mixer"));
    }

    #[test]
    fn ties_are_broken_by_case_then_order() {
        // "mw" is a case-insensitive equal of both; "mW" matches the case better.
        assert_eq!(nearest("mw", ["MW", "mW"]), Some("mW"));
        // Equal on both keys: the first candidate wins.
        assert_eq!(nearest("kx", ["kg", "km"]), Some("kg"));
        assert_eq!(nearest("kx", ["km", "kg"]), Some("km"));
    }

    #[test]
    fn distance_basics() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(osa_distance(&c(""), &c("abc")), 3);
        assert_eq!(osa_distance(&c("kitten"), &c("sitting")), 3);
        assert_eq!(osa_distance(&c("ca"), &c("abc")), 3); // OSA, not full Damerau (2)
    }
}
