//! `calx.Flowsheet`: a flowsheet loaded with its plugins, its values changed with `set`, and
//! solved (warm-started from the previous solve) into a `calx.Result`. Everything goes
//! through the façade (`calx::Project`); the GIL is released while Rust works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calx::{LoadOptions, Project, Source, WarmStart};
use calx_core::quantity::FractionBasis;
use calx_core::{Dimension, ParamValue};
use pyo3::prelude::*;

use crate::errors::{load_error, solve_error};
use crate::result::Solution;

/// A flowsheet, loaded with the plugin libraries it lists, ready to solve.
///
/// Made by `calx.load(path)` or `Flowsheet.from_yaml(text, name=...)`. `set(path, value)`
/// changes a value as if it were written in the file; `solve()` solves the plant and runs its
/// analyses, starting its recycle loops from the previous solve's converged values.
#[pyclass(module = "calx", name = "Flowsheet")]
pub struct PyFlowsheet {
    /// The parsed file, with the changes made by `set` (each decoded again from here).
    source: Source,
    /// The directory relative plugin entries start from.
    base: PathBuf,
    options: LoadOptions,
    /// The decoded flowsheet; shared with the results solved from it.
    project: Arc<Project>,
    /// The last solve's recycle tears, for the next.
    warm: Option<WarmStart>,
    /// The changes made with `set`, in order, as (path, value as written).
    changes: Vec<(String, String)>,
}

/// Load options: the built-in types and the plugin search path of `calx` (CALX_PLUGIN_PATH),
/// after the directories given.
pub fn options(plugins: Vec<PathBuf>) -> LoadOptions {
    let mut options = LoadOptions::from_env();
    let mut search = plugins;
    search.append(&mut options.plugin_search);
    options.plugin_search = search;
    options
}

impl PyFlowsheet {
    fn decode(py: Python<'_>, text: &str, file: &str, base: &Path, plugins: Vec<PathBuf>) -> PyResult<PyFlowsheet> {
        let options = options(plugins);
        let (source, project) = py
            .detach(|| {
                let source = Source::parse(text, file)?;
                let project = Project::from_source(&source, base, &options)?;
                Ok((source, project))
            })
            .map_err(load_error)?;
        Ok(PyFlowsheet {
            source,
            base: base.to_path_buf(),
            options,
            project: Arc::new(project),
            warm: None,
            changes: Vec::new(),
        })
    }
}

#[pymethods]
impl PyFlowsheet {
    /// Decode flowsheet text and load the plugin libraries its `plugins:` lists. `name`
    /// names it in error messages; relative `plugins:` entries start from `base_dir`
    /// (default: the current directory), and bare library names are looked for there, then
    /// in the directories `plugins`, then in those of CALX_PLUGIN_PATH. (`calx.load` reads a
    /// file and comes here, so that the file is read by Python.)
    #[staticmethod]
    #[pyo3(signature = (text, name = "<yaml>".to_string(), base_dir = None, plugins = Vec::new()))]
    fn from_yaml(
        py: Python<'_>,
        text: &str,
        name: String,
        base_dir: Option<PathBuf>,
        plugins: Vec<PathBuf>,
    ) -> PyResult<PyFlowsheet> {
        PyFlowsheet::decode(py, text, &name, &base_dir.unwrap_or_default(), plugins)
    }

    /// Set the value at a dotted path, as if it were written in the file: a study parameter's
    /// path (`units.carbonation.conversion.Ca(OH)2`, `analyses.tea.discount_rate`) or a path
    /// of the file (`units.carbonation.params.conversion.Ca(OH)2`, `solver.max_iterations`),
    /// with a number or a value with its unit as the file takes it (`0.5`, `"48 %"`). A feed's
    /// mass fraction (`streams.raw_ash.composition.CaO`) scales the feed's other components
    /// to keep its total, as a study does. The flowsheet is decoded again at once, so a value that does not fit raises
    /// `FlowsheetError` at its position, and the flowsheet keeps its previous values.
    fn set(&mut self, py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let written = value_text(value)?;
        let mut source = self.source.clone();
        let set = match composition_fraction(path) {
            Some((stream, component)) => {
                let (field, entries) = self.feed_with_fraction(stream, component, &written)?;
                let entries: Vec<(&str, String)> = entries.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                source.set_mapping(&format!("streams.{stream}.{field}"), &entries)
            }
            None => source.set(&file_path(path)?, &written),
        };
        set.map_err(|e| crate::errors::FlowsheetError::new_err(format!("set `{path}`: {e}")))?;
        let (base, options) = (&self.base, &self.options);
        let project = py.detach(|| Project::from_source(&source, base, options)).map_err(load_error)?;
        self.source = source;
        self.project = Arc::new(project);
        self.changes.push((path.to_string(), written));
        Ok(())
    }

