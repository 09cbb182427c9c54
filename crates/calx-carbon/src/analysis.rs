//! The ledger as a Calx analysis: the `analyses: carbon:` block's parameter schema, the
//! profiles it may name, and the analysis's entry points (figures, report, and the report
//! again with a study's samples for the uncertainty deduction).

use std::collections::BTreeMap;
use std::sync::Arc;

use calx_core::result::FlowsheetResult;
use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, Dimension, Metric, MetricWriter,
    ParamKind, ParamSpec, Params, StudySamples, UnitError,
};

use crate::config::CarbonConfig;
use crate::ledger::{self, Ledger};
use crate::profile::Profile;
use crate::uncertainty::{self, Uncertainty};

/// The `carbon` analysis type, with the profiles flowsheets may name.
pub struct CarbonAnalysisType {
    profiles: BTreeMap<String, Arc<Profile>>,
}

impl CarbonAnalysisType {
    /// The type with these profiles (by the name flowsheets use: a shipped profile's name,
    /// or a profile file's path as written).
    pub fn new(profiles: BTreeMap<String, Arc<Profile>>) -> CarbonAnalysisType {
        CarbonAnalysisType { profiles }
    }

    /// The profiles it knows.
    pub fn profiles(&self) -> &BTreeMap<String, Arc<Profile>> {
        &self.profiles
    }
}

/// A configured ledger.
struct CarbonAnalysis {
    name: String,
    config: CarbonConfig,
    /// Its number as a writer of metric layouts ([`calx_core::LayoutKey`]).
    writer: u64,
}

fn text(name: &str, doc: &str) -> ParamSpec {
    ParamSpec::optional(name, ParamKind::Text, doc)
}

impl AnalysisType for CarbonAnalysisType {
    fn descriptor(&self) -> AnalysisDescriptor {
        let names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
        AnalysisDescriptor {
            type_name: "carbon".into(),
            summary: "Carbon-credit ledger: CO2 fixed by origin, project and baseline emissions, leakage, reversal buffer, reductions split from removals under a methodology profile, vintages and the uncertainty deduction of a study.".into(),
            params: vec![
                ParamSpec::required("profile", ParamKind::Text, &format!("Methodology profile: a shipped one ({}) or a profile file (`.yaml`, relative to the flowsheet)", names.join(", "))),
                ParamSpec::required("storage", ParamKind::Text, "Where the carbonate goes: a storage class of the profile (e.g. `mine_backfill`, `construction_material`)"),
                ParamSpec::optional("co2_origin", ParamKind::map(ParamKind::choice(&["fossil", "biogenic", "atmospheric"])), "Feed stream -> origin of its CO2; every feed that carries CO2 needs one"),
                text("lca", "The LCA whose emissions, CO2 fixed and avoided burdens the ledger reads (default: the only one, or the one named `lca`)"),
                text("natural_carbonation_stream", "Baseline: the feed stream of untreated material that would carbonate naturally (e.g. ash landfilled)"),
                ParamSpec::optional("natural_carbonation_uptake", ParamKind::quantity(Dimension::DIMENSIONLESS, "kg/t"), "Baseline: CO2 that material would take up over the horizon, per mass of material (e.g. `12 kg/t`; `0 kg/t` is a declaration too)"),
                ParamSpec::optional("natural_carbonation_horizon", ParamKind::quantity(Dimension::TIME, "yr"), "Baseline: the time horizon of that uptake"),
                text("natural_carbonation_source", "Baseline: where the uptake figure comes from"),
                ParamSpec::optional("figures", ParamKind::map(ParamKind::Text), "Figure -> `VALUE; source: TEXT` for figures the profile leaves to the user or that the flowsheet overrides: crediting_period, leakage, reversal_buffer, uncertainty_percentile"),
            ],
            reads: vec!["lca".into()],
            when_absent: Some("No carbon-credit ledger: the flowsheet has no `carbon` analysis.".into()),
        }
    }

    fn create(&self, name: &str, p: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let written = p.text_opt("profile")?.unwrap_or_default().trim();
        let Some(profile) = self.profiles.get(written) else {
            let names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            return Err(UnitError::param(
                "profile",
                format!(
                    "no profile `{written}` (shipped: {}; or give a profile file ending in .yaml)",
                    names.join(", ")
                ),
            ));
        };
        Ok(Box::new(CarbonAnalysis {
            name: name.to_string(),
            config: CarbonConfig::new(p, profile.clone())?,
            writer: calx_core::LayoutKey::new_writer(),
        }))
    }
}

