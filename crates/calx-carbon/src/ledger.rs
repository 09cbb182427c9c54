//! The ledger's arithmetic: from the converged flowsheet and the LCA's figures to credited
//! tonnes, every step kept so that the report can show it.
//!
//! # Conventions (docs/carbon-credits.md states them for users)
//!
//! * **Gross CO2 fixed** is the LCA's `co2_fixed_per_year`: the carbon balance of solids
//!   (carbon in solid products minus carbon in solid feeds), so both analyses count one figure.
//! * **By origin**: every feed stream that carries the component `CO2` has an origin; CO2
//!   fixed is shared between origins in proportion to the CO2 each feeds (the gas is taken as
//!   mixed before it reaches the carbonate).
//! * **Reductions and removals**: the profile says what CO2 of each origin counts as; a kind
//!   of credit the programme does not issue, or a storage class it does not accept, is not
//!   credited (and said so).
//! * **Deductions**: project emissions (the LCA's `emissions_per_year`), the natural
//!   carbonation baseline and leakage are shared between the kinds of credit issued in
//!   proportion to their gross CO2 fixed (all of it on the only kind issued); displaced
//!   products (the LCA's `avoided_per_year`) are baseline emissions, added to reductions when
//!   the programme issues reductions and the storage class is eligible (else not credited).
//!   A kind the programme does not issue has no net: its line is zero.
//! * **Credited**: a kind's net, floored at zero, after any deficit of the other kind issued;
//!   then the reversal buffer (a share of everything credited) is set aside.
//! * **Per year** is over the flowsheet's rates for 365 days, like the LCA; per functional
//!   unit divides by the LCA's functional units per year.

use calx_core::SECONDS_PER_YEAR;
use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::{AnalysisError, AnalysisOutput};
use serde::Serialize;

use crate::config::CarbonConfig;
use crate::profile::{CountsAs, Origin};

/// CO2 fixed from one origin.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OriginLine {
    /// The origin.
    pub origin: Origin,
    /// Feed streams of this origin.
    pub streams: Vec<String>,
    /// CO2 fed, kg/yr.
    pub fed: f64,
    /// CO2 fixed, kg/yr.
    pub fixed: f64,
    /// What it counts as under the profile, for this project (storage and programme applied).
    pub counts_as: CountsAs,
    /// Why.
    pub reason: String,
}

/// One ledger, in kg CO2(-eq) per year unless named otherwise.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ledger {
    /// The LCA read.
    pub lca: String,
    /// Functional units per year.
    pub fu_per_year: f64,
    /// Gross CO2 fixed.
    pub gross_fixed: f64,
    /// By origin, in [`Origin::ALL`] order (origins with no CO2 fed are left out).
    pub origins: Vec<OriginLine>,
    /// Gross CO2 fixed counting as reductions.
    pub reductions_gross: f64,
    /// Gross CO2 fixed counting as removals.
    pub removals_gross: f64,
    /// Gross CO2 fixed that is not credited.
    pub not_credited: f64,
    /// Project emissions (the LCA's).
    pub project_emissions: f64,
    /// Baseline emissions avoided: displaced products (the LCA's avoided burdens).
    pub baseline_emissions: f64,
    /// The part of them credited as reductions (all, or none where reductions are not issued
    /// or the storage class is not eligible).
    pub baseline_emissions_credited: f64,
    /// Baseline uptake: natural carbonation of the untreated material.
    pub baseline_uptake: f64,
    /// Leakage.
    pub leakage: f64,
    /// Share of the deductions carried by reductions (the rest by removals).
    pub reduction_share: f64,
    /// Net reductions.
    pub reductions_net: f64,
    /// Net removals.
    pub removals_net: f64,
    /// Reductions credited, before the buffer.
    pub reductions_credited: f64,
    /// Removals credited, before the buffer.
    pub removals_credited: f64,
    /// Set aside against reversal.
    pub buffer: f64,
    /// Credited per year.
    pub credited: f64,
    /// Crediting period, whole years.
    pub crediting_years: f64,
    /// What the ledger had to decide, in words (written for reports by [`with_notes`]; the
    /// figures a study asks for every sample need none).
    pub notes: Vec<String>,
}

