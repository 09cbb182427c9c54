//! Text reports of a converged flowsheet.
//!
//! - [`table`]: what `calx run` prints — stream tables in the flowsheet's display units,
//!   utilities per unit, balance closure and solver summary.
//! - [`snapshot`]: a line-per-value listing rounded to a stated number of significant
//!   digits, in declaration order, with no timings or paths: what snapshot tests store.
//!
//! Both only read the result; neither does I/O.

mod number;
mod snapshot;
mod table;

pub use number::{round_sig, sig};
pub use snapshot::{SIGNIFICANT_DIGITS, snapshot};
pub use table::table;
