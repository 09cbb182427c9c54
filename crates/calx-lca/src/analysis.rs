//! LCA as a Calx analysis: the `analyses: lca:` block of a flowsheet, decoded against the
//! parameter schema below and turned into an [`LcaConfig`] over the built-in background data.
//!
//! ```yaml
//! analyses:
//!   lca:
//!     functional_unit: 1 t of product          # or "1 t of CO2 fixed"
//!     method: GWP100 (IPCC AR6)
//!     utilities: { electricity: electricity_kr_2014_16, cooling: "excluded: cooling water in a closed loop" }
//!     streams: { raw_ash: "excluded: waste from the power plant, free of burden" }
//!     factors: { electricity_kr_paper_implied: 0.3795 kgCO2eq/kWh }
//!     sources: { electricity_kr_paper_implied: "KIGAM 2022: 30.9 / 81.42" }
//! ```
//! A mapping value is a background process (or, under `emissions`, an elementary flow) by
//! name, or `excluded: REASON`. Factor overrides need a source.

use std::collections::BTreeMap;

use calx_core::result::FlowsheetResult;
use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, Dimension, Metric, MetricLayout,
    MetricWriter, ParamKind, ParamSpec, ParamValue, Params, UnitError, UnitTable, Utility,
};

use crate::assess::Assessment;
use crate::background::Background;
use crate::config::{AvoidedBurden, FactorOverride, FunctionalUnit, LcaConfig, Mapping};
use crate::database::Database;
use crate::error::{LcaError, Refusal};
use crate::plan::Plan;
use crate::result::LcaFigures;

/// The `lca` analysis type, with the user background files it may use (`background:`): read
/// by the caller (the façade reads them beside the flowsheet; this crate does no I/O), keyed
/// by the name as written.
#[derive(Clone, Debug, Default)]
pub struct LcaAnalysisType {
    files: BTreeMap<String, BackgroundFile>,
}

/// A user background file as read by the caller.
#[derive(Clone, Debug)]
struct BackgroundFile {
    /// Its path as shown in messages and listings.
    shown: String,
    text: String,
}

impl LcaAnalysisType {
    /// The type with the background files `files` (name as written under `background:`, path
    /// shown in messages, text).
    pub fn with_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> LcaAnalysisType {
        let files = files
            .into_iter()
            .map(|(written, shown, text)| {
                (written.to_string(), BackgroundFile { shown: shown.to_string(), text: text.to_string() })
            })
            .collect();
        LcaAnalysisType { files }
    }

    /// The database an `lca` block with these `background:` files and inline `records:` uses:
    /// the shipped data, then each file in order, then the records (one per line, origin
    /// `flowsheet`). The error says which file or record and where.
    pub fn database(&self, background: &[&str], records: &[&str]) -> Result<Database, UnitError> {
        let mut db = Database::builtin();
        for written in background {
            let Some(file) = self.files.get(*written) else {
                return Err(UnitError::param(
                    "background",
                    format!("the background file `{written}` was not read (load the flowsheet with calx::Project)"),
                ));
            };
            db.extend_from_file(&file.text, &file.shown)
                .map_err(|e| UnitError::param("background", format!("{}: {e}", file.shown)))?;
        }
        if let Some(i) = records.iter().position(|r| r.contains('\n')) {
            return Err(UnitError::param("records", format!("record {}: write one record per item", i + 1)));
        }
        if !records.is_empty() {
            db.extend_from(&records.join("\n"), "flowsheet").map_err(|e| match e {
                LcaError::Data { line, message, .. } => {
                    UnitError::param("records", format!("record {line}: {message}"))
                }
                other => UnitError::param("records", other.to_string()),
            })?;
        }
        Ok(db)
    }
}

impl LcaAnalysisType {
    /// The background an `lca` block with the checked parameters `p` assesses against (its
    /// database with the user data, the configuration, factor overrides applied), for an
    /// export of its assessment ([`crate::export`]).
    pub fn background(&self, p: &Params) -> Result<Background, UnitError> {
        Ok(self.prepare(p)?.1)
    }