/// Ledger failures beyond a parameter.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The LCA reports a figure in a unit the ledger does not know.
    #[error(
        "LCA `{lca}` reports `{metric}` in `{unit}`, not kg or t of CO2(-eq) per year or per functional unit (the ledger needs a GWP method)"
    )]
    Unit {
        /// The LCA.
        lca: String,
        /// The metric.
        metric: String,
        /// Its unit.
        unit: String,
    },
}

/// The ledger of `f` under `c`, reading the LCA among `earlier`.
pub fn compute(f: &FlowsheetResult, earlier: &[AnalysisOutput], c: &CarbonConfig) -> Result<Ledger, AnalysisError> {
    let mut l = figures(f, earlier, c)?;
    l.lca = find_lca(earlier, c.lca.as_deref())?.name.clone();
    l.origins = origin_lines(f, c, l.gross_fixed)?;
    Ok(l)
}

/// The ledger's numbers without its words: no origin lines, no LCA name (what a study's
/// metrics need, with no allocation). Every number is [`compute`]'s, the same bits.
pub fn figures(f: &FlowsheetResult, earlier: &[AnalysisOutput], c: &CarbonConfig) -> Result<Ledger, AnalysisError> {
    let lca = find_lca(earlier, c.lca.as_deref())?;
    let gross_fixed = lca_figure(lca, "co2_fixed_per_year")?;
    let fu_per_year = functional_units_per_year(lca)?;
    // Per kind, the origin lines' `fixed` summed in line order, as `.sum()` over the lines.
    let mut sums = [std::iter::empty::<f64>().sum::<f64>(); 3];
    let slot = |kind: CountsAs| match kind {
        CountsAs::Reduction => 0,
        CountsAs::Removal => 1,
        CountsAs::NotCredited => 2,
    };
    each_origin(f, c, gross_fixed, |origin, _, fixed| sums[slot(kind_of(c, origin))] += fixed)?;
    let [reductions_gross, removals_gross, not_credited] = sums.map(|x| x + 0.0);
    let project_emissions = lca_figure(lca, "emissions_per_year")?;
    let baseline_emissions = lca_figure(lca, "avoided_per_year")?;
    let baseline_uptake = natural_uptake(f, c)?;
    let leakage = c.leakage.value * gross_fixed;
    let issues = |k: CountsAs| c.profile.issues.contains(&k);
    let eligible = c.profile.storage[&c.storage].eligible;
    let baseline_emissions_credited = if eligible && issues(CountsAs::Reduction) { baseline_emissions } else { 0.0 };
    let reduction_share = match (issues(CountsAs::Reduction), issues(CountsAs::Removal)) {
        (true, true) if reductions_gross + removals_gross > 0.0 => {
            reductions_gross / (reductions_gross + removals_gross)
        }
        (true, true) | (true, false) => 1.0,
        (false, _) => 0.0,
    };
    let deductions = project_emissions + baseline_uptake + leakage;
    let reductions_net = if issues(CountsAs::Reduction) {
        reductions_gross + baseline_emissions_credited - deductions * reduction_share
    } else {
        0.0
    };
    let removals_net =
        if issues(CountsAs::Removal) { removals_gross - deductions * (1.0 - reduction_share) } else { 0.0 };
    let (reductions_credited, removals_credited) = credited_split(
        if issues(CountsAs::Reduction) { Some(reductions_net) } else { None },
        if issues(CountsAs::Removal) { Some(removals_net) } else { None },
    );
    let buffer = c.reversal_buffer.value * (reductions_credited + removals_credited);
    let credited = reductions_credited + removals_credited - buffer;
    Ok(Ledger {
        lca: String::new(),
        fu_per_year,
        gross_fixed,
        origins: Vec::new(),
        reductions_gross,
        removals_gross,
        not_credited,
        project_emissions,
        baseline_emissions,
        baseline_emissions_credited,
        baseline_uptake,
        leakage,
        reduction_share,
        reductions_net,
        removals_net,
        reductions_credited,
        removals_credited,
        buffer,
        credited,
        crediting_years: c.crediting_years(),
        notes: Vec::new(),
    })
}

