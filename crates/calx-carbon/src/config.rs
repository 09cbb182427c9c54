//! The `analyses: carbon:` block, checked: which profile, which LCA, where each feed's CO2
//! comes from, where the carbonate is stored, the natural-carbonation baseline and the
//! figures the profile leaves to the user. Everything is resolved against the profile here,
//! so a figure the profile requires and the flowsheet does not give is refused at load,
//! naming the figure and its place in the profile file.
//!
//! ```yaml
//! analyses:
//!   carbon:
//!     profile: k-ets-offset                 # a shipped profile, or a profile file (.yaml)
//!     co2_origin: { flue_gas: fossil }      # every feed stream that carries CO2
//!     storage: mine_backfill                # a storage class of the profile
//!     natural_carbonation: { stream: raw_ash, uptake: 0 kg/t, horizon: 100 yr }
//!     natural_carbonation_source: "..."
//!     figures:                              # VALUE; source: TEXT
//!       crediting_period: "10 yr; source: ..."
//!       reversal_buffer: "0 %; source: ..."
//! ```

use std::collections::BTreeMap;

use calx_core::quantity::UnitTable;
use calx_core::{Dimension, Params, UnitError};
use serde::Serialize;

use crate::profile::{Declared, FIGURES, Figure, Origin, Profile, UncertaintyRule};

/// A figure in use: its value (SI) and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureInUse {
    /// Value, SI.
    pub value: f64,
    /// Source as given by the profile or the flowsheet.
    pub source: String,
    /// `profile` or `flowsheet`.
    pub given_by: &'static str,
}

/// The natural carbonation the untreated material would have undergone anyway.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NaturalCarbonation {
    /// Feed stream of the untreated material.
    pub stream: String,
    /// CO2 it would take up, kg per kg of material over the horizon.
    pub uptake: f64,
    /// Time horizon of that uptake, s.
    pub horizon: f64,
    /// Source of the uptake figure.
    pub source: String,
}

/// A checked carbon block, resolved against its profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CarbonConfig {
    /// The profile (the JSON output names it instead of repeating it).
    #[serde(skip)]
    pub profile: std::sync::Arc<Profile>,
    /// The LCA to read (`None`: the only one, or the one named `lca`).
    pub lca: Option<String>,
    /// Origin of the CO2 of each feed stream.
    pub origins: BTreeMap<String, Origin>,
    /// The storage class's name in the profile.
    pub storage: String,
    /// Share of credits set aside against reversal.
    pub reversal_buffer: FigureInUse,
    /// Years in which credits are issued, s.
    pub crediting_period: FigureInUse,
    /// Leakage, share of gross CO2 fixed.
    pub leakage: FigureInUse,
    /// Percentile of a study's credited tonnes that is credited (`None`: the profile's rule is `none`).
    pub uncertainty_percentile: Option<FigureInUse>,
    /// The natural-carbonation baseline, when declared.
    pub natural_carbonation: Option<NaturalCarbonation>,
}

/// Figures a flowsheet may give under `figures:`.
pub const FLOWSHEET_FIGURES: [&str; 4] = ["crediting_period", "leakage", "reversal_buffer", "uncertainty_percentile"];

