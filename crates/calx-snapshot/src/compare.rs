//! Comparing two snapshots value by value.
//!
//! Each line `key: text` gets a path from the headers above it (`streams › product › CaO`).
//! Numbers inside the text are compared with tolerances; the rest of the text must match
//! exactly. Because both sides were rounded to [`SIGNIFICANT_DIGITS`], a difference of one unit
//! in the last kept digit is always accepted, so rounding never turns noise into a failure.

use std::collections::BTreeMap;
use std::fmt;

use crate::render::SIGNIFICANT_DIGITS;

/// How far a number may move before it counts as a difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerances {
    /// Relative tolerance (default 1e-6: the snapshot keeps 6 significant digits).
    pub relative: f64,
    /// Absolute tolerance in the snapshot's SI units (default 1e-12).
    pub absolute: f64,
    /// Relative tolerance by key (`T`, `CaO`, `electricity (agitation)`) or by unit (`K`,
    /// `kg/s`, `W`); the first match wins, keys before units.
    pub by_quantity: BTreeMap<String, f64>,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances { relative: 1e-6, absolute: 1e-12, by_quantity: BTreeMap::new() }
    }
}

/// One value that moved, appeared or disappeared.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// `streams › product › CaO`.
    pub path: String,
    /// Old text, if the line existed.
    pub old: Option<String>,
    /// New text, if the line exists.
    pub new: Option<String>,
    /// Relative change of the first number that moved, when both are numbers.
    pub relative_change: Option<f64>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => {
                write!(f, "{}: {o} -> {n}", self.path)?;
                if let Some(r) = self.relative_change {
                    write!(f, " ({:+.4} %)", r * 100.0)?;
                }
                Ok(())
            }
            (Some(o), None) => write!(f, "{}: removed (was {o})", self.path),
            (None, Some(n)) => write!(f, "{}: new ({n})", self.path),
            (None, None) => write!(f, "{}", self.path),
        }
    }
}

/// Lines of a snapshot body as (path, key, text).
fn entries(body: &str) -> Vec<(String, String, String)> {
    let mut headers: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let indent = line.len() - trimmed.len();
        while headers.last().is_some_and(|(i, _)| *i >= indent) {
            headers.pop();
        }
        // Short names in paths: `product (Product: a.b -> -)` reads as `product`.
        let short = |k: &str| k.split(" (").next().unwrap_or(k).to_string();
        if let Some(header) = trimmed.strip_suffix(':') {
            headers.push((indent, short(header)));
            continue;
        }
        let (key, text) = trimmed.split_once(": ").unwrap_or((trimmed, ""));
        let mut path: Vec<String> = headers.iter().map(|(_, h)| h.clone()).collect();
        path.push(key.to_string());
        // Repeated keys under one header (two utilities of the same kind) stay apart.
        let mut p = path.join(" › ");
        let n = out.iter().filter(|(q, _, _): &&(String, String, String)| q.starts_with(&p)).count();
        if n > 0 {
            p = format!("{p} #{}", n + 1);
        }
        out.push((p, key.to_string(), text.to_string()));
    }
    out
}

/// Split text into its numbers and the text around them.
fn numbers(text: &str) -> (String, Vec<f64>) {
    let mut skeleton = String::new();
    let mut values = Vec::new();
    for token in text.split(' ') {
        let core = token.trim_end_matches([',', ')']).trim_start_matches('(');
        match core.parse::<f64>() {
            Ok(x) if !core.is_empty() && !core.chars().all(|c| c.is_alphabetic()) => {
                values.push(x);
                skeleton.push_str(&token.replacen(core, "#", 1));
            }
            _ => skeleton.push_str(token),
        }
        skeleton.push(' ');
    }
    (skeleton, values)
}

/// One unit in the last significant digit kept by the snapshot.
fn rounding_unit(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    10f64.powi(x.abs().log10().floor() as i32 - (SIGNIFICANT_DIGITS as i32 - 1))
}

