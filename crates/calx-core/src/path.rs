//! Dotted paths that name a number in a model: what design specifications adjust and
//! target, what studies vary and read. One syntax, parsed in one place.
//!
//! Two kinds, because the same words name different things on the two sides (`units.U.X` is
//! a parameter on the input side and a utility on the result side):
//!
//! | input ([`InputPath`])                  | result ([`ResultPath`])                                  |
//! |----------------------------------------|----------------------------------------------------------|
//! | `units.U.PARAM`, `units.U.PARAM.KEY`   | `streams.S.total` (kg/s)                                 |
//! | `units.U.params.PARAM[.KEY]`           | `streams.S.T` (K), `streams.S.P` (Pa)                    |
//! | `streams.FEED.PARAM[.KEY]` (a feed)    | `streams.S.flows.COMPONENT` (kg/s)                       |
//! | `streams.FEED.composition.COMPONENT`   | `streams.S.molar_total`, `streams.S.molar_flows.COMPONENT` (mol/s) |
//! | `analyses.A.PARAM[.KEY]`               | `streams.S.mass_fractions.COMPONENT`, `streams.S.mole_fractions.COMPONENT` (1) |
//! |                                        | `units.U.electricity\|heating\|cooling\|water` (W; water kg/s) |
//! |                                        | `units.U.sizes.NAME` (a size figure the unit reports, in its own dimension) |
//! |                                        | `analyses.A.METRIC`                                      |
//!
//! A feed stream is a unit of the same name, so `streams.FEED.total` and `units.FEED.total`
//! are the same input. Parsing checks the shape only; whether the names exist is for the
//! model to say. A result's dimension is known from its path ([`ResultPath::dimension`]),
//! except for a unit's size, whose dimension comes with the unit's report, and an analysis
//! metric's.

