//! The Python exceptions and how the façade's and the study's typed errors become them.
//! Each error keeps what the Rust error knows: a problem in the file keeps every problem
//! with its file, line and column; a failed solve names the unit or stream it came from in
//! its message (the engine's error text, as `calx run` prints it).

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyOSError};
use pyo3::prelude::*;

create_exception!(calx, CalxError, PyException, "Base class of every error Calx raises.");
create_exception!(
    calx,
    FlowsheetError,
    CalxError,
    "The flowsheet has problems: in the file (syntax, values, types, plugins) or in a value \
     that does not fit the plant (an analysis setting, a `set` value). `problems` lists every \
     one with its position; `file`, `line` and `column` are those of the first."
);
create_exception!(
    calx,
    SolveError,
    CalxError,
    "A valid flowsheet did not give a result: a recycle or design specification that did not \
     converge, a unit that failed, a speciation that failed, or a number that is not finite. \
     The message names the unit, stream or loop."
);
create_exception!(
    calx,
    DesignError,
    SolveError,
    "A design specification on an analysis metric could not reach its target, or an \
     optimisation found no feasible point; `problems` gives its position in the file."
);
create_exception!(
    calx,
    AnalysisError,
    CalxError,
    "An analysis (LCA, TEA, carbon ledger...) failed on the converged plant; `analysis` names it."
);
create_exception!(
    calx,
    StudyError,
    CalxError,
    "A study file or its parameters do not fit (fields, paths, distributions), or shards do \
     not merge."
);

/// One problem of a flowsheet, at its position in the file.
#[pyclass(module = "calx", frozen, get_all)]
#[derive(Clone)]
pub struct Problem {
    /// The file as given (or the name given to `Flowsheet.from_yaml`).
    pub file: String,
    /// Line, counted from 1.
    pub line: u32,
    /// Column, counted from 1.
    pub column: u32,
    /// Dotted path of the field (`units.carbonation.conversion`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What was written, when that helps.
    pub found: Option<String>,
    /// What is allowed.
    pub allowed: Option<String>,
    /// A name that was perhaps meant.
    pub suggestion: Option<String>,
}

#[pymethods]
impl Problem {
    fn __repr__(&self) -> String {
        format!("Problem({}:{}:{}: {}: {})", self.file, self.line, self.column, self.field, self.message)
    }
}

/// An exception of type `E` carrying the problems of `d` (message: the same text `calx check`
/// prints).
fn with_problems<E: pyo3::PyTypeInfo>(d: &calx::Diagnostics) -> PyErr {
    let err = PyErr::new::<E, _>(d.to_string());
    let problems: Vec<Problem> = d
        .items
        .iter()
        .map(|p| Problem {
            file: d.file.clone(),
            line: p.loc.line,
            column: p.loc.column,
            field: p.field.clone(),
            message: p.message.clone(),
            found: p.found.clone(),
            allowed: p.allowed.clone(),
            suggestion: p.suggestion.clone(),
        })
        .collect();
    Python::attach(|py| {
        let value = err.value(py);
        let first = problems.first().cloned();
        // Attributes on the instance: the exception classes are plain subclasses of
        // Exception, so that they pickle and subclass as Python users expect.
        let _ = value.setattr("file", d.file.clone());
        let _ = value.setattr("line", first.as_ref().map(|p| p.line));
        let _ = value.setattr("column", first.as_ref().map(|p| p.column));
        let _ = value.setattr("problems", problems);
    });
    err
}

/// A load error: a file that cannot be read is Python's own `FileNotFoundError`/`OSError`.
pub fn load_error(e: calx::LoadError) -> PyErr {
    match e {
        calx::LoadError::Invalid(d) => with_problems::<FlowsheetError>(&d),
        calx::LoadError::Io { path, source } => {
            let message = format!("cannot read {}: {source}", path.display());
            if source.kind() == std::io::ErrorKind::NotFound {
                PyFileNotFoundError::new_err(message)
            } else {
                PyOSError::new_err(message)
            }
        }
    }
}

/// Any error of the façade's pipeline, typed by whose fault it is.
pub fn solve_error(e: calx::Error) -> PyErr {
    match e {
        calx::Error::Load(e) => load_error(e),
        calx::Error::Build(d) | calx::Error::AnalysisSetting(d) => with_problems::<FlowsheetError>(&d),
        calx::Error::Design(d) => with_problems::<DesignError>(&d),
        calx::Error::Analysis(f) => {
            let name = f.analysis.clone();
            let err = AnalysisError::new_err(f.to_string());
            Python::attach(|py| {
                let _ = err.value(py).setattr("analysis", name);
            });
            err
        }
        other => SolveError::new_err(other.to_string()),
    }
}

/// A study error: the flowsheet's own problems keep their types and positions.
pub fn study_error(e: calx_study::StudyError) -> PyErr {
    match e {
        calx_study::StudyError::Flowsheet(e) => load_error(*e),
        calx_study::StudyError::BaseCase(e) => solve_error(*e),
        other => StudyError::new_err(other.to_string()),
    }
}

/// Register the exception types and `Problem` in the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CalxError", py.get_type::<CalxError>())?;
    m.add("FlowsheetError", py.get_type::<FlowsheetError>())?;
    m.add("SolveError", py.get_type::<SolveError>())?;
    m.add("DesignError", py.get_type::<DesignError>())?;
    m.add("AnalysisError", py.get_type::<AnalysisError>())?;
    m.add("StudyError", py.get_type::<StudyError>())?;
    m.add_class::<Problem>()
}
