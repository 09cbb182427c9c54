//! The `calx` Python package's native module, `calx._native` (PyO3, abi3, built with
//! maturin): flowsheets loaded, changed and solved through the façade (`calx::Project`),
//! results as columns for pyarrow tables, reports from `calx-document`, and parameter
//! studies through `calx-study`, with the GIL released while Rust works.
//!
//! The Python package (`python/calx/`) is the API users see: it reads files, makes pyarrow
//! tables and pandas/polars frames, and shows results in notebooks. This module holds no
//! numerics of its own: every number comes from the crates it calls.

mod errors;
mod flowsheet;
mod result;
mod study;

use pyo3::prelude::*;

// mimalloc for the Rust side, as the `calx` binary has: a study allocates small result
// structures for every sample, and the system allocator made that a third of the time
// (crates/calx-study/benches/study.rs). Python's own objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native half of the `calx` package; import `calx`, not this.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<flowsheet::PyFlowsheet>()?;
    m.add_class::<result::Solution>()?;
    m.add_class::<study::PyStudy>()?;
    m.add_class::<study::Samples>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