    /// Solve the plant and run every analysis. With `warm=True` (the default) recycle loops
    /// start from the previous solve's converged values; `warm=False` starts cold, exactly
    /// like `calx run` on the file with the same values. Raises `SolveError` (the message
    /// names the unit, stream or loop) when the plant does not converge or gives a number
    /// that is not finite.
    #[pyo3(signature = (warm = true))]
    fn solve(&mut self, py: Python<'_>, warm: bool) -> PyResult<Solution> {
        let project = Arc::clone(&self.project);
        let start = if warm { self.warm.as_ref() } else { None };
        let (solved, next) = py.detach(|| project.solve_warm(start)).map_err(solve_error)?;
        crate::result::check_finite(&solved)?;
        self.warm = next;
        Ok(Solution::new(project, solved))
    }

    /// The flowsheet's name.
    #[getter]
    fn name(&self) -> String {
        self.project.model().def.name.clone()
    }

    /// The changes made with `set`, in order, as (path, value as written).
    #[getter]
    fn changes(&self) -> Vec<(String, String)> {
        self.changes.clone()
    }

    /// Component names, in the order of every flow vector.
    #[getter]
    fn components(&self) -> Vec<String> {
        self.project.model().def.components.names().map(str::to_string).collect()
    }

    /// Unit names and types, in the order they are written.
    #[getter]
    fn units(&self) -> Vec<(String, String)> {
        self.project.model().def.units.iter().map(|u| (u.name.clone(), u.unit_type.descriptor().type_name)).collect()
    }

    /// The flowsheet's diagram as written (units and streams, no flows yet), as SVG: the
    /// report's diagram renderer, given the flowsheet instead of a solved result.
    fn diagram(&self) -> String {
        calx_document::structure_svg(&self.project)
    }

    /// The plugin libraries loaded for this flowsheet (paths).
    #[getter]
    fn plugins(&self) -> Vec<String> {
        self.project.plugins().iter().map(|p| p.path.display().to_string()).collect()
    }

    fn __repr__(&self) -> String {
        let def = &self.project.model().def;
        format!("<calx.Flowsheet {:?}: {} units, {} components>", def.name, def.units.len(), def.components.len())
    }
}

impl PyFlowsheet {
    /// Feed `stream` written anew with `component`'s mass fraction set to `written` and the
    /// others scaled to keep the whole, exactly as a study varies one fraction
    /// ([`calx_study::renormalise`]): the field to replace and its entries. A feed given by
    /// its `flows` keeps them, each scaled by its fraction's change and written in its own
    /// unit (so that a production basis still applies); one given by `total` and
    /// `composition` gets every fraction as a plain number.
    fn feed_with_fraction(
        &self,
        stream: &str,
        component: &str,
        written: &str,
    ) -> PyResult<(&'static str, Vec<(String, String)>)> {
        let fail = |message: String| {
            crate::errors::FlowsheetError::new_err(format!("set `streams.{stream}.composition.{component}`: {message}"))
        };
        let model = self.project.model();
        let feed = model.def.units.iter().find(|u| u.name == stream);
        let Some(ParamValue::Map(base)) = feed.and_then(|u| u.params.get("composition")) else {
            return Err(fail(format!("`{stream}` is not a feed")));
        };
        if !base.contains_key(component) {
            let names: Vec<&str> = base.keys().map(String::as_str).collect();
            return Err(fail(format!("{component} is not in `{stream}` ({}); add it in the file", names.join(", "))));
        }
        let fraction = mass_fraction(model, written, fail)?;
        let changed =
            calx_study::renormalise(base, &BTreeMap::from([(component, fraction)])).map_err(|e| fail(e.to_string()))?;
        let number = |v: Option<&ParamValue>| if let Some(ParamValue::Number(x)) = v { *x } else { f64::NAN };
        let Some(flows) = self.source.scalar_mapping(&format!("streams.{stream}.flows")) else {
            return Ok((
                "composition",
                changed.iter().map(|(k, v)| (k.clone(), format!("{:?}", number(Some(v))))).collect(),
            ));
        };
        let scaled = flows.iter().map(|&(k, text)| {
            let (digits, unit) = text.trim().split_once(char::is_whitespace).unwrap_or((text.trim(), ""));
            let w: f64 = digits
                .parse()
                .map_err(|_| fail(format!("the flow of {k} is written `{text}`, whose number cannot be scaled")))?;
            // A component absent from the feed keeps its (zero) flow.
            let old = number(base.get(k));
            let factor = if old > 0.0 { number(changed.get(k)) / old } else { 1.0 };
            let value = format!("{:?}", w * factor);
            Ok((k.to_string(), if unit.is_empty() { value } else { format!("{value} {}", unit.trim()) }))
        });
        Ok(("flows", scaled.collect::<PyResult<_>>()?))
    }
}