    /// The database with the user data, and the background compiled from it.
    fn prepare(&self, p: &Params) -> Result<(Database, Background), UnitError> {
        let database = self.database(&p.text_list("background")?, &p.text_list("records")?)?;
        let config = config(p, &database)?;
        let background =
            Background::new(database.clone(), config).map_err(|e| UnitError::param("factors", e.to_string()))?;
        Ok((database, background))
    }
}

/// A configured LCA.
struct LcaAnalysis {
    name: String,
    /// The shipped data with the user's background files and records: what factor
    /// overrides apply to.
    database: Database,
    /// The configuration with its compiled background.
    background: Background,
    /// The factor overrides as created, which `reset_number` restores.
    created: Vec<FactorOverride>,
    /// `sources:` as given (process, source): a factor set in place that the flowsheet does
    /// not replace takes its source from here, as `create` would.
    sources: Vec<(String, String)>,
    /// Unit expressions of the factors set in place, parsed once (a study sets the same
    /// factors in the same unit for every sample).
    units: calx_core::ParsedUnits,
}

fn text_map(doc: &str, name: &str) -> ParamSpec {
    ParamSpec::optional(name, ParamKind::map(ParamKind::Text), doc)
}

impl AnalysisType for LcaAnalysisType {
    fn descriptor(&self) -> AnalysisDescriptor {
        AnalysisDescriptor {
            type_name: "lca".into(),
            summary: "Cradle-to-gate life-cycle assessment per functional unit (matrix method), with contributions by unit and flow and the net CO2 reduction.".into(),
            params: vec![
                ParamSpec::with_default(
                    "functional_unit",
                    ParamKind::Text,
                    ParamValue::Text("1 t of product".into()),
                    "Functional unit: `N t of STREAM` (a product stream) or `N t of CO2 fixed`",
                    "one tonne of the stream named `product`, the reference paper's functional unit",
                ),
                ParamSpec::optional("reference_year", ParamKind::Text, "Reference year of the inventory, for reports"),
                ParamSpec::with_default(
                    "method",
                    ParamKind::Text,
                    ParamValue::Text("GWP100 (IPCC AR6)".into()),
                    "Impact category reported as the headline: a category of the background data",
                    "IPCC AR6 WG1 (2021) Table 7.15, the current GWP100 set",
                ),
                text_map("Utility -> background process, or `excluded: REASON` (electricity, heating, cooling, water)", "utilities"),
                text_map("Feed stream -> background process, or `excluded: REASON` (takes precedence over components)", "streams"),
                text_map("Component of feeds and make-up material -> background process, or `excluded: REASON`", "components"),
                text_map("Gas generated in the process -> elementary flow, or `excluded: REASON`", "emissions"),
                text_map("Process -> replacement emission factor with units, e.g. `0.3795 kgCO2eq/kWh`", "factors"),
                text_map("Process -> source of a replaced factor or an avoided burden (required for each)", "sources"),
                text_map("Product stream -> background process it displaces, kg for kg (system expansion)", "avoided"),
                ParamSpec::optional(
                    "background",
                    ParamKind::List { item: Box::new(ParamKind::Text) },
                    "Files of background data, relative to the flowsheet, read in order on top of the shipped data: the record format of docs/lca.md, or CSV tables of characterisation factors or unit processes (a name ending in `.csv`)",
                ),
                ParamSpec::optional(
                    "records",
                    ParamKind::List { item: Box::new(ParamKind::Text) },
                    "Background records written inline, one per item, in the record format of docs/lca.md (`process | NAME | 1 kWh | DESCRIPTION | SOURCE`), read after the files",
                ),
            ],
            reads: vec![],
            when_absent: Some(
                "No life-cycle assessment: the flowsheet has no `lca` analysis (docs/flowsheet-format.md, `analyses:`)."
                    .into(),
            ),
        }
    }

    fn create(&self, name: &str, p: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let (database, background) = self.prepare(p)?;
        let created = background.config.overrides.clone();
        let sources = p.text_map("sources")?.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Ok(Box::new(LcaAnalysis {
            name: name.to_string(),
            database,
            background,
            created,
            sources,
            units: calx_core::ParsedUnits::default(),
        }))
    }
}