/// The differences between an old and a new snapshot body.
pub fn compare(old: &str, new: &str, tol: &Tolerances) -> Vec<Difference> {
    let old_entries = entries(old);
    let new_entries = entries(new);
    let old_map: BTreeMap<&str, (&str, &str)> =
        old_entries.iter().map(|(p, k, t)| (p.as_str(), (k.as_str(), t.as_str()))).collect();
    let new_paths: std::collections::BTreeSet<&str> = new_entries.iter().map(|(p, _, _)| p.as_str()).collect();
    let mut diffs = Vec::new();
    for (path, key, text) in &new_entries {
        let Some((_, old_text)) = old_map.get(path.as_str()) else {
            diffs.push(Difference { path: path.clone(), old: None, new: Some(text.clone()), relative_change: None });
            continue;
        };
        let (s_old, v_old) = numbers(old_text);
        let (s_new, v_new) = numbers(text);
        let unit = text.split(' ').nth(1).unwrap_or("");
        let rel =
            tol.by_quantity.get(key.as_str()).or_else(|| tol.by_quantity.get(unit)).copied().unwrap_or(tol.relative);
        let moved = v_old.iter().zip(&v_new).find(|(a, b)| {
            let scale = a.abs().max(b.abs());
            (*a - *b).abs() > tol.absolute + rel * scale + rounding_unit(scale)
        });
        if s_old != s_new || v_old.len() != v_new.len() || moved.is_some() {
            let relative_change = moved.and_then(|(a, b)| (*a != 0.0).then(|| (b - a) / a.abs()));
            diffs.push(Difference {
                path: path.clone(),
                old: Some(old_text.to_string()),
                new: Some(text.clone()),
                relative_change,
            });
        }
    }
    for (path, _, text) in &old_entries {
        if !new_paths.contains(path.as_str()) {
            diffs.push(Difference { path: path.clone(), old: Some(text.clone()), new: None, relative_change: None });
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "flowsheet: x\nstreams:\n  product (Product: c.out -> -):\n    T: 298.15 K\n    CaO: 0.0210238 kg/s\nsolver:\n  loop a -> b (tears r): 3 iterations, wegstein\n";

    #[test]
    fn identical_snapshots_have_no_differences() {
        assert!(compare(OLD, OLD, &Tolerances::default()).is_empty());
    }

    #[test]
    fn a_moved_value_is_named_by_stream_and_component_with_its_change() {
        let new = OLD.replace("0.0210238", "0.0250000");
        let d = compare(OLD, &new, &Tolerances::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "streams › product › CaO");
        let text = d[0].to_string();
        assert!(text.contains("0.0210238 kg/s -> 0.0250000 kg/s") && text.contains("+18.9"), "{text}");
    }

    #[test]
    fn a_flip_in_the_last_kept_digit_is_rounding_not_a_change() {
        let new = OLD.replace("0.0210238", "0.0210239");
        assert!(compare(OLD, &new, &Tolerances::default()).is_empty());
        let new = OLD.replace("0.0210238", "0.0210241");
        assert_eq!(compare(OLD, &new, &Tolerances::default()).len(), 1);
    }

    #[test]
    fn per_quantity_tolerances_and_structural_changes() {
        let new = OLD.replace("298.15 K", "298.3 K");
        assert_eq!(compare(OLD, &new, &Tolerances::default()).len(), 1);
        let loose = Tolerances { by_quantity: BTreeMap::from([("T".to_string(), 1e-3)]), ..Tolerances::default() };
        assert!(compare(OLD, &new, &loose).is_empty());
        let new = OLD.replace("3 iterations", "4 iterations");
        assert_eq!(compare(OLD, &new, &Tolerances::default()).len(), 1);
        let new = OLD.replace("    CaO: 0.0210238 kg/s\n", "");
        let d = compare(OLD, &new, &Tolerances::default());
        assert_eq!(d[0].to_string(), "streams › product › CaO: removed (was 0.0210238 kg/s)");
    }
}
