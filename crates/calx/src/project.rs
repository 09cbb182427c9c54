//! [`Project`]: a flowsheet loaded with its plugins, and the steps after loading — build,
//! solve, analyse — each a method with its own typed error.

use std::path::{Path, PathBuf};

use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisError, AnalysisOutput, Registry, StudySamples, UnitError};
use calx_engine::{EngineError, Flowsheet};
use calx_flowsheet::{ConfiguredAnalysis, Diagnostic, Diagnostics, Model, Source};
use calx_plugin_host::LoadedPlugin;

use crate::analyses::{self, AnalysisFailure};
use crate::error::{Error, LoadError};
use crate::plugins;
use crate::{design, optimize};

/// Where a project's types come from: the registry to start from (built in by default) and
/// the directories searched for plugin libraries given by bare name.
#[derive(Clone)]
pub struct LoadOptions {
    /// Unit and analysis types available before the flowsheet's own plugins are loaded.
    pub registry: Registry,
    /// Directories searched for a `plugins:` entry given as a bare library name, after the
    /// flowsheet's own directory.
    pub plugin_search: Vec<PathBuf>,
}

impl Default for LoadOptions {
    /// The built-in types; no extra plugin directories.
    fn default() -> Self {
        LoadOptions { registry: crate::builtin_registry(), plugin_search: Vec::new() }
    }
}

impl LoadOptions {
    /// The built-in types, and the directories of the `CALX_PLUGIN_PATH` environment
    /// variable (what the `calx` command uses).
    pub fn from_env() -> Self {
        LoadOptions { plugin_search: plugins::search_path_from_env(), ..LoadOptions::default() }
    }

    /// These options with another starting registry (for example one with a plugin's unit
    /// types linked in).
    pub fn with_registry(self, registry: Registry) -> Self {
        LoadOptions { registry, ..self }
    }
}

/// A flowsheet decoded against the types it may use: the built-in ones plus those of the
/// plugin libraries it lists. Analyses are held in the order they run.
pub struct Project {
    model: Model,
    registry: Registry,
    plugins: Vec<LoadedPlugin>,
}

/// A solved project: the converged flowsheet and the analyses' full outputs, in run order.
#[derive(Clone, Debug)]
pub struct Solved {
    /// The converged flowsheet.
    pub result: FlowsheetResult,
    /// The analyses' outputs.
    pub analyses: Vec<AnalysisOutput>,
}