impl CarbonConfig {
    /// Check the block's parameters against `profile`.
    pub fn new(p: &Params, profile: std::sync::Arc<Profile>) -> Result<CarbonConfig, UnitError> {
        let given = given_figures(p)?;
        let storage = p.text_opt("storage")?.unwrap_or_default().trim().to_string();
        let Some(class) = profile.storage.get(&storage) else {
            let names: Vec<&str> = profile.storage.keys().map(String::as_str).collect();
            return Err(UnitError::param(
                "storage",
                format!("profile `{}` has no storage class `{storage}` (it has: {})", profile.name, names.join(", ")),
            ));
        };
        let figure = |name: &str, declared: Option<&Declared>| resolve(&profile, &given, name, declared);
        let reversal_buffer = figure("reversal_buffer", Some(&class.reversal_buffer))?;
        let crediting_period = figure("crediting_period", profile.figure("crediting_period"))?;
        let leakage = figure("leakage", profile.figure("leakage"))?;
        let uncertainty_percentile = match &profile.uncertainty {
            UncertaintyRule::None if given.contains_key("uncertainty_percentile") => {
                return Err(UnitError::param(
                    "figures",
                    format!(
                        "`uncertainty_percentile` is given, but profile `{}` makes no uncertainty deduction (its rule is `none`)",
                        profile.name
                    ),
                ));
            }
            UncertaintyRule::None => None,
            UncertaintyRule::Percentile(declared) => Some(figure("uncertainty_percentile", Some(declared))?),
        };
        check_range(&reversal_buffer, "reversal_buffer", 0.0, 1.0)?;
        check_range(&leakage, "leakage", 0.0, 1.0)?;
        if let Some(u) = &uncertainty_percentile {
            check_range(u, "uncertainty_percentile", f64::MIN_POSITIVE, 50.0)?;
        }
        let years = crediting_period.value / calx_core::SECONDS_PER_YEAR;
        if !(years >= 1.0 - 1e-9 && (years - years.round()).abs() <= 1e-9 * years) {
            return Err(UnitError::param(
                "figures",
                format!("`crediting_period` must be a whole number of years, at least 1 yr; found {years} yr"),
            ));
        }
        let natural_carbonation = natural_carbonation(p, &profile)?;
        Ok(CarbonConfig {
            lca: p.text_opt("lca")?.map(|s| s.trim().to_string()),
            origins: origins(p)?,
            storage,
            reversal_buffer,
            crediting_period,
            leakage,
            uncertainty_percentile,
            natural_carbonation,
            profile,
        })
    }

    /// Whole years of the crediting period.
    pub fn crediting_years(&self) -> f64 {
        (self.crediting_period.value / calx_core::SECONDS_PER_YEAR).round()
    }
}

/// `figures:` as written: name -> (value text, source).
fn given_figures(p: &Params) -> Result<BTreeMap<String, (String, String)>, UnitError> {
    let mut out = BTreeMap::new();
    for (name, text) in p.text_map("figures")? {
        if !FLOWSHEET_FIGURES.contains(&name) {
            return Err(UnitError::param(
                "figures",
                format!("`{name}` is not a ledger figure (figures: {})", FLOWSHEET_FIGURES.join(", ")),
            ));
        }
        let Some((value, source)) = text.split_once(';').and_then(|(v, rest)| {
            let source = rest.trim().strip_prefix("source:")?.trim();
            (!source.is_empty()).then(|| (v.trim().to_string(), source.to_string()))
        }) else {
            return Err(UnitError::param(
                "figures",
                format!("`{name}`: {text:?}: write `VALUE; source: WHERE IT COMES FROM`, e.g. `10 yr; source: ...`"),
            ));
        };
        out.insert(name.to_string(), (value, source));
    }
    Ok(out)
}

