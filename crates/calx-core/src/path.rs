//! Dotted paths that name a number in a model: what design specifications adjust and
//! target, what studies vary and read. One syntax, parsed in one place.
//!
//! Two kinds, because the same words name different things on the two sides (`units.U.X` is
//! a parameter on the input side and a utility on the result side):
//!
//! | input ([`InputPath`])                  | result ([`ResultPath`])                     |
//! |----------------------------------------|---------------------------------------------|
//! | `units.U.PARAM`, `units.U.PARAM.KEY`   | `streams.S.total` (kg/s)                    |
//! | `units.U.params.PARAM[.KEY]`           | `streams.S.T` (K)                           |
//! | `streams.FEED.PARAM[.KEY]` (a feed)    | `streams.S.flows.COMPONENT` (kg/s)          |
//! | `streams.FEED.composition.COMPONENT`   | `units.U.electricity\|heating\|cooling\|water` |
//! | `analyses.A.PARAM[.KEY]`               | `analyses.A.METRIC`                         |
//!
//! A feed stream is a unit of the same name, so `streams.FEED.total` and `units.FEED.total`
//! are the same input. Parsing checks the shape only; whether the names exist is for the
//! model to say.

use crate::unit::Utility;

/// A number the user can set: a unit (or feed) parameter, a feed's mass fraction, an
/// analysis parameter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputPath {
    /// A numeric parameter of a unit or feed, or one key of a map parameter.
    UnitParam {
        /// Unit (or feed stream) name.
        unit: String,
        /// Parameter name.
        param: String,
        /// Map key (component, outlet, ...).
        key: Option<String>,
    },
    /// One mass fraction of a feed's composition (the other fractions take up the change).
    FeedFraction {
        /// Feed stream name.
        feed: String,
        /// Component.
        component: String,
    },
    /// A parameter of an analysis, or one key of a map parameter.
    AnalysisParam {
        /// Analysis name.
        analysis: String,
        /// Parameter name.
        param: String,
        /// Map key.
        key: Option<String>,
    },
}

/// A number the user can read from a solved model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResultPath {
    /// Total mass flow of a stream, kg/s.
    StreamTotal(String),
    /// Temperature of a stream, K.
    StreamTemperature(String),
    /// Mass flow of one component in a stream, kg/s.
    StreamFlow {
        /// Stream name.
        stream: String,
        /// Component.
        component: String,
    },
    /// Total rate of one utility of a unit (W, or kg/s for water).
    UnitUtility {
        /// Unit name.
        unit: String,
        /// The utility.
        utility: Utility,
    },
    /// A metric of an analysis.
    AnalysisMetric {
        /// Analysis name.
        analysis: String,
        /// Metric name.
        metric: String,
    },
}

/// A path that does not have one of the allowed shapes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` {problem}; allowed: {allowed}")]
pub struct PathError {
    /// The path as written.
    pub found: String,
    /// What is wrong with it.
    pub problem: String,
    /// The shapes allowed here.
    pub allowed: &'static str,
}

impl InputPath {
    /// The shapes an input path may have, for messages.
    pub const ALLOWED: &'static str = "units.UNIT.PARAM[.KEY], streams.FEED.PARAM[.KEY], \
         streams.FEED.composition.COMPONENT, analyses.ANALYSIS.PARAM[.KEY]";

    /// Parse an input path.
    pub fn parse(text: &str) -> Result<InputPath, PathError> {
        let error = |problem: &str| PathError {
            found: text.to_string(),
            problem: problem.to_string(),
            allowed: InputPath::ALLOWED,
        };
        let parts = segments(text).ok_or_else(|| error("has an empty part"))?;
        match parts.as_slice() {
            ["units" | "streams", unit, "composition", component] => {
                Ok(InputPath::FeedFraction { feed: unit.to_string(), component: component.to_string() })
            }
            ["units" | "streams", unit, "params", rest @ ..] | ["units" | "streams", unit, rest @ ..]
                if !rest.is_empty() && rest.len() <= 2 =>
            {
                Ok(InputPath::UnitParam {
                    unit: unit.to_string(),
                    param: rest[0].to_string(),
                    key: rest.get(1).map(|k| k.to_string()),
                })
            }
            ["analyses", analysis, param, key @ ..] if key.len() <= 1 => Ok(InputPath::AnalysisParam {
                analysis: analysis.to_string(),
                param: param.to_string(),
                key: key.first().map(|k| k.to_string()),
            }),
            [first, ..] if !["units", "streams", "analyses"].contains(first) => {
                Err(error("does not start with `units.`, `streams.` or `analyses.`"))
            }
            _ => Err(error("does not name a parameter")),
        }
    }
}

impl ResultPath {
    /// The shapes a result path may have, for messages.
    pub const ALLOWED: &'static str = "streams.STREAM.total, streams.STREAM.T, streams.STREAM.flows.COMPONENT, \
         units.UNIT.electricity|heating|cooling|water, analyses.ANALYSIS.METRIC";

