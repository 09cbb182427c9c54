//! Calx numerics: the solvers behind recycle loops and design specifications.
//!
//! This crate knows nothing of streams, components or unit operations. A recycle loop reaches it
//! as a map `x -> g(x)` over a flat vector of tear variables (SI values: kg/s, K, Pa), solved by
//! [`solve_fixed_point`] with one of the accelerators in [`Method`]. A design specification
//! reaches it as a scalar function on a bracket, solved by [`solve_bracketed`]; several at once
//! reach it as a square system over a box, solved by [`solve_system`] (bounded quasi-Newton,
//! failing with its own [`SystemError`]). Rate equations
//! (kinetics) reach it as initial-value problems, integrated by [`integrate`] and its
//! variants in [`ode`], which fail with their own [`OdeError`]. An optimisation reaches it as one closure giving
//! an objective and constraint values over a box, minimised by [`minimize`].
//!
//! Every failure of the first two is a [`SolverError`]; nothing here panics on bad input (NaN,
//! empty vectors, zero tolerances). The closures may fail with the caller's own error type `E`,
//! which is carried through unchanged in [`SolverError::Evaluation`].

mod broyden;
mod error;
mod fixed_point;
mod method;
mod minimize;
pub mod ode;
mod scalar;
mod system;
mod wegstein;

pub use error::SolverError;
pub use fixed_point::{
    FixedPointOptions, FixedPointReport, FixedPointWorkspace, solve_fixed_point, solve_fixed_point_in,
};
pub use method::Method;
pub use minimize::{ConstraintKind, Evaluated, Iterate, MinimizeError, MinimizeOptions, MinimizeReport, minimize};
pub use ode::{
    DenseStep, OdeError, OdeOptions, OdeReport, OdeWorkspace, integrate, integrate_dense, integrate_to_times,
};
pub use scalar::{ScalarOptions, ScalarReport, solve_bracketed};
pub use system::{SystemError, SystemOptions, SystemReport, solve_system};