/// The configuration of an `analyses: lca:` block, every name checked against `database`.
fn config(p: &Params, database: &Database) -> Result<LcaConfig, UnitError> {
    let fu_text = p.text_opt("functional_unit")?.unwrap_or("1 t of product");
    let mut config = LcaConfig::new(functional_unit(fu_text)?);
    if let Some(y) = p.text_opt("reference_year")? {
        config.reference_year = y.to_string();
    }
    if let Some(m) = p.text_opt("method")? {
        database.require_category(m).map_err(|e| UnitError::param("method", e.to_string()))?;
        config.characterization = m.to_string();
    }
    mappings(p, database, &mut config)?;
    let sources = p.text_map("sources")?;
    let source = |param: &str, k: &str| {
        sources
            .get(k)
            .map(|s| s.to_string())
            .ok_or_else(|| UnitError::param(param, format!("`{k}` needs a source under `sources`")))
    };
    config.overrides = overrides(p, database, &source)?;
    for (stream, proc_name) in p.text_map("avoided")? {
        process(database, "avoided", proc_name)?;
        config.avoided.push(AvoidedBurden {
            stream: stream.to_string(),
            process: proc_name.to_string(),
            amount: 1.0,
            source: source("avoided", proc_name)?,
        });
    }
    Ok(config)
}

/// A background process named under `param`.
fn process(database: &Database, param: &str, name: &str) -> Result<(), UnitError> {
    database.require_process(name, param).map(|_| ()).map_err(|e| UnitError::param(param, e.to_string()))
}

/// `utilities`, `streams`, `components` and `emissions`: where each inventory item goes.
fn mappings(p: &Params, database: &Database, config: &mut LcaConfig) -> Result<(), UnitError> {
    for (k, v) in p.text_map("utilities")? {
        let u = Utility::ALL.into_iter().find(|u| u.name() == k).ok_or_else(|| {
            UnitError::param("utilities", format!("`{k}` is not a utility (electricity, heating, cooling, water)"))
        })?;
        let m = mapping(v);
        if let Mapping::To(n) = &m {
            process(database, "utilities", n)?;
        }
        config.utilities.insert(u, m);
    }
    for (param, target) in [("streams", &mut config.streams), ("components", &mut config.components)] {
        for (k, v) in p.text_map(param)? {
            let m = mapping(v);
            if let Mapping::To(n) = &m {
                process(database, param, n)?;
            }
            target.insert(k.to_string(), m);
        }
    }
    for (k, v) in p.text_map("emissions")? {
        let m = mapping(v);
        if let Mapping::To(n) = &m {
            database.require_flow(n, "emissions").map_err(|e| UnitError::param("emissions", e.to_string()))?;
        }
        config.direct_emissions.insert(k.to_string(), m);
    }
    Ok(())
}

/// `factors`: replacement emission factors, each with its unit and a source.
fn overrides(
    p: &Params,
    database: &Database,
    source: &dyn Fn(&str, &str) -> Result<String, UnitError>,
) -> Result<Vec<FactorOverride>, UnitError> {
    let units = factor_units()?;
    let mut overrides = Vec::new();
    for (k, v) in p.text_map("factors")? {
        let i = database.require_process(k, "factors").map_err(|e| UnitError::param("factors", e.to_string()))?;
        let q = units.parse(v).map_err(|e| UnitError::param("factors", format!("{k}: {e}")))?;
        // kg CO2-eq per unit of the process's reference product (per kWh, per t, ...).
        let reference = database.processes()[i].dimension;
        if q.dimension != Dimension::MASS / reference {
            return Err(UnitError::param(
                "factors",
                format!(
                    "{k}: {v:?} is not kg CO2-eq per {} of `{k}` (write e.g. 0.4173 kgCO2eq/kWh)",
                    reference.describe()
                ),
            ));
        }
        overrides.push(FactorOverride { process: k.to_string(), value: q.value, source: source("factors", k)? });
    }
    Ok(overrides)
}