/// A feed's composition fraction path, `streams.STREAM.composition.COMPONENT`, as (stream,
/// component).
fn composition_fraction(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("streams.")?;
    let (stream, rest) = rest.split_once('.')?;
    let component = rest.strip_prefix("composition.")?;
    Some((stream, component))
}

/// A mass fraction as written (`0.3`, `30 %`, `30 wt%`) with the flowsheet's units of
/// measure; a mole or volume fraction is refused, since the other fractions are scaled on a
/// mass basis.
fn mass_fraction(model: &calx::Model, written: &str, fail: impl Fn(String) -> PyErr) -> PyResult<f64> {
    let q = model.units_of_measure.parse(written).map_err(|e| fail(e.to_string()))?;
    if q.dimension != Dimension::DIMENSIONLESS {
        return Err(fail(format!("`{written}` is not a fraction (write 0.3, \"30 %\" or \"30 wt%\")")));
    }
    if !matches!(q.basis, None | Some(FractionBasis::Mass)) {
        return Err(fail(format!(
            "`{written}` is not a mass fraction: the other fractions are scaled on a mass basis, as a study does (write a plain fraction or wt%)"
        )));
    }
    if !(0.0..=1.0).contains(&q.value) {
        return Err(fail(format!("`{written}` is not between 0 and 1 (0-100 %)")));
    }
    Ok(q.value)
}

/// Fields of a unit in the file beside its parameters.
const UNIT_FIELDS: &[&str] = &["type", "in", "out", "params", "note"];

/// The file's path for a study parameter's path: a unit parameter (`units.U.P...`) is written
/// under the unit's `params:`; any other path is the file's own. (A feed's composition
/// fraction is set with the whole composition: [`composition_fraction`].)
fn file_path(path: &str) -> PyResult<String> {
    let parts: Vec<&str> = path.splitn(3, '.').collect();
    match parts.as_slice() {
        ["units", unit, rest] if !UNIT_FIELDS.contains(&rest.split('.').next().unwrap_or_default()) => {
            Ok(format!("units.{unit}.params.{rest}"))
        }
        _ => Ok(path.to_string()),
    }
}

/// A value as it would be written in the file: text as given (`"48 %"`), a number in
/// Rust's shortest round-trip form (an integer as an integer), a bool as `true`/`false`.
fn value_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.extract::<bool>() {
        return Ok(if b { "true" } else { "false" }.to_string());
    }
    if let Ok(s) = value.extract::<String>() {
        return Ok(s);
    }
    if value.is_instance_of::<pyo3::types::PyInt>() {
        return Ok(value.extract::<i64>()?.to_string());
    }
    if let Ok(x) = value.extract::<f64>() {
        if !x.is_finite() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!("{x} is not a finite number")));
        }
        // Rust's `{}` of an f64 is the shortest text that reads back to the same number.
        return Ok(format!("{x:?}"));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "a value is a number, a bool or text such as \"48 %\", not {}",
        value.get_type().name()?
    )))
}