/// Credited reductions and removals from their nets (`None`: not issued): each floored at
/// zero, after taking the other's deficit, so that the credits never exceed the net.
fn credited_split(reductions: Option<f64>, removals: Option<f64>) -> (f64, f64) {
    let (d, r) = (reductions.unwrap_or(0.0), removals.unwrap_or(0.0));
    if d + r <= 0.0 {
        return (0.0, 0.0);
    }
    // One may be negative (deductions larger than its gross): the other carries its deficit.
    (if r < 0.0 { d + r } else { d.max(0.0) }, if d < 0.0 { r + d } else { r.max(0.0) })
}

fn find_lca<'a>(earlier: &'a [AnalysisOutput], name: Option<&str>) -> Result<&'a AnalysisOutput, AnalysisError> {
    AnalysisOutput::earlier(earlier, "lca", name).map_err(|names| {
        AnalysisError::parameter(
            "lca",
            format!(
                "the ledger reads an LCA's emissions and CO2 fixed, and {} (LCA analyses that ran: {}); add an `lca` analysis or name one",
                name.map_or_else(|| "none could be chosen".to_string(), |n| format!("`{n}` did not run")),
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
        )
    })
}

/// A per-year figure of the LCA, kg/yr.
fn lca_figure(lca: &AnalysisOutput, metric: &str) -> Result<f64, AnalysisError> {
    let m = lca
        .metrics
        .iter()
        .find(|m| calx_core::text::same(&m.name, metric))
        .ok_or_else(|| AnalysisError::Missing(format!("LCA `{}` reports no `{metric}`", lca.name)))?;
    Ok(m.value * kg_per_unit(lca, metric, &m.unit)?)
}

/// Kilograms per unit of a CO2 figure of the LCA: `kg CO2...` or `t CO2...` (the ledger
/// counts CO2 and CO2-eq, never another impact category).
fn kg_per_unit(lca: &AnalysisOutput, metric: &str, unit: &str) -> Result<f64, AnalysisError> {
    let unit_error = || {
        AnalysisError::failed(LedgerError::Unit {
            lca: lca.name.clone(),
            metric: metric.into(),
            unit: unit.to_string(),
        })
    };
    // `unit.contains("CO2")`, without a substring searcher for a text this short.
    if !unit.as_bytes().windows(3).any(|w| w == b"CO2") {
        return Err(unit_error());
    }
    match unit.split_whitespace().next() {
        Some("kg") => Ok(1.0),
        Some("t") => Ok(1000.0),
        _ => Err(unit_error()),
    }
}

/// Functional units per year: the ratio of a per-year figure of the LCA to its per-FU value
/// (the first that is not zero, both in kg); one when every figure is zero (then every ledger
/// line is zero).
fn functional_units_per_year(lca: &AnalysisOutput) -> Result<f64, AnalysisError> {
    for (year, fu) in [
        ("co2_fixed_per_year", "co2_fixed_per_functional_unit"),
        ("emissions_per_year", "emissions_per_functional_unit"),
        ("avoided_per_year", "avoided_per_functional_unit"),
    ] {
        let per_fu = lca.metrics.iter().find(|m| calx_core::text::same(&m.name, fu));
        if let Some(m) = per_fu.filter(|m| m.value != 0.0) {
            return Ok(lca_figure(lca, year)? / (m.value * kg_per_unit(lca, fu, &m.unit)?));
        }
    }
    Ok(1.0)
}

