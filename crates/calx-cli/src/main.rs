//! calx (being written).
fn main() {}