/// The figure `name`: the flowsheet's value if it gives one, else the profile's; a figure the
/// profile leaves to the user and the flowsheet does not give is an error naming both places.
fn resolve(
    profile: &Profile,
    given: &BTreeMap<String, (String, String)>,
    name: &str,
    declared: Option<&Declared>,
) -> Result<FigureInUse, UnitError> {
    if let Some((text, source)) = given.get(name) {
        if name == "uncertainty_percentile" && text.contains('%') {
            return Err(UnitError::param(
                "figures",
                format!("`uncertainty_percentile`: {text:?}: write the percentile as a number, `5` for P5"),
            ));
        }
        let dimension = dimension_of(name);
        let value = UnitTable::shared().parse_as(text, dimension).map_err(|e| {
            UnitError::param("figures", format!("`{name}`: {text:?} is not a {} ({e})", dimension.describe()))
        })?;
        return Ok(FigureInUse { value, source: source.clone(), given_by: "flowsheet" });
    }
    match declared.map(|d| (&d.figure, d.loc)) {
        Some((Figure::Given { value, source }, _)) => {
            Ok(FigureInUse { value: *value, source: source.clone(), given_by: "profile" })
        }
        Some((Figure::FromUser { why }, loc)) => Err(UnitError::param(
            "figures",
            format!(
                "profile `{}` ({}:{}:{}) has no number for `{name}`: {why}; give it as `figures: {{ {name}: \"VALUE; source: ...\" }}`",
                profile.name, profile.file, loc.line, loc.column
            ),
        )),
        None => Err(UnitError::param(
            "figures",
            format!(
                "profile `{}` ({}:{}:{}) does not declare `{name}`; give it as `figures: {{ {name}: \"VALUE; source: ...\" }}`",
                profile.name, profile.file, profile.figures_at.line, profile.figures_at.column
            ),
        )),
    }
}

fn dimension_of(name: &str) -> Dimension {
    FIGURES.iter().find(|f| f.0 == name).map_or(Dimension::DIMENSIONLESS, |f| f.1)
}

fn check_range(f: &FigureInUse, name: &str, low: f64, high: f64) -> Result<(), UnitError> {
    if f.value.is_finite() && f.value >= low && f.value <= high {
        return Ok(());
    }
    Err(UnitError::param("figures", format!("`{name}` is {}, outside {low} .. {high}", f.value)))
}

fn origins(p: &Params) -> Result<BTreeMap<String, Origin>, UnitError> {
    let mut out = BTreeMap::new();
    for (stream, word) in p.text_map("co2_origin")? {
        let origin = Origin::from_word(word.trim()).ok_or_else(|| {
            UnitError::param("co2_origin", format!("`{stream}`: {word:?} is not fossil, biogenic or atmospheric"))
        })?;
        out.insert(stream.to_string(), origin);
    }
    Ok(out)
}

fn natural_carbonation(p: &Params, profile: &Profile) -> Result<Option<NaturalCarbonation>, UnitError> {
    let stream = p.text_opt("natural_carbonation_stream")?;
    let uptake = p.number_opt("natural_carbonation_uptake")?;
    let horizon = p.number_opt("natural_carbonation_horizon")?;
    let source = p.text_opt("natural_carbonation_source")?;
    match (stream, uptake, horizon, source) {
        (None, None, None, None) if !profile.natural_carbonation_required => Ok(None),
        (Some(_), Some(uptake), _, _) if !(uptake.is_finite() && uptake >= 0.0) => Err(UnitError::param(
            "natural_carbonation_uptake",
            format!("{uptake} kg/kg: CO2 the material would take up cannot be negative"),
        )),
        (Some(_), _, Some(horizon), _) if !(horizon.is_finite() && horizon > 0.0) => Err(UnitError::param(
            "natural_carbonation_horizon",
            "must be a positive time (the period over which the material would take the CO2 up)",
        )),
        (Some(stream), Some(uptake), Some(horizon), Some(source)) if !source.trim().is_empty() => {
            Ok(Some(NaturalCarbonation {
                stream: stream.trim().to_string(),
                uptake,
                horizon,
                source: source.trim().to_string(),
            }))
        }
        _ => Err(UnitError::param(
            "natural_carbonation_stream",
            format!(
                "{}give all four of natural_carbonation_stream, natural_carbonation_uptake, natural_carbonation_horizon and natural_carbonation_source (an uptake of `0 kg/t` is a declaration too, with its source)",
                if profile.natural_carbonation_required {
                    format!(
                        "profile `{}` requires a natural-carbonation baseline ({}); ",
                        profile.name, profile.baseline_rule
                    )
                } else {
                    String::new()
                }
            ),
        )),
    }
}