fn origin_lines(f: &FlowsheetResult, c: &CarbonConfig, gross_fixed: f64) -> Result<Vec<OriginLine>, AnalysisError> {
    let mut lines = Vec::new();
    each_origin(f, c, gross_fixed, |origin, fed, fixed| {
        let (counts_as, reason) = counts_as(c, origin);
        let streams = co2_carriers(f).filter(|(s, _)| c.origins.get(*s) == Some(&origin)).map(|m| m.0.to_string());
        lines.push(OriginLine { origin, streams: streams.collect(), fed, fixed, counts_as, reason });
    })?;
    Ok(lines)
}

/// Feed streams that carry CO2, with the CO2 each feeds per year (kg).
fn co2_carriers(f: &FlowsheetResult) -> impl Iterator<Item = (&str, f64)> + Clone {
    let i = f.components.index_of("CO2");
    f.streams.iter().filter_map(move |s| {
        let i = i?;
        (s.role == StreamRole::Feed && s.stream.flows[i] > 0.0)
            .then(|| (s.name.as_str(), s.stream.flows[i] * SECONDS_PER_YEAR))
    })
}

/// Every origin that feeds CO2, in [`Origin::ALL`] order, with the CO2 it feeds and its share
/// of the CO2 fixed (kg/yr), without a list; the errors of a configuration that does not fit
/// the flowsheet.
fn each_origin(
    f: &FlowsheetResult,
    c: &CarbonConfig,
    gross_fixed: f64,
    mut visit: impl FnMut(Origin, f64, f64),
) -> Result<(), AnalysisError> {
    if let Some(s) = c.origins.keys().find(|s| f.stream(s).is_none_or(|r| r.role != StreamRole::Feed)) {
        let feeds: Vec<&str> =
            f.streams.iter().filter(|s| s.role == StreamRole::Feed).map(|s| s.name.as_str()).collect();
        return Err(AnalysisError::parameter(
            "co2_origin",
            format!("`{s}` is not a feed stream of the flowsheet (feeds: {})", feeds.join(", ")),
        ));
    }
    let no_co2_fed = || {
        AnalysisError::Missing(
            "CO2 is fixed but no feed stream carries the component `CO2`, so its origin cannot be told".into(),
        )
    };
    if f.components.index_of("CO2").is_none() {
        return if gross_fixed > 0.0 { Err(no_co2_fed()) } else { Ok(()) };
    }
    let carriers = co2_carriers(f);
    if carriers.clone().any(|(s, _)| !c.origins.contains_key(s)) {
        let untagged: Vec<&str> = carriers.map(|c| c.0).filter(|s| !c.origins.contains_key(*s)).collect();
        return Err(AnalysisError::parameter(
            "co2_origin",
            format!(
                "feed streams {} carry CO2 but have no origin: tag each as fossil, biogenic or atmospheric (e.g. `co2_origin: {{ {}: fossil }}`)",
                untagged.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
                untagged[0]
            ),
        ));
    }
    let fed_total: f64 = carriers.clone().map(|c| c.1).sum();
    if gross_fixed > 0.0 && fed_total <= 0.0 {
        return Err(no_co2_fed());
    }
    for origin in Origin::ALL {
        let mut mine = carriers.clone().filter(|(s, _)| c.origins.get(*s) == Some(&origin)).peekable();
        if mine.peek().is_none() {
            continue;
        }
        let fed: f64 = mine.map(|m| m.1).sum();
        visit(origin, fed, gross_fixed * fed / fed_total);
    }
    Ok(())
}