    /// Parse a result path.
    pub fn parse(text: &str) -> Result<ResultPath, PathError> {
        let error = |problem: &str| PathError {
            found: text.to_string(),
            problem: problem.to_string(),
            allowed: ResultPath::ALLOWED,
        };
        let parts = segments(text).ok_or_else(|| error("has an empty part"))?;
        let utility = |name: &str| Utility::ALL.into_iter().find(|u| u.name() == name);
        match parts.as_slice() {
            ["streams", s, "total"] => Ok(ResultPath::StreamTotal(s.to_string())),
            ["streams", s, "T"] => Ok(ResultPath::StreamTemperature(s.to_string())),
            ["streams", s, "flows", c] => {
                Ok(ResultPath::StreamFlow { stream: s.to_string(), component: c.to_string() })
            }
            ["streams", _, c] => {
                Err(error(&format!("is not a stream result (a component's flow is `streams.STREAM.flows.{c}`)")))
            }
            ["units", u, x] => match utility(x) {
                Some(utility) => Ok(ResultPath::UnitUtility { unit: u.to_string(), utility }),
                None => Err(error(&format!("names no utility `{x}`"))),
            },
            ["analyses", a, m] => Ok(ResultPath::AnalysisMetric { analysis: a.to_string(), metric: m.to_string() }),
            _ => Err(error("does not name a result")),
        }
    }
}

/// The parts between dots, or `None` if one is empty.
fn segments(text: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

impl std::fmt::Display for InputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = |k: &Option<String>| k.as_ref().map(|k| format!(".{k}")).unwrap_or_default();
        match self {
            InputPath::UnitParam { unit, param, key: k } => write!(f, "units.{unit}.{param}{}", key(k)),
            InputPath::FeedFraction { feed, component } => write!(f, "streams.{feed}.composition.{component}"),
            InputPath::AnalysisParam { analysis, param, key: k } => write!(f, "analyses.{analysis}.{param}{}", key(k)),
        }
    }
}

impl std::fmt::Display for ResultPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResultPath::StreamTotal(s) => write!(f, "streams.{s}.total"),
            ResultPath::StreamTemperature(s) => write!(f, "streams.{s}.T"),
            ResultPath::StreamFlow { stream, component } => write!(f, "streams.{stream}.flows.{component}"),
            ResultPath::UnitUtility { unit, utility } => write!(f, "units.{unit}.{}", utility.name()),
            ResultPath::AnalysisMetric { analysis, metric } => write!(f, "analyses.{analysis}.{metric}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> InputPath {
        InputPath::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn result(text: &str) -> ResultPath {
        ResultPath::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn input_paths_of_every_shape() {
        let param = |unit: &str, param: &str, key: Option<&str>| InputPath::UnitParam {
            unit: unit.into(),
            param: param.into(),
            key: key.map(str::to_string),
        };
        assert_eq!(input("units.hydration.conversion.CaO"), param("hydration", "conversion", Some("CaO")));
        assert_eq!(input("units.hydration.params.conversion.CaO"), param("hydration", "conversion", Some("CaO")));
        assert_eq!(input("streams.raw_ash.total"), param("raw_ash", "total", None));
        assert_eq!(
            input("streams.raw_ash.composition.CaO"),
            InputPath::FeedFraction { feed: "raw_ash".into(), component: "CaO".into() }
        );
        assert_eq!(
            input("analyses.tea.utility_prices.electricity"),
            InputPath::AnalysisParam {
                analysis: "tea".into(),
                param: "utility_prices".into(),
                key: Some("electricity".into())
            }
        );
        for text in ["units.hydration.conversion.CaO", "streams.raw_ash.composition.CaO", "analyses.tea.discount_rate"]
        {
            let shown = input(text).to_string();
            assert_eq!(input(&shown), input(text), "{shown} parses back to the same path");
        }
    }

    #[test]
    fn result_paths_of_every_shape() {
        assert_eq!(result("streams.product.total"), ResultPath::StreamTotal("product".into()));
        assert_eq!(result("streams.product.T"), ResultPath::StreamTemperature("product".into()));
        assert_eq!(
            result("streams.vent.flows.CO2"),
            ResultPath::StreamFlow { stream: "vent".into(), component: "CO2".into() }
        );
        assert_eq!(
            result("units.mill.electricity"),
            ResultPath::UnitUtility { unit: "mill".into(), utility: Utility::Electricity }
        );
        assert_eq!(
            result("analyses.lca.net_reduction_per_year"),
            ResultPath::AnalysisMetric { analysis: "lca".into(), metric: "net_reduction_per_year".into() }
        );
        for text in ["streams.vent.flows.CO2", "units.mill.electricity", "analyses.tea.npv", "streams.p.T"] {
            assert_eq!(result(text).to_string(), text);
        }
    }

    #[test]
    fn malformed_paths_say_what_is_allowed() {
        let e = ResultPath::parse("streams.vent.CO2").err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.to_string().contains("streams.STREAM.flows.CO2"), "{e}");
        assert!(ResultPath::parse("units.mill.steam").is_err());
        assert!(ResultPath::parse("streams..total").is_err());
        assert!(ResultPath::parse("plant.total").is_err());
        let e = InputPath::parse("plant.x.y").err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.to_string().contains("does not start with"), "{e}");
        assert!(InputPath::parse("units.hydration").is_err());
        assert!(InputPath::parse("units.a.b.c.d").is_err());
        assert!(InputPath::parse("analyses.tea").is_err());
    }
}
