//! Text reports of a converged flowsheet.
//!
//! - [`table`]: what `calx run` prints — stream tables in the flowsheet's display units,
//!   utilities per unit, balance closure and solver summary.
//!
//! The snapshot format lives in `calx-snapshot`. This crate only reads the result and does
//! no I/O.

mod number;
mod table;

pub use number::{count, round_sig, sig};
pub use table::table;