/// `excluded: REASON` or a name.
fn mapping(text: &str) -> Mapping {
    match text.trim().strip_prefix("excluded:") {
        Some(reason) => Mapping::excluded(reason.trim()),
        None => Mapping::to(text.trim()),
    }
}

/// The built-in units with the CO2-eq mass symbols factors are written in (`kgCO2eq/kWh`),
/// built once: a study creates the LCA again for every sample that changes a factor.
fn factor_units() -> Result<&'static UnitTable, UnitError> {
    static UNITS: std::sync::OnceLock<Result<UnitTable, calx_core::Error>> = std::sync::OnceLock::new();
    let built = UNITS.get_or_init(|| {
        let mut units = UnitTable::builtin();
        for (sym, f) in [("kgCO2eq", 1.0), ("tCO2eq", 1000.0), ("gCO2eq", 1e-3)] {
            units.define(sym, f, Dimension::MASS)?;
        }
        Ok(units)
    });
    built.as_ref().map_err(|e| UnitError::Calculation(e.to_string()))
}

/// `1 t of product`, `1000 kg of CO2 fixed`.
fn functional_unit(text: &str) -> Result<FunctionalUnit, UnitError> {
    let bad = || UnitError::param("functional_unit", format!("{text:?}: write `1 t of STREAM` or `1 t of CO2 fixed`"));
    let (amount, what) = text.split_once(" of ").ok_or_else(bad)?;
    let kg = UnitTable::shared()
        .parse_as(amount, Dimension::MASS)
        .map_err(|e| UnitError::param("functional_unit", e.to_string()))?;
    // `kg > 0.0` is false for NaN too, so a NaN amount is refused as well. A functional
    // unit below a gram or above a billion tonnes is a mistake of units, and at the extremes
    // it makes the figures per year overflow (found by fuzzing: 1e-320 t gave inf per year).
    if kg.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(bad());
    }
    if !(1e-3..=1e12).contains(&kg) {
        return Err(UnitError::param(
            "functional_unit",
            format!("{text:?}: the amount must be between 1 g and 1e9 t, found {kg:e} kg"),
        ));
    }
    Ok(match what.trim() {
        "CO2 fixed" => FunctionalUnit::Co2Fixed { amount: kg },
        stream if !stream.is_empty() => FunctionalUnit::Product { stream: stream.to_string(), amount: kg },
        _ => return Err(bad()),
    })
}

impl Analysis for LcaAnalysis {
    fn figures(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        let mut out = Vec::new();
        self.figures_into(flowsheet, earlier, &mut out)?;
        Ok(out)
    }

    /// By the background's compiled plan when the inventory has its shape (numbers only);
    /// else assessed in full, which leaves the plan when there is none yet.
    fn figures_into(
        &self,
        flowsheet: &FlowsheetResult,
        earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
    ) -> Result<(), AnalysisError> {
        self.figures_laid_out(flowsheet, earlier, out, &mut MetricLayout::default())
    }

    /// The plan's layouts are declared: from a study's second sample on, a sample of the same
    /// inventory shape writes its values alone.
    fn figures_laid_out(
        &self,
        flowsheet: &FlowsheetResult,
        _earlier: &[AnalysisOutput],
        out: &mut Vec<Metric>,
        layout: &mut MetricLayout,
    ) -> Result<(), AnalysisError> {
        let bg = &self.background;
        if let Some(plan) = bg.plan.get() {
            let mut w = MetricWriter::laid_out(out, layout);
            if plan.write(flowsheet, bg, &bg.metric_units, &mut w).is_some() {
                w.finish();
                return Ok(());
            }
        }
        let assessment = Assessment::new(flowsheet, bg).map_err(analysis_error)?;
        metrics_into(&assessment.metric_figures(), &bg.metric_units, &mut MetricWriter::new(out));
        if bg.plan.get().is_none()
            && let Some(plan) = Plan::of(&assessment)
        {
            // Another thread may have set one first: either serves, being checked per sample.
            _ = bg.plan.set(plan);
        }
        Ok(())
    }