impl Project {
    /// Read a flowsheet file and decode it with the plugin libraries it lists (relative
    /// entries start from the file's directory).
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Project, LoadError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Project::from_text(&text, &shown, &base, options)
    }

    /// Decode flowsheet text; `file` names it in messages and `base` is the directory its
    /// relative plugin entries start from.
    pub fn from_text(text: &str, file: &str, base: &Path, options: &LoadOptions) -> Result<Project, LoadError> {
        Project::from_source(&Source::parse(text, file)?, base, options)
    }

    /// Decode parsed flowsheet text (perhaps changed with [`Source::set`]): load the plugins it
    /// lists, then decode the rest against the built-in and plugin types.
    pub fn from_source(source: &Source, base: &Path, options: &LoadOptions) -> Result<Project, LoadError> {
        let entries = source.plugins()?;
        let (mut registry, plugins) = plugins::load_plugins(&entries, base, &options.plugin_search, &options.registry)
            .map_err(|problems| source.plugin_diagnostics(problems))?;
        crate::carbon::register_profile_files(source, base, &mut registry)?;
        crate::lca::register_background(source, base, &mut registry)?;
        let mut model = source.decode(&registry)?;
        in_run_order(&mut model)?;
        Ok(Project { model, registry, plugins })
    }

    /// The decoded flowsheet, without the project (its plugin libraries stay loaded: they
    /// are never unloaded).
    pub fn into_model(self) -> Model {
        self.model
    }

    /// The decoded flowsheet.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The types the flowsheet was decoded against (built-in and from its plugins).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The plugin libraries the flowsheet listed, as loaded.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// Build the engine's flowsheet (connections, units, tears); problems come back with
    /// their positions in the file.
    pub fn build(&self) -> Result<Flowsheet, Diagnostics> {
        self.model.build()
    }

    /// Build, solve and run every analysis in full. An analysis parameter that does not fit
    /// the solved plant comes back as [`Error::AnalysisSetting`], at its position in the file.
    ///
    /// With design specifications on analysis metrics or an `optimize:` section, the design
    /// loop runs first (around the engine's solve and the analyses' figures), and the result
    /// is the plant at its solution, with the analyses configured as it set them.
    pub fn solve(&self) -> Result<Solved, Error> {
        let (result, configured) = self.solve_design()?;
        let analyses = analyses::run_reports(configured.as_deref().unwrap_or(&self.model.analyses), &result)
            .map_err(|f| self.locate(f))?;
        Ok(Solved { result, analyses })
    }

    /// [`Project::solve`], with what a parameter study found: `study.metrics` maps metric
    /// paths (`analyses.carbon.credited_per_year`) to their values over the study's successful
    /// samples, beside the number that failed, and each analysis makes of its own what it can
    /// (the carbon ledger's uncertainty deduction); analyses after one that changed run on its
    /// new figures. Also returns the names of the analyses the study changed.
    pub fn solve_with_study(&self, study: &StudySamples) -> Result<(Solved, Vec<String>), Error> {
        let (result, configured) = self.solve_design()?;
        let (analyses, changed) =
            analyses::run_reports_with_study(configured.as_deref().unwrap_or(&self.model.analyses), &result, study)
                .map_err(|f| self.locate(f))?;
        Ok((Solved { result, analyses }, changed))
    }

    /// Build and solve, through the design loop when the flowsheet has one: the converged
    /// result (its solver report with the loop's specifications and optimum) and, when the
    /// loop changed analysis parameters, the analyses as configured at its solution.
    pub fn solve_design(&self) -> Result<(FlowsheetResult, Option<Vec<ConfiguredAnalysis>>), Error> {
        let mut flowsheet = self.build().map_err(Error::Build)?;
        if self.model.analysis_specs.is_empty() && self.model.optimize.is_none() {
            let mut result = flowsheet.solve().map_err(|e| self.locate_solve(e))?;
            self.speciate(&mut result)?;
            return Ok((result, None));
        }
        let mut ev = design::Evaluator::new(self, flowsheet);
        let mut reports = Vec::new();
        let optimum = match &self.model.optimize {
            Some(def) => Some(optimize::run(&mut ev, def, &self.model.analysis_specs)?),
            None => {
                design::solve_specs(&mut ev, &self.model.analysis_specs, 0, &mut reports)?;
                None
            }
        };
        let (mut result, configured) = ev.finish()?;
        match optimum {
            Some((report, specs)) => {
                result.solver.design_specs.extend(specs);
                result.solver.optimization = Some(report);
            }
            None => result.solver.design_specs.extend(reports),
        }
        Ok((result, Some(configured)))
    }

    /// With an `aqueous:` section, the aqueous properties of every stream that carries liquid
    /// water (`calx_mineralization::aqueous`); a speciation that fails is an error naming the
    /// stream, never a stream shown without them.
    pub fn speciate(&self, result: &mut FlowsheetResult) -> Result<(), Error> {
        let Some(settings) = &self.model.aqueous else { return Ok(()) };
        let set = result.components.clone();
        for s in &mut result.streams {
            s.aqueous = calx_mineralization::aqueous::stream_properties(&set, &s.stream, settings)
                .map_err(|e| Error::Aqueous { stream: s.name.clone(), message: e.to_string() })?;
        }
        Ok(())
    }

    /// Build, solve and run every analysis for its figures: what `calx check` does to find the
    /// problems that show only with the converged plant. Nothing is rendered.
    pub fn check(&self) -> Result<(), Error> {
        let (result, configured) = self.solve_design()?;
        analyses::run_figures(configured.as_deref().unwrap_or(&self.model.analyses), &result)
            .map_err(|f| self.locate(f))?;
        Ok(())
    }

    /// A solve failure that is the file's fault comes back at its position: a component
    /// without the thermodynamic data a unit's energy balance needs is an error at the
    /// component's entry (invalid input), not a failed solve; a design specification whose
    /// target is wrong whatever value it tries (a size the unit does not report, or one
    /// written in another dimension) is an error at its `until:`. Any other failure of a
    /// design specification (a target it cannot reach, a value it tried that a unit refused,
    /// an expression target that cannot be evaluated) is a failed design at its `until:`,
    /// with the values in the flowsheet's display units.
    pub(crate) fn locate_solve(&self, e: EngineError) -> Error {
        if let Some(spec) = design::engine_spec(&self.model.def.design_specs, &e) {
            let field = format!("design_specs[{}].until", spec.index - 1);
            let loc = self.model.loc(&format!("design_specs.{}.until", spec.index));
            let invalid = matches!(e, EngineError::SpecTarget { .. } | EngineError::TargetDimension { .. });
            let message = design::engine_spec_message(&self.model, spec, &e);
            let d = self.model.diagnostics(vec![Diagnostic::new(loc, &field, message)]);
            return if invalid { Error::Build(d) } else { Error::Design(d) };
        }
        if let EngineError::Calculator { set, .. }
        | EngineError::CalculatorDimension { set, .. }
        | EngineError::CalculatorSet { set, .. } = &e
            && let Some(i) = self.model.def.calculators.iter().position(|c| &c.label == set)
        {
            // A calculator that fails while the plant solves is still a line of the file.
            let loc = self.model.loc(&format!("calculate.{}", i + 1));
            let field = format!("calculate[{i}]");
            return Error::Build(self.model.diagnostics(vec![Diagnostic::new(loc, &field, e.to_string())]));
        }
        let EngineError::Unit { unit, type_name, source: UnitError::MissingThermo { component, what } } = &e else {
            return Error::Solve(e);
        };
        let field = format!("components.{component}");
        let text = format!(
            "component `{component}` has no {what}, which unit `{unit}` ({type_name}) needs for its energy balance"
        );
        let d = Diagnostic::new(self.model.loc(&field), &field, text)
            .found(format!("no {what}"))
            .allowed("a definition in `components.define` with `heat_capacity` (and `formation_enthalpy` if it reacts); docs/flowsheet-format.md");
        Error::Build(self.model.diagnostics(vec![d]))
    }

    /// An analysis failure as an error of the file when it is about a parameter: the
    /// diagnostic points at the parameter (or at the analysis, when the parameter is not
    /// written and its default does not fit).
    pub(crate) fn locate(&self, failure: AnalysisFailure) -> Error {
        let AnalysisError::Parameter { param, message } = &failure.source else {
            return Error::Analysis(failure);
        };
        let analysis = format!("analyses.{}", failure.analysis);
        let field = format!("{analysis}.{param}");
        let loc = self.model.written(&field).unwrap_or_else(|| self.model.loc(&analysis));
        let text = format!("analysis `{}`: {message}", failure.analysis);
        Error::AnalysisSetting(self.model.diagnostics(vec![Diagnostic::new(loc, &field, text)]))
    }

    /// Run every analysis in full over a converged result.
    pub fn analyse(&self, result: &FlowsheetResult) -> Result<Vec<AnalysisOutput>, AnalysisFailure> {
        analyses::run_reports(&self.model.analyses, result)
    }

    /// Run every analysis for its figures only (metrics; no text, tables or report).
    pub fn figures(&self, result: &FlowsheetResult) -> Result<Vec<AnalysisOutput>, AnalysisFailure> {
        analyses::run_figures(&self.model.analyses, result)
    }
}

/// Put the model's analyses in the order they run; a circle of reads is an error at the
/// analyses' position.
fn in_run_order(model: &mut Model) -> Result<(), Diagnostics> {
    match analyses::run_order(&model.analyses) {
        Ok(order) => {
            let mut slots: Vec<Option<_>> = std::mem::take(&mut model.analyses).into_iter().map(Some).collect();
            model.analyses = order.into_iter().filter_map(|i| slots[i].take()).collect();
            Ok(())
        }
        Err(names) => {
            let message = format!("analyses {} read each other's results in a circle", names.join(", "));
            Err(model.diagnostics(vec![Diagnostic::new(
                model.loc(&format!("analyses.{}", names[0])),
                "analyses",
                message,
            )]))
        }
    }
}
