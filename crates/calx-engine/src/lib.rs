//! Calx sequential-modular engine.
//!
//! Builds the flowsheet graph from unit definitions (petgraph), validates every connection,
//! orders the calculation by strongly connected components, tears each recycle loop on the
//! fewest streams and converges it with `calx-solver`, wraps design specifications around
//! the solve, and checks mass and element balances of every unit.
//!
//! Invariants: the engine does no I/O (no files, no YAML, no printing) and sees units only
//! through [`calx_core::UnitType`] / [`calx_core::UnitOperation`], so built-in and
//! dynamically loaded units look the same to it. Iteration order that reaches results is
//! declaration order, never hash order.

mod balance;
mod calculate;
mod def;
mod error;
mod graph;
mod result_expr;
mod solve;

pub use def::{CalculatorDef, DesignSpecDef, FlowsheetDef, SolveOptions, UnitDef, Variable};
pub use error::{BuildError, EngineError, ReadError};
pub use result_expr::ResultExpr;
pub use solve::{Flowsheet, WarmStart};

pub use calx_core::result::{SpecMethod, TearSelection};
pub use calx_solver::{FixedPointOptions, Method, ScalarOptions};