    fn report(
        &self,
        flowsheet: &FlowsheetResult,
        _earlier: &[AnalysisOutput],
    ) -> Result<AnalysisOutput, AnalysisError> {
        let assessment = Assessment::new(flowsheet, &self.background).map_err(analysis_error)?;
        let r = assessment.full().map_err(AnalysisError::failed)?;
        Ok(AnalysisOutput {
            name: self.name.clone(),
            type_name: "lca".into(),
            metrics: metrics(&r.figures()),
            text: crate::to_table(&r),
            csv: vec![calx_core::CsvTable::main(crate::to_csv(&r))],
            json: serde_json::to_string_pretty(&r).map_err(AnalysisError::failed)?,
            report: Some(crate::report::report_part(&self.name, &r)),
        })
    }

    /// In place: a replaced factor (`factors`, keyed by process) with its source under
    /// `sources`, converted and checked as `create` converts and checks `"{value} {unit}"`;
    /// the background is compiled again with it. Anything else is created again.
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64, unit: &str) -> Result<bool, AnalysisError> {
        let Some(process) = key.filter(|_| param == "factors" && !unit.is_empty()) else { return Ok(false) };
        if self.source_of(process).is_none() {
            return Ok(false);
        }
        let Ok(p) = self.background.db.require_process(process, "factors") else { return Ok(false) };
        let reference = self.background.db.processes()[p].dimension;
        let expr = self
            .units
            .get_or_parse(unit, |u| {
                factor_units()
                    .and_then(|t| t.unit(u).map_err(|e| UnitError::param("factors", format!("{process}: {e}"))))
            })
            .map_err(|e| AnalysisError::parameter("factors", e.to_string()))?;
        let (si, dimension) = (value * expr.factor + expr.offset, expr.dimension);
        if dimension != Dimension::MASS / reference || !si.is_finite() {
            return Err(AnalysisError::parameter(
                "factors",
                format!(
                    "{process}: {value} {unit} is not a finite kg CO2-eq per {} of `{process}`",
                    reference.describe()
                ),
            ));
        }
        // A factor replaced already takes the value in place; only a new replacement needs
        // its source.
        let at = self.background.config.overrides.iter().position(|o| o.process == process);
        if at.is_some_and(|k| self.background.set_override(k, si)) {
            return Ok(true);
        }
        let source = self.source_of(process).unwrap_or_default().to_string();
        self.with_override(process, Some((si, &source)))?;
        Ok(true)
    }

    fn reset_number(&mut self, param: &str, key: Option<&str>) -> Result<bool, AnalysisError> {
        let Some(process) = key.filter(|_| param == "factors") else { return Ok(false) };
        let created = self.created.iter().find(|o| o.process == process).map(|o| (o.value, o.source.clone()));
        let now = self.background.config.overrides.iter().find(|o| o.process == process).map(|o| o.value);
        if now.map(f64::to_bits) != created.as_ref().map(|c| c.0.to_bits()) {
            self.with_override(process, created.as_ref().map(|(v, s)| (*v, s.as_str())))?;
        }
        Ok(true)
    }
}

impl LcaAnalysis {
    /// The background again with `process`'s override at `value` (SI, with its source;
    /// `None`: not replaced), keeping the overrides in `create`'s order (by process name):
    /// what `create` would build from the configuration with that value, bit for bit.
    fn with_override(&mut self, process: &str, value: Option<(f64, &str)>) -> Result<(), AnalysisError> {
        let at = self.background.config.overrides.iter().position(|o| o.process == process);
        // Another value of a factor replaced already changes no structure: set in place.
        if let (Some(k), Some((v, _))) = (at, value)
            && self.background.set_override(k, v)
        {
            return Ok(());
        }
        let mut config = self.background.config.clone();
        match (at, value) {
            (Some(k), Some((v, _))) => config.overrides[k].value = v,
            (Some(k), None) => _ = config.overrides.remove(k),
            (None, Some((v, source))) => {
                let k = config.overrides.partition_point(|o| o.process.as_str() < process);
                let o = FactorOverride { process: process.to_string(), value: v, source: source.to_string() };
                config.overrides.insert(k, o);
            }
            (None, None) => return Ok(()),
        }
        let mut background = Background::new(self.database.clone(), config)
            .map_err(|e| AnalysisError::parameter("factors", e.to_string()))?;
        background.keep_plan(&mut self.background);
        self.background = background;
        Ok(())
    }

