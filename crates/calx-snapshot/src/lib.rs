//! Snapshots of converged balances, one mechanism for everyone: `calx snapshot` (process
//! engineers), the `calx-testing` macro (Rust users and plugin authors) and Calx's own test
//! suite all render with [`render`] and store insta-compatible files at
//! `<flowsheet dir>/snapshots/<flowsheet name>.snap`, so `cargo insta review` can review them.
//!
//! The format is text that diffs well: stable order (declaration order), numbers rounded to
//! [`SIGNIFICANT_DIGITS`], closures as decades, no timings or absolute paths. [`compare`] reads
//! two snapshots back and reports which stream or result moved and by how much, within
//! tolerances that know the numbers were rounded. This crate does no I/O.

mod compare;
mod file;
mod render;

pub use compare::{Difference, Tolerances, compare};
pub use file::{SnapshotFile, snapshot_path};
pub use render::{SIGNIFICANT_DIGITS, render};
