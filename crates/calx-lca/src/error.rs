//! The one error type of `calx-lca`.
//!
//! Every variant names what it is about (a process, a stream, a line of a data file), and
//! the inventory check lists *all* unmapped items at once, so a user fixes a configuration
//! in one pass.

use calx_core::error::did_you_mean;

/// Anything the LCA can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LcaError {
    /// A line of a background data file could not be read.
    #[error("background data, line {line}: {message}")]
    Data {
        /// 1-based line number.
        line: usize,
        /// 1-based column of the field at fault (of the record's first field when the whole
        /// record is).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A cell of an imported CSV table (characterisation factors, unit processes) is not
    /// acceptable (boxed: the other variants stay small).
    #[error("{0}")]
    Cell(Box<CellProblem>),
    /// The Brightway export's bzip2 compressor failed (in memory: not expected to happen).
    #[error("compressing the Brightway package: {message}")]
    Compression {
        /// The compressor's error.
        message: String,
    },
    /// A name was defined twice in the background database.
    #[error("{kind} `{name}` is defined twice (write `override {kind}` to replace the earlier definition)")]
    Duplicate {
        /// `process`, `flow` or `category`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// A process name is not in the background database.
    #[error("unknown background process `{name}` (used by {used_by}){}", did_you_mean(suggestion))]
    UnknownProcess {
        /// The name as written.
        name: String,
        /// Where it was used ("utility electricity", "override").
        used_by: String,
        /// The nearest known process.
        suggestion: Option<String>,
    },
    /// An elementary flow is not in the database.
    #[error("unknown elementary flow `{name}` (used by {used_by}){}", did_you_mean(suggestion))]
    UnknownFlow {
        /// The name as written.
        name: String,
        /// Where it was used.
        used_by: String,
        /// The nearest known flow.
        suggestion: Option<String>,
    },
    /// An impact category (characterisation set) is not in the database.
    #[error("unknown characterisation set `{name}`{}", did_you_mean(suggestion))]
    UnknownCategory {
        /// The name as written.
        name: String,
        /// The nearest known category.
        suggestion: Option<String>,
    },
    /// A stream named in the configuration is not in the flowsheet (or has the wrong role).
    #[error("stream `{name}` {problem}{}", did_you_mean(suggestion))]
    Stream {
        /// The name as written.
        name: String,
        /// What is wrong ("is not in the flowsheet", "is not a product stream").
        problem: String,
        /// The nearest stream of the right role.
        suggestion: Option<String>,
    },
    /// A component named in the configuration is not in the flowsheet.
    #[error("component `{name}` named in {used_by} is not in the flowsheet{}", did_you_mean(suggestion))]
    UnknownComponent {
        /// The name as written.
        name: String,
        /// Where it was used.
        used_by: String,
        /// The nearest component.
        suggestion: Option<String>,
    },
    /// Inventory items with neither a mapping nor an explicit exclusion: every one is listed.
    #[error("{} inventory item(s) have no background process and are not excluded (nothing is counted as zero silently):\n  {}", .items.len(), .items.join("\n  "))]
    Unmapped {
        /// One line per item: what it is, where it comes from, its rate.
        items: Vec<String>,
    },
    /// A mapping connects an inventory item to a process with a different reference unit.
    #[error("{item} is measured in {found}, but process `{process}` has a reference unit of {expected}")]
    Dimension {
        /// The inventory item.
        item: String,
        /// The process.
        process: String,
        /// The process's reference dimension.
        expected: String,
        /// The item's dimension.
        found: String,
    },
    /// The functional unit cannot be formed (zero product flow, no CO2 fixed).
    #[error("functional unit: {0}")]
    FunctionalUnit(String),
    /// A number in the configuration is not acceptable.
    #[error("{what}: {message}")]
    Value {
        /// Which field.
        what: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The technosphere cannot supply the demand: a process needs at least one unit of its
    /// own product per unit made, or a loop of processes needs more than it makes.
    #[error("the technosphere matrix is not productive: {reason} (after {iterations} iteration(s))")]
    NotProductive {
        /// What was found.
        reason: String,
        /// Iterations done.
        iterations: usize,
    },
    /// The technosphere matrix is singular (dense solve).
    #[error("the technosphere matrix is singular: {0}")]
    Singular(String),
}

/// Where a cell of an imported CSV table is, which column, what was found and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("background data, line {line}, column {column}: {field}: {message} (found `{found}`); allowed: {allowed}")]
pub struct CellProblem {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters) of the cell.
    pub column: usize,
    /// The column's name in the header (`factor [kg CO2-eq/kg]`, `process`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// The cell as written.
    pub found: String,
    /// What the cell may hold.
    pub allowed: String,
}

/// Result with the LCA error.
pub type Result<T, E = LcaError> = std::result::Result<T, E>;

/// Why an assessment refused, with the `analyses:` parameter (`utilities`, `streams`,
/// `components`, `emissions`, `avoided`, `functional_unit`) of the configuration entry that
/// does not fit the flowsheet, when it is one: the `lca` analysis names it in its error.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// What is wrong.
    pub(crate) error: LcaError,
    /// The parameter it is about, if any.
    pub(crate) param: Option<&'static str>,
}

impl From<LcaError> for Refusal {
    fn from(error: LcaError) -> Refusal {
        Refusal { error, param: None }
    }
}

impl LcaError {
    /// This error, about the configuration's parameter `param`.
    pub(crate) fn about(self, param: &'static str) -> Refusal {
        Refusal { error: self, param: Some(param) }
    }
}
