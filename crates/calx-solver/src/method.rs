//! The choice of recycle accelerator, with the stable names used in flowsheet files.

use std::fmt;

/// Which accelerator converges a recycle loop's tear variables.
///
/// The serialized names (`"direct_substitution"`, `"wegstein"`, `"broyden"`) are the ones
/// [`Method::name`] returns and [`Method::from_name`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// `x <- g(x)`: slow when the loop recycles most of its material, but never unstable for a
    /// contracting loop.
    DirectSubstitution,
    /// Bounded Wegstein: a per-variable secant extrapolation with the extrapolation factor
    /// clamped. The default, as in commercial simulators: cheap (no matrix), and usually several
    /// times faster than direct substitution on weakly coupled recycle loops.
    #[default]
    Wegstein,
    /// Broyden's "good" quasi-Newton method on `g(x) - x = 0`, with an inverse Jacobian estimate.
    /// Best for strongly coupled loops, where per-variable Wegstein can oscillate.
    Broyden,
}

impl Method {
    /// Every method, in declaration order (for CLIs, docs and exhaustive tests).
    pub const ALL: [Method; 3] = [Method::DirectSubstitution, Method::Wegstein, Method::Broyden];

    /// The stable snake_case name, identical to the serde representation.
    pub fn name(self) -> &'static str {
        match self {
            Method::DirectSubstitution => "direct_substitution",
            Method::Wegstein => "wegstein",
            Method::Broyden => "broyden",
        }
    }

    /// The method with this exact [`name`](Method::name), if any.
    pub fn from_name(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Method;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for m in Method::ALL {
            assert_eq!(Method::from_name(m.name()), Some(m));
            assert_eq!(m.to_string(), m.name());
        }
        let names: std::collections::HashSet<_> = Method::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Method::ALL.len());
        assert_eq!(Method::from_name("Wegstein"), None);
        assert_eq!(Method::from_name(""), None);
        assert_eq!(Method::default(), Method::Wegstein);
    }
}