use crate::dimension::Dimension;
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
    /// Pressure of a stream, Pa.
    StreamPressure(String),
    /// Total molar flow of a stream, mol/s.
    StreamMolarTotal(String),
    /// Molar flow of one component in a stream, mol/s.
    StreamMolarFlow {
        /// Stream name.
        stream: String,
        /// Component.
        component: String,
    },
    /// Mass fraction of one component in a stream (dimensionless).
    StreamMassFraction {
        /// Stream name.
        stream: String,
        /// Component.
        component: String,
    },
    /// Mole fraction of one component in a stream (dimensionless).
    StreamMoleFraction {
        /// Stream name.
        stream: String,
        /// Component.
        component: String,
    },
    /// A size figure a unit reports (`co2_fixed`, `volume`), SI in the dimension the report
    /// gives it.
    UnitSize {
        /// Unit name.
        unit: String,
        /// Size name, as the unit reports it.
        size: String,
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
    pub const ALLOWED: &'static str = "streams.STREAM.total|T|P|molar_total, \
         streams.STREAM.flows|molar_flows|mass_fractions|mole_fractions.COMPONENT, \
         units.UNIT.electricity|heating|cooling|water, units.UNIT.sizes.NAME, analyses.ANALYSIS.METRIC";

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
            ["streams", s, "P"] => Ok(ResultPath::StreamPressure(s.to_string())),
            ["streams", s, "molar_total"] => Ok(ResultPath::StreamMolarTotal(s.to_string())),
            ["streams", s, kind, c] => {
                let (stream, component) = (s.to_string(), c.to_string());
                match *kind {
                    "flows" => Ok(ResultPath::StreamFlow { stream, component }),
                    "molar_flows" => Ok(ResultPath::StreamMolarFlow { stream, component }),
                    "mass_fractions" => Ok(ResultPath::StreamMassFraction { stream, component }),
                    "mole_fractions" => Ok(ResultPath::StreamMoleFraction { stream, component }),
                    _ => Err(error(&format!(
                        "names no per-component stream result `{kind}` (flows, molar_flows, mass_fractions, mole_fractions)"
                    ))),
                }
            }
            ["streams", _, "flows" | "molar_flows" | "mass_fractions" | "mole_fractions"] => {
                Err(error("names no component (write `.COMPONENT` after it)"))
            }
            ["streams", _, c] => {
                Err(error(&format!("is not a stream result (a component's flow is `streams.STREAM.flows.{c}`)")))
            }
            ["units", u, "sizes", size] => Ok(ResultPath::UnitSize { unit: u.to_string(), size: size.to_string() }),
            ["units", _, "sizes"] => Err(error("names no size (write `units.UNIT.sizes.NAME`)")),
            ["units", u, x] => match utility(x) {
                Some(utility) => Ok(ResultPath::UnitUtility { unit: u.to_string(), utility }),
                None => Err(error(&format!(
                    "names no utility `{x}` (a size figure the unit reports is `units.{u}.sizes.{x}`)"
                ))),
            },
            ["analyses", a, m] => Ok(ResultPath::AnalysisMetric { analysis: a.to_string(), metric: m.to_string() }),
            _ => Err(error("does not name a result")),
        }
    }

    /// The dimension of the value this path names (SI), when the path alone says it: `None`
    /// for a unit's size (its dimension comes with the unit's report) and an analysis
    /// metric.
    pub fn dimension(&self) -> Option<Dimension> {
        match self {
            ResultPath::StreamTotal(_) | ResultPath::StreamFlow { .. } => Some(Dimension::MASS_FLOW),
            ResultPath::StreamTemperature(_) => Some(Dimension::TEMPERATURE),
            ResultPath::StreamPressure(_) => Some(Dimension::PRESSURE),
            ResultPath::StreamMolarTotal(_) | ResultPath::StreamMolarFlow { .. } => Some(Dimension::MOLAR_FLOW),
            ResultPath::StreamMassFraction { .. } | ResultPath::StreamMoleFraction { .. } => {
                Some(Dimension::DIMENSIONLESS)
            }
            ResultPath::UnitUtility { utility, .. } => Some(utility.dimension()),
            ResultPath::UnitSize { .. } | ResultPath::AnalysisMetric { .. } => None,
        }
    }

    /// The component a per-component stream result names.
    pub fn component(&self) -> Option<&str> {
        match self {
            ResultPath::StreamFlow { component, .. }
            | ResultPath::StreamMolarFlow { component, .. }
            | ResultPath::StreamMassFraction { component, .. }
            | ResultPath::StreamMoleFraction { component, .. } => Some(component),
            _ => None,
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
            ResultPath::StreamPressure(s) => write!(f, "streams.{s}.P"),
            ResultPath::StreamMolarTotal(s) => write!(f, "streams.{s}.molar_total"),
            ResultPath::StreamFlow { stream, component } => write!(f, "streams.{stream}.flows.{component}"),
            ResultPath::StreamMolarFlow { stream, component } => write!(f, "streams.{stream}.molar_flows.{component}"),
            ResultPath::StreamMassFraction { stream, component } => {
                write!(f, "streams.{stream}.mass_fractions.{component}")
            }
            ResultPath::StreamMoleFraction { stream, component } => {
                write!(f, "streams.{stream}.mole_fractions.{component}")
            }
            ResultPath::UnitSize { unit, size } => write!(f, "units.{unit}.sizes.{size}"),
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
    fn pressures_molar_flows_fractions_and_sizes_parse_with_their_dimensions() {
        let (vent, co2) = (|| "vent".to_string(), || "CO2".to_string());
        let cases = [
            ("streams.vent.P", ResultPath::StreamPressure(vent()), Some(Dimension::PRESSURE)),
            ("streams.vent.molar_total", ResultPath::StreamMolarTotal(vent()), Some(Dimension::MOLAR_FLOW)),
            (
                "streams.vent.molar_flows.CO2",
                ResultPath::StreamMolarFlow { stream: vent(), component: co2() },
                Some(Dimension::MOLAR_FLOW),
            ),
            (
                "streams.vent.mass_fractions.CO2",
                ResultPath::StreamMassFraction { stream: vent(), component: co2() },
                Some(Dimension::DIMENSIONLESS),
            ),
            (
                "streams.vent.mole_fractions.CO2",
                ResultPath::StreamMoleFraction { stream: vent(), component: co2() },
                Some(Dimension::DIMENSIONLESS),
            ),
            (
                "units.carbonation.sizes.co2_fixed",
                ResultPath::UnitSize { unit: "carbonation".into(), size: "co2_fixed".into() },
                None,
            ),
            ("streams.vent.total", ResultPath::StreamTotal(vent()), Some(Dimension::MASS_FLOW)),
            ("streams.vent.T", ResultPath::StreamTemperature(vent()), Some(Dimension::TEMPERATURE)),
            (
                "units.vent.water",
                ResultPath::UnitUtility { unit: vent(), utility: Utility::Water },
                Some(Dimension::MASS_FLOW),
            ),
            (
                "units.vent.cooling",
                ResultPath::UnitUtility { unit: vent(), utility: Utility::Cooling },
                Some(Dimension::POWER),
            ),
            ("analyses.tea.npv", ResultPath::AnalysisMetric { analysis: "tea".into(), metric: "npv".into() }, None),
        ];
        for (text, path, dimension) in cases {
            assert_eq!(result(text), path, "{text}");
            assert_eq!(path.dimension(), dimension, "{text}");
            assert_eq!(path.to_string(), text, "{text} is shown as written");
        }
        assert_eq!(result("streams.vent.mole_fractions.CO2").component(), Some("CO2"));
        assert_eq!(result("streams.vent.molar_total").component(), None);
    }

    #[test]
    fn malformed_new_paths_name_the_allowed_forms() {
        let message = |text: &str| match ResultPath::parse(text) {
            Ok(p) => panic!("{text} accepted as {p:?}"),
            Err(e) => e.to_string(),
        };
        let e = message("streams.vent.volume_fractions.CO2");
        assert!(e.contains("names no per-component stream result `volume_fractions`"), "{e}");
        assert!(e.contains("mole_fractions") && e.contains("units.UNIT.sizes.NAME"), "{e}");
        let e = message("streams.vent.mole_fractions");
        assert!(e.contains("names no component"), "{e}");
        let e = message("units.carbonation.sizes");
        assert!(e.contains("names no size"), "{e}");
        let e = message("units.carbonation.co2_fixed");
        assert!(e.contains("`units.carbonation.sizes.co2_fixed`"), "{e}");
        let e = message("streams.vent.pressure");
        assert!(e.contains("is not a stream result") && e.contains("streams.STREAM.total|T|P|molar_total"), "{e}");
        assert!(ResultPath::parse("units.carbonation.sizes.volume.m3").is_err());
        assert!(ResultPath::parse("streams.vent.P.x").is_err());
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
