//! The façade's errors: one per step, and [`Error`] for any of them. Each keeps its source,
//! and the ones about the file keep its positions ([`Diagnostics`]).

use std::path::PathBuf;

use calx_engine::EngineError;
use calx_flowsheet::Diagnostics;

use crate::analyses::AnalysisFailure;

/// Why a flowsheet could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file has problems (syntax, values, plugins, types): every one, with its position.
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
}

/// Why a project did not give a result: any step of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The flowsheet cannot be built (connections, unit parameters, tears), with positions.
    #[error("{0}")]
    Build(Diagnostics),
    /// The solve failed (a recycle that did not converge, a unit that failed).
    #[error(transparent)]
    Solve(#[from] EngineError),
    /// An analysis parameter does not fit this flowsheet (a feed without a price, an
    /// inventory item without a background process), with its position in the file.
    #[error("{0}")]
    AnalysisSetting(Diagnostics),
    /// A design specification on an analysis metric could not reach its target, or an
    /// optimisation found no feasible point: the input is valid, the design is not
    /// achievable. With the position of the specification or section.
    #[error("{0}")]
    Design(Diagnostics),
    /// An analysis failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisFailure),
    /// The aqueous speciation of a stream failed.
    #[error("the aqueous speciation of stream `{stream}` failed: {message}")]
    Aqueous {
        /// The stream.
        stream: String,
        /// Why.
        message: String,
    },
}

impl Error {
    /// Whether the input is at fault (the file, its values, its plugins) rather than the solve
    /// or an analysis of a valid model.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::Load(_) | Error::Build(_) | Error::AnalysisSetting(_))
    }
}