/// What CO2 of `origin` counts as for this project, and why.
fn counts_as(c: &CarbonConfig, origin: Origin) -> (CountsAs, String) {
    let p = &c.profile;
    let rule = &p.origins[&origin];
    let class = &p.storage[&c.storage];
    let kind = kind_of(c, origin);
    let reason = if !class.eligible {
        format!("storage `{}` is not eligible: {}", c.storage, class.rule)
    } else if kind != rule.counts_as {
        format!(
            "{} CO2 would be a {}, but `{}` issues no such credits: {}",
            origin.word(),
            rule.counts_as.word(),
            p.name,
            rule.rule
        )
    } else {
        rule.rule.clone()
    };
    (kind, reason)
}

/// What CO2 of `origin` counts as ([`counts_as`] without the reason): not credited from a
/// storage that is not eligible, or as a kind of credit the profile does not issue.
fn kind_of(c: &CarbonConfig, origin: Origin) -> CountsAs {
    let p = &c.profile;
    let rule = &p.origins[&origin];
    let issued = rule.counts_as == CountsAs::NotCredited || p.issues.contains(&rule.counts_as);
    if p.storage[&c.storage].eligible && issued { rule.counts_as } else { CountsAs::NotCredited }
}

/// CO2 the untreated material would have taken up anyway, kg/yr.
fn natural_uptake(f: &FlowsheetResult, c: &CarbonConfig) -> Result<f64, AnalysisError> {
    let Some(n) = &c.natural_carbonation else { return Ok(0.0) };
    match f.stream(&n.stream) {
        Some(s) if s.role == StreamRole::Feed => Ok(s.stream.total_mass() * SECONDS_PER_YEAR * n.uptake),
        _ => Err(AnalysisError::parameter(
            "natural_carbonation_stream",
            format!("`{}` is not a feed stream of the flowsheet", n.stream),
        )),
    }
}

/// The ledger with its notes, for reports.
pub fn with_notes(mut l: Ledger, c: &CarbonConfig) -> Ledger {
    l.notes = notes(&l, c);
    l
}

fn notes(l: &Ledger, c: &CarbonConfig) -> Vec<String> {
    let mut notes = Vec::new();
    let p = &c.profile;
    if !p.storage[&c.storage].eligible {
        notes.push(format!("no credits: storage `{}` is not eligible under `{}`", c.storage, p.name));
    } else if l.reductions_credited + l.removals_credited == 0.0 && l.gross_fixed + l.baseline_emissions > 0.0 {
        notes.push("no credits: the deductions are at least as large as what the project would be credited for".into());
    }
    if l.not_credited > 0.0 {
        notes.push(format!(
            "{} t CO2/yr fixed is not credited under `{}` (see the origins table)",
            l.not_credited / 1000.0,
            p.name
        ));
    }
    if l.baseline_emissions > l.baseline_emissions_credited {
        notes.push(format!(
            "displaced products avoid {} t CO2-eq/yr, not credited: {}",
            l.baseline_emissions / 1000.0,
            if p.issues.contains(&CountsAs::Reduction) {
                "the storage class is not eligible"
            } else {
                "the programme issues no reductions"
            }
        ));
    }
    if c.natural_carbonation.is_none() {
        notes.push(format!("no natural-carbonation baseline declared (`{}` does not require one)", p.name));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::credited_split;

    #[test]
    fn credits_never_exceed_the_net_and_a_deficit_is_carried_by_the_other_kind() {
        assert_eq!(credited_split(Some(10.0), Some(5.0)), (10.0, 5.0));
        assert_eq!(credited_split(Some(-4.0), Some(5.0)), (0.0, 1.0));
        assert_eq!(credited_split(Some(10.0), Some(-3.0)), (7.0, 0.0));
        assert_eq!(credited_split(Some(-4.0), Some(3.0)), (0.0, 0.0));
        // A kind not issued contributes nothing, neither credit nor deficit.
        assert_eq!(credited_split(None, Some(5.0)), (0.0, 5.0));
        assert_eq!(credited_split(Some(2.0), None), (2.0, 0.0));
        assert_eq!(credited_split(None, None), (0.0, 0.0));
    }
}