    /// The source `create` gives a replaced factor of `process`, if `sources:` has one.
    fn source_of(&self, process: &str) -> Option<&str> {
        self.sources.iter().find(|(p, _)| p == process).map(|(_, s)| s.as_str())
    }
}

/// A configuration entry that does not fit the flowsheet names its `analyses:` parameter;
/// anything else is the LCA's own error.
fn analysis_error(refusal: Refusal) -> AnalysisError {
    match (refusal.param, refusal.error) {
        // The parameter says it is about the functional unit already.
        (Some(param), LcaError::FunctionalUnit(message)) => AnalysisError::parameter(param, message),
        (Some(param), error) => AnalysisError::parameter(param, error.to_string()),
        (None, error) => AnalysisError::failed(error),
    }
}

/// The metrics, from the figures behind them (the same for both entry points).
fn metrics(f: &LcaFigures<'_>) -> Vec<Metric> {
    let mut out = Vec::with_capacity(8 + f.by_unit.len() + f.by_flow.len());
    metrics_into(f, &crate::background::metric_units(f.impact_unit), &mut MetricWriter::new(&mut out));
    out
}

/// [`metrics`] written over a list in place (a study's samples), in `units` per functional
/// unit and per year.
pub(crate) fn metrics_into(f: &LcaFigures<'_>, (per_fu, per_yr): &(String, String), w: &mut MetricWriter<'_>) {
    for (fu_name, yr_name, a) in [
        ("emissions_per_functional_unit", "emissions_per_year", &f.emissions),
        ("co2_fixed_per_functional_unit", "co2_fixed_per_year", &f.co2_fixed),
        ("avoided_per_functional_unit", "avoided_per_year", &f.avoided),
        ("net_reduction_per_functional_unit", "net_reduction_per_year", &f.net_reduction),
    ] {
        w.put(fu_name, a.per_functional_unit, per_fu);
        w.put(yr_name, a.per_year, per_yr);
    }
    for (prefix, list) in [("emissions_by_unit.", &f.by_unit), ("emissions_by_flow.", &f.by_flow)] {
        for c in list {
            w.put_fmt(format_args!("{prefix}{}", c.name), c.per_functional_unit, per_fu);
        }
    }
    // Every other category under `category.NAME.`, the headline's names unchanged; none for
    // a category that leaves a flow of this inventory uncharacterised (its total would be
    // short by that flow; the report lists it).
    for c in f.categories.iter().filter(|c| c.complete) {
        let (fu, yr) = crate::background::metric_units(c.unit);
        let name = c.name;
        w.put_fmt(format_args!("category.{name}.emissions_per_functional_unit"), c.emissions.per_functional_unit, &fu);
        w.put_fmt(format_args!("category.{name}.emissions_per_year"), c.emissions.per_year, &yr);
        for (what, list) in [("emissions_by_unit", &c.by_unit), ("emissions_by_flow", &c.by_flow)] {
            for p in list {
                w.put_fmt(format_args!("category.{name}.{what}.{}", p.name), p.per_functional_unit, &fu);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configuration_errors_name_a_parameter() {
        let singular = LcaError::Singular("zero pivot".into());
        let e = analysis_error(Refusal::from(singular.clone()));
        assert!(matches!(&e, AnalysisError::Failed(source) if source.to_string() == singular.to_string()), "{e:?}");
        let stream = LcaError::Stream { name: "x".into(), problem: "is not in the flowsheet".into(), suggestion: None };
        let e = analysis_error(stream.about("streams"));
        assert_eq!(e.to_string(), "`streams`: stream `x` is not in the flowsheet");
    }
}