impl Analysis for CarbonAnalysis {
    fn figures(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        let l = ledger::figures(flowsheet, earlier, &self.config)?;
        Ok(metrics(&l, None))
    }

    fn figures_into(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        let l = ledger::figures(flowsheet, earlier, &self.config)?;
        metrics_into(&l, None, &mut MetricWriter::new(out));
        Ok(())
    }

    /// Without an uncertainty deduction the ledger's metrics are always the same names and
    /// units: one layout.
    fn figures_laid_out(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
        layout: &mut calx_core::MetricLayout,
    ) -> Result<(), AnalysisError> {
        let l = ledger::figures(flowsheet, earlier, &self.config)?;
        let mut w = MetricWriter::laid_out(out, layout);
        w.layout(calx_core::LayoutKey::new(self.writer, 0));
        metrics_into(&l, None, &mut w);
        w.finish();
        Ok(())
    }

    fn report(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        let l = ledger::with_notes(ledger::compute(flowsheet, earlier, &self.config)?, &self.config);
        self.output(&l, None)
    }

    fn with_study(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        study: &StudySamples,
    ) -> Result<Option<AnalysisOutput>, AnalysisError> {
        let Some(credited) = study.metric("credited_per_year") else { return Ok(None) };
        let l = ledger::with_notes(ledger::compute(flowsheet, earlier, &self.config)?, &self.config);
        let u = uncertainty::deduct(
            l.credited / 1000.0,
            credited,
            study.failed,
            self.config.uncertainty_percentile.as_ref(),
        )
        .map_err(AnalysisError::failed)?;
        self.output(&l, Some(&u)).map(Some)
    }
}

impl CarbonAnalysis {
    fn output(&self, l: &Ledger, u: Option<&Uncertainty>) -> Result<AnalysisOutput, AnalysisError> {
        let json = crate::report::json(&self.config, l, u).map_err(AnalysisError::failed)?;
        Ok(AnalysisOutput {
            name: self.name.clone(),
            type_name: "carbon".into(),
            metrics: metrics(l, u),
            text: crate::report::text(&self.config, l, u),
            csv: vec![calx_core::CsvTable::main(crate::report::csv(&self.config, l))],
            json,
            report: Some(crate::report::part(&self.name, &self.config, l, u)),
        })
    }
}

/// The metrics, in a fixed order: per year in t CO2-eq/yr, per functional unit in
/// kg CO2-eq/FU; with a study, the deduction and what is credited after it.
fn metrics(l: &Ledger, u: Option<&Uncertainty>) -> Vec<Metric> {
    let mut out = Vec::with_capacity(15);
    metrics_into(l, u, &mut MetricWriter::new(&mut out));
    out
}

/// [`metrics`] written over a list in place (a study's samples).
fn metrics_into(l: &Ledger, u: Option<&Uncertainty>, w: &mut MetricWriter<'_>) {
    const YEAR: &str = "t CO2-eq/yr";
    const FU: &str = "kg CO2-eq/FU";
    for (name, kg) in [
        ("gross_fixed_per_year", l.gross_fixed),
        ("project_emissions_per_year", l.project_emissions),
        ("baseline_emissions_per_year", l.baseline_emissions),
        ("baseline_uptake_per_year", l.baseline_uptake),
        ("leakage_per_year", l.leakage),
        ("reductions_per_year", l.reductions_net),
        ("removals_per_year", l.removals_net),
        ("not_credited_per_year", l.not_credited),
        ("buffer_per_year", l.buffer),
        ("credited_per_year", l.credited),
    ] {
        w.put(name, kg / 1000.0, YEAR);
    }
    w.put("gross_fixed_per_functional_unit", l.gross_fixed / l.fu_per_year, FU);
    w.put("credited_per_functional_unit", l.credited / l.fu_per_year, FU);
    w.put("crediting_period", l.crediting_years, "yr");
    if let Some(u) = u {
        w.put("uncertainty_deduction_per_year", u.deduction, YEAR);
        w.put("credited_after_uncertainty_per_year", u.credited, YEAR);
    }
}
